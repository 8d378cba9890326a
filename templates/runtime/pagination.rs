//! Lazy streams over paginated operations: one page is fetched only when it is needed.

use std::future::Future;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use super::builder::RequestBuilder;
use super::error::Error;
use super::response::Response;

/// Pages of an operation, starting at `first`; `next` derives the following request from
/// the last request and its page, and ends the stream by returning `None`.
pub fn pages<R, P, E, F, Fut, N>(first: R, fetch: F, next: N) -> BoxStream<'static, Result<Response<P>, Error<E>>>
where
    R: Send + 'static,
    P: Send + 'static,
    E: Send + 'static,
    F: Fn(&R) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<P>, Error<E>>> + Send + 'static,
    N: Fn(&R, &P) -> Option<R> + Send + 'static,
{
    stream::try_unfold((Some(first), fetch, next), |(request, fetch, next)| async move {
        let Some(request) = request else {
            return Ok(None);
        };
        let page = fetch(&request).await?;
        let following = next(&request, page.body());
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
