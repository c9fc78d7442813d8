//! Rows generated on worker threads and handed to the loader in order.
//!
//! Rows `0..rows` are cut into chunks of [`CHUNK_ROWS`]; worker `w` of `n`
//! makes chunks `w, w + n, w + 2n, ...` and queues each in its own small
//! bounded channel, so the consumer reads chunk `k` from worker `k % n` and
//! gets them in row order while the workers stay a few chunks ahead.

use std::ops::Range;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Rows per chunk: big enough to amortize a channel hand-off, small enough
/// that the first COPY bytes leave quickly and progress moves smoothly.
pub const CHUNK_ROWS: u64 = 8192;

/// Chunks each worker may have ready before it waits for the consumer.
const AHEAD: usize = 2;

/// A chunk of rows made by `make`, with the row range it covers.
#[derive(Debug)]
pub struct Chunk<T> {
    pub rows: Range<u64>,
    pub data: T,
}

/// The chunk of a worker that stopped early (it panicked).
#[derive(Debug)]
pub struct WorkerDied {
    pub rows: Range<u64>,
}

pub struct OrderedChunks<T> {
    receivers: Vec<mpsc::Receiver<T>>,
    next: u64,
    total_rows: u64,
}

impl<T: Send + 'static> OrderedChunks<T> {
    /// Starts `workers` threads making rows `0..total_rows` with `make`.
    pub fn spawn<F>(total_rows: u64, workers: usize, make: F) -> OrderedChunks<T>
    where
        F: Fn(Range<u64>) -> T + Send + Sync + 'static,
    {
        let chunk_count = total_rows.div_ceil(CHUNK_ROWS);
        let workers = workers.clamp(1, chunk_count.max(1) as usize);
        let make = Arc::new(make);
        let receivers = (0..workers)
            .map(|worker| {
                let (sender, receiver) = mpsc::channel(AHEAD);
                let make = Arc::clone(&make);
                std::thread::spawn(move || {
                    let mut chunk = worker as u64;
                    while chunk < chunk_count {
                        let data = make(chunk_range(chunk, total_rows));
                        if sender.blocking_send(data).is_err() {
                            // The consumer stopped (an error): no one needs the rest.
                            return;
                        }
                        chunk += workers as u64;
                    }
                });
                receiver
            })
            .collect();
        OrderedChunks {
            receivers,
            next: 0,
            total_rows,
        }
    }

    /// The next chunk in row order, `None` after the last.
    pub async fn next(&mut self) -> Result<Option<Chunk<T>>, WorkerDied> {
        let Some((index, rows)) = self.pending() else {
            return Ok(None);
        };
        let received = self.receivers[index].recv().await;
        self.deliver(received, rows)
    }

    /// [`OrderedChunks::next`] for a consumer on a blocking thread.
    pub fn blocking_next(&mut self) -> Result<Option<Chunk<T>>, WorkerDied> {
        let Some((index, rows)) = self.pending() else {
            return Ok(None);
        };
        let received = self.receivers[index].blocking_recv();
        self.deliver(received, rows)
    }

    /// The worker and row range of the next chunk, if rows remain.
    fn pending(&self) -> Option<(usize, Range<u64>)> {
        let chunk_count = self.total_rows.div_ceil(CHUNK_ROWS);
        (self.next < chunk_count).then(|| {
            (
                (self.next % self.receivers.len() as u64) as usize,
                chunk_range(self.next, self.total_rows),
            )
        })
    }

    fn deliver(
        &mut self,
        received: Option<T>,
        rows: Range<u64>,
    ) -> Result<Option<Chunk<T>>, WorkerDied> {
        let data = received.ok_or(WorkerDied { rows: rows.clone() })?;
        self.next += 1;
        Ok(Some(Chunk { rows, data }))
    }
}

fn chunk_range(chunk: u64, total_rows: u64) -> Range<u64> {
    let start = chunk * CHUNK_ROWS;
    start..(start + CHUNK_ROWS).min(total_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_arrive_in_row_order_and_cover_every_row() {
        let total = CHUNK_ROWS * 5 + 17;
        let mut chunks = OrderedChunks::spawn(total, 3, |rows: Range<u64>| rows.clone());
        let mut covered = 0;
        while let Some(chunk) = chunks.blocking_next().unwrap() {
            assert_eq!(chunk.rows, chunk.data);
            assert_eq!(chunk.rows.start, covered);
            covered = chunk.rows.end;
        }
        assert_eq!(covered, total);
    }

    #[test]
    fn no_rows_make_no_chunks() {
        let mut chunks = OrderedChunks::spawn(0, 4, |rows: Range<u64>| rows);
        assert!(chunks.blocking_next().unwrap().is_none());
    }

    #[test]
    fn a_panicking_worker_is_reported() {
        let total = CHUNK_ROWS * 2;
        let mut chunks = OrderedChunks::spawn(total, 2, |rows: Range<u64>| {
            assert!(rows.start == 0, "worker for the second chunk fails");
            rows
        });
        assert!(chunks.blocking_next().unwrap().is_some());
        let died = chunks.blocking_next().unwrap_err();
        assert_eq!(died.rows, CHUNK_ROWS..total);
    }
}
