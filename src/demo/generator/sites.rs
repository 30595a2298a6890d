//! Categories, sites and search engines: the filtering policy, the hosts browsers ask for,
//! search URLs and made-up server addresses.

use super::*;

/// A squidGuard category list. `www` says whether visits go to `www.<domain>` (sites people
/// type) or to the bare domain (ad, tracker and update hosts).
pub(super) struct Category {
    pub(super) name: &'static str,
    pub(super) www: bool,
    pub(super) domains: &'static [&'static str],
}

/// The filtering policy: what everyone is blocked from, and what pupils are blocked from as well.
pub(super) const BLOCKED_FOR_EVERYONE: [&str; 8] =
    [ADULT.name, PROXY.name, GAMBLING.name, SELFHARM.name, EXTREMISM.name, WEAPONS.name, ADS.name, TRACKING.name];
pub(super) const BLOCKED_FOR_PUPILS: [&str; 3] = [GAMES.name, SOCIAL.name, STREAMING.name];

/// Category groups the traffic model draws from.
pub(super) const ADVERTISING: [&Category; 2] = [&ADS, &TRACKING];
pub(super) const DISTRACTIONS: [&Category; 3] = [&GAMES, &SOCIAL, &STREAMING];
pub(super) const LUNCH_TEMPTATIONS: [&Category; 2] = [&GAMES, &SOCIAL];
pub(super) const STAFF_LEISURE: [&Category; 2] = [&SOCIAL, &STREAMING];

/// A domain from one category list.
#[derive(Clone, Copy)]
pub(super) struct Site {
    pub(super) category: &'static Category,
    pub(super) domain: &'static str,
}

impl fmt::Display for Site {
    /// The host a browser asks for: `www.` in front of a bare registrable domain when the
    /// category is one people type.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dots = self.domain.matches('.').count();
        let bare = dots == 1 || (dots == 2 && [".co.uk", ".org.uk"].iter().any(|s| self.domain.ends_with(s)));
        if self.category.www && bare {
            f.write_str("www.")?;
        }
        f.write_str(self.domain)
    }
}

/// A search engine's result-page URL: `https://<host><path><terms><suffix>`.
pub(super) struct Engine {
    pub(super) host: &'static str,
    pub(super) path: &'static str,
    pub(super) suffix: &'static str,
}

impl Engine {
    pub(super) fn url(&self, terms: &str) -> String {
        format!("https://{}{}{}{}", self.host, self.path, encode_query(terms), self.suffix)
    }
}

/// Blocked searches are shown on the first engines of `ENGINES` (Google and Bing).
pub(super) const KEYWORD_ENGINES: usize = 3;

/// Query-string encoding: `+` for spaces, percent-encoding for anything not unreserved.
pub(super) fn encode_query(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(byte)),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 15)]));
            }
        }
    }
    out
}

/// A stable, public-looking server address for a host (FNV-1a of the name).
pub(super) fn server_address(host: &str) -> Ipv4Addr {
    let hash = host.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let [a, b, c, d, ..] = hash.to_le_bytes();
    Ipv4Addr::new(PUBLIC_PREFIXES[usize::from(a) % PUBLIC_PREFIXES.len()], b, c, 1 + d % 254)
}
