//! The registry on both backends: offices, numbering (gap-free under
//! concurrency, rollover, cancellation, reservations), documents, audit.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use saraban::store::audit::{self, Problem};
use saraban::store::documents::{self, Relation, State, Target};
use saraban::store::numbering::{self, Entry, Series};
use saraban::store::offices::{self, OfficeKind, YearBasis};
use saraban::store::{StoreError, demo};

use crate::db::{TestDb, actor, count, on_both, raw};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s)
        .single()
        .expect("a valid instant")
}

fn entry(subject: &str) -> Entry {
    Entry {
        subject: subject.into(),
        to: "ผู้ว่าราชการจังหวัด ทุกจังหวัด".into(),
        ..Entry::default()
    }
}

async fn with_demo(db: &TestDb) {
    assert_eq!(
        demo::load(db, &actor()).await.expect("demo loads"),
        demo::Loaded::Offices(93)
    );
}

/// Everything that shows whether anything was written.
async fn footprint(db: &TestDb) -> [i64; 6] {
    [
        count(db, "SELECT COUNT(*) FROM offices").await,
        count(db, "SELECT COUNT(*) FROM documents").await,
        count(db, "SELECT COUNT(*) FROM register_entries").await,
        count(db, "SELECT COUNT(*) FROM audit_events").await,
        count(db, "SELECT COUNT(*) FROM attachments").await,
        count(db, "SELECT COALESCE(MAX(last), 0) FROM counters").await,
    ]
}

on_both!(
    demo_hierarchy,
    issue_prints_as_on_paper,
    sixty_four_writers,
    rollover_at_bangkok_new_year,
    fiscal_year_series,
    cancelled_numbers_are_never_reissued,
    reservations_are_used_or_cancelled_whole,
    document_lifecycle,
    attachments_and_references,
    bad_input_writes_nothing,
    audit_catches_edit,
    audit_catches_delete,
    audit_catches_insert,
    import_is_idempotent,
);

async fn demo_hierarchy(db: &TestDb) {
    with_demo(db).await;
    // A second load adds nothing.
    assert_eq!(
        demo::load(db, &actor()).await.unwrap(),
        demo::Loaded::AlreadyPresent
    );
    let counts = offices::count_by_kind(db).await.unwrap();
    let of = |k: OfficeKind| counts.iter().find(|x| x.0 == k).map(|x| x.1).unwrap_or(0);
    assert_eq!(of(OfficeKind::ProvincialOffice), 76);
    assert_eq!(of(OfficeKind::DistrictOffice), 9);
    // Codes in either digits; the seeds' offices are there.
    let dla_unit = offices::find(db, "มท ๐๘๑๐.๗").await.unwrap();
    assert_eq!(dla_unit.fields.name, "กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น");
    let province = offices::find(db, "พล 0023").await.unwrap();
    let under: Vec<String> = offices::list(db, Some(province.id))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.fields.name)
        .collect();
    for name in [
        "อำเภอเนินมะปราง",
        "องค์การบริหารส่วนตำบลวังยาง",
        "กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น",
    ] {
        assert!(
            under.iter().any(|n| n == name),
            "{name} under พล 0023: {under:?}"
        );
    }
    let wang_yang = offices::find(db, "องค์การบริหารส่วนตำบลวังยาง").await.unwrap();
    let district = offices::get(db, wang_yang.parent_id.unwrap())
        .await
        .unwrap();
    assert_eq!(district.fields.name, "อำเภอเนินมะปราง");
    // Every provincial office carries its province's letter code.
    for p in saraban::codes::PROVINCES.iter().filter(|p| p.code != "กท") {
        let o = offices::find(db, &format!("{} 0023", p.code))
            .await
            .unwrap();
        assert!(
            o.fields.name.ends_with(p.name),
            "{} → {}",
            p.code,
            o.fields.name
        );
    }
    assert!(matches!(
        offices::find(db, "ไม่มีสำนักงานนี้").await,
        Err(StoreError::UnknownOffice(_))
    ));
}

/// On a SQLite file a number is taken on the caller's thread when the
/// database is free, and through sqlx (which queues) when another
/// connection is writing. Both ways give the next number, and the audit
/// chain holds across them. One runtime thread, so the order is certain:
/// the numbering task meets the lock before the holder commits.
#[tokio::test(flavor = "current_thread")]
async fn numbering_waits_for_a_writer_holding_the_database() {
    let db = &crate::db::sqlite().await;
    with_demo(db).await;
    let dla = offices::find(db, "มท 0810.7").await.unwrap();
    let at = utc(2024, 5, 21, 3, 0, 0);
    let issue = |subject: &'static str| {
        let dla = dla.clone();
        async move {
            numbering::issue(db, &actor(), at, &dla, Series::Circular, &entry(subject))
                .await
                .unwrap()
        }
    };
    let free = issue("ก").await;
    // Another writer holds the database while the second number is asked
    // for: `join!` polls the request first, so it meets the lock, then
    // the holder commits after a few turns of the runtime.
    let held = db.begin_write().await.unwrap();
    let (waited, committed) = tokio::join!(issue("ข"), async {
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        held.commit().await
    });
    committed.unwrap();
    assert_eq!((free.seq, waited.seq), (1, 2));
    assert_eq!(
        numbering::sequence(db, dla.id, Series::Circular, 2567)
            .await
            .unwrap(),
        vec![1, 2]
    );
    assert!(audit::verify(db, None).await.unwrap().is_clean());
}

async fn issue_prints_as_on_paper(db: &TestDb) {
    with_demo(db).await;
    let dla = offices::find(db, "มท 0810.7").await.unwrap();
    let at = utc(2024, 5, 21, 3, 0, 0);
    let (year, next, printed) = numbering::peek(db, at, &dla, Series::Circular)
        .await
        .unwrap();
    assert_eq!((year, next, printed.as_str()), (2567, 1, "มท ๐๘๑๐.๗/ว ๑"));
    let first = numbering::issue(db, &actor(), at, &dla, Series::Circular, &entry("ก"))
        .await
        .unwrap();
    assert_eq!(first.printed, "มท ๐๘๑๐.๗/ว ๑");
    assert_eq!(first.number, "มท 0810.7/ว 1");
    // Peeking takes nothing.
    let (_, next, printed) = numbering::peek(db, at, &dla, Series::Circular)
        .await
        .unwrap();
    assert_eq!((next, printed.as_str()), (2, "มท ๐๘๑๐.๗/ว ๒"));
    let second = numbering::issue(db, &actor(), at, &dla, Series::Circular, &entry("ข"))
        .await
        .unwrap();
    assert_eq!(second.printed, "มท ๐๘๑๐.๗/ว ๒");
    // Series are independent: the normal series starts at 1.
    let normal = numbering::issue(db, &actor(), at, &dla, Series::Normal, &entry("ค"))
        .await
        .unwrap();
    assert_eq!(normal.printed, "มท ๐๘๑๐.๗/๑");
    let order = numbering::issue(db, &actor(), at, &dla, Series::Order, &entry("แต่งตั้ง"))
        .await
        .unwrap();
    assert_eq!(order.printed, "๑/๒๕๖๗");
    // An office that prints Arabic digits.
    let pl = offices::find(db, "พล 0023.3").await.unwrap();
    let pl = offices::update_settings(
        db,
        &actor(),
        pl.id,
        Some(saraban::thai::Digits::Arabic),
        None,
    )
    .await
    .unwrap();
    let n = numbering::issue(db, &actor(), at, &pl, Series::Normal, &entry("ง"))
        .await
        .unwrap();
    assert_eq!(n.printed, "พล 0023.3/1");
    // The register row: 10:00 in Bangkok (03:00 UTC), dated that day.
    let rows = saraban::store::registers::rows(
        db,
        dla.id,
        2567,
        saraban::store::registers::RegisterKind::Send,
        None,
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].reg_time, "10:00");
    assert_eq!(rows[0].doc_date, NaiveDate::from_ymd_opt(2024, 5, 21));
    assert_eq!(rows[0].doc_number, "มท 0810.7/ว 1");
    assert_eq!(rows[0].from, "กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น");
    // Receive register.
    let r = numbering::issue(
        db,
        &actor(),
        at,
        &pl,
        Series::Receive,
        &Entry {
            subject: "การประชุมชี้แจง".into(),
            from: "กรมส่งเสริมการปกครองท้องถิ่น".into(),
            doc_number: Some("มท ๐๘๑๐.๗/ว ๒๑๓๕".into()),
            doc_date: NaiveDate::from_ymd_opt(2024, 5, 21),
            ..Entry::default()
        },
    )
    .await
    .unwrap();
    assert_eq!((r.seq, r.printed.as_str()), (1, "1"));
}

async fn sixty_four_writers(db: &TestDb) {
    with_demo(db).await;
    let office = offices::find(db, "มท 0810.7").await.unwrap();
    let at = utc(2024, 5, 21, 3, 0, 0);
    let mut tasks = Vec::new();
    for w in 0..64 {
        let store = db.store.clone();
        let office = office.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for i in 0..200 {
                let issued = numbering::issue(
                    &store,
                    &actor(),
                    at,
                    &office,
                    Series::Circular,
                    &entry(&format!("writer {w} letter {i}")),
                )
                .await
                .expect("every issue succeeds");
                got.push(issued.seq);
            }
            got
        }));
    }
    let mut handed_out = Vec::new();
    for t in tasks {
        handed_out.extend(t.await.unwrap());
    }
    handed_out.sort_unstable();
    let expected: Vec<i64> = (1..=12_800).collect();
    assert_eq!(handed_out, expected, "what the writers were given");
    let in_register = numbering::sequence(db, office.id, Series::Circular, 2567)
        .await
        .unwrap();
    assert_eq!(
        in_register, expected,
        "the register holds 1..12800, each once"
    );
    assert!(audit::verify(db, None).await.unwrap().is_clean());
}

async fn rollover_at_bangkok_new_year(db: &TestDb) {
    with_demo(db).await;
    let o = offices::find(db, "พล 0023.3").await.unwrap();
    // 31 Dec 2563 23:59:59 in Bangkok is 16:59:59 UTC.
    let last_second = utc(2020, 12, 31, 16, 59, 59);
    let first_second = utc(2020, 12, 31, 17, 0, 0);
    let a = numbering::issue(db, &actor(), last_second, &o, Series::Normal, &entry("ก"))
        .await
        .unwrap();
    let b = numbering::issue(db, &actor(), last_second, &o, Series::Normal, &entry("ข"))
        .await
        .unwrap();
    let c = numbering::issue(db, &actor(), first_second, &o, Series::Normal, &entry("ค"))
        .await
        .unwrap();
    assert_eq!((a.year_be, a.seq), (2563, 1));
    assert_eq!((b.year_be, b.seq), (2563, 2));
    assert_eq!(
        (c.year_be, c.seq),
        (2564, 1),
        "1 Jan 2564 00:00:00 Bangkok starts a new year"
    );
    // Orders print the year.
    let o1 = numbering::issue(db, &actor(), last_second, &o, Series::Order, &entry("ก"))
        .await
        .unwrap();
    let o2 = numbering::issue(db, &actor(), first_second, &o, Series::Order, &entry("ข"))
        .await
        .unwrap();
    assert_eq!(o1.printed, "๑/๒๕๖๓");
    assert_eq!(o2.printed, "๑/๒๕๖๔");
    // At 00:00:00 UTC on 1 Jan it is already 07:00 in Bangkok: still 2564.
    let d = numbering::issue(
        db,
        &actor(),
        utc(2021, 1, 1, 0, 0, 0),
        &o,
        Series::Normal,
        &entry("ง"),
    )
    .await
    .unwrap();
    assert_eq!((d.year_be, d.seq), (2564, 2));
}

async fn fiscal_year_series(db: &TestDb) {
    with_demo(db).await;
    let o = offices::find(db, "พล 0023.3").await.unwrap();
    let o = offices::update_settings(db, &actor(), o.id, None, Some(YearBasis::Fiscal))
        .await
        .unwrap();
    // 30 Sep 2564 23:59:59 Bangkok is still fiscal 2564; a second later is 2565.
    let a = numbering::issue(
        db,
        &actor(),
        utc(2021, 9, 30, 16, 59, 59),
        &o,
        Series::Normal,
        &entry("ก"),
    )
    .await
    .unwrap();
    let b = numbering::issue(
        db,
        &actor(),
        utc(2021, 9, 30, 17, 0, 0),
        &o,
        Series::Normal,
        &entry("ข"),
    )
    .await
    .unwrap();
    // 1 January does not restart a fiscal series.
    let c = numbering::issue(
        db,
        &actor(),
        utc(2022, 1, 1, 1, 0, 0),
        &o,
        Series::Normal,
        &entry("ค"),
    )
    .await
    .unwrap();
    assert_eq!((a.year_be, a.seq), (2564, 1));
    assert_eq!((b.year_be, b.seq), (2565, 1));
    assert_eq!((c.year_be, c.seq), (2565, 2));
}

async fn cancelled_numbers_are_never_reissued(db: &TestDb) {
    with_demo(db).await;
    let o = offices::find(db, "พล 0023.3").await.unwrap();
    let at = utc(2021, 2, 24, 2, 0, 0);
    for s in ["ก", "ข"] {
        numbering::issue(db, &actor(), at, &o, Series::Normal, &entry(s))
            .await
            .unwrap();
    }
    numbering::cancel_number(
        db,
        &actor(),
        at,
        &o,
        numbering::Taken {
            series: Series::Normal,
            year_be: 2564,
            seq: 2,
        },
        "พิมพ์ผิด",
    )
    .await
    .unwrap();
    let again = numbering::cancel_number(
        db,
        &actor(),
        at,
        &o,
        numbering::Taken {
            series: Series::Normal,
            year_be: 2564,
            seq: 2,
        },
        "",
    )
    .await;
    assert!(
        matches!(again, Err(StoreError::Rejected { .. })),
        "{again:?}"
    );
    let next = numbering::issue(db, &actor(), at, &o, Series::Normal, &entry("ค"))
        .await
        .unwrap();
    assert_eq!(next.seq, 3, "2 was cancelled and is not handed out again");
    let rows = saraban::store::registers::rows(
        db,
        o.id,
        2564,
        saraban::store::registers::RegisterKind::Send,
        None,
    )
    .await
    .unwrap();
    let seqs: Vec<(i64, &str)> = rows.iter().map(|r| (r.seq, r.status.as_str())).collect();
    assert_eq!(seqs, [(1, "issued"), (2, "cancelled"), (3, "issued")]);
    assert_eq!(rows[1].note, "ยกเลิก: พิมพ์ผิด");
    let printed = saraban::store::registers::printed_row(&rows[1], o.fields.digits);
    assert_eq!(printed[0], "๒");
    assert_eq!(printed[9], "ยกเลิก: พิมพ์ผิด");
}

async fn reservations_are_used_or_cancelled_whole(db: &TestDb) {
    with_demo(db).await;
    let o = offices::find(db, "มท 0810.7").await.unwrap();
    let at = utc(2024, 5, 21, 3, 0, 0);
    numbering::issue(db, &actor(), at, &o, Series::Circular, &entry("ก่อน"))
        .await
        .unwrap();
    let r = numbering::reserve(
        db,
        &actor(),
        at,
        &o,
        Series::Circular,
        5,
        "หนังสือเวียนรายบุคคล",
    )
    .await
    .unwrap();
    assert_eq!((r.first, r.last), (2, 6));
    // Meanwhile others keep numbering after the block.
    let after = numbering::issue(db, &actor(), at, &o, Series::Circular, &entry("หลัง"))
        .await
        .unwrap();
    assert_eq!(after.seq, 7);
    let before = footprint(db).await;
    let four: Vec<Entry> = (0..4).map(|i| entry(&format!("ฉบับ {i}"))).collect();
    let partial = numbering::fill_reservation(db, &actor(), at, &r.batch, &four).await;
    assert!(
        matches!(partial, Err(StoreError::Rejected { .. })),
        "{partial:?}"
    );
    assert_eq!(footprint(db).await, before, "a partial use writes nothing");
    // One number of the block cannot be cancelled alone.
    let single = numbering::cancel_number(
        db,
        &actor(),
        at,
        &o,
        numbering::Taken {
            series: Series::Circular,
            year_be: 2567,
            seq: 3,
        },
        "",
    )
    .await;
    assert!(single.is_err());
    let five: Vec<Entry> = (0..5).map(|i| entry(&format!("ฉบับ {i}"))).collect();
    numbering::fill_reservation(db, &actor(), at, &r.batch, &five)
        .await
        .unwrap();
    assert!(
        numbering::fill_reservation(db, &actor(), at, &r.batch, &five)
            .await
            .is_err()
    );
    assert!(
        numbering::cancel_reservation(db, &actor(), at, &r.batch, "")
            .await
            .is_err()
    );
    // A second block, cancelled whole.
    let r2 = numbering::reserve(db, &actor(), at, &o, Series::Circular, 3, "ยกเลิกทั้งชุด")
        .await
        .unwrap();
    assert_eq!(
        numbering::cancel_reservation(db, &actor(), at, &r2.batch, "ไม่ใช้")
            .await
            .unwrap(),
        3
    );
    let statuses = count(
        db,
        "SELECT COUNT(*) FROM register_entries WHERE status = 'cancelled'",
    )
    .await;
    assert_eq!(statuses, 3);
    let next = numbering::issue(db, &actor(), at, &o, Series::Circular, &entry("ต่อ"))
        .await
        .unwrap();
    assert_eq!(next.seq, 11);
    assert_eq!(
        numbering::sequence(db, o.id, Series::Circular, 2567)
            .await
            .unwrap(),
        (1..=11).collect::<Vec<i64>>()
    );
    let zero = numbering::reserve(db, &actor(), at, &o, Series::Circular, 0, "x").await;
    assert!(matches!(zero, Err(StoreError::Invalid(_))));
}

fn example(name: &str) -> saraban::model::Document {
    let text = std::fs::read_to_string(crate::support::root().join("examples").join(name)).unwrap();
    let mut doc = saraban::model::Document::from_json(&text).unwrap();
    if let saraban::model::Part::Letter(l) = &mut doc.main {
        l.number = None;
    }
    doc
}

async fn document_lifecycle(db: &TestDb) {
    with_demo(db).await;
    let office = offices::find(db, "พล 0023.3").await.unwrap();
    let doc = example("letter.json");
    let draft = documents::create_draft(db, &actor(), &office, &doc)
        .await
        .unwrap();
    assert_eq!(draft.state, State::Draft);
    assert_eq!(draft.number, None);
    // Drafts change freely.
    let mut edited = doc.clone();
    if let saraban::model::Part::Letter(l) = &mut edited.main {
        l.subject = "การรายงานผล (แก้ไข)".into();
    }
    let draft = documents::update(db, &actor(), draft.id, &edited)
        .await
        .unwrap();
    assert_eq!(draft.subject, "การรายงานผล (แก้ไข)");
    // Numbering writes the number into the content and the register.
    let at = utc(2024, 6, 3, 2, 0, 0);
    let (numbered, issued) = documents::number(
        db,
        &actor(),
        at,
        draft.id,
        Some(Series::Circular),
        "นายอำเภอ ทุกอำเภอ",
        None,
    )
    .await
    .unwrap();
    assert_eq!(issued.printed, "พล ๐๐๒๓.๓/ว ๑");
    assert_eq!(numbered.state, State::Numbered);
    assert_eq!(numbered.number.as_deref(), Some("พล 0023.3/ว 1"));
    let saraban::model::Part::Letter(l) = &numbered.content.main else {
        panic!("a letter")
    };
    assert_eq!(l.number.as_deref(), Some("พล 0023.3/ว 1"));
    // Frozen fields.
    let mut changed = numbered.content.clone();
    if let saraban::model::Part::Letter(l) = &mut changed.main {
        l.subject = "เรื่องอื่น".into();
    }
    let frozen = documents::update(db, &actor(), draft.id, &changed).await;
    assert!(
        matches!(
            frozen,
            Err(StoreError::Frozen {
                field: "subject",
                ..
            })
        ),
        "{frozen:?}"
    );
    let mut changed = numbered.content.clone();
    if let saraban::model::Part::Letter(l) = &mut changed.main {
        l.date = NaiveDate::from_ymd_opt(2024, 6, 4).unwrap();
    }
    assert!(matches!(
        documents::update(db, &actor(), draft.id, &changed).await,
        Err(StoreError::Frozen { field: "date", .. })
    ));
    let mut changed = numbered.content.clone();
    if let saraban::model::Part::Letter(l) = &mut changed.main {
        l.body.push("ย่อหน้าเพิ่ม".into());
    }
    documents::update(db, &actor(), draft.id, &changed)
        .await
        .expect("the body may change until sent");
    // Numbering twice is illegal.
    assert!(matches!(
        documents::number(db, &actor(), at, draft.id, None, "", None).await,
        Err(StoreError::IllegalTransition { .. })
    ));
    // The official copy is made once and then always returned as stored.
    let first =
        documents::official_copy(
            db,
            &actor(),
            draft.id,
            |_, _| Ok(b"%PDF-1.7 first".to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(first.pdf, b"%PDF-1.7 first");
    assert_eq!(first.sha256, saraban::store::sha256_hex(b"%PDF-1.7 first"));
    assert_eq!(first.code.len(), 16);
    let again =
        documents::official_copy(db, &actor(), draft.id, |_, _| panic!("never re-rendered"))
            .await
            .unwrap();
    assert_eq!(again, first);
    let sent = documents::mark_sent(db, &actor(), draft.id).await.unwrap();
    assert_eq!(sent.state, State::Sent);
    assert!(
        documents::update(db, &actor(), draft.id, &changed)
            .await
            .is_err()
    );
    // Cancelling keeps the number in the register as ยกเลิก.
    let cancelled = documents::cancel(db, &actor(), at, draft.id, "ส่งผิด")
        .await
        .unwrap();
    assert_eq!(cancelled.state, State::Cancelled);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM register_entries WHERE status = 'cancelled' AND note = 'ยกเลิก: ส่งผิด'").await,
        1
    );
    assert!(matches!(
        documents::mark_sent(db, &actor(), draft.id).await,
        Err(StoreError::IllegalTransition { .. })
    ));
    // Unknown ids.
    assert!(matches!(
        documents::get(db, 999_999).await,
        Err(StoreError::UnknownDocument(999_999))
    ));
    // A draft cannot have an official copy.
    let d2 = documents::create_draft(db, &actor(), &office, &doc)
        .await
        .unwrap();
    assert!(
        documents::official_copy(db, &actor(), d2.id, |_, _| Ok(vec![1]))
            .await
            .is_err()
    );
    assert!(audit::verify(db, None).await.unwrap().is_clean());
}

async fn attachments_and_references(db: &TestDb) {
    with_demo(db).await;
    let office = offices::find(db, "พล 0023.3").await.unwrap();
    let a = documents::create_draft(db, &actor(), &office, &example("letter.json"))
        .await
        .unwrap();
    let b = documents::create_draft(db, &actor(), &office, &example("letter.json"))
        .await
        .unwrap();
    let att = documents::attach(
        db,
        &actor(),
        a.id,
        "แบบรายงาน.pdf",
        "application/pdf",
        b"abc",
    )
    .await
    .unwrap();
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    assert_eq!(
        att.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(att.size, 3);
    assert_eq!(
        documents::attachment_bytes(db, att.id).await.unwrap(),
        b"abc"
    );
    let dup = documents::attach(db, &actor(), a.id, "ซ้ำ.pdf", "application/pdf", b"abc").await;
    assert!(matches!(dup, Err(StoreError::Duplicate { .. })), "{dup:?}");
    let big = vec![0u8; documents::MAX_ATTACHMENT + 1];
    assert!(matches!(
        documents::attach(
            db,
            &actor(),
            a.id,
            "ใหญ่.bin",
            "application/octet-stream",
            &big
        )
        .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(documents::attachments(db, a.id).await.unwrap().len(), 1);
    // References: to a stored letter, and to one known only by number.
    documents::add_reference(
        db,
        &actor(),
        b.id,
        Relation::RepliesTo,
        &Target::Stored(a.id),
    )
    .await
    .unwrap();
    documents::add_reference(
        db,
        &actor(),
        a.id,
        Relation::Cites,
        &Target::External {
            number: "มท ๐๘๑๐.๗/ว ๓๓๓".into(),
            date: NaiveDate::from_ymd_opt(2021, 2, 19),
            issuer: Some("กรมส่งเสริมการปกครองท้องถิ่น".into()),
        },
    )
    .await
    .unwrap();
    let from_a = documents::references_from(db, a.id).await.unwrap();
    let added = Target::External {
        number: "มท 0810.7/ว 333".into(),
        date: NaiveDate::from_ymd_opt(2021, 2, 19),
        issuer: Some("กรมส่งเสริมการปกครองท้องถิ่น".into()),
    };
    assert!(
        from_a
            .iter()
            .any(|r| r.target == added && r.relation == Relation::Cites),
        "{from_a:?}"
    );
    // The draft's own อ้างถึง was linked when it was saved.
    assert!(
        from_a.iter().any(|r| matches!(&r.target,
            Target::External { number, .. } if number == "มท 0808.3/ว 1640")),
        "{from_a:?}"
    );
    let to_a = documents::references_to(db, a.id).await.unwrap();
    assert_eq!(to_a.len(), 1);
    assert_eq!(
        (to_a[0].from, to_a[0].relation),
        (b.id, Relation::RepliesTo)
    );
    assert!(
        documents::add_reference(db, &actor(), a.id, Relation::Cites, &Target::Stored(a.id))
            .await
            .is_err()
    );
    assert!(
        documents::add_reference(
            db,
            &actor(),
            a.id,
            Relation::Cites,
            &Target::External {
                number: "ไม่ใช่เลข".into(),
                date: None,
                issuer: None
            }
        )
        .await
        .is_err()
    );
}

async fn bad_input_writes_nothing(db: &TestDb) {
    with_demo(db).await;
    let o = offices::find(db, "พล 0023.3").await.unwrap();
    let uncoded = offices::find(db, "องค์การบริหารส่วนตำบลชมพู").await.unwrap();
    let at = utc(2024, 5, 21, 3, 0, 0);
    numbering::issue(db, &actor(), at, &o, Series::Normal, &entry("ก"))
        .await
        .unwrap();
    let before = footprint(db).await;
    let attempts: Vec<Result<(), StoreError>> = vec![
        numbering::issue(db, &actor(), at, &o, Series::Normal, &entry(""))
            .await
            .map(|_| ()),
        numbering::issue(db, &actor(), at, &uncoded, Series::Normal, &entry("ก"))
            .await
            .map(|_| ()),
        numbering::issue(db, &actor(), at, &o, Series::Receive, &entry("ไม่มีผู้ส่ง"))
            .await
            .map(|_| ()),
        numbering::cancel_number(
            db,
            &actor(),
            at,
            &o,
            numbering::Taken {
                series: Series::Normal,
                year_be: 2567,
                seq: 99,
            },
            "",
        )
        .await,
        documents::mark_sent(db, &actor(), 12345).await.map(|_| ()),
        offices::insert(
            db,
            &actor(),
            None,
            &saraban::store::offices::OfficeFields::new(OfficeKind::Group, ""),
        )
        .await
        .map(|_| ()),
        offices::insert(
            db,
            &actor(),
            None,
            &saraban::store::offices::OfficeFields::new(OfficeKind::Group, "ซ้ำรหัส")
                .code("มท", "0810.7"),
        )
        .await
        .map(|_| ()),
    ];
    for (i, a) in attempts.iter().enumerate() {
        let err = a.as_ref().expect_err(&format!("attempt {i} must fail"));
        let text = err.to_string();
        assert!(
            text.chars().any(|c| ('ก'..='๙').contains(&c)),
            "Thai in {text}"
        );
        assert!(
            text.chars().any(|c| c.is_ascii_alphabetic()),
            "English in {text}"
        );
    }
    assert!(matches!(attempts[6], Err(StoreError::Duplicate { .. })));
    assert_eq!(
        footprint(db).await,
        before,
        "nothing written by failed attempts"
    );
}

async fn tamper_setup(db: &TestDb) -> i64 {
    with_demo(db).await;
    let o = offices::find(db, "พล 0023.3").await.unwrap();
    for s in ["ก", "ข", "ค"] {
        numbering::issue(
            db,
            &actor(),
            utc(2024, 5, 21, 3, 0, 0),
            &o,
            Series::Normal,
            &entry(s),
        )
        .await
        .unwrap();
    }
    let v = audit::verify(db, None).await.unwrap();
    assert_eq!(v.problem, None);
    // The application cannot change the log: the database refuses.
    assert!(
        raw(db, "UPDATE audit_events SET actor = 'x' WHERE seq = 5")
            .await
            .is_err()
    );
    assert!(
        raw(db, "DELETE FROM audit_events WHERE seq = 5")
            .await
            .is_err()
    );
    assert_eq!(audit::verify(db, None).await.unwrap().problem, None);
    // Someone with the database files drops the guard first.
    let drop_guard = match db.backend() {
        saraban::store::Backend::Sqlite => {
            "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
        }
        saraban::store::Backend::Postgres => "ALTER TABLE audit_events DISABLE TRIGGER USER;",
    };
    raw(db, drop_guard).await.unwrap();
    v.events
}

async fn audit_catches_edit(db: &TestDb) {
    tamper_setup(db).await;
    raw(
        db,
        "UPDATE audit_events SET actor = 'someone else' WHERE seq = 40",
    )
    .await
    .unwrap();
    let v = audit::verify(db, None).await.unwrap();
    assert_eq!(v.problem, Some(Problem::Edited { seq: 40 }));
}

async fn audit_catches_delete(db: &TestDb) {
    let n = tamper_setup(db).await;
    // The newest event: the head still counts it.
    raw(db, &format!("DELETE FROM audit_events WHERE seq = {n}"))
        .await
        .unwrap();
    assert_eq!(
        audit::verify(db, None).await.unwrap().problem,
        Some(Problem::Deleted { first: n, last: n })
    );
    // One in the middle.
    raw(db, "DELETE FROM audit_events WHERE seq = 41")
        .await
        .unwrap();
    assert_eq!(
        audit::verify(db, None).await.unwrap().problem,
        Some(Problem::Deleted {
            first: 41,
            last: 41
        })
    );
}

async fn audit_catches_insert(db: &TestDb) {
    let n = tamper_setup(db).await;
    // A row added at the end, even with a hash that follows the chain.
    let (_, head) = audit::head(db).await.unwrap();
    let mut forged = audit::Event {
        seq: n + 1,
        at: "2024-05-21T03:00:00.000000Z".into(),
        actor: "test:clerk".into(),
        office_id: None,
        action: "number.issue".into(),
        object: "register:999".into(),
        before_sha256: None,
        after_sha256: None,
        state_sha256: None,
        prev_hash: head,
        hash: String::new(),
    };
    forged.hash = forged.compute_hash();
    raw(
        db,
        &format!(
            "INSERT INTO audit_events (seq, at, actor, office_id, action, object, prev_hash, hash) \
             VALUES ({}, '{}', '{}', NULL, '{}', '{}', '{}', '{}')",
            forged.seq,
            forged.at,
            forged.actor,
            forged.action,
            forged.object,
            forged.prev_hash,
            forged.hash
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        audit::verify(db, None).await.unwrap().problem,
        Some(Problem::Inserted { seq: n + 1 })
    );
    // Moving the head as well is caught against a head recorded earlier.
    let (_, old_head) = audit::head(db).await.unwrap();
    raw(
        db,
        &format!(
            "UPDATE audit_head SET seq = {}, hash = '{}'",
            forged.seq, forged.hash
        ),
    )
    .await
    .unwrap();
    assert_eq!(audit::verify(db, None).await.unwrap().problem, None);
    let v = audit::verify(db, Some(&old_head)).await.unwrap();
    assert_eq!(v.problem, None, "the recorded head is still in the chain");
    let unknown = "f".repeat(64);
    assert!(matches!(
        audit::verify(db, Some(&unknown)).await.unwrap().problem,
        Some(Problem::HeadMismatch { .. })
    ));
}

const ORGS_CSV: &str = "\u{feff}รหัส อปท.,ชื่อ อปท.,ประเภท,อำเภอ,จังหวัด
6650101,เทศบาลนครพิษณุโลก,เทศบาลนคร,เมืองพิษณุโลก,พิษณุโลก
6651001,องค์การบริหารส่วนตำบลวังยาง,อบต.,เนินมะปราง,จังหวัดพิษณุโลก
6651002,องค์การบริหารส่วนตำบลบ้านมุง,อบต.,อำเภอเนินมะปราง,พิษณุโลก
6500001,องค์การบริหารส่วนจังหวัดพิษณุโลก,อบจ.,,พิษณุโลก
5301001,เทศบาลตำบลทดสอบ,ทต.,ทดสอบใหม่,อุตรดิตถ์
";

async fn import_is_idempotent(db: &TestDb) {
    with_demo(db).await;
    let first = offices::import_csv(db, &actor(), ORGS_CSV.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        (
            first.inserted,
            first.updated,
            first.unchanged,
            first.districts_created
        ),
        (2, 3, 0, 1),
        "the demo's three organisations are adopted, not doubled"
    );
    let again = offices::import_csv(db, &actor(), ORGS_CSV.as_bytes())
        .await
        .unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 5));
    let renamed = ORGS_CSV.replace("เทศบาลตำบลทดสอบ", "เทศบาลตำบลทดสอบสอง");
    let third = offices::import_csv(db, &actor(), renamed.as_bytes())
        .await
        .unwrap();
    assert_eq!((third.inserted, third.updated, third.unchanged), (0, 1, 4));
    let ban_mung = offices::find(db, "6651002").await.unwrap();
    let parent = offices::get(db, ban_mung.parent_id.unwrap()).await.unwrap();
    assert_eq!(parent.fields.name, "อำเภอเนินมะปราง");
    let before = footprint(db).await;
    let bad_type = format!("{ORGS_CSV}7000001,ทดสอบ,สุขาภิบาล,เมือง,พิษณุโลก\n");
    let err = offices::import_csv(db, &actor(), bad_type.as_bytes())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("บรรทัดที่ 7"), "{err}");
    let dup = format!("{ORGS_CSV}6650101,ซ้ำ,อบต.,เมืองพิษณุโลก,พิษณุโลก\n");
    let err = offices::import_csv(db, &actor(), dup.as_bytes())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
    let no_province = format!("{ORGS_CSV}7000002,ทดสอบ,อบต.,เมือง,ไม่มีจังหวัดนี้\n");
    assert!(
        offices::import_csv(db, &actor(), no_province.as_bytes())
            .await
            .is_err()
    );
    assert_eq!(
        footprint(db).await,
        before,
        "a failed import writes nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synthetic_national_hierarchy() {
    let db = crate::db::sqlite().await;
    with_demo(&db).await;
    let rows = saraban::store::synth::national();
    assert_eq!(rows.len(), 7_852);
    let report = offices::import_rows(&db, &actor(), &rows).await.unwrap();
    // The demo's องค์การบริหารส่วนจังหวัดพิษณุโลก is adopted by name.
    assert_eq!((report.inserted, report.updated), (7_851, 1));
    assert_eq!(report.districts_created, saraban::store::synth::DISTRICTS);
    let counts = offices::count_by_kind(&db).await.unwrap();
    let of = |k: OfficeKind| counts.iter().find(|x| x.0 == k).map(|x| x.1).unwrap_or(0);
    assert_eq!(of(OfficeKind::ProvincialOffice), 76);
    // Besides the demo's own เทศบาลนคร and two อบต.
    assert_eq!(of(OfficeKind::Pao), 76);
    assert_eq!(of(OfficeKind::CityMunicipality), 31);
    assert_eq!(of(OfficeKind::TownMunicipality), 190);
    assert_eq!(of(OfficeKind::SubdistrictMunicipality), 2_242);
    assert_eq!(of(OfficeKind::Sao), 5_314);
    assert_eq!(of(OfficeKind::DistrictOffice), 878 + 9);
    assert!(audit::verify(&db, None).await.unwrap().is_clean());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restore_verify() {
    let db = crate::db::sqlite().await;
    with_demo(&db).await;
    let o = offices::find(&db, "พล 0023.3").await.unwrap();
    numbering::issue(&db, &actor(), Utc::now(), &o, Series::Normal, &entry("ก"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    saraban::store::backup::backup(&db, &copy).await.unwrap();
    assert!(
        saraban::store::backup::backup(&db, &copy).await.is_err(),
        "never overwrites"
    );
    // More work after the backup, then restore over it.
    numbering::issue(&db, &actor(), Utc::now(), &o, Series::Normal, &entry("ข"))
        .await
        .unwrap();
    db.store.close().await;
    let target = std::path::PathBuf::from(&db.location);
    let verdict = saraban::store::backup::restore(&copy, &target)
        .await
        .unwrap();
    assert!(verdict.is_clean());
    let restored = saraban::store::Store::open(&db.location).await.unwrap();
    assert!(audit::verify(&restored, None).await.unwrap().is_clean());
    let o = offices::find(&restored, "พล 0023.3").await.unwrap();
    let (_, next, _) = numbering::peek(&restored, Utc::now(), &o, Series::Normal)
        .await
        .unwrap();
    assert_eq!(next, 2, "the state at backup time");
    restored.close().await;
    // A tampered backup is refused and the database left as it was.
    let bad = dir.path().join("bad.db");
    std::fs::copy(&copy, &bad).unwrap();
    let tamper = saraban::store::Store::open(bad.to_str().unwrap())
        .await
        .unwrap();
    sqlx::raw_sql(
        "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'x' WHERE seq = 3",
    )
    .execute(tamper.reader())
    .await
    .unwrap();
    tamper.close().await;
    let before = std::fs::read(&target).unwrap();
    assert!(
        saraban::store::backup::restore(&bad, &target)
            .await
            .is_err()
    );
    assert_eq!(std::fs::read(&target).unwrap(), before);
}
