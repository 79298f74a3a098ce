//! Is the database answering? `GET /health` asks. A SQLite file answers
//! `SELECT 1` on the caller's thread; on PostgreSQL, probes that arrive
//! while one `SELECT 1` is running wait for that one instead of queueing
//! their own, so a load balancer polling hard costs one query at a time.
//!
//! Every answer comes from a probe that was still running when the request
//! arrived: never a remembered verdict.

use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

use crate::store::{Store, StoreError};

type Probe = Shared<BoxFuture<'static, Result<(), String>>>;

/// The probe in flight, if any, numbered so that a finished one is cleared
/// only by its own callers.
#[derive(Clone, Default)]
pub(crate) struct HealthProbe {
    in_flight: Arc<Mutex<(u64, Option<Probe>)>>,
}

impl HealthProbe {
    /// `Ok` when the database answered, else why not (in English).
    pub(crate) async fn check(&self, store: &Store) -> Result<(), String> {
        // A SQLite file answers on this thread at once: nothing to share.
        if let Some(verdict) = store.read_here("SELECT 1", &[]) {
            return verdict.map(|_| ()).map_err(|e| e.to_string());
        }
        let (id, probe) = {
            let mut slot = self.in_flight.lock().expect("health probe lock");
            match &slot.1 {
                Some(p) => (slot.0, p.clone()),
                None => {
                    slot.0 += 1;
                    let store = store.clone();
                    let p = async move {
                        store
                            .read_rows("SELECT 1", &[])
                            .await
                            .map(|_| ())
                            .map_err(|e: StoreError| e.to_string())
                    }
                    .boxed()
                    .shared();
                    slot.1 = Some(p.clone());
                    (slot.0, p)
                }
            }
        };
        let verdict = probe.await;
        let mut slot = self.in_flight.lock().expect("health probe lock");
        if slot.0 == id {
            slot.1 = None;
        }
        verdict
    }
}
