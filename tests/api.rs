//! Integration tests of the public library API: scoring and tiering semantics of the spec,
//! a cross-check against an independent implementation, services and SLA deadlines.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers building fixtures fail the test by panicking"
)]

use tierwise::{Decision, EvalErrorKind, Policy};

use crate::common::{date, instant, load};

/// The spec's example policy (sections 1-7).
fn spec_policy() -> Policy {
    load("tests/inputs/spec-example.toml")
}

/// The ladder of the tiering scenarios (`tests/inputs/tiering/common/ladder.toml`: one
/// linear dimension on `teu`, score = teu / 10, tiers gold 80 / silver 60 / bronze 30 /
/// basic 0, a floor and a cap) with `[tiering]` options. The tier decisions themselves are
/// scenario files beside it; the tests here look at what scenarios cannot (traces, flags).
fn ladder(tiering: &str, extra: &str) -> Policy {
    let common = std::fs::read_to_string("tests/inputs/tiering/common/ladder.toml").unwrap();
    let text = format!(
        "[policy]\nid = \"ladder\"\nversion = \"1\"\ntimezone = \"UTC\"\n\n{common}\n{extra}\n\n[tiering]\n{tiering}\n"
    );
    Policy::from_toml_str("ladder.toml", &text).unwrap_or_else(|e| panic!("{e:#}"))
}

fn tier_of(p: &Policy, c: &tierwise::Customer, as_of: &str) -> (String, Decision) {
    let a = p.classify(c, date(as_of)).unwrap();
    (p.tier(a.tier()).unwrap().id().to_owned(), a.decision())
}

#[test]
fn spec_example_scores_exactly() {
    let p = spec_policy();
    let c = p
        .customer("C1")
        .set("annual_teu", "1250")
        .set("customer_since", "2019-04-01")
        .set("gross_margin_pct", "9.5")
        .set("influence", "regional")
        .build()
        .unwrap();
    let a = p.classify(&c, date("2026-06-30")).unwrap();
    // volume 40 + 750 * 30 / 1500 = 55; tenure 7 years -> 80; margin 50 + 4.5 * 5 = 72.5;
    // influence regional 50; (35*55 + 15*80 + 30*72.5 + 20*50) / 100 = 63
    let dims: Vec<String> = a
        .dimension_scores()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(dims, ["55.00", "80.00", "72.50", "50.00"]);
    assert_eq!(a.score().to_string(), "63.00");
    assert_eq!(p.tier(a.tier()).unwrap().id(), "key");
    assert_eq!(p.tier(a.qualified_tier()).unwrap().id(), "key");
}

#[test]
fn leap_day_tenure_counts_whole_years() {
    let p = spec_policy();
    let c = p
        .customer("L")
        .set("annual_teu", "0")
        .set("customer_since", "2024-02-29")
        .set("gross_margin_pct", "0")
        .set("influence", "local")
        .build()
        .unwrap();
    // 2 full years on 2026-03-01 (steps: [1,30],[3,60]) -> 30; 1 year on 2026-02-28 -> 30;
    // the exact boundary shows with days instead, so check the trace's measured years
    let e = p.explain(&c, date("2026-03-01")).unwrap();
    assert_eq!(
        serde_json::to_value(&e).unwrap()["dimensions"][1]["measured"],
        "2 years"
    );
    let e = p.explain(&c, date("2026-02-28")).unwrap();
    assert_eq!(
        serde_json::to_value(&e).unwrap()["dimensions"][1]["measured"],
        "1 years"
    );
}

#[test]
fn future_dates_and_missing_metrics_are_errors() {
    let p = spec_policy();
    let c = p
        .customer("F")
        .set("annual_teu", "10")
        .set("customer_since", "2027-01-01")
        .set("gross_margin_pct", "1")
        .set("influence", "local")
        .build()
        .unwrap();
    let e = p.classify(&c, date("2026-06-30")).unwrap_err();
    assert!(matches!(e.kind(), EvalErrorKind::FutureDate { .. }));
    assert_eq!(e.field(), "customer_since");
    let err = p.customer("M").set("annual_teu", "10").build().unwrap_err();
    let fields: Vec<&str> = err.errors().iter().map(|e| e.field()).collect();
    assert_eq!(fields, ["customer_since", "gross_margin_pct", "influence"]);
}

#[test]
fn a_date_only_conditions_read_may_lie_after_the_as_of_date() {
    // the spec's "a date after the as-of date is an input error" is about the dates a
    // dimension scores; a renewal date that only a condition reads is naturally ahead
    let p = Policy::from_toml_str(
        "renewal.toml",
        r#"
[policy]
id = "renewal"
version = "1"
timezone = "UTC"

[metrics]
since = { type = "date" }
renewal = { type = "date" }

[scoring.dimensions.tenure]
metric = "since"
weight = 1
curve = "steps"
points = [[0, 0], [5, 100]]

[[tiers]]
id = "key"
min_score = 50
require = ["renewal >= 2026-12-31"]

[[tiers]]
id = "standard"
min_score = 0
"#,
    )
    .unwrap();
    let c = p
        .customer("R")
        .set("since", "2015-01-01")
        .set("renewal", "2027-06-30")
        .build()
        .unwrap();
    let a = p.classify(&c, date("2026-06-30")).unwrap();
    assert_eq!(p.tier(a.tier()).unwrap().id(), "key");
    // the scored date after the day is still an error
    let c = p
        .customer("S")
        .set("since", "2027-01-01")
        .set("renewal", "2027-06-30")
        .build()
        .unwrap();
    let e = p.classify(&c, date("2026-06-30")).unwrap_err();
    assert_eq!(e.field(), "since");
}

#[test]
fn a_response_channel_need_not_be_listed_unless_it_looks_misspelt() {
    let text = std::fs::read_to_string("tests/inputs/policies/ok_services_full.toml").unwrap();
    // the spec asks no declaration of channels: `wechat` is a channel from its response
    // target on, and routing may test it
    let text = text
        .replacen(
            "benefits = [\"priority_claims\"]\n",
            "benefits = [\"priority_claims\"]\nresponse = { wechat = \"5m\" }\n",
            1,
        )
        .replace("or case.channel == 'phone'", "or case.channel == 'wechat'");
    assert!(text.contains("wechat = \"5m\"") && text.contains("'wechat'"));
    let p = Policy::from_toml_str("wechat.toml", &text).unwrap();
    let vip = p.tier_by_id("vip").unwrap();
    let service = p.tier_service(vip).unwrap().unwrap();
    assert_eq!(service.response("wechat").unwrap().to_string(), "5m");
    assert_eq!(service.response("phone").unwrap().to_string(), "1m");

    // a near miss of a listed channel is taken for a typo
    let typo = text.replace("wechat = \"5m\"", "emial = \"5m\"");
    let err = Policy::from_toml_str("typo.toml", &typo).unwrap_err();
    let d = &err.diagnostics()[0];
    assert!(d.message().contains("`emial` is not a channel"), "{err}");
    assert_eq!(d.help(), Some("did you mean `email`?"));
}

#[test]
fn input_errors_name_customer_field_and_bound() {
    let p = spec_policy();
    let err = p
        .customer("C7")
        .set("annual_teu", "-1")
        .set("gross_margin_pct", "120")
        .set("influence", "regionl")
        .set("customer_since", "2020-13-01")
        .set("overdue_days", "1.5")
        .set("annual_teus", "3")
        .build()
        .unwrap_err();
    let text: Vec<String> = err.errors().iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "customer `C7`: field `annual_teu`: -1 is below the minimum 0 of `annual_teu`",
            "customer `C7`: field `gross_margin_pct`: 120 is above the maximum 100 of `gross_margin_pct`",
            "customer `C7`: field `influence`: `regionl` is not a value of `influence`",
            "customer `C7`: field `customer_since`: `2020-13-01` is not a date (expected YYYY-MM-DD)",
            "customer `C7`: field `overdue_days`: `1.5` is not a whole number",
            "customer `C7`: field `annual_teus`: `annual_teus` is neither a metric of policy `ocean-shipping` nor a state or pin field",
        ]
    );
    assert_eq!(err.errors()[2].help(), Some("did you mean `regional`?"));
    assert_eq!(err.errors()[5].help(), Some("did you mean `annual_teu`?"));
}

#[test]
fn decimals_are_read_exactly() {
    let p = ladder("", "");
    let c = p
        .customer("X")
        .set("teu", "123.456789012345678901")
        .build()
        .unwrap();
    let a = p.classify(&c, date("2026-01-01")).unwrap();
    assert_eq!(a.score().to_string(), "12.35");
    let c = p.customer("Y").set("teu", "604.995").build().unwrap();
    // 60.4995 rounds half away from zero to 60.50
    assert_eq!(
        p.classify(&c, date("2026-01-01"))
            .unwrap()
            .score()
            .to_string(),
        "60.50"
    );
}

/// The tiers of these customers are in `tests/inputs/tiering/ladder.tests.toml`; the trace
/// names the gate that failed.
#[test]
fn the_trace_names_the_failed_gate() {
    let p = ladder("", "");
    let gated = p
        .customer("2")
        .set("teu", "900")
        .set("rating", "C")
        .build()
        .unwrap();
    let a = p.classify(&gated, date("2026-01-01")).unwrap();
    assert_eq!(p.tier(a.qualified_tier()).unwrap().id(), "silver");
    let e = p.explain(&gated, date("2026-01-01")).unwrap();
    assert_eq!(
        e.higher_tiers()[0].failed_requirements(),
        ["rating in ['A', 'B']"]
    );
    assert!(e.higher_tiers()[0].score_met());
}

/// A step limit larger than any ladder (the spec sets no maximum) limits nothing; the
/// other step-limit cases are in `tests/inputs/tiering/`.
#[test]
fn a_huge_step_limit_limits_nothing() {
    for huge in ["65536", "1000000000"] {
        let p = ladder(&format!("max_downgrade_steps = {huge}"), "");
        let c = p
            .customer("D")
            .set("teu", "10")
            .previous_tier("gold")
            .build()
            .unwrap();
        assert_eq!(
            tier_of(&p, &c, "2026-06-30"),
            ("basic".into(), Decision::Qualified)
        );
    }
}

/// Pins decide tiers in `tests/inputs/tiering/`; here: the expired-pin flag and note, and
/// the input error of a pin to an unknown tier.
#[test]
fn an_expired_pin_is_flagged_and_explained() {
    let p = ladder("", "");
    let c = p
        .customer("P")
        .set("teu", "10")
        .pin("gold", Some(date("2026-12-31")), Some("contract"))
        .build()
        .unwrap();
    assert!(!p.classify(&c, date("2026-12-31")).unwrap().expired_pin());
    let a = p.classify(&c, date("2027-01-01")).unwrap();
    assert_eq!(p.tier(a.tier()).unwrap().id(), "basic");
    assert!(a.expired_pin());
    let e = p.explain(&c, date("2027-01-01")).unwrap();
    assert_eq!(
        e.notes(),
        ["the pin to `gold` expired on 2026-12-31 and was ignored"]
    );
    // a pin to an unknown tier is an input error
    let err = p
        .customer("Z")
        .set("teu", "1")
        .pin("golden", None, None)
        .build()
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), "pinned_tier");
    assert_eq!(err.errors()[0].help(), Some("did you mean `gold`?"));
}

#[test]
fn unknown_previous_tier_is_ignored_and_reported() {
    let p = ladder("", "");
    let c = p
        .customer("O")
        .set("teu", "650")
        .previous_tier("platinum")
        .tier_since(date("2020-01-01"))
        .build()
        .unwrap();
    let a = p.classify(&c, date("2026-06-30")).unwrap();
    assert!(a.ignored_previous_tier());
    assert_eq!(p.tier(a.tier()).unwrap().id(), "silver");
    assert_eq!(a.state().tier_since(), date("2026-06-30"));
    let e = p.explain(&c, date("2026-06-30")).unwrap();
    assert_eq!(
        e.notes(),
        ["previous tier `platinum` is not a tier of this policy and was ignored"]
    );
}

#[test]
fn absent_optional_metrics() {
    let extra = "";
    let p = ladder("", extra);
    let text = std::fs::read_to_string("tests/inputs/spec-example.toml")
        .unwrap()
        .replace(
            "gross_margin_pct = { type = \"decimal\", min = -100, max = 100 }",
            "gross_margin_pct = { type = \"decimal\", min = -100, max = 100, required = false }",
        );
    let strict = Policy::from_toml_str("strict.toml", &text).unwrap();
    let lenient = Policy::from_toml_str(
        "lenient.toml",
        &text.replace("missing = \"error\"", "missing = \"zero\""),
    )
    .unwrap();
    let build = |p: &Policy| {
        p.customer("A")
            .set("annual_teu", "20000")
            .set("customer_since", "2000-01-01")
            .set("influence", "global_leader")
            .build()
            .unwrap()
    };
    let e = strict
        .classify(&build(&strict), date("2026-06-30"))
        .unwrap_err();
    assert_eq!(e.field(), "gross_margin_pct");
    assert!(matches!(e.kind(), EvalErrorKind::Missing { .. }));
    let a = lenient
        .classify(&build(&lenient), date("2026-06-30"))
        .unwrap();
    // 35*100 + 15*100 + 30*0 + 20*100 = 7000 / 100 = 70; vip needs margin >= 8: absent -> false
    assert_eq!(a.score().to_string(), "70.00");
    assert_eq!(lenient.tier(a.tier()).unwrap().id(), "key");
    // the absent metric's 0 is a dimension score like the others: `precision` decimals
    let dims: Vec<String> = a
        .dimension_scores()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(dims, ["100.00", "100.00", "0.00", "100.00"]);
    for precision in [0, 6] {
        let text = text
            .replace("missing = \"error\"", "missing = \"zero\"")
            .replace("precision = 2", &format!("precision = {precision}"));
        let p = Policy::from_toml_str("lenient.toml", &text).unwrap();
        let a = p.classify(&build(&p), date("2026-06-30")).unwrap();
        let zero = a.dimension_scores()[2].value();
        assert_eq!(zero.scale(), precision, "{zero}");
        assert!(zero.is_zero());
    }
    let _ = p;
}

#[test]
fn customer_of_another_policy_is_refused() {
    let p = ladder("", "");
    let q = ladder("", "");
    let c = p.customer("X").set("teu", "1").build().unwrap();
    assert!(matches!(
        q.classify(&c, date("2026-01-01")).unwrap_err().kind(),
        EvalErrorKind::WrongPolicy
    ));
}

/// Spec section 20: a tier number, resolution or case of one compiled policy given to
/// another (here a reload with one more tier at the top) is an error, never the other
/// policy's tier of the same rank.
#[test]
fn results_of_one_policy_are_refused_by_another() {
    use tierwise::sla::SlaErrorKind;
    use tierwise::{PolicyStore, WrongPolicyKind};

    let text = std::fs::read_to_string("policies/ocean-shipping.toml").unwrap();
    let store = PolicyStore::new(Policy::from_toml_str("ocean.toml", &text).unwrap());
    let old = store.policy();
    let c = old
        .customer("S")
        .set("annual_teu", "10")
        .set("customer_since", "2025-01-01")
        .set("gross_margin_pct", "1")
        .set("influence", "local")
        .build()
        .unwrap();
    let a = old.classify(&c, date("2026-06-30")).unwrap();
    assert_eq!(old.tier(a.tier()).unwrap().id(), "standard");

    // the same file with a tier above all others, swapped in by a reload
    let top = "[[tiers]]\nid = \"platinum\"\nmin_score = 99\n\n[[tiers]]\nid = \"vip\"";
    let grown = text.replacen("[[tiers]]\nid = \"vip\"", top, 1);
    assert_ne!(grown, text);
    let grown = grown.replacen(
        "[service.vip]",
        "[service.platinum]\nextends = \"vip\"\n\n[service.vip]",
        1,
    );
    store.replace(Policy::from_toml_str("ocean.toml", &grown).unwrap_or_else(|e| panic!("{e:#}")));
    let new = store.policy();
    // same rank, another policy: `key` there, but this customer was `standard` here
    assert_eq!(new.tiers().nth(a.tier().rank()).unwrap().1.id(), "key");
    let err = new.tier(a.tier()).unwrap_err();
    assert_eq!(err.kind(), WrongPolicyKind::Tier);
    assert_eq!(
        err.to_string(),
        "wrong policy: the tier number was made by another compiled policy"
    );
    assert!(new.tier_service(a.tier()).is_err());

    // a resolution and a case of the old snapshot
    let r = old.resolve(&c, date("2026-06-30")).unwrap();
    assert_eq!(
        new.service(&r).unwrap_err().kind(),
        WrongPolicyKind::Resolution
    );
    let case = old
        .case("complaint", instant("2026-06-30T09:00:00+08:00"))
        .build()
        .unwrap();
    let wrong = |e: tierwise::sla::SlaError| *e.kind() == SlaErrorKind::WrongPolicy;
    assert!(wrong(new.deadlines(a.tier(), &case).unwrap_err()));
    assert!(wrong(new.escalations(a.tier(), &case).unwrap_err()));
    assert!(wrong(new.route(&c, &r, &case).unwrap_err()));
    assert!(wrong(new.handle(&c, &r, &case).unwrap_err()));
    // the new snapshot's own tier numbers and cases work with a case of its own
    let case = new
        .case("complaint", instant("2026-06-30T09:00:00+08:00"))
        .build()
        .unwrap();
    let (platinum, _) = new.tiers().next().unwrap();
    assert!(new.deadlines(platinum, &case).is_ok());
    // an old tier number with a new case is refused too
    assert!(wrong(new.deadlines(a.tier(), &case).unwrap_err()));
    // the same policy text compiled twice is two policies
    let twice = Policy::from_toml_str("ocean.toml", &text).unwrap();
    assert!(twice.tier(a.tier()).is_err());
    // a clone is the same policy
    assert!(old.clone().tier(a.tier()).is_ok());
}

/// Spec section 20: `milestones_for` says which milestones a severity has; the others get
/// no target, no deadline and no escalation for cases of that severity.
#[test]
fn milestones_apply_per_severity() {
    use tierwise::sla::SlaErrorKind;

    let p = load("policies/express-parcel.toml");
    assert_eq!(
        p.milestones("exception").unwrap().collect::<Vec<_>>(),
        ["pre_compensation", "solution", "options"]
    );
    let standard = p.tier_by_id("standard").unwrap();
    let opened = instant("2026-07-04T21:00:00+08:00");
    let case = |severity: &str| {
        p.case("exception", opened)
            .severity(severity)
            .build()
            .unwrap()
    };
    let names = |ds: Vec<tierwise::sla::Deadline<'_>>| {
        ds.iter()
            .map(|d| d.milestone().to_owned())
            .collect::<Vec<_>>()
    };
    let level1 = case("level1");
    assert_eq!(
        names(p.deadlines(standard, &level1).unwrap()),
        ["pre_compensation", "solution"]
    );
    let level2 = case("level2");
    assert_eq!(names(p.deadlines(standard, &level2).unwrap()), ["options"]);
    // the milestone of another severity has no deadline
    let err = p.deadline(standard, &level2, 0).unwrap_err();
    assert_eq!(
        err.kind(),
        &SlaErrorKind::NotApplicable {
            milestone: "pre_compensation".into(),
            severity: "level2".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "milestone `pre_compensation` does not apply to cases of severity `level2`"
    );
    assert!(p.deadline(standard, &level2, 2).is_ok());
    // escalation runs only the ladders of the milestones that apply
    let ladders = |c: &tierwise::sla::Case| {
        let mut m: Vec<String> = p
            .escalations(standard, c)
            .unwrap()
            .iter()
            .map(|s| s.milestone().to_owned())
            .collect();
        m.dedup();
        m
    };
    assert_eq!(ladders(&level1), ["pre_compensation", "solution"]);
    assert_eq!(ladders(&level2), ["options"]);
    // without milestones_for, every milestone needs a target for every severity
    let text = std::fs::read_to_string("policies/express-parcel.toml").unwrap();
    let without = text.replace(
        "milestones_for = { level1 = [\"pre_compensation\", \"solution\"], level2 = [\"options\"] }\n",
        "",
    );
    assert_ne!(without, text);
    let err = Policy::from_toml_str("express.toml", &without).unwrap_err();
    assert!(
        err.diagnostics()
            .iter()
            .any(|d| d.message().contains("no SLA target")),
        "{err:#}"
    );
}

/// Customer text is read strictly (spec section 14): plain decimals, `YYYY-MM-DD` dates,
/// `true`/`false`; a number literal of a typed format (`InputValue::Number`, as JSON
/// numbers are) may have an exponent.
#[test]
fn customer_text_is_strict() {
    use tierwise::InputValue;

    let p = load("policies/ocean-shipping.toml");
    let with = |field: &str, value: InputValue| {
        let mut b = p
            .customer("C")
            .set("annual_teu", "100")
            .set("customer_since", "2019-04-01")
            .set("gross_margin_pct", "9.5")
            .set("influence", "regional");
        b = b.set(field, value);
        b.build()
            .map(|_| ())
            .map_err(|e| e.errors()[0].message().to_owned())
    };
    for bad in ["1_000", "1__0_", "_1", "1e2", "+12", "1,000", " 1 2"] {
        assert!(with("annual_teu", bad.into()).is_err(), "{bad}");
    }
    for good in ["99", "-0.5", "12.25", " 12 "] {
        assert!(with("gross_margin_pct", good.into()).is_ok(), "{good}");
    }
    for bad in ["1_0", "1e1", "+1"] {
        assert!(with("overdue_days", bad.into()).is_err(), "{bad}");
    }
    for bad in ["+2020-01-01", "2020-1-1", "-0001-01-01", "20200101"] {
        assert!(with("customer_since", bad.into()).is_err(), "{bad}");
    }
    for bad in ["TRUE", "True", " true", "yes"] {
        assert!(with("strategic", bad.into()).is_err(), "{bad}");
    }
    assert!(with("strategic", "true".into()).is_ok());
    // JSON numbers keep their exponent
    assert!(with("annual_teu", InputValue::Number("1.5e3".into())).is_ok());
    assert!(with("overdue_days", InputValue::Number("1e1".into())).is_ok());
    assert_eq!(
        with("annual_teu", "0.00000000000000000000000000001".into()).unwrap_err(),
        "`0.00000000000000000000000000001` has more than 28 digits after the decimal point and cannot be kept exactly"
    );
}

/// Every public error has the same shape: a struct whose `kind()` says what went wrong.
#[test]
fn every_error_says_its_kind() {
    use tierwise::calendar::{BusinessDuration, CalendarErrorKind, ClockTime, DurationErrorKind};
    use tierwise::sla::{CaseErrorKind, SlaErrorKind};
    use tierwise::InputErrorKind;

    let p = load("policies/ocean-shipping.toml");
    let err = p
        .customer("C1")
        .set("annual_teu", "-5")
        .set("annual_tue", "1")
        .set("influence", "global")
        .pin("gold", None, None)
        .build()
        .unwrap_err();
    let kinds: Vec<_> = err.errors().iter().map(|e| (e.field(), e.kind())).collect();
    assert!(
        kinds.contains(&("annual_teu", InputErrorKind::OutOfRange)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("annual_tue", InputErrorKind::UnknownField)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("influence", InputErrorKind::InvalidValue)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("customer_since", InputErrorKind::Missing)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("pinned_tier", InputErrorKind::UnknownTier)),
        "{kinds:?}"
    );

    let opened = instant("2026-06-30T09:00:00+08:00");
    let case = |kind: &str, severity: &str| p.case(kind, opened).severity(severity).build();
    assert_eq!(
        case("complain", "major").unwrap_err().kind(),
        CaseErrorKind::UnknownKind
    );
    assert_eq!(
        case("complaint", "huge").unwrap_err().kind(),
        CaseErrorKind::UnknownSeverity
    );
    let reversed = p
        .case("complaint", opened)
        .pause(opened, opened - chrono::Duration::hours(1));
    assert_eq!(
        reversed.build().unwrap_err().kind(),
        CaseErrorKind::ReversedPause
    );

    let other = load("policies/ocean-shipping.toml");
    let case = case("complaint", "major").unwrap();
    let (vip, _) = p.tiers().next().unwrap();
    let err = other.deadlines(vip, &case).unwrap_err();
    assert_eq!(err.kind(), &SlaErrorKind::WrongPolicy);
    assert_eq!(err.milestone(), None);

    assert_eq!(
        "4x".parse::<BusinessDuration>().unwrap_err().kind(),
        DurationErrorKind::Malformed
    );
    assert_eq!(
        "-4h".parse::<BusinessDuration>().unwrap_err().kind(),
        DurationErrorKind::Negative
    );
    assert_eq!(
        "".parse::<BusinessDuration>().unwrap_err().kind(),
        DurationErrorKind::Empty
    );
    assert_eq!(
        "36700d".parse::<BusinessDuration>().unwrap_err().kind(),
        DurationErrorKind::TooLong
    );
    assert!(matches!(
        "25:00".parse::<ClockTime>().unwrap_err().kind(),
        CalendarErrorKind::InvalidTime(t) if t == "25:00"
    ));
}

/// Every customer of the sample population gets the same score, dimension scores, tiers and
/// state as an independent implementation of the spec (a Python script written from the
/// spec alone; its output is committed under tests/inputs/expected).
#[test]
fn sample_population_matches_an_independent_implementation() {
    let p = load("policies/ocean-shipping.toml");
    let as_of = date("2026-06-30");
    let expected: Vec<serde_json::Value> =
        std::fs::read_to_string("tests/inputs/expected/ocean-shipping.customers.2026-06-30.jsonl")
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    let mut reader = csv::Reader::from_path("data/customers.csv").unwrap();
    let headers = reader.headers().unwrap().clone();
    let mut n = 0;
    for (row, exp) in reader.records().zip(&expected) {
        let row = row.unwrap();
        let mut b = p.customer(&row[0]);
        for (h, v) in headers.iter().zip(row.iter()).skip(1) {
            if !v.is_empty() {
                b = b.set(h, v);
            }
        }
        let c = b.build().unwrap();
        let a = p.classify(&c, as_of).unwrap();
        let id = &row[0];
        assert_eq!(exp["id"], id);
        assert_eq!(exp["score"], a.score().to_string(), "{id} score");
        for (name, s) in p.dimension_names().zip(a.dimension_scores()) {
            assert_eq!(exp["dims"][name], s.to_string(), "{id} {name}");
        }
        assert_eq!(
            exp["qualified"],
            p.tier(a.qualified_tier()).unwrap().id(),
            "{id} qualified"
        );
        assert_eq!(exp["tier"], p.tier(a.tier()).unwrap().id(), "{id} tier");
        assert_eq!(
            exp["state"]["tier_since"],
            a.state().tier_since().to_string(),
            "{id} tier_since"
        );
        let lq = a.state().last_qualified().map(|d| d.to_string());
        assert_eq!(
            exp["state"]["last_qualified"].as_str().map(str::to_owned),
            lq,
            "{id} last_qualified"
        );
        n += 1;
    }
    assert_eq!(n, 1200);
}

#[test]
fn sample_policies_load() {
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml")
            && !path.to_string_lossy().ends_with(".tests.toml")
        {
            let p = load(path.to_str().unwrap());
            assert!(p.has_services(), "{}", path.display());
        }
    }
}

#[test]
fn vip_service_and_grants() {
    let p = load("policies/ocean-shipping.toml");
    let (vip, _) = p.tiers().next().unwrap();
    let s = p.tier_service(vip).unwrap().unwrap();
    assert_eq!(s.support_hours(), "24x7");
    assert_eq!(
        s.account_manager(),
        tierwise::service::AccountManager::Dedicated
    );
    assert!(s.benefits().any(|b| b == "dedicated_manager"));
    let standard = p.tier_by_id("standard").unwrap();
    let s = p.tier_service(standard).unwrap().unwrap();
    assert_eq!(s.account_manager(), tierwise::service::AccountManager::None);
    assert_eq!(s.support_hours(), "cn_business");
}

#[test]
fn deadlines_follow_the_business_calendar() {
    let p = load("policies/ocean-shipping.toml");
    let standard = p.tier_by_id("standard").unwrap();
    // Wednesday 2026-09-30 is the eve of National Day (2026-10-01..07 holidays)
    let case = p
        .case("complaint", instant("2026-09-30T17:00:00+08:00"))
        .build()
        .unwrap();
    let d = p.deadlines(standard, &case).unwrap();
    let ack = &d[0];
    assert_eq!(ack.milestone(), "acknowledge");
    assert_eq!(ack.clock(), "cn_business");
    assert_eq!(ack.target_text(), "4h");
    // 1h on 09-30 (17-18), the holiday week is closed, then 3h on Thursday 10-08: 09-12
    assert_eq!(ack.due().to_rfc3339(), "2026-10-08T12:00:00+08:00");
    let vip = p.tier_by_id("vip").unwrap();
    let d = p.deadlines(vip, &case).unwrap();
    assert_eq!(d[0].clock(), "24x7");
    assert_eq!(d[0].due().to_rfc3339(), "2026-09-30T17:30:00+08:00");
    // Friday 10-09 17:00: 1h that day, then Saturday 10-10 is a make-up workday like Monday
    let case = p
        .case("complaint", instant("2026-10-09T09:00:00Z"))
        .build()
        .unwrap();
    let d = p.deadlines(standard, &case).unwrap();
    assert_eq!(d[0].due().to_rfc3339(), "2026-10-10T12:00:00+08:00");
    // the lunch break does not count: opened 11:00, 4h -> 16:00
    let case = p
        .case("complaint", instant("2026-11-23T11:00:00+08:00"))
        .build()
        .unwrap();
    assert_eq!(
        p.deadline(standard, &case, 0).unwrap().due().to_rfc3339(),
        "2026-11-23T16:00:00+08:00"
    );
    // a pause of one open hour moves it one hour later
    let case = p
        .case("complaint", instant("2026-11-23T11:00:00+08:00"))
        .pause(
            instant("2026-11-23T13:30:00+08:00"),
            instant("2026-11-23T14:30:00+08:00"),
        )
        .build()
        .unwrap();
    assert_eq!(
        p.deadline(standard, &case, 0).unwrap().due().to_rfc3339(),
        "2026-11-23T17:00:00+08:00"
    );
}

/// Readers keep evaluating while the store reloads good and bad policies: every policy they
/// see is complete and one of the good versions, and a bad reload keeps the previous one.
#[test]
fn policy_store_reloads_atomically_under_concurrent_readers() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    use tierwise::PolicyStore;

    let text = |version: &str, vip: u32| {
        format!(
            r#"
[policy]
id = "store"
version = "{version}"
timezone = "UTC"
[metrics]
teu = {{ type = "decimal", min = 0 }}
[scoring.dimensions.volume]
metric = "teu"
weight = 1
curve = "linear"
points = [[0, 0], [100, 100]]
[[tiers]]
id = "vip"
min_score = {vip}
[[tiers]]
id = "standard"
min_score = 0
"#
        )
    };
    let texts = [
        text("1", 50),
        "[policy]\nid = \"broken\"".to_owned(),
        text("2", 70),
        text("3", 80),
    ];
    let step = Arc::new(AtomicUsize::new(0));
    let loader_step = Arc::clone(&step);
    let store = Arc::new(
        PolicyStore::with_loader(move || {
            let i = loader_step.load(Ordering::SeqCst) % texts.len();
            Policy::from_toml_str("store.toml", &texts[i])
        })
        .unwrap(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let store = Arc::clone(&store);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut seen = 0u64;
                while !stop.load(Ordering::SeqCst) || seen == 0 {
                    let p = store.policy();
                    let c = p.customer("X").set("teu", "60").build().unwrap();
                    let tier = p
                        .tier(p.classify(&c, date("2026-01-01")).unwrap().tier())
                        .unwrap()
                        .id()
                        .to_owned();
                    // version 1 makes 60 a vip; versions 2 and 3 do not
                    match p.version() {
                        "1" => assert_eq!(tier, "vip"),
                        "2" | "3" => assert_eq!(tier, "standard"),
                        v => panic!("a reader saw version {v}"),
                    }
                    seen += 1;
                }
                seen
            })
        })
        .collect();
    let mut failed = 0;
    for i in 1..=200 {
        step.store(i, Ordering::SeqCst);
        let before = store.policy().version().to_owned();
        match store.reload() {
            Ok(()) => assert_eq!(store.policy().version(), ["1", "", "2", "3"][i % 4]),
            Err(e) => {
                failed += 1;
                assert!(!e.diagnostics().is_empty());
                assert_eq!(
                    store.policy().version(),
                    before,
                    "a failed reload changed the policy"
                );
            }
        }
    }
    stop.store(true, Ordering::SeqCst);
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
    assert_eq!(failed, 50);
}

/// Deadline traces (route, each milestone's due time, clock, target and deciding rule, and
/// the escalation steps) for characteristic cases, reviewed as snapshots.
#[test]
fn deadline_traces() {
    let cases = [
        (
            "policies/ocean-shipping.toml",
            "vip",
            "complaint",
            Some("major"),
            "2026-06-30T23:50:00+08:00",
            None,
        ),
        (
            "policies/ocean-shipping.toml",
            "standard",
            "complaint",
            None,
            "2026-09-30T17:00:00+08:00",
            Some(("2026-10-08T09:00:00+08:00", "2026-10-08T10:00:00+08:00")),
        ),
        (
            "policies/ocean-shipping.toml",
            "key",
            "exception",
            Some("level2"),
            "2026-10-09T17:30:00+08:00",
            None,
        ),
        (
            "policies/express-parcel.toml",
            "standard",
            "exception",
            Some("level1"),
            "2026-02-16T23:50:00+08:00",
            None,
        ),
        (
            "policies/logistics-3pl.toml",
            "standard",
            "complaint",
            None,
            "2026-05-08T16:00:00+08:00",
            None,
        ),
    ];
    for (path, tier, kind, severity, opened, pause) in cases {
        let p = load(path);
        let customer_tier = p.tier_by_id(tier).unwrap();
        let mut b = p.case(kind, instant(opened));
        if let Some(s) = severity {
            b = b.severity(s);
        }
        if let Some((from, to)) = pause {
            b = b.pause(instant(from), instant(to));
        }
        let case = b.build().unwrap();
        let deadlines = p.deadlines(customer_tier, &case).unwrap();
        let escalation = p.escalations(customer_tier, &case).unwrap();
        let name = format!("{}-{tier}-{kind}", p.id());
        // maps sorted: serde_json keeps insertion order when the `cli` feature is on
        insta::with_settings!({ sort_maps => true }, {
            insta::assert_json_snapshot!(
                name,
                serde_json::json!({
                    "opened": opened,
                    "pause": pause,
                    "deadlines": deadlines,
                    "escalation": escalation,
                })
            );
        });
    }
}

#[test]
fn results_as_owned_records_round_trip_and_refuse_another_policy() {
    let p = crate::common::load("policies/ocean-shipping.toml");
    let q = crate::common::load("policies/ocean-shipping.toml");
    let c = p
        .customer("R1")
        .set("annual_teu", "6000")
        .set("customer_since", "2012-01-01")
        .set("gross_margin_pct", "12")
        .set("influence", "global_leader")
        .set("credit_rating", "A")
        .build()
        .unwrap();
    let as_of = crate::common::date("2026-06-30");
    let r = p.resolve(&c, as_of).unwrap();
    let record = p.resolution_record(&r).unwrap();
    assert_eq!(record.assignment.tier, "vip");
    assert_eq!(record.assignment.dimensions.len(), 4);
    assert!(
        record.benefits.contains(&"dedicated_manager".to_owned()),
        "{record:?}"
    );
    let json = serde_json::to_string(&record).unwrap();
    let back: tierwise::trace::ResolutionRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, record);
    assert!(q.resolution_record(&r).is_err());
    assert!(q.record(r.assignment()).is_err());
}

#[test]
fn customers_by_metric_number_check_values_as_set_does() {
    let p = crate::common::load("policies/ocean-shipping.toml");
    let teu = p.metric_id("annual_teu").unwrap();
    let influence = p.metric_id("influence").unwrap();
    assert!(p.enum_value(teu, "regional").is_none(), "not an enum");
    assert!(p.enum_value(influence, "regionl").is_none());
    let regional = p.enum_value(influence, "regional").unwrap();
    let by_number = p
        .customer("T1")
        .set_metric(teu, tierwise::rust_decimal::Decimal::from(1250))
        .set("customer_since", "2019-04-01")
        .set("gross_margin_pct", "9.5")
        .set_metric(influence, regional)
        .set("credit_rating", "A")
        .build()
        .unwrap();
    let by_name = p
        .customer("T1")
        .set("annual_teu", "1250")
        .set("customer_since", "2019-04-01")
        .set("gross_margin_pct", "9.5")
        .set("influence", "regional")
        .set("credit_rating", "A")
        .build()
        .unwrap();
    assert_eq!(by_number, by_name);
    // the same checks: a bound, a type, an enum value out of range
    let err = p
        .customer("T2")
        .set_metric(teu, "-5")
        .set_metric(influence, tierwise::InputValue::Choice(99))
        .set_metric(teu, true)
        .build()
        .unwrap_err();
    let kinds: Vec<_> = err
        .errors()
        .iter()
        .map(|e| (e.field().to_owned(), e.kind()))
        .collect();
    assert!(
        kinds.contains(&(
            "annual_teu".to_owned(),
            tierwise::InputErrorKind::OutOfRange
        )),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(
            "influence".to_owned(),
            tierwise::InputErrorKind::InvalidValue
        )),
        "{kinds:?}"
    );
    assert!(
        kinds.iter().filter(|(f, _)| f == "annual_teu").count() == 2,
        "{kinds:?}"
    );
    // a metric number of another compiled policy is refused, not read as this one's
    let q = crate::common::load("policies/ocean-shipping.toml");
    let err = q.customer("T3").set_metric(teu, "5").build().unwrap_err();
    assert_eq!(
        err.errors()[0].kind(),
        tierwise::InputErrorKind::UnknownField
    );
    assert!(q.enum_value(influence, "regional").is_none());
}

#[test]
fn a_previous_tier_by_number_is_the_tier_by_name_and_another_policys_number_is_refused() {
    let p = crate::common::load("policies/ocean-shipping.toml");
    let as_of = crate::common::date("2026-06-30");
    let key = p.tier_by_id("key").unwrap();
    fn fill(b: tierwise::CustomerBuilder<'_>) -> tierwise::CustomerBuilder<'_> {
        b.set("annual_teu", "90")
            .set("customer_since", "2019-04-01")
            .set("gross_margin_pct", "9.5")
            .set("influence", "regional")
            .last_qualified(crate::common::date("2026-05-01"))
    }
    let by_number = fill(p.customer("T1"))
        .previous_tier_id(key)
        .build()
        .unwrap();
    let by_name = fill(p.customer("T1")).previous_tier("key").build().unwrap();
    assert_eq!(by_number, by_name);
    assert_eq!(
        p.classify(&by_number, as_of).unwrap(),
        p.classify(&by_name, as_of).unwrap()
    );
    // a tier number of another compiled policy is refused, not read as this one's
    let q = crate::common::load("policies/ocean-shipping.toml");
    let err = fill(q.customer("T2"))
        .previous_tier_id(key)
        .build()
        .unwrap_err();
    assert_eq!(err.errors().len(), 1);
    assert_eq!(err.errors()[0].field(), "previous_tier");
    assert_eq!(
        err.errors()[0].kind(),
        tierwise::InputErrorKind::UnknownTier
    );
    assert_eq!(err.errors()[0].customer(), "T2");
}

#[test]
fn ids_of_every_length_are_kept_as_given_fresh_and_reusing() {
    let p = crate::common::load("policies/ocean-shipping.toml");
    fn fill(b: tierwise::CustomerBuilder<'_>) -> tierwise::CustomerBuilder<'_> {
        b.set("annual_teu", "90")
            .set("customer_since", "2019-04-01")
            .set("gross_margin_pct", "9.5")
            .set("influence", "regional")
    }
    let ids = [
        "",
        "C1",
        "CUST-2026-000123",
        "exactly-twenty-two-b22",
        "exactly-twenty-three-23",
        "客户-华东-2026-000123",
        "a customer id much longer than any kept in the record itself",
    ];
    let mut spent = None;
    for id in ids.iter().chain(ids.iter().rev()) {
        let fresh = fill(p.customer(id)).build().unwrap();
        assert_eq!(fresh.id(), *id);
        let reused = match spent.take() {
            Some(s) => fill(p.customer_reusing(id, s)).build().unwrap(),
            None => fresh.clone(),
        };
        assert_eq!(reused, fresh);
        assert_eq!(reused.id(), *id);
        spent = Some(reused);
    }
    // the id an error names is the customer's, at every length
    let long = ids[6];
    let err = p
        .customer(long)
        .set("annual_teu", "-1")
        .build()
        .unwrap_err();
    assert!(err.errors().iter().all(|e| e.customer() == long));
}

#[test]
fn customers_from_a_services_own_struct_check_fields_as_set_does() {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Influence {
        NationalLeader,
    }
    #[derive(serde::Serialize)]
    struct Account {
        id: u64,
        annual_teu: tierwise::rust_decimal::Decimal,
        customer_since: chrono::NaiveDate,
        gross_margin_pct: String,
        influence: Influence,
        credit_rating: &'static str,
        overdue_days: Option<i32>,
        previous_tier: Option<&'static str>,
    }
    let p = crate::common::load("policies/ocean-shipping.toml");
    let account = Account {
        id: 42,
        annual_teu: "1250".parse().unwrap(),
        customer_since: crate::common::date("2019-04-01"),
        gross_margin_pct: "9.5".into(),
        influence: Influence::NationalLeader,
        credit_rating: "A",
        overdue_days: None,
        previous_tier: Some("vip"),
    };
    let from_struct = p.customer_from(&account).unwrap();
    let by_hand = p
        .customer("42")
        .set("annual_teu", "1250")
        .set("customer_since", "2019-04-01")
        .set("gross_margin_pct", "9.5")
        .set("influence", "national_leader")
        .set("credit_rating", "A")
        .previous_tier("vip")
        .build()
        .unwrap();
    assert_eq!(from_struct, by_hand);
    // the errors of `set`: a typo'd field with its suggestion, a bound, a float, no id
    #[derive(serde::Serialize)]
    struct Bad {
        anual_teu: u32,
        overdue_days: i64,
        gross_margin_pct: f64,
    }
    let err = p
        .customer_from(&Bad {
            anual_teu: 5,
            overdue_days: -1,
            gross_margin_pct: 1.5,
        })
        .unwrap_err();
    let fields: Vec<&str> = err.errors().iter().map(|e| e.field()).collect();
    assert!(
        fields.contains(&"anual_teu") && fields.contains(&"overdue_days"),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"gross_margin_pct") && fields.contains(&"id"),
        "{fields:?}"
    );
    let typo = err
        .errors()
        .iter()
        .find(|e| e.field() == "anual_teu")
        .unwrap();
    assert_eq!(typo.help(), Some("did you mean `annual_teu`?"));
    assert!(p.customer_from(&5u32).is_err(), "a number is no record");
}
