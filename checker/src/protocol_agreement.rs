//! The two sides of the protocol agree: what a test binary writes with the
//! support crate's std-only JSON writer, the checker reads back with serde
//! as the very same record, whatever the strings hold; and the handshake the
//! checker writes reads back as the same handshake.

use threadlings_support::protocol::{Event, EventKind, Handshake, Record, RecordStatus, Run};

fn event(kind: EventKind, thread_name: Option<&str>, os_tid: Option<u32>, label: &str) -> Event {
    Event {
        t_us: u64::MAX,
        kind,
        thread: 17,
        thread_name: thread_name.map(str::to_string),
        os_tid,
        label: label.to_string(),
        peer: None,
    }
}

/// Strings a message or a label may hold: quotes, backslashes, every
/// control character, non-ASCII text, things that look like JSON or like the
/// old line format.
fn awkward() -> Vec<String> {
    let controls: String = (0u8..0x20).map(char::from).collect();
    vec![
        String::new(),
        "say \"hi\"".into(),
        "C:\\path\\n not a newline \\u0041".into(),
        "line one\nline two\r\n\ttabbed".into(),
        controls,
        "\u{7f} é ß 中文 🧵 \u{2028}\u{2029} \u{feff}".into(),
        "{\"secret\":\"x\"}\n0 pass t".into(),
        "trailing backslash \\".into(),
    ]
}

#[test]
fn every_record_the_test_binary_writes_reads_back_equal() {
    let kinds = [
        EventKind::Spawned,
        EventKind::Started,
        EventKind::Ended,
        EventKind::Exited,
        EventKind::JoinCalled,
        EventKind::JoinReturned,
        EventKind::MovedIn,
        EventKind::Dropped,
        EventKind::Returned,
        EventKind::Note,
    ];
    let statuses = [
        RecordStatus::Pass,
        RecordStatus::Fail,
        RecordStatus::Timeout,
    ];
    for (i, text) in awkward().into_iter().enumerate() {
        let events = kinds
            .iter()
            .enumerate()
            .map(|(k, &kind)| {
                let name = (k % 2 == 0).then_some(text.as_str());
                let tid = (k % 3 != 0).then_some(u32::MAX - k as u32);
                event(kind, name, tid, &text)
            })
            .collect();
        let record = Record {
            secret: format!("{i:032x}"),
            test: text.clone(),
            status: statuses[i % statuses.len()],
            message: text.clone(),
            events,
            events_dropped: i as u64,
        };
        let line = record.to_json_line();
        assert_eq!(
            line.matches('\n').count(),
            1,
            "one line, at the end: {line:?}"
        );
        assert!(line.ends_with('\n'));
        let back: Record = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("serde cannot read {line:?}: {e}"));
        assert_eq!(back, record);
        // And the writer spells everything as serde would.
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value, serde_json::to_value(&record).unwrap());
    }
}

#[test]
fn a_record_without_events_reads_back_equal() {
    let record = Record {
        secret: "s".into(),
        test: "t".into(),
        status: RecordStatus::Pass,
        message: String::new(),
        events: Vec::new(),
        events_dropped: 0,
    };
    let back: Record = serde_json::from_str(&record.to_json_line()).unwrap();
    assert_eq!(back, record);
}

#[test]
fn every_handshake_the_checker_writes_reads_back_equal() {
    let report = tempfile::NamedTempFile::new().unwrap();
    let runs = [
        Run::Test {
            name: "finish_waits_and_gives_back_the_value".into(),
            secret: "0123456789abcdef0123456789abcdef".into(),
            report: report.path().display().to_string(),
        },
        Run::Test {
            name: "t".into(),
            secret: "s".into(),
            report: "/a course/with spaces, é and 中文/target/runs/.tmpXYZ".into(),
        },
        Run::Main,
    ];
    for run in runs {
        for (max_threads, max_memory_mb, observer) in [
            (256, 1024, None),
            (1, 0, Some("/a course/target/runs/run-é 1".to_string())),
            (u64::MAX, u64::MAX, None),
        ] {
            let sent = Handshake {
                run: run.clone(),
                max_threads,
                max_memory_mb,
                observer,
            };
            let text = sent.to_text();
            let mut input = text.as_bytes();
            assert_eq!(Handshake::read(&mut input), Some(sent), "{text:?}");
            assert!(input.is_empty(), "read to its end and no further");
        }
    }
}
