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

use crate::db::{TestDb, actor, count, on_both};

on_both!(seed_story_end_to_end, bad_input_changes_nothing);

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
    )
    .await
    .unwrap();
    assert_eq!(issued.printed, "มท ๐๘๑๐.๗/ว ๒๑๓๕");
    (dla, numbered.id)
}

async fn seed_story_end_to_end(db: &TestDb) {
    let (dla, circular) = dla_circular(db).await;
    // 1. To every provincial office.
    let provinces = routing::recipients(db, &dla, "provinces").await.unwrap();
    assert_eq!(provinces.len(), 76);
    let sent = routing::dispatch(
        db,
        &clerk("dla"),
        bkk(2024, 5, 21, 9, 30),
        &dla,
        circular,
        &provinces,
        None,
    )
    .await
    .unwrap();
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
    assert_eq!(fwd.deliveries.len(), 9);
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
    assert_eq!(cover.to, "นายอำเภอ ทุกอำเภอ");
    assert_eq!(cover.enclosures.len(), 2, "the enclosures are carried over");
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
            "2 อำเภอ: sent 9 received 1 forwarded 1 acknowledged 0 pending 8 overdue 8",
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
    assert_eq!(t.pending.len(), 75 + 8);
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
    assert_eq!(csv.lines().count(), 1 + 76 + 9 + 1);
    assert!(csv.contains("องค์การบริหารส่วนตำบลวังยาง,รับทราบแล้ว"));
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
    documents::number(db, &actor(), at, d.id, None, "x")
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
