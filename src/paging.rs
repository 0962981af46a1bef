//! Listing every page: queryCalledRoute and queryAccessCodeList, fetched a
//! page of at most 100 at a time until the total, an empty page, or a page
//! that brings nothing new.

use std::{collections::HashSet, future::Future};

use crate::{
    AccessCode, AccessCodeFilter, Client, Error, Route, RouteFilter, client::check_return_code,
    listing::Page,
};

/// The largest page the documentation allows (and the client asks for).
pub const MAX_PAGE_SIZE: u32 = 100;

/// A page as CEC sent it, before the client's own filter check.
struct RawPage<T> {
    total: Option<u64>,
    items: Vec<T>,
}

/// A filter of one of the two paged queries: how to fetch one page, how to
/// tell items apart, and which items it admits.
trait Listing {
    type Item;
    const OPERATION: &'static str;

    async fn fetch(
        &self,
        client: &Client,
        offset: u32,
        limit: u32,
    ) -> Result<RawPage<Self::Item>, Error>;

    fn admits(&self, item: &Self::Item) -> bool;

    /// What identifies an item across pages.
    fn key(item: &Self::Item) -> String;
}

impl Client {
    /// Every route that matches `filter`: queryCalledRoute, page after page.
    ///
    /// Pages of 100 are fetched with `offset` = 100 × (page − 1) until the
    /// total CEC reports is reached or a page comes back empty; a server
    /// that repeats a page is an error, not an endless loop. Routes that do
    /// not match the media-type or device-type filter are dropped even when
    /// CEC returns them (the documentation spells the media-type filter two
    /// ways, so a server may ignore it).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use cec_routes::{Client, RouteFilter};
    ///
    /// # async fn run(client: Client) -> Result<(), cec_routes::Error> {
    /// for route in client.called_routes(&RouteFilter::new().access_code("9911411")?).await? {
    ///     println!("{:?} {} → {}", route.id, route.access_code, route.device);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn called_routes(&self, filter: &RouteFilter) -> Result<Vec<Route>, Error> {
        self.list_all(filter).await
    }

    /// One page of routes: `limit` (1 to 100) routes from `offset`.
    pub async fn called_routes_page(
        &self,
        filter: &RouteFilter,
        offset: u32,
        limit: u32,
    ) -> Result<Page<Route>, Error> {
        self.list_page(filter, offset, limit).await
    }

    /// Every access code that matches `filter`: queryAccessCodeList, page
    /// after page, as [`called_routes`](Client::called_routes) does.
    pub async fn access_codes(&self, filter: &AccessCodeFilter) -> Result<Vec<AccessCode>, Error> {
        self.list_all(filter).await
    }

    /// One page of access codes: `limit` (1 to 100) from `offset`.
    pub async fn access_codes_page(
        &self,
        filter: &AccessCodeFilter,
        offset: u32,
        limit: u32,
    ) -> Result<Page<AccessCode>, Error> {
        self.list_page(filter, offset, limit).await
    }

    async fn list_all<L: Listing>(&self, filter: &L) -> Result<Vec<L::Item>, Error> {
        let items = collect(L::OPERATION, L::key, |offset| {
            filter.fetch(self, offset, MAX_PAGE_SIZE)
        })
        .await?;
        Ok(keep_admitted(items, |item| filter.admits(item)))
    }

    async fn list_page<L: Listing>(
        &self,
        filter: &L,
        offset: u32,
        limit: u32,
    ) -> Result<Page<L::Item>, Error> {
        check_page(offset, limit)?;
        let page = filter.fetch(self, offset, limit).await?;
        let received = page.items.len();
        Ok(Page {
            total: page.total,
            items: keep_admitted(page.items, |item| filter.admits(item)),
            received,
        })
    }
}

impl Listing for RouteFilter {
    type Item = Route;
    const OPERATION: &'static str = "queryCalledRoute";

    async fn fetch(
        &self,
        client: &Client,
        offset: u32,
        limit: u32,
    ) -> Result<RawPage<Route>, Error> {
        let body = &self.to_request(wire_int(offset)?, wire_int(limit)?);
        let response = client
            .call(Self::OPERATION, |raw| async move {
                raw.query_called_route(body).await
            })
            .await?
            .into_inner();
        check_return_code(
            Self::OPERATION,
            response.return_code.as_deref(),
            response.description.as_deref(),
        )?;
        let page = response.data.and_then(|d| d.0).unwrap_or_default();
        Ok(RawPage {
            total: page.total.and_then(|t| u64::try_from(t).ok()),
            items: page
                .called_route_list
                .unwrap_or_default()
                .iter()
                .map(Route::from_wire)
                .collect(),
        })
    }

    fn admits(&self, route: &Route) -> bool {
        RouteFilter::admits(self, route)
    }

    fn key(route: &Route) -> String {
        match (&route.id, route.dnid) {
            (Some(id), _) => format!("id:{id}"),
            (None, Some(dnid)) => format!("dnid:{dnid}"),
            (None, None) => format!("{route:?}"),
        }
    }
}

impl Listing for AccessCodeFilter {
    type Item = AccessCode;
    const OPERATION: &'static str = "queryAccessCodeList";

    async fn fetch(
        &self,
        client: &Client,
        offset: u32,
        limit: u32,
    ) -> Result<RawPage<AccessCode>, Error> {
        let body = &self.to_request(wire_int(offset)?, wire_int(limit)?);
        let response = client
            .call(Self::OPERATION, |raw| async move {
                raw.query_access_code_list(body).await
            })
            .await?
            .into_inner();
        check_return_code(
            Self::OPERATION,
            response.return_code.as_deref(),
            response.description.as_deref(),
        )?;
        let page = response.data.and_then(|d| d.0).unwrap_or_default();
        Ok(RawPage {
            total: page.total.and_then(|t| u64::try_from(t).ok()),
            items: page
                .called_route_list
                .unwrap_or_default()
                .iter()
                .map(AccessCode::from_wire)
                .collect(),
        })
    }

    fn admits(&self, code: &AccessCode) -> bool {
        AccessCodeFilter::admits(self, code)
    }

    fn key(code: &AccessCode) -> String {
        match &code.id {
            Some(id) => format!("id:{id}"),
            None => format!("{code:?}"),
        }
    }
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

fn keep_admitted<T>(items: Vec<T>, admits: impl Fn(&T) -> bool) -> Vec<T> {
    let before = items.len();
    let kept: Vec<T> = items.into_iter().filter(|item| admits(item)).collect();
    if kept.len() < before {
        tracing::warn!(
            dropped = before - kept.len(),
            "CEC returned items that do not match the filter; they were dropped"
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

fn wire_int(value: u32) -> Result<i32, Error> {
    i32::try_from(value).map_err(|_| Error::InvalidInput {
        field: "offset",
        reason: format!("{value} is larger than {}", i32::MAX),
    })
}
