//! `cec-routes check`: what is wrong with a routes file, before anything is
//! sent: the file's own rules and, unless `--offline`, the tenant's (its
//! access codes, skill queues and IVR flows, each listed once). Sends
//! queries only. `plan` and `apply` run the same checks first.

use std::{path::PathBuf, process::ExitCode};

use crate::error::Error;
use cec_routes::{
    Client, ClientBuilder, Device,
    plan::{Problem, RoutesFile, Tenant, check},
};
use serde_json::{Value, json};

use crate::{exit, output::Output, routes_input};

/// Check a routes file: the file alone, and against the tenant
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The routes file: YAML, or JSON as list and export print it; `-` reads stdin
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: PathBuf,

    /// Check only what the file alone decides; send nothing
    #[arg(long)]
    pub offline: bool,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<ExitCode, Error> {
    let source = routes_input::source_name(&args.file);
    let (file, json_input) = match read(&args.file, &source)? {
        Loaded::File(file, json_input) => (file, json_input),
        Loaded::Problems(problems) => return Ok(report(&source, &problems, None, out)),
    };
    if args.offline {
        out.result(
            &format!(
                "{source}: {} route{}, no problems in the file (the tenant was not checked)",
                file.routes().len(),
                if file.routes().len() == 1 { "" } else { "s" }
            ),
            || summary_json(&source, &[], true),
        );
        return Ok(ExitCode::SUCCESS);
    }
    let client = config.build()?;
    let tenant = client.tenant().await?;
    let (_, mut problems) = check(&file, &tenant);
    if json_input {
        // A JSON document is read one entry per line from the second:
        // name each problem by its entry, as the file's own problems are.
        for problem in &mut problems {
            problem.message = format!(
                "routes[{}]: {}",
                problem.line.saturating_sub(2),
                problem.message
            );
            (problem.line, problem.column) = (0, 0);
        }
    }
    Ok(if problems.is_empty() {
        out.result(
            &format!(
                "{source}: {} route{}, no problems ({})",
                file.routes().len(),
                if file.routes().len() == 1 { "" } else { "s" },
                tenant_words(&tenant)
            ),
            || summary_json(&source, &[], false),
        );
        ExitCode::SUCCESS
    } else {
        report(&source, &problems, Some(&tenant), out)
    })
}

/// Checks `file` against the tenant of `client` before plan or apply:
/// the file with target names resolved, or the problems printed and the
/// exit code to end with.
pub async fn before_planning(
    client: &Client,
    file: &RoutesFile,
    source: &str,
    out: &Output,
) -> Result<Result<(RoutesFile, Tenant), ExitCode>, Error> {
    let tenant = client.tenant().await?;
    let (resolved, problems) = check(file, &tenant);
    if problems.is_empty() {
        Ok(Ok((resolved, tenant)))
    } else {
        Ok(Err(report(source, &problems, Some(&tenant), out)))
    }
}

/// Prints every problem (`source:line:column: message`) and gives the
/// exit code for them.
fn report(source: &str, problems: &[Problem], tenant: Option<&Tenant>, out: &Output) -> ExitCode {
    let count = problems.len();
    let mut text = format!(
        "{source} has {count} problem{}; nothing was sent",
        if count == 1 { "" } else { "s" }
    );
    if let Some(tenant) = tenant {
        text.push_str(&format!(" ({})", tenant_words(tenant)));
    }
    for problem in problems {
        if problem.line == 0 {
            text.push_str(&format!("\n  {source}: {}", problem.message));
        } else {
            text.push_str(&format!("\n  {source}:{problem}"));
        }
    }
    out.outcome(
        &text,
        || summary_json(source, problems, tenant.is_none()),
        false,
    );
    ExitCode::from(exit::CHECK)
}

fn tenant_words(tenant: &Tenant) -> String {
    format!(
        "checked against {} access codes, {} skill queues and {} IVR flows",
        tenant.access_codes.len(),
        tenant.skill_queues.len(),
        tenant.ivr_flows.len()
    )
}

fn summary_json(source: &str, problems: &[Problem], offline: bool) -> Value {
    json!({
        "operation": "check",
        "source": source,
        "tenantChecked": !offline,
        "problems": problems
            .iter()
            .map(|p| json!({"line": p.line, "column": p.column, "message": p.message}))
            .collect::<Vec<_>>(),
    })
}

enum Loaded {
    /// The file, and whether it was a JSON document.
    File(RoutesFile, bool),
    Problems(Vec<Problem>),
}

/// The file, or its own problems with their lines and columns (YAML; a
/// JSON document's are named by their place, as plan names them).
fn read(path: &std::path::Path, source: &str) -> Result<Loaded, Error> {
    let text = routes_input::read_text(path, source)?;
    if text.trim_start().starts_with(['{', '[']) {
        return routes_input::parse(&text, source).map(|file| Loaded::File(file, true));
    }
    Ok(match RoutesFile::parse(&text) {
        Ok(file) => Loaded::File(file, false),
        Err(error) => Loaded::Problems(error.problems),
    })
}

/// `text` with the name CEC shows beside every skill queue and IVR flow id
/// (`skill queue 1 defaultVideoSkill`), for the plan.
pub fn with_names(text: &str, tenant: &Tenant) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = ["skill queue ", "IVR flow "]
            .iter()
            .filter_map(|kind| rest.find(kind).map(|at| (at, *kind)))
            .min_by_key(|(at, _)| *at);
        let Some((at, kind)) = next else {
            out.push_str(rest);
            return out;
        };
        let after = &rest[at + kind.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(&rest[..at + kind.len() + digits]);
        rest = &after[digits..];
        let name = after[..digits].parse::<u32>().ok().and_then(|id| {
            tenant.device_name(if kind == "IVR flow " {
                Device::Ivr(id)
            } else {
                Device::SkillQueue(id)
            })
        });
        if let Some(name) = name {
            out.push_str(&format!(" {}", crate::output::escape(name)));
        }
    }
}
