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

/// The numbers `0..n` in a random order: jobs let go in an order that
/// differs from run to run.
pub fn random_order(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, random_between(0, i as u64) as usize);
    }
    order
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
    fn a_random_order_holds_each_number_once_and_varies() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let orders: Vec<Vec<usize>> = (0..50).map(|_| random_order(5)).collect();
        for order in &orders {
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3, 4]);
        }
        assert!(orders.iter().any(|o| *o != orders[0]), "{orders:?}");
        assert_eq!(random_order(0), Vec::<usize>::new());
    }

    #[test]
    fn random_numbers_stay_in_range_and_vary() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let drawn: Vec<u64> = (0..200).map(|_| random_between(3, 6)).collect();
        assert!(drawn.iter().all(|n| (3..=6).contains(n)));
        assert!(drawn.iter().any(|&n| n != drawn[0]), "{drawn:?}");
        let word = random_word();
        assert!((4..=8).contains(&word.len()) && word.chars().all(|c| c.is_ascii_lowercase()));
    }
}
