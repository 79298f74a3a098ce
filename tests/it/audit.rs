//! The audit chain covers the data, on both backends: rows changed, added
//! or removed behind saraban's back (raw SQL) are named by `verify`, while
//! the seeds' story, relays, numbering and cancellation verify clean; a
//! head kept elsewhere (`--expect`) catches a chain cut back or rewritten;
//! `restore` refuses while a server holds the database; `audit verify` on
//! the command line names a document changed with sqlite3.

use chrono::Utc;
use saraban::parse::parse_bytes;
use saraban::store::accounts::{self, NewUser, Role};
use saraban::store::audit::{self, Problem, RowProblem};
use saraban::store::demo::{self, Stories};
use saraban::store::imports::{self, Source};
use saraban::store::numbering::{self, Entry, Series};
use saraban::store::{Backend, Store, documents, offices};
use sqlx::Row;

use crate::db::{TestDb, actor, on_both, raw};

on_both!(
    story_verifies_clean,
    tampered_rows_are_named,
    expect_catches_a_cut_back_chain,
    expect_catches_a_rewritten_chain,
);

/// A number from the database.
async fn id(db: &Store, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(db.reader())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get(0)
        .unwrap()
}

async fn verdict(db: &TestDb) -> audit::Verdict {
    audit::verify(db, None).await.unwrap()
}

/// The objects `verify` names, sorted.
async fn named(db: &TestDb) -> Vec<String> {
    let v = verdict(db).await;
    assert_eq!(v.problem, None, "the chain itself is whole");
    let mut out: Vec<String> = v.rows.iter().map(|r| r.object().to_string()).collect();
    out.sort();
    out
}

/// Adds `object` to what `verify` should name; gives them sorted.
fn add(expected: &mut Vec<String>, object: String) -> Vec<String> {
    expected.push(object);
    sorted(expected)
}

fn sorted(objects: &[String]) -> Vec<String> {
    let mut v = objects.to_vec();
    v.sort();
    v
}

/// The seeds' story plus one of everything else that is covered: a user
/// with an API token, a secret letter's reader, an official copy, an
/// attachment, an imported letter, a cancelled number.
async fn everything(db: &TestDb) -> (Stories, i64, i64) {
    demo::load(db, &actor()).await.unwrap();
    let stories = demo::stories(db, &actor()).await.unwrap();
    let group = offices::find(db, "พล 0023.3").await.unwrap();
    let user = accounts::add(
        db,
        &actor(),
        &group,
        &NewUser {
            username: "somchai",
            display_name: "สมชาย ใจดี",
            role: Role::Clerk,
            password: "correct horse battery",
            must_change: false,
        },
    )
    .await
    .unwrap();
    accounts::add_token(db, &actor(), &user, "cli")
        .await
        .unwrap();
    accounts::name_readers(db, &actor(), stories.seed_003, &[user.id])
        .await
        .unwrap();
    documents::official_copy(db, &actor(), stories.seed_003, |_, _| {
        Ok(b"%PDF-1.7 the official copy".to_vec())
    })
    .await
    .unwrap();
    let draft = documents::create_draft(db, &actor(), &group, &without_number(demo::SEED_003))
        .await
        .unwrap();
    documents::attach(
        db,
        &actor(),
        draft.id,
        "map.pdf",
        "application/pdf",
        b"%PDF attached",
    )
    .await
    .unwrap();
    let bytes = seed_text().unwrap();
    let letter = parse_bytes(&bytes).unwrap();
    imports::import(
        db,
        &actor(),
        Utc::now(),
        &[Source {
            name: "003.txt",
            bytes: &bytes,
            letter: &letter,
        }],
        Some(&group),
    )
    .await
    .unwrap();
    // A number issued and cancelled.
    let issued = numbering::issue(
        db,
        &actor(),
        Utc::now(),
        &group,
        Series::Normal,
        &Entry {
            subject: "ยกเลิก".into(),
            to: "ทดสอบ".into(),
            ..Entry::default()
        },
    )
    .await
    .unwrap();
    numbering::cancel_number(
        db,
        &actor(),
        Utc::now(),
        &group,
        numbering::Taken {
            series: Series::Normal,
            year_be: issued.year_be,
            seq: issued.seq,
        },
        "พิมพ์ผิด",
    )
    .await
    .unwrap();
    (stories, user.id, draft.id)
}

/// A seed letter as a draft's JSON: without its number.
fn draft_json(json: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_object_mut().unwrap().remove("number");
    v.to_string()
}

fn without_number(json: &str) -> saraban::model::Document {
    saraban::model::Document::from_json(&draft_json(json)).unwrap()
}

/// Seed 003 as text, from the seeds folder.
fn seed_text() -> std::io::Result<Vec<u8>> {
    let dir = crate::support::root().join("tests/data/seeds");
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.file_name().unwrap().to_string_lossy().starts_with("003") {
            return std::fs::read(p);
        }
    }
    Err(std::io::ErrorKind::NotFound.into())
}

async fn story_verifies_clean(db: &TestDb) {
    everything(db).await;
    let v = verdict(db).await;
    assert!(v.is_clean(), "{:?} {:?}", v.problem, v.rows);
    // Every covered row has its state in the chain.
    let stated = id(
        db,
        "SELECT COUNT(DISTINCT object) FROM audit_events WHERE state_sha256 IS NOT NULL",
    )
    .await;
    let mut rows = 0;
    for table in [
        "offices",
        "users",
        "documents",
        "attachments",
        "register_entries",
        "deliveries",
        "imported_letters",
    ] {
        rows += id(db, &format!("SELECT COUNT(*) FROM {table}")).await;
    }
    assert_eq!(stated, rows);
}

/// Writes bytes behind saraban's back (bound, so one statement serves both
/// backends).
async fn set_bytes(db: &TestDb, sql: &str, bytes: &[u8], id: i64) {
    sqlx::query(sql)
        .bind(bytes.to_vec())
        .bind(id)
        .execute(db.reader())
        .await
        .unwrap();
}

async fn tampered_rows_are_named(db: &TestDb) {
    let (stories, user, draft) = everything(db).await;
    assert_eq!(named(db).await, Vec::<String>::new());
    let mut expected = Vec::new();

    // A document's subject.
    let c = stories.circular;
    raw(
        db,
        &format!("UPDATE documents SET subject = 'แก้แล้ว' WHERE id = {c}"),
    )
    .await
    .unwrap();
    let v = verdict(db).await;
    assert_eq!(
        v.rows,
        vec![RowProblem::Changed {
            object: format!("document:{c}")
        }]
    );
    assert_eq!(
        v.rows[0].to_string(),
        format!(
            "หนังสือ #{c} (document:{c}) ถูกแก้ไขนอกระบบ / document {c} was changed outside saraban"
        )
    );
    expected.push(format!("document:{c}"));

    // A document's number (the cover letter Phitsanulok forwarded).
    let cover = id(
        db,
        &format!("SELECT MIN(forward_id) FROM deliveries WHERE document_id = {c}"),
    )
    .await;
    raw(
        db,
        &format!("UPDATE documents SET number = 'พล 0023/ว 999' WHERE id = {cover}"),
    )
    .await
    .unwrap();
    assert_eq!(
        named(db).await,
        add(&mut expected, format!("document:{cover}"))
    );

    // A letter's secrecy (the column that decides who may read it).
    let second = id(db, "SELECT MAX(forward_id) FROM deliveries").await;
    assert_ne!(second, cover);
    raw(
        db,
        &format!("UPDATE documents SET secrecy = NULL, urgency = 'urgent' WHERE id = {second}"),
    )
    .await
    .unwrap();
    assert_eq!(
        named(db).await,
        add(&mut expected, format!("document:{second}"))
    );

    // The official PDF's bytes (its stored hash left alone).
    let s3 = stories.seed_003;
    set_bytes(
        db,
        "UPDATE documents SET official_pdf = $1 WHERE id = $2",
        b"%PDF-1.7 another copy",
        s3,
    )
    .await;
    assert_eq!(
        named(db).await,
        add(&mut expected, format!("document:{s3}"))
    );

    // A register row.
    let entry = id(db, "SELECT MIN(id) FROM register_entries").await;
    raw(
        db,
        &format!("UPDATE register_entries SET subject = 'อื่น' WHERE id = {entry}"),
    )
    .await
    .unwrap();
    assert_eq!(
        named(db).await,
        add(&mut expected, format!("register:{entry}"))
    );

    // A delivery's state.
    let delivery = id(db, "SELECT MIN(id) FROM deliveries WHERE state = 'sent'").await;
    raw(
        db,
        &format!("UPDATE deliveries SET state = 'acknowledged' WHERE id = {delivery}"),
    )
    .await
    .unwrap();
    assert_eq!(
        named(db).await,
        add(&mut expected, format!("delivery:{delivery}"))
    );

    // A user's role.
    raw(
        db,
        &format!("UPDATE users SET role = 'admin' WHERE id = {user}"),
    )
    .await
    .unwrap();
    let v = verdict(db).await;
    assert!(
        v.rows.iter().any(|r| r.to_string()
            == format!(
                "ผู้ใช้ #{user} (user:{user}) ถูกแก้ไขนอกระบบ / user {user} was changed outside saraban"
            )),
        "{:?}",
        v.rows
    );
    expected.push(format!("user:{user}"));

    // An attachment's bytes.
    let att = id(
        db,
        &format!("SELECT id FROM attachments WHERE document_id = {draft}"),
    )
    .await;
    set_bytes(
        db,
        "UPDATE attachments SET bytes = $1 WHERE id = $2",
        b"%PDF other",
        att,
    )
    .await;
    assert_eq!(
        named(db).await,
        add(&mut expected, format!("attachment:{att}"))
    );

    // A reader added to a secret letter: the letter changed.
    let other = id(db, "SELECT MAX(id) FROM documents").await;
    raw(
        db,
        &format!("INSERT INTO document_readers (document_id, user_id) VALUES ({other}, {user})"),
    )
    .await
    .unwrap();
    assert_eq!(
        named(db).await,
        add(&mut expected, format!("document:{other}"))
    );

    // A user put in outside saraban.
    let office = id(db, "SELECT MIN(id) FROM offices").await;
    raw(
        db,
        &format!(
            "INSERT INTO users (office_id, username, display_name, role, password_hash, created_at) \
             VALUES ({office}, 'mallory', 'x', 'admin', 'x', '2024-01-01T00:00:00Z')"
        ),
    )
    .await
    .unwrap();
    let mallory = id(db, "SELECT id FROM users WHERE username = 'mallory'").await;
    let v = verdict(db).await;
    assert!(v.rows.contains(&RowProblem::Unrecorded {
        object: format!("user:{mallory}")
    }));
    expected.push(format!("user:{mallory}"));

    // An imported letter removed without a trace.
    let imported = id(db, "SELECT MIN(id) FROM imported_letters").await;
    raw(
        db,
        &format!(
            "DELETE FROM citations WHERE from_letter = {imported}; \
             DELETE FROM imported_letters WHERE id = {imported}"
        ),
    )
    .await
    .unwrap();
    let v = verdict(db).await;
    assert!(v.rows.contains(&RowProblem::Vanished {
        object: format!("imported:{imported}")
    }));
    expected.push(format!("imported:{imported}"));
    assert_eq!(named(db).await, sorted(&expected));
}

/// The triggers that keep `audit_events` append-only, dropped as someone
/// with the database files would.
async fn drop_guard(db: &TestDb) {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
        }
        Backend::Postgres => "ALTER TABLE audit_events DISABLE TRIGGER USER;",
    };
    raw(db, sql).await.unwrap();
}

async fn some_work(db: &TestDb, subject: &str) {
    let group = offices::find(db, "พล 0023.3").await.unwrap();
    numbering::issue(
        db,
        &actor(),
        Utc::now(),
        &group,
        Series::Normal,
        &Entry {
            subject: subject.into(),
            to: "ทดสอบ".into(),
            ..Entry::default()
        },
    )
    .await
    .unwrap();
}

async fn expect_catches_a_cut_back_chain(db: &TestDb) {
    demo::load(db, &actor()).await.unwrap();
    some_work(db, "ก").await;
    let (kept_seq, kept) = audit::head(db).await.unwrap();
    some_work(db, "ข").await;
    some_work(db, "ค").await;
    let (_, recorded) = audit::head(db).await.unwrap();
    assert!(audit::verify(db, Some(&recorded)).await.unwrap().is_clean());
    // The newest events and the rows they wrote removed, and the head
    // moved back: the chain alone looks whole.
    drop_guard(db).await;
    let gone: Vec<i64> = sqlx::query(&format!(
        "SELECT CAST(SUBSTR(object, 10) AS BIGINT) FROM audit_events \
         WHERE seq > {kept_seq} AND object LIKE 'register:%'"
    ))
    .fetch_all(db.reader())
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    assert_eq!(gone.len(), 2);
    raw(
        db,
        &format!(
            "DELETE FROM register_entries WHERE id IN ({}); \
             UPDATE counters SET last = last - 2; \
             DELETE FROM audit_events WHERE seq > {kept_seq}; \
             UPDATE audit_head SET seq = {kept_seq}, hash = '{kept}'",
            gone.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .await
    .unwrap();
    let v = audit::verify(db, None).await.unwrap();
    assert!(v.is_clean(), "{:?} {:?}", v.problem, v.rows);
    // The head kept elsewhere is not in it.
    let v = audit::verify(db, Some(&recorded)).await.unwrap();
    assert_eq!(
        v.problem,
        Some(Problem::HeadMismatch {
            expected: recorded.clone(),
            found: kept.clone()
        })
    );
    assert!(!v.is_clean());
}

async fn expect_catches_a_rewritten_chain(db: &TestDb) {
    demo::load(db, &actor()).await.unwrap();
    some_work(db, "ก").await;
    let (_, recorded) = audit::head(db).await.unwrap();
    // An office renamed, its last event given the new state, and every
    // hash after it recomputed: consistent, so only the head kept
    // elsewhere shows it.
    let office = offices::find(db, "พล 0023.3").await.unwrap();
    drop_guard(db).await;
    raw(
        db,
        &format!(
            "UPDATE offices SET name = 'กลุ่มงานอื่น' WHERE id = {}",
            office.id
        ),
    )
    .await
    .unwrap();
    assert_eq!(named(db).await, vec![format!("office:{}", office.id)]);
    let kind = audit::rows::KINDS
        .iter()
        .find(|k| k.prefix == "office")
        .unwrap();
    let mut conn = db.reader().acquire().await.unwrap();
    let state = audit::rows::states(&mut *conn, kind, audit::rows::Rows::Ids(&[office.id]))
        .await
        .unwrap()
        .remove(0)
        .1;
    drop(conn);
    let target = id(
        db,
        &format!(
            "SELECT MAX(seq) FROM audit_events WHERE object = 'office:{}' AND state_sha256 IS NOT NULL",
            office.id
        ),
    )
    .await;
    let events = sqlx::query(
        "SELECT seq, at, actor, office_id, action, object, before_sha256, after_sha256, \
         state_sha256, prev_hash, hash FROM audit_events WHERE seq >= $1 ORDER BY seq",
    )
    .bind(target)
    .fetch_all(db.reader())
    .await
    .unwrap();
    let mut prev: Option<String> = None;
    let mut last = (0i64, String::new());
    for row in events {
        let mut e = audit::Event {
            seq: row.get(0),
            at: row.get(1),
            actor: row.get(2),
            office_id: row.get(3),
            action: row.get(4),
            object: row.get(5),
            before_sha256: row.get(6),
            after_sha256: row.get(7),
            state_sha256: row.get(8),
            prev_hash: row.get(9),
            hash: row.get(10),
        };
        if e.seq == target {
            e.state_sha256 = Some(state.clone());
        }
        if let Some(p) = prev {
            e.prev_hash = p;
        }
        e.hash = e.compute_hash();
        sqlx::query(
            "UPDATE audit_events SET state_sha256 = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
        )
        .bind(&e.state_sha256)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .bind(e.seq)
        .execute(db.reader())
        .await
        .unwrap();
        prev = Some(e.hash.clone());
        last = (e.seq, e.hash);
    }
    raw(
        db,
        &format!(
            "UPDATE audit_head SET seq = {}, hash = '{}'",
            last.0, last.1
        ),
    )
    .await
    .unwrap();
    let v = audit::verify(db, None).await.unwrap();
    assert!(v.is_clean(), "{:?} {:?}", v.problem, v.rows);
    assert!(matches!(
        audit::verify(db, Some(&recorded)).await.unwrap().problem,
        Some(Problem::HeadMismatch { .. })
    ));
}

/// `restore` refuses while a server holds the database, and works once it
/// lets go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_refuses_under_a_running_server() {
    let db = crate::db::sqlite().await;
    demo::load(&db, &actor()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let (events, head) = saraban::store::backup::backup(&db, &copy).await.unwrap();
    assert_eq!((events, head.clone()), audit::head(&db).await.unwrap());
    let target = db.store.file().unwrap().to_path_buf();
    assert_eq!(target, std::path::PathBuf::from(&db.location));
    let lock = saraban::store::backup::hold_lock(&target).unwrap();
    // A second server may share the database.
    let second = saraban::store::backup::hold_lock(&target).unwrap();
    some_work(&db, "หลังสำรอง").await;
    let before = audit::head(&db).await.unwrap();
    let err = saraban::store::backup::restore(&copy, &target)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("saraban serve"), "{err}");
    assert_eq!(audit::head(&db).await.unwrap(), before, "nothing swapped");
    drop(second);
    drop(lock);
    db.store.close().await;
    let verdict = saraban::store::backup::restore(&copy, &target)
        .await
        .unwrap();
    assert!(verdict.is_clean());
    assert_eq!(verdict.head, head);
    // While a restore holds the lock, a server does not start.
    let held = std::fs::OpenOptions::new()
        .write(true)
        .open(saraban::store::backup::lock_path(&target))
        .unwrap();
    held.lock().unwrap();
    assert!(saraban::store::backup::hold_lock(&target).is_err());
}

/// A database from before state hashes: its rows get one `audit.baseline`
/// event each when it is first opened, and verify clean from then on; a
/// later change behind saraban's back shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_database_gets_a_baseline() {
    let db = crate::db::sqlite().await;
    demo::load(&db, &actor()).await.unwrap();
    some_work(&db, "ก").await;
    // Make it look like a database written before the change: the state
    // hashes and the flag gone, the migration not yet applied.
    let offices = id(&db, "SELECT COUNT(*) FROM offices").await;
    raw(
        &db,
        "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete; \
         DELETE FROM audit_events; \
         UPDATE audit_head SET seq = 0, hash = '0000000000000000000000000000000000000000000000000000000000000000'; \
         ALTER TABLE audit_events DROP COLUMN state_sha256; \
         ALTER TABLE audit_head DROP COLUMN covered; \
         DELETE FROM _sqlx_migrations WHERE version = 6;",
    )
    .await
    .unwrap();
    db.store.close().await;
    let store = saraban::store::Store::open(&db.location).await.unwrap();
    let baseline = id(
        &store,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'audit.baseline'",
    )
    .await;
    assert_eq!(baseline, offices + 1, "every office and the register row");
    let v = audit::verify(&store, None).await.unwrap();
    assert!(v.is_clean(), "{:?} {:?}", v.problem, v.rows);
    // Opening again adds nothing.
    store.close().await;
    let store = saraban::store::Store::open(&db.location).await.unwrap();
    assert_eq!(audit::head(&store).await.unwrap().0, baseline);
    sqlx::raw_sql("UPDATE register_entries SET subject = 'อื่น'")
        .execute(store.reader())
        .await
        .unwrap();
    let v = audit::verify(&store, None).await.unwrap();
    assert_eq!(v.rows.len(), 1, "{:?}", v.rows);
    store.close().await;
}

/// `saraban audit verify` names a document whose subject was changed with
/// sqlite3, and exits non-zero; `--expect` (and `--head`) check the head
/// that `backup` printed.
#[test]
fn cli_verify_names_a_document_changed_with_sqlite3() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_saraban"))
            .args(["--database", db])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    assert!(run(&["orgs", "demo"]).0);
    let draft = dir.path().join("draft.json");
    std::fs::write(&draft, draft_json(demo::SEED_003)).unwrap();
    let (ok, _, err) = run(&[
        "doc",
        "create",
        "--office",
        "พล 0023.3",
        draft.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&["doc", "number", "1", "--to", "นายอำเภอเนินมะปราง"]);
    assert!(ok, "{err}");
    let backup = dir.path().join("backup.db");
    let (ok, out, err) = run(&["backup", backup.to_str().unwrap()]);
    assert!(ok, "{err}");
    let head = out
        .split_whitespace()
        .find(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("a head hash in {out}"))
        .to_string();
    let (ok, out, err) = run(&["audit", "verify", "--expect", &head]);
    assert!(ok, "{err}");
    assert!(out.contains(&head), "{out}");
    let (ok, _, err) = run(&["audit", "verify", "--head", &"f".repeat(64)]);
    assert!(!ok && err.contains("recorded head"), "{err}");

    let sql = "UPDATE documents SET subject = 'เรื่องที่แก้แล้ว' WHERE id = 1;";
    let edited = std::process::Command::new("sqlite3")
        .args([db, sql])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !edited {
        // No sqlite3 command: the same edit through sqlx.
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = saraban::store::Store::connect(db, 1).await.unwrap();
            sqlx::raw_sql(sql).execute(store.reader()).await.unwrap();
            store.close().await;
        });
    }
    let (ok, _, err) = run(&["audit", "verify"]);
    assert!(!ok, "a changed document must fail verify");
    assert!(
        err.contains(
            "หนังสือ #1 (document:1) ถูกแก้ไขนอกระบบ / document 1 was changed outside saraban"
        ),
        "{err}"
    );
}
