//! Login throttling, in memory: failed attempts are counted per account and
//! per client IP over a sliding window; past the limit, logins for that key
//! are refused (429 with `Retry-After`) until the oldest failure ages out.
//! In memory means per process: several servers sharing a store each keep
//! their own counts, which still bounds guessing to a small multiple.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many failures each key may have within `window`.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub per_account: usize,
    pub per_ip: usize,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 5,
            per_ip: 20,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Past this many tracked keys, keys whose failures have all aged out are
/// dropped, so a flood of distinct emails cannot grow memory without bound.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Default)]
struct Failures {
    by_account: HashMap<String, VecDeque<Instant>>,
    by_ip: HashMap<String, VecDeque<Instant>>,
}

pub struct LoginLimiter {
    limits: LoginLimits,
    failures: Mutex<Failures>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> LoginLimiter {
        LoginLimiter {
            limits,
            failures: Mutex::new(Failures::default()),
        }
    }

    /// `Err(seconds)` when this account or IP must wait before trying again.
    pub fn check(&self, account: &str, ip: Option<&str>) -> Result<(), u64> {
        let now = Instant::now();
        let mut failures = self.lock();
        let window = self.limits.window;
        let account_wait = wait(
            failures.by_account.get_mut(account),
            self.limits.per_account,
            window,
            now,
        );
        let ip_wait =
            ip.and_then(|ip| wait(failures.by_ip.get_mut(ip), self.limits.per_ip, window, now));
        match account_wait.max(ip_wait) {
            Some(duration) => Err(duration.as_secs().max(1)),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, account: &str, ip: Option<&str>) {
        let now = Instant::now();
        let window = self.limits.window;
        let mut failures = self.lock();
        push(&mut failures.by_account, account, now, window);
        if let Some(ip) = ip {
            push(&mut failures.by_ip, ip, now, window);
        }
    }

    /// A successful login clears the account's failures (not the IP's: one
    /// right password must not reset a spray across many accounts).
    pub fn record_success(&self, account: &str) {
        self.lock().by_account.remove(account);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        // The map holds plain counters; a panic elsewhere cannot leave it inconsistent.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn expire(times: &mut VecDeque<Instant>, window: Duration, now: Instant) {
    while times
        .front()
        .is_some_and(|first| now.duration_since(*first) >= window)
    {
        times.pop_front();
    }
}

fn wait(
    times: Option<&mut VecDeque<Instant>>,
    limit: usize,
    window: Duration,
    now: Instant,
) -> Option<Duration> {
    let times = times?;
    expire(times, window, now);
    if times.len() < limit {
        return None;
    }
    let oldest = *times.front()?;
    Some(window.saturating_sub(now.duration_since(oldest)))
}

fn push(map: &mut HashMap<String, VecDeque<Instant>>, key: &str, now: Instant, window: Duration) {
    if map.len() > PRUNE_ABOVE {
        map.retain(|_, times| {
            expire(times, window, now);
            !times.is_empty()
        });
    }
    map.entry(key.to_string()).or_default().push_back(now);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_account: usize, per_ip: usize, window: Duration) -> LoginLimiter {
        LoginLimiter::new(LoginLimits {
            per_account,
            per_ip,
            window,
        })
    }

    #[test]
    fn account_locks_after_its_limit_and_reports_the_wait() {
        let limiter = limiter(3, 100, Duration::from_secs(600));
        for _ in 0..3 {
            assert_eq!(limiter.check("a@x", Some("1.1.1.1")), Ok(()));
            limiter.record_failure("a@x", Some("1.1.1.1"));
        }
        let wait = limiter.check("a@x", Some("2.2.2.2")).unwrap_err();
        assert!((599..=600).contains(&wait), "wait {wait}");
        assert_eq!(limiter.check("b@x", Some("1.1.1.1")), Ok(()));
    }

    #[test]
    fn ip_locks_across_accounts_and_success_does_not_clear_it() {
        let limiter = limiter(100, 2, Duration::from_secs(60));
        limiter.record_failure("a@x", Some("9.9.9.9"));
        limiter.record_failure("b@x", Some("9.9.9.9"));
        limiter.record_success("b@x");
        assert!(limiter.check("c@x", Some("9.9.9.9")).is_err());
        assert_eq!(limiter.check("c@x", Some("8.8.8.8")), Ok(()));
    }

    #[test]
    fn success_clears_the_account_and_failures_age_out() {
        let limiter = limiter(1, 100, Duration::from_millis(50));
        limiter.record_failure("a@x", None);
        assert!(limiter.check("a@x", None).is_err());
        limiter.record_success("a@x");
        assert_eq!(limiter.check("a@x", None), Ok(()));
        limiter.record_failure("a@x", None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(limiter.check("a@x", None), Ok(()));
    }
}
