//! filterwatch: the web-filter and proxy logs of UK schools turned into the monitoring their
//! e-safety policies promise. Data flows one way: formats → enrich → ingest → store.

pub mod cmd;
pub mod config;
pub mod demo;
pub mod enrich;
pub mod event;
pub mod formats;
pub mod ingest;
pub mod store;
