//! Lazy streams over paginated operations: one page is fetched only when it is needed.
//!
//! The streams, how a page says it is the last, and the headers and links a page hands
//! back. The strategies that derive the next request live beside the request builder, in
//! each generated crate's `runtime` module (they edit a request the crate's operations add
//! methods to).

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::header::HeaderMap;

use super::response::ResponseFuture;
use super::error::Error;
use super::response::Response;

/// Every page of an operation, one answer after another.
pub type Pages<P, E> = BoxStream<'static, Result<Response<P>, Error<E>>>;

/// Every item of every page of an operation.
pub type Items<T, E> = BoxStream<'static, Result<T, Error<E>>>;

/// Pages starting at `first`; `next` derives the following request from the last request
/// and its page (body and headers), and ends the stream by returning `None`.
#[doc(hidden)]
pub fn pages<R, P, E, F, N>(first: R, fetch: F, next: N) -> Pages<P, E>
where
    R: Send + 'static,
    P: Send + 'static,
    E: Send + 'static,
    F: Fn(&R) -> ResponseFuture<P, E> + Send + 'static,
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
pub fn items<P, I, E>(pages: Pages<P, E>, extract: fn(P) -> Vec<I>) -> Items<I, E>
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

/// Where a page says how many there are.
pub enum Total<P> {
    /// A field of the page's body; a page without it is the last.
    Body(fn(&P) -> Option<i64>),
    /// A header holding the number; a page without it does not say it is the last.
    Header(&'static str),
}

impl<P> Total<P> {
    /// Whether `answer` is the last page, given whether a `total` makes it the last.
    #[doc(hidden)]
    pub fn says_last(&self, answer: &Response<P>, last_of: impl Fn(i64) -> bool) -> bool {
        match self {
            Total::Body(read) => read(answer.body()).is_none_or(last_of),
            Total::Header(name) => header_value(answer.headers(), name).is_some_and(last_of),
        }
    }
}

/// A field of a page (any integer type) as `i64`, for the strategies' counts.
pub fn int<T: TryInto<i64> + Copy>(value: &T) -> Option<i64> {
    (*value).try_into().ok()
}

/// Ends a stream whose server handed back the cursor (or link) it was just given: following
/// it would fetch the same page forever.
#[doc(hidden)]
pub fn stalled(operation: &str) {
    tracing::warn!(operation, "the next-page cursor did not change; the stream ends here");
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
    }
}
