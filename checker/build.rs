//! Embeds the course (info.toml, exercises, solutions, hidden tests and their
//! wrong-answer fixtures) and the sources of the support crate (the test
//! binaries' runtime, compiled by plain rustc) into the binary, so an
//! installed `threadlings` can check exercises anywhere without the
//! repository beside it.
//!
//! Everything is read from inside this package, so that the .crate that
//! `cargo package` makes builds the same binary: `hidden/` and `shipped/`
//! live here, and `embed/` holds links to what lives elsewhere in the
//! repository (info.toml, solutions/<chapter> and the chapters' README.md).
//! cargo packages what a link points to, but never a directory holding a
//! Cargo.toml (exercises/ and solutions/ each have one for editors), which is
//! why the links are per chapter. In the repository, every chapter
//! must have its links: a missing one stops the build here, naming the
//! command that adds it, rather than shipping a binary without the chapter.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let embed = manifest.join("embed");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    if let Some(repo) = repository(&manifest) {
        check_links(&repo, &embed);
    }
    let mut files = Vec::new();
    let info = embed.join("info.toml");
    if info.is_file() {
        files.push(("info.toml".to_string(), info.clone()));
    }
    rerun_if_changed(&info);
    for (prefix, dir) in [
        ("exercises", embed.join("exercises")),
        ("solutions", embed.join("solutions")),
        ("hidden", manifest.join("hidden")),
    ] {
        rerun_if_changed(&dir);
        collect(&dir, &dir, prefix, &mut files);
    }
    // The exercise files as the course author wrote them come from
    // checker/shipped/, never from exercises/: that is the learner's working
    // copy, and `cargo run` rebuilds this binary after every edit there. A
    // binary that embedded exercises/ would "reset" to the learner's own code.
    // (embed/exercises/ links only the chapters' README.md; this keeps it so.)
    files.retain(|(name, _)| !(name.starts_with("exercises/") && name.ends_with(".rs")));
    let shipped = manifest.join("shipped");
    rerun_if_changed(&shipped);
    collect(&shipped, &shipped, "exercises", &mut files);
    write_table(
        &out_dir.join("embedded.rs"),
        "FILES",
        "(path inside the course, contents)",
        files,
    );

    let support = manifest.join("support").join("src");
    rerun_if_changed(&support);
    let mut files = Vec::new();
    collect(&support, &support, "", &mut files);
    files.retain(|(name, _)| name.ends_with(".rs"));
    assert!(
        files.iter().any(|(name, _)| name == "lib.rs"),
        "the support crate's sources are missing from {}",
        support.display()
    );
    build_id(&manifest.join("src"));
    write_table(
        &out_dir.join("support_files.rs"),
        "SUPPORT_FILES",
        "the support crate's sources: (path under `src/`, contents)",
        files,
    );
}

/// cargo compares the times of what a path names; for a link that is the
/// link itself, so the file or directory it points to is named too.
fn rerun_if_changed(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
    if let Ok(real) = std::fs::canonicalize(path)
        && real != path
    {
        println!("cargo:rerun-if-changed={}", real.display());
    }
}

/// The repository around this package, when there is one (not in a .crate
/// unpacked by `cargo install`): the directory above holding the course.
fn repository(manifest: &Path) -> Option<PathBuf> {
    let repo = manifest.parent()?;
    (repo.join("info.toml").is_file() && repo.join("solutions").is_dir())
        .then(|| repo.to_path_buf())
}

/// Every chapter of the repository's course must be reachable from embed/:
/// its solutions directory and its README.md. Panics with the commands that
/// add the missing links.
fn check_links(repo: &Path, embed: &Path) {
    // A new chapter is a new directory there: look again when one comes.
    for dir in ["solutions", "exercises"] {
        println!("cargo:rerun-if-changed={}", repo.join(dir).display());
    }
    let mut missing = Vec::new();
    let chapters = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| name != "target")
            .collect();
        names.sort();
        names
    };
    for chapter in chapters(&repo.join("solutions")) {
        let link = embed.join("solutions").join(&chapter);
        if !link.is_dir() {
            missing.push(format!(
                "ln -s ../../../solutions/{chapter} checker/embed/solutions/{chapter}"
            ));
        }
    }
    for chapter in chapters(&repo.join("exercises")) {
        if !repo
            .join("exercises")
            .join(&chapter)
            .join("README.md")
            .is_file()
        {
            continue;
        }
        let link = embed.join("exercises").join(&chapter).join("README.md");
        if !link.is_file() {
            missing.push(format!(
                "mkdir -p checker/embed/exercises/{chapter} && ln -s ../../../../exercises/{chapter}/README.md checker/embed/exercises/{chapter}/README.md"
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "checker/embed/ lacks links to a chapter of the course, so the binary (and the package \
         `cargo package` makes) would not carry it. At the repository's root, run:\n{}\n",
        missing.join("\n")
    );
}

/// `THREADLINGS_BUILD_ID`: a digest of the checker's own sources, part of
/// every cache key, so that a checker whose judging changed never answers
/// from verdicts the old one cached (the version number may not change).
fn build_id(src: &Path) {
    use std::hash::{Hash, Hasher};
    println!("cargo:rerun-if-changed={}", src.display());
    let mut files = Vec::new();
    collect(src, src, "", &mut files);
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (name, path) in &files {
        name.hash(&mut hasher);
        std::fs::read(path)
            .expect("a readable source")
            .hash(&mut hasher);
    }
    println!(
        "cargo:rustc-env=THREADLINGS_BUILD_ID={:016x}",
        hasher.finish()
    );
}

/// Writes `static NAME: &[(&str, &str)]` with every file's contents, sorted
/// by name so that the table (and the cache keys hashed from it) is stable.
fn write_table(dest: &Path, name: &str, what: &str, mut files: Vec<(String, PathBuf)>) {
    files.sort();
    let mut out = format!(
        "/// {what}, generated by build.rs.\npub(crate) static {name}: &[(&str, &str)] = &[\n"
    );
    for (file, path) in &files {
        writeln!(
            out,
            "    ({file:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("string write");
    }
    out.push_str("];\n");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// Collects the `.rs`, `.md` and `.toml` files under `dir`, named by their
/// path under `base` (with `prefix/` in front unless it is empty).
fn collect(base: &Path, dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, prefix, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("rs" | "md" | "toml")
        ) {
            let rel = path
                .strip_prefix(base)
                .expect("under base")
                .to_string_lossy()
                .replace('\\', "/");
            let name = if prefix.is_empty() {
                rel
            } else {
                format!("{prefix}/{rel}")
            };
            files.push((name, path));
        }
    }
}
