//! `cec-routes export`: the live routes as a routes file.

use crate::error::Error;
use cec_routes::{ClientBuilder, RouteFilter, plan::RoutesFile};
use clap::builder::NonEmptyStringValueParser;
use serde_json::json;

use crate::output::{Output, escape, listed_route_json, routes_file_json};

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

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let client = config.build()?;
    let live = if args.access_code.is_empty() {
        client.called_routes(&RouteFilter::new()).await?
    } else {
        client.routes_of_access_codes(&args.access_code).await?
    };
    let (mut file, skipped) = RoutesFile::export(&live);
    if !args.ids && !out.is_json() {
        file = client.tenant().await?.with_names(&file);
    }
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
    let yaml = file.to_yaml();
    out.result(yaml.trim_end(), || {
        json!({
            "operation": "export",
            "routes": routes_file_json(&file),
            "skipped": skipped
                .iter()
                .map(|(route, reason)| json!({"route": listed_route_json(route), "reason": reason}))
                .collect::<Vec<_>>(),
        })
    });
    Ok(())
}
