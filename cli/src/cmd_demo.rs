//! `cec-routes demo`: the whole flow against the embedded sandbox.

use crate::error::Error;
use cec_routes_sandbox::Sandbox;
use serde_json::json;

use crate::{
    cmd_create,
    output::{Output, route_json},
};

/// Run the whole flow against the embedded sandbox: token, create, read back.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    route: RouteArgs,
}

/// The route to create; the documented example by default.
#[derive(Debug, clap::Args)]
struct RouteArgs {
    /// The access code customers dial
    #[arg(long, default_value = "9911411")]
    access_code: String,
    /// Extension code
    #[arg(long, default_value = "11")]
    ext_code: String,
    /// Skill queue id
    #[arg(long, default_value_t = 1)]
    skill_queue: u32,
    /// Media type
    #[arg(long, default_value = "video")]
    media_type: String,
}

pub async fn run(args: &Args, out: &Output) -> Result<(), Error> {
    if std::env::var_os(cec_routes::config::ENV_APP_SECRET).is_some()
        || std::env::var_os(cec_routes::config::ENV_TOKEN).is_some()
    {
        out.step(
            "note: CEC credentials are set in the environment; the demo still uses the embedded \
             sandbox (use `cec-routes create` for a real tenant)",
        );
    }
    let route = cmd_create::Args {
        access_code: args.route.access_code.clone(),
        ext_code: Some(args.route.ext_code.clone()),
        skill_queue: Some(args.route.skill_queue),
        ivr: None,
        media_type: Some(args.route.media_type.clone()),
    }
    .route()?;

    let sandbox = Sandbox::start().await?;
    out.step(&format!(
        "1. started the embedded sandbox at {}",
        sandbox.base_url()
    ));

    let client = sandbox.client_builder().build()?;
    let token = client.access_token().await?;
    let valid_for = token.expires_at().map(|at| {
        at.saturating_duration_since(tokio::time::Instant::now())
            .as_secs()
    });
    out.step(&format!(
        "2. tokenByAkSk with app key {}: token issued, valid for {} s",
        sandbox.app_key(),
        valid_for.unwrap_or_default()
    ));

    let body = serde_json::to_value(route.to_request()).unwrap_or_default();
    out.step(&format!(
        "3. POST {}/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute\n   \
         Authorization: Bearer [redacted]\n   X-APP-Key: {}\n   {body}",
        sandbox.base_url(),
        sandbox.app_key(),
    ));
    let done = client.create_called_route(&route).await?;
    out.step(&format!(
        "   ← returnCode \"0\", description \"{}\"",
        done.description.clone().unwrap_or_default()
    ));

    let stored = sandbox.routes();
    for r in &stored {
        out.step(&format!(
            "4. the sandbox now holds route id {} (dnid {}): {} ext {} → {}",
            r.id,
            r.dnid,
            r.access_code,
            r.ext_code.as_deref().unwrap_or("-"),
            r.device
        ));
    }
    let found = stored.iter().any(|r| {
        r.access_code == route.access_code()
            && r.ext_code.as_deref() == route.ext_code()
            && r.device == route.device()
    });
    if !found {
        return Err(Error::Demo {
            reason: "the sandbox confirmed the create but does not hold the route".into(),
        });
    }
    out.result(
        &format!("demo succeeded: route {route} created and read back"),
        || {
            json!({
                "operation": "demo",
                "sandbox": sandbox.base_url(),
                "sent": body,
                "route": route_json(&route),
                "description": done.description,
                "stored": stored.iter().map(stored_json).collect::<Vec<_>>(),
            })
        },
    );
    sandbox.shutdown().await;
    Ok(())
}

/// A route the sandbox holds, in the routes' vocabulary.
fn stored_json(route: &cec_routes_sandbox::SandboxRoute) -> serde_json::Value {
    let mut json = json!({
        "id": route.id,
        "dnid": route.dnid,
        "accessCode": route.access_code,
    });
    if let Some(ext) = &route.ext_code {
        json["extCode"] = ext.as_str().into();
    }
    match route.device {
        cec_routes::Device::SkillQueue(id) => json["skillQueue"] = id.into(),
        cec_routes::Device::Ivr(id) => json["ivr"] = id.into(),
    }
    if let Some(media) = route.media_type {
        json["mediaType"] = media.name().into();
    }
    json
}
