//! Signing official copies with the issuing office's certificate, and
//! checking the signature on a copy someone holds. (Wired to `crate::sign`
//! once that module lands; until then copies are unsigned and a copy that
//! carries a signature cannot be checked here.)

/// Checks the signature of a PDF that carries one; a PDF without a
/// signature passes (it was issued before signing was configured).
pub fn check(pdf: &[u8]) -> Result<(), String> {
    let signed = pdf.windows(b"/ByteRange".len()).any(|w| w == b"/ByteRange");
    if signed {
        Err("this saraban cannot check signatures yet".into())
    } else {
        Ok(())
    }
}
