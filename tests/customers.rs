//! A corpus of broken customer files (`tests/inputs/customers/broken/err_*`), one mistake
//! each between good rows: each is tiered with the spec example policy, and its exit status,
//! diagnostics and the ids written are snapshotted. Every file must exit 1, report the bad
//! row with its line, and still write the good rows.

use std::process::Command;

#[test]
fn broken_customer_files() {
    insta::glob!("inputs/customers/broken/err_*", |path| {
        let rel = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let out = Command::new(env!("CARGO_BIN_EXE_tierwise"))
            .args([
                "tier",
                "--policy",
                "tests/inputs/spec-example.toml",
                "--as-of",
                "2026-06-30",
                &rel,
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let ids: Vec<String> = stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(out.status.code(), Some(1), "{rel}: {stderr}");
        assert!(
            stderr.contains(&format!("{rel}:")),
            "{rel}: the error names no line: {stderr}"
        );
        insta::assert_snapshot!(format!(
            "exit status: {:?}\nwritten: {}\n\n{stderr}",
            out.status.code(),
            ids.join(", ")
        ));
    });
}
