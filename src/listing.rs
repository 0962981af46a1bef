//! What the queries return, as domain values: routes as CEC holds them,
//! access codes, their states, and the filters that select them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Device, Error, MediaType, generated::types};

/// A value as CEC listed it: one the documentation names, or one it does not
/// (kept raw, so a new value never fails a whole page).
///
/// # Examples
///
/// ```
/// use cec_routes::{Listed, MediaType};
///
/// let known: Listed<MediaType> = Listed::Known(MediaType::Video);
/// assert_eq!(known.known(), Some(&MediaType::Video));
/// let unknown: Listed<MediaType> = Listed::Unknown("77".into());
/// assert_eq!(unknown.to_string(), "unknown (77)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Listed<T> {
    /// A documented value.
    Known(T),
    /// A value the documentation does not list, as CEC sent it.
    Unknown(String),
}

impl<T> Listed<T> {
    /// The documented value, if it is one.
    pub fn known(&self) -> Option<&T> {
        match self {
            Listed::Known(value) => Some(value),
            Listed::Unknown(_) => None,
        }
    }
}

impl<T: fmt::Display> fmt::Display for Listed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listed::Known(value) => value.fmt(f),
            Listed::Unknown(raw) => write!(f, "unknown ({raw})"),
        }
    }
}

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

/// A called route as CEC holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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
            media_type: info.mediatype_id.map(media_type),
            editable: Editable::from_wire(info.editable.as_deref()),
        }
    }
}

/// Which way an access code's calls go (the wire's `numCallAttr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallDirection {
    /// `1`: inbound only.
    Inbound,
    /// `2`: outbound only.
    Outbound,
    /// `3`: inbound and outbound.
    Both,
}

impl fmt::Display for CallDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CallDirection::Inbound => "inbound",
            CallDirection::Outbound => "outbound",
            CallDirection::Both => "inbound and outbound",
        })
    }
}

/// An access code of the tenant (a customer hotline).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessCode {
    /// The access code's ID.
    pub id: Option<String>,
    /// The access code.
    pub code: String,
    /// Its media type, which limits the media types of its routes.
    pub media_type: Option<Listed<MediaType>>,
    /// The service number mapped to it (usually a 400 number).
    pub service_number: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Which way its calls go.
    pub direction: Option<Listed<CallDirection>>,
}

impl AccessCode {
    /// Decodes one listed access code. Never fails.
    pub fn from_wire(info: &types::AccessCodeInfo) -> Self {
        AccessCode {
            id: info.id.clone(),
            code: info.access_code.clone().unwrap_or_default(),
            media_type: info.mediatype_id.map(media_type),
            service_number: info.n400_number.clone(),
            description: info.description.clone(),
            direction: info.num_call_attr.map(|raw| match raw {
                1 => Listed::Known(CallDirection::Inbound),
                2 => Listed::Known(CallDirection::Outbound),
                3 => Listed::Known(CallDirection::Both),
                other => Listed::Unknown(other.to_string()),
            }),
        }
    }
}

fn media_type(raw: i64) -> Listed<MediaType> {
    i32::try_from(raw)
        .ok()
        .and_then(|code| MediaType::try_from(code).ok())
        .map_or_else(|| Listed::Unknown(raw.to_string()), Listed::Known)
}

fn show(value: Option<i64>) -> String {
    value.map_or_else(|| "null".to_owned(), |v| v.to_string())
}

/// Which routes to list; every filter is optional.
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
    pub(crate) access_code: Option<types::AccessCode>,
    pub(crate) ext_code: Option<types::ExtCode>,
    pub(crate) device_type: Option<i32>,
    pub(crate) device_desc: Option<String>,
    pub(crate) media_type: Option<MediaType>,
}

impl RouteFilter {
    /// Every route.
    pub fn new() -> Self {
        RouteFilter::default()
    }

    /// Routes of this access code (1 to 32 characters).
    pub fn access_code(mut self, code: &str) -> Result<Self, Error> {
        self.access_code = Some(
            types::AccessCode::try_from(code)
                .map_err(|e| Error::invalid("accessCode", format!("`{code}` is {e}")))?,
        );
        Ok(self)
    }

    /// Routes with this extension code (1 to 12 digits, `*` or `#`).
    pub fn ext_code(mut self, code: &str) -> Result<Self, Error> {
        self.ext_code = Some(types::ExtCode::try_from(code).map_err(|_| {
            Error::invalid(
                "extCode",
                format!("`{code}` is not 1 to 12 digits, `*` or `#`"),
            )
        })?);
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

    pub(crate) fn to_request(&self, offset: i32, limit: i32) -> types::QueryCalledRouteRequest {
        types::QueryCalledRouteRequest {
            access_code: self.access_code.clone(),
            ext_code: self.ext_code.clone(),
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

    /// Whether a listed route passes the filters CEC may have ignored.
    pub(crate) fn admits(&self, route: &Route) -> bool {
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
        media_ok && device_ok
    }
}

/// Which access codes to list; every filter is optional.
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use]
pub struct AccessCodeFilter {
    pub(crate) access_code: Option<types::QueryAccessCodeListRequestAccessCode>,
    pub(crate) media_type: Option<MediaType>,
    pub(crate) description: Option<String>,
}

impl AccessCodeFilter {
    /// Every access code.
    pub fn new() -> Self {
        AccessCodeFilter::default()
    }

    /// Access codes that contain this text (at most 32 characters).
    pub fn access_code(mut self, code: &str) -> Result<Self, Error> {
        self.access_code = Some(
            types::QueryAccessCodeListRequestAccessCode::try_from(code)
                .map_err(|e| Error::invalid("accessCode", format!("`{code}` is {e}")))?,
        );
        Ok(self)
    }

    /// Access codes of this media type: only voice click-to-dial (2), voice
    /// and video (5) and multimedia (53) can be asked for.
    pub fn media_type(mut self, media_type: MediaType) -> Result<Self, Error> {
        types::AccessCodeMediaTypeId::try_from(media_type.code()).map_err(|_| {
            Error::invalid(
                "mediatypeId",
                format!(
                    "access codes can be filtered by voice-click-to-dial (2), voice-and-video (5) \
                     or multimedia (53), not {media_type}"
                ),
            )
        })?;
        self.media_type = Some(media_type);
        Ok(self)
    }

    /// Access codes whose description contains this text.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    pub(crate) fn to_request(&self, offset: i32, limit: i32) -> types::QueryAccessCodeListRequest {
        types::QueryAccessCodeListRequest {
            access_code: self.access_code.clone(),
            mediatype_id: self
                .media_type
                .and_then(|m| types::AccessCodeMediaTypeId::try_from(m.code()).ok()),
            description: self.description.clone(),
            limit: Some(limit.into()),
            offset: Some(offset.into()),
        }
    }

    pub(crate) fn admits(&self, code: &AccessCode) -> bool {
        self.media_type
            .is_none_or(|wanted| code.media_type.as_ref().and_then(Listed::known) == Some(&wanted))
    }
}

/// One page of a listing, as CEC returned it.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// CEC's total of matching items, when it sent one.
    pub total: Option<u64>,
    /// The items of this page that pass the filter.
    pub items: Vec<T>,
    /// How many items CEC sent on this page (before the client's own check
    /// of the filter).
    pub received: usize,
}
