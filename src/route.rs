//! Domain types for called routes: what a route binds, checked before sending.

use std::{fmt, str::FromStr};

use crate::{Error, generated::types};

/// The media type of a route or an access code, named for its meaning.
///
/// On the wire it is the number in [`MediaType::code`].
///
/// # Examples
///
/// ```
/// use cec_routes::MediaType;
///
/// assert_eq!(MediaType::Video.code(), 19);
/// assert_eq!(MediaType::try_from(53).unwrap(), MediaType::Multimedia);
/// assert_eq!("video".parse::<MediaType>().unwrap(), MediaType::Video);
/// assert_eq!("19".parse::<MediaType>().unwrap(), MediaType::Video);
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum MediaType {
    /// `2`: voice click-to-dial.
    VoiceClickToDial,
    /// `5`: voice and video (the server's default for a route).
    VoiceAndVideo,
    /// `18`: video click-to-dial.
    VideoClickToDial,
    /// `19`: video.
    Video,
    /// `53`: multimedia (no IVR flow may be chosen on this channel).
    Multimedia,
}

impl MediaType {
    /// Every documented media type, in code order.
    pub const ALL: [MediaType; 5] = [
        MediaType::VoiceClickToDial,
        MediaType::VoiceAndVideo,
        MediaType::VideoClickToDial,
        MediaType::Video,
        MediaType::Multimedia,
    ];

    /// The documented number of this media type (`mediaTypeId`).
    pub const fn code(self) -> i32 {
        match self {
            MediaType::VoiceClickToDial => 2,
            MediaType::VoiceAndVideo => 5,
            MediaType::VideoClickToDial => 18,
            MediaType::Video => 19,
            MediaType::Multimedia => 53,
        }
    }

    /// The name the CLI and the routes file use (`video`, `multimedia`, …).
    pub const fn name(self) -> &'static str {
        match self {
            MediaType::VoiceClickToDial => "voice-click-to-dial",
            MediaType::VoiceAndVideo => "voice-and-video",
            MediaType::VideoClickToDial => "video-click-to-dial",
            MediaType::Video => "video",
            MediaType::Multimedia => "multimedia",
        }
    }

    /// The route media types an access code of this media type accepts
    /// (access code 5 → 5 or 19; 53 → 53; 2 → 2 or 18).
    pub fn allowed_for_access_code(self) -> &'static [MediaType] {
        match self {
            MediaType::VoiceAndVideo | MediaType::Video => {
                &[MediaType::VoiceAndVideo, MediaType::Video]
            }
            MediaType::Multimedia => &[MediaType::Multimedia],
            MediaType::VoiceClickToDial | MediaType::VideoClickToDial => {
                &[MediaType::VoiceClickToDial, MediaType::VideoClickToDial]
            }
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

impl TryFrom<i32> for MediaType {
    type Error = Error;

    fn try_from(code: i32) -> Result<Self, Error> {
        MediaType::ALL
            .into_iter()
            .find(|m| m.code() == code)
            .ok_or_else(|| Error::invalid("mediaTypeId", media_type_choices(&code.to_string())))
    }
}

impl FromStr for MediaType {
    type Err = Error;

    /// Parses a name (`video`) or a documented number (`19`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if let Ok(code) = s.parse::<i32>() {
            return MediaType::try_from(code);
        }
        MediaType::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::invalid("mediaTypeId", media_type_choices(s)))
    }
}

fn media_type_choices(value: &str) -> String {
    let choices: Vec<String> = MediaType::ALL
        .iter()
        .map(|m| format!("{} ({})", m.name(), m.code()))
        .collect();
    format!(
        "`{value}` is not a media type; use one of {}",
        choices.join(", ")
    )
}

impl From<MediaType> for types::MediaTypeId {
    fn from(media: MediaType) -> Self {
        types::MediaTypeId::try_from(media.code())
            .expect("every MediaType is a documented mediaTypeId")
    }
}

/// The device a route sends calls to.
///
/// The id is the skill queue's `skillId` or the IVR flow's id; the wire's
/// `devicetype` (`1` or `3`) follows from the variant.
///
/// # Examples
///
/// ```
/// use cec_routes::Device;
///
/// assert_eq!(Device::SkillQueue(1).device_type(), 1);
/// assert_eq!(Device::Ivr(7).device_type(), 3);
/// assert_eq!(Device::Ivr(7).id(), 7);
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Device {
    /// A skill queue, by its id (`devicetype` 1).
    SkillQueue(u32),
    /// An IVR flow, by its id (`devicetype` 3).
    Ivr(u32),
}

impl Device {
    /// The wire's `devicetype`: 1 for a skill queue, 3 for an IVR flow.
    pub const fn device_type(self) -> i32 {
        match self {
            Device::SkillQueue(_) => 1,
            Device::Ivr(_) => 3,
        }
    }

    /// The device's id (`deviceId`).
    pub const fn id(self) -> u32 {
        match self {
            Device::SkillQueue(id) | Device::Ivr(id) => id,
        }
    }

    /// Builds a device from the wire's `devicetype` and `deviceId`.
    pub fn from_wire(device_type: i64, id: i64) -> Result<Self, Error> {
        let id = u32::try_from(id)
            .ok()
            .filter(|id| i32::try_from(*id).is_ok())
            .ok_or_else(|| {
                Error::invalid("deviceId", format!("{id} is outside 0..={}", i32::MAX))
            })?;
        match device_type {
            1 => Ok(Device::SkillQueue(id)),
            3 => Ok(Device::Ivr(id)),
            other => Err(Error::invalid(
                "devicetype",
                format!("{other} is not a device type; use 1 (skill queue) or 3 (IVR)"),
            )),
        }
    }

    pub(crate) fn to_wire(self) -> Result<(types::DeviceType, types::DeviceId), Error> {
        let id = i32::try_from(self.id()).map_err(|_| {
            Error::invalid(
                "deviceId",
                format!("{} is larger than the largest id, {}", self.id(), i32::MAX),
            )
        })?;
        let device_type = types::DeviceType::try_from(self.device_type())
            .expect("every Device has a documented devicetype");
        Ok((device_type, types::DeviceId(id)))
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::SkillQueue(id) => write!(f, "skill queue {id}"),
            Device::Ivr(id) => write!(f, "IVR flow {id}"),
        }
    }
}

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
        if access_code.is_empty() {
            return Err(Error::invalid("accessCode", "must not be empty"));
        }
        let access_code = types::AccessCode::try_from(access_code)
            .map_err(|e| Error::invalid("accessCode", format!("`{access_code}` is {e}")))?;
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
        if ext_code.is_empty() {
            return Err(Error::invalid(
                "extCode",
                "must not be empty; leave it out for a route without an extension code",
            ));
        }
        if ext_code.chars().count() > 12 {
            return Err(Error::invalid(
                "extCode",
                format!("`{ext_code}` is longer than 12 characters"),
            ));
        }
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

/// The documented rule between device and media type: no IVR flow on the
/// multimedia channel.
pub(crate) fn check_device_media(device: Device, media: Option<MediaType>) -> Result<(), Error> {
    if matches!(device, Device::Ivr(_)) && media == Some(MediaType::Multimedia) {
        return Err(Error::invalid(
            "devicetype",
            "an IVR flow cannot be chosen for the multimedia channel (mediaTypeId 53); \
             route multimedia calls to a skill queue",
        ));
    }
    Ok(())
}
