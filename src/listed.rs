//! [`Listed`]: a value as CEC listed it, documented or kept raw.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A value as CEC listed it: one the documentation names, or one it does not
/// (kept raw, so a new value never fails a whole page).
///
/// # Examples
///
/// ```
/// use cec_routes::{Listed, MediaType};
///
/// let known: Listed<MediaType> = Listed::Known(MediaType::Video);
/// assert_eq!(known.known(), Some(&MediaType::Video));
/// let unknown: Listed<MediaType> = Listed::Unknown("77".into());
/// assert_eq!(unknown.to_string(), "unknown (77)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Listed<T> {
    /// A documented value.
    Known(T),
    /// A value the documentation does not list, as CEC sent it.
    Unknown(String),
}

impl<T> Listed<T> {
    /// The documented value, if it is one.
    pub fn known(&self) -> Option<&T> {
        match self {
            Listed::Known(value) => Some(value),
            Listed::Unknown(_) => None,
        }
    }
}

impl<T: fmt::Display> fmt::Display for Listed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listed::Known(value) => value.fmt(f),
            Listed::Unknown(raw) => write!(f, "unknown ({raw})"),
        }
    }
}
