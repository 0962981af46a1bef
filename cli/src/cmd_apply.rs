//! `cec-routes apply`: plan from the live routes, confirm, carry out.

use std::{io::IsTerminal, process::ExitCode};

use crate::error::Error;
use cec_routes::{
    Client, ClientBuilder,
    plan::{
        ApplyOptions, ApplyReport, BlastRadius, CancellationToken, DEFAULT_PARALLEL, Plan,
        SavedPlan,
    },
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::{
    cmd_check,
    cmd_plan::PlanArgs,
    exit, interrupt,
    output::{self, Output, apply_json, apply_summary_text, change_line, plan_text},
};

/// Make the live routes what a routes file says: plan, confirm, apply
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("routes").required(true).args(["file", "plan_file"])))]
pub struct Args {
    #[command(flatten)]
    pub plan: PlanArgs,

    /// Apply exactly this saved plan (`plan --out`), after checking that the routes it touches
    /// are as they were when it was made
    #[arg(long = "plan", value_name = "FILE", conflicts_with_all = ["prune", "allow_replace"])]
    pub plan_file: Option<std::path::PathBuf>,

    /// Apply without asking; required when stdin is not a terminal
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// At most this many changes at once
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PARALLEL as u64,
          value_parser = clap::value_parser!(u64).range(1..=64))]
    pub parallel: u64,

    /// Start no further change after the first that is not applied
    #[arg(long)]
    pub fail_fast: bool,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<ExitCode, Error> {
    let (client, plan, source) = match &args.plan_file {
        Some(path) => {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidInput {
                field: "--plan",
                reason: format!("{shown} could not be read: {e}"),
            })?;
            let saved = SavedPlan::from_json(&text).map_err(|e| Error::InvalidInput {
                field: "--plan",
                reason: format!("{shown}: {e}"),
            })?;
            let client = config.build()?;
            let drift = client.plan_drift(&saved.plan).await?;
            if !drift.is_empty() {
                output::stderr(&output::drift_text(&drift, &shown));
                return Ok(ExitCode::from(exit::STALE_PLAN));
            }
            if !out.is_json() {
                output::stdout(&format!("{}\n", output::saved_plan_text(&saved, &shown)));
            }
            let radius = BlastRadius::new(BlastRadius::of(&saved.plan).destructive, saved.managed);
            if let Some(refused) = args.plan.guard(radius) {
                return Ok(refused);
            }
            if !saved.plan.has_changes() {
                out.result("Nothing to apply.", || {
                    apply_json(&saved.plan, &ApplyReport::default(), &saved.routes_file)
                });
                return Ok(ExitCode::SUCCESS);
            }
            (client, saved.plan, saved.routes_file)
        }
        None => {
            let file = args.plan.load()?;
            let source = args.plan.source();
            let client = config.build()?;
            let (file, tenant) =
                match cmd_check::before_planning(&client, &file, &source, out).await? {
                    Ok(checked) => checked,
                    Err(problems) => return Ok(problems),
                };
            let plan = client
                .plan_checked(&file, &tenant, args.plan.options())
                .await?;
            if !plan.has_changes() {
                out.result(&plan_text(&plan, &source, &file), || {
                    apply_json(&plan, &ApplyReport::default(), &source)
                });
                return Ok(ExitCode::SUCCESS);
            }
            if !out.is_json() {
                let text = cmd_check::with_names(&plan_text(&plan, &source, &file), &tenant);
                output::stdout(&format!("{text}\n"));
            }
            if let Some(refused) = args.plan.guard(BlastRadius::of(&plan)) {
                return Ok(refused);
            }
            (client, plan, source)
        }
    };
    carry_out(args, &client, &plan, &source, out).await
}

async fn carry_out(
    args: &Args,
    client: &Client,
    plan: &Plan,
    source: &str,
    out: &Output,
) -> Result<ExitCode, Error> {
    // A saved plan cannot be applied twice: the advice is to plan again.
    let saved = args.plan_file.is_some();
    if !args.yes
        && !crate::prompt::confirm(
            &format!("apply {} changes?", plan.changes.len()),
            "apply",
            "plan",
        )?
    {
        return Err(Error::InvalidInput {
            field: "apply",
            reason: "not confirmed; nothing was changed".into(),
        });
    }
    let stop = CancellationToken::new();
    let options = ApplyOptions::new()
        .parallel(usize::try_from(args.parallel).unwrap_or(DEFAULT_PARALLEL))
        .fail_fast(args.fail_fast)
        .cancel_on(stop.clone());
    let bar = (!out.is_json() && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(plan.changes.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} changes {elapsed} {msg}")
                .expect("the progress template is valid"),
        );
        bar
    });
    let watcher = interrupt::watch(stop, bar.clone());
    let report = client
        .apply_plan(plan, options, |result| match &bar {
            Some(bar) => {
                if !result.outcome.is_applied() {
                    bar.println(change_line(result));
                }
                bar.inc(1);
            }
            None if !out.is_json() => output::stdout(&change_line(result)),
            None => {}
        })
        .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // The run is over: a Ctrl-C from now on ends the process as usual.
    watcher.abort();
    out.outcome(
        apply_summary_text(&report, saved).trim_start(),
        || apply_json(plan, &report, source),
        report.all_applied(),
    );
    let unrouted: Vec<_> = report.unrouted().collect();
    for restore in &unrouted {
        output::stderr(&format!(
            "error: {} has no route: its old route was deleted, the new one was not created \
             and re-creating the old one failed; restore it with:\n  {}",
            output::escape(&restore.route.to_string()),
            output::escape(&restore.command())
        ));
    }
    if !unrouted.is_empty() {
        Ok(ExitCode::from(exit::UNROUTED))
    } else if report.interrupted {
        output::stderr(&format!(
            "error: interrupted: {} applied, {} failed, {} unknown, {} not started; {}",
            report.applied(),
            report.failed(),
            report.unknown(),
            report.skipped(),
            lower_first(output::run_again(saved)),
        ));
        Ok(ExitCode::from(interrupt::EXIT))
    } else if report.all_applied() {
        Ok(ExitCode::SUCCESS)
    } else {
        output::stderr(&format!(
            "error: not every change was applied ({} failed, {} unknown, {} skipped); {}",
            report.failed(),
            report.unknown(),
            report.skipped(),
            lower_first(&output::what_next(&report, saved))
        ));
        Ok(ExitCode::from(exit::NOT_APPLIED))
    }
}

/// `text` to follow a semicolon: a capitalised first word in lower case
/// ("Run apply again" → "run apply again"), an acronym ("CEC") as it is.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => first
            .to_lowercase()
            .chain(text[first.len_utf8()..].chars())
            .collect(),
        _ => text.to_owned(),
    }
}
