//! Calls for the APIs whose operations are too many to call by hand, written by `build.rs`
//! from the generator's IR, and what they need: sample inputs through serde, and judges that
//! keep a failed decode's JSON path so a document defect can be told from a client defect.

use std::fmt::Debug;

use secops_clients::{ByteStream, Error, Response};

use crate::{Expect, Failure};

/// Like `prefer!`, for an operation whose success is not JSON: an error is asked for as JSON
/// (Swagger 2.0 lists media types per operation, so a mock would otherwise try to write the
/// JSON error as the success's `text/plain` or `application/octet-stream`).
macro_rules! prefer_json_error {
    ($builder:expr, $expect:expr) => {{
        let builder = prefer!($builder, $expect);
        match $expect {
            Expect::Error { .. } => builder.header("Accept", "application/json"),
            Expect::Success => builder,
        }
    }};
}

include!(concat!(env!("OUT_DIR"), "/generated_calls.rs"));

/// A value of the client's own type `T` from sample JSON. The samples are built from the same
/// IR as the types, so a value that does not fit is a bug in `build.rs`.
fn sample<T: serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|error| panic!("sample {json} does not fit its type: {error}"))
}

/// Judges a decoded answer (see `crate::judge::judge`); a failed decode keeps its path and body.
async fn judge_decoded<T: Debug, E: Debug>(
    result: Result<Response<T>, Error<E>>,
    expect: Expect,
) -> Result<String, Failure> {
    match result {
        Err(Error::Decode(error)) if expect == Expect::Success => Err(Failure::Decode {
            path: error.path().to_owned(),
            body: error.body().to_vec(),
            message: error.to_string(),
        }),
        other => crate::judge::judge_outcome(other.map(|response| response.status().as_u16()), expect)
            .map_err(Failure::Plain),
    }
}

/// Judges a streamed download: a success is read to its end.
async fn judge_stream<E: Debug>(
    result: Result<Response<ByteStream>, Error<E>>,
    expect: Expect,
) -> Result<String, Failure> {
    match (result, expect) {
        (Ok(response), Expect::Success) => {
            let status = response.status().as_u16();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| Failure::Plain(format!("reading the download: {e}")))?;
            Ok(format!("HTTP {status}, {} bytes streamed", bytes.len()))
        }
        (other, _) => crate::judge::judge_outcome(other.map(|response| response.status().as_u16()), expect)
            .map_err(Failure::Plain),
    }
}
