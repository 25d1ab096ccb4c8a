//! Two students' files are "the same" when they differ only in comments
//! and whitespace: the text without them, and its fingerprint. String and
//! character literals are kept as written (their spaces are part of what
//! the program does).

use sha2::{Digest as _, Sha256};

/// The source without comments (line, block, nested block, doc) and
/// without whitespace outside literals.
pub(crate) fn normalise(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                // Block comments nest in Rust.
                let mut depth = 0usize;
                while i < chars.len() {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            '"' => i = copy_string(&chars, i, &mut out),
            'r' if raw_string_at(&chars, i) && !after_identifier(&out) => {
                i = copy_raw_string(&chars, i, &mut out);
            }
            '\'' => i = copy_char_or_lifetime(&chars, i, &mut out),
            // A byte-order mark is layout too (an editor's, not the author's).
            c if c.is_whitespace() || c == '\u{feff}' => i += 1,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// SHA-256 of the normalised text, in hex.
pub(crate) fn fingerprint(source: &str) -> String {
    Sha256::digest(normalise(source).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `out` ends inside an identifier (so an `r` there is not a raw
/// string's prefix), a lone `b` prefix (`br"..."`) excepted.
fn after_identifier(out: &str) -> bool {
    let mut rev = out.chars().rev();
    match rev.next() {
        Some('b') => rev.next().is_some_and(|c| c.is_alphanumeric() || c == '_'),
        Some(c) => c.is_alphanumeric() || c == '_',
        None => false,
    }
}

/// `"...", with escapes`: copied as is; returns the index after it.
fn copy_string(chars: &[char], start: usize, out: &mut String) -> usize {
    out.push('"');
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        i += 1;
        match c {
            '\\' if i < chars.len() => {
                out.push(chars[i]);
                i += 1;
            }
            '"' => break,
            _ => {}
        }
    }
    i
}

fn raw_string_at(chars: &[char], at: usize) -> bool {
    let mut i = at + 1;
    while chars.get(i) == Some(&'#') {
        i += 1;
    }
    chars.get(i) == Some(&'"')
}

/// `r#"..."#`: copied as is up to the quote followed by as many `#`.
fn copy_raw_string(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut i = start + 1;
    let mut hashes = 0;
    while chars.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    i += 1; // the opening quote
    let end = (i..chars.len())
        .find(|&j| chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')))
        .map_or(chars.len(), |j| j + 1 + hashes);
    out.extend(&chars[start..end]);
    end
}

/// A character literal (`'a'`, `'\n'`, `'\u{1F600}'`) is copied whole; a
/// lifetime's quote alone.
fn copy_char_or_lifetime(chars: &[char], start: usize, out: &mut String) -> usize {
    let end = match chars.get(start + 1) {
        Some('\\') => (start + 2..chars.len())
            .find(|&j| chars[j] == '\'')
            .map_or(chars.len(), |j| j + 1),
        Some(_) if chars.get(start + 2) == Some(&'\'') => start + 3,
        _ => start + 1,
    };
    out.extend(&chars[start..end]);
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_layout_do_not_count() {
        let a = "fn main() {\n    // say hi\n    println!(\"hi\"); /* a /* nested */ note */\n}\n";
        let b = "/// docs\nfn main(){println!(\"hi\");}";
        assert_eq!(normalise(a), normalise(b));
        assert_eq!(fingerprint(a), fingerprint(b));
        assert_eq!(normalise(b), "fnmain(){println!(\"hi\");}");
        assert_eq!(fingerprint(&format!("\u{feff}{a}")), fingerprint(a));
        assert_eq!(fingerprint(&a.replace('\n', "\r\n")), fingerprint(a));
    }

    #[test]
    fn literals_are_kept_as_written() {
        // Spaces and comment-like text inside literals change the program.
        assert_ne!(normalise(r#"p("a b")"#), normalise(r#"p("ab")"#));
        assert_eq!(
            normalise(r#"p("// not a comment")"#),
            r#"p("// not a comment")"#
        );
        assert_eq!(
            normalise(r##"p(r#"x "quoted" // y"#) // z"##),
            r##"p(r#"x "quoted" // y"#)"##
        );
        assert_eq!(normalise(r#"p("a\" // b")"#), r#"p("a\" // b")"#);
        assert_eq!(
            normalise("let c = ' '; let d = '\\''; "),
            "letc=' ';letd='\\'';"
        );
        // A lifetime is not a character literal: what follows is code.
        assert_eq!(normalise("fn f<'a>(x: &'a str) {}"), "fnf<'a>(x:&'astr){}");
        // `for` ending in r is an identifier, not a raw string prefix.
        assert_eq!(normalise("let for_r = 1;"), "letfor_r=1;");
    }

    #[test]
    fn a_real_change_changes_the_fingerprint() {
        assert_ne!(
            fingerprint("h.join().unwrap();"),
            fingerprint("h.join().expect(\"x\");")
        );
    }
}
