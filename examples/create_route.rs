//! Creates one called route with the configuration from the environment.
//!
//! ```sh
//! CEC_BASE_URL=https://service.besclouds.com CEC_APP_KEY=… CEC_APP_SECRET=… \
//!     cargo run --example create_route -- 9911411 11 skill-queue:1 video
//! ```
//!
//! Arguments (all optional; the defaults are the documented example):
//! access code, extension code (`-` for none), device (`skill-queue:ID` or
//! `ivr:ID`), media type (a name or number, `-` for none).

use std::process::ExitCode;

use cec_routes::{CalledRoute, Client, Device, Error, MediaType};

fn route_from_args(args: &[String]) -> Result<CalledRoute, Error> {
    let arg = |i: usize, default: &'static str| args.get(i).map(String::as_str).unwrap_or(default);
    let device = match arg(2, "skill-queue:1").split_once(':') {
        Some(("skill-queue", id)) => Device::SkillQueue(parse_id(id)?),
        Some(("ivr", id)) => Device::Ivr(parse_id(id)?),
        _ => {
            return Err(Error::InvalidInput {
                field: "devicetype",
                reason: "write the device as skill-queue:ID or ivr:ID".into(),
            });
        }
    };
    let mut route = CalledRoute::new(arg(0, "9911411"), device)?;
    if arg(1, "11") != "-" {
        route = route.with_ext_code(arg(1, "11"))?;
    }
    if arg(3, "video") != "-" {
        route = route.with_media_type(arg(3, "video").parse::<MediaType>()?)?;
    }
    Ok(route)
}

fn parse_id(id: &str) -> Result<u32, Error> {
    id.parse().map_err(|_| Error::InvalidInput {
        field: "deviceId",
        reason: format!("`{id}` is not a device id (a whole number)"),
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = async {
        let route = route_from_args(&args)?;
        let client = Client::from_env()?;
        println!("creating {route} at {}", client.base_url());
        client.create_called_route(&route).await
    }
    .await;
    match result {
        Ok(done) => {
            println!("created: {}", done.description.unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
