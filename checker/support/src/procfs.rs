//! Reading Linux's /proc: process states, parents and status fields. Public
//! because the checker reads the same files about the processes it runs:
//! one parser serves both sides.

use crate::protocol::{LimitHit, Question};

/// The fields of a `/proc/.../stat` file after the command name, which is
/// in parentheses and may itself hold spaces and parentheses: `[0]` is the
/// state (`R`, `S`, `Z`...), `[1]` the parent's pid.
pub fn stat_fields(path: &str) -> Option<Vec<String>> {
    fields_of_stat(&std::fs::read_to_string(path).ok()?)
}

/// [`stat_fields`] of a `stat` text already read.
pub fn fields_of_stat(stat: &str) -> Option<Vec<String>> {
    let after_name = stat.get(stat.rfind(')')? + 1..)?;
    Some(after_name.split_whitespace().map(str::to_string).collect())
}

/// Reads what `question` asks about process `pid` (`None`: this process),
/// from `/proc`; `None` if it cannot be read. The one place both a test
/// process (about itself) and the checker (answering a sandboxed one) read
/// these files: only these, never `mem` or `fd`.
pub fn answer(pid: Option<u32>, question: Question) -> Option<String> {
    let me = pid.map_or_else(|| "self".to_string(), |pid| pid.to_string());
    let read = |path: String| std::fs::read_to_string(path).ok();
    match question {
        Question::Threads => {
            let listed: Vec<String> = tids(&me)?.iter().map(u32::to_string).collect();
            Some(listed.join(" "))
        }
        Question::Waits => {
            let line = |tid: u32, file: &str| {
                let text = read(format!("/proc/{me}/task/{tid}/{file}")).unwrap_or_default();
                text.trim_end().replace('\t', " ")
            };
            let lines: Vec<String> = tids(&me)?
                .into_iter()
                .map(|tid| {
                    let syscall = line(tid, "syscall");
                    format!("{tid}\t{syscall}\t{}", line(tid, "stat"))
                })
                .collect();
            Some(lines.join("\n"))
        }
        Question::Status => read(format!("/proc/{me}/status")),
        Question::Stat(tid) => read(format!("/proc/{me}/task/{tid}/stat")),
        Question::Syscall(tid) => read(format!("/proc/{me}/task/{tid}/syscall")),
        Question::Schedstat(tid) => read(format!("/proc/{me}/task/{tid}/schedstat")),
        Question::ChildStatus(child) => {
            let parent = pid.unwrap_or_else(std::process::id);
            let child = i32::try_from(child).ok()?;
            if parent_of(child)? != i32::try_from(parent).ok()? {
                return None;
            }
            read(format!("/proc/{child}/status"))
        }
    }
}

/// The threads listed in `/proc/<me>/task`, sorted.
fn tids(me: &str) -> Option<Vec<u32>> {
    let mut tids: Vec<u32> = std::fs::read_dir(format!("/proc/{me}/task"))
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    Some(tids)
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

/// The limit a process whose `/proc/.../status` reads `status` is over
/// (threads first, then resident memory in MiB), if any. The checker and
/// the test binaries judge limits alike with this.
pub fn limit_hit(status: &str, max_threads: u64, max_mb: u64) -> Option<LimitHit> {
    let threads = status_field(status, "Threads:");
    let mb = status_field(status, "VmRSS:") / 1024;
    if threads > max_threads {
        Some(LimitHit::Threads(threads))
    } else if mb > max_mb {
        Some(LimitHit::Memory(mb))
    } else {
        None
    }
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
    fn questions_are_answered_about_this_process_and_its_children_only() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let me = std::process::id();
        let tid: u32 = crate::observe::os_thread_id().unwrap();
        let threads = answer(None, Question::Threads).unwrap();
        assert!(
            threads.split(' ').any(|t| t == tid.to_string()),
            "{threads}"
        );
        assert_eq!(
            answer(Some(me), Question::Threads).as_deref(),
            Some(&*threads)
        );
        let waits = answer(None, Question::Waits).unwrap();
        let mine = waits
            .lines()
            .find(|line| line.starts_with(&format!("{tid}\t")))
            .expect("this thread");
        let fields: Vec<&str> = mine.split('\t').collect();
        assert_eq!(fields.len(), 3, "{mine}");
        assert_eq!(fields_of_stat(fields[2]).unwrap()[0], "R");
        assert!(answer(None, Question::Status).unwrap().contains("Threads:"));
        let stat = answer(None, Question::Stat(tid)).unwrap();
        assert_eq!(fields_of_stat(&stat).unwrap()[0], "R");
        assert!(answer(None, Question::Schedstat(tid)).is_some());
        assert!(answer(None, Question::Syscall(tid)).is_some());
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let status = answer(None, Question::ChildStatus(child.id()));
        assert!(status.is_some_and(|s| s.contains("sleep")));
        // Not a child of ours: our parent.
        let parent = parent_of(me as i32).unwrap() as u32;
        assert_eq!(answer(None, Question::ChildStatus(parent)), None);
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn a_limit_is_over_past_its_value_threads_first() {
        // Apart from tests that count every thread of the process.
        let _threads = crate::testing::spawning();
        let status = "Threads:\t7\nVmRSS:\t  3072 kB\n";
        assert_eq!(limit_hit(status, 7, 3), None);
        assert_eq!(limit_hit(status, 6, 3), Some(LimitHit::Threads(7)));
        assert_eq!(limit_hit(status, 7, 2), Some(LimitHit::Memory(3)));
        assert_eq!(limit_hit(status, 6, 2), Some(LimitHit::Threads(7)));
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
