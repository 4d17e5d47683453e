//! Policy sets: versions of one policy with non-overlapping effective dates (spec section 12).

use chrono::{Days, NaiveDate};

use crate::error::{Diag, DiagnosticKind, LoadError, Source, Span};
use crate::policy::Policy;

/// Versions of one policy (the same `id`) whose `effective_from`/`effective_until` ranges do
/// not overlap; evaluation picks the version in force on the as-of date.
///
/// ```
/// use chrono::NaiveDate;
/// use tierwise::{Policy, PolicySet};
///
/// let version = |v: &str, from: &str, until: &str| {
///     let text = include_str!("../../tests/inputs/demo.toml").replace(
///         "version = \"1\"",
///         &format!("version = \"{v}\"\neffective_from = {from}\neffective_until = {until}"),
///     );
///     Policy::from_toml_str(&format!("demo-{v}.toml"), &text)
/// };
/// let set = PolicySet::new([
///     version("2026", "2026-01-01", "2026-12-31")?,
///     version("2027", "2027-01-01", "2027-12-31")?,
/// ])?;
/// let day = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
/// assert_eq!(set.at(day).map(|p| p.version()), Some("2027"));
/// assert!(set.at(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()).is_none());
/// # Ok::<(), tierwise::LoadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct PolicySet {
    versions: Vec<Policy>,
}

/// An inclusive range of days, unbounded where `None`.
fn range(p: &Policy) -> (Option<NaiveDate>, Option<NaiveDate>) {
    (p.effective_from(), p.effective_until())
}

fn overlap(a: &Policy, b: &Policy) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    let (af, au) = range(a);
    let (bf, bu) = range(b);
    // the later start and the earlier end; `None` is unbounded
    let from = match (af, bf) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let until = match (au, bu) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    match (from, until) {
        (Some(f), Some(u)) if f > u => None,
        r => Some(r),
    }
}

fn show(d: Option<NaiveDate>, open: &str) -> String {
    d.map_or_else(|| open.to_owned(), |d| d.to_string())
}

impl PolicySet {
    /// Makes a set of versions: all must have the same id, and no two may be in force on the
    /// same day. Every problem is reported, at the versions' `[policy]` headers.
    pub fn new(policies: impl IntoIterator<Item = Policy>) -> Result<PolicySet, LoadError> {
        let mut versions: Vec<Policy> = policies.into_iter().collect();
        versions.sort_by_key(|p| (p.effective_from(), p.effective_until()));
        let mut sources: Vec<Source> = Vec::new();
        let mut diags = Vec::new();
        // each policy's file gets its own number in the error's sources
        let file_of = |sources: &mut Vec<Source>, p: &Policy| -> u16 {
            let src = p.inner.origin.source.clone().unwrap_or(Source {
                name: std::sync::Arc::from(format!("<policy {} {}>", p.id(), p.version())),
                text: std::sync::Arc::from(""),
            });
            match sources.iter().position(|s| s.name == src.name) {
                Some(i) => u16::try_from(i).unwrap_or(0),
                None => {
                    sources.push(src);
                    u16::try_from(sources.len() - 1).unwrap_or(0)
                }
            }
        };
        let at = |file: u16, span: Span| Span { file, ..span };
        if let Some(first) = versions.first() {
            let id = first.id().to_owned();
            let first_file = file_of(&mut sources, first);
            for p in versions.iter().skip(1) {
                if p.id() != id {
                    let f = file_of(&mut sources, p);
                    diags.push(
                        Diag::new(
                            DiagnosticKind::Inconsistent,
                            at(f, p.inner.origin.id),
                            format!("policy `{}` is not a version of policy `{id}`", p.id()),
                        )
                        .with_help("a policy set holds versions of one policy: keep other policies in another directory")
                        .with_related(at(first_file, first.inner.origin.id), "the set's first policy is"),
                    );
                }
            }
        }
        for (i, a) in versions.iter().enumerate() {
            // versions of another policy were reported above: their dates are not compared
            for b in versions.iter().skip(i + 1).filter(|b| b.id() == a.id()) {
                if let Some((from, until)) = overlap(a, b) {
                    let fa = file_of(&mut sources, a);
                    let fb = file_of(&mut sources, b);
                    let place = |p: &Policy, f: u16| {
                        at(
                            f,
                            p.inner
                                .origin
                                .effective_from
                                .unwrap_or(p.inner.origin.header),
                        )
                    };
                    diags.push(
                        Diag::new(
                            DiagnosticKind::Inconsistent,
                            place(b, fb),
                            format!(
                                "versions `{}` and `{}` of policy `{}` are both in force from {} to {}",
                                a.version(),
                                b.version(),
                                b.id(),
                                show(from, "the beginning"),
                                show(until, "no end")
                            ),
                        )
                        .with_help("give the versions effective dates that do not overlap")
                        .with_related(place(a, fa), "the other version is"),
                    );
                }
            }
        }
        if diags.is_empty() {
            Ok(PolicySet { versions })
        } else {
            Err(LoadError::new(diags, &sources))
        }
    }

    /// The version in force on `date`, if any.
    pub fn at(&self, date: NaiveDate) -> Option<&Policy> {
        self.versions.iter().find(|p| p.is_effective_on(date))
    }

    /// The versions, by effective date.
    pub fn versions(&self) -> &[Policy] {
        &self.versions
    }

    /// The ranges of days between versions when no version is in force (before the first
    /// and after the last version are not counted).
    pub fn gaps(&self) -> Vec<(NaiveDate, NaiveDate)> {
        let mut out = Vec::new();
        for w in self.versions.windows(2) {
            if let [a, b] = w {
                if let (Some(u), Some(f)) = (a.effective_until(), b.effective_from()) {
                    let next = u.checked_add_days(Days::new(1));
                    let before = f.checked_sub_days(Days::new(1));
                    if let (Some(next), Some(before)) = (next, before) {
                        if next <= before {
                            out.push((next, before));
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(feature = "fs")]
impl PolicySet {
    /// Loads every policy file (`*.toml`, not `*.tests.toml`) of a directory as versions of
    /// one policy. Reports every problem of every file, then those of the set.
    pub fn load_dir(dir: impl AsRef<std::path::Path>) -> Result<PolicySet, LoadError> {
        let dir = dir.as_ref();
        let mut files: Vec<std::path::PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension().is_some_and(|e| e == "toml")
                        && !p.to_string_lossy().ends_with(".tests.toml")
                })
                .collect(),
            Err(e) => {
                return Err(dir_error(
                    dir,
                    format!("cannot read directory `{}`: {e}", dir.display()),
                ))
            }
        };
        files.sort();
        let mut policies = Vec::new();
        let mut errors: Option<LoadError> = None;
        for f in &files {
            match Policy::from_path(f) {
                Ok(p) => policies.push(p),
                Err(e) => {
                    errors = Some(match errors {
                        None => e,
                        Some(prev) => prev.join(e),
                    })
                }
            }
        }
        if let Some(e) = errors {
            return Err(e);
        }
        if policies.is_empty() {
            return Err(dir_error(
                dir,
                format!("directory `{}` has no policy files", dir.display()),
            ));
        }
        PolicySet::new(policies)
    }
}

/// An error about a directory as a whole.
#[cfg(feature = "fs")]
fn dir_error(dir: &std::path::Path, message: String) -> LoadError {
    let src = Source {
        name: std::sync::Arc::from(dir.display().to_string()),
        text: std::sync::Arc::from(""),
    };
    LoadError::new(
        vec![Diag::new(DiagnosticKind::Io, Span::default(), message)],
        &[src],
    )
}
