//! Accounts: users of one office with one role, argon2id password hashes,
//! login sessions (cookie + CSRF token) and API bearer tokens.
//!
//! Secrets are random 32-byte values shown once; only their SHA-256 is
//! stored. What each role may do is `Role::may`, the one table the service
//! consults before every action.
//!
//! Passwords: at least 10 characters, not a common password (a list compiled
//! in, `common_passwords.txt`), not the user name; a one-time password
//! expires after [`ONE_TIME_HOURS`]. A password check costs one argon2id
//! computation ([`PARAMS`]); a [`Verifier`] runs at most a few at once, each
//! in a memory block it keeps, so that a burst of logins costs a bounded
//! amount of memory. API tokens expire (90 days unless said otherwise) and
//! can be revoked; resetting or disabling a user revokes all of theirs.

use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{Appender, Change};
use super::offices::Office;
use super::{Actor, Store, StoreError, sha256_hex, stamp};

/// What a user is for, within their office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// เจ้าหน้าที่สารบรรณ: registers, numbers, dispatches for the office.
    Clerk,
    /// ผู้ร่างหนังสือ.
    Drafter,
    /// ผู้ตรวจร่าง (หัวหน้างาน): checks drafts, endorses and assigns
    /// what is presented to them.
    Checker,
    /// ผู้ลงนาม: approves and numbers, cancels.
    Signer,
    /// หัวหน้าส่วนราชการ: everything the office does.
    Head,
    /// ผู้ดูแลระบบ: users and organisations.
    Admin,
}

/// Something a user may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Draft,
    Number,
    Cancel,
    Dispatch,
    /// Receive, forward, acknowledge, return: acting on the office's inbox.
    HandleInbox,
    /// Name who in the office may read a secret letter.
    NameReaders,
    ManageUsers,
    ManageOffices,
    /// เสนอ: present a received letter to a superior.
    Present,
    /// เกษียน: endorse what was presented to the user, pass it on or decide.
    Endorse,
    /// สั่งการ: assign a letter to people, with a due date; reassign.
    Assign,
    /// Work on an assignment: comment, attach, draft a reply, close it,
    /// send it back up.
    Work,
    /// ตรวจร่าง: pass a draft on or send it back.
    Check,
    /// ลงนาม: sign a draft (or send it back).
    Sign,
    /// The office's workflow settings and users' acting roles.
    ManageWorkflow,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Clerk,
        Role::Drafter,
        Role::Checker,
        Role::Signer,
        Role::Head,
        Role::Admin,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Drafter => "drafter",
            Role::Checker => "checker",
            Role::Signer => "signer",
            Role::Head => "head",
            Role::Admin => "admin",
        }
    }

    pub fn thai(self) -> &'static str {
        match self {
            Role::Clerk => "เจ้าหน้าที่สารบรรณ",
            Role::Drafter => "ผู้ร่างหนังสือ",
            Role::Checker => "ผู้ตรวจร่าง",
            Role::Signer => "ผู้ลงนาม",
            Role::Head => "หัวหน้าส่วนราชการ",
            Role::Admin => "ผู้ดูแลระบบ",
        }
    }

    pub fn parse(text: &str) -> Result<Role, StoreError> {
        Role::ALL
            .into_iter()
            .find(|r| r.key() == text.trim() || r.thai() == text.trim())
            .ok_or_else(|| {
                StoreError::invalid(
                    "role",
                    "บทบาทต้องเป็น clerk, drafter, checker, signer, head หรือ admin",
                    "role must be clerk, drafter, checker, signer, head or admin",
                )
            })
    }

    /// The access table: which role may do what for its own office.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Head => !matches!(action, ManageUsers | ManageOffices),
            Role::Clerk => matches!(
                action,
                Read | Draft | Number | Dispatch | HandleInbox | Present | Work
            ),
            Role::Signer => matches!(
                action,
                Read | Draft | Number | Cancel | Present | Endorse | Assign | Work | Check | Sign
            ),
            Role::Checker => matches!(
                action,
                Read | Draft | Present | Endorse | Assign | Work | Check
            ),
            Role::Drafter => matches!(action, Read | Draft | Work),
            Role::Admin => matches!(action, Read | ManageUsers | ManageOffices | ManageWorkflow),
        }
    }
}

/// A user as the service sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub office_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Must choose a new password at next login (a one-time password).
    pub must_change: bool,
    pub active: bool,
}

impl User {
    /// What this user may see: their office's letters, and secret ones
    /// that name them.
    pub fn viewer(&self) -> super::search::Viewer {
        super::search::Viewer {
            office_id: self.office_id,
            user_id: Some(self.id),
        }
    }

    /// The name the audit chain records.
    pub fn actor(&self) -> Actor {
        Actor(format!("{}@{}", self.username, self.office_id))
    }
}

const COLUMNS: &str = "id, office_id, username, display_name, role, must_change, active";

/// A user's row as stored (without the password hash), read by column name.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    office_id: i64,
    username: String,
    display_name: String,
    role: String,
    must_change: i64,
    active: i64,
}

fn from_row(row: &AnyRow) -> Result<User, StoreError> {
    let r = <UserRow as sqlx::FromRow<AnyRow>>::from_row(row)?;
    Ok(User {
        id: r.id,
        office_id: r.office_id,
        username: r.username,
        display_name: r.display_name,
        role: Role::parse(&r.role).map_err(|_| StoreError::Corrupt {
            column: "users.role",
            value: r.role.clone(),
        })?,
        must_change: r.must_change != 0,
        active: r.active != 0,
    })
}

/// A fresh random secret: 32 bytes as 64 hex digits.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A one-time password a person can type: 12 characters without look-alikes.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// argon2id's cost for new hashes: OWASP's third equivalent option
/// (m = 12 MiB, t = 3, p = 1) rather than its first (m = 19 MiB, t = 2).
/// OWASP rates them as equally strong; the memory of each check is what
/// a burst of logins multiplies (it was 19 MiB a check, unbounded, and 256
/// parallel logins took 5 GB), so the smaller block with one more pass
/// costs a guesser the same while the service keeps its [`Verifier`]'s
/// slots × 12 MiB. Hashes made with other parameters (the PHC string
/// carries them) still verify, and are not rewritten.
pub const PARAMS: (u32, u32, u32) = (12 * 1024, 3, 1);

fn params() -> Params {
    Params::new(PARAMS.0, PARAMS.1, PARAMS.2, None).expect("valid argon2 parameters")
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

fn hash_password(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::rejected("เข้ารหัสรหัสผ่านไม่สำเร็จ", format!("hashing failed: {e}")))
}

/// Whether `password` matches the PHC string `hash`, computed in `memory`
/// (grown when the hash asks for more blocks than it has). Any algorithm,
/// version and parameters the string names are honoured.
pub fn verify_in(hash: &str, password: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut out,
        &mut memory[..blocks],
    );
    // `Output`'s equality is constant-time.
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

/// Runs password checks: at most `slots` at once, each on a blocking
/// thread with a memory block of its own that is kept for the next check
/// (so the memory argon2 needs is allocated `slots` times, not once per
/// login). Callers beyond the slots wait in a short queue; when the queue
/// is full, or the wait is longer than `patience`, the check is refused
/// ([`Verdict::Busy`]) without being made.
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<VerifierInner>,
}

struct VerifierInner {
    slots: Arc<tokio::sync::Semaphore>,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
    waiting: std::sync::atomic::AtomicUsize,
    queue: usize,
    patience: std::time::Duration,
}

impl Default for Verifier {
    /// Two checks at once (24 MiB), 64 waiting, for at most 5 seconds.
    fn default() -> Verifier {
        Verifier::new(2, 64, std::time::Duration::from_secs(5))
    }
}

impl Verifier {
    pub fn new(slots: usize, queue: usize, patience: std::time::Duration) -> Verifier {
        Verifier {
            inner: Arc::new(VerifierInner {
                slots: Arc::new(tokio::sync::Semaphore::new(slots.max(1))),
                memory: Arc::default(),
                waiting: std::sync::atomic::AtomicUsize::new(0),
                queue,
                patience,
            }),
        }
    }

    /// Checks `password` against `hash`; `None` when too busy to check.
    pub async fn verify(&self, hash: String, password: String) -> Option<bool> {
        use std::sync::atomic::Ordering;
        let inner = &self.inner;
        let permit = match inner.slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                if inner.waiting.fetch_add(1, Ordering::SeqCst) >= inner.queue {
                    inner.waiting.fetch_sub(1, Ordering::SeqCst);
                    return None;
                }
                let got =
                    tokio::time::timeout(inner.patience, inner.slots.clone().acquire_owned()).await;
                inner.waiting.fetch_sub(1, Ordering::SeqCst);
                match got {
                    Ok(Ok(p)) => p,
                    _ => return None,
                }
            }
        };
        let pool = inner.memory.clone();
        // The permit and the memory travel with the blocking work, so a
        // request that goes away does not free its slot before the check ends.
        tokio::task::spawn_blocking(move || {
            let mut memory = pool
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop()
                .unwrap_or_default();
            let ok = verify_in(&hash, &password, &mut memory);
            // A block grown for an old, larger hash is not kept.
            if memory.len() > params().block_count() {
                memory = Vec::new();
            }
            pool.lock().unwrap_or_else(|e| e.into_inner()).push(memory);
            drop(permit);
            ok
        })
        .await
        .ok()
    }
}

/// The shortest password a user may choose.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// How long a one-time password can be used to log in.
pub const ONE_TIME_HOURS: i64 = 24;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Whether `password` is, or is a common password followed by digits and
/// symbols (`password2024!`), compared without case.
fn is_common(password: &str) -> bool {
    let lower = password.trim().to_lowercase();
    let base = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .any(|l| l == lower || (base.chars().count() >= 4 && l == base))
}

/// The rules for a password a person chooses or is given.
pub fn check_new_password(username: &str, password: &str) -> Result<(), StoreError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::invalid(
            "password",
            "รหัสผ่านต้องยาวอย่างน้อย ๑๐ ตัวอักษร",
            "the password must be at least 10 characters",
        ));
    }
    // The name itself, or (for names long enough to mean something) a
    // password built around it.
    let name = username.trim().to_lowercase();
    let lower = password.trim().to_lowercase();
    if lower == name || (name.chars().count() >= 4 && lower.contains(&name)) {
        return Err(StoreError::invalid(
            "password",
            "รหัสผ่านต้องไม่มีชื่อผู้ใช้อยู่ในนั้น",
            "the password must not contain the user name",
        ));
    }
    if is_common(password) {
        return Err(StoreError::invalid(
            "password",
            "รหัสผ่านนี้ใช้กันทั่วไปและเดาได้ง่าย กรุณาตั้งรหัสผ่านอื่น",
            "this password is common and easy to guess; choose another",
        ));
    }
    Ok(())
}

/// A new user for `office`.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password: &'a str,
    /// The password is one-time: the user must change it.
    pub must_change: bool,
}

fn check_username(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "username",
            "ชื่อผู้ใช้ต้องเป็นอักษรอังกฤษ ตัวเลข หรือ . _ - @ ไม่เกิน ๖๔ ตัว",
            "the username must be 1–64 ASCII letters, digits or . _ - @",
        ))
    }
}

/// Adds a user, in one transaction with its audit event.
pub async fn add(
    store: &Store,
    actor: &Actor,
    office: &Office,
    new: &NewUser<'_>,
) -> Result<User, StoreError> {
    check_username(new.username)?;
    if new.display_name.trim().is_empty() || new.display_name.chars().count() > 200 {
        return Err(StoreError::invalid(
            "display_name",
            "ต้องมีชื่อ-สกุล ไม่เกิน ๒๐๐ ตัวอักษร",
            "a display name of 1–200 characters is required",
        ));
    }
    check_new_password(new.username, new.password)?;
    let hash = hash_password(new.password)?;
    let mut tx = store.begin_write().await?;
    let taken = sqlx::query("SELECT 1 FROM users WHERE username = $1")
        .bind(new.username)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::duplicate(
            format!("มีผู้ใช้ชื่อ {} แล้ว", new.username),
            format!("the username {} is taken", new.username),
        ));
    }
    let mut audit = Appender::start(&mut tx, actor, Utc::now()).await?;
    let row = sqlx::query(
        "INSERT INTO users (office_id, username, display_name, role, password_hash, must_change, \
         created_at, password_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(office.id)
    .bind(new.username)
    .bind(new.display_name.trim())
    .bind(new.role.key())
    .bind(&hash)
    .bind(new.must_change as i64)
    .bind(stamp(Utc::now()))
    .bind(
        new.must_change
            .then(|| stamp(Utc::now() + Duration::hours(ONE_TIME_HOURS))),
    )
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    let record = format!("{}|{}|{}", new.username, office.id, new.role.key());
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(office.id),
                action: "user.add",
                object: format!("user:{id}"),
                before: None,
                after: Some(record.as_bytes()),
            },
        )
        .await?;
    audit.commit(tx).await?;
    get(store, id).await
}

pub async fn get(store: &Store, id: i64) -> Result<User, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or_else(|| StoreError::rejected("ไม่พบผู้ใช้", "no such user"))?;
    from_row(&row)
}

pub async fn find(store: &Store, username: &str) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE username = $1"))
        .bind(username)
        .fetch_optional(store.reader())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Users of one office, or of all offices.
pub async fn list(store: &Store, office_id: Option<i64>) -> Result<Vec<User>, StoreError> {
    let rows = match office_id {
        Some(id) => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM users WHERE office_id = $1 ORDER BY username"
            ))
            .bind(id)
            .fetch_all(store.reader())
            .await?
        }
        None => {
            sqlx::query(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))
                .fetch_all(store.reader())
                .await?
        }
    };
    rows.iter().map(from_row).collect()
}

/// What a login attempt comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The name and password are right and the account is active.
    Welcome(User),
    /// Wrong name, wrong password or a disabled account: they read the same.
    Refused,
    /// The right one-time password, made more than [`ONE_TIME_HOURS`] ago.
    Expired(User),
    /// Too many checks under way: nothing was checked.
    Busy,
}

/// Checks a name and password. Wrong name and wrong password read the same,
/// and both cost one argon2 verification, run by `verifier`.
pub async fn authenticate(
    store: &Store,
    verifier: &Verifier,
    username: &str,
    password: &str,
) -> Result<Verdict, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, password_hash, password_expires_at FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(store.reader())
    .await?;
    // A hash to verify against when the name is unknown, so that timing
    // does not tell which names exist.
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let (user, hash, expires) = match &row {
        Some(r) => (
            Some(from_row(r)?),
            r.try_get::<String, _>(7)?,
            r.try_get::<Option<String>, _>(8)?,
        ),
        None => {
            let decoy = match DECOY.get() {
                Some(h) => h.clone(),
                None => {
                    let h = hash_password(&new_secret())?;
                    DECOY.get_or_init(|| h).clone()
                }
            };
            (None, decoy, None)
        }
    };
    let Some(verified) = verifier.verify(hash, password.to_string()).await else {
        return Ok(Verdict::Busy);
    };
    Ok(match user {
        Some(u) if verified && u.active => {
            if expires.is_some_and(|at| at <= stamp(Utc::now())) {
                Verdict::Expired(u)
            } else {
                Verdict::Welcome(u)
            }
        }
        _ => Verdict::Refused,
    })
}

/// Sets a new password chosen by the user (and clears the one-time flag).
/// The caller has checked `current`, the password in use; the new one must
/// differ from it (so a one-time password cannot be kept) and follow
/// [`check_new_password`].
pub async fn set_password(
    store: &Store,
    actor: &Actor,
    user: &User,
    current: &str,
    password: &str,
) -> Result<(), StoreError> {
    if password == current {
        return Err(StoreError::invalid(
            "password",
            "รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิมหรือรหัสผ่านชั่วคราว",
            "the new password must differ from the current (or one-time) password",
        ));
    }
    write_password(store, actor, user, password, false).await
}

/// Sets a one-time password an administrator hands over; it expires after
/// [`ONE_TIME_HOURS`]. The user's sessions end and their API tokens are
/// revoked.
pub async fn reset_password(
    store: &Store,
    actor: &Actor,
    user: &User,
    password: &str,
) -> Result<(), StoreError> {
    write_password(store, actor, user, password, true).await
}

async fn write_password(
    store: &Store,
    actor: &Actor,
    user: &User,
    password: &str,
    one_time: bool,
) -> Result<(), StoreError> {
    check_new_password(&user.username, password)?;
    let hash = hash_password(password)?;
    let now = Utc::now();
    let (mut tx, mut audit) = store.begin_audited(actor, now).await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change = $2, password_expires_at = $3 \
         WHERE id = $4",
    )
    .bind(&hash)
    .bind(one_time as i64)
    .bind(one_time.then(|| stamp(now + Duration::hours(ONE_TIME_HOURS))))
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    // Other sessions end with the old password; a reset means the account
    // may be in the wrong hands, so its tokens go too.
    end_access_in(&mut tx, user.id, now, one_time).await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(user.office_id),
                action: if one_time {
                    "user.reset"
                } else {
                    "user.password"
                },
                object: format!("user:{}", user.id),
                before: None,
                after: None,
            },
        )
        .await?;
    audit.commit(tx).await?;
    store.auth_changed();
    Ok(())
}

/// Ends a user's sessions and, with `tokens`, revokes their API tokens.
async fn end_access_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: i64,
    now: DateTime<Utc>,
    tokens: bool,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    if tokens {
        revoke_all_in(tx, user_id, now).await?;
    }
    Ok(())
}

/// Enables or disables a user. Disabling ends their sessions and revokes
/// their API tokens (enabling again does not bring them back).
pub async fn set_active(
    store: &Store,
    actor: &Actor,
    user: &User,
    active: bool,
) -> Result<(), StoreError> {
    let now = Utc::now();
    let (mut tx, mut audit) = store.begin_audited(actor, now).await?;
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(active as i64)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    if !active {
        end_access_in(&mut tx, user.id, now, true).await?;
    }
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(user.office_id),
                action: if active {
                    "user.enable"
                } else {
                    "user.disable"
                },
                object: format!("user:{}", user.id),
                before: None,
                after: None,
            },
        )
        .await?;
    audit.commit(tx).await?;
    store.auth_changed();
    Ok(())
}

/// A login session: the cookie's secret and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub secret: String,
    pub csrf: String,
    pub user: User,
}

/// How long a session lasts without a new login.
pub const SESSION_HOURS: i64 = 12;

pub async fn open_session(store: &Store, user: &User) -> Result<Session, StoreError> {
    let secret = new_secret();
    let csrf = new_secret();
    let now = Utc::now();
    sqlx::query(
        "INSERT INTO sessions (token_sha256, user_id, csrf, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(sha256_hex(secret.as_bytes()))
    .bind(user.id)
    .bind(&csrf)
    .bind(stamp(now))
    .bind(stamp(now + Duration::hours(SESSION_HOURS)))
    .execute(&store.write)
    .await?;
    Ok(Session {
        secret,
        csrf,
        user: user.clone(),
    })
}

/// The live session a cookie names, if any.
pub async fn session(
    store: &Store,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<Session>, StoreError> {
    let row = sqlx::query(
        "SELECT s.user_id, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(sha256_hex(secret.as_bytes()))
    .bind(stamp(now))
    .fetch_optional(store.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user = get(store, row.try_get(0)?).await?;
    Ok(Some(Session {
        secret: secret.to_string(),
        csrf: row.try_get(1)?,
        user,
    }))
}

pub async fn close_session(store: &Store, secret: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
        .bind(sha256_hex(secret.as_bytes()))
        .execute(&store.write)
        .await?;
    Ok(())
}

/// How long an API token lasts unless its maker says otherwise.
pub const TOKEN_DAYS: i64 = 90;
/// The longest life a token can be given.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// An API token as it is listed (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub user_id: i64,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    /// To the hour: recorded at most hourly, to keep reads free of writes.
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Neither revoked nor expired.
    pub active: bool,
}

/// A new token: the secret (shown once) and its listing.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token: String,
    pub info: TokenInfo,
}

const TOKEN_COLUMNS: &str = "id, user_id, label, created_at, expires_at, last_used_at, revoked_at";

fn token_from_row(row: &AnyRow, now: &str) -> Result<TokenInfo, StoreError> {
    let expires_at: String = row.try_get(4)?;
    let revoked_at: Option<String> = row.try_get(6)?;
    Ok(TokenInfo {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        label: row.try_get(2)?,
        created_at: row.try_get(3)?,
        active: revoked_at.is_none() && expires_at.as_str() > now,
        expires_at,
        last_used_at: row.try_get(5)?,
        revoked_at,
    })
}

/// Creates an API token for `user` lasting [`TOKEN_DAYS`]; the token is
/// returned once.
pub async fn add_token(
    store: &Store,
    actor: &Actor,
    user: &User,
    label: &str,
) -> Result<String, StoreError> {
    Ok(add_token_for(store, actor, user, label, None).await?.token)
}

/// Creates an API token for `user` lasting `days` (default [`TOKEN_DAYS`],
/// 1 to [`MAX_TOKEN_DAYS`]).
pub async fn add_token_for(
    store: &Store,
    actor: &Actor,
    user: &User,
    label: &str,
    days: Option<i64>,
) -> Result<NewToken, StoreError> {
    let days = days.unwrap_or(TOKEN_DAYS);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(StoreError::invalid(
            "expires_in_days",
            "อายุโทเค็นต้องอยู่ระหว่าง ๑ ถึง ๓๖๕๐ วัน",
            "a token lasts 1 to 3650 days",
        ));
    }
    let label = label.trim();
    if label.chars().count() > 100 {
        return Err(StoreError::invalid(
            "label",
            "ชื่อโทเค็นยาวได้ไม่เกิน ๑๐๐ ตัวอักษร",
            "a token label is at most 100 characters",
        ));
    }
    let token = format!("srb_{}", new_secret());
    let now = Utc::now();
    let (mut tx, mut audit) = store.begin_audited(actor, now).await?;
    let row = sqlx::query(
        "INSERT INTO api_tokens (token_sha256, user_id, label, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(user.id)
    .bind(label)
    .bind(stamp(now))
    .bind(stamp(now + Duration::days(days)))
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(user.office_id),
                action: "user.token",
                object: format!("user:{}", user.id),
                before: None,
                after: Some(format!("token:{id}|{label}").as_bytes()),
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(NewToken {
        token,
        info: TokenInfo {
            id,
            user_id: user.id,
            label: label.to_string(),
            created_at: stamp(now),
            expires_at: stamp(now + Duration::days(days)),
            last_used_at: None,
            revoked_at: None,
            active: true,
        },
    })
}

/// The active user a bearer token belongs to, if the token is neither
/// expired nor revoked. Its last use is recorded when an hour has passed
/// since the one recorded.
pub async fn by_token(store: &Store, token: &str) -> Result<Option<User>, StoreError> {
    let now = Utc::now();
    let row = sqlx::query(&format!(
        // The token's columns are renamed: the user is read by column
        // name, and a second `id` would be taken for the user's.
        "SELECT {}, t.id AS token_id, t.last_used_at AS token_last_used \
         FROM users u JOIN api_tokens t ON t.user_id = u.id \
         WHERE t.token_sha256 = $1 AND u.active = 1 AND t.revoked_at IS NULL \
         AND t.expires_at > $2",
        COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(sha256_hex(token.as_bytes()))
    .bind(stamp(now))
    .fetch_optional(store.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user = from_row(&row)?;
    let id: i64 = row.try_get(7)?;
    let last: Option<String> = row.try_get(8)?;
    if last.is_none_or(|l| l < stamp(now - Duration::hours(1))) {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(stamp(now))
            .bind(id)
            .execute(&store.write)
            .await?;
    }
    Ok(Some(user))
}

/// A user's tokens, newest first, revoked and expired ones included.
pub async fn tokens(store: &Store, user_id: i64) -> Result<Vec<TokenInfo>, StoreError> {
    let now = stamp(Utc::now());
    let rows = sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"
    ))
    .bind(user_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(|r| token_from_row(r, &now)).collect()
}

/// Revokes one of `user`'s tokens; `None` when the user has no such token.
/// Revoking a revoked token changes nothing.
pub async fn revoke_token(
    store: &Store,
    actor: &Actor,
    user: &User,
    token_id: i64,
) -> Result<Option<TokenInfo>, StoreError> {
    let now = Utc::now();
    let (mut tx, mut audit) = store.begin_audited(actor, now).await?;
    let changed = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 \
         AND revoked_at IS NULL",
    )
    .bind(stamp(now))
    .bind(token_id)
    .bind(user.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed > 0 {
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(user.office_id),
                    action: "user.revoke",
                    object: format!("user:{}", user.id),
                    before: None,
                    after: Some(format!("token:{token_id}").as_bytes()),
                },
            )
            .await?;
    }
    audit.finish(&mut tx).await?;
    let row = sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1 AND user_id = $2"
    ))
    .bind(token_id)
    .bind(user.id)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    store.auth_changed();
    row.as_ref()
        .map(|r| token_from_row(r, &stamp(now)))
        .transpose()
}

/// Revokes every live token of `user`; returns how many.
pub async fn revoke_all(store: &Store, actor: &Actor, user: &User) -> Result<u64, StoreError> {
    let now = Utc::now();
    let (mut tx, mut audit) = store.begin_audited(actor, now).await?;
    let n = revoke_all_in(&mut tx, user.id, now).await?;
    if n > 0 {
        audit
            .append(
                &mut tx,
                Change {
                    office_id: Some(user.office_id),
                    action: "user.revoke",
                    object: format!("user:{}", user.id),
                    before: None,
                    after: Some(b"all"),
                },
            )
            .await?;
    }
    audit.commit(tx).await?;
    store.auth_changed();
    Ok(n)
}

async fn revoke_all_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(stamp(now))
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Names users who may read a secret document (ลับ, ลับมาก, ลับที่สุด).
pub async fn name_readers(
    store: &Store,
    actor: &Actor,
    document_id: i64,
    users: &[i64],
) -> Result<(), StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, Utc::now()).await?;
    name_readers_in(&mut tx, &mut audit, document_id, users).await?;
    audit.commit(tx).await?;
    Ok(())
}

/// Names readers inside a write transaction.
pub(crate) async fn name_readers_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    audit: &mut Appender,
    document_id: i64,
    users: &[i64],
) -> Result<(), StoreError> {
    for user in users {
        sqlx::query(
            "INSERT INTO document_readers (document_id, user_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(document_id)
        .bind(user)
        .execute(&mut **tx)
        .await?;
        audit
            .append(
                tx,
                Change {
                    office_id: None,
                    action: "document.reader",
                    object: format!("document:{document_id}"),
                    before: None,
                    after: Some(format!("user:{user}").as_bytes()),
                },
            )
            .await?;
    }
    Ok(())
}
