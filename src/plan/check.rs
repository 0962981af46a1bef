//! The checks before anything is sent: a routes file against the tenant
//! ([`Tenant`]: its access codes, skill queues and IVR flows, each listed
//! once), every problem with the line and column of the value at fault;
//! and the names of targets (`skillQueue: defaultVideoSkill`) resolved to
//! their ids.

use std::collections::BTreeMap;

use super::{
    diff::{Plan, PlanOptions},
    file::{Problem, RoutesFile},
};
use crate::{
    client::Client,
    create_called_route::CalledRoute,
    device::Device,
    error::Error,
    listed::Listed,
    media_type::MediaType,
    query_access_code_list::{AccessCode, AccessCodeFilter},
    query_ivr_flow_list::IvrFlow,
    query_skills::{SkillQueue, SkillQueueFilter},
};

/// What a tenant holds that routes depend on: its access codes, skill
/// queues and IVR flows ([`Client::tenant`]).
///
/// # Examples
///
/// ```
/// use cec_routes::{AccessCode, Listed, MediaType, plan::{RoutesFile, Tenant, check}, targets::SkillQueue};
///
/// let mut code = AccessCode::new("9911411");
/// code.media_type = Some(Listed::Known(MediaType::VoiceAndVideo));
/// let tenant = Tenant::new(vec![code], vec![SkillQueue::new(1, "defaultVideoSkill", MediaType::Video)], vec![]);
///
/// let file = RoutesFile::parse("routes:\n  - accessCode: \"9911411\"\n    skillQueue: 2\n")?;
/// let (_, problems) = check(&file, &tenant);
/// assert_eq!(problems[0].to_string(), "3:17: skill queue 2 does not exist; the tenant's skill queues: 1 defaultVideoSkill");
/// # Ok::<(), cec_routes::plan::RoutesFileError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Tenant {
    /// The tenant's access codes.
    pub access_codes: Vec<AccessCode>,
    /// The tenant's skill queues.
    pub skill_queues: Vec<SkillQueue>,
    /// The tenant space's IVR flows.
    pub ivr_flows: Vec<IvrFlow>,
}

impl Tenant {
    /// A tenant holding these.
    pub fn new(
        access_codes: Vec<AccessCode>,
        skill_queues: Vec<SkillQueue>,
        ivr_flows: Vec<IvrFlow>,
    ) -> Self {
        Tenant {
            access_codes,
            skill_queues,
            ivr_flows,
        }
    }

    /// The skill queue with this id.
    pub fn skill_queue(&self, id: u32) -> Option<&SkillQueue> {
        self.skill_queues.iter().find(|q| q.device_id() == Some(id))
    }

    /// The IVR flow with this id.
    pub fn ivr_flow(&self, id: u32) -> Option<&IvrFlow> {
        self.ivr_flows.iter().find(|f| f.device_id() == Some(id))
    }

    /// The name CEC shows for a device, when it has one.
    pub fn device_name(&self, device: Device) -> Option<&str> {
        match device {
            Device::SkillQueue(id) => self.skill_queue(id)?.name.as_deref(),
            Device::Ivr(id) => self.ivr_flow(id)?.name.as_deref(),
        }
    }

    /// The one device of this kind named `name`; `Err` lists the candidates
    /// when none or several are.
    pub fn resolve(&self, queue: bool, name: &str) -> Result<u32, String> {
        let named: Vec<(u32, Option<&str>)> = if queue {
            self.skill_queues
                .iter()
                .filter_map(|q| Some((q.device_id()?, q.name.as_deref())))
                .collect()
        } else {
            self.ivr_flows
                .iter()
                .filter_map(|f| Some((f.device_id()?, f.name.as_deref())))
                .collect()
        };
        let what = if queue { "skill queue" } else { "IVR flow" };
        let matching: Vec<u32> = named
            .iter()
            .filter(|(_, n)| *n == Some(name))
            .map(|(id, _)| *id)
            .collect();
        match matching.as_slice() {
            [id] => Ok(*id),
            [] => Err(format!(
                "no {what} is named `{name}`; the tenant's {what}s: {}",
                candidates(&named)
            )),
            several => Err(format!(
                "{} {what}s are named `{name}` (ids {}); write the id instead",
                several.len(),
                several
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// The name that identifies `device` in this tenant: its name, when no
    /// other device of its kind has it.
    pub fn unique_name(&self, device: Device) -> Option<&str> {
        let name = self.device_name(device)?;
        let queue = matches!(device, Device::SkillQueue(_));
        (self.resolve(queue, name) == Ok(device.id())).then_some(name)
    }
}

impl Tenant {
    /// `file` with each target written by its name where no other target
    /// of its kind has that name (ids otherwise): what `export` writes, so
    /// that the file applies unchanged to a tenant whose ids differ.
    pub fn with_names(&self, file: &RoutesFile) -> RoutesFile {
        RoutesFile::from_checked(
            file.routes()
                .iter()
                .map(|entry| {
                    let mut named = entry.clone();
                    if named.target_name.is_none() {
                        named.target_name =
                            self.export_name(entry.route.device()).map(str::to_owned);
                    }
                    named
                })
                .collect(),
        )
    }

    /// The name `export` writes for `device`: its
    /// [`unique_name`](Tenant::unique_name), unless that name would not read
    /// back as a name (it reads as a number, or has spaces at either end).
    pub fn export_name(&self, device: Device) -> Option<&str> {
        // A name that reads as a number would be read back as an id.
        self.unique_name(device).filter(|name| {
            !name.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
                && !name.trim().is_empty()
                && name.trim() == *name
        })
    }
}

/// `1 defaultVideoSkill, 2 defaultVoiceSkill, …` (the first 10).
fn candidates(named: &[(u32, Option<&str>)]) -> String {
    if named.is_empty() {
        return "none".to_owned();
    }
    let mut sorted: Vec<_> = named.to_vec();
    sorted.sort_unstable();
    let mut list: Vec<String> = sorted
        .iter()
        .take(10)
        .map(|(id, name)| match name {
            Some(name) => format!("{id} {name}"),
            None => id.to_string(),
        })
        .collect();
    if sorted.len() > 10 {
        list.push(format!("and {} more", sorted.len() - 10));
    }
    list.join(", ")
}

/// Checks a routes file against the tenant; returns the file with every
/// target name resolved to its id and every queue route's missing media
/// type set to the queue's, and every problem, in the file's order.
///
/// The problems: a target that does not exist (or a name that matches none
/// or several); a queue route whose media type is not the queue's (rule
/// 1); a media type the access code does not accept (rule 2); an access
/// code the tenant does not have; an IVR flow on a multimedia access code.
/// Each is placed at the value at fault.
pub fn check(file: &RoutesFile, tenant: &Tenant) -> (RoutesFile, Vec<Problem>) {
    let codes: BTreeMap<&str, &AccessCode> = tenant
        .access_codes
        .iter()
        .map(|c| (c.code.as_str(), c))
        .collect();
    let mut problems = Vec::new();
    let mut routes = Vec::with_capacity(file.routes().len());
    for entry in file.routes() {
        let mut problem = |(line, column): (usize, usize), message: String| {
            problems.push(Problem {
                line,
                column,
                message,
            })
        };
        let mut resolved = entry.clone();
        let device = entry.route.device();
        let queue = matches!(device, Device::SkillQueue(_));
        let what = if queue { "skill queue" } else { "IVR flow" };
        let id = match &entry.target_name {
            Some(name) => match tenant.resolve(queue, name) {
                Ok(id) => Some(id),
                Err(message) => {
                    problem(entry.at.device, message);
                    None
                }
            },
            None => {
                let exists = match device {
                    Device::SkillQueue(id) => tenant.skill_queue(id).is_some(),
                    Device::Ivr(id) => tenant.ivr_flow(id).is_some(),
                };
                if !exists {
                    let named: Vec<(u32, Option<&str>)> = if queue {
                        tenant
                            .skill_queues
                            .iter()
                            .filter_map(|q| Some((q.device_id()?, q.name.as_deref())))
                            .collect()
                    } else {
                        tenant
                            .ivr_flows
                            .iter()
                            .filter_map(|f| Some((f.device_id()?, f.name.as_deref())))
                            .collect()
                    };
                    problem(
                        entry.at.device,
                        format!(
                            "{what} {} does not exist; the tenant's {what}s: {}",
                            device.id(),
                            candidates(&named)
                        ),
                    );
                }
                exists.then_some(device.id())
            }
        };
        let device = id.map(|id| match device {
            Device::SkillQueue(_) => Device::SkillQueue(id),
            Device::Ivr(_) => Device::Ivr(id),
        });
        if let Some(device) = device {
            resolved.route = retarget(&entry.route, device);
            resolved.target_name = None;
        }

        // Rule 1: a queue route's media type is the queue's.
        let mut media = entry.route.media_type();
        if let Some(Device::SkillQueue(id)) = device
            && let Some(queue) = tenant.skill_queue(id)
        {
            match (&queue.media_type, media) {
                (Listed::Known(wanted), None) => {
                    media = Some(*wanted);
                    if *wanted != MediaType::VoiceAndVideo
                        && let Ok(route) = resolved.route.clone().with_media_type(*wanted)
                    {
                        resolved.route = route;
                    }
                }
                (Listed::Known(wanted), Some(written)) if *wanted != written => problem(
                    entry.at.media_type.unwrap_or(entry.at.device),
                    format!(
                        "the route's media type is {}, but skill queue {id}{} is {}: a route to \
                         a queue has the queue's media type (leave mediaType out to use it)",
                        written.name(),
                        queue
                            .name
                            .as_deref()
                            .map_or_else(String::new, |n| format!(" ({n})")),
                        wanted.name()
                    ),
                ),
                _ => {}
            }
        }
        let media = media.unwrap_or(MediaType::VoiceAndVideo);

        // The access code exists; rule 2 and no IVR on multimedia.
        match codes.get(entry.route.access_code()) {
            None => problem(
                entry.at.access_code,
                format!(
                    "access code {} does not exist in the tenant; its access codes: {}",
                    entry.route.access_code(),
                    if codes.is_empty() {
                        "none".to_owned()
                    } else {
                        codes.keys().copied().collect::<Vec<_>>().join(", ")
                    }
                ),
            ),
            Some(code) => {
                if let Some(Listed::Known(accepts)) = &code.media_type {
                    let allowed = accepts.allowed_for_access_code();
                    if matches!(entry.route.device(), Device::Ivr(_))
                        && *accepts == MediaType::Multimedia
                    {
                        problem(
                            entry.at.device,
                            format!(
                                "access code {} is multimedia, and an IVR flow cannot take \
                                 multimedia calls; route it to a skill queue",
                                code.code
                            ),
                        );
                    } else if !allowed.contains(&media) {
                        problem(
                            entry.at.media_type.unwrap_or(entry.at.access_code),
                            format!(
                                "access code {} is {} and accepts routes of {}, not {}",
                                code.code,
                                accepts.name(),
                                allowed
                                    .iter()
                                    .map(|m| m.name())
                                    .collect::<Vec<_>>()
                                    .join(" or "),
                                media.name()
                            ),
                        );
                    }
                }
            }
        }
        routes.push(resolved);
    }
    problems.sort_by_key(|p| (p.line, p.column));
    (RoutesFile::from_checked(routes), problems)
}

/// The same route to another device of the same kind.
fn retarget(route: &CalledRoute, device: Device) -> CalledRoute {
    let mut moved = CalledRoute::new(route.access_code(), device);
    if let Some(ext) = route.ext_code() {
        moved = moved.and_then(|r| r.with_ext_code(ext));
    }
    if let Some(media) = route.media_type() {
        moved = moved.and_then(|r| r.with_media_type(media));
    }
    moved.unwrap_or_else(|_| route.clone())
}

impl Client {
    /// What the tenant holds that routes depend on: its access codes, skill
    /// queues and IVR flows, each listed once (queries only).
    pub async fn tenant(&self) -> Result<Tenant, Error> {
        let (codes, queues) = (AccessCodeFilter::new(), SkillQueueFilter::new());
        let (access_codes, skill_queues, ivr_flows) = tokio::try_join!(
            self.access_codes(&codes),
            self.skill_queues(&queues),
            self.ivr_flows(),
        )?;
        Ok(Tenant::new(access_codes, skill_queues, ivr_flows))
    }

    /// The plan for a file [`check`] found no problems in (`file` is the
    /// file it returned, names resolved), against `tenant`.
    ///
    /// As [`plan_routes`](Client::plan_routes), except that a live route to
    /// a skill queue that CEC lists without a media type counts as having
    /// the queue's: rule 1 makes a queue route's media type its queue's,
    /// and [`check`] gives the file's queue routes the same.
    pub async fn plan_checked(
        &self,
        file: &RoutesFile,
        tenant: &Tenant,
        options: PlanOptions,
    ) -> Result<Plan, Error> {
        let mut live = self.routes_of_access_codes(&file.access_codes()).await?;
        for route in &mut live {
            if route.media_type.is_none()
                && let Listed::Known(Device::SkillQueue(id)) = route.device
                && let Some(queue) = tenant.skill_queue(id)
            {
                route.media_type = Some(queue.media_type.clone());
            }
        }
        Ok(Plan::from_live(file, live, options))
    }
}
