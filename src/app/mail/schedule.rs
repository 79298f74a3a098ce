//! The mail schedule `serve` runs: fetch every office's mailbox every
//! `SARABAN_MAIL_FETCH_MINUTES` (default 5; 0 turns it off; nothing is
//! contacted while no office has a mailbox), and send the day's digest of
//! notices at `SARABAN_DIGEST_HOUR` o'clock Bangkok time (default 7).

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::super::App;
use crate::store::bangkok;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// How long from `now` until the next `hour`:00 in Bangkok.
pub fn until_hour(now: DateTime<Utc>, hour: u32) -> Duration {
    let local = now.with_timezone(&bangkok());
    let today = local
        .date_naive()
        .and_hms_opt(hour.min(23), 0, 0)
        .expect("a valid hour");
    let mut next = today
        .and_local_timezone(bangkok())
        .single()
        .expect("a fixed offset has one time");
    if next <= local {
        next += chrono::Duration::days(1);
    }
    (next.with_timezone(&Utc) - now)
        .to_std()
        .unwrap_or(Duration::from_secs(60))
}

impl App {
    /// Starts the schedule (see the module); abort the handles to stop it.
    pub fn start_mail_schedule(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        let minutes = env_number("SARABAN_MAIL_FETCH_MINUTES", 5);
        if minutes > 0 {
            let app = self.clone();
            tasks.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(minutes * 60));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    for r in app.mail_fetch_all(Utc::now()).await {
                        if r.letters + r.replies + r.bounces > 0 {
                            tracing::info!(
                                office = r.office_id,
                                letters = r.letters,
                                replies = r.replies,
                                bounces = r.bounces,
                                "mail fetched"
                            );
                        }
                    }
                }
            }));
        }
        let hour = env_number("SARABAN_DIGEST_HOUR", 7) as u32;
        let app = self.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                tokio::time::sleep(until_hour(Utc::now(), hour)).await;
                match app.send_digests(Utc::now()).await {
                    Ok(n) if n > 0 => tracing::info!(digests = n, "notice digests sent"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "notice digests not sent"),
                }
            }
        }));
        tasks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_digest_is_at_the_hour_in_bangkok() {
        // 2026-12-04 23:30 UTC is 06:30 on the 5th in Bangkok.
        let now = DateTime::parse_from_rfc3339("2026-12-04T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(until_hour(now, 7), Duration::from_secs(30 * 60));
        // Past the hour: tomorrow's.
        assert_eq!(until_hour(now, 6), Duration::from_secs(23 * 3600 + 30 * 60));
    }
}
