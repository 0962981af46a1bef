//! All printing: text for people, JSON for scripts, errors on stderr.

use cec_routes::{CalledRoute, Error};
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
        if error.may_have_reached_server()
            && !matches!(
                error,
                Error::Business { .. } | Error::PartialDeletion { .. }
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
    let kind = match error {
        Error::InvalidInput { .. } => "invalid_input",
        Error::Config { .. } => "config",
        Error::Auth { .. } | Error::Unauthorized { .. } | Error::Forbidden { .. } => "auth",
        Error::Business { .. } => "business",
        Error::PartialDeletion { .. } => "partial_deletion",
        Error::Connect { .. } | Error::Timeout { .. } | Error::Transport { .. } => "transport",
        Error::Decode { .. } => "decode",
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
    if let Error::PartialDeletion {
        deleted, failed, ..
    } = error
    {
        json["error"]["deleted"] = json!(deleted);
        json["error"]["failed"] = json!(failed);
    }
    json
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
