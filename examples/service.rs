//! A small Tapis service in Rust: an axum app on 127.0.0.1 whose one route,
//! `GET /my-systems`, authenticates its caller's Tapis token and lists the
//! caller's systems through the service's own client, on the caller's
//! behalf (a service token plus `X-Tapis-User`/`X-Tapis-Tenant`, as Python
//! services do with tapisservice).
//!
//! Runs offline against the embedded test server:
//! `cargo run --example service --features service,axum,testing`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tapis::service::{AuthLayer, Authenticator, Identity, TenantDirectory};
use tapis::testing::TestServer;
use tapis::Tapis;

/// The service's name (as the sites list it) and password.
const SERVICE: &str = "myservice";
const SERVICE_PASSWORD: &str = "service-secret";

/// `GET /my-systems`: the caller's systems, asked for on their behalf.
async fn my_systems(
    State(tapis): State<Tapis>,
    who: Identity,
) -> Result<Json<Value>, (StatusCode, String)> {
    let systems = tapis
        .systems()
        .get_systems()
        .on_behalf_of(&who.request_username, &who.request_tenant_id)
        .send()
        .await
        .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))?
        .into_result();
    let ids: Vec<&str> = systems
        .iter()
        .filter_map(|s| s.id.as_deref().map(|id| id.as_str()))
        .collect();
    Ok(Json(json!({"user": who.request_username, "systems": ids})))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A local Tapis that knows the service account and one user.
    let tapis_server = TestServer::builder()
        .user("alice", "alice-password")
        .service_account(SERVICE, SERVICE_PASSWORD)
        .start()
        .await?;
    println!("started a local Tapis at {}", tapis_server.url());

    // The service: the tenants and sites of its Tapis (read without a
    // token); its client holds service tokens from the Tokens API and sends
    // each call to the site its tenant and service call for; its
    // authenticator checks callers' tokens with the tenants' keys.
    let anonymous = Tapis::builder(tapis_server.url()).build()?;
    let tenants = TenantDirectory::load(&anonymous).await?;
    let service_client = Tapis::builder(tapis_server.url())
        .service_account(SERVICE, SERVICE_PASSWORD)
        .tenant_id(TestServer::TENANT)
        .site_id(TestServer::SITE)
        .tenant_directory(tenants.clone())
        .build()?;
    let auth = Authenticator::new(tenants, SERVICE, TestServer::SITE);
    let app = Router::new()
        .route("/my-systems", get(my_systems))
        .route("/healthz", get(|| async { "ok" }))
        .layer(AuthLayer::new(auth).public_path("/healthz"))
        .with_state(service_client);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let service_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("1. service {SERVICE} listening at {service_url}");

    // A user of the service: logs in to Tapis, creates a system, then asks
    // the service for their systems with their own token.
    let alice = Tapis::builder(tapis_server.url())
        .username("alice")
        .password("alice-password")
        .build()?;
    alice
        .systems()
        .create_system()
        .body_json(
            json!({"id": "alice-hpc", "systemType": "LINUX", "host": "hpc.example.org",
                          "defaultAuthnMethod": "PKI_KEYS"}),
        )
        .send()
        .await?;
    let token = alice.get_tokens().await?.access_token.ok_or("no token")?;
    println!("2. alice logged in and created system alice-hpc");

    // Any HTTP client will do; the SDK's has its TLS set up already.
    let http = alice.http_client().clone();
    let answer: Value = http
        .get(format!("{service_url}/my-systems"))
        .header("X-Tapis-Token", token.jwt())
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!("3. the service answered alice: {answer}");

    let denied = http.get(format!("{service_url}/my-systems")).send().await?;
    println!(
        "4. without a token: {} {}",
        denied.status().as_u16(),
        denied.text().await?
    );

    // What the local Tapis saw: the service's call carried a service token
    // and alice's identity.
    let obo = tapis_server.requests_to("systems", "getSystems")?;
    let last = obo.last().ok_or("the service made no call")?;
    println!(
        "5. the service called getSystems as X-Tapis-User={} X-Tapis-Tenant={}",
        last.header("x-tapis-user").unwrap_or("-"),
        last.header("x-tapis-tenant").unwrap_or("-"),
    );
    Ok(())
}
