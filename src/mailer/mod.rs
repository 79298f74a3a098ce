//! The office's mailbox on the wire: sending over SMTP (`lettre`),
//! fetching over IMAP (`async-imap`), TLS by rustls, and reading what
//! came back (`mail-parser`): a reply names our Message-ID in
//! In-Reply-To/References, a bounce is a delivery status notification
//! (RFC 3464) quoting the original's headers. No database here: the
//! application layer (`app::mail`) decides what to send and records what
//! happened.

pub mod imap;
pub mod read;
pub mod smtp;

use serde::{Deserialize, Serialize};

/// How the connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain at first, then STARTTLS (required).
    Starttls,
    /// TLS from the first byte (SMTPS 465, IMAPS 993).
    Tls,
    /// No encryption: only for a server on the same machine.
    None,
}

impl Security {
    pub fn key(self) -> &'static str {
        match self {
            Security::Starttls => "starttls",
            Security::Tls => "tls",
            Security::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Security> {
        match text.trim().to_ascii_lowercase().as_str() {
            "starttls" => Some(Security::Starttls),
            "tls" | "ssl" => Some(Security::Tls),
            "none" | "plain" => Some(Security::None),
            _ => None,
        }
    }
}

/// One server and the account on it. The password is the secret itself,
/// read from the environment or a file just before use.
#[derive(Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Empty: no login (SMTP only).
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What went wrong talking to a mail server, as the server or the network
/// said it.
#[derive(Debug, Clone)]
pub struct MailError(pub String);

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MailError {}

pub(crate) fn err(e: impl std::fmt::Display) -> MailError {
    MailError(e.to_string())
}

/// A Message-ID as stored and compared: without the angle brackets and
/// surrounding blanks.
pub fn bare_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// The rustls client configuration: the Mozilla roots (webpki-roots).
pub(crate) fn tls_config() -> std::sync::Arc<tokio_rustls::rustls::ClientConfig> {
    let roots = tokio_rustls::rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    std::sync::Arc::new(
        tokio_rustls::rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}
