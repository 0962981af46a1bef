//! `cec-routes list`: queryCalledRoute, every page.

use crate::error::Error;
use cec_routes::{ClientBuilder, Device, Listed, MediaType, Route, RouteFilter};
use clap::builder::NonEmptyStringValueParser;
use serde_json::json;

use crate::output::{Output, Table, listed_route_json};

/// List the called routes (every page), filtered.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only routes of this access code
    #[arg(long, value_name = "CODE", value_parser = NonEmptyStringValueParser::new())]
    pub access_code: Option<String>,

    /// Only routes with exactly this extension code (never the route without one)
    #[arg(long, value_name = "CODE", value_parser = NonEmptyStringValueParser::new())]
    pub ext_code: Option<String>,

    /// Routes a caller dialling the access code followed by CODE could reach: those whose
    /// extension code is a prefix of CODE, the route without one included (CEC's own reading
    /// of an extension filter; to see where a number goes, not to pick routes to delete)
    #[arg(
        long,
        value_name = "CODE",
        conflicts_with = "ext_code",
        value_parser = NonEmptyStringValueParser::new()
    )]
    pub dial_match: Option<String>,

    /// Only routes to this skill queue
    #[arg(long, value_name = "ID", conflicts_with = "ivr")]
    pub skill_queue: Option<u32>,

    /// Only routes to this IVR flow
    #[arg(long, value_name = "ID")]
    pub ivr: Option<u32>,

    /// Only routes of this media type (a name or number)
    #[arg(long, value_name = "TYPE", value_parser = NonEmptyStringValueParser::new())]
    pub media_type: Option<String>,
}

impl Args {
    fn filter(&self) -> Result<RouteFilter, Error> {
        let mut filter = RouteFilter::new();
        if let Some(code) = &self.access_code {
            filter = filter.access_code(code)?;
        }
        if let Some(code) = &self.ext_code {
            filter = filter.ext_code(code)?;
        }
        if let Some(code) = &self.dial_match {
            filter = filter.ext_code_dial_match(code)?;
        }
        if self.skill_queue.is_some() {
            filter = filter.skill_queues();
        }
        if self.ivr.is_some() {
            filter = filter.ivr_flows();
        }
        if let Some(media) = &self.media_type {
            filter = filter.media_type(media.parse::<MediaType>()?);
        }
        Ok(filter)
    }

    /// The device filter CEC has no field for, applied to what it returns.
    fn device(&self) -> Option<Device> {
        self.skill_queue
            .map(Device::SkillQueue)
            .or(self.ivr.map(Device::Ivr))
    }
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let filter = args.filter()?;
    let client = config.build()?;
    let mut routes = client.called_routes(&filter).await?;
    if let Some(device) = args.device() {
        routes.retain(|r| r.device == Listed::Known(device));
    }
    out.result(&route_table(&routes, out.is_wide()), || {
        json!({
            "operation": "queryCalledRoute",
            "total": routes.len(),
            "routes": routes.iter().map(listed_route_json).collect::<Vec<_>>(),
        })
    });
    Ok(())
}

/// Routes as a table, one line each; `wide` adds the device's name (the
/// skill queue's or IVR flow's, as CEC describes it) after the device.
pub fn route_table(routes: &[Route], wide: bool) -> String {
    let cells = |r: &Route| -> [String; 8] {
        [
            r.id.as_ref().map_or("-".into(), ToString::to_string),
            r.dnid.map_or("-".into(), |d| d.to_string()),
            r.access_code.clone(),
            r.ext_code.clone().unwrap_or_else(|| "-".into()),
            r.device.to_string(),
            r.device_desc.clone().unwrap_or_else(|| "-".into()),
            r.media_type.as_ref().map_or("-".into(), |m| match m {
                Listed::Known(m) => m.name().to_owned(),
                Listed::Unknown(raw) => format!("unknown ({raw})"),
            }),
            editable(r),
        ]
    };
    let rendered = if wide {
        let mut table = Table::new([
            "ID",
            "DNID",
            "ACCESS CODE",
            "EXT",
            "DEVICE",
            "DEVICE NAME",
            "MEDIA",
            "EDITABLE",
        ]);
        for r in routes {
            table.row(cells(r));
        }
        table.render()
    } else {
        let mut table = Table::new([
            "ID",
            "DNID",
            "ACCESS CODE",
            "EXT",
            "DEVICE",
            "MEDIA",
            "EDITABLE",
        ]);
        for r in routes {
            let [id, dnid, code, ext, device, _, media, editable] = cells(r);
            table.row([id, dnid, code, ext, device, media, editable]);
        }
        table.render()
    };
    let count = routes.len();
    format!(
        "{rendered}{count} route{}",
        if count == 1 { "" } else { "s" }
    )
}

fn editable(route: &Route) -> String {
    match (route.editable.can_edit(), route.editable.can_delete()) {
        (true, true) => "yes".into(),
        (false, true) => "delete only".into(),
        (true, false) => "edit only".into(),
        (false, false) => format!("locked ({})", route.editable.code()),
    }
}
