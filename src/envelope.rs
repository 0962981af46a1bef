//! CEC's answer envelope: every operation answers 200 with a `returnCode`
//! and a `description`; `"0"` is [`Success`], any other code a business
//! failure, and no code at all an outcome that cannot be trusted.

use crate::{error::Error, generated::types};

/// CEC's confirmation of a request: a 200 with `returnCode` `"0"`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Success {
    /// CEC's `description` (e.g. `data create success`), when it sent one.
    pub description: Option<String>,
}

/// Turns the 200 envelope into success or a business failure. A body with no
/// `returnCode` confirms nothing, so it is not success.
pub(crate) fn confirm(
    operation: &'static str,
    result: types::ReturnResult,
) -> Result<Success, Error> {
    check_return_code(
        operation,
        result.return_code.as_deref(),
        result.description.as_deref(),
    )
}

/// Success for `returnCode` `"0"`; a business failure for any other code;
/// an unconfirmed outcome (a decode error) when there is none.
pub(crate) fn check_return_code(
    operation: &'static str,
    return_code: Option<&str>,
    description: Option<&str>,
) -> Result<Success, Error> {
    let description = description.map(str::to_owned);
    match return_code {
        Some("0") => Ok(Success { description }),
        Some(code) => Err(Error::Business {
            code: code.to_owned(),
            description,
        }),
        None => Err(Error::Decode {
            operation,
            reason: if operation.starts_with("query") {
                "the response has no returnCode, so it cannot be trusted".to_owned()
            } else {
                "the response has no returnCode, so success cannot be confirmed; \
                 query the routes before trying again"
                    .to_owned()
            },
            body: description.unwrap_or_default(),
        }),
    }
}
