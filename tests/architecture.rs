//! The layer rule of `docs/architecture.md`, checked on the sources: every top-level module
//! of `src/` has a layer, and a module may use only modules of lower layers. A new module
//! must be given its layer here and in the document; an import upward fails this test.
#![expect(clippy::panic, reason = "a broken rule fails the test")]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The layers, bottom first; the same table as `docs/architecture.md`.
const LAYERS: &[(&str, u8)] = &[
    ("suggest", 0),
    ("decimal", 0),
    ("duration", 0),
    ("keys", 0),
    ("telemetry", 0),
    ("calendar", 1),
    ("error", 2),
    ("raw", 3),
    ("model", 4),
    ("expr", 5),
    ("compile", 6),
    ("input", 6),
    ("eval", 7),
    ("analysis", 8),
    ("explain", 8),
    ("table", 8),
    ("policy", 9),
    ("authoring", 10),
    ("lsp", 11),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The code of a file without its unit tests and comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The top-level modules named by `crate::NAME` and `crate::{NAME, ...}` in `code`.
fn uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        if code[..i].ends_with(|c: char| is_ident(c)) {
            continue; // `tierwise_crate::` and the like
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for part in group.split(',') {
                let name: String = part.trim().chars().take_while(|c| is_ident(*c)).collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| is_ident(*c)).collect();
            out.insert(name);
        }
    }
    out
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Every (module, used module) pair of the library's non-test code.
fn edges() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap_or(&file);
        let top = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .unwrap_or_default();
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        if matches!(top.as_str(), "lib" | "bin") || name.as_deref() == Some("tests.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
        for used in uses(&code(&text)) {
            if used != top {
                out.push((top.clone(), used, rel.display().to_string()));
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_lower_layers() {
    let mut problems = Vec::new();
    for (module, used, file) in edges() {
        match (layer(&module), layer(&used)) {
            (None, _) => problems.push(format!("{file}: module `{module}` has no layer")),
            (_, None) => problems.push(format!("{file}: uses `{used}`, which has no layer")),
            (Some(a), Some(b)) if b >= a => problems.push(format!(
                "{file}: `{module}` (layer {a}) uses `{used}` (layer {b}): move the shared piece down"
            )),
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_rule_sees_imports() {
    // the scanner finds both forms, skips comments and unit tests
    let text = "use crate::model::Compiled;\nuse crate::{eval, input::Customer};\n\
                // crate::policy\n#[cfg(test)]\nmod tests { use crate::authoring; }";
    let found: Vec<String> = uses(&code(text)).into_iter().collect();
    assert_eq!(found, ["eval", "input", "model"]);
    // the real sources have edges to check, so the first test is not vacuous
    let edges = edges();
    assert!(edges.iter().any(|(m, u, _)| m == "eval" && u == "model"));
    assert!(edges
        .iter()
        .any(|(m, u, _)| m == "authoring" && u == "policy"));
}
