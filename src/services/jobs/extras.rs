//! Waiting for a job: `t.jobs().wait(uuid)` polls `getJobStatus` until the
//! job reaches a terminal status, then returns the job.

use std::fmt;
use std::time::Duration;

use crate::{types::Job, Client};
use crate::{CallOptions, Error};

/// The statuses after which a job never changes (the jobs service's
/// "terminal state": its spec names CANCELLED, FINISHED and FAILED).
pub const TERMINAL_STATUSES: &[&str] = &["FINISHED", "FAILED", "CANCELLED"];

/// Whether a job status is terminal.
pub fn is_terminal(status: &str) -> bool {
    TERMINAL_STATUSES.contains(&status)
}

/// Default time between two status polls.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

impl Client {
    /// Waits for job `job_uuid` to reach a terminal status (FINISHED, FAILED
    /// or CANCELLED) and returns the job as it then is: a failed job is an
    /// `Ok` whose `status` says so. Configure with [`JobWait::max_wait`],
    /// [`JobWait::poll_interval`] and [`JobWait::on_status`], then `.send()`.
    ///
    /// ```no_run
    /// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
    /// use std::time::Duration;
    /// let job = t
    ///     .jobs()
    ///     .wait("3f6c3c9e-...-007")
    ///     .poll_interval(Duration::from_secs(10))
    ///     .max_wait(Duration::from_secs(3600))
    ///     .on_status(|status| println!("job is {status}"))
    ///     .send()
    ///     .await?;
    /// println!("ended {:?}", job.status);
    /// # Ok(()) }
    /// ```
    pub fn wait(&self, job_uuid: impl Into<String>) -> JobWait<'_> {
        JobWait {
            client: self,
            job_uuid: job_uuid.into(),
            max_wait: None,
            poll_interval: DEFAULT_POLL_INTERVAL,
            on_status: None,
            call_options: CallOptions::default(),
        }
    }
}

type StatusCallback<'a> = Box<dyn FnMut(&str) + Send + 'a>;

/// A wait for a job to end; made by [`Client::wait`].
#[must_use = "a wait does nothing until `.send()` is awaited"]
pub struct JobWait<'a> {
    client: &'a Client,
    job_uuid: String,
    max_wait: Option<Duration>,
    poll_interval: Duration,
    on_status: Option<StatusCallback<'a>>,
    call_options: CallOptions,
}

impl fmt::Debug for JobWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobWait")
            .field("job_uuid", &self.job_uuid)
            .field("max_wait", &self.max_wait)
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

impl<'a> JobWait<'a> {
    /// Gives up after this long, all polls included, with
    /// [`Error::WaitTimeout`], which carries the last status seen. Without
    /// it the wait has no limit. (Each poll's own HTTP timeout is a per-call
    /// control: `.call_options(CallOptions::new().timeout(..))`.)
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = Some(max_wait);
        self
    }

    /// Time between two polls (default [`DEFAULT_POLL_INTERVAL`]).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Called with each new status, the first one seen included.
    pub fn on_status(mut self, callback: impl FnMut(&str) + Send + 'a) -> Self {
        self.on_status = Some(Box::new(callback));
        self
    }

    /// Per-call controls (tracking id, headers, retry policy...) for every
    /// poll and for the final `getJob`.
    pub fn call_options(mut self, options: CallOptions) -> Self {
        self.call_options = self.call_options.merge(options);
        self
    }

    /// Polls until the job ends; returns it.
    pub async fn send(mut self) -> Result<Job, Error> {
        if self.job_uuid.trim().is_empty() {
            return Err(Error::InvalidInput(
                "job wait: the job UUID is empty".into(),
            ));
        }
        let started = tokio::time::Instant::now();
        let deadline = self.max_wait.map(|t| started + t);
        let mut last: Option<String> = None;
        loop {
            let poll = self
                .client
                .get_job_status()
                .job_uuid(self.job_uuid.as_str())
                .call_options(self.call_options.clone())
                .send();
            let status = match deadline {
                Some(deadline) => match tokio::time::timeout_at(deadline, poll).await {
                    Ok(answer) => answer?,
                    Err(_) => return Err(self.timed_out(started, last)),
                },
                None => poll.await?,
            }
            .into_result()
            .status
            .ok_or_else(|| {
                Error::invalid_response_without_body(
                    reqwest::StatusCode::OK,
                    format!("getJobStatus for job {} gave no status", self.job_uuid),
                    None,
                )
            })?;
            if last.as_deref() != Some(status.as_str()) {
                tracing::debug!(job = %self.job_uuid, %status, "job status");
                if let Some(callback) = self.on_status.as_mut() {
                    callback(&status);
                }
            }
            let terminal = is_terminal(&status);
            last = Some(status);
            if terminal {
                break;
            }
            let next = tokio::time::Instant::now() + self.poll_interval;
            match deadline {
                Some(deadline) if next >= deadline => {
                    tokio::time::sleep_until(deadline).await;
                    return Err(self.timed_out(started, last));
                }
                _ => tokio::time::sleep_until(next).await,
            }
        }
        Ok(self
            .client
            .get_job()
            .job_uuid(self.job_uuid.as_str())
            .call_options(self.call_options.clone())
            .send()
            .await?
            .into_result())
    }

    fn timed_out(&self, started: tokio::time::Instant, last: Option<String>) -> Error {
        Error::WaitTimeout {
            what: format!("job {}", self.job_uuid),
            last_status: last.unwrap_or_else(|| "none".to_string()),
            waited: started.elapsed(),
        }
    }
}

#[cfg(feature = "blocking")]
impl JobWait<'_> {
    /// [`send`](Self::send) for synchronous code.
    // The SDK's one `Error`, as every call returns it.
    #[allow(clippy::result_large_err)]
    pub fn send_blocking(self) -> Result<Job, Error> {
        tapis_runtime::blocking::block_on(self.send())
    }
}
