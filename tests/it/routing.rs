//! Circulars down the chain, on both backends: the seeds' story end to end
//! (the DLA's มท ๐๘๑๐.๗/ว ๒๑๓๕ to every province → Phitsanulok forwards to
//! its districts → อำเภอเนินมะปราง forwards to อบต.วังยาง → which
//! acknowledges), tracking, and bad input that changes nothing.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use saraban::model::Document;
use saraban::store::documents::{self, Target};
use saraban::store::numbering::{self, Series};
use saraban::store::offices::{self, Office};
use saraban::store::routing::{self, DeliveryState};
use saraban::store::tracking;
use saraban::store::{Actor, StoreError, demo};
use saraban::store::{Backend, inbox};

use crate::db::{TestDb, actor, count, on_both};

on_both!(
    seed_story_end_to_end,
    bad_input_changes_nothing,
    relay_does_what_each_office_would,
    the_pending_inbox_reads_only_pending_deliveries
);

/// Bangkok wall-clock time.
fn bkk(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

async fn office(db: &TestDb, q: &str) -> Office {
    offices::find(db, q).await.unwrap()
}

fn clerk(office: &str) -> Actor {
    Actor(format!("clerk@{office}"))
}

/// The DLA's circular of seed 000, numbered มท ๐๘๑๐.๗/ว ๒๑๓๕ on 21 May 2567.
async fn dla_circular(db: &TestDb) -> (Office, i64) {
    demo::load(db, &actor()).await.unwrap();
    let dla = office(db, "มท 0810.7").await;
    let at = bkk(2024, 5, 21, 9, 0);
    numbering::continue_from(db, &actor(), at, &dla, Series::Circular, 2135)
        .await
        .unwrap();
    let json =
        std::fs::read_to_string(crate::support::root().join("examples/seed-000.json")).unwrap();
    let doc = Document::from_json(&json).unwrap();
    let draft = documents::create_draft(db, &actor(), &dla, &doc)
        .await
        .unwrap();
    let (numbered, issued) = documents::number(
        db,
        &actor(),
        at,
        draft.id,
        Some(Series::Circular),
        "ผู้ว่าราชการจังหวัด ทุกจังหวัด",
        None,
    )
    .await
    .unwrap();
    assert_eq!(issued.printed, "มท ๐๘๑๐.๗/ว ๒๑๓๕");
    (dla, numbered.id)
}

/// The DLA's circular sent to every provincial office on 21 May 2567.
async fn to_every_province(db: &TestDb, dla: &Office, circular: i64) -> Vec<routing::Delivery> {
    let provinces = routing::recipients(db, dla, "provinces").await.unwrap();
    routing::dispatch(
        db,
        &clerk("dla"),
        bkk(2024, 5, 21, 9, 30),
        dla,
        circular,
        &provinces,
        None,
    )
    .await
    .unwrap()
}

async fn seed_story_end_to_end(db: &TestDb) {
    let (dla, circular) = dla_circular(db).await;
    // 1. To every provincial office.
    let sent = to_every_province(db, &dla, circular).await;
    assert_eq!(sent.len(), 76);
    // The deadline comes from the letter: ภายในวันที่ ๒๒ พฤษภาคม ๒๕๖๗.
    assert!(
        sent.iter()
            .all(|d| d.deadline == NaiveDate::from_ymd_opt(2024, 5, 22))
    );
    assert_eq!(
        documents::get(db, circular).await.unwrap().state,
        documents::State::Sent
    );

    // 2. Phitsanulok receives it and forwards it to its nine districts.
    let pl = office(db, "พล 0023").await;
    let number = saraban::docnum::DocNumber::parse("มท ๐๘๑๐.๗/ว ๒๑๓๕").unwrap();
    let mine = routing::find_for(db, &pl, &number).await.unwrap();
    assert_eq!(mine.len(), 1);
    let got = routing::receive(db, &clerk("pl"), bkk(2024, 5, 21, 14, 5), &pl, mine[0].id)
        .await
        .unwrap();
    assert_eq!(got.state, DeliveryState::Received);
    let fwd = routing::forward(db, &clerk("pl"), bkk(2024, 5, 22, 10, 0), &pl, got.id, None)
        .await
        .unwrap();
    assert_eq!(fwd.deliveries.len(), 10, "nine districts and the อบจ.");
    assert_eq!(fwd.cover.number.as_deref(), Some("พล 0023/1"));
    // The cover letter cites the DLA letter, stored and by its number.
    let refs = documents::references_from(db, fwd.cover.id).await.unwrap();
    assert_eq!(refs[0].target, Target::Stored(circular));
    let saraban::model::Part::Letter(cover) = &fwd.cover.content.main else {
        panic!("a cover letter is a letter")
    };
    assert_eq!(
        cover.references[0].number.as_deref(),
        Some("มท 0810.7/ว 2135")
    );
    assert_eq!(
        cover.to,
        "นายอำเภอ ทุกอำเภอ และนายกองค์การบริหารส่วนจังหวัดพิษณุโลก"
    );
    // It carries the letter itself, then the letter's own enclosures.
    assert_eq!(
        cover.enclosures.len(),
        3,
        "the letter and its two enclosures"
    );
    assert_eq!(
        cover.enclosures[0].text,
        "สำเนาหนังสือกรมส่งเสริมการปกครองท้องถิ่น ที่ มท 0810.7/ว 2135"
    );
    // It speaks as the province (seed 003: ศาลากลางจังหวัดพิษณุโลก, "กรม
    // ส่งเสริมการปกครองท้องถิ่นแจ้งว่า"), drafted from the DLA's own words,
    // dated the day it was drafted.
    assert_eq!(cover.date, NaiveDate::from_ymd_opt(2024, 5, 22).unwrap());
    assert_eq!(
        cover.references[0].issuer.as_deref(),
        Some("กรมส่งเสริมการปกครองท้องถิ่น")
    );
    assert!(
        cover.body[0].starts_with(
            "ด้วยกรมส่งเสริมการปกครองท้องถิ่นแจ้งว่า ได้กำหนดให้มีการดำเนินการประชุมชี้แจงระบบการประเมินประสิทธิภาพ"
        ),
        "{}",
        cover.body[0]
    );
    assert!(
        cover
            .body
            .iter()
            .any(|p| p.starts_with("กรมส่งเสริมการปกครองท้องถิ่นจึงขอความร่วมมือจังหวัด")),
        "the DLA's request is drafted in: {:?}",
        cover.body
    );
    assert_eq!(
        cover.body.last().map(String::as_str),
        Some("จึงเรียนมาเพื่อทราบและดำเนินการต่อไป")
    );
    // The deadline passes down.
    assert!(
        fwd.deliveries
            .iter()
            .all(|d| d.deadline == NaiveDate::from_ymd_opt(2024, 5, 22) && d.level == 2)
    );

    // 3. อำเภอเนินมะปราง receives it and forwards it to อบต.วังยาง.
    let nmp = office(db, "อำเภอเนินมะปราง").await;
    let wy = office(db, "องค์การบริหารส่วนตำบลวังยาง").await;
    let at_nmp = fwd
        .deliveries
        .iter()
        .find(|d| d.to_office == nmp.id)
        .unwrap();
    routing::receive(db, &clerk("nmp"), bkk(2024, 5, 22, 13, 0), &nmp, at_nmp.id)
        .await
        .unwrap();
    let fwd2 = routing::forward(
        db,
        &clerk("nmp"),
        bkk(2024, 5, 22, 15, 0),
        &nmp,
        at_nmp.id,
        Some(std::slice::from_ref(&wy)),
    )
    .await
    .unwrap();
    assert_eq!(fwd2.cover.number.as_deref(), Some("พล 0618.9/1"));
    let saraban::model::Part::Letter(cover2) = &fwd2.cover.content.main else {
        panic!()
    };
    assert_eq!(cover2.to, "นายกองค์การบริหารส่วนตำบลวังยาง");
    // The district names the province as an agency, not its hall.
    assert_eq!(cover2.issuer.name, "ที่ว่าการอำเภอเนินมะปราง");
    assert_eq!(cover2.references[0].issuer.as_deref(), Some("จังหวัดพิษณุโลก"));
    assert!(
        cover2.body[0].starts_with("ด้วยจังหวัดพิษณุโลกแจ้งว่า"),
        "{}",
        cover2.body[0]
    );
    assert!(
        cover2.body.iter().any(|p| p.starts_with("อำเภอเนินมะปรางพิจารณาแล้ว จึงขอให้องค์การบริหารส่วนตำบลวังยางดำเนินการ")),
        "{:?}",
        cover2.body
    );

    // 4. อบต.วังยาง acknowledges (receiving it on the way).
    let done = routing::acknowledge(
        db,
        &clerk("wy"),
        bkk(2024, 5, 23, 8, 45),
        &wy,
        fwd2.deliveries[0].id,
    )
    .await
    .unwrap();
    assert_eq!(done.state, DeliveryState::Acknowledged);
    assert!(done.receive_entry.is_some());

    // Each receive register's การปฏิบัติ says what the office did.
    {
        use saraban::store::registers::{self, RegisterKind};
        let action = |office: i64| async move {
            registers::rows(db, office, 2567, RegisterKind::Receive, None)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.action)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            action(pl.id).await,
            vec!["ส่งต่อ นายอำเภอ ทุกอำเภอ และนายกองค์การบริหารส่วนจังหวัดพิษณุโลก (หนังสือที่ พล 0023/1)"]
        );
        assert_eq!(
            action(nmp.id).await,
            vec!["ส่งต่อ นายกองค์การบริหารส่วนตำบลวังยาง (หนังสือที่ พล 0618.9/1)"]
        );
        assert_eq!(action(wy.id).await, vec!["รับทราบ"]);
    }
    // อบต.วังยาง sees every letter above its own: the DLA's original and
    // the province's cover (which the district's cover cites), and not
    // another district's cover.
    {
        use saraban::store::search::{Viewer, can_see};
        let wy_viewer = Viewer {
            office_id: wy.id,
            user_id: None,
        };
        for id in [circular, fwd.cover.id, fwd2.cover.id] {
            assert!(can_see(db, &wy_viewer, id).await.unwrap(), "document {id}");
        }
        assert_eq!(
            routing::letters_above(db, fwd2.deliveries[0].id)
                .await
                .unwrap(),
            vec![circular, fwd.cover.id]
        );
        let other = office(db, "อำเภอนครไทย").await;
        let other_viewer = Viewer {
            office_id: other.id,
            user_id: None,
        };
        let sees_other = can_see(db, &other_viewer, fwd2.cover.id);
        assert!(
            !sees_other.await.unwrap(),
            "a sibling district's cover stays private"
        );
    }

    // 5. The tree and the roll-up, as of the day after the deadline.
    let t = tracking::track(db, circular, NaiveDate::from_ymd_opt(2024, 5, 23).unwrap())
        .await
        .unwrap();
    let counts: Vec<String> = t
        .levels
        .iter()
        .map(|l| {
            format!(
                "{} {}: sent {} received {} forwarded {} acknowledged {} pending {} overdue {}",
                l.level,
                l.label,
                l.sent,
                l.received,
                l.forwarded,
                l.acknowledged,
                l.pending,
                l.overdue
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            "1 จังหวัด: sent 76 received 1 forwarded 1 acknowledged 0 pending 75 overdue 75",
            "2 อำเภอ: sent 10 received 1 forwarded 1 acknowledged 0 pending 9 overdue 9",
            "3 องค์กรปกครองส่วนท้องถิ่น: sent 1 received 1 forwarded 0 acknowledged 1 pending 0 overdue 0",
        ]
    );
    // Phitsanulok took 4 h 35 min to receive and a day and half an hour to forward.
    assert_eq!(t.levels[0].receive_minutes.median, Some(275));
    assert_eq!(t.levels[0].act_minutes.slowest, Some(24 * 60 + 30));
    let pl_node = t
        .tree
        .iter()
        .find(|n| n.delivery.to_office == pl.id)
        .unwrap();
    assert_eq!(pl_node.delivery.state, DeliveryState::Forwarded);
    let nmp_node = pl_node
        .children
        .iter()
        .find(|n| n.office == "อำเภอเนินมะปราง")
        .unwrap();
    assert_eq!(nmp_node.children[0].office, "องค์การบริหารส่วนตำบลวังยาง");
    assert_eq!(
        nmp_node.children[0].delivery.state,
        DeliveryState::Acknowledged
    );
    assert_eq!(t.pending.len(), 75 + 9);
    assert!(t.pending[0].overdue);
    // The same cascade is found from a cover letter.
    let from_cover = tracking::track(
        db,
        fwd2.cover.id,
        NaiveDate::from_ymd_opt(2024, 5, 23).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(from_cover.root.id, circular);
    // Every step is in the receive registers: พล got ๑, เนินมะปราง ๑, วังยาง ๑.
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM register_entries WHERE register = 'receive'"
        )
        .await,
        3
    );
    let csv = String::from_utf8(tracking::to_csv(&t)).unwrap();
    assert_eq!(csv.lines().count(), 1 + 76 + 10 + 1);
    assert!(csv.contains("องค์การบริหารส่วนตำบลวังยาง,รับทราบแล้ว"));
}

/// `relay_down` (`saraban dispatch --relay`) passes the circular down every
/// level at once, doing what each office does by hand in the seed story:
/// received into its receive register, forwarded under its own number with
/// a cover letter citing the level above, down to the local organisations.
async fn relay_does_what_each_office_would(db: &TestDb) {
    let (dla, circular) = dla_circular(db).await;
    let provinces = routing::recipients(db, &dla, "provinces").await.unwrap();
    let at = bkk(2024, 5, 21, 9, 30);
    let sent = routing::dispatch(db, &clerk("dla"), at, &dla, circular, &provinces, None)
        .await
        .unwrap();
    let pl = office(db, "พล 0023").await;
    let nmp = office(db, "อำเภอเนินมะปราง").await;
    let wy = office(db, "องค์การบริหารส่วนตำบลวังยาง").await;
    let pl_next = routing::recipients(db, &pl, "next").await.unwrap();
    let nmp_next = routing::recipients(db, &nmp, "next").await.unwrap();
    let made = routing::relay_down(db, &actor(), at, &sent).await.unwrap();

    // Phitsanulok: received, forwarded with its own first number.
    let to_pl = routing::get(
        db,
        &pl,
        sent.iter().find(|d| d.to_office == pl.id).unwrap().id,
    )
    .await
    .unwrap();
    assert_eq!(to_pl.state, DeliveryState::Forwarded);
    assert!(to_pl.received_at.is_some() && to_pl.receive_entry.is_some());
    let cover = documents::get(db, to_pl.forward_id.unwrap()).await.unwrap();
    assert_eq!(cover.number.as_deref(), Some("พล 0023/1"));
    assert_eq!(cover.state, documents::State::Sent);
    let refs = documents::references_from(db, cover.id).await.unwrap();
    assert_eq!(refs[0].target, Target::Stored(circular));
    let saraban::model::Part::Letter(letter) = &cover.content.main else {
        panic!("a cover letter is a letter")
    };
    assert_eq!(
        letter.to,
        "นายอำเภอ ทุกอำเภอ และนายกองค์การบริหารส่วนจังหวัดพิษณุโลก"
    );
    assert_eq!(
        letter.references[0].number.as_deref(),
        Some("มท 0810.7/ว 2135")
    );
    assert_eq!(letter.number.as_deref(), Some("พล 0023/1"));
    use saraban::store::registers::{self, RegisterKind};
    let register = |kind| registers::rows(db, pl.id, 2567, kind, None);
    let received = register(RegisterKind::Receive).await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].doc_number, "มท ๐๘๑๐.๗/ว ๒๑๓๕");
    assert!(
        received[0].action.starts_with("ส่งต่อ ")
            && received[0].action.ends_with("(หนังสือที่ พล 0023/1)"),
        "the relay fills การปฏิบัติ: {}",
        received[0].action
    );
    let issued = register(RegisterKind::Send).await.unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].doc_number, "พล 0023/1");

    // Every office one level down from Phitsanulok, and from เนินมะปราง.
    let from_pl: Vec<i64> = made
        .iter()
        .filter(|d| d.document_id == cover.id)
        .map(|d| d.to_office)
        .collect();
    assert_eq!(from_pl, pl_next.iter().map(|o| o.id).collect::<Vec<_>>());
    let to_wy = made.iter().find(|d| d.to_office == wy.id).unwrap();
    assert_eq!(to_wy.level, 3);
    assert_eq!(to_wy.state, DeliveryState::Sent);
    assert_eq!(to_wy.deadline, NaiveDate::from_ymd_opt(2024, 5, 22));
    assert_eq!(
        made.iter().filter(|d| d.from_office == nmp.id).count(),
        nmp_next.len()
    );
    // As stored, as tracking reads it.
    let t = tracking::track(db, circular, NaiveDate::from_ymd_opt(2024, 5, 21).unwrap())
        .await
        .unwrap();
    assert_eq!(
        t.levels.iter().map(|l| l.sent).sum::<usize>(),
        76 + made.len()
    );
    let stored = routing::get(db, &wy, to_wy.id).await.unwrap();
    assert_eq!(&stored, to_wy);
    assert!(
        saraban::store::audit::verify(db, None)
            .await
            .unwrap()
            .is_clean()
    );

    // Nothing left to relay: a second run makes nothing; relaying what was
    // forwarded, or another office's delivery, is refused and changes nothing.
    let before = footprint(db).await;
    assert!(
        routing::relay_down(db, &actor(), at, &sent)
            .await
            .unwrap()
            .is_empty()
    );
    let e = routing::relay(db, &actor(), at, &[(pl.clone(), to_pl.id)])
        .await
        .unwrap_err();
    is_rejected(&e, "forwarded");
    let e = routing::relay(db, &actor(), at, &[(nmp.clone(), to_pl.id)])
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::UnknownDelivery(_)), "{e}");
    assert_eq!(footprint(db).await, before);
}

/// Everything that shows whether a step wrote anything.
async fn footprint(db: &TestDb) -> [i64; 5] {
    [
        count(db, "SELECT COUNT(*) FROM deliveries").await,
        count(db, "SELECT COUNT(*) FROM documents").await,
        count(db, "SELECT COUNT(*) FROM register_entries").await,
        count(db, "SELECT COUNT(*) FROM audit_events").await,
        count(db, "SELECT COUNT(*) FROM deliveries WHERE state <> 'sent'").await,
    ]
}

fn is_rejected(e: &StoreError, needle: &str) {
    assert!(e.to_string().contains(needle), "{e}");
}

async fn bad_input_changes_nothing(db: &TestDb) {
    let (dla, circular) = dla_circular(db).await;
    let at = bkk(2024, 5, 21, 10, 0);
    let pl = office(db, "พล 0023").await;
    let wt = office(db, "อำเภอวังทอง").await;
    // An unnumbered letter.
    let json =
        std::fs::read_to_string(crate::support::root().join("examples/letter.json")).unwrap();
    let draft = documents::create_draft(db, &actor(), &dla, &Document::from_json(&json).unwrap())
        .await
        .unwrap();
    let before = footprint(db).await;
    let e = routing::dispatch(
        db,
        &actor(),
        at,
        &dla,
        draft.id,
        std::slice::from_ref(&pl),
        None,
    )
    .await
    .unwrap_err();
    is_rejected(&e, "number it first");
    // Recipients that resolve to nobody: อำเภอวังทอง has no local organisations in the demo.
    let e = routing::recipients(db, &dla, "laos:อำเภอวังทอง")
        .await
        .unwrap_err();
    is_rejected(&e, "resolve to no office");
    // Someone else's letter.
    let e = routing::dispatch(
        db,
        &actor(),
        at,
        &pl,
        circular,
        std::slice::from_ref(&wt),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StoreError::UnknownDocument(_)), "{e}");
    assert_eq!(footprint(db).await, before);

    let sent = routing::dispatch(
        db,
        &actor(),
        at,
        &dla,
        circular,
        std::slice::from_ref(&pl),
        None,
    )
    .await
    .unwrap();
    let id = sent[0].id;
    let before = footprint(db).await;
    // Sending twice to the same office.
    let e = routing::dispatch(
        db,
        &actor(),
        at,
        &dla,
        circular,
        std::slice::from_ref(&pl),
        None,
    )
    .await
    .unwrap_err();
    is_rejected(&e, "already sent");
    // Forwarding what was not received.
    let e = routing::forward(db, &actor(), at, &pl, id, None)
        .await
        .unwrap_err();
    is_rejected(&e, "receive the letter before forwarding");
    // Acting for another office: the delivery is not there (404, not 403).
    let e = routing::receive(db, &actor(), at, &wt, id)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::UnknownDelivery(_)), "{e}");
    assert_eq!(e.code(), "not_found");
    // Returning without a reason.
    let e = routing::return_to_sender(db, &actor(), at, &pl, id, "  ")
        .await
        .unwrap_err();
    is_rejected(&e, "reason");
    assert_eq!(footprint(db).await, before);

    // Acknowledging twice.
    routing::acknowledge(db, &actor(), at, &pl, id)
        .await
        .unwrap();
    let before = footprint(db).await;
    let e = routing::acknowledge(db, &actor(), at, &pl, id)
        .await
        .unwrap_err();
    is_rejected(&e, "already acknowledged");
    let e = routing::forward(db, &actor(), at, &pl, id, None)
        .await
        .unwrap_err();
    is_rejected(&e, "already acknowledged");
    assert_eq!(footprint(db).await, before);

    // A ลับที่สุด letter is never dispatched electronically.
    let mut secret = Document::from_json(&json).unwrap();
    if let saraban::model::Part::Letter(l) = &mut secret.main {
        l.secrecy = Some(saraban::model::Secrecy::TopSecret);
    }
    let d = documents::create_draft(db, &actor(), &dla, &secret)
        .await
        .unwrap();
    documents::number(db, &actor(), at, d.id, None, "x", None)
        .await
        .unwrap();
    let before = footprint(db).await;
    let e = routing::dispatch(
        db,
        &actor(),
        at,
        &dla,
        d.id,
        std::slice::from_ref(&pl),
        None,
    )
    .await
    .unwrap_err();
    is_rejected(&e, "never sent electronically");
    assert_eq!(footprint(db).await, before);
}

/// Operators script the whole flow from the command line, each step acting
/// as one office; the DLA's circular is personalised with response links.
#[test]
fn the_cli_scripts_the_whole_flow() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_saraban"))
            .arg("--database")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let ok = |args: &[&str]| {
        let (ok, text) = run(args);
        assert!(ok, "{args:?}: {text}");
        text
    };
    let seed = crate::support::root().join("examples/seed-000.json");
    ok(&["orgs", "demo"]);
    ok(&[
        "doc",
        "create",
        "--office",
        "มท 0810.7",
        seed.to_str().unwrap(),
    ]);
    ok(&["doc", "number", "1", "--series", "circular"]);
    let out = ok(&[
        "dispatch",
        "มท 0810.7/ว 1",
        "--as",
        "มท 0810.7",
        "--to",
        "พล 0023,สข 0023",
        "--personalise",
        "https://forms.example.go.th/r/{token}",
    ]);
    assert!(
        out.contains("made 2 personal letters") && out.contains("2/2"),
        "{out}"
    );
    ok(&["receive", "มท ๐๘๑๐.๗/ว ๑", "--as", "พล 0023"]);
    let out = ok(&["forward", "มท 0810.7/ว 1", "--as", "พล 0023"]);
    assert!(
        out.contains("forwarded as พล ๐๐๒๓/๑ to 10 offices"),
        "{out}"
    );
    ok(&["receive", "พล 0023/1", "--as", "อำเภอเนินมะปราง"]);
    // Draft the cover letter first (a clerk would edit it), then send it.
    let out = ok(&[
        "forward",
        "พล 0023/1",
        "--as",
        "อำเภอเนินมะปราง",
        "--to",
        "องค์การบริหารส่วนตำบลวังยาง",
        "--draft",
    ]);
    let draft = out
        .split("draft #")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("{out}"))
        .to_string();
    let out = ok(&[
        "forward",
        "พล 0023/1",
        "--as",
        "อำเภอเนินมะปราง",
        "--to",
        "องค์การบริหารส่วนตำบลวังยาง",
        "--cover",
        &draft,
    ]);
    assert!(out.contains("พล ๐๖๑๘.๙/๑"), "{out}");
    ok(&[
        "ack",
        "พล 0618.9/1",
        "--as",
        "องค์การบริหารส่วนตำบลวังยาง",
        "--user",
        "somchai",
    ]);
    ok(&[
        "return",
        "มท 0810.7/ว 1",
        "--as",
        "สข 0023",
        "--reason",
        "ส่งผิดหน่วยงาน",
    ]);
    // Bad input: a clear message, non-zero exit.
    let (ok2, text) = run(&["ack", "พล 0618.9/1", "--as", "องค์การบริหารส่วนตำบลวังยาง"]);
    assert!(!ok2 && text.contains("already acknowledged"), "{text}");
    let (ok2, text) = run(&["receive", "มท 0810.7/ว 1", "--as", "อำเภอวังทอง"]);
    assert!(!ok2 && text.contains("has received no letter"), "{text}");
    let (ok2, text) = run(&[
        "dispatch",
        "มท 0810.7/ว 1",
        "--as",
        "มท 0810.7",
        "--to",
        "laos:อำเภอวังทอง",
    ]);
    assert!(!ok2 && text.contains("resolve to no office"), "{text}");
    // The roll-up and the tree.
    let out = ok(&["track", "มท ๐๘๑๐.๗/ว ๑", "--tree", "--pending"]);
    for line in [
        "ระดับ 1 จังหวัด: ส่ง 2 / ลงรับ 1 / ส่งต่อ 1 / รับทราบ 0 / ตีกลับ 1 / ยังไม่ดำเนินการ 0",
        "ระดับ 2 อำเภอ: ส่ง 10 / ลงรับ 1 / ส่งต่อ 1 / รับทราบ 0 / ตีกลับ 0 / ยังไม่ดำเนินการ 9",
        "ระดับ 3 องค์กรปกครองส่วนท้องถิ่น: ส่ง 1 / ลงรับ 1 / ส่งต่อ 0 / รับทราบ 1",
        "      - องค์การบริหารส่วนตำบลวังยาง [รับทราบแล้ว]",
        "ยังไม่ดำเนินการ 9 แห่ง",
    ] {
        assert!(out.contains(line), "{line}\nnot in\n{out}");
    }
    let xlsx = dir.path().join("track.xlsx");
    ok(&[
        "track",
        "มท 0810.7/ว 1",
        "--format",
        "xlsx",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range("การติดตาม").unwrap();
    assert_eq!(sheet.height(), 1 + 2 + 10 + 1);

    // A national run: a second circular relayed down every level at once.
    let out = ok(&[
        "doc",
        "create",
        "--office",
        "มท 0810.7",
        seed.to_str().unwrap(),
    ]);
    let id = out
        .trim_start_matches('#')
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    let out = ok(&["doc", "number", &id, "--series", "circular"]);
    assert!(out.contains("มท ๐๘๑๐.๗/ว ๒"), "{out}");
    let out = ok(&[
        "dispatch",
        "มท 0810.7/ว 2",
        "--as",
        "มท 0810.7",
        "--to",
        "พล 0023",
        "--relay",
    ]);
    assert!(out.contains("relayed: "), "{out}");
    let out = ok(&["track", "มท 0810.7/ว 2"]);
    for line in [
        "ระดับ 1 จังหวัด: ส่ง 1 / ลงรับ 1 / ส่งต่อ 1",
        "ระดับ 2 อำเภอ: ส่ง 10 / ลงรับ",
    ] {
        assert!(out.contains(line), "{line}\nnot in\n{out}");
    }
}

/// Each personal letter carries its own addressee and its own link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_letters_carry_their_own_link() {
    if !crate::render::poppler() {
        return;
    }
    let db = crate::db::sqlite().await;
    let (dla, circular) = dla_circular(&db).await;
    let to = routing::recipients(&db, &dla, "พล 0023,สข 0023,ชม 0023")
        .await
        .unwrap();
    let at = bkk(2024, 5, 21, 9, 30);
    routing::dispatch(&db, &actor(), at, &dla, circular, &to, None)
        .await
        .unwrap();
    let renderer = saraban::render::Renderer::new(&[]).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |done: usize, total: usize| seen.lock().unwrap().push((done, total));
    let url = "https://forms.example.go.th/r/{token}";
    let made = saraban::store::personalise::personalise(
        &db,
        &actor(),
        at,
        &dla,
        circular,
        url,
        &renderer,
        &saraban::render::RenderOptions::default(),
        None,
        &progress,
    )
    .await
    .unwrap();
    assert_eq!(made, 3);
    assert_eq!(seen.into_inner().unwrap().last(), Some(&(3, 3)));
    // Running it again makes nothing new: every delivery has its letter.
    let again = saraban::store::personalise::personalise(
        &db,
        &actor(),
        at,
        &dla,
        circular,
        url,
        &renderer,
        &saraban::render::RenderOptions::default(),
        None,
        &|_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(again, 0);
    let v = saraban::store::audit::verify(&db, None).await.unwrap();
    assert!(v.is_clean(), "{:?} {:?}", v.problem, v.rows);
    let mut tokens = Vec::new();
    for (d, province) in routing::find_for(
        &db,
        &to[0],
        &saraban::docnum::DocNumber::parse("มท 0810.7/ว 2135").unwrap(),
    )
    .await
    .unwrap()
    .iter()
    .zip(["พิษณุโลก"])
    {
        let pdf = saraban::store::personalise::letter(&db, &to[0], d.id)
            .await
            .unwrap();
        let text = crate::render::pdf_bytes_text("personal", &pdf).unwrap();
        let flat: String = text.split_whitespace().collect();
        assert!(
            flat.contains(&format!("เรียนผู้ว่าราชการจังหวัด{province}")),
            "{text}"
        );
        let token: String = {
            use sqlx::Row;
            sqlx::query("SELECT token FROM deliveries WHERE id = $1")
                .bind(d.id)
                .fetch_one(db.reader())
                .await
                .unwrap()
                .get(0)
        };
        assert_eq!(token.len(), 16);
        assert!(
            flat.contains(&format!("https://forms.example.go.th/r/{token}")),
            "{text}"
        );
        tokens.push(token);
    }
    let distinct = count(&db, "SELECT COUNT(DISTINCT token) FROM deliveries").await;
    assert_eq!(distinct, 3);
    // Another office cannot read the letter; a bad link template is refused.
    let wt = office(&db, "อำเภอวังทอง").await;
    let e = saraban::store::personalise::letter(&db, &wt, 1)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::UnknownDelivery(_)));
    let e = saraban::store::personalise::personalise(
        &db,
        &actor(),
        at,
        &dla,
        circular,
        "forms/{id}",
        &renderer,
        &saraban::render::RenderOptions::default(),
        None,
        &|_, _| {},
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("{token}"), "{e}");
}

/// The pending inbox is the full inbox less what the office has acted on,
/// and it reads the pending deliveries through their own index rather than
/// walking the office's whole history (29 ms for an office with 100,000
/// acted deliveries; `EXPLAIN` on each backend).
async fn the_pending_inbox_reads_only_pending_deliveries(db: &TestDb) {
    let (dla, circular) = dla_circular(db).await;
    to_every_province(db, &dla, circular).await;
    let pl = office(db, "พล 0023").await;
    let today = NaiveDate::from_ymd_opt(2024, 5, 21).unwrap();
    let ids = |items: Vec<inbox::InboxItem>| -> Vec<i64> {
        items.iter().map(|i| i.delivery.id).collect()
    };
    let all = inbox::inbox(db, pl.id, today, false, 100).await.unwrap();
    assert_eq!(all.len(), 1);
    let pending = inbox::inbox(db, pl.id, today, true, 100).await.unwrap();
    assert_eq!(ids(pending), ids(all.clone()));
    let got = routing::receive(
        db,
        &clerk("pl"),
        bkk(2024, 5, 21, 14, 5),
        &pl,
        all[0].delivery.id,
    )
    .await
    .unwrap();
    let still = inbox::inbox(db, pl.id, today, true, 100).await.unwrap();
    assert_eq!(ids(still), [got.id], "received is still pending");
    routing::acknowledge(db, &clerk("pl"), bkk(2024, 5, 21, 15, 0), &pl, got.id)
        .await
        .unwrap();
    assert!(
        inbox::inbox(db, pl.id, today, true, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(inbox::inbox(db, pl.id, today, false, 100).await.unwrap()),
        [got.id]
    );

    let (explain, column) = match db.backend() {
        Backend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
        Backend::Postgres => ("EXPLAIN", "QUERY PLAN"),
    };
    let rows = sqlx::query(&format!("{explain} {}", inbox::query(true)))
        .bind(pl.id)
        .bind(100_i64)
        .fetch_all(db.reader())
        .await
        .unwrap();
    let plan = rows
        .iter()
        .map(|r| sqlx::Row::get::<String, _>(r, column))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        plan.contains("deliveries_inbox_pending"),
        "the pending inbox should read the pending deliveries' index:\n{plan}"
    );
}
