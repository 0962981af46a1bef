//! `cargo xtask breaking --base <git-rev>`: which spec changes break existing callers.
//!
//! "Existing callers" are clients generated from the old spec talking to a server that
//! follows the new one. So a request breaks when the new spec accepts less than the old
//! one did (a narrowed limit, a removed enum value, a new required field), and a
//! response breaks when the new spec may send what the old one never did (a widened
//! limit, a new enum value, a field that is no longer always there). A changed type or
//! format breaks either way, since it changes the generated Rust type. Everything else
//! that changed is additive.
//!
//! The comparison is [`compare`], a pure function over two parsed specs; `$ref`s into the
//! same document and single-element `allOf` wrappers are resolved before comparing.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt, fs,
    process::{Command, ExitCode},
};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    let mut base = None;
    for (_, value) in crate::parse_options("breaking", args, &["--base"])? {
        base = Some(value);
    }
    let base = base.context("`breaking` needs `--base <git-rev>` (see `cargo xtask help`)")?;
    let root = crate::repo_root();
    let spec = crate::SPEC;

    let output = Command::new("git")
        .arg("show")
        .arg(format!("{base}:{spec}"))
        .current_dir(&root)
        .output()
        .context("could not start git")?;
    if !output.status.success() {
        bail!(
            "git show {base}:{spec} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let old = parse_yaml(&String::from_utf8_lossy(&output.stdout))
        .with_context(|| format!("{spec} at {base} is not valid YAML"))?;
    let text =
        fs::read_to_string(root.join(spec)).with_context(|| format!("could not read {spec}"))?;
    let new = parse_yaml(&text).with_context(|| format!("{spec} is not valid YAML"))?;

    let report = compare(&old, &new);
    println!("{spec}: {base} → working copy");
    print!("{report}");
    Ok(if report.is_breaking() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Parses YAML into JSON; going through YAML's own value type turns keys such as an
/// unquoted `200:` into strings.
fn parse_yaml(text: &str) -> Result<Value> {
    let yaml: serde_norway::Value = serde_norway::from_str(text)?;
    Ok(serde_json::to_value(yaml)?)
}

/// Whether a change can break an existing caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Impact {
    Breaking,
    Additive,
}

/// One difference between the two specs, in one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) operation: String,
    pub(crate) impact: Impact,
    pub(crate) detail: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation, self.detail)
    }
}

/// Every change, grouped by operation (in operationId order).
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) changes: Vec<Change>,
}

impl Report {
    pub(crate) fn breaking(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.impact == Impact::Breaking)
    }

    pub(crate) fn additive(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.impact == Impact::Additive)
    }

    pub(crate) fn is_breaking(&self) -> bool {
        self.breaking().next().is_some()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "no changes to any operation");
        }
        let sections: [(&str, Vec<&Change>); 2] = [
            ("breaking changes", self.breaking().collect()),
            ("additive (non-breaking) changes", self.additive().collect()),
        ];
        for (title, changes) in sections {
            writeln!(f, "{title} ({}):", changes.len())?;
            for change in changes {
                writeln!(f, "  {change}")?;
            }
        }
        Ok(())
    }
}

/// Compares two parsed OpenAPI 3.0 documents operation by operation.
pub(crate) fn compare(old: &Value, new: &Value) -> Report {
    let old_ops = operations(old);
    let new_ops = operations(new);
    let mut changes = Vec::new();

    for (id, before) in &old_ops {
        let mut diff = Diff {
            old,
            new,
            operation: id,
            changes: &mut changes,
        };
        match new_ops.get(id) {
            None => diff.breaking(format!(
                "operation removed (was {} {})",
                before.method.to_uppercase(),
                before.path
            )),
            Some(after) => diff.operation(before, after),
        }
    }
    for (id, after) in &new_ops {
        if !old_ops.contains_key(id) {
            changes.push(Change {
                operation: id.clone(),
                impact: Impact::Additive,
                detail: format!(
                    "new operation {} {}",
                    after.method.to_uppercase(),
                    after.path
                ),
            });
        }
    }

    // Group by operation; the sort is stable, so each operation's changes stay in the
    // order they were found.
    changes.sort_by(|a, b| a.operation.cmp(&b.operation));
    Report { changes }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Guards against recursive schemas and `$ref` cycles.
const MAX_DEPTH: usize = 32;

struct Operation<'v> {
    method: &'static str,
    path: &'v str,
    node: &'v Value,
    path_item: &'v Value,
}

/// The operations of a spec by operationId (or `METHOD path` when it has none).
fn operations(spec: &Value) -> BTreeMap<String, Operation<'_>> {
    let mut operations = BTreeMap::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return operations;
    };
    for (path, path_item) in paths {
        for method in METHODS {
            let Some(node) = path_item.get(method) else {
                continue;
            };
            let id = match node.get("operationId").and_then(Value::as_str) {
                Some(id) => id.to_owned(),
                None => format!("{} {path}", method.to_uppercase()),
            };
            operations.insert(
                id,
                Operation {
                    method,
                    path,
                    node,
                    path_item,
                },
            );
        }
    }
    operations
}

/// Which way a message travels, which decides whether narrowing or widening breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Old clients send it: accepting less breaks them.
    Request,
    /// Old clients receive it: sending more breaks them.
    Response,
}

/// How a constraint moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shift {
    /// Fewer values are valid.
    Narrowed,
    /// More values are valid.
    Widened,
    /// Neither contains the other (a different pattern, type or format).
    Changed,
}

impl Shift {
    fn impact(self, direction: Direction) -> Impact {
        match (self, direction) {
            (Shift::Changed, _)
            | (Shift::Narrowed, Direction::Request)
            | (Shift::Widened, Direction::Response) => Impact::Breaking,
            _ => Impact::Additive,
        }
    }
}

/// Where a schema sits, for messages: `request field accessCode`, `header X-Token-Expire`.
#[derive(Debug, Clone)]
struct Place {
    /// The name of the whole thing: `request body`, `response body`, `header X`.
    whole: String,
    /// What a field inside it is called: `request field`, `response 404 field`.
    fields: String,
    /// The path of the field inside it, empty for the whole.
    field: String,
}

impl Place {
    fn body(side: &str) -> Self {
        Place {
            whole: format!("{side} body"),
            fields: format!("{side} field"),
            field: String::new(),
        }
    }

    fn parameter(location: &str, name: &str) -> Self {
        let whole = format!("{location} {name}");
        Place {
            fields: format!("{whole} field"),
            whole,
            field: String::new(),
        }
    }

    fn property(&self, name: &str) -> Self {
        let field = if self.field.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.field)
        };
        Place {
            field,
            ..self.clone()
        }
    }

    fn items(&self) -> Self {
        Place {
            field: format!("{}[]", self.field),
            ..self.clone()
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.whole)
        } else {
            write!(f, "{} {}", self.fields, self.field)
        }
    }
}

/// Collects the changes of one operation.
struct Diff<'a> {
    old: &'a Value,
    new: &'a Value,
    operation: &'a str,
    changes: &'a mut Vec<Change>,
}

impl Diff<'_> {
    fn push(&mut self, impact: Impact, detail: String) {
        self.changes.push(Change {
            operation: self.operation.to_owned(),
            impact,
            detail,
        });
    }

    fn breaking(&mut self, detail: String) {
        self.push(Impact::Breaking, detail);
    }

    fn additive(&mut self, detail: String) {
        self.push(Impact::Additive, detail);
    }

    fn shift(&mut self, direction: Direction, shift: Shift, detail: String) {
        self.push(shift.impact(direction), detail);
    }

    fn operation(&mut self, before: &Operation<'_>, after: &Operation<'_>) {
        if (before.method, before.path) != (after.method, after.path) {
            self.breaking(format!(
                "moved from {} {} to {} {}",
                before.method.to_uppercase(),
                before.path,
                after.method.to_uppercase(),
                after.path
            ));
        }
        self.parameters(before, after);
        self.request_body(
            before.node.get("requestBody"),
            after.node.get("requestBody"),
        );
        self.responses(before.node.get("responses"), after.node.get("responses"));
    }

    fn parameters(&mut self, before: &Operation<'_>, after: &Operation<'_>) {
        let old = parameters(self.old, before);
        let new = parameters(self.new, after);
        for (key, (name, old_param)) in &old {
            let place = Place::parameter(&key.0, name);
            let Some((_, new_param)) = new.get(key) else {
                self.breaking(format!("{place} removed"));
                continue;
            };
            if !is_required(old_param) && is_required(new_param) {
                self.breaking(format!("{place} became required"));
            } else if is_required(old_param) && !is_required(new_param) {
                self.additive(format!("{place} became optional"));
            }
            let (old_schema, new_schema) = (old_param.get("schema"), new_param.get("schema"));
            if let (Some(old_schema), Some(new_schema)) = (old_schema, new_schema) {
                self.schema(&place, old_schema, new_schema, Direction::Request, 0);
            }
        }
        for (key, (name, new_param)) in &new {
            if !old.contains_key(key) {
                let place = Place::parameter(&key.0, name);
                if is_required(new_param) {
                    self.breaking(format!("new required {place}"));
                } else {
                    self.additive(format!("new optional {place}"));
                }
            }
        }
    }

    fn request_body(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let (old, new) = match (old, new) {
            (None, None) => return,
            (Some(_), None) => return self.breaking("request body removed".to_owned()),
            (None, Some(new)) => {
                return if is_required(&resolve(self.new, new)) {
                    self.breaking("new required request body".to_owned())
                } else {
                    self.additive("new optional request body".to_owned())
                };
            }
            (Some(old), Some(new)) => (resolve(self.old, old), resolve(self.new, new)),
        };
        if !is_required(&old) && is_required(&new) {
            self.breaking("request body became required".to_owned());
        }
        self.content("request", &old, &new, Direction::Request);
    }

    fn responses(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let empty = Map::new();
        let old = old.and_then(Value::as_object).unwrap_or(&empty);
        let new = new.and_then(Value::as_object).unwrap_or(&empty);
        for (status, old_response) in old {
            let Some(new_response) = new.get(status) else {
                self.breaking(format!("status {status} no longer documented"));
                continue;
            };
            let side = if status == "200" {
                "response".to_owned()
            } else {
                format!("response {status}")
            };
            let (old_response, new_response) = (
                resolve(self.old, old_response),
                resolve(self.new, new_response),
            );
            self.content(&side, &old_response, &new_response, Direction::Response);
        }
        for status in new.keys().filter(|status| !old.contains_key(*status)) {
            self.additive(format!("new status {status} documented"));
        }
    }

    /// Compares the `content` (media type → schema) of a request body or a response.
    fn content(&mut self, side: &str, old: &Value, new: &Value, direction: Direction) {
        let empty = Map::new();
        let old = old
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new = new
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (media_type, old_media) in old {
            let Some(new_media) = new.get(media_type) else {
                self.breaking(format!("{side} media type {media_type} removed"));
                continue;
            };
            if let (Some(old_schema), Some(new_schema)) =
                (old_media.get("schema"), new_media.get("schema"))
            {
                self.schema(&Place::body(side), old_schema, new_schema, direction, 0);
            }
        }
        for media_type in new
            .keys()
            .filter(|media_type| !old.contains_key(*media_type))
        {
            self.additive(format!("{side} media type {media_type} added"));
        }
    }

    fn schema(
        &mut self,
        place: &Place,
        old: &Value,
        new: &Value,
        direction: Direction,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let (old, new) = (resolve(self.old, old), resolve(self.new, new));

        for keyword in ["type", "format"] {
            let (before, after) = (old.get(keyword), new.get(keyword));
            if before != after {
                self.breaking(format!(
                    "{place}: {keyword} changed {} → {}",
                    show(before),
                    show(after)
                ));
                return;
            }
        }
        for keyword in ["oneOf", "anyOf", "allOf", "not"] {
            if old.get(keyword) != new.get(keyword) {
                self.breaking(format!("{place}: {keyword} changed (compare by hand)"));
            }
        }

        self.flag(place, direction, &old, &new, "nullable", Shift::Widened);
        self.flag(
            place,
            direction,
            &old,
            &new,
            "exclusiveMinimum",
            Shift::Narrowed,
        );
        self.flag(
            place,
            direction,
            &old,
            &new,
            "exclusiveMaximum",
            Shift::Narrowed,
        );
        self.flag(place, direction, &old, &new, "uniqueItems", Shift::Narrowed);
        for keyword in ["maxLength", "maximum", "maxItems", "maxProperties"] {
            self.bound(place, direction, &old, &new, keyword, Bound::Upper);
        }
        for keyword in ["minLength", "minimum", "minItems", "minProperties"] {
            self.bound(place, direction, &old, &new, keyword, Bound::Lower);
        }
        self.pattern(place, direction, &old, &new);
        self.enumeration(place, direction, &old, &new);
        self.properties(place, direction, &old, &new, depth);
        if let (Some(old_items), Some(new_items)) = (old.get("items"), new.get("items")) {
            self.schema(&place.items(), old_items, new_items, direction, depth + 1);
        }
    }

    /// A boolean keyword whose `true` makes the schema `when_true` (e.g. `nullable` widens).
    fn flag(
        &mut self,
        place: &Place,
        direction: Direction,
        old: &Value,
        new: &Value,
        keyword: &str,
        when_true: Shift,
    ) {
        let before = old.get(keyword).and_then(Value::as_bool).unwrap_or(false);
        let after = new.get(keyword).and_then(Value::as_bool).unwrap_or(false);
        if before == after {
            return;
        }
        let shift = match (after, when_true) {
            (true, shift) => shift,
            (false, Shift::Widened) => Shift::Narrowed,
            (false, _) => Shift::Widened,
        };
        self.shift(
            direction,
            shift,
            format!("{place}: {keyword} {} {before} → {after}", shift.verb()),
        );
    }

    fn bound(
        &mut self,
        place: &Place,
        direction: Direction,
        old: &Value,
        new: &Value,
        keyword: &str,
        bound: Bound,
    ) {
        let (before, after) = (old.get(keyword), new.get(keyword));
        let number = |value: Option<&Value>| value.and_then(Value::as_f64);
        let shift = match (number(before), number(after)) {
            (None, None) => return,
            (Some(_), None) => Shift::Widened,
            (None, Some(_)) => Shift::Narrowed,
            (Some(before), Some(after)) if before == after => return,
            (Some(before), Some(after)) => match bound {
                Bound::Upper if after < before => Shift::Narrowed,
                Bound::Lower if after > before => Shift::Narrowed,
                _ => Shift::Widened,
            },
        };
        self.shift(
            direction,
            shift,
            format!(
                "{place}: {keyword} {} {} → {}",
                shift.verb(),
                show(before),
                show(after)
            ),
        );
    }

    fn pattern(&mut self, place: &Place, direction: Direction, old: &Value, new: &Value) {
        let pattern = |schema: &Value| {
            schema
                .get("pattern")
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let detail = match (pattern(old), pattern(new)) {
            (None, Some(after)) => (Shift::Narrowed, format!("pattern added `{after}`")),
            (Some(before), None) => (Shift::Widened, format!("pattern removed (was `{before}`)")),
            (Some(before), Some(after)) if before != after => (
                Shift::Changed,
                format!("pattern changed `{before}` → `{after}`"),
            ),
            _ => return,
        };
        self.shift(direction, detail.0, format!("{place}: {}", detail.1));
    }

    fn enumeration(&mut self, place: &Place, direction: Direction, old: &Value, new: &Value) {
        match (
            old.get("enum").and_then(Value::as_array),
            new.get("enum").and_then(Value::as_array),
        ) {
            (None, None) => {}
            (Some(_), None) => {
                self.shift(direction, Shift::Widened, format!("{place}: enum removed"))
            }
            (None, Some(after)) => self.shift(
                direction,
                Shift::Narrowed,
                format!("{place}: enum added {}", Value::Array(after.clone())),
            ),
            (Some(before), Some(after)) => {
                for value in before.iter().filter(|value| !after.contains(value)) {
                    self.shift(
                        direction,
                        Shift::Narrowed,
                        format!("{place}: enum value {value} removed"),
                    );
                }
                for value in after.iter().filter(|value| !before.contains(value)) {
                    self.shift(
                        direction,
                        Shift::Widened,
                        format!("{place}: enum value {value} added"),
                    );
                }
            }
        }
    }

    fn properties(
        &mut self,
        place: &Place,
        direction: Direction,
        old: &Value,
        new: &Value,
        depth: usize,
    ) {
        let empty = Map::new();
        let old_props = old
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_props = new
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let (old_required, new_required) = (required(old), required(new));

        for (name, old_prop) in old_props {
            let field = place.property(name);
            let Some(new_prop) = new_props.get(name) else {
                self.breaking(format!("{field} removed"));
                continue;
            };
            match (
                old_required.contains(name.as_str()),
                new_required.contains(name.as_str()),
                direction,
            ) {
                (false, true, Direction::Request) => {
                    self.breaking(format!("{field} became required"))
                }
                (true, false, Direction::Request) => {
                    self.additive(format!("{field} became optional"))
                }
                (true, false, Direction::Response) => {
                    self.breaking(format!("{field} no longer required"))
                }
                (false, true, Direction::Response) => {
                    self.additive(format!("{field} became required"))
                }
                _ => {}
            }
            self.schema(&field, old_prop, new_prop, direction, depth + 1);
        }
        for name in new_props
            .keys()
            .filter(|name| !old_props.contains_key(*name))
        {
            let field = place.property(name);
            let required = new_required.contains(name.as_str());
            match direction {
                Direction::Request if required => self.breaking(format!("new required {field}")),
                Direction::Request => self.additive(format!("new optional {field}")),
                // A client that refuses unknown fields refuses the new one.
                Direction::Response
                    if old.get("additionalProperties") == Some(&Value::Bool(false)) =>
                {
                    self.breaking(format!(
                        "new {field} (the old schema forbids unknown fields)"
                    ))
                }
                Direction::Response => self.additive(format!("new {field}")),
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Bound {
    Upper,
    Lower,
}

impl Shift {
    fn verb(self) -> &'static str {
        match self {
            Shift::Narrowed => "narrowed",
            Shift::Widened => "widened",
            Shift::Changed => "changed",
        }
    }
}

/// The parameters of an operation (path-level ones included, operation-level ones
/// winning) by location and name, with header names lower-cased since they are
/// case-insensitive; each value keeps the spec's spelling for messages.
fn parameters(
    spec: &Value,
    operation: &Operation<'_>,
) -> BTreeMap<(String, String), (String, Value)> {
    let mut parameters = BTreeMap::new();
    for list in [
        operation.path_item.get("parameters"),
        operation.node.get("parameters"),
    ] {
        for parameter in list.and_then(Value::as_array).into_iter().flatten() {
            let parameter = resolve(spec, parameter);
            let (Some(location), Some(name)) = (
                parameter.get("in").and_then(Value::as_str),
                parameter.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            let key = if location == "header" {
                name.to_ascii_lowercase()
            } else {
                name.to_owned()
            };
            let (location, name) = (location.to_owned(), name.to_owned());
            parameters.insert((location, key), (name, parameter));
        }
    }
    parameters
}

fn is_required(node: &Value) -> bool {
    node.get("required")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn required(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn show(value: Option<&Value>) -> String {
    match value {
        None => "none".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// Follows `$ref`s into `spec` and unwraps single-element `allOf`s, whose sibling
/// keywords (a field's own `description`, `nullable`, …) win over the wrapped schema's.
/// A `$ref` that does not resolve is left as it is, and so compared as written.
fn resolve(spec: &Value, node: &Value) -> Value {
    let mut node = node.clone();
    let mut outer = Map::new();
    for _ in 0..MAX_DEPTH {
        if let Some(target) = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix('#'))
            .and_then(|pointer| spec.pointer(pointer))
        {
            // In OpenAPI 3.0 a `$ref`'s siblings are ignored.
            node = target.clone();
            continue;
        }
        let single_all_of = matches!(node.get("allOf"), Some(Value::Array(all)) if all.len() == 1);
        if let (true, Value::Object(mut map)) = (single_all_of, node.clone()) {
            let Some(Value::Array(mut all)) = map.remove("allOf") else {
                unreachable!()
            };
            for (key, value) in map {
                outer.entry(key).or_insert(value);
            }
            node = all.remove(0);
            continue;
        }
        break;
    }
    if let Value::Object(map) = &mut node {
        map.extend(outer);
    }
    node
}

#[cfg(test)]
mod tests;
