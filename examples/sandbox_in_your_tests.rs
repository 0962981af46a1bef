//! Testing your own code against `cec-routes-sandbox`, a local CEC, in
//! your own `#[tokio::test]`s: no Huawei account, no network, and the
//! failures a real CEC can give you on demand.
//!
//! In your crate's `Cargo.toml` (`faults` for `fail_request`):
//!
//! ```toml
//! [dev-dependencies]
//! cec-routes-sandbox = { version = "0.1", features = ["faults"] }
//! tokio = { version = "1", features = ["macros", "rt"] }
//! ```
//!
//! ```sh
//! cargo test --example sandbox_in_your_tests   # the tests below
//! cargo run --example sandbox_in_your_tests    # the same code, once, as a program
//! ```
//!
//! The code under test is [`ensure_route`]: it makes one extension of a
//! hotline go to a skill queue, and is safe to run again after an answer
//! was lost. The tests check it on a clean run, on a run where CEC carried
//! the create out but its answer was lost, and on a refusal.

use cec_routes::{CalledRoute, Client, Device, Error, Listed, MediaType, RouteChange, RouteFilter};

/// What [`ensure_route`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Done {
    /// The route was created.
    Created,
    /// The route existed and now goes to the queue.
    Repointed,
    /// The route already went to the queue.
    AlreadyThere,
}

/// Makes `access_code` + `ext_code` go to skill queue `queue` (voice and
/// video calls): creates the route, re-points it, or leaves it.
///
/// A create whose answer was lost (a timeout, a 500) may have been carried
/// out, and CEC has no idempotency key: the routes are read back rather
/// than the create sent again.
pub async fn ensure_route(
    client: &Client,
    access_code: &str,
    ext_code: &str,
    queue: u32,
) -> Result<Done, Error> {
    let wanted = Listed::Known(Device::SkillQueue(queue));
    let filter = RouteFilter::new()
        .access_code(access_code)?
        .ext_code(ext_code)?;
    if let Some(route) = client.called_routes(&filter).await?.first() {
        if route.device == wanted {
            return Ok(Done::AlreadyThere);
        }
        client
            .modify_called_route(&RouteChange::new(route, Device::SkillQueue(queue))?)
            .await?;
        return Ok(Done::Repointed);
    }
    let route = CalledRoute::new(access_code, Device::SkillQueue(queue))?
        .with_ext_code(ext_code)?
        .with_media_type(MediaType::VoiceAndVideo)?;
    match client.create_called_route(&route).await {
        Ok(_) => Ok(Done::Created),
        // CEC answered, and did not act: a refusal, a 400, …
        Err(error) if !error.may_have_reached_server() || error.return_code().is_some() => {
            Err(error)
        }
        // The answer was lost: look, never send the create twice.
        Err(error) => {
            let listed = client.called_routes(&filter).await?;
            if listed.iter().any(|r| r.device == wanted) {
                Ok(Done::Created)
            } else {
                Err(error)
            }
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = cec_routes_sandbox::Sandbox::start().await?;
    let client = sandbox.client_builder().build()?;
    for _ in 0..2 {
        let done = ensure_route(&client, "9911411", "22", 2).await?;
        println!("9911411 ext 22 → skill queue 2: {done:?}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cec_routes_sandbox::{Fault, Operation, Sandbox, Seed};

    /// The sandbox's routes as `access code ext → device`.
    fn routes(sandbox: &Sandbox) -> Vec<String> {
        let mut routes: Vec<String> = sandbox
            .routes()
            .iter()
            .map(|r| {
                let ext = r.ext_code.as_deref().unwrap_or("-");
                format!("{} {ext} → {}", r.access_code, r.device)
            })
            .collect();
        routes.sort();
        routes
    }

    #[tokio::test]
    async fn creates_the_route_once_and_then_leaves_it() -> Result<(), Box<dyn std::error::Error>> {
        let sandbox = Sandbox::start().await?;
        let client = sandbox.client_builder().build()?;

        assert_eq!(
            ensure_route(&client, "9911411", "22", 2).await?,
            Done::Created
        );
        assert_eq!(
            ensure_route(&client, "9911411", "22", 2).await?,
            Done::AlreadyThere
        );

        assert_eq!(routes(&sandbox), ["9911411 22 → skill queue 2"]);
        Ok(())
    }

    #[tokio::test]
    async fn repoints_an_existing_route_and_leaves_the_others()
    -> Result<(), Box<dyn std::error::Error>> {
        // The documented routes (9911411 with no extension, ext 1 and ext
        // 11), and ext 22 to an IVR flow.
        let sandbox = Sandbox::builder()
            .seed(Seed::documented_examples())
            .start()
            .await?;
        let client = sandbox.client_builder().build()?;
        let to_ivr = CalledRoute::new("9911411", Device::Ivr(7))?.with_ext_code("22")?;
        client.create_called_route(&to_ivr).await?;

        assert_eq!(
            ensure_route(&client, "9911411", "22", 2).await?,
            Done::Repointed
        );

        assert_eq!(
            routes(&sandbox),
            [
                "9911411 - → skill queue 1",
                "9911411 1 → skill queue 1",
                "9911411 11 → skill queue 1",
                "9911411 22 → skill queue 2",
            ]
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_create_whose_answer_was_lost_is_read_back_not_sent_again()
    -> Result<(), Box<dyn std::error::Error>> {
        let sandbox = Sandbox::start().await?;
        let client = sandbox.client_builder().build()?;
        // The next create is carried out, then answered 500.
        sandbox.fail_request(
            Operation::CreateCalledRoute,
            1,
            Fault::StatusAfterCommit(500),
        );

        assert_eq!(
            ensure_route(&client, "9911411", "22", 2).await?,
            Done::Created
        );

        assert_eq!(
            sandbox.requests(Operation::CreateCalledRoute),
            1,
            "sent once"
        );
        assert_eq!(routes(&sandbox), ["9911411 22 → skill queue 2"]);
        Ok(())
    }

    /// The README's example, word for word: what the SDK itself does when
    /// a create's answer is lost.
    #[tokio::test]
    async fn a_create_whose_answer_was_lost_was_carried_out()
    -> Result<(), Box<dyn std::error::Error>> {
        let sandbox = Sandbox::start().await?; // the default seed: access codes, queues, IVR flows
        let client = sandbox.client_builder().build()?; // its URL and credentials
        // The next create is carried out, then answered 500.
        sandbox.fail_request(
            Operation::CreateCalledRoute,
            1,
            Fault::StatusAfterCommit(500),
        );

        let route = CalledRoute::new("9911411", Device::SkillQueue(2))?.with_ext_code("22")?;
        let error = client.create_called_route(&route).await.unwrap_err();

        assert!(error.may_have_reached_server()); // so your code must look before it retries
        assert_eq!(sandbox.routes().len(), 1);
        Ok(())
    }

    #[tokio::test]
    async fn a_refusal_is_reported_and_nothing_is_created() -> Result<(), Box<dyn std::error::Error>>
    {
        let sandbox = Sandbox::start().await?;
        let client = sandbox.client_builder().build()?;
        sandbox.fail_request(
            Operation::CreateCalledRoute,
            1,
            Fault::ReturnCode("02000001".into()),
        );

        let error = ensure_route(&client, "9911411", "22", 2)
            .await
            .expect_err("CEC refused");

        assert_eq!(error.return_code(), Some("02000001"));
        assert!(routes(&sandbox).is_empty());
        Ok(())
    }
}
