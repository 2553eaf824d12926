//! Per-call cost of `tapis` against raw reqwest, in the same run: client
//! construction, sequential calls, concurrent calls, and 1,000 concurrent
//! calls on a stale token (exactly one refresh). The server is this binary
//! again, a child process serving HTTP/1.1 on 127.0.0.1 with hyper.
//!
//! ```text
//! cargo bench --no-default-features --features systems --bench calls
//! TAPIS_BENCH_CALLS=10000 TAPIS_BENCH_ROUNDS=5 cargo bench ...
//! ```

mod support;

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{json, Value};

/// One system in an envelope: what `getSystems` answers here.
const SYSTEMS: &str = r#"{"status":"success","message":"ok","version":"bench","metadata":{"recordCount":1,"recordLimit":100,"recordsSkipped":0,"totalCount":-1},"result":[{"id":"bench-1","systemType":"LINUX","host":"login.example.org","defaultAuthnMethod":"PKI_KEYS","canExec":true,"enabled":true}]}"#;

/// An HS256 JWT (the client reads claims, it does not check signatures).
fn jwt(exp: i64, kind: &str) -> String {
    let claims = json!({
        "exp": exp, "sub": "bench@dev", "jti": format!("bench-{kind}-{exp}"),
        "tapis/tenant_id": "dev", "tapis/username": "bench", "tapis/token_type": kind,
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"bench"),
    )
    .expect("token")
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn main() {
    if support::is_server() {
        serve();
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fresh = jwt(now() + 86_400, "access");
    let stale = jwt(now() - 10, "access");
    let refresh = jwt(now() + 86_400, "refresh");
    let (mut server, base) = support::spawn_server(&[
        ("TAPIS_BENCH_FRESH", fresh.clone()),
        ("TAPIS_BENCH_STALE", stale.clone()),
    ]);
    let rounds: usize = support::setting("TAPIS_BENCH_ROUNDS", 5);
    let calls: usize = support::setting("TAPIS_BENCH_CALLS", 10_000);
    let concurrent_calls: usize = support::setting("TAPIS_BENCH_CONCURRENT_CALLS", 20_000);
    let callers: usize = 64;

    // One thread for the client, one for the server: the machine has two cores.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let counter = reqwest::Client::new();
        let counts = || async {
            counter
                .get(format!("{base}/counts"))
                .send()
                .await
                .expect("counts")
                .json::<Value>()
                .await
                .expect("counts JSON")
        };

        // 1. Construction: no network, compared with a bare reqwest client.
        let before = counts().await;
        let (mut build_tapis, mut build_raw) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            build_raw.push(per_item(50, || {
                std::hint::black_box(reqwest::Client::builder().build().expect("reqwest"));
            }));
            build_tapis.push(per_item(50, || {
                std::hint::black_box(
                    tapis::Tapis::builder(&base)
                        .access_token(&fresh)
                        .build()
                        .expect("tapis"),
                );
            }));
        }
        let after = counts().await;
        let requests_during_builds = after["all"].as_u64().unwrap_or(0)
            - before["all"].as_u64().unwrap_or(0)
            - 1; // the second `counts` itself
        let (build_tapis, build_raw) = (support::median(build_tapis), support::median(build_raw));

        // 2. Sequential calls, token set, one extra header and query.
        let t = tapis::Tapis::builder(&base)
            .access_token(&fresh)
            .build()
            .expect("tapis");
        // The same reqwest client (pool, TLS setup), used directly.
        let raw = t.http_client().clone();
        let url = format!("{base}/v3/systems");
        let tapis_call = || async {
            let systems = t
                .systems()
                .get_systems()
                .tapis_header("X-Bench", "1")
                .tapis_query("enabled.eq", true)
                .send()
                .await
                .expect("tapis call")
                .into_result()
                .expect("result");
            assert_eq!(systems.len(), 1);
        };
        let raw_call = || async {
            let body: Value = raw
                .get(&url)
                .header("X-Tapis-Token", &fresh)
                .header("X-Bench", "1")
                .query(&[("enabled.eq", "true")])
                .send()
                .await
                .expect("raw call")
                .error_for_status()
                .expect("raw status")
                .json()
                .await
                .expect("raw JSON");
            assert_eq!(body["result"].as_array().map(Vec::len), Some(1));
        };
        for _ in 0..500 {
            tapis_call().await;
            raw_call().await;
        }
        let (mut seq_tapis, mut seq_raw) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            for tapis_side in [round % 2 == 1, round % 2 == 0] {
                let started = Instant::now();
                for _ in 0..calls {
                    if tapis_side {
                        tapis_call().await;
                    } else {
                        raw_call().await;
                    }
                }
                let per_call = started.elapsed().as_secs_f64() / calls as f64;
                if tapis_side {
                    seq_tapis.push(per_call);
                } else {
                    seq_raw.push(per_call);
                }
            }
        }
        let (seq_tapis, seq_raw) = (support::median(seq_tapis), support::median(seq_raw));

        // 3. 64 concurrent callers sharing the work.
        let (mut conc_tapis, mut conc_raw) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            for tapis_side in [round % 2 == 1, round % 2 == 0] {
                let started = Instant::now();
                let workers = (0..callers).map(|w| {
                    let share = concurrent_calls / callers + usize::from(w < concurrent_calls % callers);
                    let (tapis_call, raw_call) = (&tapis_call, &raw_call);
                    async move {
                        for _ in 0..share {
                            if tapis_side {
                                tapis_call().await;
                            } else {
                                raw_call().await;
                            }
                        }
                    }
                });
                futures::future::join_all(workers).await;
                let rate = concurrent_calls as f64 / started.elapsed().as_secs_f64();
                if tapis_side {
                    conc_tapis.push(rate);
                } else {
                    conc_raw.push(rate);
                }
            }
        }
        let (conc_tapis, conc_raw) = (support::median(conc_tapis), support::median(conc_raw));

        // 4. 1,000 concurrent calls on a stale token: one refresh for all.
        let mut stale_times = Vec::new();
        let mut refreshes = Vec::new();
        let mut stale_sent = 0;
        for _ in 0..rounds {
            let t = tapis::Tapis::builder(&base)
                .access_token(&stale)
                .refresh_token(&refresh)
                .build()
                .expect("tapis");
            let before = counts().await;
            let started = Instant::now();
            let calls = (0..1000).map(|_| async {
                t.systems()
                    .get_systems()
                    .send()
                    .await
                    .expect("call after refresh")
            });
            futures::future::join_all(calls).await;
            stale_times.push(started.elapsed().as_secs_f64());
            let after = counts().await;
            let delta = |k: &str| after[k].as_u64().unwrap_or(0) - before[k].as_u64().unwrap_or(0);
            refreshes.push(delta("tokens"));
            stale_sent += delta("stale");
        }
        let stale_time = support::median(stale_times);

        println!("machine: {} cores; median of {rounds} rounds", std::thread::available_parallelism().map_or(0, usize::from));
        println!(
            "construction:  tapis {:8.1} us   reqwest::Client {:8.1} us   ratio {:.2}   (target: tapis <= 5000 us){}; requests sent while building: {requests_during_builds}",
            build_tapis * 1e6,
            build_raw * 1e6,
            build_tapis / build_raw,
            verdict(build_tapis <= 0.005),
        );
        println!(
            "sequential:    tapis {:8.1} us   raw reqwest     {:8.1} us   ratio {:.3} per call over {calls} calls (target <= 1.10){}",
            seq_tapis * 1e6,
            seq_raw * 1e6,
            seq_tapis / seq_raw,
            verdict(seq_tapis / seq_raw <= 1.10),
        );
        println!(
            "concurrent:    tapis {conc_tapis:8.0}/s   raw reqwest     {conc_raw:8.0}/s   ratio {:.3} ({callers} callers, {concurrent_calls} calls; target >= 0.9){}",
            conc_tapis / conc_raw,
            verdict(conc_tapis / conc_raw >= 0.9),
        );
        println!(
            "stale token:   1000 concurrent calls in {:.1} ms; refresh requests per round {refreshes:?} (target: 1 each){}; calls sent with the stale token: {stale_sent}",
            stale_time * 1e3,
            verdict(refreshes.iter().all(|n| *n == 1) && stale_sent == 0),
        );
    });
    let _ = server.kill();
    let _ = server.wait();
}

fn verdict(met: bool) -> &'static str {
    if met {
        " met"
    } else {
        " MISSED"
    }
}

/// Mean seconds per run of `f` over `n` runs.
fn per_item(n: u32, mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..n {
        f();
    }
    started.elapsed().as_secs_f64() / f64::from(n)
}

/// Request counters of the server.
#[derive(Default)]
struct Counts {
    all: AtomicU64,
    tokens: AtomicU64,
    stale: AtomicU64,
}

/// The server: `getSystems` answers one system, the token endpoint a fresh
/// token, `/counts` the counters.
fn serve() {
    let fresh: String = support::setting("TAPIS_BENCH_FRESH", String::new());
    let stale: String = support::setting("TAPIS_BENCH_STALE", String::new());
    let tokens = Bytes::from(
        json!({"status": "success", "message": "ok", "version": "bench", "result": {
            "access_token": {"access_token": fresh, "expires_in": 86_400},
            "refresh_token": {"refresh_token": jwt(now() + 86_400, "refresh"), "expires_in": 86_400}
        }})
        .to_string(),
    );
    let counts = Arc::new(Counts::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("http://{}", listener.local_addr().expect("address"));
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let (counts, tokens, stale) = (counts.clone(), tokens.clone(), stale.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let (counts, tokens, stale) = (counts.clone(), tokens.clone(), stale.clone());
                    async move {
                        counts.all.fetch_add(1, Ordering::Relaxed);
                        if req
                            .headers()
                            .get("x-tapis-token")
                            .is_some_and(|v| v.as_bytes() == stale.as_bytes())
                        {
                            counts.stale.fetch_add(1, Ordering::Relaxed);
                        }
                        let body = match req.uri().path() {
                            "/v3/oauth2/tokens" => {
                                counts.tokens.fetch_add(1, Ordering::Relaxed);
                                // A token service takes a moment: the other callers wait.
                                tokio::time::sleep(Duration::from_millis(20)).await;
                                tokens
                            }
                            "/counts" => Bytes::from(
                                json!({
                                    "all": counts.all.load(Ordering::Relaxed),
                                    "tokens": counts.tokens.load(Ordering::Relaxed),
                                    "stale": counts.stale.load(Ordering::Relaxed),
                                })
                                .to_string(),
                            ),
                            _ => Bytes::from_static(SYSTEMS.as_bytes()),
                        };
                        let mut incoming = req.into_body();
                        while let Some(frame) = incoming.frame().await {
                            if frame.is_err() {
                                break;
                            }
                        }
                        Response::builder()
                            .header("content-type", "application/json")
                            .body(
                                Full::new(body)
                                    .map_err(|never: Infallible| -> std::io::Error {
                                        match never {}
                                    })
                                    .boxed(),
                            )
                    }
                });
                let io = hyper_util::rt::TokioIo::new(socket);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
}
