//! Composing every kind through the web form (issue 20 §1), on both
//! backends: letters, circulars, memos, orders and announcements posted
//! as the page posts them, with annexes (a grid schedule with a merged
//! cell and a break, a list, a project with its budget, a QR page); the
//! PDF read back by pdftotext; อ้างถึง printed between เรียน and
//! สิ่งที่ส่งมาด้วย and stored as a typed link; the ว series offered by
//! default for a circular; office templates and who may reach them.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use saraban::store::accounts;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::db::{TestDb, on_both};
use crate::support::skipped;
use crate::web::{call, fixture, letter};

on_both!(
    every_kind_composes_through_the_form,
    a_cited_letter_is_linked_and_printed_in_its_place,
    a_circular_is_numbered_in_the_w_series_by_default,
    templates_belong_to_their_office
);

/// A page request with a session cookie: status, `Location`, body text.
async fn page(
    router: &Router,
    method: Method,
    uri: &str,
    session: &str,
    form: Option<&[(&str, &str)]>,
) -> (StatusCode, Option<String>, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("saraban_session={session}"));
    let req = match form {
        Some(fields) => req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(fields).unwrap())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).to_string(),
    )
}

/// A logged-in session of `username`: (cookie value, CSRF token).
async fn session(db: &TestDb, username: &str) -> (String, String) {
    let user = accounts::find(db, username).await.unwrap().unwrap();
    let s = accounts::open_session(db, &user).await.unwrap();
    (s.secret, s.csrf)
}

/// Posts the compose form; the new document's id (the redirect's).
async fn compose(router: &Router, s: &(String, String), fields: &[(&str, &str)]) -> i64 {
    let mut all: Vec<(&str, &str)> = vec![("csrf", s.1.as_str()), ("annex_form", "1")];
    all.extend_from_slice(fields);
    let (status, location, body) = page(router, Method::POST, "/documents", &s.0, Some(&all)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", error_of(&body));
    location
        .unwrap()
        .trim_start_matches("/documents/")
        .parse()
        .unwrap()
}

fn error_of(html: &str) -> &str {
    html.split("id=\"form-error\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or(html)
}

/// The text of a PDF by pdftotext, all whitespace removed; `None` (said
/// loudly) without poppler.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.pdf");
    std::fs::write(&file, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => Some(
            String::from_utf8_lossy(&out.stdout)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
        ),
        _ => {
            skipped(
                "pdftotext (poppler-utils) is not installed: the composed letters were not read",
            );
            None
        }
    }
}

/// How many pages pdfinfo counts; `None` (said loudly) without poppler.
fn pdf_pages(pdf: &[u8]) -> Option<usize> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.pdf");
    std::fs::write(&file, pdf).unwrap();
    match std::process::Command::new("pdfinfo").arg(&file).output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok()),
        _ => {
            skipped(
                "pdfinfo (poppler-utils) is not installed: the preview's page count was not checked",
            );
            None
        }
    }
}

async fn pdf_of(router: &Router, token: &str, id: i64) -> Vec<u8> {
    let req = Request::get(format!("/api/v1/documents/{id}/pdf"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The fields posted, the kind stored, the Thai the PDF must hold.
type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, Vec<&'a str>);

const SIGNER: [(&str, &str); 2] = [
    ("signer_name", "นายศิริพันธ์ ศรีกิ่งพลี"),
    ("signer_position", "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น"),
];

async fn every_kind_composes_through_the_form(db: &TestDb) {
    let f = fixture(db).await;
    let s = session(db, "dla.drafter").await;
    let token = &f.tokens["dla.drafter"];
    let mut cases: Vec<Case> = vec![
        (
            vec![
                ("kind", "memo"),
                ("subject", "ขออนุมัติเดินทางไปราชการ"),
                ("to", "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น"),
                ("body", "ด้วยข้าพเจ้ามีความประสงค์ขออนุมัติเดินทางไปราชการ"),
            ],
            "memo",
            vec!["บันทึกข้อความ", "ขออนุมัติเดินทางไปราชการ"],
        ),
        (
            vec![
                ("kind", "order"),
                ("subject", "แต่งตั้งคณะทำงานพัฒนาระบบสารบรรณ"),
                (
                    "body",
                    "เพื่อให้การพัฒนาระบบสารบรรณเป็นไปด้วยความเรียบร้อย\n\nทั้งนี้ ตั้งแต่บัดนี้เป็นต้นไป",
                ),
            ],
            "order",
            vec![
                "คำสั่งกรมส่งเสริมการปกครองท้องถิ่น",
                "แต่งตั้งคณะทำงานพัฒนาระบบสารบรรณ",
                "สั่ง ณ วันที่",
            ],
        ),
        (
            vec![
                ("kind", "announcement"),
                ("subject", "รับสมัครบุคคลเพื่อเลือกสรรเป็นพนักงานราชการ"),
                ("body", "ด้วยกรมส่งเสริมการปกครองท้องถิ่นประสงค์จะรับสมัครบุคคล"),
            ],
            "announcement",
            vec![
                "ประกาศกรมส่งเสริมการปกครองท้องถิ่น",
                "รับสมัครบุคคลเพื่อเลือกสรรเป็นพนักงานราชการ",
                "ประกาศ ณ วันที่",
            ],
        ),
        (
            vec![
                ("kind", "sealed"),
                ("subject", "ส่งสำเนาคำสั่งแต่งตั้งคณะทำงาน"),
                ("to", "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด ทุกจังหวัด"),
                (
                    "body",
                    "กรมส่งเสริมการปกครองท้องถิ่นขอส่งสำเนาคำสั่งแต่งตั้งคณะทำงานพัฒนาระบบสารบรรณ มาเพื่อโปรดทราบ",
                ),
            ],
            "sealed",
            vec![
                "ถึงสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดทุกจังหวัด",
                "ขอส่งสำเนาคำสั่งแต่งตั้งคณะทำงาน",
                "กรมส่งเสริมการปกครองท้องถิ่น",
            ],
        ),
        (
            vec![
                ("kind", "letter"),
                ("subject", "การฝึกอบรมหลักสูตรงานสารบรรณ"),
                ("to", "ผู้ว่าราชการจังหวัด ทุกจังหวัด"),
                ("body", "ด้วยกรมส่งเสริมการปกครองท้องถิ่นกำหนดจัดการฝึกอบรม"),
                ("a0.kind", "grid"),
                ("a0.title", "กำหนดการ\nการฝึกอบรมหลักสูตรงานสารบรรณ"),
                ("a0.slot0", "๐๙.๐๐ - ๑๐.๓๐"),
                ("a0.slot1", "๑๐.๓๐ - ๑๒.๐๐"),
                ("a0.slot2", "๑๓.๐๐ - ๑๖.๓๐"),
                ("a0.break_after", "2"),
                ("a0.break_label", "พักรับประทานอาหารกลางวัน"),
                ("a0.day0", "๓/๓/๒๕๖๘"),
                ("a0.cell0.0", "พิธีเปิดและบรรยายพิเศษ"),
                ("a0.merge0.0", "1"),
                ("a0.cell0.2", "ฝึกปฏิบัติการลงทะเบียนรับ"),
                ("a0.day1", "๔/๓/๒๕๖๘"),
                ("a0.cell1.0", "การร่างหนังสือ"),
                ("a0.cell1.1", "การเก็บรักษา"),
                ("a0.cell1.2", "ปิดการฝึกอบรม"),
                ("a1.kind", "project"),
                ("a1.title", "โครงการฝึกอบรมหลักสูตรงานสารบรรณ"),
                ("a1.sec0.heading", "หลักการและเหตุผล"),
                ("a1.sec0.text", "เพื่อพัฒนาความรู้ของบุคลากร"),
                ("a1.sec1.heading", "วัตถุประสงค์"),
                (
                    "a1.sec1.text",
                    "- เพื่อให้ผู้เข้ารับการอบรมร่างหนังสือได้ถูกต้อง\n- เพื่อลดข้อผิดพลาด",
                ),
                ("a1.sec2.heading", "งบประมาณ"),
                ("a1.sec2.text", ""),
                ("a1.budget", "๙,๑๐๐"),
                ("a1.budget_detail", "จากงบดำเนินงาน"),
                ("a1.proposer_name", "นางสาวสมใจ ดีงาม"),
                ("a1.proposer_position", "นักจัดการงานทั่วไป"),
                ("a1.approver_name", "นายศิริพันธ์ ศรีกิ่งพลี"),
                ("a1.approver_position", "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น"),
                ("a2.kind", "list"),
                ("a2.title", "กำหนดการประชุม"),
                (
                    "a2.items",
                    "๐๙.๐๐ - ๐๙.๓๐ | ลงทะเบียน\n๐๙.๓๐ - ๑๐.๓๐ | ชี้แจงแนวทาง | ผู้อำนวยการกองคลัง\n๑๐.๓๐ - ๑๐.๔๕ | พักรับประทานอาหารว่าง",
                ),
                ("a3.kind", "form"),
                ("a3.title", "แบบตอบรับการฝึกอบรม"),
                ("a3.codes", "ลงทะเบียน | https://example.go.th/r/1"),
            ],
            "letter",
            vec![
                "การฝึกอบรมหลักสูตรงานสารบรรณ",
                "พักรับประทานอาหารกลางวัน",
                "พิธีเปิดและบรรยายพิเศษ",
                "ฝึกปฏิบัติการลงทะเบียนรับ",
                "๐๙.๐๐-๑๒.๐๐น.",
                "เพื่อให้ผู้เข้ารับการอบรมร่างหนังสือได้ถูกต้อง",
                // The words computed from the figure.
                "เก้าพันหนึ่งร้อยบาทถ้วน",
                "ชี้แจงแนวทาง",
                "พักรับประทานอาหารว่าง",
                "แบบตอบรับการฝึกอบรม",
            ],
        ),
    ];
    for (fields, _, _) in &mut cases {
        fields.extend(SIGNER);
    }
    let letter_case = cases.last().unwrap().clone();
    let mut letter_pdf = Vec::new();
    for (fields, kind, expected) in cases {
        let id = compose(&f.router, &s, &fields).await;
        let (status, doc) = call(
            &f.router,
            Method::GET,
            &format!("/api/v1/documents/{id}"),
            Some(token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["kind"], kind);
        let pdf = pdf_of(&f.router, token, id).await;
        // Kept for a person to look at (`pdftoppm -png`).
        let keep = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("compose");
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(keep.join(format!("{kind}.pdf")), &pdf).unwrap();
        if kind == "letter" {
            letter_pdf = pdf.clone();
        }
        let Some(text) = pdf_text(&pdf) else {
            return;
        };
        // The sealed letter prints no เรื่อง (its subject is for the registers).
        assert_eq!(text.contains("เรื่อง"), kind != "sealed", "{kind}: {text}");
        for e in expected {
            assert!(text.contains(&squeeze(e)), "{kind}: “{e}” not in {text}");
        }
        if kind == "letter" {
            let annexes = doc["content"]["annexes"].as_array().unwrap();
            assert_eq!(annexes.len(), 4);
            assert_eq!(annexes[0]["days"][0]["morning"][0]["span"], json!(2));
            // Each annex starts a page; the pages are numbered by part.
            assert!(text.find("กำหนดการ").unwrap() < text.find("โครงการฝึกอบรม").unwrap());
        }
    }
    // The live preview shows every page: page 1 says how many there are
    // (as many as pdfinfo counts in the stored PDF), the others follow.
    let letter_fields = {
        let (fields, _, _) = &letter_case;
        let mut all: Vec<(&str, &str)> = vec![("csrf", s.1.as_str()), ("annex_form", "1")];
        all.extend(fields.iter().copied());
        serde_urlencoded::to_string(&all).unwrap()
    };
    let preview = |page: usize| {
        Request::post(format!("/ui/preview?page={page}"))
            .header(header::COOKIE, format!("saraban_session={}", s.0))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(letter_fields.clone()))
            .unwrap()
    };
    let first = f.router.clone().oneshot(preview(1)).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let count: usize = first.headers()["x-page-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    if let Some(pages) = pdf_pages(&letter_pdf) {
        assert_eq!(count, pages);
    }
    assert!(count >= 5, "the letter and its four annexes");
    let last = f.router.clone().oneshot(preview(count)).await.unwrap();
    assert_eq!(last.status(), StatusCode::OK);
    let png = last.into_body().collect().await.unwrap().to_bytes();
    assert!(png.starts_with(b"\x89PNG"));
    let beyond = f.router.clone().oneshot(preview(count + 1)).await.unwrap();
    assert_eq!(beyond.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Moving an annex up and removing one: the page comes back changed,
    // nothing saved.
    let before = crate::db::count(db, "SELECT COUNT(*) FROM documents").await;
    let fields = [
        ("csrf", s.1.as_str()),
        ("annex_form", "1"),
        ("kind", "letter"),
        ("a0.kind", "list"),
        ("a0.title", "ก่อน"),
        ("a1.kind", "form"),
        ("a1.title", "หลัง"),
        ("op", "up.1"),
    ];
    let (status, _, html) = page(&f.router, Method::POST, "/documents", &s.0, Some(&fields)).await;
    assert_eq!(status, StatusCode::OK);
    let first = html.find("name=\"a0.kind\" value=\"form\"");
    let second = html.find("name=\"a1.kind\" value=\"list\"");
    assert!(
        first.is_some() && second.is_some(),
        "the form annex moved up"
    );
    assert_eq!(
        crate::db::count(db, "SELECT COUNT(*) FROM documents").await,
        before
    );
    // A grid's empty cell that is not merged is named in Thai.
    let fields = [
        ("csrf", s.1.as_str()),
        ("annex_form", "1"),
        ("kind", "letter"),
        ("subject", "ทดสอบ"),
        ("to", "ผู้ว่าราชการจังหวัด ทุกจังหวัด"),
        ("body", "ข้อความ"),
        SIGNER[0],
        ("a0.kind", "grid"),
        ("a0.slot0", "09.00-12.00"),
        ("a0.day0", "3/3/2568"),
        ("a0.cell0.0", ""),
    ];
    let (status, _, html) = page(&f.router, Method::POST, "/documents", &s.0, Some(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&html).contains("ช่องว่าง"), "{}", error_of(&html));
}

async fn a_cited_letter_is_linked_and_printed_in_its_place(db: &TestDb) {
    let f = fixture(db).await;
    let s = session(db, "dla.drafter").await;
    let token = &f.tokens["dla.drafter"];
    // The demo's circular, cited by its number and date as a clerk types
    // them (Thai digits, B.E.).
    let (_, circular) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{}", f.circular),
        Some(token),
        None,
    )
    .await;
    let number = circular["number"].as_str().unwrap().to_string();
    let date: chrono::NaiveDate = circular["date"].as_str().unwrap().parse().unwrap();
    let typed_number = saraban::thai::to_thai_digits(&number);
    let typed_date = saraban::thai::format_date(
        date,
        saraban::thai::DateStyle::Long,
        saraban::thai::Digits::Thai,
    );
    let mut fields = vec![
        ("kind", "letter"),
        ("subject", "ขอให้รายงานผลการดำเนินงาน"),
        ("to", "ผู้ว่าราชการจังหวัด ทุกจังหวัด"),
        ("ref_number", typed_number.as_str()),
        ("ref_date", typed_date.as_str()),
        ("enclosures", "แบบรายงานผล"),
        ("body", "ตามหนังสือที่อ้างถึง กรมได้ขอความร่วมมือจังหวัด"),
    ];
    fields.extend(SIGNER);
    let id = compose(&f.router, &s, &fields).await;
    // Stored as a typed link, which the graph resolves to the circular.
    let (status, refs) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{id}/references"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refs}");
    assert!(refs["cites"].to_string().contains(&number), "{refs}");
    // The circular's thread (a draft has no number to start from) now
    // holds the draft that cites it.
    let (status, thread) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{}/thread", f.circular),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        thread["thread"]
            .as_array()
            .is_some_and(|t| t.iter().any(|n| n["id"] == json!(id))),
        "the draft citing the circular is in its thread: {thread}"
    );
    // Another office does not see the draft there.
    let (_, other) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{}/thread", f.circular),
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert!(
        !other["thread"]
            .as_array()
            .is_some_and(|t| t.iter().any(|n| n["id"] == json!(id))),
        "{other}"
    );
    // Printed in its place: after เรียน, before สิ่งที่ส่งมาด้วย.
    if let Some(text) = pdf_text(&pdf_of(&f.router, token, id).await) {
        let at = |w: &str| {
            text.find(&squeeze(w))
                .unwrap_or_else(|| panic!("“{w}” not in {text}"))
        };
        assert!(at("เรียน") < at("อ้างถึง"));
        assert!(at("อ้างถึง") < at("สิ่งที่ส่งมาด้วย"));
        assert!(at("อ้างถึง") < at(&typed_number));
        assert!(at(&typed_number) < at("สิ่งที่ส่งมาด้วย"));
    }
    // The reference removed on edit: its link goes with it.
    let mut fields: Vec<(&str, &str)> = vec![("csrf", s.1.as_str()), ("annex_form", "1")];
    fields.extend([
        ("kind", "letter"),
        ("subject", "ขอให้รายงานผลการดำเนินงาน"),
        ("to", "ผู้ว่าราชการจังหวัด ทุกจังหวัด"),
        ("body", "ขอความร่วมมือจังหวัด"),
    ]);
    fields.extend(SIGNER);
    let (status, _, html) = page(
        &f.router,
        Method::POST,
        &format!("/documents/{id}/edit"),
        &s.0,
        Some(&fields),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", error_of(&html));
    let (_, refs) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{id}/references"),
        Some(token),
        None,
    )
    .await;
    assert!(!refs["cites"].to_string().contains(&number), "{refs}");
    // A number that is not one is refused, in Thai, on its field.
    let mut fields = vec![
        ("kind", "letter"),
        ("subject", "x"),
        ("to", "y"),
        ("body", "z"),
        ("ref_number", "ไม่ใช่เลขที่"),
    ];
    fields.extend(SIGNER);
    let mut all: Vec<(&str, &str)> = vec![("csrf", s.1.as_str())];
    all.extend(fields);
    let (status, _, html) = page(&f.router, Method::POST, "/documents", &s.0, Some(&all)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"ref_number\"") && html.contains("aria-invalid"));
}

async fn a_circular_is_numbered_in_the_w_series_by_default(db: &TestDb) {
    let f = fixture(db).await;
    let s = session(db, "dla.clerk").await;
    let token = &f.tokens["dla.clerk"];
    let mut fields = vec![
        ("kind", "letter"),
        ("circular", "on"),
        ("subject", "ซักซ้อมแนวทางการรายงาน"),
        ("to", "ผู้ว่าราชการจังหวัด ทุกจังหวัด"),
        ("body", "ด้วยกรมส่งเสริมการปกครองท้องถิ่นขอซักซ้อมแนวทาง"),
    ];
    fields.extend(SIGNER);
    let circular = compose(&f.router, &s, &fields).await;
    fields.retain(|(k, _)| *k != "circular");
    let plain = compose(&f.router, &s, &fields).await;
    // The numbering page offers the ว series first for the circular only.
    let checked = |html: &str| {
        html.split("name=\"series\" value=\"")
            .skip(1)
            .find(|r| r.split('>').next().unwrap_or("").contains("checked"))
            .and_then(|r| r.split('"').next())
            .map(str::to_string)
    };
    let (_, _, html) = page(
        &f.router,
        Method::GET,
        &format!("/documents/{circular}/number"),
        &s.0,
        None,
    )
    .await;
    assert_eq!(checked(&html).as_deref(), Some("circular"));
    let (_, _, html) = page(
        &f.router,
        Method::GET,
        &format!("/documents/{plain}/number"),
        &s.0,
        None,
    )
    .await;
    assert_eq!(checked(&html).as_deref(), Some("normal"));
    // The API (and so the CLI) numbers it in the ว series when none is named.
    let (status, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{circular}/number"),
        Some(token),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let printed = body["printed_number"].as_str().unwrap_or_default();
    assert!(
        saraban::docnum::DocNumber::parse(printed).is_ok_and(|n| n.circular),
        "{body}"
    );
    assert_eq!(body["document"]["series"], "circular");
    let (status, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{plain}/number"),
        Some(token),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["document"]["series"], "normal", "{body}");
    // Naming another series still wins.
    let third = compose(
        &f.router,
        &s,
        &[fields.as_slice(), &[("circular", "on")]].concat(),
    )
    .await;
    let (status, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{third}/number"),
        Some(token),
        Some(json!({ "series": "normal" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["document"]["series"], "normal", "{body}");
}

async fn templates_belong_to_their_office(db: &TestDb) {
    let f = fixture(db).await;
    let s = session(db, "dla.drafter").await;
    // Saved from the compose form.
    let mut fields = vec![
        ("csrf", s.1.as_str()),
        ("annex_form", "1"),
        ("kind", "letter"),
        ("subject", "เชิญประชุมชี้แจง"),
        ("to", "ผู้ว่าราชการจังหวัด ทุกจังหวัด"),
        ("body", "ด้วยกรมกำหนดจัดการประชุมชี้แจง"),
        ("template_name", "หนังสือเชิญประชุม"),
        ("a0.kind", "list"),
        ("a0.title", "กำหนดการ"),
        ("a0.items", "09.00-09.30 | ลงทะเบียน"),
    ];
    fields.extend(SIGNER);
    let (status, _, html) = page(
        &f.router,
        Method::POST,
        "/ui/templates",
        &s.0,
        Some(&fields),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", error_of(&html));
    assert!(html.contains("id=\"template-saved\""));
    let (status, list) = call(
        &f.router,
        Method::GET,
        "/api/v1/templates",
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let id = list["templates"][0]["id"].as_i64().expect("one template");
    assert_eq!(list["templates"][0]["name"], "หนังสือเชิญประชุม");
    // Started from, in the same office: the form comes back filled.
    let (status, _, html) = page(
        &f.router,
        Method::GET,
        &format!("/documents/new?template={id}"),
        &s.0,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("เชิญประชุมชี้แจง") && html.contains("name=\"a0.kind\" value=\"list\""));
    // Another office: not found, on the page and through the API.
    let pl = session(db, "pl.clerk").await;
    let (status, _, _) = page(
        &f.router,
        Method::GET,
        &format!("/documents/new?template={id}"),
        &pl.0,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, list) = call(
        &f.router,
        Method::GET,
        "/api/v1/templates",
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert_eq!(
        (status, list["templates"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    let (status, _, _) = page(
        &f.router,
        Method::POST,
        &format!("/templates/{id}/delete"),
        &pl.0,
        Some(&[("csrf", pl.1.as_str())]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A role that does not draft gets neither the page nor the save.
    let admin = session(db, "dla.admin").await;
    let (status, _, _) = page(
        &f.router,
        Method::GET,
        &format!("/documents/new?template={id}"),
        &admin.0,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut fields_admin: Vec<(&str, &str)> = fields.clone();
    fields_admin[0] = ("csrf", admin.1.as_str());
    let (status, _, _) = page(
        &f.router,
        Method::POST,
        "/ui/templates",
        &admin.0,
        Some(&fields_admin),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = page(
        &f.router,
        Method::POST,
        &format!("/templates/{id}/delete"),
        &admin.0,
        Some(&[("csrf", admin.1.as_str())]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Without the session's CSRF token nothing is saved.
    let mut no_token = fields.clone();
    no_token[0] = ("csrf", "wrong");
    let (status, _, _) = page(
        &f.router,
        Method::POST,
        "/ui/templates",
        &s.0,
        Some(&no_token),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The access matrix of the template routes: role × office.
    let secret = crate::web::draft_with(&f, "dla.drafter", "ลับ: แผนการตรวจ", Some("secret")).await;
    let plain = crate::web::draft(&f, "dla.drafter", "แม่แบบจากหนังสือในระบบ").await;
    use Method as M;
    let (ok, created, gone) = (StatusCode::OK, StatusCode::CREATED, StatusCode::NO_CONTENT);
    let (forbidden, missing, invalid) = (
        StatusCode::FORBIDDEN,
        StatusCode::NOT_FOUND,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let save = |doc: i64| Some(json!({ "name": format!("จาก {doc}"), "document_id": doc }));
    let cases: Vec<(&str, Method, String, Option<Value>, StatusCode)> = vec![
        ("dla.clerk", M::GET, "/api/v1/templates".into(), None, ok),
        (
            "dla.admin",
            M::GET,
            "/api/v1/templates".into(),
            None,
            forbidden,
        ),
        (
            "dla.head",
            M::GET,
            format!("/api/v1/templates/{id}"),
            None,
            ok,
        ),
        (
            "dla.signer",
            M::GET,
            format!("/api/v1/templates/{id}"),
            None,
            ok,
        ),
        (
            "dla.admin",
            M::GET,
            format!("/api/v1/templates/{id}"),
            None,
            forbidden,
        ),
        (
            "pl.clerk",
            M::GET,
            format!("/api/v1/templates/{id}"),
            None,
            missing,
        ),
        (
            "pl.drafter",
            M::GET,
            format!("/api/v1/templates/{id}"),
            None,
            missing,
        ),
        (
            "dla.drafter",
            M::GET,
            "/api/v1/templates/999999".into(),
            None,
            missing,
        ),
        (
            "pl.clerk",
            M::POST,
            format!("/api/v1/templates/{id}/draft"),
            None,
            missing,
        ),
        (
            "dla.admin",
            M::POST,
            format!("/api/v1/templates/{id}/draft"),
            None,
            forbidden,
        ),
        (
            "dla.checker",
            M::POST,
            format!("/api/v1/templates/{id}/draft"),
            None,
            created,
        ),
        (
            "dla.drafter",
            M::POST,
            "/api/v1/templates".into(),
            save(plain),
            created,
        ),
        (
            "dla.admin",
            M::POST,
            "/api/v1/templates".into(),
            save(plain),
            forbidden,
        ),
        // Another office's document, and a secret one (even its author's).
        (
            "pl.drafter",
            M::POST,
            "/api/v1/templates".into(),
            save(plain),
            missing,
        ),
        (
            "pl.drafter",
            M::POST,
            "/api/v1/templates".into(),
            save(secret),
            missing,
        ),
        (
            "dla.clerk",
            M::POST,
            "/api/v1/templates".into(),
            save(secret),
            missing,
        ),
        (
            "dla.drafter",
            M::POST,
            "/api/v1/templates".into(),
            save(secret),
            invalid,
        ),
        (
            "dla.drafter",
            M::POST,
            "/api/v1/templates".into(),
            Some(json!({ "name": "ลับ", "document": letter("ลับ", Some("confidential")) })),
            invalid,
        ),
        (
            "dla.drafter",
            M::POST,
            "/api/v1/templates".into(),
            Some(json!({ "name": "  ", "document": letter("ว่าง", None) })),
            invalid,
        ),
        (
            "pl.clerk",
            M::DELETE,
            format!("/api/v1/templates/{id}"),
            None,
            missing,
        ),
        (
            "dla.admin",
            M::DELETE,
            format!("/api/v1/templates/{id}"),
            None,
            forbidden,
        ),
        (
            "dla.drafter",
            M::DELETE,
            format!("/api/v1/templates/{id}"),
            None,
            gone,
        ),
        (
            "dla.drafter",
            M::GET,
            format!("/api/v1/templates/{id}"),
            None,
            missing,
        ),
    ];
    for (who, method, uri, body, expected) in cases {
        let (status, answer) =
            call(&f.router, method.clone(), &uri, Some(&f.tokens[who]), body).await;
        assert_eq!(status, expected, "{who} {method} {uri}: {answer}");
        if status.is_client_error() {
            assert!(
                answer["error"]["message_th"].is_string(),
                "{who} {method} {uri}: {answer}"
            );
        }
    }
    // The draft started from the template carries its annex.
    let (_, list) = call(
        &f.router,
        Method::GET,
        "/api/v1/documents?own=true",
        Some(&f.tokens["dla.drafter"]),
        None,
    )
    .await;
    assert!(list.to_string().contains("เชิญประชุมชี้แจง"));
}
