//! `cec-routes modify`: modifyCalledRoute, after finding the route.

use crate::error::Error;
use cec_routes::{ClientBuilder, Device, Listed, RouteChange, RouteFilter, RouteId};
use serde_json::json;

use crate::{
    output::{Output, escape, listed_route_json},
    route_key::{self, KeyArgs},
};

/// Point one route at another skill queue or IVR flow.
///
/// The route is named by its id, or by its access code and extension code
/// (--no-ext-code for the one without); it is looked up first, so that its
/// editable state and media type are checked before anything changes.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("device").required(true).args(["skill_queue", "ivr"])))]
#[command(group(clap::ArgGroup::new("route").required(true).args(["id", "access_code"]).multiple(true)))]
pub struct Args {
    /// The route's id, exactly as `cec-routes list` shows it
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    #[command(flatten)]
    pub key: KeyArgs,

    /// Route the calls to this skill queue
    #[arg(long, value_name = "ID")]
    pub skill_queue: Option<u32>,

    /// Route the calls to this IVR flow
    #[arg(long, value_name = "ID")]
    pub ivr: Option<u32>,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let id: Option<RouteId> = args.id.as_deref().map(str::parse).transpose()?;
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
    let route = match (&id, args.key.key()) {
        // With --id, --access-code alone only narrows the lookup.
        (Some(id), _) => {
            let filter = match &args.key.access_code {
                Some(code) => RouteFilter::new().access_code(code)?,
                None => RouteFilter::new(),
            };
            let routes = client.called_routes(&filter).await?;
            routes
                .into_iter()
                .find(|r| r.id.as_ref() == Some(id))
                .ok_or_else(|| Error::InvalidInput {
                    field: "id",
                    reason: format!("no route has id {id}; list the routes to find it"),
                })?
        }
        (None, Ok(Some((code, ext)))) => route_key::find(&client, code, ext).await?,
        (None, Err(error)) => return Err(error),
        (None, Ok(None)) => unreachable!("clap requires --id or --access-code"),
    };
    let change = RouteChange::new(&route, device)?;
    let done = client.modify_called_route(&change).await?;
    let id = change.id().clone();
    out.result(
        &format!(
            "route {} (id {id}) now goes to {device}: {}",
            escape(&route_key::name(
                &route.access_code,
                route.ext_code.as_deref()
            )),
            escape(&done.description.clone().unwrap_or_default())
        ),
        || {
            json!({
                "operation": "modifyCalledRoute",
                "id": id.as_str(),
                "from": listed_route_json(&route),
                "to": listed_route_json(&{
                    let mut to = route.clone();
                    to.device = Listed::Known(device);
                    to.device_desc = None;
                    to
                }),
                "returnCode": "0",
                "description": done.description,
            })
        },
    );
    Ok(())
}
