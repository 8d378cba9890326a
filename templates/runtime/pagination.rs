//! Lazy streams over paginated operations: one page is fetched only when it is needed.

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::header::HeaderMap;

use super::builder::{RequestBuilder, ResponseFuture};
use super::error::Error;
use super::response::Response;

/// Every page of an operation, one answer after another.
pub type Pages<P, E> = BoxStream<'static, Result<Response<P>, Error<E>>>;

/// Every item of every page of an operation.
pub type Items<T, E> = BoxStream<'static, Result<T, Error<E>>>;

/// How an operation's next request follows from the last request and its answer; `None`
/// ends the stream. Each strategy below is one of the ways APIs paginate; an operation
/// names its strategy and where the strategy's values are, and nothing else.
pub trait Strategy<I, P>: Send + Sync + 'static {
    /// The request for the page after `last`.
    fn next(&self, last: &Last<'_, I, P>) -> Option<RequestBuilder<I>>;
}

/// The last page a stream fetched: what a strategy decides the next request from.
pub struct Last<'a, I, P> {
    /// The request that fetched it.
    pub request: &'a RequestBuilder<I>,
    /// Its answer.
    pub answer: &'a Response<P>,
    /// How many items it holds (more than zero).
    pub count: usize,
    /// The operation's id, for the log.
    pub operation: &'static str,
}

/// The pages of an operation, starting with `first` and each sent with `send`: lazily, a
/// page is requested only when the stream is polled past the previous one. A page whose
/// `count` of items is zero or absent is the last; otherwise `strategy` says what follows.
pub fn paginate<I, P, E, S>(
    first: RequestBuilder<I>,
    send: fn(RequestBuilder<I>) -> ResponseFuture<P, E>,
    operation: &'static str,
    count: fn(&P) -> Option<usize>,
    strategy: S,
) -> Pages<P, E>
where
    I: Clone + Send + Sync + 'static,
    P: Send + 'static,
    E: Send + 'static,
    S: Strategy<I, P>,
{
    pages(
        first,
        move |request: &RequestBuilder<I>| send(request.clone()),
        move |request, answer| {
            let count = count(answer.body()).filter(|count| *count > 0)?;
            strategy.next(&Last { request, answer, count, operation })
        },
    )
}

/// Pages starting at `first`; `next` derives the following request from the last request
/// and its page (body and headers), and ends the stream by returning `None`.
fn pages<R, P, E, F, N>(first: R, fetch: F, next: N) -> Pages<P, E>
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
    fn says_last(&self, answer: &Response<P>, last_of: impl Fn(i64) -> bool) -> bool {
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

/// Numbered pages: the request's page number (from `start`) grows by one until the page
/// after the last of `total_pages`, when the page says it.
pub struct PageNumber<I, P, N> {
    /// The request's page number.
    pub page: fn(&mut I) -> &mut Option<N>,
    /// The number of the first page.
    pub start: i64,
    /// Where a page says how many pages there are.
    pub total_pages: Option<Total<P>>,
}

impl<I, P, N> Strategy<I, P> for PageNumber<I, P, N>
where
    I: Clone + Send + Sync + 'static,
    P: 'static,
    N: Copy + TryInto<i64> + TryFrom<i64> + 'static,
{
    fn next(&self, last: &Last<'_, I, P>) -> Option<RequestBuilder<I>> {
        let mut next = last.request.clone();
        let slot = (self.page)(&mut next.input);
        let current = match *slot {
            Some(current) => current.try_into().ok()?,
            None => self.start,
        };
        let last_of = |total| !has_next_page(current, self.start, total);
        if self.total_pages.as_ref().is_some_and(|total| total.says_last(last.answer, last_of)) {
            return None;
        }
        *slot = Some(N::try_from(current.checked_add(1)?).ok()?);
        Some(next)
    }
}

/// Offsets: the request's offset grows by the number of items received. A page shorter
/// than the request's `limit`, or an offset that reaches the `total` number of items, ends.
pub struct Offset<I, P, N> {
    /// The request's offset.
    pub offset: fn(&mut I) -> &mut Option<N>,
    /// The request's page size, when it has one.
    pub limit: Option<fn(&I) -> Option<i64>>,
    /// Where a page says how many items there are.
    pub total: Option<Total<P>>,
}

impl<I, P, N> Strategy<I, P> for Offset<I, P, N>
where
    I: Clone + Send + Sync + 'static,
    P: 'static,
    N: Copy + TryInto<i64> + TryFrom<i64> + 'static,
{
    fn next(&self, last: &Last<'_, I, P>) -> Option<RequestBuilder<I>> {
        if self.limit.is_some_and(|limit| is_short_page(last.count, limit(&last.request.input))) {
            return None;
        }
        let mut next = last.request.clone();
        let slot = (self.offset)(&mut next.input);
        let current: i64 = match *slot {
            Some(current) => current.try_into().ok()?,
            None => 0,
        };
        let offset = current.checked_add(i64::try_from(last.count).ok()?)?;
        if self.total.as_ref().is_some_and(|total| total.says_last(last.answer, |total| offset >= total)) {
            return None;
        }
        *slot = Some(N::try_from(offset).ok()?);
        Some(next)
    }
}

/// Cursors: the next request carries the cursor the page handed back (`next`); a page
/// without one is the last. `page`, when the API also numbers its pages, advances the
/// request's page number alongside.
pub struct Cursor<I, P, C> {
    /// The request's cursor.
    pub cursor: fn(&mut I) -> &mut Option<C>,
    /// The cursor a page hands back, from its body or a header.
    pub next: fn(&Response<P>) -> Option<C>,
    /// Advances the request's page number.
    pub page: Option<fn(&mut I)>,
}

impl<I, P, C> Strategy<I, P> for Cursor<I, P, C>
where
    I: Clone + Send + Sync + 'static,
    P: 'static,
    C: PartialEq + 'static,
{
    fn next(&self, last: &Last<'_, I, P>) -> Option<RequestBuilder<I>> {
        let cursor = (self.next)(last.answer)?;
        let mut next = last.request.clone();
        let slot = (self.cursor)(&mut next.input);
        // A server that hands back the cursor it was given would loop forever.
        if slot.as_ref() == Some(&cursor) {
            stalled(last.operation);
            return None;
        }
        *slot = Some(cursor);
        if let Some(advance) = self.page {
            advance(&mut next.input);
        }
        Some(next)
    }
}

/// Links: the next request goes to the URL the page hands back (`next`), from its body or
/// a header; a page without one is the last.
pub struct NextLink<P> {
    /// The link a page hands back.
    pub next: fn(&Response<P>) -> Option<String>,
}

impl<I, P> Strategy<I, P> for NextLink<P>
where
    I: Clone + Send + Sync + 'static,
    P: 'static,
{
    fn next(&self, last: &Last<'_, I, P>) -> Option<RequestBuilder<I>> {
        follow_link(last.request, &(self.next)(last.answer)?, last.operation)
    }
}

/// Whether another page follows page `current` of a series numbered from `start`, given
/// the total number of pages.
fn has_next_page(current: i64, start: i64, total_pages: i64) -> bool {
    current.saturating_sub(start).saturating_add(1) < total_pages
}

/// Whether a page of `count` items is shorter than the `limit` the request asked for, so no
/// page follows it.
fn is_short_page(count: usize, limit: Option<i64>) -> bool {
    limit.is_some_and(|limit| i64::try_from(count).is_ok_and(|count| count < limit))
}

/// The request for the page at `link` (a `next` link of the page `request` fetched), or
/// `None` when the server handed back the link it was just given: following it would fetch
/// the same page forever.
fn follow_link<I: Clone>(request: &RequestBuilder<I>, link: &str, operation: &str) -> Option<RequestBuilder<I>> {
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
fn stalled(operation: &str) {
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
