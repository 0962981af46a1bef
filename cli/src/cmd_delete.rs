//! `cec-routes delete`: deleteCalledRoute, after finding the routes and
//! confirming.

use crate::error::Error;
use cec_routes::{ClientBuilder, Route, RouteFilter};
use serde_json::json;

use crate::{
    output::{Output, escape, listed_route_json},
    route_key::{self, KeyArgs},
};

/// Delete routes by dnid or by access code and extension code (asks first on a terminal).
///
/// The routes are looked up first: the question lists them, and the answer
/// names what was deleted. Answering no deletes nothing and is not an error.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("route").required(true).args(["dnid", "access_code"])))]
pub struct Args {
    /// The routes' dnids, comma-separated (as `cec-routes list` shows them)
    #[arg(long, value_name = "N[,N…]", value_delimiter = ',')]
    pub dnid: Vec<i64>,

    #[command(flatten)]
    pub key: KeyArgs,

    /// Delete without asking; required when stdin is not a terminal
    #[arg(long, short = 'y')]
    pub yes: bool,
}

pub async fn run(args: &Args, config: ClientBuilder, out: &Output) -> Result<(), Error> {
    let key = args.key.key()?;
    let client = config.build()?;
    // The routes to delete, and the dnids no listed route has.
    let (routes, unlisted): (Vec<Route>, Vec<i64>) = match key {
        Some((code, ext)) => {
            let route = route_key::find(&client, code, ext).await?;
            if route.dnid.is_none() {
                return Err(Error::InvalidInput {
                    field: "--access-code",
                    reason: format!(
                        "CEC lists route {} without a dnid, so it cannot be deleted",
                        route_key::name(code, ext)
                    ),
                });
            }
            (vec![route], Vec::new())
        }
        None => {
            let all = client.called_routes(&RouteFilter::new()).await?;
            let routes: Vec<Route> = args
                .dnid
                .iter()
                .filter_map(|d| all.iter().find(|r| r.dnid == Some(*d)).cloned())
                .collect();
            let unlisted = args
                .dnid
                .iter()
                .copied()
                .filter(|d| !routes.iter().any(|r| r.dnid == Some(*d)))
                .collect();
            (routes, unlisted)
        }
    };
    let dnids: Vec<i64> = routes
        .iter()
        .filter_map(|r| r.dnid)
        .chain(unlisted.iter().copied())
        .collect();
    if !args.yes {
        let mut question = String::from("These routes will be deleted:\n");
        for route in &routes {
            question.push_str(&format!("  {}\n", escape(&route_key::describe(route))));
        }
        for dnid in &unlisted {
            question.push_str(&format!(
                "  dnid {dnid}: no listed route has it (sent as it is)\n"
            ));
        }
        question.push_str(&format!(
            "delete {} route{}?",
            dnids.len(),
            if dnids.len() == 1 { "" } else { "s" }
        ));
        if !crate::prompt::confirm(&question, "dnids", "deletion")? {
            out.result("nothing deleted", || {
                json!({
                    "operation": "deleteCalledRoute",
                    "deleted": [],
                    "ids": [],
                    "requests": 0,
                    "routes": [],
                })
            });
            return Ok(());
        }
    }
    let deletion = client.delete_called_routes(&dnids).await?;
    let names: Vec<String> = if unlisted.is_empty() {
        routes
            .iter()
            .map(|r| {
                format!(
                    "{} (dnid {})",
                    route_key::name(&r.access_code, r.ext_code.as_deref()),
                    r.dnid.unwrap_or_default()
                )
            })
            .collect()
    } else {
        // Some were not listed: CEC's own names (access code and extension
        // code run together).
        deletion.deleted.clone()
    };
    out.result(&format!("deleted {}", escape(&names.join(", "))), || {
        json!({
            "operation": "deleteCalledRoute",
            "deleted": deletion.deleted,
            "ids": deletion.ids,
            "requests": deletion.requests,
            "routes": routes.iter().map(listed_route_json).collect::<Vec<_>>(),
        })
    });
    Ok(())
}
