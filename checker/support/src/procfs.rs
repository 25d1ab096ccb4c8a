//! Reading Linux's /proc: process states, parents and status fields. Public
//! because the checker reads the same files about the processes it runs:
//! one parser serves both sides.

/// The fields of a `/proc/.../stat` file after the command name, which is
/// in parentheses and may itself hold spaces and parentheses: `[0]` is the
/// state (`R`, `S`, `Z`...), `[1]` the parent's pid.
pub fn stat_fields(path: &str) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(path).ok()?;
    let after_name = stat.get(stat.rfind(')')? + 1..)?;
    Some(after_name.split_whitespace().map(str::to_string).collect())
}

/// The number of a field (`Threads:`, `VmRSS:` in kB...) of a
/// `/proc/.../status` text; 0 if it is missing.
pub fn status_field(status: &str, name: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The parent pid of a process.
pub fn parent_of(pid: i32) -> Option<i32> {
    stat_fields(&format!("/proc/{pid}/stat"))?
        .get(1)?
        .parse()
        .ok()
}

/// Whether a process exists and has not yet died (a zombie has).
pub fn is_running(pid: i32) -> bool {
    stat_fields(&format!("/proc/{pid}/stat"))
        .and_then(|fields| fields.into_iter().next())
        .is_some_and(|state| state != "Z")
}

/// Every process on the machine with its parent: (pid, parent pid).
pub fn parent_links() -> Vec<(i32, i32)> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<i32>().ok()?;
            Some((pid, parent_of(pid)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_running_and_its_parent_is_known() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let me = std::process::id() as i32;
        assert!(is_running(me));
        let parent = parent_of(me).expect("a parent");
        assert!(parent_links().contains(&(me, parent)));
        assert!(!is_running(-1));
    }

    #[test]
    fn status_fields_are_read_by_name() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let status = "Name:\tx\nThreads:\t7\nVmRSS:\t  2048 kB\n";
        assert_eq!(status_field(status, "Threads:"), 7);
        assert_eq!(status_field(status, "VmRSS:"), 2048);
        assert_eq!(status_field(status, "Missing:"), 0);
    }
}
