//! `cec-routes create`: createCalledRoute.

use crate::error::Error;
use cec_routes::{CalledRoute, ClientBuilder, Device, MediaType};
use clap::builder::NonEmptyStringValueParser;
use serde_json::json;

use crate::{
    output::{Output, escape, route_json},
    route_key,
};

/// Bind an access code (and extension code) to a skill queue or IVR flow.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("device").required(true).args(["skill_queue", "ivr"])))]
pub struct Args {
    /// The access code customers dial (1 to 32 characters)
    #[arg(long, value_name = "CODE", value_parser = NonEmptyStringValueParser::new())]
    pub access_code: String,

    /// Extension code (1 to 12 digits, `*` or `#`)
    #[arg(long, value_name = "CODE", value_parser = NonEmptyStringValueParser::new())]
    pub ext_code: Option<String>,

    /// Route calls to this skill queue id
    #[arg(long, value_name = "ID")]
    pub skill_queue: Option<u32>,

    /// Route calls to this IVR flow id (not allowed with --media-type multimedia)
    #[arg(long, value_name = "ID")]
    pub ivr: Option<u32>,

    /// Media type: voice-click-to-dial (2), voice-and-video (5), video-click-to-dial (18),
    /// video (19), multimedia (53); CEC uses 5 when left out
    #[arg(long, value_name = "TYPE", value_parser = NonEmptyStringValueParser::new())]
    pub media_type: Option<String>,
}

impl Args {
    /// The route these flags describe, checked.
    pub fn route(&self) -> Result<CalledRoute, Error> {
        let device = match (self.skill_queue, self.ivr) {
            (Some(id), None) => Device::SkillQueue(id),
            (None, Some(id)) => Device::Ivr(id),
            _ => {
                return Err(Error::InvalidInput {
                    field: "devicetype",
                    reason: "give exactly one of --skill-queue and --ivr".into(),
                });
            }
        };
        let mut route = CalledRoute::new(&self.access_code, device)?;
        if let Some(ext) = &self.ext_code {
            route = route.with_ext_code(ext)?;
        }
        if let Some(media) = &self.media_type {
            route = route.with_media_type(media.parse::<MediaType>()?)?;
        }
        Ok(route)
    }
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let route = args.route()?;
    let client = config.build()?;
    let done = client.create_called_route(&route).await?;
    let description = done.description.clone().unwrap_or_default();
    // CEC's answer names neither the id nor the dnid: read them back.
    let created = match route_key::find(&client, route.access_code(), route.ext_code()).await {
        Ok(created) => Some(created),
        Err(error) => {
            out.warn(&format!(
                "the route was created, but reading back its id and dnid failed: {}",
                crate::output::error_text(&error)
            ));
            None
        }
    };
    let id = created
        .as_ref()
        .and_then(|r| r.id.as_ref())
        .map(|id| id.as_str().to_owned());
    let dnid = created.as_ref().and_then(|r| r.dnid);
    let ids = match (&id, dnid) {
        (Some(id), Some(dnid)) => format!("; id {id}, dnid {dnid}"),
        _ => String::new(),
    };
    out.result(
        &format!("created route {route}: {}{ids}", escape(&description)),
        || {
            json!({
                "operation": "createCalledRoute",
                "route": route_json(&route),
                "id": id,
                "dnid": dnid,
                "returnCode": "0",
                "description": done.description,
            })
        },
    );
    Ok(())
}
