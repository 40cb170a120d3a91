//! `pqsearch serve`: the web page ([`crate::web`]) on a local address until stopped.

use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use anyhow::Context;

use super::term::say;
use super::Exit;
use crate::cli::ServeArgs;
use crate::web::{self, server, App, Options};

pub fn run(args: ServeArgs, index: Option<&Path>) -> anyhow::Result<ExitCode> {
    let engine = super::open_engine(index)?;
    let dir = engine.index().dir.clone();
    let name = engine.index().name();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    // Connections are served on a few threads; searches run on the blocking pool, bounded
    // so that a burst of requests queues instead of starting hundreds of threads.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores.clamp(1, 4))
        .max_blocking_threads((4 * cores).clamp(8, 64))
        .thread_name("pqsearch-serve")
        .enable_all()
        .build()
        .context("starting the server's threads")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr().context("the address listened on")?;
        let loopback = addr.ip().is_loopback();
        if !loopback {
            say!(
                "pqsearch: warning: listening on {addr}, which is not a loopback address: anyone \
                 who can reach this machine on port {} can read the index. Use --addr \
                 127.0.0.1:{} to keep it to this machine.",
                addr.port(),
                addr.port()
            );
        }
        // Listening on every address (0.0.0.0 or [::]): this machine reaches it by loopback.
        let url = if addr.ip().is_unspecified() {
            format!("http://localhost:{}/", addr.port())
        } else {
            format!("http://{addr}/")
        };
        say!("pqsearch: serving {name} at {url} (read-only; Ctrl-C stops)");
        let options = Options {
            reload_every: Duration::from_millis(args.reload_ms),
            stall_timeout: Duration::from_millis(args.stall_ms),
            ..Options::default()
        };
        let app = App::new(engine, options);
        if let Some(dir) = dir {
            web::watch(std::sync::Arc::clone(&app), dir);
        }
        if args.open {
            open_browser(&url);
        }
        let hosts = loopback.then(|| server::loopback_hosts(addr));
        let stall = Duration::from_millis(args.stall_ms);
        server::run(listener, web::router(app), hosts, stall).await;
        Ok(Exit::Found.into())
    })
}

/// Asks the desktop to open `url` in the default browser; says so if it cannot.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let started = std::process::Command::new(opener)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match started {
        // Reaped when it exits, so that it leaves no zombie behind.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => say!("pqsearch: cannot open a browser ({opener}: {e}); open {url} yourself"),
    }
}
