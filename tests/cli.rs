//! Tests of the `tierwise` command line: the built binary run on the policies of
//! `policies/` and `tests/inputs/`, and on the customer files of `tests/inputs/customers/`.
//!
//! Human outputs (tables, traces, diagnostics) are insta snapshots; JSON fields and exit
//! statuses are asserted exactly.
#![expect(
    clippy::unwrap_used,
    reason = "the helpers below panic on a binary that cannot run or prints no UTF-8, which fails the test"
)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

const SPEC: &str = "tests/inputs/spec-example.toml";
const FOUR_TIERS: &str = "tests/inputs/cli/four-tiers.toml";
const SAMPLE: &str = "policies/ocean-shipping.toml";
const AS_OF: &str = "2026-06-30";

/// The outcome of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `tierwise` from the crate's directory, so paths in messages are relative and stable.
pub fn tierwise(args: &[&str]) -> Run {
    tierwise_with_stdin(args, None)
}

fn tierwise_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tierwise"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn customers(name: &str) -> String {
    format!("tests/inputs/customers/{name}")
}

/// `tierwise tier` with the spec example policy on 2026-06-30, JSON lines parsed.
fn tier_json(file: &str) -> (Run, Vec<Value>) {
    let run = tierwise(&["tier", "--policy", SPEC, "--as-of", AS_OF, &customers(file)]);
    let lines = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (run, lines)
}

fn by_id<'a>(lines: &'a [Value], id: &str) -> &'a Value {
    lines.iter().find(|l| l["id"] == id).unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

// ---------------------------------------------------------------------------------------
// check

#[test]
fn check_valid_files_print_ok() {
    let run = tierwise(&["check", SAMPLE, SPEC, FOUR_TIERS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "ok: policies/ocean-shipping.toml (policy ocean-shipping version 2026.2)\n\
         ok: tests/inputs/spec-example.toml (policy ocean-shipping version 2026.2)\n\
         ok: tests/inputs/cli/four-tiers.toml (policy ocean-shipping version 2027.1)\n"
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn check_directory_skips_scenario_files_and_reports_broken_ones() {
    let run = tierwise(&["check", "tests/inputs/cli/check-dir"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "ok: tests/inputs/cli/check-dir/a-valid.toml (policy ocean-shipping version 2026.2)\n"
    );
    insta::assert_snapshot!("check_directory_stderr", run.stderr);
}

#[test]
fn check_reports_every_diagnostic_with_its_location_and_a_count() {
    let run = tierwise(&["check", "tests/inputs/err_typos.toml"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    let errors: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("error: "))
        .collect();
    assert!(errors.len() > 5, "{}", run.stderr);
    for &i in &errors {
        assert!(
            lines[i + 1].starts_with("  --> tests/inputs/err_typos.toml:"),
            "{}",
            lines[i + 1]
        );
    }
    assert_eq!(
        *lines.last().unwrap(),
        format!("tests/inputs/err_typos.toml: {} errors", errors.len())
    );
}

#[test]
fn check_missing_file_and_empty_directory_are_errors() {
    let run = tierwise(&["check", "tests/inputs/cli/no-such-policy.toml"]);
    assert_eq!(run.code, 1);
    assert!(run
        .stderr
        .contains("  --> tests/inputs/cli/no-such-policy.toml:1:1\n"));
    assert!(run
        .stderr
        .ends_with("tests/inputs/cli/no-such-policy.toml: 1 error\n"));

    let empty = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-empty-dir");
    std::fs::create_dir_all(&empty).unwrap();
    let run = tierwise(&["check", empty.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run
        .stderr
        .starts_with("error: no policy files (`*.toml`) in directory"));
}

#[test]
fn check_a_valid_and_an_invalid_file_exits_1() {
    let run = tierwise(&["check", SPEC, "tests/inputs/cli/check-dir/b-broken.toml"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "ok: tests/inputs/spec-example.toml (policy ocean-shipping version 2026.2)\n"
    );
    assert!(run
        .stderr
        .ends_with("\ntests/inputs/cli/check-dir/b-broken.toml: 1 error\n"));
}

// ---------------------------------------------------------------------------------------
// tier: JSON

#[test]
fn tier_json_has_every_field_in_order() {
    let (run, lines) = tier_json("good.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "summary: 12 rows, 12 tiered, 0 with errors\n");
    assert_eq!(lines.len(), 12);
    let a01 = by_id(&lines, "A01");
    assert_eq!(
        keys(a01),
        [
            "id",
            "tier",
            "score",
            "qualified_tier",
            "dimensions",
            "state",
            "decided_by",
            "notes",
            "policy",
            "as_of"
        ]
    );
    assert_eq!(
        keys(&a01["dimensions"]),
        ["volume", "tenure", "profitability", "influence"]
    );
    assert_eq!(
        keys(&a01["state"]),
        ["tier", "tier_since", "last_qualified"]
    );
    assert_eq!(
        *a01,
        serde_json::json!({
            "id": "A01",
            "tier": "vip",
            "score": "100.00",
            "qualified_tier": "vip",
            "dimensions": {"volume": "100.00", "tenure": "100.00", "profitability": "100.00", "influence": "100.00"},
            "state": {"tier": "vip", "tier_since": "2026-06-30", "last_qualified": "2026-06-30"},
            "decided_by": "qualified",
            "notes": [],
            "policy": {"id": "ocean-shipping", "version": "2026.2"},
            "as_of": "2026-06-30"
        })
    );
}

#[test]
fn tier_json_reports_what_decided_each_tier() {
    let (run, lines) = tier_json("good.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let decided: Vec<(&str, &str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap(),
                l["tier"].as_str().unwrap(),
                l["qualified_tier"].as_str().unwrap(),
                l["decided_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        decided,
        [
            ("A01", "vip", "vip", "qualified"),
            ("A02", "key", "key", "qualified"),
            ("A03", "standard", "standard", "qualified"),
            ("A04", "key", "standard", "floor"),
            ("A05", "vip", "key", "grace"),
            ("A06", "vip", "key", "buffer"),
            ("A07", "key", "standard", "step_limit"),
            ("A08", "standard", "vip", "cap"),
            ("A09", "vip", "standard", "pin"),
            ("A10", "standard", "standard", "qualified"),
            ("A11", "key", "key", "qualified"),
            ("A12", "key", "key", "qualified"),
        ]
    );
    // kept tiers keep their `tier_since`; the buffer does not count as qualifying
    let a06 = by_id(&lines, "A06");
    assert_eq!(a06["score"], "75.00");
    assert_eq!(
        a06["state"],
        serde_json::json!({"tier": "vip", "tier_since": "2024-06-01", "last_qualified": "2025-12-31"})
    );
    assert_eq!(
        by_id(&lines, "A10")["notes"],
        serde_json::json!(["the pin to `key` expired on 2026-01-31 and was ignored"])
    );
    assert_eq!(
        by_id(&lines, "A11")["notes"],
        serde_json::json!(["previous tier `gold` is not a tier of this policy and was ignored"])
    );
    // absent credit_rating, overdue_days and strategic take their defaults
    assert_eq!(by_id(&lines, "A12")["score"], "63.00");
}

#[test]
fn tier_json_lines_read_numbers_exactly() {
    let (run, lines) = tier_json("good.jsonl");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "summary: 3 rows, 3 tiered, 0 with errors\n");
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["J01", "J02", "1003"]);
    // 1.0005 % of margin scores 10.005, rounded half away from zero to 10.01; through an
    // f64 (1.000499999...) it would be 10.00
    let j01 = by_id(&lines, "J01");
    assert_eq!(j01["dimensions"]["profitability"], "10.01");
    assert_eq!(j01["dimensions"]["volume"], "55.00");
    // the same values as JSON strings give the same result
    let j02 = by_id(&lines, "J02");
    assert_eq!(j01["dimensions"], j02["dimensions"]);
    assert_eq!(j01["score"], j02["score"]);
    assert_eq!(j01["score"], "44.25");
    assert_eq!(by_id(&lines, "1003")["tier"], "vip");

    // the value of `1250.10` is kept as written in the trace
    let run = tierwise(&[
        "explain",
        "--policy",
        SPEC,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        &customers("good.jsonl"),
        "--id",
        "J01",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let trace: Value = serde_json::from_str(&run.stdout).unwrap();
    let value = trace["dimensions"][0]["value"].as_str().unwrap();
    assert!(value.starts_with("1250.1"), "{value}");
    assert_eq!(trace["dimensions"][2]["value"], "1.0005");
}

#[test]
fn tier_reads_standard_input_in_both_formats() {
    for file in ["good.csv", "good.jsonl"] {
        let bytes = std::fs::read(format!(
            "{}/{}",
            env!("CARGO_MANIFEST_DIR"),
            customers(file)
        ))
        .unwrap();
        let piped = tierwise_with_stdin(
            &["tier", "--policy", SPEC, "--as-of", AS_OF, "-"],
            Some(&bytes),
        );
        let (direct, _) = tier_json(file);
        assert_eq!(piped.code, 0, "{}", piped.stderr);
        assert_eq!(piped.stdout, direct.stdout, "{file}");
    }
}

#[test]
fn tier_accepts_a_byte_order_mark_and_crlf_lines() {
    let (run, lines) = tier_json("bom_crlf.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], "W01");
    assert_eq!(lines[0]["score"], "63.00");
}

// ---------------------------------------------------------------------------------------
// tier: CSV and table

#[test]
fn tier_csv_has_one_column_per_dimension() {
    let run = tierwise(&[
        "tier",
        "--policy",
        SPEC,
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        &customers("good.csv"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(
        lines[0],
        "id,tier,score,qualified_tier,dimension.volume,dimension.tenure,\
         dimension.profitability,dimension.influence,tier_since,last_qualified,decided_by"
    );
    assert_eq!(
        lines[1],
        "A01,vip,100.00,vip,100.00,100.00,100.00,100.00,2026-06-30,2026-06-30,qualified"
    );
    assert_eq!(
        lines[6],
        "A06,vip,75.00,key,70.00,80.00,75.00,80.00,2024-06-01,2025-12-31,buffer"
    );
}

#[test]
fn tier_table_for_people() {
    let run = tierwise(&[
        "tier",
        "--policy",
        SPEC,
        "--as-of",
        AS_OF,
        "--format",
        "table",
        &customers("good.csv"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("tier_table", run.stdout);
}

// ---------------------------------------------------------------------------------------
// tier: errors

#[test]
fn tier_bad_rows_are_reported_and_the_others_written() {
    let (run, lines) = tier_json("bad_rows.csv");
    assert_eq!(run.code, 1);
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["B01", "B14"]);
    assert_eq!(by_id(&lines, "B01")["score"], "63.00");
    insta::assert_snapshot!("tier_bad_rows_stderr", run.stderr);
}

#[test]
fn tier_bad_rows_in_table_format_are_counted() {
    let run = tierwise(&[
        "tier",
        "--policy",
        SPEC,
        "--as-of",
        AS_OF,
        "--format",
        "table",
        &customers("bad_rows.csv"),
    ]);
    assert_eq!(run.code, 1);
    assert!(run
        .stdout
        .ends_with("\nnot tiered: 12 rows with errors (see the errors above)\n"));
}

#[test]
fn tier_unknown_column_is_reported_once_unless_ignored() {
    let (run, lines) = tier_json("unknown_column.csv");
    assert_eq!(run.code, 1);
    assert_eq!(lines.len(), 2);
    // the spec's "did you mean" where one fits, and none where none does
    assert!(run.stderr.contains("`stratgic` is neither a metric"));
    assert!(run.stderr.contains("help: did you mean `strategic`?"));
    assert_eq!(run.stderr.matches("help:").count(), 1, "{}", run.stderr);
    // the exit status is 1 because of the file's own problems: the summary counts them
    assert!(run
        .stderr
        .ends_with("summary: 2 rows, 2 tiered, 0 with errors, 2 problems with the file\n"));
    insta::assert_snapshot!("tier_unknown_column_stderr", run.stderr);

    let run = tierwise(&[
        "tier",
        "--policy",
        SPEC,
        "--as-of",
        AS_OF,
        "--ignore-extra-columns",
        &customers("unknown_column.csv"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "summary: 2 rows, 2 tiered, 0 with errors\n");
    assert_eq!(run.stdout.lines().count(), 2);
}

#[test]
fn tier_bad_json_lines() {
    let (run, lines) = tier_json("bad.jsonl");
    assert_eq!(run.code, 1);
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["K01", "K11"]);
    insta::assert_snapshot!("tier_bad_jsonl_stderr", run.stderr);
}

#[test]
fn tier_malformed_customer_files() {
    let mut report = String::new();
    for file in [
        "duplicate_header.csv",
        "no_id_column.csv",
        "empty.csv",
        "bad_utf8.csv",
        "no-such-file.csv",
    ] {
        let (run, lines) = tier_json(file);
        let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
        report.push_str(&format!(
            "== {file}: exit {}, tiered {ids:?}\n{}\n",
            run.code, run.stderr
        ));
        assert_eq!(run.code, 1, "{file}");
    }
    insta::assert_snapshot!("tier_malformed_files", report);
}

#[test]
fn tier_with_an_invalid_policy_prints_its_diagnostics() {
    let run = tierwise(&[
        "tier",
        "--policy",
        "tests/inputs/cli/check-dir/b-broken.toml",
        &customers("good.csv"),
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(run
        .stderr
        .contains("  --> tests/inputs/cli/check-dir/b-broken.toml:10:10\n"));
    assert!(run
        .stderr
        .ends_with("tests/inputs/cli/check-dir/b-broken.toml: 1 error\n"));
}

#[test]
fn tier_warns_when_the_policy_is_not_in_force() {
    let run = tierwise(&[
        "tier",
        "--policy",
        SPEC,
        "--as-of",
        "2027-02-01",
        &customers("good.jsonl"),
    ]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stderr,
        "warning: policy ocean-shipping 2026.2 is in force from 2026-01-01 to 2026-12-31, not on 2027-02-01\n\
         summary: 3 rows, 3 tiered, 0 with errors\n"
    );
    assert_eq!(run.stdout.lines().count(), 3);
}

#[test]
fn tier_as_of_defaults_to_today_in_the_policy_time_zone() {
    let today = || {
        chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive()
            .to_string()
    };
    let before = today();
    let run = tierwise(&["tier", "--policy", SPEC, &customers("good.jsonl")]);
    let after = today();
    let first: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    let as_of = first["as_of"].as_str().unwrap();
    assert!(as_of == before || as_of == after, "{as_of}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["tier", "--policy", SPEC, "--as-of", "2026-13-01", "x.csv"][..],
        &["tier", "--policy", SPEC, "--format", "yaml", "x.csv"],
        &["tier", "x.csv"],
        &["explain", "--policy", SPEC, "x.csv"],
        &["check"],
        &["frobnicate"],
    ] {
        let run = tierwise(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
    let run = tierwise(&["tier", "--policy", SPEC, "--as-of", "30/06/2026", "x.csv"]);
    assert!(run
        .stderr
        .contains("`30/06/2026` is not a date: expected YYYY-MM-DD, like 2026-06-30"));
}

#[test]
fn help_and_version() {
    let run = tierwise(&["--version"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        format!("tierwise {}\n", env!("CARGO_PKG_VERSION"))
    );
    let run = tierwise(&["--help"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("help", run.stdout);
    for command in ["check", "tier", "explain", "simulate"] {
        let run = tierwise(&[command, "--help"]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Example: tierwise "), "{command}");
    }
}

// ---------------------------------------------------------------------------------------
// explain

fn explain(id: &str, file: &str) -> Run {
    tierwise(&[
        "explain",
        "--policy",
        SPEC,
        "--as-of",
        AS_OF,
        &customers(file),
        "--id",
        id,
    ])
}

#[test]
fn explain_buffer() {
    let run = explain("A06", "good.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!("explain_buffer", run.stdout);
}

#[test]
fn explain_expired_pin_and_cap() {
    let run = explain("A10", "good.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("explain_expired_pin", run.stdout);
    let run = explain("A08", "good.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("explain_cap", run.stdout);
}

#[test]
fn explain_json() {
    let run = tierwise(&[
        "explain",
        "--policy",
        SPEC,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        &customers("good.csv"),
        "--id",
        "A09",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let trace: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(trace["customer"], "A09");
    assert_eq!(trace["tier"], "vip");
    assert_eq!(trace["qualified_tier"], "standard");
    assert_eq!(trace["decided_by"], "pin");
    assert_eq!(trace["score"], "9.80");
    assert_eq!(trace["policy"]["version"], "2026.2");
    assert_eq!(trace["pin"]["status"], "applied");
    assert_eq!(trace["pin"]["reason"], "signed framework contract");
}

#[test]
fn explain_unknown_id_suggests_one_of_the_file() {
    let run = explain("A1O", "good.csv");
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: no customer `A1O` in `tests/inputs/customers/good.csv`\n  help: did you mean `A10`?\n"
    );
}

#[test]
fn explain_a_bad_row_prints_its_errors() {
    let run = explain("B09", "bad_rows.csv");
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "tests/inputs/customers/bad_rows.csv:10: error: customer `B09`: field `overdue_days`: -5 is below the minimum 0 of `overdue_days`\n\
         tests/inputs/customers/bad_rows.csv:10: error: customer `B09`: field `strategic`: `yes` is not a boolean (expected true or false)\n"
    );
    let run = explain("B05", "bad_rows.csv");
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "tests/inputs/customers/bad_rows.csv:6: error: customer `B05`: field `customer_since`: date 2027-03-01 is after the as-of date 2026-06-30\n"
    );
}

// ---------------------------------------------------------------------------------------
// simulate

#[test]
fn simulate_sample_distribution() {
    let args = [
        "simulate",
        "--policy",
        SAMPLE,
        "--as-of",
        AS_OF,
        "data/customers.csv",
    ];
    let run = tierwise(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sim: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        sim,
        serde_json::json!({
            "policy": {"id": "ocean-shipping", "version": "2026.2"},
            "as_of": "2026-06-30",
            "total": 1200,
            "errors": 0,
            "distribution": [
                {"tier": "vip", "count": 79, "share": "6.6"},
                {"tier": "key", "count": 292, "share": "24.3"},
                {"tier": "standard", "count": 829, "share": "69.1"}
            ]
        })
    );
    let run = tierwise(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("simulate_sample", run.stdout);

    // the JSON Lines copy of the sample gives the same distribution
    let run = tierwise(&[
        "simulate",
        "--policy",
        SAMPLE,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "data/customers.jsonl",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap(), sim);
}

#[test]
fn simulate_against_a_policy_with_other_tiers() {
    let args = [
        "simulate",
        "--policy",
        SPEC,
        "--against",
        FOUR_TIERS,
        "--as-of",
        AS_OF,
        "tests/inputs/customers/good.csv",
    ];
    let run = tierwise(&args);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("simulate_against_table", run.stdout);
    insta::assert_snapshot!("simulate_against_stderr", run.stderr);

    let run = tierwise(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(run.code, 1);
    let sim: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        keys(&sim),
        [
            "policy",
            "as_of",
            "total",
            "errors",
            "distribution",
            "against",
            "transitions",
            "moved",
            "causes",
            "movers"
        ]
    );
    assert_eq!(sim["total"], 10);
    // A09 and A10 are pinned to tiers the four-tier policy does not have
    assert_eq!(sim["errors"], 2);
    assert_eq!(sim["against"]["policy"]["version"], "2027.1");
    assert_eq!(
        sim["against"]["distribution"],
        serde_json::json!([
            {"tier": "platinum", "count": 1, "share": "10.0"},
            {"tier": "gold", "count": 5, "share": "50.0"},
            {"tier": "silver", "count": 1, "share": "10.0"},
            {"tier": "bronze", "count": 3, "share": "30.0"}
        ])
    );
    assert_eq!(
        sim["transitions"],
        serde_json::json!([
            {"from": "vip", "to": "platinum", "count": 1},
            {"from": "vip", "to": "gold", "count": 2},
            {"from": "key", "to": "gold", "count": 3},
            {"from": "key", "to": "silver", "count": 1},
            {"from": "key", "to": "bronze", "count": 1},
            {"from": "standard", "to": "bronze", "count": 2}
        ])
    );
    assert_eq!(sim["moved"], 10);
}

#[test]
fn simulate_against_itself_moves_nobody() {
    let run = tierwise(&[
        "simulate",
        "--policy",
        SPEC,
        "--against",
        SPEC,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "tests/inputs/customers/good.csv",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sim: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sim["moved"], 0);
    assert_eq!(sim["total"], 12);
    assert_eq!(sim["distribution"], sim["against"]["distribution"]);
}

#[test]
fn simulate_counts_rows_with_errors() {
    let run = tierwise(&[
        "simulate",
        "--policy",
        SPEC,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "tests/inputs/customers/bad_rows.csv",
    ]);
    assert_eq!(run.code, 1);
    let sim: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sim["total"], 2);
    assert_eq!(sim["errors"], 12);
    // `tier` ends with its summary line; `simulate` counts in its output
    let tier_stderr = tier_json("bad_rows.csv").0.stderr;
    assert_eq!(
        run.stderr,
        tier_stderr
            .strip_suffix("summary: 14 rows, 2 tiered, 12 with errors\n")
            .unwrap(),
        "simulate reports rows like tier"
    );
}

#[test]
fn sla_prints_every_milestone_with_the_clock_offset() {
    let run = tierwise(&[
        "sla",
        "--policy",
        SAMPLE,
        "--tier",
        "key",
        "--case",
        "complaint",
        "--severity",
        "major",
        "--opened",
        "2026-09-30T17:00:00+08:00",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(keys(&v), ["tier", "case", "severity", "milestones"]);
    assert_eq!(v["tier"], "key");
    assert_eq!(v["severity"], "major");
    let m = &v["milestones"];
    assert_eq!(
        keys(m),
        ["acknowledge", "investigate", "resolve", "follow_up"]
    );
    // 30 open minutes on the business calendar, from 17:00 on the eve of National Day
    assert_eq!(
        m["acknowledge"],
        serde_json::json!({"due": "2026-09-30T17:30:00+08:00", "clock": "cn_business", "target": "30m"})
    );
    // 4h: 1h on 09-30, the National Day week is closed, 3h on Thursday 10-08
    assert_eq!(m["investigate"]["due"], "2026-10-08T12:00:00+08:00");
}

#[test]
fn sla_default_severity_pauses_and_the_24x7_clock() {
    let run = tierwise(&[
        "sla",
        "--policy",
        "policies/express-parcel.toml",
        "--tier",
        "standard",
        "--case",
        "exception",
        "--opened",
        "2026-02-16T15:50:00Z",
        "--paused",
        "2026-02-16T16:00:00Z/2026-02-16T16:10:00Z",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(v["severity"], "level1");
    // 15 minutes on 24x7: 10 before the pause, 5 after it; written in the policy's offset
    assert_eq!(
        v["milestones"]["pre_compensation"]["due"],
        "2026-02-17T00:15:00+08:00"
    );
    assert_eq!(v["milestones"]["pre_compensation"]["clock"], "24x7");
}

#[test]
fn sla_errors() {
    let run = tierwise(&[
        "sla",
        "--policy",
        SAMPLE,
        "--tier",
        "vpi",
        "--case",
        "complaint",
        "--opened",
        "2026-09-30T17:00:00+08:00",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: unknown tier `vpi` in policy `ocean-shipping`\n  help: did you mean `vip`?\n"
    );
    let run = tierwise(&[
        "sla",
        "--policy",
        SAMPLE,
        "--tier",
        "vip",
        "--case",
        "complaint",
        "--severity",
        "majr",
        "--opened",
        "2026-09-30T17:00:00+08:00",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: unknown severity `majr`\n  help: did you mean `major`?\n"
    );
    let run = tierwise(&[
        "sla",
        "--policy",
        SAMPLE,
        "--tier",
        "vip",
        "--case",
        "complaint",
        "--opened",
        "yesterday",
    ]);
    assert_eq!(run.code, 2);
    let run = tierwise(&[
        "sla",
        "--policy",
        SAMPLE,
        "--tier",
        "vip",
        "--case",
        "complaint",
        "--opened",
        "2026-09-30T17:00:00Z",
        "--paused",
        "2026-09-30T18:00:00Z",
    ]);
    assert_eq!(run.code, 2);
}

#[test]
fn route_shows_how_a_customer_case_is_handled() {
    let run = tierwise(&[
        "route",
        "--policy",
        SAMPLE,
        "--as-of",
        AS_OF,
        "data/customers.csv",
        "--id",
        "C00003",
        "--case",
        "exception",
        "--severity",
        "level1",
        "--opened",
        "2026-06-30T22:10:00+08:00",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    let run = tierwise(&[
        "route",
        "--policy",
        SAMPLE,
        "--as-of",
        AS_OF,
        "data/customers.csv",
        "--id",
        "C00003",
        "--case",
        "complaint",
        "--opened",
        "2026-06-30T22:10:00+08:00",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(v["tier"], "key");
    assert_eq!(v["service"]["account_manager"], "designated");
    assert!(v["handling"]["deadlines"].as_array().unwrap().len() == 4);
}

// ---------------------------------------------------------------------------------------
// simulate: movers

#[test]
fn simulate_lists_the_customers_that_move_and_the_dimension_that_moved_them() {
    let args = [
        "simulate",
        "--policy",
        SPEC,
        "--against",
        "tests/inputs/cli/generous-volume.toml",
        "--as-of",
        AS_OF,
        "tests/inputs/customers/good.csv",
    ];
    let run = tierwise(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.ends_with(
            "\nmoved: 2 of 12 customers\n\
             moved by: score 2\n\
             \n\
             customers that move: 2 of 2 listed, largest score change first\n\
             id   from  to   score  against  moved most by  cause\n\
             A02  key   vip  75.00    82.00  volume         score: 75.00 -> 82.00; moved most by `volume`\n\
             A11  key   vip  75.00    82.00  volume         score: 75.00 -> 82.00; moved most by `volume`\n\
             \n\
             rows with errors: 0\n"
        ),
        "{}",
        run.stdout
    );
    // the bar chart of each distribution is still there
    assert!(run
        .stdout
        .contains("vip               4   33.3%  #############"));

    let run = tierwise(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sim: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sim["moved"], 2);
    assert_eq!(
        sim["movers"],
        serde_json::json!([
            {"id": "A02", "from": "key", "to": "vip", "score": "75.00", "against_score": "82.00", "dimension": "volume",
             "cause": {"kind": "score", "detail": "75.00 -> 82.00; moved most by `volume`"}},
            {"id": "A11", "from": "key", "to": "vip", "score": "75.00", "against_score": "82.00", "dimension": "volume",
             "cause": {"kind": "score", "detail": "75.00 -> 82.00; moved most by `volume`"}}
        ])
    );
}

#[test]
fn simulate_movers_are_limited_by_the_movers_option() {
    let args = [
        "simulate",
        "--policy",
        SPEC,
        "--against",
        FOUR_TIERS,
        "--as-of",
        AS_OF,
        "tests/inputs/customers/good.csv",
    ];
    let run = tierwise(&[&args[..], &["--movers", "3"]].concat());
    assert_eq!(run.code, 1);
    let table: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("customers that move:"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        table,
        [
            "customers that move: 3 of 10 listed (--movers N lists more), largest score change first",
            "id   from      to         score  against  moved most by  cause",
            // the two policies score alike: their tier ids, not a dimension, differ
            "A01  vip       platinum  100.00   100.00  -              score: 100.00 -> 100.00; the policies name their tiers differently (no `vip` in the one, no `platinum` in the other)",
            "A02  key       gold       75.00    75.00  -              score: 75.00 -> 75.00; the policies name their tiers differently (no `key` in the one, no `gold` in the other)",
            "A03  standard  bronze      9.80     9.80  -              score: 9.80 -> 9.80; the policies name their tiers differently (no `standard` in the one, no `bronze` in the other)",
        ]
    );

    let run = tierwise(&[&args[..], &["--movers", "0", "--format", "json"]].concat());
    let sim: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sim["moved"], 10);
    assert_eq!(sim["movers"], serde_json::json!([]));
    let run = tierwise(&[&args[..], &["--movers", "0"]].concat());
    assert!(
        !run.stdout.contains("customers that move"),
        "{}",
        run.stdout
    );

    // by default up to 20 are listed, in file order
    let run = tierwise(&[&args[..], &["--format", "json"]].concat());
    let sim: Value = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = sim["movers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A11", "A12"]
    );
    assert!(sim["movers"][0]["dimension"].is_null());

    // without --against there is nothing to move
    let run = tierwise(&[
        "simulate",
        "--policy",
        SPEC,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "tests/inputs/customers/good.csv",
    ]);
    let sim: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(sim.get("movers").is_none());
}

// ---------------------------------------------------------------------------------------
// tier: nothing lost in a large file

/// A tiny seeded PRNG (splitmix64), so that the broken rows are the same on every run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

#[test]
fn tier_accounts_for_every_row_of_a_large_file_with_broken_rows() {
    use std::collections::{BTreeMap, BTreeSet, HashMap};

    const ROWS: usize = 10_000;
    const BROKEN: usize = ROWS / 100;
    // the sample rows, over and over, with new ids
    let mut reader =
        csv::Reader::from_path(format!("{}/data/customers.csv", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (teu, since, influence) = (
        column("annual_teu"),
        column("customer_since"),
        column("influence"),
    );
    let sample: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();

    // 1% of the rows, at random places, broken in seven ways
    let mut rng = SplitMix(0x7132_2026_0630);
    let mut broken = BTreeSet::new();
    while broken.len() < BROKEN {
        broken.insert(rng.below(ROWS));
    }
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(ROWS);
    // per row: the id results may show it under, or `None` when the row must be an error
    let mut expect_result: Vec<Option<String>> = Vec::with_capacity(ROWS);
    let mut kinds = BTreeMap::<&str, usize>::new();
    let mut last_good_id: Option<String> = None;
    for i in 0..ROWS {
        let mut row = sample[i % sample.len()].clone();
        row[0] = format!("R{i:05}");
        if !broken.contains(&i) {
            last_good_id = Some(row[0].clone());
            expect_result.push(Some(row[0].clone()));
            rows.push(row);
            continue;
        }
        let mut kind = rng.below(7);
        if kind == 6 && last_good_id.is_none() {
            kind = 0;
        }
        let name = match kind {
            0 => {
                row[teu] = "12x5".to_owned();
                "bad number"
            }
            1 => {
                row[influence] = "worldwide".to_owned();
                "unknown enum value"
            }
            2 => {
                row[teu] = String::new();
                "missing required metric"
            }
            3 => {
                row[since] = "2027-03-01".to_owned();
                "date after the as-of date"
            }
            4 => {
                row.truncate(row.len() - 2);
                "wrong cell count"
            }
            5 => {
                row[0] = String::new();
                "empty id"
            }
            _ => {
                row[0] = last_good_id.clone().unwrap();
                "duplicate id"
            }
        };
        *kinds.entry(name).or_default() += 1;
        expect_result.push(None);
        rows.push(row);
    }
    assert_eq!(
        kinds.len(),
        7,
        "every way of breaking a row is used: {kinds:?}"
    );

    let path = std::env::temp_dir().join(format!(
        "tierwise-cli-10000-rows-{}-{}.csv",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_path(&path)
            .unwrap();
        w.write_record(&header).unwrap();
        for row in &rows {
            w.write_record(row).unwrap();
        }
        w.flush().unwrap();
    }
    let label = path.to_str().unwrap().to_owned();
    let run = tierwise(&[
        "tier", "--policy", SAMPLE, "--as-of", AS_OF, "--format", "json", &label,
    ]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(run.code, 1);

    // results: every good row's id exactly once, and no other
    let mut results: HashMap<String, usize> = HashMap::new();
    for line in run.stdout.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        *results
            .entry(v["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let good: Vec<&String> = expect_result.iter().flatten().collect();
    assert_eq!(results.len(), good.len());
    for id in &good {
        assert_eq!(results.get(*id), Some(&1), "{id}");
    }

    // errors: every broken row exactly once by its line (header = line 1), naming its id
    let prefix = format!("{label}:");
    let mut errors: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    let mut stderr = run.stderr.lines().peekable();
    let mut summary = None;
    while let Some(l) = stderr.next() {
        if let Some(rest) = l.strip_prefix(&prefix) {
            let (at, message) = rest.split_once(": error: ").unwrap();
            errors.entry(at.parse().unwrap()).or_default().push(message);
        } else if l.starts_with("summary: ") {
            assert!(stderr.peek().is_none(), "the summary is the last line");
            summary = Some(l);
        } else {
            assert!(l.starts_with("  help: "), "{l}");
        }
    }
    let error_lines: BTreeSet<usize> = errors.keys().copied().collect();
    let expected_lines: BTreeSet<usize> = broken.iter().map(|i| i + 2).collect();
    assert_eq!(error_lines, expected_lines);
    for (&at, messages) in &errors {
        let id = &rows[at - 2][0];
        for m in messages {
            if id.is_empty() {
                assert!(m.contains("the customer id is missing"), "{at}: {m}");
            } else {
                assert!(m.contains(&format!("customer `{id}`")), "{at}: {m}");
            }
        }
    }

    // each row is accounted for exactly once: a result or a row with errors
    assert_eq!(good.len() + errors.len(), ROWS);
    assert_eq!(
        summary,
        Some(
            format!(
                "summary: {ROWS} rows, {} tiered, {BROKEN} with errors",
                ROWS - BROKEN
            )
            .as_str()
        )
    );
}

// ---------------------------------------------------------------------------------------
// reading row by row

/// The header and rows of `data/customers.csv`, ids as they are.
fn sample_rows() -> (csv::StringRecord, Vec<Vec<String>>) {
    let mut reader =
        csv::Reader::from_path(format!("{}/data/customers.csv", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let header = reader.headers().unwrap().clone();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn csv_text(header: &csv::StringRecord, rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.into_inner().unwrap()
}

#[test]
fn tier_and_simulate_read_a_large_file_row_by_row() {
    use std::collections::BTreeMap;

    const ROWS: usize = 50_000;
    let (header, sample) = sample_rows();
    // new ids; a few rows repeat an id, one of them the very first
    let repeats: BTreeMap<usize, usize> = [
        (10_000, 9_999),
        (20_000, 123),
        (30_000, 29_999),
        (40_000, 39_000),
        (ROWS - 1, 0),
    ]
    .into_iter()
    .collect();
    let id = |i: usize| format!("S{i:05}");
    let rows: Vec<Vec<String>> = (0..ROWS)
        .map(|i| {
            let mut row = sample[i % sample.len()].clone();
            row[0] = id(*repeats.get(&i).unwrap_or(&i));
            row
        })
        .collect();
    let path = std::env::temp_dir().join(format!(
        "tierwise-cli-50000-rows-{}-{}.csv",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::write(&path, csv_text(&header, &rows)).unwrap();
    let label = path.to_str().unwrap().to_owned();
    // both at once, to keep the test short
    let (tier, simulate) = std::thread::scope(|s| {
        let simulate = s.spawn(|| {
            tierwise(&[
                "simulate", "--policy", SAMPLE, "--as-of", AS_OF, "--format", "json", &label,
            ])
        });
        let tier = tierwise(&[
            "tier", "--policy", SAMPLE, "--as-of", AS_OF, "--format", "csv", &label,
        ]);
        (tier, simulate.join().unwrap())
    });
    std::fs::remove_file(&path).unwrap();

    // a result for every row but the repeats, in file order
    assert_eq!(tier.code, 1, "{}", tier.stderr);
    let mut results = csv::Reader::from_reader(tier.stdout.as_bytes());
    let mut ids = Vec::new();
    let mut tiers: BTreeMap<String, u64> = BTreeMap::new();
    for r in results.records() {
        let r = r.unwrap();
        ids.push(r[0].to_owned());
        *tiers.entry(r[1].to_owned()).or_default() += 1;
    }
    let expected: Vec<String> = (0..ROWS)
        .filter(|i| !repeats.contains_key(i))
        .map(id)
        .collect();
    assert_eq!(ids, expected);

    // each repeat names the line of the first row with its id (the header is line 1)
    let mut expected_stderr: Vec<String> = repeats
        .iter()
        .map(|(at, first)| {
            format!(
                "{label}:{}: error: customer `{}`: field `id`: the id appears again (first on line {}); this row is skipped",
                at + 2,
                id(*first),
                first + 2
            )
        })
        .collect();
    expected_stderr.push(format!(
        "summary: {ROWS} rows, {} tiered, {} with errors",
        ROWS - repeats.len(),
        repeats.len()
    ));
    assert_eq!(tier.stderr.lines().collect::<Vec<_>>(), expected_stderr);

    // the distribution counts the same rows as the results
    assert_eq!(simulate.code, 1, "{}", simulate.stderr);
    assert_eq!(
        simulate.stderr.lines().collect::<Vec<_>>(),
        expected_stderr[..repeats.len()]
    );
    let sim: Value = serde_json::from_str(&simulate.stdout).unwrap();
    assert_eq!(sim["total"], (ROWS - repeats.len()) as u64);
    assert_eq!(sim["errors"], repeats.len() as u64);
    for t in sim["distribution"].as_array().unwrap() {
        let count = t["count"].as_u64().unwrap();
        assert_eq!(
            tiers.get(t["tier"].as_str().unwrap()).copied().unwrap_or(0),
            count,
            "{t}"
        );
    }
}

#[test]
fn tier_writes_results_while_standard_input_is_still_open() {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;
    use std::time::Duration;

    const ROWS: usize = 2_000;
    let (header, sample) = sample_rows();
    let rows: Vec<Vec<String>> = (0..ROWS)
        .map(|i| {
            let mut row = sample[i % sample.len()].clone();
            row[0] = format!("P{i:04}");
            row
        })
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tierwise"))
        .args(["tier", "--policy", SAMPLE, "--as-of", AS_OF, "-"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if send.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&csv_text(&header, &rows)).unwrap();
    stdin.flush().unwrap();

    // the first results come before the input ends
    let first = lines.recv_timeout(Duration::from_secs(60)).unwrap();
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["id"], "P0000");

    drop(stdin);
    let rest: Vec<String> = lines.iter().collect();
    reader.join().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(rest.len(), ROWS - 1);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("summary: {ROWS} rows, {ROWS} tiered, 0 with errors\n")
    );
}

#[test]
fn bad_rows_are_reported_at_their_line_whatever_the_line_ends() {
    // (cells of a row, blank lines before it); a row with `x` as its volume is bad, and
    // one cell of G03 is a quoted text over two lines
    let rows: [(&str, usize); 7] = [
        ("id,annual_teu,customer_since,gross_margin_pct,influence", 0),
        ("G01,1250,2019-04-01,9.5,regional", 0),
        ("B01,x,2019-04-01,9.5,regional", 0),
        ("G03,1250,2019-04-01,9.5,\"regional{END}\"", 2),
        ("B02,x,2019-04-01,9.5,regional", 1),
        ("G01,1250,2019-04-01,9.5,regional", 3),
        ("B03,x,2019-04-01,9.5,regional", 0),
    ];
    for end in ["\n", "\r\n", "\r"] {
        let mut text = String::new();
        let mut line = 1;
        let mut expected = Vec::new();
        let mut first_g01 = None;
        for (cells, blanks) in rows {
            for _ in 0..blanks {
                text.push_str(end);
                line += 1;
            }
            let cells = cells.replace("{END}", end);
            if cells.starts_with('B') {
                expected.push(format!("<stdin>:{line}: error: customer `{}`", &cells[..3]));
            }
            if cells.starts_with("G01") {
                match first_g01 {
                    None => first_g01 = Some(line),
                    Some(first) => expected.push(format!(
                        "<stdin>:{line}: error: customer `G01`: field `id`: the id appears \
                         again (first on line {first})"
                    )),
                }
            }
            line += 1 + cells.matches(end).count();
            text.push_str(&cells);
            text.push_str(end);
        }
        let run = tierwise_with_stdin(
            &["tier", "--policy", SPEC, "--as-of", AS_OF, "-"],
            Some(text.as_bytes()),
        );
        assert_eq!(run.code, 1, "{end:?}: {}", run.stderr);
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("<stdin>:"))
            .collect();
        assert_eq!(errors.len(), expected.len(), "{end:?}: {}", run.stderr);
        for (got, want) in errors.iter().zip(&expected) {
            assert!(
                got.starts_with(want.as_str()),
                "{end:?}: {got} is not {want}"
            );
        }
        assert_eq!(
            run.stdout.lines().count(),
            2,
            "{end:?}: G01 and G03 are written"
        );
    }
}

#[test]
fn sla_on_a_policy_without_cases_says_so() {
    let run = tierwise(&[
        "sla",
        "--policy",
        "tests/inputs/sets/ok/ocean-2026.toml",
        "--tier",
        "standard",
        "--case",
        "complaint",
        "--opened",
        "2026-06-30T09:00:00+08:00",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: unknown case kind `complaint`\n  help: there is no case kind to choose from\n"
    );
}

/// Hardening: a header of thousands of unknown columns prints at most 50 problems and one
/// line for the rest (a million columns printed a million lines), and an echoed value is
/// cut (a 100 MB cell was echoed whole).
#[test]
fn problems_of_a_customer_file_cannot_flood() {
    let dir = std::env::temp_dir().join(format!("tierwise-flood-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wide = dir.join("wide.csv");
    let junk: Vec<String> = (0..2000).map(|i| format!("junk{i}")).collect();
    let text = format!(
        "id,annual_teu,customer_since,gross_margin_pct,influence,{}\nC1,100,2019-04-01,9.5,regional{}\nC2,{},2019-04-01,9.5,regional{}\n",
        junk.join(","),
        ",".repeat(2000),
        "9".repeat(100_000),
        ",".repeat(2000)
    );
    std::fs::write(&wide, text).unwrap();
    let path = wide.to_string_lossy().into_owned();
    let run = tierwise(&["tier", "--policy", SAMPLE, "--as-of", AS_OF, &path]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines.len() < 120, "{} lines", lines.len());
    assert!(
        run.stderr.contains(&format!(
            "{path}: and 1950 more problems of the file, not shown"
        )),
        "{}",
        run.stderr
    );
    // the 100,000-digit value is cut in its message
    let long = lines.iter().find(|l| l.contains("C2")).unwrap();
    assert!(long.len() < 1000, "{}", long.len());
    assert!(long.contains("more characters)"), "{long}");
    // the good row is still written
    assert!(run.stdout.contains("\"id\":\"C1\""), "{}", run.stdout);
}

/// Hardening: a customer record (CSV or JSON line) is at most 1 MiB; a longer one is one
/// located error and the rows after it are still read; a device is refused (`/dev/zero`
/// grew without limit).
#[test]
fn a_customer_record_is_at_most_one_mebibyte() {
    let dir = std::env::temp_dir().join(format!("tierwise-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let row = |id: &str, teu: &str| format!("{id},{teu},2019-04-01,9.5,regional\n");
    let csv = dir.join("long.csv");
    std::fs::write(
        &csv,
        format!(
            "id,annual_teu,customer_since,gross_margin_pct,influence\n{}{}{}",
            row("C1", "100"),
            row("C2", &"9".repeat(2 * 1024 * 1024)),
            row("C3", "200")
        ),
    )
    .unwrap();
    let json = dir.join("long.jsonl");
    let obj = |id: &str, extra: &str| {
        format!(
            "{{\"id\":\"{id}\",\"annual_teu\":100,\"customer_since\":\"2019-04-01\",\"gross_margin_pct\":9.5,\"influence\":\"regional\"{extra}}}\n"
        )
    };
    let long = format!(",\"note\":\"{}\"", "a".repeat(2 * 1024 * 1024));
    std::fs::write(&json, obj("C1", "") + &obj("C2", &long) + &obj("C3", "")).unwrap();
    for (file, line) in [(&csv, 3), (&json, 2)] {
        let path = file.to_string_lossy().into_owned();
        let run = tierwise(&[
            "tier",
            "--policy",
            SAMPLE,
            "--as-of",
            AS_OF,
            "--ignore-extra-columns",
            &path,
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr.starts_with(&format!(
                "{path}:{line}: error: the line is longer than 1 MiB, the limit of one customer record; it is skipped\n"
            )),
            "{}",
            run.stderr
        );
        assert!(run.stdout.contains("\"id\":\"C1\""), "{path}");
        assert!(run.stdout.contains("\"id\":\"C3\""), "{path}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    if std::path::Path::new("/dev/zero").exists() {
        let run = tierwise(&["tier", "--policy", SAMPLE, "/dev/zero"]);
        assert_eq!(run.code, 1);
        assert!(
            run.stderr.contains("it is a device, not a file"),
            "{}",
            run.stderr
        );
    }
}

/// Hardening: a milestone whose deadline lies beyond the search horizon (9000 open hours on
/// a clock open one hour a week) is reported on its own; `sla` still prints the others.
#[test]
fn sla_prints_the_milestones_it_can_compute() {
    let run = tierwise(&[
        "sla",
        "--policy",
        "tests/inputs/cli/rare-clock.toml",
        "--tier",
        "standard",
        "--case",
        "exception",
        "--opened",
        "2026-07-01T09:00:00+08:00",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(
            "error: milestone `pre_compensation` on clock `rare`: no result within the horizon"
        ),
        "{}",
        run.stderr
    );
    let v: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(
        v["milestones"]["solution"]["due"],
        "2026-07-01T11:00:00+08:00"
    );
    assert!(v["milestones"]["pre_compensation"].is_null());
}

#[test]
fn check_prints_warnings_after_ok_and_exits_0_unless_denied() {
    let file = "tests/inputs/warnings/warn_unreachable_tier_requirements.toml";
    let run = tierwise(&["check", file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("ok: "), "{}", run.stdout);
    insta::assert_snapshot!("check_warnings_stderr", run.stderr);
    let denied = tierwise(&["check", "--deny-warnings", file]);
    assert_eq!(denied.code, 1);
    assert_eq!(denied.stderr, run.stderr);
    let clean = tierwise(&["check", "--deny-warnings", "policies/"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert_eq!(clean.stderr, "");
}

#[test]
fn check_witness_writes_one_customer_per_reachable_tier_that_tier_puts_there() {
    let dir = std::env::temp_dir().join(format!("tierwise-witness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (policy, tiers) in [
        (SAMPLE, vec!["vip", "key", "standard"]),
        (
            "tests/inputs/warnings/warn_unreachable_tier_score.toml",
            vec!["key", "standard"],
        ),
    ] {
        let out = dir.join("witness.csv");
        let out_s = out.to_string_lossy().into_owned();
        let run = tierwise(&["check", "--witness", &out_s, "--as-of", AS_OF, policy]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let written = std::fs::read_to_string(&out).unwrap();
        let ids: Vec<&str> = written
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(ids, tiers, "{written}");
        let tiered = tierwise(&[
            "tier", "--policy", policy, "--as-of", AS_OF, "--format", "json", &out_s,
        ]);
        assert_eq!(tiered.code, 0, "{}", tiered.stderr);
        for line in tiered.stdout.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["qualified_tier"], v["id"], "{line}");
        }
    }
    let two = tierwise(&["check", "--witness", "x.csv", SAMPLE, SAMPLE]);
    assert_eq!(two.code, 1);
    assert!(two
        .stderr
        .contains("`--witness` takes exactly one policy file"));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------
// next-tier guidance

#[test]
fn explain_says_what_it_takes_to_reach_the_next_tier() {
    let run = tierwise(&[
        "explain",
        "--policy",
        SAMPLE,
        "--as-of",
        AS_OF,
        "data/customers.csv",
        "--id",
        "C00003",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from = run.stdout.find("to reach").unwrap();
    insta::assert_snapshot!("explain_guidance", &run.stdout[from..]);
}

/// Every metric value `tier --guidance` gives, written into its customer's row with
/// nothing else changed, makes `tier` qualify the customer for the tier it names.
#[test]
fn tier_guidance_values_qualify_when_written_back() {
    let (run, lines) = tier_json_with(&["--guidance"], "data/customers.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let csv = std::fs::read_to_string("data/customers.csv").unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let mut rows: Vec<String> = vec![csv.lines().next().unwrap().to_owned()];
    let mut expected = Vec::new();
    let mut with_next = 0;
    for (line, result) in csv.lines().skip(1).zip(&lines) {
        if result["qualified_tier"] == "vip" {
            assert!(result.get("next").is_none(), "{result}");
            continue;
        }
        with_next += 1;
        let next = &result["next"];
        assert_eq!(
            next["tier"],
            if result["qualified_tier"] == "key" {
                "vip"
            } else {
                "key"
            }
        );
        for (metric, value) in next["metrics"].as_object().unwrap() {
            let Some(value) = value.as_str() else {
                continue;
            };
            let col = header.iter().position(|h| h == metric).unwrap();
            // dates are as-of days, not values of the row
            if metric == "customer_since" || line.contains('"') {
                continue;
            }
            let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            cells[col] = value.to_owned();
            // a new id, so that the result is found again
            cells[0] = format!("{}-{metric}", cells[0]);
            rows.push(cells.join(","));
            expected.push((cells[0].clone(), next["tier"].as_str().unwrap().to_owned()));
        }
    }
    assert!(
        with_next > 1000 && expected.len() > 500,
        "{with_next} {}",
        expected.len()
    );
    let dir = std::env::temp_dir().join(format!("tierwise-guidance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("changed.csv");
    std::fs::write(&file, rows.join("\n") + "\n").unwrap();
    let (run, changed) = tier_json_with(&[], &file.to_string_lossy());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rank = |t: &str| {
        ["vip", "key", "standard"]
            .iter()
            .position(|x| *x == t)
            .unwrap()
    };
    for ((id, tier), result) in expected.iter().zip(&changed) {
        assert_eq!(result["id"], id.as_str());
        let q = result["qualified_tier"].as_str().unwrap();
        assert!(rank(q) <= rank(tier), "{id}: {q}, guidance said {tier}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tier_guidance_needs_json() {
    let run = tierwise(&[
        "tier",
        "--policy",
        SAMPLE,
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        "--guidance",
        "data/customers.csv",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`--guidance` needs `--format json`"),
        "{}",
        run.stderr
    );
}

fn tier_json_with(extra: &[&str], file: &str) -> (Run, Vec<Value>) {
    let mut args = vec!["tier", "--policy", SAMPLE, "--as-of", AS_OF];
    args.extend(extra);
    args.push(file);
    let run = tierwise(&args);
    let lines = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (run, lines)
}

// ---------------------------------------------------------------------------------------
// case timelines

fn case_status(tier: &str, at: &str, file: &str) -> Run {
    tierwise(&["case", "--policy", SAMPLE, "--tier", tier, "--at", at, file])
}

#[test]
fn case_status_snapshots() {
    for (name, tier, at, file) in [
        // a key complaint: its clock is the business calendar, closed for National Day
        (
            "case_complaint_across_national_day",
            "key",
            "2026-10-08T12:00:00+08:00",
            "data/case-complaint-national-day.jsonl",
        ),
        // a level-1 exception counts around the clock, through the night; answered late
        (
            "case_exception_level1_met_late",
            "standard",
            "2026-10-04T09:00:00+08:00",
            "data/case-exception-level1.jsonl",
        ),
        // raised from routine to major: the major targets, still from the opening
        (
            "case_severity_raised",
            "key",
            "2026-06-30T10:00:00+08:00",
            "data/case-severity-raised.jsonl",
        ),
        // waiting on the customer: the clock stands still, due times unknown
        (
            "case_waiting_on_customer",
            "key",
            "2026-06-30T10:00:00+08:00",
            "data/case-waiting-on-customer.jsonl",
        ),
    ] {
        let run = case_status(tier, at, file);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(run.stderr, "", "{name}");
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        assert!(v["milestones"].is_object(), "{name}");
        insta::assert_snapshot!(name, run.stdout);
    }
}

#[test]
fn case_reports_bad_event_lines_and_still_prints_the_status() {
    let dir = std::env::temp_dir().join(format!("tierwise-case-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("events.jsonl");
    std::fs::write(
        &file,
        concat!(
            "{\"event\": \"opened\", \"at\": \"2026-06-29T09:30:00\", \"case\": \"complaint\"}\n",
            "{\"event\": \"met\", \"at\": \"2026-06-29T09:50:00+08:00\", \"milestone\": \"acknowlege\"}\n",
            "{\"event\": \"met\", \"at\": \"2026-06-29T09:55:00+08:00\", \"milestone\": \"acknowledge\"}\n",
            "{\"event\": \"resumed\", \"at\": \"2026-06-29T10:00:00+08:00\"}\n",
            "{\"event\": \"met\", \"at\": \"2026-06-29T09:00:00+08:00\", \"milestone\": \"investigate\"}\n",
        ),
    )
    .unwrap();
    let path = file.to_string_lossy().into_owned();
    let run = case_status("key", "2026-06-29T12:00:00", &path);
    assert_eq!(run.code, 1);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["milestones"]["acknowledge"]["state"], "met");
    assert_eq!(
        v["milestones"]["acknowledge"]["met"],
        "2026-06-29T09:55:00+08:00"
    );
    let stderr = run.stderr.replace(&path, "EVENTS");
    insta::assert_snapshot!("case_bad_lines_stderr", stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cases_lists_breached_and_due_soon_soonest_first() {
    let run = tierwise(&[
        "cases",
        "--policy",
        SAMPLE,
        "--at",
        "2026-10-09T10:00:00+08:00",
        "--due-within",
        "2h",
        "data/cases.jsonl",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let dues: Vec<&str> = lines.iter().map(|l| l["due"].as_str().unwrap()).collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);
    assert!(
        lines.iter().all(|l| l["case_id"] != "K-1006"),
        "a closed case is listed"
    );
    assert!(lines.iter().any(|l| l["state"] == "breached"));
    insta::assert_snapshot!("cases_due_within_2h", run.stdout);
    // without --due-within: only what is breached
    let run = tierwise(&[
        "cases",
        "--policy",
        SAMPLE,
        "--at",
        "2026-10-09T10:00:00+08:00",
        "data/cases.jsonl",
    ]);
    assert!(
        run.stdout.lines().all(|l| l.contains("\"breached\"")),
        "{}",
        run.stdout
    );
}

#[test]
fn cases_reports_bad_lines_and_lists_the_other_cases() {
    let run = tierwise(&[
        "cases",
        "--policy",
        SAMPLE,
        "--at",
        "2026-10-09T10:00:00+08:00",
        "--due-within",
        "2h",
        "tests/inputs/cases/bad-lines.jsonl",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("K-1007") && run.stdout.contains("K-1001"));
    assert!(
        !run.stdout.contains("K-1008"),
        "a case with a bad line is listed"
    );
    insta::assert_snapshot!("cases_bad_lines_stderr", run.stderr);
}

// ---------------------------------------------------------------------------------------
// simulate: causes of moves

/// The spec example against a variant of itself, both run on `good.csv`: the movers' causes.
fn causes_against(edit: &dyn Fn(&str) -> String, extra: &[&str]) -> Value {
    let text = std::fs::read_to_string(SPEC).unwrap();
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("tierwise-causes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("variant-{n}.toml"));
    std::fs::write(&file, edit(&text)).unwrap();
    let file = file.to_string_lossy().into_owned();
    let mut args = vec![
        "simulate",
        "--policy",
        SPEC,
        "--against",
        &file,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ];
    args.extend(extra);
    args.push("tests/inputs/customers/good.csv");
    let run = tierwise(&args);
    assert!(run.stdout.starts_with('{'), "{}", run.stderr);
    let _ = std::fs::remove_file(&file);
    serde_json::from_str(&run.stdout).unwrap()
}

fn cause_of<'a>(sim: &'a Value, id: &str) -> (&'a str, &'a str) {
    let m = sim["movers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap();
    (
        m.pointer("/cause/kind").and_then(Value::as_str).unwrap(),
        m.pointer("/cause/detail").and_then(Value::as_str).unwrap(),
    )
}

#[test]
fn simulate_gives_each_mover_the_step_where_the_policies_part() {
    // the margin gate of vip rises from 8 to 17: A01 (margin 16) leaves vip by it, and
    // A06, kept at vip by the buffer, is no longer kept (the buffer needs the gate too)
    let sim = causes_against(
        &|t| t.replace("gross_margin_pct >= 8", "gross_margin_pct >= 17"),
        &[],
    );
    assert_eq!(
        cause_of(&sim, "A01"),
        (
            "requirement",
            "`gross_margin_pct >= 17` fails under the policy compared against"
        )
    );
    assert_eq!(
        cause_of(&sim, "A06"),
        (
            "buffer",
            "the downgrade buffer kept `vip` under the simulated policy"
        )
    );
    assert_eq!(
        sim["causes"],
        serde_json::json!({"requirement": 1, "buffer": 1})
    );
    // no floor for strategic accounts: A04 falls to standard
    let sim = causes_against(
        &|t| {
            t.replace(
                "when = \"strategic\"",
                "when = \"strategic and overdue_days > 1000\"",
            )
        },
        &[],
    );
    assert_eq!(cause_of(&sim, "A04").0, "floor");
    assert!(
        cause_of(&sim, "A04")
            .1
            .ends_with("(under the simulated policy)"),
        "{sim}"
    );
    // a cap from 30 days overdue
    let sim = causes_against(
        &|t| t.replace("overdue_days > 90", "overdue_days > 100000"),
        &[],
    );
    assert_eq!(cause_of(&sim, "A08").0, "cap");
    // no downgrade buffer: A06 (kept at vip by it) falls
    let sim = causes_against(
        &|t| t.replace("downgrade_buffer = 5", "downgrade_buffer = 0"),
        &[],
    );
    assert_eq!(
        cause_of(&sim, "A06"),
        (
            "buffer",
            "the downgrade buffer kept `vip` under the simulated policy"
        )
    );
    // no grace days: A05 (qualified for vip recently) falls
    let sim = causes_against(
        &|t| t.replace("downgrade_grace_days = 90", "downgrade_grace_days = 0"),
        &[],
    );
    assert_eq!(cause_of(&sim, "A05").0, "grace");
    // a steeper volume curve: a score move, by volume
    let sim = causes_against(&|t| t.replacen("[2000, 70]", "[2000, 90]", 1), &[]);
    let (kind, detail) = cause_of(&sim, "A02");
    assert_eq!(kind, "score");
    assert!(detail.ends_with("moved most by `volume`"), "{detail}");
}

#[test]
fn simulate_lists_the_largest_score_changes_first_and_filters_by_tier() {
    let edit = |t: &str| {
        t.replacen("[2000, 70]", "[2000, 90]", 1)
            .replace("downgrade_buffer = 5", "downgrade_buffer = 0")
    };
    let sim = causes_against(&edit, &[]);
    let change = |m: &Value| {
        let s: f64 = m["score"].as_str().unwrap().parse().unwrap();
        let t: f64 = m["against_score"].as_str().unwrap().parse().unwrap();
        (t - s).abs()
    };
    let movers = sim["movers"].as_array().unwrap();
    assert!(movers.len() >= 2);
    assert!(
        movers.windows(2).all(|w| change(&w[0]) >= change(&w[1])),
        "{sim}"
    );
    let only = causes_against(&edit, &["--from", "key", "--to", "vip"]);
    let kept = only["movers"].as_array().unwrap();
    assert!(!kept.is_empty());
    assert!(kept.iter().all(|m| m["from"] == "key" && m["to"] == "vip"));
    // the counts are not filtered
    assert_eq!(only["moved"], sim["moved"]);
    assert_eq!(only["causes"], sim["causes"]);
}

#[test]
fn explain_says_why_the_buffer_and_the_grace_days_did_not_keep_the_previous_tier() {
    let run = explain("A07", "good.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(
        "  not kept: the downgrade buffer did not keep `vip`: the score 9.80 is below 75 (its `min_score` 80 less the buffer of 5)\n\
         \x20 not kept: the grace days did not keep it: they ended on 2025-04-01 (last qualified 2025-01-01 + 90 days)\n"
    ), "{}", run.stdout);
    // kept by the buffer: nothing to explain
    let run = explain("A06", "good.csv");
    assert!(!run.stdout.contains("not kept"), "{}", run.stdout);
}

#[test]
fn sla_takes_local_times_in_the_policy_zone_and_prints_a_table() {
    let base = [
        "sla",
        "--policy",
        SAMPLE,
        "--tier",
        "key",
        "--case",
        "complaint",
        "--severity",
        "major",
    ];
    let with = |extra: &[&str]| tierwise(&[&base[..], extra].concat());
    let exact = with(&[
        "--opened",
        "2026-06-30T17:00:00+08:00",
        "--paused",
        "2026-07-01T09:00:00+08:00/2026-07-01T10:00:00+08:00",
    ]);
    let local = with(&[
        "--opened",
        "2026-06-30T17:00:00",
        "--paused",
        "2026-07-01T09:00:00/2026-07-01T10:00:00",
    ]);
    assert_eq!(exact.code, 0, "{}", exact.stderr);
    assert_eq!(local.stdout, exact.stdout);
    let table = with(&[
        "--opened",
        "2026-06-30T17:00:00",
        "--paused",
        "2026-07-01T09:00:00/2026-07-01T10:00:00",
        "--format",
        "table",
    ]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    insta::assert_snapshot!("sla_table", table.stdout);
    let bad = with(&["--opened", "30/06/2026 17:00"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("is not a time like 2026-06-30T09:15:00+08:00"),
        "{}",
        bad.stderr
    );
}
