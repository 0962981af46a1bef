//! The HTTP side: the router, the eight endpoints, the refusals and the
//! request log.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Request, State, rejection::BytesRejection},
    http::{
        HeaderMap, HeaderValue, StatusCode, Uri,
        header::{CONTENT_TYPE, WWW_AUTHENTICATE},
    },
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::post,
};
use secrecy::ExposeSecret;

use serde_json::Value;

use super::{
    BODY_LIMIT, Shared, TOKEN_SCOPE,
    auth::{self, Denied},
    listing, return_code,
    state::Refused,
    validate::{self, Invalid},
    wire::{
        CREATE_CALLED_ROUTE_PATH, DELETE_CALLED_ROUTE_PATH, Envelope, MODIFY_CALLED_ROUTE_PATH,
        QUERY_ACCESS_CODE_LIST_PATH, QUERY_CALLED_ROUTE_PATH, QUERY_IVR_FLOW_LIST_PATH,
        QUERY_SKILLS_PATH, TOKEN_PATH,
    },
};
use cec_routes::generated::types;

/// The documented success of `createCalledRoute`.
const CREATED: &str = "data create success";
/// The documented success of `modifyCalledRoute`.
const UPDATED: &str = "data update success";
/// The documented success of `deleteCalledRoute`.
const DELETED: &str = "data delete success";
/// The documented success of the queries.
const QUERIED: &str = "success";

/// The whole sandbox as an axum router.
pub(crate) fn router(shared: Arc<Shared>, addr: SocketAddr) -> Router {
    let router = Router::new()
        .route(
            TOKEN_PATH,
            post(token_by_ak_sk).fallback(method_not_allowed),
        )
        .route(
            CREATE_CALLED_ROUTE_PATH,
            post(create_called_route).fallback(method_not_allowed),
        )
        .route(
            QUERY_CALLED_ROUTE_PATH,
            post(query_called_route).fallback(method_not_allowed),
        )
        .route(
            MODIFY_CALLED_ROUTE_PATH,
            post(modify_called_route).fallback(method_not_allowed),
        )
        .route(
            DELETE_CALLED_ROUTE_PATH,
            post(delete_called_route).fallback(method_not_allowed),
        )
        .route(
            QUERY_ACCESS_CODE_LIST_PATH,
            post(query_access_code_list).fallback(method_not_allowed),
        )
        .route(
            QUERY_SKILLS_PATH,
            post(query_skills).fallback(method_not_allowed),
        )
        .route(
            QUERY_IVR_FLOW_LIST_PATH,
            post(query_ivr_flow_list).fallback(method_not_allowed),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(shared.clone(), latency));
    // Outside the latency: a fault injected before the request is carried
    // out answers at once.
    #[cfg(feature = "faults")]
    let router = router.layer(middleware::from_fn_with_state(
        shared.clone(),
        super::faults::inject,
    ));
    router
        // In front of everything but the log, as a gateway: a throttled
        // request is neither authenticated, counted nor carried out.
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            super::rate_limit::throttle,
        ))
        .layer(middleware::from_fn_with_state(addr, log_request))
        .with_state(shared)
}

/// The configured latency, before each business request (not
/// `tokenByAkSk`) is carried out.
async fn latency(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if !shared.latency.is_zero() && request.uri().path() != TOKEN_PATH {
        tokio::time::sleep(shared.latency).await;
    }
    next.run(request).await
}

/// A refusal: a status and the `{returnCode, description}` body (or
/// `{retCode, message}`, the envelope of `queryIVRFlowList`).
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    code: &'static str,
    description: String,
    envelope: Envelope,
}

impl Refusal {
    fn bad_request(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            code: return_code::BAD_REQUEST,
            description: description.into(),
            envelope: Envelope::ReturnCode,
        }
    }

    fn unauthorized(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::UNAUTHORIZED,
            code: return_code::UNAUTHORIZED,
            description: description.into(),
            envelope: Envelope::ReturnCode,
        }
    }

    /// The same refusal in another operation's envelope.
    fn in_envelope(self, envelope: Envelope) -> Self {
        Refusal { envelope, ..self }
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
                code: return_code::FORBIDDEN,
                description: "X-APP-Key is not the app key the access token was issued to"
                    .to_owned(),
                envelope: Envelope::ReturnCode,
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
        let body = self.envelope.body(self.code, self.description);
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

/// A business refusal: HTTP 200 with the sandbox's `returnCode`.
fn business(refusal: Refused) -> types::ReturnResult {
    tracing::debug!(code = refusal.code, reason = %refusal.description, "refused by a rule");
    types::ReturnResult {
        return_code: Some(refusal.code.to_owned()),
        description: Some(refusal.description),
    }
}

/// `{"returnCode": "0", "description": <description>}`.
fn success(description: &str) -> types::ReturnResult {
    types::ReturnResult {
        return_code: Some("0".to_owned()),
        description: Some(description.to_owned()),
    }
}

/// `POST /apiaccess/rest/cc-management/v1/calledRoute/createCalledRoute`.
async fn create_called_route(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<types::ReturnResult>, Refusal> {
    let app_key = shared.tokens.authorize(&headers)?;
    let route = match validate::called_route(&body?)? {
        Ok(route) => route,
        Err(refusal) => return Ok(Json(business(refusal))),
    };
    let result = match shared.state.create(&route) {
        Ok(stored) => {
            tracing::debug!(app_key, dnid = stored.dnid, id = %stored.id, %route, "route created");
            success(CREATED)
        }
        Err(refusal) => business(refusal),
    };
    Ok(Json(result))
}

/// `POST /apiaccess/rest/cc-management/v1/calledRoute/modifyCalledRoute`.
async fn modify_called_route(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<types::ReturnResult>, Refusal> {
    let app_key = shared.tokens.authorize(&headers)?;
    let (id, device) = validate::modify(&body?)?;
    let result = match shared.state.modify(id.as_str(), device) {
        Ok(route) => {
            tracing::debug!(app_key, dnid = route.dnid, %id, %device, "route modified");
            success(UPDATED)
        }
        Err(refusal) => business(refusal),
    };
    Ok(Json(result))
}

/// `POST /apiaccess/rest/cc-management/v1/calledRoute/deleteCalledRoute`.
async fn delete_called_route(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<types::DeleteCalledRouteResponse>, Refusal> {
    let app_key = shared.tokens.authorize(&headers)?;
    let dnids = validate::delete(&body?)?;
    let outcome = shared.state.delete(&dnids);
    let names = outcome.names().join(",");
    let ids = outcome
        .deleted
        .iter()
        .map(|route| route.id.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let failed = outcome
        .failed
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let reasons = outcome
        .failed
        .iter()
        .map(|(name, reason)| format!("{name} ({reason})"))
        .collect::<Vec<_>>()
        .join(", ");
    tracing::debug!(app_key, deleted = %names, failed = %failed, "routes deleted");
    let (code, content, description) = match (outcome.deleted.is_empty(), failed.is_empty()) {
        (false, true) => ("0", names.clone(), DELETED.to_owned()),
        (false, false) => (
            "0",
            format!("Success:{names},Failed:{failed}"),
            format!(
                "{DELETED} for {} of {} routes; not deleted: {reasons}",
                outcome.deleted.len(),
                outcome.deleted.len() + outcome.failed.len()
            ),
        ),
        (true, _) => (
            return_code::NOT_DELETED,
            names.clone(),
            format!("no route was deleted: {reasons}"),
        ),
    };
    Ok(Json(types::DeleteCalledRouteResponse {
        return_code: Some(code.to_owned()),
        description: Some(description),
        data: Some(types::DeleteResult(Some(types::DeleteResultInner {
            id: Some(ids),
            name: Some(names),
            content: Some(content),
        }))),
    }))
}

/// `POST /apiaccess/rest/cc-management/v1/calledRoute/queryCalledRoute`.
async fn query_called_route(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Refusal> {
    shared.tokens.authorize(&headers)?;
    let query = validate::route_query(&body?)?;
    let (total, routes) = shared.state.query_routes_json(&query);
    let body = listing::route_page_body(total, &routes, QUERIED);
    Ok((
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response())
}

/// `POST /apiaccess/rest/cc-management/v1/accessCodeInfo/queryAccessCodeList`.
async fn query_access_code_list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Refusal> {
    shared.tokens.authorize(&headers)?;
    let query = validate::access_code_query(&body?)?;
    let (total, codes) = shared.state.query_access_codes(&query);
    let response = types::QueryAccessCodeListResponse {
        return_code: Some("0".to_owned()),
        description: Some(QUERIED.to_owned()),
        data: Some(types::AccessCodePage(Some(types::AccessCodePageInner {
            total: Some(total as i64),
            called_route_list: Some(codes),
        }))),
    };
    Ok(Json(listing::with_nulls(
        response,
        &listing::ACCESS_CODE_NULLS,
    )))
}

/// `POST /apiaccess/rest/cc-management/v1/skill/querySkills`.
async fn query_skills(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<types::QuerySkillsResponse>, Refusal> {
    shared.tokens.authorize(&headers)?;
    let query = validate::skills_query(&body?)?;
    let (total, queues) = shared.state.query_skills(&query);
    Ok(Json(types::QuerySkillsResponse {
        return_code: Some("0".to_owned()),
        description: Some(QUERIED.to_owned()),
        total: Some(total as i64),
        data: Some(queues),
    }))
}

/// `POST /apiaccess/rest/cc-management/v1/ivrFlow/queryIVRFlowList`: every
/// refusal in this operation's own envelope, `{retCode, message}`.
async fn query_ivr_flow_list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<types::QueryIvrFlowListResponse>, Refusal> {
    let answer = || -> Result<_, Refusal> {
        shared.tokens.authorize(&headers)?;
        validate::ivr_flow_query(&body?)?;
        Ok(Json(types::QueryIvrFlowListResponse {
            ret_code: Some("0".to_owned()),
            message: Some(QUERIED.to_owned()),
            result: Some(shared.state.ivr_flows()),
        }))
    };
    answer().map_err(|refusal| refusal.in_envelope(Envelope::RetCode))
}

/// Any method but `POST` on a documented path, in that operation's
/// envelope.
async fn method_not_allowed(uri: Uri) -> Refusal {
    Refusal {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: return_code::METHOD_NOT_ALLOWED,
        description: "this path takes only POST".to_owned(),
        envelope: Envelope::of_path(uri.path()),
    }
}

/// Any undocumented path.
async fn not_found() -> Refusal {
    Refusal {
        status: StatusCode::NOT_FOUND,
        code: return_code::NOT_FOUND,
        description: format!(
            "no such path; the sandbox serves POST {TOKEN_PATH}, {QUERY_ACCESS_CODE_LIST_PATH}, \
             {CREATE_CALLED_ROUTE_PATH}, {QUERY_CALLED_ROUTE_PATH}, {MODIFY_CALLED_ROUTE_PATH}, \
             {DELETE_CALLED_ROUTE_PATH}, {QUERY_SKILLS_PATH} and {QUERY_IVR_FLOW_LIST_PATH}"
        ),
        envelope: Envelope::ReturnCode,
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
