//! Compiling policies from files (feature `fs`): the top file and the files it includes
//! (spec section 12), each read through a size limit.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::MAX_FILE_BYTES;
use crate::error::{Diag, DiagnosticKind, Diags, LoadError, Source, Span};
use crate::model::Compiled;
use crate::raw::{self, RawPolicy};

/// How deep includes may nest.
pub(crate) const MAX_INCLUDE_DEPTH: usize = 8;

/// Reads, validates and compiles a policy file and the files it includes.
pub(crate) fn from_path(path: &Path) -> Result<Compiled, LoadError> {
    let mut loader = Loader {
        sources: Vec::new(),
        diags: Diags::default(),
        root: None,
        include_failed: false,
    };
    match loader.read(path, None, &[]) {
        // what a refused include would define is missing: compiling would only report that
        Some(_) if loader.include_failed => Err(LoadError::new(loader.diags.list, &loader.sources)),
        Some(raw) => super::finish(raw, loader.diags, &loader.sources),
        // a file that cannot be read has nothing more to report
        None => Err(LoadError::new(loader.diags.list, &loader.sources)),
    }
}

struct Loader {
    sources: Vec<Source>,
    diags: Diags,
    /// The directory of the top policy file, resolved.
    root: Option<PathBuf>,
    /// Whether an included file could not be read or was refused.
    include_failed: bool,
}

impl Loader {
    /// Reads one file and, recursively, its includes. `from` is the `include` entry that
    /// named it; `stack` the resolved files above it.
    fn read(&mut self, path: &Path, from: Option<Span>, stack: &[PathBuf]) -> Option<RawPolicy> {
        let name: Arc<str> = Arc::from(path.display().to_string());
        let fail = |loader: &mut Loader, message: String| {
            let span = from.unwrap_or_default();
            if loader.sources.is_empty() {
                loader.sources.push(Source {
                    name: name.clone(),
                    text: Arc::from(""),
                });
            }
            loader
                .diags
                .push(Diag::new(DiagnosticKind::Io, span, message));
            None
        };
        let resolved = match std::fs::canonicalize(path) {
            Ok(p) => p,
            Err(e) => {
                return fail(
                    self,
                    format!(
                        "cannot read `{}`: {}",
                        path.display(),
                        lower(&e.to_string())
                    ),
                )
            }
        };
        if self.root.is_none() {
            self.root = resolved.parent().map(Path::to_path_buf);
        }
        let text = match read_limited(path) {
            Ok(t) => t,
            Err(message) => return fail(self, message),
        };
        let Ok(file) = u16::try_from(self.sources.len()) else {
            return fail(self, "too many included files".to_owned());
        };
        self.sources.push(Source {
            name,
            text: Arc::from(text.as_str()),
        });
        let mut raw = raw::read_file(file, &text, &mut self.diags);
        let includes = raw
            .header
            .as_mut()
            .map(|h| std::mem::take(&mut h.include))
            .unwrap_or_default();
        let mut stack = stack.to_vec();
        stack.push(resolved);
        for inc in includes {
            let child = path.parent().unwrap_or(Path::new("")).join(&inc.v);
            let Ok(child_resolved) = std::fs::canonicalize(&child) else {
                self.diags.push(
                    Diag::new(
                        DiagnosticKind::Io,
                        inc.span,
                        format!("cannot read included file `{}`", child.display()),
                    )
                    .with_help("include paths are relative to the file that includes them"),
                );
                self.include_failed = true;
                continue;
            };
            if let Some(root) = &self.root {
                if !child_resolved.starts_with(root) {
                    self.diags.push(
                        Diag::new(
                            DiagnosticKind::InvalidValue,
                            inc.span,
                            format!(
                                "included file `{}` is outside the policy's directory",
                                inc.v
                            ),
                        )
                        .with_help(
                            "keep included files in the directory of the policy file or below it",
                        ),
                    );
                    self.include_failed = true;
                    continue;
                }
            }
            if stack.contains(&child_resolved) {
                self.diags.push(Diag::new(
                    DiagnosticKind::Inconsistent,
                    inc.span,
                    format!(
                        "`{}` is already being included: includes form a cycle",
                        inc.v
                    ),
                ));
                continue;
            }
            if stack.len() > MAX_INCLUDE_DEPTH {
                self.diags.push(Diag::new(
                    DiagnosticKind::Limit,
                    inc.span,
                    format!("includes nest more than {MAX_INCLUDE_DEPTH} deep"),
                ));
                continue;
            }
            match self.read(&child, Some(inc.span), &stack) {
                Some(included) => raw::merge(&mut raw, included, &mut self.diags),
                None => self.include_failed = true,
            }
        }
        Some(raw)
    }
}

/// Reads a policy file, refusing files over the size limit before reading them whole.
pub(crate) fn read_limited(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "cannot read `{}`: {}",
            path.display(),
            lower(&e.to_string())
        )
    })?;
    if meta.is_dir() {
        return Err(format!(
            "`{}` is a directory, not a policy file",
            path.display()
        ));
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(format!(
            "policy file `{}` is {} bytes, more than the limit of 1 MiB ({MAX_FILE_BYTES} bytes)",
            path.display(),
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read `{}`: {}",
            path.display(),
            lower(&e.to_string())
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{}` is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

fn lower(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
