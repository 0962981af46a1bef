//! The seam between the generated client and cec-routes: every generated
//! operation passes through these hooks, so every request is authenticated
//! the same way and carries only the documented headers.

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::ExposeSecret;

use crate::{
    auth::{Auth, CALL_TOKEN},
    generated::Client,
};

/// The header progenitor adds to every request; CEC does not document it.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// The app-key header, as the documentation spells it.
pub const APP_KEY_HEADER: &str = "X-APP-Key";

/// The operation that issues tokens, and so is sent without one.
const TOKEN_OPERATION: &str = "token_by_ak_sk";

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
            let token = match CALL_TOKEN.try_with(Clone::clone) {
                Ok(token) => token,
                Err(_) => provider
                    .token()
                    .await
                    .map_err(|e| progenitor_client::Error::Custom(e.to_string()))?,
            };
            let mut value =
                HeaderValue::try_from(format!("Bearer {}", token.secret().expose_secret()))
                    .map_err(|_| {
                        progenitor_client::Error::Custom(
                            "the access token contains characters a header cannot carry".into(),
                        )
                    })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        if let Some(app_key) = &auth.app_key {
            let mut value = HeaderValue::try_from(app_key.as_str()).map_err(|_| {
                progenitor_client::Error::Custom(
                    "the app key contains characters a header cannot carry".into(),
                )
            })?;
            value.set_sensitive(true);
            headers.insert(HeaderName::from_static("x-app-key"), value);
        }
        Ok(())
    }
}
