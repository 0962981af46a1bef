//! `cec-routes delete`: deleteCalledRoute, after confirmation.

use std::io::{BufRead, IsTerminal, Write};

use cec_routes::{ClientBuilder, Error};
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
    if !args.yes && !confirm(&format!("delete the routes with dnids {list}?"))? {
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

/// Asks on the terminal; refuses when stdin is not one (use --yes).
fn confirm(question: &str) -> Result<bool, Error> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::InvalidInput {
            field: "dnids",
            reason: "stdin is not a terminal, so the deletion cannot be confirmed; pass --yes"
                .into(),
        });
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::InvalidInput {
            field: "dnids",
            reason: format!("could not read the answer: {e}"),
        })?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
