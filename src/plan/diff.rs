//! The plan: what it takes to make the live routes what the file says.

use std::{
    collections::{HashMap, HashSet},
    fmt,
};

/// The plan's hash maps and sets of route keys: foldhash is several times
/// faster than the default on short keys, and seeded per process.
type FoldMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FoldSet<K> = HashSet<K, foldhash::fast::RandomState>;

use super::file::{RoutesFile, describable};
use crate::{
    client::Client,
    create_called_route::CalledRoute,
    device::Device,
    error::Error,
    listed::Listed,
    media_type::MediaType,
    modify_called_route::RouteChange,
    query_called_route::{Route, RouteFilter},
};

/// What [`Plan::new`] may propose beyond creates and modifies.
///
/// # Examples
///
/// ```
/// use cec_routes::plan::PlanOptions;
///
/// let options = PlanOptions::new().prune(true).allow_replace(true);
/// assert!(options.prunes() && options.replaces());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct PlanOptions {
    prune: bool,
    allow_replace: bool,
}

impl PlanOptions {
    /// Neither prune nor replace.
    pub fn new() -> Self {
        PlanOptions::default()
    }

    /// Delete live routes the file does not list, under the access codes
    /// the file names (and only those).
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Change a route's media type by deleting and re-creating it (which
    /// leaves a moment with no route: CEC cannot modify a media type).
    pub fn allow_replace(mut self, allow: bool) -> Self {
        self.allow_replace = allow;
        self
    }

    /// Whether routes absent from the file are deleted.
    pub fn prunes(&self) -> bool {
        self.prune
    }

    /// Whether media-type changes are carried out.
    pub fn replaces(&self) -> bool {
        self.allow_replace
    }
}

/// The kind of a [`Change`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A route the file has and CEC does not: one create.
    Create,
    /// The device changes: one modify.
    Modify,
    /// The media type changes: a delete, then a create.
    Replace,
    /// A live route the file does not have (with prune): one delete.
    Delete,
}

impl ChangeKind {
    /// The word the plan uses (`create`, `modify`, …).
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Modify => "modify",
            ChangeKind::Replace => "replace",
            ChangeKind::Delete => "delete",
        }
    }
}

/// One change to one route (access code + extension code).
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Create `route`.
    Create {
        /// The route to create.
        route: CalledRoute,
    },
    /// Point `live` at `route`'s device.
    Modify {
        /// The route as CEC holds it.
        live: Route,
        /// The route as the file says.
        route: CalledRoute,
    },
    /// Delete `live`, then create `route` (another media type).
    Replace {
        /// The route as CEC holds it.
        live: Route,
        /// The route as the file says.
        route: CalledRoute,
    },
    /// Delete `live`.
    Delete {
        /// The route as CEC holds it.
        live: Route,
    },
}

impl Change {
    /// What kind of change this is.
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::Create { .. } => ChangeKind::Create,
            Change::Modify { .. } => ChangeKind::Modify,
            Change::Replace { .. } => ChangeKind::Replace,
            Change::Delete { .. } => ChangeKind::Delete,
        }
    }

    /// The access code of the route.
    pub fn access_code(&self) -> &str {
        match self {
            Change::Create { route }
            | Change::Modify { route, .. }
            | Change::Replace { route, .. } => route.access_code(),
            Change::Delete { live } => &live.access_code,
        }
    }

    /// The extension code of the route, if it has one.
    pub fn ext_code(&self) -> Option<&str> {
        match self {
            Change::Create { route }
            | Change::Modify { route, .. }
            | Change::Replace { route, .. } => route.ext_code(),
            Change::Delete { live } => live.ext_code.as_deref(),
        }
    }

    /// The route as CEC holds it, for all but a create.
    pub fn live(&self) -> Option<&Route> {
        match self {
            Change::Create { .. } => None,
            Change::Modify { live, .. }
            | Change::Replace { live, .. }
            | Change::Delete { live } => Some(live),
        }
    }

    /// The route as the file says, for all but a delete.
    pub fn target(&self) -> Option<&CalledRoute> {
        match self {
            Change::Create { route }
            | Change::Modify { route, .. }
            | Change::Replace { route, .. } => Some(route),
            Change::Delete { .. } => None,
        }
    }

    /// The route's name: `9911411 ext 11`, or `9911411` without an
    /// extension code.
    pub fn route_name(&self) -> String {
        match self.ext_code() {
            Some(ext) => format!("{} ext {ext}", self.access_code()),
            None => self.access_code().to_owned(),
        }
    }
}

impl fmt::Display for Change {
    /// `create 9911411 ext 11 → skill queue 1 (video)`, `modify 9911411 ext
    /// 11: skill queue 2 → IVR flow 7`, …
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.route_name();
        match self {
            Change::Create { route } => write!(f, "create {name} → {}", target(route)),
            Change::Modify { live, route } => {
                write!(f, "modify {name}: {} → {}", live.device, route.device())
            }
            Change::Replace { live, route } => write!(
                f,
                "replace {name}: {} → {} (media type {} → {}; deleted, then created)",
                current(live),
                target(route),
                media_name(live_media(live).as_ref()),
                media_name(Some(&Listed::Known(effective(route.media_type())))),
            ),
            Change::Delete { live } => write!(f, "delete {name}: {}", current(live)),
        }
    }
}

/// `skill queue 1 (video)`.
fn target(route: &CalledRoute) -> String {
    match route.media_type() {
        Some(media) => format!("{} ({})", route.device(), media.name()),
        None => route.device().to_string(),
    }
}

fn current(live: &Route) -> String {
    match &live.media_type {
        Some(media) => format!("{} ({})", live.device, media_name(Some(media))),
        None => live.device.to_string(),
    }
}

fn media_name(media: Option<&Listed<MediaType>>) -> String {
    match media {
        None => MediaType::VoiceAndVideo.name().to_owned(),
        Some(Listed::Known(media)) => media.name().to_owned(),
        Some(Listed::Unknown(raw)) => format!("unknown ({raw})"),
    }
}

/// A media type as the rules count it: none is CEC's default, 5.
fn effective(media: Option<MediaType>) -> MediaType {
    media.unwrap_or(MediaType::VoiceAndVideo)
}

/// The live route's media type as the rules count it (none: 5).
fn live_media(live: &Route) -> Option<Listed<MediaType>> {
    Some(match &live.media_type {
        None => Listed::Known(MediaType::VoiceAndVideo),
        Some(media) => media.clone(),
    })
}

/// Whether `live` already is what `route` says.
pub(super) fn same_media(live: &Route, route: &CalledRoute) -> bool {
    live_media(live) == Some(Listed::Known(effective(route.media_type())))
}

pub(super) fn same_device(live: &Route, device: Device) -> bool {
    live.device == Listed::Known(device)
}

/// A change the plan does not carry out, and why.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Held {
    /// The change it would take.
    pub change: Change,
    /// Why it is not made.
    pub reason: String,
}

/// What it takes to make the live routes under the file's access codes what
/// the file says.
///
/// Every change is about one route (access code + extension code); the
/// lists are in the order of the keys (access code, then extension code,
/// shortest first).
///
/// # Examples
///
/// ```
/// use cec_routes::plan::{Change, Plan, PlanOptions, RoutesFile};
///
/// let file = RoutesFile::parse("routes:\n  - accessCode: \"9911411\"\n    ivr: 7\n")?;
/// let plan = Plan::new(&file, &[], PlanOptions::new());
/// assert!(matches!(plan.changes[0], Change::Create { .. }));
/// assert_eq!(plan.changes[0].to_string(), "create 9911411 → IVR flow 7");
/// # Ok::<(), cec_routes::plan::RoutesFileError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Plan {
    /// What apply carries out.
    pub changes: Vec<Change>,
    /// Live routes that already are what the file says.
    pub unchanged: Vec<Route>,
    /// Changes the route's `editable` state forbids: reported, never
    /// attempted.
    pub locked: Vec<Held>,
    /// Media-type changes without [`PlanOptions::allow_replace`].
    pub needs_replace: Vec<Held>,
    /// Live routes under the file's access codes that the file does not
    /// list, kept because [`PlanOptions::prune`] is off.
    pub unmanaged: Vec<Route>,
    /// The options the plan was made with.
    pub options: PlanOptions,
}

impl Plan {
    /// The plan that takes `live` (the routes CEC holds; those under other
    /// access codes than the file's are ignored) to `file`.
    pub fn new(file: &RoutesFile, live: &[Route], options: PlanOptions) -> Plan {
        let (steps, unchanged) = decide(file, live, options);
        let mut plan = Plan::from_steps(steps, options, |i| live[i].clone());
        plan.unchanged = live
            .iter()
            .zip(unchanged)
            .filter(|(_, unchanged)| *unchanged)
            .map(|(route, _)| route.clone())
            .collect();
        // Their keys differ: unstable is stable here, and sorts in place.
        plan.unchanged
            .sort_unstable_by(|a, b| live_order(a).cmp(&live_order(b)));
        plan
    }

    /// As [`Plan::new`], taking the live routes instead of copying them:
    /// the unchanged ones (all of them, when nothing differs) stay where
    /// they were listed. What [`Client::plan_routes`] does after the last
    /// page; for a large tenant it saves a copy of every route.
    ///
    /// # Examples
    ///
    /// ```
    /// use cec_routes::{Device, Route, plan::{Plan, PlanOptions, RoutesFile}};
    ///
    /// let file = RoutesFile::parse("routes:\n  - accessCode: \"9911411\"\n    ivr: 7\n")?;
    /// let live = vec![Route::new("9911411", Device::Ivr(7))];
    /// let plan = Plan::from_live(&file, live, PlanOptions::new());
    /// assert!(plan.is_converged());
    /// assert_eq!(plan.unchanged.len(), 1);
    /// # Ok::<(), cec_routes::Error>(())
    /// ```
    pub fn from_live(file: &RoutesFile, mut live: Vec<Route>, options: PlanOptions) -> Plan {
        let (steps, unchanged) = decide(file, &live, options);
        let mut plan = Plan::from_steps(steps, options, |i| {
            std::mem::replace(&mut live[i], Route::new(String::new(), Device::Ivr(0)))
        });
        let mut flags = unchanged.into_iter();
        live.retain(|_| flags.next().unwrap_or(false));
        // In place, with no buffer as large as the routes (their keys differ).
        live.sort_unstable_by(|a, b| live_order(a).cmp(&live_order(b)));
        live.shrink_to_fit();
        plan.unchanged = live;
        plan
    }

    /// The plan of these steps, each live route taken by `take` from its
    /// index (once at most); `unchanged` is left empty.
    fn from_steps(
        steps: Vec<Step<'_>>,
        options: PlanOptions,
        mut take: impl FnMut(usize) -> Route,
    ) -> Plan {
        let mut plan = Plan {
            options,
            ..Plan::default()
        };
        for step in steps {
            match step {
                Step::Create(route) => plan.changes.push(Change::Create {
                    route: route.clone(),
                }),
                Step::Replace { live, route, hold } => {
                    let change = Change::Replace {
                        live: take(live),
                        route: route.clone(),
                    };
                    match hold {
                        Some(Hold::Locked(reason)) => plan.locked.push(Held { change, reason }),
                        Some(Hold::NeedsReplace) => plan.needs_replace.push(Held {
                            change,
                            reason:
                                "CEC cannot change a route's media type: it takes a delete, then a \
                                 create (--allow-replace)"
                                    .to_owned(),
                        }),
                        None => plan.changes.push(change),
                    }
                }
                Step::Modify {
                    live,
                    route,
                    locked,
                } => {
                    let change = Change::Modify {
                        live: take(live),
                        route: route.clone(),
                    };
                    match locked {
                        None => plan.changes.push(change),
                        Some(reason) => plan.locked.push(Held { change, reason }),
                    }
                }
                Step::Unmanaged(live) => plan.unmanaged.push(take(live)),
                Step::Delete { live, locked } => {
                    let change = Change::Delete { live: take(live) };
                    match locked {
                        Some(reason) => plan.locked.push(Held { change, reason }),
                        None => plan.changes.push(change),
                    }
                }
            }
        }
        fn key(c: &Change) -> (&str, usize, &str) {
            order(c.access_code(), c.ext_code())
        }
        plan.changes.sort_by(|a, b| key(a).cmp(&key(b)));
        plan.locked
            .sort_by(|a, b| key(&a.change).cmp(&key(&b.change)));
        plan
    }

    /// Whether apply has anything to do.
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// Whether the live routes already are what the file says: nothing to
    /// do, nothing locked, nothing waiting for `--allow-replace` (routes the
    /// file does not list, kept without `--prune`, do not count).
    pub fn is_converged(&self) -> bool {
        self.changes.is_empty() && self.locked.is_empty() && self.needs_replace.is_empty()
    }

    /// How many changes of this kind apply carries out.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind() == kind).count()
    }

    /// How many live routes under the file's access codes the plan was
    /// made from: those it changes, leaves unchanged, holds (locked or
    /// waiting for `--allow-replace`) or leaves unmanaged.
    pub fn managed(&self) -> usize {
        self.changes.iter().filter(|c| c.live().is_some()).count()
            + self.unchanged.len()
            + self
                .locked
                .iter()
                .filter(|h| h.change.live().is_some())
                .count()
            + self.needs_replace.len()
            + self.unmanaged.len()
    }
}

/// Why a live route cannot be deleted, if it cannot.
fn cannot_delete(live: &Route) -> Option<String> {
    if !live.editable.can_delete() {
        return Some(format!(
            "editable \"{}\": the route cannot be deleted",
            live.editable.code()
        ));
    }
    if live.dnid.is_none() {
        return Some("CEC listed the route without a dnid, so it cannot be deleted".to_owned());
    }
    None
}

/// What the plan does with a wanted route or a live one (by its index in
/// the live routes), decided before any live route is copied or moved.
enum Step<'f> {
    Create(&'f CalledRoute),
    Replace {
        live: usize,
        route: &'f CalledRoute,
        hold: Option<Hold>,
    },
    Modify {
        live: usize,
        route: &'f CalledRoute,
        /// Why the change cannot be made, if it cannot.
        locked: Option<String>,
    },
    Unmanaged(usize),
    Delete {
        live: usize,
        /// Why the route cannot be deleted, if it cannot.
        locked: Option<String>,
    },
}

/// Why a replace is held.
enum Hold {
    Locked(String),
    NeedsReplace,
}

/// The steps from the live routes to `file`, in the order the plan lists
/// them (wanted routes by key, then the rest by key); and, by index, the
/// live routes that already are what the file says.
fn decide<'f>(
    file: &'f RoutesFile,
    live: &[Route],
    options: PlanOptions,
) -> (Vec<Step<'f>>, Vec<bool>) {
    // Every live route by key; of two with one key (CEC should not hold
    // two), the first listed is the file's. A key holds its access code, so
    // only routes under the file's access codes can match.
    let mut by_key: FoldMap<(&str, Option<&str>), usize> =
        FoldMap::with_capacity_and_hasher(live.len(), Default::default());
    for (i, route) in live.iter().enumerate() {
        by_key
            .entry((route.access_code.as_str(), route.ext_code.as_deref()))
            .or_insert(i);
    }
    let mut matched = vec![false; live.len()];
    let mut steps = Vec::new();
    let mut unchanged = vec![false; live.len()];
    let mut wanted: Vec<&CalledRoute> = file.routes().iter().map(|r| &r.route).collect();
    // Each key once, not once per comparison (it counts characters).
    wanted.sort_by_cached_key(|r| order(r.access_code(), r.ext_code()));
    for route in wanted {
        let Some(&i) = by_key.get(&(route.access_code(), route.ext_code())) else {
            steps.push(Step::Create(route));
            continue;
        };
        matched[i] = true;
        let current = &live[i];
        if !same_media(current, route) {
            let hold = if let Some(reason) = cannot_delete(current) {
                Some(Hold::Locked(reason))
            } else if !options.allow_replace {
                Some(Hold::NeedsReplace)
            } else {
                None
            };
            steps.push(Step::Replace {
                live: i,
                route,
                hold,
            });
        } else if !same_device(current, route.device()) {
            let locked = match RouteChange::new(current, route.device()) {
                Ok(_) => None,
                Err(e) => Some(if current.editable.can_edit() {
                    e.to_string()
                } else {
                    format!(
                        "editable \"{}\": the route cannot be edited",
                        current.editable.code()
                    )
                }),
            };
            steps.push(Step::Modify {
                live: i,
                route,
                locked,
            });
        } else {
            unchanged[i] = true;
        }
    }
    // The live routes left under the file's access codes (none, when the
    // file already matches every live route).
    let mut rest: Vec<usize> = Vec::new();
    if matched.iter().any(|m| !m) {
        let codes: FoldSet<&str> = file
            .routes()
            .iter()
            .map(|r| r.route.access_code())
            .collect();
        rest = (0..live.len())
            .filter(|&i| !matched[i] && codes.contains(live[i].access_code.as_str()))
            .collect();
    }
    rest.sort_by(|&a, &b| {
        let (a, b) = (&live[a], &live[b]);
        live_order(a).cmp(&live_order(b)).then(a.dnid.cmp(&b.dnid))
    });
    for i in rest {
        // A route a routes file cannot describe (an undocumented device
        // or media type) could never have been listed in one: pruning
        // it would delete what export had to leave out.
        if !options.prune || !describable(&live[i]) {
            steps.push(Step::Unmanaged(i));
            continue;
        }
        steps.push(Step::Delete {
            live: i,
            locked: cannot_delete(&live[i]),
        });
    }
    (steps, unchanged)
}

/// A live route's place in the order of keys.
fn live_order(route: &Route) -> (&str, usize, &str) {
    order(&route.access_code, route.ext_code.as_deref())
}

/// The order of keys: access code, then no extension code, then extension
/// codes shortest first.
fn order<'a>(access_code: &'a str, ext_code: Option<&'a str>) -> (&'a str, usize, &'a str) {
    let ext = ext_code.unwrap_or_default();
    (access_code, ext.chars().count(), ext)
}

impl Client {
    /// The live routes under these access codes (every page; exact access
    /// codes only, whatever CEC matched).
    pub async fn routes_of_access_codes(
        &self,
        access_codes: &[String],
    ) -> Result<Vec<Route>, Error> {
        let mut routes = Vec::new();
        for code in access_codes {
            let mut listed = self
                .called_routes(&RouteFilter::new().access_code(code)?)
                .await?;
            listed.retain(|r| &r.access_code == code);
            // The first code's routes are kept where they were listed.
            if routes.is_empty() {
                routes = listed;
            } else {
                routes.append(&mut listed);
            }
        }
        Ok(routes)
    }

    /// Reads the live routes under the file's access codes (every page) and
    /// plans what it takes to make them what the file says.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use cec_routes::{
    ///     Client,
    ///     plan::{PlanOptions, RoutesFile},
    /// };
    ///
    /// # async fn run(client: Client) -> Result<(), cec_routes::Error> {
    /// let file = RoutesFile::load("routes.yaml")?;
    /// let plan = client.plan_routes(&file, PlanOptions::new().prune(true)).await?;
    /// for change in &plan.changes {
    ///     println!("{change}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn plan_routes(
        &self,
        file: &RoutesFile,
        options: PlanOptions,
    ) -> Result<Plan, Error> {
        let live = self.routes_of_access_codes(&file.access_codes()).await?;
        Ok(Plan::from_live(file, live, options))
    }
}

#[cfg(test)]
mod tests {
    //! `Plan::new`, decision by decision.

    use super::*;
    use crate::query_called_route::Editable;

    fn live(code: &str, ext: Option<&str>, dnid: i64, device: Device) -> Route {
        let mut route = Route::new(code, device);
        route.ext_code = ext.map(str::to_owned);
        route.dnid = Some(dnid);
        route.id = Some(format!("100{dnid}").parse().unwrap());
        route
    }

    fn file(routes: &[(&str, Option<&str>, Device, Option<MediaType>)]) -> RoutesFile {
        RoutesFile::from_routes(routes.iter().map(|(code, ext, device, media)| {
            let mut route = CalledRoute::new(code, *device).unwrap();
            if let Some(ext) = ext {
                route = route.with_ext_code(ext).unwrap();
            }
            if let Some(media) = media {
                route = route.with_media_type(*media).unwrap();
            }
            route
        }))
        .unwrap()
    }

    const A: &str = "9911411";
    const IVR7: Device = Device::Ivr(7);
    const IVR8: Device = Device::Ivr(8);

    fn kinds(plan: &Plan) -> Vec<(ChangeKind, Option<&str>)> {
        plan.changes
            .iter()
            .map(|c| (c.kind(), c.ext_code()))
            .collect()
    }

    #[test]
    fn each_route_is_created_modified_replaced_deleted_or_left() {
        let f = file(&[
            (A, Some("1"), IVR7, None),
            (A, Some("2"), IVR8, None),
            (A, Some("3"), IVR7, Some(MediaType::Video)),
            (A, Some("4"), IVR7, None),
        ]);
        let mut video = live(A, Some("3"), 3, IVR7);
        video.media_type = Some(Listed::Known(MediaType::VoiceAndVideo));
        let live_routes = [
            live(A, Some("2"), 2, IVR7),
            video,
            live(A, Some("4"), 4, IVR7),
            live(A, Some("5"), 5, IVR7),
            live("9911412", Some("1"), 6, IVR7),
        ];
        let all = PlanOptions::new().prune(true).allow_replace(true);
        let plan = Plan::new(&f, &live_routes, all);
        assert_eq!(
            kinds(&plan),
            [
                (ChangeKind::Create, Some("1")),
                (ChangeKind::Modify, Some("2")),
                (ChangeKind::Replace, Some("3")),
                (ChangeKind::Delete, Some("5")),
            ]
        );
        assert_eq!(plan.unchanged.len(), 1);
        assert_eq!(plan.managed(), 4, "the other access code is not the file's");
        assert!(plan.has_changes() && !plan.is_converged());
        assert_eq!(plan.count(ChangeKind::Create), 1);
        assert_eq!(plan.options, all);
        assert_eq!(
            plan.changes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "create 9911411 ext 1 → IVR flow 7",
                "modify 9911411 ext 2: IVR flow 7 → IVR flow 8",
                "replace 9911411 ext 3: IVR flow 7 (voice-and-video) → IVR flow 7 (video) (media \
                 type voice-and-video → video; deleted, then created)",
                "delete 9911411 ext 5: IVR flow 7",
            ]
        );

        let cautious = Plan::new(&f, &live_routes, PlanOptions::new());
        assert_eq!(
            kinds(&cautious),
            [
                (ChangeKind::Create, Some("1")),
                (ChangeKind::Modify, Some("2"))
            ]
        );
        assert_eq!(cautious.needs_replace.len(), 1);
        assert_eq!(cautious.unmanaged.len(), 1);
        assert_eq!(cautious.managed(), 4);
        assert!(!cautious.is_converged());
    }

    #[test]
    fn editable_holds_back_what_it_forbids() {
        let f = file(&[
            (A, Some("1"), IVR8, None),
            (A, Some("2"), IVR7, Some(MediaType::Video)),
        ]);
        let mut no_edit = live(A, Some("1"), 1, IVR7);
        no_edit.editable = Editable::DeleteOnly;
        let mut no_delete = live(A, Some("2"), 2, IVR7);
        no_delete.editable = Editable::EditOnly;
        let mut kept = live(A, Some("3"), 3, IVR7);
        kept.editable = Editable::Locked;
        let mut no_dnid = live(A, Some("4"), 4, IVR7);
        no_dnid.dnid = None;
        let all = PlanOptions::new().prune(true).allow_replace(true);
        let plan = Plan::new(&f, &[no_edit, no_delete, kept, no_dnid], all);
        assert!(!plan.has_changes());
        let held: Vec<(ChangeKind, &str)> = plan
            .locked
            .iter()
            .map(|h| (h.change.kind(), h.reason.as_str()))
            .collect();
        assert_eq!(
            held,
            [
                (
                    ChangeKind::Modify,
                    "editable \"1\": the route cannot be edited"
                ),
                (
                    ChangeKind::Replace,
                    "editable \"2\": the route cannot be deleted"
                ),
                (
                    ChangeKind::Delete,
                    "editable \"3\": the route cannot be deleted"
                ),
                (
                    ChangeKind::Delete,
                    "CEC listed the route without a dnid, so it cannot be deleted"
                ),
            ]
        );
        assert_eq!(plan.managed(), 4);
        assert!(!plan.is_converged());
    }

    #[test]
    fn options_say_what_they_were_given() {
        let none = PlanOptions::new();
        assert!(!none.prunes() && !none.replaces());
        let prune = PlanOptions::new().prune(true);
        assert!(prune.prunes() && !prune.replaces());
        let replace = PlanOptions::new().allow_replace(true);
        assert!(!replace.prunes() && replace.replaces());
    }

    #[test]
    fn a_modify_without_the_routes_id_is_held_with_the_reason() {
        let f = file(&[(A, Some("1"), IVR8, None)]);
        let mut no_id = live(A, Some("1"), 1, IVR7);
        no_id.id = None;
        let plan = Plan::new(&f, &[no_id], PlanOptions::new());
        assert!(!plan.has_changes());
        assert_eq!(plan.locked.len(), 1);
        assert!(
            !plan.locked[0].reason.starts_with("editable"),
            "{}",
            plan.locked[0].reason
        );
    }

    #[test]
    fn a_second_route_at_a_key_is_pruned_and_an_undescribable_one_kept() {
        let f = file(&[(A, Some("1"), IVR7, None)]);
        let mut odd = live(A, Some("2"), 9, IVR7);
        odd.device = Listed::Unknown("devicetype 9, deviceId 1".into());
        let routes = [
            live(A, Some("1"), 1, IVR7),
            live(A, Some("1"), 2, IVR7),
            odd,
        ];
        let plan = Plan::new(&f, &routes, PlanOptions::new().prune(true));
        assert_eq!(kinds(&plan), [(ChangeKind::Delete, Some("1"))]);
        assert_eq!(plan.changes[0].live().unwrap().dnid, Some(2));
        assert_eq!(plan.unchanged.len(), 1);
        assert_eq!(plan.unmanaged.len(), 1);
        assert!(!plan.is_converged(), "a change is planned");
    }

    #[test]
    fn a_file_that_matches_is_converged_with_unmanaged_routes_kept() {
        let f = file(&[(A, None, IVR7, None)]);
        let plan = Plan::new(
            &f,
            &[live(A, None, 1, IVR7), live(A, Some("9"), 2, IVR7)],
            PlanOptions::new(),
        );
        assert!(plan.is_converged() && !plan.has_changes());
        assert_eq!(plan.unmanaged.len(), 1);
        assert_eq!(plan.changes.first().map(Change::route_name), None);
    }

    #[test]
    fn changes_are_in_key_order_shortest_extension_first() {
        let f = file(&[
            (A, Some("10"), IVR7, None),
            (A, Some("9"), IVR7, None),
            (A, None, IVR7, None),
            ("9911400", Some("1"), IVR7, None),
        ]);
        let plan = Plan::new(
            &f,
            &[live(A, Some("2"), 5, IVR7), live(A, Some("11"), 6, IVR7)],
            PlanOptions::new().prune(true),
        );
        let names: Vec<String> = plan.changes.iter().map(Change::route_name).collect();
        assert_eq!(
            names,
            [
                "9911400 ext 1",
                "9911411",
                "9911411 ext 2",
                "9911411 ext 9",
                "9911411 ext 10",
                "9911411 ext 11"
            ]
        );
    }

    #[test]
    fn a_change_names_its_route_and_its_two_sides() {
        let route = CalledRoute::new(A, IVR8).unwrap();
        let before = live(A, None, 1, IVR7);
        let modify = Change::Modify {
            live: before.clone(),
            route: route.clone(),
        };
        assert_eq!(modify.access_code(), A);
        assert_eq!(modify.ext_code(), None);
        assert_eq!(modify.live(), Some(&before));
        assert_eq!(modify.target(), Some(&route));
        let delete = Change::Delete {
            live: live(A, Some("3"), 1, IVR7),
        };
        assert_eq!(delete.target(), None);
        assert_eq!(delete.ext_code(), Some("3"));
        assert_eq!(delete.access_code(), A);
        assert_eq!(delete.route_name(), "9911411 ext 3");
        let create = Change::Create { route };
        assert_eq!(create.live(), None);
        assert_eq!(ChangeKind::Replace.name(), "replace");
        assert_eq!(ChangeKind::Delete.name(), "delete");
        assert_eq!(ChangeKind::Create.name(), "create");
        assert_eq!(ChangeKind::Modify.name(), "modify");
        let mut odd = live(A, None, 1, IVR7);
        odd.media_type = Some(Listed::Unknown("77".into()));
        let replace = Change::Replace {
            live: odd,
            route: CalledRoute::new(A, IVR7).unwrap(),
        };
        assert_eq!(
            replace.to_string(),
            "replace 9911411: IVR flow 7 (unknown (77)) → IVR flow 7 (media type unknown (77) → \
             voice-and-video; deleted, then created)"
        );
    }

    mod same_plan {
        //! `Plan::new` and `Plan::from_live` make the plan the copying
        //! `Plan::new` made before the live routes could be moved.

        use std::collections::{HashMap, hash_map::Entry};

        use proptest::prelude::*;

        use super::*;

        /// `Plan::new` as it was: every live route of the plan copied.
        struct Before;

        impl Before {
            fn copying(file: &RoutesFile, live: &[Route], options: PlanOptions) -> Plan {
                let codes = file.access_codes();
                let mut by_key: HashMap<(&str, Option<&str>), &Route> = HashMap::new();
                let mut extra = Vec::new();
                for route in live
                    .iter()
                    .filter(|r| codes.binary_search(&r.access_code).is_ok())
                {
                    let key = (route.access_code.as_str(), route.ext_code.as_deref());
                    match by_key.entry(key) {
                        // CEC should not hold two; the second is not the file's.
                        Entry::Occupied(_) => extra.push(route),
                        Entry::Vacant(slot) => {
                            slot.insert(route);
                        }
                    }
                }
                let mut plan = Plan {
                    options,
                    ..Plan::default()
                };
                let mut wanted: Vec<&CalledRoute> =
                    file.routes().iter().map(|r| &r.route).collect();
                wanted.sort_by(|a, b| {
                    order(a.access_code(), a.ext_code()).cmp(&order(b.access_code(), b.ext_code()))
                });
                for route in wanted {
                    let Some(live) = by_key.remove(&(route.access_code(), route.ext_code())) else {
                        plan.changes.push(Change::Create {
                            route: route.clone(),
                        });
                        continue;
                    };
                    if !same_media(live, route) {
                        let change = Change::Replace {
                            live: live.clone(),
                            route: route.clone(),
                        };
                        if let Some(reason) = cannot_delete(live) {
                            plan.locked.push(Held { change, reason });
                        } else if !options.allow_replace {
                            plan.needs_replace.push(Held {
                            change,
                            reason:
                                "CEC cannot change a route's media type: it takes a delete, then a \
                                     create (--allow-replace)"
                                    .to_owned(),
                        });
                        } else {
                            plan.changes.push(change);
                        }
                    } else if !same_device(live, route.device()) {
                        let change = Change::Modify {
                            live: live.clone(),
                            route: route.clone(),
                        };
                        match RouteChange::new(live, route.device()) {
                            Ok(_) => plan.changes.push(change),
                            Err(e) => plan.locked.push(Held {
                                change,
                                reason: if live.editable.can_edit() {
                                    e.to_string()
                                } else {
                                    format!(
                                        "editable \"{}\": the route cannot be edited",
                                        live.editable.code()
                                    )
                                },
                            }),
                        }
                    } else {
                        plan.unchanged.push(live.clone());
                    }
                }
                let mut rest: Vec<&Route> = by_key.into_values().chain(extra).collect();
                rest.sort_by(|a, b| {
                    order(&a.access_code, a.ext_code.as_deref())
                        .cmp(&order(&b.access_code, b.ext_code.as_deref()))
                        .then(a.dnid.cmp(&b.dnid))
                });
                for live in rest {
                    // A route a routes file cannot describe (an undocumented device
                    // or media type) could never have been listed in one: pruning
                    // it would delete what export had to leave out.
                    if !options.prune || !describable(live) {
                        plan.unmanaged.push(live.clone());
                        continue;
                    }
                    let change = Change::Delete { live: live.clone() };
                    match cannot_delete(live) {
                        Some(reason) => plan.locked.push(Held { change, reason }),
                        None => plan.changes.push(change),
                    }
                }
                fn key(c: &Change) -> (&str, usize, &str) {
                    order(c.access_code(), c.ext_code())
                }
                plan.changes.sort_by(|a, b| key(a).cmp(&key(b)));
                plan.locked
                    .sort_by(|a, b| key(&a.change).cmp(&key(&b.change)));
                plan
            }
        }

        fn device() -> impl Strategy<Value = Device> {
            prop_oneof![
                (1..4u32).prop_map(Device::Ivr),
                (1..4u32).prop_map(Device::SkillQueue)
            ]
        }

        fn media() -> impl Strategy<Value = Option<MediaType>> {
            prop::option::of(prop::sample::select(vec![
                MediaType::Video,
                MediaType::VoiceAndVideo,
                MediaType::Multimedia,
            ]))
        }

        fn editable() -> impl Strategy<Value = Editable> {
            prop::sample::select(vec![
                Editable::Yes,
                Editable::Yes,
                Editable::DeleteOnly,
                Editable::EditOnly,
                Editable::Locked,
            ])
        }

        /// A key among a few, so that the file and CEC often share one.
        fn key() -> impl Strategy<Value = (&'static str, Option<&'static str>)> {
            (
                prop::sample::select(vec!["9911411", "9911412", "9911413"]),
                prop::sample::select(vec![None, Some("1"), Some("2"), Some("10")]),
            )
        }

        fn wanted() -> impl Strategy<Value = RoutesFile> {
            prop::collection::btree_map(key(), (device(), media()), 0..12).prop_map(|routes| {
                RoutesFile::from_routes(routes.into_iter().filter_map(
                    |((code, ext), (device, media))| {
                        let mut route = CalledRoute::new(code, device).ok()?;
                        if let Some(ext) = ext {
                            route = route.with_ext_code(ext).ok()?;
                        }
                        match media {
                            Some(media) => route.with_media_type(media).ok(),
                            None => Some(route),
                        }
                    },
                ))
                .expect("one route per key")
            })
        }

        /// Live routes, a key now and then twice (each with its own dnid).
        fn listed() -> impl Strategy<Value = Vec<Route>> {
            prop::collection::vec(
                (
                    key(),
                    device(),
                    media(),
                    editable(),
                    any::<bool>(),
                    any::<bool>(),
                ),
                0..14,
            )
            .prop_map(|routes| {
                routes
                    .into_iter()
                    .enumerate()
                    .map(
                        |(i, ((code, ext), device, media, editable, dnid, unknown))| {
                            let mut route = live(code, ext, i as i64 + 1, device);
                            route.dnid = dnid.then_some(i as i64 + 1);
                            route.media_type = media.map(Listed::Known);
                            if unknown {
                                route.device = Listed::Unknown("devicetype 9, deviceId 1".into());
                            }
                            route.editable = editable;
                            route
                        },
                    )
                    .collect()
            })
        }

        fn options() -> impl Strategy<Value = PlanOptions> {
            (any::<bool>(), any::<bool>())
                .prop_map(|(prune, replace)| PlanOptions::new().prune(prune).allow_replace(replace))
        }

        proptest! {
            // A failure prints its smallest case; nothing is written to the tree.
            #![proptest_config(ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            #[test]
            fn both_make_the_plan_that_copying_made(
                file in wanted(),
                live in listed(),
                options in options(),
            ) {
                let before = Before::copying(&file, &live, options);
                prop_assert_eq!(&Plan::new(&file, &live, options), &before);
                prop_assert_eq!(&Plan::from_live(&file, live, options), &before);
            }
        }
    }
}
