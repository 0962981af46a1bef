//! Typed client for Huawei Cloud CEC
//! call-center number management: binding access codes (the numbers
//! customers dial, plus optional extension codes) to skill queues and IVR
//! flows.
//!
//! The wire contract lives in `openapi/cec-number-management.yaml`; the
//! client in [`generated`] is generated from it at build time, and this crate
//! wraps it with validation, authentication and typed outcomes.
//!
//! # Example
//!
//! ```no_run
//! use cec_routes::{CalledRoute, Client, Device, MediaType};
//!
//! # async fn run() -> Result<(), cec_routes::Error> {
//! // CEC_APP_KEY and CEC_APP_SECRET (or CEC_TOKEN), and CEC_BASE_URL.
//! let client = Client::from_env()?;
//! let route = CalledRoute::new("9911411", Device::SkillQueue(1))?
//!     .with_ext_code("11")?
//!     .with_media_type(MediaType::Video)?;
//! client.create_called_route(&route).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Map
//!
//! - [`Client`], [`ClientBuilder`]: configuration and the operations.
//! - [`CalledRoute`], [`Device`], [`MediaType`]: what a route binds,
//!   checked before anything is sent.
//! - [`TokenProvider`], [`StaticToken`], [`AkSkProvider`], [`AccessToken`]:
//!   where tokens come from; AK/SK tokens are cached and refreshed.
//! - [`Route`], [`RouteId`], [`Editable`], [`RouteFilter`], [`RouteChange`],
//!   [`Deletion`]: routes as CEC holds them, listed, re-pointed, deleted.
//! - [`AccessCode`], [`AccessCodeFilter`], [`CallDirection`]: the tenant's
//!   access codes.
//! - [`Error`]: every failure, by cause.
//! - [`generated`]: the client progenitor generates from the spec.
//! - [`RoutesFile`], [`Plan`], [`PlanOptions`], [`ApplyOptions`], [`ApplyReport`]:
//!   routing as code — a routes file, the plan from the live routes, its application.
//!
//! A local CEC for tests is the `cec-routes-sandbox` crate; the command-line
//! tool is the `cec-routes-cli` crate (binary `cec-routes`).
#![deny(missing_docs)]

mod aksk;
mod auth;
mod client;
mod config;
mod delete;
mod error;
mod hook_context;
mod hooks;
mod listing;
mod modify;
mod paging;
mod plan;
mod route;
mod transport;

/// The client progenitor generates from `openapi/` at build time: its
/// [`types`](generated::types) are the wire types.
#[allow(clippy::all, clippy::pedantic, missing_docs, unused, unreachable_pub)]
pub mod generated;

pub use aksk::{AkSkProvider, DEFAULT_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME};
pub use auth::{AccessToken, StaticToken, TokenProvider};
pub use client::{Client, Success};
pub use config::{
    APP_KEY_HEADER, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_RETRIES,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, ENV_APP_KEY,
    ENV_APP_SECRET, ENV_BASE_URL, ENV_TIMEOUT, ENV_TOKEN, ENV_TOKEN_LIFETIME, builder_from_lookup,
};
pub use delete::{Deletion, MAX_DELETE_BATCH};
pub use error::{BODY_SNIPPET_CHARS, Error};
pub use listing::{
    AccessCode, AccessCodeFilter, CallDirection, Editable, Listed, Page, Route, RouteFilter,
    RouteId,
};
pub use modify::RouteChange;
pub use paging::MAX_PAGE_SIZE;
pub use plan::{
    ApplyOptions, ApplyReport, Change, ChangeKind, ChangeResult, DEFAULT_PARALLEL, FileRoute, Held,
    Outcome, Plan, PlanOptions, Problem, RoutesFile, RoutesFileError,
};
pub use route::{CalledRoute, Device, MediaType};
pub use secrecy::SecretString;

/// The README's examples, compiled and run as doctests (the sandbox's come
/// from the `cec-routes-sandbox` dev-dependency).
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
