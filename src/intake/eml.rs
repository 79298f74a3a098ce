//! E-mail files (`.eml`, RFC 5322 with MIME), read with `mail-parser`: the
//! letter is the first PDF or image attachment that reads as one, else the
//! message's text.

use mail_parser::{MessageParser, MimeHeaders};

use super::{Extracted, FileKind, IntakeError, TextSource};
use crate::parse;

/// Whether bytes start like a message's header block.
pub fn looks_like_mail(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_lowercase();
    let known = [
        "from:",
        "received:",
        "return-path:",
        "mime-version:",
        "message-id:",
        "date:",
    ];
    head.starts_with("subject:")
        || (known.iter().any(|k| head.starts_with(k)) && head.contains("\nsubject:"))
}

pub fn extract(bytes: &[u8]) -> Result<Extracted, IntakeError> {
    let message = MessageParser::default()
        .parse(bytes)
        .ok_or_else(|| IntakeError::Unreadable("ไม่ใช่ไฟล์อีเมล (not an e-mail message)".into()))?;
    let mut failure = None;
    for part in message.attachments() {
        let data = part.contents();
        let name = part.attachment_name().unwrap_or("attachment").to_string();
        let Ok(kind) = FileKind::of(&name, data) else {
            continue;
        };
        if !matches!(kind, FileKind::Pdf | FileKind::Jpeg | FileKind::Png) {
            continue;
        }
        match super::extract(&name, data) {
            Ok(found) if parse::parse_text(&found.text).is_ok() => {
                return Ok(Extracted {
                    kind: FileKind::Email,
                    ..found
                });
            }
            Ok(_) => {}
            Err(e) => failure = Some(e),
        }
    }
    let text = message
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    if text.trim().is_empty()
        && let Some(e) = failure
    {
        return Err(e);
    }
    Ok(Extracted {
        kind: FileKind::Email,
        source: TextSource::Text,
        text,
        pages: 1,
        lines: Vec::new(),
        ocr_times: Vec::new(),
        letter_file: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_of_a_message_without_attachments_is_read() {
        let mail = "From: a@example.go.th\r\nTo: b@example.go.th\r\nSubject: =?UTF-8?B?4LmA4Lij4Li34LmI4Lit4LiH?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nที่ มท ๐๘๑๐.๗/ว ๒๑๓๕\r\nเรื่อง ทดสอบ\r\n";
        assert!(looks_like_mail(mail.as_bytes()));
        let got = extract(mail.as_bytes()).unwrap();
        assert_eq!(got.kind, FileKind::Email);
        assert!(got.text.contains("มท ๐๘๑๐.๗/ว ๒๑๓๕"), "{}", got.text);
        assert!(!looks_like_mail("ที่ มท ๑".as_bytes()));
    }
}
