//! The office's mailbox settings, offices outside saraban, users'
//! addresses. Who: the administrator of the office (ManageOffices) for its
//! own mailbox; for an office below theirs (or, from a central office —
//! กรม, กอง, กลุ่มงาน — any office not above it), only whether it is
//! outside saraban and its address. Any other office reads as not found.

use serde::{Deserialize, Serialize};

use super::super::error::{AppError, AppResult};
use super::super::{Action, App, Caller, OfficeKind, Principal, UserId};
use super::{MailSettings, Security, resolve_password};
use crate::mailer::Server;
use crate::store::{accounts, mail, offices};

/// The settings form (API and page).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MailSettingsInput {
    /// Letters to this office go by e-mail to `email`.
    pub outside: bool,
    /// The office's address for receiving letters (offices.email).
    pub email: String,
    pub smtp_host: String,
    pub smtp_port: Option<u16>,
    pub smtp_security: String,
    pub smtp_username: String,
    pub imap_host: String,
    pub imap_port: Option<u16>,
    pub imap_security: String,
    pub imap_username: String,
    pub imap_folder: String,
    pub from_address: String,
    /// `env:VAR` or `file:/path`; never the password itself.
    pub password: String,
}

/// The settings as shown: the stored row, the office's address, and
/// whether the password reference resolves now.
#[derive(Debug, Clone, Serialize)]
pub struct MailSettingsView {
    pub office_id: i64,
    pub office_name: String,
    pub email: String,
    pub settings: MailSettings,
    /// Own office: the mailbox may be set; else only `outside` and `email`.
    pub own: bool,
    pub password_found: bool,
}

fn is_address(a: &str) -> bool {
    let a = a.trim();
    a.parse::<lettre::Address>().is_ok()
}

fn security(field: &str, text: &str, default: Security) -> AppResult<Security> {
    if text.trim().is_empty() {
        return Ok(default);
    }
    Security::parse(text).ok_or_else(|| {
        AppError::invalid(
            field,
            "การเข้ารหัสต้องเป็น starttls, tls หรือ none",
            "security must be starttls, tls or none",
        )
    })
}

impl App {
    /// Whether `c` may see office `office_id`'s settings, and whether it
    /// is their own office.
    async fn mail_office(&self, c: &Caller, office_id: i64) -> AppResult<bool> {
        c.may(Action::ManageOffices)?;
        if office_id == c.office.id {
            return Ok(true);
        }
        if matches!(c.principal, Principal::Operator(_)) {
            offices::get(self.store(), office_id)
                .await
                .map_err(|_| AppError::not_found())?;
            return Ok(true);
        }
        let chain = offices::chain(self.store(), office_id)
            .await
            .map_err(|_| AppError::not_found())?;
        if chain.iter().any(|o| o.id == c.office.id) {
            return Ok(false);
        }
        // A central office (กรม, กอง, กลุ่มงาน) keeps the agency's list of
        // offices outside saraban: any office that is not above it.
        let central = matches!(
            c.office.fields.kind,
            OfficeKind::Department | OfficeKind::Division | OfficeKind::Group
        );
        let mine = offices::chain(self.store(), c.office.id).await?;
        if central && !mine.iter().any(|o| o.id == office_id) {
            Ok(false)
        } else {
            Err(AppError::not_found())
        }
    }

    /// An office's mail settings.
    pub async fn mail_settings(&self, c: &Caller, office_id: i64) -> AppResult<MailSettingsView> {
        let own = self.mail_office(c, office_id).await?;
        let office = offices::get(self.store(), office_id).await?;
        let settings = mail::settings(self.store(), office_id)
            .await?
            .unwrap_or_else(|| MailSettings {
                office_id,
                smtp_security: "starttls".into(),
                imap_security: "tls".into(),
                imap_folder: "INBOX".into(),
                ..MailSettings::default()
            });
        let password_found =
            !settings.password.is_empty() && resolve_password(&settings.password).is_ok();
        Ok(MailSettingsView {
            office_id,
            office_name: office.fields.name.clone(),
            email: office.fields.email.clone(),
            settings,
            own,
            password_found,
        })
    }

    /// Sets an office's mail settings (checked first; the password only
    /// as a reference).
    pub async fn set_mail_settings(
        &self,
        c: &Caller,
        office_id: i64,
        input: &MailSettingsInput,
    ) -> AppResult<MailSettingsView> {
        let own = self.mail_office(c, office_id).await?;
        let email = input.email.trim();
        if !email.is_empty() && !is_address(email) {
            return Err(AppError::invalid(
                "email",
                "ที่อยู่อีเมลไม่ถูกต้อง",
                "not an e-mail address",
            ));
        }
        if input.outside && email.is_empty() {
            return Err(AppError::invalid(
                "email",
                "ส่วนราชการนอกระบบต้องมีที่อยู่อีเมลสำหรับรับหนังสือ",
                "an office outside saraban needs an address to receive letters",
            ));
        }
        let mut s = mail::settings(self.store(), office_id)
            .await?
            .unwrap_or_default();
        s.office_id = office_id;
        s.outside = input.outside;
        let mailbox_given = !(input.smtp_host.trim().is_empty()
            && input.imap_host.trim().is_empty()
            && input.from_address.trim().is_empty()
            && input.password.trim().is_empty());
        if !own && mailbox_given {
            return Err(AppError::new(
                super::super::Kind::Forbidden,
                "forbidden",
                "ตั้งค่าตู้อีเมลกลางได้เฉพาะของส่วนราชการตนเอง",
                "only an office's own administrator sets its mailbox",
            ));
        }
        if own {
            let password = input.password.trim();
            let referenced = password.starts_with("env:") || password.starts_with("file:");
            if !(password.is_empty() || referenced) {
                return Err(AppError::invalid(
                    "password",
                    "ห้ามบันทึกรหัสผ่านในระบบ ให้ระบุที่อยู่ของรหัสผ่านเป็น env:ชื่อตัวแปร หรือ file:/ที่อยู่ไฟล์",
                    "the password is never stored: give env:VAR or file:/path",
                ));
            }
            let from = input.from_address.trim();
            if !from.is_empty() && !is_address(from) {
                return Err(AppError::invalid(
                    "from_address",
                    "ที่อยู่อีเมลผู้ส่งไม่ถูกต้อง",
                    "the sender address is not an e-mail address",
                ));
            }
            if !input.smtp_host.trim().is_empty() && from.is_empty() {
                return Err(AppError::invalid(
                    "from_address",
                    "กรุณาระบุที่อยู่อีเมลกลางที่ใช้ส่ง",
                    "give the address letters are sent from",
                ));
            }
            let smtp_security =
                security("smtp_security", &input.smtp_security, Security::Starttls)?;
            let imap_security = security("imap_security", &input.imap_security, Security::Tls)?;
            s.smtp_host = input.smtp_host.trim().to_string();
            s.smtp_security = smtp_security.key().into();
            s.smtp_port = i64::from(input.smtp_port.unwrap_or(match smtp_security {
                Security::Tls => 465,
                Security::Starttls => 587,
                Security::None => 25,
            }));
            s.smtp_username = input.smtp_username.trim().to_string();
            s.imap_host = input.imap_host.trim().to_string();
            s.imap_security = imap_security.key().into();
            s.imap_port = i64::from(input.imap_port.unwrap_or(match imap_security {
                Security::Tls => 993,
                _ => 143,
            }));
            s.imap_username = input.imap_username.trim().to_string();
            s.imap_folder = Some(input.imap_folder.trim())
                .filter(|f| !f.is_empty())
                .unwrap_or("INBOX")
                .to_string();
            s.from_address = from.to_string();
            s.password = password.to_string();
        }
        if s.smtp_security.is_empty() {
            s.smtp_security = "starttls".into();
        }
        if s.imap_security.is_empty() {
            s.imap_security = "tls".into();
        }
        if s.imap_folder.is_empty() {
            s.imap_folder = "INBOX".into();
        }
        mail::save_settings(self.store(), &c.actor(), c.now, &s, email).await?;
        self.mail_settings(c, office_id).await
    }

    /// The caller's own e-mail address ("" when none).
    pub async fn my_email(&self, c: &Caller) -> AppResult<String> {
        match c.user_ref() {
            Some(u) => Ok(mail::user_email(self.store(), u.id).await?),
            None => Ok(String::new()),
        }
    }

    /// Sets a user's address for notices: their own, or (an
    /// administrator) any user of the office.
    pub async fn set_user_email(&self, c: &Caller, user: UserId, email: &str) -> AppResult<()> {
        let email = email.trim();
        if !email.is_empty() && !is_address(email) {
            return Err(AppError::invalid(
                "email",
                "ที่อยู่อีเมลไม่ถูกต้อง",
                "not an e-mail address",
            ));
        }
        let own = c.user_ref().map(|u| u.id) == Some(user.0);
        if !own {
            c.may(Action::ManageUsers)?;
        }
        let target = accounts::get(self.store(), user.0)
            .await
            .map_err(|_| AppError::not_found())?;
        if target.office_id != c.office.id && !matches!(c.principal, Principal::Operator(_)) {
            return Err(AppError::not_found());
        }
        mail::set_user_email(
            self.store(),
            &c.actor(),
            c.now,
            target.office_id,
            user.0,
            email,
        )
        .await?;
        Ok(())
    }

    /// A user's address, for the office's administrator or the user.
    pub async fn user_email(&self, c: &Caller, user: UserId) -> AppResult<String> {
        if c.user_ref().map(|u| u.id) != Some(user.0) {
            c.may(Action::ManageUsers)?;
            let target = accounts::get(self.store(), user.0)
                .await
                .map_err(|_| AppError::not_found())?;
            if target.office_id != c.office.id && !matches!(c.principal, Principal::Operator(_)) {
                return Err(AppError::not_found());
            }
        }
        Ok(mail::user_email(self.store(), user.0).await?)
    }
}

/// The SMTP server of an office's settings, password read now; `None`
/// when the office sends no e-mail.
pub(crate) fn smtp_server(s: &MailSettings) -> AppResult<Option<Server>> {
    if s.smtp_host.is_empty() || s.from_address.is_empty() {
        return Ok(None);
    }
    Ok(Some(Server {
        host: s.smtp_host.clone(),
        port: u16::try_from(s.smtp_port).unwrap_or(25),
        security: Security::parse(&s.smtp_security).unwrap_or(Security::Starttls),
        username: s.smtp_username.clone(),
        password: if s.smtp_username.is_empty() {
            String::new()
        } else {
            resolve_password(&s.password)?
        },
    }))
}

/// The IMAP server of an office's settings; `None` when it fetches none.
pub(crate) fn imap_server(s: &MailSettings) -> AppResult<Option<Server>> {
    if s.imap_host.is_empty() {
        return Ok(None);
    }
    Ok(Some(Server {
        host: s.imap_host.clone(),
        port: u16::try_from(s.imap_port).unwrap_or(993),
        security: Security::parse(&s.imap_security).unwrap_or(Security::Tls),
        username: if s.imap_username.is_empty() {
            s.from_address.clone()
        } else {
            s.imap_username.clone()
        },
        password: resolve_password(&s.password)?,
    }))
}

impl App {
    /// Whether the caller's office fetches mail and sends by e-mail (for
    /// the intake page): no settings detail, any role that handles the
    /// inbox.
    pub async fn mail_settings_of_own(&self, c: &Caller) -> AppResult<MailboxState> {
        c.may(Action::HandleInbox)?;
        let s = mail::settings(self.store(), c.office.id).await?;
        Ok(MailboxState {
            fetches: s.as_ref().is_some_and(|s| !s.imap_host.is_empty()),
            sends: s
                .as_ref()
                .is_some_and(|s| !s.smtp_host.is_empty() && !s.from_address.is_empty()),
            address: s.map(|s| s.from_address).unwrap_or_default(),
        })
    }
}

/// The office's mailbox as the clerk sees it.
#[derive(Debug, Clone, Serialize)]
pub struct MailboxState {
    pub fetches: bool,
    pub sends: bool,
    pub address: String,
}
