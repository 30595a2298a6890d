//! Keyed pseudonyms: HMAC-SHA256 under the local authority's key, truncated to 80 bits (hex), so
//! the same person gets the same pseudonym in every school and every run (trends survive) and no
//! one without the key can test a guess. A prefix per kind of identifier keeps a username and an
//! address that happen to be the same text apart.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The shortest key accepted, in bytes.
const MIN_KEY_BYTES: usize = 16;
/// Hex digits kept from the HMAC (80 bits: collisions are negligible for millions of people).
const PSEUDONYM_HEX: usize = 20;

/// Turns identifiers into pseudonyms, remembering the ones it has made.
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
    made: HashMap<(char, String), String>,
}

/// Never prints the key or the pseudonyms it has made.
impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pseudonymiser {{ key: <hidden>, made: {} }}", self.made.len())
    }
}

impl Pseudonymiser {
    /// Reads the key file (surrounding whitespace ignored). A missing, unreadable or short key is
    /// an error that says what to do.
    pub fn from_key_file(path: &Path) -> Result<Pseudonymiser> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read the key file {}", path.display()))?;
        let key = String::from_utf8_lossy(&bytes).trim().as_bytes().to_vec();
        if key.len() < MIN_KEY_BYTES {
            bail!(
                "the key in {} is {} bytes; use at least {MIN_KEY_BYTES} random bytes (e.g. `(umask 077; openssl rand -hex 32 > {})`)",
                path.display(),
                key.len(),
                path.display()
            );
        }
        crate::private_fs::check_secret_file(path).map_err(anyhow::Error::msg)?;
        Ok(Pseudonymiser::new(&key))
    }

    /// A pseudonymiser for a key.
    pub fn new(key: &[u8]) -> Pseudonymiser {
        Pseudonymiser {
            mac: Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length"),
            made: HashMap::new(),
        }
    }

    /// The pseudonym of `value` as an identifier of `kind` (`u` user, `a` address, `d` device).
    pub fn pseudonym(&mut self, kind: char, value: &str) -> String {
        let key = (kind, value.to_string());
        if let Some(made) = self.made.get(&key) {
            return made.clone();
        }
        let mut mac = self.mac.clone();
        mac.update(&[kind as u8, b':']);
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let made = format!("{kind}-{}", &hex[..PSEUDONYM_HEX]);
        self.made.insert(key, made.clone());
        made
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_keyed_and_kind_separated() {
        let mut a = Pseudonymiser::new(b"0123456789abcdef-la-key");
        let mut b = Pseudonymiser::new(b"0123456789abcdef-la-key");
        let mut other = Pseudonymiser::new(b"another key of 16+ bytes");
        assert_eq!(a.pseudonym('u', "22smithj"), b.pseudonym('u', "22smithj"));
        assert_ne!(a.pseudonym('u', "22smithj"), other.pseudonym('u', "22smithj"));
        assert_ne!(a.pseudonym('u', "10.0.0.1"), a.pseudonym('a', "10.0.0.1"));
        assert_ne!(a.pseudonym('u', "22smithj"), a.pseudonym('u', "22smithk"));
        assert_eq!(a.pseudonym('u', "x").len(), 2 + PSEUDONYM_HEX);
    }

    #[test]
    fn short_or_missing_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("short.key");
        std::fs::write(&short, "abc\n").unwrap();
        assert!(Pseudonymiser::from_key_file(&short).unwrap_err().to_string().contains("at least 16"));
        assert!(Pseudonymiser::from_key_file(&dir.path().join("none.key")).is_err());
    }
}
