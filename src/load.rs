//! Loading policies from files (feature `cli`).

use std::path::Path;
use std::sync::Arc;

use crate::compile::{self, MAX_FILE_BYTES};
use crate::error::{Diag, DiagnosticKind, Diags, LoadError, Source, Span};
use crate::policy::Policy;
use crate::raw;

impl Policy {
    /// Reads, validates and compiles a policy file. Errors name the file by `path` as given.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        let name: Arc<str> = Arc::from(path.display().to_string());
        let mut diags = Diags::default();
        let text = match read_limited(path) {
            Ok(t) => t,
            Err(message) => {
                diags.push(Diag::new(DiagnosticKind::Io, Span::default(), message));
                let sources = [Source {
                    name,
                    text: Arc::from(""),
                }];
                return Err(LoadError::new(diags.list, &sources));
            }
        };
        let sources = vec![Source {
            name,
            text: Arc::from(text.as_str()),
        }];
        let raw = raw::read_file(0, &text, &mut diags);
        compile::finish(raw, diags, &sources)
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
            "policy file is {} bytes, more than the limit of 1 MiB ({MAX_FILE_BYTES} bytes)",
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
