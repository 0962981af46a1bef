//! `cec-routes ivr-flows`: queryIVRFlowList (one call: it has no paging).

use crate::error::Error;
use cec_routes::ClientBuilder;
use serde_json::json;

use crate::output::{Output, Table, ivr_flow_json};

/// List every IVR flow of the tenant space.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let client = config.build()?;
    let flows = client.ivr_flows().await?;

    let mut table = Table::new(["ID", "NAME", "LOADED", "TYPE", "FLOW ACCESS CODE"]);
    for f in &flows {
        table.row([
            f.id.map_or_else(|| "-".into(), |id| id.to_string()),
            f.name.clone().unwrap_or_else(|| "-".into()),
            match f.loaded {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => "-".into(),
            },
            f.flow_type.as_ref().map_or("-".into(), ToString::to_string),
            f.access_code.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    let count = flows.len();
    out.result(
        &format!(
            "{}{count} IVR flow{}",
            table.render(),
            if count == 1 { "" } else { "s" }
        ),
        || {
            json!({
                "operation": "queryIVRFlowList",
                "total": count,
                "ivrFlows": flows.iter().map(ivr_flow_json).collect::<Vec<_>>(),
            })
        },
    );
    Ok(())
}
