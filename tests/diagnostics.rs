//! Diagnostics of broken policies: every `tests/inputs/policies/err_*.toml` must fail to
//! load, and the rendering of all its diagnostics is snapshotted; every `ok_*.toml` must load.

use tierwise::{DiagnosticKind, LoadError, Policy};

use crate::common::{check_locations, crate_relative};

#[test]
fn broken_policies() {
    let mut loaded = Vec::new();
    insta::glob!("inputs/policies/err_*.toml", |path| {
        let name = crate_relative(path);
        let text = std::fs::read_to_string(path).unwrap();
        match Policy::from_toml_str(&name, &text) {
            Ok(_) => loaded.push(name),
            Err(err) => {
                check_locations(&err, &name, &text);
                insta::assert_snapshot!(format!("{err:#}"));
            }
        }
    });
    assert!(loaded.is_empty(), "broken policies that loaded: {loaded:?}");
}

#[test]
fn valid_policies() {
    let mut failed = Vec::new();
    insta::glob!("inputs/policies/ok_*.toml", |path| {
        let name = crate_relative(path);
        let text = std::fs::read_to_string(path).unwrap();
        if let Err(e) = Policy::from_toml_str(&name, &text) {
            failed.push(format!("{e:#}"));
        }
    });
    assert!(
        failed.is_empty(),
        "valid policies that failed:\n{}",
        failed.join("\n")
    );
}

/// A minimal valid policy, to build large inputs from.
const MINIMAL: &str = r#"[policy]
id = "minimal"
version = "1"
timezone = "Asia/Shanghai"

[metrics]
annual_teu = { type = "decimal", min = 0 }

[scoring.dimensions.volume]
metric = "annual_teu"
weight = 1
curve = "linear"
points = [[0, 0], [100, 100]]

[[tiers]]
id = "standard"
min_score = 0
"#;

#[test]
fn minimal_policy_loads() {
    Policy::from_toml_str("minimal.toml", MINIMAL).unwrap();
}

#[test]
fn file_over_one_mebibyte_is_rejected() {
    let mut text = String::from(MINIMAL);
    let filler = "# padding padding padding padding padding padding padding padding padding\n";
    while text.len() <= 1024 * 1024 {
        text.push_str(filler);
    }
    let name = "tests/inputs/policies/huge.toml";
    let err = Policy::from_toml_str(name, &text).unwrap_err();
    check_locations(&err, name, &text);
    assert_eq!(err.diagnostics().len(), 1, "{err:#}");
    let d = &err.diagnostics()[0];
    assert_eq!(d.kind(), DiagnosticKind::Limit);
    assert_eq!((d.line(), d.column()), (1, 1));
    assert_eq!(
        d.message(),
        format!(
            "policy file is {} bytes, more than the limit of 1 MiB (1048576 bytes)",
            text.len()
        )
    );
}

#[test]
fn file_of_exactly_one_mebibyte_is_read() {
    let mut text = String::from(MINIMAL);
    while text.len() < 1024 * 1024 {
        let room = 1024 * 1024 - text.len();
        if room < 3 {
            text.push_str(&"\n".repeat(room));
        } else {
            text.push_str(&format!("#{}\n", "x".repeat((room - 2).min(70))));
        }
    }
    assert_eq!(text.len(), 1024 * 1024);
    Policy::from_toml_str("tests/inputs/policies/big.toml", &text).unwrap();
}

/// The error of loading `tests/inputs/policies/NAME.toml`, which must fail.
#[expect(clippy::panic, reason = "a fixture that loads fails the test")]
fn load_err(name: &str) -> LoadError {
    let path = format!("tests/inputs/policies/{name}.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    match Policy::from_toml_str("p.toml", &text) {
        Ok(_) => panic!("{path} loaded"),
        Err(e) => e,
    }
}

/// The messages of [`load_err`], in order.
fn messages(name: &str) -> Vec<String> {
    load_err(name)
        .diagnostics()
        .iter()
        .map(|d| d.message().to_owned())
        .collect()
}

#[test]
fn the_same_problem_at_the_same_place_is_reported_once() {
    assert_eq!(
        messages("err_tier_twice_without_service"),
        [
            "tier `other` has no `[service.other]`",
            "tier `other` is defined twice",
            "service `x` is not named after a tier, and no service extends it",
        ]
    );
}

#[test]
fn an_unclosed_opener_is_one_error_where_it_opens() {
    // (file, line:column of the opener, what is open)
    for (name, at, what) in [
        ("err_syntax_unclosed_array", (34, 10), "array"),
        ("err_syntax_unclosed_inline_table", (12, 20), "inline table"),
        ("err_syntax_unclosed_string", (4, 11), "string"),
    ] {
        let err = load_err(name);
        let d = err.diagnostics();
        assert_eq!(d.len(), 1, "{name}: {err:#}");
        assert_eq!((d[0].line(), d[0].column()), at, "{name}");
        assert_eq!(d[0].message(), format!("this {what} is not closed"));
    }
}

#[test]
fn a_name_listed_twice_is_one_error_without_follow_ons() {
    for (name, message) in [
        (
            "err_case_severity_twice",
            "severity `level2` is listed twice",
        ),
        (
            "err_case_milestone_twice",
            "milestone `resolve` is listed twice",
        ),
        ("err_sla_case_misspelt", "unknown case kind `exceptoin`"),
        (
            "err_case_milestones_key_misspelt",
            "unknown key `milestone` in case `exception`",
        ),
        (
            "err_syntax_table_twice",
            "table `[scoring.dimensions.volume]` is defined twice",
        ),
        (
            "err_metric_name_hyphen_used",
            "metric name `overdue-days` must start with a-z and use only a-z, 0-9 and `_`",
        ),
        (
            "err_syntax_tiers_single_brackets",
            "`tiers` is written both as `[tiers]` and as `[[tiers]]`",
        ),
    ] {
        assert_eq!(messages(name), [message], "{name}");
    }
}
