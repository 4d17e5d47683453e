//! The condition parser and type checker, and evaluation of what they accept.
//!
//! The first byte picks where the condition stands in a fixed small policy (a tier's
//! `require`, an adjustment's `when`, a grant's `when` or a routing rule's `when`, each
//! allowing other names); the rest, as UTF-8 (lossily), is the condition, written into
//! a TOML basic string with every character that needs it escaped. The policy is valid
//! with the condition `true`, so a load error must come from the condition: every
//! diagnostic must point inside its string. A policy that loads classifies, explains,
//! resolves and handles a case for a few customers.
#![no_main]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use libfuzzer_sys::fuzz_target;
use tierwise::Policy;

/// `{REQUIRE}`, `{ADJUST}`, `{GRANT}` and `{ROUTE}` are replaced by conditions.
const POLICY: &str = r#"[policy]
id = "fuzz"
version = "1"
timezone = "Europe/Berlin"

[metrics]
teu = { type = "decimal", min = -1000000, max = 1000000 }
margin = { type = "decimal", required = false }
orders = { type = "integer", default = 0 }
since = { type = "date", required = false }
rating = { type = "enum", values = ["A", "B", "C"], default = "B" }
strategic = { type = "bool", default = false }

[scoring]
precision = 2
missing = "zero"

[scoring.dimensions.volume]
metric = "teu"
weight = 60
curve = "linear"
points = [[0, 0], [1000, 50], [10000, 100]]

[scoring.dimensions.rating]
metric = "rating"
weight = 40
map = { A = 100, B = 60, C = 0 }

[[tiers]]
id = "gold"
min_score = 70
require = [{REQUIRE}]

[[tiers]]
id = "silver"
min_score = 40
require = ["rating != 'C'"]

[[tiers]]
id = "basic"
min_score = 0

[[adjustments]]
when = {ADJUST}
at_least = "silver"
reason = "fuzz floor"

[service.basic]
support_hours = "office"
account_manager = "none"
channels = ["email", "phone"]
response = { email = "8h", phone = "2m" }

[service.silver]
extends = "basic"

[service.gold]
extends = "silver"
support_hours = "24x7"

[benefits.lounge]
name = "lounge"

[[grants]]
when = {GRANT}
benefits = ["lounge"]

[calendars.office]
timezone = "Europe/Berlin"
holidays = [{ from = 2026-12-24, to = 2026-12-26, name = "Christmas" }]
workdays = [{ date = 2026-12-27, like = "mon" }]

[calendars.office.hours]
mon = ["09:00-12:00", "13:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-15:00"]

[cases.complaint]
severities = ["minor", "major"]
milestones = ["acknowledge", "resolve"]

[[sla]]
case = "complaint"
targets = { acknowledge = "4h", resolve = "3d" }

[[routing]]
when = {ROUTE}
queue = "fuzz"

[[routing]]
queue = "general"
"#;

/// A TOML basic string holding `s`.
fn basic_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{0}'..='\u{1f}' | '\u{7f}' => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&place, rest)) = data.split_first() else {
        return;
    };
    let condition = String::from_utf8_lossy(rest);
    let literal = basic_string(&condition);
    let place = place % 4;
    let mut text = POLICY.to_owned();
    let mut at = None;
    for (i, key) in ["{REQUIRE}", "{ADJUST}", "{GRANT}", "{ROUTE}"]
        .into_iter()
        .enumerate()
    {
        if i == usize::from(place) {
            at = text.find(key).map(|start| start..start + literal.len());
            text = text.replacen(key, &literal, 1);
        } else {
            text = text.replacen(key, "\"true\"", 1);
        }
    }
    let Some(at) = at else { return };
    match Policy::from_toml_str("fuzz.toml", &text) {
        Ok(policy) => evaluate(&policy),
        Err(e) => {
            let _ = format!("{e:#}");
            assert!(
                !e.diagnostics().is_empty(),
                "a load error without diagnostics"
            );
            for d in e.diagnostics() {
                let span = d.span();
                assert!(
                    span.start >= at.start && span.end <= at.end,
                    "diagnostic `{}` at {span:?} is outside the condition at {at:?}",
                    d.message()
                );
            }
        }
    }
});

fn evaluate(policy: &Policy) {
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default();
    let opened: DateTime<Utc> = DateTime::from_timestamp(1_782_810_000, 0).unwrap_or_default();
    let customers: [&[(&str, &str)]; 4] = [
        &[
            ("teu", "5000"),
            ("margin", "12.5"),
            ("since", "2016-04-01"),
            ("rating", "A"),
        ],
        &[("teu", "0")],
        &[
            ("teu", "-1000000"),
            ("margin", "-0.0000001"),
            ("orders", "-9223372036854775808"),
            ("rating", "C"),
            ("strategic", "true"),
        ],
        &[
            ("teu", "1000000"),
            ("margin", "79228162514264337593543950335"),
            ("orders", "9223372036854775807"),
            ("since", "9999-12-31"),
        ],
    ];
    for (i, fields) in customers.iter().enumerate() {
        let mut b = policy.customer(format!("C{i}"));
        for (k, v) in *fields {
            b = b.set(k, *v);
        }
        let Ok(customer) = b.build() else { continue };
        let assignment = policy.classify(&customer, as_of);
        let explanation = policy.explain(&customer, as_of);
        if let (Ok(a), Ok(x)) = (&assignment, &explanation) {
            assert_eq!(
                policy.tier(a.tier()).map(|t| t.id()).ok(),
                Some(x.tier()),
                "classify and explain disagree"
            );
            let _ = x.to_string();
        }
        let Ok(resolution) = policy.resolve(&customer, as_of) else {
            continue;
        };
        for severity in ["minor", "major"] {
            let case = policy
                .case("complaint", opened)
                .severity(severity)
                .pause(opened + Duration::hours(2), opened + Duration::hours(5))
                .build();
            if let Ok(case) = case {
                let _ = policy.handle(&customer, &resolution, &case);
            }
        }
    }
}
