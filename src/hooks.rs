//! The seam between the generated client and cec-routes: every generated
//! operation passes through these hooks, so every request is authenticated
//! the same way, carries only the documented headers, and has its response
//! body read only up to the client's limit. All they need comes with the
//! generated client, in its [`HookContext`].

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderName};

use crate::{generated::Client, hook_context::HookContext, transport};

/// The header progenitor adds to every request; CEC does not document it.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// The app-key header (`X-APP-Key`, as the documentation spells it).
const APP_KEY: HeaderName = HeaderName::from_static("x-app-key");

/// The operation that issues tokens, and so is sent without one.
const TOKEN_OPERATION: &str = "token_by_ak_sk";

impl ClientHooks<HookContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let context = self.inner();
        if let Some(timeout) = context.request_timeout {
            *request.timeout_mut() = Some(timeout);
        }
        let headers = request.headers_mut();
        headers.remove(API_VERSION);

        if info.operation_id == TOKEN_OPERATION {
            return Ok(());
        }
        if let Some(provider) = &context.provider {
            // The wrapper's token for this call, else (calls through
            // `Client::raw`) one from the provider. Its `Bearer …` value is
            // made once per token, not per request.
            let fetched;
            let token = match &context.token {
                Some(token) => token,
                None => {
                    fetched = provider
                        .token()
                        .await
                        .map_err(|e| progenitor_client::Error::Custom(e.to_string()))?;
                    &fetched
                }
            };
            let value = token.bearer().cloned().ok_or_else(|| {
                progenitor_client::Error::Custom(
                    "the access token contains characters a header cannot carry".into(),
                )
            })?;
            headers.insert(AUTHORIZATION, value);
        }
        if let Some(app_key) = &context.app_key {
            // Made (and checked) once, when the client was built.
            headers.insert(APP_KEY, app_key.clone());
        }
        Ok(())
    }

    /// Sends the request once the client's rate cap allows it, and hands
    /// the generated code a response whose body stops at the client's
    /// limit: a success larger than the limit fails as a body error, and
    /// the rest of it is never read. An answer from another URL (an HTTP
    /// client of the caller's that followed a redirect) fails as a body
    /// error too.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        if let Some(limiter) = &self.inner().limiter {
            limiter.acquire().await;
        }
        let sent = request.url().clone();
        let response = self.client().execute(request).await?;
        if response.url() != &sent {
            return Ok(transport::refuse_redirected(response));
        }
        Ok(transport::cap_body(
            response,
            self.inner().max_response_bytes,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::APP_KEY_HEADER;

    #[test]
    fn the_app_key_header_is_the_documented_one() {
        assert_eq!(
            APP_KEY,
            HeaderName::from_bytes(APP_KEY_HEADER.as_bytes()).expect("a header name")
        );
    }
}
