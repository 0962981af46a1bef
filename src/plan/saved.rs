//! Saved plans: a plan written to a file (`plan --out plan.json`), and read
//! back to apply exactly that plan once the routes it touches are checked
//! to be as they were.
//!
//! The file is JSON, version [`PLAN_FORMAT_VERSION`], described by
//! `cli/schemas/plan-file.schema.json`. Routes use the routes file's keys
//! (`accessCode`, `extCode`, `skillQueue` or `ivr`, `mediaType`) plus what
//! only CEC knows about a live route (`id`, `dnid`, `deviceName`,
//! `editable`). A checksum over the rest of the document tells a plan
//! edited by hand from one `plan` wrote.

use std::{collections::HashMap, fmt};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::diff::{Change, ChangeKind, Plan, PlanOptions};
use crate::{
    client::Client, create_called_route::CalledRoute, device::Device, error::Error, listed::Listed,
    media_type::MediaType, query_called_route::Editable, query_called_route::Route,
};

/// The version of the plan file this crate writes and reads.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// A plan as a file holds it: the changes, each with the live route it was
/// planned against, and where the plan came from.
///
/// # Examples
///
/// ```
/// use cec_routes::plan::{Plan, PlanOptions, RoutesFile, SavedPlan};
///
/// let text = "routes:\n  - accessCode: \"9911411\"\n    ivr: 7\n";
/// let file = RoutesFile::parse(text)?;
/// let plan = Plan::new(&file, &[], PlanOptions::new());
/// let json = SavedPlan::new(&plan, "routes.yaml", text.as_bytes()).to_json();
/// let read = SavedPlan::from_json(&json).expect("a plan file reads back");
/// assert_eq!(read.plan.changes, plan.changes);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SavedPlan {
    /// The plan: its changes and options (the lists of unchanged, locked
    /// and unmanaged routes are not saved).
    pub plan: Plan,
    /// The routes file's name, as plan was given it.
    pub routes_file: String,
    /// The SHA-256 of the routes file's bytes, in lower-case hex.
    pub routes_file_sha256: String,
    /// How many live routes under the file's access codes the plan manages
    /// (for the blast-radius guard).
    pub managed: usize,
    /// The names of the devices the changes point at, where CEC's listing
    /// gave one (`deviceDesc`).
    pub device_names: HashMap<Device, String>,
}

/// Why a plan file cannot be applied: it is not one, it was edited, or it
/// is of another version.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SavedPlanError {
    /// The text is not a plan file of the expected shape.
    #[error("not a cec-routes plan file: {reason}")]
    Shape {
        /// What is wrong, and where.
        reason: String,
    },
    /// The file is of a format version this crate does not read.
    #[error(
        "the plan file is format version {found}; this cec-routes reads version {PLAN_FORMAT_VERSION}: plan again with this version"
    )]
    Version {
        /// The version the file says.
        found: u64,
    },
    /// The checksum does not match the content: the file was changed after
    /// plan wrote it.
    #[error(
        "the plan file's checksum does not match its content: it was changed after plan wrote it; plan again instead of editing a plan"
    )]
    Checksum,
}

/// A change whose route is no longer what the plan was made against.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Drift {
    /// The change of the plan.
    pub change: Change,
    /// The route at its key now (none: there is no route).
    pub now: Option<Route>,
}

impl fmt::Display for Drift {
    /// `modify 9911411 ext 1: planned against skill queue 1 (dnid 2), now IVR flow 7 (dnid 2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |route: Option<&Route>| match route {
            None => "no route".to_owned(),
            Some(r) => format!(
                "{} (dnid {})",
                r.device,
                r.dnid.map_or_else(|| "-".to_owned(), |d| d.to_string())
            ),
        };
        write!(
            f,
            "{} {}: planned against {}, now {}",
            self.change.kind().name(),
            self.change.route_name(),
            show(self.change.live()),
            show(self.now.as_ref())
        )
    }
}

impl SavedPlan {
    /// The plan as a file holds it; `routes_file` is the file's name and
    /// `routes_text` its bytes (for the digest).
    pub fn new(plan: &Plan, routes_file: &str, routes_text: &[u8]) -> SavedPlan {
        let mut device_names = HashMap::new();
        let live = plan
            .changes
            .iter()
            .filter_map(Change::live)
            .chain(&plan.unchanged)
            .chain(&plan.unmanaged)
            .chain(plan.locked.iter().filter_map(|h| h.change.live()))
            .chain(plan.needs_replace.iter().filter_map(|h| h.change.live()));
        for route in live {
            if let (Listed::Known(device), Some(name)) = (&route.device, &route.device_desc) {
                device_names.entry(*device).or_insert_with(|| name.clone());
            }
        }
        device_names.retain(|device, _| {
            plan.changes
                .iter()
                .any(|c| c.target().is_some_and(|t| t.device() == *device))
        });
        SavedPlan {
            plan: Plan {
                changes: plan.changes.clone(),
                options: plan.options,
                ..Plan::default()
            },
            routes_file: routes_file.to_owned(),
            routes_file_sha256: hex(&Sha256::digest(routes_text)),
            managed: plan.managed(),
            device_names,
        }
    }

    /// The plan file: pretty-printed JSON, with its checksum.
    pub fn to_json(&self) -> String {
        let mut wire = self.to_wire();
        wire.checksum = checksum(&wire);
        serde_json::to_string_pretty(&wire).expect("a plan serializes") + "\n"
    }

    /// Reads a plan file: its shape, its version and its checksum are
    /// checked.
    pub fn from_json(text: &str) -> Result<SavedPlan, SavedPlanError> {
        let shape = |reason: String| SavedPlanError::Shape { reason };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| shape(format!("not JSON: {e}")))?;
        match value.get("formatVersion") {
            Some(serde_json::Value::Number(n))
                if n.as_u64() == Some(PLAN_FORMAT_VERSION.into()) => {}
            Some(serde_json::Value::Number(n)) if n.as_u64().is_some() => {
                return Err(SavedPlanError::Version {
                    found: n.as_u64().unwrap_or_default(),
                });
            }
            _ => {
                return Err(shape(
                    "`formatVersion` is missing or not a number".to_owned(),
                ));
            }
        }
        let wire: PlanFile = serde_json::from_value(value).map_err(|e| shape(e.to_string()))?;
        if checksum(&wire) != wire.checksum {
            return Err(SavedPlanError::Checksum);
        }
        wire.into_saved().map_err(shape)
    }

    fn to_wire(&self) -> PlanFile {
        let after = |route: &CalledRoute| {
            let (skill_queue, ivr) = device_fields(route.device());
            After {
                access_code: route.access_code().to_owned(),
                ext_code: route.ext_code().map(str::to_owned),
                skill_queue,
                ivr,
                media_type: route.media_type(),
                device_name: self.device_names.get(&route.device()).cloned(),
            }
        };
        PlanFile {
            format_version: PLAN_FORMAT_VERSION,
            routes_file: RoutesFileRef {
                name: self.routes_file.clone(),
                sha256: self.routes_file_sha256.clone(),
            },
            options: Options {
                prune: self.plan.options.prunes(),
                allow_replace: self.plan.options.replaces(),
            },
            managed: self.managed,
            changes: self
                .plan
                .changes
                .iter()
                .map(|change| ChangeEntry {
                    kind: change.kind(),
                    access_code: change.access_code().to_owned(),
                    ext_code: change.ext_code().map(str::to_owned),
                    before: change.live().map(before),
                    after: change.target().map(after),
                    text: change.to_string(),
                })
                .collect(),
            checksum: String::new(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of the document with an empty checksum, compact.
fn checksum(wire: &PlanFile) -> String {
    let mut bare = wire.clone();
    bare.checksum = String::new();
    let text = serde_json::to_string(&bare).expect("a plan serializes");
    hex(&Sha256::digest(text.as_bytes()))
}

fn device_fields(device: Device) -> (Option<u32>, Option<u32>) {
    match device {
        Device::SkillQueue(id) => (Some(id), None),
        Device::Ivr(id) => (None, Some(id)),
    }
}

fn before(live: &Route) -> Before {
    let (skill_queue, ivr, unknown_device) = match &live.device {
        Listed::Known(device) => {
            let (q, i) = device_fields(*device);
            (q, i, None)
        }
        Listed::Unknown(raw) => (None, None, Some(raw.clone())),
    };
    Before {
        id: live.id.as_ref().map(|id| id.as_str().to_owned()),
        dnid: live.dnid,
        access_code: live.access_code.clone(),
        ext_code: live.ext_code.clone(),
        skill_queue,
        ivr,
        unknown_device,
        device_name: live.device_desc.clone(),
        media_type: live.media_type.clone(),
        editable: live.editable.clone(),
    }
}

/// The plan file, field for field (see the JSON Schema).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlanFile {
    format_version: u32,
    routes_file: RoutesFileRef,
    options: Options,
    managed: usize,
    changes: Vec<ChangeEntry>,
    checksum: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RoutesFileRef {
    name: String,
    sha256: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Options {
    prune: bool,
    allow_replace: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChangeEntry {
    kind: ChangeKind,
    access_code: String,
    ext_code: Option<String>,
    before: Option<Before>,
    after: Option<After>,
    /// The change in words, for people; not read back.
    text: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Before {
    id: Option<String>,
    dnid: Option<i64>,
    access_code: String,
    ext_code: Option<String>,
    skill_queue: Option<u32>,
    ivr: Option<u32>,
    unknown_device: Option<String>,
    device_name: Option<String>,
    media_type: Option<Listed<MediaType>>,
    editable: Editable,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct After {
    access_code: String,
    ext_code: Option<String>,
    skill_queue: Option<u32>,
    ivr: Option<u32>,
    media_type: Option<MediaType>,
    device_name: Option<String>,
}

fn device_of(skill_queue: Option<u32>, ivr: Option<u32>, at: &str) -> Result<Device, String> {
    match (skill_queue, ivr) {
        (Some(id), None) => Ok(Device::SkillQueue(id)),
        (None, Some(id)) => Ok(Device::Ivr(id)),
        _ => Err(format!("{at}: exactly one of `skillQueue` and `ivr`")),
    }
}

impl PlanFile {
    fn into_saved(self) -> Result<SavedPlan, String> {
        let mut device_names = HashMap::new();
        let mut changes = Vec::with_capacity(self.changes.len());
        for (i, entry) in self.changes.into_iter().enumerate() {
            let at = format!("changes[{i}]");
            let live = entry
                .before
                .map(|b| {
                    let device = match b.unknown_device {
                        Some(raw) => Listed::Unknown(raw),
                        None => Listed::Known(device_of(b.skill_queue, b.ivr, &at)?),
                    };
                    let mut route = Route::new(b.access_code, Device::Ivr(0));
                    route.id =
                        b.id.map(|id| id.parse())
                            .transpose()
                            .map_err(|e: Error| format!("{at}.before.id: {e}"))?;
                    route.dnid = b.dnid;
                    route.ext_code = b.ext_code;
                    route.device = device;
                    route.device_desc = b.device_name;
                    route.media_type = b.media_type;
                    route.editable = b.editable;
                    Ok::<_, String>(route)
                })
                .transpose()?;
            let route = entry
                .after
                .map(|a| {
                    let device = device_of(a.skill_queue, a.ivr, &at)?;
                    if let Some(name) = a.device_name {
                        device_names.insert(device, name);
                    }
                    let mut route = CalledRoute::new(&a.access_code, device)
                        .map_err(|e| format!("{at}.after: {e}"))?;
                    if let Some(ext) = &a.ext_code {
                        route = route
                            .with_ext_code(ext)
                            .map_err(|e| format!("{at}.after: {e}"))?;
                    }
                    if let Some(media) = a.media_type {
                        route = route
                            .with_media_type(media)
                            .map_err(|e| format!("{at}.after: {e}"))?;
                    }
                    Ok::<_, String>(route)
                })
                .transpose()?;
            let change = match (entry.kind, live, route) {
                (ChangeKind::Create, None, Some(route)) => Change::Create { route },
                (ChangeKind::Modify, Some(live), Some(route)) => Change::Modify { live, route },
                (ChangeKind::Replace, Some(live), Some(route)) => Change::Replace { live, route },
                (ChangeKind::Delete, Some(live), None) => Change::Delete { live },
                (kind, ..) => {
                    return Err(format!(
                        "{at}: a {} has {}",
                        kind.name(),
                        match kind {
                            ChangeKind::Create => "`after` and no `before`",
                            ChangeKind::Delete => "`before` and no `after`",
                            _ => "both `before` and `after`",
                        }
                    ));
                }
            };
            if change.access_code() != entry.access_code
                || change.ext_code() != entry.ext_code.as_deref()
            {
                return Err(format!("{at}: the route's key is not the change's"));
            }
            changes.push(change);
        }
        Ok(SavedPlan {
            plan: Plan {
                changes,
                options: PlanOptions::new()
                    .prune(self.options.prune)
                    .allow_replace(self.options.allow_replace),
                ..Plan::default()
            },
            routes_file: self.routes_file.name,
            routes_file_sha256: self.routes_file.sha256,
            managed: self.managed,
            device_names,
        })
    }
}

/// Whether the route at a change's key now is the one the change was
/// planned against: the same id, dnid, device, media type and `editable`
/// (a device's name may change).
fn unchanged(change: &Change, now: Option<&Route>) -> bool {
    match (change.live(), now) {
        (None, None) => true,
        (Some(before), Some(now)) => {
            before.id == now.id
                && before.dnid == now.dnid
                && before.device == now.device
                && before.media_type == now.media_type
                && before.editable == now.editable
        }
        _ => false,
    }
}

impl Client {
    /// Reads the live routes a plan touches and lists every change whose
    /// route is no longer what the plan was made against (a route created,
    /// changed or deleted since). Empty: the plan can be applied as it is.
    /// Routes the plan does not touch do not matter.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use cec_routes::{Client, plan::{ApplyOptions, SavedPlan}};
    ///
    /// # async fn run(client: Client, text: &str) -> Result<(), Box<dyn std::error::Error>> {
    /// let saved = SavedPlan::from_json(text)?;
    /// if client.plan_drift(&saved.plan).await?.is_empty() {
    ///     client.apply_plan(&saved.plan, ApplyOptions::new(), |_| {}).await;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn plan_drift(&self, plan: &Plan) -> Result<Vec<Drift>, Error> {
        let mut codes: Vec<String> = plan
            .changes
            .iter()
            .map(|c| c.access_code().to_owned())
            .collect();
        codes.sort();
        codes.dedup();
        let live = self.routes_of_access_codes(&codes).await?;
        // The live routes by key, in listing order: one pass, not one per
        // change.
        let mut by_key: HashMap<(&str, Option<&str>), Vec<&Route>> = HashMap::new();
        for route in &live {
            by_key
                .entry((route.access_code.as_str(), route.ext_code.as_deref()))
                .or_default()
                .push(route);
        }
        let mut drift = Vec::new();
        for change in &plan.changes {
            let at_key: &[&Route] = by_key
                .get(&(change.access_code(), change.ext_code()))
                .map_or(&[], Vec::as_slice);
            // The route the change was planned against, else the first.
            let now = change
                .live()
                .and_then(|before| at_key.iter().find(|r| r.dnid == before.dnid))
                .or(at_key.first())
                .copied();
            if !unchanged(change, now) {
                drift.push(Drift {
                    change: change.clone(),
                    now: now.cloned(),
                });
            }
        }
        Ok(drift)
    }
}
