//! Per-call cost of `tapis` against raw reqwest, in the same run: client
//! construction, sequential calls, concurrent calls, and 1,000 concurrent
//! calls on a stale token (exactly one refresh). The server is this binary
//! again, a child process serving HTTP/1.1 on 127.0.0.1 with hyper.
//!
//! ```text
//! cargo bench --no-default-features --features systems --bench calls
//! TAPIS_BENCH_CALLS=10000 TAPIS_BENCH_ROUNDS=9 TAPIS_BENCH_BUILDS=50 cargo bench ...
//! ```
//!
//! For profiling one side alone, `TAPIS_BENCH_SIDE=tapis` (or `raw`) skips
//! the other side's timed calls (its ratios are then meaningless); under
//! `valgrind --tool=callgrind` the difference in instructions between two
//! values of `TAPIS_BENCH_CALLS` is that side's cost per call, free of the
//! machine's noise.

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
    // The raw side's TLS: the provider tapis uses (see
    // `src/transport/mod.rs` on its deprecation).
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fresh = jwt(now() + 86_400, "access");
    let stale = jwt(now() - 10, "access");
    let refresh = jwt(now() + 86_400, "refresh");
    let (mut server, base) = support::spawn_server(&[
        ("TAPIS_BENCH_FRESH", fresh.clone()),
        ("TAPIS_BENCH_STALE", stale.clone()),
    ]);
    let rounds: usize = support::setting("TAPIS_BENCH_ROUNDS", 9);
    let calls: usize = support::setting("TAPIS_BENCH_CALLS", 10_000);
    let concurrent_calls: usize = support::setting("TAPIS_BENCH_CONCURRENT_CALLS", 20_000);
    let builds: u32 = support::setting("TAPIS_BENCH_BUILDS", 50);
    let callers: usize = 64;
    let only: String = support::setting("TAPIS_BENCH_SIDE", String::new());
    let skip_side = |tapis_side: bool| match only.as_str() {
        "tapis" => !tapis_side,
        "raw" => tapis_side,
        _ => false,
    };

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
            build_raw.push(per_item(builds, || {
                std::hint::black_box(reqwest::Client::builder().build().expect("reqwest"));
            }));
            build_tapis.push(per_item(builds, || {
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
                .into_result();
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
        let sequential = |tapis_side: bool, calls: usize| async move {
            let started = Instant::now();
            for _ in 0..if skip_side(tapis_side) { 0 } else { calls } {
                if tapis_side {
                    tapis_call().await;
                } else {
                    raw_call().await;
                }
            }
            started.elapsed().as_secs_f64()
        };
        let seq = paired(rounds, calls, 500, sequential).await;

        // 3. 64 concurrent callers sharing the work.
        let concurrent = |tapis_side: bool, calls: usize| async move {
            let started = Instant::now();
            let workers = (0..callers).map(|w| {
                let calls = if skip_side(tapis_side) { 0 } else { calls };
                let share = calls / callers + usize::from(w < calls % callers);
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
            started.elapsed().as_secs_f64()
        };
        let conc = paired(rounds, concurrent_calls, 2_000, concurrent).await;
        // Connections the server accepted so far (with `TAPIS_BENCH_SIDE`,
        // one side's): a side that cannot reuse its connections opens more.
        let connections = counts().await["connections"].as_u64().unwrap_or(0);

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

        println!(
            "future sizes: tapis get_systems().send() {} bytes",
            std::mem::size_of_val(&t.systems().get_systems().send())
        );
        println!("machine: {} cores; median of {rounds} rounds", std::thread::available_parallelism().map_or(0, usize::from));
        println!(
            "construction:  tapis {:8.1} us   reqwest::Client {:8.1} us   ratio {:.2}   (target: tapis <= 5000 us){}; requests sent while building: {requests_during_builds}",
            build_tapis * 1e6,
            build_raw * 1e6,
            build_tapis / build_raw,
            verdict(build_tapis <= 0.005),
        );
        println!(
            "sequential:    tapis {:8.1} us   raw reqwest     {:8.1} us   ratio {:.3} (rounds {:.3}..{:.3}) per call over {calls} calls (target <= 1.05, issue 16){}",
            seq.tapis * 1e6,
            seq.raw * 1e6,
            seq.ratio,
            seq.low,
            seq.high,
            verdict(seq.ratio <= 1.05),
        );
        // Throughput ratio = raw time per call / tapis time per call.
        println!(
            "concurrent:    tapis {:8.0}/s   raw reqwest     {:8.0}/s   ratio {:.3} (rounds {:.3}..{:.3}) ({callers} callers, {concurrent_calls} calls; target >= 0.93, issue 16){}",
            1.0 / conc.tapis,
            1.0 / conc.raw,
            1.0 / conc.ratio,
            1.0 / conc.high,
            1.0 / conc.low,
            verdict(1.0 / conc.ratio >= 0.93),
        );
        println!("connections:   {connections} accepted by the server before the stale-token part");
        println!(
            "stale token:   1000 concurrent calls in {:.1} ms; refresh requests per round {refreshes:?} (target: 1 each){}; calls sent with the stale token: {stale_sent}",
            stale_time * 1e3,
            verdict(refreshes.iter().all(|n| *n == 1) && stale_sent == 0),
        );
    });
    let _ = server.kill();
    let _ = server.wait();
}

/// Both sides of a comparison over the rounds.
struct Paired {
    /// Median seconds per call of each side.
    tapis: f64,
    raw: f64,
    /// Median, lowest and highest of the per-round ratios tapis / raw
    /// (time per call).
    ratio: f64,
    low: f64,
    high: f64,
}

/// Each round makes `calls` calls with tapis (`measure(true, n)`, which
/// returns the seconds `n` calls took) and `calls` raw ones, interleaved in
/// blocks of `block` calls that alternate which side goes first. This
/// machine is shared: slow spells come and go within a second, and fine
/// interleaving makes both sides live through the same ones. The median of
/// the rounds' ratios is the figure reported.
async fn paired<F, Fut>(rounds: usize, calls: usize, block: usize, measure: F) -> Paired
where
    F: Fn(bool, usize) -> Fut,
    Fut: std::future::Future<Output = f64>,
{
    let (mut tapis, mut raw, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut tapis_first = true;
    for _ in 0..rounds {
        let (mut t, mut r) = (0.0, 0.0);
        let mut left = calls;
        while left > 0 {
            let n = left.min(block);
            left -= n;
            for side in [tapis_first, !tapis_first] {
                let seconds = measure(side, n).await;
                if side {
                    t += seconds;
                } else {
                    r += seconds;
                }
            }
            tapis_first = !tapis_first;
        }
        tapis.push(t / calls as f64);
        raw.push(r / calls as f64);
        ratios.push(t / r);
    }
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(0.0, f64::max);
    Paired {
        tapis: support::median(tapis),
        raw: support::median(raw),
        ratio: support::median(ratios),
        low,
        high,
    }
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
    connections: AtomicU64,
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
            counts.connections.fetch_add(1, Ordering::Relaxed);
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
                                    "connections": counts.connections.load(Ordering::Relaxed),
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
