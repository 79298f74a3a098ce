//! E-mail in and out (issue 18 §3, notices of issue 19), against a real
//! local mail server (`.ci/mail-start`: OpenSMTPD + Dovecot, read from
//! SARABAN_TEST_MAIL=host:smtp:imap; without it the round trips say
//! SKIPPED). The DLA's central mailbox sends a numbered letter to พล 0023
//! (outside saraban): the message arrives with the official PDF (pdftotext
//! reads the subject) and the enclosure, and the delivery holds its
//! Message-ID. A reply (In-Reply-To) and a bounce (OpenSMTPD's DSN for an
//! address at bounce.test) are recorded on their deliveries; a letter with
//! a PDF is fetched over IMAP, pre-filled and registered (เลขรับ), and
//! never fetched twice. Secret letters never go by e-mail; settings and
//! addresses follow the access rules; notices of urgent work go at once,
//! the rest in the daily digest.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{Value, json};
use sqlx::Row;

use saraban::app::deliveries::{DispatchRequest, Step};
use saraban::app::documents::NumberRequest;
use saraban::app::workflow::PresentRequest;
use saraban::app::{App, Caller, DeliveryId, DocumentId};
use saraban::mailer::{Security, Server, imap};
use saraban::model::Document;
use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::{audit, demo, offices};

use crate::db::{TestDb, actor, count, on_both};
use crate::support::skipped;
use crate::web::{Fixture, call, fixture, letter};

on_both!(
    letters_go_and_come_back_by_email,
    secret_letters_never_go_by_email,
    mail_settings_access_matrix,
    urgent_notices_at_once_the_rest_in_a_digest
);

/// The test mail server: (host, SMTP port, IMAP port).
pub(crate) fn mail_server() -> Option<(String, u16, u16)> {
    let v = std::env::var("SARABAN_TEST_MAIL").ok()?;
    let mut parts = v.trim().split(':');
    let host = parts.next()?.to_string();
    let smtp = parts.next()?.parse().ok()?;
    let imap = parts.next()?.parse().ok()?;
    Some((host, smtp, imap))
}

/// A tag unique to this run, so both backends' runs (and reruns) use
/// their own mailboxes on the shared server.
pub(crate) fn tag(db: &TestDb) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:?}{}", db.store.backend(), nanos % 1_000_000_000).to_lowercase()
}

/// The server's password (every mailbox's), in a file the settings name.
pub(crate) fn password_file() -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), "secret\n").unwrap();
    f
}

pub(crate) async fn office_id(db: &TestDb, q: &str) -> i64 {
    offices::find(db, q).await.unwrap().id
}

/// Every message now in `user`'s INBOX on the test server.
async fn inbox_of(host: &str, port: u16, user: &str) -> Vec<Vec<u8>> {
    let server = Server {
        host: host.into(),
        port,
        security: Security::None,
        username: user.into(),
        password: "secret".into(),
    };
    imap::fetch_new(&server, "INBOX", None, 0, 1000)
        .await
        .unwrap()
        .messages
        .into_iter()
        .map(|m| m.raw)
        .collect()
}

/// Waits (at most 30 s, polling) until `user` has `n` messages.
pub(crate) async fn wait_for(host: &str, port: u16, user: &str, n: usize) -> Vec<Vec<u8>> {
    let start = Instant::now();
    loop {
        let got = inbox_of(host, port, user).await;
        if got.len() >= n || start.elapsed() > Duration::from_secs(30) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn smtp_send(host: &str, port: u16, m: Message) {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .build()
        .send(m)
        .await
        .unwrap();
}

/// A numbered DLA letter (with one enclosure when `enclosure`); its id.
pub(crate) async fn numbered(
    f: &Fixture,
    db: &TestDb,
    subject: &str,
    secrecy: Option<&str>,
    enclosure: bool,
) -> i64 {
    let dla = |who: &str| f.tokens[who].clone();
    let (s, body) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&dla("dla.drafter")),
        Some(json!({
            "document": letter(subject, secrecy),
            "readers": ["dla.drafter", "dla.clerk"],
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().unwrap();
    if enclosure {
        let app = App::new(db.store.clone(), &[]);
        let c = operator(&app, "มท 0810.7").await;
        app.attach(
            &c,
            DocumentId(id),
            saraban::app::documents::Upload {
                name: "บัญชีรายชื่อ.txt",
                bytes: "รายชื่อผู้เข้าร่วมประชุม\n".as_bytes(),
            },
        )
        .await
        .unwrap();
    }
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/number"),
        Some(&dla("dla.clerk")),
        Some(json!({ "series": "circular" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    id
}

pub(crate) async fn operator(app: &App, office: &str) -> Caller {
    let op = saraban::app::admin::Operator::named("test");
    app.act_as(&op, office).await.unwrap()
}

/// The DLA's mailbox on the test server, and two offices outside saraban.
async fn set_up_mail(
    f: &Fixture,
    db: &TestDb,
    host: &str,
    smtp: u16,
    imap: u16,
    t: &str,
    password: &str,
) {
    let admin = f.tokens["dla.admin"].clone();
    let dla = office_id(db, "มท 0810.7").await;
    let (s, body) = call(
        &f.router,
        Method::PUT,
        &format!("/api/v1/offices/{dla}/mail"),
        Some(&admin),
        Some(json!({
            "smtp_host": host, "smtp_port": smtp, "smtp_security": "none",
            "imap_host": host, "imap_port": imap, "imap_security": "none",
            "from_address": format!("dla-{t}@saraban.test"),
            "password": format!("file:{password}"),
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["mail"]["password_found"], json!(true), "{body}");
    // The password itself is nowhere in the database.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM office_mail WHERE password LIKE '%secret%'"
        )
        .await,
        0
    );
    for (office, address) in [
        ("พล 0023", format!("pl-{t}@saraban.test")),
        ("สข 0023", format!("gone-{t}@bounce.test")),
    ] {
        let id = office_id(db, office).await;
        let (s, body) = call(
            &f.router,
            Method::PUT,
            &format!("/api/v1/offices/{id}/mail"),
            Some(&admin),
            Some(json!({ "outside": true, "email": address })),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
}

async fn letters_go_and_come_back_by_email(db: &TestDb) {
    let Some((host, smtp, imap_port)) = mail_server() else {
        skipped("the e-mail round trip: no SARABAN_TEST_MAIL (start one with .ci/mail-start)");
        return;
    };
    let f = fixture(db).await;
    let t = tag(db);
    let pw = password_file();
    set_up_mail(
        &f,
        db,
        &host,
        smtp,
        imap_port,
        &t,
        pw.path().to_str().unwrap(),
    )
    .await;
    let clerk = f.tokens["dla.clerk"].clone();

    // Out: a letter with an enclosure to พล 0023, outside saraban.
    let subject = "การประชุมชี้แจงแนวทางการส่งหนังสือทางไปรษณีย์อิเล็กทรอนิกส์";
    let id = numbered(&f, db, subject, None, true).await;
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/dispatch"),
        Some(&clerk),
        Some(json!({ "to": "พล 0023" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let delivery = body["deliveries"][0]["id"].as_i64().unwrap();
    let row = sqlx::query("SELECT state, message_id, address FROM mail_deliveries WHERE id = $1")
        .bind(delivery)
        .fetch_one(db.store.reader())
        .await
        .unwrap();
    let (state, message_id, address): (String, String, String) =
        (row.get(0), row.get(1), row.get(2));
    assert_eq!(state, "sent");
    assert_eq!(address, format!("pl-{t}@saraban.test"));
    assert!(
        message_id.starts_with(&format!("saraban.{delivery}.")),
        "{message_id}"
    );

    let got = wait_for(&host, imap_port, &format!("pl-{t}@saraban.test"), 1).await;
    assert_eq!(got.len(), 1, "the letter did not arrive");
    let m = MessageParser::default().parse(&got[0]).unwrap();
    assert_eq!(m.message_id(), Some(message_id.as_str()));
    assert_eq!(
        m.from().and_then(|a| a.first()).and_then(|a| a.address()),
        Some(format!("dla-{t}@saraban.test").as_str())
    );
    let files: Vec<(String, Vec<u8>)> = m
        .attachments()
        .map(|a| {
            (
                a.attachment_name().unwrap_or_default().to_string(),
                a.contents().to_vec(),
            )
        })
        .collect();
    assert_eq!(files.len(), 2, "the letter and its enclosure");
    // The PDF is the official copy, byte for byte.
    let app = App::new(db.store.clone(), &[]);
    let dla_op = operator(&app, "มท 0810.7").await;
    let (official, _) = app.official(&dla_op, DocumentId(id)).await.unwrap();
    let pdf = files.iter().find(|(n, _)| n.ends_with(".pdf")).unwrap();
    assert_eq!(pdf.1, official);
    let number: String = sqlx::query("SELECT number FROM documents WHERE id = $1")
        .bind(id)
        .fetch_one(db.store.reader())
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        saraban::thai::to_arabic_digits(&pdf.0),
        format!("{}.pdf", number.replace('/', "-")),
        "the file is named by the number"
    );
    let enclosure = files.iter().find(|(n, _)| n == "บัญชีรายชื่อ.txt").unwrap();
    assert_eq!(enclosure.1, "รายชื่อผู้เข้าร่วมประชุม\n".as_bytes());
    match pdftotext(&pdf.1) {
        Some(text) => assert!(
            text.split_whitespace()
                .collect::<String>()
                .contains(&subject.split_whitespace().collect::<String>()),
            "{text}"
        ),
        None => skipped("pdftotext of the e-mailed letter (install poppler-utils)"),
    }

    // A bounce: a letter to สข 0023, whose address fails at the server.
    let id2 = numbered(&f, db, "ขอเชิญประชุม (ที่อยู่อีเมลผิด)", None, false).await;
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id2}/dispatch"),
        Some(&clerk),
        Some(json!({ "to": "สข 0023" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let bounced = body["deliveries"][0]["id"].as_i64().unwrap();

    // A reply from พล 0023, and a letter from another office with a PDF.
    let reply = Message::builder()
        .from(format!("pl-{t}@saraban.test").parse().unwrap())
        .to(format!("dla-{t}@saraban.test").parse().unwrap())
        .subject(format!("ตอบ: {subject}"))
        .in_reply_to(format!("<{message_id}>"))
        .references(format!("<{message_id}>"))
        .body("ได้รับหนังสือแล้ว".to_string())
        .unwrap();
    smtp_send(&host, smtp, reply).await;
    let incoming = Message::builder()
        .from(format!("saraban-{t}@saraban.test").parse().unwrap())
        .to(format!("dla-{t}@saraban.test").parse().unwrap())
        .subject("ส่งหนังสือราชการ")
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain("ส่งหนังสือตามที่แนบ".to_string()))
                .singlepart(Attachment::new("letter.pdf".into()).body(
                    official.clone(),
                    ContentType::parse("application/pdf").unwrap(),
                )),
        )
        .unwrap();
    smtp_send(&host, smtp, incoming).await;
    // The DLA's mailbox now holds the bounce, the reply and the letter.
    let waiting = wait_for(&host, imap_port, &format!("dla-{t}@saraban.test"), 3).await;
    assert_eq!(
        waiting.len(),
        3,
        "the bounce, reply and letter did not all arrive"
    );

    // In: the clerk fetches.
    let (s, body) = call(
        &f.router,
        Method::POST,
        "/api/v1/mail/fetch",
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (
            &body["fetched"]["letters"],
            &body["fetched"]["replies"],
            &body["fetched"]["bounces"]
        ),
        (&json!(1), &json!(1), &json!(1)),
        "{body}"
    );
    let row = sqlx::query("SELECT state, answer_id FROM mail_deliveries WHERE id = $1")
        .bind(delivery)
        .fetch_one(db.store.reader())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0), "replied");
    let answer: i64 = row.get(1);
    let row = sqlx::query("SELECT kind, delivery_id, state FROM mail_messages WHERE id = $1")
        .bind(answer)
        .fetch_one(db.store.reader())
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<String, _>(0),
            row.get::<Option<i64>, _>(1),
            row.get::<String, _>(2)
        ),
        ("reply".to_string(), Some(delivery), "recorded".to_string())
    );
    let row = sqlx::query("SELECT state, bounce_status FROM mail_deliveries WHERE id = $1")
        .bind(bounced)
        .fetch_one(db.store.reader())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0), "bounced");
    let status: String = row.get(1);
    assert!(status.starts_with("5."), "a permanent failure: {status}");

    // The waiting letter: pre-filled through the intake and registered.
    let (s, body) = call(
        &f.router,
        Method::GET,
        "/api/v1/mail/messages",
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let list = body["messages"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{body}");
    assert_eq!(list[0]["subject"], json!("ส่งหนังสือราชการ"));
    let mid = list[0]["id"].as_i64().unwrap();
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/mail/messages/{mid}/prefill"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let upload = &body["uploads"][0];
    let read_number = upload["prefill"]["letter"]["number"]["printed"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        saraban::thai::to_arabic_digits(&read_number).replace(' ', ""),
        number.replace(' ', ""),
        "{upload}"
    );
    let (s, body) = call(
        &f.router,
        Method::POST,
        "/api/v1/intake/register",
        Some(&clerk),
        // The clerk confirms what the pre-fill could not read (the sender).
        Some(json!({ "letters": [{
            "upload": upload["upload"],
            "sender": upload["prefill"]["letter"]["issuer"].as_str().unwrap_or("กรมส่งเสริมการปกครองท้องถิ่น"),
            "confirm_duplicate": true,
        }] })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let received = body["received"][0]["id"].as_i64().unwrap();
    assert!(
        body["received"][0]["receive_seq"].as_i64().unwrap() >= 1,
        "{body}"
    );
    let row = sqlx::query("SELECT state, received_id FROM mail_messages WHERE id = $1")
        .bind(mid)
        .fetch_one(db.store.reader())
        .await
        .unwrap();
    assert_eq!(
        (row.get::<String, _>(0), row.get::<Option<i64>, _>(1)),
        ("registered".to_string(), Some(received))
    );
    let (_, body) = call(
        &f.router,
        Method::GET,
        "/api/v1/mail/messages",
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(body["messages"], json!([]));

    // Never fetched twice: nothing new; and forgetting the last UID, the
    // Message-IDs still keep each message once.
    let (_, body) = call(
        &f.router,
        Method::POST,
        "/api/v1/mail/fetch",
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(body["fetched"]["letters"], json!(0), "{body}");
    assert_eq!(body["fetched"]["known"], json!(0), "{body}");
    crate::db::raw(db, "DELETE FROM mail_fetch_state")
        .await
        .unwrap();
    let (_, body) = call(
        &f.router,
        Method::POST,
        "/api/v1/mail/fetch",
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(body["fetched"]["letters"], json!(0), "{body}");
    assert_eq!(body["fetched"]["known"], json!(3), "{body}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM mail_messages").await, 3);

    // The tracking tree says it went by e-mail and came back.
    let report = audit::verify(db, None).await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}

pub(crate) fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, pdf).ok()?;
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn secret_letters_never_go_by_email(db: &TestDb) {
    let f = fixture(db).await;
    let pw = password_file();
    // No server is contacted: the refusal comes first.
    set_up_mail(
        &f,
        db,
        "127.0.0.1",
        1,
        1,
        "secret",
        pw.path().to_str().unwrap(),
    )
    .await;
    let clerk = f.tokens["dla.clerk"].clone();
    for secrecy in ["confidential", "secret"] {
        let id = numbered(&f, db, "รายงานการสืบสวนข้อเท็จจริง", Some(secrecy), false).await;
        // By choice, to an office inside saraban with an address …
        for (to, by_email) in [("นม 0023", true), ("พล 0023", false)] {
            if by_email {
                let nm = office_id(db, "นม 0023").await;
                let (s, body) = call(
                    &f.router,
                    Method::PUT,
                    &format!("/api/v1/offices/{nm}/mail"),
                    Some(&f.tokens["dla.admin"]),
                    Some(json!({ "email": "korat@saraban.test" })),
                )
                .await;
                assert_eq!(s, StatusCode::OK, "{body}");
            }
            // … or to an office outside saraban: refused, nothing sent.
            let (s, body) = call(
                &f.router,
                Method::POST,
                &format!("/api/v1/documents/{id}/dispatch"),
                Some(&clerk),
                Some(json!({ "to": to, "by_email": by_email })),
            )
            .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["error"]["code"], json!("secret_by_email"), "{body}");
            assert!(
                body["error"]["message_th"]
                    .as_str()
                    .unwrap()
                    .contains("หนังสือลับไม่ส่งทางอีเมล"),
                "{body}"
            );
        }
        assert_eq!(
            count(
                db,
                &format!("SELECT COUNT(*) FROM deliveries WHERE document_id = {id}")
            )
            .await,
            0
        );
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM mail_deliveries").await, 0);
    // Inside saraban, without e-mail, the same secret letter goes.
    let id = numbered(&f, db, "รายงานลับ", Some("confidential"), false).await;
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/dispatch"),
        Some(&clerk),
        Some(json!({ "to": "นม 0023" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
}

async fn mail_settings_access_matrix(db: &TestDb) {
    let f = fixture(db).await;
    let dla = office_id(db, "มท 0810.7").await;
    let pl = office_id(db, "พล 0023").await;
    // An administrator at พล 0023.
    let pl_office = offices::find(db, "พล 0023").await.unwrap();
    let pl_admin = accounts::add(
        db,
        &actor(),
        &pl_office,
        &NewUser {
            username: "pl.admin",
            display_name: "pl.admin",
            role: Role::Admin,
            password: crate::web::PASSWORD,
            must_change: false,
        },
    )
    .await
    .unwrap();
    let pl_admin = accounts::add_token(db, &actor(), &pl_admin, "test")
        .await
        .unwrap();
    let tok = |w: &str| f.tokens[w].clone();
    let cases: Vec<(String, Method, String, Option<Value>, StatusCode)> = vec![
        // Own office's administrator: reads and sets.
        (
            tok("dla.admin"),
            Method::GET,
            format!("/api/v1/offices/{dla}/mail"),
            None,
            StatusCode::OK,
        ),
        (
            tok("dla.admin"),
            Method::PUT,
            format!("/api/v1/offices/{dla}/mail"),
            Some(
                json!({ "smtp_host": "smtp.dla.go.th", "from_address": "saraban@dla.go.th", "password": "env:DLA_MAIL" }),
            ),
            StatusCode::OK,
        ),
        // The password itself is refused.
        (
            tok("dla.admin"),
            Method::PUT,
            format!("/api/v1/offices/{dla}/mail"),
            Some(
                json!({ "smtp_host": "smtp.dla.go.th", "from_address": "saraban@dla.go.th", "password": "hunter2" }),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            tok("dla.admin"),
            Method::PUT,
            format!("/api/v1/offices/{dla}/mail"),
            Some(json!({ "smtp_security": "rot13" })),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Other roles of the office: forbidden.
        (
            tok("dla.clerk"),
            Method::GET,
            format!("/api/v1/offices/{dla}/mail"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            tok("dla.head"),
            Method::PUT,
            format!("/api/v1/offices/{dla}/mail"),
            Some(json!({})),
            StatusCode::FORBIDDEN,
        ),
        // An office below: only whether it is outside, and its address.
        (
            tok("dla.admin"),
            Method::PUT,
            format!("/api/v1/offices/{pl}/mail"),
            Some(json!({ "outside": true, "email": "pl@saraban.test" })),
            StatusCode::OK,
        ),
        (
            tok("dla.admin"),
            Method::PUT,
            format!("/api/v1/offices/{pl}/mail"),
            Some(json!({ "smtp_host": "smtp.pl.go.th" })),
            StatusCode::FORBIDDEN,
        ),
        (
            tok("dla.admin"),
            Method::PUT,
            format!("/api/v1/offices/{pl}/mail"),
            Some(json!({ "outside": true, "email": "" })),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // An office above or beside: not found.
        (
            pl_admin.clone(),
            Method::GET,
            format!("/api/v1/offices/{dla}/mail"),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            pl_admin.clone(),
            Method::PUT,
            format!("/api/v1/offices/{dla}/mail"),
            Some(json!({})),
            StatusCode::NOT_FOUND,
        ),
        (
            pl_admin.clone(),
            Method::GET,
            format!("/api/v1/offices/{pl}/mail"),
            None,
            StatusCode::OK,
        ),
        (
            pl_admin.clone(),
            Method::GET,
            "/api/v1/offices/999999/mail".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
        // Users' addresses: one's own; the office's administrator.
        (
            tok("pl.clerk"),
            Method::PUT,
            "/api/v1/me/email".into(),
            Some(json!({ "email": "clerk@pl.go.th" })),
            StatusCode::OK,
        ),
        (
            tok("pl.clerk"),
            Method::PUT,
            "/api/v1/me/email".into(),
            Some(json!({ "email": "not an address" })),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            tok("pl.clerk"),
            Method::GET,
            "/api/v1/me/email".into(),
            None,
            StatusCode::OK,
        ),
        // The mailbox's messages: the inbox's roles.
        (
            tok("dla.drafter"),
            Method::GET,
            "/api/v1/mail/messages".into(),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            tok("dla.clerk"),
            Method::GET,
            "/api/v1/mail/messages".into(),
            None,
            StatusCode::OK,
        ),
        (
            tok("dla.drafter"),
            Method::POST,
            "/api/v1/mail/fetch".into(),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            tok("dla.clerk"),
            Method::POST,
            "/api/v1/mail/messages/1/dismiss".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            tok("dla.clerk"),
            Method::GET,
            "/api/v1/mail/messages/1/file".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
        // พล 0023 has no mailbox: nothing to fetch.
        (
            tok("pl.clerk"),
            Method::POST,
            "/api/v1/mail/fetch".into(),
            None,
            StatusCode::CONFLICT,
        ),
    ];
    for (token, method, uri, body, want) in cases {
        let (s, got) = call(&f.router, method.clone(), &uri, Some(&token), body.clone()).await;
        assert_eq!(s, want, "{method} {uri} {body:?}: {got}");
    }
    let pl_clerk = user_id(db, "pl.clerk").await;
    let dla_clerk = user_id(db, "dla.clerk").await;
    for (token, uri, want) in [
        (
            tok("dla.admin"),
            format!("/api/v1/users/{dla_clerk}/email"),
            StatusCode::OK,
        ),
        (
            tok("dla.admin"),
            format!("/api/v1/users/{pl_clerk}/email"),
            StatusCode::NOT_FOUND,
        ),
        (
            tok("pl.drafter"),
            format!("/api/v1/users/{pl_clerk}/email"),
            StatusCode::FORBIDDEN,
        ),
        (
            pl_admin.clone(),
            format!("/api/v1/users/{pl_clerk}/email"),
            StatusCode::OK,
        ),
    ] {
        let (s, got) = call(
            &f.router,
            Method::PUT,
            &uri,
            Some(&token),
            Some(json!({ "email": "x@saraban.test" })),
        )
        .await;
        assert_eq!(s, want, "PUT {uri}: {got}");
    }
    // What was set reads back; the chain records it and stays whole.
    let (_, body) = call(
        &f.router,
        Method::GET,
        "/api/v1/me/email",
        Some(&tok("pl.clerk")),
        None,
    )
    .await;
    assert_eq!(body["email"], json!("x@saraban.test"));
    let (_, body) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/offices/{pl}/mail"),
        Some(&tok("dla.admin")),
        None,
    )
    .await;
    assert_eq!(body["mail"]["email"], json!("pl@saraban.test"));
    assert_eq!(body["mail"]["settings"]["outside"], json!(true));
    assert_eq!(body["mail"]["own"], json!(false));
    assert!(
        count(
            db,
            "SELECT COUNT(*) FROM audit_events WHERE object LIKE 'office_mail:%'"
        )
        .await
            >= 2
    );
    let report = audit::verify(db, None).await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}

async fn user_id(db: &TestDb, name: &str) -> i64 {
    accounts::find(db, name).await.unwrap().unwrap().id
}

fn urgent_letter(subject: &str, urgency: Option<&str>) -> Document {
    let mut doc: Value = serde_json::from_str(demo::SEED_000).unwrap();
    doc["main"]["subject"] = json!(subject);
    doc["main"]["number"] = Value::Null;
    doc["main"]["urgency"] = urgency.map_or(Value::Null, |u| json!(u));
    Document::from_json(&doc.to_string()).unwrap()
}

async fn urgent_notices_at_once_the_rest_in_a_digest(db: &TestDb) {
    let Some((host, smtp, imap_port)) = mail_server() else {
        skipped("e-mail notices: no SARABAN_TEST_MAIL (start one with .ci/mail-start)");
        return;
    };
    demo::load(db, &actor()).await.unwrap();
    let app = App::new(db.store.clone(), &[]);
    let t = tag(db);
    let pw = password_file();
    let dla = operator(&app, "มท 0810.7").await;
    let pl = operator(&app, "พล 0023").await;
    app.set_mail_settings(
        &pl,
        pl.office.id,
        &saraban::app::mail::MailSettingsInput {
            smtp_host: host.clone(),
            smtp_port: Some(smtp),
            smtp_security: "none".into(),
            from_address: format!("pl-{t}@saraban.test"),
            password: format!("file:{}", pw.path().display()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let office = offices::find(db, "พล 0023").await.unwrap();
    let head = accounts::add(
        db,
        &actor(),
        &office,
        &NewUser {
            username: "pl.head",
            display_name: "คุณหัวหน้า",
            role: Role::Head,
            password: crate::web::PASSWORD,
            must_change: false,
        },
    )
    .await
    .unwrap();
    let head_address = format!("head-{t}@saraban.test");
    app.set_user_email(&pl, saraban::app::UserId(head.id), &head_address)
        .await
        .unwrap();
    // Two letters to พล 0023, one ด่วนที่สุด; each presented to the head.
    for (subject, urgency) in [
        ("ขอให้รายงานสถานการณ์อุทกภัยโดยด่วน", Some("most_urgent")),
        ("การประชุมประจำเดือน", None),
    ] {
        let d = app
            .create_draft(
                &dla,
                &urgent_letter(subject, urgency),
                &Vec::<String>::new(),
            )
            .await
            .unwrap();
        app.number(&dla, DocumentId(d.id), &NumberRequest::default())
            .await
            .unwrap();
        let sent = app
            .dispatch(
                &dla,
                DocumentId(d.id),
                &DispatchRequest {
                    to: "พล 0023".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let delivery = DeliveryId(sent[0].id);
        app.inbox_step(&pl, delivery, Step::Receive).await.unwrap();
        app.present(
            &pl,
            delivery,
            &PresentRequest {
                to: Some("pl.head".into()),
                note: None,
            },
        )
        .await
        .unwrap();
    }
    // The urgent one at once; the other waits.
    let got = wait_for(&host, imap_port, &head_address, 1).await;
    assert_eq!(got.len(), 1);
    let m = MessageParser::default().parse(&got[0]).unwrap();
    let text = m.body_text(0).unwrap().into_owned();
    assert!(text.contains("ขอให้รายงานสถานการณ์อุทกภัยโดยด่วน"), "{text}");
    assert!(!text.contains("การประชุมประจำเดือน"), "{text}");
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM mail_notices WHERE sent_at IS NULL"
        )
        .await,
        1
    );
    // The daily digest: the rest, once.
    assert_eq!(app.send_digests(chrono::Utc::now()).await.unwrap(), 1);
    assert_eq!(app.send_digests(chrono::Utc::now()).await.unwrap(), 0);
    let got = wait_for(&host, imap_port, &head_address, 2).await;
    assert_eq!(got.len(), 2);
    let digest = got
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap())
        .find(|m| m.subject().is_some_and(|s| s.starts_with("สรุปงาน")))
        .expect("the digest");
    let text = digest.body_text(0).unwrap().into_owned();
    assert!(text.contains("การประชุมประจำเดือน"), "{text}");
    assert!(!text.contains("อุทกภัย"), "{text}");
    let report = audit::verify(db, None).await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}
