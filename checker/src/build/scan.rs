//! What the learner's source does, read from its text: a small scanner that
//! keeps code and blanks out comments and literals, for facts the generated
//! crate hands to the test binary (`uses_scope`).

/// The source with every comment (`//`, nested `/* */`) and every string,
/// byte string, raw string and character literal replaced by spaces (line
/// breaks kept), so that words inside them are never taken for code.
pub(super) fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after_ident = i > 0 && is_ident(chars[i - 1]);
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0usize;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if let Some(end) = (!after_ident).then(|| raw_string_end(&chars, i)).flatten() {
            for &c in &chars[i..end] {
                blank(&mut out, c);
            }
            i = end;
        } else if c == '"' {
            // A plain string (a `b`/`c` prefix is an identifier character
            // and stays as it is: harmless).
            blank(&mut out, c);
            i += 1;
            while i < chars.len() {
                let c = chars[i];
                blank(&mut out, c);
                i += 1;
                if c == '\\' {
                    if let Some(&escaped) = chars.get(i) {
                        blank(&mut out, escaped);
                        i += 1;
                    }
                } else if c == '"' {
                    break;
                }
            }
        } else if c == '\'' {
            // A character literal ('x', '\n', '\'', '\u{..}', '"', b'x'),
            // or a lifetime ('a), which is code.
            let end = if next == Some('\\') {
                chars
                    .get(i + 3..)
                    .and_then(|rest| rest.iter().position(|&c| c == '\''))
                    .map(|p| i + 3 + p + 1)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                Some(end) => {
                    for &c in &chars[i..end] {
                        blank(&mut out, c);
                    }
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// If a raw string (`r"..."`, `r#"..."#`, `br`, `cr`) starts at `i`, the
/// index just past its end (or the end of the text).
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let mut at = i;
    if matches!(chars.get(at), Some('b' | 'c')) {
        at += 1;
    }
    if chars.get(at) != Some(&'r') {
        return None;
    }
    at += 1;
    let hashes = chars[at..].iter().take_while(|&&c| c == '#').count();
    at += hashes;
    if chars.get(at) != Some(&'"') {
        return None;
    }
    at += 1;
    while at < chars.len() {
        if chars[at] == '"'
            && chars[at + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some(at + 1 + hashes);
        }
        at += 1;
    }
    Some(chars.len())
}

/// Whether the source calls std's scoped threads: `thread::scope` (however
/// it is spelled around the `::`), or a bare `scope(...)` (after
/// `use std::thread::scope`). Methods (`.scope(`) and a function of the
/// learner's own named `scope` (`fn scope(`) do not count; comments and
/// literals are not code.
pub(super) fn uses_scope(source: &str) -> bool {
    let code = code_only(source);
    let mut from = 0;
    while let Some(at) = code[from..].find("scope").map(|p| p + from) {
        from = at + "scope".len();
        let (before, after) = (&code[..at], &code[from..]);
        if before.ends_with(is_ident) || after.starts_with(is_ident) {
            continue; // part of a longer name
        }
        let before = before.trim_end();
        if let Some(path) = before.strip_suffix("::") {
            if ends_with_word(path.trim_end(), "thread") {
                return true;
            }
            continue; // some other path's `scope`
        }
        let called = after.trim_start().starts_with('(');
        let method = before.ends_with('.');
        if called && !method && !ends_with_word(before, "fn") {
            return true;
        }
    }
    false
}

/// `text` ends with `word` as a whole word.
fn ends_with_word(text: &str, word: &str) -> bool {
    text.strip_suffix(word)
        .is_some_and(|rest| !rest.ends_with(is_ident))
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_literals_are_blanked_and_lines_kept() {
        let source =
            "let a = \"x // y\"; // note\n/* one /* two */ still */ b('\"', 'c', r#\"q\"#)\n";
        let code = code_only(source);
        assert_eq!(code.lines().count(), source.lines().count());
        assert_eq!(code.len(), source.len());
        assert!(!code.contains('x') && !code.contains("note") && !code.contains("still"));
        assert!(code.contains("let a = ") && code.contains("b("));
        assert!(!code.contains('q'));
        // A lifetime is code; the string after it is not.
        let code = code_only("fn f<'a>(s: &'a str) { g(\"'a'\") }");
        assert!(code.contains("<'a>") && code.contains("&'a str"));
        assert!(!code.contains("\"'a'\""));
        // Quotes inside character literals start no string.
        let code = code_only("let q = ['\\'', b'\"', '\"']; scope(|s| {});");
        assert!(code.contains("scope(|s| {});"), "{code}");
        // An escaped quote does not end a string.
        assert!(!code_only(r#"let s = "say \"scope(\" ok";"#).contains("scope"));
    }

    #[test]
    fn scoped_threads_are_found_in_code_only() {
        for calls in [
            "fn main() { std::thread::scope(|s| { s.spawn(|| ()); }); }",
            "use std::thread;\nfn main() { thread::scope(|s| { s.spawn(|| ()); }); }",
            "fn main() { thread :: scope (|s| {}); }",
            "use std::thread::scope;\nfn main() { scope(|s| { s.spawn(|| ()); }); }",
            "use std::thread::{self, scope};\nfn f() { let run = thread::scope; }",
        ] {
            assert!(uses_scope(calls), "{calls}");
        }
        for not in [
            "fn main() { let h = std::thread::spawn(|| ()); h.join().unwrap(); }",
            "fn main() { s.spawn(|| ()); }",
            "// std::thread::scope(|s| ...)\nfn main() {}",
            "/* thread::scope(|s| {}) */ fn main() {}",
            "fn main() { println!(\"thread::scope(|s| ..)\"); }",
            "fn main() { let s = r#\"scope(\"#; }",
            "fn my_scope() {} fn main() { my_scope(); }",
            "fn main() { tokio_thread::scope(); x.scope(); }",
            "fn scope() {}",
            "fn main() { let scope = 1; let _ = scope + 1; }",
        ] {
            assert!(!uses_scope(not), "{not}");
        }
    }
}
