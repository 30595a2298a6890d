//! What people read: findings as a terminal table, CSV or JSON; charts; the weekly PDF, the
//! incident-log CSV and the annual review pack.

pub mod charts;
pub mod findings;
pub mod incident_log;
pub mod pdf;
pub mod review;
pub mod silence;
pub mod weekly;
