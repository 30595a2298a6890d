//! What leaves a school: a pseudonymised export of its events for the local authority (no
//! username, client address, device name, URL path, search term or user agent survives), and
//! the cross-school views built on it, with small numbers of people never published.

pub mod cache;
pub mod disclosure;
pub mod export;
pub mod la_report;
pub mod pseudonym;
pub mod site;
pub mod trends;
pub mod views;
