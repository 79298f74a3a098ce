//! API tokens resolved to their user and office, remembered for a moment.
//!
//! Every API request names its caller; looking the token up, then the
//! office, was two of the inbox's three database round trips. A resolved
//! token is kept for [`TTL`] and forgotten at once when this process
//! commits any change to users, tokens or offices (the store's auth epoch
//! moves). A change made by another process (the command line beside a
//! running server, a second server on the same PostgreSQL) is seen within
//! [`TTL`]: a revoked token may answer for up to that long there. Only
//! tokens that resolved are kept, so a guess costs a lookup every time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::accounts::User;
use crate::store::offices::Office;

/// How long a resolved token is trusted without asking the database.
pub const TTL: Duration = Duration::from_secs(1);

/// More distinct tokens than this in one TTL: start again (bounds memory).
const MOST: usize = 10_000;

/// Tokens (by their SHA-256) to the user and office they stood for.
pub(crate) type CallerCache = Remembered<(User, Office)>;

struct Entry<V> {
    value: V,
    at: Instant,
    epoch: u64,
}

/// Values by key, each good for [`TTL`] and while the epoch it was read
/// under is the store's.
#[derive(Clone)]
pub(crate) struct Remembered<V> {
    entries: Arc<Mutex<HashMap<String, Entry<V>>>>,
}

impl<V> Default for Remembered<V> {
    fn default() -> Self {
        Remembered {
            entries: Arc::default(),
        }
    }
}

impl<V: Clone> Remembered<V> {
    /// The value for `key`, if it is still current under `epoch`.
    pub(crate) fn get(&self, key: &str, epoch: u64) -> Option<V> {
        let entries = self.entries.lock().expect("caller cache lock");
        let e = entries.get(key)?;
        (e.epoch == epoch && e.at.elapsed() < TTL).then(|| e.value.clone())
    }

    /// Remembers `value` for `key`; `epoch` is the store's auth epoch read
    /// before the lookup began, so a change that committed during the
    /// lookup leaves the entry already stale.
    pub(crate) fn put(&self, key: String, epoch: u64, value: V) {
        self.put_at(key, epoch, value, Instant::now());
    }

    fn put_at(&self, key: String, epoch: u64, value: V, at: Instant) {
        let mut entries = self.entries.lock().expect("caller cache lock");
        if entries.len() >= MOST {
            entries.clear();
        }
        entries.insert(key, Entry { value, at, epoch });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_lasts_until_the_epoch_moves_or_its_time_is_up() {
        let cache = Remembered::<&str>::default();
        cache.put("token".into(), 7, "somchai");
        assert_eq!(cache.get("token", 7), Some("somchai"));
        assert_eq!(cache.get("other", 7), None);
        // A change committed in this process: forgotten at once.
        assert_eq!(cache.get("token", 8), None);
        // Older than the TTL (a change elsewhere is seen by then).
        let old = Instant::now() - TTL - Duration::from_millis(1);
        cache.put_at("token".into(), 7, "somchai", old);
        assert_eq!(cache.get("token", 7), None);
    }

    #[test]
    fn memory_is_bounded() {
        let cache = Remembered::<usize>::default();
        for i in 0..MOST + 5 {
            cache.put(i.to_string(), 0, i);
        }
        assert!(cache.entries.lock().unwrap().len() <= MOST);
        assert_eq!(cache.get(&(MOST + 4).to_string(), 0), Some(MOST + 4));
    }
}
