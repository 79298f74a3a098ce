//! A draft's files in the UI (issue 18 §2): several chosen at once and
//! attached together (all or none), each PDF and photo previewed by its
//! first page, and removed while the letter is unsent. The preview is the
//! file's own page: its size is what poppler's pdftoppm makes of the same
//! PDF at the same resolution, and it is not blank. Access: another
//! office, a role that does not draft, a wrong CSRF token, a non-reader of
//! a secret draft; a sent letter's files stay. On both databases.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use saraban::store::{accounts, audit};

use crate::db::{TestDb, on_both};
use crate::secrets::raw;
use crate::support::skipped;
use crate::web::{Fixture, call, draft, fixture, letter};

on_both!(
    a_drafts_files_are_attached_previewed_and_removed,
    files_access_matrix
);

/// A logged-in session of `username`: (cookie value, CSRF token).
async fn session(db: &TestDb, username: &str) -> (String, String) {
    let user = accounts::find(db, username).await.unwrap().unwrap();
    let s = accounts::open_session(db, &user).await.unwrap();
    (s.secret, s.csrf)
}

/// Posts files (and the CSRF token) as the UI's multipart form does:
/// status and `Location`.
async fn post_files(
    router: &Router,
    uri: &str,
    session: &(String, String),
    csrf: &str,
    files: &[(&str, &[u8])],
) -> (StatusCode, Option<String>) {
    let boundary = "saraban-files-boundary-3c9e";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .into_bytes();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, format!("saraban_session={}", session.0))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    (resp.status(), location)
}

/// A form POST with a session cookie: status.
async fn post_form(router: &Router, uri: &str, session: &str, csrf: &str) -> StatusCode {
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, format!("saraban_session={session}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}")))
        .unwrap();
    router.clone().oneshot(req).await.unwrap().status()
}

/// The files of document `id` as `who` lists them.
async fn listed(f: &Fixture, who: &str, id: i64) -> Vec<Value> {
    let (s, body) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{id}/attachments"),
        Some(&f.tokens[who]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["attachments"].as_array().unwrap().clone()
}

/// A real PDF: the draft `id` rendered by saraban.
async fn a_pdf(f: &Fixture, id: i64) -> Vec<u8> {
    let (s, _, pdf) = raw(
        f,
        Method::GET,
        &format!("/api/v1/documents/{id}/pdf"),
        "dla.drafter",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    pdf
}

/// A small photo: 40 × 20, grey.
fn a_png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(40, 20, image::Rgb([120, 120, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Width and height of the first page pdftoppm makes at `dpi`.
fn pdftoppm_size(pdf: &[u8], dpi: u32) -> Option<(u32, u32)> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, pdf).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args([
            "-r",
            &dpi.to_string(),
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
        ])
        .arg(&input)
        .arg(dir.path().join("out"))
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    let img = image::open(dir.path().join("out.png")).ok()?;
    Some((img.width(), img.height()))
}

async fn a_drafts_files_are_attached_previewed_and_removed(db: &TestDb) {
    let f = fixture(db).await;
    let id = draft(&f, "dla.drafter", "ขอส่งกำหนดการประชุมพร้อมเอกสารประกอบ").await;
    let other = draft(&f, "dla.drafter", "เอกสารประกอบการประชุม").await;
    let pdf = a_pdf(&f, other).await;
    let png = a_png();
    let s = session(db, "dla.drafter").await;

    // Two files chosen at once, attached together.
    let (status, location) = post_files(
        &f.router,
        &format!("/documents/{id}/attachments"),
        &s,
        &s.1,
        &[("กำหนดการ.pdf", &pdf), ("แผนที่.png", &png)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some(format!("/documents/{id}#files").as_str())
    );
    let files = listed(&f, "dla.clerk", id).await;
    let names: Vec<&str> = files.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["กำหนดการ.pdf", "แผนที่.png"]);
    assert_eq!(files[0]["media_type"], json!("application/pdf"));

    // All or none: a refused file keeps its companion out too.
    let (status, _) = post_files(
        &f.router,
        &format!("/documents/{id}/attachments"),
        &s,
        &s.1,
        &[
            ("บันทึก.txt", "บันทึกประกอบ\n".as_bytes()),
            ("page.html", b"<html><script>alert(1)</script></html>"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        listed(&f, "dla.clerk", id).await.len(),
        2,
        "nothing half-stored"
    );

    // The document page shows each PDF's and photo's first page.
    let req = Request::builder()
        .uri(format!("/documents/{id}"))
        .header(header::COOKIE, format!("saraban_session={}", s.0))
        .body(Body::empty())
        .unwrap();
    let resp = f.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.into_body().collect().await.unwrap().to_bytes();
    let html = String::from_utf8_lossy(&html);
    for x in &files {
        let thumb = format!("/api/v1/documents/{id}/attachments/{}/preview.png", x["id"]);
        assert!(html.contains(&thumb), "{thumb} on the page");
    }
    assert!(html.contains("id=\"attach-files\""), "the file input");
    let pdf_id = files[0]["id"].as_i64().unwrap();
    let (status, headers, preview) = raw(
        &f,
        Method::GET,
        &format!("/api/v1/documents/{id}/attachments/{pdf_id}/preview.png?dpi=60"),
        "dla.clerk",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    let img = image::load_from_memory(&preview).unwrap().to_luma8();
    match pdftoppm_size(&pdf, 60) {
        Some((w, h)) => {
            assert!(
                img.width().abs_diff(w) <= 1 && img.height().abs_diff(h) <= 1,
                "preview {}×{}, pdftoppm {w}×{h}",
                img.width(),
                img.height()
            );
        }
        None => skipped("pdftoppm (poppler-utils) to size the attachment preview"),
    }
    let dark = img.pixels().filter(|p| p.0[0] < 128).count();
    assert!(dark > 500, "the page has its text: {dark} dark pixels");
    let png_id = files[1]["id"].as_i64().unwrap();
    let (status, _, photo) = raw(
        &f,
        Method::GET,
        &format!("/api/v1/documents/{id}/attachments/{png_id}/preview.png"),
        "dla.clerk",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(image::load_from_memory(&photo).is_ok());

    // Removed from the UI: gone from the list, the audit chain intact.
    let status = post_form(
        &f.router,
        &format!("/documents/{id}/attachments/{png_id}/remove"),
        &s.0,
        &s.1,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let left: Vec<i64> = listed(&f, "dla.clerk", id)
        .await
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(left, [pdf_id]);
    let report = audit::verify(db, None).await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}

async fn files_access_matrix(db: &TestDb) {
    let f = fixture(db).await;
    let id = draft(&f, "dla.drafter", "หนังสือพร้อมไฟล์แนบ").await;
    let (s, _, body) = raw(
        &f,
        Method::POST,
        &format!("/api/v1/documents/{id}/attachments?name=list.txt"),
        "dla.drafter",
        Some("application/octet-stream"),
        "รายชื่อ\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    let aid = serde_json::from_slice::<Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let one = "x.txt";
    let text = "ข้อความ\n".as_bytes();

    // Attach (UI): wrong CSRF 403; another office 404; no drafting 403.
    let drafter = session(db, "dla.drafter").await;
    let attach = format!("/documents/{id}/attachments");
    let (st, _) = post_files(&f.router, &attach, &drafter, "wrong", &[(one, text)]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let pl = session(db, "pl.clerk").await;
    let (st, _) = post_files(&f.router, &attach, &pl, &pl.1, &[(one, text)]).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let admin = session(db, "dla.admin").await;
    let (st, _) = post_files(&f.router, &attach, &admin, &admin.1, &[(one, text)]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(listed(&f, "dla.clerk", id).await.len(), 1);

    // Preview: a text file has none (404); another office cannot see it.
    let preview = format!("/api/v1/documents/{id}/attachments/{aid}/preview.png");
    for (who, want) in [
        ("dla.clerk", StatusCode::NOT_FOUND),
        ("pl.clerk", StatusCode::NOT_FOUND),
    ] {
        let (s, body) = call(&f.router, Method::GET, &preview, Some(&f.tokens[who]), None).await;
        assert_eq!(s, want, "{who}: {body}");
        assert!(body["error"]["message_th"].is_string(), "{body}");
    }

    // Remove (API and UI): another office 404, no drafting 403, wrong CSRF 403.
    let remove = format!("/api/v1/documents/{id}/attachments/{aid}");
    for (who, want) in [
        ("pl.clerk", StatusCode::NOT_FOUND),
        ("dla.admin", StatusCode::FORBIDDEN),
    ] {
        let (s, body) = call(
            &f.router,
            Method::DELETE,
            &remove,
            Some(&f.tokens[who]),
            None,
        )
        .await;
        assert_eq!(s, want, "{who}: {body}");
        assert!(body["error"]["message_en"].is_string(), "{body}");
    }
    let ui_remove = format!("/documents/{id}/attachments/{aid}/remove");
    assert_eq!(
        post_form(&f.router, &ui_remove, &drafter.0, "wrong").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_form(&f.router, &ui_remove, &pl.0, &pl.1).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(listed(&f, "dla.clerk", id).await.len(), 1, "still there");

    // A secret draft's file: a non-reader in the office gets 404.
    let (s, made) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.drafter"]),
        Some(
            json!({ "document": letter("เรื่องลับพร้อมแผนที่", Some("confidential")), "readers": ["dla.drafter"] }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let secret = made["id"].as_i64().unwrap();
    let (s, _, body) = raw(
        &f,
        Method::POST,
        &format!("/api/v1/documents/{secret}/attachments?name=map.png"),
        "dla.drafter",
        Some("application/octet-stream"),
        a_png(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let secret_file = serde_json::from_slice::<Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let secret_preview =
        format!("/api/v1/documents/{secret}/attachments/{secret_file}/preview.png");
    let (s, _) = call(
        &f.router,
        Method::GET,
        &secret_preview,
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a non-reader sees no page of a secret file"
    );
    let (s, _, _) = raw(
        &f,
        Method::GET,
        &secret_preview,
        "dla.drafter",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "the reader does");

    // Sent: its files are what was sent, and stay.
    for (path, body) in [
        ("number", json!({})),
        ("dispatch", json!({ "to": "พล 0023" })),
    ] {
        let (s, body) = call(
            &f.router,
            Method::POST,
            &format!("/api/v1/documents/{id}/{path}"),
            Some(&f.tokens["dla.clerk"]),
            Some(body),
        )
        .await;
        assert!(s.is_success(), "{path}: {body}");
    }
    let (s, body) = call(
        &f.router,
        Method::DELETE,
        &remove,
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert!(
        s == StatusCode::CONFLICT || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s}: {body}"
    );
    assert!(
        body["error"]["message_th"].as_str().unwrap().contains("ส่ง"),
        "{body}"
    );
    assert_eq!(listed(&f, "dla.clerk", id).await.len(), 1);
}
