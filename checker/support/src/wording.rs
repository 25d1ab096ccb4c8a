//! Wording shared by the hidden tests' failure messages.

/// Numbers for a message, not too many of them: all of them up to six,
/// else the first five and how many more ("1, 2, 3, 4, 5, and 9 more").
pub fn a_few(numbers: &[usize]) -> String {
    let listed = |numbers: &[usize]| {
        numbers
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match numbers.len() {
        0..=6 => listed(numbers),
        more => format!("{}, and {} more", listed(&numbers[..5]), more - 5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_to_six_numbers_are_all_listed_and_more_are_cut_short() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        assert_eq!(a_few(&[]), "");
        assert_eq!(a_few(&[7]), "7");
        assert_eq!(a_few(&[1, 2, 3, 4, 5, 6]), "1, 2, 3, 4, 5, 6");
        assert_eq!(a_few(&[1, 2, 3, 4, 5, 6, 7]), "1, 2, 3, 4, 5, and 2 more");
    }
}
