//! Runs as Chrome trace-event JSON (what chrome://tracing, Perfetto and
//! speedscope open): a process per test, a thread per lane, every lane
//! (the terminal's cap on lanes is for screens, not for a viewer that
//! scrolls). Spans are complete (`X`) events, point events instants (`i`);
//! what the record leaves out is a process-wide instant, so that a viewer
//! does not show an incomplete run as a complete one.

use serde_json::{Value, json};

use super::Run;
use super::model::{Model, PointKind};

/// The trace of `runs`, one process each (pid 1, 2, ... in order).
pub(crate) fn trace(runs: &[Run]) -> Value {
    let mut events = Vec::new();
    for (n, run) in runs.iter().enumerate() {
        process(&mut events, n as u64 + 1, &Model::of(run));
    }
    json!({ "traceEvents": events, "displayTimeUnit": "ms" })
}

fn process(events: &mut Vec<Value>, pid: u64, model: &Model) {
    let meta = |tid: u64, name: &str, args: Value| json!({ "ph": "M", "ts": 0, "pid": pid, "tid": tid, "name": name, "args": args });
    events.push(meta(0, "process_name", json!({ "name": model.test })));
    for (sort_index, lane) in model.lanes.iter().enumerate() {
        let tid = lane.thread;
        let name = lane.label(usize::MAX, true);
        events.push(meta(tid, "thread_name", json!({ "name": name })));
        // Lanes in the order first seen, as the pictures draw them.
        events.push(meta(
            tid,
            "thread_sort_index",
            json!({ "sort_index": sort_index }),
        ));
        let span = |name: &str, cat: &str, from: u64, to: u64, args: Value| {
            json!({
                "ph": "X", "name": name, "cat": cat, "ts": from,
                "dur": to.saturating_sub(from), "pid": pid, "tid": tid, "args": args,
            })
        };
        let end = lane.end_us(model.end_us);
        events.push(span(
            "alive",
            "thread",
            lane.first_us,
            end,
            json!({ "exited": lane.exited_us.is_some() }),
        ));
        for work in &lane.work {
            let to = work.to_us.unwrap_or(end);
            let cat = if work.call { "call" } else { "work" };
            let name = if work.label.is_empty() {
                cat
            } else {
                &work.label
            };
            events.push(span(
                name,
                cat,
                work.from_us,
                to,
                json!({ "ended": work.to_us.is_some() }),
            ));
        }
        for point in &lane.points {
            let kind = match point.kind {
                PointKind::Note => "note",
                PointKind::MovedIn => "moved_in",
                PointKind::Dropped => "dropped",
                PointKind::JoinCalled => "join_called",
                PointKind::JoinReturned => "join_returned",
                PointKind::Returned => "returned",
            };
            let name = if point.label.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}: {}", point.label)
            };
            // A join names the thread it waits for by its tid in this
            // trace, so a viewer's search finds the joined lane.
            let args = match point.peer {
                Some(peer) => json!({ "label": point.label, "peer": peer }),
                None => json!({ "label": point.label }),
            };
            events.push(json!({
                "ph": "i", "s": "t", "name": name, "cat": kind, "ts": point.t_us,
                "pid": pid, "tid": tid, "args": args,
            }));
        }
    }
    for mark in &model.marks {
        let sentence = mark.sentence(&model.lanes, true);
        for &(lane, t) in &mark.at {
            events.push(json!({
                "ph": "i", "s": "t", "name": format!("✗ {sentence}"), "cat": "problem",
                "ts": t, "pid": pid, "tid": model.lanes[lane].thread,
            }));
        }
    }
    // What the record leaves out, at its end (the notes also say why a
    // run without events shows nothing).
    if model.dropped > 0
        || model
            .notes
            .iter()
            .any(|n| n.starts_with("the run was stopped"))
    {
        for note in &model.notes {
            events.push(json!({
                "ph": "i", "s": "p", "name": note, "cat": "incomplete",
                "ts": model.end_us, "pid": pid, "tid": 0,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use threadlings_support::protocol::EventKind;

    use super::*;
    use crate::timeline::model::tests::ev;
    use crate::verdict::Status;

    #[test]
    fn each_test_is_a_process_and_each_thread_is_named_once() {
        let events = vec![
            ev(10, 5, Some("main"), EventKind::Started, "f"),
            ev(20, 9, None, EventKind::Note, "line"),
            ev(30, 5, Some("main"), EventKind::Returned, "f"),
        ];
        let runs = [
            Run {
                test: "a",
                status: Status::Fail,
                events: &events,
                dropped: 4,
                reported: true,
            },
            Run {
                test: "b",
                status: Status::Pass,
                events: &events[..1],
                dropped: 0,
                reported: true,
            },
        ];
        let trace = trace(&runs);
        assert_eq!(trace["displayTimeUnit"], "ms");
        let all = trace["traceEvents"].as_array().unwrap();
        let names: Vec<(u64, u64)> = all
            .iter()
            .filter(|e| e["name"] == "thread_name")
            .map(|e| (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap()))
            .collect();
        assert_eq!(names, [(1, 5), (1, 9), (2, 5)]);
        let processes: Vec<&str> = all
            .iter()
            .filter(|e| e["name"] == "process_name")
            .map(|e| e["args"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(processes, ["a", "b"]);
        let call = all.iter().find(|e| e["cat"] == "call").unwrap();
        assert_eq!((&call["ts"], &call["dur"]), (&json!(10), &json!(20)));
        let lost = all.iter().find(|e| e["s"] == "p").unwrap();
        assert_eq!(
            lost["name"],
            "4 more events happened than the test keeps; they are not drawn"
        );
        assert_eq!(lost["pid"], 1);
        assert!(all.iter().any(|e| e["cat"] == "problem" && e["tid"] == 9));
    }

    #[test]
    fn a_join_names_the_joined_thread() {
        let mut join = ev(40, 5, Some("test"), EventKind::JoinReturned, "");
        join.peer = Some(9);
        let events = vec![ev(10, 9, None, EventKind::Note, "line"), join];
        let run = Run {
            test: "a",
            status: Status::Fail,
            events: &events,
            dropped: 0,
            reported: true,
        };
        let trace = trace(&[run]);
        let all = trace["traceEvents"].as_array().unwrap();
        let joined = all.iter().find(|e| e["cat"] == "join_returned").unwrap();
        assert_eq!(
            (&joined["tid"], &joined["args"]["peer"]),
            (&json!(5), &json!(9))
        );
        let note = all.iter().find(|e| e["cat"] == "note").unwrap();
        assert!(note["args"].get("peer").is_none());
    }
}
