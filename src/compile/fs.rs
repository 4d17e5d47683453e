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
/// Most files a policy may be made of, the top file and every included one.
pub(crate) const MAX_INCLUDE_FILES: usize = 64;
/// Most bytes of all the files of one policy together.
pub(crate) const MAX_TOTAL_BYTES: usize = 4 * MAX_FILE_BYTES;

/// Reads, validates and compiles a policy file and the files it includes.
pub(crate) fn from_path(path: &Path) -> Result<Compiled, LoadError> {
    from_path_with(path, &|_| None)
}

/// The text of a file that is not read from disk (an editor's unsaved buffer), by the
/// file's resolved path.
pub(crate) type Overlay<'a> = &'a dyn Fn(&Path) -> Option<String>;

/// [`from_path`], taking the text of each file from `overlay` when it has it.
pub(crate) fn from_path_with(path: &Path, overlay: Overlay<'_>) -> Result<Compiled, LoadError> {
    let mut loader = Loader {
        sources: Vec::new(),
        diags: Diags::default(),
        root: None,
        include_failed: false,
        overlay,
    };
    match loader.read(path, None, &[]) {
        // what a refused include would define is missing: compiling would only report that
        Some(_) if loader.include_failed => Err(LoadError::new(loader.diags.list, &loader.sources)),
        Some(raw) => super::finish(raw, loader.diags, &loader.sources),
        // a file that cannot be read has nothing more to report
        None => Err(LoadError::new(loader.diags.list, &loader.sources)),
    }
}

struct Loader<'a> {
    sources: Vec<Source>,
    diags: Diags,
    /// The directory of the top policy file, resolved.
    root: Option<PathBuf>,
    /// Whether an included file could not be read or was refused.
    include_failed: bool,
    overlay: Overlay<'a>,
}

impl Loader<'_> {
    /// Reads one file and, recursively, its includes. `from` is the `include` entry that
    /// named it; `stack` the resolved files above it.
    fn read(&mut self, path: &Path, from: Option<Span>, stack: &[PathBuf]) -> Option<RawPolicy> {
        let name: Arc<str> = Arc::from(path.display().to_string());
        let fail = |loader: &mut Loader<'_>, message: String| {
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
        if self.sources.len() >= MAX_INCLUDE_FILES {
            return fail(
                self,
                format!(
                    "a policy may be made of at most {MAX_INCLUDE_FILES} files, with its includes"
                ),
            );
        }
        let read_so_far: usize = self.sources.iter().map(|s| s.text.len()).sum();
        let left = MAX_TOTAL_BYTES.saturating_sub(read_so_far);
        let text = match (self.overlay)(&resolved).map_or_else(|| read_limited(path), Ok) {
            Ok(t) if t.len() > left => {
                return fail(
                    self,
                    format!(
                        "the files of this policy are more than {} MiB together (the limit of a policy with its includes)",
                        MAX_TOTAL_BYTES / MAX_FILE_BYTES
                    ),
                )
            }
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
    read_at_most(path, MAX_FILE_BYTES)
}

/// Reads a regular file of at most `limit` bytes: never more than `limit + 1` bytes are
/// read, whatever the file claims, and a FIFO, device or socket is refused before it is
/// opened for reading (reading one could block forever or never end).
fn read_at_most(path: &Path, limit: usize) -> Result<String, String> {
    use std::io::Read;

    let cannot = |e: std::io::Error| {
        format!(
            "cannot read `{}`: {}",
            path.display(),
            lower(&e.to_string())
        )
    };
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if meta.is_dir() {
        return Err(format!(
            "`{}` is a directory, not a policy file",
            path.display()
        ));
    }
    if !meta.is_file() {
        return Err(format!(
            "`{}` is not a regular file (a pipe, device or socket): a policy must be a file",
            path.display()
        ));
    }
    let too_large = |len: u64| {
        format!(
            "policy file `{}` is {len} bytes, more than the limit of 1 MiB ({limit} bytes)",
            path.display(),
        )
    };
    if meta.len() > limit as u64 {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(limit));
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > limit {
        // the file grew while it was read
        return Err(too_large(bytes.len() as u64));
    }
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
