//! What the sandbox shares with every part that answers: the documented
//! paths of the operations and the two envelopes of their bodies. A leaf:
//! the handlers and the fault injection both build on it.

use cec_routes::generated::types;
use serde_json::Value;

/// The documented path of `tokenByAkSk`.
pub(crate) const TOKEN_PATH: &str = "/apigovernance/api/oauth/tokenByAkSk";
/// The documented path of `createCalledRoute`.
pub(crate) const CREATE_CALLED_ROUTE_PATH: &str =
    "/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute";
/// The documented path of `queryCalledRoute`.
pub(crate) const QUERY_CALLED_ROUTE_PATH: &str =
    "/apiaccess/rest/cc-management/v1/calledRoute/queryCalledRoute";
/// The documented path of `modifyCalledRoute`.
pub(crate) const MODIFY_CALLED_ROUTE_PATH: &str =
    "/apiaccess/rest/cc-management/v1/calledRoute/modifyCalledRoute";
/// The documented path of `deleteCalledRoute`.
pub(crate) const DELETE_CALLED_ROUTE_PATH: &str =
    "/apiaccess/rest/cc-management/v1/calledRoute/deleteCalledRoute";
/// The documented path of `queryAccessCodeList`.
pub(crate) const QUERY_ACCESS_CODE_LIST_PATH: &str =
    "/apiaccess/rest/cc-management/v1/accessCodeInfo/queryAccessCodeList";

/// The documented path of `querySkills`.
pub(crate) const QUERY_SKILLS_PATH: &str = "/apiaccess/rest/cc-management/v1/skill/querySkills";
/// The documented path of `queryIVRFlowList`.
pub(crate) const QUERY_IVR_FLOW_LIST_PATH: &str =
    "/apiaccess/rest/cc-management/v1/ivrFlow/queryIVRFlowList";

/// The shape of every body the sandbox makes up itself (a refusal, an
/// injected fault's answer): the 200 envelope of the operation asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Envelope {
    /// `{"returnCode", "description"}`: every operation but
    /// `queryIVRFlowList`, and any other path.
    #[default]
    ReturnCode,
    /// `{"retCode", "message"}`: `queryIVRFlowList`.
    RetCode,
}

impl Envelope {
    /// The envelope of the operation at `path`.
    pub(crate) fn of_path(path: &str) -> Self {
        if path == QUERY_IVR_FLOW_LIST_PATH {
            Envelope::RetCode
        } else {
            Envelope::ReturnCode
        }
    }

    /// A body with this `code` and text, in this envelope.
    pub(crate) fn body(self, code: impl Into<String>, text: impl Into<String>) -> Value {
        let (code, text) = (Some(code.into()), Some(text.into()));
        let body = match self {
            Envelope::ReturnCode => serde_json::to_value(types::ReturnResult {
                return_code: code,
                description: text,
            }),
            Envelope::RetCode => serde_json::to_value(types::QueryIvrFlowListResponse {
                ret_code: code,
                message: text,
                result: None,
            }),
        };
        body.expect("a generated type always serializes")
    }
}
