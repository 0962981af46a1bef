//! The HTTP side: the router, the two endpoints, the refusals and the
//! request log.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Request, State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header::WWW_AUTHENTICATE},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::post,
};
use secrecy::ExposeSecret;

use super::{
    BODY_LIMIT, RETURN_CODE_BAD_REQUEST, RETURN_CODE_DUPLICATE, RETURN_CODE_FORBIDDEN,
    RETURN_CODE_METHOD_NOT_ALLOWED, RETURN_CODE_NOT_FOUND, RETURN_CODE_UNAUTHORIZED, Shared,
    TOKEN_SCOPE,
    auth::{self, Denied},
    validate::{self, Invalid},
};
use crate::generated::types;

/// The documented path of `tokenByAkSk`.
pub(crate) const TOKEN_PATH: &str = "/apigovernance/api/oauth/tokenByAkSk";
/// The documented path of `createCalledRoute`.
pub(crate) const CREATE_CALLED_ROUTE_PATH: &str =
    "/apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute";

/// The documented success of `createCalledRoute`.
const CREATED: &str = "data create success";

/// The whole sandbox as an axum router.
pub(crate) fn router(shared: Arc<Shared>, addr: SocketAddr) -> Router {
    Router::new()
        .route(
            TOKEN_PATH,
            post(token_by_ak_sk).fallback(method_not_allowed),
        )
        .route(
            CREATE_CALLED_ROUTE_PATH,
            post(create_called_route).fallback(method_not_allowed),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(addr, log_request))
        .with_state(shared)
}

/// A refusal: a status and the `{returnCode, description}` body.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    code: &'static str,
    description: String,
}

impl Refusal {
    fn bad_request(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            code: RETURN_CODE_BAD_REQUEST,
            description: description.into(),
        }
    }

    fn unauthorized(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::UNAUTHORIZED,
            code: RETURN_CODE_UNAUTHORIZED,
            description: description.into(),
        }
    }
}

impl From<Invalid> for Refusal {
    fn from(Invalid(description): Invalid) -> Self {
        Refusal::bad_request(description)
    }
}

impl From<Denied> for Refusal {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Unauthorized(reason) => Refusal::unauthorized(reason),
            Denied::Forbidden => Refusal {
                status: StatusCode::FORBIDDEN,
                code: RETURN_CODE_FORBIDDEN,
                description: "X-APP-Key is not the app key the access token was issued to"
                    .to_owned(),
            },
        }
    }
}

impl From<BytesRejection> for Refusal {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::bad_request(format!("the body is larger than {BODY_LIMIT} bytes"))
        } else {
            Refusal::bad_request(format!(
                "the body could not be read: {}",
                rejection.body_text()
            ))
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        tracing::debug!(status = self.status.as_u16(), reason = %self.description, "refused");
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let body = types::ReturnResult {
            return_code: Some(self.code.to_owned()),
            description: Some(self.description),
        };
        let mut response = (self.status, Json(body)).into_response();
        if unauthorized {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// `POST /apigovernance/api/oauth/tokenByAkSk`.
async fn token_by_ak_sk(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<types::TokenResponse>, Refusal> {
    shared.tokens.count_request();
    let body = body?;
    let lifetime = auth::lifetime(&headers).map_err(Refusal::bad_request)?;
    let (app_key, app_secret) = validate::token_request(&body)?;
    let app_key = shared
        .tokens
        .authenticate(&app_key, app_secret.expose_secret())
        .ok_or_else(|| Refusal::unauthorized("the app_key or app_secret is wrong"))?;
    let token = shared.tokens.issue(app_key, lifetime);
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    tracing::debug!(
        app_key,
        lifetime_s = lifetime.as_secs(),
        "access token issued"
    );
    Ok(Json(types::TokenResponse {
        access_token: token.expose_secret().to_owned(),
        apply_type: Some("Bearer".to_owned()),
        create_time: Some(created.to_string()),
        expires: lifetime.as_secs().to_string(),
        scope: Some(TOKEN_SCOPE.to_owned()),
        app_key: Some(app_key.to_owned()),
        user_id: Some("Anonymous".to_owned()),
    }))
}

/// `POST /apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute`.
async fn create_called_route(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<types::ReturnResult>, Refusal> {
    let app_key = shared.tokens.authorize(&headers)?;
    let route = validate::called_route(&body?)?;
    let result = match shared.routes.create(&route) {
        Ok(stored) => {
            tracing::debug!(app_key, dnid = stored.dnid, id = %stored.id, %route, "route created");
            types::ReturnResult {
                return_code: Some("0".to_owned()),
                description: Some(CREATED.to_owned()),
            }
        }
        Err(existing) => {
            let ext = match &existing.ext_code {
                Some(ext) => format!("extension code `{ext}`"),
                None => "no extension code".to_owned(),
            };
            let description = format!(
                "access code `{}` with {ext} is already bound (dnid {}, id {}) to {}",
                existing.access_code, existing.dnid, existing.id, existing.device
            );
            tracing::debug!(reason = %description, "duplicate route refused");
            types::ReturnResult {
                return_code: Some(RETURN_CODE_DUPLICATE.to_owned()),
                description: Some(description),
            }
        }
    };
    Ok(Json(result))
}

/// Any method but `POST` on a documented path.
async fn method_not_allowed() -> Refusal {
    Refusal {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: RETURN_CODE_METHOD_NOT_ALLOWED,
        description: "this path takes only POST".to_owned(),
    }
}

/// Any undocumented path.
async fn not_found() -> Refusal {
    Refusal {
        status: StatusCode::NOT_FOUND,
        code: RETURN_CODE_NOT_FOUND,
        description: format!(
            "no such path; the sandbox serves POST {TOKEN_PATH} and POST {CREATE_CALLED_ROUTE_PATH}"
        ),
    }
}

/// One event per request: the sandbox's address, method, path (never the
/// query or a header) and status.
async fn log_request(State(addr): State<SocketAddr>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        sandbox = %addr,
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "sandbox request"
    );
    response
}
