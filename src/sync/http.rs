//! The HTTP side of sync: polite, bounded and patient.
//!
//! One blocking client (ureq) that names pqsearch in its `User-Agent`, spaces requests to
//! at most `rate` a second, gives up on a silent server after a timeout, and retries what a
//! retry can cure: 429 (waiting as long as `Retry-After` asks), 5xx, dropped connections,
//! timeouts and bodies that are not JSON. A 404 is an answer, not a failure.

use std::time::{Duration, Instant};

use serde_json::Value;

/// How many times one request is tried.
const ATTEMPTS: u32 = 6;
/// The longest wait between tries that pqsearch accepts from `Retry-After`.
const MAX_WAIT: Duration = Duration::from_secs(120);

/// Why a request failed for good.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(
        "cannot reach {host}: {reason} (sync needs the network; everything else in pqsearch works offline)"
    )]
    Unreachable { host: String, reason: String },
    #[error("{url}: {reason}, still after {ATTEMPTS} tries")]
    GaveUp { url: String, reason: String },
}

/// What a GET returned.
#[derive(Debug)]
pub enum Fetched {
    Json(Value),
    NotFound,
}

/// Counts of what the client did, for the report.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    pub requests: usize,
    pub retries: usize,
}

pub struct Client {
    agent: ureq::Agent,
    gap: Duration,
    last: Option<Instant>,
    pub traffic: Traffic,
    /// The first wait after a failure; it doubles each time.
    backoff: Duration,
}

impl Client {
    /// A client making at most `rate` requests a second (0: no limit), each given up after
    /// `timeout`.
    pub fn new(rate: f64, timeout: Duration) -> Client {
        let config = ureq::Agent::config_builder()
            .user_agent(concat!(
                "pqsearch/",
                env!("CARGO_PKG_VERSION"),
                " (full-text search of written questions; sync)"
            ))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build();
        Client {
            agent: config.into(),
            gap: if rate > 0.0 {
                Duration::from_secs_f64(1.0 / rate)
            } else {
                Duration::ZERO
            },
            last: None,
            traffic: Traffic::default(),
            backoff: Duration::from_millis(500),
        }
    }

    /// Waits less between tries (for tests, whose replay server fails on purpose).
    pub fn with_backoff(mut self, first: Duration) -> Client {
        self.backoff = first;
        self
    }

    /// GETs a JSON document, retrying what can be retried.
    pub fn get_json(&mut self, url: &str) -> Result<Fetched, HttpError> {
        let mut wait = self.backoff;
        let mut reason = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                self.traffic.retries += 1;
            }
            self.pace();
            self.traffic.requests += 1;
            match self.agent.get(url).call() {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    match status {
                        200 => {
                            let body = response
                                .body_mut()
                                .with_config()
                                .limit(256 << 20)
                                .read_to_string();
                            match body.map(|b| serde_json::from_str::<Value>(&b)) {
                                Ok(Ok(json)) => return Ok(Fetched::Json(json)),
                                Ok(Err(e)) => reason = format!("the response is not JSON ({e})"),
                                Err(e) => reason = format!("the response broke off ({e})"),
                            }
                        }
                        404 => return Ok(Fetched::NotFound),
                        429 => {
                            reason = "429 Too Many Requests".into();
                            let asked = response
                                .headers()
                                .get("retry-after")
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| v.trim().parse::<u64>().ok())
                                .map(Duration::from_secs);
                            if let Some(asked) = asked {
                                wait = asked.min(MAX_WAIT);
                            }
                        }
                        500..=599 => reason = format!("the server answered {status}"),
                        other => {
                            return Err(HttpError::GaveUp {
                                url: url.to_string(),
                                reason: format!("the server answered {other}"),
                            })
                        }
                    }
                }
                Err(e) => {
                    if attempt == 0 && is_unreachable(&e) {
                        return Err(HttpError::Unreachable {
                            host: host_of(url),
                            reason: e.to_string(),
                        });
                    }
                    reason = e.to_string();
                }
            }
            if attempt + 1 < ATTEMPTS {
                std::thread::sleep(wait);
                wait = (wait * 2).min(MAX_WAIT);
            }
        }
        Err(HttpError::GaveUp {
            url: url.to_string(),
            reason,
        })
    }

    /// Sleeps so that requests are at least `gap` apart.
    fn pace(&mut self) {
        if let Some(last) = self.last {
            let since = last.elapsed();
            if since < self.gap {
                std::thread::sleep(self.gap - since);
            }
        }
        self.last = Some(Instant::now());
    }
}

/// Whether an error means there is no way to the server at all (no network, no such host,
/// nothing listening), as opposed to a server that misbehaved.
fn is_unreachable(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::HostNotFound => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            std::io::ErrorKind::ConnectionRefused
                | std::io::ErrorKind::NetworkUnreachable
                | std::io::ErrorKind::HostUnreachable
        ),
        _ => false,
    }
}

fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(url)
        .to_string()
}
