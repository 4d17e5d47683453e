//! `tierwise test PATH...`: runs the scenario tests kept beside policies.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tierwise::scenario::Suite;
use tierwise::Policy;

use crate::input::Problem;
use crate::report;

/// Runs the scenario files of every path; returns whether every file loaded and every
/// scenario passed. Results go to stdout, ending with `N passed, M failed`; mistakes in
/// files go to stderr.
pub fn run(paths: &[PathBuf]) -> io::Result<bool> {
    let mut out = io::stdout().lock();
    let mut all_ok = true;
    let mut files = Vec::new();
    // files with mistakes and paths without scenario files: the summary says so
    let mut not_run = 0usize;
    let mut not_found = 0usize;
    for path in paths {
        match scenario_files(path) {
            Ok(found) => files.extend(found),
            Err(p) => {
                report::problem(&p);
                all_ok = false;
                not_found += 1;
            }
        }
    }
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        // stdout first, so that the two streams interleave in order on a terminal
        out.flush()?;
        let Some(suite) = load(file) else {
            all_ok = false;
            not_run += 1;
            continue;
        };
        let policy = suite.policy();
        writeln!(
            out,
            "running {} from {} (policy {} version {})",
            report::count(suite.len(), "scenario", "scenarios"),
            file.display(),
            policy.id(),
            policy.version()
        )?;
        let result = suite.run();
        let mut blank = false;
        for o in result.outcomes() {
            writeln!(out, "{o}")?;
            blank = !o.passed();
            if blank {
                writeln!(out)?;
            }
        }
        if !blank {
            writeln!(out)?;
        }
        passed += result.passed();
        failed += result.failed();
    }
    let mut summary = format!("{passed} passed, {failed} failed");
    if not_run > 0 {
        let files = report::count(not_run, "scenario file", "scenario files");
        summary.push_str(&format!("; {files} with errors not run"));
    }
    if not_found > 0 {
        let paths = report::count(not_found, "path", "paths");
        summary.push_str(&format!("; {paths} without scenario files"));
    }
    writeln!(out, "{summary}")?;
    out.flush()?;
    Ok(all_ok && failed == 0)
}

/// The scenario files a path stands for: a scenario file itself, the `NAME.tests.toml`
/// beside a policy file `NAME.toml`, or every `*.tests.toml` directly in a directory.
fn scenario_files(path: &Path) -> Result<Vec<PathBuf>, Problem> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if path.is_dir() {
        let mut files = Vec::new();
        let entries = std::fs::read_dir(path).map_err(|e| {
            Problem::new(format!(
                "cannot read directory `{}`: {}",
                path.display(),
                io_message(&e)
            ))
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| {
                Problem::new(format!(
                    "cannot read directory `{}`: {}",
                    path.display(),
                    io_message(&e)
                ))
            })?;
            let p = entry.path();
            let is_tests = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".tests.toml"));
            if is_tests && p.is_file() {
                files.push(p);
            }
        }
        files.sort();
        if files.is_empty() {
            return Err(Problem::new(format!(
                "no scenario files (`*.tests.toml`) in directory `{}`",
                path.display()
            ))
            .with_help(Some(
                "write the scenarios of `NAME.toml` in `NAME.tests.toml` beside it".to_owned(),
            )));
        }
        return Ok(files);
    }
    if name.ends_with(".tests.toml") {
        return Ok(vec![path.to_path_buf()]);
    }
    if let Some(stem) = name.strip_suffix(".toml") {
        let sibling = path.with_file_name(format!("{stem}.tests.toml"));
        if sibling.is_file() {
            return Ok(vec![sibling]);
        }
        if !path.exists() {
            return Err(Problem::new(format!(
                "cannot read `{}`: no such file or directory",
                path.display()
            )));
        }
        return Err(Problem::new(format!(
            "policy `{}` has no scenario file `{}`",
            path.display(),
            sibling.display()
        ))
        .with_help(Some(format!(
            "write its scenarios in `{}`, each under a `[[scenario]]` header",
            sibling.display()
        ))));
    }
    if !path.exists() {
        return Err(Problem::new(format!(
            "cannot read `{}`: no such file or directory",
            path.display()
        )));
    }
    Err(Problem::new(format!(
        "`{}` is neither a scenario file (`*.tests.toml`), a policy file (`*.toml`) nor a directory",
        path.display()
    )))
}

/// Reads a scenario file and its policy; reports every mistake of either on stderr.
fn load(file: &Path) -> Option<Suite> {
    let name = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            report::error(&format!(
                "cannot read scenario file `{name}`: {}",
                io_message(&e)
            ));
            return None;
        }
    };
    let relative = match Suite::policy_path(&name, &text) {
        Ok(p) => p,
        Err(e) => {
            report::load_error(file, &e);
            return None;
        }
    };
    let policy_file = file
        .parent()
        .map_or_else(|| PathBuf::from(&relative), |dir| dir.join(&relative));
    let policy = match Policy::from_path(&policy_file) {
        Ok(p) => p,
        Err(e) => {
            report::load_error(&policy_file, &e);
            report::error(&format!(
                "cannot run the scenarios of `{name}`: its policy `{}` does not load",
                policy_file.display()
            ));
            return None;
        }
    };
    match Suite::from_toml_str(&name, &text, &policy) {
        Ok(suite) => Some(suite),
        Err(e) => {
            report::load_error(file, &e);
            None
        }
    }
}

/// An I/O error for people: lower case, without the `(os error N)` suffix.
fn io_message(e: &io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error ").next().unwrap_or(&text);
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
