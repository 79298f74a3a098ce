//! Sending one message through the office's SMTP server (`lettre`): the
//! letter's text, its official PDF and enclosures attached, our own
//! Message-ID so that replies and bounces find the delivery again.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{MailError, Security, Server, err};

/// A file to attach.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// One message to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    /// Without angle brackets.
    pub message_id: String,
    pub files: Vec<File>,
}

/// The message as it goes on the wire.
pub fn build(m: &Outgoing) -> Result<Message, MailError> {
    let from = Mailbox::new(
        Some(m.from_name.clone()).filter(|n| !n.is_empty()),
        m.from.parse().map_err(err)?,
    );
    let to: Mailbox = m.to.parse().map_err(err)?;
    let mut body = MultiPart::mixed().singlepart(SinglePart::plain(m.text.clone()));
    for f in &m.files {
        let ct = ContentType::parse(&f.media_type)
            .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("valid"));
        body = body.singlepart(Attachment::new(f.name.clone()).body(f.bytes.clone(), ct));
    }
    Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}>", m.message_id)))
        .multipart(body)
        .map_err(err)
}

/// Sends `m` through `server`; fails as the server answered.
pub async fn send(server: &Server, m: &Outgoing) -> Result<(), MailError> {
    let message = build(m)?;
    let builder = match server.security {
        Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&server.host).map_err(err)?,
        Security::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&server.host).map_err(err)?
        }
        Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&server.host),
    };
    let mut builder = builder
        .port(server.port)
        .timeout(Some(Duration::from_secs(60)));
    if !server.username.is_empty() {
        builder = builder.credentials(Credentials::new(
            server.username.clone(),
            server.password.clone(),
        ));
    }
    builder.build().send(message).await.map_err(err)?;
    Ok(())
}
