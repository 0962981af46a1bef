//! `cec-routes access-codes`: queryAccessCodeList, every page.

use crate::error::Error;
use cec_routes::{AccessCodeFilter, ClientBuilder, Listed, MediaType};
use clap::builder::NonEmptyStringValueParser;
use serde_json::json;

use crate::output::{Output, Table, access_code_json};

/// List the tenant's access codes (every page), filtered.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only access codes containing this text
    #[arg(long, value_name = "CODE", value_parser = NonEmptyStringValueParser::new())]
    pub access_code: Option<String>,

    /// Only access codes of this media type: voice-click-to-dial (2), voice-and-video (5)
    /// or multimedia (53)
    #[arg(long, value_name = "TYPE", value_parser = NonEmptyStringValueParser::new())]
    pub media_type: Option<String>,

    /// Only access codes whose description contains this text
    #[arg(long, value_name = "TEXT", value_parser = NonEmptyStringValueParser::new())]
    pub description: Option<String>,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let mut filter = AccessCodeFilter::new();
    if let Some(code) = &args.access_code {
        filter = filter.access_code(code)?;
    }
    if let Some(media) = &args.media_type {
        filter = filter.media_type(media.parse::<MediaType>()?)?;
    }
    if let Some(text) = &args.description {
        filter = filter.description(text);
    }
    let client = config.build()?;
    let codes = client.access_codes(&filter).await?;

    let mut table = Table::new([
        "ID",
        "ACCESS CODE",
        "MEDIA",
        "SERVICE NUMBER",
        "DIRECTION",
        "DESCRIPTION",
    ]);
    for c in &codes {
        table.row([
            c.id.clone().unwrap_or_else(|| "-".into()),
            c.code.clone(),
            c.media_type.as_ref().map_or("-".into(), |m| match m {
                Listed::Known(m) => m.name().to_owned(),
                Listed::Unknown(raw) => format!("unknown ({raw})"),
            }),
            c.service_number.clone().unwrap_or_else(|| "-".into()),
            c.direction.as_ref().map_or("-".into(), ToString::to_string),
            c.description.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    let count = codes.len();
    out.result(
        &format!(
            "{}{count} access code{}",
            table.render(),
            if count == 1 { "" } else { "s" }
        ),
        || {
            json!({
                "operation": "queryAccessCodeList",
                "total": count,
                "accessCodes": codes.iter().map(access_code_json).collect::<Vec<_>>(),
            })
        },
    );
    Ok(())
}
