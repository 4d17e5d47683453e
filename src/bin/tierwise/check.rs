//! `tierwise check PATH...`: validates policy files and directories of policy files.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tierwise::{Policy, PolicySet};

use crate::report;

/// Checks every file; returns whether all were valid.
pub fn run(paths: &[PathBuf]) -> io::Result<bool> {
    let mut out = io::stdout().lock();
    let mut all_ok = true;
    for path in paths {
        if path.is_dir() {
            match policy_files(path) {
                Ok(files) if files.is_empty() => {
                    report::error(&format!(
                        "no policy files (`*.toml`) in directory `{}`",
                        path.display()
                    ));
                    all_ok = false;
                }
                Ok(files) => {
                    let mut valid = Vec::new();
                    for file in files {
                        match check_file(&mut out, &file)? {
                            Some(p) => valid.push(p),
                            None => all_ok = false,
                        }
                    }
                    all_ok &= check_sets(&mut out, path, valid)?;
                }
                Err(e) => {
                    report::error(&format!("cannot read directory `{}`: {e}", path.display()));
                    all_ok = false;
                }
            }
        } else {
            all_ok &= check_file(&mut out, path)?.is_some();
        }
    }
    out.flush()?;
    Ok(all_ok)
}

/// The `*.toml` files directly in `dir`, sorted, without `*.tests.toml` scenario files.
fn policy_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".toml") && !name.ends_with(".tests.toml") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn check_file(out: &mut impl Write, path: &Path) -> io::Result<Option<Policy>> {
    match Policy::from_path(path) {
        Ok(policy) => {
            writeln!(
                out,
                "ok: {} (policy {} version {})",
                path.display(),
                policy.id(),
                policy.version()
            )?;
            Ok(Some(policy))
        }
        Err(e) => {
            // flush stdout first so that the two streams interleave in order on a terminal
            out.flush()?;
            report::load_error(path, &e);
            Ok(None)
        }
    }
}

/// Versions of one policy in a directory form a policy set (spec section 12): their
/// effective dates must not overlap. Gaps between versions are only warned about.
fn check_sets(out: &mut impl Write, dir: &Path, policies: Vec<Policy>) -> io::Result<bool> {
    let mut ids: Vec<String> = policies.iter().map(|p| p.id().to_owned()).collect();
    ids.sort();
    ids.dedup();
    let mut ok = true;
    for id in ids {
        let versions: Vec<Policy> = policies.iter().filter(|p| p.id() == id).cloned().collect();
        if versions.len() < 2 {
            continue;
        }
        let n = versions.len();
        match PolicySet::new(versions) {
            Ok(set) => {
                writeln!(out, "ok: {} (policy set {id}: {n} versions)", dir.display())?;
                for (from, to) in set.gaps() {
                    report::warning(&format!(
                        "no version of policy `{id}` in `{}` is in force from {from} to {to}",
                        dir.display()
                    ));
                }
            }
            Err(e) => {
                out.flush()?;
                report::load_error(dir, &e);
                ok = false;
            }
        }
    }
    Ok(ok)
}
