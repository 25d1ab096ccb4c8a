//! Bounded concurrency: a fixed number of worker threads for the whole
//! batch, however many jobs and tests it has (a class of 100 submissions x
//! 21 exercises must not mean thousands of threads), and slots that bound
//! how many processes of one kind run at once.

use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::Scope;

/// Bounds how many processes of one kind (rustc, tests) run at once.
pub(super) struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Slots {
    pub fn new(n: usize) -> Slots {
        Slots {
            free: Mutex::new(n.max(1)),
            freed: Condvar::new(),
        }
    }

    /// Waits for a free slot; it is given back when the guard drops.
    pub fn acquire(&self) -> SlotGuard<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        SlotGuard(self)
    }
}

pub(super) struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

type Task<'scope> = Box<dyn FnOnce() + Send + 'scope>;

/// `n` threads that run submitted tasks in order of submission. They end
/// once every copy of the pool is dropped and the queue is empty (the scope
/// joins them). A task may hold a copy, to submit more work.
#[derive(Clone)]
pub(super) struct Workers<'scope> {
    queue: Sender<Task<'scope>>,
}

impl<'scope> Workers<'scope> {
    pub fn start<'env>(scope: &'scope Scope<'scope, 'env>, n: usize) -> Workers<'scope> {
        let (queue, tasks) = mpsc::channel::<Task<'scope>>();
        let tasks = Arc::new(Mutex::new(tasks));
        for _ in 0..n.max(1) {
            let tasks = Arc::clone(&tasks);
            scope.spawn(move || {
                loop {
                    // The lock is held only while taking a task, not while
                    // running it.
                    let next = tasks.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    match next {
                        Ok(task) => task(),
                        Err(_) => return,
                    }
                }
            });
        }
        Workers { queue }
    }

    pub fn submit(&self, task: impl FnOnce() + Send + 'scope) {
        // The workers outlive the pool, so the queue is open while it lives.
        let _ = self.queue.send(Box::new(task));
    }

    /// Queues every task, then waits for all of them; their results come
    /// back in the order the tasks were given.
    pub fn run_all<T, F>(&self, tasks: impl IntoIterator<Item = F>) -> Vec<T>
    where
        T: Send + 'scope,
        F: FnOnce() -> T + Send + 'scope,
    {
        let (done, results) = mpsc::channel();
        let mut count = 0;
        for (at, task) in tasks.into_iter().enumerate() {
            let done = done.clone();
            self.submit(move || {
                let _ = done.send((at, task()));
            });
            count += 1;
        }
        drop(done);
        let mut results: Vec<(usize, T)> = results.into_iter().collect();
        assert_eq!(results.len(), count, "a task panicked");
        results.sort_by_key(|(at, _)| *at);
        results.into_iter().map(|(_, result)| result).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn many_tasks_run_on_a_fixed_number_of_threads() {
        let threads = Mutex::new(HashSet::new());
        let ran = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let pool = Workers::start(scope, 3);
            for _ in 0..500 {
                pool.submit(|| {
                    threads.lock().unwrap().insert(std::thread::current().id());
                    ran.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(ran.load(Ordering::SeqCst), 500);
        let used = threads.lock().unwrap().len();
        assert!((1..=3).contains(&used), "{used} threads");
    }

    #[test]
    fn results_come_back_in_task_order_whatever_order_they_finish_in() {
        let results = std::thread::scope(|scope| {
            let pool = Workers::start(scope, 4);
            pool.run_all((0..20u64).map(|i| {
                move || {
                    // Early tasks finish last.
                    std::thread::sleep(std::time::Duration::from_millis(20 - i));
                    i * 10
                }
            }))
        });
        assert_eq!(results, (0..20).map(|i| i * 10).collect::<Vec<_>>());
    }

    #[test]
    fn slots_bound_how_many_hold_at_once() {
        let slots = Slots::new(2);
        let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let _slot = slots.acquire();
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    now.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert!(most.load(Ordering::SeqCst) <= 2);
    }
}
