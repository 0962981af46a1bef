//! The limits the documentation sets, and the client's own bound on what
//! an error quotes. The client checks them before anything is sent.
//!
//! # Examples
//!
//! ```
//! use cec_routes::limits;
//!
//! assert_eq!(limits::MAX_PAGE_SIZE, 100);
//! assert_eq!(limits::MAX_DELETE_BATCH, 1000);
//! ```

use std::time::Duration;

/// The largest page the documentation allows for queryCalledRoute and
/// queryAccessCodeList (and the page size the client asks for).
pub const MAX_PAGE_SIZE: u32 = 100;

/// The most dnids one deleteCalledRoute request takes; longer lists are
/// sent in several requests.
pub const MAX_DELETE_BATCH: usize = 1000;

/// The longest token lifetime `tokenByAkSk` issues (3600 s).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// How many characters of a response body an [`Error`](crate::Error) keeps
/// for its message.
pub const BODY_SNIPPET_CHARS: usize = 200;
