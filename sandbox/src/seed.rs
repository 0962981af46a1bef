//! What a sandbox holds when it starts: access codes, skill queues, IVR
//! flows and routes, from the built-in seeds or a JSON seed file (the format
//! is in the [crate docs](crate#seed-files)).

use std::{
    collections::{BTreeMap, HashSet},
    path::Path,
};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::tenant::{AccessCodeRecord, IvrFlow, SandboxRoute, SkillQueue, free_route_id};
use cec_routes::{Device, Editable, MediaType, RouteId, generated::types};

use crate::Error;

/// An access code without an `id` in the seed gets this plus its position
/// (1 for the first): the documented access code's id is this plus 1.
const ACCESS_CODE_ID_BASE: u64 = 1_124_167_935_465_633_792;

/// The largest `dnid` a seed may give: 2^53, the largest integer every JSON
/// reader keeps exactly (`dnid` is a JSON number on the wire).
pub(crate) const MAX_SEED_DNID: u64 = 1 << 53;

/// The access codes, skill queues and IVR flows of the default seed. Skill
/// queue 1 is the one of the documented querySkills example, verbatim.
const DEFAULT_SEED: &str = r#"{
  "accessCodes": [
    {"id": "1124167935465633793", "accessCode": "9911411", "mediaTypeId": 5,
     "n400Number": null, "description": null, "numCallAttr": 3},
    {"id": "1124167935465633794", "accessCode": "9911412", "mediaTypeId": 53,
     "n400Number": null, "description": "online customer service (multimedia)", "numCallAttr": 1},
    {"id": "1124167935465633795", "accessCode": "9911413", "mediaTypeId": 2,
     "n400Number": "4008009911", "description": "click-to-dial callback", "numCallAttr": 2}
  ],
  "skillQueues": [
    {"id": 1, "maxAgentWrapupTime": 5, "maxWaitTime": 60, "name": "defaultVideoSkill",
     "mediaTypeId": 19, "description": "2021ok", "maxWaitNum": 100,
     "skillParam": {"noAgents": {"transferType": "Release"}, "busy": {"transferType": "Release"},
                    "answerFunction": "0", "timeOut": {"transferType": "Release"},
                    "waitVoice": {"parameterType": "Voice"}}},
    {"id": 2, "name": "defaultVoiceSkill", "mediaTypeId": 5, "description": "voice hotline",
     "maxAgentWrapupTime": 10, "maxWaitTime": 120, "maxWaitNum": 200,
     "skillParam": {"noAgents": {"transferType": "Transfer", "deviceType": "3", "value": 8},
                    "busy": {"transferType": "Release"}, "answerFunction": "2",
                    "timeOut": {"transferType": "Transfer", "deviceType": "3", "value": 8},
                    "waitVoice": {"parameterType": "Voice"}}},
    {"id": 3, "name": "onlineChatSkill", "mediaTypeId": 53, "description": "online chat",
     "maxAgentWrapupTime": 30, "maxWaitTime": 300, "maxWaitNum": 500,
     "skillParam": {"noAgents": {"transferType": "Release"}, "busy": {"transferType": "Release"},
                    "timeOut": {"transferType": "Release"}}},
    {"id": 4, "name": "clickToDialSkill", "mediaTypeId": 2, "description": "click-to-dial",
     "maxAgentWrapupTime": 10, "maxWaitTime": 60, "maxWaitNum": 50,
     "skillParam": {"noAgents": {"transferType": "Release"}, "busy": {"transferType": "Release"},
                    "timeOut": {"transferType": "Release"}}},
    {"id": 5, "name": "videoClickToDialSkill", "mediaTypeId": 18, "description": "video click-to-dial",
     "maxAgentWrapupTime": 10, "maxWaitTime": 60, "maxWaitNum": 50,
     "skillParam": {"noAgents": {"transferType": "Release"}, "busy": {"transferType": "Release"},
                    "timeOut": {"transferType": "Release"}}}
  ],
  "ivrFlows": [
    {"id": 7, "accessCode": "1001", "description": "welcomeIvr", "flowFileName": "welcome.vxml",
     "flowType": 4, "isLoad": 1, "maxCallNum": 100},
    {"id": 8, "accessCode": "1002", "description": "afterHoursIvr", "flowFileName": "afterHours.vxml",
     "flowType": 4, "isLoad": 0, "maxCallNum": 50}
  ]
}"#;

/// The three routes of the documented queryCalledRoute example, verbatim.
const DOCUMENTED_ROUTES: &str = r#"[
  {"id": "1125397061153369092", "dnid": 3, "accessCode": "9911411", "mediatypeId": 19,
   "extCode": "11", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"},
  {"id": "1127983948544239618", "dnid": 1, "accessCode": "9911411", "mediatypeId": null,
   "extCode": "", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"},
  {"id": "1127986019188238339", "dnid": 2, "accessCode": "9911411", "mediatypeId": 19,
   "extCode": "1", "devicetype": 1, "deviceId": 1, "deviceDesc": "defaultVideoSkill", "editable": "0"}
]"#;

/// What a [`Sandbox`](super::Sandbox) holds when it starts: access codes
/// (with their media types), skill queues (with theirs), IVR flows, and
/// routes (with their `editable` states).
///
/// [`Seed::default`] is what [`Sandbox::start`](super::Sandbox::start)
/// uses: the documented access code `9911411` and a few more, five skill
/// queues, two IVR flows and no routes, so that the documented
/// createCalledRoute example succeeds. [`Seed::documented_examples`] adds the
/// three routes of the documented queryCalledRoute example;
/// [`Seed::empty`] holds nothing. A seed file ([`Seed::from_json_file`])
/// describes any other tenant; its format is in the [module
/// docs](super#seed-files).
///
/// A `Seed` is checked when it is made: every route names an access code and
/// a device of the seed, no two routes share an access code and extension
/// code, a `dnid` or an `id`.
///
/// # Examples
///
/// ```
/// use cec_routes::{AccessCodeFilter};
/// use cec_routes_sandbox::{Sandbox, Seed};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let seed = Seed::from_json_str(
///     r#"{"accessCodes": [{"accessCode": "4001", "mediaTypeId": 5}],
///         "skillQueues": [{"id": 9, "name": "sales", "mediaTypeId": 5}],
///         "routes": [{"accessCode": "4001", "devicetype": 1, "deviceId": 9}]}"#,
/// )?;
/// let sandbox = Sandbox::builder().seed(seed).start().await?;
/// assert_eq!(sandbox.routes().len(), 1);
///
/// let client = sandbox.client_builder().build()?;
/// let codes = client.access_codes(&AccessCodeFilter::new()).await?;
/// assert_eq!(codes[0].code, "4001");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seed {
    file: SeedFile,
}

impl Default for Seed {
    /// The documented access code `9911411` (voice and video) and a
    /// multimedia and a click-to-dial one; skill queue 1
    /// `defaultVideoSkill` (video, as the documented create example needs;
    /// the documented querySkills item, verbatim) and queues of every other
    /// media type; IVR flows 7 and 8; no routes.
    fn default() -> Self {
        Seed::builtin(DEFAULT_SEED, None)
    }
}

impl Seed {
    /// Nothing at all: every create is refused until a seed names an access
    /// code.
    pub fn empty() -> Self {
        Seed {
            file: SeedFile::default(),
        }
    }

    /// The [default seed](Seed::default) plus the three routes of the
    /// documented queryCalledRoute example (dnids 1 to 3, access code
    /// `9911411` with extension codes `""`, `"1"` and `"11"`, all to skill
    /// queue 1).
    ///
    /// The documented createCalledRoute example (`9911411` extension `11`)
    /// is then a duplicate.
    pub fn documented_examples() -> Self {
        Seed::builtin(DEFAULT_SEED, Some(DOCUMENTED_ROUTES))
    }

    /// A seed from the JSON of a seed file (format in the [module
    /// docs](super#seed-files)).
    ///
    /// Fails with [`Error::Seed`] naming the entry and the rule when the
    /// JSON does not have the format or breaks a rule of the seed.
    pub fn from_json_str(json: &str) -> Result<Self, Error> {
        let file: SeedFile = serde_json::from_str(json).map_err(|e| Error::Seed {
            reason: e.to_string(),
        })?;
        resolve(&file).map_err(|e| Error::Seed {
            reason: e.to_string(),
        })?;
        Ok(Seed { file })
    }

    /// A seed from a seed file, as [`from_json_str`](Seed::from_json_str)
    /// reads it; for `cec-routes sandbox --seed FILE`.
    ///
    /// Fails with [`Error::SeedFile`] naming the file when it cannot be read
    /// or is not a valid seed.
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|e| Error::SeedFile {
            path: path.to_owned(),
            reason: format!("could not be read: {e}"),
        })?;
        let file: SeedFile = serde_json::from_str(&json).map_err(|e| Error::SeedFile {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        resolve(&file).map_err(|e| Error::SeedFile {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Seed { file })
    }

    /// The seed as a seed file (pretty-printed JSON), e.g. to start one's
    /// own from [`Seed::default`].
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.file).expect("a seed always serializes")
    }

    /// A built-in seed: `base` plus, when given, `routes`.
    fn builtin(base: &str, routes: Option<&str>) -> Self {
        let mut file: SeedFile = serde_json::from_str(base).expect("the built-in seed parses");
        if let Some(routes) = routes {
            file.routes = serde_json::from_str(routes).expect("the built-in routes parse");
        }
        resolve(&file).expect("the built-in seed is valid");
        Seed { file }
    }

    /// The seed's contents, checked and ready for the state.
    pub(crate) fn resolved(&self) -> Resolved {
        resolve(&self.file).expect("a seed was checked when it was made")
    }
}

/// A seed file, as JSON has it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    access_codes: Vec<AccessCodeEntry>,
    #[serde(default)]
    skill_queues: Vec<SkillQueueEntry>,
    #[serde(default)]
    ivr_flows: Vec<IvrFlowEntry>,
    #[serde(default)]
    routes: Vec<RouteEntry>,
}

/// An access code: the shape of a queryAccessCodeList item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccessCodeEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    access_code: String,
    #[serde(alias = "mediatypeId")]
    media_type_id: i64,
    #[serde(default)]
    n400_number: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    num_call_attr: Option<i64>,
}

/// A skill queue: the shape of a querySkills item (`skillId` may also be
/// spelled `id`, as older seed files do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SkillQueueEntry {
    #[serde(alias = "skillId")]
    id: i64,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(
        default,
        alias = "mediatypeId",
        skip_serializing_if = "Option::is_none"
    )]
    media_type_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_agent_wrapup_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_wait_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_wait_num: Option<i64>,
    /// Checked against the spec's `SkillParam` when the seed is resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    skill_param: Option<Value>,
}

/// An IVR flow: the shape of a queryIVRFlowList item (`description` may
/// also be spelled `name`, as older seed files do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IvrFlowEntry {
    id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_code: Option<String>,
    #[serde(default, alias = "name", skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flow_file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flow_type: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is_load: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_call_num: Option<i64>,
}

/// A route: the shape of a queryCalledRoute item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RouteEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dnid: Option<u64>,
    access_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ext_code: Option<String>,
    devicetype: i64,
    device_id: i64,
    #[serde(default, alias = "mediatypeId")]
    media_type_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device_desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    editable: Option<String>,
}

/// A seed's contents, checked.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) access_codes: Vec<AccessCodeRecord>,
    pub(crate) skill_queues: BTreeMap<u32, SkillQueue>,
    pub(crate) ivr_flows: BTreeMap<u32, IvrFlow>,
    pub(crate) routes: Vec<SandboxRoute>,
}

/// Checks a seed file and turns it into the state's records.
fn resolve(file: &SeedFile) -> Result<Resolved, String> {
    let access_codes = access_codes(&file.access_codes)?;
    let mut skill_queues = BTreeMap::new();
    for (i, entry) in file.skill_queues.iter().enumerate() {
        let at = format!("skillQueues[{i}]");
        let id = device_id(1, entry.id, &at)?;
        if skill_queues.insert(id, skill_queue(entry, &at)?).is_some() {
            return Err(format!("{at}: skill queue {id} is listed twice"));
        }
    }
    let mut ivr_flows = BTreeMap::new();
    for (i, entry) in file.ivr_flows.iter().enumerate() {
        let at = format!("ivrFlows[{i}]");
        let id = device_id(3, entry.id, &at)?;
        if ivr_flows.insert(id, ivr_flow(entry, &at)?).is_some() {
            return Err(format!("{at}: IVR flow {id} is listed twice"));
        }
    }

    let codes: HashSet<&str> = access_codes.iter().map(|c| c.code.as_str()).collect();
    let mut routes = Vec::with_capacity(file.routes.len());
    let mut keys = HashSet::new();
    let mut dnids = HashSet::new();
    let mut ids = HashSet::new();
    for (i, entry) in file.routes.iter().enumerate() {
        let at = format!("routes[{i}]");
        if !codes.contains(entry.access_code.as_str()) {
            return Err(format!(
                "{at}: access code `{}` is not among the seed's accessCodes",
                entry.access_code
            ));
        }
        let ext_code = match entry.ext_code.as_deref() {
            None | Some("") => None,
            Some(ext) => {
                types::ExtCode::try_from(ext).map_err(|_| {
                    format!("{at}: extCode `{ext}` is not 1 to 12 digits, `*` or `#`")
                })?;
                Some(ext.to_owned())
            }
        };
        let device = Device::from_wire(entry.devicetype, entry.device_id)
            .map_err(|e| format!("{at}: {e}"))?;
        let name = match device {
            Device::SkillQueue(id) => skill_queues.get(&id).map(|q| Some(&q.name)),
            Device::Ivr(id) => ivr_flows.get(&id).map(|f| f.description.as_ref()),
        }
        .ok_or_else(|| format!("{at}: {device} is not among the seed's devices"))?;
        if let Some(desc) = &entry.device_desc
            && Some(desc) != name
        {
            return Err(match name {
                Some(name) => {
                    format!("{at}: deviceDesc `{desc}` is not the name of {device}, `{name}`")
                }
                None => format!("{at}: deviceDesc `{desc}` is given, but {device} has no name"),
            });
        }
        let media_type = entry
            .media_type_id
            .map(|code| media_type(code, &at))
            .transpose()?;
        let editable = Editable::from_wire(entry.editable.as_deref());
        if let Editable::Unknown(raw) = &editable {
            return Err(format!(
                "{at}: editable `{raw}` is not \"0\", \"1\", \"2\" or \"3\""
            ));
        }
        if !keys.insert((entry.access_code.clone(), ext_code.clone())) {
            return Err(format!(
                "{at}: access code `{}` with extension code `{}` is bound twice",
                entry.access_code,
                ext_code.as_deref().unwrap_or_default()
            ));
        }
        if let Some(dnid) = entry.dnid {
            if !(1..=MAX_SEED_DNID).contains(&dnid) {
                return Err(format!("{at}: dnid {dnid} is outside 1..={MAX_SEED_DNID}"));
            }
            if !dnids.insert(dnid) {
                return Err(format!("{at}: dnid {dnid} is used twice"));
            }
        }
        if let Some(id) = &entry.id {
            id.parse::<RouteId>().map_err(|e| format!("{at}: {e}"))?;
            if !ids.insert(id.clone()) {
                return Err(format!("{at}: id {id} is used twice"));
            }
        }
        routes.push(SandboxRoute {
            id: entry.id.clone().unwrap_or_default(),
            dnid: entry.dnid.unwrap_or_default(),
            access_code: entry.access_code.clone(),
            ext_code,
            device,
            media_type,
            editable,
        });
    }

    // Routes without a dnid or an id get the next ones, in the seed's order.
    let mut last_dnid = dnids.iter().copied().max().unwrap_or_default();
    for route in routes.iter_mut().filter(|r| r.dnid == 0) {
        last_dnid += 1;
        if last_dnid > MAX_SEED_DNID {
            return Err(format!("more than {MAX_SEED_DNID} dnids"));
        }
        route.dnid = last_dnid;
    }
    for route in routes.iter_mut().filter(|r| r.id.is_empty()) {
        let id = free_route_id(route.dnid, |id| ids.contains(id));
        ids.insert(id.clone());
        route.id = id;
    }

    Ok(Resolved {
        access_codes,
        skill_queues,
        ivr_flows,
        routes,
    })
}

fn access_codes(entries: &[AccessCodeEntry]) -> Result<Vec<AccessCodeRecord>, String> {
    let given: HashSet<&str> = entries.iter().filter_map(|e| e.id.as_deref()).collect();
    let mut ids = HashSet::new();
    let mut codes = HashSet::new();
    let mut records = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("accessCodes[{i}]");
        let code = entry.access_code.as_str();
        if code.is_empty() {
            return Err(format!("{at}: accessCode must not be empty"));
        }
        types::AccessCode::try_from(code)
            .map_err(|e| format!("{at}: accessCode `{code}` is {e}"))?;
        if !codes.insert(code) {
            return Err(format!("{at}: access code `{code}` is listed twice"));
        }
        let media = media_type(entry.media_type_id, &at)?;
        if let Some(attr) = entry.num_call_attr
            && !(1..=3).contains(&attr)
        {
            return Err(format!(
                "{at}: numCallAttr {attr} is not 1 (inbound), 2 (outbound) or 3 (both)"
            ));
        }
        let id = match &entry.id {
            Some(id) if id.is_empty() => return Err(format!("{at}: id must not be empty")),
            Some(id) => id.clone(),
            None => {
                let mut n = ACCESS_CODE_ID_BASE + i as u64 + 1;
                while given.contains(n.to_string().as_str()) || ids.contains(&n.to_string()) {
                    n += 1;
                }
                n.to_string()
            }
        };
        if !ids.insert(id.clone()) {
            return Err(format!("{at}: id {id} is used twice"));
        }
        records.push(AccessCodeRecord {
            id,
            code: code.to_owned(),
            media,
            n400_number: entry.n400_number.clone(),
            description: entry.description.clone(),
            num_call_attr: entry.num_call_attr,
        });
    }
    Ok(records)
}

/// A skill queue of the seed, checked: a media type of the five (default
/// 5), the limits createSkill documents, and a `skillParam` of the spec's
/// shape.
fn skill_queue(entry: &SkillQueueEntry, at: &str) -> Result<SkillQueue, String> {
    let media = match entry.media_type_id {
        Some(code) => media_type(code, at)?,
        None => MediaType::VoiceAndVideo,
    };
    let skill_param = entry
        .skill_param
        .as_ref()
        .map(|value| skill_param(value, at))
        .transpose()?;
    Ok(SkillQueue {
        name: entry.name.clone(),
        media,
        description: entry.description.clone(),
        max_agent_wrapup_time: within(entry.max_agent_wrapup_time, 3600, "maxAgentWrapupTime", at)?,
        max_wait_time: within(entry.max_wait_time, 60_000, "maxWaitTime", at)?,
        max_wait_num: within(entry.max_wait_num, 10_000, "maxWaitNum", at)?,
        skill_param,
    })
}

/// A `skillParam` as the spec's `SkillParam`; a field the spec does not
/// declare is refused, as everywhere in a seed file.
fn skill_param(value: &Value, at: &str) -> Result<types::SkillParam, String> {
    let param: types::SkillParam = serde_path_to_error::deserialize(value).map_err(|e| {
        let field = match e.path().to_string().as_str() {
            "." => "skillParam".to_owned(),
            path => format!("skillParam.{path}"),
        };
        format!("{at}: invalid {field}: {}", e.inner())
    })?;
    let known = serde_json::to_value(&param).expect("a generated type always serializes");
    if let Some(field) = undeclared(value, &known) {
        return Err(format!(
            "{at}: skillParam has the field `{field}`, which the spec's SkillParam does not declare"
        ));
    }
    Ok(param)
}

/// The first field of `given` (a path like `busy.value`) that `known`, the
/// same value read back through its type, lacks; a `null` counts as absent.
fn undeclared(given: &Value, known: &Value) -> Option<String> {
    let (Value::Object(given), Value::Object(known)) = (given, known) else {
        return None;
    };
    given
        .iter()
        .find_map(|(name, value)| match known.get(name) {
            None if !value.is_null() => Some(name.clone()),
            None => None,
            Some(inner) => undeclared(value, inner).map(|path| format!("{name}.{path}")),
        })
}

/// An IVR flow of the seed, checked: a documented `flowType` and `isLoad`,
/// a `maxCallNum` of 0 or more.
fn ivr_flow(entry: &IvrFlowEntry, at: &str) -> Result<IvrFlow, String> {
    if let Some(flow_type) = entry.flow_type
        && !(0..=6).contains(&flow_type)
    {
        return Err(format!(
            "{at}: flowType {flow_type} is not one of the documented 0 to 6"
        ));
    }
    if let Some(is_load) = entry.is_load
        && !(0..=1).contains(&is_load)
    {
        return Err(format!(
            "{at}: isLoad {is_load} is not 0 (not loaded) or 1 (loaded)"
        ));
    }
    Ok(IvrFlow {
        access_code: entry.access_code.clone(),
        description: entry.description.clone(),
        flow_file_name: entry.flow_file_name.clone(),
        flow_type: entry.flow_type,
        is_load: entry.is_load,
        max_call_num: within(entry.max_call_num, i64::MAX, "maxCallNum", at)?,
    })
}

/// `value`, if it is from 0 to `max`.
fn within(value: Option<i64>, max: i64, field: &str, at: &str) -> Result<Option<i64>, String> {
    match value {
        Some(n) if !(0..=max).contains(&n) => {
            Err(format!("{at}: {field} {n} is outside 0..={max}"))
        }
        _ => Ok(value),
    }
}

fn device_id(device_type: i64, id: i64, at: &str) -> Result<u32, String> {
    Device::from_wire(device_type, id)
        .map(Device::id)
        .map_err(|e| format!("{at}: {e}"))
}

fn media_type(code: i64, at: &str) -> Result<MediaType, String> {
    i32::try_from(code)
        .map_err(|_| format!("{at}: mediaTypeId {code} is not a media type"))
        .and_then(|code| MediaType::try_from(code).map_err(|e| format!("{at}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(json: &str) -> String {
        Seed::from_json_str(json).unwrap_err().to_string()
    }

    #[test]
    fn the_built_in_seeds_are_valid() {
        let default = Seed::default().resolved();
        assert_eq!(default.access_codes[0].code, "9911411");
        assert_eq!(
            default.skill_queues[&1].media,
            MediaType::Video,
            "the documented create example binds queue 1 with media type 19"
        );
        assert!(default.routes.is_empty());
        let documented = Seed::documented_examples().resolved();
        let dnids: Vec<u64> = documented.routes.iter().map(|r| r.dnid).collect();
        assert_eq!(dnids, [3, 1, 2]);
        assert_eq!(documented.routes[1].ext_code, None);
        assert_eq!(documented.routes[1].media_type, None);
        assert!(Seed::empty().resolved().access_codes.is_empty());
    }

    #[test]
    fn a_seed_survives_its_own_json() {
        let seed = Seed::documented_examples();
        assert_eq!(Seed::from_json_str(&seed.to_json()).unwrap(), seed);
    }

    #[test]
    fn missing_ids_and_dnids_are_generated() {
        let seed = Seed::from_json_str(
            r#"{"accessCodes": [{"accessCode": "1", "mediaTypeId": 5}],
                "ivrFlows": [{"id": 7, "name": "ivr"}],
                "routes": [{"accessCode": "1", "devicetype": 3, "deviceId": 7, "dnid": 4},
                           {"accessCode": "1", "extCode": "2", "devicetype": 3, "deviceId": 7}]}"#,
        )
        .unwrap()
        .resolved();
        assert_eq!(seed.access_codes[0].id, "1124167935465633793");
        assert_eq!(seed.routes[1].dnid, 5);
        assert_eq!(seed.routes[1].id, "1127983948544239621");
        assert_eq!(seed.routes[0].editable, Editable::Yes);
    }

    #[test]
    fn broken_seeds_are_refused_naming_the_entry() {
        let base = r#""accessCodes": [{"accessCode": "1", "mediaTypeId": 5}],
                      "skillQueues": [{"id": 1, "name": "q", "mediaTypeId": 5}]"#;
        let with_route = |route: &str| refused(&format!(r#"{{{base}, "routes": [{route}]}}"#));
        assert!(
            with_route(r#"{"accessCode": "2", "devicetype": 1, "deviceId": 1}"#)
                .contains("routes[0]: access code `2` is not among the seed's accessCodes")
        );
        assert!(
            with_route(r#"{"accessCode": "1", "devicetype": 1, "deviceId": 2}"#)
                .contains("routes[0]: skill queue 2 is not among the seed's devices")
        );
        assert!(
            with_route(r#"{"accessCode": "1", "devicetype": 1, "deviceId": 1, "editable": "4"}"#)
                .contains("editable `4`")
        );
        assert!(
            with_route(r#"{"accessCode": "1", "devicetype": 1, "deviceId": 1, "deviceDesc": "x"}"#)
                .contains("deviceDesc `x` is not the name of skill queue 1")
        );
        assert!(
            refused(&format!(
                r#"{{{base}, "routes": [
                {{"accessCode": "1", "devicetype": 1, "deviceId": 1}},
                {{"accessCode": "1", "extCode": "", "devicetype": 1, "deviceId": 1}}]}}"#
            ))
            .contains("routes[1]: access code `1` with extension code `` is bound twice")
        );
        assert!(refused(r#"{"accessCodes": [], "queues": []}"#).contains("unknown field `queues`"));
        assert!(
            refused(r#"{"accessCodes": [{"accessCode": "1", "mediaTypeId": 4}]}"#)
                .contains("accessCodes[0]: invalid mediaTypeId")
        );
        assert!(refused("{").starts_with("sandbox seed: "));
    }

    #[test]
    fn the_default_seeds_first_queue_is_the_documented_query_skills_item() {
        let documented: types::SkillQueue = serde_json::from_str(
            r#"{"skillId": 1, "maxAgentWrapupTime": 5, "maxWaitTime": 60,
                "name": "defaultVideoSkill", "mediaTypeId": 19, "description": "2021ok",
                "maxWaitNum": 100,
                "skillParam": {"noAgents": {"transferType": "Release"},
                               "busy": {"transferType": "Release"}, "answerFunction": "0",
                               "timeOut": {"transferType": "Release"},
                               "waitVoice": {"parameterType": "Voice"}}}"#,
        )
        .unwrap();
        let default = Seed::default().resolved();
        let queue = &default.skill_queues[&1];
        assert_eq!(queue.name, "defaultVideoSkill");
        assert_eq!(queue.media, MediaType::Video);
        assert_eq!(queue.description.as_deref(), Some("2021ok"));
        assert_eq!(
            (
                queue.max_agent_wrapup_time,
                queue.max_wait_time,
                queue.max_wait_num
            ),
            (Some(5), Some(60), Some(100))
        );
        assert_eq!(queue.skill_param, documented.skill_param);
    }

    #[test]
    fn seed_files_of_the_old_shape_still_load() {
        // `id` for a skill queue, `name` for an IVR flow: the shape before
        // the queues and flows carried every documented field.
        let old = Seed::from_json_str(
            r#"{"skillQueues": [{"id": 1, "name": "q", "mediaTypeId": 19}],
                "ivrFlows": [{"id": 7, "name": "welcomeIvr"}]}"#,
        )
        .unwrap();
        let resolved = old.resolved();
        assert_eq!(resolved.skill_queues[&1].name, "q");
        assert_eq!(
            resolved.ivr_flows[&7].description.as_deref(),
            Some("welcomeIvr")
        );
        // Written back in the new shape, it reads the same.
        assert!(old.to_json().contains(r#""description": "welcomeIvr""#));
        assert_eq!(Seed::from_json_str(&old.to_json()).unwrap(), old);
    }

    #[test]
    fn items_copied_from_the_lookups_load_as_they_are() {
        let seed = Seed::from_json_str(
            r#"{"skillQueues": [{"skillId": 9, "name": "sales", "mediaTypeId": 5,
                                 "description": "sales line", "maxAgentWrapupTime": 3600,
                                 "maxWaitTime": 60000, "maxWaitNum": 10000,
                                 "skillParam": {"noAgents": {"transferType": "Transfer",
                                                             "deviceType": "3", "value": 7}}}],
                "ivrFlows": [{"id": 7, "accessCode": "1001", "description": "welcome",
                              "flowFileName": "w.vxml", "flowType": 6, "isLoad": 0,
                              "maxCallNum": 0}]}"#,
        )
        .unwrap()
        .resolved();
        let transfer = seed.skill_queues[&9]
            .skill_param
            .as_ref()
            .and_then(|p| p.no_agents.as_ref())
            .and_then(|t| t.value);
        assert_eq!(transfer, Some(7));
        assert_eq!(seed.ivr_flows[&7].flow_type, Some(6));
    }

    #[test]
    fn queue_and_flow_fields_outside_the_documented_values_are_refused() {
        let queue = |fields: &str| {
            refused(&format!(
                r#"{{"skillQueues": [{{"id": 1, "name": "q", {fields}}}]}}"#
            ))
        };
        assert!(
            queue(r#""maxAgentWrapupTime": 3601"#)
                .contains("skillQueues[0]: maxAgentWrapupTime 3601 is outside 0..=3600")
        );
        assert!(queue(r#""maxWaitNum": -1"#).contains("maxWaitNum -1 is outside 0..=10000"));
        assert!(
            queue(r#""skillParam": {"busy": {"transferType": "Release", "target": 1}}"#)
                .contains("skillParam has the field `busy.target`")
        );
        assert!(
            queue(r#""skillParam": {"busy": {"value": "7"}}"#)
                .contains("skillQueues[0]: invalid skillParam.busy.value")
        );
        assert!(queue(r#""skillId": 2"#).contains("duplicate field `id`"));
        let flow = |fields: &str| refused(&format!(r#"{{"ivrFlows": [{{"id": 7, {fields}}}]}}"#));
        assert!(flow(r#""flowType": 7"#).contains("ivrFlows[0]: flowType 7 is not one of"));
        assert!(flow(r#""isLoad": 2"#).contains("ivrFlows[0]: isLoad 2 is not 0"));
        assert!(flow(r#""name": "a", "description": "b""#).contains("duplicate field"));
    }

    #[test]
    fn a_route_to_an_ivr_flow_without_a_description_has_no_device_name() {
        let base = r#""accessCodes": [{"accessCode": "1", "mediaTypeId": 5}],
                      "ivrFlows": [{"id": 7}]"#;
        Seed::from_json_str(&format!(
            r#"{{{base}, "routes": [{{"accessCode": "1", "devicetype": 3, "deviceId": 7}}]}}"#
        ))
        .unwrap();
        assert!(
            refused(&format!(
                r#"{{{base}, "routes": [{{"accessCode": "1", "devicetype": 3, "deviceId": 7,
                                          "deviceDesc": "x"}}]}}"#
            ))
            .contains("deviceDesc `x` is given, but IVR flow 7 has no name")
        );
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let error = Seed::from_json_file("/nonexistent/seed.json").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("sandbox seed file /nonexistent/seed.json: could not be read"),
            "{error}"
        );
    }
}
