//! Parsing files on worker threads while one thread consumes the results in file order.
//!
//! The shape is tantivy-cli's: bounded channels between a dispatcher, the parser workers
//! and the consumer, so nothing polls and nothing piles up. Files go to the workers in
//! batches of consecutive files; each batch gets a one-shot channel for its results, and
//! the dispatcher queues those channels in order on a bounded channel, so the consumer takes
//! results in file order and the workers never run more than `AHEAD` batches past it,
//! however slow one file is. Batches keep the hand-offs between threads (each a wake-up)
//! few when a corpus is tens of thousands of small pages.

use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use crate::parse::{self, ParseError, Parsed as ParsedFile};

/// How many batches may be parsed ahead of the one being consumed, per worker.
const AHEAD_PER_THREAD: usize = 4;
/// Files per batch, at most; fewer when there are few files per thread.
const BATCH: usize = 16;

type Parsed = Result<ParsedFile, ParseError>;

/// Parses `files` on `threads` workers and calls `handle` with each result in file order.
/// The first error `handle` returns stops the work and is returned.
pub fn parse_in_order<P, E>(
    files: &[P],
    threads: usize,
    mut handle: impl FnMut(usize, Parsed) -> Result<(), E>,
) -> Result<(), E>
where
    P: AsRef<Path> + Sync,
{
    let threads = threads.max(1);
    let batch = (files.len() / (threads * 4)).clamp(1, BATCH);
    type Job = (std::ops::Range<usize>, SyncSender<Vec<Parsed>>);
    let (job_tx, job_rx) = sync_channel::<Job>(threads);
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        let (order_tx, order_rx) =
            sync_channel::<(usize, Receiver<Vec<Parsed>>)>(threads * AHEAD_PER_THREAD);
        scope.spawn(move || {
            for start in (0..files.len()).step_by(batch) {
                let (tx, rx) = sync_channel(1);
                let range = start..(start + batch).min(files.len());
                // Either send fails only when the consumer has stopped.
                if order_tx.send((start, rx)).is_err() || job_tx.send((range, tx)).is_err() {
                    break;
                }
            }
        });
        for _ in 0..threads {
            let job_rx = &job_rx;
            scope.spawn(move || loop {
                let job = job_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((range, tx))) = job else { break };
                let results = files[range]
                    .iter()
                    .map(|f| parse::parse_file(f.as_ref()))
                    .collect();
                // The consumer may have stopped; then the results are not wanted.
                let _ = tx.send(results);
            });
        }
        for (start, rx) in order_rx {
            let Ok(results) = rx.recv() else { break };
            for (i, result) in results.into_iter().enumerate() {
                handle(start + i, result)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_file_order_and_an_error_stops_early() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<_> = (0..300)
            .map(|i| {
                let path = dir.path().join(format!("{i}.txt"));
                // Every fifth file is bad; the others are pages of different sizes.
                let text = if i % 5 == 0 {
                    "not a page".to_string()
                } else {
                    format!(
                        "H{i}\n\n(asked on 1st May 2024) - View Source\n\nQuestion to the Home Office:\n\n{}\n\nReticulating Splines\n",
                        "word ".repeat(i * 10 + 1)
                    )
                };
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        for threads in [1, 2, 7] {
            let mut seen = Vec::new();
            let result: Result<(), ()> = parse_in_order(&files, threads, |i, parsed| {
                assert_eq!(parsed.is_err(), i % 5 == 0, "file {i}");
                if let Ok(p) = parsed {
                    assert_eq!(
                        p.questions[0].heading.as_deref(),
                        Some(format!("H{i}").as_str())
                    );
                }
                seen.push(i);
                Ok(())
            });
            assert!(result.is_ok());
            assert_eq!(seen, (0..300).collect::<Vec<_>>());
            let mut count = 0;
            let stopped = parse_in_order(&files, threads, |i, _| {
                count += 1;
                if i == 42 {
                    Err(i)
                } else {
                    Ok(())
                }
            });
            assert_eq!((stopped, count), (Err(42), 43));
        }
    }
}
