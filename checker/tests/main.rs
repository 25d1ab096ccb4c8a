//! Integration tests: the real `threadlings` binary, driven with assert_cmd
//! over small fixture courses (tests/fixtures/<scenario>/) and a copy of the
//! bundled course.

mod bundled;
mod cache;
mod checking;
mod commands;
mod concurrency;
mod course_input;
mod disguise;
mod grade;
mod grading_setups;
mod harness;
mod hints;
mod hostile;
mod init;
mod messages;
mod promises;
mod quiz;
mod quiz2_predict;
mod reports;
mod right_variants;
mod sandbox;
mod timeline;
mod warnings;
mod watch;
