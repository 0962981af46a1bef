//! Nothing here is written by hand but one re-export: `build.rs` writes
//! `$OUT_DIR/codegen.rs` from the spec and this module includes it, and the
//! client's inner type, [`HookContext`](crate::generated::HookContext), is
//! named here beside it. Behaviour is added at the seams only — the
//! [`ClientHooks`](progenitor_client::ClientHooks) impl in `hooks.rs` and the
//! wrapper in `client.rs`.

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));

/// The client's inner type, named here so that [`Client::new`] can be
/// called.
pub use crate::hook_context::HookContext;

#[cfg(test)]
mod tests {
    /// Any change of the spec changes the generated client; this snapshot
    /// turns that change into a diff a reviewer reads. When it fails, review
    /// the diff with `cargo insta review` and accept it if it is meant.
    #[test]
    fn generated_client_matches_the_reviewed_snapshot() {
        insta::assert_snapshot!(
            "generated_client",
            include_str!(concat!(env!("OUT_DIR"), "/codegen.rs"))
        );
    }
}
