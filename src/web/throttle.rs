//! Slows password guessing. Every login attempt is counted *before* its
//! password is checked: [`LoginThrottle::begin`] reserves one attempt for
//! the user name and one for the source address, or refuses when either has
//! used up its allowance for the window. A parallel burst therefore gets no
//! more checks than a sequence would: once the allowance is taken, even the
//! right password in the same burst is refused. A successful login forgets
//! the name's failures and gives back the address's reservation; an attempt
//! that was never checked (the service was too busy) gives both back.
//!
//! Limits: [`ATTEMPTS`] per user name and [`ADDRESS_ATTEMPTS`] per address
//! within [`WINDOW`]; a locked key opens again once the window has passed
//! since its first counted attempt. The address allowance is larger because
//! behind a proxy or NAT every clerk of an office shares one address; the
//! name allowance is what stops guessing one account. The price is that
//! someone can lock a name out for a quarter of an hour by guessing; the
//! lock is short and says so.
//!
//! The address is the TCP peer (`ConnectInfo`). `X-Forwarded-For` is used
//! only when the peer is a loopback address (a reverse proxy on the same
//! host), and then its *right-most* entry, the one that proxy appended:
//! the left-most entry is whatever the client chose to send, so trusting it
//! would let each guess claim a new address. Counts live in memory: a
//! restart forgets them, which only helps guessing for a window's worth of
//! attempts.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

/// Attempts allowed per user name per window.
pub const ATTEMPTS: u32 = 5;
/// Attempts allowed per source address per window.
pub const ADDRESS_ATTEMPTS: u32 = 30;
/// How long attempts are remembered, and how long a lock lasts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys remembered before old entries are dropped (bounds memory).
const REMEMBERED: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Name(String),
    Address(IpAddr),
}

impl Key {
    fn limit(&self) -> u32 {
        match self {
            Key::Name(_) => ATTEMPTS,
            Key::Address(_) => ADDRESS_ATTEMPTS,
        }
    }
}

#[derive(Default)]
pub struct LoginThrottle {
    /// Per key: attempts counted in the window, and when the window began.
    counts: Mutex<HashMap<Key, (u32, Instant)>>,
}

fn name_key(username: &str) -> Key {
    Key::Name(username.trim().to_lowercase())
}

/// One counted attempt. Dropped without a word, it stays counted (a wrong
/// password); [`Attempt::succeeded`] and [`Attempt::unchecked`] settle it
/// otherwise.
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    keys: Vec<Key>,
}

impl Attempt<'_> {
    /// The right password: the name's count is forgotten and the address's
    /// reservation given back.
    pub fn succeeded(self) {
        let mut counts = self.throttle.lock();
        for key in &self.keys {
            match key {
                Key::Name(_) => {
                    counts.remove(key);
                }
                Key::Address(_) => release(&mut counts, key),
            }
        }
    }

    /// The password was never checked: both reservations are given back.
    pub fn unchecked(self) {
        let mut counts = self.throttle.lock();
        for key in &self.keys {
            release(&mut counts, key);
        }
    }
}

fn release(counts: &mut HashMap<Key, (u32, Instant)>, key: &Key) {
    if let Some(entry) = counts.get_mut(key) {
        entry.0 = entry.0.saturating_sub(1);
    }
}

impl LoginThrottle {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (u32, Instant)>> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts an attempt for `username` (and `address`, when known) at
    /// `now`, or, when either is out of attempts, says how long until it
    /// may try again. Checking and counting are one step under one lock.
    pub fn begin(
        &self,
        username: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt<'_>, Duration> {
        let mut keys = vec![name_key(username)];
        keys.extend(address.map(Key::Address));
        let mut counts = self.lock();
        if counts.len() >= REMEMBERED {
            counts.retain(|_, (_, first)| now.duration_since(*first) < WINDOW);
        }
        let mut wait = Duration::ZERO;
        for key in &keys {
            if let Some(&(count, first)) = counts.get(key) {
                let age = now.duration_since(first);
                if age < WINDOW && count >= key.limit() {
                    wait = wait.max(WINDOW - age);
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        for key in &keys {
            let entry = counts.entry(key.clone()).or_insert((0, now));
            if now.duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        Ok(Attempt {
            throttle: self,
            keys,
        })
    }
}

/// The address a request came from, as the throttle counts it (see the
/// module's comment); `None` when the server was not given peer addresses
/// (requests made in-process).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    pub fn of(peer: Option<SocketAddr>, headers: &HeaderMap) -> ClientAddr {
        let Some(peer) = peer else {
            return ClientAddr(None);
        };
        if peer.ip().is_loopback() {
            // Only the right-most entry: when it is not an address, the
            // peer counts (never an entry further left, which the client wrote).
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|a| a.trim().parse::<IpAddr>().ok());
            if let Some(client) = forwarded {
                return ClientAddr(Some(client));
            }
        }
        ClientAddr(Some(peer.ip()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientAddr::of(peer, &parts.headers))
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
            let at = start + Duration::from_secs(u64::from(i));
            drop(t.begin("somchai", None, at).expect("allowed"));
        }
        let wait = t
            .begin(" SOMCHAI ", None, start + Duration::from_secs(60))
            .err()
            .unwrap();
        assert_eq!(wait, WINDOW - Duration::from_secs(60));
        assert!(
            t.begin("somying", None, start).is_ok(),
            "other names are not locked"
        );
        assert!(t.begin("somchai", None, start + WINDOW).is_ok());
    }

    #[test]
    fn attempts_are_counted_before_they_are_checked() {
        // A burst: all attempts begin before any is settled.
        let t = LoginThrottle::default();
        let now = Instant::now();
        let begun: Vec<_> = (0..20).map(|_| t.begin("somchai", None, now)).collect();
        assert_eq!(
            begun.iter().filter(|a| a.is_ok()).count(),
            ATTEMPTS as usize
        );
        drop(begun);
        assert!(t.begin("somchai", None, now).is_err());
    }

    #[test]
    fn success_forgets_and_unchecked_gives_back() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..ATTEMPTS - 1 {
            drop(t.begin("somchai", None, now).unwrap());
        }
        t.begin("somchai", None, now).unwrap().succeeded();
        for _ in 0..ATTEMPTS - 1 {
            drop(t.begin("somchai", None, now).unwrap());
        }
        for _ in 0..10 {
            t.begin("somchai", None, now).unwrap().unchecked();
        }
        assert!(t.begin("somchai", None, now).is_ok());
    }

    #[test]
    fn an_address_is_limited_across_names() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let addr: IpAddr = "192.0.2.7".parse().unwrap();
        for i in 0..ADDRESS_ATTEMPTS {
            drop(t.begin(&format!("user{i}"), Some(addr), now).unwrap());
        }
        assert!(t.begin("someone-new", Some(addr), now).is_err());
        assert!(t.begin("someone-new", None, now).is_ok());
        // A success gives back only its own reservation.
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        for i in 0..ADDRESS_ATTEMPTS - 1 {
            drop(t.begin(&format!("user{i}"), Some(other), now).unwrap());
        }
        t.begin("right", Some(other), now).unwrap().succeeded();
        assert!(t.begin("again", Some(other), now).is_ok());
        assert!(t.begin("and-again", Some(other), now).is_err());
    }

    #[test]
    fn forwarded_for_is_trusted_only_from_loopback() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.4".parse().unwrap(),
        );
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let remote: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        assert_eq!(
            ClientAddr::of(Some(local), &h).0,
            Some("198.51.100.4".parse().unwrap())
        );
        assert_eq!(
            ClientAddr::of(Some(remote), &h).0,
            Some("192.0.2.1".parse().unwrap())
        );
        assert_eq!(ClientAddr::of(None, &h).0, None);
    }
}
