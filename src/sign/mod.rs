//! PDF signatures for official copies: PAdES baseline B-B (B-T once a
//! timestamp authority is plugged in), made with an office's key and
//! certificate from a PKCS #12 file, and our own check of a signature.
//!
//! - [`Signer::from_pkcs12`] loads the office's key (RSA 2048+ or ECDSA
//!   P-256); its password comes from the environment or a file
//!   ([`password_from_env`]), never from the database.
//! - [`Signer::sign_pdf`] appends an incremental update (the original bytes
//!   are kept as they are): an invisible signature field on the first page
//!   and a signature dictionary (`/Adobe.PPKLite`, `/ETSI.CAdES.detached`)
//!   whose `/Contents` holds a detached CMS SignedData over the rest of the
//!   file (SHA-256; signed attributes content-type, message-digest and
//!   ESS signing-certificate-v2; the signer's certificate and chain).
//! - [`verify_pdf`] checks the newest signature without poppler: it covers
//!   the whole file but its own `/Contents`, the digest matches, the CMS
//!   signature verifies with the embedded certificate. Whether that
//!   certificate is *trusted* is a separate question ([`is_issued_by`]).
//! - [`demo_ca`] makes the demo's CA and one certificate per office, for
//!   trying only.
//!
//! Choices and their reasons: `docs/signing.md`.

mod cades;
mod demo;
pub mod pdf;
mod pkcs12;
mod x509;

use chrono::{DateTime, NaiveDateTime, Utc};
use der::Encode;
use x509_cert::Certificate;

pub use demo::{DEMO_ORGANISATION, DemoCa, demo_ca};
use pdf::{Dict, Doc, Obj, Update};
use x509::Key;

/// Why signing or checking failed; Thai and English messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    Pdf(String),
    Encrypted,
    Pkcs12(String),
    WrongPassword,
    Password(String),
    Key(String),
    KeyMismatch,
    Certificate(String),
    NoCertificate,
    Expired,
    Cms(String),
    Unsupported(String),
    Timestamp(String),
    TooLarge,
    NotSigned,
    ChangedAfterSigning,
    DigestMismatch,
    BadSignature,
}

impl SignError {
    /// The message in Thai.
    pub fn thai(&self) -> &'static str {
        self.messages().0
    }

    /// The message in English, with the detail when there is one.
    pub fn english(&self) -> String {
        match self.detail() {
            Some(d) => format!("{}: {d}", self.messages().1),
            None => self.messages().1.to_string(),
        }
    }

    /// A short code for the web and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            SignError::NotSigned => "not_signed",
            SignError::ChangedAfterSigning => "changed_after_signing",
            SignError::DigestMismatch | SignError::BadSignature => "signature_invalid",
            SignError::WrongPassword => "wrong_password",
            _ => "signing_failed",
        }
    }

    fn detail(&self) -> Option<&str> {
        match self {
            SignError::Pdf(d)
            | SignError::Pkcs12(d)
            | SignError::Password(d)
            | SignError::Key(d)
            | SignError::Certificate(d)
            | SignError::Cms(d)
            | SignError::Unsupported(d)
            | SignError::Timestamp(d) => Some(d),
            _ => None,
        }
    }

    fn messages(&self) -> (&'static str, &'static str) {
        match self {
            SignError::Pdf(_) => ("อ่านไฟล์ PDF ไม่ได้", "cannot read the PDF"),
            SignError::Encrypted => (
                "ไฟล์ PDF ที่เข้ารหัสไว้ลงนามไม่ได้",
                "an encrypted PDF cannot be signed",
            ),
            SignError::Pkcs12(_) => (
                "อ่านไฟล์กุญแจ (PKCS #12) ไม่ได้",
                "cannot read the key file (PKCS #12)",
            ),
            SignError::WrongPassword => {
                ("รหัสผ่านของไฟล์กุญแจไม่ถูกต้อง", "wrong password for the key file")
            }
            SignError::Password(_) => (
                "อ่านรหัสผ่านของไฟล์กุญแจไม่ได้",
                "cannot read the key file's password",
            ),
            SignError::Key(_) => ("ใช้กุญแจส่วนตัวไม่ได้", "unusable private key"),
            SignError::KeyMismatch => (
                "กุญแจส่วนตัวไม่ตรงกับใบรับรอง",
                "the private key does not match the certificate",
            ),
            SignError::Certificate(_) => ("ใบรับรองไม่ถูกต้อง", "bad certificate"),
            SignError::NoCertificate => (
                "ไม่พบใบรับรองของผู้ลงนาม",
                "the signer's certificate is missing",
            ),
            SignError::Expired => (
                "ใบรับรองของผู้ลงนามหมดอายุหรือยังไม่เริ่มใช้ในวันที่ลงนาม",
                "the signer's certificate is not valid at the signing time",
            ),
            SignError::Cms(_) => ("ลายมือชื่อดิจิทัลมีรูปแบบไม่ถูกต้อง", "malformed digital signature"),
            SignError::Unsupported(_) => ("ยังไม่รองรับ", "not supported"),
            SignError::Timestamp(_) => ("ขอตราประทับเวลาไม่สำเร็จ", "the timestamp authority failed"),
            SignError::TooLarge => (
                "ลายมือชื่อดิจิทัลใหญ่เกินที่จองไว้",
                "the signature is larger than the space reserved for it",
            ),
            SignError::NotSigned => (
                "เอกสารนี้ไม่มีลายมือชื่อดิจิทัล",
                "the document has no digital signature",
            ),
            SignError::ChangedAfterSigning => (
                "ลายมือชื่อไม่ถูกต้อง: เอกสารถูกแก้ไขหลังลงนาม",
                "signature invalid: the document was changed after it was signed",
            ),
            SignError::DigestMismatch => (
                "ลายมือชื่อไม่ถูกต้อง: เนื้อหาไม่ตรงกับที่ลงนามไว้",
                "signature invalid: the content differs from what was signed",
            ),
            SignError::BadSignature => (
                "ลายมือชื่อไม่ถูกต้อง: ตรวจด้วยใบรับรองไม่ผ่าน",
                "signature invalid: it does not verify with the signer's certificate",
            ),
        }
    }
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.thai(), self.english())
    }
}

impl std::error::Error for SignError {}

/// An RFC 3161 timestamp authority, for PAdES B-T. Not implemented here
/// (no network to test one against); a client implements this and is
/// given to [`Signer::with_timestamps`].
pub trait TimestampAuthority: Send + Sync {
    /// A TimeStampToken (DER ContentInfo) over `sha256`, the SHA-256 of
    /// the signature value.
    fn time_stamp_token(&self, sha256: &[u8]) -> Result<Vec<u8>, SignError>;
    /// Bytes to reserve for the token in the signature.
    fn reserve(&self) -> usize {
        8192
    }
}

/// An office's signing key and certificate chain.
pub struct Signer {
    key: Key,
    /// The signer's certificate first, then its issuers (DER kept).
    chain: Vec<(Certificate, Vec<u8>)>,
    tsa: Option<Box<dyn TimestampAuthority>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject())
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

/// The password of an office's key file: the environment variable `var`,
/// or else the first line of the file named by `{var}_FILE`. Never stored
/// in the database.
pub fn password_from_env(var: &str) -> Result<String, SignError> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    let file_var = format!("{var}_FILE");
    let path = std::env::var_os(&file_var)
        .ok_or_else(|| SignError::Password(format!("set {var} or {file_var}")))?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| SignError::Password(format!("{}: {e}", path.to_string_lossy())))?;
    Ok(text.lines().next().unwrap_or("").to_string())
}

impl Signer {
    /// Loads a PKCS #12 file: the key, the certificate that matches it,
    /// and the issuers found in the file.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Signer, SignError> {
        let contents = pkcs12::read(der, password)?;
        let key = Key::from_pkcs8(&contents.key)?;
        let mut certs = Vec::new();
        for c in contents.certs {
            certs.push((x509::parse(&c)?, c));
        }
        let own = certs
            .iter()
            .position(|(c, _)| {
                c.tbs_certificate
                    .subject_public_key_info
                    .subject_public_key
                    .raw_bytes()
                    == key.public_key()
            })
            .ok_or(SignError::KeyMismatch)?;
        let mut chain = vec![certs.remove(own)];
        // Issuers in order, as far as the file has them.
        while let Some(pos) = certs.iter().position(|(c, _)| {
            let last = &chain.last().expect("not empty").0;
            c.tbs_certificate.subject == last.tbs_certificate.issuer
                && last.tbs_certificate.subject != last.tbs_certificate.issuer
        }) {
            chain.push(certs.remove(pos));
        }
        Ok(Signer {
            key,
            chain,
            tsa: None,
        })
    }

    /// Adds an RFC 3161 timestamp to every signature (PAdES B-T).
    pub fn with_timestamps(mut self, tsa: Box<dyn TimestampAuthority>) -> Signer {
        self.tsa = Some(tsa);
        self
    }

    /// The signer's certificate (DER).
    pub fn certificate_der(&self) -> &[u8] {
        &self.chain[0].1
    }

    /// The signer's subject as RFC 4514 text.
    pub fn subject(&self) -> String {
        x509::name_text(&self.chain[0].0.tbs_certificate.subject)
    }

    /// SHA-256 of the signer's certificate, hex.
    pub fn fingerprint(&self) -> String {
        x509::fingerprint(&self.chain[0].1)
    }

    /// Signs `pdf` as of `when`, with a reason and a location (any text;
    /// Thai is written as UTF-16). Returns the signed file: the original
    /// bytes followed by the signature's incremental update.
    pub fn sign_pdf(
        &self,
        pdf: &[u8],
        when: DateTime<Utc>,
        reason: &str,
        location: &str,
    ) -> Result<Vec<u8>, SignError> {
        let validity = &self.chain[0].0.tbs_certificate.validity;
        let t = when.timestamp();
        let not_before = validity.not_before.to_unix_duration().as_secs() as i64;
        let not_after = validity.not_after.to_unix_duration().as_secs() as i64;
        if t < not_before || t > not_after {
            return Err(SignError::Expired);
        }

        let doc = Doc::parse(pdf)?;
        let (root_num, mut root) = doc.root()?;
        let (page_num, mut page) = doc.first_page()?;
        let mut next = doc.size();
        let sig_num = next;
        let field_num = next + 1;
        let ap_num = next + 2;
        next += 3;
        debug_assert!(next > ap_num);
        let mut objects: Vec<(u32, Vec<u8>)> = Vec::new();

        // The widget on the first page, the field in the AcroForm.
        append_ref(&doc, &mut page, "Annots", field_num, &mut objects)?;
        match root.get("AcroForm").cloned() {
            Some(Obj::Ref(n, _)) => {
                let mut form = doc.dict(n)?;
                append_ref(&doc, &mut form, "Fields", field_num, &mut objects)?;
                form.set("SigFlags", Obj::int(3));
                objects.push((n, dict_bytes(&form)));
            }
            Some(Obj::Dict(mut form)) => {
                append_ref(&doc, &mut form, "Fields", field_num, &mut objects)?;
                form.set("SigFlags", Obj::int(3));
                root.set("AcroForm", Obj::Dict(form));
            }
            _ => {
                let mut form = Dict::default();
                form.set("Fields", Obj::Array(vec![Obj::Ref(field_num, 0)]));
                form.set("SigFlags", Obj::int(3));
                root.set("AcroForm", Obj::Dict(form));
            }
        }
        objects.push((page_num, dict_bytes(&page)));
        objects.push((root_num, dict_bytes(&root)));

        let mut field = Dict::default();
        field.set("Type", Obj::name("Annot"));
        field.set("Subtype", Obj::name("Widget"));
        field.set("FT", Obj::name("Sig"));
        field.set("T", pdf::text_string(&format!("Signature{sig_num}")));
        field.set("V", Obj::Ref(sig_num, 0));
        // Print + Locked: PDF/A wants printable annotations.
        field.set("F", Obj::int(132));
        field.set(
            "Rect",
            Obj::Array(vec![Obj::int(0), Obj::int(0), Obj::int(0), Obj::int(0)]),
        );
        field.set("P", Obj::Ref(page_num, 0));
        let mut ap = Dict::default();
        ap.set("N", Obj::Ref(ap_num, 0));
        field.set("AP", Obj::Dict(ap));
        objects.push((field_num, dict_bytes(&field)));
        objects.push((
            ap_num,
            b"<</Type/XObject/Subtype/Form/BBox[0 0 0 0]/Length 0>>\nstream\n\nendstream".to_vec(),
        ));

        // The signature dictionary, /Contents last, placeholders sized.
        let certs: usize = self.chain.iter().map(|(_, d)| d.len()).sum();
        let tsa = self.tsa.as_ref().map_or(0, |t| t.reserve());
        let reserve = (certs + tsa + 2048).div_ceil(1024) * 1024;
        let mut sig = Dict::default();
        sig.set("Type", Obj::name("Sig"));
        sig.set("Filter", Obj::name("Adobe.PPKLite"));
        sig.set("SubFilter", Obj::name("ETSI.CAdES.detached"));
        sig.set("M", pdf::text_string(&pdf_date(when)));
        if !reason.is_empty() {
            sig.set("Reason", pdf::text_string(reason));
        }
        if !location.is_empty() {
            sig.set("Location", pdf::text_string(location));
        }
        let mut body = dict_bytes(&sig);
        body.truncate(body.len() - 2);
        body.extend_from_slice(BYTE_RANGE_PLACEHOLDER);
        body.extend_from_slice(b"/Contents<");
        body.resize(body.len() + 2 * reserve, b'0');
        body.extend_from_slice(b">>>");
        objects.push((sig_num, body));

        let mut out = pdf::append(pdf, &doc, &Update { objects });

        // Fill in /ByteRange: everything but the /Contents string.
        let br_at = find(&out, BYTE_RANGE_PLACEHOLDER, pdf.len())
            .ok_or_else(|| SignError::Pdf("lost the signature placeholder".into()))?;
        let contents_at = find(&out, b"/Contents<", br_at)
            .ok_or_else(|| SignError::Pdf("lost the signature placeholder".into()))?
            + b"/Contents".len();
        let gap_end = contents_at + 2 * reserve + 2;
        let ranges = format!(
            "/ByteRange[0 {} {} {}]",
            contents_at,
            gap_end,
            out.len() - gap_end
        );
        if ranges.len() > BYTE_RANGE_PLACEHOLDER.len() {
            return Err(SignError::TooLarge);
        }
        let mut filled = ranges.into_bytes();
        filled.pop();
        filled.resize(BYTE_RANGE_PLACEHOLDER.len() - 1, b' ');
        filled.push(b']');
        out[br_at..br_at + filled.len()].copy_from_slice(&filled);

        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(&out[..contents_at]);
        ctx.update(&out[gap_end..]);
        let digest = ctx.finish();

        let stamp = self.tsa.as_ref().map(|tsa| {
            move |signature: &[u8]| {
                let h = ring::digest::digest(&ring::digest::SHA256, signature);
                tsa.time_stamp_token(h.as_ref())
            }
        });
        let stamp_ref: Option<&cades::Stamp<'_>> = stamp.as_ref().map(|f| f as _);
        let cms = cades::signed_data(digest.as_ref(), &self.chain, &self.key, stamp_ref)?;
        if cms.len() > reserve {
            return Err(SignError::TooLarge);
        }
        let hex = hex::encode_upper(&cms);
        out[contents_at + 1..contents_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(out)
    }
}

/// Fixed width, so the numbers can be written in later.
const BYTE_RANGE_PLACEHOLDER: &[u8] = b"/ByteRange[0 0000000000 0000000000 0000000000]";

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn dict_bytes(d: &Dict) -> Vec<u8> {
    let mut out = Vec::new();
    d.write(&mut out);
    out
}

/// Adds a reference to object `num` to the array under `key` (inline or
/// indirect; created when missing).
fn append_ref(
    doc: &Doc<'_>,
    dict: &mut Dict,
    key: &str,
    num: u32,
    objects: &mut Vec<(u32, Vec<u8>)>,
) -> Result<(), SignError> {
    match dict.get(key).cloned() {
        None => dict.set(key, Obj::Array(vec![Obj::Ref(num, 0)])),
        Some(Obj::Array(mut items)) => {
            items.push(Obj::Ref(num, 0));
            dict.set(key, Obj::Array(items));
        }
        Some(Obj::Ref(n, _)) => match doc.get(n)? {
            Obj::Array(mut items) => {
                items.push(Obj::Ref(num, 0));
                let mut body = Vec::new();
                Obj::Array(items).write(&mut body);
                objects.push((n, body));
            }
            _ => return Err(SignError::Pdf(format!("/{key} is not an array"))),
        },
        Some(_) => return Err(SignError::Pdf(format!("/{key} is not an array"))),
    }
    Ok(())
}

/// `D:YYYYMMDDHHmmSS+00'00'`.
fn pdf_date(t: DateTime<Utc>) -> String {
    t.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// Reads a PDF date (UTC offsets honoured; missing parts default).
fn parse_pdf_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let rest = &s[digits.len()..];
    let mut full = digits.clone();
    let pad = "0101000000";
    if full.len() < 4 {
        return None;
    }
    if full.len() < 14 {
        full.push_str(&pad[full.len() - 4..]);
    }
    let naive = NaiveDateTime::parse_from_str(&full[..14], "%Y%m%d%H%M%S").ok()?;
    let mut t = naive.and_utc();
    let mut chars = rest.chars();
    if let Some(sign @ ('+' | '-')) = chars.next() {
        let off: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
        let h: i64 = off.get(..2).and_then(|x| x.parse().ok()).unwrap_or(0);
        let m: i64 = off.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
        let secs = (h * 60 + m) * 60;
        t -= chrono::Duration::seconds(if sign == '+' { secs } else { -secs });
    }
    Some(t)
}

/// What [`verify_pdf`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInfo {
    /// The signer's subject (RFC 4514).
    pub signer: String,
    /// Its common name, when it has one.
    pub signer_name: Option<String>,
    pub issuer: String,
    /// SHA-256 of the signer's certificate, hex.
    pub certificate_sha256: String,
    /// The signer's certificate and the others in the signature (DER).
    pub certificates: Vec<Vec<u8>>,
    /// The claimed signing time (/M), UTC.
    pub signing_time: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub location: Option<String>,
    /// `/ETSI.CAdES.detached` with the ESS signing-certificate-v2
    /// attribute: PAdES baseline.
    pub pades: bool,
    /// Carries a signature timestamp (B-T).
    pub timestamped: bool,
    /// How many signatures the file has (this is the newest).
    pub signatures: usize,
}

/// Whether certificate `cert_der` was signed by `issuer_der`'s key (for
/// "issued by this office's CA" or the demo CA). Not a full path check:
/// no validity, revocation or policy.
pub fn is_issued_by(cert_der: &[u8], issuer_der: &[u8]) -> bool {
    match (x509::parse(cert_der), x509::parse(issuer_der)) {
        (Ok(c), Ok(i)) => {
            c.tbs_certificate.issuer == i.tbs_certificate.subject
                && x509::verify_issued_by(&c, &i).is_ok()
        }
        _ => false,
    }
}

/// The signature dictionaries of the AcroForm's signature fields.
fn signature_dicts(doc: &Doc<'_>) -> Result<Vec<Dict>, SignError> {
    let (_, root) = doc.root()?;
    let Some(form) = root.get("AcroForm") else {
        return Ok(Vec::new());
    };
    let Obj::Dict(form) = doc.resolve(form)? else {
        return Ok(Vec::new());
    };
    let Some(fields) = form.get("Fields") else {
        return Ok(Vec::new());
    };
    let Obj::Array(fields) = doc.resolve(fields)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    // Fields and their kids, breadth first, bounded.
    let mut queue: Vec<Obj> = fields;
    let mut seen = 0;
    while let Some(f) = queue.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        let Ok(Obj::Dict(field)) = doc.resolve(&f) else {
            continue;
        };
        if let Some(kids) = field.get("Kids")
            && let Ok(Obj::Array(k)) = doc.resolve(kids)
        {
            queue.extend(k);
        }
        if field.name("FT") != Some(b"Sig") {
            continue;
        }
        if let Some(v) = field.get("V")
            && let Ok(Obj::Dict(sig)) = doc.resolve(v)
        {
            out.push(sig);
        }
    }
    Ok(out)
}

/// Checks the newest signature of `pdf` (see the module's notes) and says
/// who signed, when, and with which certificate.
pub fn verify_pdf(pdf: &[u8]) -> Result<SignatureInfo, SignError> {
    let doc = Doc::parse(pdf)?;
    let sigs = signature_dicts(&doc)?;
    let count = sigs.len();
    let ranges = |d: &Dict| -> Option<Vec<usize>> {
        match d.get("ByteRange") {
            Some(Obj::Array(a)) if a.len() == 4 => a
                .iter()
                .map(|o| o.as_int().and_then(|n| usize::try_from(n).ok()))
                .collect(),
            _ => None,
        }
    };
    let newest = sigs
        .iter()
        .filter_map(|d| ranges(d).map(|r| (r[2].saturating_add(r[3]), d)))
        .max_by_key(|(end, _)| *end)
        .map(|(_, d)| d)
        .ok_or(SignError::NotSigned)?;
    let r = ranges(newest).expect("filtered above");
    let (a, b, c, d) = (r[0], r[1], r[2], r[3]);
    if a != 0 || b >= c || c.checked_add(d) != Some(pdf.len()) {
        return Err(SignError::ChangedAfterSigning);
    }
    // The gap is exactly this dictionary's /Contents hex string.
    let Some(Obj::Str {
        bytes: cms_der, at, ..
    }) = newest.get("Contents")
    else {
        return Err(SignError::Cms("no /Contents".into()));
    };
    if *at != b || pdf[b] != b'<' || pdf[c - 1] != b'>' {
        return Err(SignError::ChangedAfterSigning);
    }
    if !pdf[b + 1..c - 1].iter().all(u8::is_ascii_hexdigit) {
        return Err(SignError::ChangedAfterSigning);
    }
    let checked = cades::check(cms_der, &[&pdf[..b], &pdf[c..]])?;

    let text = |key: &str| match newest.get(key) {
        Some(Obj::Str { bytes, .. }) => Some(pdf::decode_text(bytes)),
        _ => None,
    };
    let mut certificates = vec![checked.signer_der.clone()];
    if let Ok(all) = all_certificates(cms_der) {
        for cert in all {
            if !certificates.contains(&cert) {
                certificates.push(cert);
            }
        }
    }
    let tbs = &checked.signer.tbs_certificate;
    Ok(SignatureInfo {
        signer: x509::name_text(&tbs.subject),
        signer_name: x509::common_name(&tbs.subject),
        issuer: x509::name_text(&tbs.issuer),
        certificate_sha256: x509::fingerprint(&checked.signer_der),
        certificates,
        signing_time: text("M").and_then(|m| parse_pdf_date(&m)),
        reason: text("Reason"),
        location: text("Location"),
        pades: newest.name("SubFilter") == Some(b"ETSI.CAdES.detached") && checked.ess_v2,
        timestamped: checked.timestamped,
        signatures: count,
    })
}

fn all_certificates(cms_der: &[u8]) -> Result<Vec<Vec<u8>>, SignError> {
    use der::Decode;
    let len = cades::der_len(cms_der).ok_or_else(|| SignError::Cms("empty".into()))?;
    let ci = ::cms::content_info::ContentInfo::from_der(&cms_der[..len.min(cms_der.len())])
        .map_err(|e| SignError::Cms(e.to_string()))?;
    let sd: ::cms::signed_data::SignedData = ci
        .content
        .decode_as()
        .map_err(|e| SignError::Cms(e.to_string()))?;
    let mut out = Vec::new();
    for c in sd.certificates.iter().flat_map(|s| s.0.iter()) {
        if let ::cms::cert::CertificateChoices::Certificate(c) = c {
            out.push(c.to_der().map_err(|e| SignError::Cms(e.to_string()))?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
