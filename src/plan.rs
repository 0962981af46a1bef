//! Routing as code: a routes file that says which routes CEC should hold, a
//! [`Plan`] of what it takes to get there from the live routes, and
//! [`Client::apply_plan`](crate::Client::apply_plan) to carry it out safely.
//!
//! Always built: the routes file is plain YAML read with `saphyr`.
//!
//! - [`RoutesFile`] reads the YAML file and reports every problem at once,
//!   each with its line and column ([`RoutesFileError`]); [`RoutesFile::export`]
//!   writes live routes back as a file, in a stable order.
//! - [`check`] checks a file against a [`Tenant`] (its access codes, skill
//!   queues and IVR flows, [`Client::tenant`](crate::Client::tenant)) before
//!   anything is sent, every problem at the value at fault, and resolves
//!   targets given by name (`skillQueue: defaultVideoSkill`);
//!   [`Tenant::with_names`] writes them back by name, as `export` does.
//! - [`Plan::new`] (or [`Client::plan_routes`](crate::Client::plan_routes),
//!   which reads the live routes first) compares, route by route (access code
//!   and extension code): create, modify (the device changes), replace (the
//!   media type changes: delete, then create; only with
//!   [`PlanOptions::allow_replace`]), delete (live routes the file does not
//!   list, only with [`PlanOptions::prune`] and only under the file's access
//!   codes), unchanged, and locked (what the route's `editable` state forbids:
//!   reported, never attempted).
//! - [`Client::apply_plan`](crate::Client::apply_plan) runs the changes with
//!   bounded concurrency, never resends one that may have reached CEC (the
//!   client's [`RetryPolicy`](crate::RetryPolicy) resends a write only after
//!   an answer that shows it was not carried out), and reads the live routes
//!   back to settle every change whose outcome is unknown ([`ApplyReport`]).
//!
//! # Examples
//!
//! ```no_run
//! use cec_routes::{
//!     Client,
//!     plan::{ApplyOptions, PlanOptions, RoutesFile},
//! };
//!
//! # async fn run(client: Client) -> Result<(), cec_routes::Error> {
//! let file = RoutesFile::load("routes.yaml")?;
//! let plan = client.plan_routes(&file, PlanOptions::new().prune(true)).await?;
//! let report = client.apply_plan(&plan, ApplyOptions::new(), |_| {}).await;
//! println!("{} applied, {} failed, {} unknown", report.applied(), report.failed(), report.unknown());
//! # Ok(())
//! # }
//! ```

mod apply;
mod check;
mod diff;
mod file;
mod guard;
mod saved;

pub use apply::{
    ApplyOptions, ApplyReport, CancellationToken, ChangeResult, DEFAULT_PARALLEL, Outcome, Restore,
};
pub use check::{Tenant, check};
pub use diff::{Change, ChangeKind, Held, Plan, PlanOptions};
pub use file::{FileRoute, Problem, RoutesExport, RoutesFile, RoutesFileError, RoutesFileWriter};
pub use guard::{BlastRadius, DEFAULT_MAX_CHANGE, GUARD_MIN_MANAGED};
pub use saved::{Drift, PLAN_FORMAT_VERSION, SavedPlan, SavedPlanError};
