//! The `Tapis` facade: base URL forms, headers every call carries, secrets
//! kept out of `Debug`.
#![cfg(feature = "systems")]

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn base_url_with_v3_or_trailing_slash_reaches_the_same_paths() {
    let server = server_answering(envelope(json!([]))).await;
    for suffix in ["", "/", "/v3", "/v3/"] {
        let t = tapis::Tapis::builder(format!("{}{suffix}", server.uri()))
            .access_token(TOKEN)
            .build()
            .unwrap();
        assert_eq!(t.base_url(), server.uri());
        t.systems().get_systems().send().await.unwrap();
    }
    let seen = received(&server).await;
    assert_eq!(seen.len(), 4);
    assert!(seen
        .iter()
        .all(|s| s.path == "/v3/systems" && s.token.as_deref() == Some(TOKEN)));
}

#[tokio::test]
async fn every_call_sends_user_agent_and_no_progenitor_headers() {
    let server = server_answering(envelope(json!([]))).await;
    client(&server)
        .systems()
        .get_systems()
        .send()
        .await
        .unwrap();
    let raw = server.received_requests().await.unwrap();
    let ua = raw[0].headers.get("user-agent").unwrap().to_str().unwrap();
    assert_eq!(ua, format!("tapis-rust/{}", env!("CARGO_PKG_VERSION")));
    assert!(raw[0].headers.get("api-version").is_none());
}

#[tokio::test]
async fn without_a_token_no_token_header_is_sent_and_it_can_be_set_later() {
    let server = server_answering(envelope(json!([]))).await;
    let t = tapis::Tapis::builder(server.uri()).build().unwrap();
    t.systems().get_systems().send().await.unwrap();
    let later = mint("later", 3600);
    t.set_access_token(&later).unwrap();
    // A clone shares the token.
    t.clone().systems().get_systems().send().await.unwrap();
    let seen = received(&server).await;
    assert_eq!(seen[0].token, None);
    assert_eq!(seen[1].token.as_deref(), Some(later.as_str()));
    // Something that is not a JWT is refused.
    assert!(matches!(
        t.set_access_token("not-a-jwt"),
        Err(tapis::Error::InvalidInput(_))
    ));
}

#[test]
fn tokens_never_appear_in_debug_output() {
    let secret = mint("someone", 3600);
    let secret = secret.as_str();
    let builder = tapis::Tapis::builder("https://t.tapis.io").access_token(secret);
    assert!(!format!("{builder:?}").contains(secret));
    let t = builder.build().unwrap();
    let debug = format!("{t:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(debug.contains("<redacted>"));
    assert!(!format!("{:?}", t.systems()).contains(secret));
}

#[test]
fn bad_configuration_is_a_typed_error() {
    let err = tapis::Tapis::builder("not a url").build().unwrap_err();
    assert!(matches!(err, tapis::Error::Config(_)), "{err:?}");
    let err = tapis::Tapis::builder("https://t.tapis.io")
        .access_token("bad\ntoken")
        .build()
        .unwrap_err();
    assert!(matches!(err, tapis::Error::InvalidInput(_)), "{err:?}");
}

/// Every call's future is moved (into the caller's future, a `join_all`, a
/// spawned task) and each move copies it whole: a few kilobytes per call
/// showed as a 7 % throughput loss against raw reqwest under 64 concurrent
/// callers (BENCHMARKS.md, "Tolerant reading", 2026-12-06). The future of
/// a `send()` holds the answer's decoding state and a pointer to the boxed
/// exchange; this keeps it from growing back unnoticed.
#[tokio::test]
async fn a_call_future_stays_small() {
    let server = server_answering(envelope(json!([]))).await;
    let t = client(&server);
    let call = t.systems().get_systems().limit(10).send();
    let size = std::mem::size_of_val(&call);
    assert!(size <= 512, "a get_systems().send() future is {size} bytes");
    assert!(call.await.unwrap().into_result().is_empty());
    let call = t.systems().get_system().system_id("s1").send_json();
    let untyped = std::mem::size_of_val(&call);
    assert!(
        untyped <= 512,
        "a get_system().send_json() future is {untyped} bytes"
    );
    // Reading an envelope (refusing one that says `error`) holds no more
    // than reading any JSON.
    assert!(
        size <= untyped,
        "send() {size} bytes, send_json() {untyped}"
    );
}

/// A TLS server on 127.0.0.1 with the certificate of
/// `tests/fixtures/tls/` that offers h2 and http/1.1, as Tapis's front ends
/// do. It reports the protocol each connection's offer led it to pick (or
/// `None` when the handshake failed) and answers an HTTP/1.1 request with an
/// empty listing; it cannot speak h2 and drops such a connection.
async fn tls_server() -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<Option<Vec<u8>>>,
) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::AsyncWriteExt;

    let certs = CertificateDer::pem_slice_iter(include_bytes!("fixtures/tls/server.pem"))
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("fixtures/tls/server.key")).unwrap();
    #[allow(deprecated)] // ring's provider, as the SDK's client uses
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (picked, seen) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                let _ = picked.send(None);
                continue;
            };
            let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
            let _ = picked.send(alpn.clone());
            if alpn.as_deref() == Some(b"h2") {
                continue;
            }
            read_head(&mut tls).await;
            let body = r#"{"status":"success","message":"ok","result":[],"version":"1"}"#;
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(answer.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    });
    (format!("https://127.0.0.1:{port}"), seen)
}

fn test_ca_der() -> Vec<u8> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    CertificateDer::from_pem_slice(include_bytes!("fixtures/tls/ca.pem"))
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn https_offers_only_the_http_versions_the_client_speaks() {
    let (url, mut picked) = tls_server().await;
    let t = tapis::Tapis::builder(url)
        .access_token(TOKEN)
        .add_root_certificate_der(test_ca_der())
        .build()
        .unwrap();
    let answer = t.systems().get_systems().send().await;
    let protocol = picked.recv().await.unwrap();
    if cfg!(feature = "http2") {
        // With the feature, a server that offers h2 gets it.
        assert_eq!(protocol.as_deref(), Some(&b"h2"[..]));
    } else {
        // Without it, h2 is not offered (a server picking it would get a
        // connection reqwest cannot speak), and the call goes over HTTP/1.1.
        assert_eq!(protocol.as_deref(), Some(&b"http/1.1"[..]));
        assert!(answer.unwrap().into_result().is_empty());
    }
}

#[tokio::test]
async fn a_certificate_from_an_untrusted_ca_is_a_tls_error() {
    let (url, mut picked) = tls_server().await;
    let t = tapis::Tapis::builder(&url)
        .access_token(TOKEN)
        .build()
        .unwrap();
    let err = t.systems().get_systems().send().await.unwrap_err();
    assert!(
        matches!(
            err,
            tapis::Error::Network {
                kind: tapis::error::NetworkErrorKind::Tls,
                ..
            }
        ),
        "{err:?}"
    );
    // The handshake failed: nothing was sent, the token included.
    assert_eq!(picked.recv().await.unwrap(), None);
    assert!(!format!("{err} {err:?}").contains(TOKEN));
}
