//! Signing official copies with the issuing office's certificate (PAdES
//! B-B, `crate::sign`), installing an office's key, the demo CA made at
//! first start, and checking the signature on a copy someone holds.
//!
//! The key is a PKCS #12 file kept in the database, encrypted; its password
//! is never stored there: it comes from `SARABAN_SIGNING_PASSWORD`, the
//! file named by `SARABAN_SIGNING_PASSWORD_FILE`, or the file the demo
//! writes beside a SQLite database (`<db>.signing-password`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::admin::Operator;
use super::error::{AppError, AppResult, Kind};
use super::{App, Office};
use crate::sign::{SignError, Signer, verify_pdf};
use crate::store::offices::{self, OfficeKey};

/// The environment variable naming the password (or, with `_FILE`, the
/// file that holds it).
pub const PASSWORD_VAR: &str = "SARABAN_SIGNING_PASSWORD";

/// Loaded signers by (office id, certificate SHA-256).
type Loaded = HashMap<(i64, String), Arc<Signer>>;

/// Signers loaded from their PKCS #12 files, by office and certificate,
/// and a password given in code (an embedding program, the tests).
#[derive(Default, Clone)]
pub struct Signers {
    loaded: Arc<Mutex<Loaded>>,
    password: Arc<Mutex<Option<String>>>,
}

impl From<SignError> for AppError {
    fn from(e: SignError) -> AppError {
        AppError::new(Kind::Invalid, e.code(), e.thai(), e.english())
    }
}

/// Who signed a copy, as the public page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignerInfo {
    pub subject: String,
    pub name: Option<String>,
    pub issuer: String,
    pub certificate_sha256: String,
}

impl App {
    /// The password of the offices' key files: the environment, its file,
    /// or the demo's file beside a SQLite database.
    pub fn signing_password(&self) -> Option<String> {
        if let Some(p) = self.signers.password.lock().expect("signers").clone() {
            return Some(p);
        }
        if let Ok(p) = crate::sign::password_from_env(PASSWORD_VAR) {
            return Some(p);
        }
        let file = self.demo_password_file()?;
        let text = std::fs::read_to_string(file).ok()?;
        Some(text.lines().next().unwrap_or("").to_string())
    }

    /// The demo CA's certificate, when first start made one: trust it in
    /// a PDF reader to see the demo signatures as trusted.
    pub fn demo_ca_pem(&self) -> Option<PathBuf> {
        let db = self.store().file()?;
        let pem = PathBuf::from(format!("{}.demo-ca.pem", db.display()));
        pem.exists().then_some(pem)
    }

    /// Sets the key files' password in code, before the environment.
    pub fn set_signing_password(&self, password: &str) {
        *self.signers.password.lock().expect("signers") = Some(password.to_string());
    }

    /// Where the demo keeps its key password: beside a SQLite database.
    fn demo_password_file(&self) -> Option<PathBuf> {
        let db = self.store().file()?;
        Some(PathBuf::from(format!("{}.signing-password", db.display())))
    }

    /// The signer of `office`, when it has a key and the password is known.
    pub(crate) async fn signer_for(&self, office_id: i64) -> AppResult<Option<Arc<Signer>>> {
        let Some(key) = offices::key(self.store(), office_id).await? else {
            return Ok(None);
        };
        let cache_key = (office_id, key.certificate_sha256.clone());
        if let Some(s) = self.signers.loaded.lock().expect("signers").get(&cache_key) {
            return Ok(Some(s.clone()));
        }
        let Some(password) = self.signing_password() else {
            tracing::warn!(
                office_id,
                "a signing key is installed but no password is set"
            );
            return Ok(None);
        };
        let signer = Arc::new(Signer::from_pkcs12(&key.pkcs12, &password)?);
        self.signers
            .loaded
            .lock()
            .expect("signers")
            .insert(cache_key, signer.clone());
        Ok(Some(signer))
    }

    /// Installs an office's key (PKCS #12) after checking that it opens
    /// with the configured password; the operator or an administrator.
    pub async fn install_key(
        &self,
        op: &Operator,
        office: &str,
        pkcs12: &[u8],
    ) -> AppResult<String> {
        let office = self.find_office(office).await?;
        self.install_key_for(&op.actor(), &office, pkcs12).await
    }

    /// The same, by an administrator in the web UI.
    pub async fn install_key_as(
        &self,
        c: &super::Caller,
        office_id: i64,
        pkcs12: &[u8],
    ) -> AppResult<String> {
        c.may(super::Action::ManageOffices)?;
        let office = offices::get(self.store(), office_id).await?;
        self.install_key_for(&c.actor(), &office, pkcs12).await
    }

    /// The subject of an office's signing certificate, if it has one.
    pub async fn office_certificate(
        &self,
        c: &super::Caller,
        office_id: i64,
    ) -> AppResult<Option<String>> {
        c.may(super::Action::Read)?;
        Ok(offices::key(self.store(), office_id)
            .await?
            .map(|k| k.subject))
    }

    async fn install_key_for(
        &self,
        actor: &super::Actor,
        office: &Office,
        pkcs12: &[u8],
    ) -> AppResult<String> {
        let password = self.signing_password().ok_or_else(|| {
            AppError::invalid(
                "password",
                format!("ยังไม่ได้ตั้งรหัสผ่านของไฟล์กุญแจ ({PASSWORD_VAR} หรือ {PASSWORD_VAR}_FILE)"),
                format!("set {PASSWORD_VAR} or {PASSWORD_VAR}_FILE to the key file's password"),
            )
        })?;
        let signer = Signer::from_pkcs12(pkcs12, &password)?;
        let key = OfficeKey {
            pkcs12: pkcs12.to_vec(),
            subject: signer.subject(),
            certificate_sha256: signer.fingerprint(),
        };
        offices::set_key(self.store(), actor, office.id, &key).await?;
        Ok(key.subject)
    }

    /// The demo's keys: a demo CA (its certificate written beside the
    /// database, to trust it when trying) and one certificate per office
    /// that numbers letters, under a random password kept in a file.
    /// Only on a SQLite database with no password configured.
    pub(crate) async fn demo_keys(&self, actor: &super::Actor) -> AppResult<Option<PathBuf>> {
        if crate::sign::password_from_env(PASSWORD_VAR).is_ok() {
            return Ok(None);
        }
        let Some(file) = self.demo_password_file() else {
            return Ok(None);
        };
        let password = match std::fs::read_to_string(&file) {
            Ok(p) => p.lines().next().unwrap_or("").to_string(),
            Err(_) => {
                let p = crate::store::accounts::new_secret();
                write_private(&file, &p)?;
                p
            }
        };
        let ca = crate::sign::demo_ca("saraban demo CA")?;
        let db = self
            .store()
            .file()
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        let pem = PathBuf::from(format!("{db}.demo-ca.pem"));
        std::fs::write(&pem, ca.certificate_pem())
            .map_err(|e| AppError::internal("เขียนไฟล์ใบรับรองไม่ได้", e.to_string()))?;
        for office in offices::list(self.store(), None).await? {
            let Some(code) = office.code() else { continue };
            let p12 = ca.issue_with_password(&office.fields.name, &code, &password)?;
            self.install_key_for(actor, &office, &p12).await?;
        }
        Ok(Some(pem))
    }

    /// Signs an official copy for `office` (unchanged when it has no key).
    pub(crate) fn sign_copy(
        signer: Option<&Signer>,
        pdf: Vec<u8>,
        when: DateTime<Utc>,
        office: &str,
    ) -> Result<Vec<u8>, String> {
        match signer {
            Some(s) => s
                .sign_pdf(&pdf, when, "หนังสือราชการฉบับจริง (official copy)", office)
                .map_err(|e| e.to_string()),
            None => Ok(pdf),
        }
    }
}

fn write_private(path: &std::path::Path, text: &str) -> AppResult<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| AppError::internal("เขียนไฟล์รหัสผ่านไม่ได้", e.to_string()))?;
    writeln!(f, "{text}").map_err(|e| AppError::internal("เขียนไฟล์รหัสผ่านไม่ได้", e.to_string()))
}

/// Checks the signature of a PDF that carries one; a PDF without one
/// passes (issued before the office had a key).
pub fn check(pdf: &[u8]) -> Result<(), String> {
    let signed = pdf.windows(b"/ByteRange".len()).any(|w| w == b"/ByteRange");
    if !signed {
        return Ok(());
    }
    verify_pdf(pdf).map(|_| ()).map_err(|e| e.english())
}

/// Who signed a PDF, if it carries a valid signature.
pub fn signer_of(pdf: &[u8]) -> Option<SignerInfo> {
    verify_pdf(pdf).ok().map(|i| SignerInfo {
        subject: i.signer,
        name: i.signer_name,
        issuer: common_name(&i.issuer).unwrap_or(i.issuer),
        certificate_sha256: i.certificate_sha256,
    })
}

/// The CN of an RFC 4514 name (`CN=a\, b,O=c` → `a, b`).
fn common_name(dn: &str) -> Option<String> {
    let at = dn.find("CN=")? + 3;
    let mut out = String::new();
    let mut chars = dn[at..].chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.extend(chars.next()),
            ',' => break,
            other => out.push(other),
        }
    }
    Some(out)
}
