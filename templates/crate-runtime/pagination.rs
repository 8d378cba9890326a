//! Lazy streams over paginated operations: one page is fetched only when it is needed.
//!
//! The strategies: how an operation's next request follows from the last request and its
//! page. They live in this crate, beside the request builder they edit; the streams and
//! what a page says come from the runtime crate.

use super::builder::{self, RequestBuilder};
use super::{Response, ResponseFuture};

pub use super::base::__private::pagination::*;

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
    builder::set(&mut next.options).url = Some(link.to_owned());
    Some(next)
}
