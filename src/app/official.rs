//! Official copies anyone can trust: made once (PDF/A-2b, a verification
//! QR code on the first page, signed when the office has a certificate),
//! checked against their SHA-256 on every read, answered publicly at
//! `/v/{code}`, and checked file by file (`saraban verify`). Also the
//! replacement of a numbered letter (ฉบับแทนที่), the typed links between
//! letters, a draft's versions, and the integrity alarms administrators see.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::error::{AppError, AppResult, Kind};
use super::{Action, App, Caller, DocState, DocumentId, Stored};
use crate::render::{RenderOptions, Verification};
use crate::store::documents::{self, Alarm, OfficialCopy, Relation, Target, Version};
use crate::store::{offices, sha256_hex};

/// What `/v/{code}` shows: enough to recognise the letter, nothing more;
/// for a secret letter not even the subject.
#[derive(Debug, Clone, Serialize)]
pub struct PublicRecord {
    pub code: String,
    pub number: String,
    pub date: Option<chrono::NaiveDate>,
    pub office: String,
    /// `None` for a secret letter.
    pub subject: Option<String>,
    /// ลับ, ลับมาก for a secret letter.
    pub secrecy: Option<String>,
    pub sha256: String,
    pub status: Status,
    /// The certificate it is signed with, when it is signed.
    pub signer: Option<super::signing::SignerInfo>,
}

/// Whether an issued letter still stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    Valid,
    Cancelled,
    /// Replaced by the letter with this number.
    Superseded {
        by: String,
    },
}

impl Status {
    pub fn thai(&self) -> String {
        match self {
            Status::Valid => "ใช้ได้".into(),
            Status::Cancelled => "ยกเลิกแล้ว".into(),
            Status::Superseded { by } => {
                format!("ถูกแทนที่โดยหนังสือที่ {}", crate::thai::to_thai_digits(by))
            }
        }
    }
}

/// Why a file is not a valid official copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotOfficial {
    /// Saraban issued no such file.
    Unknown,
    /// It claims to be the official copy of this number, but its bytes
    /// differ from what was issued.
    Altered {
        number: String,
    },
    Cancelled {
        number: String,
    },
    Superseded {
        number: String,
        by: String,
    },
    /// The bytes are as issued but the signature does not verify.
    SignatureInvalid {
        number: String,
        why: String,
    },
}

impl NotOfficial {
    /// Thai and English, for the CLI and the page.
    pub fn messages(&self) -> (String, String) {
        match self {
            NotOfficial::Unknown => (
                "ไม่ใช่ฉบับจริงที่ระบบออก".into(),
                "unknown: not an official copy issued by this saraban".into(),
            ),
            NotOfficial::Altered { number } => (
                format!("ไฟล์ถูกแก้ไข ไม่ตรงกับฉบับจริงของหนังสือที่ {number}"),
                format!("altered: the file differs from the official copy of {number}"),
            ),
            NotOfficial::Cancelled { number } => (
                format!("หนังสือที่ {number} ถูกยกเลิกแล้ว"),
                format!("cancelled: {number} was cancelled"),
            ),
            NotOfficial::Superseded { number, by } => (
                format!("หนังสือที่ {number} ถูกแทนที่โดย {by}"),
                format!("superseded: {number} was replaced by {by}"),
            ),
            NotOfficial::SignatureInvalid { number, why } => (
                format!("ลายมือชื่ออิเล็กทรอนิกส์ของหนังสือที่ {number} ไม่ถูกต้อง: {why}"),
                format!("signature invalid on {number}: {why}"),
            ),
        }
    }
}

/// What the document page shows about a document's official copy.
#[derive(Debug, Clone, Serialize)]
pub struct OfficialInfo {
    pub code: Option<String>,
    pub replaces: Option<Stored>,
    pub superseded_by: Option<Stored>,
}

/// A document as lists show it (the documents page, search, the JSON
/// list): itself, and the letter that replaced it, if one did.
#[derive(Debug, Clone)]
pub struct Listed {
    pub doc: Stored,
    pub superseded_by: Option<ReplacedBy>,
    /// For a letter of another office, the caller's own delivery it is
    /// opened through (its delivery page, the chain above it included).
    pub delivery_id: Option<i64>,
}

/// The letter that replaced a listed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplacedBy {
    /// Its id, only when the caller may see it (lists then link to it).
    pub id: Option<i64>,
    /// Its number (Arabic digits, as in the register): a replacement is
    /// recorded when it is numbered, and `/v/` shows the number to anyone.
    pub number: Option<String>,
}

/// One difference between two versions of a draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// A JSON path such as `main.subject` or `main.body[1]`.
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl App {
    /// The public URL official copies point their QR codes at.
    pub fn public_url(&self) -> String {
        self.public_url
            .read()
            .map(|u| u.clone())
            .unwrap_or_default()
    }

    /// Sets the public URL (`serve --public-url`, or the listen address).
    pub fn set_public_url(&self, url: &str) {
        if let Ok(mut u) = self.public_url.write() {
            *u = url.trim_end_matches('/').to_string();
        }
    }

    /// The official copy of document `id`: stored, checked, or made now.
    pub(crate) async fn official_copy(&self, c: &Caller, id: i64) -> AppResult<OfficialCopy> {
        let renderer = self.load_renderer()?;
        let d = documents::get(self.store(), id).await?;
        let signer = self.signer_for(d.office_id).await?;
        // The signers' images as they are now; once made, the copy is
        // stored bytes and a later change of image does not reach it.
        let signed_by = self.signed_by(d.id).await?;
        let signatures = self
            .signature_images(d.office_id, &d.content, signed_by)
            .await?;
        let office = offices::get(self.store(), d.office_id).await?.fields.name;
        let now = chrono::Utc::now();
        let _slot = self.render_slots.acquire().await.expect("never closed");
        let store = self.store().clone();
        let actor = c.actor();
        let base = self.public_url();
        // The store renders inside its own call, on this blocking thread.
        let made = tokio::task::block_in_place(move || {
            tokio::runtime::Handle::current().block_on(documents::official_copy(
                &store,
                &actor,
                id,
                |doc, code| {
                    let opts = RenderOptions {
                        pdfa: true,
                        official: true,
                        verification: Some(Verification {
                            url: format!("{base}/v/{code}"),
                            code: code.to_string(),
                        }),
                        signatures,
                        ..RenderOptions::default()
                    };
                    let pdf = renderer.render_pdf(doc, &opts).map_err(|e| e.to_string())?;
                    App::sign_copy(signer.as_deref(), pdf, now, &office)
                },
            ))
        })?;
        Ok(made)
    }

    /// The public record behind a verification code (no login).
    pub async fn verification(&self, code: &str) -> AppResult<PublicRecord> {
        let code = code.trim().to_uppercase();
        let not_found = || {
            AppError::new(
                Kind::NotFound,
                "not_found",
                "ไม่พบหนังสือที่มีรหัสตรวจสอบนี้",
                "no official copy has this code",
            )
        };
        if code.len() != 16 || !code.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            return Err(not_found());
        }
        let d = documents::by_verify_code(self.store(), &code)
            .await?
            .ok_or_else(not_found)?;
        let office = offices::get(self.store(), d.office_id).await?;
        let secrecy = d.content.secrecy().map(|s| s.thai().to_string());
        Ok(PublicRecord {
            code,
            number: d
                .number
                .as_deref()
                .map(crate::thai::to_thai_digits)
                .unwrap_or_default(),
            date: d.date,
            office: office.fields.name,
            subject: secrecy.is_none().then(|| d.subject.clone()),
            secrecy,
            sha256: d.official_sha256.clone().unwrap_or_default(),
            status: self.status_of(&d).await?,
            signer: documents::official_pdf(self.store(), d.id)
                .await?
                .and_then(|pdf| super::signing::signer_of(&pdf)),
        })
    }

    async fn status_of(&self, d: &Stored) -> AppResult<Status> {
        let (_, superseded_by) = documents::replacement_links(self.store(), d.id).await?;
        if let Some(by) = superseded_by {
            let by = documents::get(self.store(), by).await?;
            return Ok(Status::Superseded {
                by: by.number.unwrap_or_default(),
            });
        }
        Ok(if d.state == DocState::Cancelled {
            Status::Cancelled
        } else {
            Status::Valid
        })
    }

    /// Whether `bytes` are exactly the official copy behind `code`. The
    /// file is not kept.
    pub async fn matches_official(&self, code: &str, bytes: &[u8]) -> AppResult<bool> {
        let record = self.verification(code).await?;
        Ok(sha256_hex(bytes) == record.sha256)
    }

    /// Checks a file someone holds: the number it is the official copy of,
    /// or why it is not one.
    pub async fn verify_file(&self, bytes: &[u8]) -> AppResult<Result<String, NotOfficial>> {
        let sha = sha256_hex(bytes);
        let found = match documents::by_official_sha256(self.store(), &sha).await? {
            Some(d) => d,
            None => {
                // A file that names its code but is not those bytes.
                let Some(code) = keyword_code(bytes) else {
                    return Ok(Err(NotOfficial::Unknown));
                };
                return Ok(
                    match documents::by_verify_code(self.store(), &code).await? {
                        Some(d) => Err(NotOfficial::Altered {
                            number: d.number.unwrap_or_default(),
                        }),
                        None => Err(NotOfficial::Unknown),
                    },
                );
            }
        };
        let number = found.number.clone().unwrap_or_default();
        match self.status_of(&found).await? {
            Status::Cancelled => return Ok(Err(NotOfficial::Cancelled { number })),
            Status::Superseded { by } => return Ok(Err(NotOfficial::Superseded { number, by })),
            Status::Valid => {}
        }
        if let Err(why) = crate::app::signing::check(bytes) {
            return Ok(Err(NotOfficial::SignatureInvalid { number, why }));
        }
        Ok(Ok(number))
    }

    /// Starts a replacement (ฉบับแทนที่) of a numbered document: a new draft
    /// with the old one's content (its number and date cleared), which
    /// records the replacement when it is numbered.
    pub async fn replace(&self, c: &Caller, id: DocumentId) -> AppResult<Stored> {
        c.may(Action::Draft)?;
        let old = self.own_document(c, id).await?;
        let mut value = serde_json::to_value(&old.content)
            .map_err(|e| AppError::internal("อ่านหนังสือเดิมไม่ได้", e.to_string()))?;
        if let Some(main) = value.get_mut("main").and_then(Value::as_object_mut) {
            main.remove("number");
        }
        if let Some(all) = value.as_object_mut() {
            all.insert("kind".into(), Value::String("document".into()));
        }
        let doc = crate::model::Document::from_json(&value.to_string())?;
        Ok(documents::create_replacement(self.store(), &c.actor(), &c.office, id.0, &doc).await?)
    }

    /// What replaces what: (the document it replaces, the one that replaced
    /// it), each only if the caller may see it.
    pub async fn replacements(
        &self,
        c: &Caller,
        id: DocumentId,
    ) -> AppResult<(Option<Stored>, Option<Stored>)> {
        self.document(c, id).await?;
        let (replaces, by) = documents::replacement_links(self.store(), id.0).await?;
        let mut out = Vec::new();
        for other in [replaces, by] {
            out.push(match other {
                Some(o) => self.document(c, DocumentId(o)).await.ok(),
                None => None,
            });
        }
        let by = out.pop().flatten();
        let replaces = out.pop().flatten();
        Ok((replaces, by))
    }

    /// Documents already found visible, as lists show them: with the
    /// letter that replaced each (two statements for the whole list: the
    /// replacements, then which of them the caller may see).
    pub async fn listed(&self, c: &Caller, docs: Vec<Stored>) -> AppResult<Vec<Listed>> {
        let ids: Vec<i64> = docs.iter().map(|d| d.id).collect();
        let replaced = documents::superseded_by_many(self.store(), &ids).await?;
        let by_ids: Vec<i64> = replaced.values().map(|(id, _)| *id).collect();
        let visible = crate::store::search::visible_ids(self.store(), &c.viewer(), &by_ids).await?;
        let others: Vec<i64> = docs
            .iter()
            .filter(|d| d.office_id != c.office.id)
            .map(|d| d.id)
            .collect();
        let through =
            crate::store::routing::opened_through(self.store(), c.office.id, &others).await?;
        Ok(docs
            .into_iter()
            .map(|doc| {
                let superseded_by = replaced.get(&doc.id).map(|(id, number)| ReplacedBy {
                    id: visible.contains(id).then_some(*id),
                    number: number.clone(),
                });
                let delivery_id = through.get(&doc.id).copied();
                Listed {
                    doc,
                    superseded_by,
                    delivery_id,
                }
            })
            .collect())
    }

    /// A document's place among official copies: its verification code
    /// (once it has an official copy), what it replaces and what replaced
    /// it (those the caller may see).
    pub async fn official_info(&self, c: &Caller, id: DocumentId) -> AppResult<OfficialInfo> {
        let (replaces, superseded_by) = self.replacements(c, id).await?;
        Ok(OfficialInfo {
            code: documents::verify_code(self.store(), id.0).await?,
            replaces,
            superseded_by,
        })
    }

    /// Records a typed link from the caller's own document: it cites,
    /// replies to, supersedes or cancels another letter (a document the
    /// caller may see, or a number and date).
    pub async fn link(
        &self,
        c: &Caller,
        from: DocumentId,
        relation: &str,
        to: Option<DocumentId>,
        number: Option<&str>,
        date: Option<&str>,
    ) -> AppResult<()> {
        c.may(Action::Draft)?;
        self.own_document(c, from).await?;
        let relation: Relation = serde_json::from_value(Value::String(relation.to_string()))
            .map_err(|_| {
                AppError::invalid(
                    "relation",
                    "ความสัมพันธ์ต้องเป็น cites, replies_to, supersedes หรือ cancels",
                    "relation must be cites, replies_to, supersedes or cancels",
                )
            })?;
        let target = match (to, super::input::optional(number)) {
            (Some(to), _) => {
                self.document(c, to).await?;
                Target::Stored(to.0)
            }
            (None, Some(number)) => {
                let parsed = crate::docnum::DocNumber::parse(number).map_err(|e| {
                    AppError::invalid(
                        "number",
                        e.to_string(),
                        format!("not a letter number: {number}"),
                    )
                })?;
                Target::External {
                    number: parsed.key(),
                    date: super::input::optional_date("date", date)?,
                    issuer: None,
                }
            }
            (None, None) => {
                return Err(AppError::invalid(
                    "to",
                    "ระบุหนังสือที่อ้างถึง (เลขที่ในระบบ หรือเลขที่และวันที่)",
                    "name the letter: a document id, or a number and date",
                ));
            }
        };
        documents::add_reference(self.store(), &c.actor(), from.0, relation, &target).await?;
        Ok(())
    }

    /// A document's saved versions, oldest first (its own office only).
    pub async fn versions(&self, c: &Caller, id: DocumentId) -> AppResult<Vec<Version>> {
        self.own_document(c, id).await?;
        Ok(documents::versions(self.store(), id.0).await?)
    }

    /// What changed from version `a` to version `b`, field by field.
    pub async fn compare_versions(
        &self,
        c: &Caller,
        id: DocumentId,
        a: i64,
        b: i64,
    ) -> AppResult<Vec<Change>> {
        let all = self.versions(c, id).await?;
        let pick = |n: i64| {
            all.iter().find(|v| v.version == n).ok_or_else(|| {
                AppError::invalid(
                    "version",
                    format!("ไม่มีฉบับร่างที่ {n}"),
                    format!("no version {n}"),
                )
            })
        };
        Ok(diff(&pick(a)?.content, &pick(b)?.content))
    }

    /// Integrity alarms (administrators).
    pub async fn alarms(&self, c: &Caller) -> AppResult<Vec<Alarm>> {
        c.may(Action::ManageUsers)?;
        Ok(documents::alarms(self.store()).await?)
    }
}

/// The code in an official copy's keywords (`saraban-verify:CODE`), read
/// from the raw bytes: PDF metadata strings are stored uncompressed.
fn keyword_code(bytes: &[u8]) -> Option<String> {
    let key = crate::render::VERIFY_KEYWORD.as_bytes();
    let at = bytes.windows(key.len()).position(|w| w == key)? + key.len();
    let code: String = bytes[at..]
        .iter()
        .take(16)
        .map(|b| *b as char)
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (code.len() == 16).then_some(code)
}

/// Leaf values of a JSON document by path.
fn flatten(value: &Value, path: String, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(v, p, out);
            }
        }
        Value::Array(xs) => {
            for (i, v) in xs.iter().enumerate() {
                flatten(v, format!("{path}[{i}]"), out);
            }
        }
        leaf => {
            out.insert(path, leaf.clone());
        }
    }
}

/// Field-by-field differences between two documents' JSON.
pub fn diff(a: &Value, b: &Value) -> Vec<Change> {
    let (mut x, mut y) = (BTreeMap::new(), BTreeMap::new());
    flatten(a, String::new(), &mut x);
    flatten(b, String::new(), &mut y);
    let fields: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
    fields
        .into_iter()
        .filter(|f| x.get(*f) != y.get(*f))
        .map(|f| Change {
            field: f.clone(),
            before: x.get(f).cloned(),
            after: y.get(f).cloned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_differ_field_by_field() {
        let a = serde_json::json!({"main": {"subject": "ก", "body": ["x", "y"]}});
        let b = serde_json::json!({"main": {"subject": "ข", "body": ["x"]}});
        let d = diff(&a, &b);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].field, "main.body[1]");
        assert_eq!(d[0].after, None);
        assert_eq!(d[1].field, "main.subject");
    }

    #[test]
    fn the_code_is_read_from_the_keywords() {
        let pdf = b"%PDF-1.7 ... /Keywords (saraban-verify:ABCDEFGHJKLMNPQR) ...";
        assert_eq!(keyword_code(pdf).as_deref(), Some("ABCDEFGHJKLMNPQR"));
        assert_eq!(keyword_code(b"%PDF no code"), None);
    }
}
