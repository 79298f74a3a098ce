//! Reply forms hosted by saraban, on both backends: the DLA designs a form
//! on a circular, sends it to three provinces; each personal letter's QR
//! code (decoded by zbarimg) is that office's `/r/{token}`; offices answer
//! and amend through their links without logging in (multipart and JSON,
//! Thai errors), the reply marks their delivery ตอบกลับแล้ว; the XLSX
//! (read back by calamine) and CSV hold their rows; a reminder drafted to
//! the rest cites the letter and, once sent, shows in the tracking tree;
//! the audit chain names every reply and stays whole. And the access
//! matrix: role × office × action, a token bound to its office, an expired
//! link (410), a secret letter (no form), another office's exports (404).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::Row;
use tower::ServiceExt;

use crate::db::{TestDb, count, on_both};
use crate::support::skipped;
use crate::web::{Fixture, call, fixture, letter};

on_both!(
    offices_reply_through_their_links,
    reply_routes_access_matrix
);

/// The form every test letter carries.
fn form() -> Value {
    json!({
        "title": "แบบตอบรับการประชุมชี้แจง",
        "fields": [
            { "label": "การเข้าร่วมประชุม", "kind": "choice", "required": true,
              "options": ["เข้าร่วม", "ไม่เข้าร่วม"] },
            { "label": "จำนวนผู้เข้าร่วม", "kind": "number" },
            { "label": "วันที่สะดวก", "kind": "date" },
            { "label": "รายชื่อผู้เข้าร่วม", "kind": "attendees", "required": true },
            { "label": "เอกสารประกอบ", "kind": "file" },
            { "label": "ข้อเสนอแนะ", "kind": "text" }
        ]
    })
}

const PROVINCES: &str = "พล 0023, สข 0023, ชม 0023";

/// A DLA draft with the form, numbered and sent to three provinces with
/// `deadline`; its id.
async fn sent_with_form(f: &Fixture, subject: &str, deadline: &str) -> i64 {
    let dla = |who: &str| f.tokens[who].clone();
    let (s, body) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&dla("dla.drafter")),
        Some(json!({ "document": letter(subject, None) })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().unwrap();
    let (s, body) = call(
        &f.router,
        Method::PUT,
        &format!("/api/v1/documents/{id}/reply-form"),
        Some(&dla("dla.drafter")),
        Some(form()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let keys: Vec<&str> = body["reply_form"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["f1", "f2", "f3", "f4", "f5", "f6"]);
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/number"),
        Some(&dla("dla.clerk")),
        Some(json!({ "series": "circular" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/dispatch"),
        Some(&dla("dla.clerk")),
        Some(json!({ "to": PROVINCES, "deadline": deadline })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    id
}

/// Each delivery of `doc`: (delivery id, office name, token).
async fn tokens(db: &TestDb, doc: i64) -> Vec<(i64, String, String)> {
    sqlx::query(
        "SELECT d.id, o.name, d.token FROM deliveries d JOIN offices o ON o.id = d.to_office \
         WHERE d.document_id = $1 ORDER BY d.id",
    )
    .bind(doc)
    .fetch_all(db.store.reader())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

/// A request without credentials: status, headers' content type, body.
async fn public(
    f: &Fixture,
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
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
    let ty = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, ty, bytes)
}

const BOUNDARY: &str = "saraban-test-boundary";

/// A multipart body as the page's form sends it.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file, bytes) in files {
        out.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend(b"\r\n");
    }
    out.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn form_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// Every QR code in `pdf`, decoded by zbarimg from each page; `None`
/// (said loudly) without poppler or zbar.
pub(crate) fn qr_codes(pdf: &[u8]) -> Option<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("l.pdf");
    std::fs::write(&file, pdf).unwrap();
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png"])
        .arg(&file)
        .arg(dir.path().join("p"))
        .status();
    if !rendered.is_ok_and(|s| s.success()) {
        skipped("pdftoppm (poppler-utils) is not installed: the reply QR code was not decoded");
        return None;
    }
    let mut pages: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    let mut found = Vec::new();
    for page in pages {
        match std::process::Command::new("zbarimg")
            .args(["-q", "--raw"])
            .arg(&page)
            .output()
        {
            Ok(out) => found.extend(
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty()),
            ),
            Err(_) => {
                skipped("zbarimg (zbar-tools) is not installed: the reply QR code was not decoded");
                return None;
            }
        }
    }
    Some(found)
}

/// The text of a PDF by pdftotext (whitespace collapsed), or `None` (said
/// loudly) without poppler.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => Some(
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => {
            skipped("pdftotext (poppler-utils) is not installed: the reminder's text was not read");
            None
        }
    }
}

/// The rows of the first sheet of an XLSX file, read by calamine.
pub(crate) fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn get_bytes(f: &Fixture, uri: &str, who: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", f.tokens[who]))
        .body(Body::empty())
        .unwrap();
    let resp = f.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let disposition = resp
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        disposition,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

async fn offices_reply_through_their_links(db: &TestDb) {
    let f = fixture(db).await;
    let doc = sent_with_form(&f, "การประชุมชี้แจงแบบตอบรับออนไลน์", "31/12/2580").await;
    let links = tokens(db, doc).await;
    assert_eq!(links.len(), 3);
    let (pl_delivery, pl_name, pl_token) = links
        .iter()
        .find(|(_, name, _)| name.contains("พิษณุโลก"))
        .cloned()
        .unwrap();
    let (sk_delivery, sk_name, sk_token) = links
        .iter()
        .find(|(_, name, _)| name.contains("สงขลา"))
        .cloned()
        .unwrap();
    for (_, _, t) in &links {
        assert_eq!(t.len(), 32, "128-bit tokens");
        assert!(t.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    // Phitsanulok's personal letter carries its own link in its QR code.
    let (s, _, pdf) = get_bytes(
        &f,
        &format!("/api/v1/deliveries/{pl_delivery}/letter.pdf"),
        "pl.clerk",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    if let Some(codes) = qr_codes(&pdf) {
        assert!(
            codes.iter().any(|c| c.ends_with(&format!("/r/{pl_token}"))),
            "{codes:?}"
        );
        assert!(!codes.iter().any(|c| c.contains(&sk_token)), "{codes:?}");
    }

    // The page: the letter's number, subject and the office it is bound to.
    let (s, ty, page) = public(&f, Method::GET, &format!("/r/{pl_token}"), None, Vec::new()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ty.starts_with("text/html"), "{ty}");
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("การประชุมชี้แจงแบบตอบรับออนไลน์"), "{page}");
    assert!(page.contains(&pl_name));
    assert!(
        page.contains("มท ๐๘๑๐.๗&#x2F;ว ๑"),
        "the number in Thai digits: {page}"
    );
    assert!(page.contains("รายชื่อผู้เข้าร่วม"));

    // Bad answers: the form again, each mistake in Thai, nothing stored.
    let audit_before = count(db, "SELECT COUNT(*) FROM audit_events").await;
    let body = multipart(
        &[
            ("v.f1", "อาจจะ"),
            ("v.f2", "สิบคน"),
            ("a.f4.0.position", "ปลัด"),
        ],
        &[],
    );
    let (s, _, page) = public(
        &f,
        Method::POST,
        &format!("/r/{pl_token}"),
        Some(&form_type()),
        body,
    )
    .await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("ต้องเลือกจากตัวเลือกที่มี"), "{page}");
    assert!(page.contains("ต้องเป็นตัวเลข"));
    assert!(page.contains("ทุกแถวที่กรอกต้องมีชื่อ-สกุล"));
    assert!(page.contains("value=\"สิบคน\""), "typed answers kept");
    assert_eq!(count(db, "SELECT COUNT(*) FROM replies").await, 0);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM audit_events").await,
        audit_before
    );

    // JSON clients get Thai and English.
    let (s, _, body) = public(
        &f,
        Method::POST,
        &format!("/r/{pl_token}"),
        Some("application/json"),
        json!({ "values": { "f1": "เข้าร่วม", "f3": "31/2/2567" } })
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        e["error"]["message_th"]
            .as_str()
            .unwrap()
            .contains("วันที่สะดวก"),
        "{e}"
    );
    assert!(
        e["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("must be a date"),
        "{e}"
    );
    assert_eq!(e["error"]["fields"].as_array().unwrap().len(), 2, "{e}");

    // Phitsanulok answers, with a file and two attendees.
    let pdf_file = b"%PDF-1.4\n% reply\n";
    let body = multipart(
        &[
            ("v.f1", "เข้าร่วม"),
            ("v.f2", "๒"),
            ("v.f3", "2024-05-23"),
            ("a.f4.0.name", "นางสาวสมใจ ใจดี"),
            ("a.f4.0.position", "ท้องถิ่นจังหวัดพิษณุโลก"),
            ("a.f4.0.phone", "๐ ๕๕๒๔ ๕๐๐๐"),
            ("a.f4.1.name", "นายประเสริฐ มั่นคง"),
            ("a.f4.1.position", "หัวหน้ากลุ่มงาน"),
            ("a.f4.2.name", ""),
            ("v.f6", "ขอเอกสารล่วงหน้า"),
            // An office field is not read: the token decides the office.
            ("office", "สข 0023"),
        ],
        &[("file.f5", "รายชื่อ.pdf", pdf_file)],
    );
    let (s, _, page) = public(
        &f,
        Method::POST,
        &format!("/r/{pl_token}"),
        Some(&form_type()),
        body,
    )
    .await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("บันทึกคำตอบของ"), "{page}");
    assert!(
        page.contains("value=\"นายประเสริฐ มั่นคง\""),
        "stored answers shown"
    );
    assert!(page.contains("รายชื่อ.pdf"));
    let state = |id: i64| async move {
        let row = sqlx::query("SELECT state, acted_by FROM deliveries WHERE id = $1")
            .bind(id)
            .fetch_one(db.store.reader())
            .await
            .unwrap();
        (row.get::<String, _>(0), row.get::<Option<String>, _>(1))
    };
    let (st, by) = state(pl_delivery).await;
    assert_eq!(st, "replied");
    assert_eq!(by.as_deref(), Some("reply:พล 0023"));
    assert_eq!(
        state(sk_delivery).await.0,
        "sent",
        "another office untouched"
    );

    // Amended: the number changes, the file is kept.
    let body = multipart(
        &[
            ("v.f1", "เข้าร่วม"),
            ("v.f2", "3"),
            ("a.f4.0.name", "นางสาวสมใจ ใจดี"),
            ("a.f4.1.name", "นายประเสริฐ มั่นคง"),
            ("a.f4.2.name", "นายสมศักดิ์ รักงาน"),
            ("a.f4.2.phone", "081-234-5678"),
        ],
        &[],
    );
    let (s, _, _) = public(
        &f,
        Method::POST,
        &format!("/r/{pl_token}"),
        Some(&form_type()),
        body,
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // Songkhla answers by JSON.
    let (s, _, body) = public(
        &f,
        Method::POST,
        &format!("/r/{sk_token}"),
        Some("application/json"),
        json!({
            "values": { "f1": "ไม่เข้าร่วม" },
            "rows": { "f4": [ { "name": "นายวีระ สงขลา", "position": "ผู้ประสานงาน", "phone": "074" } ] }
        })
        .to_string()
        .into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));

    // The issuing office's list, file and exports.
    let (s, list) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{doc}/replies"),
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let replies = list["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 2);
    let pl = replies
        .iter()
        .find(|r| r["office"] == json!(pl_name))
        .unwrap();
    assert_eq!(pl["revisions"], json!(2));
    assert_eq!(pl["answers"]["f2"], json!("3"));
    assert_eq!(pl["answers"]["f4"].as_array().unwrap().len(), 3);
    let file_id = pl["answers"]["f5"]["file"].as_i64().expect("the file kept");
    let (s, disposition, bytes) = get_bytes(
        &f,
        &format!("/api/v1/documents/{doc}/replies/files/{file_id}"),
        "dla.clerk",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(bytes, pdf_file);

    let (s, _, xlsx) = get_bytes(
        &f,
        &format!("/api/v1/documents/{doc}/replies.xlsx?per=reply"),
        "dla.clerk",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let rows = xlsx_rows(&xlsx);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0][0], "ส่วนราชการ");
    assert!(rows[0].contains(&"การเข้าร่วมประชุม".to_string()));
    let pl_row = rows
        .iter()
        .find(|r| r[0] == pl_name)
        .expect("Phitsanulok's row");
    assert!(pl_row.contains(&"เข้าร่วม".to_string()), "{pl_row:?}");
    assert!(
        !pl_row.contains(&"2024-05-23".to_string()),
        "an amendment replaces the answers: the date was left out"
    );
    assert!(
        rows.iter()
            .any(|r| r[0] == sk_name && r.contains(&"ไม่เข้าร่วม".to_string()))
    );
    let (_, _, xlsx) = get_bytes(
        &f,
        &format!("/api/v1/documents/{doc}/replies.xlsx?per=attendee"),
        "dla.clerk",
    )
    .await;
    let rows = xlsx_rows(&xlsx);
    assert_eq!(rows.len(), 1 + 3 + 1, "a row per attendee: {rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.contains(&"นายสมศักดิ์ รักงาน".to_string())
                && r.contains(&"081-234-5678".to_string()))
    );
    let (s, _, csv) = get_bytes(
        &f,
        &format!("/api/v1/documents/{doc}/replies.csv?per=attendee"),
        "dla.clerk",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let names: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[2].to_string())
        .collect();
    assert_eq!(names.len(), 4);
    assert!(names.contains(&"นายวีระ สงขลา".to_string()));

    // Tracking: replied in the tree and its roll-up.
    let (s, t) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{doc}/tracking"),
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["levels"][0]["replied"], json!(2), "{}", t["levels"]);
    assert_eq!(t["levels"][0]["with_reply"], json!(2));
    let node = t["tree"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["office"] == json!(pl_name))
        .unwrap();
    assert_eq!(node["delivery"]["state"], json!("replied"));
    assert!(node["reply_at"].is_string());

    // A reminder to the one that has not replied: drafted citing the letter,
    // then numbered and sent like any letter; the tree shows it.
    let (s, made) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{doc}/reminder"),
        Some(&f.tokens["dla.clerk"]),
        Some(json!({ "only": "not_replied" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let offices = made["offices"].as_array().unwrap();
    assert_eq!(offices.len(), 1, "{made}");
    assert!(offices[0].as_str().unwrap().contains("เชียงใหม่"));
    let reminder = made["document"]["id"].as_i64().unwrap();
    let main = &made["document"]["content"]["main"];
    assert!(
        main["subject"]
            .as_str()
            .unwrap()
            .starts_with("ติดตามการตอบแบบตอบรับ")
    );
    let (_, original) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{doc}"),
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    assert_eq!(main["references"][0]["number"], original["number"]);
    assert_eq!(
        count(
            db,
            &format!(
                "SELECT COUNT(*) FROM doc_references WHERE from_id = {reminder} AND to_id = {doc}"
            )
        )
        .await,
        1
    );
    // The draft, read from outside (pdftotext): addressed to that office
    // alone, the letter cited under อ้างถึง.
    let (_, _, pdf) = get_bytes(
        &f,
        &format!("/api/v1/documents/{reminder}/pdf"),
        "dla.clerk",
    )
    .await;
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("อ้างถึง"), "{text}");
        assert!(text.contains("ผู้ว่าราชการจังหวัดเชียงใหม่"), "{text}");
        assert!(!text.contains("ทุกจังหวัด"), "{text}");
        assert!(text.contains("ติดตามการตอบแบบตอบรับ"), "{text}");
    }
    let (s, _) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{reminder}/number"),
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{reminder}/dispatch"),
        Some(&f.tokens["dla.clerk"]),
        Some(json!({ "to": "ชม 0023" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (_, t) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{doc}/tracking"),
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    let reminded: Vec<&Value> = t["tree"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["reminder_sent_at"].is_string())
        .collect();
    assert_eq!(reminded.len(), 1);
    assert!(reminded[0]["office"].as_str().unwrap().contains("เชียงใหม่"));
    assert_eq!(t["levels"][0]["reminded"], json!(1));

    // Every reply is in the audit chain, as its office; the chain is whole.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM audit_events WHERE action IN ('reply.submit', 'reply.amend')"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM audit_events WHERE actor = 'reply:สข 0023'"
        )
        .await,
        2,
        "the reply and the delivery's new state"
    );
    let verdict = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
}

async fn reply_routes_access_matrix(db: &TestDb) {
    let f = fixture(db).await;
    let doc = sent_with_form(&f, "ตรวจสิทธิ์แบบตอบรับ", "31/12/2580").await;
    let links = tokens(db, doc).await;
    let pl_token = links
        .iter()
        .find(|(_, n, _)| n.contains("พิษณุโลก"))
        .unwrap()
        .2
        .clone();

    // A draft for the form routes, and a secret one.
    let (_, d) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.drafter"]),
        Some(json!({ "document": letter("ร่างมีแบบตอบรับ", None) })),
    )
    .await;
    let draft = d["id"].as_i64().unwrap();
    let (_, d) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.drafter"]),
        Some(json!({ "document": letter("ร่างลับ", Some("secret")) })),
    )
    .await;
    let secret = d["id"].as_i64().unwrap();

    use Method as M;
    let ok = StatusCode::OK;
    let forbidden = StatusCode::FORBIDDEN;
    let missing = StatusCode::NOT_FOUND;
    let form_path = format!("/api/v1/documents/{draft}/reply-form");
    let mut cases: Vec<(&str, Method, String, Option<Value>, StatusCode)> = Vec::new();
    // Designing: the drafting roles of the letter's office; others 403/404.
    for (who, want) in [
        ("dla.drafter", ok),
        ("dla.clerk", ok),
        ("dla.signer", ok),
        ("dla.head", ok),
        ("dla.admin", forbidden),
        ("pl.clerk", missing),
        ("pl.drafter", missing),
        ("wy.clerk", missing),
    ] {
        cases.push((who, M::PUT, form_path.clone(), Some(form()), want));
    }
    // Reading the form: whoever sees the letter (the draft: its office).
    for (who, want) in [("dla.admin", ok), ("dla.clerk", ok), ("pl.clerk", missing)] {
        cases.push((who, M::GET, form_path.clone(), None, want));
    }
    // The sent letter's form: its recipients see it too.
    cases.push((
        "pl.clerk",
        M::GET,
        format!("/api/v1/documents/{doc}/reply-form"),
        None,
        ok,
    ));
    // Numbered letters' forms are frozen; secret letters have none.
    cases.push((
        "dla.drafter",
        M::PUT,
        format!("/api/v1/documents/{doc}/reply-form"),
        Some(form()),
        StatusCode::CONFLICT,
    ));
    cases.push((
        "dla.drafter",
        M::PUT,
        format!("/api/v1/documents/{secret}/reply-form"),
        Some(form()),
        StatusCode::UNPROCESSABLE_ENTITY,
    ));
    // Replies and exports: the issuing office only.
    for path in [
        format!("/api/v1/documents/{doc}/replies"),
        format!("/api/v1/documents/{doc}/replies.xlsx"),
        format!("/api/v1/documents/{doc}/replies.csv?per=attendee"),
    ] {
        for (who, want) in [
            ("dla.clerk", ok),
            ("dla.drafter", ok),
            ("dla.admin", ok),
            ("pl.clerk", missing),
            ("nmp.clerk", missing),
            ("wy.clerk", missing),
        ] {
            cases.push((who, M::GET, path.clone(), None, want));
        }
    }
    cases.push((
        "dla.clerk",
        M::GET,
        format!("/api/v1/documents/{doc}/replies.xlsx?per=office"),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    ));
    cases.push((
        "dla.clerk",
        M::GET,
        format!("/api/v1/documents/{doc}/replies/files/1"),
        None,
        missing,
    ));
    cases.push((
        "pl.clerk",
        M::GET,
        format!("/api/v1/documents/{doc}/replies/files/1"),
        None,
        missing,
    ));
    // Reminders: drafting roles of the issuing office.
    for (who, want) in [
        ("dla.admin", forbidden),
        ("pl.clerk", missing),
        ("wy.clerk", missing),
        ("dla.clerk", StatusCode::CREATED),
    ] {
        cases.push((
            who,
            M::POST,
            format!("/api/v1/documents/{doc}/reminder"),
            Some(json!({ "only": "not_acted" })),
            want,
        ));
    }
    for (who, method, uri, body, want) in cases {
        let (status, answer) =
            call(&f.router, method.clone(), &uri, Some(&f.tokens[who]), body).await;
        assert_eq!(status, want, "{who} {method} {uri}: {answer}");
        if !status.is_success() {
            assert!(answer["error"]["message_th"].is_string(), "{answer}");
            assert!(answer["error"]["message_en"].is_string(), "{answer}");
        }
    }
    // Without credentials, nothing but the public page.
    let (s, _) = call(&f.router, Method::GET, &form_path, None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Links: unknown and malformed tokens, a secret letter, an expired link.
    for bad in [
        "0123456789abcdef0123456789abcdef",
        "not-a-token",
        "%27%20OR%201=1",
    ] {
        let (s, _, page) = public(&f, Method::GET, &format!("/r/{bad}"), None, Vec::new()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{bad}");
        assert!(String::from_utf8(page).unwrap().contains("ไม่พบแบบตอบรับ"));
    }
    let late = sent_with_form(&f, "แบบตอบรับที่หมดเวลาแล้ว", "2/1/2567").await;
    let late_token = tokens(db, late).await[0].2.clone();
    let (s, _, page) = public(
        &f,
        Method::GET,
        &format!("/r/{late_token}"),
        None,
        Vec::new(),
    )
    .await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(s, StatusCode::GONE);
    assert!(page.contains("หมดเวลาตอบแบบตอบรับแล้ว"), "{page}");
    assert!(
        !page.contains("id=\"send\""),
        "no button after the deadline"
    );
    let body = multipart(&[("v.f1", "เข้าร่วม"), ("a.f4.0.name", "ก ข")], &[]);
    let (s, _, page) = public(
        &f,
        Method::POST,
        &format!("/r/{late_token}"),
        Some(&form_type()),
        body,
    )
    .await;
    assert_eq!(s, StatusCode::GONE);
    assert!(String::from_utf8(page).unwrap().contains("หมดเวลา"));
    // The same link a year on, through the application layer.
    let app = saraban::app::App::new(db.store.clone(), &[]);
    let input = saraban::app::replies::ReplyInput::default();
    let later = chrono::Utc::now() + chrono::Days::new(365 * 60);
    let e = app.submit_reply(&pl_token, input, later).await.unwrap_err();
    assert_eq!(e.code, "reply_closed");
    // A secret letter issues no links, even with a form stored behind the
    // application's back (the application refuses to store one).
    let dla = saraban::store::offices::find(db, "มท 0810.7")
        .await
        .unwrap();
    let now = chrono::Utc::now();
    saraban::store::replies::put_form(
        db,
        &crate::db::actor(),
        now,
        &dla,
        secret,
        &serde_json::from_value(form()).unwrap(),
    )
    .await
    .unwrap();
    saraban::store::documents::number(
        db,
        &crate::db::actor(),
        now,
        secret,
        Some(saraban::store::numbering::Series::Circular),
        "ผู้ว่าราชการจังหวัด",
        None,
    )
    .await
    .unwrap();
    let to = saraban::store::routing::recipients(db, &dla, PROVINCES)
        .await
        .unwrap();
    saraban::store::routing::dispatch(db, &crate::db::actor(), now, &dla, secret, &to, None)
        .await
        .unwrap();
    let secret_links = tokens_of(db, secret).await;
    assert_eq!(secret_links.len(), 3);
    assert!(secret_links.iter().all(Option::is_none), "{secret_links:?}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM replies").await, 0);
}

/// The tokens of `doc`'s deliveries, set or not.
async fn tokens_of(db: &TestDb, doc: i64) -> Vec<Option<String>> {
    sqlx::query("SELECT token FROM deliveries WHERE document_id = $1 ORDER BY id")
        .bind(doc)
        .fetch_all(db.store.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}
