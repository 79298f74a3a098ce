//! Accounts: users of one office with one role, argon2 password hashes,
//! login sessions (cookie + CSRF token) and API bearer tokens.
//!
//! Secrets are random 32-byte values shown once; only their SHA-256 is
//! stored. What each role may do is `Role::may`, the one table the service
//! consults before every action.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
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
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Clerk,
        Role::Drafter,
        Role::Signer,
        Role::Head,
        Role::Admin,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Drafter => "drafter",
            Role::Signer => "signer",
            Role::Head => "head",
            Role::Admin => "admin",
        }
    }

    pub fn thai(self) -> &'static str {
        match self {
            Role::Clerk => "เจ้าหน้าที่สารบรรณ",
            Role::Drafter => "ผู้ร่างหนังสือ",
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
                    "บทบาทต้องเป็น clerk, drafter, signer, head หรือ admin",
                    "role must be clerk, drafter, signer, head or admin",
                )
            })
    }

    /// The access table: which role may do what for its own office.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Head => !matches!(action, ManageUsers | ManageOffices),
            Role::Clerk => matches!(action, Read | Draft | Number | Dispatch | HandleInbox),
            Role::Signer => matches!(action, Read | Draft | Number | Cancel),
            Role::Drafter => matches!(action, Read | Draft),
            Role::Admin => matches!(action, Read | ManageUsers | ManageOffices),
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

fn hash_password(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::rejected("เข้ารหัสรหัสผ่านไม่สำเร็จ", format!("hashing failed: {e}")))
}

fn check_password(password: &str) -> Result<(), StoreError> {
    if password.chars().count() < 8 {
        return Err(StoreError::invalid(
            "password",
            "รหัสผ่านต้องยาวอย่างน้อย ๘ ตัวอักษร",
            "the password must be at least 8 characters",
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
    check_password(new.password)?;
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
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(office.id)
    .bind(new.username)
    .bind(new.display_name.trim())
    .bind(new.role.key())
    .bind(&hash)
    .bind(new.must_change as i64)
    .bind(stamp(Utc::now()))
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

/// The user whose name and password these are, if active. Wrong name and
/// wrong password read the same, and both cost one argon2 verification.
pub async fn authenticate(
    store: &Store,
    username: &str,
    password: &str,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(store.reader())
    .await?;
    // A hash to verify against when the name is unknown, so that timing
    // does not tell which names exist.
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let (user, hash) = match &row {
        Some(r) => (Some(from_row(r)?), r.try_get::<String, _>(7)?),
        None => {
            let decoy = match DECOY.get() {
                Some(h) => h.clone(),
                None => {
                    let h = hash_password(&new_secret())?;
                    DECOY.get_or_init(|| h).clone()
                }
            };
            (None, decoy)
        }
    };
    let password = password.to_string();
    let verified = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    Ok(user.filter(|u| verified && u.active))
}

/// Sets a new password chosen by the user (and clears the one-time flag).
pub async fn set_password(
    store: &Store,
    actor: &Actor,
    user: &User,
    password: &str,
) -> Result<(), StoreError> {
    write_password(store, actor, user, password, false).await
}

/// Sets a one-time password an administrator hands over.
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
    check_password(password)?;
    let hash = hash_password(password)?;
    let (mut tx, mut audit) = store.begin_audited(actor, Utc::now()).await?;
    sqlx::query("UPDATE users SET password_hash = $1, must_change = $2 WHERE id = $3")
        .bind(&hash)
        .bind(one_time as i64)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    // Other sessions end with the old password.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(user.office_id),
                action: "user.password",
                object: format!("user:{}", user.id),
                before: None,
                after: None,
            },
        )
        .await?;
    audit.commit(tx).await?;
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

/// Creates an API token for `user`; the token is returned once.
pub async fn add_token(
    store: &Store,
    actor: &Actor,
    user: &User,
    label: &str,
) -> Result<String, StoreError> {
    let token = format!("srb_{}", new_secret());
    let (mut tx, mut audit) = store.begin_audited(actor, Utc::now()).await?;
    sqlx::query(
        "INSERT INTO api_tokens (token_sha256, user_id, label, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(user.id)
    .bind(label)
    .bind(stamp(Utc::now()))
    .execute(&mut *tx)
    .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(user.office_id),
                action: "user.token",
                object: format!("user:{}", user.id),
                before: None,
                after: Some(label.as_bytes()),
            },
        )
        .await?;
    audit.commit(tx).await?;
    Ok(token)
}

/// The active user a bearer token belongs to, if any.
pub async fn by_token(store: &Store, token: &str) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM users u JOIN api_tokens t ON t.user_id = u.id \
         WHERE t.token_sha256 = $1 AND u.active = 1",
        COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(sha256_hex(token.as_bytes()))
    .fetch_optional(store.reader())
    .await?;
    row.as_ref().map(from_row).transpose()
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
