//! Lazy streams over paginated operations: one page is fetched only when it is needed.

use std::future::Future;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::header::HeaderMap;

use super::builder::RequestBuilder;
use super::error::Error;
use super::response::Response;

/// Pages of an operation, starting at `first`; `next` derives the following request from
/// the last request and its page (body and headers), and ends the stream by returning `None`.
pub fn pages<R, P, E, F, Fut, N>(first: R, fetch: F, next: N) -> BoxStream<'static, Result<Response<P>, Error<E>>>
where
    R: Send + 'static,
    P: Send + 'static,
    E: Send + 'static,
    F: Fn(&R) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<P>, Error<E>>> + Send + 'static,
    N: Fn(&R, &Response<P>) -> Option<R> + Send + 'static,
{
    stream::try_unfold((Some(first), fetch, next), |(request, fetch, next)| async move {
        let Some(request) = request else {
            return Ok(None);
        };
        let page = fetch(&request).await?;
        let following = next(&request, &page);
        Ok(Some((page, (following, fetch, next))))
    })
    .boxed()
}

/// The items of every page, in order.
pub fn items<P, I, E>(
    pages: BoxStream<'static, Result<Response<P>, Error<E>>>,
    extract: fn(P) -> Vec<I>,
) -> BoxStream<'static, Result<I, Error<E>>>
where
    P: Send + 'static,
    I: Send + 'static,
    E: Send + 'static,
{
    pages
        .map_ok(move |page| stream::iter(extract(page.into_body()).into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// Whether another page follows page `current` of a series numbered from `start`, given
/// the total number of pages (whatever integer types the API uses).
pub fn has_next_page<C: TryInto<i64>, T: TryInto<i64> + Copy>(current: C, start: i64, total_pages: &T) -> bool {
    match (current.try_into(), (*total_pages).try_into()) {
        (Ok(current), Ok(total)) => current.saturating_sub(start).saturating_add(1) < total,
        _ => false,
    }
}

/// The offset after a page of `count` items, in the offset parameter's own integer type;
/// `None` (the stream ends) if it would overflow.
pub fn advance_offset<T>(current: T, count: usize) -> Option<T>
where
    T: TryFrom<usize> + std::ops::Add<Output = T>,
{
    T::try_from(count).ok().map(|step| current + step)
}

/// Whether a page of `count` items is shorter than the `limit` the request asked for, so no
/// page follows it.
pub fn is_short_page<T: TryInto<i64>>(count: usize, limit: Option<T>) -> bool {
    match limit.map(TryInto::try_into) {
        Some(Ok(limit)) => i64::try_from(count).is_ok_and(|count| count < limit),
        _ => false,
    }
}

/// The request for the page at `link` (a `next` link of the page `request` fetched), or
/// `None` when the server handed back the link it was just given: following it would fetch
/// the same page forever.
pub fn follow_link<I: Clone>(request: &RequestBuilder<I>, link: &str, operation: &str) -> Option<RequestBuilder<I>> {
    if request.options.as_ref().and_then(|options| options.url.as_deref()) == Some(link) {
        stalled(operation);
        return None;
    }
    let mut next = request.clone();
    super::builder::set(&mut next.options).url = Some(link.to_owned());
    Some(next)
}

/// Ends a stream whose server handed back the cursor (or link) it was just given: following
/// it would fetch the same page forever.
pub fn stalled(operation: &str) {
    tracing::warn!(operation, "the next-page cursor did not change; the stream ends here");
}

/// Whether an offset has reached the `total` number of items (so no page follows).
pub fn reached_total<O: TryInto<i64>, T: TryInto<i64> + Copy>(offset: O, total: &T) -> bool {
    match (offset.try_into(), (*total).try_into()) {
        (Ok(offset), Ok(total)) => offset >= total,
        _ => false,
    }
}

/// The value of header `name` read as `T` (a cursor, a count, a URL), `None` when the page
/// does not send it or it does not read as `T`.
pub fn header_value<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    if text.is_empty() { None } else { text.parse().ok() }
}

/// The URL of the `rel="next"` link in the RFC 8288 `Link` headers called `name`
/// (`<https://…?page=2>; rel="next", <…>; rel="last"`), `None` when there is none.
pub fn next_link(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(links)
        .find(|(_, rels)| rels.split_ascii_whitespace().any(|rel| rel.eq_ignore_ascii_case("next")))
        .map(|(target, _)| target.to_owned())
}

/// The links of one `Link` header value: each target with its `rel` (empty when none).
fn links(value: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        let target = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        // The parameters run to the next link: a `,` outside quotes.
        let mut quoted = false;
        let end = rest.find(|c: char| {
            if c == '"' {
                quoted = !quoted;
            }
            c == ',' && !quoted
        });
        let params = &rest[..end.unwrap_or(rest.len())];
        rest = &rest[end.map_or(rest.len(), |end| end + 1)..];
        let rel = params
            .split(';')
            .filter_map(|param| param.split_once('='))
            .find(|(key, _)| key.trim().eq_ignore_ascii_case("rel"))
            .map(|(_, value)| value.trim().trim_matches('"'))
            .unwrap_or_default();
        found.push((target.trim(), rel));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_next_link_is_read_from_rfc_8288_link_headers() {
        let link = r#"<https://api.example.com/items?page=1>; rel="prev", <https://api.example.com/items?page=3&a=b,c>; rel="next last"; title="a, b""#;
        assert_eq!(
            next_link(&headers(&[("link", link)]), "Link").as_deref(),
            Some("https://api.example.com/items?page=3&a=b,c")
        );
        let split = headers(&[("link", "</first>; rel=first"), ("link", "</items?cursor=x>; REL=next")]);
        assert_eq!(next_link(&split, "Link").as_deref(), Some("/items?cursor=x"));
        assert_eq!(next_link(&headers(&[("link", "</a>; rel=\"prev\"")]), "Link"), None);
        assert_eq!(next_link(&HeaderMap::new(), "Link"), None);
    }

    #[test]
    fn header_values_read_as_their_type() {
        let page = headers(&[("x-total-count", " 42 "), ("next-page", "")]);
        assert_eq!(header_value::<i64>(&page, "X-Total-Count"), Some(42));
        assert_eq!(header_value::<String>(&page, "Next-Page"), None, "an empty header says nothing");
        assert!(reached_total(42_i32, &42_i64) && !reached_total(40_u32, &42_i64));
    }
}
