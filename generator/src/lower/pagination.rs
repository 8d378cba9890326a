//! Pagination settings → [`Pagination`]: the paths to the items and to the next page,
//! checked against the page type.

use super::schema::TypeLowerer;
use crate::config::PaginationConfig;
use crate::ir::*;

/// Resolves a config path (`metadata.cursor`) to field accesses on the response type.
fn field_path(types: &TypeLowerer<'_>, root: &TypeRef, dotted: &str) -> Result<(FieldPath, TypeRef), String> {
    let mut steps = Vec::new();
    let mut current = root.clone();
    for wire in dotted.split('.') {
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
    let kind = match config {
        PaginationConfig::Cursor { cursor_param, cursor_path, page_param, .. } => {
            let (next, _) = field_path(types, &page_type, cursor_path)?;
            PaginationKind::Cursor {
                param: param(cursor_param)?,
                next,
                page_param: page_param.as_deref().map(param).transpose()?,
            }
        }
        PaginationConfig::PageNumber { page_param, start, total_pages_path, .. } => PaginationKind::PageNumber {
            param: param(page_param)?,
            start: *start,
            total_pages: total_pages_path
                .as_deref()
                .map(|p| field_path(types, &page_type, p).map(|(f, _)| f))
                .transpose()?,
        },
        PaginationConfig::Offset { offset_param, limit_param, .. } => PaginationKind::Offset {
            param: param(offset_param)?,
            limit: limit_param.as_deref().map(param).transpose()?,
        },
        PaginationConfig::NextLink { next_path, .. } => {
            PaginationKind::NextLink { next: field_path(types, &page_type, next_path)?.0 }
        }
    };
    Ok(Pagination { kind, items, item_type: *item_type })
}
