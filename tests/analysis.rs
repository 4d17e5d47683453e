//! The policy analysis (spec section 15): the corpus of `tests/inputs/warnings/`, where a
//! file named `warn_CODE_*.toml` must warn with CODE and a near miss `ok_CODE_*.toml` must
//! not (`ok_none.toml` must not warn at all); snapshots of the rendered warnings; witnesses
//! of every corpus and sample policy.
#![expect(clippy::unwrap_used, reason = "a missing test input fails the test")]

use std::fs;
use std::path::PathBuf;

use tierwise::analysis::WarningCode;
use tierwise::Policy;

use crate::common::{crate_relative, date, load};

const CODES: [WarningCode; 10] = [
    WarningCode::UnreachableTier,
    WarningCode::ConditionNeverHolds,
    WarningCode::ConditionAlwaysHolds,
    WarningCode::AdjustmentNoEffect,
    WarningCode::RoutingRuleShadowed,
    WarningCode::DimensionConstant,
    WarningCode::HolidayTwice,
    WarningCode::WorkdayAlreadyOpen,
    WarningCode::AdjustmentsCancel,
    WarningCode::MilestoneOrder,
];

fn corpus() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/warnings");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The code a corpus file is about, from its name.
fn code_of(stem: &str) -> Option<WarningCode> {
    let rest = stem
        .strip_prefix("warn_")
        .or_else(|| stem.strip_prefix("ok_"))?;
    CODES
        .into_iter()
        .find(|c| rest.starts_with(&c.as_str().replace('-', "_")))
}

#[test]
fn every_code_warns_where_it_must_and_not_on_near_misses() {
    let mut seen = Vec::new();
    for path in corpus() {
        let name = crate_relative(&path);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let policy = load(&name);
        let codes: Vec<WarningCode> = policy.warnings().iter().map(|w| w.code()).collect();
        if stem == "ok_none" {
            assert!(codes.is_empty(), "{name}: {codes:?}");
            continue;
        }
        let code = code_of(&stem).unwrap_or_else(|| panic!("{name}: no code in the name"));
        if stem.starts_with("warn_") {
            assert!(
                codes.contains(&code),
                "{name}: expected {code}, got {codes:?}"
            );
            seen.push(code);
        } else {
            assert!(
                !codes.contains(&code),
                "{name}: near miss warned: {codes:?}"
            );
        }
        for w in policy.warnings() {
            assert_eq!(w.path(), name);
            assert!(w.line() > 1 && w.column() >= 1, "{w}");
            assert!(w.help().is_some(), "{w}: a warning without help");
            assert!(!w.message().ends_with('.'), "{w}");
        }
        insta::assert_snapshot!(
            format!("warnings__{stem}"),
            policy
                .warnings()
                .iter()
                .map(|w| format!("{w:#}"))
                .collect::<Vec<_>>()
                .join("\n\n")
        );
    }
    for code in CODES {
        assert!(seen.contains(&code), "no corpus file warns with {code}");
    }
}

#[test]
fn the_sample_policies_have_no_warnings() {
    for name in [
        "policies/ocean-shipping.toml",
        "policies/logistics-3pl.toml",
        "policies/express-parcel.toml",
        "tests/inputs/spec-example.toml",
    ] {
        let policy = load(name);
        let shown: Vec<String> = policy.warnings().iter().map(|w| w.to_string()).collect();
        assert!(shown.is_empty(), "{name}:\n{}", shown.join("\n"));
    }
}

#[test]
fn witnesses_qualify_for_their_tier_and_cover_every_reachable_tier() {
    let as_of = date("2026-06-30");
    let mut files: Vec<String> = corpus().iter().map(|p| crate_relative(p)).collect();
    files.extend(
        [
            "policies/ocean-shipping.toml",
            "policies/logistics-3pl.toml",
            "policies/express-parcel.toml",
            "tests/inputs/spec-example.toml",
        ]
        .map(String::from),
    );
    for name in files {
        let policy = load(&name);
        let unreachable: Vec<String> = policy
            .warnings()
            .iter()
            .filter(|w| w.code() == WarningCode::UnreachableTier)
            .map(|w| w.message().split('`').nth(1).unwrap().to_owned())
            .collect();
        let witnesses = policy.witnesses(as_of);
        for c in &witnesses {
            let a = policy.classify(c, as_of).unwrap();
            assert_eq!(
                policy.tier(a.qualified_tier()).unwrap().id(),
                c.id(),
                "{name}"
            );
        }
        for (_, tier) in policy.tiers() {
            let has = witnesses.iter().any(|c| c.id() == tier.id());
            let warned = unreachable.iter().any(|t| t == tier.id());
            assert!(
                has != warned,
                "{name}: tier {} witness {has}, warned {warned}",
                tier.id()
            );
        }
    }
}

#[test]
fn a_customer_of_another_policy_has_no_metric_values_here() {
    let a = load("policies/ocean-shipping.toml");
    let b = load("policies/ocean-shipping.toml");
    let c = a.witnesses(date("2026-06-30")).remove(0);
    assert!(a.metric_values(&c).is_ok());
    assert_eq!(
        b.metric_values(&c).err().map(|e| e.to_string()),
        Some("wrong policy: the customer was made by another compiled policy".to_owned())
    );
}

#[test]
fn warnings_render_on_one_line_and_with_their_source() {
    let policy = load("tests/inputs/warnings/warn_condition_never_holds_bound.toml");
    let w = &policy.warnings()[0];
    assert_eq!(
        w.to_string(),
        "tests/inputs/warnings/warn_condition_never_holds_bound.toml:46:8: warning[condition-never-holds]: condition `overdue_days < 0` never holds: `overdue_days` is at least 0 (help: the cap `at_most = \"standard\"` (r) never applies; fix the condition or remove the adjustment)"
    );
    assert!(format!("{w:#}").starts_with("warning[condition-never-holds]: condition"));
}

#[cfg(feature = "fs")]
#[test]
fn warnings_point_into_the_included_file_that_holds_the_construct() {
    let policy = Policy::from_path("tests/inputs/warnings/included/main.toml").unwrap();
    let places: Vec<(String, usize, WarningCode)> = policy
        .warnings()
        .iter()
        .map(|w| (w.path().replace('\\', "/"), w.line(), w.code()))
        .collect();
    assert_eq!(
        places,
        [
            (
                "tests/inputs/warnings/included/tiers.toml".to_owned(),
                3,
                WarningCode::UnreachableTier
            ),
            (
                "tests/inputs/warnings/included/tiers.toml".to_owned(),
                5,
                WarningCode::ConditionNeverHolds
            ),
        ]
    );
}

#[cfg(not(feature = "fs"))]
#[allow(dead_code)]
fn uses_policy(_: Policy) {}
