//! What every wiremock contract test needs: a client for the mock server
//! and the requests it received.

use cec_routes::Client;
use serde_json::Value;
use wiremock::{MockServer, Request};

/// A client for `server`, authenticated with the fixed token `t0k`.
pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token("t0k")
        .build()
        .expect("a loopback base URL and a token make a valid client")
}

/// The one request the server received.
pub async fn the_request(server: &MockServer) -> Request {
    let mut requests = server
        .received_requests()
        .await
        .expect("request recording is on");
    assert_eq!(requests.len(), 1, "exactly one request was expected");
    requests.remove(0)
}

/// Every request body the server received, in order, as JSON.
pub async fn received_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .iter()
        .map(|r| r.body_json().expect("the request body is JSON"))
        .collect()
}
