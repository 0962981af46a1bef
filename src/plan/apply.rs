//! Carrying out a plan: bounded concurrency, no blind retry, and a read-back
//! of every change whose outcome is unknown.

use std::{
    collections::HashMap,
    sync::atomic::{AtomicBool, Ordering},
};

use futures::StreamExt;

use super::diff::{Change, Plan, same_device, same_media};
use crate::{
    client::Client, error::Error, modify_called_route::RouteChange, query_called_route::Route,
};

/// How many changes [`Client::apply_plan`] runs at once unless told.
pub const DEFAULT_PARALLEL: usize = 4;

/// How a plan is carried out.
///
/// # Examples
///
/// ```
/// use cec_routes::plan::ApplyOptions;
///
/// let options = ApplyOptions::new().parallel(8).fail_fast(true);
/// assert_eq!(options.parallelism(), 8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct ApplyOptions {
    parallel: usize,
    fail_fast: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            parallel: DEFAULT_PARALLEL,
            fail_fast: false,
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
    /// Not started, because an earlier change failed and `fail_fast` was on.
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
    /// whose delete succeeded and whose create did not: the route is gone).
    pub note: Option<String>,
}

/// Every change of a plan and what became of it, in the plan's order.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ApplyReport {
    /// One result per change of the plan.
    pub results: Vec<ChangeResult>,
    /// Whether the live routes were read back to settle unknown outcomes.
    pub read_back: bool,
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

impl Client {
    /// Carries out `plan`: at most [`ApplyOptions::parallel`] changes at
    /// once, each reported to `on_result` as it ends (before any
    /// read-back).
    ///
    /// A change that fails is not tried again, beyond what the client's
    /// [`RetryPolicy`](crate::RetryPolicy) resends (for a write, only after
    /// an answer that shows it was not carried out, such as a 429). The
    /// client's rate cap
    /// ([`ClientBuilder::max_requests_per_second`](crate::ClientBuilder::max_requests_per_second))
    /// holds across the parallel changes. When the outcome of one is
    /// unknown (it may have reached CEC: a timeout, a lost connection, a
    /// 500), the live routes of its access code are read back once every
    /// change has ended, and the report says what actually happened. A
    /// replace is a delete, then a create; if the create fails, the note
    /// says the route is missing. Planning again after any failure plans
    /// only what is still missing.
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
        let stop = AtomicBool::new(false);
        let mut results: Vec<Option<ChangeResult>> = vec![None; plan.changes.len()];
        let mut running = futures::stream::iter(plan.changes.iter().enumerate())
            .map(|(index, change)| {
                let stop = &stop;
                async move {
                    if options.fail_fast && stop.load(Ordering::SeqCst) {
                        return (index, Outcome::Skipped, None);
                    }
                    let (outcome, note) = self.apply_change(change).await;
                    if options.fail_fast && !outcome.is_applied() {
                        stop.store(true, Ordering::SeqCst);
                    }
                    (index, outcome, note)
                }
            })
            .buffer_unordered(options.parallel.max(1));
        while let Some((index, outcome, note)) = running.next().await {
            let result = ChangeResult {
                change: plan.changes[index].clone(),
                outcome,
                note,
            };
            on_result(&result);
            results[index] = Some(result);
        }
        drop(running);
        let mut report = ApplyReport {
            results: results
                .into_iter()
                .map(|r| r.expect("every change ends with a result"))
                .collect(),
            read_back: false,
        };
        self.read_back(&mut report).await;
        report
    }

    /// One change: its outcome, and a note when the route is left missing.
    async fn apply_change(&self, change: &Change) -> (Outcome, Option<String>) {
        match change {
            Change::Create { route } => match self.create_called_route(route).await {
                Ok(_) => (Outcome::Applied { read_back: false }, None),
                Err(e) => (failed(e), None),
            },
            Change::Modify { live, route } => {
                let result = match RouteChange::new(live, route.device()) {
                    Ok(modify) => self.modify_called_route(&modify).await.map(|_| ()),
                    Err(e) => Err(e),
                };
                match result {
                    Ok(()) => (Outcome::Applied { read_back: false }, None),
                    Err(e) => (failed(e), None),
                }
            }
            Change::Delete { live } => match self.delete_live(live).await {
                Ok(()) => (Outcome::Applied { read_back: false }, None),
                Err(e) => (failed(e), None),
            },
            Change::Replace { live, route } => {
                if let Err(e) = self.delete_live(live).await {
                    return (failed(e), None);
                }
                match self.create_called_route(route).await {
                    Ok(_) => (Outcome::Applied { read_back: false }, None),
                    Err(e) => {
                        let unknown = outcome_unknown(&e);
                        (failed(e), (!unknown).then(|| ROUTE_GONE.to_owned()))
                    }
                }
            }
        }
    }

    async fn delete_live(&self, live: &Route) -> Result<(), Error> {
        let dnid = live
            .dnid
            .ok_or_else(|| Error::invalid("dnids", "the route has no dnid"))?;
        self.delete_called_routes(&[dnid]).await.map(|_| ())
    }

    /// Settles unknown outcomes from the live routes of their access codes.
    async fn read_back(&self, report: &mut ApplyReport) {
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
        }
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
