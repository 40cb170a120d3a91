//! The HTTP/1.1 server around the router: hyper serves each connection itself (not
//! `axum::serve`) so that the limits a long-running local server needs can be set.
//!
//! - at most [`MAX_CONNECTIONS`] connections at once; more wait to be accepted;
//! - a request's headers must arrive within [`HEADER_TIMEOUT`], and fit in [`MAX_HEADER_BYTES`]
//!   (the address included), so a slow or endless client cannot hold a connection;
//! - a connection that moves no byte either way for the stall timeout (a minute; longer
//!   than any request may take to compute) is closed, so neither can a client that stops
//!   reading its responses, nor keep a download's export slot;
//! - a panic anywhere in a handler becomes a 500 page and a line on stderr, never a
//!   dropped server;
//! - when bound to loopback, only requests addressed to this machine by name are answered,
//!   so a web page elsewhere cannot reach the server through DNS rebinding;
//! - every response carries a strict Content-Security-Policy and its companions.

use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::cmd::term::say;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 256;
/// How long a client may take to send a request's headers (and, on a kept-alive
/// connection, to start the next one).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes of a request's head: the address with its query string and the headers.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// No script, no plug-in, no frame, no form posted elsewhere: the pages are plain HTML, one
/// stylesheet and images (the trend chart) from this server.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Serves `router` on `listener` until the process ends. `hosts`: the names a request may
/// address (`None`: any, for a server bound beyond loopback by choice); `stall`: how long a
/// connection may move no byte before it is closed.
pub async fn run(
    listener: TcpListener,
    router: Router,
    hosts: Option<Vec<String>>,
    stall: Duration,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let hosts = Arc::new(hosts);
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait rather than spin.
                say!("pqsearch: serve: cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let hosts = Arc::clone(&hosts);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let router = router.clone();
                let hosts = Arc::clone(&hosts);
                async move { Ok::<_, Infallible>(respond(router, &hosts, request).await) }
            });
            let stream = Watched::new(stream);
            let last = Arc::clone(&stream.last);
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(MAX_HEADER_BYTES)
                .serve_connection(TokioIo::new(stream), service);
            // A client that goes away mid-response is its own affair; one that stalls is
            // dropped, which closes the socket and ends any download it held.
            tokio::select! {
                _ = connection => {}
                () = stalled(&last, stall) => {}
            }
            drop(slot);
        });
    }
}

/// One request through the router, with the host checked, panics caught and the security
/// headers added.
async fn respond(
    mut router: Router,
    hosts: &Option<Vec<String>>,
    request: Request<Incoming>,
) -> Response<Body> {
    let mut response = if !host_allowed(hosts, &request) {
        plain(
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers only to the loopback address it was started on \
             (http://127.0.0.1:PORT/ or http://localhost:PORT/)",
        )
    } else {
        let future = tower_service::Service::call(&mut router, request);
        match CatchUnwind(Box::pin(future)).await {
            Ok(Ok(response)) => response,
            Ok(Err(never)) => match never {},
            Err(panic) => {
                let what = pqsearch::check::panic_message(panic.as_ref());
                say!("pqsearch: serve: internal error: {what}");
                plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("internal error in pqsearch: {what}"),
                )
            }
        }
    };
    secure(&mut response);
    response
}

/// A plain-text answer.
pub fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(format!("{text}\n")));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Adds the security headers (and `no-cache`, unless the handler chose a cache policy:
/// a page must show the index as it is now).
fn secure(response: &mut Response<Body>) {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
}

/// Whether the request's `Host` is one of `hosts` (any, when there is no list). HTTP/1.1
/// requires the header; a request without one is refused too.
fn host_allowed<B>(hosts: &Option<Vec<String>>, request: &Request<B>) -> bool {
    let Some(hosts) = hosts else {
        return true;
    };
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(h)))
}

/// The names a browser on this machine may use for a server bound to `addr`: the address
/// itself and `localhost`, with the port.
pub fn loopback_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        addr.to_string(),
    ];
    if port == 80 {
        hosts.extend(["localhost".into(), "127.0.0.1".into(), "[::1]".into()]);
    }
    hosts
}

/// A future whose panic is returned instead of unwinding through hyper.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// A connection's socket, noting when a byte last moved.
struct Watched {
    stream: tokio::net::TcpStream,
    /// Milliseconds since `start` at the last byte read or written.
    last: Arc<AtomicU64>,
    start: Instant,
}

impl Watched {
    fn new(stream: tokio::net::TcpStream) -> Watched {
        Watched {
            stream,
            last: Arc::new(AtomicU64::new(0)),
            start: Instant::now(),
        }
    }

    fn moved(&self) {
        let now = self.start.elapsed().as_millis() as u64;
        self.last.store(now, Ordering::Relaxed);
    }
}

/// Returns once `last` has not moved for `limit` (the clock starts with the connection).
async fn stalled(last: &AtomicU64, limit: Duration) {
    let start = Instant::now();
    loop {
        tokio::time::sleep(limit / 4).await;
        let idle = start
            .elapsed()
            .saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
        if idle >= limit {
            return;
        }
    }
}

impl tokio::io::AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.moved();
        }
        read
    }
}

impl tokio::io::AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write(cx, buf);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.moved();
        }
        written
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.moved();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_are_answered() {
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let hosts = Some(loopback_hosts(addr));
        let with_host = |h: &str| Request::builder().header("host", h).body(()).unwrap();
        assert!(host_allowed(&hosts, &with_host("127.0.0.1:8080")));
        assert!(host_allowed(&hosts, &with_host("LOCALHOST:8080")));
        assert!(!host_allowed(&hosts, &with_host("evil.example:8080")));
        assert!(!host_allowed(&hosts, &with_host("localhost:8081")));
        assert!(!host_allowed(&hosts, &Request::new(())));
        assert!(host_allowed(&None, &with_host("evil.example")));
    }
}
