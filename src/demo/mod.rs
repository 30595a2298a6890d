//! The built-in demo: a deterministic, realistic school week of proxy logs (used by tests and by
//! `filterwatch demo`).

pub mod generator;
