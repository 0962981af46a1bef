//! The sandbox's tests in one test binary: the documented behaviour
//! through the real client, the whole family, fuzzed requests and load.

mod family;
mod fuzz;
mod load;
mod sandbox;
