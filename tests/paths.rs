//! Path-parameter encoding, observed on the wire: `/` stays a separator only
//! in file-path parameters, `# ? % space` and non-ASCII are encoded, and `.`
//! / `..` segments are refused before anything is sent.
#![cfg(all(feature = "files", feature = "systems", feature = "jobs"))]

mod common;

use common::*;
use serde_json::json;

const FILE_PATHS: &[(&str, &str)] = &[
    (
        "dir/sub dir/x#1.txt",
        "/v3/files/ops/sys/dir/sub%20dir/x%231.txt",
    ),
    ("/home/u/a b", "/v3/files/ops/sys/home/u/a%20b"),
    ("q?x=1.txt", "/v3/files/ops/sys/q%3Fx%3D1.txt"),
    ("%41", "/v3/files/ops/sys/%2541"),
    (
        "données/ü ñ.txt",
        "/v3/files/ops/sys/donn%C3%A9es/%C3%BC%20%C3%B1.txt",
    ),
    (
        "日本/データ",
        "/v3/files/ops/sys/%E6%97%A5%E6%9C%AC/%E3%83%87%E3%83%BC%E3%82%BF",
    ),
    ("a//b/", "/v3/files/ops/sys/a/b/"),
    (
        "dir.d/..hidden/x..y",
        "/v3/files/ops/sys/dir.d/..hidden/x..y",
    ),
    ("/", "/v3/files/ops/sys/"),
];

#[tokio::test]
async fn file_paths_keep_slashes_and_encode_the_rest() {
    for (input, expected) in FILE_PATHS {
        let server = server_answering(envelope(json!([]))).await;
        let t = client(&server);
        t.files()
            .list_files()
            .system_id("sys")
            .path(*input)
            .send()
            .await
            .unwrap();
        assert_eq!(
            only_request(&server).await.path,
            *expected,
            "path {input:?}"
        );
    }
}

#[tokio::test]
async fn traversal_in_file_paths_is_refused_and_nothing_is_sent() {
    for input in ["../../../systems/my-sys", "a/./b", "..", "a/.."] {
        let server = server_answering(envelope(json!([]))).await;
        let t = client(&server);
        let err = t
            .files()
            .list_files()
            .system_id("sys")
            .path(input)
            .send()
            .await
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("invalid path parameter `path`"),
            "{input}: {message}"
        );
        assert!(
            matches!(err, tapis::Error::InvalidInput(_)),
            "{input}: {err:?}"
        );
        assert!(
            received(&server).await.is_empty(),
            "{input}: a request was sent"
        );
    }
}

#[tokio::test]
async fn ordinary_parameters_are_one_segment() {
    let cases = [
        ("a/b", "/v3/systems/a%2Fb"),
        ("x?y#z", "/v3/systems/x%3Fy%23z"),
        ("100%", "/v3/systems/100%25"),
        ("sÿs", "/v3/systems/s%C3%BFs"),
    ];
    for (input, expected) in cases {
        let server = server_answering(envelope(json!({"id": input}))).await;
        let t = client(&server);
        t.systems()
            .get_system()
            .system_id(input)
            .send()
            .await
            .unwrap();
        assert_eq!(
            only_request(&server).await.path,
            expected,
            "systemId {input:?}"
        );
    }
    for input in ["..", ".", ""] {
        let server = server_answering(envelope(json!({}))).await;
        let t = client(&server);
        let err = t
            .systems()
            .get_system()
            .system_id(input)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, tapis::Error::InvalidInput(_)),
            "{input:?}: {err:?}"
        );
        // An empty id is already refused by the spec's `IdString` type.
        let reason = if input.is_empty() {
            "system_id"
        } else {
            "invalid path parameter `systemId`"
        };
        assert!(err.to_string().contains(reason), "{input:?}: {err}");
        assert!(received(&server).await.is_empty());
    }
}

#[tokio::test]
async fn path_like_parameters_of_other_services() {
    let server = server_answering(envelope(json!([]))).await;
    let t = client(&server);
    t.jobs()
        .get_job_output_list()
        .job_uuid("j-1")
        .output_path("out/run 1/")
        .send()
        .await
        .unwrap();
    // The systemId next to a file path is still one segment.
    t.files()
        .list_files()
        .system_id("a/b")
        .path("c/d")
        .send()
        .await
        .unwrap();
    let seen = received(&server).await;
    assert_eq!(seen[0].path, "/v3/jobs/j-1/output/list/out/run%201/");
    assert_eq!(seen[1].path, "/v3/files/ops/a%2Fb/c/d");
}
