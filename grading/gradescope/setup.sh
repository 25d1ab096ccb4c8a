#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
# The autograder zip holds, at its root: setup.sh, run_autograder, and the
# course's source in threadlings/ (a copy of the course repository); Gradescope
# unpacks it into /autograder/source.
set -euo pipefail

SOURCE=/autograder/source/threadlings

# A C toolchain for linking (rustc calls `cc`), and curl for rustup.
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends build-essential ca-certificates curl

# Rust, minimal profile, into root's home (~/.cargo, ~/.rustup).
curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
  | sh -s -- -y --profile minimal --default-toolchain stable
export PATH="$HOME/.cargo/bin:$PATH"
rustc --version

# threadlings from the course's source, into /usr/local/bin.
cargo install --locked --path "$SOURCE/checker" --root /usr/local

# The course as the binary carries it: run_autograder grades against this.
threadlings init /autograder/course

# Warm up: checking the shipped exercises builds the hidden tests' support
# library once, in the image, so that grading a submission does not have to.
# They do not pass as shipped, so the exit code is not 0; it is ignored.
threadlings --course /autograder/course check >/dev/null 2>&1 || true
