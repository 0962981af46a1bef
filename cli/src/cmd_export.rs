//! `cec-routes export`: the live routes as a routes file.
//!
//! The routes are read page by page, each kept only as the file writes it
//! ([`RoutesExport`]); the file is written once the last page has come, a
//! route at a time ([`ExportPrinter`]): its order (access code, then
//! extension code) is known only then. So a listing that fails writes
//! nothing on stdout, and a Ctrl-C while the file is being written ends it
//! with a line that no YAML reader loads: a part of an export never reads
//! as a shorter routes file, whose `plan --prune` would delete live routes.

use std::process::ExitCode;

use crate::error::Error;
use cec_routes::{
    ClientBuilder, RouteFilter,
    plan::{CancellationToken, RoutesExport},
};
use clap::builder::NonEmptyStringValueParser;

use crate::{
    interrupt,
    output::{self, ExportPrinter, Output, escape},
};

/// Write the live routes as a routes file (YAML on stdout), in a stable order
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only routes of these access codes (repeat, or separate with commas); default: every route
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = NonEmptyStringValueParser::new())]
    pub access_code: Vec<String>,

    /// Write skill queues and IVR flows by id; by default each is written by its name when no
    /// other has that name, so the file applies to a tenant whose ids differ
    #[arg(long)]
    pub ids: bool,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<ExitCode, Error> {
    let client = config.build()?;
    // Each access code's routes in turn (exactly that code, whatever CEC
    // matched), as `Client::routes_of_access_codes` reads them.
    let filters = if args.access_code.is_empty() {
        vec![(RouteFilter::new(), None)]
    } else {
        args.access_code
            .iter()
            .map(|code| Ok((RouteFilter::new().access_code(code)?, Some(code.as_str()))))
            .collect::<Result<Vec<_>, cec_routes::Error>>()?
    };
    let mut export = RoutesExport::new();
    for (filter, code) in filters {
        let mut pages = client.called_route_pages(filter);
        while let Some(page) = pages.next_page().await? {
            for route in page
                .iter()
                .filter(|r| code.is_none_or(|c| r.access_code == c))
            {
                export.push(route);
            }
        }
    }
    let (routes, skipped) = export.finish();
    let tenant = if !args.ids && !out.is_json() {
        Some(client.tenant().await?)
    } else {
        None
    };
    for (route, reason) in &skipped {
        out.warn(&escape(&format!(
            "route {}{} (dnid {}) is left out: {reason}",
            route.access_code,
            route
                .ext_code
                .as_deref()
                .map(|e| format!(" ext {e}"))
                .unwrap_or_default(),
            route.dnid.map_or_else(|| "-".to_owned(), |d| d.to_string()),
        )));
    }
    let stop = CancellationToken::new();
    let watcher = interrupt::cancel_on_signal(
        stop.clone(),
        "interrupted: ending the export with a line that marks it incomplete",
    );
    let mut printer = ExportPrinter::new(out);
    for route in &routes {
        if stop.is_cancelled() {
            printer.fail("interrupted");
            output::stderr(
                "error: interrupted: the export is incomplete; its last line says so, and no \
                 routes file reader loads it",
            );
            return Ok(ExitCode::from(interrupt::EXIT));
        }
        let name = tenant
            .as_ref()
            .and_then(|tenant| tenant.export_name(route.device()));
        printer.route(route, name);
    }
    printer.finish(&skipped);
    watcher.abort();
    Ok(ExitCode::SUCCESS)
}
