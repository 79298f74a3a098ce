//! Faults: the disk under SQLite fills up, PostgreSQL restarts under load.
//! Writes fail with a clear error (503, Thai and English), nothing is
//! half-stored, numbers stay gap-free, the service serves again by itself
//! once the database is back, and the audit chain verifies after.

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::db::count;
use crate::support::skipped;
use crate::web::{call, fixture, letter};

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts `size` of tmpfs on a new folder, or `None` (said loudly)
    /// where mounting is not allowed (not root, or no privilege).
    fn mount(size: &str) -> Option<(tempfile::TempDir, Tmpfs)> {
        let dir = tempfile::tempdir().unwrap();
        let at = dir.path().join("disk");
        std::fs::create_dir(&at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            skipped(
                "cannot mount a tmpfs (the full-disk test needs root, as .ci/run has): \
                 SQLite on a full disk was not tried",
            );
            return None;
        }
        Some((dir, Tmpfs(at)))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Free bytes on the file system holding `path` (`df`, not our code).
fn free_bytes(path: &Path) -> u64 {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(path)
        .output()
        .expect("df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df prints the free bytes")
}

fn a_draft(i: usize) -> Value {
    let mut doc = letter(&format!("หนังสือขณะพื้นที่ใกล้เต็ม ฉบับที่ {i}"), None);
    // A letter of a good size: ten paragraphs of the seed's first.
    let para = doc["main"]["body"][0].clone();
    doc["main"]["body"] = json!(vec![para; 10]);
    json!({ "document": doc })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_refuses_cleanly_and_recovers() {
    let Some((_keep, disk)) = Tmpfs::mount("24m") else {
        return;
    };
    let db = crate::db::sqlite_at(&disk.0.join("saraban.db")).await;
    let f = fixture(&db).await;
    let token = f.tokens["dla.drafter"].clone();
    // An empty write-ahead log, so the next writes need new disk.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db.store.reader())
        .await
        .unwrap();
    let filler = disk.0.join("filler");
    let leave = 384 * 1024;
    let fill = free_bytes(&disk.0).saturating_sub(leave);
    std::fs::write(&filler, vec![0u8; fill as usize]).unwrap();
    let before = count(&db, "SELECT COUNT(*) FROM documents").await;
    let mut stored = 0;
    let mut refused = None;
    for i in 0..500 {
        let (s, body) = call(
            &f.router,
            Method::POST,
            "/api/v1/documents",
            Some(&token),
            Some(a_draft(i)),
        )
        .await;
        match s {
            StatusCode::CREATED => stored += 1,
            _ => {
                refused = Some((s, body));
                break;
            }
        }
    }
    let (s, body) = refused.expect("the disk fills up");
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "storage_full", "{body}");
    assert!(
        body["error"]["message_th"]
            .as_str()
            .unwrap()
            .contains("เต็ม")
    );
    assert!(
        body["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("disk is full")
    );
    // Every answered write is there, the refused one is not.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM documents").await,
        before + stored
    );
    // Room again: the same service writes without a restart.
    std::fs::remove_file(&filler).unwrap();
    let (s, body) = call(
        &f.router,
        Method::POST,
        "/api/v1/documents",
        Some(&token),
        Some(a_draft(999)),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let verdict = saraban::store::audit::verify(&db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
    db.store.close().await;
}

/// A cluster of the test's own (restarting the shared one would upset
/// every other test), stopped when dropped.
struct Cluster {
    url: String,
    data: PathBuf,
}

impl Cluster {
    fn start() -> Option<Cluster> {
        if std::env::var("SARABAN_TEST_POSTGRES").is_err() {
            skipped("SARABAN_TEST_POSTGRES is not set: PostgreSQL was not restarted under load");
            return None;
        }
        let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/pg-start"))
            .output()
            .expect("run .ci/pg-start");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        let dir = err
            .lines()
            .find_map(|l| l.strip_prefix("pg-start: cluster in "))
            .expect("pg-start names its folder");
        Some(Cluster {
            url: String::from_utf8_lossy(&out.stdout).trim().to_string(),
            data: Path::new(dir.trim()).join("data"),
        })
    }

    fn pg_ctl(&self, args: &[&str]) -> bool {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin/pg_ctl"))
            .filter(|p| p.exists())
            .max()
            .expect("pg_ctl");
        let mut cmd = if nix_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin);
            c
        } else {
            Command::new(bin)
        };
        cmd.arg("-D")
            .arg(&self.data)
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

fn nix_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.pg_ctl(&["-m", "immediate", "stop"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_load_recovers() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let db = crate::db::postgres_in(&cluster.url).await;
    let f = fixture(&db).await;
    let (_store, router) = crate::busy::limited(&db, 8, 2_000, 30_000).await;
    let clerk = f.tokens["dla.clerk"].clone();
    let mut drafts = Vec::new();
    for i in 0..60 {
        let (s, made) = call(
            &router,
            Method::POST,
            "/api/v1/documents",
            Some(&clerk),
            Some(a_draft(i)),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        drafts.push(made["id"].as_i64().unwrap());
    }
    // Four clerks number drafts while the server restarts.
    let load: Vec<_> = drafts
        .chunks(15)
        .map(|ids| {
            let (router, clerk, ids) = (router.clone(), clerk.clone(), ids.to_vec());
            tokio::spawn(async move {
                let mut answers = Vec::new();
                for id in ids {
                    let uri = format!("/api/v1/documents/{id}/number");
                    let (s, body) = call(
                        &router,
                        Method::POST,
                        &uri,
                        Some(&clerk),
                        Some(json!({ "series": "circular" })),
                    )
                    .await;
                    answers.push((id, s, body));
                }
                answers
            })
        })
        .collect();
    assert!(
        cluster.pg_ctl(&["-m", "fast", "-w", "restart"]),
        "pg_ctl restart"
    );
    let mut numbered = Vec::new();
    for task in load {
        for (id, s, body) in task.await.unwrap() {
            match s {
                StatusCode::OK => numbered.push(id),
                StatusCode::SERVICE_UNAVAILABLE => {
                    assert_eq!(body["error"]["code"], "database_busy", "{body}")
                }
                other => panic!("{other}: {body}"),
            }
        }
    }
    eprintln!(
        "postgres restart: {} of {} numbered during the restart, the rest refused as busy",
        numbered.len(),
        drafts.len()
    );
    // Back by itself: what was refused is numbered now, on the same router.
    for id in &drafts {
        if numbered.contains(id) {
            continue;
        }
        let uri = format!("/api/v1/documents/{id}/number");
        let (s, body) = call(
            &router,
            Method::POST,
            &uri,
            Some(&clerk),
            Some(json!({ "series": "circular" })),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        numbered.push(*id);
    }
    // Gap-free: the DLA's circular series holds exactly 1..=60 for them.
    let ids = drafts
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let seqs: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT e.seq FROM register_entries e WHERE e.document_id IN ({ids}) ORDER BY e.seq"
    ))
    .fetch_all(db.store.reader())
    .await
    .unwrap();
    let first = seqs[0];
    assert_eq!(seqs, (first..first + 60).collect::<Vec<_>>());
    let verdict = saraban::store::audit::verify(&db, None).await.unwrap();
    assert!(verdict.is_clean(), "{verdict:?}");
}
