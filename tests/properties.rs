//! Invariants of scoring and tiering, over random customers and random policies.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers building fixtures fail the test by panicking"
)]

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use tierwise::{Customer, Decision, Policy};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

/// A policy with random weights and random non-decreasing curves on two numeric metrics,
/// a date metric and an enum; tier gates mention only `margin` and `rating`.
fn random_policy(
    w: [u32; 4],
    vol_points: &[(u32, u32)],
    margin_points: &[(i32, u32)],
    precision: u32,
    tiering: &str,
) -> Policy {
    let pts = |p: &[(String, String)]| {
        p.iter()
            .map(|(x, y)| format!("[{x}, {y}]"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let vol: Vec<(String, String)> = vol_points
        .iter()
        .map(|(x, y)| (x.to_string(), y.to_string()))
        .collect();
    let margin: Vec<(String, String)> = margin_points
        .iter()
        .map(|(x, y)| (x.to_string(), y.to_string()))
        .collect();
    let text = format!(
        r#"
[policy]
id = "random"
version = "1"
timezone = "UTC"

[metrics]
teu = {{ type = "decimal", min = 0 }}
margin = {{ type = "decimal", min = -100, max = 100 }}
since = {{ type = "date" }}
rating = {{ type = "enum", values = ["A", "B", "C"] }}
strategic = {{ type = "bool", default = false }}

[scoring]
precision = {precision}

[scoring.dimensions.volume]
metric = "teu"
weight = {w0}.25
curve = "linear"
points = [{vol}]

[scoring.dimensions.margin]
metric = "margin"
weight = {w1}
curve = "steps"
points = [{margin}]

[scoring.dimensions.tenure]
metric = "since"
weight = {w2}
curve = "steps"
points = [[0, 0], [1, 30], [3, 60], [5, 80], [10, 100]]

[scoring.dimensions.rating]
metric = "rating"
weight = {w3}
map = {{ A = 100, B = 60, C = 10 }}

[[tiers]]
id = "vip"
min_score = 75
require = ["margin >= 5", "rating != 'C'"]

[[tiers]]
id = "key"
min_score = 50

[[tiers]]
id = "plus"
min_score = 25

[[tiers]]
id = "standard"
min_score = 0

[[adjustments]]
when = "strategic"
at_least = "key"
reason = "strategic"

[[adjustments]]
when = "rating == 'C' and margin < 0"
at_most = "plus"
reason = "risk"

[tiering]
{tiering}
"#,
        w0 = w[0],
        w1 = w[1],
        w2 = w[2],
        w3 = w[3],
        vol = pts(&vol),
        margin = pts(&margin),
    );
    Policy::from_toml_str("random.toml", &text).unwrap_or_else(|e| panic!("{e:#}\n{text}"))
}

/// Strictly increasing x with non-decreasing y in 0..=100.
fn curve(max_x: u32) -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop::collection::vec((1..max_x, 0u32..=100), 1..6).prop_map(|mut v| {
        v.sort();
        v.dedup_by_key(|p| p.0);
        let mut ys: Vec<u32> = v.iter().map(|p| p.1).collect();
        ys.sort();
        v.iter().zip(ys).map(|(p, y)| (p.0, y)).collect()
    })
}

#[derive(Debug, Clone)]
struct Input {
    teu: Decimal,
    margin: Decimal,
    since_days: i64,
    rating: &'static str,
    strategic: bool,
    previous: Option<&'static str>,
    tier_since_days: i64,
    last_qualified_days: Option<i64>,
    pin: Option<(&'static str, i64)>,
}

fn input() -> impl Strategy<Value = Input> {
    let tiers = prop::sample::select(vec!["vip", "key", "plus", "standard"]);
    (
        (0i64..2_000_000, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s)),
        (-10_000i64..=10_000).prop_map(|m| Decimal::new(m, 2)),
        0i64..8000,
        prop::sample::select(vec!["A", "B", "C"]),
        prop::bool::weighted(0.1),
        prop::option::of(tiers.clone()),
        0i64..800,
        prop::option::of(0i64..400),
        prop::option::weighted(0.1, (tiers, -100i64..100)),
    )
        .prop_map(
            |(
                teu,
                margin,
                since_days,
                rating,
                strategic,
                previous,
                tier_since_days,
                last_qualified_days,
                pin,
            )| Input {
                teu,
                margin,
                since_days,
                rating,
                strategic,
                previous,
                tier_since_days,
                last_qualified_days,
                pin,
            },
        )
}

fn build(p: &Policy, i: &Input) -> Customer {
    let day = |d: i64| as_of() - Duration::days(d);
    let mut b = p
        .customer("X")
        .set("teu", i.teu)
        .set("margin", i.margin)
        .set("since", day(i.since_days))
        .set("rating", i.rating)
        .set("strategic", i.strategic);
    if let Some(prev) = i.previous {
        b = b.previous_tier(prev).tier_since(day(i.tier_since_days));
        if let Some(lq) = i.last_qualified_days {
            b = b.last_qualified(day(lq));
        }
    }
    if let Some((tier, until)) = i.pin {
        b = b.pin(tier, Some(as_of() + Duration::days(until)), Some("test"));
    }
    b.build().unwrap()
}

fn round(v: Decimal, dp: u32) -> Decimal {
    let mut r = v.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    r
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn scores_are_bounded_exact_and_deterministic(
        w in [1u32..100, 1u32..100, 1u32..100, 1u32..100],
        vol in curve(20_000),
        margin in curve(40),
        precision in 0u32..=6,
        i in input(),
    ) {
        let margin: Vec<(i32, u32)> = margin.iter().map(|(x, y)| (*x as i32 - 20, *y)).collect();
        let p = random_policy(w, &vol, &margin, precision, "downgrade_buffer = 5\ndowngrade_grace_days = 60\nmax_downgrade_steps = 1");
        let c = build(&p, &i);
        let a = p.classify(&c, as_of()).unwrap();
        let b = p.classify(&c, as_of()).unwrap();
        prop_assert_eq!(&a, &b);
        let e = p.explain(&c, as_of()).unwrap();
        prop_assert_eq!(e.tier(), p.tier(a.tier()).unwrap().id());
        prop_assert_eq!(e.score(), a.score());
        let hundred = Decimal::ONE_HUNDRED;
        let score = a.score().value();
        prop_assert!(score >= Decimal::ZERO && score <= hundred);
        prop_assert_eq!(score.scale(), precision);
        for d in a.dimension_scores().iter().map(|d| d.value()) {
            prop_assert!(d >= Decimal::ZERO && d <= hundred);
            prop_assert_eq!(d.scale(), precision);
        }
        // composite = round(sum(w * rounded dimension score) / sum(w))
        let weights = [Decimal::new(i64::from(w[0]) * 100 + 25, 2), w[1].into(), w[2].into(), w[3].into()];
        let sum: Decimal = weights.iter().zip(a.dimension_scores()).map(|(w, s)| *w * s.value()).sum();
        let total: Decimal = weights.iter().sum();
        prop_assert_eq!(round(sum / total, precision), score);
    }

    #[test]
    fn more_volume_never_lowers_the_qualified_tier(
        w in [1u32..100, 1u32..100, 1u32..100, 1u32..100],
        vol in curve(20_000),
        i in input(),
        extra in (0i64..1_000_000).prop_map(|m| Decimal::new(m, 2)),
    ) {
        // `teu` is scored by a non-decreasing curve and no gate mentions it
        let p = random_policy(w, &vol, &[(0, 0), (10, 100)], 2, "");
        let low = p.classify(&build(&p, &i), as_of()).unwrap();
        let more = Input { teu: i.teu + extra, ..i.clone() };
        let high = p.classify(&build(&p, &more), as_of()).unwrap();
        prop_assert!(high.score() >= low.score());
        prop_assert!(high.qualified_tier() <= low.qualified_tier(), "qualified tier went down");
    }

    #[test]
    fn state_follows_the_update_rules(
        vol in curve(20_000),
        i in input(),
    ) {
        let p = random_policy([30, 30, 20, 20], &vol, &[(0, 0), (10, 100)], 2, "downgrade_buffer = 5\ndowngrade_grace_days = 60\nmax_downgrade_steps = 1");
        let c = build(&p, &i);
        let a = p.classify(&c, as_of()).unwrap();
        let s = a.state();
        prop_assert_eq!(s.tier(), a.tier());
        let day = |d: i64| as_of() - Duration::days(d);
        let unchanged = i.previous.is_some_and(|prev| p.tier_by_id(prev) == Some(a.tier()));
        if unchanged {
            prop_assert_eq!(s.tier_since(), day(i.tier_since_days));
        } else {
            prop_assert_eq!(s.tier_since(), as_of());
        }
        let previous_lq = i.previous.and(i.last_qualified_days).map(day);
        match a.decision() {
            // the customer's own merits (with floors) reached the final tier
            Decision::Qualified | Decision::Floor => prop_assert_eq!(s.last_qualified(), Some(as_of())),
            // kept above its merits: last_qualified is carried over
            Decision::Buffer | Decision::Grace | Decision::StepLimit => prop_assert_eq!(s.last_qualified(), previous_lq),
            _ => prop_assert!(s.last_qualified() == Some(as_of()) || s.last_qualified() == previous_lq),
        }
        // hysteresis only ever keeps a customer higher than its merits, never lower
        if matches!(a.decision(), Decision::Buffer | Decision::Grace | Decision::StepLimit) {
            prop_assert!(a.tier() < a.qualified_tier() || i.strategic);
        }
    }
}

fn sample_policy() -> Policy {
    let path = "policies/ocean-shipping.toml";
    Policy::from_toml_str(path, &std::fs::read_to_string(path).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Escalation steps of a milestone fall due in ladder order, never before the case
    /// opened, and the 100% step is the milestone's deadline; a pause never makes any
    /// deadline or step earlier.
    #[test]
    fn escalation_is_ordered_and_pauses_never_shorten(
        minutes in 0i64..(366 * 24 * 60),
        tier in prop::sample::select(vec!["vip", "key", "standard"]),
        severity in prop::sample::select(vec!["routine", "major"]),
        pause_start in 0i64..(5 * 24 * 60),
        pause_len in 0i64..(3 * 24 * 60),
    ) {
        let p = sample_policy();
        let t = p.tier_by_id(tier).unwrap();
        let opened = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+08:00").unwrap().with_timezone(&chrono::Utc)
            + Duration::minutes(minutes);
        let plain = p.case("complaint", opened).severity(severity).build().unwrap();
        let from = opened + Duration::minutes(pause_start);
        let paused = p.case("complaint", opened).severity(severity).pause(from, from + Duration::minutes(pause_len)).build().unwrap();
        let deadlines = p.deadlines(t, &plain).unwrap();
        let steps = p.escalations(t, &plain).unwrap();
        for w in steps.windows(2) {
            if w[0].milestone() == w[1].milestone() {
                prop_assert!(w[0].due() <= w[1].due(), "steps out of order");
            }
        }
        for s in &steps {
            prop_assert!(s.due() >= opened);
            if s.at() == "100%" {
                let d = deadlines.iter().find(|d| d.milestone() == s.milestone()).unwrap();
                prop_assert_eq!(s.due(), d.due());
            }
        }
        let with_pause = p.deadlines(t, &paused).unwrap();
        for (a, b) in deadlines.iter().zip(&with_pause) {
            prop_assert!(b.due() >= a.due(), "a pause made {} earlier", a.milestone());
        }
    }
}
