//! The SDK's tests, one module per subject, in one test binary (one link
//! step instead of one per file).
//!
//! - the contract suite, one module per operation: what the client sends
//!   and how every documented answer becomes a typed outcome;
//! - the client's configuration, tokens, faults, retries, rate cap and
//!   redaction;
//! - the spec and the generated client against it;
//! - the routes file (routing as code) on its own.

mod common;

mod apply_plan;
mod checks;
mod config;
mod create_called_route;
mod delete_called_route;
mod faults;
mod modify_called_route;
mod properties;
mod proxy;
mod query_access_code_list;
mod query_called_route;
mod query_ivr_flow_list;
mod query_skills;
mod rate_limit;
mod redaction;
mod retries;
mod route_validation;
mod routes_file;
mod spec;
mod spec_boundaries;
mod token_lifecycle;
