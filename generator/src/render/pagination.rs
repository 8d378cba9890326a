//! Pagination → `into_pages` and `into_stream`: how the next request follows from the last
//! request and its page.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, type_tokens};
use crate::ir::PageValue;
use crate::ir::*;

/// Field accesses on `&page` that give a borrowed value, `?` on each optional step.
/// With `as_ref`, the result is a reference even when the last field is required.
fn borrowed_access(root: TokenStream, path: &FieldPath, as_ref: bool) -> TokenStream {
    let mut expr = root;
    let last = path.steps.len().saturating_sub(1);
    for (index, step) in path.steps.iter().enumerate() {
        let name = ident(&step.rust_name);
        expr = if step.optional {
            quote! { #expr.#name.as_ref()? }
        } else if index == last && as_ref {
            quote! { &#expr.#name }
        } else {
            quote! { #expr.#name }
        };
    }
    expr
}

/// Moves the item vector out of an owned page.
fn owned_items(path: &FieldPath) -> TokenStream {
    let mut expr = quote! { page };
    let mut is_option = false;
    for step in &path.steps {
        let name = ident(&step.rust_name);
        expr = match (is_option, step.optional) {
            (false, _) => quote! { #expr.#name },
            (true, true) => quote! { #expr.and_then(|value| value.#name) },
            (true, false) => quote! { #expr.map(|value| value.#name) },
        };
        is_option = is_option || step.optional;
    }
    if is_option {
        quote! { #expr.unwrap_or_default() }
    } else {
        expr
    }
}

pub(super) fn render(
    op: &Operation,
    pagination: &Pagination,
    page_ty: &TokenStream,
    error_ty: &TokenStream,
) -> TokenStream {
    let item_ty = type_tokens(&pagination.item_type, true);
    let items_ref = borrowed_access(quote! { page }, &pagination.items, false);
    let advance = advance(op, pagination);
    let items_owned = owned_items(&pagination.items);
    quote! {
        /// Every page, fetched lazily: a page is requested only when the stream is polled
        /// past the previous one. The stream ends after the last page or an empty page.
        pub fn into_pages(self) -> futures::stream::BoxStream<'static, Result<runtime::Response<#page_ty>, runtime::Error<#error_ty>>> {
            runtime::pagination::pages(
                self,
                |request: &Self| request.clone().send(),
                |request: &Self, answer: &runtime::Response<#page_ty>| {
                    let page = answer.body();
                    if #items_ref.is_empty() {
                        return None;
                    }
                    #advance
                },
            )
        }

        /// Every item of every page, fetched lazily one page at a time.
        pub fn into_stream(self) -> futures::stream::BoxStream<'static, Result<#item_ty, runtime::Error<#error_ty>>> {
            runtime::pagination::items(self.into_pages(), |page| #items_owned)
        }
    }
}

/// The statements that derive the next request from `request` and its `page`, or end the
/// stream with `None`.
fn advance(op: &Operation, pagination: &Pagination) -> TokenStream {
    let items_ref = borrowed_access(quote! { page }, &pagination.items, false);
    match &pagination.kind {
        PaginationKind::Cursor { param, next, page_param } => {
            let cursor = ident(&op.params[*param].rust_name);
            let value = match next {
                PageValue::Body(path) => borrowed_access(quote! { page }, path, true),
                PageValue::Header(name) | PageValue::NextLinkHeader(name) => {
                    let ty = type_tokens(&op.params[*param].ty, true);
                    quote! { &runtime::pagination::header_value::<#ty>(answer.headers(), #name)? }
                }
            };
            let page_step = page_param.map(|index| {
                let page = ident(&op.params[index].rust_name);
                quote! { next.input.#page = Some(request.input.#page.unwrap_or_default() + 1); }
            });
            quote! {
                let cursor = #value;
                // A server that hands back the cursor it was given would loop forever.
                if request.input.#cursor.as_ref() == Some(cursor) {
                    runtime::pagination::stalled(OPERATION.id);
                    return None;
                }
                let mut next = request.clone();
                next.input.#cursor = Some(cursor.clone());
                #page_step
                Some(next)
            }
        }
        PaginationKind::PageNumber { param, start, total_pages } => {
            let page = ident(&op.params[*param].rust_name);
            let start = proc_macro2::Literal::i64_unsuffixed(*start);
            let limit = total_pages.as_ref().map(|total| match total {
                PageValue::Body(path) => {
                    let total = borrowed_access(quote! { page }, path, true);
                    quote! {
                        if !runtime::pagination::has_next_page(current, #start, #total) {
                            return None;
                        }
                    }
                }
                // A page without the header does not say it is the last.
                PageValue::Header(name) | PageValue::NextLinkHeader(name) => quote! {
                    if runtime::pagination::header_value::<i64>(answer.headers(), #name)
                        .is_some_and(|total| !runtime::pagination::has_next_page(current, #start, &total))
                    {
                        return None;
                    }
                },
            });
            quote! {
                let current = request.input.#page.unwrap_or(#start);
                #limit
                let mut next = request.clone();
                next.input.#page = Some(current + 1);
                Some(next)
            }
        }
        PaginationKind::Offset { param, limit, total } => {
            let offset = ident(&op.params[*param].rust_name);
            let reached = total.as_ref().map(|total| match total {
                PageValue::Body(path) => {
                    let total = borrowed_access(quote! { page }, path, true);
                    quote! {
                        if runtime::pagination::reached_total(offset, #total) {
                            return None;
                        }
                    }
                }
                PageValue::Header(name) | PageValue::NextLinkHeader(name) => quote! {
                    if runtime::pagination::header_value::<i64>(answer.headers(), #name)
                        .is_some_and(|total| runtime::pagination::reached_total(offset, &total))
                    {
                        return None;
                    }
                },
            });
            let short_page = limit.map(|index| {
                let limit = ident(&op.params[index].rust_name);
                quote! {
                    if runtime::pagination::is_short_page(count, request.input.#limit) {
                        return None;
                    }
                }
            });
            quote! {
                let count = #items_ref.len();
                #short_page
                let offset = runtime::pagination::advance_offset(request.input.#offset.unwrap_or_default(), count)?;
                #reached
                let mut next = request.clone();
                next.input.#offset = Some(offset);
                Some(next)
            }
        }
        PaginationKind::NextLink { next } => {
            let link = match next {
                PageValue::Body(path) => borrowed_access(quote! { page }, path, true),
                PageValue::Header(name) => {
                    quote! { &runtime::pagination::header_value::<String>(answer.headers(), #name)? }
                }
                PageValue::NextLinkHeader(name) => quote! { &runtime::pagination::next_link(answer.headers(), #name)? },
            };
            quote! {
                let link = #link;
                runtime::pagination::follow_link(request, link.as_str(), OPERATION.id)
            }
        }
    }
}
