//! Soundness of the analysis on random policies: no record contradicts a warning, and
//! every witness qualifies for its tier.

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::{findings, Target};
use crate::error::WarningCode;
use crate::eval::{self, cond::Env};
use crate::input::{Customer, Previous};
use crate::model::{CaseSlots, Compiled, Score, Value};

/// Numbers the policies compare with and the records take, so that boundaries meet.
const POOL: [i64; 8] = [-5, 0, 3, 5, 10, 20, 50, 100];

fn num() -> impl Strategy<Value = i64> {
    prop::sample::select(POOL.to_vec())
}

fn atom() -> impl Strategy<Value = String> {
    let ops = prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]);
    prop_oneof![
        (ops.clone(), num()).prop_map(|(o, n)| format!("a {o} {n}")),
        (ops.clone(), num()).prop_map(|(o, n)| format!("b {o} {n}")),
        (ops.clone(), num()).prop_map(|(o, n)| format!("score {o} {n}")),
        (ops, num()).prop_map(|(o, n)| format!("dimension.va {o} {n}")),
        prop::sample::select(vec!["x", "y", "z"]).prop_map(|v| format!("e == '{v}'")),
        prop::sample::select(vec!["x", "y", "z"]).prop_map(|v| format!("e != '{v}'")),
        Just("e in ['x', 'y']".to_owned()),
        Just("f".to_owned()),
        Just("not f".to_owned()),
    ]
}

fn cond() -> impl Strategy<Value = String> {
    let a = atom().boxed();
    prop_oneof![
        3 => a.clone(),
        1 => (a.clone(), a.clone()).prop_map(|(x, y)| format!("{x} and {y}")),
        1 => (a.clone(), a.clone()).prop_map(|(x, y)| format!("{x} or {y}")),
        1 => a.prop_map(|x| format!("not ({x})")),
    ]
}

fn route_cond() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["vip", "key", "standard"]).prop_map(|t| format!("tier == '{t}'")),
        prop::sample::select(vec!["vip", "key", "standard"]).prop_map(|t| format!("tier >= '{t}'")),
        prop::sample::select(vec!["c1", "c2"]).prop_map(|k| format!("case.kind == '{k}'")),
        prop::sample::select(vec!["s1", "s2"]).prop_map(|k| format!("case.severity == '{k}'")),
        cond(),
    ]
}

#[derive(Debug, Clone)]
struct Spec {
    a_bounds: (Option<i64>, Option<i64>),
    b_bounds: (Option<i64>, Option<i64>),
    e_optional: bool,
    a_points: Vec<(i64, i64)>,
    b_steps: Vec<(i64, i64)>,
    e_map: [i64; 3],
    s_steps: Vec<(i64, i64)>,
    mins: (i64, i64),
    requires: [Vec<String>; 2],
    adjustments: Vec<(String, bool, &'static str)>,
    grants: Vec<String>,
    routes: Vec<String>,
}

fn points() -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((num(), 0i64..=100), 1..4).prop_map(|mut v| {
        v.sort_by_key(|p| p.0);
        v.dedup_by_key(|p| p.0);
        v
    })
}

fn bounds() -> impl Strategy<Value = (Option<i64>, Option<i64>)> {
    (prop::option::of(num()), prop::option::of(num())).prop_map(|(l, h)| match (l, h) {
        (Some(l), Some(h)) if l > h => (Some(h), Some(l)),
        b => b,
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (bounds(), bounds(), any::<bool>()),
        (
            points(),
            points(),
            [0i64..=100, 0i64..=100, 0i64..=100],
            points(),
        ),
        (1i64..=99, 1i64..=99),
        [
            prop::collection::vec(cond(), 0..3),
            prop::collection::vec(cond(), 0..2),
        ],
        prop::collection::vec(
            (
                cond(),
                any::<bool>(),
                prop::sample::select(vec!["vip", "key", "standard"]),
            ),
            0..3,
        ),
        prop::collection::vec(route_cond(), 0..3),
        prop::collection::vec(route_cond(), 0..4),
    )
        .prop_map(
            |(
                (a_bounds, b_bounds, e_optional),
                (a_points, b_steps, e_map, s_steps),
                (m1, m2),
                requires,
                adjustments,
                grants,
                routes,
            )| Spec {
                a_bounds,
                b_bounds,
                e_optional,
                a_points,
                b_steps,
                e_map,
                // tenure in whole years: 0 or more
                s_steps: s_steps.into_iter().map(|(x, y)| (x.abs(), y)).fold(
                    Vec::new(),
                    |mut v, p| {
                        if v.iter().all(|q: &(i64, i64)| q.0 < p.0) {
                            v.push(p);
                        }
                        v
                    },
                ),
                mins: (m1.max(m2) + 1, m1.min(m2)),
                requires,
                adjustments,
                grants,
                routes,
            },
        )
}

fn bound_keys(b: (Option<i64>, Option<i64>)) -> String {
    let mut s = String::new();
    if let Some(l) = b.0 {
        s.push_str(&format!(", min = {l}"));
    }
    if let Some(h) = b.1 {
        s.push_str(&format!(", max = {h}"));
    }
    s
}

fn list(v: &[String]) -> String {
    v.iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pts(v: &[(i64, i64)]) -> String {
    v.iter()
        .map(|(x, y)| format!("[{x}, {y}]"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn toml(s: &Spec) -> String {
    let mut t = format!(
        r#"[policy]
id = "p"
version = "1"
timezone = "UTC"
[metrics]
a = {{ type = "decimal"{} }}
b = {{ type = "integer"{}, default = {} }}
e = {{ type = "enum", values = ["x", "y", "z"]{} }}
f = {{ type = "bool", default = false }}
s = {{ type = "date" }}
[scoring]
precision = 1
missing = "zero"
[scoring.dimensions.va]
metric = "a"
weight = 3
curve = "linear"
points = [{}]
[scoring.dimensions.vb]
metric = "b"
weight = 2
curve = "steps"
points = [{}]
[scoring.dimensions.ve]
metric = "e"
weight = 1
map = {{ x = {}, y = {}, z = {} }}
[scoring.dimensions.vs]
metric = "s"
weight = 1
curve = "steps"
points = [{}]
[[tiers]]
id = "vip"
min_score = {}
require = [{}]
[[tiers]]
id = "key"
min_score = {}
require = [{}]
[[tiers]]
id = "standard"
min_score = 0
[benefits.perk]
name = "perk"
[service.standard]
support_hours = "24x7"
[service.key]
extends = "standard"
[service.vip]
extends = "key"
[cases.c1]
severities = ["s1", "s2"]
milestones = ["m"]
[cases.c2]
milestones = ["m"]
[[sla]]
case = "c1"
targets = {{ m = "1h" }}
[[sla]]
case = "c2"
targets = {{ m = "1h" }}
"#,
        bound_keys(s.a_bounds),
        bound_keys(s.b_bounds),
        // a default inside the bounds
        s.b_bounds.0.or(s.b_bounds.1).unwrap_or(0),
        if s.e_optional {
            ", required = false"
        } else {
            ""
        },
        pts(&s.a_points),
        pts(&s.b_steps),
        s.e_map[0],
        s.e_map[1],
        s.e_map[2],
        pts(&s.s_steps),
        s.mins.0,
        list(&s.requires[0]),
        s.mins.1,
        list(&s.requires[1]),
    );
    for (w, floor, tier) in &s.adjustments {
        let kind = if *floor { "at_least" } else { "at_most" };
        t.push_str(&format!(
            "[[adjustments]]\nwhen = \"{w}\"\n{kind} = \"{tier}\"\nreason = \"r\"\n"
        ));
    }
    for g in &s.grants {
        t.push_str(&format!(
            "[[grants]]\nwhen = \"{g}\"\nbenefits = [\"perk\"]\n"
        ));
    }
    for r in &s.routes {
        t.push_str(&format!("[[routing]]\nwhen = \"{r}\"\nqueue = \"q\"\n"));
    }
    t.push_str("[[routing]]\nqueue = \"rest\"\n");
    t
}

/// A record: values near the pool's numbers, every enum value, absences.
fn record() -> impl Strategy<Value = (i64, i64, u8, Option<u16>, bool, u16, Option<u16>, u16)> {
    (
        num(),
        0i64..4,
        0u8..3,
        prop::option::of(0u16..3),
        any::<bool>(),
        0u16..3,
        prop::option::of(0u16..2),
        0u16..2,
    )
}

fn values(p: &Compiled, r: (i64, i64, u8, Option<u16>, bool)) -> Vec<Option<Value>> {
    let (n, shift, which, e, f) = r;
    // a pool number, one off it or half way to the next
    let x = match which {
        0 => Decimal::from(n),
        1 => Decimal::from(n) + Decimal::from(shift) - Decimal::ONE,
        _ => Decimal::from(n) + Decimal::new(5, 1),
    };
    let b = i64::try_from(x.trunc()).unwrap_or(0);
    let mut v = vec![
        Some(Value::Decimal(x)),
        Some(Value::Integer(b)),
        e.map(Value::Enum),
        Some(Value::Bool(f)),
        day()
            .checked_sub_months(chrono::Months::new(
                u32::try_from(n.unsigned_abs()).unwrap_or(0) * 4,
            ))
            .map(Value::Date),
    ];
    v.truncate(p.metrics.len());
    v
}

fn customer(p: &Compiled, values: Vec<Option<Value>>) -> Customer {
    Customer {
        id: crate::input::CustomerId::new("c"),
        policy_key: p.key(),
        values: values.into_boxed_slice(),
        previous: Previous::default(),
        rare: None,
    }
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_record_contradicts_a_warning(
        spec in spec(),
        records in prop::collection::vec(record(), 40),
    ) {
        let text = toml(&spec);
        let p = match crate::compile::from_str("p.toml", &text) {
            Ok(p) => p.prepare(),
            // a random policy may be invalid (an enum map, a bound clash): not this test's
            Err(_) => return Ok(()),
        };
        let found = findings(&p);
        let mut dims_seen: Vec<Option<Score>> = vec![None; p.dimensions.len()];
        for r in &records {
            let (n, shift, which, e, f, tier, sev, kind) = *r;
            let vals = values(&p, (n, shift, which, e, f));
            // what the builder would refuse: out of bounds, a required metric absent
            let refused = p.metrics.iter().zip(&vals).any(|(m, v)| match v {
                Some(v) => m.kind.violated_bound(v).is_some(),
                None => m.required && m.default.is_none(),
            });
            if refused {
                continue;
            }
            let c = customer(&p, vals);
            let Ok(a) = eval::classify(&p, &c, day()) else { continue };
            let dims = a.dimension_scores();
            let case = CaseSlots {
                kind,
                severity: if kind == 0 { sev } else { None },
                channel: None,
            };
            let env = Env {
                values: &c.values,
                score: a.score(),
                dimensions: dims,
                tier: Some(tier),
                case: Some(case),
            };
            for w in &found {
                let ok = match (w.code, w.target) {
                    (WarningCode::UnreachableTier, Target::Tier(t)) => {
                        usize::from(a.qualified_tier().rank) != t
                    }
                    (WarningCode::ConditionNeverHolds, Target::Require(t, j)) => {
                        !p.tiers[t].require[j].1.eval(&env)
                    }
                    (WarningCode::ConditionAlwaysHolds, Target::Require(t, j)) => {
                        p.tiers[t].require[j].1.eval(&env)
                    }
                    (WarningCode::ConditionNeverHolds, Target::Adjustment(i)) => {
                        !p.adjustments[i].when.eval(&env)
                    }
                    (WarningCode::ConditionAlwaysHolds, Target::Adjustment(i)) => {
                        p.adjustments[i].when.eval(&env)
                    }
                    (WarningCode::ConditionNeverHolds, Target::Grant(i)) => {
                        !p.services.grants[i].when.as_ref().is_some_and(|c| c.eval(&env))
                    }
                    (WarningCode::ConditionNeverHolds, Target::Route(j)) => {
                        !p.services.routing[j].when.as_ref().is_some_and(|c| c.eval(&env))
                    }
                    (WarningCode::RoutingRuleShadowed, Target::Route(j)) => {
                        let rules = &p.services.routing;
                        let holds = |k: usize| rules[k].when.as_ref().is_none_or(|c| c.eval(&env));
                        !holds(j) || (0..j).any(holds)
                    }
                    (WarningCode::DimensionConstant, Target::Dimension(i)) => {
                        let s = dims[i];
                        let first = *dims_seen[i].get_or_insert(s);
                        first == s
                    }
                    (WarningCode::AdjustmentsCancel, Target::Adjustment(i)) => {
                        // the two conditions are one: they hold together
                        let a = &p.adjustments[i];
                        p.adjustments.iter().any(|b| b.when == a.when && b.kind != a.kind)
                    }
                    (WarningCode::AdjustmentNoEffect, Target::Adjustment(i)) => {
                        let t = p.adjustments[i].tier;
                        t == 0 || usize::from(t) + 1 == p.tiers.len()
                    }
                    _ => false,
                };
                prop_assert!(ok, "{:?} {:?} contradicted by {:?}\n{}\n{text}", w.code, w.target, r, w.diag.message);
            }
        }
        for (t, c) in super::witness::witnesses(&p, day()) {
            let a = eval::classify(&p, &c, day());
            prop_assert!(a.is_ok_and(|a| a.qualified_tier().rank == t), "witness of tier {t}\n{text}");
        }
    }
}

/// The qualified tier rank of a record on `as_of`, or `None` when it is refused.
fn rank_of(p: &Compiled, vals: &[Option<Value>], as_of: NaiveDate) -> Option<u16> {
    let refused = p.metrics.iter().zip(vals).any(|(m, v)| match v {
        Some(v) => m.kind.violated_bound(v).is_some(),
        None => m.required && m.default.is_none(),
    });
    if refused {
        return None;
    }
    eval::classify(p, &customer(p, vals.to_vec()), as_of)
        .ok()
        .map(|a| a.qualified_tier().rank)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every value guidance gives qualifies, one grid step back toward the current value
    /// does not, and no value of the pool around it that qualifies is nearer.
    #[test]
    fn guidance_values_qualify_and_one_step_back_does_not(
        spec in spec(),
        records in prop::collection::vec(record(), 12),
    ) {
        let text = toml(&spec);
        let Ok(p) = crate::compile::from_str("p.toml", &text).map(Compiled::prepare) else {
            return Ok(());
        };
        for r in &records {
            let (n, shift, which, e, f, ..) = *r;
            let vals = values(&p, (n, shift, which, e, f));
            let Some(q) = rank_of(&p, &vals, day()) else { continue };
            for u in 0..q {
                let c = customer(&p, vals.clone());
                let g = super::guidance::guidance(&p, &c, day(), u);
                prop_assert!(g.is_ok());
                let Ok(Some(g)) = g else {
                    prop_assert!(false, "no guidance below the tier");
                    continue;
                };
                for m in g.metrics() {
                    let i = p.metrics.iter().position(|d| d.name == m.metric()).unwrap_or(0);
                    let def = &p.metrics[i];
                    let with = |v: Option<Value>| {
                        let mut w = vals.clone();
                        w[i] = v;
                        w
                    };
                    let at = |x: Decimal| match def.kind {
                        crate::model::MetricKind::Integer { .. } => i64::try_from(x).ok().map(Value::Integer),
                        _ => Some(Value::Decimal(x)),
                    };
                    let qualifies = |x: Decimal| at(x).is_some_and(|v| rank_of(&p, &with(Some(v)), day()).is_some_and(|r| r <= u));
                    match m.needed() {
                        super::Needed::Value(v) => {
                            let current = match vals[i] {
                                Some(Value::Decimal(d)) => d,
                                Some(Value::Integer(i)) => Decimal::from(i),
                                _ => Decimal::ZERO,
                            };
                            let step = Decimal::new(1, def.scale);
                            if let Some(v) = *v {
                                prop_assert_eq!(v.scale(), def.scale);
                                prop_assert!(qualifies(v), "{} = {v} does not qualify for {u}\n{text}\n{r:?}", m.metric());
                                let back = if v > current { v - step } else { v + step };
                                prop_assert!(!qualifies(back), "{} = {back} (one step back from {v}) qualifies for {u}\n{text}\n{r:?}", m.metric());
                            }
                            // no nearer value of the pool qualifies
                            for x in POOL.iter().flat_map(|&x| [x - 1, x, x + 1]).map(Decimal::from) {
                                if qualifies(x) {
                                    let v = v.ok_or_else(|| TestCaseError::fail(format!("{} = {x} qualifies for {u} but guidance says none\n{text}\n{r:?}", m.metric())))?;
                                    let (dx, dv) = ((x - current).abs(), (v - current).abs());
                                    prop_assert!(dx > dv || (dx == dv && x <= v), "{} = {x} is nearer than {v} for {u}\n{text}\n{r:?}", m.metric());
                                }
                            }
                        }
                        super::Needed::Values(list) => {
                            let names: Vec<String> = match &def.kind {
                                crate::model::MetricKind::Enum { values } => values.clone(),
                                _ => vec!["false".to_owned(), "true".to_owned()],
                            };
                            let expected: Vec<String> = names.iter().enumerate().filter(|(k, _)| {
                                let v = match def.kind {
                                    crate::model::MetricKind::Bool => Value::Bool(*k == 1),
                                    _ => Value::Enum(u16::try_from(*k).unwrap_or(0)),
                                };
                                rank_of(&p, &with(Some(v)), day()).is_some_and(|r| r <= u)
                            }).map(|(_, n)| n.clone()).collect();
                            prop_assert_eq!(list, &expected);
                        }
                        super::Needed::Date(d) => {
                            if let Some(d) = *d {
                                prop_assert!(d > day());
                                prop_assert!(rank_of(&p, &vals, d).is_some_and(|r| r <= u), "{d} does not qualify\n{text}");
                                let before = d.pred_opt().unwrap_or(d);
                                if before > day() {
                                    prop_assert!(rank_of(&p, &vals, before).is_none_or(|r| r > u), "{before} already qualifies\n{text}");
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
