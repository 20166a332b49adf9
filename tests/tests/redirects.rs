//! Issue 24, item 1: credentials never follow a redirect. Plaid's API does not redirect; a 3xx
//! from the configured origin to another one must not carry `PLAID-SECRET` or the body there.
//! Two real HTTP servers on loopback (two ports: two origins).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/setup.rs"]
mod setup;

use httpmock::prelude::*;
use plaid_client_ext::{types, Environment, Error, PlaidClient};
use setup::{client, ACCESS_TOKEN, CLIENT_ID, SECRET};

const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// The other origin: answers anything with a valid `/accounts/get` body, and counts.
async fn accept_anything(other: &MockServer) -> httpmock::Mock<'_> {
    let body = plaid_client::mock::example::<plaid_client::operations::AccountsGet>().unwrap();
    other
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .json_body(serde_json::to_value(&body).unwrap());
        })
        .await
}

/// The configured origin, answering every request with `status` and `Location: target`.
async fn redirecting(status: u16, target: &str) -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(status).header("location", target);
        })
        .await;
    server
}

fn expect_redirect(result: Result<impl std::fmt::Debug, Error>, status: u16) -> Error {
    match result {
        Err(e @ Error::Redirect { .. }) => {
            let Error::Redirect { status: got, .. } = &e else {
                unreachable!()
            };
            assert_eq!(*got, status);
            assert!(!e.is_transient() && !e.is_retryable(), "{e}");
            e
        }
        other => panic!("expected Error::Redirect for {status}, got {other:?}"),
    }
}

#[tokio::test]
async fn the_built_client_refuses_every_redirect_and_sends_nothing_elsewhere() {
    let other = MockServer::start_async().await;
    let hits = accept_anything(&other).await;
    let target = format!("{}/accounts/get?secret={SECRET}", other.base_url());
    for status in REDIRECTS {
        let plaid = redirecting(status, &target).await;
        let result = client(&plaid)
            .send(&types::AccountsGetRequest::new(ACCESS_TOKEN))
            .await;
        let e = expect_redirect(result, status);
        let text = format!("{e} {e:?}");
        assert!(
            text.contains(&other.base_url().replace("http://", "")),
            "{text}"
        );
        assert!(
            !text.contains(SECRET),
            "the Location's secret is redacted: {text}"
        );
    }
    assert_eq!(
        hits.calls_async().await,
        0,
        "nothing reached the other origin"
    );
}

#[tokio::test]
async fn a_callers_client_that_follows_redirects_still_fails() {
    let other = MockServer::start_async().await;
    let hits = accept_anything(&other).await;
    let target = format!("{}/accounts/get", other.base_url());
    for status in [307, 308] {
        let plaid = redirecting(status, &target).await;
        // reqwest's default policy follows up to 10 redirects.
        let client = PlaidClient::builder(Environment::Custom(plaid.base_url()), CLIENT_ID, SECRET)
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
        let result = client
            .send(&types::AccountsGetRequest::new(ACCESS_TOKEN))
            .await;
        // The other origin answered 200 with a valid body; the client refuses it.
        let e = expect_redirect(result, 200);
        assert!(e.to_string().contains("does not redirect"), "{e}");
    }
    assert_eq!(
        hits.calls_async().await,
        2,
        "a following client did reach it, as documented"
    );
}

#[tokio::test]
async fn a_callers_client_without_redirects_sends_nothing_elsewhere() {
    let other = MockServer::start_async().await;
    let hits = accept_anything(&other).await;
    let target = format!("{}/accounts/get", other.base_url());
    let plaid = redirecting(308, &target).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = PlaidClient::builder(Environment::Custom(plaid.base_url()), CLIENT_ID, SECRET)
        .http_client(http)
        .build()
        .unwrap();
    let result = client
        .send(&types::AccountsGetRequest::new(ACCESS_TOKEN))
        .await;
    expect_redirect(result, 308);
    assert_eq!(hits.calls_async().await, 0);
}
