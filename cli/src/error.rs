//! The command's one error type: a failure of the SDK or of the sandbox, or
//! one of the command's own (bad input it checks itself, a failed prompt).
//! Each maps to one documented exit code ([`Error::exit_code`]).

use std::process::ExitCode;

use crate::exit;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The SDK's failure: a refusal before sending, or CEC's answer.
    #[error(transparent)]
    Cec(#[from] cec_routes::Error),
    /// The embedded or standalone sandbox could not start or serve.
    #[error(transparent)]
    Sandbox(#[from] cec_routes_sandbox::Error),
    /// A flag, an argument or an answer the command refuses; nothing was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The flag or input at fault.
        field: &'static str,
        /// What is wrong with it, and what to do.
        reason: String,
    },
    /// The configuration cannot be used (stdin, environment); nothing was sent.
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// The demo's read-back did not show what the sandbox confirmed.
    #[error("the demo failed: {reason}")]
    Demo {
        /// What was missing.
        reason: String,
    },
    /// The command could not run at all (e.g. the async runtime).
    #[error("{reason}")]
    Internal {
        /// What failed.
        reason: String,
    },
}

impl Error {
    /// The documented exit code for this failure.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Error::Cec(error) => exit::code_for_cec(error),
            Error::Sandbox(
                cec_routes_sandbox::Error::Bind { .. } | cec_routes_sandbox::Error::Server { .. },
            ) => exit::OTHER,
            Error::Sandbox(_) | Error::InvalidInput { .. } | Error::Config { .. } => exit::INVALID,
            Error::Demo { .. } | Error::Internal { .. } => exit::OTHER,
        })
    }

    /// The SDK's error, when this is one.
    pub fn cec(&self) -> Option<&cec_routes::Error> {
        match self {
            Error::Cec(error) => Some(error),
            _ => None,
        }
    }
}
