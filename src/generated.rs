//! The client progenitor generates from `openapi/` at build time.
//!
//! Nothing here is written by hand: `build.rs` writes `$OUT_DIR/codegen.rs`
//! from the spec and this module includes it. Behaviour is added at the
//! seams only — the [`ClientHooks`](progenitor_client::ClientHooks) impl in
//! `hooks.rs` and the wrapper in `client.rs`.

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
