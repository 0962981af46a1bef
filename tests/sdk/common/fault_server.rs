//! The loopback server that misbehaves on cue: the sandbox crate's
//! [`FaultServer`], which answers every request with one [`Fault`] of the
//! sandbox's fault vocabulary (the same one `Sandbox::fail_request` takes).

pub use cec_routes_sandbox::{Fault, FaultServer, Framing};
