//! Witnesses: one customer per tier that some record can qualify for (spec section 15).
//!
//! The analysis proves what cannot happen; a witness shows what can. Each metric gets a
//! few candidate values: one per region of the constants its tiers' requirements compare
//! it with, and the points of its dimension's curve with values between them. A
//! deterministic search over those candidates (samples first, then a descent toward each
//! missing tier) keeps the first record that `classify` itself puts in each tier, so every
//! witness qualifies by construction. A tier the search does not reach has no witness.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;

use super::domain::{constants, metric_value, representatives, Domains, Var};
use crate::eval::{self, cond::env};
use crate::input::{Customer, CustomerId, Previous};
use crate::model::{Compiled, Curve, DateUnit, MetricKind, Rv, Value};

/// Values a linear segment is cut into, for scores between its points.
const SEGMENT_CUTS: i64 = 8;
/// Random records tried before the descent.
const SAMPLES: usize = 3000;
/// Starting points of the descent toward one tier.
const RESTARTS: usize = 24;
/// Moves of one descent.
const MOVES: usize = 64;

/// One customer per tier that the search finds a qualifying record for, in rank order;
/// each customer's id is its tier's id.
pub(crate) fn witnesses(p: &Compiled, as_of: NaiveDate) -> Vec<(u16, Customer)> {
    let candidates = candidates(p, as_of);
    let mut found: Vec<Option<Vec<Option<Value>>>> = vec![None; p.tiers.len()];
    // whether the found record also ends in its tier (no floor, cap or pin moves it)
    let mut plain = vec![false; p.tiers.len()];
    if candidates.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    let mut rng = Lcg(0x9E37_79B9_7F4A_7C15);
    let mut record: Vec<Option<Value>> = vec![None; p.metrics.len()];
    for _ in 0..SAMPLES {
        for (slot, c) in record.iter_mut().zip(&candidates) {
            *slot = pick(&mut rng, c);
        }
        if let Some((q, tier)) = qualified(p, &record, as_of) {
            let i = usize::from(q);
            if let (Some(f), Some(was_plain)) = (found.get_mut(i), plain.get_mut(i)) {
                if f.is_none() || (!*was_plain && q == tier) {
                    *f = Some(record.clone());
                    *was_plain = q == tier;
                }
            }
        }
        if plain.iter().all(|p| *p) {
            break;
        }
    }
    for t in 0..p.tiers.len() {
        if found.get(t).is_some_and(Option::is_some) {
            continue;
        }
        let Ok(rank) = u16::try_from(t) else { continue };
        'restarts: for _ in 0..RESTARTS {
            for (slot, c) in record.iter_mut().zip(&candidates) {
                *slot = pick(&mut rng, c);
            }
            let Some(mut best) = distance(p, &record, as_of, rank) else {
                continue;
            };
            for _ in 0..MOVES {
                if best == Decimal::ZERO {
                    if let Some(f) = found.get_mut(t) {
                        *f = Some(record.clone());
                    }
                    break 'restarts;
                }
                let mut improved: Option<(usize, Option<Value>, Decimal)> = None;
                for (i, c) in candidates.iter().enumerate() {
                    let keep = record.get(i).copied().flatten();
                    for v in c {
                        if let Some(slot) = record.get_mut(i) {
                            *slot = *v;
                        }
                        if let Some(d) = distance(p, &record, as_of, rank) {
                            if d < improved.map_or(best, |(_, _, b)| b) {
                                improved = Some((i, *v, d));
                            }
                        }
                    }
                    if let Some(slot) = record.get_mut(i) {
                        *slot = keep;
                    }
                }
                match improved {
                    Some((i, v, d)) => {
                        if let Some(slot) = record.get_mut(i) {
                            *slot = v;
                        }
                        best = d;
                    }
                    None => break,
                }
            }
        }
    }
    found
        .into_iter()
        .enumerate()
        .filter_map(|(t, r)| {
            let values = r?;
            let rank = u16::try_from(t).ok()?;
            Some((rank, customer(p, p.tier_ids.get(t)?, values)))
        })
        .collect()
}

fn customer(p: &Compiled, id: &str, values: Vec<Option<Value>>) -> Customer {
    Customer {
        id: CustomerId::new(id),
        policy_key: p.key(),
        values: values.into_boxed_slice(),
        previous: Previous::default(),
        rare: None,
    }
}

/// The qualified and the final tier of a record, or `None` when it is not accepted.
fn qualified(p: &Compiled, values: &[Option<Value>], as_of: NaiveDate) -> Option<(u16, u16)> {
    let c = customer(p, "", values.to_vec());
    eval::classify(p, &c, as_of)
        .ok()
        .map(|a| (a.qualified_tier().rank, a.tier().rank))
}

/// How far a record is from qualifying for tier `t`: a million per failing requirement,
/// plus the score points it lacks, or has too many when a higher tier takes it. 0 when it
/// qualifies; `None` when the record is not accepted.
fn distance(p: &Compiled, values: &[Option<Value>], as_of: NaiveDate, t: u16) -> Option<Decimal> {
    let c = customer(p, "", values.to_vec());
    let a = eval::classify(p, &c, as_of).ok()?;
    let q = a.qualified_tier().rank;
    if q == t {
        return Some(Decimal::ZERO);
    }
    let tier = p.tiers.get(usize::from(t))?;
    let e = env(&c, a.score(), a.dimension_scores(), None);
    let failing = tier.require.iter().filter(|(_, r)| !r.eval(&e)).count();
    let score = a.score().0;
    let gap = if score < tier.min_score {
        tier.min_score - score
    } else if q < t {
        // a higher tier takes it: less score (or failing that tier's gates) brings it down
        score - tier.min_score + Decimal::ONE
    } else {
        Decimal::ONE
    };
    Decimal::from(failing)
        .checked_mul(Decimal::from(1_000_000))?
        .checked_add(gap)
}

/// The candidate values of each metric.
fn candidates(p: &Compiled, as_of: NaiveDate) -> Vec<Vec<Option<Value>>> {
    let doms = Domains::of(p);
    let conds: Vec<&crate::model::Cond> = p
        .tiers
        .iter()
        .flat_map(|t| t.require.iter().map(|(_, c)| c))
        .collect();
    let consts = constants(&conds).unwrap_or_default();
    (0..p.metrics.len())
        .map(|m| {
            let Ok(id) = u16::try_from(m) else {
                return Vec::new();
            };
            let Some(def) = p.metrics.get(m) else {
                return Vec::new();
            };
            let mine: Vec<Rv> = consts
                .iter()
                .find(|(v, _)| *v == Var::Metric(id))
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            let dom = doms.var(Var::Metric(id));
            let in_dimension = p.dimensions.iter().any(|d| d.metric == id);
            let mut out: Vec<Option<Value>> = Vec::new();
            let push = |out: &mut Vec<Option<Value>>, v: Option<Value>| {
                if !out.contains(&v) && accepted(def, v, in_dimension, as_of) {
                    out.push(v);
                }
            };
            for r in representatives(&dom, &mine).unwrap_or_default() {
                match r {
                    None => push(&mut out, None),
                    Some(r) => {
                        if let Some(v) = metric_value(&def.kind, r) {
                            push(&mut out, Some(v));
                        }
                    }
                }
            }
            for d in p.dimensions.iter().filter(|d| d.metric == id) {
                for x in curve_xs(&d.curve) {
                    let v = match &def.kind {
                        MetricKind::Decimal { .. } => Some(Value::Decimal(x)),
                        MetricKind::Integer { .. } => {
                            i64::try_from(x.round()).ok().map(Value::Integer)
                        }
                        MetricKind::Date => date_at(as_of, x, d.unit).map(Value::Date),
                        MetricKind::Enum { .. } => u16::try_from(x).ok().map(Value::Enum),
                        MetricKind::Bool => Some(Value::Bool(x > Decimal::ZERO)),
                        MetricKind::Unresolved => None,
                    };
                    if v.is_some() {
                        push(&mut out, v);
                    }
                }
            }
            // the bounds of an unbounded integer metric are representatives too, but no
            // one wants to read them in a witness
            let huge = |v: &Option<Value>| matches!(v, Some(Value::Integer(n)) if n.unsigned_abs() > 1_000_000_000);
            if out.iter().any(|v| !huge(v)) {
                out.retain(|v| !huge(v));
            }
            if out.is_empty() {
                // a required metric that no condition or curve reads: any accepted value
                push(&mut out, default_value(def, as_of));
            }
            out
        })
        .collect()
}

/// The x values of a curve worth trying: its points, values between them and beyond.
fn curve_xs(curve: &Curve) -> Vec<Decimal> {
    let mut xs = Vec::new();
    match curve {
        Curve::Map(scores) => {
            xs.extend(
                (0..scores.len())
                    .filter_map(|i| i64::try_from(i).ok())
                    .map(Decimal::from),
            );
        }
        Curve::Linear(points) | Curve::Steps(points) => {
            for (x, _) in points {
                xs.push(*x);
            }
            if let (Some(f), Some(l)) = (points.first(), points.last()) {
                xs.extend(f.0.checked_sub(Decimal::ONE));
                xs.extend(l.0.checked_add(Decimal::ONE));
            }
            for w in points.windows(2) {
                if let [(xa, _), (xb, _)] = *w {
                    for k in 1..SEGMENT_CUTS {
                        let part = (xb - xa)
                            .checked_mul(Decimal::from(k))
                            .and_then(|n| n.checked_div(Decimal::from(SEGMENT_CUTS)));
                        if let Some(x) = part.and_then(|d| xa.checked_add(d)) {
                            xs.push(x.round_dp(4).normalize());
                        }
                    }
                }
            }
        }
    }
    xs
}

/// The date `x` whole years (or days) before `as_of`.
fn date_at(as_of: NaiveDate, x: Decimal, unit: DateUnit) -> Option<NaiveDate> {
    let n = u32::try_from(x.trunc()).ok()?;
    match unit {
        DateUnit::Years => as_of.checked_sub_months(Months::new(n.checked_mul(12)?)),
        DateUnit::Days => as_of.checked_sub_days(chrono::Days::new(u64::from(n))),
    }
}

/// Whether a value passes the metric's checks (and, for a date a dimension reads, is not
/// after the as-of date).
fn accepted(
    def: &crate::model::MetricDef,
    v: Option<Value>,
    in_dimension: bool,
    as_of: NaiveDate,
) -> bool {
    match v {
        None => def.default.is_none() && !def.required,
        Some(v) => {
            def.kind.violated_bound(&v).is_none()
                && !(in_dimension && matches!(v, Value::Date(d) if d > as_of))
        }
    }
}

fn default_value(def: &crate::model::MetricDef, as_of: NaiveDate) -> Option<Value> {
    Some(match &def.kind {
        MetricKind::Decimal { min, max } | MetricKind::Integer { min, max } => {
            let n = min.or(*max).unwrap_or(Decimal::ZERO);
            match def.kind {
                MetricKind::Integer { .. } => Value::Integer(i64::try_from(n.ceil()).ok()?),
                _ => Value::Decimal(n),
            }
        }
        MetricKind::Date => Value::Date(as_of),
        MetricKind::Enum { .. } => Value::Enum(0),
        MetricKind::Bool => Value::Bool(false),
        MetricKind::Unresolved => return None,
    })
}

/// A small deterministic generator (the same witnesses on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn pick(rng: &mut Lcg, c: &[Option<Value>]) -> Option<Value> {
    let n = u64::try_from(c.len()).unwrap_or(1).max(1);
    usize::try_from(rng.next() % n)
        .ok()
        .and_then(|i| c.get(i).copied())
        .flatten()
}
