//! The language server for policy and scenario files (feature `lsp`; spec section 19):
//! what `tierwise check` and `tierwise test` know, in the author's editor while they type.
//!
//! - **Diagnostics** on open and on every change, from the unsaved text: the errors and
//!   warnings of `check` (a scenario file: of `test`'s loading), with their help and
//!   related places, ranges counted in UTF-16 code units. A policy's included files are
//!   read from disk (or from the editor, when open there) and get their own diagnostics;
//!   editing an included file re-checks the policy that includes it. Changes are checked
//!   once typing pauses for 100 ms.
//! - **Completion** of table keys (from the same key tables the reader checks against),
//!   and of metric names, `score`, `dimension.NAME`, `tier`, `case.*`, operators and enum
//!   values inside conditions, tier ids, calendar names, case kinds, severities,
//!   milestones and benefits wherever each may stand, in policies and scenario files.
//! - **Hover** on a metric, tier, dimension, benefit, calendar or case name: its
//!   declaration (for a tier, its `min_score`, requirements and the highest composite a
//!   customer meeting them reaches).
//! - **Go to definition** from a use of a name to where it is declared, across included
//!   files.
//!
//! The server is synchronous, on `lsp-server` (rust-analyzer's scaffold): checking the
//! largest sample policy takes about a millisecond, so there is nothing to gain from an
//! async runtime, and requests are answered in order, after pending changes are checked.
//!
//! ```no_run
//! // what `tierwise lsp` runs
//! tierwise::lsp::run_stdio()?;
//! # Ok::<(), tierwise::lsp::LspError>(())
//! ```

mod check;
mod complete;
mod context;
mod index;
mod lookup;
mod text;

#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Completion, GotoDefinition, HoverRequest, Request as _};
use lsp_types::{
    CompletionOptions, CompletionParams, CompletionResponse, GotoDefinitionParams,
    GotoDefinitionResponse, HoverParams, HoverProviderCapability, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};

use check::{format_of, Checked};
use index::Index;
use text::{path_of, Lines};

/// How long typing must pause before a changed document is checked.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// What went wrong with the connection to the editor.
#[derive(Debug)]
pub struct LspError {
    kind: LspErrorKind,
    message: String,
}

/// What kind of [`LspError`] it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LspErrorKind {
    /// The client broke the protocol (no `initialize` first, a malformed message) or went
    /// away without `shutdown`.
    Protocol,
    /// Standard input or output failed.
    Io,
}

impl LspError {
    /// The kind of the error.
    pub fn kind(&self) -> LspErrorKind {
        self.kind
    }

    fn protocol(e: impl fmt::Display) -> LspError {
        LspError {
            kind: LspErrorKind::Protocol,
            message: e.to_string(),
        }
    }
}

impl fmt::Display for LspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            LspErrorKind::Protocol => write!(f, "language server protocol error: {}", self.message),
            LspErrorKind::Io => write!(f, "language server i/o error: {}", self.message),
        }
    }
}

impl std::error::Error for LspError {}

/// Serves the editor on standard input and output until it shuts the server down.
pub fn run_stdio() -> Result<(), LspError> {
    let (connection, threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    threads.join().map_err(|e| LspError {
        kind: LspErrorKind::Io,
        message: e.to_string(),
    })
}

/// Serves the editor at the other end of `connection`: the `initialize` handshake, then
/// every request and notification until `shutdown` and `exit`.
pub fn serve(connection: &Connection) -> Result<(), LspError> {
    let caps = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(
                [".", "\"", "'", "[", " ", "="]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
            ),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(caps).map_err(LspError::protocol)?;
    connection.initialize(caps).map_err(LspError::protocol)?;
    let mut server = Server::default();
    loop {
        let message = if server.dirty.is_empty() {
            match connection.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Err(LspError::protocol("the client went away without `exit`")),
            }
        } else {
            match connection.receiver.recv_timeout(DEBOUNCE) {
                Ok(m) => m,
                Err(e) if e.is_timeout() => {
                    server.flush(connection);
                    continue;
                }
                Err(_) => return Err(LspError::protocol("the client went away without `exit`")),
            }
        };
        match message {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(LspError::protocol)?
                {
                    return Ok(());
                }
                server.flush(connection);
                let id = req.id.clone();
                let response =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.request(req)))
                        .unwrap_or_else(|_| {
                            Response::new_err(
                                id,
                                ErrorCode::InternalError as i32,
                                "internal error of the tierwise language server".to_owned(),
                            )
                        });
                send(connection, Message::Response(response));
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Ok(());
                }
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    server.notification(connection, n);
                }));
            }
            Message::Response(_) => {}
        }
    }
}

fn send(connection: &Connection, message: Message) {
    // a closed channel is found by the next receive
    let _ = connection.sender.send(message);
}

/// An open document.
#[derive(Debug)]
struct Doc {
    text: String,
    version: i32,
    /// Its resolved path on disk, when it has one.
    canonical: Option<PathBuf>,
}

/// The checked state of a document: the declarations of its load.
#[derive(Debug)]
struct State {
    index: Index,
}

#[derive(Debug, Default)]
struct Server {
    docs: HashMap<String, Doc>,
    /// Documents changed since they were last checked.
    dirty: BTreeSet<String>,
    /// Each included file, by URI: the policy that includes it.
    roots: HashMap<String, String>,
    /// What the last check of each policy or scenario file found.
    states: HashMap<String, State>,
    /// The files each check last published diagnostics for.
    published: HashMap<String, Vec<String>>,
}

impl Server {
    fn notification(&mut self, connection: &Connection, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri.as_str().to_owned();
                let canonical = path_of(&uri).and_then(|p| std::fs::canonicalize(p).ok());
                self.docs.insert(
                    uri.clone(),
                    Doc {
                        text: p.text_document.text,
                        version: p.text_document.version,
                        canonical,
                    },
                );
                // an opened file is checked at once
                self.dirty.insert(uri);
                self.flush(connection);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri.as_str().to_owned();
                if let Some(doc) = self.docs.get_mut(&uri) {
                    // full sync: the last change holds the whole text
                    if let Some(change) = p.content_changes.into_iter().last() {
                        doc.text = change.text;
                        doc.version = p.text_document.version;
                        self.dirty.insert(uri);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                // a saved file may be included by others: re-check the open policies
                let open: Vec<String> = self.docs.keys().cloned().collect();
                self.dirty.extend(open);
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri.as_str().to_owned();
                self.docs.remove(&uri);
                self.dirty.remove(&uri);
                self.states.remove(&uri);
                if let Some(files) = self.published.remove(&uri) {
                    for f in files {
                        publish(connection, &f, Vec::new(), None);
                    }
                }
            }
            _ => {}
        }
    }

    /// Checks every changed document and publishes what was found.
    fn flush(&mut self, connection: &Connection) {
        let dirty = std::mem::take(&mut self.dirty);
        let mut checked = BTreeSet::new();
        for uri in dirty {
            // an included file is checked as part of the policy that includes it
            let root = match self.roots.get(&uri) {
                Some(r) if r != &uri => r.clone(),
                _ => uri,
            };
            if checked.insert(root.clone()) {
                self.check(connection, &root);
            }
        }
    }

    fn check(&mut self, connection: &Connection, uri: &str) {
        let text = match self.docs.get(uri) {
            Some(d) => d.text.clone(),
            None => match path_of(uri).and_then(|p| std::fs::read_to_string(p).ok()) {
                Some(t) => t,
                None => return,
            },
        };
        let overlay = |p: &Path| {
            self.docs
                .values()
                .find(|d| d.canonical.as_deref() == Some(p))
                .map(|d| d.text.clone())
        };
        let Checked { files, index, .. } = check::check(uri, &text, &overlay);
        let mut now = Vec::new();
        for (i, (file, diags)) in files.into_iter().enumerate() {
            if i > 0 {
                self.roots.insert(file.clone(), uri.to_owned());
            }
            let version = self.docs.get(&file).map(|d| d.version);
            publish(connection, &file, diags, version);
            now.push(file);
        }
        if let Some(before) = self.published.insert(uri.to_owned(), now.clone()) {
            for f in before.into_iter().filter(|f| !now.contains(f)) {
                self.roots.remove(&f);
                publish(connection, &f, Vec::new(), None);
            }
        }
        self.states.insert(uri.to_owned(), State { index });
    }

    /// The declarations for a document: its own check's, or the including policy's.
    fn index(&self, uri: &str) -> Option<&Index> {
        self.states
            .get(uri)
            .or_else(|| self.states.get(self.roots.get(uri)?))
            .map(|s| &s.index)
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            Completion::METHOD => serde_json::from_value::<CompletionParams>(req.params).map(|p| {
                let pos = p.text_document_position;
                let items = self.at(&pos.text_document.uri, pos.position, |f, t, o, i| {
                    complete::complete(f, t, o, i)
                });
                serde_json::to_value(CompletionResponse::Array(items.unwrap_or_default()))
            }),
            HoverRequest::METHOD => serde_json::from_value::<HoverParams>(req.params).map(|p| {
                let pos = p.text_document_position_params;
                let hover = self
                    .at(&pos.text_document.uri, pos.position, lookup::hover)
                    .flatten();
                serde_json::to_value(hover)
            }),
            GotoDefinition::METHOD => serde_json::from_value::<GotoDefinitionParams>(req.params)
                .map(|p| {
                    let pos = p.text_document_position_params;
                    let found = self
                        .at(&pos.text_document.uri, pos.position, lookup::definition)
                        .flatten()
                        .map(GotoDefinitionResponse::Scalar);
                    serde_json::to_value(found)
                }),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("unknown request `{}`", req.method),
                )
            }
        };
        match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(e)) | Err(e) => {
                Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string())
            }
        }
    }

    /// Runs `f` on the open document `uri` at `pos`, with the declarations of its load.
    fn at<T>(
        &self,
        uri: &Uri,
        pos: lsp_types::Position,
        f: impl FnOnce(complete::Format, &str, usize, &Index) -> T,
    ) -> Option<T> {
        let uri = uri.as_str();
        let doc = self.docs.get(uri)?;
        let empty = Index::default();
        let index = self.index(uri).unwrap_or(&empty);
        let offset = Lines::new(&doc.text).offset(pos);
        Some(f(format_of(uri), &doc.text, offset, index))
    }
}

fn publish(
    connection: &Connection,
    uri: &str,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) {
    let Ok(uri) = uri.parse::<Uri>() else {
        return;
    };
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    send(
        connection,
        Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_owned(),
            params,
        )),
    );
}
