//! Listing routes: `queryCalledRoute`, the [`Route`]s it returns (with
//! their [`RouteId`] and [`Editable`] state), the [`RouteFilter`] that
//! selects them, and [`RoutePages`] to read them page by page.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    client::Client,
    device::Device,
    envelope::check_return_code,
    error::{Error, check_length},
    generated::types,
    listed::Listed,
    media_type::MediaType,
    paging::{self, Listing, Page, RawPage, wire_int},
};

/// A called route's ID: the primary key that modifyCalledRoute takes.
///
/// A decimal string larger than 2^53 (e.g. `"1125397061153369092"`): it
/// stays a string end to end, never a floating-point number.
///
/// # Examples
///
/// ```
/// use cec_routes::RouteId;
///
/// let id: RouteId = "1125397061153369092".parse()?;
/// assert_eq!(id.as_str(), "1125397061153369092");
/// assert!("12a".parse::<RouteId>().is_err());
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RouteId(String);

impl RouteId {
    /// The ID as CEC sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn to_wire(&self) -> types::RouteId {
        types::RouteId::try_from(self.0.as_str()).expect("a RouteId was checked when it was made")
    }
}

impl std::str::FromStr for RouteId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        types::RouteId::try_from(s)
            .map(|_| RouteId(s.to_owned()))
            .map_err(|_| Error::invalid("id", format!("`{s}` is not a route id (1 to 32 digits)")))
    }
}

impl TryFrom<String> for RouteId {
    type Error = Error;

    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

impl From<RouteId> for String {
    fn from(id: RouteId) -> String {
        id.0
    }
}

impl fmt::Display for RouteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What may be done to a route (the wire's `editable`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Editable {
    /// `"0"` or `null`: can be edited and deleted.
    Yes,
    /// `"1"`: cannot be edited, can be deleted.
    DeleteOnly,
    /// `"2"`: cannot be deleted (can be edited).
    EditOnly,
    /// `"3"`: cannot be edited or deleted.
    Locked,
    /// A state the documentation does not list, as CEC sent it; treated as
    /// neither editable nor deletable.
    Unknown(String),
}

impl Editable {
    /// Decodes the wire's `editable`.
    pub fn from_wire(raw: Option<&str>) -> Self {
        match raw.map(str::trim) {
            None | Some("0") => Editable::Yes,
            Some("1") => Editable::DeleteOnly,
            Some("2") => Editable::EditOnly,
            Some("3") => Editable::Locked,
            Some(other) => Editable::Unknown(other.to_owned()),
        }
    }

    /// Whether the route's device may be changed.
    pub fn can_edit(&self) -> bool {
        matches!(self, Editable::Yes | Editable::EditOnly)
    }

    /// Whether the route may be deleted.
    pub fn can_delete(&self) -> bool {
        matches!(self, Editable::Yes | Editable::DeleteOnly)
    }

    /// The wire's value (`"0"` for editable).
    pub fn code(&self) -> &str {
        match self {
            Editable::Yes => "0",
            Editable::DeleteOnly => "1",
            Editable::EditOnly => "2",
            Editable::Locked => "3",
            Editable::Unknown(raw) => raw,
        }
    }
}

/// A called route as CEC holds it, as [`Client::called_routes`] lists it.
///
/// Its fields are public to read and to change; new ones may come, so
/// outside this crate a `Route` is made with [`Route::new`] (for tests and
/// fixtures) or decoded with [`Route::from_wire`].
///
/// # Examples
///
/// ```
/// use cec_routes::{Device, Editable, Listed, MediaType, Route};
///
/// let mut route = Route::new("9911411", Device::SkillQueue(1));
/// route.ext_code = Some("11".into());
/// route.media_type = Some(Listed::Known(MediaType::Video));
/// assert_eq!(route.editable, Editable::Yes);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Route {
    /// The route's ID (what modify takes); absent if CEC left it out.
    pub id: Option<RouteId>,
    /// The configuration number (what delete takes); absent if CEC left it out.
    pub dnid: Option<i64>,
    /// The access code.
    pub access_code: String,
    /// The extension code; `None` where CEC sent `""` or nothing.
    pub ext_code: Option<String>,
    /// The device that takes the calls.
    pub device: Listed<Device>,
    /// The device's name, as CEC describes it.
    pub device_desc: Option<String>,
    /// The media type; `None` where CEC sent `null`.
    pub media_type: Option<Listed<MediaType>>,
    /// What may be done to the route.
    pub editable: Editable,
}

impl Route {
    /// A route of `access_code` to `device` with nothing else known: no id
    /// or dnid, no extension code, device description or media type, and
    /// editable. Set the fields for the rest.
    pub fn new(access_code: impl Into<String>, device: Device) -> Self {
        Route {
            id: None,
            dnid: None,
            access_code: access_code.into(),
            ext_code: None,
            device: Listed::Known(device),
            device_desc: None,
            media_type: None,
            editable: Editable::Yes,
        }
    }

    /// Decodes one listed route. Never fails: undocumented values are kept
    /// as [`Listed::Unknown`].
    pub fn from_wire(info: &types::CalledRouteInfo) -> Self {
        let device = match (info.devicetype, info.device_id) {
            (Some(device_type), Some(id)) => match Device::from_wire(device_type, id) {
                Ok(device) => Listed::Known(device),
                Err(_) => Listed::Unknown(format!("devicetype {device_type}, deviceId {id}")),
            },
            (device_type, id) => Listed::Unknown(format!(
                "devicetype {}, deviceId {}",
                show(device_type),
                show(id)
            )),
        };
        Route {
            id: info.id.as_deref().and_then(|id| id.parse().ok()),
            dnid: info.dnid,
            access_code: info.access_code.clone().unwrap_or_default(),
            ext_code: info.ext_code.clone().filter(|ext| !ext.is_empty()),
            device,
            device_desc: info.device_desc.clone(),
            media_type: info.mediatype_id.map(MediaType::listed),
            editable: Editable::from_wire(info.editable.as_deref()),
        }
    }
}

fn show(value: Option<i64>) -> String {
    value.map_or_else(|| "null".to_owned(), |v| v.to_string())
}

/// How an extension-code filter reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExtMatch {
    /// The route's extension code is the one asked for.
    Exact,
    /// The route's extension code is a prefix of the one asked for, `""`
    /// included: where a caller dialling it could land.
    DialMatch,
}

/// Which routes to list; every filter is optional.
///
/// Each filter is sent to CEC, and the routes that come back are checked
/// against it too: CEC may read a filter more widely than it is written
/// (its documented answer to an extension-code filter lists every route a
/// caller dialling that extension could reach), so the listing holds only
/// the routes the filter names.
///
/// # Examples
///
/// ```
/// use cec_routes::{MediaType, RouteFilter};
///
/// let filter = RouteFilter::new().access_code("9911411")?.media_type(MediaType::Video);
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use]
pub struct RouteFilter {
    access_code: Option<types::AccessCode>,
    ext_code: Option<(types::ExtCode, ExtMatch)>,
    device_type: Option<i32>,
    device_desc: Option<String>,
    media_type: Option<MediaType>,
}

impl RouteFilter {
    /// Every route.
    pub fn new() -> Self {
        RouteFilter::default()
    }

    /// Routes of exactly this access code (1 to 32 characters).
    pub fn access_code(mut self, code: &str) -> Result<Self, Error> {
        check_length("accessCode", code, Some("must not be empty"), 32)?;
        self.access_code = Some(
            types::AccessCode::try_from(code)
                .map_err(|_| Error::invalid("accessCode", format!("`{code}` is refused")))?,
        );
        Ok(self)
    }

    /// Routes with exactly this extension code (1 to 12 digits, `*` or
    /// `#`).
    ///
    /// CEC answers an extension-code filter with every route whose
    /// extension code is a prefix of it, the route without one included
    /// (its documented example: `"11"` lists `"11"`, `"1"` and no
    /// extension); those are dropped here. For that reading, use
    /// [`ext_code_dial_match`](RouteFilter::ext_code_dial_match).
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::RouteFilter;
    ///
    /// // Only 9911411 ext 11: never the hotline's main route.
    /// let filter = RouteFilter::new().access_code("9911411")?.ext_code("11")?;
    /// # Ok::<(), cec_routes::Error>(())
    /// ```
    pub fn ext_code(self, code: &str) -> Result<Self, Error> {
        self.with_ext_code(code, ExtMatch::Exact)
    }

    /// The routes a caller dialling the access code followed by `code`
    /// could reach: those whose extension code is a prefix of `code`, the
    /// route without an extension code included (`"11"` matches `"11"`,
    /// `"1"` and none). This is CEC's own reading of an extension-code
    /// filter; use it to see where a dialled number may go, never to pick
    /// routes to delete or modify (that is [`ext_code`](RouteFilter::ext_code)).
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::RouteFilter;
    ///
    /// // 9911411 ext 11, 9911411 ext 1 and 9911411 itself, where they exist.
    /// let filter = RouteFilter::new().access_code("9911411")?.ext_code_dial_match("11")?;
    /// # Ok::<(), cec_routes::Error>(())
    /// ```
    pub fn ext_code_dial_match(self, code: &str) -> Result<Self, Error> {
        self.with_ext_code(code, ExtMatch::DialMatch)
    }

    fn with_ext_code(mut self, code: &str, matching: ExtMatch) -> Result<Self, Error> {
        check_length("extCode", code, Some("must not be empty"), 12)?;
        let code = types::ExtCode::try_from(code).map_err(|_| {
            Error::invalid(
                "extCode",
                format!("`{code}` may contain only digits, `*` and `#`"),
            )
        })?;
        self.ext_code = Some((code, matching));
        Ok(self)
    }

    /// Routes to skill queues only.
    pub fn skill_queues(mut self) -> Self {
        self.device_type = Some(1);
        self
    }

    /// Routes to IVR flows only.
    pub fn ivr_flows(mut self) -> Self {
        self.device_type = Some(3);
        self
    }

    /// Routes whose device name contains this text.
    pub fn device_desc(mut self, text: impl Into<String>) -> Self {
        self.device_desc = Some(text.into());
        self
    }

    /// Routes of this media type. CEC's answer is checked too: a route of
    /// another media type is dropped, one listed without a media type is kept.
    pub fn media_type(mut self, media_type: MediaType) -> Self {
        self.media_type = Some(media_type);
        self
    }

    /// The request for one page of `limit` items from `offset`.
    fn to_request(&self, offset: i32, limit: i32) -> types::QueryCalledRouteRequest {
        types::QueryCalledRouteRequest {
            access_code: self.access_code.clone(),
            ext_code: self.ext_code.as_ref().map(|(code, _)| code.clone()),
            devicetype: self
                .device_type
                .and_then(|t| types::DeviceType::try_from(t).ok()),
            device_desc: self.device_desc.clone(),
            media_type_id: self.media_type.map(Into::into),
            // The documented example's spelling: never sent.
            mediatype_id: None,
            limit: Some(limit.into()),
            offset: Some(offset.into()),
        }
    }
}

impl RouteFilter {
    /// Whether `route` passes every filter, the extension code read as
    /// `ext_match`.
    fn admits_reading_ext_as(&self, route: &Route, ext_match: Option<ExtMatch>) -> bool {
        // A route without a media type cannot be judged: CEC's own documented
        // example returns one for a media-type filter, so it is kept.
        let media_ok = self
            .media_type
            .is_none_or(|wanted| match &route.media_type {
                None => true,
                Some(listed) => listed.known() == Some(&wanted),
            });
        let device_ok = self
            .device_type
            .is_none_or(|wanted| route.device.known().map(|d| d.device_type()) == Some(wanted));
        let access_ok = self
            .access_code
            .as_ref()
            .is_none_or(|wanted| route.access_code == wanted.as_str());
        let own_ext = route.ext_code.as_deref().unwrap_or_default();
        let ext_ok = match (&self.ext_code, ext_match) {
            (None, _) | (Some(_), None) => true,
            (Some((wanted, _)), Some(ExtMatch::Exact)) => own_ext == wanted.as_str(),
            (Some((wanted, _)), Some(ExtMatch::DialMatch)) => wanted.starts_with(own_ext),
        };
        media_ok && device_ok && access_ok && ext_ok
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

    /// Whether a listed route passes the filters CEC may have ignored or
    /// read more widely.
    fn admits(&self, route: &Route) -> bool {
        self.admits_reading_ext_as(route, self.ext_code.as_ref().map(|(_, m)| *m))
    }

    /// A route under an exact extension-code filter whose extension code is
    /// a prefix of the one asked for: CEC lists it by design.
    fn widened(&self, route: &Route) -> bool {
        matches!(self.ext_code, Some((_, ExtMatch::Exact)))
            && self.admits_reading_ext_as(route, Some(ExtMatch::DialMatch))
    }

    fn key(route: &Route) -> String {
        match (&route.id, route.dnid) {
            (Some(id), _) => format!("id:{id}"),
            (None, Some(dnid)) => format!("dnid:{dnid}"),
            (None, None) => format!("{route:?}"),
        }
    }
}

/// The routes of a listing, page by page
/// ([`Client::called_route_pages`]).
pub struct RoutePages<'a> {
    pages: paging::Pages<'a, RouteFilter>,
}

impl RoutePages<'_> {
    /// The next page's routes: those not listed on an earlier page that
    /// match the filter (possibly none); `None` once the listing has ended.
    /// After an error, the listing has ended too.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Route>>, Error> {
        self.pages.next().await
    }
}

impl fmt::Debug for RoutePages<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoutePages").finish_non_exhaustive()
    }
}

impl Client {
    /// Every route that matches `filter`: queryCalledRoute, page after page.
    ///
    /// Pages of 100 are fetched with `offset` = 100 × (page − 1) until the
    /// total CEC reports is reached or a page comes back empty; a server
    /// that repeats a page is an error, not an endless loop. Routes that do
    /// not match the filter are dropped even when CEC returns them: the
    /// documentation spells the media-type filter two ways, so a server may
    /// ignore it, and CEC reads an extension code as every route a caller
    /// dialling it could reach (see [`RouteFilter::ext_code`]).
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
        paging::list_all(self, filter).await
    }

    /// The routes that match `filter`, page by page as CEC returns them:
    /// what [`called_routes`](Client::called_routes) lists, without holding
    /// every route at once.
    ///
    /// The paging is [`called_routes`](Client::called_routes)'s: pages of
    /// 100 until CEC's total or an empty page, a route listed twice is
    /// given once, a server that repeats a page is an error, and routes
    /// that do not match the filter are dropped. A listing that fails
    /// half-way has given only some of the routes: treat what came before
    /// the error as incomplete.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use cec_routes::{Client, RouteFilter};
    ///
    /// # async fn run(client: Client) -> Result<(), cec_routes::Error> {
    /// let mut pages = client.called_route_pages(RouteFilter::new());
    /// let mut count = 0;
    /// while let Some(routes) = pages.next_page().await? {
    ///     count += routes.len();
    /// }
    /// println!("{count} routes");
    /// # Ok(())
    /// # }
    /// ```
    pub fn called_route_pages(&self, filter: RouteFilter) -> RoutePages<'_> {
        RoutePages {
            pages: paging::Pages::new(self, filter),
        }
    }

    /// One page of routes: `limit` (1 to 100) routes from `offset`.
    pub async fn called_routes_page(
        &self,
        filter: &RouteFilter,
        offset: u32,
        limit: u32,
    ) -> Result<Page<Route>, Error> {
        paging::list_page(self, filter, offset, limit).await
    }
}
