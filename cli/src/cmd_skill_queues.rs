//! `cec-routes skill-queues`: querySkills, every page.

use crate::error::Error;
use cec_routes::{ClientBuilder, MediaType, targets::SkillQueueFilter};
use clap::builder::NonEmptyStringValueParser;
use serde_json::json;

use crate::output::{Output, Table, listed_media_word, skill_queue_json};

/// List the tenant's skill queues (every page), filtered.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only queues of this name (CEC does not document whether it matches in part)
    #[arg(long, value_name = "NAME", value_parser = NonEmptyStringValueParser::new())]
    pub name: Option<String>,

    /// Only queues of this media type: a name (video) or the documented number (19)
    #[arg(long, value_name = "TYPE", value_parser = NonEmptyStringValueParser::new())]
    pub media_type: Option<String>,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let mut filter = SkillQueueFilter::new();
    if let Some(name) = &args.name {
        filter = filter.name(name)?;
    }
    if let Some(media) = &args.media_type {
        filter = filter.media_type(media.parse::<MediaType>()?);
    }
    let client = config.build()?;
    let queues = client.skill_queues(&filter).await?;

    let mut table = Table::new(["ID", "NAME", "MEDIA", "DESCRIPTION"]);
    for q in &queues {
        table.row([
            q.id.map_or_else(|| "-".into(), |id| id.to_string()),
            q.name.clone().unwrap_or_else(|| "-".into()),
            listed_media_word(&q.media_type),
            q.description.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    let count = queues.len();
    out.result(
        &format!(
            "{}{count} skill queue{}",
            table.render(),
            if count == 1 { "" } else { "s" }
        ),
        || {
            json!({
                "operation": "querySkills",
                "total": count,
                "skillQueues": queues.iter().map(skill_queue_json).collect::<Vec<_>>(),
            })
        },
    );
    Ok(())
}
