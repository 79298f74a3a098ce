//! Fetching new messages from the office's IMAP mailbox (`async-imap`):
//! the messages whose UID is above the last one seen (all of them again
//! when the folder's UIDVALIDITY changed), read without marking them seen.

use std::fmt::Debug;
use std::time::Duration;

use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::{MailError, Security, Server, err};

trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}

/// One message as the server holds it.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub uid: u32,
    pub raw: Vec<u8>,
}

/// What one fetch found.
#[derive(Debug, Clone)]
pub struct Batch {
    pub uid_validity: u32,
    pub messages: Vec<Fetched>,
}

const TIMEOUT: Duration = Duration::from_secs(60);

async fn tls(stream: TcpStream, host: &str) -> Result<Box<dyn Io>, MailError> {
    let name =
        tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_string()).map_err(err)?;
    let s = tokio_rustls::TlsConnector::from(super::tls_config())
        .connect(name, stream)
        .await
        .map_err(err)?;
    Ok(Box::new(s))
}

async fn greeted<T: AsyncRead + AsyncWrite + Unpin + Send + Debug>(
    stream: T,
) -> Result<async_imap::Client<T>, MailError> {
    let mut client = async_imap::Client::new(stream);
    client
        .read_response()
        .await
        .map_err(err)?
        .ok_or_else(|| MailError("the server closed the connection".into()))?;
    Ok(client)
}

async fn connect(server: &Server) -> Result<async_imap::Client<Box<dyn Io>>, MailError> {
    let tcp = TcpStream::connect((server.host.as_str(), server.port))
        .await
        .map_err(err)?;
    match server.security {
        Security::Tls => greeted(tls(tcp, &server.host).await?).await,
        Security::None => greeted(Box::new(tcp) as Box<dyn Io>).await,
        Security::Starttls => {
            let mut plain = greeted(tcp).await?;
            plain
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(err)?;
            let tcp = plain.into_inner();
            // No greeting after STARTTLS: the session goes on.
            Ok(async_imap::Client::new(tls(tcp, &server.host).await?))
        }
    }
}

/// Messages in `folder` with a UID above `last_uid` (every message when
/// `uid_validity` is not the folder's), at most `max`, oldest first.
pub async fn fetch_new(
    server: &Server,
    folder: &str,
    uid_validity: Option<u32>,
    last_uid: u32,
    max: usize,
) -> Result<Batch, MailError> {
    tokio::time::timeout(
        TIMEOUT,
        fetch_inner(server, folder, uid_validity, last_uid, max),
    )
    .await
    .map_err(|_| MailError("the IMAP server did not answer in time".into()))?
}

async fn fetch_inner(
    server: &Server,
    folder: &str,
    uid_validity: Option<u32>,
    last_uid: u32,
    max: usize,
) -> Result<Batch, MailError> {
    let client = connect(server).await?;
    let mut session = client
        .login(&server.username, &server.password)
        .await
        .map_err(|(e, _)| err(e))?;
    let mailbox = session.select(folder).await.map_err(err)?;
    let validity = mailbox.uid_validity.unwrap_or(0);
    let from = if uid_validity == Some(validity) {
        last_uid + 1
    } else {
        1
    };
    let mut messages = Vec::new();
    if mailbox.exists > 0 {
        let fetches: Vec<_> = session
            .uid_fetch(format!("{from}:*"), "(UID BODY.PEEK[])")
            .await
            .map_err(err)?
            .try_collect()
            .await
            .map_err(err)?;
        for f in fetches {
            // `N:*` always returns the last message, even below N.
            let (Some(uid), Some(body)) = (f.uid, f.body()) else {
                continue;
            };
            if uid >= from {
                messages.push(Fetched {
                    uid,
                    raw: body.to_vec(),
                });
            }
        }
    }
    messages.sort_by_key(|m| m.uid);
    messages.truncate(max);
    let _ = session.logout().await;
    Ok(Batch {
        uid_validity: validity,
        messages,
    })
}
