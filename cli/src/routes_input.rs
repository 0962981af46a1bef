//! The routes file that plan and apply read: YAML as the SDK reads it, or
//! JSON as `list --output json` and `export --output json` print it (JSON
//! is checked by the same rules); `-` is stdin.
//!
//! JSON may be a document with a `routes` list or a bare list of routes.
//! The keys only cec-routes prints are ignored: `ok`, `operation`, `total`
//! and `skipped` at the top, `id`, `dnid`, `deviceName` and `editable` in a
//! route. Every other key is checked as in a YAML file, and a problem is
//! named by its place (`routes[3]`), JSON's lines being a printer's choice.

use std::{collections::BTreeMap, io::Read, path::Path};

use cec_routes::plan::RoutesFile;
use serde_json::value::RawValue;

use crate::error::Error;

/// Top-level keys cec-routes prints around the routes.
const PRINTED_KEYS: [&str; 4] = ["ok", "operation", "total", "skipped"];
/// Route keys only CEC knows, which a file cannot set.
const LISTED_KEYS: [&str; 4] = ["id", "dnid", "deviceName", "editable"];

/// The name a file is shown by: `stdin` for `-`.
pub fn source_name(path: &Path) -> String {
    if is_stdin(path) {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Whether `path` is `-`, standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads and checks the routes file at `path` (`-`: stdin); every problem
/// at once, nothing sent.
pub fn load(path: &Path) -> Result<RoutesFile, Error> {
    let name = source_name(path);
    parse(&read_text(path, &name)?, &name)
}

/// The routes file's text, from the file or (for `-`) standard input;
/// `name` is how a failure names it.
pub fn read_text(path: &Path, name: &str) -> Result<String, Error> {
    let mut text = String::new();
    let read = if is_stdin(path) {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text).map(|_| ()))
    };
    read.map_err(|e| Error::InvalidInput {
        field: "routes file",
        reason: format!("{name} could not be read: {e}"),
    })?;
    Ok(text)
}

/// Checks a routes file's text, YAML or JSON; `name` is how problems name it.
pub fn parse(text: &str, name: &str) -> Result<RoutesFile, Error> {
    if let Some(result) = parse_json(text, name) {
        return result;
    }
    RoutesFile::parse(text).map_err(|mut error| {
        error.source_name = Some(name.to_owned());
        Error::Cec(error.into())
    })
}

/// A JSON routes document, when `text` is JSON at all (`None`: read it as
/// YAML, which also reports what is wrong with it).
fn parse_json(text: &str, name: &str) -> Option<Result<RoutesFile, Error>> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with(['{', '[']) {
        return None;
    }
    let top: &RawValue = serde_json::from_str(text).ok()?;
    let mut problems = Vec::new();
    let (list, place) = if trimmed.starts_with('{') {
        let fields: BTreeMap<String, &RawValue> = serde_json::from_str(top.get()).ok()?;
        for key in fields.keys() {
            if key != "routes" && !PRINTED_KEYS.contains(&key.as_str()) {
                problems.push(format!(
                    "unknown key `{key}` at the top; the routes are under `routes`"
                ));
            }
        }
        match fields.get("routes") {
            Some(list) => (*list, "routes"),
            None => {
                problems.push("no `routes` key; the document must have a `routes` list".into());
                return Some(Err(refused(name, problems)));
            }
        }
    } else {
        (top, "")
    };
    let Ok(entries) = serde_json::from_str::<Vec<&RawValue>>(list.get()) else {
        problems.push(format!("`{place}` is not a list of routes"));
        return Some(Err(refused(name, problems)));
    };
    // One entry per line, so a problem's line tells its entry.
    let mut document = String::from("{\"routes\": [\n");
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            document.push_str(",\n");
        }
        document.push_str(&one_line(entry));
    }
    document.push_str("\n]}\n");
    let error = match RoutesFile::parse(&document) {
        Ok(file) if problems.is_empty() => return Some(Ok(file)),
        Ok(_) => return Some(Err(refused(name, problems))),
        Err(error) => error,
    };
    for problem in error.problems {
        let at = |line: usize| format!("{place}[{}]", line.saturating_sub(2));
        let message = match problem.message.split_once("the first is at line ") {
            Some((before, after)) => {
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                let line = digits.parse().unwrap_or(0);
                format!(
                    "{before}the first is {}{}",
                    at(line),
                    &after[digits.len()..]
                )
            }
            None => problem.message,
        };
        problems.push(if (2..entries.len() + 2).contains(&problem.line) {
            format!("{}: {message}", at(problem.line))
        } else {
            message
        });
    }
    Some(Err(refused(name, problems)))
}

/// One route entry on one line, without the keys only CEC knows.
fn one_line(entry: &RawValue) -> String {
    let text = entry.get();
    let fields = text
        .trim_start()
        .starts_with('{')
        .then(|| serde_json::from_str::<BTreeMap<String, &RawValue>>(text).ok())
        .flatten();
    let text = match fields {
        Some(fields) => {
            let kept: Vec<String> = fields
                .iter()
                .filter(|(key, _)| !LISTED_KEYS.contains(&key.as_str()))
                .map(|(key, value)| {
                    format!(
                        "{}: {}",
                        serde_json::to_string(key).expect("a string serializes"),
                        value.get()
                    )
                })
                .collect();
            format!("{{{}}}", kept.join(", "))
        }
        None => text.to_owned(),
    };
    // Line breaks in JSON are only ever whitespace between tokens.
    text.replace(['\n', '\r'], " ")
}

fn refused(name: &str, problems: Vec<String>) -> Error {
    let count = problems.len();
    let mut reason = format!(
        "{name} has {count} problem{}; nothing was sent",
        if count == 1 { "" } else { "s" }
    );
    for problem in problems {
        reason.push_str(&format!("\n  {name}: {problem}"));
    }
    Error::InvalidInput {
        field: "routes file",
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_as_list_prints_it_reads_back() {
        let text = r#"{"ok": true, "operation": "queryCalledRoute", "total": 2, "routes": [
            {"id": "1125397061153369092", "dnid": 3, "accessCode": "9911411", "extCode": "11",
             "skillQueue": 1, "deviceName": "defaultVideoSkill", "mediaType": "video", "editable": "yes"},
            {"accessCode": "9911411", "ivr": 7}
        ]}"#;
        let file = parse(text, "stdin").expect("the listing reads as a routes file");
        assert_eq!(file.routes().len(), 2);
        assert_eq!(file.routes()[0].route.ext_code(), Some("11"));
    }

    #[test]
    fn a_json_problem_names_its_entry() {
        let text = r#"[{"accessCode": "9911411", "ivr": 7},
            {"accessCode": "9911411", "ivr": 7, "queue": 1},
            {"accessCode": "9911411", "skillQueue": 99999999999999999999999999999},
            {"accessCode": "9911411", "skillQueue": 2}]"#;
        let error = parse(text, "stdin").unwrap_err().to_string();
        assert!(error.contains("stdin: [3]: access code 9911411 without an extension code is routed twice; the first is [0]: keep one"), "{error}");
        assert!(error.contains("stdin: [1]: unknown key `queue`"), "{error}");
        assert!(
            error.contains("stdin: [2]: `skillQueue` must be a name or a whole number"),
            "{error}"
        );
        assert!(
            !error.contains("e+"),
            "a huge number is never a float: {error}"
        );
    }
}
