//! Hostile inputs: nothing panics, hangs or overflows the stack; every one is an error with
//! a location or a plain message.
#![expect(
    clippy::unwrap_used,
    reason = "fixtures that do not build fail the test"
)]

use chrono::{DateTime, NaiveDate, Utc};
use tierwise::sla::SlaErrorKind;
use tierwise::{DiagnosticKind, Policy};

fn load_err(text: &str) -> tierwise::LoadError {
    Policy::from_toml_str("hostile.toml", text).unwrap_err()
}

#[test]
fn deeply_nested_toml_is_an_error_not_a_stack_overflow() {
    for text in [
        format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("a = {}1{}", "{b = ".repeat(50_000), "}".repeat(50_000)),
        format!("[{}]", vec!["k"; 50_000].join(".")),
    ] {
        let err = load_err(&text);
        assert!(!err.diagnostics().is_empty());
        // rendering cuts the enormous line around the error
        let shown = format!("{err:#}");
        assert!(
            shown.lines().all(|l| l.chars().count() < 200),
            "{}",
            &shown[..300.min(shown.len())]
        );
    }
}

#[test]
fn limits_are_enforced_with_clear_errors() {
    let header = "[policy]\nid = \"x\"\nversion = \"1\"\ntimezone = \"UTC\"\n";
    let tiers: String = (0..40)
        .map(|i| format!("[[tiers]]\nid = \"t{i}\"\nmin_score = {}\n", 99 - i))
        .collect();
    let err = load_err(&format!("{header}{tiers}"));
    assert!(err
        .diagnostics()
        .iter()
        .any(|d| d.kind() == DiagnosticKind::Limit
            && d.message().contains("more than the limit of 32")));
    let big = format!("{header}# {}\n", "x".repeat(1024 * 1024));
    let err = load_err(&big);
    assert_eq!(err.diagnostics()[0].kind(), DiagnosticKind::Limit);
    let long = format!(
        "{header}[[adjustments]]\nwhen = \"{}\"\nat_most = \"t\"\nreason = \"r\"\n",
        "x > 1 and ".repeat(150) + "x > 1"
    );
    let err = load_err(&long);
    assert!(err.diagnostics().iter().any(
        |d| d.message().contains("longer than 1000 characters") || d.message().contains("1000")
    ));
}

fn one_dimension(points: &str) -> Policy {
    Policy::from_toml_str(
        "p.toml",
        &format!(
            "[policy]\nid = \"x\"\nversion = \"1\"\ntimezone = \"UTC\"\n[metrics]\nv = {{ type = \"decimal\" }}\n\
             [scoring.dimensions.d]\nmetric = \"v\"\nweight = 1\ncurve = \"linear\"\npoints = {points}\n\
             [[tiers]]\nid = \"standard\"\nmin_score = 0\n"
        ),
    )
    .unwrap()
}

#[test]
fn extreme_values_never_panic() {
    let p = one_dimension("[[-100000000000000000000, 0], [0, 50], [100000000000000000000, 100]]");
    for v in [
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0.0000000000000000000000000001",
        "1",
        "-1",
    ] {
        let c = p.customer("X").set("v", v).build().unwrap();
        // an exact result or an overflow error, never a panic
        match p.classify(&c, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()) {
            Ok(a) => assert!(a.score().value() >= rust_decimal::Decimal::ZERO),
            Err(e) => assert_eq!(e.field(), "v"),
        }
    }
    // a point too far from the previous one for exact arithmetic is refused at load time
    let err = Policy::from_toml_str(
        "p.toml",
        "[policy]\nid = \"x\"\nversion = \"1\"\ntimezone = \"UTC\"\n[metrics]\nv = { type = \"decimal\" }\n\
         [scoring.dimensions.d]\nmetric = \"v\"\nweight = 79228162514264337593543950335\ncurve = \"linear\"\npoints = [[0, 0], [1, 100]]\n\
         [[tiers]]\nid = \"standard\"\nmin_score = 0\n",
    )
    .unwrap_err();
    assert!(err
        .diagnostics()
        .iter()
        .any(|d| d.message().contains("exact decimal arithmetic")));
}

/// The spec example with `calendars`, one service for every tier on the clock `hours`, and
/// one case kind whose single milestone has `target`.
fn with_one_sla(calendars: &str, hours: &str, kind: &str, milestone: &str, target: &str) -> Policy {
    let text = std::fs::read_to_string("tests/inputs/spec-example.toml").unwrap()
        + &format!(
            "{calendars}\n[service.standard]\nsupport_hours = \"{hours}\"\n\
             [service.key]\nextends = \"standard\"\n[service.vip]\nextends = \"standard\"\n\
             [cases.{kind}]\nmilestones = [\"{milestone}\"]\n\
             [[sla]]\ncase = \"{kind}\"\ntargets = {{ {milestone} = \"{target}\" }}\n"
        );
    Policy::from_toml_str("one-sla.toml", &text).unwrap()
}

#[test]
fn a_clock_that_never_opens_is_an_error_not_a_loop() {
    let p = with_one_sla(
        "[calendars.never]\nhours = { mon = [] }\n",
        "never",
        "complaint",
        "resolve",
        "4h",
    );
    let opened: DateTime<Utc> = "2026-06-30T09:00:00Z".parse().unwrap();
    let case = p.case("complaint", opened).build().unwrap();
    let err = p
        .deadline(p.tier_by_id("standard").unwrap(), &case, 0)
        .unwrap_err();
    assert!(matches!(err.kind(), SlaErrorKind::Calendar { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "milestone `resolve` on clock `never`: the calendar is never open"
    );
}

#[test]
fn a_deadline_beyond_the_horizon_is_an_error() {
    // 1,500 days of open time on a clock open one hour a week would take 690 years: beyond
    // the default horizon of about 101 years, an error, found quickly
    let p = with_one_sla(
        "[calendars.rare]\nhours = { mon = [\"09:00-10:00\"] }\n",
        "rare",
        "claim",
        "settle",
        "1500d",
    );
    let case = p
        .case("claim", "2026-06-30T09:00:00Z".parse().unwrap())
        .build()
        .unwrap();
    let err = p
        .deadline(p.tier_by_id("vip").unwrap(), &case, 0)
        .unwrap_err();
    assert!(err.to_string().contains("horizon"), "{err}");
}

#[test]
fn long_targets_that_a_policy_may_write_have_deadlines() {
    // a year and more of open time: 9,000 hours on 24x7 (375 days), and 100 days of open
    // time on the spec example's business calendar (more than a calendar year)
    let p = with_one_sla("", "24x7", "claim", "settle", "9000h");
    let opened: DateTime<Utc> = "2026-06-30T09:00:00Z".parse().unwrap();
    let case = p.case("claim", opened).build().unwrap();
    let d = p.deadline(p.tier_by_id("vip").unwrap(), &case, 0).unwrap();
    assert_eq!(d.due(), opened + chrono::Duration::hours(9000));
    let p = with_one_sla(
        "[calendars.office]\nhours = { mon = [\"09:00-17:00\"], tue = [\"09:00-17:00\"], \
         wed = [\"09:00-17:00\"], thu = [\"09:00-17:00\"], fri = [\"09:00-17:00\"] }\n",
        "office",
        "claim",
        "settle",
        "100d",
    );
    let case = p.case("claim", opened).build().unwrap();
    let d = p.deadline(p.tier_by_id("vip").unwrap(), &case, 0).unwrap();
    // 2,400 hours at 40 a week: 60 weeks after a Tuesday 09:00 UTC (the policy's zone is
    // UTC+8, so that is 17:00 local, closing time: counting starts on Wednesday)
    assert!(d.due() > opened + chrono::Duration::days(7 * 60 - 7));
    assert!(d.due() < opened + chrono::Duration::days(7 * 60 + 7));
}
