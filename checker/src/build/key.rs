//! Content keys: names for build products and cached verdicts that change
//! whenever anything that could change them changes.
//!
//! SHA-256 over length-prefixed parts: the same on every Rust release and
//! every machine (std's `DefaultHasher` promises neither), and long enough
//! that the files of a whole class never collide.

use sha2::{Digest, Sha256};

/// A key under construction: feed it every input, then take its hex name.
pub(crate) struct Key(Sha256);

impl Key {
    /// A key for one kind of product (`domain` keeps kinds apart even when
    /// their inputs are the same bytes).
    pub fn new(domain: &str) -> Key {
        let key = Key(Sha256::new());
        key.part(env!("CARGO_PKG_VERSION")).part(domain)
    }

    /// Adds one input. The length goes first, so `("ab", "c")` and
    /// `("a", "bc")` give different keys.
    pub fn part(mut self, bytes: impl AsRef<[u8]>) -> Key {
        let bytes = bytes.as_ref();
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds a number.
    pub fn number(self, n: u64) -> Key {
        self.part(n.to_le_bytes())
    }

    /// Adds every item of a list, and how many there were.
    pub fn parts<I: AsRef<[u8]>>(self, items: impl IntoIterator<Item = I>) -> Key {
        let mut count = 0;
        let mut key = self;
        for item in items {
            key = key.part(item);
            count += 1;
        }
        key.number(count)
    }

    /// The key as 64 lowercase hex digits, usable as a file name.
    pub fn hex(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_tell_inputs_apart() {
        let ab_c = Key::new("t").part("ab").part("c").hex();
        assert_eq!(ab_c.len(), 64);
        assert_eq!(ab_c, Key::new("t").part("ab").part("c").hex());
        assert_ne!(ab_c, Key::new("t").part("a").part("bc").hex());
        assert_ne!(ab_c, Key::new("u").part("ab").part("c").hex());
        assert_ne!(
            Key::new("t").parts(["a", "b"]).hex(),
            Key::new("t").parts(["a"]).part("b").hex()
        );
    }
}
