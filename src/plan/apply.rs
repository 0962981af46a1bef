//! Carrying out a plan: bounded concurrency, no blind retry, and a read-back
//! of every change whose outcome is unknown.

use std::collections::{HashMap, HashSet};

use tokio::task::{self, JoinError, JoinSet};
pub use tokio_util::sync::CancellationToken;

use super::diff::{Change, Plan, same_device, same_media};
use crate::{
    client::Client, create_called_route::CalledRoute, error::Error, listed::Listed,
    media_type::MediaType, modify_called_route::RouteChange,
    query_access_code_list::AccessCodeFilter, query_called_route::Route,
};

/// How many changes [`Client::apply_plan`] runs at once unless told.
pub const DEFAULT_PARALLEL: usize = 4;

/// How a plan is carried out.
///
/// # Examples
///
/// ```
/// use cec_routes::plan::{ApplyOptions, CancellationToken};
///
/// let stop = CancellationToken::new();
/// let options = ApplyOptions::new().parallel(8).fail_fast(true).cancel_on(stop.clone());
/// assert_eq!(options.parallelism(), 8);
/// // From a signal handler: start nothing new, let what is in flight end.
/// stop.cancel();
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ApplyOptions {
    parallel: usize,
    fail_fast: bool,
    cancel: CancellationToken,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            parallel: DEFAULT_PARALLEL,
            fail_fast: false,
            cancel: CancellationToken::new(),
        }
    }
}

impl ApplyOptions {
    /// [`DEFAULT_PARALLEL`] at once; a failure does not stop the others.
    pub fn new() -> Self {
        ApplyOptions::default()
    }

    /// At most this many changes in flight at once (at least 1).
    pub fn parallel(mut self, parallel: usize) -> Self {
        self.parallel = parallel.max(1);
        self
    }

    /// After the first change that is not applied, start no other (those
    /// under way finish).
    pub fn fail_fast(mut self, fail_fast: bool) -> Self {
        self.fail_fast = fail_fast;
        self
    }

    /// Once `token` is cancelled, start no other change: those under way
    /// finish (each within the client's timeout; a replace whose delete
    /// went through goes on to its create, so no number is left without a
    /// route), the rest are [`Outcome::Skipped`] and the report is
    /// [`ApplyReport::interrupted`].
    pub fn cancel_on(mut self, token: CancellationToken) -> Self {
        self.cancel = token;
        self
    }

    /// How many changes run at once.
    pub fn parallelism(&self) -> usize {
        self.parallel
    }

    /// Whether the first failure stops the run.
    pub fn fails_fast(&self) -> bool {
        self.fail_fast
    }
}

/// What became of one change.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// CEC confirmed it; or (`read_back`) its answer was lost and the live
    /// routes show it took effect.
    Applied {
        /// Whether the read-back, not CEC's answer, confirmed it.
        read_back: bool,
    },
    /// It did not take effect: CEC refused it, it was never sent, or
    /// (`read_back`) its answer was lost and the live routes show it did not
    /// take effect. Running apply again plans it again.
    Failed {
        /// What went wrong.
        error: Error,
        /// Whether the read-back established it.
        read_back: bool,
    },
    /// It may have reached CEC and the read-back could not tell what
    /// happened (or could not be made). It is never retried blindly: plan
    /// again to see the live state.
    Unknown {
        /// What went wrong.
        error: Error,
    },
    /// Not started, because an earlier change failed and `fail_fast` was
    /// on, or because apply was cancelled ([`ApplyOptions::cancel_on`]).
    Skipped,
}

impl Outcome {
    /// Whether the change took effect.
    pub fn is_applied(&self) -> bool {
        matches!(self, Outcome::Applied { .. })
    }

    /// The error, for a change that failed or whose outcome is unknown.
    pub fn error(&self) -> Option<&Error> {
        match self {
            Outcome::Failed { error, .. } | Outcome::Unknown { error } => Some(error),
            _ => None,
        }
    }
}

/// One change and what became of it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ChangeResult {
    /// The change.
    pub change: Change,
    /// What became of it.
    pub outcome: Outcome,
    /// Anything the operator must know beyond the outcome (e.g. a replace
    /// whose create was refused: the old route was put back).
    pub note: Option<String>,
    /// For a replace (or a delete that a create of the same route follows)
    /// whose delete went through and whose create did not: the old route,
    /// and whether apply put it back.
    pub restore: Option<Restore>,
}

/// A route a delete took away whose replacement was not created, and
/// whether apply re-created it at once.
///
/// # Examples
///
/// ```
/// use cec_routes::{CalledRoute, Device, MediaType, plan::Restore};
///
/// let old = CalledRoute::new("9911411", Device::Ivr(7))?.with_ext_code("1")?;
/// assert_eq!(
///     Restore::command_for(&old),
///     "cec-routes create --access-code 9911411 --ext-code 1 --ivr 7"
/// );
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Restore {
    /// The route as it was before the delete.
    pub route: CalledRoute,
    /// `None` when it was re-created; why not otherwise (the number then
    /// has no route until it is created again).
    pub error: Option<Error>,
}

impl Restore {
    /// Whether the old route is back.
    pub fn restored(&self) -> bool {
        self.error.is_none()
    }

    /// The `cec-routes create …` command that re-creates the old route.
    pub fn command(&self) -> String {
        Restore::command_for(&self.route)
    }

    /// The `cec-routes create …` command that creates `route`.
    pub fn command_for(route: &CalledRoute) -> String {
        let mut command = format!(
            "cec-routes create --access-code {}",
            shell_word(route.access_code())
        );
        if let Some(ext) = route.ext_code() {
            command.push_str(&format!(" --ext-code {}", shell_word(ext)));
        }
        match route.device() {
            crate::device::Device::SkillQueue(id) => {
                command.push_str(&format!(" --skill-queue {id}"));
            }
            crate::device::Device::Ivr(id) => command.push_str(&format!(" --ivr {id}")),
        }
        if let Some(media) = route.media_type() {
            command.push_str(&format!(" --media-type {}", media.name()));
        }
        command
    }
}

/// `value` as one word a POSIX shell reads back unchanged: as it is when it
/// holds only characters no shell treats specially, else in single quotes
/// (a `'` inside written as `'\''`).
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

/// Every change of a plan and what became of it, in the plan's order.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ApplyReport {
    /// One result per change of the plan.
    pub results: Vec<ChangeResult>,
    /// Whether the live routes were read back to settle unknown outcomes.
    pub read_back: bool,
    /// Whether apply was cancelled before every change had started: the
    /// changes not started are [`Outcome::Skipped`].
    pub interrupted: bool,
}

impl ApplyReport {
    /// Whether every change was applied.
    pub fn all_applied(&self) -> bool {
        self.results.iter().all(|r| r.outcome.is_applied())
    }

    /// How many changes were applied.
    pub fn applied(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Applied { .. }))
    }

    /// How many changes failed (and did not take effect).
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed { .. }))
    }

    /// How many changes have an unknown outcome.
    pub fn unknown(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Unknown { .. }))
    }

    /// How many changes were not started (fail-fast).
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped))
    }

    /// The routes a delete took away that apply could not put back: each
    /// number has no route until its old route (or the new one) is created.
    pub fn unrouted(&self) -> impl Iterator<Item = &Restore> {
        self.results
            .iter()
            .filter_map(|r| r.restore.as_ref())
            .filter(|r| !r.restored())
    }

    /// The routes a delete took away that apply put back at once.
    pub fn restored(&self) -> impl Iterator<Item = &Restore> {
        self.results
            .iter()
            .filter_map(|r| r.restore.as_ref())
            .filter(|r| r.restored())
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.outcome)).count()
    }
}

/// Whether a failed request leaves its outcome unknown: it may have reached
/// CEC, and CEC did not say that it refused it.
fn outcome_unknown(error: &Error) -> bool {
    error.may_have_reached_server()
        && !matches!(
            error,
            Error::Business { .. }
                | Error::BadRequest { .. }
                | Error::Unauthorized { .. }
                | Error::Forbidden { .. }
                | Error::NotFound { .. }
        )
}

fn failed(error: Error) -> Outcome {
    if outcome_unknown(&error) {
        Outcome::Unknown { error }
    } else {
        Outcome::Failed {
            error,
            read_back: false,
        }
    }
}

const ROUTE_GONE: &str = "the old route was deleted and the new one was not created: the route is missing until apply runs again";

/// What became of one change of a unit, before any read-back.
struct Done {
    index: usize,
    outcome: Outcome,
    note: Option<String>,
    restore: Option<Restore>,
}

impl Done {
    fn new(index: usize, (outcome, note): (Outcome, Option<String>)) -> Self {
        Done {
            index,
            outcome,
            note,
            restore: None,
        }
    }
}

/// The results of a unit that was not started.
fn not_started(unit: &[usize]) -> Vec<Done> {
    unit.iter()
        .map(|&index| Done::new(index, (Outcome::Skipped, None)))
        .collect()
}

/// The results of a unit whose task ended without any (it panicked): each
/// change may have reached CEC, so each is unknown until the read-back
/// after the run settles it.
fn broken(unit: &[usize], error: JoinError) -> Vec<Done> {
    let why = match error.try_into_panic() {
        Ok(payload) => match payload
            .downcast_ref::<&str>()
            .map(|m| (*m).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
        {
            Some(message) => format!("panicked ({message})"),
            None => "panicked".to_owned(),
        },
        Err(_) => "was cancelled".to_owned(),
    };
    unit.iter()
        .map(|&index| {
            let error = Error::invalid(
                "apply",
                format!("the task carrying out this change {why}, so it may have reached CEC"),
            );
            let note = "the task carrying out this change ended without an outcome; the \
                        read-back after the run settles it";
            Done::new(index, (Outcome::Unknown { error }, Some(note.to_owned())))
        })
        .collect()
}

/// What a delete followed by a create of the same route came to.
struct Swap {
    /// The delete's outcome.
    delete: Outcome,
    /// The create's outcome, and a note.
    create: (Outcome, Option<String>),
    /// The old route, when the delete went through and the create did not.
    restore: Option<Restore>,
}

/// The changes of a plan grouped into what runs as one: a delete that a
/// create of the same key follows runs with it, delete first; every other
/// change runs alone. In the order of each unit's first change.
fn units(changes: &[Change]) -> Vec<Vec<usize>> {
    let creates: HashMap<(&str, Option<&str>), usize> = changes
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c, Change::Create { .. }))
        .map(|(i, c)| ((c.access_code(), c.ext_code()), i))
        .collect();
    let mut paired: HashMap<usize, usize> = HashMap::new();
    // The creates already paired, so that the units are found in linear
    // time however many pairs a plan holds.
    let mut taken: HashSet<usize> = HashSet::new();
    for (i, change) in changes.iter().enumerate() {
        if matches!(change, Change::Delete { .. })
            && let Some(&create) = creates.get(&(change.access_code(), change.ext_code()))
            && taken.insert(create)
        {
            paired.insert(i, create);
        }
    }
    let mut units = Vec::new();
    for i in 0..changes.len() {
        if let Some(&create) = paired.get(&i) {
            units.push(vec![i, create]);
        } else if !taken.contains(&i) {
            units.push(vec![i]);
        }
    }
    units.sort_by_key(|unit| unit.iter().min().copied());
    units
}

/// The old route as a create would make it again, if it can be described.
fn restorable(live: &Route) -> Result<CalledRoute, Error> {
    let Listed::Known(device) = live.device else {
        return Err(Error::invalid(
            "device",
            format!(
                "the live route points at an undocumented device ({}), so it could not be \
                 re-created if the new one were refused; not attempted",
                live.device
            ),
        ));
    };
    let mut route = CalledRoute::new(&live.access_code, device)?;
    if let Some(ext) = &live.ext_code {
        route = route.with_ext_code(ext)?;
    }
    match &live.media_type {
        None => {}
        Some(Listed::Known(media)) => route = route.with_media_type(*media)?,
        Some(Listed::Unknown(raw)) => {
            return Err(Error::invalid(
                "mediaType",
                format!(
                    "the live route has an undocumented media type ({raw}), so it could not be \
                     re-created if the new one were refused; not attempted"
                ),
            ));
        }
    }
    Ok(route)
}

impl Client {
    /// Carries out `plan`: at most [`ApplyOptions::parallel`] changes at
    /// once, each reported to `on_result` as it ends (before any
    /// read-back).
    ///
    /// Each change (a delete with the create of the same route: the pair)
    /// runs on a Tokio task of its own, so the parallel changes are spread
    /// over the runtime's threads; `on_result` is called on the caller's
    /// task, so it need not be `Send`, and a change starts only once every
    /// result that came before has been passed to it (a token cancelled
    /// from `on_result` starts nothing new). A change whose task panics is
    /// reported, as [`Outcome::Unknown`] until the read-back settles it.
    ///
    /// A change that fails is not tried again, beyond what the client's
    /// [`RetryPolicy`](crate::RetryPolicy) resends (for a write, only after
    /// an answer that shows it was not carried out, such as a 429). The
    /// client's rate cap
    /// ([`ClientBuilder::max_requests_per_second`](crate::ClientBuilder::max_requests_per_second))
    /// holds across the parallel changes. When the outcome of one is
    /// unknown (it may have reached CEC: a timeout, a lost connection, a
    /// 500), the live routes of its access code are read back once every
    /// change has ended, and the report says what actually happened.
    ///
    /// No change leaves a number without a route. A replace (a delete, then
    /// a create), and a delete that a create of the same route follows, run
    /// only after the new route passed every check that can be made before
    /// sending (its access code exists and takes its media type; the old
    /// route can be described, so it can be re-created). If the create
    /// still fails, the old route is re-created at once and the result says
    /// so ([`ChangeResult::restore`]); if that fails too, the report names
    /// the route to restore ([`ApplyReport::unrouted`]). Planning again
    /// after any failure plans only what is still missing.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use cec_routes::{
    ///     Client,
    ///     plan::{ApplyOptions, PlanOptions, RoutesFile},
    /// };
    ///
    /// # async fn run(client: Client) -> Result<(), cec_routes::Error> {
    /// let file = RoutesFile::load("routes.yaml")?;
    /// let plan = client.plan_routes(&file, PlanOptions::new()).await?;
    /// let report = client
    ///     .apply_plan(&plan, ApplyOptions::new().parallel(4), |r| println!("{}", r.change))
    ///     .await;
    /// assert!(report.all_applied());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn apply_plan(
        &self,
        plan: &Plan,
        options: ApplyOptions,
        mut on_result: impl FnMut(&ChangeResult),
    ) -> ApplyReport {
        let mut results: Vec<Option<ChangeResult>> = vec![None; plan.changes.len()];
        let mut record = |done: Vec<Done>| {
            for Done {
                index,
                outcome,
                note,
                restore,
            } in done
            {
                let result = ChangeResult {
                    change: plan.changes[index].clone(),
                    outcome,
                    note,
                    restore,
                };
                on_result(&result);
                results[index] = Some(result);
            }
        };
        // Each unit runs on a task of its own, so that the requests of
        // parallel changes are spread over the runtime's threads; the
        // results come back here, to `on_result`, one unit at a time.
        let mut running: JoinSet<Vec<Done>> = JoinSet::new();
        let mut members: HashMap<task::Id, Vec<usize>> = HashMap::new();
        let mut pending = units(&plan.changes).into_iter();
        let mut failed_once = false;
        // Whether the token kept a change from starting (other changes
        // are skipped too: by fail-fast, or a pair's create after its
        // delete failed).
        let mut cancelled = false;
        loop {
            while running.len() < options.parallel.max(1) {
                let Some(unit) = pending.next() else {
                    break;
                };
                if options.cancel.is_cancelled() {
                    cancelled = true;
                    record(not_started(&unit));
                    continue;
                }
                if options.fail_fast && failed_once {
                    record(not_started(&unit));
                    continue;
                }
                let work: Vec<(usize, Change)> = unit
                    .iter()
                    .map(|&index| (index, plan.changes[index].clone()))
                    .collect();
                let client = self.clone();
                let handle = running.spawn(async move { client.apply_unit(&work).await });
                members.insert(handle.id(), unit);
            }
            let Some(joined) = running.join_next_with_id().await else {
                break;
            };
            let done = match joined {
                Ok((id, done)) => {
                    members.remove(&id);
                    done
                }
                Err(error) => {
                    let unit = members.remove(&error.id()).unwrap_or_default();
                    broken(&unit, error)
                }
            };
            if done.iter().any(|d| !d.outcome.is_applied()) {
                failed_once = true;
            }
            record(done);
        }
        let mut report = ApplyReport {
            results: results
                .into_iter()
                .map(|r| r.expect("every change ends with a result"))
                .collect(),
            read_back: false,
            interrupted: false,
        };
        report.interrupted = cancelled;
        self.read_back(&mut report).await;
        report
    }

    /// One unit of [`units`]: one change, or a delete and the create of
    /// the same route, each with its index in the plan.
    async fn apply_unit(&self, unit: &[(usize, Change)]) -> Vec<Done> {
        #[cfg(test)]
        if unit
            .iter()
            .any(|(_, c)| c.ext_code() == Some(tests::PANICS))
        {
            panic!("a test asked this unit to panic");
        }
        match unit {
            [(delete, Change::Delete { live }), (create, wanted)] => {
                let Some(route) = wanted.target() else {
                    unreachable!("a unit of two is a delete and a create");
                };
                let swap = self.swap(live, route).await;
                vec![
                    Done::new(*delete, (swap.delete, None)),
                    Done {
                        index: *create,
                        outcome: swap.create.0,
                        note: swap.create.1,
                        restore: swap.restore,
                    },
                ]
            }
            _ => {
                let (index, change) = &unit[0];
                vec![self.apply_change(*index, change).await]
            }
        }
    }

    /// One change on its own.
    async fn apply_change(&self, index: usize, change: &Change) -> Done {
        let applied = (Outcome::Applied { read_back: false }, None);
        match change {
            Change::Create { route } => match self.create_called_route(route).await {
                Ok(_) => Done::new(index, applied),
                Err(e) => Done::new(index, (failed(e), None)),
            },
            Change::Modify { live, route } => {
                let result = match RouteChange::new(live, route.device()) {
                    Ok(modify) => self.modify_called_route(&modify).await.map(|_| ()),
                    Err(e) => Err(e),
                };
                match result {
                    Ok(()) => Done::new(index, applied),
                    Err(e) => Done::new(index, (failed(e), None)),
                }
            }
            Change::Delete { live } => match self.delete_live(live).await {
                Ok(()) => Done::new(index, applied),
                Err(e) => Done::new(index, (failed(e), None)),
            },
            Change::Replace { live, route } => {
                let swap = self.swap(live, route).await;
                let (outcome, note) = match (swap.delete, swap.create) {
                    // The delete did not go through: the route is as it was.
                    (delete @ (Outcome::Failed { .. } | Outcome::Unknown { .. }), _) => {
                        (delete, None)
                    }
                    (_, create) => create,
                };
                Done {
                    index,
                    outcome,
                    note,
                    restore: swap.restore,
                }
            }
        }
    }

    /// Deletes `live` and creates `route` in its place, with the checks
    /// before and the restore after that keep the number routed.
    async fn swap(&self, live: &Route, route: &CalledRoute) -> Swap {
        let not_started = || (Outcome::Skipped, None);
        let old = match restorable(live) {
            Ok(old) => old,
            Err(error) => {
                return Swap {
                    delete: failed(error),
                    create: not_started(),
                    restore: None,
                };
            }
        };
        if let Err(error) = self.check_create(route).await {
            // Nothing that changes a route was sent: a lost answer to the
            // check's query leaves nothing unknown.
            return Swap {
                delete: Outcome::Failed {
                    error,
                    read_back: false,
                },
                create: not_started(),
                restore: None,
            };
        }
        if let Err(error) = self.delete_live(live).await {
            let delete = failed(error);
            let Outcome::Unknown { error } = delete else {
                return Swap {
                    delete,
                    create: not_started(),
                    restore: None,
                };
            };
            // Whether the delete went through decides whether to go on.
            match self
                .route_at(&live.access_code, live.ext_code.as_deref())
                .await
            {
                Ok(None) => {}
                Ok(Some(now)) if now.dnid == live.dnid => {
                    return Swap {
                        delete: Outcome::Failed {
                            error,
                            read_back: true,
                        },
                        create: not_started(),
                        restore: None,
                    };
                }
                _ => {
                    return Swap {
                        delete: Outcome::Unknown { error },
                        create: not_started(),
                        restore: None,
                    };
                }
            }
        }
        let applied = Outcome::Applied { read_back: false };
        let error = match self.create_called_route(route).await {
            Ok(_) => {
                return Swap {
                    delete: applied.clone(),
                    create: (applied, None),
                    restore: None,
                };
            }
            Err(error) => error,
        };
        let read_back = outcome_unknown(&error);
        if read_back {
            match self.route_at(route.access_code(), route.ext_code()).await {
                Ok(None) => {}
                Ok(Some(now)) if same_device(&now, route.device()) && same_media(&now, route) => {
                    return Swap {
                        delete: applied,
                        create: (Outcome::Applied { read_back: true }, None),
                        restore: None,
                    };
                }
                Ok(Some(now)) => {
                    return Swap {
                        delete: applied,
                        create: (
                            Outcome::Unknown { error },
                            Some(format!(
                                "the read-back found another route at this key: {}",
                                now.device
                            )),
                        ),
                        restore: None,
                    };
                }
                Err(_) => {
                    let restore = Restore {
                        route: old,
                        error: Some(error.clone()),
                    };
                    return Swap {
                        delete: applied,
                        create: (
                            Outcome::Unknown { error },
                            Some(format!(
                                "the old route was deleted and whether the new one was created \
                                 could not be read back; if the number has no route, restore \
                                 the old one: {}",
                                restore.command()
                            )),
                        ),
                        restore: Some(restore),
                    };
                }
            }
        }
        let restore = self.restore(old).await;
        Swap {
            delete: applied,
            create: (
                Outcome::Failed { error, read_back },
                Some(restore_note(&restore)),
            ),
            restore: Some(restore),
        }
    }

    /// Re-creates a route a delete took away; a lost answer is read back.
    async fn restore(&self, old: CalledRoute) -> Restore {
        let error = match self.create_called_route(&old).await {
            Ok(_) => None,
            Err(error) if outcome_unknown(&error) => {
                match self.route_at(old.access_code(), old.ext_code()).await {
                    Ok(Some(now)) if same_device(&now, old.device()) && same_media(&now, &old) => {
                        None
                    }
                    _ => Some(error),
                }
            }
            Err(error) => Some(error),
        };
        Restore { route: old, error }
    }

    /// The checks a create can pass before it is sent, beyond those of
    /// [`CalledRoute`]: the access code is the tenant's and takes the
    /// route's media type.
    async fn check_create(&self, route: &CalledRoute) -> Result<(), Error> {
        let codes = self
            .access_codes(&AccessCodeFilter::new().access_code(route.access_code())?)
            .await?;
        let Some(code) = codes.iter().find(|c| c.code == route.access_code()) else {
            return Err(Error::invalid(
                "accessCode",
                format!(
                    "`{}` is not one of the tenant's access codes, so the new route would be \
                     refused; the old route was left as it is",
                    route.access_code()
                ),
            ));
        };
        let media = route.media_type().unwrap_or(MediaType::VoiceAndVideo);
        if let Some(Listed::Known(own)) = &code.media_type
            && !own.allowed_for_access_code().contains(&media)
        {
            return Err(Error::invalid(
                "mediaType",
                format!(
                    "access code `{}` is {own}, so it does not take {media}: the new route would \
                     be refused; the old route was left as it is",
                    route.access_code()
                ),
            ));
        }
        Ok(())
    }

    /// The live route at one key, if any.
    async fn route_at(
        &self,
        access_code: &str,
        ext_code: Option<&str>,
    ) -> Result<Option<Route>, Error> {
        let live = self
            .routes_of_access_codes(&[access_code.to_owned()])
            .await?;
        Ok(live.into_iter().find(|r| r.ext_code.as_deref() == ext_code))
    }

    async fn delete_live(&self, live: &Route) -> Result<(), Error> {
        let dnid = live
            .dnid
            .ok_or_else(|| Error::invalid("dnids", "the route has no dnid"))?;
        self.delete_called_routes(&[dnid]).await.map(|_| ())
    }

    /// Settles unknown outcomes from the live routes of their access codes.
    async fn read_back(&self, report: &mut ApplyReport) {
        let unknown: Vec<bool> = report
            .results
            .iter()
            .map(|r| matches!(r.outcome, Outcome::Unknown { .. }))
            .collect();
        let mut codes: Vec<String> = report
            .results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Unknown { .. }))
            .map(|r| r.change.access_code().to_owned())
            .collect();
        if codes.is_empty() {
            return;
        }
        codes.sort();
        codes.dedup();
        let live = match self.routes_of_access_codes(&codes).await {
            Ok(live) => live,
            Err(error) => {
                tracing::warn!(%error, "the live routes could not be read back; outcomes stay unknown");
                return;
            }
        };
        report.read_back = true;
        let by_key: HashMap<(&str, Option<&str>), &Route> = live
            .iter()
            .map(|r| ((r.access_code.as_str(), r.ext_code.as_deref()), r))
            .collect();
        for result in report
            .results
            .iter_mut()
            .filter(|r| matches!(r.outcome, Outcome::Unknown { .. }))
        {
            let now = by_key
                .get(&(result.change.access_code(), result.change.ext_code()))
                .copied();
            let Outcome::Unknown { error } = &result.outcome else {
                continue;
            };
            let error = error.clone();
            let (outcome, note) = settle(&result.change, now, error);
            result.outcome = outcome;
            result.note = note;
            if result.outcome.is_applied() {
                result.restore = None;
            }
            // A replace whose delete went through unseen and whose create
            // did not: put the old route back.
            if let (Change::Replace { live, .. }, None, Outcome::Failed { .. }) =
                (&result.change, now, &result.outcome)
                && let Ok(old) = restorable(live)
            {
                let restore = self.restore(old).await;
                result.note = Some(restore_note(&restore));
                result.restore = Some(restore);
            }
        }
        // The same for a delete that a create of the same route follows:
        // the delete went through, the create did not, the number is empty.
        let changes: Vec<Change> = report.results.iter().map(|r| r.change.clone()).collect();
        for unit in units(&changes) {
            let [delete, create] = unit[..] else {
                continue;
            };
            let (gone, wanted) = (&report.results[delete], &report.results[create]);
            if let Change::Delete { live } = &gone.change
                && (unknown[delete] || unknown[create])
                && gone.outcome.is_applied()
                && !wanted.outcome.is_applied()
                && wanted.restore.as_ref().is_none_or(|r| !r.restored())
                && !by_key.contains_key(&(live.access_code.as_str(), live.ext_code.as_deref()))
                && let Ok(old) = restorable(live)
            {
                let restore = self.restore(old).await;
                let wanted = &mut report.results[create];
                wanted.note = Some(restore_note(&restore));
                wanted.restore = Some(restore);
            }
        }
    }
}

/// What a result says of a route a delete took away.
fn restore_note(restore: &Restore) -> String {
    match &restore.error {
        None => format!(
            "the new route was not created, so the old one was re-created at once: {}",
            restore.route
        ),
        Some(error) => format!(
            "the new route was not created and re-creating the old one failed too ({error}): \
             the number has no route; restore it with: {}",
            restore.command()
        ),
    }
}

/// What the live route `now` (at the change's key) says about a change
/// whose answer was lost.
fn settle(change: &Change, now: Option<&Route>, error: Error) -> (Outcome, Option<String>) {
    let applied = (Outcome::Applied { read_back: true }, None);
    let not_applied = |error: Error, note: Option<&str>| {
        (
            Outcome::Failed {
                error,
                read_back: true,
            },
            note.map(str::to_owned),
        )
    };
    let is_target = |live: &Route| {
        change
            .target()
            .is_some_and(|t| same_device(live, t.device()) && same_media(live, t))
    };
    match (change, now) {
        (Change::Create { .. }, None) => not_applied(error, None),
        (Change::Create { .. } | Change::Modify { .. }, Some(live)) if is_target(live) => applied,
        (Change::Modify { live: before, .. }, Some(live))
            if live.dnid == before.dnid && live.device == before.device =>
        {
            not_applied(error, None)
        }
        (Change::Delete { .. }, None) => applied,
        (Change::Delete { live: before }, Some(live)) if live.dnid == before.dnid => {
            not_applied(error, None)
        }
        (Change::Replace { .. }, Some(live)) if is_target(live) => applied,
        (Change::Replace { live: before, .. }, Some(live)) if live.dnid == before.dnid => {
            not_applied(error, None)
        }
        (Change::Replace { .. }, None) => not_applied(error, Some(ROUTE_GONE)),
        (_, now) => (
            Outcome::Unknown { error },
            Some(match now {
                Some(live) => format!(
                    "the read-back found another route at this key: {} (dnid {})",
                    live.device,
                    live.dnid.map_or_else(|| "-".to_owned(), |d| d.to_string())
                ),
                None => "the read-back found no route at this key".to_owned(),
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    //! Every decision of `settle`, and the grouping and checks around it.

    use super::*;
    use crate::device::Device;

    /// The extension code of a change whose task panics (in these tests
    /// only).
    pub(super) const PANICS: &str = "0000";

    fn live(dnid: i64, device: Device, media: Option<MediaType>) -> Route {
        let mut route = Route::new("9911411", device);
        route.ext_code = Some("1".into());
        route.dnid = Some(dnid);
        route.media_type = media.map(Listed::Known);
        route
    }

    fn wanted(device: Device, media: Option<MediaType>) -> CalledRoute {
        let route = CalledRoute::new("9911411", device)
            .unwrap()
            .with_ext_code("1")
            .unwrap();
        match media {
            Some(media) => route.with_media_type(media).unwrap(),
            None => route,
        }
    }

    fn lost() -> Error {
        Error::Timeout {
            timeout: std::time::Duration::from_secs(1),
        }
    }

    /// The decision, in one word, and the note.
    fn decide(change: &Change, now: Option<&Route>) -> (&'static str, Option<String>) {
        let (outcome, note) = settle(change, now, lost());
        let word = match outcome {
            Outcome::Applied { read_back: true } => "applied",
            Outcome::Failed {
                read_back: true, ..
            } => "not applied",
            Outcome::Unknown { .. } => "unknown",
            other => panic!("settle never decides {other:?}"),
        };
        (word, note)
    }

    const Q1: Device = Device::SkillQueue(1);
    const IVR7: Device = Device::Ivr(7);
    const IVR8: Device = Device::Ivr(8);

    #[test]
    fn a_create_is_applied_only_when_its_route_is_there() {
        let create = Change::Create {
            route: wanted(IVR7, Some(MediaType::Video)),
        };
        assert_eq!(decide(&create, None), ("not applied", None));
        let made = live(5, IVR7, Some(MediaType::Video));
        assert_eq!(decide(&create, Some(&made)).0, "applied");
        // Another device, or the same device on another media type: not
        // the create's route.
        let other = live(5, IVR8, Some(MediaType::Video));
        assert_eq!(
            decide(&create, Some(&other)),
            (
                "unknown",
                Some("the read-back found another route at this key: IVR flow 8 (dnid 5)".into())
            )
        );
        let other_media = live(5, IVR7, None);
        assert_eq!(decide(&create, Some(&other_media)).0, "unknown");
    }

    #[test]
    fn a_create_without_a_media_type_matches_the_default_one() {
        let create = Change::Create {
            route: wanted(IVR7, None),
        };
        assert_eq!(decide(&create, Some(&live(5, IVR7, None))).0, "applied");
        assert_eq!(
            decide(
                &create,
                Some(&live(5, IVR7, Some(MediaType::VoiceAndVideo)))
            )
            .0,
            "applied"
        );
    }

    #[test]
    fn a_modify_is_decided_by_the_device_of_the_same_route() {
        let before = live(2, Q1, None);
        let modify = Change::Modify {
            live: before.clone(),
            route: wanted(IVR7, None),
        };
        assert_eq!(decide(&modify, Some(&live(2, IVR7, None))).0, "applied");
        assert_eq!(
            decide(&modify, Some(&before)),
            ("not applied", None),
            "the same route, unchanged"
        );
        // The same route on a third device, or another route on the old
        // device: someone else was here.
        assert_eq!(decide(&modify, Some(&live(2, IVR8, None))).0, "unknown");
        assert_eq!(decide(&modify, Some(&live(3, Q1, None))).0, "unknown");
        assert_eq!(
            decide(&modify, None),
            (
                "unknown",
                Some("the read-back found no route at this key".into())
            )
        );
    }

    #[test]
    fn a_delete_is_applied_when_the_key_is_empty() {
        let before = live(2, Q1, None);
        let delete = Change::Delete {
            live: before.clone(),
        };
        assert_eq!(decide(&delete, None), ("applied", None));
        assert_eq!(decide(&delete, Some(&before)), ("not applied", None));
        // A route of another dnid is not the one deleted.
        let (word, note) = decide(&delete, Some(&live(9, Q1, None)));
        assert_eq!(word, "unknown");
        assert!(note.unwrap().contains("(dnid 9)"));
    }

    #[test]
    fn a_delete_is_never_taken_as_applied_because_a_route_is_there() {
        // Even one that looks like what a create would make: a delete has
        // no target.
        let before = live(2, Q1, None);
        let delete = Change::Delete { live: before };
        let mut other = live(9, Q1, None);
        other.dnid = None;
        let (word, note) = decide(&delete, Some(&other));
        assert_eq!(word, "unknown");
        assert!(note.unwrap().ends_with("(dnid -)"));
    }

    #[test]
    fn a_replace_is_decided_by_the_route_at_its_key() {
        let before = live(2, IVR7, None);
        let replace = Change::Replace {
            live: before.clone(),
            route: wanted(IVR7, Some(MediaType::Video)),
        };
        assert_eq!(
            decide(&replace, Some(&live(6, IVR7, Some(MediaType::Video)))).0,
            "applied"
        );
        assert_eq!(
            decide(&replace, Some(&before)),
            ("not applied", None),
            "the delete did not go through"
        );
        assert_eq!(
            decide(&replace, None),
            ("not applied", Some(ROUTE_GONE.to_owned())),
            "deleted, not created"
        );
        assert_eq!(decide(&replace, Some(&live(6, IVR8, None))).0, "unknown");
        assert_eq!(
            decide(&replace, Some(&live(2, IVR8, Some(MediaType::Video)))).0,
            "not applied",
            "the same route (dnid) is still there"
        );
    }

    #[test]
    fn settle_keeps_the_error_it_was_given() {
        let create = Change::Create {
            route: wanted(IVR7, None),
        };
        let (outcome, _) = settle(&create, None, lost());
        assert!(matches!(outcome.error(), Some(Error::Timeout { .. })));
    }

    #[test]
    fn a_delete_and_a_create_of_the_same_key_run_as_one_unit() {
        let other = {
            let mut r = live(4, Q1, None);
            r.ext_code = Some("2".into());
            r
        };
        let mut plan = Plan {
            changes: vec![
                Change::Delete {
                    live: live(2, Q1, None),
                },
                Change::Delete { live: other },
                Change::Create {
                    route: wanted(IVR7, None),
                },
                Change::Create {
                    route: CalledRoute::new("9911411", IVR8).unwrap(),
                },
            ],
            ..Plan::default()
        };
        assert_eq!(units(&plan.changes), [vec![0, 2], vec![1], vec![3]]);
        plan.changes.swap(0, 2);
        assert_eq!(
            units(&plan.changes),
            [vec![2, 0], vec![1], vec![3]],
            "the delete first, in the plan's order of the unit's earliest change"
        );
    }

    #[test]
    fn one_create_pairs_with_one_delete_only() {
        let plan = Plan {
            changes: vec![
                Change::Delete {
                    live: live(2, Q1, None),
                },
                Change::Delete {
                    live: live(3, Q1, None),
                },
                Change::Create {
                    route: wanted(IVR7, None),
                },
            ],
            ..Plan::default()
        };
        assert_eq!(units(&plan.changes), [vec![0, 2], vec![1]]);
    }

    #[test]
    fn an_old_route_is_restorable_only_when_it_can_be_described() {
        let old = restorable(&live(2, IVR7, Some(MediaType::Video))).unwrap();
        assert_eq!(old, wanted(IVR7, Some(MediaType::Video)));
        assert_eq!(
            restorable(&live(2, IVR7, None)).unwrap(),
            wanted(IVR7, None)
        );
        let mut undocumented = live(2, IVR7, None);
        undocumented.device = Listed::Unknown("devicetype 9, deviceId 1".into());
        assert!(restorable(&undocumented).is_err());
        let mut odd_media = live(2, IVR7, None);
        odd_media.media_type = Some(Listed::Unknown("77".into()));
        assert!(restorable(&odd_media).is_err());
        let mut bare = live(2, IVR7, None);
        bare.ext_code = None;
        assert_eq!(restorable(&bare).unwrap().ext_code(), None);
    }

    #[test]
    fn the_restore_command_quotes_what_a_shell_would_read() {
        let star = CalledRoute::new("9911411", Q1)
            .unwrap()
            .with_ext_code("1*#")
            .unwrap()
            .with_media_type(MediaType::Video)
            .unwrap();
        assert_eq!(
            Restore::command_for(&star),
            "cec-routes create --access-code 9911411 --ext-code '1*#' --skill-queue 1 \
             --media-type video"
        );
        let restore = Restore {
            route: star.clone(),
            error: None,
        };
        assert!(restore.restored());
        assert_eq!(restore.command(), Restore::command_for(&star));
        assert_eq!(shell_word("9911411"), "9911411");
        assert_eq!(shell_word("*1"), "'*1'");
        assert_eq!(shell_word("a'b"), r"'a'\''b'");
        assert_eq!(shell_word(""), "''");
        assert!(restore_note(&restore).contains("re-created at once"));
        let failed = Restore {
            route: star,
            error: Some(lost()),
        };
        assert!(!failed.restored());
        assert!(restore_note(&failed).contains("restore it with: cec-routes create"));
    }

    #[test]
    fn only_a_lost_answer_leaves_an_outcome_unknown() {
        assert!(outcome_unknown(&lost()));
        assert!(!outcome_unknown(&Error::invalid("x", "y")));
        assert!(matches!(failed(lost()), Outcome::Unknown { .. }));
        assert!(matches!(
            failed(Error::invalid("x", "y")),
            Outcome::Failed {
                read_back: false,
                ..
            }
        ));
    }

    #[test]
    fn the_report_counts_each_outcome_and_the_routes_left_without_one() {
        let change = Change::Create {
            route: wanted(IVR7, None),
        };
        let result = |outcome, restore| ChangeResult {
            change: change.clone(),
            outcome,
            note: None,
            restore,
        };
        let restore = |error| Restore {
            route: wanted(IVR7, None),
            error,
        };
        let report = ApplyReport {
            results: vec![
                result(Outcome::Applied { read_back: false }, None),
                result(
                    Outcome::Failed {
                        error: lost(),
                        read_back: false,
                    },
                    Some(restore(None)),
                ),
                result(
                    Outcome::Failed {
                        error: lost(),
                        read_back: true,
                    },
                    Some(restore(Some(lost()))),
                ),
                result(Outcome::Unknown { error: lost() }, None),
                result(Outcome::Skipped, None),
            ],
            read_back: true,
            interrupted: false,
        };
        assert_eq!(
            (
                report.applied(),
                report.failed(),
                report.unknown(),
                report.skipped()
            ),
            (1, 2, 1, 1)
        );
        assert!(!report.all_applied());
        assert_eq!(report.restored().count(), 1);
        assert_eq!(report.unrouted().count(), 1);
        assert!(report.unrouted().all(|r| !r.restored()));
    }

    fn create(ext: &str) -> Change {
        Change::Create {
            route: CalledRoute::new("9911411", IVR7)
                .unwrap()
                .with_ext_code(ext)
                .unwrap(),
        }
    }

    /// A client of a server that is not there: every request is refused
    /// before it is sent.
    fn unreachable_client() -> Client {
        Client::builder()
            .base_url("http://127.0.0.1:9")
            .allow_insecure_http(true)
            .app_key("key")
            .token("token")
            .retry_policy(crate::RetryPolicy::none())
            .connect_retries(0)
            .build()
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_change_whose_task_panics_is_reported_unknown_and_the_others_run() {
        let plan = Plan {
            changes: vec![create("1"), create(PANICS), create("2")],
            ..Plan::default()
        };
        let mut ended = Vec::new();
        let report = unreachable_client()
            .apply_plan(&plan, ApplyOptions::new().parallel(2), |r| {
                ended.push(r.change.ext_code().map(str::to_owned));
            })
            .await;
        assert_eq!(ended.len(), 3, "each change is passed to the callback");
        let order: Vec<_> = report.results.iter().map(|r| r.change.ext_code()).collect();
        assert_eq!(order, [Some("1"), Some(PANICS), Some("2")]);
        let broken = &report.results[1];
        assert!(
            matches!(&broken.outcome, Outcome::Unknown { error }
                if error.to_string().contains("panicked (a test asked this unit to panic)")),
            "{broken:#?}"
        );
        assert!(broken.note.as_deref().unwrap().contains("read-back"));
        // Nothing listens: the others were refused before they were sent,
        // and the read-back could not be made.
        assert!(!report.read_back);
        for other in [&report.results[0], &report.results[2]] {
            assert!(
                matches!(
                    other.outcome,
                    Outcome::Failed {
                        read_back: false,
                        ..
                    }
                ),
                "{other:#?}"
            );
        }
    }

    #[test]
    fn options_keep_what_they_were_given() {
        let options = ApplyOptions::new().parallel(0).fail_fast(true);
        assert_eq!(options.parallelism(), 1, "at least one");
        assert!(options.fails_fast());
        assert_eq!(ApplyOptions::new().parallelism(), DEFAULT_PARALLEL);
        assert!(!ApplyOptions::new().fails_fast());
    }
}
