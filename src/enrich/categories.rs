//! squidGuard-style category lists: a folder per category holding `domains` (a domain matches
//! itself and every subdomain) and `urls` (host/path prefixes, matched without the scheme and a
//! leading `www.`). These give a category to requests whose filter logged none.

use std::path::Path;

use anyhow::{Context, Result};

/// All category lists, indexed for lookup by host and URL.
#[derive(Debug, Default, Clone)]
pub struct CategoryLists {
    names: Vec<String>,
    domains: super::FastMap<String, usize>,
    urls: super::FastMap<String, Vec<(String, usize)>>,
}

impl CategoryLists {
    /// Loads every `<dir>/<category>/{domains,urls}`. Categories are read in name order and a
    /// domain listed under two categories keeps the first.
    pub fn load(dir: &Path) -> Result<CategoryLists> {
        let mut lists = CategoryLists::default();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read category lists in {}", dir.display()))?
            .collect::<std::io::Result<_>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries.iter().filter(|e| e.path().is_dir()) {
            let name = entry.file_name().to_string_lossy().to_string();
            let index = lists.names.len();
            lists.names.push(name);
            for line in list_lines(&entry.path().join("domains"))? {
                let domain = line.trim_start_matches('.').to_ascii_lowercase();
                lists.domains.entry(domain).or_insert(index);
            }
            for line in list_lines(&entry.path().join("urls"))? {
                let line = line.to_ascii_lowercase();
                let line = line.split("://").last().unwrap_or(&line);
                let line = without_www(line);
                let (host, path) = line.split_once('/').unwrap_or((line, ""));
                lists.urls.entry(host.to_string()).or_default().push((format!("/{path}"), index));
            }
        }
        Ok(lists)
    }

    /// The category of a request: a URL-list match first (it is more specific), then the domain
    /// lists from the full host up to its parent domains.
    pub fn lookup(&self, host: &str, path: &str) -> Option<&str> {
        if !self.urls.is_empty() {
            let bare = without_www(host);
            if let Some(prefixes) = self.urls.get(bare) {
                let path = path.split(['?', '#']).next().unwrap_or(path);
                if let Some((_, index)) = prefixes.iter().find(|(prefix, _)| path.starts_with(prefix.as_str())) {
                    return Some(&self.names[*index]);
                }
            }
        }
        let mut candidate = host;
        loop {
            if let Some(index) = self.domains.get(candidate) {
                return Some(&self.names[*index]);
            }
            candidate = candidate.split_once('.')?.1;
        }
    }

    /// True when the URL lists have entries for this host, so its category depends on the path.
    pub fn has_url_entries(&self, host: &str) -> bool {
        !self.urls.is_empty() && self.urls.contains_key(without_www(host))
    }

    /// True when no lists were loaded.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A host or URL without its leading `www.` labels (a byte comparison: this runs on every line).
fn without_www(mut host: &str) -> &str {
    while let Some(rest) = host.strip_prefix("www.") {
        host = rest;
    }
    host
}

/// The entries of one list file: trimmed, without blanks and `#` comments; a missing file is empty.
fn list_lines(path: &Path) -> Result<Vec<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_match_subdomains_and_urls_win() {
        let dir = tempfile::tempdir().unwrap();
        for (cat, file, text) in [
            ("games", "domains", "poki.com\n# comment\n.krunker.io\n"),
            ("proxy", "domains", "proxysite.com\n"),
            ("proxy", "urls", "sites.google.com/view/unblocked-games\n"),
        ] {
            std::fs::create_dir_all(dir.path().join(cat)).unwrap();
            let path = dir.path().join(cat).join(file);
            std::fs::write(&path, text).unwrap();
        }
        let lists = CategoryLists::load(dir.path()).unwrap();
        assert_eq!(lists.lookup("www.poki.com", "/"), Some("games"));
        assert_eq!(lists.lookup("krunker.io", ""), Some("games"));
        assert_eq!(lists.lookup("notpoki.com", "/"), None);
        assert_eq!(lists.lookup("sites.google.com", "/view/unblocked-games/play?x=1"), Some("proxy"));
        assert_eq!(lists.lookup("sites.google.com", "/view/maths"), None);
    }
}
