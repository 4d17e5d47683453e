//! Next-tier guidance (spec section 16): what would make a customer qualify for a higher
//! tier, metric by metric.
//!
//! Whether a customer qualifies for tier `u` or higher, as one metric's value `x` changes
//! and everything else stays, can change only at a few points: where `x` meets a constant
//! of a requirement, a point of its dimension's curve, or where the dimension's rounded
//! score reaches a level at which the composite crosses a `min_score` (or a constant a
//! requirement compares `score` or the dimension with). Those points are computed by
//! inverting the curve and the rounding rules (`round(d) >= R` exactly when
//! `d >= R - half a step`); each is then confirmed on the metric's grid by evaluating the
//! grid values around it, so that the value given qualifies and the grid value one step
//! back toward the current one does not. The nearest confirmed change wins; on a tie the
//! larger value.

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::domain::{constants, down, step, up, Var};
use crate::error::EvalError;
use crate::eval::cond::Env;
use crate::eval::{self, decide, score, scoring};
use crate::input::Customer;
use crate::model::{
    AdjustKind, CmpOp, Compiled, Cond, Curve, DateUnit, MetricKind, Operand, Rv, Score, TierId,
    Value,
};

/// What would make a customer qualify for a tier (or a higher one): see
/// [`Policy::guidance`](crate::Policy::guidance).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guidance {
    #[serde(skip)]
    tier: TierId,
    #[serde(rename = "tier")]
    tier_id: String,
    #[serde(serialize_with = "opt_text")]
    points: Option<Decimal>,
    #[serde(serialize_with = "metric_map")]
    metrics: Vec<MetricGuidance>,
    requirements: Vec<RequirementGuidance>,
    caps: Vec<CapGuidance>,
}

impl Guidance {
    /// The tier the guidance is for.
    pub fn tier(&self) -> TierId {
        self.tier
    }

    /// The score points missing to the tier's `min_score`, or `None` when the score is
    /// enough (a requirement is what fails).
    pub fn points(&self) -> Option<Decimal> {
        self.points
    }

    /// For each dimension's metric, in policy order, what it would need on its own.
    pub fn metrics(&self) -> &[MetricGuidance] {
        &self.metrics
    }

    /// The tier's requirements that do not hold.
    pub fn requirements(&self) -> &[RequirementGuidance] {
        &self.requirements
    }

    /// The caps (`at_most` adjustments) in force that hold the customer below the tier.
    pub fn caps(&self) -> &[CapGuidance] {
        &self.caps
    }
}

/// What one metric alone would need.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricGuidance {
    metric: String,
    needed: Needed,
}

impl MetricGuidance {
    /// The metric's name.
    pub fn metric(&self) -> &str {
        &self.metric
    }

    /// What it would need.
    pub fn needed(&self) -> &Needed {
        &self.needed
    }
}

/// What a metric would need for the customer to qualify, every other input unchanged.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Needed {
    /// A decimal or integer metric: the qualifying value closest to the current one, with
    /// exactly the metric's `scale` decimals; `None` when no value qualifies.
    Value(Option<Decimal>),
    /// An enum or bool metric: every value that qualifies, in declared order (`false`
    /// before `true`).
    Values(Vec<String>),
    /// A date metric: the first as-of date on which the customer would qualify, the
    /// dimension's years or days counted to it; `None` when none.
    Date(Option<NaiveDate>),
}

/// A requirement of the tier that does not hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementGuidance {
    text: String,
    #[serde(serialize_with = "opt_text")]
    value: Option<Decimal>,
}

impl RequirementGuidance {
    /// The requirement as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value its metric needs, on the metric's grid, when the requirement is one
    /// comparison of a decimal or integer metric with a number.
    pub fn value(&self) -> Option<Decimal> {
        self.value
    }
}

/// A cap in force below the tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapGuidance {
    tier: String,
    reason: String,
}

impl CapGuidance {
    /// The tier the cap holds the customer to.
    pub fn tier(&self) -> &str {
        &self.tier
    }

    /// The adjustment's reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

fn opt_text<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

fn metric_map<S: serde::Serializer>(v: &[MetricGuidance], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for g in v {
        match &g.needed {
            Needed::Value(d) => m.serialize_entry(&g.metric, &d.map(|d| d.to_string()))?,
            Needed::Values(list) => m.serialize_entry(&g.metric, list)?,
            Needed::Date(d) => m.serialize_entry(&g.metric, &d.map(|d| d.to_string()))?,
        }
    }
    m.end()
}

/// The guidance for tier `u`, or `None` when the customer qualifies for it or higher.
pub(crate) fn guidance(
    p: &Compiled,
    c: &Customer,
    as_of: NaiveDate,
    u: u16,
) -> Result<Option<Guidance>, EvalError> {
    let a = eval::classify(p, c, as_of)?;
    if a.qualified_tier().rank <= u {
        return Ok(None);
    }
    let Some(tier) = p.tiers.get(usize::from(u)) else {
        return Ok(None);
    };
    let score = a.score();
    let dims: Vec<Score> = a.dimension_scores().to_vec();
    let env = Env {
        values: &c.values,
        score,
        dimensions: &dims,
        tier: None,
        case: None,
    };
    let missing = tier.min_score - score.0;
    let points = (missing > Decimal::ZERO).then(|| score::round(missing, p.precision));
    let gates: Vec<&Cond> = p
        .tiers
        .iter()
        .take(usize::from(u) + 1)
        .flat_map(|t| t.require.iter().map(|(_, c)| c))
        .collect();
    let mut probe = Probe {
        p,
        as_of,
        u,
        values: c.values.to_vec(),
        dims: dims.clone(),
        scratch: dims.clone(),
        consts: constants(&gates).unwrap_or_default(),
        customer: c.clone(),
    };
    let mut metrics: Vec<MetricGuidance> = Vec::new();
    for d in &p.dimensions {
        let Some(def) = p.metrics.get(usize::from(d.metric)) else {
            continue;
        };
        if metrics.iter().any(|m| m.metric == def.name) {
            continue;
        }
        let hopeless = probe.hopeless(d.metric, &env);
        let needed = match &def.kind {
            MetricKind::Decimal { .. } | MetricKind::Integer { .. } if hopeless => {
                Needed::Value(None)
            }
            MetricKind::Enum { .. } | MetricKind::Bool if hopeless => Needed::Values(Vec::new()),
            MetricKind::Date if hopeless => Needed::Date(None),
            MetricKind::Decimal { .. } | MetricKind::Integer { .. } => {
                Needed::Value(probe.nearest_value(d.metric))
            }
            MetricKind::Enum { values } => Needed::Values(
                (0..values.len())
                    .filter_map(|i| u16::try_from(i).ok())
                    .filter(|i| probe.qualifies_with(d.metric, Some(Value::Enum(*i))))
                    .filter_map(|i| values.get(usize::from(i)).cloned())
                    .collect(),
            ),
            MetricKind::Bool => Needed::Values(
                [false, true]
                    .into_iter()
                    .filter(|b| probe.qualifies_with(d.metric, Some(Value::Bool(*b))))
                    .map(|b| b.to_string())
                    .collect(),
            ),
            MetricKind::Date => Needed::Date(probe.first_date(d.metric)),
            MetricKind::Unresolved => continue,
        };
        metrics.push(MetricGuidance {
            metric: def.name.clone(),
            needed,
        });
    }
    let requirements = tier
        .require
        .iter()
        .filter(|(_, r)| !r.eval(&env))
        .map(|(text, r)| RequirementGuidance {
            text: text.clone(),
            value: needed_by(p, r),
        })
        .collect();
    let caps = p
        .adjustments
        .iter()
        .filter(|adj| adj.kind == AdjustKind::AtMost && adj.tier > u && adj.when.eval(&env))
        .map(|adj| CapGuidance {
            tier: p
                .tier_ids
                .get(usize::from(adj.tier))
                .cloned()
                .unwrap_or_default(),
            reason: adj.reason.clone(),
        })
        .collect();
    Ok(Some(Guidance {
        tier: p.tier_id(u),
        tier_id: tier.id.clone(),
        points,
        metrics,
        requirements,
        caps,
    }))
}

/// The value a requirement that compares one decimal or integer metric with a number
/// needs, on the metric's grid.
fn needed_by(p: &Compiled, c: &Cond) -> Option<Decimal> {
    let Cond::Cmp(a, op, b) = c else { return None };
    let (m, op, n) = match (a, b) {
        (Operand::Metric(m), Operand::Lit(Rv::Num(n))) => (*m, *op, *n),
        (Operand::Lit(Rv::Num(n)), Operand::Metric(m)) => (*m, op.flip(), *n),
        _ => return None,
    };
    let def = p.metrics.get(usize::from(m))?;
    if !matches!(
        def.kind,
        MetricKind::Decimal { .. } | MetricKind::Integer { .. }
    ) {
        return None;
    }
    let g = def.scale;
    let v = match op {
        CmpOp::Ge => up(n, g)?,
        CmpOp::Gt => down(n, g)?.checked_add(step(g))?,
        CmpOp::Le => down(n, g)?,
        CmpOp::Lt => up(n, g)?.checked_sub(step(g))?,
        CmpOp::Eq => Some(n).filter(|n| down(*n, g) == Some(*n))?,
        CmpOp::Ne => return None,
    };
    Some(on_scale(v, g))
}

fn on_scale(mut v: Decimal, g: u32) -> Decimal {
    v.rescale(g);
    v
}

/// Evaluates the customer with one input changed.
struct Probe<'a> {
    p: &'a Compiled,
    as_of: NaiveDate,
    u: u16,
    values: Vec<Option<Value>>,
    dims: Vec<Score>,
    /// Dimension scores being tried (reused, so that probing does not allocate).
    scratch: Vec<Score>,
    /// The constants the requirements of `u` and the tiers above compare each operand with.
    consts: Vec<(Var, Vec<Rv>)>,
    /// The customer, one value at a time changed, scored whole on the as-of date (the
    /// integer fast path where it applies).
    customer: Customer,
}

impl Probe<'_> {
    /// Whether no value of `metric` can make the customer qualify: for every tier from `u`
    /// up, either the composite stays below its minimum with the metric's dimensions at
    /// their highest, or a requirement that does not depend on the metric fails. A quick,
    /// exact no before any value is tried.
    fn hopeless(&self, metric: u16, env: &Env<'_>) -> bool {
        let p = self.p;
        let mine: Vec<usize> = p
            .dimensions
            .iter()
            .enumerate()
            .filter(|(_, d)| d.metric == metric)
            .map(|(k, _)| k)
            .collect();
        let mut best = self.dims.clone();
        for &k in &mine {
            match p.dimension_highest.get(k).copied().flatten() {
                Some(h) => {
                    if let Some(slot) = best.get_mut(k) {
                        *slot = Score(h);
                    }
                }
                None => return false,
            }
        }
        let Some(top) = score::composite(p, &best) else {
            return false;
        };
        let depends = |c: &Cond| reads(c, metric, &mine);
        !p.tiers.iter().take(usize::from(self.u) + 1).any(|t| {
            top >= t.min_score
                && t.require
                    .iter()
                    .filter(|(_, c)| !depends(c))
                    .all(|(_, c)| c.eval(env))
        })
    }

    /// Whether the customer qualifies for `u` or higher with `metric` set to `value`.
    fn qualifies_with(&mut self, metric: u16, value: Option<Value>) -> bool {
        let i = usize::from(metric);
        let Some(def) = self.p.metrics.get(i) else {
            return false;
        };
        if value.is_some_and(|v| def.kind.violated_bound(&v).is_some()) {
            return false;
        }
        let p = self.p;
        let keep = self.customer.values.get(i).copied().flatten();
        if let Some(slot) = self.customer.values.get_mut(i) {
            *slot = value;
        }
        let ok = match scoring::score(p, &self.customer, self.as_of) {
            Ok((total, dims)) => {
                let env = Env {
                    values: &self.customer.values,
                    score: total,
                    dimensions: dims.as_slice(),
                    tier: None,
                    case: None,
                };
                (0..=usize::from(self.u)).any(|t| decide::admits(p, t, total, &env))
            }
            Err(_) => false,
        };
        if let Some(slot) = self.customer.values.get_mut(i) {
            *slot = keep;
        }
        ok
    }

    /// Whether the current values qualify, the dimensions of `metric` scored on `as_of`
    /// (the others keep their scores).
    fn qualifies(&mut self, metric: u16, as_of: NaiveDate) -> bool {
        let p = self.p;
        let dims = &mut self.scratch;
        dims.clear();
        dims.extend_from_slice(&self.dims);
        for (k, d) in p.dimensions.iter().enumerate() {
            if d.metric != metric {
                continue;
            }
            let slopes = p.prepared.slopes.get(k).map_or(&[][..], Vec::as_slice);
            let value = self.values.get(usize::from(metric)).copied().flatten();
            match score::dimension(p, d, slopes, value, as_of) {
                Ok((s, _)) => {
                    if let Some(slot) = dims.get_mut(k) {
                        *slot = Score(s);
                    }
                }
                Err(_) => return false,
            }
        }
        let Some(total) = score::composite(p, dims) else {
            return false;
        };
        let env = Env {
            values: &self.values,
            score: Score(total),
            dimensions: dims,
            tier: None,
            case: None,
        };
        (0..=usize::from(self.u)).any(|t| decide::admits(p, t, Score(total), &env))
    }

    /// The points where qualification can change as `metric` moves (approximately: each
    /// is confirmed on the grid around it).
    fn critical_points(&mut self, metric: u16) -> Vec<(Decimal, bool)> {
        let p = self.p;
        // qualification changes at a requirement's constant, at a step of a step curve and
        // where a linear curve crosses a level; a linear curve's own points are none of
        // these unless a level crossing falls on them (then the crossing is found), and
        // the metric's bounds only end the values tried
        let mut out: Vec<(Decimal, bool)> = Vec::new();
        out.extend(
            nums(&self.consts, Var::Metric(metric))
                .into_iter()
                .map(|c| (c, true)),
        );
        // the composite's thresholds: each tier's minimum and the constants `score` is
        // compared with
        let grid = step(p.precision);
        let mut thresholds: Vec<Decimal> = p
            .tiers
            .iter()
            .take(usize::from(self.u) + 1)
            .map(|t| t.min_score)
            .collect();
        for c in nums(&self.consts, Var::Score) {
            thresholds.extend(down(c, p.precision));
            thresholds.extend(up(c, p.precision).and_then(|u| u.checked_add(grid)));
        }
        let half = grid / Decimal::TWO;
        for (k, d) in p.dimensions.iter().enumerate() {
            if d.metric != metric {
                continue;
            }
            let Ok(k16) = u16::try_from(k) else { continue };
            // the rounded dimension scores at which something changes
            let mut levels: Vec<Decimal> = Vec::new();
            for t in &thresholds {
                levels.extend(self.level_for(k, *t));
            }
            for c in nums(&self.consts, Var::Dimension(k16)) {
                levels.extend(down(c, p.precision));
                levels.extend(up(c, p.precision).and_then(|u| u.checked_add(grid)));
            }
            match &d.curve {
                Curve::Linear(points) => {
                    for w in points.windows(2) {
                        let [(xa, ya), (xb, yb)] = *w else { continue };
                        if ya == yb {
                            continue;
                        }
                        for r in &levels {
                            let l = *r - half;
                            let lo = ya.min(yb);
                            let hi = ya.max(yb);
                            if l < lo || l > hi {
                                continue;
                            }
                            let x = (l - ya)
                                .checked_mul(xb - xa)
                                .and_then(|n| n.checked_div(yb - ya))
                                .and_then(|n| xa.checked_add(n));
                            out.extend(x.map(|x| (x, false)));
                        }
                    }
                }
                Curve::Steps(points) => out.extend(points.iter().map(|(x, _)| (*x, true))),
                Curve::Map(_) => {}
            }
        }
        out
    }

    /// The lowest rounded score of dimension `k` with which the composite reaches `t`, the
    /// other dimensions as they are: solved, then settled by computing the composite.
    fn level_for(&mut self, k: usize, t: Decimal) -> Option<Decimal> {
        let g = step(self.p.precision);
        let mut r = self.level_estimate(k, t)?;
        let reaches = |r: Decimal, this: &mut Self| -> Option<bool> {
            let dims = &mut this.scratch;
            dims.clear();
            dims.extend_from_slice(&this.dims);
            *dims.get_mut(k)? = Score(r);
            Some(score::composite(this.p, dims)? >= t)
        };
        for _ in 0..4 {
            if !reaches(r, self)? {
                r = r.checked_add(g)?;
            } else if reaches(r.checked_sub(g)?, self)? {
                r = r.checked_sub(g)?;
            } else {
                return Some(r);
            }
        }
        Some(r)
    }

    /// [`Probe::level_for`] by arithmetic alone: within a grid step or so.
    fn level_estimate(&self, k: usize, t: Decimal) -> Option<Decimal> {
        let p = self.p;
        let w = p.dimensions.get(k)?.weight;
        let half = step(p.precision) / Decimal::TWO;
        let mut others = Decimal::ZERO;
        for (i, (d, s)) in p.dimensions.iter().zip(&self.dims).enumerate() {
            if i != k {
                others = others.checked_add(d.weight.checked_mul(s.0)?)?;
            }
        }
        let need = (t - half)
            .checked_mul(p.total_weight)?
            .checked_sub(others)?
            .checked_div(w)?;
        up(need, p.precision)
    }

    /// The qualifying value of a decimal or integer metric nearest its current value.
    fn nearest_value(&mut self, metric: u16) -> Option<Decimal> {
        let def = self.p.metrics.get(usize::from(metric))?;
        let g = def.scale;
        let integer = matches!(def.kind, MetricKind::Integer { .. });
        let current = match self.values.get(usize::from(metric)).copied().flatten() {
            Some(Value::Decimal(d)) => d,
            Some(Value::Integer(i)) => Decimal::from(i),
            _ => Decimal::ZERO,
        };
        // each point as the grid value at or below it, nearest first, each once
        let mut bases: Vec<(Decimal, Decimal, bool)> = self
            .critical_points(metric)
            .into_iter()
            .filter_map(|(c, exact)| down(c, g).map(|b| ((b - current).abs(), b, exact)))
            .collect();
        // an exact point needs the grid values next to it; a computed one a step more
        bases.sort_unstable_by_key(|a| (a.0, a.1, !a.2));
        bases.dedup_by(|later, first| {
            later.1 == first.1 && {
                first.2 &= later.2;
                true
            }
        });
        let s = step(g);
        let reach = s * Decimal::from(3);
        let value = |x: Decimal| {
            if integer {
                i64::try_from(x).ok().map(Value::Integer)
            } else {
                Some(Value::Decimal(x))
            }
        };
        let mut best: Option<(Decimal, Decimal)> = None;
        for (dist, base, exact) in bases {
            if best.is_some_and(|(d, _)| dist > d + reach) {
                break;
            }
            // the grid values around the point, and where qualification changes among them
            let window: [Option<Decimal>; 4] = [
                base.checked_sub(s),
                Some(base),
                base.checked_add(s),
                if exact { None } else { base.checked_add(s + s) },
            ];
            let mut q = [false; 4];
            for (slot, x) in q.iter_mut().zip(window) {
                *slot = x
                    .and_then(value)
                    .is_some_and(|v| self.qualifies_with(metric, Some(v)));
            }
            for k in 0..3 {
                let (Some(Some(a)), Some(Some(b))) = (window.get(k), window.get(k + 1)) else {
                    continue;
                };
                let (qa, qb) = (q.get(k).copied(), q.get(k + 1).copied());
                let candidate = match (qa, qb) {
                    (Some(false), Some(true)) if *b > current => *b,
                    (Some(true), Some(false)) if *a < current => *a,
                    _ => continue,
                };
                let d = (candidate - current).abs();
                let better = match best {
                    None => true,
                    Some((bd, bx)) => d < bd || (d == bd && candidate > bx),
                };
                if better {
                    best = Some((d, candidate));
                }
            }
        }
        best.map(|(_, b)| on_scale(b, g))
    }

    /// The first as-of date after the current one on which a date metric's dimensions
    /// alone make the customer qualify.
    fn first_date(&mut self, metric: u16) -> Option<NaiveDate> {
        let p = self.p;
        let Some(Value::Date(start)) = self.values.get(usize::from(metric)).copied().flatten()
        else {
            return None;
        };
        let dims: Vec<_> = p.dimensions.iter().filter(|d| d.metric == metric).collect();
        // beyond its last point a curve is flat: no later day changes anything
        let last_x = dims
            .iter()
            .filter_map(|d| match &d.curve {
                Curve::Linear(pts) | Curve::Steps(pts) => pts.last().map(|p| p.0),
                Curve::Map(_) => None,
            })
            .max()?;
        let last_x = i64::try_from(last_x.ceil()).ok()?.clamp(0, 36_600);
        let years = dims.iter().all(|d| d.unit == DateUnit::Years);
        if years {
            let now = score::whole_years(start, self.as_of);
            for k in (now + 1)..=(last_x.max(now) + 1) {
                let day = anniversary(start, k)?;
                if day > self.as_of && self.qualifies(metric, day) {
                    return Some(day);
                }
            }
            return None;
        }
        // days (or days and years): every day up to the last point is a candidate, so
        // check the days around each point where something can change, in order
        let now = (self.as_of - start).num_days();
        let mut xs: Vec<i64> = self
            .critical_points(metric)
            .into_iter()
            .filter_map(|(x, _)| i64::try_from(x.floor()).ok())
            .flat_map(|x| [x - 1, x, x + 1, x + 2])
            .filter(|x| *x > now && *x <= last_x.max(now) + 1)
            .collect();
        xs.push(now + 1);
        xs.sort_unstable();
        xs.dedup();
        for x in xs {
            let day = self
                .as_of
                .checked_add_days(Days::new(u64::try_from(x - now).ok()?))?;
            if self.qualifies(metric, day) {
                return Some(day);
            }
        }
        None
    }
}

/// Whether a condition reads `metric`, the score or one of the dimensions `mine`.
fn reads(c: &Cond, metric: u16, mine: &[usize]) -> bool {
    let op = |o: &Operand| match *o {
        Operand::Metric(m) => m == metric,
        Operand::Score => true,
        Operand::Dimension(k) => mine.contains(&usize::from(k)),
        _ => false,
    };
    match c {
        Cond::Const(_) => false,
        Cond::Truthy(m) => *m == metric,
        Cond::Not(c) => reads(c, metric, mine),
        Cond::And(cs) | Cond::Or(cs) => cs.iter().any(|c| reads(c, metric, mine)),
        Cond::Cmp(a, _, b) => op(a) || op(b),
        Cond::In(a, list) => op(a) || list.iter().any(op),
    }
}

/// The numbers an operand is compared with.
fn nums(consts: &[(Var, Vec<Rv>)], v: Var) -> Vec<Decimal> {
    consts
        .iter()
        .filter(|(w, _)| *w == v)
        .flat_map(|(_, c)| c.iter())
        .filter_map(|c| match c {
            Rv::Num(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// The first day on which `k` whole years have passed since `start` (a 29 February start
/// completes its years on 1 March in other years).
fn anniversary(start: NaiveDate, k: i64) -> Option<NaiveDate> {
    let months = u32::try_from(k.checked_mul(12)?).ok()?;
    let day = start.checked_add_months(Months::new(months))?;
    if score::whole_years(start, day) >= k {
        Some(day)
    } else {
        day.succ_opt()
    }
    .filter(|d| d.year() > start.year())
}

/// `to reach TIER:` and what would do it, for people (`tierwise explain`).
impl std::fmt::Display for Guidance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "to reach {}:", self.tier_id)?;
        match self.points {
            Some(p) => writeln!(f, "  points missing: {p}")?,
            None => writeln!(f, "  points missing: none (the score is enough)")?,
        }
        if !self.metrics.is_empty() {
            writeln!(f, "  one metric alone, everything else unchanged:")?;
            for m in &self.metrics {
                let needed = match &m.needed {
                    Needed::Value(Some(v)) => v.to_string(),
                    Needed::Values(list) if !list.is_empty() => list.join(", "),
                    Needed::Date(Some(d)) => format!("on {d}"),
                    _ => "cannot do it alone".to_owned(),
                };
                writeln!(f, "    {}: {needed}", m.metric)?;
            }
        }
        if !self.requirements.is_empty() {
            writeln!(f, "  requirements that fail:")?;
            for r in &self.requirements {
                match r.value {
                    Some(v) => writeln!(f, "    {}: needs {v}", r.text)?,
                    None => writeln!(f, "    {}", r.text)?,
                }
            }
        }
        if !self.caps.is_empty() {
            writeln!(f, "  caps in force (they would still hold the tier down):")?;
            for c in &self.caps {
                writeln!(f, "    at most {}: {}", c.tier, c.reason)?;
            }
        }
        Ok(())
    }
}
