//! The records a tenant holds — routes, access codes, skill queues, IVR
//! flows — and how a new route gets its id. A leaf: the state, its indexes
//! and the seeds all build on it, and it imports none of them.

use cec_routes::{Device, Editable, MediaType, generated::types};

/// A new route's `id` is this plus its `dnid` (the first one's is
/// `1127983948544239617`), or the next free number above: 19 digits, above
/// 2^53, as CEC's ids are.
pub(crate) const ID_BASE: u64 = 1_127_983_948_544_239_616;

/// A route the sandbox holds.
///
/// # Examples
///
/// ```
/// use cec_routes::{CalledRoute, Device, Editable};
/// use cec_routes_sandbox::Sandbox;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sandbox = Sandbox::start().await?;
/// let client = sandbox.client_builder().build()?;
/// client.create_called_route(&CalledRoute::new("9911411", Device::Ivr(7))?).await?;
///
/// let route = &sandbox.routes()[0];
/// assert_eq!((route.dnid, route.id.as_str()), (1, "1127983948544239617"));
/// assert_eq!(route.ext_code, None);
/// assert_eq!(route.device, Device::Ivr(7));
/// assert_eq!(route.editable, Editable::Yes);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SandboxRoute {
    /// The route's id (`id` in CEC's queries): a decimal string.
    pub id: String,
    /// The configuration number (`dnid`): for created routes 1, 2, 3, …
    /// (after the highest a seed gave), never reused.
    pub dnid: u64,
    /// The access code.
    pub access_code: String,
    /// The extension code, when the route has one.
    pub ext_code: Option<String>,
    /// The device that takes the calls.
    pub device: Device,
    /// The media type. A created route always has one: the one asked for,
    /// or 5 (voice and video, the documented default) when the create sent
    /// none. A seed's route may have none (listed `null`, like the
    /// documented example's dnid 1), which counts as 5 for the rules and
    /// matches every media-type filter.
    pub media_type: Option<MediaType>,
    /// What may be done to the route: created routes are
    /// [`Editable::Yes`]; a seed may give any documented state.
    pub editable: Editable,
}

impl SandboxRoute {
    /// The name deleteCalledRoute reports: access code and extension code,
    /// concatenated.
    pub(crate) fn name(&self) -> String {
        format!(
            "{}{}",
            self.access_code,
            self.ext_code.as_deref().unwrap_or_default()
        )
    }

    /// The media type the rules apply: the route's, or CEC's default, 5.
    pub(crate) fn effective_media(&self) -> MediaType {
        self.media_type.unwrap_or(MediaType::VoiceAndVideo)
    }
}

/// An access code of the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AccessCodeRecord {
    pub(crate) id: String,
    pub(crate) code: String,
    pub(crate) media: MediaType,
    pub(crate) n400_number: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) num_call_attr: Option<i64>,
}

impl AccessCodeRecord {
    pub(crate) fn to_wire(&self) -> types::AccessCodeInfo {
        types::AccessCodeInfo {
            id: Some(self.id.clone()),
            access_code: Some(self.code.clone()),
            mediatype_id: Some(self.media.code().into()),
            n400_number: self.n400_number.clone(),
            description: self.description.clone(),
            num_call_attr: self.num_call_attr,
        }
    }
}

/// A skill queue: its name, the media type bound to it, and what
/// querySkills lists besides.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SkillQueue {
    pub(crate) name: String,
    pub(crate) media: MediaType,
    pub(crate) description: Option<String>,
    pub(crate) max_agent_wrapup_time: Option<i64>,
    pub(crate) max_wait_time: Option<i64>,
    pub(crate) max_wait_num: Option<i64>,
    pub(crate) skill_param: Option<types::SkillParam>,
}

impl SkillQueue {
    pub(crate) fn to_wire(&self, id: u32) -> types::SkillQueue {
        types::SkillQueue {
            skill_id: Some(id.into()),
            name: Some(self.name.clone()),
            description: self.description.clone(),
            media_type_id: Some(self.media.code().into()),
            max_agent_wrapup_time: self.max_agent_wrapup_time,
            max_wait_time: self.max_wait_time,
            max_wait_num: self.max_wait_num,
            skill_param: self.skill_param.clone(),
        }
    }
}

/// An IVR flow: what queryIVRFlowList lists. Its `description` is the
/// name a route to it is listed with (`deviceDesc`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IvrFlow {
    pub(crate) access_code: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) flow_file_name: Option<String>,
    pub(crate) flow_type: Option<i64>,
    pub(crate) is_load: Option<i64>,
    pub(crate) max_call_num: Option<i64>,
}

impl IvrFlow {
    pub(crate) fn to_wire(&self, id: u32) -> types::IvrFlow {
        types::IvrFlow {
            id: Some(id.into()),
            access_code: self.access_code.clone(),
            description: self.description.clone(),
            flow_file_name: self.flow_file_name.clone(),
            flow_type: self.flow_type,
            is_load: self.is_load,
            max_call_num: self.max_call_num,
        }
    }
}

/// The first free route id for `dnid`: [`ID_BASE`] + `dnid`, or the next
/// number above that `taken` does not hold.
pub(crate) fn free_route_id(dnid: u64, taken: impl Fn(&str) -> bool) -> String {
    // No overflow: dnids stay below 2^53 + the creates of one run.
    let mut n = ID_BASE + dnid;
    while taken(&n.to_string()) {
        n += 1;
    }
    n.to_string()
}
