//! Pagination → `into_pages` and `into_stream`: how the next request follows from the last
//! request and its page.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

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
    let items_owned = owned_items(&pagination.items);
    let strategy = strategy(op, pagination, page_ty);
    quote! {
        /// Every page, fetched lazily: a page is requested only when the stream is polled
        /// past the previous one. The stream ends after the last page or an empty page.
        pub fn into_pages(self) -> runtime::pagination::Pages<#page_ty, #error_ty> {
            runtime::pagination::paginate(
                self,
                Self::send,
                operation().id,
                |page: &#page_ty| Some(#items_ref.len()),
                #strategy,
            )
        }

        /// Every item of every page, fetched lazily one page at a time.
        pub fn into_stream(self) -> runtime::pagination::Items<#item_ty, #error_ty> {
            runtime::pagination::items(self.into_pages(), |page| #items_owned)
        }
    }
}

/// The runtime's strategy for the operation, with where its values are: the request's
/// fields it sets and the parts of a page it reads.
fn strategy(op: &Operation, pagination: &Pagination, page_ty: &TokenStream) -> TokenStream {
    let input = format_ident!("{}", op.companion_types.input);
    let field = |index: usize| {
        let name = ident(&op.params[index].rust_name);
        quote! { |input: &mut #input| &mut input.#name }
    };
    match &pagination.kind {
        PaginationKind::Cursor { param, next, page_param } => {
            let cursor = field(*param);
            let next = match next {
                PageValue::Body(path) => {
                    let value = borrowed_access(quote! { answer.body() }, path, true);
                    quote! { |answer: &runtime::Response<#page_ty>| Some((#value).clone()) }
                }
                PageValue::Header(name) | PageValue::NextLinkHeader(name) => quote! {
                    |answer: &runtime::Response<#page_ty>| runtime::pagination::header_value(answer.headers(), #name)
                },
            };
            let page = match page_param {
                Some(index) => {
                    let page = ident(&op.params[*index].rust_name);
                    quote! { Some(|input: &mut #input| input.#page = Some(input.#page.unwrap_or_default() + 1)) }
                }
                None => quote! { None },
            };
            quote! { runtime::pagination::Cursor { cursor: #cursor, next: #next, page: #page } }
        }
        PaginationKind::PageNumber { param, start, total_pages } => {
            let page = field(*param);
            let start = proc_macro2::Literal::i64_unsuffixed(*start);
            let total = total(total_pages.as_ref(), page_ty);
            quote! { runtime::pagination::PageNumber { page: #page, start: #start, total_pages: #total } }
        }
        PaginationKind::Offset { param, limit, total: items } => {
            let offset = field(*param);
            let limit = match limit {
                Some(index) => {
                    let limit = ident(&op.params[*index].rust_name);
                    quote! { Some(|input: &#input| runtime::pagination::int(input.#limit.as_ref()?)) }
                }
                None => quote! { None },
            };
            let total = total(items.as_ref(), page_ty);
            quote! { runtime::pagination::Offset { offset: #offset, limit: #limit, total: #total } }
        }
        PaginationKind::NextLink { next } => {
            let link = match next {
                PageValue::Body(path) => {
                    let link = borrowed_access(quote! { answer.body() }, path, true);
                    quote! { Some(#link.as_str().to_owned()) }
                }
                PageValue::Header(name) => quote! { runtime::pagination::header_value(answer.headers(), #name) },
                PageValue::NextLinkHeader(name) => quote! { runtime::pagination::next_link(answer.headers(), #name) },
            };
            quote! { runtime::pagination::NextLink { next: |answer: &runtime::Response<#page_ty>| #link } }
        }
    }
}

/// Where a page says how many there are (pages or items), as the runtime's `Total`.
fn total(total: Option<&PageValue>, page_ty: &TokenStream) -> TokenStream {
    match total {
        Some(PageValue::Body(path)) => {
            let total = borrowed_access(quote! { page }, path, true);
            quote! { Some(runtime::pagination::Total::Body(|page: &#page_ty| runtime::pagination::int(#total))) }
        }
        Some(PageValue::Header(name) | PageValue::NextLinkHeader(name)) => {
            quote! { Some(runtime::pagination::Total::Header(#name)) }
        }
        None => quote! { None },
    }
}
