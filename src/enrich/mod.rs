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

/// The hash map of the per-line lookups (host and user caches, category lists): foldhash, seeded
/// per map. The standard SipHash was ~5% of ingest's CPU (benches/profile_ingest.sh); this cut
/// ingest's CPU by ~4%. Every cache it backs is bounded, so a log crafted to collide costs time,
/// never memory.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
