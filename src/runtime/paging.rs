//! Paging through list operations as a stream of items.
//!
//! Every operation that pages with `limit` and `skip` (or `offset`, as the
//! files listing does, or meta's `pagesize` and `page` numbers) and returns a
//! list (in its envelope's `result`, or as the whole body) has a
//! `.paginate()` method on its builder; `tapis::PAGINATED` lists them (it is
//! generated from the specs). The stream is lazy: a page is fetched only when
//! the items already fetched have been read. Every parameter of the builder
//! (filters, `orderBy`, `select`...) and every per-call control (extra query
//! parameters, headers, tracking id...) is sent with every page.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
//! let mut systems = t
//!     .systems()
//!     .get_systems()
//!     .tapis_query("enabled.eq", true)
//!     .paginate()
//!     .page_size(200)
//!     .max_items(1000);
//! while let Some(system) = systems.try_next().await? {
//!     println!("{:?}", system.id);
//! }
//! # Ok(()) }
//! ```
//!
//! The stream ends after a page shorter than asked for, or once
//! `totalCount` (sent when `computeTotal` is on) says every item was
//! read, or at [`Paginator::max_items`]; an error ends it after being
//! yielded.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde::Serialize;
use serde_json::Value;

use crate::{Envelope, Error, Metadata, Response};

/// Items per page when neither [`Paginator::page_size`] nor the builder's
/// `limit` says otherwise (the Tapis services' usual default).
pub const DEFAULT_PAGE_SIZE: i64 = 100;

/// The future of one page.
pub type PageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send + 'a>>;

/// One page: its items and the envelope's metadata.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of the page, in the order the service sent them.
    pub items: Vec<T>,
    /// `totalCount`, `recordCount`... as the service sent them.
    pub metadata: Metadata,
}

/// What the caller set on the builder before `.paginate()`.
#[derive(Debug, Clone, Default)]
#[doc(hidden)]
pub struct Initial {
    pub limit: Option<i64>,
    pub position: Option<i64>,
    pub start_after: Option<Value>,
    pub order_by: Option<String>,
}

/// An operation builder that pages. Implemented by the generated builders
/// of list operations; there is no need to implement it yourself.
pub trait Paged<'a>: Clone + Send + Sized + 'a {
    /// The type of one listed item.
    type Item: Serialize + Send + 'a;
    /// The operationId, for errors.
    const OPERATION: &'static str;
    /// `skip`, `offset` or `page`.
    const POSITION: &'static str;
    /// Whether the position is a page number counted from 1 (meta's `page`)
    /// rather than an item offset.
    const PAGE_NUMBERS: bool = false;
    /// Whether the operation takes `startAfter`.
    const START_AFTER: bool;
    #[doc(hidden)]
    fn initial(&self) -> Result<Initial, Error>;
    #[doc(hidden)]
    fn with_page(self, limit: i64, position: Option<i64>, start_after: Option<Value>) -> Self;
    #[doc(hidden)]
    fn fetch_page(self) -> PageFuture<'a, Self::Item>;
}

/// The items of a list `result`.
pub trait Items {
    /// One item.
    type Item;
    /// The items, in order.
    fn into_items(self) -> Vec<Self::Item>;
}

impl<T> Items for Vec<T> {
    type Item = T;
    fn into_items(self) -> Vec<T> {
        self
    }
}

/// A lazy stream of every item of a list operation, page after page; made
/// by the `.paginate()` method of a list operation's builder. Configure it,
/// then read it as a [`Stream`] of `Result<Item, Error>` (for example with
/// `futures::TryStreamExt::try_next`) or with [`Paginator::collect_all`].
#[must_use = "a paginator does nothing until it is read"]
pub struct Paginator<'a, B: Paged<'a>> {
    template: B,
    page_size: Option<i64>,
    max_items: Option<u64>,
    by_start_after: bool,
    state: Option<State>,
    buffer: VecDeque<B::Item>,
    in_flight: Option<(i64, PageFuture<'a, B::Item>)>,
    done: bool,
}

/// Where the next page starts.
struct State {
    page_size: i64,
    position: i64,
    start_after: Option<Value>,
    /// The field of each item `startAfter` is read from.
    order_key: Option<String>,
    yielded: u64,
    pages: u64,
}

impl<'a, B: Paged<'a>> Paginator<'a, B> {
    #[doc(hidden)]
    pub fn new(template: B) -> Self {
        Paginator {
            template,
            page_size: None,
            max_items: None,
            by_start_after: false,
            state: None,
            buffer: VecDeque::new(),
            in_flight: None,
            done: false,
        }
    }

    /// Items asked for per request (`limit`). Defaults to the builder's
    /// `limit` if set, else [`DEFAULT_PAGE_SIZE`]. A size below 1 is an
    /// [`Error::InvalidInput`] when the stream is read.
    pub fn page_size(mut self, size: i64) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Stops after this many items in all; the last request asks only for
    /// what is still wanted.
    pub fn max_items(mut self, max: u64) -> Self {
        self.max_items = Some(max);
        self
    }

    /// Pages with `startAfter` (the previous page's last value of the
    /// `orderBy` field) instead of `skip`: stable when items are added or
    /// removed while paging. Needs `orderBy` on a field whose values are
    /// unique; without `orderBy`, or on an operation without `startAfter`,
    /// reading the stream gives an [`Error::InvalidInput`].
    pub fn by_start_after(mut self) -> Self {
        self.by_start_after = true;
        self
    }

    /// How many pages have been requested so far.
    pub fn pages_fetched(&self) -> u64 {
        self.state.as_ref().map_or(0, |s| s.pages)
    }

    /// Reads the whole stream into a vector (stopping at the first error).
    pub async fn collect_all(mut self) -> Result<Vec<B::Item>, Error> {
        let mut all = Vec::new();
        while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            all.push(item?);
        }
        Ok(all)
    }

    fn start(&self) -> Result<State, Error> {
        let initial = self.template.initial()?;
        let page_size = self
            .page_size
            .or(initial.limit)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        if page_size < 1 {
            return Err(Error::InvalidInput(format!(
                "{}: a page size must be at least 1, not {page_size}",
                B::OPERATION
            )));
        }
        let order_key = if self.by_start_after {
            if !B::START_AFTER {
                return Err(Error::InvalidInput(format!(
                    "{} does not take startAfter; page it with {}",
                    B::OPERATION,
                    B::POSITION
                )));
            }
            let order_by = initial.order_by.as_deref().ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{}: paging by startAfter needs orderBy (a field with unique values)",
                    B::OPERATION
                ))
            })?;
            Some(order_field(order_by).to_string())
        } else {
            None
        };
        // Page numbers count from 1; the paginator counts items.
        let position = match initial.position {
            Some(page) if B::PAGE_NUMBERS => (page.max(1) - 1) * page_size,
            Some(offset) => offset,
            None => 0,
        };
        Ok(State {
            page_size,
            position,
            start_after: initial.start_after,
            order_key,
            yielded: 0,
            pages: 0,
        })
    }

    /// Takes in a fetched page; decides whether another may follow.
    fn receive(&mut self, asked: i64, page: Page<B::Item>) -> Result<(), Error> {
        let Some(state) = self.state.as_mut() else {
            return Ok(());
        };
        let mut items = page.items;
        let received = items.len() as i64;
        if let Some(max) = self.max_items {
            let wanted = max.saturating_sub(state.yielded + self.buffer.len() as u64);
            if items.len() as u64 >= wanted {
                items.truncate(wanted as usize);
                self.done = true;
            }
        }
        state.position += received;
        let total = page.metadata.total_count.filter(|t| *t >= 0);
        let short = received < asked;
        let all_read = total.is_some_and(|t| state.position >= t);
        // A short page ends the list unless totalCount says more remain (a
        // service capping `limit` below what was asked).
        if received == 0 || all_read || (short && total.is_none()) {
            self.done = true;
        }
        if let (Some(key), Some(last)) = (&state.order_key, items.last()) {
            let next = start_after_value(B::OPERATION, key, last)?;
            // A page ending where the previous one did means the server
            // ignores `startAfter`: asking again would loop forever.
            if !self.done && state.start_after.as_ref() == Some(&next) {
                self.done = true;
                return Err(Error::invalid_response_without_body(
                    reqwest::StatusCode::OK,
                    format!(
                        "{}: paging by startAfter does not advance (the page ends at {key} = \
                         {next} again); the server ignores startAfter",
                        B::OPERATION
                    ),
                    None,
                ));
            }
            state.start_after = Some(next);
        }
        self.buffer.extend(items);
        Ok(())
    }
}

impl<'a, B: Paged<'a>> Unpin for Paginator<'a, B> {}

impl<'a, B: Paged<'a>> Stream for Paginator<'a, B> {
    type Item = Result<B::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                if let Some(state) = this.state.as_mut() {
                    state.yielded += 1;
                }
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if this.state.is_none() {
                match this.start() {
                    Ok(state) => this.state = Some(state),
                    Err(e) => {
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
            let Some(state) = this.state.as_mut() else {
                return Poll::Ready(None);
            };
            if this.in_flight.is_none() {
                let remaining = this
                    .max_items
                    .map_or(u64::MAX, |max| max.saturating_sub(state.yielded));
                if remaining == 0 {
                    this.done = true;
                    continue;
                }
                // With page numbers every page must have the same size; the
                // cap then truncates the last one instead.
                let limit = if B::PAGE_NUMBERS {
                    state.page_size
                } else {
                    state.page_size.min(remaining.min(i64::MAX as u64) as i64)
                };
                // The first page leaves the position out unless the caller set it.
                let position = match (&state.order_key, state.position) {
                    (Some(_), _) | (None, 0) => None,
                    (None, offset) if B::PAGE_NUMBERS => Some(offset / state.page_size + 1),
                    (None, offset) => Some(offset),
                };
                let start_after = state.start_after.clone();
                let request = this
                    .template
                    .clone()
                    .with_page(limit, position, start_after);
                state.pages += 1;
                this.in_flight = Some((limit, request.fetch_page()));
            }
            let Some((asked, future)) = this.in_flight.as_mut() else {
                continue;
            };
            let asked = *asked;
            match future.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    this.in_flight = None;
                    if let Err(e) = result.and_then(|page| this.receive(asked, page)) {
                        this.done = true;
                        this.buffer.clear();
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
        }
    }
}

impl<'a, B: Paged<'a>> std::fmt::Debug for Paginator<'a, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &B::OPERATION)
            .field("page_size", &self.page_size)
            .field("max_items", &self.max_items)
            .field("by_start_after", &self.by_start_after)
            .field("pages_fetched", &self.pages_fetched())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// `id(desc)` → `id`; `name` → `name`.
fn order_field(order_by: &str) -> &str {
    let field = order_by.split(',').next().unwrap_or(order_by).trim();
    field.split('(').next().unwrap_or(field).trim()
}

/// The `startAfter` value following `item`: its `key` field.
fn start_after_value<T: Serialize>(operation: &str, key: &str, item: &T) -> Result<Value, Error> {
    let value = serde_json::to_value(item).map_err(|e| {
        Error::InvalidInput(format!("{operation}: cannot read the orderBy field: {e}"))
    })?;
    match value.get(key) {
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => Ok(v.clone()),
        _ => Err(Error::InvalidInput(format!(
            "{operation}: paging by startAfter: an item has no `{key}` value \
             (orderBy must name a field of the items, and `select` must keep it)"
        ))),
    }
}

/// A builder field the caller may have set (`Ok(None)` when not set).
#[doc(hidden)]
pub fn given_number<T: Clone + Into<i64>>(
    name: &str,
    field: &Result<Option<T>, String>,
) -> Result<Option<i64>, Error> {
    field
        .clone()
        .map(|v| v.map(Into::into))
        .map_err(|e| Error::InvalidInput(format!("{name}: {e}")))
}

/// A text builder field the caller may have set.
#[doc(hidden)]
pub fn given_text<T: ToString>(
    name: &str,
    field: &Result<Option<T>, String>,
) -> Result<Option<String>, Error> {
    match field {
        Ok(v) => Ok(v.as_ref().map(ToString::to_string)),
        Err(e) => Err(Error::InvalidInput(format!("{name}: {e}"))),
    }
}

/// A builder field the caller may have set, as JSON.
#[doc(hidden)]
pub fn given_value<T: Serialize>(
    name: &str,
    field: &Result<Option<T>, String>,
) -> Result<Option<Value>, Error> {
    match field {
        Ok(Some(v)) => serde_json::to_value(v)
            .map(Some)
            .map_err(|e| Error::InvalidInput(format!("{name}: {e}"))),
        Ok(None) => Ok(None),
        Err(e) => Err(Error::InvalidInput(format!("{name}: {e}"))),
    }
}

/// An item's `orderBy` value as the operation's `startAfter` type: as is,
/// else a number or flag as text, else text parsed as a number.
#[doc(hidden)]
pub fn start_after_as<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
    if let Ok(v) = serde_json::from_value::<T>(value.clone()) {
        return Ok(v);
    }
    let converted = match &value {
        Value::String(s) => serde_json::from_str::<T>(s).ok(),
        Value::Number(_) | Value::Bool(_) => {
            serde_json::from_value::<T>(Value::String(value.to_string())).ok()
        }
        _ => None,
    };
    converted
        .ok_or_else(|| format!("startAfter: the orderBy value {value} does not fit this parameter"))
}

/// One page out of a response whose body is the list itself (no envelope,
/// so no metadata).
#[doc(hidden)]
pub fn bare_page<R: Items>(response: Response<R>) -> Result<Page<R::Item>, Error> {
    Ok(Page {
        items: response.into_inner().into_items(),
        metadata: Metadata::default(),
    })
}

/// One page out of a list operation's response.
#[doc(hidden)]
pub fn page<R>(response: Response<R>) -> Result<Page<<R::Result as Items>::Item>, Error>
where
    R: Envelope,
    R::Result: Items,
{
    let (result, metadata) = response.into_result_with_metadata();
    Ok(Page {
        items: result.into_items(),
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::order_field;

    #[test]
    fn order_fields() {
        assert_eq!(order_field("id(desc)"), "id");
        assert_eq!(order_field("name"), "name");
        assert_eq!(order_field(" created (asc),id"), "created");
    }
}
