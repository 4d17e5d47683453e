//! The values each operand of a condition can take over every record the policy accepts,
//! and a finite set of representative points that decides any condition over them.
//!
//! Every comparison of a condition sets one operand against constants. Between two
//! consecutive constants (and a domain's bounds) every value of an operand gives every
//! comparison the same result, so one value per such region, plus each constant itself,
//! is as good as all values: a condition that holds (or fails) at every combination of
//! representatives holds (or fails) everywhere. Operands are taken independently of each
//! other (the score as if it did not depend on the metrics), which can only add
//! combinations that no record has; so what holds at every combination holds for every
//! record. That is what makes a warning sound. Conditions that compare two operands with
//! each other are not decided.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::eval::cond::Env;
use crate::model::{CaseSlots, CmpOp, Compiled, Cond, MetricKind, Operand, Rv, Score, Value};

/// Most combinations of representatives one question may look at; beyond it the analysis
/// says nothing.
pub(crate) const MAX_POINTS: usize = 1 << 14;

/// An operand a condition reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Var {
    Metric(u16),
    Score,
    Dimension(u16),
    Tier,
    Kind,
    Severity,
    Channel,
}

impl Var {
    fn of(o: &Operand) -> Option<Var> {
        Some(match *o {
            Operand::Metric(m) => Var::Metric(m),
            Operand::Score => Var::Score,
            Operand::Dimension(d) => Var::Dimension(d),
            Operand::Tier => Var::Tier,
            Operand::CaseKind => Var::Kind,
            Operand::CaseSeverity => Var::Severity,
            Operand::CaseChannel => Var::Channel,
            Operand::Lit(_) => return None,
        })
    }
}

/// A closed interval; `None` is unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    pub(crate) lo: Option<Decimal>,
    pub(crate) hi: Option<Decimal>,
}

impl Interval {
    pub(crate) const ALL: Interval = Interval { lo: None, hi: None };

    pub(crate) fn new(lo: Decimal, hi: Decimal) -> Interval {
        Interval {
            lo: Some(lo),
            hi: Some(hi),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!((self.lo, self.hi), (Some(l), Some(h)) if l > h)
    }

    pub(crate) fn contains(&self, x: Decimal) -> bool {
        self.lo.is_none_or(|l| l <= x) && self.hi.is_none_or(|h| x <= h)
    }
}

/// The values of one operand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Dom {
    /// Numbers in the interval on a grid of `grid` decimals (0 for integers, the precision
    /// for scores), or any decimal when `grid` is `None`.
    Num {
        iv: Interval,
        grid: Option<u32>,
    },
    /// Any date.
    Date,
    /// The symbols (enum values, tiers, case kinds, ...) by number.
    Sym(Vec<u16>),
    Bool(Vec<bool>),
}

/// The values of one operand, and whether it can be absent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VarDom {
    pub(crate) dom: Dom,
    pub(crate) absent: bool,
}

impl VarDom {
    /// Whether the operand has no value at all (a contradiction was narrowed into it).
    pub(crate) fn is_empty(&self) -> bool {
        !self.absent
            && match &self.dom {
                Dom::Num { iv, grid } => {
                    iv.is_empty()
                        || match (iv.lo, iv.hi, grid) {
                            (Some(l), Some(h), Some(g)) => up(l, *g).is_none_or(|u| u > h),
                            _ => false,
                        }
                }
                Dom::Date => false,
                Dom::Sym(s) => s.is_empty(),
                Dom::Bool(b) => b.is_empty(),
            }
    }
}

/// The smallest value on a grid of `g` decimals at or above `x`.
pub(crate) fn up(x: Decimal, g: u32) -> Option<Decimal> {
    let r = x.round_dp_with_strategy(g, RoundingStrategy::ToPositiveInfinity);
    (r >= x).then_some(r)
}

/// The largest value on a grid of `g` decimals at or below `x`.
pub(crate) fn down(x: Decimal, g: u32) -> Option<Decimal> {
    let r = x.round_dp_with_strategy(g, RoundingStrategy::ToNegativeInfinity);
    (r <= x).then_some(r)
}

/// One grid step of `g` decimals.
pub(crate) fn step(g: u32) -> Decimal {
    Decimal::new(1, g)
}

/// What every operand of a policy can be, over all accepted records and cases.
#[derive(Debug, Clone)]
pub(crate) struct Domains {
    pub(crate) metrics: Vec<VarDom>,
    pub(crate) score: Interval,
    pub(crate) dimensions: Vec<Interval>,
    pub(crate) precision: u32,
    pub(crate) tiers: u16,
    pub(crate) kinds: u16,
    pub(crate) severities: u16,
    pub(crate) severity_absent: bool,
    pub(crate) channels: u16,
}

impl Domains {
    /// The metrics' domains from their declarations. Scores are left unbounded for
    /// [`super::range`] to fill in.
    pub(crate) fn of(p: &Compiled) -> Domains {
        let metrics = p
            .metrics
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let used_by_dimension = p.dimensions.iter().any(|d| usize::from(d.metric) == i);
                // an absent optional metric a dimension needs is an input error unless
                // `missing = "zero"`
                let absent =
                    m.default.is_none() && !m.required && (!used_by_dimension || p.missing_zero);
                let dom = match &m.kind {
                    MetricKind::Decimal { min, max } => Dom::Num {
                        iv: Interval { lo: *min, hi: *max },
                        grid: None,
                    },
                    MetricKind::Integer { min, max } => Dom::Num {
                        iv: Interval {
                            lo: min.and_then(|v| up(v, 0)).or(Some(Decimal::from(i64::MIN))),
                            hi: max
                                .and_then(|v| down(v, 0))
                                .or(Some(Decimal::from(i64::MAX))),
                        },
                        grid: Some(0),
                    },
                    MetricKind::Date => Dom::Date,
                    MetricKind::Enum { values } => Dom::Sym(
                        (0..values.len())
                            .filter_map(|v| u16::try_from(v).ok())
                            .collect(),
                    ),
                    MetricKind::Bool => Dom::Bool(vec![false, true]),
                    MetricKind::Unresolved => Dom::Sym(Vec::new()),
                };
                VarDom { dom, absent }
            })
            .collect();
        let s = &p.services;
        let count = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        Domains {
            metrics,
            score: Interval::ALL,
            dimensions: vec![Interval::ALL; p.dimensions.len()],
            precision: p.precision,
            tiers: count(p.tiers.len()),
            kinds: count(s.cases.len()),
            severities: count(s.severities.len()),
            severity_absent: s.cases.iter().any(|c| c.severities.is_empty()),
            channels: count(s.channels.len()),
        }
    }

    pub(crate) fn var(&self, v: Var) -> VarDom {
        let syms = |n: u16, absent: bool| VarDom {
            dom: Dom::Sym((0..n).collect()),
            absent,
        };
        let num = |iv: Interval| VarDom {
            dom: Dom::Num {
                iv,
                grid: Some(self.precision),
            },
            absent: false,
        };
        match v {
            Var::Metric(m) => self.metrics.get(usize::from(m)).cloned().unwrap_or(VarDom {
                dom: Dom::Sym(Vec::new()),
                absent: true,
            }),
            Var::Score => num(self.score),
            Var::Dimension(d) => num(self
                .dimensions
                .get(usize::from(d))
                .copied()
                .unwrap_or(Interval::ALL)),
            Var::Tier => syms(self.tiers, false),
            Var::Kind => syms(self.kinds, false),
            Var::Severity => syms(self.severities, self.severity_absent),
            Var::Channel => syms(self.channels, true),
        }
    }

    /// Narrows the domains by a condition that is known to hold: each comparison of an
    /// operand with a constant in its top-level `and`. Anything else is left as it is,
    /// which keeps the domains a superset of the records the condition admits.
    pub(crate) fn narrow(&mut self, c: &Cond) {
        match c {
            Cond::And(cs) => cs.iter().for_each(|c| self.narrow(c)),
            Cond::Const(false) => {
                self.score = Interval::new(Decimal::ONE, Decimal::ZERO);
            }
            Cond::Truthy(m) => {
                if let Some(d) = self.metrics.get_mut(usize::from(*m)) {
                    d.absent = false;
                    if let Dom::Bool(b) = &mut d.dom {
                        b.retain(|v| *v);
                    }
                }
            }
            Cond::Cmp(a, op, b) => match (Var::of(a), b, Var::of(b), a) {
                (Some(v), Operand::Lit(l), _, _) => self.narrow_cmp(v, *op, *l),
                (None, _, Some(v), Operand::Lit(l)) => self.narrow_cmp(v, op.flip(), *l),
                _ => {}
            },
            Cond::In(a, list) => {
                let Some(v) = Var::of(a) else { return };
                let lits: Option<Vec<Rv>> = list
                    .iter()
                    .map(|o| match o {
                        Operand::Lit(l) => Some(*l),
                        _ => None,
                    })
                    .collect();
                let Some(lits) = lits else { return };
                let syms: Vec<u16> = lits
                    .iter()
                    .filter_map(|l| match l {
                        Rv::Sym(s) => Some(*s),
                        _ => None,
                    })
                    .collect();
                if let (Var::Metric(m), false) = (v, syms.is_empty()) {
                    if let Some(d) = self.metrics.get_mut(usize::from(m)) {
                        d.absent = false;
                        if let Dom::Sym(s) = &mut d.dom {
                            s.retain(|x| syms.contains(x));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn narrow_cmp(&mut self, v: Var, op: CmpOp, lit: Rv) {
        let grid = self.precision;
        let (iv, grid) = match v {
            Var::Metric(m) => {
                let Some(d) = self.metrics.get_mut(usize::from(m)) else {
                    return;
                };
                d.absent = false;
                match (&mut d.dom, lit) {
                    (Dom::Num { iv, grid }, Rv::Num(_)) => (iv, *grid),
                    (Dom::Sym(s), Rv::Sym(x)) => {
                        match op {
                            CmpOp::Eq => s.retain(|y| *y == x),
                            CmpOp::Ne => s.retain(|y| *y != x),
                            _ => {}
                        }
                        return;
                    }
                    (Dom::Bool(s), Rv::Bool(x)) => {
                        match op {
                            CmpOp::Eq => s.retain(|y| *y == x),
                            CmpOp::Ne => s.retain(|y| *y != x),
                            _ => {}
                        }
                        return;
                    }
                    _ => return,
                }
            }
            Var::Score => (&mut self.score, Some(grid)),
            Var::Dimension(i) => match self.dimensions.get_mut(usize::from(i)) {
                Some(iv) => (iv, Some(grid)),
                None => return,
            },
            _ => return,
        };
        let Rv::Num(c) = lit else { return };
        let raise = |iv: &mut Interval, x: Option<Decimal>| {
            if let Some(x) = x {
                iv.lo = Some(iv.lo.map_or(x, |l| l.max(x)));
            }
        };
        let lower = |iv: &mut Interval, x: Option<Decimal>| {
            if let Some(x) = x {
                iv.hi = Some(iv.hi.map_or(x, |h| h.min(x)));
            }
        };
        // the first grid value above `c` and the last below it; without a grid the bound
        // itself (a closed bound keeps a superset)
        let above = |c: Decimal| match grid {
            Some(g) => down(c, g).and_then(|d| d.checked_add(step(g))),
            None => Some(c),
        };
        let below = |c: Decimal| match grid {
            Some(g) => up(c, g).and_then(|u| u.checked_sub(step(g))),
            None => Some(c),
        };
        match op {
            CmpOp::Eq => {
                raise(iv, Some(c));
                lower(iv, Some(c));
            }
            CmpOp::Ne => {}
            CmpOp::Ge => raise(iv, Some(c)),
            CmpOp::Gt => raise(iv, above(c)),
            CmpOp::Le => lower(iv, Some(c)),
            CmpOp::Lt => lower(iv, below(c)),
        }
    }
}

/// The constants each operand of some conditions is compared with, or `None` when an
/// operand is compared with another operand (not decided here).
pub(crate) fn constants(conds: &[&Cond]) -> Option<Vec<(Var, Vec<Rv>)>> {
    fn add(out: &mut Vec<(Var, Vec<Rv>)>, v: Var, lit: Option<Rv>) {
        let i = match out.iter().position(|(w, _)| *w == v) {
            Some(i) => i,
            None => {
                out.push((v, Vec::new()));
                out.len() - 1
            }
        };
        if let (Some(l), Some((_, ls))) = (lit, out.get_mut(i)) {
            if !ls.contains(&l) {
                ls.push(l);
            }
        }
    }
    fn walk(c: &Cond, out: &mut Vec<(Var, Vec<Rv>)>) -> Option<()> {
        match c {
            Cond::Const(_) => {}
            Cond::Truthy(m) => add(out, Var::Metric(*m), None),
            Cond::Not(c) => walk(c, out)?,
            Cond::And(cs) | Cond::Or(cs) => {
                for c in cs.iter() {
                    walk(c, out)?;
                }
            }
            Cond::Cmp(a, _, b) => match (Var::of(a), Var::of(b), a, b) {
                (Some(v), None, _, Operand::Lit(l)) | (None, Some(v), Operand::Lit(l), _) => {
                    add(out, v, Some(*l));
                }
                (None, None, _, _) => {}
                _ => return None,
            },
            Cond::In(a, list) => {
                let v = Var::of(a);
                for o in list.iter() {
                    match (v, o) {
                        (Some(v), Operand::Lit(l)) => add(out, v, Some(*l)),
                        (None, Operand::Lit(_)) => {}
                        _ => return None,
                    }
                }
                if let Some(v) = v {
                    add(out, v, None);
                }
            }
        }
        Some(())
    }
    let mut out = Vec::new();
    for c in conds {
        walk(c, &mut out)?;
    }
    out.sort_by_key(|(v, _)| *v);
    Some(out)
}

/// One value per region of the domain cut at the constants, each constant in the domain
/// included; `None` in the list is "absent". `None` as a whole when a representative
/// cannot be computed exactly.
pub(crate) fn representatives(d: &VarDom, consts: &[Rv]) -> Option<Vec<Option<Rv>>> {
    let mut out: Vec<Option<Rv>> = Vec::new();
    if d.absent {
        out.push(None);
    }
    match &d.dom {
        Dom::Num { iv, grid } => {
            if iv.is_empty() {
                return Some(out);
            }
            let mut cuts: Vec<Decimal> = consts
                .iter()
                .filter_map(|c| match c {
                    Rv::Num(n) => Some(*n),
                    _ => None,
                })
                .filter(|n| iv.contains(*n))
                .chain(iv.lo)
                .chain(iv.hi)
                .collect();
            cuts.sort();
            cuts.dedup();
            let on_grid = |x: Decimal| grid.is_none_or(|g| down(x, g) == Some(x));
            for c in &cuts {
                if on_grid(*c) {
                    out.push(Some(Rv::Num(*c)));
                }
            }
            // the open regions: below the first cut (when unbounded below), between two
            // cuts, above the last (when unbounded above)
            let mut gaps: Vec<(Option<Decimal>, Option<Decimal>)> = Vec::new();
            match (cuts.first(), iv.lo) {
                (Some(f), None) => gaps.push((None, Some(*f))),
                (None, _) => gaps.push((iv.lo, iv.hi)),
                _ => {}
            }
            for w in cuts.windows(2) {
                if let [a, b] = *w {
                    gaps.push((Some(a), Some(b)));
                }
            }
            if let (Some(l), None, false) = (cuts.last(), iv.hi, cuts.is_empty()) {
                gaps.push((Some(*l), None));
            }
            for (a, b) in gaps {
                let x = match (a, b, *grid) {
                    (None, None, _) => Some(Decimal::ZERO),
                    (Some(a), None, Some(g)) => down(a, g)?.checked_add(step(g)),
                    (Some(a), None, None) => a.checked_add(Decimal::ONE),
                    (None, Some(b), Some(g)) => up(b, g)?.checked_sub(step(g)),
                    (None, Some(b), None) => b.checked_sub(Decimal::ONE),
                    (Some(a), Some(b), Some(g)) => {
                        Some(down(a, g)?.checked_add(step(g))?).filter(|x| *x < b)
                    }
                    (Some(a), Some(b), None) => {
                        let m = (a / Decimal::TWO).checked_add(b / Decimal::TWO)?;
                        if !(a < m && m < b) {
                            return None;
                        }
                        Some(m)
                    }
                };
                // a gap with no grid value is no region; one past the numbers' range
                // cannot be written, and then nothing is decided
                match (x, a, b) {
                    (Some(x), _, _) => out.push(Some(Rv::Num(x))),
                    (None, Some(_), Some(_)) if grid.is_some() => {}
                    _ => return None,
                }
            }
        }
        Dom::Date => {
            let mut cuts: Vec<NaiveDate> = consts
                .iter()
                .filter_map(|c| match c {
                    Rv::Date(d) => Some(*d),
                    _ => None,
                })
                .collect();
            cuts.sort();
            cuts.dedup();
            match (cuts.first(), cuts.last()) {
                (Some(f), Some(l)) => {
                    out.push(Some(Rv::Date(f.pred_opt()?)));
                    out.push(Some(Rv::Date(l.succ_opt()?)));
                }
                _ => out.push(NaiveDate::from_ymd_opt(2000, 1, 1).map(Rv::Date)),
            }
            for c in &cuts {
                out.push(Some(Rv::Date(*c)));
            }
            for w in cuts.windows(2) {
                if let [a, b] = *w {
                    if let Some(n) = a.succ_opt().filter(|n| *n < b) {
                        out.push(Some(Rv::Date(n)));
                    }
                }
            }
        }
        Dom::Sym(s) => out.extend(s.iter().map(|v| Some(Rv::Sym(*v)))),
        Dom::Bool(b) => out.extend(b.iter().map(|v| Some(Rv::Bool(*v)))),
    }
    Some(out)
}

/// A point: a value (or absence) for each operand involved, as an evaluation environment.
pub(crate) struct Point {
    values: Vec<Option<Value>>,
    dimensions: Vec<Score>,
    score: Score,
    tier: Option<u16>,
    case: CaseSlots,
}

impl Point {
    pub(crate) fn env(&self) -> Env<'_> {
        Env {
            values: &self.values,
            score: self.score,
            dimensions: &self.dimensions,
            tier: self.tier,
            case: Some(self.case),
        }
    }
}

/// Calls `visit` at every combination of representatives of the operands of `conds`
/// until it returns `false`. `None` when the conditions cannot be decided this way (an
/// operand compared with another, too many combinations, a value that cannot be written).
pub(crate) fn explore(
    p: &Compiled,
    doms: &Domains,
    conds: &[&Cond],
    mut visit: impl FnMut(&Env<'_>) -> bool,
) -> Option<()> {
    let vars = constants(conds)?;
    let mut reps: Vec<(Var, Vec<Option<Rv>>)> = Vec::with_capacity(vars.len());
    let mut total: usize = 1;
    for (v, consts) in &vars {
        let r = representatives(&doms.var(*v), consts)?;
        total = total.checked_mul(r.len())?;
        if total > MAX_POINTS {
            return None;
        }
        reps.push((*v, r));
    }
    if total == 0 {
        return Some(());
    }
    let mut point = Point {
        values: vec![None; p.metrics.len()],
        dimensions: vec![Score(Decimal::ZERO); p.dimensions.len()],
        score: Score(Decimal::ZERO),
        tier: None,
        case: CaseSlots::default(),
    };
    let mut at = vec![0usize; reps.len()];
    loop {
        for ((v, r), i) in reps.iter().zip(&at) {
            set(p, &mut point, *v, r.get(*i).copied().flatten())?;
        }
        if !visit(&point.env()) {
            return Some(());
        }
        // the next combination, like an odometer
        let mut k = 0;
        loop {
            let (Some(i), Some((_, r))) = (at.get_mut(k), reps.get(k)) else {
                return Some(());
            };
            *i += 1;
            if *i < r.len() {
                break;
            }
            *i = 0;
            k += 1;
        }
    }
}

/// A representative as a value of a metric of `kind`; `None` when it does not fit (a number
/// beyond an integer's range).
pub(crate) fn metric_value(kind: &MetricKind, r: Rv) -> Option<Value> {
    Some(match (r, kind) {
        (Rv::Num(n), MetricKind::Integer { .. }) => Value::Integer(i64::try_from(n).ok()?),
        (Rv::Num(n), _) => Value::Decimal(n),
        (Rv::Date(d), _) => Value::Date(d),
        (Rv::Sym(s), _) => Value::Enum(s),
        (Rv::Bool(b), _) => Value::Bool(b),
    })
}

fn set(p: &Compiled, pt: &mut Point, v: Var, value: Option<Rv>) -> Option<()> {
    match v {
        Var::Metric(m) => {
            let slot = pt.values.get_mut(usize::from(m))?;
            let kind = &p.metrics.get(usize::from(m))?.kind;
            *slot = match value {
                None => None,
                Some(r) => Some(metric_value(kind, r)?),
            };
        }
        Var::Score => pt.score = Score(num(value)?),
        Var::Dimension(d) => *pt.dimensions.get_mut(usize::from(d))? = Score(num(value)?),
        Var::Tier => pt.tier = sym(value),
        Var::Kind => pt.case.kind = sym(value)?,
        Var::Severity => pt.case.severity = sym(value),
        Var::Channel => pt.case.channel = sym(value),
    }
    Some(())
}

fn num(v: Option<Rv>) -> Option<Decimal> {
    match v {
        Some(Rv::Num(n)) => Some(n),
        _ => None,
    }
}

fn sym(v: Option<Rv>) -> Option<u16> {
    match v {
        Some(Rv::Sym(s)) => Some(s),
        _ => None,
    }
}

/// Whether a condition holds at some point and fails at some point of the domains:
/// `(can_hold, can_fail)`, or `None` when undecided.
pub(crate) fn outcomes(p: &Compiled, doms: &Domains, c: &Cond) -> Option<(bool, bool)> {
    let (mut t, mut f) = (false, false);
    explore(p, doms, &[c], |env| {
        if c.eval(env) {
            t = true;
        } else {
            f = true;
        }
        !(t && f)
    })?;
    Some((t, f))
}
