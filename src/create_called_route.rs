//! Binding an access code to a device: `createCalledRoute`, and the
//! [`CalledRoute`] it sends, checked before it is sent.

use std::fmt;

use crate::{
    client::Client,
    device::{Device, check_device_media},
    envelope::{Success, confirm},
    error::{Error, check_length},
    generated::types,
    media_type::MediaType,
};

/// A new called route: an access code, an optional extension code, the
/// device that takes the calls, and an optional media type.
///
/// A `CalledRoute` that exists is one CEC's documented rules allow: each
/// setter checks its value (with the limits of the spec's schemas) and the
/// rules between fields (no IVR flow on the multimedia channel).
///
/// # Examples
///
/// ```
/// use cec_routes::{CalledRoute, Device, MediaType};
///
/// let route = CalledRoute::new("9911411", Device::SkillQueue(1))?
///     .with_ext_code("11")?
///     .with_media_type(MediaType::Video)?;
/// assert_eq!(route.access_code(), "9911411");
///
/// // An IVR flow cannot take multimedia calls.
/// let refused = CalledRoute::new("9911411", Device::Ivr(7))?.with_media_type(MediaType::Multimedia);
/// assert!(refused.is_err());
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CalledRoute {
    access_code: types::AccessCode,
    ext_code: Option<types::ExtCode>,
    device: Device,
    media_type: Option<MediaType>,
}

impl CalledRoute {
    /// A route from an access code (1 to 32 characters) to a device.
    pub fn new(access_code: impl AsRef<str>, device: Device) -> Result<Self, Error> {
        let access_code = access_code.as_ref();
        check_length("accessCode", access_code, Some("must not be empty"), 32)?;
        let access_code = types::AccessCode::try_from(access_code)
            .map_err(|_| Error::invalid("accessCode", format!("`{access_code}` is refused")))?;
        device.to_wire()?;
        Ok(CalledRoute {
            access_code,
            ext_code: None,
            device,
            media_type: None,
        })
    }

    /// Sets the extension code: 1 to 12 characters of digits, `*` and `#`.
    pub fn with_ext_code(mut self, ext_code: impl AsRef<str>) -> Result<Self, Error> {
        let ext_code = ext_code.as_ref();
        check_length(
            "extCode",
            ext_code,
            Some("must not be empty; leave it out for a route without an extension code"),
            12,
        )?;
        let parsed = types::ExtCode::try_from(ext_code).map_err(|_| {
            Error::invalid(
                "extCode",
                format!("`{ext_code}` may contain only digits, `*` and `#`"),
            )
        })?;
        self.ext_code = Some(parsed);
        Ok(self)
    }

    /// Sets the media type. Left unset, nothing is sent and CEC uses voice
    /// and video (5). An IVR flow cannot take [`MediaType::Multimedia`].
    pub fn with_media_type(mut self, media_type: MediaType) -> Result<Self, Error> {
        check_device_media(self.device, Some(media_type))?;
        self.media_type = Some(media_type);
        Ok(self)
    }

    /// The access code.
    pub fn access_code(&self) -> &str {
        &self.access_code
    }

    /// The extension code, if any.
    pub fn ext_code(&self) -> Option<&str> {
        self.ext_code.as_deref().map(String::as_str)
    }

    /// The device that takes the calls.
    pub fn device(&self) -> Device {
        self.device
    }

    /// The media type, if one is set.
    pub fn media_type(&self) -> Option<MediaType> {
        self.media_type
    }

    /// The request body the generated client sends.
    pub fn to_request(&self) -> types::CreateCalledRouteRequest {
        let (devicetype, device_id) = self
            .device
            .to_wire()
            .expect("the device was checked when the route was built");
        types::CreateCalledRouteRequest {
            access_code: self.access_code.clone(),
            ext_code: self.ext_code.clone(),
            media_type_id: self.media_type.map(Into::into),
            devicetype,
            device_id,
        }
    }
}

impl fmt::Display for CalledRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.access_code())?;
        if let Some(ext) = self.ext_code() {
            write!(f, " ext {ext}")?;
        }
        write!(f, " → {}", self.device)?;
        if let Some(media) = self.media_type {
            write!(f, " ({})", media.name())?;
        }
        Ok(())
    }
}

impl Client {
    /// Binds an access code (and extension code) to a skill queue or IVR
    /// flow: `createCalledRoute`.
    ///
    /// The route was checked when it was built. A 200 with `returnCode`
    /// `"0"` is [`Success`]; anything else is an [`Error`] that says what
    /// happened. The create is never resent once it may have reached CEC (CEC
    /// has no idempotency key): only a refused connection, a 429 (the
    /// throttle refused it before CEC saw it; see
    /// [`RetryPolicy`](crate::RetryPolicy)), or a 401 answered by a token
    /// refresh, leads to another attempt.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use cec_routes::{CalledRoute, Client, Device};
    ///
    /// # async fn run(client: Client) -> Result<(), cec_routes::Error> {
    /// let route = CalledRoute::new("9911411", Device::SkillQueue(1))?.with_ext_code("11")?;
    /// match client.create_called_route(&route).await {
    ///     Ok(done) => println!("created {route}: {:?}", done.description),
    ///     Err(e) if e.may_have_reached_server() => println!("unknown: list the routes first ({e})"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_called_route(&self, route: &CalledRoute) -> Result<Success, Error> {
        let body = &route.to_request();
        let response = self
            .call("createCalledRoute", |raw| async move {
                raw.create_called_route(body).await
            })
            .await?;
        confirm("createCalledRoute", response.into_inner())
    }
}
