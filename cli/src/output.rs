//! All printing: text for people, JSON for scripts, errors on stderr.

use cec_routes::CalledRoute;

use crate::error::Error;
use serde_json::{Value, json};

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Plain sentences.
    Text,
    /// One JSON document on stdout.
    Json,
}

/// Prints results and errors in the chosen format.
#[derive(Debug)]
pub struct Output {
    format: Format,
}

impl Output {
    pub fn new(format: Format) -> Self {
        Output { format }
    }

    /// Prints a result: `text` for people, `json` (with `"ok": true` added)
    /// for scripts.
    pub fn result(&self, text: &str, mut json: Value) {
        match self.format {
            Format::Text => println!("{text}"),
            Format::Json => {
                if let Value::Object(map) = &mut json {
                    map.insert("ok".into(), Value::Bool(true));
                }
                println!("{json:#}");
            }
        }
    }

    /// Prints a progress line (text only; JSON output stays one document).
    pub fn step(&self, text: &str) {
        if self.format == Format::Text {
            println!("{text}");
        }
    }

    /// Prints an error in plain words on stderr, and as JSON on stdout when
    /// JSON output was asked for.
    pub fn error(&self, error: &Error) {
        eprintln!("error: {error}");
        if let Some(error) = error.cec()
            && error.may_have_reached_server()
            && !matches!(
                error,
                cec_routes::Error::Business { .. } | cec_routes::Error::PartialDeletion { .. }
            )
        {
            eprintln!("note: the request may have reached CEC; check its state before retrying");
        }
        if self.format == Format::Json {
            println!("{:#}", error_json(error));
        }
    }
}

/// An error as scripts see it.
pub fn error_json(error: &Error) -> Value {
    let error = match error {
        Error::Cec(error) => error,
        Error::InvalidInput { .. } => return other_error_json(error, "invalid_input"),
        Error::Config { .. } | Error::Sandbox(_) => return other_error_json(error, "config"),
        Error::Demo { .. } | Error::Internal { .. } => return other_error_json(error, "other"),
    };
    let kind = match error {
        cec_routes::Error::InvalidInput { .. } => "invalid_input",
        cec_routes::Error::Config { .. } => "config",
        cec_routes::Error::Auth { .. }
        | cec_routes::Error::Unauthorized { .. }
        | cec_routes::Error::Forbidden { .. } => "auth",
        cec_routes::Error::Business { .. } => "business",
        cec_routes::Error::PartialDeletion { .. } => "partial_deletion",
        cec_routes::Error::Connect { .. }
        | cec_routes::Error::Timeout { .. }
        | cec_routes::Error::Transport { .. } => "transport",
        cec_routes::Error::Decode { .. } | cec_routes::Error::ResponseTooLarge { .. } => "decode",
        _ => "http",
    };
    let mut json = json!({
        "ok": false,
        "error": {
            "kind": kind,
            "message": error.to_string(),
            "status": error.status(),
            "returnCode": error.return_code(),
            "mayHaveReachedServer": error.may_have_reached_server(),
        }
    });
    if let cec_routes::Error::PartialDeletion {
        deleted, failed, ..
    } = error
    {
        json["error"]["deleted"] = json!(deleted);
        json["error"]["failed"] = json!(failed);
    }
    json
}

/// A failure of the command's own, as scripts see it.
fn other_error_json(error: &Error, kind: &str) -> Value {
    json!({
        "ok": false,
        "error": {
            "kind": kind,
            "message": error.to_string(),
            "status": null,
            "returnCode": null,
            "mayHaveReachedServer": false,
        }
    })
}

/// A plain-text table: a header row and aligned columns.
pub struct Table<const N: usize> {
    rows: Vec<[String; N]>,
}

impl<const N: usize> Table<N> {
    pub fn new(header: [&str; N]) -> Self {
        Table {
            rows: vec![header.map(str::to_owned)],
        }
    }

    pub fn row(&mut self, cells: [String; N]) {
        self.rows.push(cells);
    }

    /// The table, each line ending in a newline.
    pub fn render(&self) -> String {
        let mut widths = [0; N];
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in &self.rows {
            let line: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

/// A route as scripts see it: the wire's field names.
pub fn route_json(route: &CalledRoute) -> Value {
    json!({
        "accessCode": route.access_code(),
        "extCode": route.ext_code(),
        "devicetype": route.device().device_type(),
        "deviceId": route.device().id(),
        "mediaTypeId": route.media_type().map(|m| m.code()),
    })
}

impl Output {
    /// Whether results are printed as JSON.
    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// Prints a warning in plain words on stderr (any format).
    pub fn warn(&self, text: &str) {
        eprintln!("warning: {text}");
    }

    /// Prints a result that may be a failure: `text` for people, `json`
    /// with `"ok"` set to `ok` for scripts.
    pub fn outcome(&self, text: &str, mut json: Value, ok: bool) {
        match self.format {
            Format::Text => println!("{text}"),
            Format::Json => {
                if let Value::Object(map) = &mut json {
                    map.insert("ok".into(), Value::Bool(ok));
                }
                println!("{json:#}");
            }
        }
    }
}

/// A routes file as scripts see it: one object per route, the wire's names.
pub fn routes_file_json(file: &cec_routes::plan::RoutesFile) -> Value {
    Value::Array(file.routes().iter().map(|r| route_json(&r.route)).collect())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A plan for people: one line per change, like a diff, then a summary.
pub fn plan_text(
    plan: &cec_routes::plan::Plan,
    source: &str,
    file: &cec_routes::plan::RoutesFile,
) -> String {
    use cec_routes::plan::ChangeKind;
    let codes = file.access_codes().len();
    let mut out = format!(
        "Plan for {source}: {} under {}.\n",
        plural(file.routes().len(), "route", "routes"),
        plural(codes, "access code", "access codes"),
    );
    if !plan.changes.is_empty() || !plan.locked.is_empty() || !plan.needs_replace.is_empty() {
        out.push('\n');
    }
    for change in &plan.changes {
        let sigil = match change.kind() {
            ChangeKind::Create => "+",
            ChangeKind::Modify => "~",
            ChangeKind::Replace => "-/+",
            ChangeKind::Delete => "-",
        };
        out.push_str(&format!("{sigil:<3} {change}\n"));
    }
    for held in &plan.locked {
        out.push_str(&format!(
            "!   locked, not attempted: {} ({})\n",
            held.change, held.reason
        ));
    }
    for held in &plan.needs_replace {
        out.push_str(&format!(
            "?   needs --allow-replace: {} ({})\n",
            held.change, held.reason
        ));
    }
    out.push('\n');
    if plan.is_converged() {
        out.push_str(&format!(
            "No changes: the live routes are what {source} says ({} unchanged).",
            plan.unchanged.len()
        ));
    } else {
        out.push_str(&format!(
            "Plan: {} to create, {} to modify, {} to replace, {} to delete; {} unchanged",
            plan.count(ChangeKind::Create),
            plan.count(ChangeKind::Modify),
            plan.count(ChangeKind::Replace),
            plan.count(ChangeKind::Delete),
            plan.unchanged.len(),
        ));
        if !plan.locked.is_empty() {
            out.push_str(&format!("; {} locked", plan.locked.len()));
        }
        if !plan.needs_replace.is_empty() {
            out.push_str(&format!(
                "; {} waiting for --allow-replace",
                plan.needs_replace.len()
            ));
        }
        out.push('.');
    }
    if !plan.unmanaged.is_empty() {
        out.push_str(&format!(
            "\n{} under these access codes {} not in {source}: kept (--prune deletes {}).",
            plural(plan.unmanaged.len(), "live route", "live routes"),
            if plan.unmanaged.len() == 1 {
                "is"
            } else {
                "are"
            },
            if plan.unmanaged.len() == 1 {
                "it"
            } else {
                "them"
            },
        ));
    }
    out
}

fn change_json(change: &cec_routes::plan::Change) -> Value {
    json!({
        "kind": change.kind(),
        "accessCode": change.access_code(),
        "extCode": change.ext_code(),
        "from": change.live(),
        "to": change.target().map(route_json),
        "text": change.to_string(),
    })
}

fn held_json(held: &cec_routes::plan::Held) -> Value {
    let mut json = change_json(&held.change);
    json["reason"] = json!(held.reason);
    json
}

/// A plan for scripts.
pub fn plan_json(plan: &cec_routes::plan::Plan, source: &str) -> Value {
    use cec_routes::plan::ChangeKind;
    json!({
        "file": source,
        "converged": plan.is_converged(),
        "changes": plan.changes.iter().map(change_json).collect::<Vec<_>>(),
        "locked": plan.locked.iter().map(held_json).collect::<Vec<_>>(),
        "needsReplace": plan.needs_replace.iter().map(held_json).collect::<Vec<_>>(),
        "unmanaged": plan.unmanaged,
        "summary": {
            "create": plan.count(ChangeKind::Create),
            "modify": plan.count(ChangeKind::Modify),
            "replace": plan.count(ChangeKind::Replace),
            "delete": plan.count(ChangeKind::Delete),
            "unchanged": plan.unchanged.len(),
            "locked": plan.locked.len(),
            "needsReplace": plan.needs_replace.len(),
            "unmanaged": plan.unmanaged.len(),
        },
    })
}

fn outcome_word(outcome: &cec_routes::plan::Outcome) -> &'static str {
    use cec_routes::plan::Outcome;
    match outcome {
        Outcome::Applied { .. } => "applied",
        Outcome::Failed { .. } => "failed",
        Outcome::Unknown { .. } => "unknown",
        Outcome::Skipped => "skipped",
    }
}

/// One line for one change as it ends (`applied: create …`).
pub fn change_line(result: &cec_routes::plan::ChangeResult) -> String {
    let mut line = format!("{}: {}", outcome_word(&result.outcome), result.change);
    if let Some(error) = result.outcome.error() {
        line.push_str(&format!(" — {error}"));
        if matches!(result.outcome, cec_routes::plan::Outcome::Unknown { .. }) {
            line.push_str(" (it may have reached CEC: checked after the run)");
        }
    }
    if let Some(note) = &result.note {
        line.push_str(&format!(" — {note}"));
    }
    line
}

/// The end of an apply for people: what was settled by reading back, what
/// was not applied, and the counts.
pub fn apply_summary_text(report: &cec_routes::plan::ApplyReport) -> String {
    use cec_routes::plan::Outcome;
    let mut out = String::new();
    let settled: Vec<_> = report
        .results
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                Outcome::Applied { read_back: true }
                    | Outcome::Failed {
                        read_back: true,
                        ..
                    }
            )
        })
        .collect();
    if !settled.is_empty() {
        out.push_str("\nRead back from CEC (the answer was lost):\n");
        for result in settled {
            out.push_str(&format!("  {}\n", change_line(result)));
        }
    }
    let missing: Vec<_> = report
        .results
        .iter()
        .filter(|r| !r.outcome.is_applied())
        .collect();
    if !missing.is_empty() {
        out.push_str("\nNot applied:\n");
        for result in &missing {
            out.push_str(&format!("  {}\n", change_line(result)));
        }
    }
    let total = report.results.len();
    out.push_str(&format!(
        "\nApply: {} of {} applied",
        report.applied(),
        plural(total, "change", "changes")
    ));
    if !missing.is_empty() {
        out.push_str(&format!(
            "; {} failed, {} unknown, {} skipped. Run apply again: it plans from the live routes, \
             so it applies only what is still missing",
            report.failed(),
            report.unknown(),
            report.skipped()
        ));
    }
    out.push('.');
    out
}

/// An apply for scripts: the plan and every change's outcome.
pub fn apply_json(
    plan: &cec_routes::plan::Plan,
    report: &cec_routes::plan::ApplyReport,
    source: &str,
) -> Value {
    use cec_routes::plan::Outcome;
    let results: Vec<Value> = report
        .results
        .iter()
        .map(|r| {
            let mut json = change_json(&r.change);
            json["outcome"] = json!(outcome_word(&r.outcome));
            json["readBack"] = json!(matches!(
                r.outcome,
                Outcome::Applied { read_back: true }
                    | Outcome::Failed {
                        read_back: true,
                        ..
                    }
            ));
            json["error"] = json!(r.outcome.error().map(ToString::to_string));
            json["note"] = json!(r.note);
            json
        })
        .collect();
    json!({
        "plan": plan_json(plan, source),
        "results": results,
        "summary": {
            "changes": report.results.len(),
            "applied": report.applied(),
            "failed": report.failed(),
            "unknown": report.unknown(),
            "skipped": report.skipped(),
        },
    })
}
