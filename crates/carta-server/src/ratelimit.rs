//! Login throttling, in memory: attempts are counted per account and per
//! client network over a sliding window; past the limit, logins for that
//! key are refused (429 with `Retry-After`) until the oldest attempt ages
//! out. An attempt is reserved before the password is verified and released
//! when it succeeds, so parallel guesses cannot all pass one check. IPv6
//! clients are counted by their /64, the block one subscriber usually holds.
//! In memory means per process: several servers sharing a store each keep
//! their own counts, which still bounds guessing to a small multiple.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
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

/// Past this many tracked keys, keys whose attempts have all aged out are
/// dropped, so a flood of distinct emails cannot grow memory without bound.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Default)]
struct Attempts {
    by_account: HashMap<String, VecDeque<Instant>>,
    by_network: HashMap<IpAddr, VecDeque<Instant>>,
}

pub struct LoginLimiter {
    limits: LoginLimits,
    attempts: Mutex<Attempts>,
}

/// An attempt counted against an account and a network until it is
/// released by [`LoginLimiter::release`] (the password was right).
#[derive(Debug)]
#[must_use = "a successful attempt must be released"]
pub struct Reservation {
    account: String,
    network: Option<IpAddr>,
    at: Instant,
}

/// The key a client address is counted under: IPv4 addresses (IPv4-mapped
/// IPv6 ones included) as they are, other IPv6 addresses by their /64.
pub fn network_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> LoginLimiter {
        LoginLimiter {
            limits,
            attempts: Mutex::new(Attempts::default()),
        }
    }

    /// Counts one attempt for this account and client, or `Err(seconds)`
    /// when either must wait before trying again (nothing is counted then).
    /// Checking and counting happen under one lock.
    pub fn reserve(&self, account: &str, ip: Option<IpAddr>) -> Result<Reservation, u64> {
        let now = Instant::now();
        let window = self.limits.window;
        let network = ip.map(network_key);
        let mut attempts = self.lock();
        let account_wait = wait(
            attempts.by_account.get_mut(account),
            self.limits.per_account,
            window,
            now,
        );
        let network_wait = network.and_then(|network| {
            wait(
                attempts.by_network.get_mut(&network),
                self.limits.per_ip,
                window,
                now,
            )
        });
        if let Some(duration) = account_wait.max(network_wait) {
            return Err(duration.as_secs().max(1));
        }
        push(&mut attempts.by_account, account.to_string(), now, window);
        if let Some(network) = network {
            push(&mut attempts.by_network, network, now, window);
        }
        Ok(Reservation {
            account: account.to_string(),
            network,
            at: now,
        })
    }

    /// The attempt succeeded: it no longer counts, and the account's earlier
    /// failures are cleared (not the network's: one right password must not
    /// reset a spray across many accounts).
    pub fn release(&self, reservation: Reservation) {
        let mut attempts = self.lock();
        attempts.by_account.remove(&reservation.account);
        if let Some(network) = reservation.network {
            if let Some(times) = attempts.by_network.get_mut(&network) {
                if let Some(position) = times.iter().position(|at| *at == reservation.at) {
                    times.remove(position);
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Attempts> {
        // The map holds plain counters; a panic elsewhere cannot leave it inconsistent.
        self.attempts
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

fn push<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, VecDeque<Instant>>,
    key: K,
    now: Instant,
    window: Duration,
) {
    if map.len() > PRUNE_ABOVE {
        map.retain(|_, times| {
            expire(times, window, now);
            !times.is_empty()
        });
    }
    map.entry(key).or_default().push_back(now);
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

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("an address"))
    }

    #[test]
    fn account_locks_after_its_limit_and_reports_the_wait() {
        let limiter = limiter(3, 100, Duration::from_secs(600));
        for _ in 0..3 {
            assert!(limiter.reserve("a@x", ip("1.1.1.1")).is_ok());
        }
        let wait = limiter.reserve("a@x", ip("2.2.2.2")).unwrap_err();
        assert!((599..=600).contains(&wait), "wait {wait}");
        assert!(limiter.reserve("b@x", ip("1.1.1.1")).is_ok());
    }

    #[test]
    fn network_locks_across_accounts_and_success_does_not_clear_it() {
        let limiter = limiter(100, 3, Duration::from_secs(60));
        let _failed = limiter.reserve("a@x", ip("9.9.9.9")).expect("free");
        let _failed = limiter.reserve("b@x", ip("9.9.9.9")).expect("free");
        let succeeded = limiter.reserve("b@x", ip("9.9.9.9")).expect("free");
        limiter.release(succeeded);
        // The success itself does not count; the two failures still do.
        let _failed = limiter.reserve("c@x", ip("9.9.9.9")).expect("free");
        assert!(limiter.reserve("c@x", ip("9.9.9.9")).is_err());
        assert!(limiter.reserve("c@x", ip("8.8.8.8")).is_ok());
    }

    #[test]
    fn success_clears_the_account_and_attempts_age_out() {
        let limiter = limiter(1, 100, Duration::from_millis(50));
        let succeeded = limiter.reserve("a@x", None).expect("free");
        assert!(limiter.reserve("a@x", None).is_err());
        limiter.release(succeeded);
        let _failed = limiter.reserve("a@x", None).expect("free again");
        assert!(limiter.reserve("a@x", None).is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.reserve("a@x", None).is_ok());
    }

    #[test]
    fn parallel_reservations_never_exceed_the_limit() {
        let limiter = limiter(4, 100, Duration::from_secs(600));
        let granted = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..32)
                .map(|_| scope.spawn(|| limiter.reserve("a@x", None).is_ok()))
                .collect();
            threads
                .into_iter()
                .map(std::thread::ScopedJoinHandle::join)
                .filter(|granted| matches!(granted, Ok(true)))
                .count()
        });
        assert_eq!(granted, 4);
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let limiter = limiter(100, 2, Duration::from_secs(600));
        let _failed = limiter.reserve("a@x", ip("2001:db8:1:2::1")).expect("free");
        let _failed = limiter
            .reserve("b@x", ip("2001:db8:1:2:ffff::9"))
            .expect("free");
        assert!(limiter.reserve("c@x", ip("2001:db8:1:2::77")).is_err());
        assert!(limiter.reserve("c@x", ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(
            network_key("::ffff:10.1.2.3".parse().expect("an address")),
            "10.1.2.3".parse::<IpAddr>().expect("an address")
        );
    }
}
