//! Scenario tests of policies (`tierwise::scenario::Suite` and `tierwise test`): the scenario files of
//! the sample policies pass, broken scenario files give located diagnostics (snapshotted),
//! and a failing scenario file gives a report with expected and actual values and the
//! trace (snapshotted) and exit status 1.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers fail the test by panicking on missing fixtures or a binary that cannot run"
)]

use std::path::Path;
use std::process::{Command, Stdio};

use tierwise::scenario::Suite;
use tierwise::{LoadError, Policy};

use crate::common::{check_locations, crate_relative};

/// Loads a scenario file and the policy it names, both through the library (no I/O in the
/// library: the test reads the files).
fn load_suite(path: &str) -> Result<Suite, LoadError> {
    let text = std::fs::read_to_string(path).unwrap();
    let relative = Suite::policy_path(path, &text)?;
    let dir = Path::new(path).parent().unwrap();
    let policy_path = crate_relative(&dir.join(relative));
    let policy_text = std::fs::read_to_string(&policy_path).unwrap();
    let policy =
        Policy::from_toml_str(&policy_path, &policy_text).unwrap_or_else(|e| panic!("{e:#}"));
    Suite::from_toml_str(path, &text, &policy)
}

/// A small policy with services, a calendar and a case, for the API tests below.
fn demo_policy() -> Policy {
    Policy::from_toml_str(
        "demo.toml",
        r#"
[policy]
id = "demo"
version = "1"
timezone = "Asia/Shanghai"

[metrics]
teu = { type = "decimal", min = 0 }

[scoring.dimensions.volume]
metric = "teu"
weight = 1
curve = "linear"
points = [[0, 0], [1000, 100]]

[[tiers]]
id = "key"
min_score = 50

[[tiers]]
id = "standard"
min_score = 0

[benefits.a]
[benefits.b]

[service.standard]
support_hours = "office"
account_manager = "none"
channels = ["phone", "email"]
response = { phone = "60s" }

[service.key]
extends = "standard"
account_manager = "designated"
benefits = ["a", "b"]
response = { phone = "1m", email = "2h" }

[calendars.office.hours]
mon = ["09:00-12:00", "13:00-18:00"]
tue = ["09:00-12:00", "13:00-18:00"]
wed = ["09:00-12:00", "13:00-18:00"]
thu = ["09:00-12:00", "13:00-18:00"]
fri = ["09:00-12:00", "13:00-18:00"]

[cases.complaint]
milestones = ["acknowledge"]

[[sla]]
case = "complaint"
targets = { acknowledge = "1h" }

[[routing]]
when = "tier == 'key'"
queue = "key-desk"
assign = "account_manager"

[[routing]]
queue = "general"
"#,
    )
    .unwrap_or_else(|e| panic!("{e:#}"))
}

fn demo(scenarios: &str) -> Result<Suite, LoadError> {
    Suite::from_toml_str("demo.tests.toml", scenarios, &demo_policy())
}

// ---------------------------------------------------------------------------------------
// The sample policies' scenarios

#[test]
fn sample_policy_scenarios_pass() {
    let mut files = 0;
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        let name = crate_relative(&path);
        if !name.ends_with(".tests.toml") {
            continue;
        }
        files += 1;
        let suite = load_suite(&name).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            (6..=12).contains(&suite.len()),
            "{name}: {} scenarios",
            suite.len()
        );
        let report = suite.run();
        assert!(report.all_passed(), "{name}:\n{report}");
        assert_eq!(report.passed(), suite.len());
    }
    // every sample policy has its scenario file
    let policies = std::fs::read_dir("policies")
        .unwrap()
        .filter(|e| {
            let n = e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .into_owned();
            n.ends_with(".toml") && !n.ends_with(".tests.toml")
        })
        .count();
    assert_eq!(files, policies);
}

/// The tiering semantics of spec section 7 (gates, floors, caps, buffer, grace, step limit,
/// pins, the stored state) as scenario files: `tests/inputs/tiering/*.tests.toml`, each
/// against its policy, which includes the common ladder (so loaded from its path).
#[test]
fn tiering_scenarios_pass() {
    let mut scenarios = 0;
    for entry in std::fs::read_dir("tests/inputs/tiering").unwrap() {
        let name = crate_relative(&entry.unwrap().path());
        let Some(policy_path) = name.strip_suffix(".tests.toml") else {
            continue;
        };
        let policy =
            Policy::from_path(format!("{policy_path}.toml")).unwrap_or_else(|e| panic!("{e:#}"));
        let text = std::fs::read_to_string(&name).unwrap();
        let suite = Suite::from_toml_str(&name, &text, &policy).unwrap_or_else(|e| panic!("{e:#}"));
        let report = suite.run();
        assert!(report.all_passed(), "{name}:\n{report}");
        scenarios += report.passed();
    }
    assert!(scenarios >= 20, "{scenarios} scenarios");
}

// ---------------------------------------------------------------------------------------
// Broken scenario files

#[test]
fn broken_scenario_files() {
    insta::glob!("inputs/scenarios/err_*.tests.toml", |path| {
        let name = crate_relative(path);
        let text = std::fs::read_to_string(path).unwrap();
        let err = match load_suite(&name) {
            Ok(suite) => panic!("{name} loaded, with {} scenarios", suite.len()),
            Err(err) => err,
        };
        check_locations(&err, &name, &text);
        insta::assert_snapshot!(format!("{err:#}"));
    });
}

#[test]
fn diagnostics_name_the_mistyped_names() {
    let err = load_suite("tests/inputs/scenarios/err_unknown_names.tests.toml").unwrap_err();
    let helps: Vec<&str> = err.diagnostics().iter().filter_map(|d| d.help()).collect();
    for wanted in [
        "did you mean `vip`?",
        "did you mean `vip-desk`?",
        "did you mean `priority_claims`?",
        "did you mean `cn_business`?",
        "did you mean `acknowledge`?",
        "did you mean `complaint`?",
    ] {
        assert!(helps.contains(&wanted), "{wanted} not in {helps:?}");
    }
    assert!(err
        .diagnostics()
        .iter()
        .all(|d| d.kind() == tierwise::DiagnosticKind::UnknownName
            || d.kind() == tierwise::DiagnosticKind::InvalidValue));
}

// ---------------------------------------------------------------------------------------
// The library API

#[test]
fn numbers_durations_and_sets_compare_by_value() {
    let suite = demo(
        r#"
as_of = 2026-06-30

[[scenario]]
name = "exact and by value"
customer = { teu = 625.5 }
case = { kind = "complaint", opened = 2026-06-30T11:30:00+08:00 }
expect.score = 62.550
expect.dimensions = { volume = "62.55" }
expect.service = { benefits = ["b", "a"], channels = ["email", "phone"], response = { phone = "60s", email = "120m" } }
expect.route = { queue = "key-desk", assign = "account_manager" }
expect.deadlines = { acknowledge = "2026-06-30T13:30:00+08:00" }

[[scenario]]
name = "a local time is in the policy's time zone, an offset time anywhere"
customer = { teu = "100" }
case = { kind = "complaint", opened = 2026-06-30T03:30:00Z }
expect.route = { queue = "general", assign = "" }
expect.deadlines = { acknowledge = 2026-06-30T13:30:00 }

[[scenario]]
name = "a digit too many is not rounded away"
customer = { teu = 625.0000000000000000000000001 }
expect.score = "62.55"
"#,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    let report = suite.run();
    let outcomes = report.outcomes();
    assert!(outcomes[0].passed(), "{}", outcomes[0]);
    assert!(outcomes[1].passed(), "{}", outcomes[1]);
    // 625.0000000000000000000000001 scores 62.50, exactly, not the 62.55 of a sloppy reading
    assert!(!outcomes[2].passed());
    assert_eq!(
        outcomes[2].mismatches()[0].to_string(),
        "score: expected `62.55`, actual `62.50`"
    );
    assert_eq!((report.passed(), report.failed()), (2, 1));
    assert!(!report.all_passed());
}

#[test]
fn a_failure_lists_every_mismatch_and_the_trace() {
    let suite = demo(
        r#"
[[scenario]]
name = "wrong on every count"
as_of = 2026-06-30
customer = { id = "C1", teu = 400 }
case = { kind = "complaint", opened = 2026-06-30T17:30:00+08:00 }
expect.tier = "key"
expect.service = { account_manager = "designated", benefits = ["a"] }
expect.route.assign = "account_manager"
expect.deadlines = { acknowledge = 2026-06-30T18:30:00+08:00 }
"#,
    )
    .unwrap();
    let report = suite.run();
    let o = &report.outcomes()[0];
    assert_eq!(o.name(), "wrong on every count");
    assert_eq!(o.line(), 2);
    let fields: Vec<(&str, &str, &str)> = o
        .mismatches()
        .iter()
        .map(|m| (m.field(), m.expected(), m.actual()))
        .collect();
    assert_eq!(
        fields,
        [
            ("tier", "key", "standard"),
            ("service.account_manager", "designated", "none"),
            ("service.benefits", "[a]", "[]"),
            ("route.assign", "account_manager", "no one"),
            (
                "deadlines.acknowledge",
                "2026-06-30T18:30:00+08:00",
                "2026-07-01T09:30:00+08:00"
            ),
        ]
    );
    let trace = o.trace().unwrap();
    assert!(trace.starts_with("customer C1 on 2026-06-30 (policy demo version 1)"));
    assert!(trace.contains("route: queue general (routing rule 2)"));
    assert!(report.to_string().ends_with("\n\n0 passed, 1 failed"));
}

#[test]
fn expected_errors() {
    let suite = demo(
        r#"
as_of = 2026-06-30

[[scenario]]
name = "rejected as expected"
customer = { teu = -1 }
expect.error = "below the minimum"

[[scenario]]
name = "rejected, but not for the expected reason"
customer = { tue = 1 }
expect.error = "below the minimum"

[[scenario]]
name = "an unknown pinned tier"
customer = { teu = 1, pinned_tier = "gold" }
expect.error = "pinned tier `gold` is not a tier of policy `demo`"
"#,
    );
    // `tue` is not a metric: a mistake in the scenario file, not a rejected customer
    let err = suite.unwrap_err();
    assert_eq!(
        err.to_string(),
        "demo.tests.toml:11:14: `tue` is neither a metric of policy `demo` nor a state or pin field (help: did you mean `teu`?)"
    );
    let suite = demo(
        r#"
as_of = 2026-06-30

[[scenario]]
name = "rejected as expected"
customer = { teu = -1 }
expect.error = "below the minimum"

[[scenario]]
name = "an unknown pinned tier is a rejected customer"
customer = { teu = 1, pinned_tier = "gold" }
expect.error = "pinned tier `gold` is not a tier of policy `demo`"

[[scenario]]
name = "accepted, though an error was expected"
customer = { teu = 1 }
expect.error = "anything"
"#,
    )
    .unwrap();
    let report = suite.run();
    let passed: Vec<bool> = report.outcomes().iter().map(|o| o.passed()).collect();
    assert_eq!(passed, [true, true, false]);
    let m = &report.outcomes()[2].mismatches()[0];
    assert_eq!(
        (m.field(), m.expected(), m.actual()),
        (
            "error",
            "an error containing `anything`",
            "no error: the customer was accepted"
        )
    );
}

#[test]
fn policy_path_defaults_to_the_file_name() {
    assert_eq!(
        Suite::policy_path("policies/ocean-shipping.tests.toml", "as_of = 2026-06-30").unwrap(),
        "ocean-shipping.toml"
    );
    assert_eq!(
        Suite::policy_path(r"C:\p\a.tests.toml", "").unwrap(),
        "a.toml"
    );
    assert_eq!(
        Suite::policy_path("x.toml", "policy = \"../p/x.toml\"").unwrap(),
        "../p/x.toml"
    );
    let err = Suite::policy_path("scenarios.toml", "").unwrap_err();
    assert_eq!(
        err.to_string(),
        "scenarios.toml:1:1: the scenario file names no `policy`, and its name `scenarios.toml` does not end in `.tests.toml` (help: add `policy = \"NAME.toml\"` at the top: the policy's path, relative to this file)"
    );
    let err = Suite::policy_path("a.tests.toml", "policy = \"\"").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.tests.toml:1:10: `policy` cannot be empty"
    );
}

#[test]
fn suites_and_reports_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Suite>();
    assert_send_sync::<tierwise::scenario::SuiteReport>();
}

#[test]
fn a_suite_knows_its_scenarios() {
    let suite = load_suite("policies/ocean-shipping.tests.toml").unwrap();
    assert_eq!(suite.name(), "policies/ocean-shipping.tests.toml");
    assert_eq!(suite.policy().id(), "ocean-shipping");
    assert!(!suite.is_empty());
    assert_eq!(
        suite.scenario_names().next(),
        Some("a big forwarder with ten years is key")
    );
}

// ---------------------------------------------------------------------------------------
// The command line

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tierwise(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_tierwise"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn test_command_reports_failures_with_expected_actual_and_trace() {
    let run = tierwise(&["test", "tests/inputs/scenarios/failing.tests.toml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout.lines().last(), Some("2 passed, 4 failed"));
    insta::assert_snapshot!("failing_report", run.stdout);
}

#[test]
fn test_command_passes_on_the_sample_policies() {
    let run = tierwise(&["test", "policies"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "");
    let last = run.stdout.lines().last().unwrap();
    let total: usize = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("ok      "))
        .count();
    assert!(total >= 18, "{}", run.stdout);
    assert_eq!(last, format!("{total} passed, 0 failed"));
    for file in [
        "express-parcel.tests.toml",
        "logistics-3pl.tests.toml",
        "ocean-shipping.tests.toml",
    ] {
        assert!(run
            .stdout
            .contains(&format!("from policies/{file} (policy ")));
    }
}

#[test]
fn test_command_takes_a_policy_file_and_runs_its_scenarios() {
    let run = tierwise(&["test", "policies/logistics-3pl.toml"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with(
        "running 10 scenarios from policies/logistics-3pl.tests.toml (policy logistics-3pl version "
    ));
    let run = tierwise(&["test", "tests/inputs/scenarios/ocean.toml"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: policy `tests/inputs/scenarios/ocean.toml` has no scenario file `tests/inputs/scenarios/ocean.tests.toml`\n  \
         help: write its scenarios in `tests/inputs/scenarios/ocean.tests.toml`, each under a `[[scenario]]` header\n"
    );
    assert_eq!(
        run.stdout,
        "0 passed, 0 failed; 1 path without scenario files\n"
    );
}

#[test]
fn test_command_reports_malformed_scenario_files_like_policies() {
    let run = tierwise(&[
        "test",
        "tests/inputs/scenarios/err_unknown_names.tests.toml",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains(
        "error: policy `ocean-shipping` has no tier `vpi`\n  --> tests/inputs/scenarios/err_unknown_names.tests.toml:8:15\n"
    ));
    assert!(run
        .stderr
        .ends_with("tests/inputs/scenarios/err_unknown_names.tests.toml: 18 errors\n"));
    // the summary says that a file was not run, not only "0 passed, 0 failed"
    assert_eq!(
        run.stdout,
        "0 passed, 0 failed; 1 scenario file with errors not run\n"
    );
}

#[test]
fn test_command_reports_a_policy_that_does_not_load() {
    let dir = std::env::temp_dir().join(format!("tierwise-scenarios-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.toml"), "[policy]\nid = \"p\"\n").unwrap();
    std::fs::write(
        dir.join("p.tests.toml"),
        "[[scenario]]\nname = \"x\"\nas_of = 2026-06-30\ncustomer = {}\nexpect.tier = \"a\"\n",
    )
    .unwrap();
    let file = dir.join("p.tests.toml");
    let run = tierwise(&["test", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error: cannot run the scenarios of `"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("p.toml: "), "{}", run.stderr);
}
