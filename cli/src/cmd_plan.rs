//! `cec-routes plan`: what it takes to make the live routes what a routes
//! file says.

use std::{path::PathBuf, process::ExitCode};

use crate::error::Error;
use cec_routes::{
    ClientBuilder,
    plan::{PlanOptions, RoutesFile},
};

use crate::{
    cmd_check, exit,
    output::{Output, plan_json, plan_text},
    routes_input,
};

/// The flags plan and apply share: the file and what the plan may do.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The routes file: YAML (see examples/routes.yaml), or JSON as list and export print it;
    /// `-` reads stdin
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: PathBuf,

    /// Delete live routes the file does not list (only under the access codes the file names)
    #[arg(long)]
    pub prune: bool,

    /// Change media types by deleting and re-creating the route (leaves a moment with no route)
    #[arg(long)]
    pub allow_replace: bool,
}

impl PlanArgs {
    pub fn options(&self) -> PlanOptions {
        PlanOptions::new()
            .prune(self.prune)
            .allow_replace(self.allow_replace)
    }

    /// The file's name as the output shows it (`stdin` for `-`).
    pub fn source(&self) -> String {
        routes_input::source_name(&self.file)
    }

    /// Whether the file is read from stdin.
    pub fn reads_stdin(&self) -> bool {
        routes_input::is_stdin(&self.file)
    }

    /// Reads the routes file; every problem at once, nothing sent.
    pub fn load(&self) -> Result<RoutesFile, Error> {
        routes_input::load(&self.file)
    }
}

/// Show what apply would change (reads the live routes, changes nothing)
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub plan: PlanArgs,

    /// Exit 0 when nothing differs, 2 when something does (changes, locked routes, or replaces
    /// waiting for --allow-replace), another code for errors
    #[arg(long)]
    pub detailed_exitcode: bool,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<ExitCode, Error> {
    let file = args.plan.load()?;
    let client = config.build()?;
    let (file, tenant) =
        match cmd_check::before_planning(&client, &file, &args.plan.source(), out).await? {
            Ok(checked) => checked,
            Err(problems) => return Ok(problems),
        };
    let plan = client
        .plan_checked(&file, &tenant, args.plan.options())
        .await?;
    let source = args.plan.source();
    let text = cmd_check::with_names(&plan_text(&plan, &source, &file), &tenant);
    out.result(&text, plan_json(&plan, &source));
    Ok(if args.detailed_exitcode && !plan.is_converged() {
        ExitCode::from(exit::CHANGES)
    } else {
        ExitCode::SUCCESS
    })
}
