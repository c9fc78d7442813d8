//! API usage metering and workspace quotas.
//!
//! [`track`] is a route layer: every matched API route but the health
//! checks yields one usage row (route template, method, status, duration,
//! and the token, user and workspace the request was admitted with). Rows
//! go to an in-memory buffer that a background task writes in batches,
//! every [`FLUSH_INTERVAL`] or once [`FLUSH_ROWS`] are waiting, and once more
//! at shutdown ([`Meter::close`]); a process that is killed loses at most
//! the rows of the last interval.
//!
//! Quotas are checked when a request is admitted to a workspace (see
//! [`crate::auth::workspace_access`]), with no store access on the request
//! path: each process counts its own requests per minute, and the daily
//! total is the store's count (refreshed with the quotas at every flush)
//! plus what this process admitted since. With several servers the minute
//! limit is per process and the daily one lags by one flush per server.

use crate::error::{ApiError, ErrorCode};
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use carta_store::{NewUsage, Quota, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::Notify;
use uuid::Uuid;

/// How often buffered usage is written and quotas are reread.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// A batch this large is written at once.
pub const FLUSH_ROWS: usize = 1000;
/// Rows kept while the store cannot be written; older ones are dropped.
const MAX_BUFFERED: usize = 100_000;
/// Routes that are never metered: probes must not count against anything.
const UNMETERED: [&str; 2] = ["/healthz", "/readyz"];

/// The usage buffer and quota counters of one server process; cheap to clone.
#[derive(Clone)]
pub struct Meter {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    buffer: Mutex<Vec<NewUsage>>,
    windows: Mutex<HashMap<Uuid, Window>>,
    /// Serializes flushes (the background task and [`Meter::close`]).
    flushing: tokio::sync::Mutex<()>,
    wake: Arc<Notify>,
}

/// A workspace's quota and what has been admitted against it.
struct Window {
    quota: Quota,
    /// Minutes since the epoch of `in_minute`'s minute.
    minute: i64,
    in_minute: u32,
    day: time::Date,
    /// Admitted today according to the store, at the last refresh.
    day_stored: u64,
    /// Admitted by this process since the last refresh.
    day_local: u64,
}

impl Window {
    fn new(quota: Quota, now: OffsetDateTime) -> Window {
        Window {
            quota,
            minute: now.unix_timestamp().div_euclid(60),
            in_minute: 0,
            day: now.date(),
            day_stored: 0,
            day_local: 0,
        }
    }

    fn roll(&mut self, now: OffsetDateTime) {
        let minute = now.unix_timestamp().div_euclid(60);
        if minute != self.minute {
            self.minute = minute;
            self.in_minute = 0;
        }
        if now.date() != self.day {
            self.day = now.date();
            self.day_stored = 0;
            self.day_local = 0;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn over_quota(limit: u32, per: &str, retry_after: i64) -> ApiError {
    ApiError {
        code: ErrorCode::RateLimited,
        message: format!("the workspace's quota of {limit} requests per {per} is used up"),
        retry_after: Some(u64::try_from(retry_after.max(1)).unwrap_or(1)),
    }
}

impl Meter {
    /// A meter writing to `store`; its flushing task starts here when a
    /// tokio runtime is running (else rows wait for [`Meter::close`]).
    pub fn new(store: Store) -> Meter {
        let wake = Arc::new(Notify::new());
        let meter = Meter {
            inner: Arc::new(Inner {
                store,
                buffer: Mutex::new(Vec::new()),
                windows: Mutex::new(HashMap::new()),
                flushing: tokio::sync::Mutex::new(()),
                wake: Arc::clone(&wake),
            }),
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(flush_loop(Arc::downgrade(&meter.inner), wake));
        }
        meter
    }

    /// Buffers one row; wakes the flusher when a batch is full.
    pub fn record(&self, usage: NewUsage) {
        let mut buffer = lock(&self.inner.buffer);
        if buffer.len() >= MAX_BUFFERED {
            buffer.remove(0);
        }
        buffer.push(usage);
        if buffer.len() >= FLUSH_ROWS {
            self.inner.wake.notify_one();
        }
    }

    /// Counts one request against the workspace's quota, or refuses it with
    /// 429 and the seconds until the window that is full ends.
    pub fn admit(&self, workspace: Uuid) -> Result<(), ApiError> {
        let now = OffsetDateTime::now_utc();
        let mut windows = lock(&self.inner.windows);
        let Some(window) = windows.get_mut(&workspace) else {
            return Ok(());
        };
        window.roll(now);
        if let Some(limit) = window.quota.requests_per_minute {
            if window.in_minute >= limit {
                return Err(over_quota(limit, "minute", 60 - i64::from(now.second())));
            }
        }
        if let Some(limit) = window.quota.requests_per_day {
            if window.day_stored + window.day_local >= u64::from(limit) {
                let midnight = now
                    .date()
                    .next_day()
                    .map_or(now, |day| day.midnight().assume_utc());
                return Err(over_quota(limit, "day", (midnight - now).whole_seconds()));
            }
        }
        window.in_minute += 1;
        window.day_local += 1;
        Ok(())
    }

    /// Puts a quota in force in this process at once (other servers read it
    /// at their next flush).
    pub fn set_quota(&self, workspace: Uuid, quota: Quota) {
        let mut windows = lock(&self.inner.windows);
        if quota == Quota::default() {
            windows.remove(&workspace);
        } else {
            windows
                .entry(workspace)
                .or_insert_with(|| Window::new(quota, OffsetDateTime::now_utc()))
                .quota = quota;
        }
    }

    /// Writes what is buffered and rereads the quotas and today's totals.
    /// A store error keeps the rows for the next flush.
    pub async fn flush(&self) {
        let _one_at_a_time = self.inner.flushing.lock().await;
        let store = &self.inner.store;
        let admitted_before: HashMap<Uuid, u64> = lock(&self.inner.windows)
            .iter()
            .map(|(id, window)| (*id, window.day_local))
            .collect();
        let batch = std::mem::take(&mut *lock(&self.inner.buffer));
        if !batch.is_empty() {
            if let Err(error) = store.record_usage(batch.clone()).await {
                tracing::warn!(%error, rows = batch.len(), "cannot write API usage; kept for the next flush");
                let mut buffer = lock(&self.inner.buffer);
                let newer = std::mem::replace(&mut *buffer, batch);
                buffer.extend(newer);
                let excess = buffer.len().saturating_sub(MAX_BUFFERED);
                buffer.drain(..excess);
                return;
            }
        }
        if let Err(error) = self.refresh(admitted_before).await {
            tracing::warn!(%error, "cannot reread the workspace quotas");
        }
    }

    async fn refresh(
        &self,
        admitted_before: HashMap<Uuid, u64>,
    ) -> Result<(), carta_store::StoreError> {
        let store = &self.inner.store;
        let now = OffsetDateTime::now_utc();
        let quotas = store.quotas().await?;
        let daily: Vec<Uuid> = quotas
            .iter()
            .filter(|q| q.quota.requests_per_day.is_some())
            .map(|q| q.workspace_id)
            .collect();
        let stored: HashMap<Uuid, u64> = store
            .admitted_since(now.date().midnight().assume_utc(), &daily)
            .await?
            .into_iter()
            .collect();
        let mut windows = lock(&self.inner.windows);
        let mut refreshed = HashMap::with_capacity(quotas.len());
        for quota in quotas {
            let id = quota.workspace_id;
            let mut window = windows
                .remove(&id)
                .unwrap_or_else(|| Window::new(quota.quota, now));
            window.roll(now);
            window.quota = quota.quota;
            // What was admitted before this flush began is in the store now
            // (but for requests still running then).
            window.day_local = window
                .day_local
                .saturating_sub(admitted_before.get(&id).copied().unwrap_or(0));
            window.day_stored = stored.get(&id).copied().unwrap_or(0);
            refreshed.insert(id, window);
        }
        *windows = refreshed;
        Ok(())
    }

    /// The last flush, at shutdown.
    pub async fn close(&self) {
        self.flush().await;
    }
}

async fn flush_loop(meter: Weak<Inner>, wake: Arc<Notify>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(FLUSH_INTERVAL) => {}
            () = wake.notified() => {}
        }
        // The last clone is gone: the server has stopped.
        let Some(inner) = meter.upgrade() else { break };
        Meter { inner }.flush().await;
    }
}

/// What one request learns about itself on its way through the handlers:
/// the token and user that authenticated it, the workspace it was admitted
/// to. Put in the request's extensions by [`track`].
#[derive(Clone)]
pub struct Slot {
    meter: Meter,
    seen: Arc<Mutex<Seen>>,
}

#[derive(Default, Clone, Copy)]
struct Seen {
    token_id: Option<Uuid>,
    user_id: Option<Uuid>,
    workspace_id: Option<Uuid>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot").finish_non_exhaustive()
    }
}

impl Slot {
    /// Called by authentication.
    pub fn identify(&self, token_id: Uuid, user_id: Uuid) {
        let mut seen = lock(&self.seen);
        seen.token_id = Some(token_id);
        seen.user_id = Some(user_id);
    }

    /// Called once the caller is known to belong to the workspace: the
    /// request is attributed to it and, when `counted`, held to its quota.
    pub fn admit(&self, workspace: Uuid, counted: bool) -> Result<(), ApiError> {
        lock(&self.seen).workspace_id = Some(workspace);
        if counted {
            self.meter.admit(workspace)
        } else {
            Ok(())
        }
    }

    pub fn meter(&self) -> &Meter {
        &self.meter
    }
}

/// The route layer that meters every request of a matched route.
pub async fn track(State(meter): State<Meter>, mut request: Request, next: Next) -> Response {
    let Some(endpoint) = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .filter(|path| !UNMETERED.contains(&path.as_str()))
    else {
        return next.run(request).await;
    };
    let slot = Slot {
        meter: meter.clone(),
        seen: Arc::new(Mutex::new(Seen::default())),
    };
    request.extensions_mut().insert(slot.clone());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let seen = *lock(&slot.seen);
    meter.record(NewUsage {
        workspace_id: seen.workspace_id,
        token_id: seen.token_id,
        user_id: seen.user_id,
        endpoint,
        method,
        status: response.status().as_u16(),
        duration_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        at: OffsetDateTime::now_utc(),
    });
    response
}
