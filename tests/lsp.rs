//! The language server (feature `lsp`), driven by an in-process client over
//! `lsp_server::Connection::memory`: the handshake, diagnostics on open and change
//! (included files and scenario files too), completion, hover, go to definition and
//! shutdown, with snapshots of the responses; and a robustness run that types the sample
//! files character by character.

#![expect(
    clippy::panic,
    reason = "the test client fails the test where the server does not answer"
)]

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};

/// Long enough for a check in a debug build on a busy machine; the debounce is 100 ms.
const WAIT: Duration = Duration::from_secs(30);

struct Client {
    conn: Connection,
    server: Option<JoinHandle<Result<(), tierwise::lsp::LspError>>>,
    next_id: i32,
    /// Stands for the directories of the files in snapshots.
    dirs: Vec<(String, &'static str)>,
}

impl Client {
    fn start() -> Client {
        let (server, conn) = Connection::memory();
        let handle = std::thread::spawn(move || tierwise::lsp::serve(&server));
        let mut c = Client {
            conn,
            server: Some(handle),
            next_id: 0,
            dirs: vec![(
                format!("file://{}", env!("CARGO_MANIFEST_DIR")),
                "file://<root>",
            )],
        };
        let caps = c.request("initialize", json!({ "capabilities": {} }));
        assert!(
            caps.pointer("/capabilities/completionProvider").is_some(),
            "{caps}"
        );
        assert_eq!(
            caps.pointer("/capabilities/textDocumentSync"),
            Some(&json!(1))
        );
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        let n = Notification::new(method.to_owned(), params);
        assert!(self.conn.sender.send(Message::Notification(n)).is_ok());
    }

    /// Sends a request and returns its result, checking that the answer is no error;
    /// diagnostics that arrive first are dropped.
    fn request(&mut self, method: &str, params: Value) -> Value {
        match self.try_request(method, params) {
            Ok(v) => v,
            Err(e) => panic!("`{method}` failed: {e}"),
        }
    }

    fn try_request(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let req = Request::new(id.clone(), method.to_owned(), params);
        assert!(self.conn.sender.send(Message::Request(req)).is_ok());
        loop {
            match self.conn.receiver.recv_timeout(WAIT) {
                Ok(Message::Response(Response {
                    id: rid,
                    response_result,
                })) if rid == id => {
                    return response_result.map_err(|e| e.message);
                }
                Ok(_) => continue,
                Err(e) => return Err(format!("no answer to `{method}`: {e}")),
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&self, uri: &str) -> Value {
        loop {
            match self.conn.receiver.recv_timeout(WAIT) {
                Ok(Message::Notification(n))
                    if n.method == "textDocument/publishDiagnostics"
                        && n.params.pointer("/uri").and_then(Value::as_str) == Some(uri) =>
                {
                    return n.params.get("diagnostics").cloned().unwrap_or(Value::Null);
                }
                Ok(_) => continue,
                Err(e) => panic!("no diagnostics for {uri}: {e}"),
            }
        }
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "toml", "version": 1, "text": text } }),
        );
    }

    fn change(&self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// `method` at the position of the first `marker` in `text` (plus `shift` characters).
    fn at(&mut self, method: &str, uri: &str, text: &str, marker: &str, shift: usize) -> Value {
        let (line, character) = position(text, marker, shift);
        self.request(
            method,
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        )
    }

    /// A response with the test's directories replaced by placeholders.
    fn stable(&self, v: &Value) -> Value {
        let mut text = v.to_string();
        for (dir, name) in &self.dirs {
            text = text.replace(dir.as_str(), name);
        }
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        let done = self.server.take().map(JoinHandle::join);
        assert!(
            matches!(done, Some(Ok(Ok(())))),
            "the server did not stop cleanly"
        );
    }
}

/// The line and UTF-16 column `shift` characters after the start of `marker` in `text`.
fn position(text: &str, marker: &str, shift: usize) -> (u32, u32) {
    let Some(at) = text.find(marker) else {
        panic!("`{marker}` is not in the text");
    };
    let at = at
        + text
            .get(at..)
            .unwrap_or("")
            .chars()
            .take(shift)
            .map(char::len_utf8)
            .sum::<usize>();
    let before = text.get(..at).unwrap_or("");
    let line = before.matches('\n').count();
    let col: usize = before
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .chars()
        .map(char::len_utf16)
        .sum();
    (
        u32::try_from(line).unwrap_or(0),
        u32::try_from(col).unwrap_or(0),
    )
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn sample(name: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    (path, text)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tierwise-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(std::fs::create_dir_all(&dir).is_ok());
    dir
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i.get("label").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn diagnostics_follow_the_unsaved_text() {
    let (path, text) = sample("ocean-shipping.toml");
    let u = uri(&path);
    let c = Client::start();
    // open with a misspelt metric, on a line with Chinese text before it
    let broken = text.replace(
        "gross_margin_pct = { type = \"decimal\", min = -100, max = 100 }",
        "gross_margin_pct = { description = \"毛利率（百分比）\", type = \"decimel\", min = -100, max = 100 }",
    );
    assert_ne!(broken, text);
    c.open(&u, &broken);
    let d = c.diagnostics(&u);
    let (line, col) = position(&broken, "\"decimel\"", 0);
    assert_eq!(d.pointer("/0/range/start/line"), Some(&json!(line)));
    // 毛利率（百分比） is 8 UTF-16 units, not 24 bytes
    assert_eq!(d.pointer("/0/range/start/character"), Some(&json!(col)));
    assert_eq!(col, 54, "UTF-16 units; in bytes it would be 70");
    insta::assert_json_snapshot!("lsp_diagnostics_open", c.stable(&d));

    // the fix, typed: diagnostics are cleared
    c.change(&u, 2, &text);
    assert_eq!(c.diagnostics(&u), json!([]));

    // the same messages as `check`, with the help and a related place
    let dup = text.replace(
        "id = \"standard\"\nname = \"普通客户\"",
        "id = \"key\"\nname = \"普通客户\"",
    );
    assert_ne!(dup, text);
    c.change(&u, 3, &dup);
    let d = c.diagnostics(&u);
    let expected = match tierwise::Policy::from_toml_str(&path.display().to_string(), &dup) {
        Err(e) => e
            .diagnostics()
            .iter()
            .map(|d| match d.help() {
                Some(h) => format!("{}\nhelp: {h}", d.message()),
                None => d.message().to_owned(),
            })
            .collect::<Vec<_>>(),
        Ok(_) => Vec::new(),
    };
    let got: Vec<String> = d
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d.get("message").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(got, expected);
    assert!(
        d.as_array()
            .is_some_and(|a| a.iter().any(|d| d.get("relatedInformation").is_some())),
        "{d}"
    );
    insta::assert_json_snapshot!("lsp_diagnostics_duplicate", c.stable(&d));
    c.shutdown();
}

#[test]
fn warnings_have_codes() {
    let (path, text) = sample("ocean-shipping.toml");
    let u = uri(&path);
    let c = Client::start();
    let unreachable = text.replace("\"gross_margin_pct >= 8\"", "\"gross_margin_pct > 100\"");
    assert_ne!(unreachable, text);
    c.open(&u, &unreachable);
    let d = c.diagnostics(&u);
    let codes: Vec<&str> = d
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d.get("code").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    assert!(codes.contains(&"unreachable-tier"), "{d}");
    assert!(d
        .as_array()
        .is_some_and(|a| a.iter().all(|d| d.get("severity") == Some(&json!(2)))));
    insta::assert_json_snapshot!("lsp_warning", c.stable(&d));
    c.shutdown();
}

const MAIN: &str = r#"[policy]
id = "inc"
version = "1"
timezone = "Asia/Shanghai"
include = ["calendars.toml"]

[metrics]
teu = { type = "decimal", min = 0 }

[scoring.dimensions.volume]
metric = "teu"
weight = 1
curve = "linear"
points = [[0, 0], [1000, 100]]

[[tiers]]
id = "vip"
min_score = 50

[[tiers]]
id = "standard"
min_score = 0

[service.vip]
support_hours = "office"
"#;

const CALENDARS: &str = r#"[calendars.office]
timezone = "Asia/Shanghai"
hours = { mon = ["09:00-18:00"], tue = ["09:00-18:00"] }
"#;

#[test]
fn included_files_get_their_diagnostics() {
    let dir = scratch("include");
    let main = dir.join("main.toml");
    let cal = dir.join("calendars.toml");
    let broken = CALENDARS.replace("tue = [\"09:00-18:00\"]", "tue = [\"09:00-25:00\"]");
    assert!(std::fs::write(&main, MAIN).is_ok());
    assert!(std::fs::write(&cal, &broken).is_ok());
    let mut c = Client::start();
    c.dirs.insert(0, (uri(&dir), "file://<dir>"));
    c.open(&uri(&main), MAIN);
    let on_cal = c.diagnostics(&uri(&cal));
    assert_eq!(on_cal.pointer("/0/range/start/line"), Some(&json!(2)));
    insta::assert_json_snapshot!("lsp_included_file", c.stable(&on_cal));

    // the included file opened and fixed in the editor, not saved: the policy that
    // includes it is checked with the unsaved text
    c.open(&uri(&cal), &broken);
    assert_eq!(c.diagnostics(&uri(&cal)), on_cal);
    c.change(&uri(&cal), 2, CALENDARS);
    assert_eq!(c.diagnostics(&uri(&cal)), json!([]));

    // go to definition across files: the calendar named in the main file
    let def = c.at(
        "textDocument/definition",
        &uri(&main),
        MAIN,
        "\"office\"",
        2,
    );
    assert_eq!(def.pointer("/uri"), Some(&json!(uri(&cal))));
    assert_eq!(
        def.pointer("/range/start"),
        Some(&json!({ "line": 0, "character": 11 }))
    );
    // completion of calendar names from the included file
    let items = c.at(
        "textDocument/completion",
        &uri(&main),
        MAIN,
        "\"office\"",
        1,
    );
    assert!(labels(&items).contains(&"office".to_owned()), "{items}");
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `require` of the key tier in the ocean-shipping sample.
const KEY_REQUIRE: &str = "require = [\"credit_rating != 'D'\"]";

#[test]
fn completion_where_each_name_may_stand() {
    let (path, text) = sample("ocean-shipping.toml");
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, &text);
    assert_eq!(c.diagnostics(&u), json!([]));
    let mut all = serde_json::Map::new();
    let mut at = |c: &mut Client, name: &str, edited: &str, marker: &str, shift: usize| {
        c.change(&u, 2, edited);
        let items = c.at("textDocument/completion", &u, edited, marker, shift);
        all.insert(name.to_owned(), json!(labels(&items)));
        items
    };
    // a condition: names, then operators, then the values of an enum metric
    let t = text.replace(KEY_REQUIRE, "require = [\"credit_rating != 'D' and \"]");
    at(&mut c, "condition start", &t, "'D' and \"", 8);
    let t = text.replace(KEY_REQUIRE, "require = [\"dimension.\"]");
    at(&mut c, "after dimension.", &t, "dimension.\"", 10);
    let t = text.replace(KEY_REQUIRE, "require = [\"influence \"]");
    at(&mut c, "after a name", &t, "influence \"", 10);
    let t = text.replace(KEY_REQUIRE, "require = [\"influence == \"]");
    let items = at(&mut c, "enum values after ==", &t, "influence == \"", 13);
    assert!(
        labels(&items).contains(&"'global_leader'".to_owned()),
        "{items}"
    );
    let t = text.replace(KEY_REQUIRE, "require = [\"credit_rating in ['A', '\"]");
    at(&mut c, "enum values in a list", &t, "['A', '", 7);
    // keys of the table, and values with a closed set
    let t = text.replace("weight = 35\n", "weight = 35\nc\n");
    at(&mut c, "keys of a dimension", &t, "weight = 35\nc", 13);
    let t = text.replace(
        "curve = \"linear\"\npoints = [[0, 0], [200",
        "curve = \"\"\npoints = [[0, 0], [200",
    );
    at(&mut c, "curve values", &t, "curve = \"\"", 9);
    // a header
    let t = text.replace("[scoring]\n", "[scoring]\n[sco\n");
    at(&mut c, "header", &t, "[sco\n", 4);
    c.shutdown();
    // tiers, calendars, cases, severities and milestones where they stand
    let (path, text) = sample("express-parcel.toml");
    let u2 = uri(&path);
    let mut c = Client::start();
    c.open(&u2, &text);
    let _ = c.diagnostics(&u2);
    let mut more = |c: &mut Client, name: &str, marker: &str, shift: usize| {
        let items = c.at("textDocument/completion", &u2, &text, marker, shift);
        all.insert(name.to_owned(), json!(labels(&items)));
    };
    more(&mut c, "support_hours", "support_hours = \"", 17);
    more(&mut c, "extends", "extends = \"", 11);
    more(&mut c, "sla case", "case = \"", 8);
    more(&mut c, "sla severity", "severity = \"", 12);
    c.shutdown();
    insta::assert_json_snapshot!("lsp_completion", all);
}

#[test]
fn hover_and_definition() {
    let (path, text) = sample("ocean-shipping.toml");
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, &text);
    let _ = c.diagnostics(&u);
    let mut all = serde_json::Map::new();
    for (name, marker, shift) in [
        ("metric in a condition", "\"gross_margin_pct >= 8\"", 3),
        ("enum metric in a condition", "credit_rating in", 2),
        ("tier id", "id = \"vip\"", 7),
        ("dimension header", "[scoring.dimensions.volume]", 21),
        ("metric of a dimension", "metric = \"annual_teu\"", 12),
    ] {
        let h = c.at("textDocument/hover", &u, &text, marker, shift);
        let d = c.at("textDocument/definition", &u, &text, marker, shift);
        all.insert(
            name.to_owned(),
            json!({ "hover": c.stable(&h), "definition": c.stable(&d) }),
        );
    }
    // nothing to say on a comment
    let h = c.at("textDocument/hover", &u, &text, "# This file decides", 3);
    assert_eq!(h, Value::Null);
    c.shutdown();
    let (path, text) = sample("express-parcel.toml");
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, &text);
    let _ = c.diagnostics(&u);
    for (name, marker, shift) in [
        ("calendar", "support_hours = \"", 18),
        ("case kind", "case = \"", 9),
    ] {
        let h = c.at("textDocument/hover", &u, &text, marker, shift);
        let d = c.at("textDocument/definition", &u, &text, marker, shift);
        all.insert(
            name.to_owned(),
            json!({ "hover": c.stable(&h), "definition": c.stable(&d) }),
        );
    }
    c.shutdown();
    insta::assert_json_snapshot!("lsp_hover_definition", all);
}

#[test]
fn scenario_files_are_checked_against_their_policy() {
    let (path, text) = sample("ocean-shipping.tests.toml");
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, &text);
    assert_eq!(c.diagnostics(&u), json!([]));
    let broken = text.replacen("annual_teu = 3200", "annual_tue = 3200", 1);
    c.change(&u, 2, &broken);
    let d = c.diagnostics(&u);
    insta::assert_json_snapshot!("lsp_scenario", c.stable(&d));
    let items = c.at("textDocument/completion", &u, &broken, "annual_tue", 0);
    let l = labels(&items);
    assert!(
        l.contains(&"annual_teu".to_owned()) && l.contains(&"previous_tier".to_owned()),
        "{l:?}"
    );
    let items = c.at(
        "textDocument/completion",
        &u,
        &broken,
        "expect.tier = \"",
        14,
    );
    assert_eq!(labels(&items), ["vip", "key", "standard"]);
    let d = c.at(
        "textDocument/definition",
        &u,
        &broken,
        "influence = \"national_leader\"",
        2,
    );
    assert_eq!(
        d.pointer("/uri").and_then(Value::as_str),
        Some(uri(&path.with_file_name("ocean-shipping.toml")).as_str())
    );
    c.shutdown();
}

/// Each sample file typed from its first character: every request is answered, none with
/// an error (a panic would be an internal error), and the server stops cleanly.
#[test]
fn typing_the_samples_never_breaks_the_server() {
    for name in [
        "ocean-shipping.toml",
        "express-parcel.toml",
        "logistics-3pl.toml",
        "ocean-shipping.tests.toml",
    ] {
        let (path, text) = sample(name);
        // a document that is not saved where the original is, so that nothing else is read
        let u = format!("{}.typed", uri(&path).replace(".toml", ""));
        let u = if name.ends_with(".tests.toml") {
            uri(&path)
        } else {
            u
        };
        let mut c = Client::start();
        c.open(&u, "");
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut version = 1;
        // every character typed; a request at every 23rd character and at each line end
        for (n, (i, ch)) in chars.iter().enumerate() {
            let upto = i + ch.len_utf8();
            let prefix = text.get(..upto).unwrap_or("");
            version += 1;
            c.change(&u, version, prefix);
            if n % 23 == 0 || *ch == '\n' {
                let line = u32::try_from(prefix.matches('\n').count()).unwrap_or(0);
                let col = prefix
                    .rsplit('\n')
                    .next()
                    .map_or(0, |l| l.chars().map(char::len_utf16).sum::<usize>());
                let pos = json!({ "textDocument": { "uri": &u }, "position": { "line": line, "character": col } });
                for method in [
                    "textDocument/completion",
                    "textDocument/hover",
                    "textDocument/definition",
                ] {
                    if let Err(e) = c.try_request(method, pos.clone()) {
                        panic!("{name}: `{method}` after {upto} bytes failed: {e}");
                    }
                }
            }
        }
        c.shutdown();
    }
}

/// Neovim, headless, started against the `tierwise lsp` binary: the diagnostics arrive, at
/// the right column of a line with Chinese text (Neovim turns the UTF-16 columns back into
/// bytes). Skipped when `nvim` is not installed, unless `TIERWISE_REQUIRE_NVIM` is set
/// (`.ci/run` sets it once it has installed Neovim).
#[cfg(feature = "cli")]
#[test]
fn neovim_shows_the_diagnostics() {
    let found = std::process::Command::new("nvim").arg("--version").output();
    if found.is_err() {
        assert!(
            std::env::var_os("TIERWISE_REQUIRE_NVIM").is_none(),
            "nvim is required but not installed"
        );
        eprintln!("skipped: nvim is not installed");
        return;
    }
    let dir = scratch("nvim");
    let policy = dir.join("policy.toml");
    let (_, text) = sample("ocean-shipping.toml");
    let broken = text.replace(
        "gross_margin_pct = { type = \"decimal\", min = -100, max = 100 }",
        "gross_margin_pct = { description = \"毛利率\", type = \"decimel\", min = -100, max = 100 }",
    );
    assert!(std::fs::write(&policy, &broken).is_ok());
    let out = dir.join("out.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editors/nvim.lua");
    let status = std::process::Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n"])
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .env("TIERWISE", env!("CARGO_BIN_EXE_tierwise"))
        .env("POLICY", &policy)
        .env("OUT", &out)
        .stdin(std::process::Stdio::null())
        .output();
    assert!(status.is_ok_and(|s| s.status.success()));
    let shown = std::fs::read_to_string(&out).unwrap_or_default();
    let line = broken
        .lines()
        .position(|l| l.contains("decimel"))
        .map_or(0, |i| i + 1);
    let byte_col = broken
        .lines()
        .nth(line - 1)
        .and_then(|l| l.find("\"decimel\""))
        .map_or(0, |c| c + 1);
    assert_eq!(
        shown.trim(),
        format!("{line}:{byte_col}: error: unknown metric type `decimel`"),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
