//! Telling a document defect from a client defect: when an answer fails to decode at a value
//! that the vendor document itself gives as the property's `example` (Prism's static mode
//! answers with examples), the document contradicts its own schema. The check then names
//! the example by its JSON pointer instead of failing on it or hiding it.

use clientgen::ir::{Api, Operation, ResponseBody, TypeKind, TypeRef};
use serde_json::Value;

/// The pointer of the example the failed value came from, with what is wrong, when it came
/// from one.
pub fn example_defect(api: &Api, document: &Value, op: &Operation, path: &str, body: &[u8]) -> Option<String> {
    let root = op.success.iter().find_map(|r| match &r.body {
        Some(ResponseBody::Json(ty)) => Some(ty.clone()),
        _ => None,
    })?;
    let answer: Value = serde_json::from_slice(body).ok()?;
    let body_pointer = crate::judge::pointer_of(path);
    let steps = field_steps(api, &root, &body_pointer);
    steps.iter().rev().find_map(|(at, field_pointer)| {
        let example = document.pointer(&format!("{field_pointer}/example"))?;
        (answer.pointer(at) == Some(example)).then(|| {
            format!("the document's example `{field_pointer}/example` is {example}, which its schema does not allow")
        })
    })
}

/// Along a pointer into an answer: each property passed, as (pointer into the answer, the
/// property's pointer in the document).
fn field_steps(api: &Api, root: &TypeRef, body_pointer: &str) -> Vec<(String, String)> {
    let mut steps = Vec::new();
    let mut current = root.clone();
    let mut at = String::new();
    for token in body_pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        at.push('/');
        at.push_str(&token.replace('~', "~0").replace('/', "~1"));
        let Some(next) = step(api, &current, &token, &at, &mut steps) else { break };
        current = next;
    }
    steps
}

fn step(api: &Api, ty: &TypeRef, token: &str, at: &str, steps: &mut Vec<(String, String)>) -> Option<TypeRef> {
    match ty {
        TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => step(api, inner, token, at, steps),
        TypeRef::Array(item) if token.parse::<usize>().is_ok() => Some((**item).clone()),
        TypeRef::Map(value) => Some((**value).clone()),
        TypeRef::Named(name) => match &api.types.iter().find(|t| &t.name == name)?.kind {
            TypeKind::Struct(body) => {
                let field = body.fields.iter().find(|f| f.wire_name == token)?;
                steps.push((at.to_owned(), field.pointer.clone()));
                Some(field.ty.clone())
            }
            TypeKind::Alias(inner) => step(api, inner, token, at, steps),
            TypeKind::Enum(_) | TypeKind::Union(_) | TypeKind::ByStatus(_) => None,
        },
        _ => None,
    }
}

/// When an operation's error status cannot be served as declared: its answer is an object,
/// but the operation produces no JSON media type (Swagger 2.0 `produces` holds for every
/// answer of an operation). Names the `produces` list the object cannot be written in.
pub fn media_defect(document: &Value, op: &Operation, status: u16) -> Option<String> {
    let operation = document.pointer(&op.pointer)?;
    let produces = operation.get("produces").or_else(|| document.get("produces"))?.as_array()?;
    let json = produces.iter().filter_map(Value::as_str).any(|media| media.contains("json"));
    let schema = operation.pointer(&format!("/responses/{status}/schema"))?;
    let is_object = schema.get("$ref").is_some() || schema.get("type").and_then(Value::as_str) == Some("object");
    (!json && is_object).then(|| {
        format!(
            "`{}/produces` lists only {}, but the {status} answer is an object (`{}/responses/{status}/schema`): no server can send it as declared",
            op.pointer,
            Value::Array(produces.clone()),
            op.pointer
        )
    })
}
