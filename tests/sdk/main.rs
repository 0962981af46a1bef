//! The SDK's tests, one module per subject, in one test binary (one link
//! step instead of one per file).
//!
//! - the contract suite, one module per operation: what the client sends
//!   and how every documented answer becomes a typed outcome;
//! - the client's configuration, tokens, faults and redaction;
//! - the spec and the generated client against it;
//! - the routes file (routing as code) on its own.

mod common;

mod apply_plan;
mod config;
mod create_called_route;
mod delete_called_route;
mod faults;
mod modify_called_route;
mod properties;
mod query_access_code_list;
mod query_called_route;
mod redaction;
mod route_validation;
mod routes_file;
mod spec;
mod spec_boundaries;
mod token_lifecycle;
