//! Working through a school's outbox: every message whose time has come is handed to its
//! server; accepted ones leave the outbox and are logged `sent`, refused ones stay with their
//! next attempt pushed back ([`super::outbox::Outgoing::backoff`]) and are logged `retry`.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::log::{append, LogEntry};
use super::outbox::Outbox;
use super::send::send;
use crate::config::Profile;

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// Messages accepted by their server.
    pub sent: usize,
    /// Messages still waiting (not yet due, or failed this time).
    pub waiting: usize,
    /// The earliest next attempt among those waiting.
    pub next_due: Option<DateTime<Utc>>,
    /// One line per failed attempt or damaged outbox file.
    pub problems: Vec<String>,
}

impl Delivery {
    /// Counts a message waiting until `due`.
    fn wait_for(&mut self, due: DateTime<Utc>) {
        self.waiting += 1;
        self.next_due = Some(self.next_due.map_or(due, |d| d.min(due)));
    }
}

/// Delivers the school's due messages; does nothing while another process is delivering.
pub fn deliver_due(data: &Path, profile: &Profile, now: DateTime<Utc>) -> Result<Delivery> {
    let outbox = Outbox::new(data, &profile.id);
    let mut delivery = Delivery::default();
    if !outbox.dir().exists() {
        return Ok(delivery);
    }
    let Some(_lock) = outbox.try_lock()? else { return Ok(delivery) };
    for (path, message) in outbox.queued()? {
        let mut message = match message {
            Ok(m) => m,
            Err(why) => {
                delivery.problems.push(format!("damaged outbox file {}: {why}", path.display()));
                continue;
            }
        };
        if message.next_attempt > now {
            delivery.wait_for(message.next_attempt);
            continue;
        }
        let channel = Some(message.channel.as_str());
        match send(&message, &profile.alerts) {
            Ok(()) => {
                outbox.delivered(&path)?;
                let entry = LogEntry {
                    at: Utc::now(),
                    event: "sent",
                    id: &message.id,
                    channel,
                    findings: &message.findings,
                    detail: None,
                };
                append(data, &profile.id, &entry)?;
                delivery.sent += 1;
            }
            Err(error) => {
                let why = crate::cmd::one_line(&error);
                outbox.failed(&path, &mut message, why.clone(), Utc::now())?;
                let entry = LogEntry {
                    at: Utc::now(),
                    event: "retry",
                    id: &message.id,
                    channel,
                    findings: &message.findings,
                    detail: Some(&why),
                };
                append(data, &profile.id, &entry)?;
                delivery.problems.push(format!(
                    "cannot deliver {} by {}: {why}; next attempt {}",
                    message.id,
                    message.channel.as_str(),
                    message.next_attempt.format("%H:%M:%S UTC")
                ));
                delivery.wait_for(message.next_attempt);
            }
        }
    }
    Ok(delivery)
}
