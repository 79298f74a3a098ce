//! Regression tests for the holes found when the service was probed as an
//! attacker would: a secret letter reaching users not named on it (its
//! PDF, subject, register row, thread), attachments that a browser would
//! run, and input the service took without a word. Each case failed before
//! the application layer; each runs on SQLite and PostgreSQL.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::documents::{self, Relation, Target};
use saraban::store::offices;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::db::{TestDb, actor, count, on_both};
use crate::web::{Fixture, PASSWORD, call, fixture};

on_both!(
    secret_letters_stay_with_their_readers,
    threads_show_only_what_the_caller_may_see,
    attachments_are_downloads_of_safe_types,
    bad_input_is_refused
);

/// Adds a user with a token to the fixture.
async fn add_user(db: &TestDb, f: &mut Fixture, username: &str, office: &str, role: Role) {
    let office = offices::find(db, office).await.unwrap();
    let user = accounts::add(
        db,
        &actor(),
        &office,
        &NewUser {
            username,
            display_name: username,
            role,
            password: PASSWORD,
            must_change: false,
        },
    )
    .await
    .unwrap();
    let token = accounts::add_token(db, &actor(), &user, "test")
        .await
        .unwrap();
    f.tokens.insert(username.to_string(), token);
}

fn secret_letter(subject: &str) -> Value {
    let mut doc: Value = serde_json::from_str(saraban::store::demo::SEED_000).unwrap();
    doc["main"]["subject"] = json!(subject);
    doc["main"]["number"] = Value::Null;
    doc["main"]["secrecy"] = json!("confidential");
    doc
}

/// A raw request: status, headers and body bytes.
pub async fn raw(
    f: &Fixture,
    method: Method,
    uri: &str,
    who: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", f.tokens[who]));
    if let Some(t) = content_type {
        req = req.header(header::CONTENT_TYPE, t);
    }
    let resp = f
        .router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

async fn secret_letters_stay_with_their_readers(db: &TestDb) {
    let mut f = fixture(db).await;
    add_user(db, &mut f, "pl.head", "พล 0023", Role::Head).await;
    use Method as M;
    const SUBJECT: &str = "การตรวจสอบลับเฉพาะจังหวัด";

    // Readers are users of the drafting office; a name in another office
    // is refused exactly like a name that does not exist.
    let mut refusals = Vec::new();
    for name in ["pl.clerk", "no.such.user"] {
        let (s, body) = call(
            &f.router,
            M::POST,
            "/api/v1/documents",
            Some(&f.tokens["dla.drafter"]),
            Some(json!({ "document": secret_letter(SUBJECT), "readers": [name] })),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        refusals.push((
            body["error"]["code"].clone(),
            body["error"]["message_en"]
                .as_str()
                .unwrap()
                .replace(name, "NAME"),
        ));
    }
    assert_eq!(refusals[0], refusals[1], "user names do not leak");

    let (s, made) = call(
        &f.router,
        M::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.drafter"]),
        Some(json!({ "document": secret_letter(SUBJECT), "readers": ["dla.head"] })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let doc = made["id"].as_i64().unwrap();
    let (s, body) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{doc}/number"),
        Some(&f.tokens["dla.head"]),
        Some(json!({ "series": "circular" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let number = body["document"]["number"].as_str().unwrap().to_string();
    let (s, body) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{doc}/dispatch"),
        Some(&f.tokens["dla.head"]),
        Some(json!({ "to": "พล 0023" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");

    // The receiving office's clerk is not a reader: the inbox shows the
    // number and class, never the subject.
    let (_, inbox) = call(
        &f.router,
        M::GET,
        "/api/v1/inbox",
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    let item = inbox["inbox"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == json!(number))
        .expect("the secret letter is in the inbox")
        .clone();
    assert_eq!(item["secrecy"], "confidential");
    assert_eq!(item["subject"], "", "the subject stays hidden");
    assert!(!inbox.to_string().contains(SUBJECT));
    let delivery = item["delivery"]["id"].as_i64().unwrap();

    // Its PDF, through the delivery, answers as if it did not exist.
    let (s, _, pdf) = raw(
        &f,
        M::GET,
        &format!("/api/v1/deliveries/{delivery}/letter.pdf"),
        "pl.clerk",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(!pdf.starts_with(b"%PDF"));
    let (s, view) = call(
        &f.router,
        M::GET,
        &format!("/api/v1/deliveries/{delivery}"),
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(view["reader"], false);
    assert_eq!(view["heading"]["subject"], "");
    assert_eq!(view["heading"]["secrecy"], "ลับ");
    assert!(!view.to_string().contains(SUBJECT));

    // A non-reader registers its arrival and does nothing more.
    for action in ["cover", "acknowledge", "forward"] {
        let (s, body) = call(
            &f.router,
            M::POST,
            &format!("/api/v1/deliveries/{delivery}/{action}"),
            Some(&f.tokens["pl.clerk"]),
            Some(json!({})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{action}: {body}");
        assert_eq!(body["error"]["code"], "not_a_reader");
    }
    let (s, body) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/deliveries/{delivery}/receive"),
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let register_subject = |f: &Fixture, who: &'static str| {
        let router = f.router.clone();
        let token = f.tokens[who].clone();
        let number = number.clone();
        async move {
            let (_, reg) = call(
                &router,
                M::GET,
                "/api/v1/registers/receive?limit=1000",
                Some(&token),
                None,
            )
            .await;
            reg["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| {
                    saraban::thai::to_arabic_digits(r["doc_number"].as_str().unwrap()) == number
                })
                .map(|r| r["subject"].as_str().unwrap().to_string())
                .expect("the receive register has the letter")
        }
    };
    assert_eq!(register_subject(&f, "pl.clerk").await, "");

    // The office's head names its readers; nobody else may, and only
    // among the office's own users.
    let (s, _) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{doc}/readers"),
        Some(&f.tokens["pl.drafter"]),
        Some(json!({ "readers": ["pl.drafter"] })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{doc}/readers"),
        Some(&f.tokens["pl.head"]),
        Some(json!({ "readers": ["dla.clerk"] })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{doc}/readers"),
        Some(&f.tokens["nmp.clerk"]),
        Some(json!({ "readers": ["nmp.clerk"] })),
    )
    .await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
        "{s}"
    );
    let (s, body) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{doc}/readers"),
        Some(&f.tokens["pl.head"]),
        Some(json!({ "readers": ["pl.clerk"] })),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");

    // Now the clerk reads it.
    let (s, _, pdf) = raw(
        &f,
        M::GET,
        &format!("/api/v1/deliveries/{delivery}/letter.pdf"),
        "pl.clerk",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(register_subject(&f, "pl.clerk").await, SUBJECT);
    let (_, inbox) = call(
        &f.router,
        M::GET,
        "/api/v1/inbox",
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert!(inbox.to_string().contains(SUBJECT));
    // The drafter of the other office still does not.
    let (_, inbox) = call(
        &f.router,
        M::GET,
        "/api/v1/inbox",
        Some(&f.tokens["pl.drafter"]),
        None,
    )
    .await;
    assert!(!inbox.to_string().contains(SUBJECT));
    let verdict = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
}

async fn threads_show_only_what_the_caller_may_see(db: &TestDb) {
    let f = fixture(db).await;
    use Method as M;
    // พล ๐๐๒๓.๓/๒๑๒๒ reached อำเภอเนินมะปราง. A DLA draft and a DLA secret
    // draft cite it: neither is อำเภอเนินมะปราง's to see.
    let seed = f.seed_003;
    let mut hidden = Vec::new();
    for (subject, secret) in [("ร่างภายในกรมอ้างถึงจังหวัด", false), ("ร่างลับอ้างถึงจังหวัด", true)]
    {
        let mut doc = secret_letter(subject);
        if !secret {
            doc["main"]["secrecy"] = Value::Null;
        }
        let (s, made) = call(
            &f.router,
            M::POST,
            "/api/v1/documents",
            Some(&f.tokens["dla.drafter"]),
            Some(json!({ "document": doc })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        let id = made["id"].as_i64().unwrap();
        documents::add_reference(db, &actor(), id, Relation::Cites, &Target::Stored(seed))
            .await
            .unwrap();
        hidden.push((id, subject));
    }
    for path in ["references", "thread"] {
        let (s, body) = call(
            &f.router,
            M::GET,
            &format!("/api/v1/documents/{seed}/{path}"),
            Some(&f.tokens["nmp.clerk"]),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let text = body.to_string();
        for (id, subject) in &hidden {
            assert!(!text.contains(subject), "{path} shows {subject}: {text}");
            assert!(
                !text.contains(&format!("\"from\":{id}"))
                    && !text.contains(&format!("\"id\":{id}")),
                "{path} shows document {id}: {text}"
            );
        }
    }
    // The DLA drafter, who may see both drafts, sees them cite the letter
    // only if the letter is theirs to see: it is not (404).
    let (s, _) = call(
        &f.router,
        M::GET,
        &format!("/api/v1/documents/{seed}/thread"),
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The thread of the secret draft, for its own author, has the letter it
    // cites.
    let (s, body) = call(
        &f.router,
        M::GET,
        &format!("/api/v1/documents/{}/references", hidden[1].0),
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["cites"].as_array().unwrap().len(), 0, "{body}");
}

async fn attachments_are_downloads_of_safe_types(db: &TestDb) {
    let f = fixture(db).await;
    use Method as M;
    let (s, made) = call(
        &f.router,
        M::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.drafter"]),
        Some(json!({ "document": crate::web::letter("แนบไฟล์", None) })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    let before = count(db, "SELECT COUNT(*) FROM attachments").await;
    // What a browser would run is refused, whatever it is called or claims.
    for (name, claimed, bytes) in [
        ("report.html", "text/html", &b"<html><script>fetch('/api/v1/inbox')</script></html>"[..]),
        ("logo.svg", "image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("page.xhtml", "application/xhtml+xml", b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><script>x()</script></html>"),
        ("app.js", "text/javascript", b"<script>alert(document.cookie)</script>"),
        ("utf7.txt", "text/plain; charset=utf-7", b"+ADw-script+AD4-alert(1)+ADw-/script+AD4-\x00"),
        ("fake.pdf", "application/pdf", b"<!DOCTYPE html><body onload=x()>"),
    ] {
        let (s, _, body) = raw(
            &f,
            M::POST,
            &format!("/api/v1/documents/{id}/attachments?name={name}"),
            "dla.drafter",
            Some(claimed),
            bytes.to_vec(),
        )
        .await;
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name} was taken: {body}");
        assert_eq!(body["error"]["code"], "unsupported_media_type", "{name}");
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM attachments").await, before);

    // A PDF claiming to be HTML is stored as the PDF it is, and handed out
    // as a download that the browser must not sniff.
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let (s, _, body) = raw(
        &f,
        M::POST,
        &format!("/api/v1/documents/{id}/attachments?name=%E0%B9%81%E0%B8%9A%E0%B8%9A.pdf"),
        "dla.drafter",
        Some("text/html"),
        pdf.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let att: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(att["media_type"], "application/pdf");
    let aid = att["id"].as_i64().unwrap();
    let (s, headers, got) = raw(
        &f,
        M::GET,
        &format!("/api/v1/documents/{id}/attachments/{aid}"),
        "dla.clerk",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got, pdf);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    // Another office's clerk: not found.
    let (s, _, _) = raw(
        &f,
        M::GET,
        &format!("/api/v1/documents/{id}/attachments/{aid}"),
        "pl.clerk",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A large file comes back whole, read a chunk at a time.
    let big: Vec<u8> = b"%PDF-1.4\n"
        .iter()
        .copied()
        .chain((0..700_000u32).map(|i| (i % 251) as u8))
        .collect();
    let (s, _, body) = raw(
        &f,
        M::POST,
        &format!("/api/v1/documents/{id}/attachments?name=big.pdf"),
        "dla.drafter",
        Some("application/pdf"),
        big.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let big_id = serde_json::from_slice::<Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, headers, got) = raw(
        &f,
        M::GET,
        &format!("/api/v1/documents/{id}/attachments/{big_id}"),
        "dla.drafter",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_LENGTH], big.len().to_string());
    assert!(got == big, "the streamed file differs from what was stored");

    // A quota per document: the 31st file is refused.
    let mut refused = None;
    for i in 0..40 {
        let (s, _, body) = raw(
            &f,
            M::POST,
            &format!("/api/v1/documents/{id}/attachments?name=n{i}.txt"),
            "dla.drafter",
            Some("text/plain"),
            format!("บันทึกที่ {i}").into_bytes(),
        )
        .await;
        if s != StatusCode::CREATED {
            refused = Some((i, s, String::from_utf8_lossy(&body).to_string()));
            break;
        }
    }
    let (i, s, body) = refused.expect("a quota");
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(i, 28, "30 files per document (two attached above)");
    assert_eq!(
        count(
            db,
            &format!("SELECT COUNT(*) FROM attachments WHERE document_id = {id}")
        )
        .await,
        30
    );
    let verdict = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
}

async fn bad_input_is_refused(db: &TestDb) {
    let f = fixture(db).await;
    use Method as M;
    let (s, made) = call(
        &f.router,
        M::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.drafter"]),
        Some(json!({ "document": secret_letter("หนังสือทดสอบข้อมูลผิด") })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let doc = made["id"].as_i64().unwrap();
    let (s, body) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{doc}/number"),
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    // A clerk who is not a reader cannot number it either: not found.
    let (s, _) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{doc}/number"),
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let d = crate::web::draft(&f, "dla.drafter", "ร่างสำหรับทดสอบเลข").await;
    let (s, body) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{d}/number"),
        Some(&f.tokens["dla.clerk"]),
        Some(json!({ "series": "circular" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");

    let before = count(db, "SELECT COUNT(*) FROM deliveries").await;
    for deadline in ["0000-01-01", "9999-12-31", "31 กุมภาพันธ์ 2567", "พรุ่งนี้"]
    {
        let (s, body) = call(
            &f.router,
            M::POST,
            &format!("/api/v1/documents/{d}/dispatch"),
            Some(&f.tokens["dla.clerk"]),
            Some(json!({ "to": "provinces", "deadline": deadline })),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{deadline}: {body}");
        assert_eq!(body["error"]["field"], "deadline");
    }
    let (s, body) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{d}/dispatch"),
        Some(&f.tokens["dla.clerk"]),
        Some(json!({ "to": "  " })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM deliveries").await, before);
    // The same deadline in B.E. or C.E., Thai or Arabic digits.
    let (s, body) = call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{d}/dispatch"),
        Some(&f.tokens["dla.clerk"]),
        Some(json!({ "to": "พล 0023", "deadline": "๒๕๖๗-๐๕-๒๒" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["deliveries"][0]["deadline"], "2024-05-22");

    // Cancelling needs a reason.
    let d2 = crate::web::draft(&f, "dla.drafter", "ร่างที่จะยกเลิก").await;
    for reason in ["", "   "] {
        let (s, body) = call(
            &f.router,
            M::POST,
            &format!("/api/v1/documents/{d2}/cancel"),
            Some(&f.tokens["dla.signer"]),
            Some(json!({ "reason": reason })),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["field"], "reason");
    }
    // A token needs a label.
    let (s, _) = call(
        &f.router,
        M::POST,
        "/api/v1/users/1/tokens",
        Some(&f.tokens["dla.admin"]),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = call(
        &f.router,
        M::POST,
        "/api/v1/users/1/tokens",
        Some(&f.tokens["dla.admin"]),
        Some(json!({ "label": " " })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // ลับที่สุด is not even previewed.
    let mut top: Value = secret_letter("ลับที่สุด");
    top["main"]["secrecy"] = json!("top_secret");
    let (s, body) = call(
        &f.router,
        M::POST,
        "/api/v1/preview",
        Some(&f.tokens["dla.drafter"]),
        Some(top),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "top_secret");
    // A numbered document is frozen; a draft can be deleted, a numbered one
    // cannot.
    let (s, body) = call(
        &f.router,
        M::PUT,
        &format!("/api/v1/documents/{d}"),
        Some(&f.tokens["dla.drafter"]),
        Some(json!({ "document": secret_letter("แก้หลังออกเลข") })),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (s, _) = call(
        &f.router,
        M::DELETE,
        &format!("/api/v1/documents/{d}"),
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = call(
        &f.router,
        M::DELETE,
        &format!("/api/v1/documents/{d2}"),
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    let req = Request::builder()
        .method(M::POST)
        .uri(format!("/api/v1/documents/{d2}/attachments?name=a.pdf"))
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", f.tokens["dla.drafter"]),
        )
        .body(Body::from(pdf))
        .unwrap();
    let resp = f.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let (s, _) = call(
        &f.router,
        M::DELETE,
        &format!("/api/v1/documents/{d2}"),
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // The deletion is in the audit chain: the chain and the rows agree.
    let verdict = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
    let (s, _) = call(
        &f.router,
        M::GET,
        &format!("/api/v1/documents/{d2}"),
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
