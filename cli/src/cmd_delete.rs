//! `cec-routes delete`: deleteCalledRoute, after confirmation.

use crate::error::Error;
use cec_routes::ClientBuilder;
use serde_json::json;

use crate::output::Output;

/// Delete routes by their dnids (asks for confirmation on a terminal).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The routes' dnids, comma-separated (as `cec-routes list` shows them)
    #[arg(long, value_name = "N[,N…]", value_delimiter = ',', required = true)]
    pub dnid: Vec<i64>,

    /// Delete without asking; required when stdin is not a terminal
    #[arg(long, short = 'y')]
    pub yes: bool,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let list = args
        .dnid
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    if !args.yes
        && !crate::prompt::confirm(
            &format!("delete the routes with dnids {list}?"),
            "dnids",
            "deletion",
        )?
    {
        return Err(Error::InvalidInput {
            field: "dnids",
            reason: "not confirmed; nothing was deleted".into(),
        });
    }
    let client = config.build()?;
    let deletion = client.delete_called_routes(&args.dnid).await?;
    out.result(
        &format!("deleted {}", deletion.deleted.join(", ")),
        json!({
            "operation": "deleteCalledRoute",
            "deleted": deletion.deleted,
            "ids": deletion.ids,
            "requests": deletion.requests,
        }),
    );
    Ok(())
}
