//! Vendor categories mapped onto one common set (UKSIC content categories and the noise
//! categories), so that severities, detections and reports work the same whatever the filter.
//! Categories that map to nothing are kept as the vendor wrote them.

/// (words any of which in a vendor category name means …, the common category).
const COMMON: &[(&[&str], &str)] = &[
    (&["self-harm", "self harm", "suicide", "eating disorder"], "selfharm"),
    (&["proxy", "anonymizer", "anonymiser", "vpn", "tunnel", "remote access", "filter avoidance", "bypass"], "proxy"),
    (&["pornography", "adult", "nudity", "sexual", "sex education", "lingerie"], "adult"),
    (&["gambling", "betting", "lottery"], "gambling"),
    (&["extremis", "terroris", "radicali", "militancy"], "extremism"),
    (&["hate", "racism", "discrimination", "intolerance"], "hate"),
    (&["weapon"], "weapons"),
    (&["illegal drug", "drugs", "drug abuse", "marijuana"], "drugs"),
    (&["violence", "violent"], "violence"),
    (&["game"], "games"),
    (&["social network", "social media", "dating", "chat", "instant messag"], "socialnetworking"),
    (&["streaming", "video", "internet radio", "media sharing", "peer-to-peer", "p2p"], "streaming"),
    (&["advertis", "web ads"], "ads"),
    (&["tracking", "analytics", "web analytics"], "tracking"),
    (
        &[
            "malware",
            "phishing",
            "spyware",
            "malicious",
            "botnet",
            "command and control",
            "newly registered",
            "cryptomining",
        ],
        "security",
    ),
    (&["software update", "software download", "updates"], "updates"),
    (&["education", "reference"], "education"),
    (&["search engine"], "search"),
    (&["health", "medic"], "health"),
    (&["news"], "news"),
];

/// The common category for a vendor's category name, or the name itself (lower-cased) when no
/// common category fits.
pub fn common_category(vendor: &str) -> String {
    let lower = vendor.trim().to_lowercase();
    COMMON
        .iter()
        .find(|(words, _)| words.iter().any(|w| lower.contains(w)))
        .map_or(lower.clone(), |(_, common)| common.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_names_map_to_the_common_set() {
        assert_eq!(common_category("Pornography"), "adult");
        assert_eq!(common_category("Proxy Avoidance"), "proxy");
        assert_eq!(common_category("Proxy"), "proxy");
        assert_eq!(common_category("Anonymizers"), "proxy");
        assert_eq!(common_category("Gambling"), "gambling");
        assert_eq!(common_category("Extremist Groups"), "extremism");
        assert_eq!(common_category("Self-Harm"), "selfharm");
        assert_eq!(common_category("Games"), "games");
        assert_eq!(common_category("Social Networking"), "socialnetworking");
        assert_eq!(common_category("Advertising"), "ads");
        assert_eq!(common_category("Health and Wellness"), "health");
        assert_eq!(common_category("News and Media"), "news");
        assert_eq!(common_category("Sex Education"), "adult");
        assert_eq!(common_category("Internet Telephony"), "internet telephony");
    }
}
