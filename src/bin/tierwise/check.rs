//! `tierwise check PATH...`: validates policy files and directories of policy files.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tierwise::{Policy, PolicySet};

use crate::{report, CheckArgs};

/// Checks every file; returns whether all were valid (and, with `--deny-warnings`, had no
/// warnings).
pub fn run(args: &CheckArgs) -> io::Result<bool> {
    let paths = &args.paths;
    if let Some(file) = &args.witness {
        return witness(args, file);
    }
    let mut out = io::stdout().lock();
    let mut all_ok = true;
    let mut warned = 0;
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
                            Some(p) => {
                                warned += warnings(&mut out, &file, &p)?;
                                valid.push(p);
                            }
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
            match check_file(&mut out, path)? {
                Some(p) => warned += warnings(&mut out, path, &p)?,
                None => all_ok = false,
            }
        }
    }
    out.flush()?;
    Ok(all_ok && !(args.deny_warnings && warned > 0))
}

/// Prints a valid policy's warnings on stderr, each with its source line, then
/// `PATH: N warnings`; returns how many there were.
fn warnings(out: &mut impl Write, path: &Path, policy: &Policy) -> io::Result<usize> {
    let warnings = policy.warnings();
    if warnings.is_empty() {
        return Ok(0);
    }
    out.flush()?;
    let mut err = io::stderr().lock();
    for w in warnings {
        // a failing stderr cannot be reported anywhere
        let _ = writeln!(err, "{w:#}\n");
    }
    let _ = writeln!(
        err,
        "{}: {}",
        path.display(),
        report::count(warnings.len(), "warning", "warnings")
    );
    Ok(warnings.len())
}

/// `check --witness FILE`: checks one policy file and writes one customer per reachable
/// tier to FILE as CSV.
fn witness(args: &CheckArgs, file: &Path) -> io::Result<bool> {
    let [path] = args.paths.as_slice() else {
        report::error("`--witness` takes exactly one policy file");
        return Ok(false);
    };
    let mut out = io::stdout().lock();
    let Some(policy) = check_file(&mut out, path)? else {
        return Ok(false);
    };
    let warned = warnings(&mut out, path, &policy)?;
    let as_of = report::as_of(&policy, args.as_of);
    let customers = policy.witnesses(as_of);
    let mut text = String::from("id");
    for name in policy.metric_names() {
        text.push(',');
        text.push_str(name);
    }
    text.push('\n');
    for c in &customers {
        text.push_str(&csv_cell(c.id()));
        if let Ok(values) = policy.metric_values(c) {
            for (_, v) in values {
                text.push(',');
                text.push_str(&csv_cell(v.as_deref().unwrap_or("")));
            }
        }
        text.push('\n');
    }
    if let Err(e) = std::fs::write(file, text) {
        report::error(&format!("cannot write `{}`: {e}", file.display()));
        return Ok(false);
    }
    let missing: Vec<&str> = policy
        .tiers()
        .map(|(_, t)| t.id())
        .filter(|id| !customers.iter().any(|c| c.id() == *id))
        .collect();
    writeln!(
        out,
        "wrote {}: {} for {as_of}{}",
        file.display(),
        report::count(customers.len(), "witness", "witnesses"),
        if missing.is_empty() {
            String::new()
        } else {
            format!(" (none for {})", missing.join(", "))
        }
    )?;
    Ok(!(args.deny_warnings && warned > 0))
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
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
