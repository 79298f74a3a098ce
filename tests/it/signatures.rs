//! Signature images: each user sets their own (API and profile page), the
//! image prints above the signer's typed name (checked from outside: the
//! image with `pdfimages`, its place with `pdftotext -bbox` and the pixels
//! of `pdftoppm`), the official copy made at numbering carries it and
//! keeps it when the user later changes theirs, and without an image the
//! page is what it was. Both databases.

use std::process::Command;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use saraban::model::Document;
use saraban::render::{RenderOptions, SignatureImage};
use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::{demo, offices};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::db::{TestDb, actor, count, on_both};
use crate::render::{renderer, temp_pdf};
use crate::support::skipped;
use crate::web::{Fixture, call, fixture, letter};

on_both!(
    users_set_their_own_signature_image,
    the_official_copy_keeps_the_image_it_was_made_with,
    the_profile_page_uploads_shows_and_removes,
    the_signer_who_signs_in_saraban_brings_their_image
);

/// The seed letter's signer, as `examples/seed-000.json` names him.
const SIGNER: &str = "นายศิริพันธ์ ศรีกิ่งพลี";

/// A transparent PNG `w` × `h` with a blue stroke corner to corner and
/// along the foot: a stand-in for a scanned signature.
fn signature_png(w: u32, h: u32) -> Vec<u8> {
    let mut img = image::RgbaImage::new(w, h);
    let blue = image::Rgba([0, 0, 255, 255]);
    let thick = (h / 12).max(2) as i64;
    for x in 0..w {
        let y = (h - 1) as i64 - (x as i64 * (h - 1) as i64) / (w - 1) as i64;
        for dy in -thick..=thick {
            let yy = y + dy;
            if (0..h as i64).contains(&yy) {
                img.put_pixel(x, yy as u32, blue);
            }
        }
        for yy in h - thick as u32..h {
            img.put_pixel(x, yy, blue);
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn signature_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([250, 250, 250]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn tools() -> bool {
    let ok = ["pdfimages", "pdftotext", "pdftoppm"]
        .iter()
        .all(|t| Command::new(t).arg("-v").output().is_ok());
    if !ok {
        skipped(
            "poppler-utils (pdfimages, pdftotext, pdftoppm) not installed: signature image placement not checked",
        );
    }
    ok
}

/// The images `pdfimages -list` finds: (page, width, height), soft masks
/// left out.
fn images(pdf: &[u8]) -> Vec<(usize, u32, u32)> {
    let path = temp_pdf("signature-images", pdf);
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(&path)
        .output()
        .expect("run pdfimages");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.get(2) == Some(&"image")).then(|| {
                (
                    f[0].parse().unwrap(),
                    f[3].parse().unwrap(),
                    f[4].parse().unwrap(),
                )
            })
        })
        .collect()
}

/// A word's box on its page, in points from the top left.
#[derive(Debug, Clone)]
struct Word {
    page: usize,
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let start = tag.find(&key).unwrap() + key.len();
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

/// Every word of the PDF with its page (from 1), from `pdftotext -bbox`.
fn words(pdf: &[u8]) -> Vec<Word> {
    let path = temp_pdf("signature-words", pdf);
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(&path)
        .arg("-")
        .output()
        .expect("run pdftotext");
    let html = String::from_utf8(out.stdout).unwrap();
    let mut page = 0;
    let mut found = Vec::new();
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
        } else if line.starts_with("<word ") {
            found.push(Word {
                page,
                text: line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()].to_string(),
                x0: attr(line, "xMin"),
                y0: attr(line, "yMin"),
                x1: attr(line, "xMax"),
                y1: attr(line, "yMax"),
            });
        }
    }
    found
}

/// The signer's name line: its two words, "(นายศิริพันธ์" and "ศรีกิ่งพลี)".
fn name_line(words: &[Word]) -> Word {
    let first = words
        .iter()
        .find(|w| w.text.starts_with("(นายศิริพันธ์"))
        .expect("the signer's name in the text layer")
        .clone();
    let last = words
        .iter()
        .find(|w| {
            w.page == first.page && w.text.ends_with("ศรีกิ่งพลี)") && (w.y0 - first.y0).abs() < 1.0
        })
        .expect("the name's second word on its line");
    Word {
        x1: last.x1,
        ..first
    }
}

/// Page `page` at 80 dpi: the box of its blue pixels, in points, if any.
fn blue_box(pdf: &[u8], page: usize, keep_as: &str) -> Option<(f64, f64, f64, f64)> {
    let path = temp_pdf("signature-page", pdf);
    let stem = path.with_extension("");
    let p = page.to_string();
    let ok = Command::new("pdftoppm")
        .args(["-r", "80", "-png", "-singlefile", "-f", &p, "-l", &p])
        .arg(&path)
        .arg(&stem)
        .status()
        .unwrap()
        .success();
    assert!(ok, "pdftoppm failed");
    let png = stem.with_extension("png");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("signatures");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&png, dir.join(keep_as)).unwrap();
    let img = image::open(&png).unwrap().to_rgb8();
    let scale = 72.0 / 80.0;
    let mut b: Option<(u32, u32, u32, u32)> = None;
    for (x, y, px) in img.enumerate_pixels() {
        let [r, g, bl] = px.0;
        if bl > 150 && r < 110 && g < 110 {
            b = Some(match b {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
    }
    b.map(|(x0, y0, x1, y1)| {
        (
            x0 as f64 * scale,
            y0 as f64 * scale,
            (x1 + 1) as f64 * scale,
            (y1 + 1) as f64 * scale,
        )
    })
}

const CM: f64 = 72.0 / 2.54;

#[test]
fn a_signature_image_prints_above_the_signers_name() {
    let doc = Document::from_json(demo::SEED_000).unwrap();
    let r = renderer();
    let render = |signatures: Vec<SignatureImage>| {
        r.render_pdf(
            &doc,
            &RenderOptions {
                signatures,
                ..RenderOptions::default()
            },
        )
        .unwrap()
    };
    let png = signature_png(600, 240);
    let plain = render(Vec::new());
    // Someone else's image changes nothing: the page is byte for byte the same.
    let other = render(vec![SignatureImage {
        name: "นายสมชาย ใจดี".into(),
        bytes: png.clone(),
    }]);
    assert_eq!(plain, other, "an image for another name changed the page");
    // The signer's, named with stray blanks as a form might send it.
    let signed = render(vec![SignatureImage {
        name: "  นายศิริพันธ์   ศรีกิ่งพลี ".into(),
        bytes: png,
    }]);
    assert_ne!(plain, signed);
    if !tools() {
        return;
    }
    assert_eq!(images(&plain), vec![], "no image without a signature");
    let plain_words = words(&plain);
    let signed_words = words(&signed);
    let name = name_line(&signed_words);
    assert_eq!(
        images(&signed),
        vec![(name.page, 600, 240)],
        "one image, on the signature's page"
    );
    // The same text, in the same order.
    let text = |w: &[Word]| {
        w.iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(text(&plain_words), text(&signed_words));
    // Above the name, clear of the closing, centred on the name, at most
    // 3.5 × 1.5 cm.
    let (x0, y0, x1, y1) =
        blue_box(&signed, name.page, "signed.png").expect("the signature's blue stroke");
    let closing = signed_words
        .iter()
        .find(|w| w.page == name.page && w.text.starts_with("ขอแสดงความนับถือ"))
        .expect("the closing line");
    assert!(
        y1 <= name.y0 + 1.5,
        "image bottom {y1} below the name's top {}",
        name.y0
    );
    assert!(
        name.y0 - y1 < 0.5 * CM,
        "image {y1} far above the name {}",
        name.y0
    );
    assert!(
        y0 >= closing.y1 - 1.0,
        "image top {y0} over the closing {}",
        closing.y1
    );
    assert!(x1 - x0 <= 3.5 * CM + 1.5, "image {} pt wide", x1 - x0);
    assert!(y1 - y0 <= 1.5 * CM + 1.5, "image {} pt high", y1 - y0);
    assert!(x1 - x0 >= 3.0 * CM, "image shrunk to {} pt", x1 - x0);
    let centre = (x0 + x1) / 2.0;
    let name_centre = (name.x0 + name.x1) / 2.0;
    assert!(
        (centre - name_centre).abs() < 3.0,
        "image centred at {centre}, name at {name_centre}"
    );
    // Everything down to the closing stays where it was; the name moves
    // down by a few millimetres at most.
    let plain_name = name_line(&plain_words);
    let plain_closing = plain_words
        .iter()
        .find(|w| w.page == plain_name.page && w.text.starts_with("ขอแสดงความนับถือ"))
        .unwrap();
    assert_eq!(plain_name.page, name.page);
    assert!((plain_closing.y0 - closing.y0).abs() < 0.5);
    let shift = name.y0 - plain_name.y0;
    assert!(
        (0.0..0.5 * CM).contains(&shift),
        "the name moved {shift} pt"
    );
    assert!(blue_box(&plain, name.page, "plain.png").is_none());
}

/// A raw request: status, headers and body bytes.
async fn send(
    router: &axum::Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = router
        .clone()
        .oneshot(
            req.header(header::CONTENT_TYPE, "image/png")
                .body(Body::from(body))
                .unwrap(),
        )
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

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

/// Adds a user of the office named `office` with this display name, and
/// an API token for them.
async fn user_named(db: &TestDb, username: &str, office: &str, display: &str) -> (i64, String) {
    let office = offices::find(db, office).await.unwrap();
    let user = accounts::add(
        db,
        &actor(),
        &office,
        &NewUser {
            username,
            display_name: display,
            role: Role::Signer,
            password: crate::web::PASSWORD,
            must_change: false,
        },
    )
    .await
    .unwrap();
    let token = accounts::add_token(db, &actor(), &user, "test")
        .await
        .unwrap();
    (user.id, token)
}

const ME: &str = "/api/v1/me/signature";

async fn users_set_their_own_signature_image(db: &TestDb) {
    let f = fixture(db).await;
    let (signer_id, signer) = user_named(db, "dla.sirip", "มท 0810.7", SIGNER).await;
    let png = signature_png(300, 120);
    // Nobody has one yet.
    let (s, _, _) = send(&f.router, Method::GET, ME, Some(&signer), vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, body) = send(&f.router, Method::PUT, ME, Some(&signer), png.clone()).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let info = json_of(&body);
    assert_eq!(info["media_type"], "image/png");
    assert_eq!(
        (info["width"].as_u64(), info["height"].as_u64()),
        (Some(300), Some(120))
    );
    assert_eq!(info["size"].as_u64(), Some(png.len() as u64));
    // Served back as a download of its own type, never as a page.
    let (s, h, body) = send(&f.router, Method::GET, ME, Some(&signer), vec![]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "image/png");
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(body, png);
    // JPEG is taken too.
    let jpeg = signature_jpeg(200, 80);
    let (s, _, body) = send(&f.router, Method::PUT, ME, Some(&signer), jpeg.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(json_of(&body)["media_type"], "image/jpeg");
    let (_, h, _) = send(&f.router, Method::GET, ME, Some(&signer), vec![]).await;
    assert_eq!(h[header::CONTENT_TYPE], "image/jpeg");
    let (s, _, _) = send(&f.router, Method::PUT, ME, Some(&signer), png.clone()).await;
    assert_eq!(s, StatusCode::OK);
    // Bad files: Thai and English, the field named, nothing written.
    let mut cut = png.clone();
    cut.truncate(png.len() / 2);
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><path d=\"M0 0\"/></svg>".to_vec();
    for (what, bytes) in [("gif", gif), ("html", html), ("svg", svg), ("cut png", cut)] {
        let (s, _, body) = send(&f.router, Method::PUT, ME, Some(&signer), bytes).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        let e = &json_of(&body)["error"];
        assert_eq!(e["field"], "signature", "{what}: {e}");
        assert!(
            e["message_th"].as_str().unwrap().contains("ภาพลายมือชื่อ"),
            "{e}"
        );
        assert!(e["message_en"].as_str().unwrap().contains("PNG"), "{e}");
    }
    let (s, _, body) = send(&f.router, Method::PUT, ME, Some(&signer), vec![]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json_of(&body)["error"]["message_th"].as_str().is_some());
    // Too big: 413 with both languages, whatever the bytes start with.
    let mut big = png.clone();
    big.resize(1024 * 1024 + 1, 0);
    let (s, _, body) = send(&f.router, Method::PUT, ME, Some(&signer), big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let e = &json_of(&body)["error"];
    assert_eq!(e["code"], "too_large");
    assert!(e["message_th"].as_str().unwrap().contains("เมกะไบต์"), "{e}");
    assert!(e["message_en"].as_str().unwrap().contains("1 MB"), "{e}");
    // Huge in pixels, small in bytes: refused before it is decoded whole.
    let wide = {
        let img = image::GrayImage::new(5000, 10);
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let (s, _, _) = send(&f.router, Method::PUT, ME, Some(&signer), wide).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, _, body) = send(&f.router, Method::GET, ME, Some(&signer), vec![]).await;
    assert_eq!(body, png, "a refused upload leaves the image as it was");

    // Access: each user only ever reaches their own; every role may set
    // theirs; no route reaches another user's, administrators included.
    for who in [
        "dla.clerk",
        "dla.drafter",
        "dla.signer",
        "dla.head",
        "dla.admin",
        "pl.clerk",
    ] {
        let t = Some(f.tokens[who].as_str());
        let (s, _, _) = send(&f.router, Method::GET, ME, t, vec![]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who} sees someone's image");
        let own = signature_jpeg(50, 20);
        let (s, _, _) = send(&f.router, Method::PUT, ME, t, own.clone()).await;
        assert_eq!(s, StatusCode::OK, "{who} setting their own");
        let (_, _, body) = send(&f.router, Method::GET, ME, t, vec![]).await;
        assert_eq!(body, own, "{who} reads their own");
        let (s, _, _) = send(&f.router, Method::DELETE, ME, t, vec![]).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{who} removing their own");
    }
    let admin = Some(f.tokens["dla.admin"].as_str());
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let uri = format!("/api/v1/users/{signer_id}/signature");
        let (s, _, _) = send(&f.router, method.clone(), &uri, admin, png.clone()).await;
        assert!(
            s == StatusCode::NOT_FOUND || s == StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}: {s}"
        );
    }
    let (s, _, _) = send(&f.router, Method::PUT, ME, None, png.clone()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, _, body) = send(&f.router, Method::GET, ME, Some(&signer), vec![]).await;
    assert_eq!(body, png, "nobody else changed the signer's image");
    // Removing twice is fine; then it is gone.
    for _ in 0..2 {
        let (s, _, _) = send(&f.router, Method::DELETE, ME, Some(&signer), vec![]).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let (s, _, _) = send(&f.router, Method::GET, ME, Some(&signer), vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(count(db, "SELECT COUNT(*) FROM user_signatures").await, 0);
    // Every change is in the audit chain (three uploads and one removal;
    // refused uploads and removing nothing wrote nothing), and it holds.
    assert_eq!(
        count(
            db,
            &format!("SELECT COUNT(*) FROM audit_events WHERE object = 'signature:{signer_id}'")
        )
        .await,
        4
    );
    let verdict = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
}

/// Drafts a letter signed by [`SIGNER`] as the DLA and numbers it; its
/// official copy.
async fn numbered_copy(f: &Fixture, subject: &str) -> Vec<u8> {
    let (s, made) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&f.tokens["dla.drafter"]),
        Some(json!({ "document": letter(subject, None) })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(made["content"]["main"]["signer"]["name"], SIGNER);
    let id = made["id"].as_i64().unwrap();
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/number"),
        Some(&f.tokens["dla.head"]),
        Some(json!({ "series": "circular" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    official_pdf(f, id).await
}

async fn official_pdf(f: &Fixture, id: i64) -> Vec<u8> {
    let (s, h, pdf) = send(
        &f.router,
        Method::GET,
        &format!("/api/v1/documents/{id}/pdf"),
        Some(&f.tokens["dla.clerk"]),
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    pdf
}

async fn the_official_copy_keeps_the_image_it_was_made_with(db: &TestDb) {
    let (f, _) = crate::official::signing_fixture(db).await;
    // The DLA's signer, named with a double blank; a namesake in
    // Phitsanulok, whose image must never reach a DLA letter.
    let (_, signer) = user_named(db, "dla.sirip", "มท 0810.7", "นายศิริพันธ์  ศรีกิ่งพลี ").await;
    let (_, namesake) = user_named(db, "pl.sirip", "พล 0023", SIGNER).await;
    let (s, _, _) = send(
        &f.router,
        Method::PUT,
        ME,
        Some(&namesake),
        signature_png(500, 100),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = send(
        &f.router,
        Method::PUT,
        ME,
        Some(&signer),
        signature_png(300, 120),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let first = numbered_copy(&f, "หนังสือที่มีภาพลายมือชื่อ").await;
    let id = {
        use sqlx::Row;
        sqlx::query("SELECT MAX(id) FROM documents")
            .fetch_one(db.store.reader())
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap()
    };
    // The signer changes their image: the copy already made stays as made.
    let (s, _, _) = send(
        &f.router,
        Method::PUT,
        ME,
        Some(&signer),
        signature_png(400, 200),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        official_pdf(&f, id).await,
        first,
        "the official copy changed"
    );
    let second = numbered_copy(&f, "หนังสือหลังเปลี่ยนภาพลายมือชื่อ").await;
    let (s, _, _) = send(&f.router, Method::DELETE, ME, Some(&signer), vec![]).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        official_pdf(&f, id).await,
        first,
        "the official copy changed"
    );
    let third = numbered_copy(&f, "หนังสือหลังลบภาพลายมือชื่อ").await;
    let verdict = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
    // Still a signed PDF/A official copy: the signature holds over the image.
    let info = saraban::sign::verify_pdf(&first).expect("the official copy is signed");
    assert!(info.pades);
    if let Some(report) = crate::official::pdfsig(&first) {
        assert!(report.contains("Signature is Valid."), "{report}");
    }
    match Command::new("qpdf")
        .arg("--check")
        .arg(temp_pdf("signature-qpdf", &first))
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(_) => skipped("qpdf is not installed: the official copy's structure was not checked"),
    }
    if !tools() {
        return;
    }
    let page_of_name = |pdf: &[u8]| name_line(&words(pdf)).page;
    assert_eq!(images(&first), vec![(page_of_name(&first), 300, 120)]);
    assert_eq!(images(&second), vec![(page_of_name(&second), 400, 200)]);
    assert_eq!(images(&third), vec![]);
    blue_box(&first, page_of_name(&first), "official.png").expect("the image on the page");
}

/// A multipart form with the CSRF token and, when given, a file.
fn multipart(csrf: &str, file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "saraban-signature-boundary";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .into_bytes();
    if let Some(bytes) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sig.png\"\r\n\
                 Content-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A page request with the session cookie: status, headers and body.
async fn page(
    router: &axum::Router,
    method: Method,
    uri: &str,
    cookie: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("saraban_session={cookie}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
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

async fn the_profile_page_uploads_shows_and_removes(db: &TestDb) {
    let f = fixture(db).await;
    let user = accounts::find(db, "dla.signer").await.unwrap().unwrap();
    let session = accounts::open_session(db, &user).await.unwrap();
    let cookie = session.secret.as_str();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (s, _, body) = page(
        &f.router,
        Method::GET,
        "/profile",
        cookie,
        "text/plain",
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(&body).contains("ยังไม่มีภาพลายมือชื่อ"));
    let png = signature_png(240, 90);
    // Without the CSRF token nothing is stored.
    let (ct, body) = multipart("wrong", Some(&png));
    let (s, _, _) = page(
        &f.router,
        Method::POST,
        "/profile/signature",
        cookie,
        &ct,
        body,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(count(db, "SELECT COUNT(*) FROM user_signatures").await, 0);
    let (ct, body) = multipart(&session.csrf, Some(&png));
    let (s, h, _) = page(
        &f.router,
        Method::POST,
        "/profile/signature",
        cookie,
        &ct,
        body,
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/profile");
    let (_, _, body) = page(
        &f.router,
        Method::GET,
        "/profile",
        cookie,
        "text/plain",
        vec![],
    )
    .await;
    assert!(
        text(&body).contains("<img src=\"/profile/signature?v="),
        "{}",
        text(&body)
    );
    // The preview is the image, as a download.
    let (s, h, body) = page(
        &f.router,
        Method::GET,
        "/profile/signature",
        cookie,
        "text/plain",
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "image/png");
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(body, png);
    // A bad file and a big one: the page again, with the reason in Thai and English.
    let (ct, body) = multipart(&session.csrf, Some(b"%PDF-1.7 not an image"));
    let (s, _, body) = page(
        &f.router,
        Method::POST,
        "/profile/signature",
        cookie,
        &ct,
        body,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let t = text(&body);
    assert!(t.contains("ภาพลายมือชื่อต้องเป็นไฟล์ PNG"), "{t}");
    assert!(t.contains("must be a PNG"), "{t}");
    let mut big = png.clone();
    big.resize(1024 * 1024 + 10, 0);
    let (ct, body) = multipart(&session.csrf, Some(&big));
    let (s, _, body) = page(
        &f.router,
        Method::POST,
        "/profile/signature",
        cookie,
        &ct,
        body,
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text(&body).contains("ไม่เกิน ๑ เมกะไบต์"));
    let (_, _, body) = page(
        &f.router,
        Method::GET,
        "/profile/signature",
        cookie,
        "text/plain",
        vec![],
    )
    .await;
    assert_eq!(body, png, "refused uploads changed nothing");
    // Removing: a form with the token.
    let form = "application/x-www-form-urlencoded";
    let (s, _, _) = page(
        &f.router,
        Method::POST,
        "/profile/signature/delete",
        cookie,
        form,
        b"csrf=wrong".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = page(
        &f.router,
        Method::POST,
        "/profile/signature/delete",
        cookie,
        form,
        format!("csrf={}", session.csrf).into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = page(
        &f.router,
        Method::GET,
        "/profile/signature",
        cookie,
        "text/plain",
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Without a session, the login page.
    let (s, h, _) = page(
        &f.router,
        Method::GET,
        "/profile",
        "nobody",
        "text/plain",
        vec![],
    )
    .await;
    assert_eq!(
        (s, &h[header::LOCATION]),
        (
            StatusCode::SEE_OTHER,
            &"/login".parse::<axum::http::HeaderValue>().unwrap()
        )
    );
}

/// A head signs a draft through the check-and-sign path, typing the name
/// the letter prints (not their account's display name): their image goes
/// on the official copy all the same, because saraban knows who signed.
async fn the_signer_who_signs_in_saraban_brings_their_image(db: &TestDb) {
    if !tools() {
        return;
    }
    let f = fixture(db).await;
    let (_, boss) = user_named(db, "dla.boss", "มท 0810.7", "ผอ.ศิริพันธ์ (บัญชีผู้ใช้)").await;
    let (s, _, _) = send(
        &f.router,
        Method::PUT,
        ME,
        Some(&boss),
        signature_png(500, 100),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let drafter = Some(f.tokens["dla.drafter"].as_str());
    let (s, made) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        drafter,
        Some(json!({ "document": letter("ลงนามในระบบพร้อมลายมือชื่อ", None) })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    // Before anyone signs, no account's display name is the printed name.
    assert!(images(&official_pdf(&f, id).await).is_empty());
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/submit"),
        drafter,
        Some(json!({ "signer": "dla.boss" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/sign"),
        Some(&boss),
        Some(json!({ "decision": "sign", "name": SIGNER })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // The signed draft shows the image, and so does the official copy.
    assert_eq!(images(&official_pdf(&f, id).await).len(), 1);
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{id}/number"),
        Some(&f.tokens["dla.head"]),
        Some(json!({ "series": "circular" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let copy = official_pdf(&f, id).await;
    let found = images(&copy);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].1, found[0].2), (500, 100), "{found:?}");
}
