//! What a fetched message is (`mail-parser`): a bounce — a delivery status
//! notification (RFC 3464: `multipart/report; report-type=delivery-status`)
//! whose quoted headers carry the Message-ID of what we sent — a reply
//! (In-Reply-To or References name a Message-ID), or a letter.

use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use super::bare_id;

/// The headers of a fetched message that matter here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// Without angle brackets; empty when the message has none.
    pub message_id: String,
    pub from: String,
    pub subject: String,
    /// In-Reply-To then References, without angle brackets.
    pub refers_to: Vec<String>,
    pub bounce: Option<Bounce>,
}

/// A delivery status notification: which message failed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The Message-ID of the message that could not be delivered.
    pub original: Option<String>,
    /// `Status:` (e.g. 5.1.1) and `Diagnostic-Code:` when given.
    pub status: String,
    pub recipient: String,
}

fn ids(v: &HeaderValue) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![bare_id(t)],
        HeaderValue::TextList(l) => l.iter().map(|t| bare_id(t)).collect(),
        _ => Vec::new(),
    }
}

/// Reads a message's headers; `None` when it is not a message at all.
pub fn read(raw: &[u8]) -> Option<Incoming> {
    let m = MessageParser::default().parse(raw)?;
    let mut refers_to = ids(m.in_reply_to());
    for id in ids(m.references()) {
        if !refers_to.contains(&id) {
            refers_to.push(id);
        }
    }
    refers_to.retain(|id| !id.is_empty());
    Some(Incoming {
        message_id: m.message_id().map(bare_id).unwrap_or_default(),
        from: m
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        subject: m.subject().unwrap_or_default().to_string(),
        refers_to,
        bounce: bounce(&m),
    })
}

fn is_report(m: &Message) -> bool {
    m.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    })
}

fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn bounce(m: &Message) -> Option<Bounce> {
    let has_status_part = m.parts.iter().any(|p| {
        p.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("delivery-status"))
        })
    });
    if !is_report(m) && !has_status_part {
        return None;
    }
    let mut status = String::new();
    let mut recipient = String::new();
    let mut original = None;
    for p in &m.parts {
        let Some(ct) = p.content_type() else { continue };
        let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        match (ct.ctype().to_ascii_lowercase().as_str(), sub.as_str()) {
            ("message", "delivery-status") => {
                let text = String::from_utf8_lossy(p.contents()).into_owned();
                status = field(&text, "Status").unwrap_or_default().to_string();
                if let Some(d) = field(&text, "Diagnostic-Code") {
                    status = format!("{status} {d}").trim().to_string();
                }
                recipient = field(&text, "Final-Recipient")
                    .or_else(|| field(&text, "Original-Recipient"))
                    .map(|r| r.rsplit(';').next().unwrap_or(r).trim().to_string())
                    .unwrap_or_default();
            }
            ("message", "rfc822") | ("message", "global") => {
                if let PartType::Message(inner) = &p.body {
                    original = inner.message_id().map(bare_id);
                }
            }
            ("text", "rfc822-headers") | ("message", "rfc822-headers") => {
                let head = p.contents();
                original = MessageParser::default()
                    .parse_headers(head)
                    .and_then(|h| h.message_id().map(bare_id))
                    .or_else(|| field(&String::from_utf8_lossy(head), "Message-ID").map(bare_id));
            }
            _ => {}
        }
    }
    Some(Bounce {
        original,
        status,
        recipient,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_names_what_it_answers() {
        let raw = b"From: a@x.go.th\r\nTo: b@y.go.th\r\nSubject: Re: letter\r\nMessage-ID: <r1@x.go.th>\r\nIn-Reply-To: <m1@y.go.th>\r\nReferences: <m0@y.go.th> <m1@y.go.th>\r\n\r\nok\r\n";
        let i = read(raw).unwrap();
        assert_eq!(i.message_id, "r1@x.go.th");
        assert_eq!(i.refers_to, vec!["m1@y.go.th", "m0@y.go.th"]);
        assert_eq!(i.bounce, None);
    }

    #[test]
    fn a_dsn_names_the_original_and_its_status() {
        // The shape RFC 3464 gives (section 6 example, shortened).
        let raw = "From: MAILER-DAEMON@y.go.th\r\nTo: b@y.go.th\r\nSubject: Returned mail\r\nMessage-ID: <d1@y.go.th>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; y.go.th\r\n\r\nFinal-Recipient: rfc822; nobody@z.go.th\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: b@y.go.th\r\nMessage-ID: <m1@y.go.th>\r\nSubject: letter\r\n\r\n--B--\r\n";
        let i = read(raw.as_bytes()).unwrap();
        let b = i.bounce.unwrap();
        assert_eq!(b.original.as_deref(), Some("m1@y.go.th"));
        assert_eq!(b.status, "5.1.1");
        assert_eq!(b.recipient, "nobody@z.go.th");
    }
}
