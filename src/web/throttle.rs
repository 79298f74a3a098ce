//! Slows password guessing: after [`ATTEMPTS`] wrong passwords for one user
//! name within [`WINDOW`], that name cannot log in until the window has
//! passed since its first failure, even with the right password.
//!
//! Counted per user name, not per address: behind a proxy every clerk of an
//! office shares one address. The price is that someone can lock a name out
//! for a quarter of an hour by guessing; the lock is short and says so.
//! Counts live in memory: a restart forgets them, which only helps guessing
//! for a window's worth of attempts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords allowed per window.
pub const ATTEMPTS: u32 = 5;
/// How long failures are remembered, and how long a lock lasts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Names remembered before old entries are dropped (bounds memory).
const REMEMBERED: usize = 10_000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

fn key(username: &str) -> String {
    username.trim().to_lowercase()
}

impl LoginThrottle {
    /// Whether `username` may try a password at `now`; if not, how long
    /// until it may.
    pub fn check(&self, username: &str, now: Instant) -> Result<(), Duration> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match failures.get(&key(username)) {
            Some(&(count, first)) if count >= ATTEMPTS && now.duration_since(first) < WINDOW => {
                Err(WINDOW - now.duration_since(first))
            }
            _ => Ok(()),
        }
    }

    /// A wrong password for `username` at `now`.
    pub fn failed(&self, username: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= REMEMBERED {
            failures.retain(|_, (_, first)| now.duration_since(*first) < WINDOW);
        }
        let entry = failures.entry(key(username)).or_insert((0, now));
        if now.duration_since(entry.1) >= WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    /// A successful login: the name's failures are forgotten.
    pub fn succeeded(&self, username: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&key(username));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_attempts_and_opens_after_the_window() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for i in 0..ATTEMPTS {
            assert!(t.check("Somchai", start).is_ok(), "attempt {i}");
            t.failed("somchai", start + Duration::from_secs(u64::from(i)));
        }
        let wait = t
            .check(" SOMCHAI ", start + Duration::from_secs(60))
            .unwrap_err();
        assert_eq!(wait, WINDOW - Duration::from_secs(60));
        assert!(
            t.check("somying", start).is_ok(),
            "other names are not locked"
        );
        assert!(t.check("somchai", start + WINDOW).is_ok());
        // A failure after the window starts a new count.
        t.failed("somchai", start + WINDOW);
        assert!(t.check("somchai", start + WINDOW).is_ok());
    }

    #[test]
    fn success_forgets_failures() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..ATTEMPTS - 1 {
            t.failed("somchai", now);
        }
        t.succeeded("somchai");
        t.failed("somchai", now);
        assert!(t.check("somchai", now).is_ok());
    }
}
