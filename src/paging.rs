//! Paging through a listing: [`Page`], and [`Pages`], the one loop that
//! fetches pages of at most 100 until the total, an empty page, or a page
//! that brings nothing new. Each paged query implements [`Listing`] for its
//! filter.

use std::collections::HashSet;

use crate::{client::Client, error::Error, limits::MAX_PAGE_SIZE};

/// One page of a listing, as CEC returned it
/// ([`Client::called_routes_page`](crate::Client::called_routes_page),
/// [`Client::access_codes_page`](crate::Client::access_codes_page),
/// [`Client::skill_queues_page`](crate::Client::skill_queues_page)).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// CEC's total of matching items, when it sent one.
    pub total: Option<u64>,
    /// The items of this page that pass the filter.
    pub items: Vec<T>,
    /// How many items CEC sent on this page (before the client's own check
    /// of the filter).
    pub received: usize,
}

/// A page as CEC sent it, before the client's own filter check.
pub(crate) struct RawPage<T> {
    pub(crate) total: Option<u64>,
    pub(crate) items: Vec<T>,
}

/// A filter of one of the paged queries: how to fetch one page, how to
/// tell items apart, and which items it admits.
pub(crate) trait Listing {
    type Item;
    const OPERATION: &'static str;

    async fn fetch(
        &self,
        client: &Client,
        offset: u32,
        limit: u32,
    ) -> Result<RawPage<Self::Item>, Error>;

    fn admits(&self, item: &Self::Item) -> bool;

    /// Whether an item the filter does not admit is one CEC returns by
    /// design (a wider reading of the filter), not a sign that it ignored
    /// the filter: dropping it is not worth a warning.
    fn widened(&self, item: &Self::Item) -> bool {
        let _ = item;
        false
    }

    /// What identifies an item across pages.
    fn key(item: &Self::Item) -> String;
}

/// Every item `filter` admits, page after page.
pub(crate) async fn list_all<L: Listing + Clone>(
    client: &Client,
    filter: &L,
) -> Result<Vec<L::Item>, Error> {
    let mut pages = Pages::new(client, filter.clone());
    let mut items = Vec::new();
    while let Some(page) = pages.next().await? {
        if items.capacity() == 0 {
            items.reserve_exact(pages.expected().max(page.len()));
        }
        items.extend(page);
    }
    Ok(items)
}

/// The most items a listing reserves room for on CEC's word (its
/// `total`); a larger listing grows as it goes, so a wrong total cannot
/// make the client allocate more than this up front.
const RESERVE_AT_MOST: u64 = 200_000;

/// A listing read page by page: pages of at most 100 from offset 0 until
/// the total, an empty page, or a page with nothing new (an error: the
/// server is repeating itself). Each page holds the items not listed
/// before that `filter` admits; the warning about items CEC returned
/// against the filter is given once, when the listing ends.
pub(crate) struct Pages<'a, L: Listing> {
    client: &'a Client,
    filter: L,
    /// The offset of the next page; `None` once the listing has ended.
    next: Option<u32>,
    /// The keys of the items listed so far.
    seen: HashSet<String>,
    /// CEC's total, as the first page gave it.
    total: Option<u64>,
    dropped: Dropped,
}

/// How many items the filter did not admit, by kind.
#[derive(Default)]
struct Dropped {
    widened: usize,
    unexpected: usize,
}

impl<'a, L: Listing> Pages<'a, L> {
    pub(crate) fn new(client: &'a Client, filter: L) -> Self {
        Pages {
            client,
            filter,
            next: Some(0),
            seen: HashSet::new(),
            total: None,
            dropped: Dropped::default(),
        }
    }

    /// How many items the listing is expected to hold, from CEC's total on
    /// the first page (at most [`RESERVE_AT_MOST`]); 0 before it.
    pub(crate) fn expected(&self) -> usize {
        let total = self.total.unwrap_or_default().min(RESERVE_AT_MOST);
        usize::try_from(total).unwrap_or_default()
    }

    /// The next page's new, admitted items (possibly none); `None` once
    /// the listing has ended, and after an error.
    pub(crate) async fn next(&mut self) -> Result<Option<Vec<L::Item>>, Error> {
        let Some(offset) = self.next.take() else {
            return Ok(None);
        };
        let page = self
            .filter
            .fetch(self.client, offset, MAX_PAGE_SIZE)
            .await?;
        let received = page.items.len();
        if received == 0 {
            self.dropped.warn();
            return Ok(None);
        }
        if self.total.is_none() {
            self.total = page.total;
            self.seen.reserve(self.expected());
        }
        let seen = &mut self.seen;
        let new: Vec<L::Item> = page
            .items
            .into_iter()
            .filter(|item| seen.insert(L::key(item)))
            .collect();
        if new.is_empty() {
            return Err(Error::Decode {
                operation: L::OPERATION,
                reason: format!(
                    "the page at offset {offset} repeats items already listed; stopped after {} \
                     items rather than loop",
                    self.seen.len()
                ),
                body: String::new(),
            });
        }
        let admitted = keep_admitted(&self.filter, new, &mut self.dropped);
        if page
            .total
            .is_some_and(|total| self.seen.len() as u64 >= total)
        {
            self.dropped.warn();
        } else {
            let next = offset
                .checked_add(u32::try_from(received).unwrap_or(u32::MAX))
                .ok_or_else(|| Error::Decode {
                    operation: L::OPERATION,
                    reason: "the listing does not end".into(),
                    body: String::new(),
                })?;
            self.next = Some(next);
        }
        Ok(Some(admitted))
    }
}

/// One page: `limit` (1 to 100) items from `offset`, those `filter` admits.
pub(crate) async fn list_page<L: Listing>(
    client: &Client,
    filter: &L,
    offset: u32,
    limit: u32,
) -> Result<Page<L::Item>, Error> {
    check_page(offset, limit)?;
    let page = filter.fetch(client, offset, limit).await?;
    let received = page.items.len();
    let mut dropped = Dropped::default();
    let items = keep_admitted(filter, page.items, &mut dropped);
    dropped.warn();
    Ok(Page {
        total: page.total,
        items,
        received,
    })
}

/// The items `filter` admits; those it does not are counted in `dropped`.
fn keep_admitted<L: Listing>(
    filter: &L,
    items: Vec<L::Item>,
    dropped: &mut Dropped,
) -> Vec<L::Item> {
    items
        .into_iter()
        .filter(|item| {
            let admitted = filter.admits(item);
            if !admitted {
                if filter.widened(item) {
                    dropped.widened += 1;
                } else {
                    dropped.unexpected += 1;
                }
            }
            admitted
        })
        .collect()
}

impl Dropped {
    /// Says what was dropped: a warning when CEC seems to have ignored the
    /// filter, a debug line when it read it more widely by design.
    fn warn(&self) {
        if self.unexpected > 0 {
            tracing::warn!(
                dropped = self.unexpected,
                "CEC returned items that do not match the filter; they were dropped"
            );
        }
        if self.widened > 0 {
            tracing::debug!(
                dropped = self.widened,
                "CEC read the filter more widely than it is written; the extra items were dropped"
            );
        }
    }
}

fn check_page(offset: u32, limit: u32) -> Result<(), Error> {
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(Error::InvalidInput {
            field: "limit",
            reason: format!("{limit} is outside 1..={MAX_PAGE_SIZE}"),
        });
    }
    wire_int(offset).map(|_| ())
}

pub(crate) fn wire_int(value: u32) -> Result<i32, Error> {
    i32::try_from(value).map_err(|_| Error::InvalidInput {
        field: "offset",
        reason: format!("{value} is larger than {}", i32::MAX),
    })
}
