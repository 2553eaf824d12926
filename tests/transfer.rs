//! Streaming uploads and downloads on the wire: the server parses the
//! multipart body, downloads land atomically in files, broken bodies are
//! errors that leave no partial file.

#![cfg(feature = "files")]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use common::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use tapis::Error;
use tokio::io::AsyncWriteExt;
use wiremock::ResponseTemplate;

/// A part of a multipart body as the server parsed it.
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

/// Parses the multipart body of a received request.
async fn parts(seen: &Seen) -> Vec<Part> {
    let content_type = seen.content_type.clone().expect("a content type");
    let boundary = multer::parse_boundary(&content_type).expect("multipart/form-data");
    let body = Bytes::from(seen.body.clone());
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut out = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .expect("a valid multipart body")
    {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let bytes = field.bytes().await.unwrap().to_vec();
        out.push(Part {
            name,
            filename,
            content_type,
            bytes,
        });
    }
    out
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

fn uploaded() -> ResponseTemplate {
    envelope(json!("File uploaded"))
}

/// Deterministic pseudo-random content.
fn content(len: usize) -> Vec<u8> {
    let mut x: u32 = 12345;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect()
}

#[tokio::test]
async fn uploads_from_a_path_bytes_a_stream_and_a_reader() {
    let dir = scratch_dir("sources");
    let data = content(300_000);
    let local = dir.0.join("local data.bin");
    std::fs::write(&local, &data).unwrap();

    let server = server_answering(uploaded()).await;
    let t = client(&server);
    let resp = t
        .files()
        .insert()
        .system_id("sys1")
        .path("dir/from-path.bin")
        .file(&local)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.into_result(), "File uploaded");
    t.files()
        .insert()
        .system_id("sys1")
        .path("dir/from-bytes.bin")
        .bytes(data.clone())
        .content_type("text/plain")
        .send()
        .await
        .unwrap();
    let chunks: Vec<std::io::Result<Bytes>> = data
        .chunks(65_536)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    t.files()
        .insert()
        .system_id("sys1")
        .path("dir/from-stream.bin")
        .stream(futures::stream::iter(chunks), None)
        .filename("named.bin")
        .send()
        .await
        .unwrap();
    let reader = tokio::fs::File::open(&local).await.unwrap();
    t.files()
        .insert()
        .system_id("sys1")
        .path("dir/from-reader.bin")
        .reader(reader, Some(data.len() as u64))
        .send()
        .await
        .unwrap();

    let seen = received(&server).await;
    let expected = [
        (
            "from-path.bin",
            "local data.bin",
            "application/octet-stream",
        ),
        ("from-bytes.bin", "from-bytes.bin", "text/plain"),
        ("from-stream.bin", "named.bin", "application/octet-stream"),
        (
            "from-reader.bin",
            "from-reader.bin",
            "application/octet-stream",
        ),
    ];
    for (request, (remote, filename, content_type)) in seen.iter().zip(expected) {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, format!("/v3/files/ops/sys1/dir/{remote}"));
        assert_eq!(request.token.as_deref(), Some(TOKEN));
        let parts = parts(request).await;
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].name, "file");
        assert_eq!(parts[0].filename.as_deref(), Some(filename));
        assert_eq!(parts[0].content_type.as_deref(), Some(content_type));
        assert_eq!(sha(&parts[0].bytes), sha(&data), "{remote}");
    }
}

#[tokio::test]
async fn a_20_mib_upload_with_progress_and_call_options() {
    let dir = scratch_dir("big");
    let data = content(20 * 1024 * 1024);
    let local = dir.0.join("big.bin");
    std::fs::write(&local, &data).unwrap();
    let server = server_answering(uploaded()).await;
    let done = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let (d, c) = (done.clone(), calls.clone());
    client(&server)
        .files()
        .insert()
        .system_id("sys1")
        .path("/big.bin")
        .file(&local)
        .progress(move |p| {
            assert_eq!(p.total, Some(20 * 1024 * 1024));
            d.store(p.done, Ordering::SeqCst);
            c.fetch_add(1, Ordering::SeqCst);
        })
        .tracking_id("ns.upload-1")
        .tapis_query("notify", "false")
        .send()
        .await
        .unwrap();
    assert_eq!(done.load(Ordering::SeqCst), 20 * 1024 * 1024);
    assert!(
        calls.load(Ordering::SeqCst) > 1,
        "progress after each chunk"
    );
    let seen = only_request(&server).await;
    assert_eq!(seen.path, "/v3/files/ops/sys1/big.bin");
    assert_eq!(seen.query, [("notify".to_string(), "false".to_string())]);
    assert_eq!(seen.header_values("x-tapis-tracking-id"), ["ns.upload-1"]);
    assert_eq!(sha(&parts(&seen).await[0].bytes), sha(&data));
}

#[tokio::test]
async fn upload_paths_are_encoded_per_segment() {
    let server = server_answering(uploaded()).await;
    let t = client(&server);
    for (path, sent) in [
        ("/home/me/a b.txt", "/v3/files/ops/sys1/home/me/a%20b.txt"),
        ("dir/x#1?.txt", "/v3/files/ops/sys1/dir/x%231%3F.txt"),
        (
            "données/été.csv",
            "/v3/files/ops/sys1/donn%C3%A9es/%C3%A9t%C3%A9.csv",
        ),
        ("a/b/c/d.txt", "/v3/files/ops/sys1/a/b/c/d.txt"),
    ] {
        t.files()
            .insert()
            .system_id("sys1")
            .path(path)
            .bytes("x")
            .send()
            .await
            .unwrap();
        let seen = received(&server).await;
        assert_eq!(seen.last().unwrap().path, sent, "{path}");
    }
}

#[tokio::test]
async fn bad_upload_input_is_refused_before_sending() {
    let dir = scratch_dir("bad");
    let server = server_answering(uploaded()).await;
    let t = client(&server);
    let cases = [
        t.files()
            .insert()
            .system_id("sys1")
            .path("x.bin")
            .file(dir.0.join("missing.bin")),
        t.files()
            .insert()
            .system_id("sys1")
            .path("x.bin")
            .file(&dir.0),
        t.files().insert().system_id("sys1").path("x.bin"),
        t.files()
            .insert()
            .system_id("sys1")
            .path("../x.bin")
            .bytes("x"),
        t.files().insert().system_id("sys1").path("/").bytes("x"),
        t.files().insert().path("x.bin").bytes("x"),
        t.files().insert().system_id("sys1").bytes("x"),
        t.files().insert().system_id("..").path("x.bin").bytes("x"),
        t.files()
            .insert()
            .system_id("sys1")
            .path("x.bin")
            .bytes("x")
            .content_type("not a type"),
    ];
    for upload in cases {
        let err = upload.send().await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    // A missing parameter is named with its setter.
    let err = t.files().insert().path("x.bin").bytes("x").send().await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "invalid input: insert: parameter `systemId` (`.system_id(..)`) is required"
    );
    assert!(received(&server).await.is_empty());
}

#[cfg(feature = "pods")]
#[tokio::test]
async fn pods_uploads_send_the_declared_parts() {
    let server = server_answering(uploaded()).await;
    let t = client(&server);
    t.pods()
        .upload_to_volume()
        .volume_id("vol1")
        .path("data/in.csv")
        .bytes("a,b\n")
        .send()
        .await
        .unwrap();
    t.pods()
        .upload_to_jupyter()
        .pod_id("pod1")
        .path("notebooks/run.ipynb")
        .bytes("{}")
        .send()
        .await
        .unwrap();
    t.pods()
        .upload_to_pod()
        .pod_id("pod1")
        .dest_path("/srv/app/config.yml")
        .bytes("k: v")
        .send()
        .await
        .unwrap();
    let seen = received(&server).await;
    assert_eq!(seen[0].path, "/v3/pods/volumes/vol1/upload/data/in.csv");
    assert_eq!(seen[1].path, "/v3/pods/jupyter/pod1/upload");
    assert_eq!(seen[2].path, "/v3/pods/pod1/upload_to_pod");
    let expected: [&[(&str, &[u8])]; 3] = [
        &[("file", b"a,b\n")],
        &[("file", b"{}"), ("path", b"notebooks/run.ipynb")],
        &[("file", b"k: v"), ("dest_path", b"/srv/app/config.yml")],
    ];
    for (request, expected) in seen.iter().zip(expected) {
        let parts = parts(request).await;
        let got: Vec<(&str, &[u8])> = parts
            .iter()
            .map(|p| (p.name.as_str(), p.bytes.as_slice()))
            .collect();
        assert_eq!(got, expected);
    }
}

#[tokio::test]
async fn download_to_a_file_with_progress_range_and_zip() {
    let dir = scratch_dir("download");
    let data = content(1_000_000);
    let server = server_answering(
        ResponseTemplate::new(200).set_body_raw(data.clone(), "application/octet-stream"),
    )
    .await;
    let t = client(&server);
    let dest = dir.0.join("out.bin");
    let done = Arc::new(AtomicU64::new(0));
    let d = done.clone();
    let written = t
        .files()
        .get_contents()
        .system_id("sys1")
        .path("/data/x y.bin")
        .byte_range(0..=999)
        .zip(true)
        .send()
        .await
        .unwrap()
        .into_inner()
        .progress(move |p| {
            assert_eq!(p.total, Some(1_000_000));
            d.store(p.done, Ordering::SeqCst);
        })
        .to_file(&dest)
        .await
        .unwrap();
    assert_eq!(written, 1_000_000);
    assert_eq!(done.load(Ordering::SeqCst), 1_000_000);
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!(
        std::fs::read_dir(&dir.0).unwrap().count(),
        1,
        "no temporary file left"
    );
    let seen = only_request(&server).await;
    assert_eq!(seen.path, "/v3/files/content/sys1/data/x%20y.bin");
    assert_eq!(seen.query, [("zip".to_string(), "true".to_string())]);
    assert_eq!(seen.header_values("range"), ["range=0,999"]);

    // The builder shortcuts, and a writer.
    let again = dir.0.join("again.bin");
    let n = t
        .files()
        .get_contents()
        .system_id("sys1")
        .path("p")
        .to_file(&again)
        .await
        .unwrap();
    assert_eq!(n, 1_000_000);
    let mut buffer = Vec::new();
    t.files()
        .get_contents()
        .system_id("sys1")
        .path("p")
        .to_writer(&mut buffer)
        .await
        .unwrap();
    assert_eq!(buffer, data);
}

#[tokio::test]
async fn a_destination_in_a_missing_directory_is_refused_before_sending() {
    let dir = scratch_dir("nodir");
    let server = server_answering(ResponseTemplate::new(200).set_body_raw("x", "text/plain")).await;
    let err = client(&server)
        .files()
        .get_contents()
        .system_id("sys1")
        .path("p")
        .to_file(dir.0.join("missing").join("out.bin"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("directory does not exist")),
        "{err:?}"
    );
    assert!(received(&server).await.is_empty());
}

/// A server that announces `Content-Length: 1000`, sends 100 bytes and
/// closes the connection.
async fn truncating_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            read_head(&mut socket).await;
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n";
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&[7u8; 100]).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_broken_download_is_an_error_and_leaves_no_file() {
    let dir = scratch_dir("broken");
    let url = truncating_server().await;
    let t = tapis::Tapis::builder(url).build().unwrap();
    let fresh = dir.0.join("fresh.bin");
    let err = t
        .files()
        .get_contents()
        .system_id("sys1")
        .path("p")
        .to_file(&fresh)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Network { .. } | Error::InvalidResponse { .. }),
        "{err:?}"
    );
    assert!(!fresh.exists(), "no partial file at dest");

    let existing = dir.0.join("existing.bin");
    std::fs::write(&existing, b"previous content").unwrap();
    assert!(t
        .files()
        .get_contents()
        .system_id("sys1")
        .path("p")
        .to_file(&existing)
        .await
        .is_err());
    assert_eq!(std::fs::read(&existing).unwrap(), b"previous content");
    assert_eq!(
        std::fs::read_dir(&dir.0).unwrap().count(),
        1,
        "no temporary file left"
    );

    // In memory too.
    let err = t
        .files()
        .get_contents()
        .system_id("sys1")
        .path("p")
        .send()
        .await
        .unwrap()
        .into_inner()
        .bytes()
        .await;
    assert!(err.is_err());
}

#[cfg(feature = "jobs")]
#[tokio::test]
async fn every_download_operation_has_to_file_and_to_writer() {
    let dir = scratch_dir("every-download");
    let server = server_answering(
        ResponseTemplate::new(200).set_body_raw(content(70_000), "application/octet-stream"),
    )
    .await;
    let t = client(&server);
    // jobs' output download, files' post-it redemption: the same shortcuts
    // as files getContents.
    let dest = dir.0.join("output.zip");
    let written = t
        .jobs()
        .get_job_output_download()
        .job_uuid("j-1")
        .output_path("out")
        .to_file(&dest)
        .await
        .unwrap();
    assert_eq!(written, 70_000);
    assert_eq!(std::fs::read(&dest).unwrap(), content(70_000));
    let mut sink = Vec::new();
    let written = t
        .files()
        .redeem_post_it()
        .postit_id("0b9d6c5a-5f53-4f3e-9d4e-1a2b3c4d5e6f")
        .to_writer(&mut sink)
        .await
        .unwrap();
    assert_eq!((written, sink), (70_000, content(70_000)));
    // The destination is checked before anything is sent.
    let before = received(&server).await.len();
    let err = t
        .jobs()
        .get_job_output_download()
        .job_uuid("j-1")
        .output_path("out")
        .to_file(dir.0.join("missing").join("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(received(&server).await.len(), before);
}
