//! E-mail down the chain (issue 18 §3): offices outside saraban get what
//! their level sends them, not only what a dispatch sends. อบต.วังยาง,
//! marked outside, has the district's cover letter e-mailed to it when
//! อำเภอเนินมะปราง forwards, with every letter above it — the province's
//! cover and the DLA's circular, each as its PDF — and the circular's
//! enclosure; a relay down the whole chain does the same from the
//! district's mailbox. An office outside with no address is recorded as
//! failed, and the district's clerk sends it again once the address is
//! set (others get 404, a drafter 403, a sent one 409). Against the real
//! local mail server (`.ci/mail-start`), on both databases.

use axum::http::{Method, StatusCode};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{Value, json};
use sqlx::Row;

use saraban::app::deliveries::DispatchRequest;
use saraban::app::{App, DocumentId};
use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::{audit, offices};

use crate::cascade::{delivery_of, receive_and_forward};
use crate::db::{TestDb, actor, on_both};
use crate::mail::{
    mail_server, numbered, office_id, operator, password_file, pdftotext, tag, wait_for,
};
use crate::support::skipped;
use crate::web::{Fixture, call, fixture};

on_both!(offices_outside_get_forwards_and_relays_by_email);

/// (file name, bytes) of each attachment of a raw message.
fn files_of(raw: &[u8]) -> (String, Vec<(String, Vec<u8>)>) {
    let m = MessageParser::default().parse(raw).unwrap();
    let text = m.body_text(0).map(|t| t.to_string()).unwrap_or_default();
    let files = m
        .attachments()
        .map(|a| {
            (
                saraban::thai::to_arabic_digits(a.attachment_name().unwrap_or_default()),
                a.contents().to_vec(),
            )
        })
        .collect();
    (text, files)
}

/// The e-mail record of delivery `id`: (state, address, error).
async fn mail_row(db: &TestDb, id: i64) -> (String, String, Option<String>) {
    let row = sqlx::query("SELECT state, address, error FROM mail_deliveries WHERE id = $1")
        .bind(id)
        .fetch_one(db.store.reader())
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

/// A user of อำเภอเนินมะปราง with `role`: their API token.
async fn nmp_user(db: &TestDb, role: Role) -> String {
    let username = format!("nmp.{}", role.key());
    let user = accounts::add(
        db,
        &actor(),
        &offices::find(db, "อำเภอเนินมะปราง").await.unwrap(),
        &NewUser {
            username: &username,
            display_name: &username,
            role,
            password: crate::web::PASSWORD,
            must_change: false,
        },
    )
    .await
    .unwrap();
    accounts::add_token(db, &actor(), &user, "test")
        .await
        .unwrap()
}

/// Sets office `office`'s mail settings as administrator `token`.
async fn put_mail(f: &Fixture, token: &str, office: i64, body: Value) {
    let (s, body) = call(
        &f.router,
        Method::PUT,
        &format!("/api/v1/offices/{office}/mail"),
        Some(token),
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

async fn offices_outside_get_forwards_and_relays_by_email(db: &TestDb) {
    let Some((host, smtp, imap)) = mail_server() else {
        skipped("e-mail down the chain: no SARABAN_TEST_MAIL (start one with .ci/mail-start)");
        return;
    };
    let f = fixture(db).await;
    let t = tag(db);
    let pw = password_file();
    let nmp = office_id(db, "อำเภอเนินมะปราง").await;
    let wy = office_id(db, "องค์การบริหารส่วนตำบลวังยาง").await;
    let chomphu = office_id(db, "องค์การบริหารส่วนตำบลชมพู").await;
    // The district's central mailbox; วังยาง outside saraban.
    let admin = f.tokens["dla.admin"].as_str();
    put_mail(
        &f,
        &nmp_user(db, Role::Admin).await,
        nmp,
        json!({
            "smtp_host": host, "smtp_port": smtp, "smtp_security": "none",
            "imap_host": host, "imap_port": imap, "imap_security": "none",
            "from_address": format!("nmp-{t}@saraban.test"),
            "password": format!("file:{}", pw.path().display()),
        }),
    )
    .await;
    let wy_address = format!("wy-{t}@saraban.test");
    put_mail(
        &f,
        admin,
        wy,
        json!({ "outside": true, "email": wy_address }),
    )
    .await;

    // The DLA's circular with an enclosure goes to the province, which
    // forwards to its districts; the district forwards to วังยาง.
    let subject = "การประชุมชี้แจงการส่งหนังสือถึงหน่วยงานนอกระบบ";
    let root = numbered(&f, db, subject, None, true).await;
    let (s, body) = call(
        &f.router,
        Method::POST,
        &format!("/api/v1/documents/{root}/dispatch"),
        Some(&f.tokens["dla.clerk"]),
        Some(json!({ "to": "พล 0023" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let number: String = sqlx::query("SELECT number FROM documents WHERE id = $1")
        .bind(root)
        .fetch_one(db.store.reader())
        .await
        .unwrap()
        .get(0);
    let at_pl = delivery_of(&f, "pl.clerk", &number).await;
    let (pl_cover, pl_number) = receive_and_forward(&f, "pl.clerk", at_pl, None).await;
    let at_nmp = delivery_of(&f, "nmp.clerk", &pl_number).await;
    let (nmp_cover, nmp_number) =
        receive_and_forward(&f, "nmp.clerk", at_nmp, Some("องค์การบริหารส่วนตำบลวังยาง")).await;
    let to_wy: i64 =
        sqlx::query("SELECT id FROM deliveries WHERE document_id = $1 AND to_office = $2")
            .bind(nmp_cover)
            .bind(wy)
            .fetch_one(db.store.reader())
            .await
            .unwrap()
            .get(0);
    let (state, address, error) = mail_row(db, to_wy).await;
    assert_eq!(
        (state.as_str(), address.as_str(), error),
        ("sent", wy_address.as_str(), None)
    );

    // The message carries the cover, every letter above it and the
    // circular's enclosure, each byte for byte.
    let got = wait_for(&host, imap, &wy_address, 1).await;
    assert_eq!(got.len(), 1, "the forwarded letter did not arrive");
    let (text, files) = files_of(&got[0]);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let pdf = |n: &str| format!("{}.pdf", n.replace('/', "-"));
    assert_eq!(
        names,
        [
            pdf(&nmp_number).as_str(),
            pdf(&number).as_str(),
            "บัญชีรายชื่อ.txt",
            pdf(&pl_number).as_str(),
        ],
        "the cover first, then the original with its enclosure, then the province's cover"
    );
    let app = App::new(db.store.clone(), &[]);
    for (office, id, at) in [
        ("อำเภอเนินมะปราง", nmp_cover, 0),
        ("มท 0810.7", root, 1),
        ("พล 0023", pl_cover, 3),
    ] {
        let c = operator(&app, office).await;
        let (official, _) = app.official(&c, DocumentId(id)).await.unwrap();
        assert!(
            files[at].1 == official,
            "{} is not the official copy of #{id}",
            files[at].0
        );
    }
    assert_eq!(files[2].1, "รายชื่อผู้เข้าร่วมประชุม\n".as_bytes());
    assert!(
        squeezed(&saraban::thai::to_arabic_digits(&text))
            .contains(&squeezed(&format!("ที่ {number}"))),
        "the message lists the letters it carries: {text}"
    );
    match pdftotext(&files[1].1) {
        Some(pdf_text) => assert!(
            squeezed(&pdf_text).contains(&squeezed(subject)),
            "{pdf_text}"
        ),
        None => skipped("pdftotext of the forwarded circular (install poppler-utils)"),
    }

    // A relay down the chain: ชมพู is outside too, at an address that
    // bounces (the test server refuses every address at bounce.test).
    put_mail(
        &f,
        admin,
        chomphu,
        json!({ "outside": true, "email": format!("chomphu-{t}@bounce.test") }),
    )
    .await;
    let second = numbered(
        &f,
        db,
        "แจ้งแนวทางการรายงานผลทางไปรษณีย์อิเล็กทรอนิกส์",
        None,
        false,
    )
    .await;
    let dla = operator(&app, "มท 0810.7").await;
    let sent = app
        .dispatch(
            &dla,
            DocumentId(second),
            &DispatchRequest {
                to: "พล 0023".into(),
                ..DispatchRequest::default()
            },
        )
        .await
        .unwrap();
    let made = app.relay(&dla, &sent).await.unwrap();
    let below = |office: i64| {
        made.iter()
            .find(|d| d.to_office == office)
            .unwrap_or_else(|| panic!("the relay reached office #{office}"))
            .clone()
    };
    let (relayed_wy, relayed_chomphu) = (below(wy), below(chomphu));
    assert_eq!(relayed_wy.from_office, nmp);
    assert!(
        !made
            .iter()
            .any(|d| d.from_office == wy || d.from_office == chomphu),
        "an office outside saraban relays nothing"
    );
    assert_eq!(mail_row(db, relayed_wy.id).await.0, "sent");
    let got = wait_for(&host, imap, &wy_address, 2).await;
    assert_eq!(got.len(), 2, "the relayed letter did not arrive");
    let (_, files) = files_of(&got[1]);
    assert_eq!(
        files.len(),
        3,
        "the district's cover, the province's and the circular: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    // The bounce comes back to the district's mailbox and is recorded.
    let nmp_box = format!("nmp-{t}@saraban.test");
    assert_eq!(
        wait_for(&host, imap, &nmp_box, 1).await.len(),
        1,
        "no bounce"
    );
    let (s, body) = call(
        &f.router,
        Method::POST,
        "/api/v1/mail/fetch",
        Some(&f.tokens["nmp.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["fetched"]["bounces"], json!(1), "{body}");
    assert_eq!(mail_row(db, relayed_chomphu.id).await.0, "bounced");

    // Sent again once ชมพู's address is corrected: by the district's clerk
    // only.
    let resend = format!("/api/v1/deliveries/{}/resend-email", relayed_chomphu.id);
    let drafter = nmp_user(db, Role::Drafter).await;
    for (token, want) in [
        (f.tokens["pl.clerk"].as_str(), StatusCode::NOT_FOUND),
        (f.tokens["chomphu.clerk"].as_str(), StatusCode::NOT_FOUND),
        (f.tokens["dla.clerk"].as_str(), StatusCode::NOT_FOUND),
        (drafter.as_str(), StatusCode::FORBIDDEN),
    ] {
        let (s, body) = call(&f.router, Method::POST, &resend, Some(token), None).await;
        assert_eq!(s, want, "{body}");
        assert!(body["error"]["message_th"].is_string(), "{body}");
    }
    let chomphu_address = format!("chomphu-{t}@saraban.test");
    put_mail(
        &f,
        admin,
        chomphu,
        json!({ "outside": true, "email": chomphu_address }),
    )
    .await;
    let (s, body) = call(
        &f.router,
        Method::POST,
        &resend,
        Some(&f.tokens["nmp.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["mail"]["state"], json!("sent"), "{body}");
    assert_eq!(body["mail"]["address"], json!(chomphu_address), "{body}");
    assert_eq!(wait_for(&host, imap, &chomphu_address, 1).await.len(), 1);
    let (s, body) = call(
        &f.router,
        Method::POST,
        &resend,
        Some(&f.tokens["nmp.clerk"]),
        None,
    )
    .await;
    assert_eq!(
        (s, &body["error"]["code"]),
        (StatusCode::CONFLICT, &json!("mail_not_failed")),
        "{body}"
    );

    let report = audit::verify(db, None).await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}
