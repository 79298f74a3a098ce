//! Search answers what reading every text would: for clerks of each level
//! of the cascade, words common and rare, shorter than a trigram, in Thai
//! and Arabic digits, every page size and offset, the answer is the newest
//! documents the clerk may see whose text holds the words, whichever plan
//! (window, index or walk) the search chose. And on PostgreSQL the Thai
//! query typed without spaces is answered from the (office, trigram) index.

use saraban::store::accounts;
use saraban::store::search::{self, Query, normalize};
use sqlx::Row;

use crate::db::{TestDb, on_both};
use crate::web::{draft, draft_with, fixture};

on_both!(search_answers_what_reading_every_text_would);

/// The ids, in the database's own newest-first order, of the documents
/// `viewer` may see whose search text holds `words`.
async fn by_reading(db: &TestDb, viewer: &search::Viewer, words: &str) -> Vec<i64> {
    let key = match db.backend() {
        saraban::store::Backend::Sqlite => "rowid",
        saraban::store::Backend::Postgres => "document_id",
    };
    let texts: std::collections::HashMap<i64, String> =
        sqlx::query(&format!("SELECT {key}, text FROM document_search"))
            .fetch_all(db.reader())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
            .collect();
    let newest_first: Vec<i64> =
        sqlx::query("SELECT id FROM documents ORDER BY date DESC, id DESC")
            .fetch_all(db.reader())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
    let visible = search::visible_ids(db, viewer, &newest_first)
        .await
        .unwrap();
    let needle = normalize(words);
    newest_first
        .into_iter()
        .filter(|id| visible.contains(id) && texts[id].contains(&needle))
        .collect()
}

async fn search_answers_what_reading_every_text_would(db: &TestDb) {
    let f = fixture(db).await;
    // Enough of an office's own letters hold the words for a page of one
    // or two to be answered from its newest documents alone; one of them
    // is secret, and only the users named on it may find it.
    for k in 1..=5 {
        draft(&f, "pl.clerk", &format!("ประชุมคณะทำงาน ครั้งที่ {k}")).await;
        draft(&f, "dla.clerk", &format!("ประชุมชี้แจงแนวทาง ครั้งที่ {k}")).await;
    }
    draft_with(&f, "pl.drafter", "ประชุมเรื่องลับ", Some("secret")).await;
    let words = [
        "ประชุม",
        "การ",
        "ที่",
        "ส่งเสริมการปกครองท้องถิ่น",
        "ภา",
        "๐๘๑๐",
        "0810",
        "หนังสือที่ไม่มีอยู่จริง",
    ];
    let mut checked = 0;
    let mut paged = 0;
    let users = [
        "dla.clerk",
        "pl.clerk",
        "pl.drafter",
        "nmp.clerk",
        "wy.clerk",
    ];
    for username in users {
        let user = accounts::find(db, username).await.unwrap().unwrap();
        let viewer = user.viewer();
        for w in words {
            let expected = by_reading(db, &viewer, w).await;
            for (limit, offset) in [(50, 0), (1, 0), (2, 1), (3, 2)] {
                let found: Vec<i64> = search::search(
                    db,
                    &viewer,
                    &Query {
                        text: Some(w.into()),
                        limit,
                        offset,
                        ..Query::default()
                    },
                )
                .await
                .unwrap()
                .iter()
                .map(|d| d.id)
                .collect();
                let want: Vec<i64> = expected
                    .iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .copied()
                    .collect();
                assert_eq!(
                    found, want,
                    "{username} searching {w} ({limit} from {offset})"
                );
                checked += 1;
                paged += usize::from(limit < 50 && !want.is_empty());
            }
        }
    }
    assert_eq!(checked, users.len() * words.len() * 4);
    // Pages smaller than the matches take the window's answer on
    // PostgreSQL; the check is only worth something if some did.
    assert!(paged > 20, "only {paged} searches had a partial page");
}

/// PostgreSQL: Thai typed without spaces is found through the (office,
/// trigram) index (the cluster's UTF-8 locale gives Thai trigrams), as
/// `EXPLAIN` shows, and the index answers the same as reading every row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thai_search_uses_the_office_trigram_index_on_postgres() {
    let Some(db) = crate::db::postgres().await else {
        return;
    };
    let _f = fixture(&db).await;
    assert!(search::thai_trigrams(&db).await.unwrap());
    let q = normalize("การประชุม ชี้แจง");
    let office = saraban::store::offices::find(&db, "มท 0810.7")
        .await
        .unwrap();
    let mut tx = db.reader().begin().await.unwrap();
    sqlx::query("SET LOCAL enable_seqscan = off")
        .execute(&mut *tx)
        .await
        .unwrap();
    // As `search` asks it: an office's documents with the words.
    let plan: Vec<String> = sqlx::query_scalar(
        "EXPLAIN SELECT document_id FROM document_search WHERE office_id = $1 AND text LIKE $2",
    )
    .bind(office.id)
    .bind(format!("%{q}%"))
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let plan = plan.join("\n");
    assert!(
        plan.contains("document_search_office_trgm") && plan.contains("Index Cond: ((office_id ="),
        "the office and the words should both be index conditions:\n{plan}"
    );
    let by_index: Vec<i64> =
        sqlx::query_scalar("SELECT document_id FROM document_search WHERE text LIKE $1 ORDER BY 1")
            .bind(format!("%{q}%"))
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    tx.rollback().await.unwrap();
    let all: Vec<(i64, String)> = sqlx::query_as("SELECT document_id, text FROM document_search")
        .fetch_all(db.reader())
        .await
        .unwrap();
    let mut by_scan: Vec<i64> = all
        .into_iter()
        .filter(|(_, t)| t.contains(&q))
        .map(|(id, _)| id)
        .collect();
    by_scan.sort_unstable();
    assert!(
        !by_scan.is_empty(),
        "the fixture's letters mention a meeting"
    );
    assert_eq!(by_index, by_scan);
}
