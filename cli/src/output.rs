//! All printing: text for people, JSON for scripts, errors on stderr.
//!
//! Everything goes through [`stdout`] and [`stderr`]: a reader that closes
//! stdout early (`cec-routes list | head -1`) ends the printing quietly,
//! never the command (an apply goes on), and the command exits with the
//! code it would have exited with, as `git log | head` does.
//!
//! Text from CEC (descriptions, error bodies, route fields) could carry
//! escape sequences or NUL bytes meant for the terminal. Each piece is
//! escaped where it is put into a line ([`escape`]: a description cannot
//! even start a new line), and the writers escape whatever control
//! character is left but the line breaks ([`escape_controls`]); JSON escapes
//! them as `\u` sequences.

use std::{
    borrow::Cow,
    io::Write,
    sync::atomic::{AtomicBool, Ordering},
};

use cec_routes::{
    AccessCode, CallDirection, CalledRoute, Device, Editable, Listed, MediaType, Route,
};

use crate::error::Error;
use serde_json::{Map, Value, json};

mod export;
mod plans;
pub use export::ExportPrinter;
pub use plans::{drift_text, plan_markdown, saved_plan_text};

/// Whether `c` must not reach a terminal as it is: a control character
/// (C0, DEL, C1) or one that reorders text (bidirectional controls).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
    }
}

/// `text` with every control character escaped, line breaks included
/// (`\u{1b}`, `\n`): for one piece of text from CEC on one line.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with every control character escaped but its line breaks: for
/// whole lines the command wrote itself.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && is_unsafe(c) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A JSON document, pretty-printed, with the control characters that JSON
/// allows raw (DEL, C1, bidirectional controls) escaped as well.
pub fn json_text(json: &Value) -> String {
    let text = format!("{json:#}");
    if !text.chars().any(is_unsafe_in_json) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_in_json(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// What serde_json leaves raw inside strings and a terminal could act on.
/// (Outside strings a JSON document holds only ASCII punctuation, so
/// escaping these is always valid JSON.)
fn is_unsafe_in_json(c: char) -> bool {
    c != '\n' && is_unsafe(c)
}

/// Set once stdout could not be written: nothing more is tried.
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);

/// Writes `text` and a newline to stdout. A closed stdout (`| head`) ends
/// the printing quietly; any other failure is said once on stderr.
pub fn stdout(text: &str) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let text = escape_controls(text);
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if let Err(error) = written {
        STDOUT_GONE.store(true, Ordering::Relaxed);
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            stderr(&format!("warning: could not write to stdout: {error}"));
        }
    }
}

/// Stdout for a result written a piece at a time (`export`): buffered, each
/// piece escaped as [`stdout`] escapes a whole text (or, for JSON made by
/// [`json_text`], written as it is), with the same care for a closed stdout:
/// once a write fails, the rest is dropped quietly. Its writes never fail.
pub struct StdoutStream {
    out: Option<std::io::BufWriter<std::io::Stdout>>,
    /// Whether pieces are escaped as text ([`escape_controls`]).
    text: bool,
}

impl StdoutStream {
    /// For text: each piece escaped as [`escape_controls`] does.
    pub fn text() -> Self {
        Self::new(true)
    }

    /// For JSON pieces already escaped by [`json_text`].
    pub fn json() -> Self {
        Self::new(false)
    }

    fn new(text: bool) -> Self {
        StdoutStream {
            out: (!STDOUT_GONE.load(Ordering::Relaxed))
                .then(|| std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout())),
            text,
        }
    }

    /// Gives up on stdout after a failed write: a closed stdout quietly,
    /// any other failure said once on stderr.
    fn gone(&mut self, error: &std::io::Error) {
        self.out = None;
        if !STDOUT_GONE.swap(true, Ordering::Relaxed)
            && error.kind() != std::io::ErrorKind::BrokenPipe
        {
            stderr(&format!("warning: could not write to stdout: {error}"));
        }
    }
}

impl Write for StdoutStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(out) = &mut self.out else {
            return Ok(buf.len());
        };
        let written = if self.text {
            out.write_all(escape_controls(&String::from_utf8_lossy(buf)).as_bytes())
        } else {
            out.write_all(buf)
        };
        if let Err(error) = written {
            self.gone(&error);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(out) = &mut self.out
            && let Err(error) = out.flush()
        {
            self.gone(&error);
        }
        Ok(())
    }
}

/// Writes bytes the command made itself (a completion script) to stdout
/// as they are, with the same care for a closed stdout.
pub fn stdout_raw(bytes: &[u8]) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_all(bytes).and_then(|()| out.flush()) {
        STDOUT_GONE.store(true, Ordering::Relaxed);
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            stderr(&format!("warning: could not write to stdout: {error}"));
        }
    }
}

/// Writes `text` and a newline to stderr; a failure is ignored (there is
/// nowhere left to say it).
pub fn stderr(text: &str) {
    let text = escape_controls(text);
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(text.as_bytes())
        .and_then(|()| err.write_all(b"\n"))
        .and_then(|()| err.flush());
}

/// Writes `text` to stderr without a newline (a prompt).
pub fn prompt(text: &str) {
    let text = escape_controls(text);
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Stderr for the logs (`-v`): each write escaped as [`escape_controls`]
/// does, since a log line may quote CEC.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        prompt(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Plain sentences and tables.
    Text,
    /// Text, with more columns in tables (list: the device's name).
    Wide,
    /// One JSON document on stdout.
    Json,
    /// Markdown, for a pull-request comment (plan; other commands print text).
    Markdown,
}

/// Prints results and errors in the chosen format.
#[derive(Debug)]
pub struct Output {
    format: Format,
    /// Whether the command changes CEC (create, modify, delete): only then
    /// is "the request may have reached CEC" advice.
    writes: bool,
}

impl Output {
    pub fn new(format: Format, writes: bool) -> Self {
        Output { format, writes }
    }

    /// Prints a result: `text` for people, `json` (with `"ok": true` added)
    /// for scripts. The JSON is built only when JSON output was asked for.
    pub fn result(&self, text: &str, json: impl FnOnce() -> Value) {
        match self.format {
            Format::Text | Format::Wide | Format::Markdown => stdout(text),
            Format::Json => {
                let mut json = json();
                if let Value::Object(map) = &mut json {
                    map.insert("ok".into(), Value::Bool(true));
                }
                stdout(&json_text(&json));
            }
        }
    }

    /// Prints a progress line (text only; JSON output stays one document).
    pub fn step(&self, text: &str) {
        if self.format != Format::Json {
            stdout(text);
        }
    }

    /// Prints an error in plain words on stderr, and as JSON on stdout when
    /// JSON output was asked for.
    pub fn error(&self, error: &Error) {
        let text = error_text(error);
        stderr(&format!("error: {text}"));
        if text.contains("plain http to a host that is not loopback") {
            stderr("hint: --allow-http (or CEC_ALLOW_HTTP=1) allows it, on a test network only");
        }
        if text.contains("tokenByAkSk answered 404") {
            stderr(
                "hint: --base-url (or CEC_BASE_URL) says where CEC is; --token-url (or \
                 CEC_TOKEN_URL) where tokenByAkSk is, when it is elsewhere",
            );
        }
        // Once, and only for a write: a query that may have reached CEC
        // changed nothing there.
        if self.writes
            && let Some(error) = error.cec()
            && error.may_have_reached_server()
            && !matches!(
                error,
                cec_routes::Error::Business { .. }
                    | cec_routes::Error::PartialDeletion { .. }
                    | cec_routes::Error::UnconfirmedDeletion { .. }
            )
        {
            stderr("note: the request may have reached CEC; check its state before retrying");
        }
        if self.format == Format::Json {
            stdout(&json_text(&error_json(error)));
        }
    }
}

/// An error in plain words, safe for a terminal. CEC's answers (bodies,
/// descriptions, codes) are escaped whole, line breaks included; the
/// command's own messages keep theirs (a routes file's problems are one
/// per line).
pub fn error_text(error: &Error) -> String {
    match error {
        Error::Cec(cec_routes::Error::InvalidInput { .. } | cec_routes::Error::Config { .. })
        | Error::InvalidInput { .. }
        | Error::Config { .. }
        | Error::Demo { .. }
        | Error::Internal { .. }
        | Error::Sandbox(_) => escape_controls(&error.to_string()).into_owned(),
        Error::Cec(_) => escape(&error.to_string()),
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
        cec_routes::Error::UnconfirmedDeletion { .. } => "unconfirmed_deletion",
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
    if let cec_routes::Error::UnconfirmedDeletion { dnids, deleted, .. } = error {
        json["error"]["deleted"] = json!(deleted);
        json["error"]["unconfirmed"] = json!(dnids);
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

    /// Adds a row; each cell is escaped (it may come from CEC).
    pub fn row(&mut self, cells: [String; N]) {
        self.rows.push(cells.map(|cell| escape(&cell)));
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

/// A route as a routes file writes it, the one vocabulary of routes in
/// every JSON output: `accessCode`, `extCode` (absent for none),
/// `skillQueue` or `ivr`, `mediaType` (a name; absent for none). What
/// `list`, `export` and `plan` print can be fed back to `plan -f`.
pub fn route_json(route: &CalledRoute) -> Value {
    let mut map = Map::new();
    map.insert("accessCode".into(), route.access_code().into());
    if let Some(ext) = route.ext_code() {
        map.insert("extCode".into(), ext.into());
    }
    insert_device(&mut map, route.device());
    if let Some(media) = route.media_type() {
        map.insert("mediaType".into(), media.name().into());
    }
    Value::Object(map)
}

fn insert_device(map: &mut Map<String, Value>, device: Device) {
    match device {
        Device::SkillQueue(id) => map.insert("skillQueue".into(), id.into()),
        Device::Ivr(id) => map.insert("ivr".into(), id.into()),
    };
}

/// A route as CEC lists it: the routes file's keys, and what only CEC
/// knows (`id`, `dnid`, `deviceName`, `editable`), which `plan -f` ignores.
/// A device or media type the documentation does not list is kept as CEC
/// sent it (`unknownDevice`, `mediaType` as a number).
pub fn listed_route_json(route: &Route) -> Value {
    let mut map = Map::new();
    if let Some(id) = &route.id {
        map.insert("id".into(), id.as_str().into());
    }
    if let Some(dnid) = route.dnid {
        map.insert("dnid".into(), dnid.into());
    }
    map.insert("accessCode".into(), route.access_code.as_str().into());
    if let Some(ext) = &route.ext_code {
        map.insert("extCode".into(), ext.as_str().into());
    }
    match &route.device {
        Listed::Known(device) => insert_device(&mut map, *device),
        Listed::Unknown(raw) => {
            map.insert("unknownDevice".into(), raw.as_str().into());
        }
    }
    if let Some(name) = &route.device_desc {
        map.insert("deviceName".into(), name.as_str().into());
    }
    if let Some(media) = &route.media_type {
        map.insert("mediaType".into(), media_json(media));
    }
    map.insert("editable".into(), editable_word(&route.editable).into());
    Value::Object(map)
}

fn media_json(media: &Listed<MediaType>) -> Value {
    match media {
        Listed::Known(media) => media.name().into(),
        Listed::Unknown(raw) => raw
            .parse::<i64>()
            .map_or_else(|_| raw.as_str().into(), Value::from),
    }
}

/// What may be done to a route, in one word.
pub fn editable_word(editable: &Editable) -> &'static str {
    match editable {
        Editable::Yes => "yes",
        Editable::DeleteOnly => "delete-only",
        Editable::EditOnly => "edit-only",
        Editable::Locked => "locked",
        _ => "unknown",
    }
}

/// An access code as scripts see it (`accessCode`, as for routes).
pub fn access_code_json(code: &AccessCode) -> Value {
    let mut map = Map::new();
    if let Some(id) = &code.id {
        map.insert("id".into(), id.as_str().into());
    }
    map.insert("accessCode".into(), code.code.as_str().into());
    if let Some(media) = &code.media_type {
        map.insert("mediaType".into(), media_json(media));
    }
    if let Some(number) = &code.service_number {
        map.insert("serviceNumber".into(), number.as_str().into());
    }
    if let Some(description) = &code.description {
        map.insert("description".into(), description.as_str().into());
    }
    if let Some(direction) = &code.direction {
        map.insert(
            "direction".into(),
            match direction {
                Listed::Known(CallDirection::Inbound) => "inbound".into(),
                Listed::Known(CallDirection::Outbound) => "outbound".into(),
                Listed::Known(CallDirection::Both) => "both".into(),
                Listed::Unknown(raw) => raw
                    .parse::<i64>()
                    .map_or_else(|_| raw.as_str().into(), Value::from),
            },
        );
    }
    Value::Object(map)
}

/// A media type in one word for a table: its name, or `unknown (77)`.
pub fn listed_media_word(media: &Listed<MediaType>) -> String {
    match media {
        Listed::Known(media) => media.name().to_owned(),
        Listed::Unknown(raw) => format!("unknown ({raw})"),
    }
}

/// A skill queue as scripts see it (`skillQueue` is its id, as in routes).
pub fn skill_queue_json(queue: &cec_routes::targets::SkillQueue) -> Value {
    let mut map = Map::new();
    if let Some(id) = queue.id {
        map.insert("skillQueue".into(), id.into());
    }
    if let Some(name) = &queue.name {
        map.insert("name".into(), name.as_str().into());
    }
    map.insert("mediaType".into(), media_json(&queue.media_type));
    if let Some(description) = &queue.description {
        map.insert("description".into(), description.as_str().into());
    }
    for (key, value) in [
        ("maxAgentWrapupTime", queue.max_agent_wrapup_time),
        ("maxWaitTime", queue.max_wait_time),
        ("maxWaitNum", queue.max_wait_num),
    ] {
        if let Some(value) = value {
            map.insert(key.into(), value.into());
        }
    }
    Value::Object(map)
}

/// An IVR flow as scripts see it (`ivr` is its id, as in routes).
pub fn ivr_flow_json(flow: &cec_routes::targets::IvrFlow) -> Value {
    let mut map = Map::new();
    if let Some(id) = flow.id {
        map.insert("ivr".into(), id.into());
    }
    if let Some(name) = &flow.name {
        map.insert("name".into(), name.as_str().into());
    }
    if let Some(loaded) = flow.loaded {
        map.insert("loaded".into(), loaded.into());
    }
    if let Some(flow_type) = &flow.flow_type {
        map.insert(
            "flowType".into(),
            match flow_type {
                Listed::Known(known) => known.to_string().into(),
                Listed::Unknown(raw) => raw
                    .parse::<i64>()
                    .map_or_else(|_| raw.as_str().into(), Value::from),
            },
        );
    }
    if let Some(code) = &flow.access_code {
        map.insert("flowAccessCode".into(), code.as_str().into());
    }
    if let Some(file) = &flow.file_name {
        map.insert("fileName".into(), file.as_str().into());
    }
    if let Some(max) = flow.max_calls {
        map.insert("maxCalls".into(), max.into());
    }
    Value::Object(map)
}

impl Output {
    /// Whether tables get their wide columns.
    pub fn is_wide(&self) -> bool {
        self.format == Format::Wide
    }

    /// Whether results are printed as JSON.
    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// Whether a plan is printed as Markdown.
    pub fn is_markdown(&self) -> bool {
        self.format == Format::Markdown
    }

    /// Prints a warning in plain words on stderr (any format).
    pub fn warn(&self, text: &str) {
        stderr(&format!("warning: {text}"));
    }

    /// Prints a result that may be a failure: `text` for people, `json`
    /// with `"ok"` set to `ok` for scripts. The JSON is built only when JSON
    /// output was asked for.
    pub fn outcome(&self, text: &str, json: impl FnOnce() -> Value, ok: bool) {
        match self.format {
            Format::Text | Format::Wide | Format::Markdown => stdout(text),
            Format::Json => {
                let mut json = json();
                if let Value::Object(map) = &mut json {
                    map.insert("ok".into(), Value::Bool(ok));
                }
                stdout(&json_text(&json));
            }
        }
    }
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
        out.push_str(&format!("{sigil:<3} {}\n", escape(&change.to_string())));
    }
    for held in &plan.locked {
        out.push_str(&format!(
            "!   locked, not attempted: {} ({})\n",
            escape(&held.change.to_string()),
            escape(&held.reason)
        ));
    }
    for held in &plan.needs_replace {
        out.push_str(&format!(
            "?   needs --allow-replace: {} ({})\n",
            escape(&held.change.to_string()),
            escape(&held.reason)
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
        out.push('\n');
        out.push_str(&unmanaged_note(plan.unmanaged.len(), source, "--prune"));
    }
    out
}

/// The sentence on the `count` live routes a plan keeps because `file`
/// does not list them, naming the option that would delete them.
pub(crate) fn unmanaged_note(count: usize, file: &str, prune: &str) -> String {
    let one = count == 1;
    format!(
        "{} under these access codes {} not in {file}: kept ({prune} deletes {}).",
        plural(count, "live route", "live routes"),
        if one { "is" } else { "are" },
        if one { "it" } else { "them" },
    )
}

fn change_json(change: &cec_routes::plan::Change) -> Value {
    json!({
        "kind": change.kind(),
        "accessCode": change.access_code(),
        "extCode": change.ext_code(),
        "from": change.live().map(listed_route_json),
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

/// One line for one change as it ends (`applied: create …`), escaped.
pub fn change_line(result: &cec_routes::plan::ChangeResult) -> String {
    escape(&raw_change_line(result))
}

fn raw_change_line(result: &cec_routes::plan::ChangeResult) -> String {
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
/// `saved` says the run carried out a saved plan (`apply --plan`), which
/// cannot be applied twice: the advice is then to plan again.
pub fn apply_summary_text(report: &cec_routes::plan::ApplyReport, saved: bool) -> String {
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
            "; {} failed, {} unknown, {} skipped. {}",
            report.failed(),
            report.unknown(),
            report.skipped(),
            what_next(report, saved)
        ));
    }
    out.push('.');
    out
}

/// The advice to try again: apply plans from the live routes, but a saved
/// plan no longer matches them once part of it went through (applying it
/// again is refused as stale).
pub fn run_again(saved: bool) -> &'static str {
    if saved {
        "Make a new plan (plan --out) and apply it: this saved plan no longer matches the live \
         routes, and a new one holds only what is still missing"
    } else {
        "Run apply again: it plans from the live routes, so it applies only what is still missing"
    }
}

/// Whether running apply again can help a change that was not applied:
/// not when CEC refused it for good (a returnCode, a 400) or the SDK
/// refused it before sending; yes after a lost answer, a transient
/// failure, or a skip.
pub fn may_succeed_again(result: &cec_routes::plan::ChangeResult) -> bool {
    use cec_routes::plan::Outcome;
    match &result.outcome {
        Outcome::Failed { error, .. } => !matches!(
            error,
            cec_routes::Error::Business { .. }
                | cec_routes::Error::InvalidInput { .. }
                | cec_routes::Error::Config { .. }
                | cec_routes::Error::BadRequest { .. }
        ),
        _ => true,
    }
}

/// What to do after an apply that did not apply everything; `saved` as
/// for [`apply_summary_text`].
pub fn what_next(report: &cec_routes::plan::ApplyReport, saved: bool) -> String {
    let missing = report.results.iter().filter(|r| !r.outcome.is_applied());
    let (again, refused): (Vec<_>, Vec<_>) = missing.partition(|r| may_succeed_again(r));
    match (again.is_empty(), refused.is_empty()) {
        (false, true) => run_again(saved).to_owned(),
        (false, false) => format!(
            "CEC refused {} for good: fix the routes file or CEC's configuration for {}; \
             then {}",
            plural(refused.len(), "change", "changes"),
            if refused.len() == 1 { "it" } else { "them" },
            if saved {
                "make a new plan (plan --out) and apply it: this one no longer matches the live \
                 routes"
            } else {
                "run apply again, which applies only what is still missing"
            }
        ),
        _ => format!(
            "CEC refused {} for good: running apply again would fail the same way; fix the \
             routes file or CEC's configuration first",
            if refused.len() == 1 {
                "it".to_owned()
            } else {
                format!("all {}", refused.len())
            }
        ),
    }
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
            json["restore"] = json!(r.restore.as_ref().map(|restore| json!({
                "route": route_json(&restore.route),
                "restored": restore.restored(),
                "error": restore.error.as_ref().map(ToString::to_string),
                "command": restore.command(),
            })));
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
            "interrupted": report.interrupted,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::unmanaged_note;

    #[test]
    fn the_unmanaged_note_agrees_with_its_count() {
        assert_eq!(
            unmanaged_note(1, "routes.yaml", "--prune"),
            "1 live route under these access codes is not in routes.yaml: kept (--prune \
             deletes it)."
        );
        assert_eq!(
            unmanaged_note(3, "the file", "`--prune`"),
            "3 live routes under these access codes are not in the file: kept (`--prune` \
             deletes them)."
        );
    }
}
