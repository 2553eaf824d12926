//! Decoding a large real listing: 1,000 systems (each a copy of a system
//! captured from a real deployment, `tests/fixtures/real-responses/
//! systems.getSystem.2021-04-29.json`, with its own id) into the typed
//! `getSystems` answer, against decoding the same bytes into
//! `serde_json::Value`. Rounds interleave the two sides; the median of the
//! per-round ratios (typed / untyped time) is reported.
//!
//! ```text
//! cargo bench --no-default-features --features systems --bench decode
//! ```

#[allow(dead_code)] // the server helpers serve the other benches
mod support;

use std::time::Instant;

use serde_json::{json, Value};
use tapis::systems::types::RespSystems;

fn listing(n: usize) -> Vec<u8> {
    let capture: Value = serde_json::from_str(include_str!(
        "../tests/fixtures/real-responses/systems.getSystem.2021-04-29.json"
    ))
    .expect("the capture is JSON");
    let system = &capture["response"]["result"];
    let systems: Vec<Value> = (0..n)
        .map(|i| {
            let mut s = system.clone();
            s["id"] = json!(format!("system-{i}"));
            s
        })
        .collect();
    serde_json::to_vec(&json!({
        "status": "success", "message": "ok", "version": "1.6.3",
        "metadata": {"recordCount": n, "recordLimit": n, "recordsSkipped": 0, "totalCount": -1},
        "result": systems,
    }))
    .expect("serialises")
}

fn main() {
    let rounds: usize = support::setting("TAPIS_BENCH_ROUNDS", 9);
    let reps: usize = support::setting("TAPIS_BENCH_DECODES", 20);
    let body = listing(1_000);
    // Both sides must read everything.
    let typed: RespSystems = serde_json::from_slice(&body).expect("the listing decodes");
    assert_eq!(typed.result.as_ref().map(Vec::len), Some(1_000));
    let time = |typed: bool| {
        let start = Instant::now();
        for _ in 0..reps {
            if typed {
                let r: RespSystems = serde_json::from_slice(&body).expect("decodes");
                std::hint::black_box(r);
            } else {
                let v: Value = serde_json::from_slice(&body).expect("decodes");
                std::hint::black_box(v);
            }
        }
        start.elapsed().as_secs_f64() / reps as f64
    };
    let mut ratios = Vec::with_capacity(rounds);
    let (mut typed_best, mut value_best) = (f64::MAX, f64::MAX);
    for round in 0..rounds {
        // Alternate which side goes first.
        let (t, v) = if round % 2 == 0 {
            let t = time(true);
            (t, time(false))
        } else {
            let v = time(false);
            (time(true), v)
        };
        typed_best = typed_best.min(t);
        value_best = value_best.min(v);
        ratios.push(t / v);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "decode 1,000 systems ({} KiB): typed {:.2} ms, serde_json::Value {:.2} ms (best of {rounds}); \
         typed/Value median {:.3} ({:.3}..{:.3})",
        body.len() / 1024,
        typed_best * 1e3,
        value_best * 1e3,
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
    );
}
