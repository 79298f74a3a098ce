//! Group commit for issuing numbers: concurrent `numbering::issue` calls in
//! one process share one transaction, and so one disk flush, while each
//! still gets its own number, register row and audit event.
//!
//! Gap-freedom is unchanged: the batch commits whole or not at all. If it
//! fails, each request is retried alone so that it gets its own outcome.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::audit::Appender;
use super::exec::Exec;
use super::numbering::{Entry, Issued, Series, issue_alone, issue_in};
use super::offices::Office;
use super::{Actor, Store, StoreError};

/// Most requests one transaction takes.
const MAX_BATCH: usize = 256;

pub(crate) struct Job {
    pub actor: Actor,
    pub at: DateTime<Utc>,
    pub office: Office,
    pub series: Series,
    pub entry: Entry,
    pub reply: oneshot::Sender<Result<Issued, StoreError>>,
}

pub(crate) type Queue = mpsc::UnboundedSender<Job>;

/// Starts the writer task on the current Tokio runtime. It ends when the
/// last `Store` holding the queue is dropped.
pub(crate) fn spawn(store: Store) -> Queue {
    let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            run(&store, jobs).await;
        }
    });
    tx
}

async fn run(store: &Store, jobs: Vec<Job>) {
    if jobs.len() == 1 {
        let job = jobs.into_iter().next().expect("one job");
        let out = issue_alone(
            store,
            &job.actor,
            job.at,
            &job.office,
            job.series,
            &job.entry,
        )
        .await;
        let _ = job.reply.send(out);
        return;
    }
    match together(store, &jobs).await {
        Ok(outcomes) => {
            for (job, out) in jobs.into_iter().zip(outcomes) {
                let _ = job.reply.send(out);
            }
        }
        Err(_) => {
            for job in jobs {
                let out = issue_alone(
                    store,
                    &job.actor,
                    job.at,
                    &job.office,
                    job.series,
                    &job.entry,
                )
                .await;
                let _ = job.reply.send(out);
            }
        }
    }
}

/// One transaction for all jobs. A job's own bad input (checked before it
/// writes) is its own error; a database error aborts the whole batch.
async fn together(
    store: &Store,
    jobs: &[Job],
) -> Result<Vec<Result<Issued, StoreError>>, StoreError> {
    if let Some(tx) = store.begin_direct() {
        let mut tx = tx?;
        let outcomes = together_in(&mut tx, jobs).await?;
        tx.commit()?;
        return Ok(outcomes);
    }
    let mut tx = store.begin_write().await?;
    let outcomes = together_in(&mut tx, jobs).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// [`together`]'s work inside its transaction, audit events included.
async fn together_in<E: Exec>(
    tx: &mut E,
    jobs: &[Job],
) -> Result<Vec<Result<Issued, StoreError>>, StoreError> {
    let mut audit = Appender::start(tx, &jobs[0].actor, jobs[0].at).await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        audit.act_as(&job.actor, job.at);
        match issue_in(
            tx,
            &mut audit,
            job.at,
            &job.office,
            job.series,
            &job.entry,
            None,
        )
        .await
        {
            Err(
                e @ (StoreError::Database(_)
                | StoreError::Busy(_)
                | StoreError::Serialization(_)
                | StoreError::StorageFull(_)),
            ) => return Err(e),
            other => outcomes.push(other),
        }
    }
    audit.finish(tx).await?;
    Ok(outcomes)
}

/// The queue slot a `Store` carries; empty until the first issue.
pub(crate) type Slot = Arc<std::sync::OnceLock<Queue>>;
