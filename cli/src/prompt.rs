//! Asking for confirmation before a change, on a terminal only.

use std::io::{BufRead, IsTerminal};

use crate::error::Error;

/// Asks `question` on the terminal and says whether the answer was yes.
/// When stdin is not a terminal nothing can be confirmed: the error names
/// `field` and what could not be confirmed (`what`), and says to pass
/// `--yes`.
pub fn confirm(question: &str, field: &'static str, what: &str) -> Result<bool, Error> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::InvalidInput {
            field,
            reason: format!(
                "stdin is not a terminal, so the {what} cannot be confirmed; pass --yes"
            ),
        });
    }
    crate::output::prompt(&format!("{question} [y/N] "));
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::InvalidInput {
            field,
            reason: format!("could not read the answer: {e}"),
        })?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
