//! Where each operation is: the documented URIs (reference §T and §1–§5,
//! and the routing-targets reference §1–§2), written once for every test.
//! All eight are `POST`.
//!
//! They are the documentation's, not read from the spec, so that a contract
//! test checks what the client sends against the documentation; the spec is
//! checked against this table (`spec::every_operation_is_at_its_documented_path`).

/// `tokenByAkSk`: an access token for an app key and app secret.
pub const TOKEN_BY_AK_SK: &str = "/apigovernance/api/oauth/tokenByAkSk";
/// `queryAccessCodeList`: the tenant's access codes.
pub const QUERY_ACCESS_CODE_LIST: &str =
    "/apiaccess/rest/cc-management/v1/accessCodeInfo/queryAccessCodeList";
/// `createCalledRoute`: bind an access code (+ extension) to a device.
pub const CREATE_CALLED_ROUTE: &str =
    "/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute";
/// `deleteCalledRoute`: delete bindings by dnid.
pub const DELETE_CALLED_ROUTE: &str =
    "/apiaccess/rest/cc-management/v1/calledRoute/deleteCalledRoute";
/// `modifyCalledRoute`: change the device of one binding.
pub const MODIFY_CALLED_ROUTE: &str =
    "/apiaccess/rest/cc-management/v1/calledRoute/modifyCalledRoute";
/// `queryCalledRoute`: the bindings, a page at a time.
pub const QUERY_CALLED_ROUTE: &str =
    "/apiaccess/rest/cc-management/v1/calledRoute/queryCalledRoute";

/// `querySkills`: the tenant's skill queues, a page at a time.
pub const QUERY_SKILLS: &str = "/apiaccess/rest/cc-management/v1/skill/querySkills";
/// `queryIVRFlowList`: every IVR flow of the tenant space.
pub const QUERY_IVR_FLOW_LIST: &str = "/apiaccess/rest/cc-management/v1/ivrFlow/queryIVRFlowList";

/// Every documented operation: its `operationId` and its path.
pub const OPERATIONS: [(&str, &str); 8] = [
    ("tokenByAkSk", TOKEN_BY_AK_SK),
    ("queryAccessCodeList", QUERY_ACCESS_CODE_LIST),
    ("createCalledRoute", CREATE_CALLED_ROUTE),
    ("deleteCalledRoute", DELETE_CALLED_ROUTE),
    ("modifyCalledRoute", MODIFY_CALLED_ROUTE),
    ("queryCalledRoute", QUERY_CALLED_ROUTE),
    ("querySkills", QUERY_SKILLS),
    ("queryIVRFlowList", QUERY_IVR_FLOW_LIST),
];
