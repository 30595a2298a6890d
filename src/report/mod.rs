//! What people read: findings as a terminal table, CSV or JSON; charts; the weekly PDF and the
//! incident-log CSV.

pub mod charts;
pub mod findings;
pub mod incident_log;
pub mod pdf;
pub mod silence;
pub mod weekly;
