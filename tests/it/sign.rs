//! Signatures checked from the outside: a rendered letter (plain and
//! PDF/A-2b, and rewritten by qpdf with object and cross-reference
//! streams) signed with a demo-CA certificate, then read by poppler's
//! `pdfsig` and `qpdf --check`, and by our own `verify_pdf`.

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use saraban::model::Document;
use saraban::render::RenderOptions;
use saraban::sign::{DemoCa, SignError, Signer, is_issued_by, verify_pdf};

use super::render::{example, renderer};
use super::support::skipped;

fn letter(pdfa: bool) -> Vec<u8> {
    let doc = Document::from_json(&example("letter")).unwrap();
    let opts = RenderOptions {
        pdfa,
        ..RenderOptions::default()
    };
    renderer().render_pdf(&doc, &opts).unwrap()
}

fn signer() -> (DemoCa, Signer) {
    let ca = DemoCa::new_at(
        "saraban demo CA",
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let (p12, password) = ca.issue("ที่ทำการปกครองจังหวัดพิษณุโลก", "พล 0017").unwrap();
    (ca, Signer::from_pkcs12(&p12, &password).unwrap())
}

fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("--version").output().is_ok();
    if !found {
        skipped(&format!(
            "{name} not installed; its checks of signed PDFs skipped"
        ));
    }
    found
}

fn run(cmd: &str, args: &[&str], file: &Path) -> (bool, String) {
    let out = Command::new(cmd).args(args).arg(file).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Signs `pdf`, checks it with pdfsig, qpdf and verify_pdf, and returns it.
fn sign_and_check(pdf: &[u8], name: &str) -> Vec<u8> {
    let (ca, signer) = signer();
    let when = Utc.with_ymd_and_hms(2026, 12, 4, 3, 30, 0).unwrap();
    let signed = signer
        .sign_pdf(pdf, when, "สำเนาฉบับจริง (official copy)", "พิษณุโลก")
        .unwrap();
    assert_eq!(&signed[..pdf.len()], pdf, "{name}: original bytes kept");

    let info = verify_pdf(&signed).unwrap();
    assert!(info.pades, "{name}");
    assert_eq!(info.signing_time, Some(when));
    assert_eq!(info.certificate_sha256, signer.fingerprint());
    assert!(is_issued_by(&info.certificates[0], ca.certificate_der()));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&file, &signed).unwrap();
    if tool("pdfsig") {
        let (_, out) = run("pdfsig", &[], &file);
        assert!(out.contains("Signature is Valid."), "{name}: {out}");
        assert!(out.contains("ETSI.CAdES.detached"), "{name}: {out}");
        assert!(out.contains("Total document signed"), "{name}: {out}");
        assert!(
            out.contains("Certificate issuer isn't Trusted."),
            "{name}: the demo CA is not trusted by default: {out}"
        );
        eprintln!("pdfsig {name}:\n{out}");
    }
    if tool("qpdf") {
        let (ok, out) = run("qpdf", &["--check"], &file);
        assert!(ok, "{name}: qpdf --check failed: {out}");
        assert!(
            out.contains("No syntax or stream encoding errors"),
            "{name}: {out}"
        );
        eprintln!("qpdf --check {name}:\n{out}");
    }
    signed
}

#[test]
fn sign_a_rendered_letter() {
    let pdf = letter(false);
    let signed = sign_and_check(&pdf, "letter");

    // One byte changed inside the signed range (in the original letter).
    let mut changed = signed.clone();
    let at = pdf.len() / 2;
    changed[at] ^= 0x01;
    assert_eq!(verify_pdf(&changed), Err(SignError::DigestMismatch));

    // The signature value inside /Contents changed.
    let contents = signed
        .windows(10)
        .rposition(|w| w == b"/Contents<")
        .unwrap()
        + 10;
    let end = contents + signed[contents..].iter().position(|&c| c == b'>').unwrap();
    let cms_end = contents
        + signed[contents..end]
            .iter()
            .rposition(|&c| c != b'0')
            .unwrap();
    let mut changed = signed.clone();
    // A hex digit of the signature value, which ends the CMS.
    let at = cms_end - 2;
    changed[at] = if changed[at] == b'1' { b'2' } else { b'1' };
    assert!(verify_pdf(&changed).is_err());
}

#[test]
fn sign_a_pdfa_letter() {
    let pdf = letter(true);
    let signed = sign_and_check(&pdf, "letter-pdfa");
    // The PDF/A claim (the XMP metadata stream) is left as it was: the
    // update holds no XML stream, and the catalog keeps its /OutputIntents.
    let tail = &signed[pdf.len()..];
    assert!(!tail.windows(4).any(|w| w == b"/XML"));
    assert!(tail.windows(14).any(|w| w == b"/OutputIntents"));
}

#[test]
fn sign_a_letter_with_object_and_xref_streams() {
    if !tool("qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.pdf");
    let packed = dir.path().join("packed.pdf");
    std::fs::write(&plain, letter(false)).unwrap();
    let out = Command::new("qpdf")
        .arg("--object-streams=generate")
        .arg(&plain)
        .arg(&packed)
        .output()
        .unwrap();
    assert!(out.status.success());
    let pdf = std::fs::read(&packed).unwrap();
    assert!(pdf.windows(8).any(|w| w == b"/ObjStm " || w == b"/ObjStm/"));
    let signed = sign_and_check(&pdf, "letter-objstm");
    // The update's cross-reference is a stream, like the original's.
    assert!(!signed[pdf.len()..].windows(5).any(|w| w == b"\nxref"));
}

#[test]
fn pkcs12_files_from_and_for_openssl() {
    if !tool("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // An RSA-2048 office key from openssl (OpenSSL 3 defaults: PBES2, AES-256).
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=RSA office/C=TH",
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
    ]);
    openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        "k.pem",
        "-in",
        "c.pem",
        "-out",
        "k.p12",
        "-passout",
        "pass:secret",
    ]);
    let p12 = std::fs::read(dir.path().join("k.p12")).unwrap();
    let signer = Signer::from_pkcs12(&p12, "secret").unwrap();
    let signed = signer
        .sign_pdf(&letter(false), Utc::now(), "official copy", "")
        .unwrap();
    let info = verify_pdf(&signed).unwrap();
    assert_eq!(info.signer_name.as_deref(), Some("RSA office"));
    let file = dir.path().join("rsa.pdf");
    std::fs::write(&file, &signed).unwrap();
    if tool("pdfsig") {
        let (_, out) = run("pdfsig", &[], &file);
        assert!(out.contains("Signature is Valid."), "{out}");
    }

    // The legacy format (3DES) is refused with a message that says what to do.
    openssl(&[
        "pkcs12",
        "-export",
        "-legacy",
        "-inkey",
        "k.pem",
        "-in",
        "c.pem",
        "-out",
        "old.p12",
        "-passout",
        "pass:secret",
    ]);
    let old = std::fs::read(dir.path().join("old.p12")).unwrap();
    match Signer::from_pkcs12(&old, "secret") {
        Err(SignError::Unsupported(msg)) => assert!(msg.contains("openssl pkcs12"), "{msg}"),
        Err(other) => panic!("{other}"),
        Ok(_) => {} // an openssl built without the legacy provider writes PBES2
    }

    // Our demo files open in openssl.
    let (_, _) = signer_pair_written_for_openssl(dir.path());
    openssl(&[
        "pkcs12",
        "-in",
        "demo.p12",
        "-passin",
        "pass:demo-pw",
        "-nokeys",
        "-out",
        "demo.pem",
    ]);
    let pem = std::fs::read_to_string(dir.path().join("demo.pem")).unwrap();
    assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 2, "{pem}");
}

fn signer_pair_written_for_openssl(dir: &Path) -> (DemoCa, Vec<u8>) {
    let ca = DemoCa::new_at("demo", Utc::now()).unwrap();
    let p12 = ca
        .issue_with_password("สำนักงานจังหวัด", "ชม 0017", "demo-pw")
        .unwrap();
    std::fs::write(dir.join("demo.p12"), &p12).unwrap();
    (ca, p12)
}
