//! The media type of a route or an access code, named for its meaning.

use std::{fmt, str::FromStr};

use crate::{error::Error, generated::types, listed::Listed};

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

impl MediaType {
    /// A media type as CEC listed it: documented, or kept raw.
    pub(crate) fn listed(raw: i64) -> Listed<MediaType> {
        i32::try_from(raw)
            .ok()
            .and_then(|code| MediaType::try_from(code).ok())
            .map_or_else(|| Listed::Unknown(raw.to_string()), Listed::Known)
    }
}
