//! Typed client for Huawei Cloud CEC call-center number management: binding
//! access codes (the numbers customers dial, plus optional extension codes)
//! to skill queues and IVR flows.
//!
//! The wire contract lives in `openapi/cec-number-management.yaml`; the
//! client in [`generated`] is generated from it at build time, and this crate
//! wraps it with validation, authentication and typed outcomes.
//!
//! # Example
//!
//! ```no_run
//! use cec_routes::{CalledRoute, Client, Device, MediaType, RouteFilter};
//!
//! # async fn run() -> Result<(), cec_routes::Error> {
//! // CEC_APP_KEY and CEC_APP_SECRET (or CEC_TOKEN), and CEC_BASE_URL.
//! let client = Client::from_env()?;
//! let route = CalledRoute::new("9911411", Device::SkillQueue(1))?
//!     .with_ext_code("11")?
//!     .with_media_type(MediaType::Video)?;
//! client.create_called_route(&route).await?;
//!
//! for route in client.called_routes(&RouteFilter::new().access_code("9911411")?).await? {
//!     println!("{} → {}", route.access_code, route.device);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Map
//!
//! One module per operation, each with its request and answer types and
//! its [`Client`] method:
//!
//! | operation | method | types |
//! |---|---|---|
//! | `createCalledRoute` | [`Client::create_called_route`] | [`CalledRoute`] |
//! | `queryCalledRoute` | [`Client::called_routes`] | [`Route`], [`RouteId`], [`Editable`], [`RouteFilter`] |
//! | `modifyCalledRoute` | [`Client::modify_called_route`] | [`RouteChange`] |
//! | `deleteCalledRoute` | [`Client::delete_called_routes`] | [`Deletion`] |
//! | `queryAccessCodeList` | [`Client::access_codes`] | [`AccessCode`], [`AccessCodeFilter`], [`CallDirection`] |
//! | `querySkills` | [`Client::skill_queues`] | [`targets::SkillQueue`], [`targets::SkillQueueFilter`] |
//! | `queryIVRFlowList` | [`Client::ivr_flows`] | [`targets::IvrFlow`], [`targets::FlowType`] |
//! | `tokenByAkSk` | (before every call) | [`AkSkProvider`] |
//!
//! Around them: [`Client`] and [`ClientBuilder`] (with its [`RetryPolicy`]);
//! the shared vocabulary
//! [`Device`], [`MediaType`], [`Listed`], [`Page`] and [`Success`]; tokens
//! ([`TokenProvider`], [`AccessToken`], [`StaticToken`]); one [`Error`].
//! Named settings are in [`config`] and [`limits`], routing as code is
//! [`plan`], what routes can point at is [`targets`], and the generated
//! client is [`generated`].
//!
//! A local CEC for tests is the `cec-routes-sandbox` crate; the command-line
//! tool is the `cec-routes-cli` crate (binary `cec-routes`).
#![deny(missing_docs)]

// The client and how it is built.
mod builder; //        ClientBuilder: settings, from the environment or any source
mod client; //         Client: one call = token, retries, one resend after a 401, errors
mod envelope; //       returnCode/description → Success or a business failure
mod error; //          Error: every failure, by cause
mod hook_context; //   what the generated client carries into its hooks
mod hooks; //          the hooks: auth headers, the rate cap and the response size cap
mod rate_limit; //     RateLimiter: at most N requests start in any second
mod retry; //          RetryPolicy: what is resent, when, and the retry budget
mod transport; //      leaf: reqwest client, timeouts, base URL, body cap, error bodies

// Tokens.
mod token; //          AccessToken, TokenProvider, StaticToken
mod token_by_ak_sk; // tokenByAkSk: AkSkProvider, cached and refreshed

// The operations, one module each.
mod create_called_route; //    CalledRoute
mod delete_called_route; //    Deletion
mod modify_called_route; //    RouteChange
mod query_access_code_list; // AccessCode, AccessCodeFilter, CallDirection
mod query_called_route; //     Route, RouteId, Editable, RouteFilter
mod query_ivr_flow_list; //    IvrFlow, FlowType (in `targets`)
mod query_skills; //           SkillQueue, SkillQueueFilter (in `targets`)

// Vocabulary the operations share.
mod device; //     Device (skill queue or IVR flow)
mod listed; //     Listed: documented or kept raw
mod media_type; // MediaType
mod paging; //     Page, and the loop over pages

// Public modules: named settings, the generated client, routing as code.
pub mod config;
/// The client progenitor generates from `openapi/` at build time: its
/// [`types`](generated::types) are the wire types.
#[allow(clippy::all, clippy::pedantic, missing_docs, unused, unreachable_pub)]
pub mod generated;
pub mod limits;
pub mod plan;
/// What a route can point at: the tenant's skill queues
/// ([`Client::skill_queues`], querySkills) and IVR flows
/// ([`Client::ivr_flows`], queryIVRFlowList).
pub mod targets {
    pub use crate::query_ivr_flow_list::{FlowType, IvrFlow};
    pub use crate::query_skills::{SkillQueue, SkillQueueFilter};
}

pub use builder::ClientBuilder;
pub use client::Client;
pub use create_called_route::CalledRoute;
pub use delete_called_route::Deletion;
pub use device::Device;
pub use envelope::Success;
pub use error::Error;
pub use listed::Listed;
pub use media_type::MediaType;
pub use modify_called_route::RouteChange;
pub use paging::Page;
pub use query_access_code_list::{AccessCode, AccessCodeFilter, CallDirection};
pub use query_called_route::{Editable, Route, RouteFilter, RouteId, RoutePages};
pub use retry::RetryPolicy;
pub use secrecy::SecretString;
pub use token::{AccessToken, StaticToken, TokenFuture, TokenProvider};
pub use token_by_ak_sk::AkSkProvider;

#[cfg(test)]
mod tests;

/// The README's examples, compiled and run as doctests (the sandbox's come
/// from the `cec-routes-sandbox` dev-dependency).
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
