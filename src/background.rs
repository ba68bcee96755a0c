//! The server's background threads (the content-change poll, the pruning of limit counts),
//! stopped and joined before the process exits: a thread still inside a query when `main`
//! returns races the exit-time cleanup of the libraries it is using (OpenSSL's, under a TLS
//! connection to PostgreSQL, has been seen to crash).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Threads that run until [`Background::stop`] (or until their own work ends).
#[derive(Default)]
pub struct Background {
    stop: Stop,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// What a background thread checks between two pieces of work.
#[derive(Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Whether the thread should end now.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    /// Sleeps for `pause`, or less when a stop is asked for meanwhile; `false` if one was.
    pub fn sleep(&self, pause: Duration) -> bool {
        const STEP: Duration = Duration::from_millis(50);
        let until = Instant::now() + pause;
        while !self.requested() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(STEP));
        }
        false
    }
}

impl Background {
    /// Runs `work` on a thread named `name` until it returns; it should return soon after its
    /// [`Stop`] is requested.
    pub fn spawn(&self, name: &str, work: impl FnOnce(Stop) + Send + 'static) -> std::io::Result<()> {
        let stop = self.stop.clone();
        let thread = std::thread::Builder::new().name(name.to_owned()).spawn(move || work(stop))?;
        self.threads.lock().unwrap_or_else(|e| e.into_inner()).push(thread);
        Ok(())
    }

    /// Asks every thread to stop and waits until each has (blocking: off the async workers).
    pub fn stop(&self) {
        self.stop.0.store(true, Ordering::Release);
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        for thread in threads {
            if thread.join().is_err() {
                tracing::warn!("a background thread panicked");
            }
        }
    }
}
