//! `cec-routes modify`: modifyCalledRoute, after finding the route.

use crate::error::Error;
use cec_routes::{ClientBuilder, Device, Listed, Route, RouteChange, RouteFilter, RouteId};
use serde_json::json;

use crate::output::{Output, escape, listed_route_json};

/// Point one route at another skill queue or IVR flow.
///
/// The route is looked up first (under --access-code when given), so that
/// its editable state and media type are checked before anything changes.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("device").required(true).args(["skill_queue", "ivr"])))]
pub struct Args {
    /// The route's id, exactly as `cec-routes list` shows it
    #[arg(long, value_name = "ID")]
    pub id: String,

    /// Route the calls to this skill queue
    #[arg(long, value_name = "ID")]
    pub skill_queue: Option<u32>,

    /// Route the calls to this IVR flow
    #[arg(long, value_name = "ID")]
    pub ivr: Option<u32>,

    /// The route's access code, to look it up faster
    #[arg(long, value_name = "CODE")]
    pub access_code: Option<String>,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let id: RouteId = args.id.parse()?;
    let device = match (args.skill_queue, args.ivr) {
        (Some(queue), None) => Device::SkillQueue(queue),
        (None, Some(ivr)) => Device::Ivr(ivr),
        _ => {
            return Err(Error::InvalidInput {
                field: "devicetype",
                reason: "give exactly one of --skill-queue and --ivr".into(),
            });
        }
    };
    let client = config.build()?;
    let filter = match &args.access_code {
        Some(code) => RouteFilter::new().access_code(code)?,
        None => RouteFilter::new(),
    };
    let routes = client.called_routes(&filter).await?;
    let route = routes
        .iter()
        .find(|r| r.id.as_ref() == Some(&id))
        .ok_or_else(|| Error::InvalidInput {
            field: "id",
            reason: format!("no route has id {id}; list the routes to find it"),
        })?;
    let change = RouteChange::new(route, device)?;
    let done = client.modify_called_route(&change).await?;
    out.result(
        &format!(
            "route {id} now goes to {device}: {}",
            escape(&done.description.clone().unwrap_or_default())
        ),
        json!({
            "operation": "modifyCalledRoute",
            "id": id.as_str(),
            "from": listed_route_json(route),
            "to": listed_route_json(&Route {
                device: Listed::Known(device),
                device_desc: None,
                ..route.clone()
            }),
            "returnCode": "0",
            "description": done.description,
        }),
    );
    Ok(())
}
