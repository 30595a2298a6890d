//! Telling people: the profile's `[alerts]` settings, and (with the pipeline) the immediate
//! alerts, digests, weekly report mail and technician notices — decided in `raise`, worded in
//! `message`, queued durably in `outbox`, handed to SMTP or the webhook by `deliver` and `send`,
//! and every step appended to the alerts `log`.

pub mod settings;

#[cfg(feature = "pipeline")]
pub mod deliver;
#[cfg(feature = "pipeline")]
pub mod log;
#[cfg(feature = "pipeline")]
pub mod message;
#[cfg(feature = "pipeline")]
pub mod outbox;
#[cfg(feature = "pipeline")]
pub mod raise;
#[cfg(feature = "pipeline")]
pub mod send;
