//! The `cec-routes` command's tests in one test binary, run against the
//! built binary and an in-process sandbox.

mod addressing;
mod commands;
mod config;
mod conventions;
mod escaping;
mod json;
mod network;
mod pipes;
mod profiles;
mod routing_as_code;
mod smaller;
mod support;
mod trusted_apply;
