//! The sandbox's one error type: what can stop it from starting or serving.

use std::{io, net::SocketAddr, path::PathBuf};

/// Why a sandbox could not start, load its seed, or keep serving.
///
/// Requests it refuses are answers (400, 401, a business `returnCode`…),
/// never this error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be bound: in use, not local, or no permission.
    #[error("the sandbox could not listen on {addr}: {source}; choose another port or address")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The credential pairs are unusable: none, an empty key or secret, or
    /// an app key twice.
    #[error("invalid sandbox credentials: {reason}")]
    Credentials {
        /// Which rule the pairs break (never the secret).
        reason: String,
    },
    /// A seed is not valid JSON of the seed format, or breaks one of its rules.
    #[error("sandbox seed: {reason}")]
    Seed {
        /// The entry and the rule.
        reason: String,
    },
    /// A seed file could not be read or is not a valid seed.
    #[error("sandbox seed file {}: {reason}", path.display())]
    SeedFile {
        /// The file.
        path: PathBuf,
        /// Why it could not be read, or the entry and the rule.
        reason: String,
    },
    /// The server stopped on its own or failed while serving.
    #[error("the sandbox server failed: {reason}")]
    Server {
        /// What happened.
        reason: String,
    },
}
