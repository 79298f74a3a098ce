//! Accounts: who is asking (a bearer token or a session), logging in and
//! out, passwords, and the administrator's users and tokens.

use serde::Deserialize;

use super::error::{AppError, AppResult};
use super::{Action, App, Caller, Role, User, UserId};
use crate::store::accounts::{self, NewUser, Session};
use crate::store::offices;

/// A new user, as the users page and the API take it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// An office code, `#id` or name.
    pub office: String,
}

/// A logged-in session: the caller, and the CSRF token its forms carry.
pub struct SessionCaller {
    pub caller: Caller,
    pub csrf: String,
}

/// How long a login session lasts, in hours.
pub const SESSION_HOURS: i64 = accounts::SESSION_HOURS;

impl App {
    /// The caller behind an API token, if it is valid.
    pub async fn caller_by_token(&self, token: &str) -> AppResult<Option<Caller>> {
        match accounts::by_token(self.store(), token).await? {
            Some(user) => Ok(Some(self.caller_for(user).await?)),
            None => Ok(None),
        }
    }

    /// The caller behind a session cookie's secret, if the session is live.
    pub async fn caller_by_session(&self, secret: &str) -> AppResult<Option<SessionCaller>> {
        match accounts::session(self.store(), secret, chrono::Utc::now()).await? {
            Some(s) => Ok(Some(SessionCaller {
                caller: self.caller_for(s.user).await?,
                csrf: s.csrf,
            })),
            None => Ok(None),
        }
    }

    async fn caller_for(&self, user: User) -> AppResult<Caller> {
        let office = offices::get(self.store(), user.office_id).await?;
        Ok(Caller::user(user, office))
    }

    /// Checks a user name and password; the user when they match.
    pub async fn authenticate(&self, username: &str, password: &str) -> AppResult<Option<User>> {
        Ok(accounts::authenticate(self.store(), username, password).await?)
    }

    /// Opens a login session for a user who has just authenticated.
    pub async fn open_session(&self, user: &User) -> AppResult<Session> {
        Ok(accounts::open_session(self.store(), user).await?)
    }

    /// Ends a session (logging out).
    pub async fn close_session(&self, secret: &str) -> AppResult<()> {
        Ok(accounts::close_session(self.store(), secret).await?)
    }

    /// The caller chooses a new password; every other session ends. Gives
    /// the user as now stored.
    pub async fn change_password(&self, c: &Caller, password: &str) -> AppResult<User> {
        let user = c.user_ref().ok_or_else(AppError::forbidden)?;
        accounts::set_password(self.store(), &c.actor(), user, password).await?;
        Ok(accounts::get(self.store(), user.id).await?)
    }

    /// Every user (administrators only).
    pub async fn users(&self, c: &Caller) -> AppResult<Vec<User>> {
        c.may(Action::ManageUsers)?;
        Ok(accounts::list(self.store(), None).await?)
    }

    /// Adds a user with a one-time password, returned once.
    pub async fn add_user(&self, c: &Caller, req: &NewUserRequest) -> AppResult<(User, String)> {
        c.may(Action::ManageUsers)?;
        let role = Role::parse(&req.role).map_err(|e| AppError::from(e).on("role"))?;
        let office = offices::find(self.store(), &req.office)
            .await
            .map_err(|_| AppError::invalid("office", "ไม่พบส่วนราชการนี้", "no such office"))?;
        let password = accounts::one_time_password();
        let user = accounts::add(
            self.store(),
            &c.actor(),
            &office,
            &NewUser {
                username: req.username.trim(),
                display_name: &req.display_name,
                role,
                password: &password,
                must_change: true,
            },
        )
        .await?;
        Ok((user, password))
    }

    /// Makes an API token for a user (administrators only); shown once.
    pub async fn add_token(&self, c: &Caller, user: UserId, label: &str) -> AppResult<String> {
        c.may(Action::ManageUsers)?;
        let label =
            super::input::required("label", label, "กรุณาตั้งชื่อโทเค็น", "give the token a label")?;
        let user = accounts::get(self.store(), user.0)
            .await
            .map_err(|_| AppError::not_found())?;
        Ok(accounts::add_token(self.store(), &c.actor(), &user, label).await?)
    }
}
