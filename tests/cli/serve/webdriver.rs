//! A small W3C WebDriver client over blocking HTTP (ureq + serde_json), for the browser
//! tests of `pqsearch serve`.
//!
//! `Browser::start()` launches its own chromedriver (`--port=0`, the port is
//! read from its stdout, so parallel tests never clash) in a new process group,
//! opens one headless Chromium session with a fresh profile and download dir,
//! and on drop (also during a panic) deletes the session and SIGKILLs the
//! whole process group, so no chromedriver or chromium outlives the test.
#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
    thread,
    time::{Duration, Instant},
};

use base64::Engine as _;
use serde_json::{json, Value};

/// W3C element reference key.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Flags Chromium needs as root on this closed network.
const CHROME_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1024,768",
];

pub struct Browser {
    driver: Child,
    base: String, // http://127.0.0.1:PORT/session/ID
    http: ureq::Agent,
    pub download_dir: PathBuf,
    scratch: PathBuf, // profile + downloads, removed on drop
}

#[derive(Clone, Debug)]
pub struct Element(String);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Browser {
    pub fn start() -> Browser {
        reap_stale();
        let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "wd-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&scratch);
        let profile = scratch.join("profile");
        let download_dir = scratch.join("downloads");
        std::fs::create_dir_all(&profile).unwrap();
        std::fs::create_dir_all(&download_dir).unwrap();
        std::fs::create_dir_all(scratch.join("tmp")).unwrap();

        let mut cmd = Command::new(
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
        );
        cmd.args(["--port=0", "--log-level=WARNING"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0) // chromedriver + chromium + helpers: one group to kill
            // keep Chromium's crashpad database out of ~/.config, and its temporary
            // "org.chromium.Chromium.*" folders out of /tmp
            .env("XDG_CONFIG_HOME", scratch.join("config"))
            .env("XDG_CACHE_HOME", scratch.join("cache"))
            .env("TMPDIR", scratch.join("tmp"));
        // If the test process itself is SIGKILLed (CI timeout), no Drop runs:
        // the kernel then kills chromedriver (Chromium survives it; the next
        // run's reap_stale() kills that). PDEATHSIG fires when the spawning
        // *thread* ends: keep a Browser on the thread that made it, as each
        // #[test] does.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut driver = cmd
            .spawn()
            .expect("spawn chromedriver (apt-get install chromium chromium-driver)");

        // "ChromeDriver was started successfully on port 12345."
        let mut lines = BufReader::new(driver.stdout.take().unwrap()).lines();
        let port: u16 = loop {
            let line = match lines.next() {
                Some(Ok(l)) => l,
                _ => {
                    kill_group(&mut driver);
                    panic!("chromedriver exited before reporting its port");
                }
            };
            if let Some(rest) = line
                .split("on port ")
                .nth(1)
                .filter(|_| line.contains("successfully"))
            {
                break rest.trim_end_matches('.').trim().parse().unwrap();
            }
        };
        // Keep draining stdout so chromedriver never blocks on a full pipe.
        thread::spawn(move || for _ in lines {});

        let http: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false) // WebDriver errors carry JSON bodies
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let root = format!("http://127.0.0.1:{port}");

        let mut b = Browser {
            driver,
            base: String::new(),
            http,
            download_dir,
            scratch,
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": CHROME_ARGS.iter().map(|s| s.to_string())
                    .chain([format!("--user-data-dir={}", profile.display())])
                    .collect::<Vec<_>>(),
                "prefs": {
                    "download.default_directory": b.download_dir.to_str().unwrap(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                    "safebrowsing.enabled": false,
                },
            },
        }}});
        // If this panics, `b` is dropped and chromedriver is killed.
        let v = b.request("POST", &format!("{root}/session"), Some(caps));
        let id = v["sessionId"].as_str().expect("sessionId").to_string();
        b.base = format!("{root}/session/{id}");
        // Belt and braces for headless: explicit download behaviour via CDP.
        b.cdp(
            "Browser.setDownloadBehavior",
            json!({
                "behavior": "allow",
                "downloadPath": b.download_dir.to_str().unwrap(),
            }),
        );
        b
    }

    /// Send one WebDriver command; returns its `value`, panics on error.
    fn request(&self, method: &str, url: &str, body: Option<Value>) -> Value {
        let res = match (method, body) {
            ("GET", _) => self.http.get(url).call(),
            ("DELETE", _) => self.http.delete(url).call(),
            (_, b) => self
                .http
                .post(url)
                .header("content-type", "application/json")
                .send(serde_json::to_vec(&b.unwrap_or_else(|| json!({}))).unwrap()),
        };
        let mut res = res.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = res.status();
        let bytes = res
            .body_mut()
            .with_config()
            .limit(64 << 20) // screenshots can be large
            .read_to_vec()
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let v: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{method} {url}: bad JSON: {e}"));
        if !status.is_success() {
            panic!(
                "{method} {url}: HTTP {status}: {} — {}",
                v["value"]["error"], v["value"]["message"]
            );
        }
        v["value"].clone()
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.request(method, &format!("{}{path}", self.base), body)
    }

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }
    pub fn current_url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap().to_string()
    }
    pub fn title(&self) -> String {
        self.cmd("GET", "/title", None)
            .as_str()
            .unwrap()
            .to_string()
    }
    pub fn back(&self) {
        self.cmd("POST", "/back", None);
    }
    pub fn find(&self, css: &str) -> Element {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        Element(
            v[ELEMENT_KEY]
                .as_str()
                .unwrap_or_else(|| panic!("find {css}: {v}"))
                .to_string(),
        )
    }
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self.cmd(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| Element(e[ELEMENT_KEY].as_str().unwrap().into()))
            .collect()
    }
    pub fn send_keys(&self, el: &Element, text: &str) {
        self.cmd(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(json!({ "text": text })),
        );
    }
    pub fn clear(&self, el: &Element) {
        self.cmd("POST", &format!("/element/{}/clear", el.0), None);
    }
    pub fn click(&self, el: &Element) {
        self.cmd("POST", &format!("/element/{}/click", el.0), None);
    }
    pub fn text(&self, el: &Element) -> String {
        self.cmd("GET", &format!("/element/{}/text", el.0), None)
            .as_str()
            .unwrap()
            .to_string()
    }
    pub fn attr(&self, el: &Element, name: &str) -> Option<String> {
        self.cmd("GET", &format!("/element/{}/attribute/{name}", el.0), None)
            .as_str()
            .map(String::from)
    }
    /// Run JS in the page (the site itself needs none; handy for assertions).
    pub fn exec(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }
    /// Chrome DevTools Protocol command through chromedriver.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }
    /// From now on, every page this session loads records its calls of `alert`,
    /// `confirm` and `prompt` in `window.__dialogs` instead of showing them (the hook is
    /// installed through DevTools before any script of the page can run, and the page's
    /// Content-Security-Policy does not apply to it); see [`Browser::dialogs`].
    pub fn watch_dialogs(&self) {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": "window.__dialogs = []; \
                for (const name of ['alert', 'confirm', 'prompt']) { \
                  window[name] = (...args) => { window.__dialogs.push(name + '(' + args.join(',') + ')'); }; \
                }"}),
        );
    }
    /// The dialogs the current page has asked for since it loaded (needs
    /// [`Browser::watch_dialogs`]), plus the text of any dialog open now.
    pub fn dialogs(&self) -> Vec<String> {
        let mut seen: Vec<String> = self.alert_text().into_iter().collect();
        if seen.is_empty() {
            let v = self.exec("return window.__dialogs || ['(no hook: call watch_dialogs)']");
            seen.extend(
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d.as_str().unwrap().to_string()),
            );
        }
        seen
    }
    /// The text of the user prompt open now, if any.
    pub fn alert_text(&self) -> Option<String> {
        let url = format!("{}/alert/text", self.base);
        let mut res = self.http.get(&url).call().unwrap();
        let v: Value = serde_json::from_slice(&res.body_mut().read_to_vec().unwrap()).unwrap();
        if res.status().is_success() {
            return Some(format!("open dialog: {}", v["value"]));
        }
        assert_eq!(v["value"]["error"], "no such alert", "GET {url}: {v}");
        None
    }
    /// Resizes the window (the page's viewport is a little smaller).
    pub fn resize(&self, width: u32, height: u32) {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
    }
    pub fn screenshot(&self, path: &Path) {
        let b64 = self.cmd("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Wait until the download dir holds exactly one finished file; return it.
    pub fn wait_for_download(&self, timeout: Duration) -> PathBuf {
        let end = Instant::now() + timeout;
        loop {
            let files: Vec<PathBuf> = std::fs::read_dir(&self.download_dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            // In-progress downloads are "X.crdownload" or hidden temp files
            // (Debian's Chromium: ".org.chromium.Chromium.XXXXXX").
            let partial = files.iter().any(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                n.starts_with('.') || n.ends_with(".crdownload")
            });
            if !partial && files.len() == 1 {
                return files[0].clone();
            }
            if Instant::now() > end {
                panic!(
                    "no finished download in {}: {files:?}",
                    self.download_dir.display()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Poll `f` until it returns Some, or panic after `timeout`.
pub fn wait_until<T>(timeout: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + timeout;
    loop {
        if let Some(t) = f() {
            return t;
        }
        if Instant::now() > end {
            panic!("timed out waiting for {what}");
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// A test binary killed by SIGKILL runs no Drop; PDEATHSIG then ends its
/// chromedriver, but Chromium survives it. Kill such orphans (found by the
/// profile path, which names the dead test's pid) and remove their dirs.
fn reap_stale() {
    let tmp = env!("CARGO_TARGET_TMPDIR");
    let marker = format!("--user-data-dir={tmp}/wd-");
    let alive = |pid: &str| Path::new("/proc").join(pid).exists();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for p in procs.flatten() {
        let name = p.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(p.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline);
        if let Some(rest) = cmdline.split(&marker).nth(1) {
            let owner = rest.split('-').next().unwrap_or("");
            if !owner.is_empty() && !alive(owner) {
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
    for d in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
        let name = d.file_name().to_string_lossy().into_owned();
        if let Some(owner) = name.strip_prefix("wd-").and_then(|r| r.split('-').next()) {
            if !alive(owner) {
                let _ = std::fs::remove_dir_all(d.path());
            }
        }
    }
}

fn kill_group(child: &mut Child) {
    // process_group(0) made the group id equal to chromedriver's pid.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    let _ = child.wait(); // reap chromedriver; orphans are reparented to init
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.base.is_empty() {
            // Polite close first (short timeout, never panics in drop).
            let _ = self
                .http
                .delete(&self.base)
                .config()
                .timeout_global(Some(Duration::from_secs(5)))
                .build()
                .call();
        }
        kill_group(&mut self.driver);
        if std::env::var_os("KEEP_WD_SCRATCH").is_none() {
            let _ = std::fs::remove_dir_all(&self.scratch);
        }
    }
}
