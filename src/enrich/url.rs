//! Host, registrable domain and full URL from whatever a log wrote: `http://host/path`,
//! `https://host:443` (e2guardian CONNECT), `host:443` (Squid CONNECT) or a bare `host/path`.

use std::borrow::Cow;

/// The parts of a logged URL that the event keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// Lower-cased host without port, userinfo or trailing dot.
    pub host: Cow<'a, str>,
    /// The full URL, unless the request was a plain CONNECT tunnel.
    pub url: Option<&'a str>,
    /// Path and query (from the first `/` after the host), for search-term and URL-list matching.
    pub path: &'a str,
}

/// Splits a logged URL; `None` when there is no host at all.
pub fn split_url<'a>(url: &'a str, method: &str) -> Option<UrlParts<'a>> {
    // RFC 3986 scheme characters, plus `_` for Squid's own `cache_object://`; the scheme is
    // the run of them that `://` ends (a byte scan: no substring search on every line).
    let scheme_len =
        url.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.' | b'_')).count();
    let (has_scheme, rest) = match url[scheme_len..].strip_prefix("://") {
        Some(rest) if scheme_len > 0 => (true, rest),
        _ => (false, url),
    };
    let authority_end = rest.bytes().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let path = &rest[authority_end..];
    // Byte scans: these run on every line, and `@`, `:` and `]` are ASCII.
    let authority = memchr::memrchr(b'@', authority.as_bytes()).map_or(authority, |at| &authority[at + 1..]);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        match memchr::memrchr(b':', authority.as_bytes()) {
            Some(colon) if authority.as_bytes()[colon + 1..].iter().all(u8::is_ascii_digit) => &authority[..colon],
            _ => authority,
        }
    };
    let host = host.trim_end_matches('.');
    if host.is_empty() {
        return None;
    }
    let host = if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host)
    };
    let tunnel = method.eq_ignore_ascii_case("CONNECT");
    let full = (!tunnel && (has_scheme || !path.is_empty())).then_some(url);
    Some(UrlParts { host, url: full, path })
}

/// Whether a split-out host can be a host at all: a name of letters, digits, `-`, `_` and `.`,
/// or an IP address. `error:transaction-end-before-headers` (what Squid writes in the URL
/// field when no request arrived), PAN-OS's `-` placeholder and a name with a space are not.
pub fn is_host_name(host: &str) -> bool {
    // The name test first: it is the common case, and the address parse is only needed for IPv6.
    (host.bytes().any(|b| b.is_ascii_alphanumeric())
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
        || (host.contains(':') && host.parse::<std::net::IpAddr>().is_ok())
}

/// The registrable domain (public-suffix aware): `www.bbc.co.uk` → `bbc.co.uk`. Addresses and
/// names with no known suffix are their own domain.
pub fn registrable_domain(host: &str) -> &str {
    if host.parse::<std::net::IpAddr>().is_ok() || host.contains(':') {
        return host;
    }
    psl::domain_str(host).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squids_own_scheme_names_the_host_after_it() {
        let parts = split_url("cache_object://localhost/5min", "GET").unwrap();
        assert_eq!((parts.host.as_ref(), parts.path), ("localhost", "/5min"));
    }

    #[test]
    fn only_names_and_addresses_are_hosts() {
        for host in ["www.bbc.co.uk", "10.1.2.3", "::1", "my_host-1.local"] {
            assert!(is_host_name(host), "{host}");
        }
        for not_host in ["error:transaction-end-before-headers", "-", "", "bad host.com", "a/b"] {
            assert!(!is_host_name(not_host), "{not_host}");
        }
    }

    #[test]
    fn all_logged_url_shapes() {
        let p = split_url("http://www.Google.com/search?q=x", "GET").unwrap();
        assert_eq!(
            (p.host.as_ref(), p.url, p.path),
            ("www.google.com", Some("http://www.Google.com/search?q=x"), "/search?q=x")
        );
        let p = split_url("www.bbc.co.uk:443", "CONNECT").unwrap();
        assert_eq!((p.host.as_ref(), p.url), ("www.bbc.co.uk", None));
        let p = split_url("https://en.wikipedia.org:443", "CONNECT").unwrap();
        assert_eq!((p.host.as_ref(), p.url), ("en.wikipedia.org", None));
        let p = split_url("http://user:pw@[2001:db8::1]:8080/x", "GET").unwrap();
        assert_eq!(p.host, "2001:db8::1");
        let p = split_url("krunker.io", "GET").unwrap();
        assert_eq!((p.host.as_ref(), p.url), ("krunker.io", None));
        assert!(split_url("http:///nohost", "GET").is_none());
        // A `://` later in the line is not a scheme: the host is still the first thing.
        let p = split_url("bbc.co.uk/go?to=http://evil.example/", "GET").unwrap();
        assert_eq!((p.host.as_ref(), p.path), ("bbc.co.uk", "/go?to=http://evil.example/"));
        assert!(split_url("://x.example/", "GET").is_none(), "an empty scheme is no scheme");
    }

    #[test]
    fn domains_follow_the_public_suffix_list() {
        assert_eq!(registrable_domain("www.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(registrable_domain("sites.google.com"), "google.com");
        // *.sch.uk is a public suffix: each school has its own registrable domain.
        assert_eq!(registrable_domain("www.riverside.kent.sch.uk"), "riverside.kent.sch.uk");
        assert_eq!(registrable_domain("10.0.0.1"), "10.0.0.1");
        assert_eq!(registrable_domain("krunker.io"), "krunker.io");
    }
}
