//! `saraban mail …`: the office's mailbox from the command line — set it
//! up (or mark an office as outside saraban), fetch new messages now, send
//! the daily digest of notices.

use std::process::ExitCode;

use clap::Subcommand;

use saraban::app::admin::Operator;
use saraban::app::mail::MailSettingsInput;

use super::db::DbArgs;

// Parsed once per run: the size of the `set` variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Fetch new messages over IMAP: one office, or every office with a mailbox.
    Fetch {
        /// The office (code, name or #id); all offices with a mailbox if absent.
        #[arg(long = "office")]
        office: Option<String>,
    },
    /// Send each person the digest of their waiting notices now.
    Digest,
    /// Set an office's mailbox, or mark it as outside saraban.
    Set {
        /// The office (code, name or #id).
        #[arg(long = "office")]
        office: String,
        /// Letters to this office go by e-mail to --email.
        #[arg(long)]
        outside: bool,
        /// The office's address for receiving letters.
        #[arg(long, default_value = "")]
        email: String,
        #[arg(long, default_value = "")]
        smtp_host: String,
        #[arg(long)]
        smtp_port: Option<u16>,
        /// starttls, tls or none.
        #[arg(long, default_value = "")]
        smtp_security: String,
        #[arg(long, default_value = "")]
        smtp_username: String,
        #[arg(long, default_value = "")]
        imap_host: String,
        #[arg(long)]
        imap_port: Option<u16>,
        #[arg(long, default_value = "")]
        imap_security: String,
        #[arg(long, default_value = "")]
        imap_username: String,
        #[arg(long, default_value = "INBOX")]
        imap_folder: String,
        /// The central address letters are sent from.
        #[arg(long, default_value = "")]
        from: String,
        /// Where the password is: env:VAR or file:/path (never the password).
        #[arg(long, default_value = "")]
        password: String,
    },
}

pub fn run(db: &DbArgs, cmd: MailCommand) -> anyhow::Result<ExitCode> {
    db.run(|app| async move {
        let op = Operator::named("mail");
        match cmd {
            MailCommand::Fetch { office } => {
                let reports = match office {
                    Some(o) => {
                        let c = app.act_as(&op, &o).await?;
                        vec![app.mail_fetch(&c).await?]
                    }
                    None => app.mail_fetch_all(chrono::Utc::now()).await,
                };
                for r in reports {
                    println!(
                        "ส่วนราชการ #{}: หนังสือรอลงรับ {} ตอบกลับ {} ตีกลับ {} ซ้ำ {} (letters {}, replies {}, bounces {}, known {})",
                        r.office_id, r.letters, r.replies, r.bounces, r.known,
                        r.letters, r.replies, r.bounces, r.known
                    );
                }
            }
            MailCommand::Digest => {
                let n = app.send_digests(chrono::Utc::now()).await?;
                println!("ส่งสรุปงานแล้ว {n} ฉบับ (digests sent: {n})");
            }
            MailCommand::Set {
                office,
                outside,
                email,
                smtp_host,
                smtp_port,
                smtp_security,
                smtp_username,
                imap_host,
                imap_port,
                imap_security,
                imap_username,
                imap_folder,
                from,
                password,
            } => {
                let c = app.act_as(&op, &office).await?;
                let input = MailSettingsInput {
                    outside,
                    email,
                    smtp_host,
                    smtp_port,
                    smtp_security,
                    smtp_username,
                    imap_host,
                    imap_port,
                    imap_security,
                    imap_username,
                    imap_folder,
                    from_address: from,
                    password,
                };
                let v = app.set_mail_settings(&c, c.office.id, &input).await?;
                println!(
                    "ตั้งค่าอีเมลของ {} แล้ว (mail settings saved){}",
                    v.office_name,
                    if v.settings.password.is_empty() || v.password_found {
                        ""
                    } else {
                        " — ยังไม่พบรหัสผ่านตามที่ระบุ (the password reference does not resolve yet)"
                    }
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
