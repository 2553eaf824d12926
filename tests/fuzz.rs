//! Arbitrary input never panics: token parsing (server-issued claims), the
//! path encoder (user values) and response decoding (server bodies).

#![cfg(all(feature = "systems", feature = "jobs"))]

use proptest::prelude::*;
use serde_json::{json, Value};

/// Arbitrary JSON, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::from),
        prop_oneof![
            Just("LINUX"),
            Just("true"),
            Just("1"),
            Just("-1e400"),
            Just("")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("systemType".to_string()),
                    Just("canExec".to_string()),
                    Just("jobMaxJobs".to_string()),
                    Just("batchLogicalQueues".to_string()),
                    Just("result".to_string()),
                    Just("metadata".to_string()),
                    Just("status".to_string()),
                    "[a-zA-Z]{1,8}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn jwt(claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(b"fuzz"),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn token_parse_never_panics(text in ".{0,200}", exp in any::<i64>(), iat in any::<i64>(), extra in any_json()) {
        let _ = tapis::auth::Token::parse(&text);
        for claims in [json!({"exp": exp, "iat": iat}), json!({"exp": exp, "iat": iat, "x": extra}), json!({"exp": extra})] {
            if let Ok(token) = tapis::auth::Token::parse(&jwt(&claims)) {
                let _ = (token.ttl(), token.expires_in(), token.is_expired(), format!("{token:?}"));
            }
        }
    }

    #[test]
    fn the_path_encoder_never_lets_a_value_change_the_url(value in ".{0,64}") {
        let encodings = [tapis::path::segment("p", &value), tapis::path::file_path("p", &value)];
        for encoded in encodings.into_iter().flatten() {
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%/".contains(&b)), "{encoded}");
            prop_assert!(!encoded.split('/').any(|s| s == "." || s == ".."), "{encoded}");
        }
        if let Ok(segment) = tapis::path::segment("p", &value) {
            prop_assert!(!segment.contains('/'));
        }
    }

    #[test]
    fn decoding_any_body_never_panics(body in any_json(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let text = body.to_string();
        let _ = serde_json::from_str::<tapis::systems::types::RespSystem>(&text);
        let _ = serde_json::from_str::<tapis::systems::types::RespSystems>(&text);
        let _ = serde_json::from_str::<tapis::jobs::types::RespGetJob>(&text);
        let _ = serde_json::from_value::<tapis::systems::types::TapisSystem>(body.clone());
        let _ = serde_json::from_slice::<tapis::systems::types::RespSystem>(&bytes);
        if let Ok(system) = serde_json::from_value::<tapis::systems::types::TapisSystem>(body) {
            let _ = (format!("{system:?}"), serde_json::to_value(&system));
        }
    }
}
