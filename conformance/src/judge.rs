//! How a call is judged: a success must decode into the client's types, an asked-for error
//! status must come back with its documented body decoded; anything else fails with what the
//! server said.

use std::fmt::Debug;

use secops_clients::{Error, Response};
use serde::de::DeserializeOwned;

use crate::Expect;

/// Judges an answer: success must decode; an asked-for error status must come back with its
/// documented body decoded. Anything else fails with what the server said, verbatim.
pub fn judge<T: DeserializeOwned + Debug, E: Debug>(
    result: Result<Response<T>, Error<E>>,
    expect: Expect,
) -> Result<String, String> {
    match (result, expect) {
        (Err(Error::Decode(error)), Expect::Success) => {
            decode_around_faker_defects::<T>(error.body(), error.path()).map_err(|()| error.to_string())
        }
        (result, expect) => judge_outcome(result.map(|response| response.status().as_u16()), expect),
    }
}

/// Judges a call by its status: success when one was expected, else the asked-for error
/// status with its documented body decoded.
pub fn judge_outcome<E: Debug>(result: Result<u16, Error<E>>, expect: Expect) -> Result<String, String> {
    match (result, expect) {
        (Ok(status), Expect::Success) => Ok(format!("HTTP {status} decoded")),
        (Ok(got), Expect::Error { status, .. }) => Err(format!("asked for {status}, got success HTTP {got}")),
        (Err(Error::Api(error)), Expect::Error { status, typed }) if error.status().as_u16() == status => {
            match (typed, error.error()) {
                (true, None) => Err(format!(
                    "HTTP {status} body does not decode into the documented error: {}",
                    String::from_utf8_lossy(error.body())
                )),
                (true, Some(_)) => Ok(format!("HTTP {status}, typed error decoded")),
                (false, _) => Ok(format!("HTTP {status} (no error body documented)")),
            }
        }
        // Prism names what a request got wrong in `sl-violations`; pass it on verbatim.
        (Err(Error::Api(error)), _) => Err(format!(
            "the mock answered HTTP {}: {}{}",
            error.status().as_u16(),
            String::from_utf8_lossy(error.body()),
            error
                .headers()
                .get("sl-violations")
                .map(|v| format!("\n    violations: {}", String::from_utf8_lossy(v.as_bytes())))
                .unwrap_or_default()
        )),
        (Err(error), _) => Err(error.to_string()),
    }
}

/// Prism's dynamic mode (json-schema-faker) has a known defect: for a property named like a
/// JSON Schema keyword (`definitions`), it answers with the property's schema instead of a
/// value. Such a value is recognised only when it is itself a schema object (`type` plus
/// `items`, `properties` or `description`); it is taken out and the rest of the answer must
/// still decode into the typed model. A missing required field, or any other mismatch,
/// still fails.
fn decode_around_faker_defects<T: DeserializeOwned>(body: &[u8], first_path: &str) -> Result<String, ()> {
    let mut document: serde_json::Value = serde_json::from_slice(body).map_err(|_| ())?;
    let mut path = first_path.to_owned();
    let mut removed = 0;
    while removed < 1000 {
        let pointer = pointer_of(&path);
        let is_schema = document.pointer(&pointer).and_then(serde_json::Value::as_object).is_some_and(|object| {
            object.get("type").and_then(serde_json::Value::as_str).is_some()
                && ["items", "properties", "description"].iter().any(|key| object.contains_key(*key))
        });
        let (parent, key) = pointer.rsplit_once('/').ok_or(())?;
        let taken_out = is_schema
            && document.pointer_mut(parent).and_then(|p| p.as_object_mut()).is_some_and(|p| p.remove(key).is_some());
        if !taken_out {
            return Err(());
        }
        removed += 1;
        match serde_path_to_error::deserialize::<_, T>(document.clone()) {
            Ok(_) => {
                return Ok(format!(
                    "decoded, after taking out {removed} value(s) Prism faked from a schema (`{first_path}`)"
                ));
            }
            Err(error) => path = error.path().to_string(),
        }
    }
    Err(())
}

/// `targets[0].definitions` → `/targets/0/definitions`.
pub fn pointer_of(path: &str) -> String {
    let mut pointer = String::new();
    for step in path.split('.') {
        let (name, indexes) = step.split_once('[').map_or((step, ""), |(n, rest)| (n, rest));
        if !name.is_empty() {
            pointer.push('/');
            pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
        }
        for index in indexes.split('[').map(|i| i.trim_end_matches(']')).filter(|i| !i.is_empty()) {
            pointer.push('/');
            pointer.push_str(index);
        }
    }
    pointer
}
