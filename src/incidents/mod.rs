//! What was done about each finding: the append-only incident register, the suppressions a
//! false positive can add, and the evidence lines kept with each incident so it outlives the
//! events' retention.

pub mod evidence;
pub mod register;
pub mod suppress;

use serde::{Deserialize, Serialize};

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Found, nobody has acted yet.
    New,
    /// Someone is looking into it.
    Investigating,
    /// Something was done (talked to the pupil, told parents, referred).
    ActionTaken,
    /// Dealt with.
    Closed,
    /// Not an incident after all.
    FalsePositive,
}

impl Status {
    /// Every status, in the order an incident usually moves through them.
    pub const ALL: [Status; 5] =
        [Status::New, Status::Investigating, Status::ActionTaken, Status::Closed, Status::FalsePositive];

    /// The status as written in the register.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Investigating => "investigating",
            Status::ActionTaken => "action-taken",
            Status::Closed => "closed",
            Status::FalsePositive => "false-positive",
        }
    }

    /// Parses a status as written in the register.
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the incident still needs someone (not closed, not a false positive).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::FalsePositive)
    }
}
