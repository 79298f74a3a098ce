//! Bytes to text: UTF-8, or legacy Thai TIS-620 / windows-874, Thai that
//! went through a wrong code page (mojibake from web pages), and a clear
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
        Ok(text) => Ok(unmangle(text).unwrap_or_else(|| text.to_string())),
        Err(_) => from_tis620(bytes),
    }
}

/// The windows-1252 byte a character stands for, when a page shown as
/// windows-1252 (or Latin-1) was saved again as UTF-8.
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '\u{0}'..='\u{FF}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// Thai text that went through a wrong code page on its way (mojibake):
/// UTF-8 bytes read as windows-1252 (`à¸—à¸µà¹ˆ`), or TIS-620 bytes read as
/// Latin-1 (`·Õè`). Text with Thai letters in it is left alone.
fn unmangle(text: &str) -> Option<String> {
    let mut high = 0usize;
    for c in text.chars() {
        if ('\u{0E00}'..='\u{0E7F}').contains(&c) {
            return None;
        }
        if ('\u{A1}'..='\u{FB}').contains(&c) {
            high += 1;
        }
    }
    if high < 8 {
        return None;
    }
    let bytes: Vec<u8> = text.chars().map(cp1252_byte).collect::<Option<_>>()?;
    if text.contains("à¸") || text.contains("à¹") {
        let fixed = String::from_utf8(bytes).ok()?;
        return fixed
            .contains(['ก', 'ข', 'ง', 'น', 'ม', 'ร'])
            .then_some(fixed);
    }
    from_tis620(&bytes).ok()
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
    fn repairs_mojibake() {
        // "ที่ มท" as TIS-620 read as Latin-1, and as UTF-8 read as windows-1252.
        let latin1 = "·Õè Á· ·Õè Á· ·Õè Á·";
        assert_eq!(decode(latin1.as_bytes()).unwrap(), "ที่ มท ที่ มท ที่ มท");
        let cp1252 = "à¸—à¸µà¹ˆ à¸¡à¸—";
        assert_eq!(decode(cp1252.as_bytes()).unwrap(), "ที่ มท");
        // Latin text with a few accents stays as it is.
        assert_eq!(decode("Café crème".as_bytes()).unwrap(), "Café crème");
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
