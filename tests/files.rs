//! Loading from files: includes (spec section 12) and policy sets of a directory.

use tierwise::{DiagnosticKind, Policy, PolicySet};

use crate::common::date;

#[test]
fn an_included_file_is_merged() {
    let split = Policy::from_path("tests/inputs/include/ok/main.toml").unwrap();
    let whole = Policy::from_path("tests/inputs/spec-example.toml").unwrap();
    assert_eq!(
        split.metric_names().collect::<Vec<_>>(),
        whole.metric_names().collect::<Vec<_>>()
    );
    assert_eq!(
        split.dimension_names().collect::<Vec<_>>(),
        whole.dimension_names().collect::<Vec<_>>()
    );
    let build = |p: &Policy| {
        p.customer("C")
            .set("annual_teu", "1250")
            .set("customer_since", "2019-04-01")
            .set("gross_margin_pct", "9.5")
            .set("influence", "regional")
            .build()
            .unwrap()
    };
    let a = split.classify(&build(&split), date("2026-06-30")).unwrap();
    let b = whole.classify(&build(&whole), date("2026-06-30")).unwrap();
    assert_eq!(a.score(), b.score());
}

#[test]
fn include_errors_name_both_places() {
    let err = Policy::from_path("tests/inputs/include/errors/main.toml").unwrap_err();
    let kinds: Vec<DiagnosticKind> = err.diagnostics().iter().map(|d| d.kind()).collect();
    assert!(kinds.contains(&DiagnosticKind::Duplicate));
    insta::assert_snapshot!(format!("{err:#}"));
}

#[test]
fn includes_nest_at_most_eight_deep() {
    let err = Policy::from_path("tests/inputs/include/deep/main.toml").unwrap_err();
    assert_eq!(err.diagnostics().len(), 1);
    let d = &err.diagnostics()[0];
    assert_eq!(d.kind(), DiagnosticKind::Limit);
    assert_eq!(
        (d.path(), d.line(), d.column()),
        ("tests/inputs/include/deep/d8.toml", 2, 12)
    );
}

#[test]
fn from_toml_str_refuses_includes() {
    let text = std::fs::read_to_string("tests/inputs/include/ok/main.toml").unwrap();
    let err = Policy::from_toml_str("main.toml", &text).unwrap_err();
    assert!(err.diagnostics()[0]
        .message()
        .contains("needs the policy to be loaded from a file"));
}

#[test]
fn a_policy_set_picks_the_version_in_force() {
    let set = PolicySet::load_dir("tests/inputs/sets/ok").unwrap();
    let version = |d: &str| set.at(date(d)).map(|p| p.version().to_owned());
    assert_eq!(version("2025-12-31").as_deref(), Some("2025.1"));
    assert_eq!(version("2026-01-01").as_deref(), Some("2026.1"));
    assert_eq!(version("2026-06-30").as_deref(), Some("2026.1"));
    assert_eq!(version("2026-07-15"), None);
    assert_eq!(version("2026-08-01").as_deref(), Some("2026.2"));
    assert_eq!(set.gaps(), [(date("2026-07-01"), date("2026-07-31"))]);
}

#[test]
fn overlapping_versions_are_an_error_naming_both() {
    let err = PolicySet::load_dir("tests/inputs/sets/overlap").unwrap_err();
    assert_eq!(err.diagnostics().len(), 1);
    insta::assert_snapshot!(format!("{err:#}"));
}

#[test]
fn the_cli_uses_the_version_in_force() {
    let run = |as_of: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tierwise"))
            .args([
                "tier",
                "--policy",
                "tests/inputs/sets/ok",
                "--as-of",
                as_of,
                "tests/inputs/sets/customers.csv",
            ])
            .output()
            .unwrap()
    };
    let out = run("2025-06-30");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["policy"]["version"], "2025.1");
    let out = run("2026-07-15");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().starts_with("error: no version of policy `ocean-shipping` in `tests/inputs/sets/ok` is in force on 2026-07-15"));
}

#[test]
fn a_directory_of_different_policies_is_not_a_set() {
    let err = PolicySet::load_dir("policies").unwrap_err();
    // one error per policy that is not a version of the first; no date comparisons across ids
    assert!(
        err.diagnostics()
            .iter()
            .all(|d| d.message().contains("is not a version of policy")),
        "{err}"
    );
    assert_eq!(err.diagnostics().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_cannot_include_a_file_outside_the_policy_directory() {
    let base = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("include-symlink");
    let _ = std::fs::remove_dir_all(&base);
    let inside = base.join("policy");
    std::fs::create_dir_all(&inside).unwrap();
    // the shared scoring sits outside the policy directory, reached through a link inside it
    let outside = base.join("scoring.toml");
    std::fs::copy("tests/inputs/include/ok/common/scoring.toml", &outside).unwrap();
    std::os::unix::fs::symlink(&outside, inside.join("scoring.toml")).unwrap();
    let main = std::fs::read_to_string("tests/inputs/include/ok/main.toml")
        .unwrap()
        .replace("common/scoring.toml", "scoring.toml");
    std::fs::write(inside.join("main.toml"), main).unwrap();
    let err = Policy::from_path(inside.join("main.toml")).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(
        d.message(),
        "included file `scoring.toml` is outside the policy's directory"
    );
    assert_eq!(d.kind(), DiagnosticKind::InvalidValue);
}

#[test]
fn sla_picks_the_version_in_force_on_the_local_day_the_case_opened() {
    // two versions of the sample policy, in Asia/Shanghai (UTC+8): 2026.1 until 2026-06-30
    // (complaints acknowledged in 4h), a gap in July, 2026.2 from 2026-08-01 (3h)
    let sla = |policy: &str, opened: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tierwise"))
            .args([
                "sla",
                "--policy",
                policy,
                "--tier",
                "standard",
                "--case",
                "complaint",
                "--opened",
                opened,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let target = serde_json::from_str::<serde_json::Value>(&stdout)
            .ok()
            .map(|v| v["milestones"]["acknowledge"]["target"].to_string());
        (target, String::from_utf8(out.stderr).unwrap())
    };
    let set = "tests/inputs/sets/sla";
    // the last minute of 30 June in Shanghai
    let (target, stderr) = sla(set, "2026-06-30T23:59:00+08:00");
    assert_eq!(target.as_deref(), Some("\"4h\""), "{stderr}");
    // 1 July in Shanghai, still 30 June in UTC: no version is in force
    let (target, stderr) = sla(set, "2026-07-01T07:59:00+08:00");
    assert_eq!(target, None);
    assert!(
        stderr.contains("is in force on 2026-07-01"),
        "the day is Shanghai's: {stderr}"
    );
    // 1 August in Shanghai, still 31 July in UTC: 2026.2
    let (target, stderr) = sla(set, "2026-08-01T00:30:00+08:00");
    assert_eq!(target.as_deref(), Some("\"3h\""), "{stderr}");

    // a single file used outside its dates is used, with a warning naming the local day
    let (target, stderr) = sla(
        "tests/inputs/sets/sla/ocean-2026h1.toml",
        "2026-07-01T00:30:00+08:00",
    );
    assert_eq!(target.as_deref(), Some("\"4h\""), "{stderr}");
    assert!(
        stderr.contains("is in force from 2026-01-01 to 2026-06-30, not on 2026-07-01"),
        "{stderr}"
    );
}

/// A temporary directory of this test process, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    #[expect(
        clippy::unwrap_used,
        reason = "a test that cannot make its directory fails"
    )]
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("tierwise-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "the path must fail to load"
)]
fn first_message(path: &std::path::Path) -> String {
    let err = Policy::from_path(path).unwrap_err();
    err.diagnostics()[0].message().to_owned()
}

/// Hardening: a device or a FIFO is refused before it is read (reading `/dev/zero` grew
/// without limit, a FIFO blocked forever), as a policy and as an included file.
#[cfg(unix)]
#[test]
fn only_regular_files_are_read() {
    let zero = std::path::Path::new("/dev/zero");
    if zero.exists() {
        assert!(first_message(zero).contains("is not a regular file"));
    }
    let dir = TempDir::new("fifo");
    let fifo = dir.0.join("policy.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        assert!(first_message(&fifo).contains("is not a regular file"));
        // included from inside the policy's directory
        let main = dir.0.join("main.toml");
        std::fs::write(
            &main,
            "[policy]\nid = \"p\"\nversion = \"1\"\ntimezone = \"UTC\"\ninclude = [\"policy.toml\"]\n",
        )
        .unwrap();
        let err = Policy::from_path(&main).unwrap_err();
        assert!(
            err.diagnostics()
                .iter()
                .any(|d| d.message().contains("is not a regular file")),
            "{err:#}"
        );
    }
}

/// Hardening: a policy and its includes are at most 64 files and 4 MiB together (150
/// includes of 0.95 MB each used to pass `check`).
#[test]
fn an_include_tree_is_bounded() {
    let dir = TempDir::new("includes");
    let header = "[policy]\nid = \"p\"\nversion = \"1\"\ntimezone = \"UTC\"\n";
    // a top file including 70 others
    let names: Vec<String> = (0..70).map(|i| format!("\"f{i}.toml\"")).collect();
    std::fs::write(
        dir.0.join("many.toml"),
        format!("{header}include = [{}]\n", names.join(", ")),
    )
    .unwrap();
    for i in 0..70 {
        std::fs::write(
            dir.0.join(format!("f{i}.toml")),
            format!("[benefits.b{i}]\n"),
        )
        .unwrap();
    }
    let err = Policy::from_path(dir.0.join("many.toml")).unwrap_err();
    assert!(
        err.diagnostics()
            .iter()
            .any(|d| d.message() == "a policy may be made of at most 64 files, with its includes"),
        "{err:#}"
    );

    // five files of 0.95 MB side by side: more than 4 MiB together
    let filler = format!("# {}\n", "x".repeat(950_000));
    let names: Vec<String> = (0..5).map(|i| format!("\"big{i}.toml\"")).collect();
    std::fs::write(
        dir.0.join("top.toml"),
        format!("{header}include = [{}]\n", names.join(", ")),
    )
    .unwrap();
    for i in 0..5 {
        std::fs::write(dir.0.join(format!("big{i}.toml")), &filler).unwrap();
    }
    let err = Policy::from_path(dir.0.join("top.toml")).unwrap_err();
    assert!(
        err.diagnostics()
            .iter()
            .any(|d| d.message().contains("more than 4 MiB together")),
        "{err:#}"
    );
}
