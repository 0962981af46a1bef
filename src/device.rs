//! The device a route sends calls to — a skill queue or an IVR flow — and
//! the documented rule between device and media type.

use std::fmt;

use crate::{error::Error, generated::types, media_type::MediaType};

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
