//! Paging through a listing: [`Page`], and the loop that fetches pages of
//! at most 100 until the total, an empty page, or a page that brings
//! nothing new. Each paged query implements [`Listing`] for its filter.

use std::{collections::HashSet, future::Future};

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
pub(crate) async fn list_all<L: Listing>(
    client: &Client,
    filter: &L,
) -> Result<Vec<L::Item>, Error> {
    let items = collect(L::OPERATION, L::key, |offset| {
        filter.fetch(client, offset, MAX_PAGE_SIZE)
    })
    .await?;
    Ok(keep_admitted(filter, items))
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
    Ok(Page {
        total: page.total,
        items: keep_admitted(filter, page.items),
        received,
    })
}

/// Fetches pages from offset 0 until the total, an empty page, or a page
/// with nothing new (an error: the server is repeating itself).
async fn collect<T, K, F, Fut>(
    operation: &'static str,
    key: K,
    mut fetch: F,
) -> Result<Vec<T>, Error>
where
    K: Fn(&T) -> String,
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<RawPage<T>, Error>>,
{
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut offset: u32 = 0;
    loop {
        let page = fetch(offset).await?;
        let received = page.items.len();
        if received == 0 {
            break;
        }
        let mut new = 0;
        for item in page.items {
            if seen.insert(key(&item)) {
                new += 1;
                items.push(item);
            }
        }
        if new == 0 {
            return Err(Error::Decode {
                operation,
                reason: format!(
                    "the page at offset {offset} repeats items already listed; stopped after {} \
                     items rather than loop",
                    items.len()
                ),
                body: String::new(),
            });
        }
        if page.total.is_some_and(|total| items.len() as u64 >= total) {
            break;
        }
        offset = offset
            .checked_add(u32::try_from(received).unwrap_or(u32::MAX))
            .ok_or_else(|| Error::Decode {
                operation,
                reason: "the listing does not end".into(),
                body: String::new(),
            })?;
    }
    Ok(items)
}

fn keep_admitted<L: Listing>(filter: &L, items: Vec<L::Item>) -> Vec<L::Item> {
    let mut widened = 0;
    let mut unexpected = 0;
    let kept: Vec<L::Item> = items
        .into_iter()
        .filter(|item| {
            let admitted = filter.admits(item);
            if !admitted {
                if filter.widened(item) {
                    widened += 1;
                } else {
                    unexpected += 1;
                }
            }
            admitted
        })
        .collect();
    if unexpected > 0 {
        tracing::warn!(
            dropped = unexpected,
            "CEC returned items that do not match the filter; they were dropped"
        );
    }
    if widened > 0 {
        tracing::debug!(
            dropped = widened,
            "CEC read the filter more widely than it is written; the extra items were dropped"
        );
    }
    kept
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
