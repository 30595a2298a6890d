//! filterwatch: the web-filter and proxy logs of UK schools turned into the monitoring their
//! e-safety policies promise. Data flows one way: formats → enrich → ingest → store → queries → detect → report.

pub mod cmd;
pub mod config;
pub mod demo;
pub mod detect;
pub mod enrich;
pub mod event;
pub mod formats;
pub mod ingest;
pub mod nightly;
pub mod queries;
pub mod report;
pub mod store;
