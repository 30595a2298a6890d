#![warn(missing_docs)]
//! filterwatch: the web-filter and proxy logs of UK schools turned into the monitoring their
//! e-safety policies promise. Data flows one way: formats → enrich → ingest → store → queries → detect → report.

//!
//! The parsers, the profile loader and the enrichment helpers build without the `pipeline`
//! feature (on by default), so they can be fuzzed without compiling polars, arrow and typst.

pub mod config;
pub mod enrich;
pub mod escape;
pub mod formats;
pub mod private_fs;
pub mod safe_csv;
pub mod stored_path;
pub mod week;

#[cfg(feature = "pipeline")]
pub mod aggregate;
#[cfg(feature = "pipeline")]
pub mod cmd;
#[cfg(feature = "pipeline")]
pub mod demo;
#[cfg(feature = "pipeline")]
pub mod detect;
#[cfg(feature = "pipeline")]
pub mod event;
#[cfg(feature = "pipeline")]
pub mod ingest;
#[cfg(feature = "pipeline")]
pub mod locate;
#[cfg(feature = "pipeline")]
pub mod nightly;
#[cfg(feature = "pipeline")]
pub mod queries;
#[cfg(feature = "pipeline")]
pub mod report;
#[cfg(feature = "pipeline")]
pub mod store;
