//! The `cec-routes` command's tests in one test binary, run against the
//! built binary and an in-process sandbox.

mod addressing;
mod checks;
mod commands;
mod config;
mod conventions;
mod escaping;
mod export;
mod json;
mod map;
mod network;
mod pipes;
mod profiles;
mod proxy;
mod routing_as_code;
mod smaller;
mod support;
mod throttling;
mod trusted_apply;
