//! How much a category matters (the profile's `[severity]` tiers), and which category a blocked
//! search belongs to when the filter logged only "search engine" or nothing: the terms decide.

use serde::Serialize;

use crate::config::Severities;

/// A category's tier, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Safeguarding concerns.
    High,
    /// Behaviour and distraction.
    Medium,
    /// Anything else that was blocked.
    Low,
    /// Machine noise: never a finding.
    Ignored,
}

impl Severity {
    /// The tier's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Ignored => "ignored",
        }
    }
}

/// Lower-cased words of a category or search, punctuation dropped.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// True when `entry`'s words stand, in order, among `haystack`'s words. A single word of five
/// letters or more also matches inside a compound (`social` in `socialnetworking`, `proxy` in
/// `webproxy`); shorter ones only whole (`ads` is not in `downloads`).
fn mentions(haystack: &[String], entry: &str) -> bool {
    let needle = words(entry);
    match needle.len() {
        0 => false,
        1 if needle[0].len() >= 5 => haystack.iter().any(|w| w.contains(&needle[0])),
        n => haystack.windows(n).any(|w| w == needle.as_slice()),
    }
}

/// The tier of a category under the school's severities.
pub fn severity_of(category: &str, tiers: &Severities) -> Severity {
    let category_words = words(category);
    let in_tier = |tier: &[String]| tier.iter().any(|entry| mentions(&category_words, entry));
    if in_tier(&tiers.high) {
        Severity::High
    } else if in_tier(&tiers.medium) {
        Severity::Medium
    } else if in_tier(&tiers.ignored) {
        Severity::Ignored
    } else {
        Severity::Low
    }
}

/// Search phrases that say what a blocked search was after, by category. A DSL cares that a
/// pupil searched for self-harm, not that the search engine was blocked.
const SEARCH_TOPICS: &[(&str, &[&str])] = &[
    (
        "selfharm",
        &[
            "self harm",
            "selfharm",
            "suicide",
            "kill myself",
            "cutting myself",
            "hide cuts",
            "want to die",
            "end my life",
            "pro ana",
        ],
    ),
    ("proxy", &["proxy", "vpn", "unblock", "unblocked", "bypass", "tor browser", "hide history"]),
    ("adult", &["porn", "nude", "nudes", "sex", "xxx", "onlyfans"]),
    ("gambling", &["casino", "betting", "blackjack", "roulette", "slots", "poker"]),
    ("extremism", &["isis", "jihad", "white power", "great replacement", "nazi"]),
    ("weapons", &["gun", "knife", "knives", "weapon", "make a bomb"]),
    ("drugs", &["weed", "cocaine", "ketamine", "buy drugs"]),
];

/// How an export writes a search it may not show: only its topic (`topic:proxy`).
pub const TOPIC_PREFIX: &str = "topic:";

/// The category a blocked search is about, from its terms (or the topic an export kept);
/// `None` when the terms say nothing.
pub fn search_topic(terms: &str) -> Option<&'static str> {
    if let Some(kept) = terms.strip_prefix(TOPIC_PREFIX) {
        return SEARCH_TOPICS.iter().map(|(topic, _)| *topic).find(|topic| *topic == kept);
    }
    let term_words = words(terms);
    SEARCH_TOPICS.iter().find(|(_, phrases)| phrases.iter().any(|p| mentions_exactly(&term_words, p))).map(|(c, _)| *c)
}

/// Whole-word match (search terms are free text: `sex` must not match `essex`).
fn mentions_exactly(haystack: &[String], phrase: &str) -> bool {
    let needle = words(phrase);
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_match_filter_and_list_category_names() {
        let tiers = Severities::default();
        for high in
            ["adult", "Pornography", "Proxy Avoidance", "Filter Bypass (regexp)", "selfharm", "Gambling", "weapons"]
        {
            assert_eq!(severity_of(high, &tiers), Severity::High, "{high}");
        }
        for medium in ["games", "Unblocked Games", "Social Networking", "socialnetworking", "streaming"] {
            assert_eq!(severity_of(medium, &tiers), Severity::Medium, "{medium}");
        }
        for ignored in ["ads", "Advertising", "tracking", "updates"] {
            assert_eq!(severity_of(ignored, &tiers), Severity::Ignored, "{ignored}");
        }
        assert_eq!(severity_of("shopping", &tiers), Severity::Low);
        assert_eq!(severity_of("downloads", &tiers), Severity::Low, "not 'ads'");
    }

    #[test]
    fn search_terms_say_what_was_sought() {
        assert_eq!(search_topic("ways to self harm"), Some("selfharm"));
        assert_eq!(search_topic("how to bypass school filter"), Some("proxy"));
        assert_eq!(search_topic("free vpn school"), Some("proxy"));
        assert_eq!(search_topic("online casino blackjack"), Some("gambling"));
        assert_eq!(search_topic("essex county map"), None);
        assert_eq!(search_topic("water cycle diagram"), None);
        assert_eq!(search_topic("topic:gambling"), Some("gambling"));
        assert_eq!(search_topic("topic:nonsense"), None);
    }
}
