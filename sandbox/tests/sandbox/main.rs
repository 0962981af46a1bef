//! The sandbox's tests in one test binary: the documented behaviour
//! through the real client, the whole family, the lookups of routing
//! targets, fuzzed requests and load.
//!
//! The tests of the feature `faults` run only with it:
//! `cargo test -p cec-routes-sandbox --features faults` (the workspace's
//! `cargo test` enables it through the other members' dev-dependencies).

mod family;
#[cfg(feature = "faults")]
mod faults;
mod fuzz;
mod load;
mod lookups;
mod rate_limit;
mod sandbox;
