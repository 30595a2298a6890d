//! Enrichment: from a parsed line to a normalised event. Adds what the school knows and the log
//! does not say: the user's role and year group (roster, then the profile's rules), the
//! registrable domain, search terms, the category (the filter's own, else the category lists),
//! and the school-local date and time.

pub mod categories;
pub mod clock;
pub mod roster;
pub mod search;
pub mod url;
pub mod users;

#[cfg(feature = "pipeline")]
mod enricher;
#[cfg(feature = "pipeline")]
pub use enricher::{role_of, Enricher, SchoolContext};
