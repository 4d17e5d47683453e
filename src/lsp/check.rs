//! Checking a document as `tierwise check` and `tierwise test` would: a policy with the
//! files it includes, or a scenario file against the policy it names. The errors and
//! warnings become protocol diagnostics for every file of the load.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Uri,
};

use super::complete::Format;
use super::index::{File, Index};
use super::text::{path_of, uri_of, Lines};
use crate::analysis::Warning;
use crate::authoring::scenario::Suite;
use crate::compile::fs::Overlay;
use crate::error::Source;
use crate::error::{Diagnostic, LoadError};
use crate::policy::Policy;

/// What checking one document found.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// The diagnostics of each file of the load, by URI; a file without any has an empty
    /// list, which clears what an editor shows for it.
    pub(crate) files: Vec<(String, Vec<LspDiagnostic>)>,
    /// The declarations of the policy's files (for a scenario file, of its policy).
    pub(crate) index: Index,
    /// The compiled policy, when it loaded.
    pub(crate) policy: Option<Policy>,
}

/// The format of the document at `uri`: scenario files end in `.tests.toml`.
pub(crate) fn format_of(uri: &str) -> Format {
    if uri.ends_with(".tests.toml") {
        Format::Scenario
    } else {
        Format::Policy
    }
}

/// Checks the document `uri` with text `text`; other files are read from `overlay` (open
/// documents) or disk.
pub(crate) fn check(uri: &str, text: &str, overlay: Overlay<'_>) -> Checked {
    match format_of(uri) {
        Format::Policy => policy(uri, text, overlay),
        Format::Scenario => scenario(uri, text, overlay),
    }
}

/// Loads a policy: from its path when it has one (so that includes resolve), else from
/// its text alone.
fn load(
    uri: &str,
    path: Option<&Path>,
    text: &str,
    overlay: Overlay<'_>,
) -> Result<Policy, LoadError> {
    match path {
        Some(p) => {
            let own = std::fs::canonicalize(p).ok();
            let with_own = |q: &Path| {
                if own.as_deref() == Some(q) {
                    Some(text.to_owned())
                } else {
                    overlay(q)
                }
            };
            if own.is_some() {
                return crate::compile::fs::from_path_with(p, &with_own).map(Policy::new);
            }
            // a buffer not saved yet: its includes cannot be placed
            crate::compile::from_str(&p.display().to_string(), text).map(Policy::new)
        }
        None => crate::compile::from_str(uri, text).map(Policy::new),
    }
}

fn policy(uri: &str, text: &str, overlay: Overlay<'_>) -> Checked {
    let path = path_of(uri);
    let loaded = load(uri, path.as_deref(), text, overlay);
    let (sources, errors, warnings): (Vec<Source>, Vec<Diagnostic>, Vec<Warning>) = match &loaded {
        Ok(p) => (
            p.inner.places.sources.clone(),
            Vec::new(),
            p.warnings().to_vec(),
        ),
        Err(e) => (e.sources().to_vec(), e.diagnostics().to_vec(), Vec::new()),
    };
    let files = files_of(uri, path.as_deref(), &sources);
    let mut out: Vec<(String, Vec<LspDiagnostic>)> =
        files.iter().map(|f| (f.uri.clone(), Vec::new())).collect();
    for d in &errors {
        place(&mut out, &files, d.path(), || {
            diagnostic(&files, d, DiagnosticSeverity::ERROR, None)
        });
    }
    for w in &warnings {
        let d = w.diagnostic();
        place(&mut out, &files, d.path(), || {
            diagnostic(
                &files,
                d,
                DiagnosticSeverity::WARNING,
                Some(w.code().as_str()),
            )
        });
    }
    if out.is_empty() {
        out.push((uri.to_owned(), Vec::new()));
    }
    let policy = loaded.ok();
    Checked {
        files: out,
        index: Index::new(files, policy.as_ref()),
        policy,
    }
}

fn scenario(uri: &str, text: &str, overlay: Overlay<'_>) -> Checked {
    let path = path_of(uri);
    let name = path
        .as_ref()
        .map_or_else(|| uri.to_owned(), |p| p.display().to_string());
    let own = [File {
        uri: uri.to_owned(),
        text: Arc::from(text),
    }];
    let mut diags = Vec::new();
    let mut checked = Checked::default();
    let error_of = |e: &LoadError| -> Vec<LspDiagnostic> {
        e.diagnostics()
            .iter()
            .map(|d| diagnostic(&own, d, DiagnosticSeverity::ERROR, None))
            .collect()
    };
    match Suite::policy_path(&name, text) {
        Err(e) => diags = error_of(&e),
        Ok(rel) => {
            let base = path
                .as_deref()
                .and_then(Path::parent)
                .unwrap_or(Path::new(""));
            let policy_path = base.join(&rel);
            let policy_uri = uri_of(&policy_path);
            let policy_text = overlay(&std::fs::canonicalize(&policy_path).unwrap_or_default());
            let loaded = match policy_text {
                Some(t) => load(&policy_uri, Some(&policy_path), &t, overlay),
                None => crate::compile::fs::from_path_with(&policy_path, overlay).map(Policy::new),
            };
            match loaded {
                Ok(policy) => {
                    let files = files_of(
                        &policy_uri,
                        Some(&policy_path),
                        &policy.inner.places.sources,
                    );
                    checked.index = Index::new(files, Some(&policy));
                    if let Err(e) = Suite::from_toml_str(&name, text, &policy) {
                        diags = error_of(&e);
                    }
                    checked.policy = Some(policy);
                }
                Err(e) => {
                    let files = files_of(&policy_uri, Some(&policy_path), e.sources());
                    checked.index = Index::new(files.clone(), None);
                    let first = e.diagnostics().first();
                    let mut d = LspDiagnostic {
                        range: lsp_types::Range::default(),
                        severity: Some(DiagnosticSeverity::ERROR),
                        source: Some("tierwise".to_owned()),
                        message: format!(
                            "the policy `{rel}` this file tests does not load: {}",
                            match e.diagnostics().len() {
                                1 => "1 error".to_owned(),
                                n => format!("{n} errors"),
                            }
                        ),
                        ..LspDiagnostic::default()
                    };
                    if let Some(first) = first {
                        d.related_information =
                            location(&files, first.path(), first.span()).map(|location| {
                                vec![DiagnosticRelatedInformation {
                                    location,
                                    message: first.message().to_owned(),
                                }]
                            });
                    }
                    diags.push(d);
                }
            }
        }
    }
    checked.files = vec![(uri.to_owned(), diags)];
    checked
}

/// The files of a load as URIs with their text: the top file is the document itself; the
/// others are named by their path.
fn files_of(uri: &str, path: Option<&Path>, sources: &[Source]) -> Vec<File> {
    sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let top = path.is_none_or(|p| p.display().to_string() == *s.name);
            let file_uri = if i == 0 && top {
                uri.to_owned()
            } else {
                let p = PathBuf::from(&*s.name);
                uri_of(&std::fs::canonicalize(&p).unwrap_or(p))
            };
            File {
                uri: file_uri,
                text: s.text.clone(),
            }
        })
        .collect()
}

fn file_index(files: &[File], path: &str) -> Option<usize> {
    files
        .iter()
        .position(|f| {
            f.uri == path || path_of(&f.uri).is_some_and(|p| p.display().to_string() == path)
        })
        .or_else(|| {
            let canonical = std::fs::canonicalize(path).ok()?;
            files
                .iter()
                .position(|f| path_of(&f.uri).as_deref() == Some(canonical.as_path()))
        })
}

fn place(
    out: &mut [(String, Vec<LspDiagnostic>)],
    files: &[File],
    path: &str,
    make: impl FnOnce() -> LspDiagnostic,
) {
    let at = file_index(files, path).unwrap_or(0);
    if let Some((_, list)) = out.get_mut(at) {
        list.push(make());
    }
}

fn location(files: &[File], path: &str, span: std::ops::Range<usize>) -> Option<Location> {
    let f = files.get(file_index(files, path)?)?;
    let uri: Uri = f.uri.parse().ok()?;
    Some(Location::new(uri, Lines::new(&f.text).range(span)))
}

/// `d` as a protocol diagnostic: its help on a `help:` line after the message, its
/// related place as related information.
fn diagnostic(
    files: &[File],
    d: &Diagnostic,
    severity: DiagnosticSeverity,
    code: Option<&str>,
) -> LspDiagnostic {
    let (path, span, message, help, related) =
        (d.path(), d.span(), d.message(), d.help(), d.related());
    let range = files
        .get(file_index(files, path).unwrap_or(0))
        .map(|f| Lines::new(&f.text).range(span))
        .unwrap_or_default();
    let message = match help {
        Some(h) => format!("{message}\nhelp: {h}"),
        None => message.to_owned(),
    };
    LspDiagnostic {
        range,
        severity: Some(severity),
        code: code.map(|c| NumberOrString::String(c.to_owned())),
        source: Some("tierwise".to_owned()),
        message,
        related_information: related.and_then(|r| {
            let location = location(files, r.path(), r.span())?;
            Some(vec![DiagnosticRelatedInformation {
                location,
                message: format!("{} here", r.label()),
            }])
        }),
        ..LspDiagnostic::default()
    }
}
