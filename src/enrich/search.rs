//! Search terms from search-engine URLs: what a pupil typed into Google, Bing, DuckDuckGo,
//! YouTube, Yahoo, Ecosia and the other engines schools see, decoded from the query string.

/// A search engine: which hosts, which paths carry a search, and the query parameter.
struct Engine {
    /// Matches the registrable domain (`google.co.uk`) or host.
    domain: fn(&str, &str) -> bool,
    /// Paths (prefixes) whose query is a search.
    paths: &'static [&'static str],
    /// The parameter holding the terms.
    param: &'static str,
}

fn label_is(domain: &str, name: &str) -> bool {
    domain.split('.').next() == Some(name)
}

const ENGINES: &[Engine] = &[
    Engine { domain: |d, _| label_is(d, "google"), paths: &["/search", "/webhp", "/"], param: "q" },
    Engine { domain: |d, _| d == "bing.com", paths: &["/search", "/images/search", "/videos/search"], param: "q" },
    Engine { domain: |d, _| d == "duckduckgo.com", paths: &["/html", "/lite", "/"], param: "q" },
    Engine { domain: |d, _| d == "youtube.com", paths: &["/results"], param: "search_query" },
    Engine {
        domain: |d, h| label_is(d, "yahoo") && (h.starts_with("search.") || h.contains(".search.")),
        paths: &["/search"],
        param: "p",
    },
    Engine { domain: |d, _| d == "ecosia.org", paths: &["/search", "/images", "/videos"], param: "q" },
    Engine { domain: |d, _| label_is(d, "yandex"), paths: &["/search"], param: "text" },
    Engine { domain: |d, _| d == "baidu.com", paths: &["/s"], param: "wd" },
    Engine { domain: |d, _| d == "ask.com", paths: &["/web"], param: "q" },
    Engine { domain: |d, _| d == "startpage.com", paths: &["/sp/search", "/do/search"], param: "query" },
    Engine { domain: |d, _| d == "qwant.com", paths: &["/"], param: "q" },
    Engine { domain: |d, h| d == "brave.com" && h.starts_with("search."), paths: &["/search"], param: "q" },
];

/// The decoded search terms of a URL on a known engine, whitespace collapsed; `None` otherwise.
pub fn search_terms(host: &str, domain: &str, path: &str) -> Option<String> {
    let (route, query) = path.split_once('?')?;
    let query = query.split('#').next().unwrap_or(query);
    let engine = ENGINES.iter().find(|e| (e.domain)(domain, host))?;
    let on_search_path =
        engine.paths.iter().any(|p| if *p == "/" { route == "/" || route.is_empty() } else { route.starts_with(p) });
    if !on_search_path {
        return None;
    }
    let (_, value) = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == engine.param)?;
    let terms = value.split_whitespace().collect::<Vec<_>>().join(" ");
    (!terms.is_empty()).then_some(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(url: &str) -> Option<String> {
        let parts = crate::enrich::url::split_url(url, "GET").unwrap();
        search_terms(&parts.host, crate::enrich::url::registrable_domain(&parts.host), parts.path)
    }

    #[test]
    fn decodes_each_engine() {
        assert_eq!(
            terms("http://www.google.com/search?q=water+cycle+diagram&hl=en-GB").as_deref(),
            Some("water cycle diagram")
        );
        assert_eq!(terms("https://www.google.co.uk/search?q=caf%C3%A9+menu").as_deref(), Some("café menu"));
        assert_eq!(terms("http://www.bing.com/search?q=bypass+filter&form=QBLH").as_deref(), Some("bypass filter"));
        assert_eq!(terms("http://duckduckgo.com/?q=bypass+filter").as_deref(), Some("bypass filter"));
        assert_eq!(
            terms("https://www.youtube.com/results?search_query=unblocked+games").as_deref(),
            Some("unblocked games")
        );
        assert_eq!(terms("https://uk.search.yahoo.com/search?p=free+vpn").as_deref(), Some("free vpn"));
        assert_eq!(
            terms("https://www.ecosia.org/search?method=index&q=how+to+hide+history").as_deref(),
            Some("how to hide history")
        );
    }

    #[test]
    fn ignores_non_search_urls() {
        assert_eq!(terms("http://www.google.com/generate_204"), None);
        assert_eq!(terms("https://www.youtube.com/watch?v=abc"), None);
        assert_eq!(terms("https://www.google.com/search?q=+"), None);
        assert_eq!(terms("https://example.com/search?q=x"), None);
    }
}
