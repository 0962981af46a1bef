//! The `returnCode` of every refusal the sandbox can answer with, one
//! constant per rule. Business refusals come with HTTP 200 (as CEC's do);
//! the others with the status each names.
//!
//! ```
//! use cec_routes_sandbox::return_code;
//!
//! assert_eq!(return_code::DUPLICATE, "SANDBOX-ROUTE-DUPLICATE");
//! ```

/// `returnCode` (with HTTP 200) of a create whose access code and extension
/// code are already bound.
pub const DUPLICATE: &str = "SANDBOX-ROUTE-DUPLICATE";
/// `returnCode` (with HTTP 200) of a create whose access code the tenant
/// does not have.
pub const ACCESS_CODE_NOT_FOUND: &str = "SANDBOX-ACCESS-CODE-NOT-FOUND";
/// `returnCode` (with HTTP 200) of a create whose media type the access
/// code's media type does not allow (access code 5 → route 5 or 19; 53 → 53;
/// 2 → 2 or 18).
pub const MEDIA_TYPE_NOT_ALLOWED: &str = "SANDBOX-MEDIA-TYPE-NOT-ALLOWED";
/// `returnCode` (with HTTP 200) of a create or modify naming a skill queue
/// the tenant does not have.
pub const SKILL_QUEUE_NOT_FOUND: &str = "SANDBOX-SKILL-QUEUE-NOT-FOUND";
/// `returnCode` (with HTTP 200) of a create or modify whose skill queue has
/// another media type than the route.
pub const SKILL_QUEUE_MEDIA_MISMATCH: &str = "SANDBOX-SKILL-QUEUE-MEDIA-MISMATCH";
/// `returnCode` (with HTTP 200) of a create or modify naming an IVR flow the
/// tenant does not have.
pub const IVR_FLOW_NOT_FOUND: &str = "SANDBOX-IVR-FLOW-NOT-FOUND";
/// `returnCode` (with HTTP 200) of a modify that points a multimedia (53)
/// route at an IVR flow.
pub const IVR_ON_MULTIMEDIA: &str = "SANDBOX-IVR-ON-MULTIMEDIA";
/// `returnCode` (with HTTP 200) of a modify whose route `id` does not exist.
pub const ROUTE_NOT_FOUND: &str = "SANDBOX-ROUTE-NOT-FOUND";
/// `returnCode` (with HTTP 200) of a modify of a route whose `editable` is
/// `"1"` or `"3"`.
pub const NOT_EDITABLE: &str = "SANDBOX-ROUTE-NOT-EDITABLE";
/// `returnCode` (with HTTP 200) of a delete that deleted nothing: every
/// dnid was unknown or its route's `editable` is `"2"` or `"3"`.
pub const NOT_DELETED: &str = "SANDBOX-ROUTE-NOT-DELETED";
/// `returnCode` of a 400: a malformed body or `X-Token-Expire` header.
pub const BAD_REQUEST: &str = "SANDBOX-BAD-REQUEST";
/// `returnCode` of a 401: wrong credentials, or a missing, malformed,
/// unknown or expired bearer token.
pub const UNAUTHORIZED: &str = "SANDBOX-UNAUTHORIZED";
/// `returnCode` of a 403: `X-APP-Key` differs from the token's app key.
pub const FORBIDDEN: &str = "SANDBOX-FORBIDDEN";
/// `returnCode` of a 404: no such path.
pub const NOT_FOUND: &str = "SANDBOX-NOT-FOUND";
/// `returnCode` of a 405: the path exists, but only for `POST`.
pub const METHOD_NOT_ALLOWED: &str = "SANDBOX-METHOD-NOT-ALLOWED";
/// `returnCode` of a 429: more requests in one second than the sandbox's
/// [rate limit](crate::SandboxBuilder::rate_limit); nothing was carried out.
pub const THROTTLED: &str = "SANDBOX-THROTTLED";
