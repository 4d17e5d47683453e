//! The language server's re-check: a change to the largest sample policy, then a request,
//! through an in-process connection. The request is answered after the changed document
//! is checked (compiled, analysed, indexed) and its diagnostics are published, so one
//! round trip is the latency an author sees after a keystroke, less the 100 ms debounce.
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark with a broken fixture should stop at once"
)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;

fn recv_response(conn: &Connection, id: &RequestId) {
    loop {
        match conn.receiver.recv_timeout(Duration::from_secs(30)).unwrap() {
            Message::Response(r) if &r.id == id => return,
            _ => continue,
        }
    }
}

fn benches(c: &mut Criterion) {
    let path = std::fs::canonicalize("policies/ocean-shipping.toml").unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = format!("file://{}", path.display());
    let (server, client) = Connection::memory();
    let handle = std::thread::spawn(move || tierwise::lsp::serve(&server));
    let mut next = 0;
    let mut request = |client: &Connection, method: &str, params: serde_json::Value| {
        next += 1;
        let id = RequestId::from(next);
        let req = Request::new(id.clone(), method.to_owned(), params);
        client.sender.send(Message::Request(req)).unwrap();
        recv_response(client, &id);
    };
    request(&client, "initialize", json!({ "capabilities": {} }));
    let notify = |method: &str, params: serde_json::Value| {
        let n = Notification::new(method.to_owned(), params);
        client.sender.send(Message::Notification(n)).unwrap();
    };
    notify("initialized", json!({}));
    notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": &uri, "languageId": "toml", "version": 1, "text": &text } }),
    );
    let hover =
        json!({ "textDocument": { "uri": &uri }, "position": { "line": 129, "character": 14 } });
    let mut version = 1;
    // two texts in turn, so that every change is a real one
    let edited = text.replace("min_score = 80", "min_score = 79");
    c.bench_function("lsp_recheck_ocean_shipping", |b| {
        b.iter(|| {
            version += 1;
            let t = if version % 2 == 0 { &edited } else { &text };
            notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": &uri, "version": version }, "contentChanges": [{ "text": t }] }),
            );
            request(&client, "textDocument/hover", hover.clone());
        });
    });
    c.bench_function("lsp_hover_unchanged", |b| {
        b.iter(|| request(&client, "textDocument/hover", hover.clone()));
    });
    request(&client, "shutdown", serde_json::Value::Null);
    notify("exit", serde_json::Value::Null);
    handle.join().unwrap().unwrap();
}

criterion_group!(lsp, benches);
criterion_main!(lsp);
