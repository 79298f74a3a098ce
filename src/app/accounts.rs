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
    /// The same application with another bound on password checks (tests
    /// use one check at once and no queue).
    pub fn with_password_checks(mut self, verifier: Verifier) -> App {
        self.passwords = verifier;
        self
    }

    /// The caller behind an API token, if it is valid.
    /// Resolved tokens are remembered briefly (see [`super::callers`]).
    pub async fn caller_by_token(&self, token: &str) -> AppResult<Option<Caller>> {
        let key = crate::store::sha256_hex(token.as_bytes());
        let epoch = self.store().auth_epoch();
        if let Some((user, office)) = self.callers.get(&key, epoch) {
            return Ok(Some(Caller::user(user, office)));
        }
        match accounts::by_token(self.store(), token).await? {
            Some(user) => {
                let caller = self.caller_for(user).await?;
                if let Some(user) = caller.user_ref() {
                    self.callers
                        .put(key, epoch, (user.clone(), caller.office.clone()));
                }
                Ok(Some(caller))
            }
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

    /// Checks a user name and password, at most a few at once (each check
    /// holds argon2's memory): welcome, refused, an expired one-time
    /// password, or busy.
    pub async fn authenticate(&self, username: &str, password: &str) -> AppResult<Verdict> {
        Ok(accounts::authenticate(self.store(), &self.passwords, username, password).await?)
    }

    /// Opens a login session for a user who has just authenticated.
    pub async fn open_session(&self, user: &User) -> AppResult<Session> {
        Ok(accounts::open_session(self.store(), user).await?)
    }

    /// Ends a session (logging out).
    pub async fn close_session(&self, secret: &str) -> AppResult<()> {
        Ok(accounts::close_session(self.store(), secret).await?)
    }

    /// The caller chooses a new password (`current` already checked with
    /// `authenticate`); every other session ends. Gives the user as now
    /// stored.
    pub async fn change_password(
        &self,
        c: &Caller,
        current: &str,
        password: &str,
    ) -> AppResult<User> {
        let user = c.user_ref().ok_or_else(AppError::forbidden)?;
        accounts::set_password(self.store(), &c.actor(), user, current, password).await?;
        Ok(accounts::get(self.store(), user.id).await?)
    }

    /// The user whose tokens these are, if the caller may see them: their
    /// own, or anyone's for an administrator. Others are refused; an
    /// unknown user is not found.
    pub async fn token_owner(&self, c: &Caller, user: UserId) -> AppResult<User> {
        if c.user_ref().map(|u| u.id) != Some(user.0) {
            c.may(Action::ManageUsers)?;
        }
        accounts::get(self.store(), user.0)
            .await
            .map_err(|_| AppError::not_found())
    }

    /// The same, by user name.
    pub async fn token_owner_named(&self, c: &Caller, username: &str) -> AppResult<User> {
        let user = accounts::find(self.store(), username)
            .await?
            .ok_or_else(AppError::not_found)?;
        self.token_owner(c, UserId(user.id)).await
    }

    /// A user's API tokens (never the secrets), newest first.
    pub async fn tokens(&self, c: &Caller, user: UserId) -> AppResult<Vec<TokenInfo>> {
        let owner = self.token_owner(c, user).await?;
        Ok(accounts::tokens(self.store(), owner.id).await?)
    }

    /// Revokes one of a user's tokens.
    pub async fn revoke_token(&self, c: &Caller, user: UserId, token: i64) -> AppResult<TokenInfo> {
        let owner = self.token_owner(c, user).await?;
        accounts::revoke_token(self.store(), &c.actor(), &owner, token)
            .await?
            .ok_or_else(AppError::not_found)
    }

    /// Revokes every token of a user; how many were live.
    pub async fn revoke_all_tokens(&self, c: &Caller, user: UserId) -> AppResult<u64> {
        let owner = self.token_owner(c, user).await?;
        Ok(accounts::revoke_all(self.store(), &c.actor(), &owner).await?)
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

    /// Makes an API token for a user (administrators only), lasting
    /// `days` (default 90); the secret is shown once.
    pub async fn add_token(
        &self,
        c: &Caller,
        user: UserId,
        label: &str,
        days: Option<i64>,
    ) -> AppResult<NewToken> {
        c.may(Action::ManageUsers)?;
        let label =
            super::input::required("label", label, "กรุณาตั้งชื่อโทเค็น", "give the token a label")?;
        let user = accounts::get(self.store(), user.0)
            .await
            .map_err(|_| AppError::not_found())?;
        Ok(accounts::add_token_for(self.store(), &c.actor(), &user, label, days).await?)
    }
}

pub use crate::store::accounts::{
    NewToken, ONE_TIME_HOURS, TOKEN_DAYS, TokenInfo, Verdict, Verifier, new_secret,
};
