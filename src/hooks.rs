//! The seam between the generated client and cec-routes: every generated
//! operation passes through these hooks, so every request is authenticated
//! the same way, carries only the documented headers, and has its response
//! body read only up to the configured limit.

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderName};

use crate::{
    auth::{Auth, CALL_TOKEN},
    config::DEFAULT_MAX_RESPONSE_BYTES,
    generated::Client,
    transport,
};

/// The header progenitor adds to every request; CEC does not document it.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// The app-key header, as the documentation spells it.
pub const APP_KEY_HEADER: &str = "X-APP-Key";

/// The operation that issues tokens, and so is sent without one.
const TOKEN_OPERATION: &str = "token_by_ak_sk";

tokio::task_local! {
    /// The most bytes of a response body the call under way may read (the
    /// client's `max_response_bytes`). Outside a scope (calls made through
    /// [`crate::Client::raw`]) the default applies.
    pub(crate) static RESPONSE_LIMIT: usize;
}

impl ClientHooks<Auth> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let headers = request.headers_mut();
        headers.remove(API_VERSION);

        let auth = self.inner();
        if info.operation_id == TOKEN_OPERATION {
            return Ok(());
        }
        if let Some(provider) = &auth.provider {
            // The wrapper's token for this call, else (calls through
            // `Client::raw`) one from the provider. Its `Bearer …` value is
            // made once per token, not per request.
            let bearer = match CALL_TOKEN.try_with(|token| token.bearer().cloned()) {
                Ok(bearer) => bearer,
                Err(_) => provider
                    .token()
                    .await
                    .map_err(|e| progenitor_client::Error::Custom(e.to_string()))?
                    .bearer()
                    .cloned(),
            };
            let value = bearer.ok_or_else(|| {
                progenitor_client::Error::Custom(
                    "the access token contains characters a header cannot carry".into(),
                )
            })?;
            headers.insert(AUTHORIZATION, value);
        }
        if let Some(app_key) = &auth.app_key {
            // Made (and checked) once, when the client was built.
            headers.insert(HeaderName::from_static("x-app-key"), app_key.clone());
        }
        Ok(())
    }

    /// Sends the request, and hands the generated code a response whose
    /// body stops at the limit: a success whose `Content-Length` is over it
    /// fails before a byte is read, and any body fails as soon as more than
    /// the limit has arrived (the connection is then dropped, so the rest is
    /// never read). The failure is a body error carrying [`BodyTooLarge`](transport::BodyTooLarge).
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        let limit = RESPONSE_LIMIT
            .try_with(|limit| *limit)
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        Ok(transport::cap_body(response, limit))
    }
}
