//! Addressing one route by what people know of it: its access code and
//! extension code (`--no-ext-code` for the route without one), matched
//! exactly, whatever CEC's own matching does.

use cec_routes::{Client, Listed, Route};
use clap::builder::NonEmptyStringValueParser;

use crate::error::Error;

/// `--access-code` with `--ext-code` or `--no-ext-code`.
#[derive(Debug, Clone, clap::Args)]
pub struct KeyArgs {
    /// The route's access code (with --ext-code or --no-ext-code; matched exactly)
    #[arg(long, value_name = "CODE", value_parser = NonEmptyStringValueParser::new())]
    pub access_code: Option<String>,

    /// The route's extension code (matched exactly)
    #[arg(long, value_name = "CODE", requires = "access_code", value_parser = NonEmptyStringValueParser::new())]
    pub ext_code: Option<String>,

    /// The route of the access code that has no extension code
    #[arg(long, conflicts_with = "ext_code", requires = "access_code")]
    pub no_ext_code: bool,
}

impl KeyArgs {
    /// The access code and the extension code (`None`: the route without
    /// one), when the route is addressed this way.
    pub fn key(&self) -> Result<Option<(&str, Option<&str>)>, Error> {
        let Some(code) = self.access_code.as_deref() else {
            return Ok(None);
        };
        match (self.ext_code.as_deref(), self.no_ext_code) {
            (Some(ext), false) => Ok(Some((code, Some(ext)))),
            (None, true) => Ok(Some((code, None))),
            _ => Err(Error::InvalidInput {
                field: "--ext-code",
                reason: format!(
                    "name the route of access code {code} with --ext-code CODE, or \
                     --no-ext-code for the one without an extension code"
                ),
            }),
        }
    }
}

/// A route's name as people say it: `9911411 ext 11`, or `9911411`.
pub fn name(access_code: &str, ext_code: Option<&str>) -> String {
    match ext_code {
        Some(ext) => format!("{access_code} ext {ext}"),
        None => access_code.to_owned(),
    }
}

/// The route with exactly this access code and extension code.
pub async fn find(
    client: &Client,
    access_code: &str,
    ext_code: Option<&str>,
) -> Result<Route, Error> {
    let routes = client
        .routes_of_access_codes(&[access_code.to_owned()])
        .await?;
    routes
        .into_iter()
        .find(|r| r.ext_code.as_deref() == ext_code)
        .ok_or_else(|| Error::InvalidInput {
            field: "--access-code",
            reason: format!(
                "no route has access code {access_code} {}; list the routes to find it",
                match ext_code {
                    Some(ext) => format!("and extension code {ext}"),
                    None => "without an extension code".to_owned(),
                }
            ),
        })
}

/// One line for a listed route: `9911411 ext 11 (id …, dnid 3): skill queue 1 (video)`.
pub fn describe(route: &Route) -> String {
    let mut ids = Vec::new();
    if let Some(id) = &route.id {
        ids.push(format!("id {id}"));
    }
    if let Some(dnid) = route.dnid {
        ids.push(format!("dnid {dnid}"));
    }
    let media = match &route.media_type {
        Some(Listed::Known(media)) => format!(" ({})", media.name()),
        Some(Listed::Unknown(raw)) => format!(" (media type {raw})"),
        None => String::new(),
    };
    format!(
        "{} ({}): {}{media}",
        name(&route.access_code, route.ext_code.as_deref()),
        ids.join(", "),
        route.device
    )
}
