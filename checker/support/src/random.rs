//! Randomness, std only: inputs that differ on every run, so that an
//! answer hard-coded to pass one run fails the next.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Instant;

/// A random number, different on every run.
pub fn random() -> u64 {
    // Every `RandomState` is seeded afresh (per thread, then incremented).
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish()
}

/// A random number in `low..=high`.
pub fn random_between(low: u64, high: u64) -> u64 {
    low + random() % (high - low + 1)
}

/// A random lowercase word, e.g. for thread names and messages.
pub fn random_word() -> String {
    const SYLLABLES: [&str; 12] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "da", "fu",
    ];
    (0..random_between(2, 4))
        .map(|_| SYLLABLES[random_between(0, 11) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_numbers_stay_in_range_and_vary() {
        let drawn: Vec<u64> = (0..200).map(|_| random_between(3, 6)).collect();
        assert!(drawn.iter().all(|n| (3..=6).contains(n)));
        assert!(drawn.iter().any(|&n| n != drawn[0]), "{drawn:?}");
        let word = random_word();
        assert!((4..=8).contains(&word.len()) && word.chars().all(|c| c.is_ascii_lowercase()));
    }
}
