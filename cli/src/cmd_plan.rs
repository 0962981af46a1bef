//! `cec-routes plan`: what it takes to make the live routes what a routes
//! file says; `--out` saves the plan for `apply --plan`.

use std::{path::PathBuf, process::ExitCode};

use crate::error::Error;
use cec_routes::{
    ClientBuilder,
    plan::{BlastRadius, DEFAULT_MAX_CHANGE, Plan, PlanOptions, RoutesFile, SavedPlan, Tenant},
};

use crate::{
    cmd_check, exit,
    output::{self, Output, plan_json, plan_markdown, plan_text},
    routes_input,
};

/// The flags plan and apply share: the file and what the plan may do.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The routes file: YAML (see examples/routes.yaml), or JSON as list and export print it;
    /// `-` reads stdin
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Delete live routes the file does not list (only under the access codes the file names)
    #[arg(long)]
    pub prune: bool,

    /// Change media types by deleting and re-creating the route (the old route is re-created if
    /// the new one is refused)
    #[arg(long)]
    pub allow_replace: bool,

    /// Refuse a plan that deletes or replaces more than this share of the routes it manages
    /// (when it manages 10 or more)
    #[arg(long, value_name = "SHARE", default_value_t = DEFAULT_MAX_CHANGE, value_parser = share)]
    pub max_change: f64,

    /// Go on with a plan --max-change refuses
    #[arg(long)]
    pub force: bool,
}

/// A share from 0 to 1: `0.3`, or `30%`.
fn share(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.strip_suffix('%') {
        Some(percent) => (percent, 100.0),
        None => (text, 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(n) if (0.0..=1.0).contains(&(n / scale)) => Ok(n / scale),
        _ => Err("give a share from 0 to 1 (0.3) or a percentage (30%)".to_owned()),
    }
}

impl PlanArgs {
    pub fn options(&self) -> PlanOptions {
        PlanOptions::new()
            .prune(self.prune)
            .allow_replace(self.allow_replace)
    }

    fn path(&self) -> Result<&PathBuf, Error> {
        self.file.as_ref().ok_or_else(|| Error::InvalidInput {
            field: "--file",
            reason: "give the routes file with -f".into(),
        })
    }

    /// The file's name as the output shows it (`stdin` for `-`).
    pub fn source(&self) -> String {
        self.file
            .as_deref()
            .map(routes_input::source_name)
            .unwrap_or_default()
    }

    /// Whether the file is read from stdin.
    pub fn reads_stdin(&self) -> bool {
        self.file.as_deref().is_some_and(routes_input::is_stdin)
    }

    /// The guard's refusal of a plan of this radius, unless --force: the
    /// message on stderr and the exit code.
    pub fn guard(&self, radius: BlastRadius) -> Option<ExitCode> {
        if self.force || !radius.exceeds(self.max_change) {
            return None;
        }
        output::stderr(&format!(
            "error: {radius}, more than --max-change {:.0}%; nothing was changed. A routes file \
             cut short prunes every route it lost: check it, and pass --force to go on",
            self.max_change * 100.0
        ));
        Some(ExitCode::from(exit::GUARD))
    }

    /// Reads the routes file; every problem at once, nothing sent.
    pub fn load(&self) -> Result<RoutesFile, Error> {
        routes_input::load(self.path()?)
    }

    /// Reads the routes file and keeps its bytes (for a saved plan's digest).
    pub fn load_with_text(&self) -> Result<(RoutesFile, String), Error> {
        let path = self.path()?;
        let name = routes_input::source_name(path);
        let text = routes_input::read_text(path, &name)?;
        Ok((routes_input::parse(&text, &name)?, text))
    }
}

/// Show what apply would change (reads the live routes, changes nothing)
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("routes").required(true).args(["file"])))]
pub struct Args {
    #[command(flatten)]
    pub plan: PlanArgs,

    /// Exit 0 when nothing differs, 2 when something does (changes, locked routes, or replaces
    /// waiting for --allow-replace), another code for errors
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Also write the plan to this file (JSON, formatVersion 1), for `apply --plan`
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<ExitCode, Error> {
    // The file's text is kept only for the saved plan's digest, and the
    // file as written only until it is checked.
    let (file, text) = match &args.out {
        Some(_) => {
            let (file, text) = args.plan.load_with_text()?;
            (file, Some(text))
        }
        None => (args.plan.load()?, None),
    };
    let client = config.build()?;
    let checked = cmd_check::before_planning(&client, &file, &args.plan.source(), out).await?;
    drop(file);
    let (file, tenant) = match checked {
        Ok(checked) => checked,
        Err(problems) => return Ok(problems),
    };
    let plan = client
        .plan_checked(&file, &tenant, args.plan.options())
        .await?;
    let source = args.plan.source();
    if let Some(refused) = args.plan.guard(BlastRadius::of(&plan)) {
        print(&plan, &source, &file, &tenant, out);
        return Ok(refused);
    }
    if let Some(path) = &args.out {
        let saved = SavedPlan::new(&plan, &source, text.unwrap_or_default().as_bytes());
        std::fs::write(path, saved.to_json()).map_err(|e| Error::InvalidInput {
            field: "--out",
            reason: format!("the plan could not be written to {}: {e}", path.display()),
        })?;
    }
    print(&plan, &source, &file, &tenant, out);
    if let Some(path) = &args.out
        && !out.is_json()
    {
        output::stderr(&format!(
            "Saved the plan to {}: `cec-routes apply --plan {}` applies exactly it.",
            output::escape(&path.display().to_string()),
            output::escape(&path.display().to_string())
        ));
    }
    Ok(if args.detailed_exitcode && !plan.is_converged() {
        ExitCode::from(exit::CHANGES)
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints a plan: Markdown for `-o markdown`, JSON for `-o json`, else text
/// with the name beside every id.
pub fn print(plan: &Plan, source: &str, file: &RoutesFile, tenant: &Tenant, out: &Output) {
    if out.is_markdown() {
        output::stdout(&plan_markdown(plan, source));
        return;
    }
    let text = cmd_check::with_names(&plan_text(plan, source, file), tenant);
    out.result(&text, || plan_json(plan, source));
}
