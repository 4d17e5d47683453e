//! Columnar classification: a chunk of rows scored and tiered in integers straight from
//! the Arrow columns, with no record built.
//!
//! When the policy allows it ([`Vector::new`]: every dimension on an integer curve,
//! integer weights, every number of its conditions, thresholds and bounds exact at
//! [`X_SCALE`]), each chunk of rows is read column by column into integer lanes: a
//! number as a fixed-point integer at [`X_SCALE`], a date as its Arrow day number, an
//! enum value by its position, a boolean as 0 or 1. The chunk is then decided in three
//! passes: each row scored on the integer curves; each condition of the policy (the
//! tiers' `require`, the adjustments' `when`) evaluated for all rows at once, node by
//! node, into a mask (a metric against a value runs down its lane); and each row's tier
//! decided from its score and masks in the order of spec section 7, as
//! [`decide`](crate::eval::decide) does on records.
//!
//! Whatever the lanes cannot say exactly is left to the builder and the record path, row
//! by row, so that its result or message is theirs: a cell the builder would refuse or
//! report (out of range, not a value of the enum, a date chrono cannot hold), a required
//! metric without a value, a pin, an unknown previous tier, a number too large for the
//! integer path, a tenure date after the as-of date, a null as-of date. The results are
//! the same as [`classify`](crate::eval::classify)'s for every row: a property test of
//! random batches and a test over the sample customers check it.

use arrow_array::types::Int64Type;
use arrow_array::PrimitiveArray;
use arrow_array::{Array, BooleanArray, Date32Array, Decimal128Array, GenericStringArray};
use chrono::NaiveDate;

use super::cells::{days_of_date, trim, Cells};
use super::columns::{Binding, Columns, Target};
use super::fill::CHUNK;
use super::AsOf;
use crate::model::fast::{mul, pow10, x_of, x_of_int, X_SCALE};
use crate::model::{
    AdjustKind, CmpOp, Compiled, Cond, DateUnit, FastCurve, FastWeights, MetricDef, MetricKind,
    Operand, Rv, Value,
};

/// The largest magnitude a `Decimal` holds (96 bits): a score beyond it is not the decimal
/// path's.
const DECIMAL_LIMIT: u128 = 1 << 96;

/// What a lane holds, so that values of different kinds never compare (as on records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Num,
    Date,
    Sym,
    Bool,
}

/// A metric as a lane kind.
fn kind_of(kind: &MetricKind) -> Option<Kind> {
    Some(match kind {
        MetricKind::Decimal { .. } | MetricKind::Integer { .. } => Kind::Num,
        MetricKind::Date => Kind::Date,
        MetricKind::Enum { .. } => Kind::Sym,
        MetricKind::Bool => Kind::Bool,
        MetricKind::Unresolved => return None,
    })
}

/// A value as its lane, `None` where the integer path cannot hold it exactly.
fn lane_of(v: Value) -> Option<i128> {
    Some(match v {
        Value::Decimal(d) => x_of(d)?,
        Value::Integer(i) => x_of_int(i)?,
        Value::Date(d) => i128::from(days_of_date(d)),
        Value::Enum(e) => i128::from(e),
        Value::Bool(b) => i128::from(b),
    })
}

/// A condition operand over the lanes of a row.
#[derive(Debug, Clone, Copy)]
enum Op {
    Metric(usize, Kind),
    Score,
    Dimension(usize),
    /// A tier or case: absent while tiering.
    Absent,
    Lit(Kind, i128),
}

/// A compiled condition over the lanes of a row.
#[derive(Debug, Clone)]
enum VCond {
    Const(bool),
    Truthy(usize),
    Not(Box<VCond>),
    And(Box<[VCond]>),
    Or(Box<[VCond]>),
    Cmp(Op, CmpOp, Op),
    In(Op, Box<[Op]>),
}

fn op_of(p: &Compiled, o: &Operand) -> Option<Op> {
    Some(match *o {
        Operand::Metric(m) => {
            let m = usize::from(m);
            Op::Metric(m, kind_of(&p.metrics.get(m)?.kind)?)
        }
        Operand::Score => Op::Score,
        // a dimension the policy does not have reads as absent, as on records
        Operand::Dimension(i) if usize::from(i) < p.dimensions.len() => {
            Op::Dimension(usize::from(i))
        }
        Operand::Dimension(_) => Op::Absent,
        Operand::Tier | Operand::CaseKind | Operand::CaseSeverity | Operand::CaseChannel => {
            Op::Absent
        }
        Operand::Lit(Rv::Num(d)) => Op::Lit(Kind::Num, x_of(d)?),
        Operand::Lit(Rv::Date(d)) => Op::Lit(Kind::Date, i128::from(days_of_date(d))),
        Operand::Lit(Rv::Bool(b)) => Op::Lit(Kind::Bool, i128::from(b)),
        Operand::Lit(Rv::Sym(s)) => Op::Lit(Kind::Sym, i128::from(s)),
    })
}

fn cond_of(p: &Compiled, c: &Cond) -> Option<VCond> {
    let all = |cs: &[Cond]| {
        cs.iter()
            .map(|c| cond_of(p, c))
            .collect::<Option<Box<[_]>>>()
    };
    Some(match c {
        Cond::Const(b) => VCond::Const(*b),
        // a bare metric holds when it is a boolean and true: the kind is decided here
        Cond::Truthy(m) => {
            let m = usize::from(*m);
            match p.metrics.get(m)?.kind {
                MetricKind::Bool => VCond::Truthy(m),
                _ => VCond::Const(false),
            }
        }
        Cond::Not(c) => VCond::Not(Box::new(cond_of(p, c)?)),
        Cond::And(cs) => VCond::And(all(cs)?),
        Cond::Or(cs) => VCond::Or(all(cs)?),
        Cond::Cmp(a, op, b) => VCond::Cmp(op_of(p, a)?, *op, op_of(p, b)?),
        Cond::In(a, list) => VCond::In(
            op_of(p, a)?,
            list.iter().map(|o| op_of(p, o)).collect::<Option<_>>()?,
        ),
    })
}

/// What a dimension reads from its metric's lane.
#[derive(Debug, Clone, Copy)]
enum Input {
    /// The lane itself: a number at [`X_SCALE`], an enum position, a boolean.
    Lane,
    /// Whole years from the date to the as-of date.
    Years,
    /// Days from the date to the as-of date.
    Days,
}

struct Dim<'p> {
    metric: usize,
    input: Input,
    curve: &'p FastCurve,
}

struct TierRule {
    /// `min_score` at [`X_SCALE`].
    min: i128,
    /// `min_score - downgrade_buffer` at [`X_SCALE`].
    keep: i128,
    require: Vec<VCond>,
}

/// How a metric's column is read into its lane.
enum Source<'a> {
    /// No column: the default, or nothing.
    Missing,
    Decimal128 {
        array: &'a Decimal128Array,
        /// 10^(X_SCALE - scale).
        factor: i128,
    },
    I64(&'a PrimitiveArray<Int64Type>),
    Date32(&'a Date32Array),
    Bool(&'a BooleanArray),
    /// An enum from a dictionary: each dictionary value's position in the enum.
    Dict {
        keys: &'a [usize],
        column: &'a dyn Array,
        choices: &'a [Option<u16>],
    },
    /// An enum from text.
    Text(&'a GenericStringArray<i32>, &'a [String]),
    /// Any other column, through the builder's reading of a value.
    Other(&'a Binding<'a>),
}

struct MetricIn<'a> {
    def: &'a MetricDef,
    source: Source<'a>,
    /// The lane of the default, when there is one.
    default: Option<i128>,
    required: bool,
    /// The bounds at [`X_SCALE`], checked for the typed sources (the builder's checks
    /// cover [`Source::Other`]).
    min: Option<i128>,
    max: Option<i128>,
}

/// A state or pin column.
enum StateIn<'a> {
    Date32(&'a Date32Array),
    Text(&'a GenericStringArray<i32>),
    Other(&'a Binding<'a>),
}

/// A row decided by the lanes: what its output row holds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Decided {
    pub(crate) tier: u16,
    pub(crate) qualified: u16,
    /// The score and the dimension scores at the precision.
    pub(crate) score: i128,
    pub(crate) dims: [i128; MAX_DIMENSIONS],
    pub(crate) tier_since: i32,
    pub(crate) last_qualified: Option<i32>,
}

/// The most dimensions the lanes score.
pub(crate) const MAX_DIMENSIONS: usize = 8;

/// The columnar plan of one batch and the lanes of its current chunk.
pub(crate) struct Vector<'a, 'p> {
    p: &'p Compiled,
    metrics: Vec<MetricIn<'a>>,
    previous_tier: Option<StateIn<'a>>,
    tier_since: Option<StateIn<'a>>,
    last_qualified: Option<StateIn<'a>>,
    /// Pin columns: a row with a pin is the builder's.
    pins: Vec<&'a Binding<'a>>,
    dims: Vec<Dim<'p>>,
    weights: &'p FastWeights,
    /// 10^(X_SCALE - precision): a score at the precision to [`X_SCALE`].
    score_factor: i128,
    tiers: Vec<TierRule>,
    adjustments: Vec<(VCond, AdjustKind, u16)>,
    grace_days: i64,
    max_steps: Option<u16>,
    /// The day numbers chrono can hold.
    days: (i64, i64),
    // the chunk: lanes column-major, `lanes[m * CHUNK + r]`
    lanes: Vec<i128>,
    present: Vec<bool>,
    /// The rows decided, where [`valid`](Self::valid) says so.
    decided: Vec<Decided>,
    valid: Vec<bool>,
    /// [`SCORES`] per row: the score and dimension scores at [`X_SCALE`].
    scores: Vec<i128>,
    /// The conditions of the chunk ([`Masks`]).
    holds: Vec<bool>,
    when: Vec<bool>,
    /// Buffers for the parts of conditions.
    spare: Vec<Vec<bool>>,
    prev: Vec<Option<u16>>,
    since: Vec<Option<i32>>,
    last: Vec<Option<i32>>,
    scratch: String,
}

impl<'a, 'p: 'a> Vector<'a, 'p> {
    /// The plan for `columns`, or `None` when the policy needs the record path.
    pub(crate) fn new(p: &'p Compiled, columns: &'a Columns<'a>) -> Option<Vector<'a, 'p>> {
        let precision = p.precision;
        if p.dimensions.len() > MAX_DIMENSIONS || precision > X_SCALE {
            return None;
        }
        let weights = p.prepared.fast_weights.as_ref()?;
        let dims = p
            .dimensions
            .iter()
            .zip(&p.prepared.fast_curves)
            .map(|(d, curve)| {
                let metric = usize::from(d.metric);
                let input = match (&p.metrics.get(metric)?.kind, d.unit) {
                    (MetricKind::Date, DateUnit::Years) => Input::Years,
                    (MetricKind::Date, DateUnit::Days) => Input::Days,
                    (MetricKind::Unresolved, _) => return None,
                    _ => Input::Lane,
                };
                Some(Dim {
                    metric,
                    input,
                    curve: curve.as_ref()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        if dims.len() != p.dimensions.len() {
            return None;
        }
        let tiers = p
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Some(TierRule {
                    min: x_of(*p.prepared.min_scores.get(i)?)?,
                    keep: x_of(*p.prepared.keep_scores.get(i)?)?,
                    require: t
                        .require
                        .iter()
                        .map(|(_, c)| cond_of(p, c))
                        .collect::<Option<_>>()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let adjustments = p
            .adjustments
            .iter()
            .map(|a| Some((cond_of(p, &a.when)?, a.kind, a.tier)))
            .collect::<Option<Vec<_>>>()?;

        let mut metrics = Vec::with_capacity(p.metrics.len());
        for def in &p.metrics {
            let (min, max) = match &def.kind {
                MetricKind::Decimal { min, max } | MetricKind::Integer { min, max } => (*min, *max),
                _ => (None, None),
            };
            let bound = |b: Option<rust_decimal::Decimal>| match b {
                Some(b) => x_of(b).map(Some),
                None => Some(None),
            };
            let default = match def.default {
                Some(v) => Some(lane_of(v)?),
                None => None,
            };
            let (min, max) = (bound(min)?, bound(max)?);
            metrics.push(MetricIn {
                def,
                source: Source::Missing,
                default,
                required: def.required,
                min,
                max,
            });
        }
        let (mut previous_tier, mut tier_since, mut last_qualified) = (None, None, None);
        let mut pins = Vec::new();
        for b in &columns.bindings {
            match b.target {
                Target::Metric(i) => {
                    let m = metrics.get_mut(i)?;
                    m.source = source(m.def, b);
                }
                Target::State(field) => {
                    let state = match (&b.cells, field) {
                        (Cells::Date32(a), "tier_since" | "last_qualified") => StateIn::Date32(a),
                        (Cells::Utf8(a), "previous_tier") => StateIn::Text(a),
                        _ => StateIn::Other(b),
                    };
                    match field {
                        "previous_tier" => previous_tier = Some(state),
                        "tier_since" => tier_since = Some(state),
                        "last_qualified" => last_qualified = Some(state),
                        _ => pins.push(b),
                    }
                }
            }
        }
        let metric_count = p.metrics.len();
        let (tier_count, adjustment_count) = (tiers.len(), adjustments.len());
        Some(Vector {
            p,
            metrics,
            previous_tier,
            tier_since,
            last_qualified,
            pins,
            dims,
            weights,
            score_factor: pow10(X_SCALE - precision)?,
            tiers,
            adjustments,
            grace_days: p.tiering.downgrade_grace_days,
            max_steps: p.tiering.max_downgrade_steps,
            days: (
                i64::from(days_of_date(NaiveDate::MIN)),
                i64::from(days_of_date(NaiveDate::MAX)),
            ),
            lanes: vec![0; metric_count * CHUNK],
            present: vec![false; metric_count * CHUNK],
            decided: vec![Decided::default(); CHUNK],
            valid: vec![false; CHUNK],
            scores: vec![0; SCORES * CHUNK],
            holds: vec![false; tier_count * CHUNK],
            when: vec![false; adjustment_count * CHUNK],
            spare: Vec::new(),
            prev: vec![None; CHUNK],
            since: vec![None; CHUNK],
            last: vec![None; CHUNK],
            scratch: String::new(),
        })
    }

    /// Row `r` of the current chunk, when the lanes decided it.
    pub(crate) fn decided(&self, r: usize) -> Option<&Decided> {
        if *self.valid.get(r)? {
            self.decided.get(r)
        } else {
            None
        }
    }

    /// Reads and decides rows `start..start + n` (`n` at most [`CHUNK`]).
    pub(crate) fn run(&mut self, start: usize, n: usize, as_of: &AsOf<'_>) {
        let n = n.min(CHUNK);
        // every row starts decidable; reading and scoring strike rows out
        let mut ok = [true; CHUNK];
        for (m, metric) in self.metrics.iter().enumerate() {
            let lanes = self
                .lanes
                .get_mut(m * CHUNK..(m + 1) * CHUNK)
                .unwrap_or(&mut []);
            let present = self
                .present
                .get_mut(m * CHUNK..(m + 1) * CHUNK)
                .unwrap_or(&mut []);
            read_metric(
                metric,
                start,
                n,
                self.days,
                lanes,
                present,
                &mut ok,
                &mut self.scratch,
            );
        }
        self.read_state(start, n, &mut ok);
        let fixed = match as_of {
            AsOf::Date(d) => {
                let days = days_of_date(*d);
                Some((days, civil(days)))
            }
            AsOf::Column(_) => None,
        };
        // 1. each row is scored into its slot (the slots are taken out meanwhile)
        let mut decided = std::mem::take(&mut self.decided);
        let mut valid = std::mem::take(&mut self.valid);
        let mut scores = std::mem::take(&mut self.scores);
        let mut day_of = [0i32; CHUNK];
        for r in 0..n {
            let row = start + r;
            let day = match fixed {
                Some(f) => Some(f),
                None => as_of.at(row).map(|d| {
                    let days = days_of_date(d);
                    (days, civil(days))
                }),
            };
            let (Some(slot), Some(valid), Some(at)) =
                (decided.get_mut(r), valid.get_mut(r), day_of.get_mut(r))
            else {
                continue;
            };
            *valid = match day {
                Some((days, ymd)) if ok.get(r).copied().unwrap_or(false) => {
                    *at = days;
                    self.score(r, days, ymd, slot, &mut scores).is_some()
                }
                _ => false,
            };
        }
        // 2. every condition over the whole chunk, column by column
        let mut holds = std::mem::take(&mut self.holds);
        let mut when = std::mem::take(&mut self.when);
        let mut spare = std::mem::take(&mut self.spare);
        let chunk = Chunk {
            v: self,
            n,
            scores: &scores,
        };
        for (t, rule) in self.tiers.iter().enumerate() {
            let out = holds.get_mut(t * CHUNK..t * CHUNK + n).unwrap_or_default();
            chunk.all(&rule.require, out, &mut spare);
        }
        for (j, (cond, _, _)) in self.adjustments.iter().enumerate() {
            let out = when.get_mut(j * CHUNK..j * CHUNK + n).unwrap_or_default();
            chunk.eval(cond, out, &mut spare);
        }
        // 3. each row's tier, from its score and conditions
        let masks = Masks {
            holds: &holds,
            when: &when,
        };
        for r in 0..n {
            let (Some(slot), Some(valid), Some(&at)) =
                (decided.get_mut(r), valid.get_mut(r), day_of.get(r))
            else {
                continue;
            };
            if *valid {
                let score = scores.get(r * SCORES).copied().unwrap_or_default();
                *valid = self.tier(r, at, score, &masks, slot).is_some();
            }
        }
        self.scores = scores;
        self.holds = holds;
        self.when = when;
        self.spare = spare;
        self.decided = decided;
        self.valid = valid;
    }

    /// Reads the state and pin columns down rows `start..start + n`, column by column: a
    /// row with a pin, an unknown previous tier or a state cell the builder is to read is
    /// struck out of `ok`.
    fn read_state(&mut self, start: usize, n: usize, ok: &mut [bool; CHUNK]) {
        let ok = ok.get_mut(..n).unwrap_or_default();
        for b in &self.pins {
            for (r, good) in ok.iter_mut().enumerate() {
                let row = start + r;
                let here = match &b.cells {
                    Cells::Utf8(a) => !a.is_null(row) && !trim(a.value(row)).is_empty(),
                    Cells::Date32(a) => !a.is_null(row),
                    _ => b.val(row, &mut self.scratch).is_some(),
                };
                if here {
                    *good = false;
                }
            }
        }
        let prev = self.prev.get_mut(..n).unwrap_or_default();
        match &self.previous_tier {
            None => prev.fill(None),
            Some(s) => {
                for (r, (good, prev)) in ok.iter_mut().zip(prev).enumerate() {
                    *prev = match state_text(s, start + r, &mut self.scratch) {
                        None => None,
                        Some(Some(t)) => {
                            let tier = self.p.tier_by_id(t).map(|t| t.rank);
                            if tier.is_none() {
                                *good = false;
                            }
                            tier
                        }
                        Some(None) => {
                            *good = false;
                            None
                        }
                    };
                }
            }
        }
        for (column, dates) in [
            (self.tier_since.as_ref(), &mut self.since),
            (self.last_qualified.as_ref(), &mut self.last),
        ] {
            let dates = dates.get_mut(..n).unwrap_or_default();
            for (r, (good, date)) in ok.iter_mut().zip(dates).enumerate() {
                *date = match state_date(column, start + r, self.days, &mut self.scratch) {
                    Ok(d) => d,
                    Err(()) => {
                        *good = false;
                        None
                    }
                };
            }
        }
    }

    /// A lane of row `r`, when present.
    #[inline]
    fn lane(&self, m: usize, r: usize) -> Option<i128> {
        let i = m * CHUNK + r;
        if *self.present.get(i)? {
            self.lanes.get(i).copied()
        } else {
            None
        }
    }

    /// Scores row `r` of the chunk on `as_of` (a day number, and its year, month and day)
    /// into `out`, and its score and dimension scores at [`X_SCALE`] into its part of
    /// `scores` (for the conditions); `None` when the record path is to.
    fn score(
        &self,
        r: usize,
        as_of: i32,
        (ay, am, ad): (i64, u32, u32),
        out: &mut Decided,
        scores: &mut [i128],
    ) -> Option<()> {
        let xs = scores.get_mut(r * SCORES..(r + 1) * SCORES)?;
        for (i, d) in self.dims.iter().enumerate() {
            let lane = self.lane(d.metric, r)?;
            let x = match d.input {
                Input::Lane => lane,
                Input::Years | Input::Days => {
                    let start = i32::try_from(lane).ok()?;
                    if start > as_of {
                        return None;
                    }
                    let n = if matches!(d.input, Input::Days) {
                        i64::from(as_of) - i64::from(start)
                    } else {
                        let (sy, sm, sd) = civil(start);
                        ay - sy - i64::from((am, ad) < (sm, sd))
                    };
                    x_of_int(n)?
                }
            };
            let q = d.curve.score(x)?;
            if q.unsigned_abs() >= DECIMAL_LIMIT {
                return None;
            }
            *out.dims.get_mut(i)? = q;
            *xs.get_mut(i + 1)? = mul(q, self.score_factor)?;
        }
        let score = self.weights.composite(out.dims.get(..self.dims.len())?)?;
        if score.unsigned_abs() >= DECIMAL_LIMIT {
            return None;
        }
        out.score = score;
        *xs.first_mut()? = mul(score, self.score_factor)?;
        Some(())
    }

    /// Tiers row `r` of the chunk, scored (`score` at [`X_SCALE`]), on the day `as_of`,
    /// with the conditions of its chunk, into `out`, in the order of spec section 7.
    fn tier(
        &self,
        r: usize,
        as_of: i32,
        score: i128,
        masks: &Masks<'_>,
        out: &mut Decided,
    ) -> Option<()> {
        // 1. the qualified tier
        let floor_index = self.tiers.len().saturating_sub(1);
        let q = self
            .tiers
            .iter()
            .enumerate()
            .position(|(t, rule)| score >= rule.min && masks.holds(t, r))
            .unwrap_or(floor_index);
        let q = u16::try_from(q).ok()?;
        // 2. floors and caps
        let mut f = q;
        let mut cap: Option<u16> = None;
        for (j, (_, kind, tier)) in self.adjustments.iter().enumerate() {
            if !masks.when(j, r) {
                continue;
            }
            match kind {
                AdjustKind::AtLeast if *tier < f => f = *tier,
                AdjustKind::AtMost if cap.is_none_or(|t| *tier > t) => cap = Some(*tier),
                _ => {}
            }
        }
        // 3. the previous tier: buffer, grace, step limit
        let prev = self.prev.get(r).copied().flatten();
        let last = self.last.get(r).copied().flatten();
        let mut tier = f;
        if let Some(pi) = prev {
            if pi < f {
                let rule = self.tiers.get(usize::from(pi));
                let within_buffer =
                    rule.is_some_and(|t| score >= t.keep && masks.holds(usize::from(pi), r));
                // a negative grace is none, and an end chrono cannot hold is never reached
                let in_grace = last.is_some_and(|lq| {
                    let end = i64::from(lq).checked_add(self.grace_days.max(0));
                    end.is_some_and(|e| e <= self.days.1 && i64::from(as_of) < e)
                });
                if within_buffer || in_grace {
                    tier = pi;
                } else if let Some(steps) = self.max_steps {
                    let limit = pi.saturating_add(steps);
                    if f > limit {
                        tier = limit;
                    }
                }
            }
        }
        // 4. caps (5. pins are the record path's)
        if let Some(ct) = cap {
            if ct > tier {
                tier = ct;
            }
        }
        out.tier = tier;
        out.qualified = q;
        out.tier_since = match (prev, self.since.get(r).copied().flatten()) {
            (Some(p), Some(since)) if p == tier => since,
            _ => as_of,
        };
        out.last_qualified = if f <= tier { Some(as_of) } else { last };
        Some(())
    }
}

/// The score and dimension scores of a row at [`X_SCALE`], side by side in
/// [`Vector::scores`]: the score, then one per dimension.
const SCORES: usize = MAX_DIMENSIONS + 1;

/// The conditions of a chunk, evaluated: whether tier `t`'s `require` holds for row `r`
/// is `holds[t * CHUNK + r]`, and adjustment `j`'s `when`, `when[j * CHUNK + r]`.
struct Masks<'m> {
    holds: &'m [bool],
    when: &'m [bool],
}

impl Masks<'_> {
    #[inline]
    fn holds(&self, t: usize, r: usize) -> bool {
        self.holds.get(t * CHUNK + r).copied().unwrap_or(false)
    }

    #[inline]
    fn when(&self, j: usize, r: usize) -> bool {
        self.when.get(j * CHUNK + r).copied().unwrap_or(false)
    }
}

/// The rows of a chunk as conditions read them: a condition is evaluated for every row
/// at once, node by node, rather than row by row through the whole tree. Conditions
/// have no effects, so evaluating every part of them (where a row would stop at the
/// first false part of an `and`) gives the same results.
struct Chunk<'c, 'a, 'p> {
    v: &'c Vector<'a, 'p>,
    n: usize,
    /// [`SCORES`] per row.
    scores: &'c [i128],
}

impl Chunk<'_, '_, '_> {
    #[inline]
    fn read(&self, o: Op, r: usize) -> Option<(Kind, i128)> {
        match o {
            Op::Metric(m, k) => self.v.lane(m, r).map(|x| (k, x)),
            Op::Score => self.scores.get(r * SCORES).map(|x| (Kind::Num, *x)),
            Op::Dimension(i) => self.scores.get(r * SCORES + 1 + i).map(|x| (Kind::Num, *x)),
            Op::Absent => None,
            Op::Lit(k, x) => Some((k, x)),
        }
    }

    /// Whether every condition of `cs` holds, per row, into `out` (`n` rows).
    fn all(&self, cs: &[VCond], out: &mut [bool], spare: &mut Vec<Vec<bool>>) {
        out.fill(true);
        let mut part = spare.pop().unwrap_or_else(|| vec![false; CHUNK]);
        for c in cs {
            let part = part.get_mut(..out.len()).unwrap_or_default();
            self.eval(c, part, spare);
            out.iter_mut().zip(part.iter()).for_each(|(o, p)| *o &= *p);
        }
        spare.push(part);
    }

    /// Whether `c` holds, per row, into `out` (`n` rows). `spare` lends the buffers of
    /// the parts of `and` and `or`.
    fn eval(&self, c: &VCond, out: &mut [bool], spare: &mut Vec<Vec<bool>>) {
        let out = out.get_mut(..self.n).unwrap_or_default();
        match c {
            VCond::Const(b) => out.fill(*b),
            VCond::Truthy(m) => {
                for (r, o) in out.iter_mut().enumerate() {
                    *o = self.v.lane(*m, r) == Some(1);
                }
            }
            VCond::Not(c) => {
                self.eval(c, out, spare);
                out.iter_mut().for_each(|o| *o = !*o);
            }
            VCond::And(cs) => self.all(cs, out, spare),
            VCond::Or(cs) => {
                out.fill(false);
                let mut part = spare.pop().unwrap_or_else(|| vec![false; CHUNK]);
                for c in cs.iter() {
                    let part = part.get_mut(..out.len()).unwrap_or_default();
                    self.eval(c, part, spare);
                    out.iter_mut().zip(part.iter()).for_each(|(o, p)| *o |= *p);
                }
                spare.push(part);
            }
            // the common case, a metric against a value: down its lane
            VCond::Cmp(Op::Metric(m, k), op, Op::Lit(kl, x)) => {
                let (Some(lanes), Some(present)) = (
                    self.v.lanes.get(m * CHUNK..m * CHUNK + out.len()),
                    self.v.present.get(m * CHUNK..m * CHUNK + out.len()),
                ) else {
                    out.fill(false);
                    return;
                };
                if k != kl {
                    out.fill(false);
                    return;
                }
                for ((o, &lane), &here) in out.iter_mut().zip(lanes).zip(present) {
                    *o = here && compare((*k, lane), *op, (*kl, *x));
                }
            }
            VCond::Cmp(a, op, b) => {
                for (r, o) in out.iter_mut().enumerate() {
                    *o = match (self.read(*a, r), self.read(*b, r)) {
                        (Some(x), Some(y)) => compare(x, *op, y),
                        _ => false,
                    };
                }
            }
            VCond::In(a, list) => {
                for (r, o) in out.iter_mut().enumerate() {
                    *o = match self.read(*a, r) {
                        Some(x) => list
                            .iter()
                            .any(|l| self.read(*l, r).is_some_and(|y| compare(x, CmpOp::Eq, y))),
                        None => false,
                    };
                }
            }
        }
    }
}

fn compare((ka, a): (Kind, i128), op: CmpOp, (kb, b): (Kind, i128)) -> bool {
    if ka != kb {
        return false;
    }
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

/// Puts `cell(row)` of each row of `start..start + n` into its lane: `Some(Some(x))` a
/// value, `Some(None)` absent (the default, or a row struck out when the metric is
/// required), `None` the builder's (struck out).
#[inline]
fn down(
    m: &MetricIn<'_>,
    start: usize,
    n: usize,
    lanes: &mut [i128],
    present: &mut [bool],
    ok: &mut [bool; CHUNK],
    mut cell: impl FnMut(usize) -> Option<Option<i128>>,
) {
    for (r, ((lane, here), good)) in lanes
        .iter_mut()
        .zip(present.iter_mut())
        .zip(ok.iter_mut())
        .take(n)
        .enumerate()
    {
        match cell(start + r) {
            Some(Some(x)) => {
                *lane = x;
                *here = true;
            }
            Some(None) => match m.default {
                Some(d) => {
                    *lane = d;
                    *here = true;
                }
                None => {
                    *here = false;
                    if m.required {
                        *good = false;
                    }
                }
            },
            None => {
                *here = false;
                *good = false;
            }
        }
    }
}

/// How `b`'s column is read for the metric `def`.
fn source<'a>(def: &'a MetricDef, b: &'a Binding<'a>) -> Source<'a> {
    match (&def.kind, &b.cells, b.choices()) {
        (MetricKind::Decimal { .. }, Cells::Decimal128(array, scale), _) => {
            match u32::try_from(*scale)
                .ok()
                .and_then(|s| X_SCALE.checked_sub(s))
                .and_then(pow10)
            {
                Some(factor) => Source::Decimal128 { array, factor },
                None => Source::Other(b),
            }
        }
        (MetricKind::Decimal { .. } | MetricKind::Integer { .. }, Cells::I64(a), _) => {
            Source::I64(a)
        }
        (MetricKind::Date, Cells::Date32(a), _) => Source::Date32(a),
        (MetricKind::Bool, Cells::Bool(a), _) => Source::Bool(a),
        (MetricKind::Enum { .. }, Cells::Dict { keys, column, .. }, Some(choices)) => {
            Source::Dict {
                keys,
                column: *column,
                choices,
            }
        }
        (MetricKind::Enum { values }, Cells::Utf8(a), _) => Source::Text(a, values),
        _ => Source::Other(b),
    }
}

/// Reads a metric's column down rows `start..start + n` into its lanes; a row whose cell
/// the builder is to read (or whose required value is missing) is struck out of `ok`.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of the chunk, borrowed apart"
)]
fn read_metric(
    m: &MetricIn<'_>,
    start: usize,
    n: usize,
    days: (i64, i64),
    lanes: &mut [i128],
    present: &mut [bool],
    ok: &mut [bool; CHUNK],
    scratch: &mut String,
) {
    // each source has its own loop (not a call through `dyn FnMut` per cell)
    let bounded = |x: i128| -> Option<Option<i128>> {
        let low = m.min.is_some_and(|b| x < b);
        let high = m.max.is_some_and(|b| x > b);
        (!low && !high).then_some(Some(x))
    };
    match &m.source {
        Source::Missing => down(m, start, n, lanes, present, ok, |_| Some(None)),
        Source::Decimal128 { array, factor } => down(m, start, n, lanes, present, ok, |row| {
            if array.is_null(row) {
                return Some(None);
            }
            let v = array.value(row);
            if v.unsigned_abs() >= DECIMAL_LIMIT {
                return None;
            }
            bounded(mul(v, *factor)?)
        }),
        Source::I64(a) => down(m, start, n, lanes, present, ok, |row| {
            if a.is_null(row) {
                return Some(None);
            }
            bounded(x_of_int(a.value(row))?)
        }),
        Source::Date32(a) => down(m, start, n, lanes, present, ok, |row| {
            if a.is_null(row) {
                return Some(None);
            }
            let d = i64::from(a.value(row));
            (days.0..=days.1)
                .contains(&d)
                .then_some(Some(i128::from(d)))
        }),
        Source::Bool(a) => down(m, start, n, lanes, present, ok, |row| {
            if a.is_null(row) {
                return Some(None);
            }
            Some(Some(i128::from(a.value(row))))
        }),
        Source::Dict {
            keys,
            column,
            choices,
        } => down(m, start, n, lanes, present, ok, |row| {
            if column.is_null(row) {
                return Some(None);
            }
            let c = keys
                .get(row)
                .and_then(|k| choices.get(*k))
                .copied()
                .flatten()?;
            Some(Some(i128::from(c)))
        }),
        Source::Text(a, values) => down(m, start, n, lanes, present, ok, |row| {
            if a.is_null(row) {
                return Some(None);
            }
            let t = trim(a.value(row));
            if t.is_empty() {
                return Some(None);
            }
            let i = values.iter().position(|v| v == t)?;
            Some(Some(i128::try_from(i).ok()?))
        }),
        Source::Other(b) => down(m, start, n, lanes, present, ok, |row| {
            match b.val(row, scratch) {
                None => Some(None),
                Some(v) => Some(Some(lane_of(v.metric_value(m.def)?)?)),
            }
        }),
    }
}

/// The text of a state cell: `None` absent, `Some(None)` the builder's.
fn state_text<'s>(
    s: &'s StateIn<'_>,
    row: usize,
    scratch: &'s mut String,
) -> Option<Option<&'s str>> {
    match s {
        StateIn::Text(a) => {
            if a.is_null(row) {
                return None;
            }
            let t = trim(a.value(row));
            (!t.is_empty()).then_some(Some(t))
        }
        StateIn::Date32(_) => Some(None),
        StateIn::Other(b) => {
            let v = b.val(row, scratch)?;
            match v {
                crate::input::Val::Text(t) => Some(Some(trim(t))),
                _ => Some(None),
            }
        }
    }
}

/// A date state cell as a day number: `Ok(None)` absent, `Err` the builder's.
fn state_date(
    s: Option<&StateIn<'_>>,
    row: usize,
    days: (i64, i64),
    scratch: &mut String,
) -> Result<Option<i32>, ()> {
    let Some(s) = s else {
        return Ok(None);
    };
    let d = match s {
        StateIn::Date32(a) => {
            if a.is_null(row) {
                return Ok(None);
            }
            a.value(row)
        }
        StateIn::Other(b) => match b.val(row, scratch) {
            None => return Ok(None),
            Some(v) => days_of_date(v.date_value().ok_or(())?),
        },
        // text dates are read through their binding
        StateIn::Text(_) => return Err(()),
    };
    if (days.0..=days.1).contains(&i64::from(d)) {
        Ok(Some(d))
    } else {
        Err(())
    }
}

/// The civil date (year, month, day) of an Arrow day number (days from 1970-01-01), by
/// integer arithmetic (H. Hinnant's `civil_from_days`).
pub(crate) fn civil(days: i32) -> (i64, u32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        u32::try_from(m).unwrap_or(0),
        u32::try_from(d).unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;
    use proptest::prelude::*;

    use super::civil;
    use crate::table::cells::date_of_days;

    proptest! {
        /// The civil date of a day number is chrono's, over chrono's whole range.
        #[test]
        fn civil_dates_are_chronos(days in -95_000_000i32..95_000_000) {
            if let Some(d) = date_of_days(days) {
                prop_assert_eq!(civil(days), (i64::from(d.year()), d.month(), d.day()));
            }
        }
    }

    #[test]
    fn civil_dates_at_the_edges() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(-1), (1969, 12, 31));
        assert_eq!(civil(19_782), (2024, 2, 29));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }
}
