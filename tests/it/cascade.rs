//! Enclosures travel down a cascade: a letter dispatched with two files
//! reaches อบต.วังยาง (DLA → จังหวัดพิษณุโลก → อำเภอเนินมะปราง → วังยาง) with
//! both files, and every letter above its own — the DLA's original, then
//! the province's cover — listed and readable; a sibling office sees none
//! of the district's cover. Each receive register's การปฏิบัติ says what the
//! office did.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::db::{TestDb, on_both};
use crate::secrets::raw;
use crate::web::{Fixture, call, fixture, letter};

on_both!(enclosures_and_the_chain_travel_down);
on_both!(search_ranks_the_number_first_and_opens_the_callers_delivery);
on_both!(search_ranks_subject_phrases_before_body_matches);

async fn view_of(f: &Fixture, who: &str, id: i64) -> Value {
    let (s, view) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/deliveries/{id}"),
        Some(&f.tokens[who]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{view}");
    view
}

fn enc(q: &str) -> String {
    percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The ids and `delivery_id`s `who` finds for `q`, in order.
async fn found(f: &Fixture, who: &str, q: &str) -> Vec<(i64, Option<i64>)> {
    let (s, body) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents?q={}", enc(q)),
        Some(&f.tokens[who]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_i64().unwrap(), d["delivery_id"].as_i64()))
        .collect()
}

/// The delivery in `who`'s inbox of the letter numbered `number`.
pub(crate) async fn delivery_of(f: &Fixture, who: &str, number: &str) -> i64 {
    let (s, inbox) = call(
        &f.router,
        Method::GET,
        "/api/v1/inbox",
        Some(&f.tokens[who]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{inbox}");
    inbox["inbox"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == json!(number))
        .unwrap_or_else(|| panic!("{number} in {who}'s inbox: {inbox}"))["delivery"]["id"]
        .as_i64()
        .unwrap()
}

/// Receives delivery `id` and forwards it (to `to`, or one level down);
/// the cover letter's number.
pub(crate) async fn receive_and_forward(
    f: &Fixture,
    who: &str,
    id: i64,
    to: Option<&str>,
) -> (i64, String) {
    let t = Some(f.tokens[who].as_str());
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/deliveries/{id}/receive"),
        t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/deliveries/{id}/forward"),
        t,
        Some(json!({ "to": to })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    (
        body["cover"]["id"].as_i64().unwrap(),
        body["cover"]["number"].as_str().unwrap().to_string(),
    )
}

/// A circular of the DLA's, drafted as `dla.clerk`: its id.
async fn circular_draft(f: &Fixture, subject: &str) -> i64 {
    let (s, made) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.clerk"]),
        Some(json!({ "document": letter(subject, None) })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    made["id"].as_i64().unwrap()
}

/// Where a circular went down DLA → จังหวัดพิษณุโลก → อำเภอเนินมะปราง →
/// วังยาง: its number, the offices' deliveries and the cover letters.
struct Chain {
    number: String,
    at_pl: i64,
    pl_cover: i64,
    pl_number: String,
    nmp_cover: i64,
    nmp_number: String,
    at_wy: i64,
}

/// Numbers draft `root` in the ว series, sends it to the province, and
/// has the province and the district receive and forward it to วังยาง.
async fn send_down(f: &Fixture, root: i64) -> Chain {
    let dla = Some(f.tokens["dla.clerk"].as_str());
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{root}/number"),
        dla,
        Some(json!({ "series": "circular" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let number = body["document"]["number"].as_str().unwrap().to_string();
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{root}/dispatch"),
        dla,
        Some(json!({ "to": "พล 0023" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let at_pl = delivery_of(f, "pl.clerk", &number).await;
    let (pl_cover, pl_number) = receive_and_forward(f, "pl.clerk", at_pl, None).await;
    let at_nmp = delivery_of(f, "nmp.clerk", &pl_number).await;
    let (nmp_cover, nmp_number) =
        receive_and_forward(f, "nmp.clerk", at_nmp, Some("องค์การบริหารส่วนตำบลวังยาง")).await;
    let at_wy = delivery_of(f, "wy.clerk", &nmp_number).await;
    Chain {
        number,
        at_pl,
        pl_cover,
        pl_number,
        nmp_cover,
        nmp_number,
        at_wy,
    }
}

async fn enclosures_and_the_chain_travel_down(db: &TestDb) {
    let f = fixture(db).await;
    let root = circular_draft(&f, "การประชุมชี้แจงพร้อมเอกสารแนบ").await;
    let files: [(&str, &[u8]); 2] = [
        ("schedule.pdf", b"%PDF-1.4\n% schedule\n%%EOF\n"),
        (
            "reply-form.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89",
        ),
    ];
    let mut attached = Vec::new();
    for (name, bytes) in files {
        let (s, _, body) = raw(
            &f,
            Method::POST,
            &format!("/api/v1/documents/{root}/attachments?name={name}"),
            "dla.clerk",
            Some("application/octet-stream"),
            bytes.to_vec(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
        let v: Value = serde_json::from_slice(&body).unwrap();
        attached.push((v["id"].as_i64().unwrap(), bytes.to_vec()));
    }
    let Chain {
        number,
        at_pl,
        pl_cover,
        nmp_cover,
        at_wy,
        ..
    } = send_down(&f, root).await;

    // วังยาง's view of its delivery: the original first, then the
    // province's cover; the original with both its files.
    let wy = Some(f.tokens["wy.clerk"].as_str());
    let (s, view) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/deliveries/{at_wy}"),
        wy,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{view}");
    let chain: Vec<i64> = view["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["document_id"].as_i64().unwrap())
        .collect();
    assert_eq!(chain, vec![root, pl_cover], "{view}");
    let names: Vec<&str> = view["chain"][0]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["schedule.pdf", "reply-form.png"]);
    // Each file and each letter above opens for วังยาง, byte for byte.
    for (id, bytes) in &attached {
        let (s, _, got) = raw(
            &f,
            Method::GET,
            &format!("/api/v1/documents/{root}/attachments/{id}"),
            "wy.clerk",
            None,
            Vec::new(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(&got, bytes);
    }
    for doc in [root, pl_cover, nmp_cover] {
        let (s, _, pdf) = raw(
            &f,
            Method::GET,
            &format!("/api/v1/documents/{doc}/pdf"),
            "wy.clerk",
            None,
            Vec::new(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "document {doc}");
        assert!(pdf.starts_with(b"%PDF"));
    }
    // อบต.ชมพู, under the same district but not sent this letter, sees
    // neither the district's cover nor the province's.
    for doc in [pl_cover, nmp_cover] {
        let (s, _, _) = raw(
            &f,
            Method::GET,
            &format!("/api/v1/documents/{doc}/pdf"),
            "chomphu.clerk",
            None,
            Vec::new(),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "document {doc}");
    }
    // The province shows its เลขรับ as its receive register has it, and
    // prints the letter with the receive stamp.
    let (s, view) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/deliveries/{at_pl}"),
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{view}");
    let mark = view["receive"]["number"]
        .as_str()
        .expect("a เลขรับ")
        .to_string();
    let (_, reg) = call(
        &f.router,
        Method::GET,
        "/api/v1/registers/receive?limit=1000",
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    let row = reg["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| saraban::thai::to_arabic_digits(r["doc_number"].as_str().unwrap()) == number)
        .unwrap_or_else(|| panic!("{number} in the receive register: {reg}"));
    let mark_arabic = saraban::thai::to_arabic_digits(&mark);
    let (seq, year) = mark_arabic.split_once('/').expect("เลขรับ/ปี");
    assert_eq!(seq, row["seq"].to_string(), "{row}");
    assert_eq!(year, reg["year_be"].to_string(), "{reg}");
    if crate::render::poppler() {
        let (s, _, stamped) = raw(
            &f,
            Method::GET,
            &format!("/api/v1/deliveries/{at_pl}/stamped.pdf"),
            "pl.clerk",
            None,
            Vec::new(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        // Kept for looking at (pdftoppm -r 80 -png).
        std::fs::write(
            std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("delivery-stamped-{:?}.pdf", db.backend())),
            &stamped,
        )
        .unwrap();
        let corner = crate::intake::top_right_text(&stamped);
        assert!(corner.contains(&mark), "{corner}");
        assert!(corner.contains("เลขรับ"), "{corner}");
    }
    // Not yet received: no stamp; another office's delivery: not found.
    let (s, _, _) = raw(
        &f,
        Method::GET,
        &format!("/api/v1/deliveries/{at_wy}/stamped.pdf"),
        "wy.clerk",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(view_of(&f, "wy.clerk", at_wy).await["receive"].is_null());
    for who in ["chomphu.clerk", "wy.clerk"] {
        let (s, _, _) = raw(
            &f,
            Method::GET,
            &format!("/api/v1/deliveries/{at_pl}/stamped.pdf"),
            who,
            None,
            Vec::new(),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
    }
    // The province's cover lists what it carries: the DLA letter first.
    let (_, cover) = call(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{pl_cover}"),
        wy,
        None,
    )
    .await;
    let first = cover["content"]["main"]["enclosures"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        first.starts_with("สำเนาหนังสือกรมส่งเสริมการปกครองท้องถิ่น ที่ มท 0810.7/ว"),
        "{cover}"
    );
}

/// The DLA's circular travels down to วังยาง; the covers on the way cite
/// its number and are newer, yet a search for the number lists the circular
/// first, in Arabic or Thai digits, and each result opens through วังยาง's
/// own delivery.
async fn search_ranks_the_number_first_and_opens_the_callers_delivery(db: &TestDb) {
    let f = fixture(db).await;
    let root = circular_draft(&f, "การอบรมเชิงปฏิบัติการระบบบัญชี").await;
    let Chain {
        number,
        at_pl,
        pl_cover,
        pl_number,
        nmp_cover,
        nmp_number,
        at_wy,
    } = send_down(&f, root).await;

    let thai = saraban::thai::to_thai_digits(&number);
    for q in [number.as_str(), thai.as_str()] {
        let hits = found(&f, "wy.clerk", q).await;
        // The covers cite the circular, so they match too, but after it.
        assert_eq!(hits.first(), Some(&(root, Some(at_wy))), "{q}: {hits:?}");
        assert!(hits.iter().any(|h| h.0 == nmp_cover), "{q}: {hits:?}");
    }
    assert_eq!(
        found(&f, "wy.clerk", &pl_number).await.first(),
        Some(&(pl_cover, Some(at_wy)))
    );
    assert_eq!(
        found(&f, "wy.clerk", &nmp_number).await.first(),
        Some(&(nmp_cover, Some(at_wy)))
    );
    // The province finds its own cover as its document, and the circular
    // through its own delivery.
    let pl_hits = found(&f, "pl.clerk", &number).await;
    assert_eq!(pl_hits.first(), Some(&(root, Some(at_pl))), "{pl_hits:?}");
    assert!(pl_hits.contains(&(pl_cover, None)), "{pl_hits:?}");

    // The search page links the result to วังยาง's delivery page.
    let (s, _, page) = raw(
        &f,
        Method::GET,
        &format!("/search?q={}", enc(&number)),
        "wy.clerk",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    let first = page.find("<li><a href=").expect("a result");
    assert!(
        page[first..].starts_with(&format!("<li><a href=\"/deliveries/{at_wy}\">")),
        "{}",
        &page[first..first + 120]
    );
}

/// A letter whose subject is the query comes before a newer one that only
/// mentions it in its body; all words still must match.
async fn search_ranks_subject_phrases_before_body_matches(db: &TestDb) {
    let f = fixture(db).await;
    let phrase = "รายงานผลการตรวจสอบพัสดุประจำปี";
    let titled = crate::web::draft(&f, "dla.clerk", phrase).await;
    let mut doc = letter("ขอเชิญประชุมคณะกรรมการ", None);
    doc["main"]["body"] = json!([format!("ตามที่ได้ส่ง{phrase}ไปแล้ว นั้น")]);
    let (s, made) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.clerk"]),
        Some(json!({ "document": doc })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let mentioned = made["id"].as_i64().unwrap();
    let within = crate::web::draft(&f, "dla.clerk", &format!("ส่ง{phrase} (ฉบับแก้ไข)")).await;
    let hits: Vec<i64> = found(&f, "dla.clerk", phrase)
        .await
        .iter()
        .map(|h| h.0)
        .collect();
    assert_eq!(hits, vec![titled, within, mentioned]);
    // Spaced the way a clerk might type it, the same order.
    let hits: Vec<i64> = found(&f, "dla.clerk", "รายงานผล การตรวจสอบพัสดุ ประจำปี")
        .await
        .iter()
        .map(|h| h.0)
        .collect();
    assert_eq!(hits, vec![titled, within, mentioned]);
}
