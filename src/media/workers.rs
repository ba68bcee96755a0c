//! The threads that decode and resize images, apart from the HTTP workers: a few of them, at a
//! lower CPU priority, and a budget of memory for the pixels being worked on, so that uploads
//! never starve reads and a queue of huge photos never holds more decoded bytes than the budget.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use super::MediaError;

/// A unit of the memory budget.
const MIB: u64 = 1024 * 1024;

type Job = Box<dyn FnOnce() + Send>;

/// Image work, bounded in threads and in memory.
pub struct ImageWorkers {
    jobs: std::sync::mpsc::Sender<Job>,
    budget: Arc<Semaphore>,
    budget_mib: u32,
    wait: Duration,
}

impl ImageWorkers {
    /// `threads` threads sharing `budget_mib` MiB of pixels; a job waits up to `wait` for its share.
    pub fn new(threads: usize, budget_mib: u32, wait: Duration) -> ImageWorkers {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name("warta-images".into()).spawn(move || {
                lower_priority();
                loop {
                    let job = match queue.lock().unwrap_or_else(|e| e.into_inner()).recv() {
                        Ok(job) => job,
                        Err(_) => return,
                    };
                    // A panic in a decoder must not take the thread with it; its caller sees
                    // the dropped answer as an error.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start an image thread");
            }
        }
        let budget_mib = budget_mib.max(1);
        ImageWorkers { jobs, budget: Arc::new(Semaphore::new(budget_mib as usize)), budget_mib, wait }
    }

    /// Half the cores (at least one), 384 MiB of pixels, a minute's wait.
    pub fn for_this_machine() -> ImageWorkers {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        ImageWorkers::new((cores / 2).max(1), 384, Duration::from_secs(60))
    }

    /// Runs `work`, which needs up to `memory` bytes, on an image thread once the budget has room.
    /// A job larger than the whole budget waits for all of it.
    pub async fn run<T: Send + 'static>(
        &self,
        memory: u64,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, MediaError> {
        let share = memory.div_ceil(MIB).clamp(1, u64::from(self.budget_mib)) as u32;
        let permit = match tokio::time::timeout(self.wait, self.budget.clone().acquire_many_owned(share)).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(MediaError::Busy),
        };
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _permit = permit;
            let _ = answer.send(work());
        });
        self.jobs.send(job).map_err(|_| MediaError::Failed("the image threads are gone".into()))?;
        answered.await.map_err(|_| MediaError::Failed("an image job failed".into()))
    }
}

/// Lowers the calling thread's CPU priority (Linux gives each thread its own nice value), so the
/// HTTP workers win the cores when both want them.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; `0` names the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_beyond_the_budget_waits_and_a_long_wait_is_busy() {
        let workers = Arc::new(ImageWorkers::new(2, 10, Duration::from_millis(200)));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = {
            let workers = workers.clone();
            tokio::spawn(async move { workers.run(10 * MIB, move || released.recv().is_ok()).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(matches!(workers.run(MIB, || ()).await, Err(MediaError::Busy)));
        release.send(()).unwrap();
        assert!(holder.await.unwrap().unwrap());
        assert_eq!(workers.run(MIB, || 7).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_the_thread_lives_on() {
        let workers = ImageWorkers::new(1, 10, Duration::from_secs(5));
        assert!(matches!(workers.run(1, || panic!("bad image")).await, Err(MediaError::Failed(_))));
        assert_eq!(workers.run(1, || 1).await.unwrap(), 1);
    }
}
