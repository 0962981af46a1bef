//! The seam between the generated client and cec-routes: every generated
//! operation passes through these hooks, so every request is authenticated
//! the same way, carries only the documented headers, and has its response
//! body read only up to the configured limit.

use std::{error::Error as StdError, fmt};

use bytes::Bytes;
use futures::{Stream, StreamExt, stream};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderName};

use crate::{
    auth::{Auth, CALL_TOKEN},
    config::DEFAULT_MAX_RESPONSE_BYTES,
    generated::Client,
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

/// Why a response body stopped being read: it is larger than the limit.
/// Travels inside the `reqwest::Error` the generated code gets while reading
/// the body; [`too_large`] finds it again.
#[derive(Debug)]
pub(crate) struct BodyTooLarge {
    pub(crate) limit: usize,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the response body is larger than the {}-byte limit",
            self.limit
        )
    }
}

impl StdError for BodyTooLarge {}

/// The limit a body broke, when `error` (or one of its causes) is
/// [`BodyTooLarge`].
pub(crate) fn too_large(error: &(dyn StdError + 'static)) -> Option<usize> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(too_large) = error.downcast_ref::<BodyTooLarge>() {
            return Some(too_large.limit);
        }
        cause = error.source();
    }
    None
}

type BoxError = Box<dyn StdError + Send + Sync>;

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
    /// never read). The failure is a body error carrying [`BodyTooLarge`].
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        let limit = RESPONSE_LIMIT
            .try_with(|limit| *limit)
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        Ok(cap_body(response, limit))
    }
}

/// `response` with a body that yields at most `limit` bytes, then an error.
///
/// Only a success body is read whole (by the generated code); error bodies
/// are read up to 64 KiB by the wrapper. A success body whose declared
/// length fits is passed through untouched (the HTTP framing holds it to
/// that length), so the common case costs nothing.
fn cap_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    if !response.status().is_success() {
        return response;
    }
    let declared_over = match response.content_length() {
        Some(length) if length <= limit as u64 => return response,
        Some(_) => true,
        None => false,
    };
    // Through `http::Response`, so that status, version, headers and URL
    // survive; only the body is replaced.
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let body = if declared_over {
        // Dropping the body closes the connection: nothing more is read.
        drop(body);
        reqwest::Body::wrap_stream(stream::once(async move {
            Err::<Bytes, BoxError>(Box::new(BodyTooLarge { limit }))
        }))
    } else {
        let chunks = reqwest::Response::from(http::Response::new(body)).bytes_stream();
        reqwest::Body::wrap_stream(capped(chunks, limit))
    };
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// The chunks of `body` until more than `limit` bytes have come, then one
/// [`BodyTooLarge`] error; the body is dropped with the error.
fn capped(
    body: impl Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
    limit: usize,
) -> impl Stream<Item = Result<Bytes, BoxError>> + Send + 'static {
    let body = Box::pin(body);
    stream::unfold(Some((body, 0usize)), move |state| async move {
        let (mut body, read) = state?;
        match body.next().await? {
            Ok(chunk) => {
                let read = read.saturating_add(chunk.len());
                if read > limit {
                    Some((Err(Box::new(BodyTooLarge { limit }) as BoxError), None))
                } else {
                    Some((Ok(chunk), Some((body, read))))
                }
            }
            Err(error) => Some((Err(Box::new(error) as BoxError), None)),
        }
    })
}
