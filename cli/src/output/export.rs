//! `export`'s printing, a route at a time: the routes file (YAML) for
//! people, or the JSON document for scripts, written to stdout as the
//! routes come, never held whole.
//!
//! The bytes are those a whole-file printing gives: the YAML is
//! [`RoutesFile::to_yaml`](cec_routes::plan::RoutesFile::to_yaml)'s and the
//! JSON is [`json_text`]'s pretty printing of
//! `{"ok", "operation", "routes", "skipped"}` (keys in that order), each
//! followed by a newline.

use std::io::Write;

use cec_routes::{CalledRoute, Route, plan::RoutesFileWriter};
use serde_json::{Value, json};

use super::{Output, StdoutStream, json_text, listed_route_json, route_json};

/// Prints an export as its routes come, in the format asked for.
pub struct ExportPrinter {
    format: Printing,
}

enum Printing {
    Yaml(RoutesFileWriter<StdoutStream>),
    Json {
        out: StdoutStream,
        /// How many routes have been written.
        routes: usize,
    },
}

impl ExportPrinter {
    /// A printer for `out`'s format (JSON, or the routes file for every
    /// other); nothing is written yet.
    pub fn new(out: &Output) -> Self {
        let format = if out.is_json() {
            Printing::Json {
                out: StdoutStream::json(),
                routes: 0,
            }
        } else {
            Printing::Yaml(RoutesFileWriter::new(StdoutStream::text()))
        };
        ExportPrinter { format }
    }

    /// Prints one route: its target by `target_name` when one is given (the
    /// YAML only: JSON gives ids).
    pub fn route(&mut self, route: &CalledRoute, target_name: Option<&str>) {
        // A StdoutStream's writes never fail: a closed stdout ends the
        // printing quietly.
        let _ = match &mut self.format {
            Printing::Yaml(writer) => writer.route(route, target_name),
            Printing::Json { out, routes } => {
                let start = if *routes == 0 {
                    "{\n  \"ok\": true,\n  \"operation\": \"export\",\n  \"routes\": [\n    "
                } else {
                    ",\n    "
                };
                *routes += 1;
                out.write_all(start.as_bytes()).and_then(|()| {
                    out.write_all(indented(&json_text(&route_json(route)), 4).as_bytes())
                })
            }
        };
    }

    /// Ends the output: the YAML's end, or the JSON document's list of the
    /// routes a file cannot describe and its end.
    pub fn finish(self, skipped: &[(Route, String)]) {
        let _ = match self.format {
            Printing::Yaml(writer) => writer.finish().map(drop),
            Printing::Json { mut out, routes } => {
                let skipped: Vec<Value> = skipped
                    .iter()
                    .map(|(route, reason)| {
                        json!({"route": listed_route_json(route), "reason": reason})
                    })
                    .collect();
                let routes_end = if routes == 0 {
                    "{\n  \"ok\": true,\n  \"operation\": \"export\",\n  \"routes\": [],\n"
                } else {
                    "\n  ],\n"
                };
                let end = format!(
                    "{routes_end}  \"skipped\": {}\n}}\n",
                    indented(&json_text(&Value::Array(skipped)), 2)
                );
                out.write_all(end.as_bytes()).and_then(|()| out.flush())
            }
        };
    }

    /// Ends an output that cannot be completed so that no reader takes it
    /// for a whole export: the YAML ends with a line naming `reason` that
    /// no YAML reader loads; the JSON document is left unterminated, which
    /// no JSON reader loads.
    pub fn fail(self, reason: &str) {
        let _ = match self.format {
            Printing::Yaml(writer) => writer.fail(reason).map(drop),
            Printing::Json { mut out, .. } => out.flush(),
        };
    }
}

/// `text` (pretty-printed JSON) with every line but the first indented by
/// `by` spaces, to sit inside a document. JSON strings hold no raw line
/// breaks, so each line break is the printer's own.
fn indented(text: &str, by: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(by)))
}
