//! Bytes to text: UTF-8, or legacy Thai TIS-620 / windows-874, and a clear
//! refusal for what is not text at all.

use super::ParseError;

/// Letters are a few pages; anything far larger is not one letter.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Decodes a file's bytes into text.
pub fn decode(bytes: &[u8]) -> Result<String, ParseError> {
    if bytes.len() > MAX_BYTES {
        return Err(ParseError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    if looks_binary(bytes) {
        return Err(ParseError::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(_) => from_tis620(bytes),
    }
}

/// NUL bytes, or many control bytes that no text file has.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    controls * 20 > sample.len()
}

/// TIS-620 (and its superset windows-874): 0xA1–0xFB map to U+0E01–U+0E5B.
/// Text that decodes to mostly unassigned bytes is refused.
fn from_tis620(bytes: &[u8]) -> Result<String, ParseError> {
    let mut out = String::with_capacity(bytes.len() * 2);
    let mut thai = 0usize;
    let mut unknown = 0usize;
    for &b in bytes {
        match b {
            0x00..=0x7F => out.push(b as char),
            0xA0 => out.push('\u{A0}'),
            0xA1..=0xDA | 0xDF..=0xFB => {
                thai += 1;
                out.push(char::from_u32(0x0E01 + u32::from(b - 0xA1)).expect("Thai block"));
            }
            // windows-874 punctuation that letters typed in Word carry.
            0x85 => out.push('…'),
            0x91 => out.push('‘'),
            0x92 => out.push('’'),
            0x93 => out.push('“'),
            0x94 => out.push('”'),
            0x95 => out.push('•'),
            0x96 => out.push('–'),
            0x97 => out.push('—'),
            _ => {
                unknown += 1;
                out.push('\u{FFFD}');
            }
        }
    }
    if thai == 0 || unknown * 10 > thai {
        return Err(ParseError::NotText);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tis620() {
        // "ที่ มท" in TIS-620.
        let bytes = [0xB7, 0xD5, 0xE8, 0x20, 0xC1, 0xB7];
        assert_eq!(decode(&bytes).unwrap(), "ที่ มท");
    }

    #[test]
    fn refuses_what_is_not_text() {
        assert!(matches!(decode(b""), Err(ParseError::Empty)));
        assert!(matches!(decode(b" \n\t"), Err(ParseError::Empty)));
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(ParseError::Binary)
        ));
        assert!(matches!(
            decode(&[0xFF, 0xFE, 0x80, 0x81]),
            Err(ParseError::NotText)
        ));
    }
}
