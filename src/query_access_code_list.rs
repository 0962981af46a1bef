//! Listing the tenant's access codes: `queryAccessCodeList`, the
//! [`AccessCode`]s it returns, and the [`AccessCodeFilter`] that selects
//! them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    client::Client,
    envelope::check_return_code,
    error::{Error, check_length},
    generated::types,
    listed::Listed,
    media_type::MediaType,
    paging::{self, Listing, Page, RawPage, wire_int},
};

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

/// An access code of the tenant (a customer hotline), as
/// [`Client::access_codes`] lists it.
///
/// Its fields are public to read and to change; new ones may come, so
/// outside this crate an `AccessCode` is made with [`AccessCode::new`] (for
/// tests and fixtures) or decoded with [`AccessCode::from_wire`].
///
/// # Examples
///
/// ```
/// use cec_routes::{AccessCode, Listed, MediaType};
///
/// let mut code = AccessCode::new("9911411");
/// code.media_type = Some(Listed::Known(MediaType::VoiceAndVideo));
/// assert!(code.description.is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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
    /// The access code `code` with nothing else known. Set the fields for
    /// the rest.
    pub fn new(code: impl Into<String>) -> Self {
        AccessCode {
            id: None,
            code: code.into(),
            media_type: None,
            service_number: None,
            description: None,
            direction: None,
        }
    }

    /// Decodes one listed access code. Never fails.
    pub fn from_wire(info: &types::AccessCodeInfo) -> Self {
        AccessCode {
            id: info.id.clone(),
            code: info.access_code.clone().unwrap_or_default(),
            media_type: info.mediatype_id.map(MediaType::listed),
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

/// Which access codes to list; every filter is optional.
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use]
pub struct AccessCodeFilter {
    access_code: Option<types::QueryAccessCodeListRequestAccessCode>,
    media_type: Option<MediaType>,
    description: Option<String>,
}

impl AccessCodeFilter {
    /// Every access code.
    pub fn new() -> Self {
        AccessCodeFilter::default()
    }

    /// Access codes that contain this text (at most 32 characters).
    pub fn access_code(mut self, code: &str) -> Result<Self, Error> {
        check_length("accessCode", code, None, 32)?;
        self.access_code = Some(
            types::QueryAccessCodeListRequestAccessCode::try_from(code)
                .map_err(|_| Error::invalid("accessCode", format!("`{code}` is refused")))?,
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

    /// The request for one page of `limit` items from `offset`.
    fn to_request(&self, offset: i32, limit: i32) -> types::QueryAccessCodeListRequest {
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
        self.media_type
            .is_none_or(|wanted| code.media_type.as_ref().and_then(Listed::known) == Some(&wanted))
    }

    fn key(code: &AccessCode) -> String {
        match &code.id {
            Some(id) => format!("id:{id}"),
            None => format!("{code:?}"),
        }
    }
}

impl Client {
    /// Every access code that matches `filter`: queryAccessCodeList, page
    /// after page, as [`called_routes`](Client::called_routes) does.
    pub async fn access_codes(&self, filter: &AccessCodeFilter) -> Result<Vec<AccessCode>, Error> {
        paging::list_all(self, filter).await
    }

    /// One page of access codes: `limit` (1 to 100) from `offset`.
    pub async fn access_codes_page(
        &self,
        filter: &AccessCodeFilter,
        offset: u32,
        limit: u32,
    ) -> Result<Page<AccessCode>, Error> {
        paging::list_page(self, filter, offset, limit).await
    }
}
