//! Unit tests of what spans modules: the client's futures, and the
//! generated client behind `Client::raw`.

use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

use crate::{
    AccessCodeFilter, CalledRoute, Client, Device, RouteChange, RouteFilter, plan::PlanOptions,
    plan::RoutesFile, transport::too_large,
};

fn assert_send<T: Send>(_: &T) {}

#[test]
fn every_operation_is_a_future_that_can_move_between_threads() {
    let client = Client::builder()
        .token("t0k")
        .build()
        .expect("a valid client");
    let route = CalledRoute::new("9911411", Device::SkillQueue(1)).expect("a valid route");
    let change = RouteChange::by_id("1".parse().expect("an id"), Device::SkillQueue(2))
        .expect("a valid change");
    let file = RoutesFile::parse("routes: []\n").expect("an empty routes file");
    assert_send(&client.create_called_route(&route));
    assert_send(&client.called_routes(&RouteFilter::new()));
    assert_send(&client.called_routes_page(&RouteFilter::new(), 0, 100));
    assert_send(&client.called_route_pages(RouteFilter::new()).next_page());
    assert_send(&client.modify_called_route(&change));
    assert_send(&client.delete_called_routes(&[1]));
    assert_send(&client.access_codes(&AccessCodeFilter::new()));
    assert_send(&client.access_codes_page(&AccessCodeFilter::new(), 0, 100));
    assert_send(&client.plan_routes(&file, PlanOptions::new()));
    assert_send(&client.access_token());
    assert_send(&client.skill_queues(&crate::targets::SkillQueueFilter::new()));
    assert_send(&client.ivr_flows());
}

#[tokio::test]
async fn the_generated_client_behind_raw_reads_no_more_than_the_configured_limit() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(300)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .token("t0k")
        .max_response_bytes(100)
        .build()
        .expect("a valid client");
    let body = CalledRoute::new("9911411", Device::SkillQueue(1))
        .expect("a valid route")
        .to_request();

    let error = client
        .raw()
        .create_called_route(&body)
        .await
        .expect_err("the body is over the limit");

    let progenitor_client::Error::ResponseBodyError(error) = error else {
        panic!("expected a body error, got {error:?}");
    };
    assert_eq!(too_large(&error), Some(100));
}
