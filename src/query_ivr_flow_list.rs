//! Listing the tenant space's IVR flows: `queryIVRFlowList` and the
//! [`IvrFlow`]s it returns. The operation has no filter and no paging: one
//! call returns every flow.
//!
//! Its envelope is not Number Management's: `retCode`, `message` and
//! `result` instead of `returnCode`, `description` and `data`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    client::Client, envelope::check_return_code, error::Error, generated::types, listed::Listed,
};

const OPERATION: &str = "queryIVRFlowList";

/// The kind of an IVR flow (the wire's `flowType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FlowType {
    /// `0`: unspecified service type.
    Unspecified,
    /// `1`: GSL service file.
    Gsl,
    /// `2`: VoiceXML service file.
    VoiceXml,
    /// `3`: third-party IVR service.
    ThirdParty,
    /// `4`: VXML flow supported by the CCIVR.
    CcivrVxml,
    /// `5`: CCXML flow (spelled "CCXMLL" on every page).
    Ccxml,
    /// `6`: WaitScript flow.
    WaitScript,
}

impl FlowType {
    fn listed(raw: i64) -> Listed<FlowType> {
        let known = match raw {
            0 => FlowType::Unspecified,
            1 => FlowType::Gsl,
            2 => FlowType::VoiceXml,
            3 => FlowType::ThirdParty,
            4 => FlowType::CcivrVxml,
            5 => FlowType::Ccxml,
            6 => FlowType::WaitScript,
            other => return Listed::Unknown(other.to_string()),
        };
        Listed::Known(known)
    }
}

impl fmt::Display for FlowType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FlowType::Unspecified => "unspecified",
            FlowType::Gsl => "gsl",
            FlowType::VoiceXml => "voicexml",
            FlowType::ThirdParty => "third-party",
            FlowType::CcivrVxml => "ccivr-vxml",
            FlowType::Ccxml => "ccxml",
            FlowType::WaitScript => "waitscript",
        })
    }
}

/// An IVR flow of the tenant space, as [`Client::ivr_flows`] lists it.
///
/// Its fields are public to read and to change; new ones may come, so
/// outside this crate an `IvrFlow` is made with [`IvrFlow::new`] (for tests
/// and fixtures) or decoded with [`IvrFlow::from_wire`].
///
/// # Examples
///
/// ```
/// use cec_routes::targets::IvrFlow;
///
/// let flow = IvrFlow::new(7, "welcomeIvr");
/// assert_eq!(flow.device_id(), Some(7));
/// assert_eq!(flow.loaded, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IvrFlow {
    /// The flow's id: a route to it takes this as `deviceId`.
    pub id: Option<i64>,
    /// The flow's description: the name CEC shows for it.
    pub name: Option<String>,
    /// The flow's own access code. Not one of the tenant's access codes that
    /// routes bind.
    pub access_code: Option<String>,
    /// The flow's file name.
    pub file_name: Option<String>,
    /// The kind of flow.
    pub flow_type: Option<Listed<FlowType>>,
    /// Whether the flow is loaded (`isLoad` 1); `None` when CEC did not say
    /// or sent another value.
    pub loaded: Option<bool>,
    /// Most calls in the flow at once.
    pub max_calls: Option<i64>,
}

impl IvrFlow {
    /// The flow `id` named `name`, with nothing else known.
    pub fn new(id: u32, name: impl Into<String>) -> Self {
        IvrFlow {
            id: Some(i64::from(id)),
            name: Some(name.into()),
            access_code: None,
            file_name: None,
            flow_type: None,
            loaded: None,
            max_calls: None,
        }
    }

    /// Decodes one listed IVR flow. Never fails.
    pub fn from_wire(flow: &types::IvrFlow) -> Self {
        IvrFlow {
            id: flow.id,
            name: flow.description.clone(),
            access_code: flow.access_code.clone(),
            file_name: flow.flow_file_name.clone(),
            flow_type: flow.flow_type.map(FlowType::listed),
            loaded: match flow.is_load {
                Some(0) => Some(false),
                Some(1) => Some(true),
                _ => None,
            },
            max_calls: flow.max_call_num,
        }
    }

    /// The id as a route's `deviceId` takes it, when it fits one.
    pub fn device_id(&self) -> Option<u32> {
        self.id
            .and_then(|id| u32::try_from(id).ok())
            .filter(|id| i32::try_from(*id).is_ok())
    }
}

impl Client {
    /// Every IVR flow of the tenant space: queryIVRFlowList, one call (the
    /// operation documents no paging). A `retCode` other than `"0"` is a
    /// business failure; a 200 without one is not trusted (a decode error).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: cec_routes::Client) -> Result<(), cec_routes::Error> {
    /// for flow in client.ivr_flows().await? {
    ///     println!("{:?} {:?} loaded: {:?}", flow.id, flow.name, flow.loaded);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn ivr_flows(&self) -> Result<Vec<IvrFlow>, Error> {
        let body = &types::QueryIvrFlowListRequest {};
        let response = self
            .call(OPERATION, |raw| async move {
                raw.query_ivr_flow_list(body).await
            })
            .await?
            .into_inner();
        check_return_code(
            OPERATION,
            response.ret_code.as_deref(),
            response.message.as_deref(),
        )
        .map_err(|error| match error {
            Error::Decode {
                operation, body, ..
            } => Error::Decode {
                operation,
                reason: "the response has no retCode, so it cannot be trusted".to_owned(),
                body,
            },
            other => other,
        })?;
        Ok(response
            .result
            .unwrap_or_default()
            .iter()
            .map(IvrFlow::from_wire)
            .collect())
    }
}
