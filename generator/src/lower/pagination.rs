//! Pagination settings → [`Pagination`]: the paths to the items and to the next page,
//! checked against the page type.

use super::schema::TypeLowerer;
use crate::config::PaginationConfig;
use crate::ir::*;

/// Resolves a config path (`metadata.cursor`) to field accesses on the response type.
fn field_path(types: &TypeLowerer<'_>, root: &TypeRef, dotted: &str) -> Result<(FieldPath, TypeRef), String> {
    let mut steps = Vec::new();
    let mut current = root.clone();
    for wire in dotted.split('.').filter(|_| !dotted.is_empty()) {
        let name = match &current {
            TypeRef::Named(name) => name.clone(),
            TypeRef::Nullable(inner) | TypeRef::Boxed(inner) => match &**inner {
                TypeRef::Named(name) => name.clone(),
                other => return Err(format!("`{dotted}`: `{wire}` is inside a {other:?}, not an object")),
            },
            other => return Err(format!("`{dotted}`: `{wire}` is inside a {other:?}, not an object")),
        };
        let def = types.types.get(&name).ok_or_else(|| format!("`{dotted}`: type `{name}` not found"))?;
        let TypeKind::Struct(body) = &def.kind else {
            return Err(format!("`{dotted}`: `{name}` is not an object"));
        };
        let field = body
            .fields
            .iter()
            .find(|f| f.wire_name == wire)
            .ok_or_else(|| format!("`{dotted}`: `{name}` has no field `{wire}`"))?;
        steps.push(FieldStep { rust_name: field.rust_name.clone(), optional: !field.required || field.nullable });
        current = field.ty.clone();
    }
    Ok((FieldPath { steps }, current))
}

pub(super) fn lower_pagination(
    op: &Operation,
    config: &PaginationConfig,
    types: &TypeLowerer<'_>,
) -> Result<Pagination, String> {
    let page_type = match op.success.iter().find_map(|r| r.body.as_ref()) {
        Some(ResponseBody::Json(ty)) => ty.clone(),
        _ => return Err(format!("`{}` has no JSON success body to paginate", op.wire_id)),
    };
    let param = |wire: &str| -> Result<usize, String> {
        op.params
            .iter()
            .position(|p| p.wire_name == wire && p.location == ParamLocation::Query && !p.required)
            .ok_or_else(|| format!("`{}` has no optional query parameter `{wire}`", op.wire_id))
    };
    let items_path = config.items();
    let (items, items_type) = field_path(types, &page_type, items_path)?;
    let TypeRef::Array(item_type) = items_type else {
        return Err(format!("`{items_path}` is not an array"));
    };
    let value = |path: &Option<String>, header: &Option<String>, what: &str| {
        page_value(types, &page_type, path.as_deref(), header.as_deref(), what)
    };
    let kind = match config {
        PaginationConfig::Cursor { cursor_param, cursor_path, cursor_header, page_param, .. } => {
            PaginationKind::Cursor {
                param: param(cursor_param)?,
                next: value(cursor_path, cursor_header, "cursor")?
                    .ok_or("a cursor needs `cursor_path` or `cursor_header`")?,
                page_param: page_param.as_deref().map(param).transpose()?,
            }
        }
        PaginationConfig::PageNumber { page_param, start, total_pages_path, total_pages_header, .. } => {
            PaginationKind::PageNumber {
                param: param(page_param)?,
                start: *start,
                total_pages: value(total_pages_path, total_pages_header, "total_pages")?,
            }
        }
        PaginationConfig::Offset { offset_param, limit_param, total_path, total_header, .. } => {
            PaginationKind::Offset {
                param: param(offset_param)?,
                limit: limit_param.as_deref().map(param).transpose()?,
                total: value(total_path, total_header, "total")?,
            }
        }
        PaginationConfig::NextLink { next_path, next_header, .. } => PaginationKind::NextLink {
            next: value(next_path, next_header, "next")?.ok_or("a next link needs `next_path` or `next_header`")?,
        },
    };
    Ok(Pagination { kind, items, item_type: *item_type })
}

/// Where a value comes from: a dotted `path` into the page, or a `header`; not both. Only a
/// next link (`what` is `next`) is read from `Link` as RFC 8288; any other header holds the
/// value itself.
fn page_value(
    types: &TypeLowerer<'_>,
    page_type: &TypeRef,
    path: Option<&str>,
    header: Option<&str>,
    what: &str,
) -> Result<Option<PageValue>, String> {
    match (path, header) {
        (Some(_), Some(_)) => Err(format!("`{what}_path` and `{what}_header` both given; the page has one {what}")),
        (Some(path), None) => Ok(Some(PageValue::Body(field_path(types, page_type, path)?.0))),
        (None, Some(header)) if super::security::is_field_name(header) => {
            Ok(Some(if what == "next" && header.eq_ignore_ascii_case("link") {
                PageValue::NextLinkHeader(header.to_owned())
            } else {
                PageValue::Header(header.to_owned())
            }))
        }
        (None, Some(header)) => Err(format!("`{header}` is not a valid HTTP header name")),
        (None, None) => Ok(None),
    }
}
