//! Helpers shared by the test modules.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers fail the test by panicking"
)]

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use tierwise::{LoadError, Policy};

/// A date written `YYYY-MM-DD`.
pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// An instant written in RFC 3339.
pub fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Loads a policy file through the library (the test reads the file).
pub fn load(path: &str) -> Policy {
    let text = std::fs::read_to_string(path).unwrap();
    Policy::from_toml_str(path, &text).unwrap_or_else(|e| panic!("{e:#}"))
}

/// The path of a test input relative to the crate root, with forward slashes.
pub fn crate_relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Checks what every diagnostic must have: the file's name, a position inside the file that
/// agrees with the span, a plain message and a well-formed help.
pub fn check_locations(err: &LoadError, name: &str, text: &str) {
    assert!(
        !err.diagnostics().is_empty(),
        "{name}: an error without diagnostics"
    );
    let all = err.diagnostics();
    for (i, d) in all.iter().enumerate() {
        assert!(
            all.iter()
                .take(i)
                .all(|e| (e.span(), e.message()) != (d.span(), d.message())),
            "{name}: reported twice: {d}"
        );
        assert_eq!(d.path(), name, "{name}: {d}");
        assert!(d.line() >= 1 && d.column() >= 1, "{name}: {d}");
        let span = d.span();
        assert!(span.start <= span.end, "{name}: reversed span in {d}");
        assert!(
            span.end <= text.len(),
            "{name}: span {span:?} beyond the file in {d}"
        );
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "{name}: span {span:?} splits a character in {d}"
        );
        let before = &text[..span.start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        assert_eq!((d.line(), d.column()), (line, column), "{name}: {d}");
        assert!(
            line <= text.lines().count().max(1),
            "{name}: line beyond the file in {d}"
        );
        let message = d.message();
        assert!(!message.is_empty(), "{name}: empty message");
        assert!(
            !message.ends_with('.'),
            "{name}: message ends with a period: {d}"
        );
        assert!(
            !message.starts_with(|c: char| c.is_uppercase()),
            "{name}: message starts upper case: {d}"
        );
        if let Some(help) = d.help() {
            assert!(!help.is_empty(), "{name}: empty help");
        }
    }
}
