//! Inside the office, through the application layer, on both backends:
//! receive → present along the chain → endorse → assign to two people →
//! one drafts a reply → check (sent back once) → sign (with an acting
//! role) → number → send; the letter's timeline, the receive register's
//! การปฏิบัติ and the audit chain agree. Also: secret letters stay with
//! their readers at every step, endorsements cannot be changed, numbering
//! waits for a signature, a cover letter is drafted once, and drafts are
//! deleted only by their author.

use std::process::Command;

use saraban::app::deliveries::{DispatchRequest, Step};
use saraban::app::documents::{NumberRequest, Upload};
use saraban::app::review::{ActingRequest, ReviewRequest, SettingsRequest, SubmitRequest};
use saraban::app::workflow::{
    AssignRequest, CorrectRequest, EndorseRequest, NoteRequest, PresentRequest,
};
use saraban::app::{App, Caller, DeliveryId, DocumentId, ItemKind, Kind, RegisterKind};
use saraban::model::Document;
use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::{demo, offices};
use serde_json::{Value, json};

use crate::db::{TestDb, actor, count, on_both};
use crate::support::skipped;

on_both!(
    present_endorse_assign_reply_check_sign_number_send,
    secret_letters_only_to_their_readers,
    endorsements_stand_and_drafts_belong_to_their_authors
);

struct Office {
    app: App,
}

impl Office {
    async fn new(db: &TestDb) -> Office {
        demo::load(db, &actor()).await.unwrap();
        Office {
            app: App::new(db.store.clone(), &[]),
        }
    }

    /// A user of `office` with `role`, and their caller.
    async fn user(&self, db: &TestDb, name: &str, office: &str, role: Role) -> Caller {
        let office = offices::find(db, office).await.unwrap();
        let display = format!("คุณ{name}");
        let user = accounts::add(
            db,
            &actor(),
            &office,
            &NewUser {
                username: name,
                display_name: &display,
                role,
                password: "correct horse battery",
                must_change: false,
            },
        )
        .await
        .unwrap();
        Caller::user(user, office)
    }
}

fn letter(subject: &str, secrecy: Option<&str>) -> Document {
    let mut doc: Value = serde_json::from_str(demo::SEED_000).unwrap();
    doc["main"]["subject"] = json!(subject);
    doc["main"]["number"] = Value::Null;
    if let Some(s) = secrecy {
        doc["main"]["secrecy"] = json!(s);
    }
    Document::from_json(&doc.to_string()).unwrap()
}

/// The DLA sends a numbered letter to พล 0023; its delivery there.
async fn sent_to_phitsanulok(app: &App, dla: &Caller, subject: &str, secret: bool) -> DeliveryId {
    let readers: Vec<String> = Vec::new();
    let doc = letter(subject, secret.then_some("confidential"));
    let d = app.create_draft(dla, &doc, &readers).await.unwrap();
    app.number(dla, DocumentId(d.id), &NumberRequest::default())
        .await
        .unwrap();
    let sent = app
        .dispatch(
            dla,
            DocumentId(d.id),
            &DispatchRequest {
                to: "พล 0023".into(),
                deadline: None,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    DeliveryId(sent[0].id)
}

fn kinds(events: &[saraban::app::WorkEvent]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

async fn present_endorse_assign_reply_check_sign_number_send(db: &TestDb) {
    let o = Office::new(db).await;
    let app = &o.app;
    let dla = o.user(db, "dla.clerk", "มท 0810.7", Role::Clerk).await;
    let clerk = o.user(db, "pl.clerk", "พล 0023", Role::Clerk).await;
    let checker = o.user(db, "pl.checker", "พล 0023", Role::Checker).await;
    let director = o.user(db, "pl.director", "พล 0023", Role::Signer).await;
    let head = o.user(db, "pl.head", "พล 0023", Role::Head).await;
    let first = o.user(db, "pl.drafter1", "พล 0023", Role::Drafter).await;
    let second = o.user(db, "pl.drafter2", "พล 0023", Role::Drafter).await;

    let settings = app
        .set_workflow(
            &head,
            &SettingsRequest {
                check_tiers: 1,
                require_signing: true,
                chain: vec!["pl.checker".into(), "pl.director".into(), "pl.head".into()],
                checkers: vec!["pl.checker".into()],
                signer: Some("pl.director".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(settings.chain.len(), 3);

    let delivery = sent_to_phitsanulok(app, &dla, "การเตรียมความพร้อมรับมือฤดูฝน", false).await;
    // Not received yet: nothing to present.
    let e = app
        .present(&clerk, delivery, &PresentRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, "not_received");
    app.inbox_step(&clerk, delivery, Step::Receive)
        .await
        .unwrap();

    // เสนอ along the chain: the checker first.
    let item = app
        .present(&clerk, delivery, &PresentRequest::default())
        .await
        .unwrap();
    assert_eq!(item.assignee_id, checker.user_ref().unwrap().id);
    assert_eq!(app.work_counts(&checker).await.unwrap().endorse, 1);
    // Presenting twice is refused while someone is endorsing.
    let again = app
        .present(&clerk, delivery, &PresentRequest::default())
        .await
        .unwrap_err();
    assert_eq!(again.kind, Kind::Conflict);
    // Only the person it was presented to endorses.
    let not_mine = app
        .endorse(
            &director,
            delivery,
            &EndorseRequest {
                choice: Some("ทราบ".into()),
                ..EndorseRequest::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(not_mine.code, "not_presented");

    // Each endorses and passes it on; the head decides and assigns.
    for (who, choice) in [
        (&checker, "เพื่อโปรดพิจารณา"),
        (&director, "เห็นควรมอบกลุ่มงานป้องกันฯ ดำเนินการ"),
    ] {
        app.endorse(
            who,
            delivery,
            &EndorseRequest {
                choice: Some(choice.into()),
                note: Some("เรียน ท้องถิ่นจังหวัด".into()),
                ..EndorseRequest::default()
            },
        )
        .await
        .unwrap();
    }
    assert_eq!(app.work_counts(&checker).await.unwrap().endorse, 0);
    assert_eq!(app.work_counts(&head).await.unwrap().endorse, 1);
    app.endorse(
        &head,
        delivery,
        &EndorseRequest {
            choice: Some("มอบ … ดำเนินการ".into()),
            note: Some("ให้ดำเนินการโดยด่วน".into()),
            then: Some("decide".into()),
            to: None,
        },
    )
    .await
    .unwrap();
    let due = (head.today() + chrono::Duration::days(7)).to_string();
    let assigned = app
        .assign(
            &head,
            delivery,
            &AssignRequest {
                to: vec!["pl.drafter1".into(), "pl.drafter2".into()],
                unit: Some("กลุ่มงานป้องกัน".into()),
                due: Some(due.clone()),
                instruction: Some("รายงานผลภายในหนึ่งสัปดาห์".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(assigned.len(), 2);
    let mine = app.my_work(&first).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].item.subject, "การเตรียมความพร้อมรับมือฤดูฝน");
    assert_eq!(mine[0].item.due.map(|d| d.to_string()), Some(due));
    assert_eq!(app.work_counts(&second).await.unwrap().work, 1);
    let item1 = mine[0].item.id;
    let item2 = app.my_work(&second).await.unwrap()[0].item.id;
    // Someone else's item is not theirs to act on.
    let other = app
        .comment(&second, item1, &NoteRequest { note: "x".into() })
        .await
        .unwrap_err();
    assert_eq!(other.code, "not_yours");

    // The first comments, attaches and drafts the reply; the second closes.
    app.comment(
        &first,
        item1,
        &NoteRequest {
            note: "ประสานอำเภอแล้ว".into(),
        },
    )
    .await
    .unwrap();
    let file = app
        .attach_to_work(
            &first,
            item1,
            Upload {
                name: "สรุป.txt",
                bytes: "สรุปผลการประสาน".as_bytes(),
            },
        )
        .await
        .unwrap();
    assert_eq!(file.media_type, "text/plain");
    let reply = app.draft_reply(&first, item1, None).await.unwrap();
    let (cites, _) = app.references(&first, DocumentId(reply.id)).await.unwrap();
    let view = app.delivery(&clerk, delivery).await.unwrap();
    assert!(
        cites.iter().any(|r| r.relation.key() == "replies_to"
            && matches!(r.target, saraban::store::documents::Target::Stored(t) if t == view.heading.document_id)),
        "{cites:?}"
    );
    app.close_work(
        &second,
        item2,
        &NoteRequest {
            note: "แจ้งอำเภอทุกอำเภอแล้ว".into(),
        },
    )
    .await
    .unwrap();

    // Draft → check (sent back once, then passed) → sign → number → send.
    let reply_id = DocumentId(reply.id);
    app.submit_draft(&first, reply_id, &SubmitRequest::default())
        .await
        .unwrap();
    let unsigned = app
        .number(&clerk, reply_id, &NumberRequest::default())
        .await
        .unwrap_err();
    assert_eq!(unsigned.code, "not_signed");
    let back = app
        .check_draft(
            &checker,
            reply_id,
            &ReviewRequest {
                decision: "return".into(),
                note: Some("เพิ่มผลการประสานในย่อหน้าที่สอง".into()),
                name: None,
            },
        )
        .await
        .unwrap();
    let seen = back.version.unwrap();
    assert_eq!(
        app.work_counts(&first).await.unwrap().work,
        2,
        "assignment + revise"
    );
    let mut edited = app.document(&first, reply_id).await.unwrap().content;
    if let saraban::model::Part::Letter(l) = &mut edited.main {
        l.body[1] = "บัดนี้ ได้ประสานอำเภอทุกอำเภอแล้ว".into();
    }
    app.update_draft(&first, reply_id, &edited).await.unwrap();
    app.submit_draft(&first, reply_id, &SubmitRequest::default())
        .await
        .unwrap();
    assert_eq!(
        app.work_counts(&first).await.unwrap().work,
        1,
        "revise withdrawn"
    );
    let passed = app
        .check_draft(
            &checker,
            reply_id,
            &ReviewRequest {
                decision: "pass".into(),
                note: None,
                name: None,
            },
        )
        .await
        .unwrap();
    assert!(
        passed.version.unwrap() > seen,
        "the checker saw the new version"
    );
    assert_eq!(app.work_counts(&director).await.unwrap().sign, 1);
    let today = head.today();
    app.add_acting(
        &head,
        &ActingRequest {
            user: "pl.director".into(),
            kind: "acting_for".into(),
            position: "ผู้อำนวยการกลุ่มงาน".into(),
            for_position: "ท้องถิ่นจังหวัดพิษณุโลก".into(),
            from: (today - chrono::Duration::days(1)).to_string(),
            to: (today + chrono::Duration::days(1)).to_string(),
        },
    )
    .await
    .unwrap();
    let signed = app
        .sign_draft(
            &director,
            reply_id,
            &ReviewRequest {
                decision: "sign".into(),
                note: None,
                name: Some("นายสมชาย ใจดี".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(signed.user_id, Some(director.user_ref().unwrap().id));
    let review = app.draft_review(&first, reply_id).await.unwrap();
    assert_eq!(review.signature.as_ref().map(|s| s.id), Some(signed.id));
    assert_eq!(
        kinds(&review.events),
        ["submit", "return", "submit", "pass", "sign"]
    );
    let (numbered, printed) = app
        .number(&clerk, reply_id, &NumberRequest::default())
        .await
        .unwrap();
    assert!(printed.starts_with("พล"), "{printed}");
    app.dispatch(
        &clerk,
        DocumentId(numbered.id),
        &DispatchRequest {
            to: "มท 0810.7".into(),
            deadline: None,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    app.close_work(
        &first,
        item1,
        &NoteRequest {
            note: "ตอบกรมแล้ว".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(app.work_counts(&first).await.unwrap().total(), 0);

    // The signature block prints the name and the acting role by itself.
    let pdf = app.pdf(&clerk, reply_id).await.unwrap().bytes;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reply.pdf");
    std::fs::write(&path, &pdf).unwrap();
    match Command::new("pdftotext").arg(&path).arg("-").output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).replace(['\u{200b}', '\u{2060}'], "");
            let flat: String = text.split_whitespace().collect();
            assert!(flat.contains("(นายสมชายใจดี)"), "{text}");
            assert!(flat.contains("ผู้อำนวยการกลุ่มงานปฏิบัติราชการแทน"), "{text}");
            assert!(flat.contains("ท้องถิ่นจังหวัดพิษณุโลก"), "{text}");
        }
        Err(_) => skipped("pdftotext not found: the signature block's text was not checked"),
    }

    // The timeline, the register's การปฏิบัติ and the audit chain agree.
    let work = app.letter_work(&clerk, delivery).await.unwrap();
    assert_eq!(
        kinds(&work.events),
        [
            "present", "endorse", "present", "endorse", "present", "endorse", "assign", "assign",
            "comment", "attach", "reply", "close", "close"
        ]
    );
    assert_eq!(work.events[0].target_id, checker.user_ref().map(|u| u.id));
    assert_eq!(work.events[10].related_id, Some(reply.id));
    assert_eq!(work.files.len(), 1);
    let year = app.this_year_be(&clerk);
    let rows = app
        .register(&clerk, RegisterKind::Receive, year, 0, 1000)
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|r| r.subject == "การเตรียมความพร้อมรับมือฤดูฝน")
        .expect("the receive register row");
    let action = &row.action;
    let mut at = 0;
    for phrase in [
        "เสนอ คุณpl.checker",
        "คุณpl.checker: เพื่อโปรดพิจารณา เสนอ คุณpl.director",
        "คุณpl.head: มอบ … ดำเนินการ",
        "มอบ คุณpl.drafter1, คุณpl.drafter2 (กลุ่มงานป้องกัน) ดำเนินการ ภายใน",
        "คุณpl.drafter1 ร่างหนังสือตอบ",
        "คุณpl.drafter2 ดำเนินการแล้ว: แจ้งอำเภอทุกอำเภอแล้ว",
        "คุณpl.drafter1 ดำเนินการแล้ว: ตอบกรมแล้ว",
    ] {
        let found = action[at..]
            .find(phrase)
            .unwrap_or_else(|| panic!("“{phrase}” in order in “{action}”"));
        at += found + phrase.len();
    }
    let endorse_events = work.events.iter().filter(|e| e.kind == "endorse").count();
    let audit_endorse = count(
        db,
        &format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'work.endorse' AND office_id = {}",
            clerk.office.id
        ),
    )
    .await;
    assert_eq!(audit_endorse, endorse_events as i64);
    let verdict = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");

    // The endorsement sheet lists every endorsement.
    match app.endorsement_sheet(&clerk, delivery).await {
        Ok(sheet) => {
            // Kept for looking at (pdftoppm -r 80 -png).
            let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("endorsement-sheet-{:?}.pdf", db.backend()));
            std::fs::write(&path, &sheet.bytes).unwrap();
            if let Ok(out) = Command::new("pdftotext").arg(&path).arg("-").output() {
                let text = String::from_utf8_lossy(&out.stdout);
                let flat: String = text.split_whitespace().collect();
                for want in ["ใบเกษียน", "เพื่อโปรดพิจารณา", "ให้ดำเนินการโดยด่วน", "คุณpl.head"]
                {
                    assert!(flat.contains(want), "{want} in {text}");
                }
            }
        }
        Err(e) => panic!("endorsement sheet: {e}"),
    }
}

async fn secret_letters_only_to_their_readers(db: &TestDb) {
    let o = Office::new(db).await;
    let app = &o.app;
    let dla = o.user(db, "dla.clerk", "มท 0810.7", Role::Clerk).await;
    let clerk = o.user(db, "pl.clerk", "พล 0023", Role::Clerk).await;
    let checker = o.user(db, "pl.checker", "พล 0023", Role::Checker).await;
    let director = o.user(db, "pl.director", "พล 0023", Role::Signer).await;
    let head = o.user(db, "pl.head", "พล 0023", Role::Head).await;
    let drafter = o.user(db, "pl.drafter", "พล 0023", Role::Drafter).await;
    let delivery = sent_to_phitsanulok(app, &dla, "เรื่องลับเฉพาะจังหวัด", true).await;
    // Anyone who handles the inbox registers its arrival; nothing more.
    app.inbox_step(&clerk, delivery, Step::Receive)
        .await
        .unwrap();
    let to_checker = PresentRequest {
        to: Some("pl.checker".into()),
        note: None,
    };
    let e = app
        .present(&clerk, delivery, &to_checker)
        .await
        .unwrap_err();
    assert_eq!(e.code, "not_a_reader");
    let e = app.letter_work(&clerk, delivery).await.unwrap_err();
    assert_eq!(e.code, "not_a_reader");
    let view = app.delivery(&head, delivery).await.unwrap();
    let letter_id = DocumentId(view.heading.document_id);
    app.name_readers(&head, letter_id, &["pl.clerk".into(), "pl.checker".into()])
        .await
        .unwrap();
    // Handed only to readers.
    let e = app
        .present(
            &clerk,
            delivery,
            &PresentRequest {
                to: Some("pl.director".into()),
                note: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.field.as_deref()), (Kind::Invalid, Some("to")));
    app.present(&clerk, delivery, &to_checker).await.unwrap();
    let e = app
        .assign(
            &checker,
            delivery,
            &AssignRequest {
                to: vec!["pl.drafter".into()],
                ..AssignRequest::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("to"));
    // A non-reader cannot endorse, even with the role.
    let e = app
        .endorse(
            &director,
            delivery,
            &EndorseRequest {
                choice: Some("ทราบ".into()),
                ..EndorseRequest::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "not_a_reader");
    // The reader's work list shows the subject; nobody else's has it.
    let list = app.my_work(&checker).await.unwrap();
    assert_eq!(list[0].item.subject, "เรื่องลับเฉพาะจังหวัด");
    assert_eq!(list[0].item.kind, ItemKind::Endorse);
    assert!(app.my_work(&drafter).await.unwrap().is_empty());
    match app.endorsement_sheet(&director, delivery).await {
        Err(e) => assert_eq!(e.code, "not_a_reader"),
        Ok(_) => panic!("a non-reader got the endorsement sheet"),
    }
    // Another office: not found.
    let e = app.letter_work(&dla, delivery).await.unwrap_err();
    assert_eq!(e.kind, Kind::NotFound);
}

async fn endorsements_stand_and_drafts_belong_to_their_authors(db: &TestDb) {
    let o = Office::new(db).await;
    let app = &o.app;
    let dla = o.user(db, "dla.clerk", "มท 0810.7", Role::Clerk).await;
    let clerk = o.user(db, "pl.clerk", "พล 0023", Role::Clerk).await;
    let checker = o.user(db, "pl.checker", "พล 0023", Role::Checker).await;
    let head = o.user(db, "pl.head", "พล 0023", Role::Head).await;
    let drafter = o.user(db, "pl.drafter", "พล 0023", Role::Drafter).await;
    let delivery = sent_to_phitsanulok(app, &dla, "ขอความร่วมมือ", false).await;
    app.inbox_step(&clerk, delivery, Step::Receive)
        .await
        .unwrap();
    app.present(
        &clerk,
        delivery,
        &PresentRequest {
            to: Some("pl.checker".into()),
            note: None,
        },
    )
    .await
    .unwrap();
    let made = app
        .endorse(
            &checker,
            delivery,
            &EndorseRequest {
                choice: Some("ทราบ".into()),
                then: Some("decide".into()),
                ..EndorseRequest::default()
            },
        )
        .await
        .unwrap();
    let endorsement = made.iter().find(|e| e.kind == "endorse").unwrap().id;
    // The row cannot be changed, even behind the application's back.
    let tampered = crate::db::raw(
        db,
        &format!("UPDATE work_events SET choice = 'ไม่ทราบ' WHERE id = {endorsement}"),
    )
    .await;
    assert!(tampered.is_err(), "work_events is append-only");
    // Someone else cannot correct it; its author adds a correcting note.
    let e = app
        .correct_endorsement(
            &head,
            delivery,
            &CorrectRequest {
                event: endorsement,
                note: "x".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "not_yours");
    let fix = app
        .correct_endorsement(
            &checker,
            delivery,
            &CorrectRequest {
                event: endorsement,
                note: "ทราบ และแจ้งเวียนให้ทุกกลุ่มงานทราบ".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(fix.corrects, Some(endorsement));
    let work = app.letter_work(&clerk, delivery).await.unwrap();
    assert_eq!(work.events[1].choice, "ทราบ");

    // A cover letter is drafted once: opening it again opens the same one.
    let a = app.draft_cover(&clerk, delivery, None).await.unwrap();
    let b = app.draft_cover(&clerk, delivery, None).await.unwrap();
    assert_eq!(a.id, b.id);

    // A draft is deleted by its author (or the head), not by a colleague.
    let mine = app
        .create_draft(&drafter, &letter("ร่างของผู้ร่าง", None), &[])
        .await
        .unwrap();
    let e = app
        .delete_draft(&clerk, DocumentId(mine.id))
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.code), (Kind::Forbidden, "not_author"));
    app.delete_draft(&drafter, DocumentId(mine.id))
        .await
        .unwrap();
    let other = app
        .create_draft(&drafter, &letter("ร่างที่หัวหน้าลบ", None), &[])
        .await
        .unwrap();
    app.delete_draft(&head, DocumentId(other.id)).await.unwrap();
    // Offices without the setting number drafts as before.
    let plain = app
        .create_draft(&clerk, &letter("ไม่ต้องลงนามก่อน", None), &[])
        .await
        .unwrap();
    app.number(&clerk, DocumentId(plain.id), &NumberRequest::default())
        .await
        .unwrap();
    let verdict = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
}

/// A letter from พล 0023 to the DLA division, received there; its
/// delivery id.
async fn received_at_dla(f: &crate::web::Fixture, subject: &str, secrecy: Option<&str>) -> i64 {
    use axum::http::{Method as M, StatusCode};
    let (s, made) = crate::web::call(
        &f.router,
        M::POST,
        "/api/v1/documents",
        Some(&f.tokens["pl.clerk"]),
        Some(json!({ "document": crate::web::letter(subject, secrecy) })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let id = made["id"].as_i64().unwrap();
    let (s, body) = crate::web::call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{id}/number"),
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, sent) = crate::web::call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{id}/dispatch"),
        Some(&f.tokens["pl.clerk"]),
        Some(json!({ "to": "มท 0810.7" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    let delivery = sent["deliveries"][0]["id"].as_i64().unwrap();
    let (s, body) = crate::web::call(
        &f.router,
        M::POST,
        &format!("/api/v1/deliveries/{delivery}/receive"),
        Some(&f.tokens["dla.clerk"]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    delivery
}

on_both!(access_matrix_of_the_inside_work);

/// Every new route × every role of the DLA division: a role the access
/// table refuses gets 403; one it allows gets past the role check (2xx,
/// or 409/422 from the document rules); another office gets 404; a secret
/// letter is refused to users not named on it.
async fn access_matrix_of_the_inside_work(db: &TestDb) {
    use axum::http::{Method as M, StatusCode};
    use saraban::app::Action;
    let f = crate::web::fixture(db).await;
    let dd = received_at_dla(&f, "หนังสือถึงกรม", None).await;
    let d = crate::web::draft(&f, "dla.drafter", "ร่างเพื่อเสนอตรวจ").await;
    // An assignment, for the work routes.
    let (s, body) = crate::web::call(
        &f.router,
        M::POST,
        &format!("/api/v1/deliveries/{dd}/assign"),
        Some(&f.tokens["dla.head"]),
        Some(json!({ "to": ["dla.drafter"], "due": "2569-12-31" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let item = body["items"][0]["id"].as_i64().unwrap();
    let acting = json!({ "kind": "acting_for", "position": "รองอธิบดี",
        "for_position": "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น", "from": "2569-01-01", "to": "2569-12-31" });
    let cases: Vec<(Action, M, String, Option<Value>)> = vec![
        (Action::Read, M::GET, "/api/v1/work".into(), None),
        (Action::Read, M::GET, "/api/v1/work/counts".into(), None),
        (
            Action::Read,
            M::GET,
            format!("/api/v1/deliveries/{dd}/work"),
            None,
        ),
        (
            Action::Read,
            M::GET,
            format!("/api/v1/documents/{d}/review"),
            None,
        ),
        (Action::Read, M::GET, "/api/v1/workflow".into(), None),
        (
            Action::Present,
            M::POST,
            format!("/api/v1/deliveries/{dd}/present"),
            Some(json!({ "to": "dla.head" })),
        ),
        (
            Action::Endorse,
            M::POST,
            format!("/api/v1/deliveries/{dd}/endorse"),
            Some(json!({ "choice": "ทราบ", "then": "decide" })),
        ),
        (
            Action::Endorse,
            M::POST,
            format!("/api/v1/deliveries/{dd}/correct"),
            Some(json!({ "event": 1, "note": "แก้ไข" })),
        ),
        (
            Action::Assign,
            M::POST,
            format!("/api/v1/deliveries/{dd}/assign"),
            Some(json!({ "to": ["dla.clerk"] })),
        ),
        (
            Action::Work,
            M::POST,
            format!("/api/v1/work/{item}/comment"),
            Some(json!({ "note": "ความเห็น" })),
        ),
        (
            Action::Work,
            M::POST,
            format!("/api/v1/work/{item}/close"),
            Some(json!({ "note": "เสร็จ" })),
        ),
        (
            Action::Work,
            M::POST,
            format!("/api/v1/work/{item}/send-back"),
            Some(json!({ "note": "คืน" })),
        ),
        (
            Action::Draft,
            M::POST,
            format!("/api/v1/documents/{d}/submit"),
            Some(json!({ "signer": "dla.head" })),
        ),
        (
            Action::Check,
            M::POST,
            format!("/api/v1/documents/{d}/check"),
            Some(json!({ "decision": "pass" })),
        ),
        (
            Action::Sign,
            M::POST,
            format!("/api/v1/documents/{d}/sign"),
            Some(json!({ "decision": "return", "note": "แก้" })),
        ),
        (
            Action::ManageWorkflow,
            M::PUT,
            "/api/v1/workflow".into(),
            Some(json!({ "check_tiers": 0, "require_signing": false })),
        ),
        (
            Action::ManageWorkflow,
            M::POST,
            "/api/v1/users/dla.signer/acting".into(),
            Some(acting.clone()),
        ),
    ];
    let mut failures = Vec::new();
    for role in Role::ALL {
        let who = format!("dla.{}", role.key());
        for (action, method, uri, body) in &cases {
            let (got, answer) = crate::web::call(
                &f.router,
                method.clone(),
                uri,
                Some(&f.tokens[&who]),
                body.clone(),
            )
            .await;
            let allowed = role.may(*action);
            let fine = if allowed {
                got.is_success()
                    || got == StatusCode::CONFLICT
                    || got == StatusCode::UNPROCESSABLE_ENTITY
            } else {
                got == StatusCode::FORBIDDEN && answer["error"]["code"] == "forbidden"
            };
            if !fine {
                failures.push(format!(
                    "{who} {method} {uri}: allowed={allowed}, got {got} {answer}"
                ));
            }
            if !got.is_success() {
                assert!(
                    answer["error"]["message_th"]
                        .as_str()
                        .is_some_and(|m| !m.is_empty())
                );
                assert!(
                    answer["error"]["message_en"]
                        .as_str()
                        .is_some_and(|m| !m.is_empty())
                );
            }
        }
    }
    // Another office: its letters, drafts and items are not found.
    for (method, uri, body) in [
        (M::GET, format!("/api/v1/deliveries/{dd}/work"), None),
        (
            M::GET,
            format!("/api/v1/deliveries/{dd}/endorsements.pdf"),
            None,
        ),
        (
            M::POST,
            format!("/api/v1/deliveries/{dd}/present"),
            Some(json!({})),
        ),
        (
            M::POST,
            format!("/api/v1/documents/{d}/submit"),
            Some(json!({})),
        ),
        (M::GET, format!("/api/v1/documents/{d}/review"), None),
        (
            M::POST,
            format!("/api/v1/work/{item}/comment"),
            Some(json!({ "note": "x" })),
        ),
    ] {
        let (got, answer) = crate::web::call(
            &f.router,
            method.clone(),
            &uri,
            Some(&f.tokens["pl.clerk"]),
            body,
        )
        .await;
        if got != StatusCode::NOT_FOUND {
            failures.push(format!(
                "pl.clerk {method} {uri}: want 404, got {got} {answer}"
            ));
        }
    }
    // The sender does not see what the recipient does inside.
    let (got, _) = crate::web::call(
        &f.router,
        M::GET,
        &format!("/api/v1/deliveries/{dd}/work"),
        Some(&f.tokens["pl.clerk"]),
        None,
    )
    .await;
    assert_eq!(got, StatusCode::NOT_FOUND);

    // A secret letter: only its named readers act, and it goes only to them.
    let secret = received_at_dla(&f, "เรื่องลับถึงกรม", Some("confidential")).await;
    let (_, view) = crate::web::call(
        &f.router,
        M::GET,
        &format!("/api/v1/deliveries/{secret}"),
        Some(&f.tokens["dla.head"]),
        None,
    )
    .await;
    let letter = view["heading"]["document_id"].as_i64().unwrap();
    let (s, _) = crate::web::call(
        &f.router,
        M::POST,
        &format!("/api/v1/documents/{letter}/readers"),
        Some(&f.tokens["dla.head"]),
        Some(json!({ "readers": ["dla.head", "dla.checker"] })),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    for role in Role::ALL {
        let who = format!("dla.{}", role.key());
        let reader = matches!(role, Role::Head | Role::Checker);
        let (got, answer) = crate::web::call(
            &f.router,
            M::GET,
            &format!("/api/v1/deliveries/{secret}/work"),
            Some(&f.tokens[&who]),
            None,
        )
        .await;
        let want = if reader {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        if got != want {
            failures.push(format!(
                "{who} secret work: want {want}, got {got} {answer}"
            ));
        }
        let (got, answer) = crate::web::call(
            &f.router,
            M::POST,
            &format!("/api/v1/deliveries/{secret}/present"),
            Some(&f.tokens[&who]),
            Some(json!({ "to": "dla.signer" })),
        )
        .await;
        let want = match (role.may(Action::Present), reader) {
            (false, _) => "forbidden",
            (true, false) => "not_a_reader",
            // A reader presenting to a non-reader: refused as bad input.
            (true, true) => "invalid",
        };
        if answer["error"]["code"] != want {
            failures.push(format!(
                "{who} secret present: want {want}, got {got} {answer}"
            ));
        }
        let (got, answer) = crate::web::call(
            &f.router,
            M::GET,
            &format!("/api/v1/deliveries/{secret}/endorsements.pdf"),
            Some(&f.tokens[&who]),
            None,
        )
        .await;
        if reader != got.is_success() {
            failures.push(format!("{who} secret sheet: got {got} {answer}"));
        }
    }
    assert!(
        failures.is_empty(),
        "access matrix:\n{}",
        failures.join("\n")
    );
    let verdict = saraban::store::audit::verify(db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
}

on_both!(the_workflow_settings_page_sets_the_chain_and_acting_roles);

/// A form post (or a GET) to a UI page with a user's session: status,
/// Location and body.
async fn ui(
    f: &crate::web::Fixture,
    session: &str,
    method: axum::http::Method,
    uri: &str,
    form: &[(&str, &str)],
) -> (axum::http::StatusCode, String, String) {
    use axum::body::Body;
    use axum::http::{Request, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("saraban_session={session}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
        .unwrap();
    let resp = f.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// The office's workflow settings and its signers' acting roles, set on
/// `/settings/workflow` by the head (or the administrator); other roles
/// are refused, another office's acting role is not found, and a bad date
/// is answered in Thai on the page.
async fn the_workflow_settings_page_sets_the_chain_and_acting_roles(db: &TestDb) {
    use axum::http::{Method as M, StatusCode};
    let f = crate::web::fixture(db).await;
    let session = |who: &'static str| async move {
        let u = accounts::find(db, who).await.unwrap().unwrap();
        accounts::open_session(db, &u).await.unwrap()
    };
    let head = session("dla.head").await;
    let (s, _, page) = ui(&f, &head.secret, M::GET, "/settings/workflow", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("สายงานของหน่วยงาน") && page.contains("id=\"nav-workflow\""));
    // Roles without it see neither the page nor the menu entry.
    for who in ["dla.clerk", "dla.drafter", "dla.checker", "dla.signer"] {
        let other = session(who).await;
        let (s, _, _) = ui(&f, &other.secret, M::GET, "/settings/workflow", &[]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        let (_, _, inbox) = ui(&f, &other.secret, M::GET, "/", &[]).await;
        assert!(!inbox.contains("nav-workflow"), "{who}");
        let (s, _, _) = ui(
            &f,
            &other.secret,
            M::POST,
            "/settings/workflow",
            &[("csrf", other.csrf.as_str()), ("check_tiers", "2")],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
    }
    let admin = session("dla.admin").await;
    let (s, _, _) = ui(&f, &admin.secret, M::GET, "/settings/workflow", &[]).await;
    assert_eq!(s, StatusCode::OK);

    // The chain, one check tier, the signer, numbering after signing.
    let (s, to, _) = ui(
        &f,
        &head.secret,
        M::POST,
        "/settings/workflow",
        &[
            ("csrf", head.csrf.as_str()),
            ("chain", "dla.checker, dla.head"),
            ("check_tiers", "1"),
            ("checkers", "dla.checker"),
            ("signer", "dla.signer"),
            ("require_signing", "on"),
        ],
    )
    .await;
    assert_eq!(
        (s, to.as_str()),
        (StatusCode::SEE_OTHER, "/settings/workflow?saved=1")
    );
    let (_, settings) = crate::web::call(
        &f.router,
        M::GET,
        "/api/v1/workflow",
        Some(&f.tokens["dla.head"]),
        None,
    )
    .await;
    let id_of = |who: &str| {
        let who = who.to_string();
        async move { accounts::find(db, &who).await.unwrap().unwrap().id }
    };
    assert_eq!(settings["check_tiers"], 1);
    assert_eq!(settings["require_signing"], true);
    assert_eq!(
        settings["chain"],
        json!([id_of("dla.checker").await, id_of("dla.head").await])
    );
    assert_eq!(settings["signer_id"], id_of("dla.signer").await);
    // Without the form's token nothing changes.
    let (s, _, _) = ui(
        &f,
        &head.secret,
        M::POST,
        "/settings/workflow",
        &[("csrf", "wrong"), ("check_tiers", "0")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A drafter cannot sign: refused with the field's Thai message.
    let (s, _, page) = ui(
        &f,
        &head.secret,
        M::POST,
        "/settings/workflow",
        &[
            ("csrf", head.csrf.as_str()),
            ("check_tiers", "0"),
            ("signer", "dla.drafter"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("ไม่มีบทบาทสำหรับขั้นตอนนี้"), "{page}");

    // An acting role for the signer, shown on the page, then removed.
    let form = |from: &'static str| {
        vec![
            ("user", "dla.signer"),
            ("kind", "acting_for"),
            ("position", "รองอธิบดี"),
            ("for_position", "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น"),
            ("from", from),
            ("to", "31/12/2569"),
        ]
    };
    let mut bad = form("ไม่ใช่วันที่");
    bad.push(("csrf", head.csrf.as_str()));
    let (s, _, page) = ui(&f, &head.secret, M::POST, "/settings/workflow/acting", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("role=\"alert\""));
    let mut good = form("1/12/2569");
    good.push(("csrf", head.csrf.as_str()));
    let (s, _, _) = ui(
        &f,
        &head.secret,
        M::POST,
        "/settings/workflow/acting",
        &good,
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, roles) = crate::web::call(
        &f.router,
        M::GET,
        "/api/v1/users/dla.signer/acting",
        Some(&f.tokens["dla.head"]),
        None,
    )
    .await;
    let role = roles["acting"][0].clone();
    assert_eq!(
        role["for_position"], "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น",
        "{roles}"
    );
    assert_eq!(role["from"], "2569-12-01".replace("2569", "2026"));
    let (_, _, page) = ui(&f, &head.secret, M::GET, "/settings/workflow", &[]).await;
    assert!(page.contains("รองอธิบดี ปฏิบัติราชการแทน อธิบดีกรมส่งเสริมการปกครองท้องถิ่น"));
    let signer = id_of("dla.signer").await;
    let rid = role["id"].as_i64().unwrap();
    // Another office's head cannot remove it.
    let pl_office = offices::find(db, "พล 0023").await.unwrap();
    let pl_head = accounts::add(
        db,
        &actor(),
        &pl_office,
        &NewUser {
            username: "pl.boss",
            display_name: "หัวหน้าจังหวัด",
            role: Role::Head,
            password: crate::web::PASSWORD,
            must_change: false,
        },
    )
    .await
    .unwrap();
    let pl = accounts::open_session(db, &pl_head).await.unwrap();
    let (s, _, _) = ui(
        &f,
        &pl.secret,
        M::POST,
        &format!("/settings/workflow/acting/{signer}/{rid}/remove"),
        &[("csrf", pl.csrf.as_str())],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = ui(
        &f,
        &head.secret,
        M::POST,
        &format!("/settings/workflow/acting/{signer}/{rid}/remove"),
        &[("csrf", head.csrf.as_str())],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, roles) = crate::web::call(
        &f.router,
        M::GET,
        "/api/v1/users/dla.signer/acting",
        Some(&f.tokens["dla.head"]),
        None,
    )
    .await;
    assert_eq!(roles["acting"], json!([]));
}
