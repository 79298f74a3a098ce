//! Letters from outside through the API, on both backends: upload →
//! pre-fill (with confidences) → register (เลขรับ) → the original kept
//! byte for byte and a stamped copy whose top-right corner carries the
//! office name and เลขรับ (read back with poppler's `pdftotext -x -y -W -H`);
//! duplicates flagged; who may do it (role × office), secret letters.

use std::process::Command;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::db::{TestDb, on_both};
use crate::render::{example, poppler, render_json, temp_pdf};
use crate::web::{Fixture, call, fixture};

on_both!(
    a_letter_from_outside_is_registered_and_stamped,
    duplicates_are_flagged_before_saving,
    intake_access_matrix
);

/// Files posted as multipart `file` fields.
pub async fn upload(
    f: &Fixture,
    who: &str,
    files: &[(&str, &[u8])],
) -> (StatusCode, Value, Vec<u8>) {
    let boundary = "saraban-test-boundary-7d1f";
    let mut body = Vec::new();
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
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/intake")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
    if let Some(t) = f.tokens.get(who) {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = f
        .router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        bytes,
    )
}

/// A GET's raw bytes and Content-Disposition.
async fn get_bytes(f: &Fixture, who: &str, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", f.tokens[who]))
        .body(Body::empty())
        .unwrap();
    let resp = f.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let cd = resp
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        cd,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

/// The confirmation of an upload: the pre-filled fields as they are.
fn confirm(u: &Value) -> Value {
    let l = &u["prefill"]["letter"];
    json!({
        "upload": u["upload"],
        "number": l["number"]["printed"],
        "date": l["date"],
        "sender": l["issuer"],
        "addressee": l["to"],
        "subject": l["subject"],
        "urgency": l["urgency"],
        "references": l["references"].as_array().unwrap().iter()
            .map(|r| json!({"number": r["number"]["printed"], "date": r["date"]})).collect::<Vec<_>>(),
    })
}

/// Text in the top-right quarter of page 1 (poppler, not our code).
pub fn top_right_text(pdf: &[u8]) -> String {
    let path = temp_pdf("stamped", pdf);
    let out = Command::new("pdftotext")
        .args([
            "-f", "1", "-l", "1", "-r", "72", "-x", "298", "-y", "0", "-W", "297", "-H", "200",
        ])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}

async fn a_letter_from_outside_is_registered_and_stamped(db: &TestDb) {
    if !poppler() {
        return;
    }
    let f = fixture(db).await;
    let json = example("seed-003");
    let pdf = render_json(&json);
    let (status, body, _) = upload(&f, "pl.clerk", &[("seed-003.pdf", &pdf)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let u = &body["uploads"][0];
    assert_eq!(u["prefill"]["source"], "text_layer");
    assert_eq!(u["media_type"], "application/pdf");
    assert_eq!(u["duplicate"], Value::Null);
    // Read from the text layer, where the letter puts it: sure.
    let input: Value = serde_json::from_str(&json).unwrap();
    let input = input.get("main").cloned().unwrap_or(input);
    let l = &u["prefill"]["letter"];
    assert_eq!(l["date"], input["date"]);
    let squash = |v: &Value| v.as_str().unwrap().split_whitespace().collect::<String>();
    assert_eq!(squash(&l["subject"]), squash(&input["subject"]));
    for field in ["number", "date", "sender", "subject"] {
        assert_eq!(u["prefill"]["confidence"][field], "high", "{field}");
    }
    // The clerk corrects the subject; what they confirm is what is stored.
    let mut c = confirm(u);
    c["subject"] = json!("เรื่องที่เจ้าหน้าที่แก้");
    let (status, done) = call(
        &f.router,
        Method::POST,
        "/api/v1/intake/register",
        Some(&f.tokens["pl.clerk"]),
        Some(json!({ "letters": [c] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let r = &done["received"][0];
    assert_eq!(r["letter"]["subject"], "เรื่องที่เจ้าหน้าที่แก้");
    let seq = r["receive_seq"].as_i64().unwrap();
    assert!(seq >= 1);
    assert_eq!(
        r["receive_number"],
        saraban::thai::to_thai_digits(&seq.to_string())
    );
    // The receive register has the entry, with the clerk's subject.
    let (_, reg) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/registers/receive?year={}", r["receive_year"]),
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert!(reg.to_string().contains("เรื่องที่เจ้าหน้าที่แก้"), "{reg}");
    let id = r["id"].as_i64().unwrap();
    // The original, byte for byte, as a download.
    let (status, cd, bytes) =
        get_bytes(&f, "pl.clerk", &format!("/api/v1/received/{id}/original")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(cd.starts_with("attachment"), "{cd}");
    assert_eq!(bytes, pdf);
    // The stamped copy: office name and เลขรับ at the top right of page 1.
    let (status, cd, stamped) = get_bytes(
        &f,
        "pl.clerk",
        &format!("/api/v1/received/{id}/stamped.pdf"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&stamped)
    );
    assert!(cd.starts_with("attachment"), "{cd}");
    let (_, me) = call(
        &f.router,
        Method::GET,
        "/api/v1/me",
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    let office = me["office"]["name"].as_str().unwrap();
    let corner: String = top_right_text(&stamped).split_whitespace().collect();
    let office_squashed: String = office.split_whitespace().collect();
    assert!(
        corner.contains(&office_squashed),
        "{office} not in the corner: {corner}"
    );
    assert!(corner.contains("เลขรับ"), "{corner}");
    let number = format!(
        "{}/{}",
        saraban::thai::to_thai_digits(&seq.to_string()),
        saraban::thai::to_thai_digits(&r["receive_year"].to_string())
    );
    assert!(corner.contains(&number), "{number} not in {corner}");
    // The letter underneath is all there: its text layer is kept.
    let all = crate::render::pdf_bytes_text("stamped-all", &stamped).unwrap();
    let squashed: String = all.split_whitespace().collect();
    let subject: String = input["subject"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(squashed.contains(&subject));
    let pages = |b: &[u8]| {
        let out = Command::new("pdfinfo")
            .arg(temp_pdf("pages", b))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.starts_with("Pages:"))
            .map(str::to_string)
    };
    assert_eq!(pages(&stamped), pages(&pdf));
}

async fn duplicates_are_flagged_before_saving(db: &TestDb) {
    if !poppler() {
        return;
    }
    let f = fixture(db).await;
    let pdf = render_json(&example("letter"));
    let (_, first, _) = upload(&f, "pl.clerk", &[("a.pdf", &pdf)]).await;
    let c = confirm(&first["uploads"][0]);
    let (status, _) = call(
        &f.router,
        Method::POST,
        "/api/v1/intake/register",
        Some(&f.tokens["pl.clerk"]),
        Some(json!({ "letters": [c] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // The same file again: flagged before anything is saved.
    let (_, again, _) = upload(&f, "pl.clerk", &[("b.pdf", &pdf)]).await;
    let u = &again["uploads"][0];
    assert_eq!(u["duplicate"]["reason"], "same_file", "{u}");
    let mut c = confirm(u);
    let (status, err) = call(
        &f.router,
        Method::POST,
        "/api/v1/intake/register",
        Some(&f.tokens["pl.clerk"]),
        Some(json!({ "letters": [c.clone()] })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["code"], "duplicate");
    assert!(
        err["error"]["message_th"]
            .as_str()
            .unwrap()
            .contains("ลงรับไว้แล้ว")
    );
    // The clerk confirms: registered, with the next เลขรับ.
    c["confirm_duplicate"] = json!(true);
    let (status, done) = call(
        &f.router,
        Method::POST,
        "/api/v1/intake/register",
        Some(&f.tokens["pl.clerk"]),
        Some(json!({ "letters": [c] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    // Another office receiving the same letter is not a duplicate.
    let (_, other, _) = upload(&f, "nmp.clerk", &[("a.pdf", &pdf)]).await;
    assert_eq!(other["uploads"][0]["duplicate"], Value::Null);
    // Two files in one submit: both registered, numbers in order.
    let seed = render_json(&example("seed-000"));
    let (_, two, _) = upload(&f, "nmp.clerk", &[("x.pdf", &pdf), ("y.pdf", &seed)]).await;
    let letters: Vec<Value> = two["uploads"]
        .as_array()
        .unwrap()
        .iter()
        .map(confirm)
        .collect();
    let (status, done) = call(
        &f.router,
        Method::POST,
        "/api/v1/intake/register",
        Some(&f.tokens["nmp.clerk"]),
        Some(json!({ "letters": letters })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let seqs: Vec<i64> = done["received"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["receive_seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs.len(), 2);
    assert_eq!(seqs[1], seqs[0] + 1);
}

async fn intake_access_matrix(db: &TestDb) {
    if !poppler() {
        return;
    }
    let f = fixture(db).await;
    let pdf = render_json(&example("seed-003"));
    // Role × upload/register: those who handle the inbox.
    for (role, may) in [
        ("clerk", true),
        ("head", true),
        ("signer", false),
        ("drafter", false),
        ("admin", false),
    ] {
        let who = format!("dla.{role}");
        let (status, body, _) = upload(&f, &who, &[("x.pdf", &pdf)]).await;
        let want = if may {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, want, "{who} upload: {body}");
    }
    let (status, _, _) = upload(&f, "nobody", &[("x.pdf", &pdf)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Bad input: no file, a file of another kind.
    let (status, body, _) = upload(&f, "pl.clerk", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message_th"].is_string() && body["error"]["message_en"].is_string());
    let (status, body, _) = upload(
        &f,
        "pl.clerk",
        &[("x.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Another office's upload and registration: not found.
    let (_, up, _) = upload(&f, "pl.clerk", &[("x.pdf", &pdf)]).await;
    let c = confirm(&up["uploads"][0]);
    let (status, _) = call(
        &f.router,
        Method::POST,
        "/api/v1/intake/register",
        Some(&f.tokens["wy.clerk"]),
        Some(json!({ "letters": [c.clone()] })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // ลับที่สุด never enters.
    let mut top = c.clone();
    top["secrecy"] = json!("ลับที่สุด");
    let (status, _) = call(
        &f.router,
        Method::POST,
        "/api/v1/intake/register",
        Some(&f.tokens["pl.clerk"]),
        Some(json!({ "letters": [top] })),
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    // A secret letter: its clerk reads it, others in the office may not.
    let mut secret = c;
    secret["secrecy"] = json!("ลับ");
    let (status, done) = call(
        &f.router,
        Method::POST,
        "/api/v1/intake/register",
        Some(&f.tokens["pl.clerk"]),
        Some(json!({ "letters": [secret] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let id = done["received"][0]["id"].as_i64().unwrap();
    for (who, want) in [
        ("pl.clerk", StatusCode::OK),
        ("pl.drafter", StatusCode::FORBIDDEN),
        ("wy.clerk", StatusCode::NOT_FOUND),
        ("dla.head", StatusCode::NOT_FOUND),
    ] {
        for path in ["", "/original", "/stamped.pdf"] {
            let (status, _, _) = get_bytes(&f, who, &format!("/api/v1/received/{id}{path}")).await;
            assert_eq!(status, want, "{who} {path}");
        }
    }
    // Its line in the receive register keeps number, date and sender for
    // everyone in the office, its subject only for its clerk.
    let year = done["received"][0]["receive_year"].clone();
    let seq = done["received"][0]["receive_seq"].as_i64().unwrap();
    for (who, sees) in [("pl.clerk", true), ("pl.drafter", false)] {
        let (status, reg) = call(
            &f.router,
            Method::GET,
            &format!("/api/v1/registers/receive?year={year}&limit=1000"),
            Some(&f.tokens[who]),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{reg}");
        let row = reg["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["seq"].as_i64() == Some(seq))
            .unwrap_or_else(|| panic!("row {seq} in {who}'s register: {reg}"))
            .clone();
        assert!(!row["doc_number"].as_str().unwrap().is_empty(), "{row}");
        let subject = row["subject"].as_str().unwrap();
        assert_eq!(!subject.is_empty(), sees, "{who}: {row}");
    }
}
