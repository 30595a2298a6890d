//! What people read: findings as a terminal table, CSV or JSON (and, later, charts and the
//! weekly PDF).

pub mod findings;
