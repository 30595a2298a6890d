#![warn(missing_docs)]
//! filterwatch: the web-filter and proxy logs of UK schools turned into the monitoring their
//! e-safety policies promise.
//!
//! Data flows one way. `formats` (one parser per log format, listed in `formats::registry`)
//! → `enrich` (the school context: roster, category lists, roles, domains, search terms, school
//! clock) → `ingest` (parallel parse into `event` rows) → `store` (the hive-partitioned dataset,
//! its manifest and atomic publish) → `queries` (the portable SQL, run by an `engine`: polars here
//! or a Spark cluster) → `detect` (high-risk incidents, spikes, staff out of hours, repeated pupil
//! attempts: `Findings`) → `report` (tables, CSVs, charts, the weekly PDF) and `alerts` (the
//! profile's `[alerts]`; the outbox, SMTP and webhook). `nightly` strings them together for cron
//! and `watch` as the logs are written, for immediate alerts; `aggregate` is the local
//! authority's side (pseudonymised export, cross-school view); `locate` finds a finding's raw
//! lines again for `evidence`; `demo` generates a school week. Shared by all: `config` (validated
//! settings), `safe_csv`, `escape`, `private_fs`, `stored_path`, `week`.
//!
//! The parsers, the profile loader and the enrichment helpers build without the `pipeline`
//! feature (on by default), so they can be fuzzed without compiling polars, arrow and typst.

pub mod alerts;
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
pub mod column_builder;
#[cfg(feature = "pipeline")]
pub mod demo;
#[cfg(feature = "pipeline")]
pub mod detect;
#[cfg(feature = "pipeline")]
pub mod engine;
#[cfg(feature = "pipeline")]
pub mod event;
#[cfg(feature = "pipeline")]
pub mod incidents;
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
#[cfg(feature = "pipeline")]
pub mod watch;
