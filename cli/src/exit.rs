//! Exit codes: one per kind of failure, so scripts can tell them apart.
//! Success is 0 and a usage error 64 (`EX_USAGE` of sysexits), so that 2
//! means only "something differs" under `--detailed-exitcode`.
//!
//! `plan --detailed-exitcode` uses 2 for "something differs", as Terraform
//! does; no error ever exits 2.

use cec_routes::Error;

/// A failure that fits no other code (e.g. the runtime could not start).
pub const OTHER: u8 = 1;
/// Invalid input or configuration; nothing was sent.
pub const INVALID: u8 = 3;
/// Authentication failed: no token, 401 or 403.
pub const AUTH: u8 = 4;
/// CEC refused the request: a returnCode other than "0".
pub const BUSINESS: u8 = 5;
/// CEC answered with an error status (400, 404, 500, or an undocumented one).
pub const HTTP: u8 = 6;
/// Transport failure: no connection (to CEC or to tokenByAkSk), a timeout,
/// or an unreadable response.
pub const TRANSPORT: u8 = 7;

/// A deletion removed only some of the routes.
pub const PARTIAL: u8 = 8;
/// CEC answered a deletion with success but did not confirm it route by
/// route (it named no deleted route, or more than were sent): the routes
/// may or may not be gone. Distinct from 8, where CEC said what it did not
/// delete, and from 0, so that a script does not take it for success.
pub const UNCONFIRMED: u8 = 10;

/// `plan --detailed-exitcode`: something differs (as Terraform's 2; usage
/// errors exit [`USAGE`] instead of clap's 2).
pub const CHANGES: u8 = 2;
/// A usage error: an unknown flag, a missing or empty argument (sysexits'
/// `EX_USAGE`).
pub const USAGE: u8 = 64;
/// `apply`: not every change was applied (failed, unknown or skipped).
pub const NOT_APPLIED: u8 = 9;
/// `check`, `plan`, `apply`: the routes file has problems (each listed with
/// its line and column); nothing was changed.
pub const CHECK: u8 = 11;
/// `apply`: a delete went through, the create after it did not, and the old
/// route could not be re-created: a number has no route. The report names
/// the route and the `cec-routes create …` command that restores it.
pub const UNROUTED: u8 = 12;
/// `apply --plan`: a route the saved plan touches changed since the plan
/// was made; nothing was changed.
pub const STALE_PLAN: u8 = 13;
/// `plan`, `apply`: the plan deletes or replaces more than `--max-change` of
/// the routes it manages; nothing was changed (`--force` goes on).
pub const GUARD: u8 = 14;

/// The table shown at the end of `--help`.
pub const HELP: &str = "\
Exit codes:
  0  success
  1  other failure
  2  plan --detailed-exitcode: something differs (never an error)
  3  invalid input or configuration (also: tokenByAkSk not found at the URL); nothing was sent
  4  authentication failed (no token, 401 or 403)
  5  CEC refused the request (returnCode other than \"0\")
  6  CEC answered with an error status (400, 404, 500, other)
  7  transport failure (no connection to CEC or tokenByAkSk, timeout, unreadable response)
  8  a deletion removed only some of the routes
  9  apply: not every change was applied (failed, unknown or skipped; the summary says which)
 10  a deletion CEC did not confirm (it named no route, or too many): list the routes to check
 11  check, plan, apply: the routes file has problems (listed with line:column); nothing was changed
 12  apply: a number was left without a route (a replace's create failed and the old route could
     not be re-created); the report names the route and the command that restores it
 13  apply --plan: a route the saved plan touches changed since it was made; nothing was changed
 14  plan, apply: the plan deletes or replaces more than --max-change of the routes it manages
     (when it manages 10 or more); nothing was changed; --force goes on
 64  usage error (unknown flag, missing or empty argument)
130  apply: interrupted (Ctrl-C, SIGTERM): nothing new was started, the requests in flight
     finished; the summary says what was applied, failed, unknown and not started;
     export: interrupted; the output ends with a line no YAML reader loads";

/// The exit code for an SDK error.
pub fn code_for_cec(error: &Error) -> u8 {
    match error {
        e if e.is_auth() => AUTH,
        Error::InvalidInput { .. } | Error::Config { .. } => INVALID,
        Error::Business { .. } => BUSINESS,
        Error::PartialDeletion { .. } => PARTIAL,
        Error::UnconfirmedDeletion { .. } => UNCONFIRMED,
        Error::BadRequest { .. }
        | Error::NotFound { .. }
        | Error::ServerFailure { .. }
        | Error::UnexpectedStatus { .. } => HTTP,
        Error::Connect { .. }
        | Error::Timeout { .. }
        | Error::Transport { .. }
        | Error::Decode { .. }
        | Error::ResponseTooLarge { .. } => TRANSPORT,
        _ => OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_code() {
        // 0 (success) is no failure.
        for code in [
            0,
            OTHER,
            CHANGES,
            USAGE,
            INVALID,
            AUTH,
            BUSINESS,
            HTTP,
            TRANSPORT,
            PARTIAL,
            NOT_APPLIED,
            UNCONFIRMED,
            CHECK,
            UNROUTED,
            STALE_PLAN,
            GUARD,
            crate::interrupt::EXIT,
        ] {
            assert!(
                HELP.contains(&format!("{code:>3}  ")),
                "code {code} missing from --help"
            );
        }
    }
}
