//! A local replay of the official APIs, for the sync tests: the written-questions API
//! (its list and single-question endpoints) and the Members API, served on 127.0.0.1 from
//! the real corpus in `../shared/corpus`, with faults on demand. No test touches the
//! network.
//!
//! The list endpoint behaves as the live one does: `take` (at most 100) and `skip`, the
//! date filters, `house`, `answered`, `includeWithdrawn` and `expandMember`; it strips the
//! answers' HTML and cuts them to 255 characters and "...", and cuts questions at 255
//! characters, exactly as the data study found the live list does. The single-question
//! endpoint serves the corpus's own text (whole where the corpus holds it whole).

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// Something to go wrong with a request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 Too Many Requests with `Retry-After: secs`.
    TooMany(u64),
    /// 500 Internal Server Error.
    ServerError,
    /// The connection closes without a response.
    Drop,
    /// The response starts only after this long.
    Stall(Duration),
    /// 200 with a body that is not JSON.
    Malformed,
}

#[derive(Default)]
struct State {
    /// The corpus items' `value` objects, by the API's own id order.
    items: Vec<Value>,
    by_id: HashMap<u64, usize>,
    members: HashMap<u64, Value>,
    /// Faults for the next requests whose path starts with the prefix.
    faults: VecDeque<(String, Fault)>,
    /// Every request's path and query, in order.
    log: Vec<String>,
}

/// A running replay server; dropped, it stops.
pub struct Replay {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Replay {
    /// Serves these question items (`value` objects) and members (`value` objects).
    pub fn start(items: Vec<Value>, members: Vec<Value>) -> Replay {
        let mut state = State::default();
        for item in items {
            state
                .by_id
                .insert(item["id"].as_u64().unwrap(), state.items.len());
            state.items.push(item);
        }
        for m in members {
            state.members.insert(m["id"].as_u64().unwrap(), m);
        }
        let state = Arc::new(Mutex::new(state));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let state = state.clone();
                    std::thread::spawn(move || serve(stream, &state));
                }
            })
        };
        Replay {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// The base URL of the written-questions API.
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.port)
    }

    /// The base URL of the Members API.
    pub fn members_url(&self) -> String {
        format!("http://127.0.0.1:{}/members/api", self.port)
    }

    /// Makes the next request whose path starts with `prefix` fail this way.
    pub fn fault(&self, prefix: &str, fault: Fault) {
        self.state
            .lock()
            .unwrap()
            .faults
            .push_back((prefix.to_string(), fault));
    }

    /// Changes one item (by the API's id), as a later answer or correction would.
    pub fn update(&self, id: u64, change: impl FnOnce(&mut Value)) {
        let mut state = self.state.lock().unwrap();
        let i = state.by_id[&id];
        change(&mut state.items[i]);
    }

    /// Every request served so far (path and query).
    pub fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // The headers: read and ignored.
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let fault = {
        let mut s = state.lock().unwrap();
        s.log.push(target.clone());
        let at = s
            .faults
            .iter()
            .position(|(p, _)| target.starts_with(p.as_str()));
        at.and_then(|i| s.faults.remove(i)).map(|(_, f)| f)
    };
    let (status, body, extra) = match fault {
        Some(Fault::Drop) => return,
        Some(Fault::TooMany(secs)) => (
            "429 Too Many Requests",
            "{}".to_string(),
            format!("Retry-After: {secs}\r\n"),
        ),
        Some(Fault::ServerError) => ("500 Internal Server Error", "{}".into(), String::new()),
        Some(Fault::Malformed) => ("200 OK", "{\"results\": [{".into(), String::new()),
        Some(Fault::Stall(d)) => {
            std::thread::sleep(d);
            route(&target, state)
        }
        None => route(&target, state),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    );
}

/// The response to a request: status, body and extra header lines.
fn route(target: &str, state: &Mutex<State>) -> (&'static str, String, String) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params: HashMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect();
    let s = state.lock().unwrap();
    let not_found = ("404 Not Found", "{}".to_string(), String::new());
    if path == "/api/writtenquestions/questions" {
        return ("200 OK", list(&s, &params).to_string(), String::new());
    }
    if let Some(id) = path.strip_prefix("/api/writtenquestions/questions/") {
        let Some(&i) = id.parse().ok().and_then(|id: u64| s.by_id.get(&id)) else {
            return not_found;
        };
        let mut value = s.items[i].clone();
        if params.get("expandMember").is_some_and(|v| v == "true") {
            expand(&mut value, &s.members);
        }
        let body = json!({"value": value, "links": []});
        return ("200 OK", body.to_string(), String::new());
    }
    if let Some(id) = path.strip_prefix("/members/api/Members/") {
        return match id.parse().ok().and_then(|id: u64| s.members.get(&id)) {
            Some(m) => (
                "200 OK",
                json!({"value": m, "links": []}).to_string(),
                String::new(),
            ),
            None => not_found,
        };
    }
    not_found
}

fn decode(v: &str) -> String {
    let mut out = Vec::new();
    let bytes = v.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The list endpoint.
fn list(s: &State, params: &HashMap<String, String>) -> Value {
    let date = |v: &Value, key: &str| v[key].as_str().map(|d| d[..10].to_string());
    let within = |v: &Value, key: &str, from: &str, to: &str| {
        let (lo, hi) = (params.get(from), params.get(to));
        if lo.is_none() && hi.is_none() {
            return true;
        }
        let Some(d) = date(v, key) else { return false };
        lo.is_none_or(|lo| d.as_str() >= &lo[..10.min(lo.len())])
            && hi.is_none_or(|hi| d.as_str() <= &hi[..10.min(hi.len())])
    };
    let house = params.get("house").map(|h| h.to_lowercase());
    let answered = params.get("answered").map(|a| a.to_lowercase());
    let withdrawn = params.get("includeWithdrawn").is_some_and(|v| v == "true");
    let matching: Vec<&Value> = s
        .items
        .iter()
        .filter(|v| within(v, "dateTabled", "tabledWhenFrom", "tabledWhenTo"))
        .filter(|v| within(v, "dateAnswered", "answeredWhenFrom", "answeredWhenTo"))
        .filter(|v| {
            within(
                v,
                "dateAnswerCorrected",
                "correctedWhenFrom",
                "correctedWhenTo",
            )
        })
        .filter(|v| {
            house.as_deref().is_none_or(|h| {
                h == "bicameral" || v["house"].as_str().is_some_and(|x| x.to_lowercase() == h)
            })
        })
        .filter(|v| match answered.as_deref() {
            Some("answered") => !v["dateAnswered"].is_null(),
            Some("unanswered") => v["dateAnswered"].is_null(),
            _ => true,
        })
        .filter(|v| withdrawn || v["isWithdrawn"] != json!(true))
        .collect();
    let skip: usize = params.get("skip").and_then(|v| v.parse().ok()).unwrap_or(0);
    let take: usize = params
        .get("take")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .min(100);
    let expand_members = params.get("expandMember").is_some_and(|v| v == "true");
    let results: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(take)
        .map(|v| {
            let mut v = (*v).clone();
            cut(&mut v);
            if expand_members {
                expand(&mut v, &s.members);
            }
            json!({"value": v, "links": []})
        })
        .collect();
    json!({"totalResults": matching.len(), "results": results})
}

/// What the live list does to texts: answers lose their tags and stop at 255 characters
/// plus "..."; questions stop at 255 characters.
fn cut(v: &mut Value) {
    if let Some(answer) = v["answerText"].as_str() {
        let mut plain = String::new();
        let mut in_tag = false;
        let chars: Vec<char> = answer.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let tag_start = c == '<'
                && chars
                    .get(i + 1)
                    .is_some_and(|n| n.is_ascii_alphabetic() || *n == '/');
            if tag_start {
                in_tag = true;
            } else if in_tag && c == '>' {
                in_tag = false;
            } else if !in_tag {
                plain.push(c);
            }
        }
        let short = if plain.chars().count() > 255 {
            plain.chars().take(255).collect::<String>() + "..."
        } else {
            plain
        };
        v["answerText"] = Value::from(short);
    }
    if let Some(q) = v["questionText"].as_str() {
        if q.chars().count() > 255 {
            v["questionText"] = Value::from(q.chars().take(255).collect::<String>());
        }
    }
}

/// `expandMember=true`: member objects in place of null, for the members the replay knows.
fn expand(v: &mut Value, members: &HashMap<u64, Value>) {
    for (id_key, key) in [
        ("askingMemberId", "askingMember"),
        ("answeringMemberId", "answeringMember"),
        ("correctingMemberId", "correctingMember"),
    ] {
        let member = v[id_key]
            .as_u64()
            .and_then(|id| members.get(&id))
            .map(|m| {
                json!({
                    "id": m["id"],
                    "listAs": m["nameDisplayAs"],
                    "name": m["nameDisplayAs"],
                    "party": m["latestParty"]["name"],
                    "partyColour": "000000",
                    "partyAbbreviation": null,
                    "memberFrom": m["latestHouseMembership"]["membershipFrom"],
                    "thumbnailUrl": null,
                })
            })
            .unwrap_or(Value::Null);
        v[key] = member;
    }
}

/// The corpus's question items (`value` objects) of some months, e.g. `["2024-07"]`.
pub fn corpus_items(months: &[&str]) -> Vec<Value> {
    let mut out = Vec::new();
    for month in months {
        let path = crate::testenv::corpus().join(format!("api/{month}.json"));
        let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for item in doc["items"].as_array().unwrap() {
            out.push(item["value"].clone());
        }
    }
    out
}

/// The corpus's members (`value` objects).
pub fn corpus_members() -> Vec<Value> {
    let path = crate::testenv::corpus().join("members/commons-2026-06.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].clone())
        .collect()
}
