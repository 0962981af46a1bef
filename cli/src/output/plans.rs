//! Plans beyond the terminal: Markdown for a pull-request comment, a saved
//! plan as apply shows it, and the routes that changed behind a saved plan.

use cec_routes::plan::{Change, ChangeKind, Drift, Plan, SavedPlan};

use super::escape;

/// Text for one Markdown table cell: one line, no `|`, no HTML.
fn cell(text: &str) -> String {
    escape(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'")
}

fn sigil(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Create => "+",
        ChangeKind::Modify => "~",
        ChangeKind::Replace => "-/+",
        ChangeKind::Delete => "-",
    }
}

fn live_text(change: &Change) -> String {
    change.live().map_or_else(
        || "—".to_owned(),
        |live| match &live.device_desc {
            Some(name) => format!("{} ({name})", live.device),
            None => live.device.to_string(),
        },
    )
}

fn target_text(change: &Change) -> String {
    change.target().map_or_else(
        || "—".to_owned(),
        |route| match route.media_type() {
            Some(media) => format!("{} ({})", route.device(), media.name()),
            None => route.device().to_string(),
        },
    )
}

/// A plan in Markdown, fit for a pull-request comment: the counts, a table
/// of the changes, and what is held back.
pub fn plan_markdown(plan: &Plan, source: &str) -> String {
    let mut out = format!("### cec-routes plan for `{}`\n\n", cell(source));
    if plan.is_converged() {
        out.push_str(&format!(
            "No changes: the live routes are what the file says ({} unchanged).\n",
            plan.unchanged.len()
        ));
        return out;
    }
    out.push_str(&format!(
        "**{} to create, {} to modify, {} to replace, {} to delete**; {} unchanged",
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
            "; {} waiting for `--allow-replace`",
            plan.needs_replace.len()
        ));
    }
    out.push_str(".\n");
    if !plan.changes.is_empty() {
        out.push_str("\n| | change | route | now | after |\n|---|---|---|---|---|\n");
        for change in &plan.changes {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                sigil(change.kind()),
                change.kind().name(),
                cell(&change.route_name()),
                cell(&live_text(change)),
                cell(&target_text(change)),
            ));
        }
    }
    for (title, held) in [
        ("Locked, not attempted", &plan.locked),
        ("Waiting for `--allow-replace`", &plan.needs_replace),
    ] {
        if held.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n<details><summary>{title} ({})</summary>\n\n",
            held.len()
        ));
        for h in held {
            out.push_str(&format!(
                "- {} — {}\n",
                cell(&h.change.to_string()),
                cell(&h.reason)
            ));
        }
        out.push_str("\n</details>\n");
    }
    if !plan.unmanaged.is_empty() {
        out.push('\n');
        out.push_str(&super::unmanaged_note(
            plan.unmanaged.len(),
            "the file",
            "`--prune`",
        ));
        out.push('\n');
    }
    out
}

/// A saved plan as apply shows it before asking.
pub fn saved_plan_text(saved: &SavedPlan, path: &str) -> String {
    let plan = &saved.plan;
    let mut out = format!(
        "Saved plan {} (from {}, sha256 {}):\n\n",
        escape(path),
        escape(&saved.routes_file),
        escape(saved.routes_file_sha256.get(..12).unwrap_or_default()),
    );
    for change in &plan.changes {
        out.push_str(&format!(
            "{:<3} {}\n",
            sigil(change.kind()),
            escape(&change.to_string())
        ));
    }
    out.push_str(&format!(
        "\nPlan: {} to create, {} to modify, {} to replace, {} to delete.",
        plan.count(ChangeKind::Create),
        plan.count(ChangeKind::Modify),
        plan.count(ChangeKind::Replace),
        plan.count(ChangeKind::Delete),
    ));
    out
}

/// Why a saved plan is refused: each route that changed since it was made.
pub fn drift_text(drift: &[Drift], path: &str) -> String {
    let mut out = format!(
        "error: {} of the routes the plan {} touches changed since it was made; nothing was \
         changed. Plan again:",
        drift.len(),
        escape(path)
    );
    for d in drift {
        out.push_str(&format!("\n  {}", escape(&d.to_string())));
    }
    out
}
