use chrono::TimeZone;

use super::*;

/// A one-page PDF written by hand, with a classic cross-reference table or
/// a cross-reference stream.
pub(crate) fn tiny_pdf(xref_stream: bool) -> Vec<u8> {
    let objects = [
        "<</Type/Catalog/Pages 2 0 R>>",
        "<</Type/Pages/Kids[3 0 R]/Count 1>>",
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>",
        "<</Length 21>>\nstream\nBT /F1 12 Tf (x) Tj ET\nendstream",
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref_at = out.len();
    if xref_stream {
        let mut rows = vec![0u8, 0, 0, 0, 0xff, 0xff];
        for off in &offsets {
            rows.push(1);
            rows.extend_from_slice(&(*off as u32).to_be_bytes());
            rows.push(0);
        }
        rows.extend_from_slice(&[1]);
        rows.extend_from_slice(&(xref_at as u32).to_be_bytes());
        rows.push(0);
        out.extend_from_slice(
            format!(
                "5 0 obj\n<</Type/XRef/Size 6/W[1 4 1]/Root 1 0 R/Length {}>>\nstream\n",
                rows.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&rows);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    } else {
        out.extend_from_slice(b"xref\n0 5\n0000000000 65535 f\r\n");
        for off in &offsets {
            out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
        }
        out.extend_from_slice(b"trailer\n<</Size 5/Root 1 0 R>>\n");
    }
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

fn demo_signer() -> (DemoCa, Signer) {
    let when = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let ca = DemoCa::new_at("สำนักงานทดลอง", when).unwrap();
    let (p12, password) = ca.issue("ที่ทำการปกครองจังหวัดพิษณุโลก", "พล 0017").unwrap();
    let signer = Signer::from_pkcs12(&p12, &password).unwrap();
    (ca, signer)
}

fn when() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 3, 30, 0).unwrap()
}

#[test]
fn signs_and_verifies_both_xref_kinds() {
    let (ca, signer) = demo_signer();
    for stream in [false, true] {
        let pdf = tiny_pdf(stream);
        let signed = signer
            .sign_pdf(&pdf, when(), "ฉบับจริง (official copy)", "พิษณุโลก")
            .unwrap();
        assert_eq!(
            &signed[..pdf.len()],
            &pdf[..],
            "the original bytes are kept"
        );
        let tail = String::from_utf8_lossy(&signed[pdf.len()..]).into_owned();
        assert_eq!(tail.contains("\nxref\n"), !stream, "{tail}");
        assert_eq!(tail.contains("/Type /XRef"), stream);
        let info = verify_pdf(&signed).unwrap();
        assert_eq!(info.signing_time, Some(when()));
        assert_eq!(info.reason.as_deref(), Some("ฉบับจริง (official copy)"));
        assert_eq!(info.location.as_deref(), Some("พิษณุโลก"));
        assert_eq!(
            info.signer_name.as_deref(),
            Some("ที่ทำการปกครองจังหวัดพิษณุโลก (demo)")
        );
        assert_eq!(info.certificate_sha256, signer.fingerprint());
        assert!(info.pades);
        assert!(!info.timestamped);
        assert_eq!(info.signatures, 1);
        assert!(is_issued_by(&info.certificates[0], ca.certificate_der()));
        assert!(!is_issued_by(ca.certificate_der(), &info.certificates[0]));
    }
}

#[test]
fn a_second_signature_keeps_the_first_and_is_the_one_checked() {
    let (_, signer) = demo_signer();
    let once = signer.sign_pdf(&tiny_pdf(false), when(), "", "").unwrap();
    let later = when() + chrono::Duration::hours(1);
    let twice = signer.sign_pdf(&once, later, "second", "").unwrap();
    let info = verify_pdf(&twice).unwrap();
    assert_eq!(info.signatures, 2);
    assert_eq!(info.signing_time, Some(later));
    assert_eq!(info.reason.as_deref(), Some("second"));
}

#[test]
fn catches_changes() {
    let (_, signer) = demo_signer();
    let pdf = tiny_pdf(false);
    let signed = signer.sign_pdf(&pdf, when(), "r", "l").unwrap();

    // A byte of the page content.
    let at = find(&signed, b"(x) Tj", 0).unwrap() + 1;
    let mut changed = signed.clone();
    changed[at] = b'y';
    assert_eq!(verify_pdf(&changed), Err(SignError::DigestMismatch));

    // A digit of the signature value (the last thing in the CMS).
    let contents = find(&signed, b"/Contents<", pdf.len()).unwrap() + 10;
    let first = hex::decode(&signed[contents..contents + 8]).unwrap();
    let cms_len = cades::der_len(&first).unwrap();
    let at = contents + 2 * cms_len - 3;
    let mut changed = signed.clone();
    changed[at] = if changed[at] == b'A' { b'B' } else { b'A' };
    assert_eq!(verify_pdf(&changed), Err(SignError::BadSignature));

    // Bytes added after the signature.
    let mut longer = signed.clone();
    longer.extend_from_slice(b"% more\n");
    assert_eq!(verify_pdf(&longer), Err(SignError::ChangedAfterSigning));

    // Not signed at all.
    assert_eq!(verify_pdf(&pdf), Err(SignError::NotSigned));
}

#[test]
fn pkcs12_round_trip_and_wrong_password() {
    let (ca, signer) = demo_signer();
    let p12 = ca
        .issue_with_password("สำนักงานจังหวัด", "ชม 0017", "รหัสผ่าน")
        .unwrap();
    assert_eq!(
        Signer::from_pkcs12(&p12, "wrong").unwrap_err(),
        SignError::WrongPassword
    );
    let again = Signer::from_pkcs12(&p12, "รหัสผ่าน").unwrap();
    assert_eq!(
        again.chain.len(),
        2,
        "the office's certificate and the CA's"
    );
    assert!(
        again.subject().contains("OU=ชม 0017"),
        "{}",
        again.subject()
    );
    assert_ne!(again.fingerprint(), signer.fingerprint());

    // The CA kept and loaded again still issues under the same name.
    let kept = ca.to_pkcs12("ca-password").unwrap();
    let back = DemoCa::from_pkcs12(&kept, "ca-password", when()).unwrap();
    assert_eq!(back.certificate_der(), ca.certificate_der());
    assert!(
        back.certificate_pem()
            .starts_with("-----BEGIN CERTIFICATE-----\n")
    );
    let (p12, pw) = back.issue("อำเภอเมือง", "").unwrap();
    let s = Signer::from_pkcs12(&p12, &pw).unwrap();
    assert!(is_issued_by(s.certificate_der(), ca.certificate_der()));
}

#[test]
fn refuses_to_sign_outside_the_certificate_validity() {
    let (_, signer) = demo_signer();
    let late = Utc.with_ymd_and_hms(2040, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(
        signer.sign_pdf(&tiny_pdf(false), late, "", ""),
        Err(SignError::Expired)
    );
}

#[test]
fn timestamp_authority_is_asked_and_its_token_kept() {
    struct Fake;
    impl TimestampAuthority for Fake {
        fn time_stamp_token(&self, sha256: &[u8]) -> Result<Vec<u8>, SignError> {
            assert_eq!(sha256.len(), 32);
            // Any DER value stands in for a token here.
            Ok(vec![0x04, 0x02, 0xAB, 0xCD])
        }
    }
    let (_, signer) = demo_signer();
    let signer = signer.with_timestamps(Box::new(Fake));
    let signed = signer.sign_pdf(&tiny_pdf(false), when(), "", "").unwrap();
    assert!(verify_pdf(&signed).unwrap().timestamped);
}

#[test]
fn errors_speak_thai_and_english() {
    let e = SignError::DigestMismatch;
    assert!(e.thai().starts_with("ลายมือชื่อไม่ถูกต้อง"));
    assert!(e.english().starts_with("signature invalid"));
    assert_eq!(e.code(), "signature_invalid");
    let e = SignError::Pdf("no startxref".into());
    assert_eq!(
        e.to_string(),
        "อ่านไฟล์ PDF ไม่ได้ (cannot read the PDF: no startxref)"
    );
}

#[test]
fn pdf_dates() {
    assert_eq!(pdf_date(when()), "D:20261204033000+00'00'");
    assert_eq!(parse_pdf_date("D:20261204033000+00'00'"), Some(when()));
    assert_eq!(parse_pdf_date("D:20261204103000+07'00'"), Some(when()));
    assert_eq!(parse_pdf_date("D:20261204033000Z"), Some(when()));
    assert_eq!(
        parse_pdf_date("D:2026"),
        Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap())
    );
    assert_eq!(parse_pdf_date("garbage"), None);
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for input in [
        &b""[..],
        b"%PDF-1.7\n",
        b"%PDF-1.7\nstartxref\n999999\n%%EOF",
        b"%PDF-1.7\nxref\n0 1\nstartxref\n9\n%%EOF",
    ] {
        assert!(verify_pdf(input).is_err());
        let (_, signer) = demo_signer();
        assert!(signer.sign_pdf(input, when(), "", "").is_err());
    }
}
