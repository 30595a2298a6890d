//! Messages waiting to be delivered, one file each under `DATA/alerts/outbox/<school>/`, so a
//! delivery that fails (the mail server is down, the webhook times out) is kept across restarts
//! and retried with backoff, and delivery never holds up ingest. A message leaves the outbox
//! only when its server accepted it. One process delivers at a time (`outbox/.lock`).

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::private_fs::write_atomically;

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// E-mail over SMTP.
    Email,
    /// A JSON POST to the webhook.
    Webhook,
}

impl Channel {
    /// The channel's name in file names and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }
}

/// One message for one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    /// Unique and stable: the `Message-ID` of the mail, the webhook's `id`.
    pub id: String,
    /// School id.
    pub school: String,
    /// The channel.
    pub channel: Channel,
    /// What it is about (`alert`, `digest`, `weekly`, `silent`, `resumed`) and the finding ids.
    pub about: String,
    /// Finding ids it tells of.
    pub findings: Vec<String>,
    /// Recipients (e-mail).
    pub to: Vec<String>,
    /// Subject line (e-mail).
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Files attached (e-mail): the weekly PDF and incident log.
    pub attachments: Vec<PathBuf>,
    /// The webhook's JSON document.
    pub json: Option<serde_json::Value>,
    /// When it was queued.
    pub queued: DateTime<Utc>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Not to be tried before this.
    pub next_attempt: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Seconds before the first retry; doubled each time, up to [`MAX_BACKOFF_SECS`].
const FIRST_BACKOFF_SECS: i64 = 15;
/// Longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 600;

impl Outgoing {
    /// The wait after `attempts` failed attempts.
    pub fn backoff(attempts: u32) -> chrono::Duration {
        let secs = FIRST_BACKOFF_SECS.saturating_mul(1 << attempts.saturating_sub(1).min(10)).min(MAX_BACKOFF_SECS);
        chrono::Duration::seconds(secs)
    }
}

/// One school's outbox folder.
pub struct Outbox {
    dir: PathBuf,
}

/// Held while delivering, so two processes never send the same message.
pub struct DeliveryLock {
    _file: File,
}

impl Outbox {
    /// The school's outbox in a dataset folder.
    pub fn new(data: &Path, school: &str) -> Outbox {
        Outbox { dir: data.join("alerts").join("outbox").join(school) }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, id: &str, channel: Channel) -> PathBuf {
        self.dir.join(format!("{id}.{}.json", channel.as_str()))
    }

    /// Queues a message; queuing the same id and channel again changes nothing.
    pub fn put(&self, message: &Outgoing) -> Result<bool> {
        std::fs::create_dir_all(&self.dir).with_context(|| format!("cannot create {}", self.dir.display()))?;
        let path = self.path_of(&message.id, message.channel);
        if path.exists() {
            return Ok(false);
        }
        write_atomically(&path, &serde_json::to_vec_pretty(message)?)?;
        Ok(true)
    }

    /// Every queued message, oldest first; a damaged file is reported, not skipped silently.
    pub fn queued(&self) -> Result<Vec<(PathBuf, Result<Outgoing, String>)>> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Ok(Vec::new()) };
        let mut found = Vec::new();
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let message = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| serde_json::from_slice::<Outgoing>(&bytes).map_err(|e| e.to_string()));
            found.push((path, message));
        }
        found.sort_by_key(|(_, m)| m.as_ref().map(|m| m.queued).ok());
        Ok(found)
    }

    /// Takes the delivery lock, or `None` when another process is delivering.
    pub fn try_lock(&self) -> Result<Option<DeliveryLock>> {
        let file = crate::private_fs::open_lock(&self.dir.join(".lock"))?;
        Ok(file.try_lock().is_ok().then_some(DeliveryLock { _file: file }))
    }

    /// Removes a delivered message.
    pub fn delivered(&self, path: &Path) -> Result<()> {
        std::fs::remove_file(path).with_context(|| format!("cannot remove delivered {}", path.display()))
    }

    /// Records a failed attempt and when to try again.
    pub fn failed(&self, path: &Path, message: &mut Outgoing, error: String, now: DateTime<Utc>) -> Result<()> {
        message.attempts += 1;
        message.next_attempt = now + Outgoing::backoff(message.attempts);
        message.last_error = Some(error);
        write_atomically(path, &serde_json::to_vec_pretty(message)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_ten_minutes() {
        let secs: Vec<i64> = (1..=8).map(|n| Outgoing::backoff(n).num_seconds()).collect();
        assert_eq!(secs, vec![15, 30, 60, 120, 240, 480, 600, 600]);
        assert_eq!(Outgoing::backoff(u32::MAX).num_seconds(), 600);
    }
}
