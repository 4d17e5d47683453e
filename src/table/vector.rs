//! Columnar classification: a chunk of rows scored and tiered in integers straight from
//! the Arrow columns, with no record built.
//!
//! When the policy allows it ([`Vector::new`]: every dimension on an integer curve,
//! integer weights, every number of its conditions, thresholds and bounds exact at
//! [`X_SCALE`]), each chunk of rows is read column by column into 64-bit integer lanes:
//! a number at the scale of its column (a `Decimal128` column at scale 1 is read as
//! it is; a default with more decimals raises the scale), a date as its Arrow day
//! number, an enum value by its position, a boolean as 0 or 1. Each dimension takes its
//! curve at the scale of its lanes ([`LaneCurves`](crate::model::LaneCurves)), and the
//! literals of the conditions are put at that scale once per batch, so that a row costs
//! 64-bit arithmetic.
//!
//! The chunk is then decided in passes, each down the whole chunk: each dimension
//! scored, a column at a time; the composite of each row; each condition of the policy
//! (the tiers' `require`, the adjustments' `when`) evaluated for all rows at once, node
//! by node, into a mask (a metric against a value runs down its lane); the qualified tier
//! (a tier at a time), the floors and the caps (an adjustment at a time); and last, row
//! by row, the previous tier's buffer, grace and step limit, and a pin to its last day.
//! The order of the steps is spec section 7's, as [`decide`](crate::eval::decide) takes
//! them on records. The rows decided go to the output a run at a time
//! ([`ResultColumns`](crate::table::ResultColumns)), a column slice each.
//!
//! Whatever the lanes cannot say exactly is left to the builder and the record path, row
//! by row, so that its result or message is theirs: a cell the builder would refuse or
//! report (out of range, not a value of the enum, a date chrono cannot hold), a required
//! metric without a value, an unknown previous or pinned tier, a pin's last day or reason
//! without its tier, a number too large for 64-bit lanes, a tenure date after the as-of
//! date, a null as-of date. The results are the same as
//! [`classify`](crate::eval::classify)'s for every row: a property test of random batches
//! (pins among them, with and without `pins_respect_caps`) and a test over the sample
//! customers check it.

use arrow_array::types::Int64Type;
use arrow_array::PrimitiveArray;
use arrow_array::{Array, BooleanArray, Date32Array, Decimal128Array, GenericStringArray};
use arrow_buffer::NullBuffer;
use chrono::NaiveDate;

use super::cells::{days_of_date, trim, Cells};
use super::columns::{Binding, Columns, Target};
use super::fill::CHUNK;
use super::words::Words;
use super::AsOf;
use crate::model::fast::{pow10, x_of, x_of_int, X_SCALE};
use crate::model::lane::{at_lane_scale, scale_of};
use crate::model::{
    AdjustKind, CmpOp, Compiled, Cond, DateUnit, FastCurve, LaneCurve, LaneWeights, MetricDef,
    MetricKind, Operand, Rv, Value,
};

/// The decimals of a number lane read through the builder's reading of a cell (text, say):
/// a value with more is the builder's.
const OTHER_SCALE: u32 = 6;

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

/// A value as an integer, a number at [`X_SCALE`]; `None` where that cannot hold it
/// exactly.
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
    /// A metric's lane, and its unit: the lane times the unit is the number at
    /// [`X_SCALE`] (1 for dates, enums and booleans).
    Metric(usize, Kind, i64),
    Score,
    Dimension(usize),
    /// A tier or case: absent while tiering.
    Absent,
    /// A literal; a number at [`X_SCALE`].
    Lit(Kind, i128),
}

/// A comparison of a lane with a literal, put at the lane's scale.
#[derive(Debug, Clone, Copy)]
enum LaneTest {
    /// The same for every row with a value.
    Const(bool),
    Cmp(CmpOp, i64),
}

impl LaneTest {
    /// `x * unit OP lit` (`lit` at [`X_SCALE`], `unit` > 0) as a test of `x`.
    fn of(op: CmpOp, lit: i128, unit: i64) -> LaneTest {
        let unit = i128::from(unit.max(1));
        let q = lit.div_euclid(unit);
        let exact = lit.rem_euclid(unit) == 0;
        match i64::try_from(q) {
            // every x * unit is below lit
            Err(_) if q > 0 => LaneTest::Const(matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Ne)),
            // every x * unit is above lit
            Err(_) => LaneTest::Const(matches!(op, CmpOp::Gt | CmpOp::Ge | CmpOp::Ne)),
            Ok(q) if exact => LaneTest::Cmp(op, q),
            // q * unit < lit < (q + 1) * unit
            Ok(q) => match op {
                CmpOp::Eq => LaneTest::Const(false),
                CmpOp::Ne => LaneTest::Const(true),
                CmpOp::Lt | CmpOp::Le => LaneTest::Cmp(CmpOp::Le, q),
                CmpOp::Gt | CmpOp::Ge => LaneTest::Cmp(CmpOp::Gt, q),
            },
        }
    }
}

/// A compiled condition over the lanes of a row.
#[derive(Debug, Clone)]
enum VCond {
    Const(bool),
    Truthy(usize),
    Not(Box<VCond>),
    And(Box<[VCond]>),
    Or(Box<[VCond]>),
    /// A metric against a literal: down its lane.
    Lane(usize, LaneTest),
    /// A metric in a list of literals, at its lane's scale (those it cannot equal left
    /// out).
    LaneIn(usize, Box<[i64]>),
    Cmp(Op, CmpOp, Op),
    In(Op, Box<[Op]>),
}

fn op_of(p: &Compiled, metrics: &[MetricIn<'_>], o: &Operand) -> Option<Op> {
    Some(match *o {
        Operand::Metric(m) => {
            let m = usize::from(m);
            let metric = metrics.get(m)?;
            Op::Metric(m, metric.kind?, metric.unit)
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

fn cond_of(p: &Compiled, metrics: &[MetricIn<'_>], c: &Cond) -> Option<VCond> {
    let all = |cs: &[Cond]| {
        cs.iter()
            .map(|c| cond_of(p, metrics, c))
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
        Cond::Not(c) => VCond::Not(Box::new(cond_of(p, metrics, c)?)),
        Cond::And(cs) => VCond::And(all(cs)?),
        Cond::Or(cs) => VCond::Or(all(cs)?),
        Cond::Cmp(a, op, b) => match (op_of(p, metrics, a)?, op_of(p, metrics, b)?) {
            // values of different kinds never compare
            (Op::Metric(_, k, _), Op::Lit(kl, _)) if k != kl => VCond::Const(false),
            (Op::Metric(m, _, unit), Op::Lit(_, x)) => VCond::Lane(m, LaneTest::of(*op, x, unit)),
            (a, b) => VCond::Cmp(a, *op, b),
        },
        Cond::In(a, list) => {
            let a = op_of(p, metrics, a)?;
            let list = list
                .iter()
                .map(|o| op_of(p, metrics, o))
                .collect::<Option<Box<[_]>>>()?;
            match a {
                Op::Metric(m, k, unit) if list.iter().all(|o| matches!(o, Op::Lit(..))) => {
                    let values = list
                        .iter()
                        .filter_map(|o| match *o {
                            Op::Lit(kl, x) if kl == k => match LaneTest::of(CmpOp::Eq, x, unit) {
                                LaneTest::Cmp(_, v) => Some(v),
                                LaneTest::Const(_) => None,
                            },
                            _ => None,
                        })
                        .collect();
                    VCond::LaneIn(m, values)
                }
                a => VCond::In(a, list),
            }
        }
    })
}

/// What a dimension reads from its metric's lane.
#[derive(Debug, Clone, Copy)]
enum Input {
    /// The lane itself: a number, an enum position, a boolean.
    Lane,
    /// Whole years from the date to the as-of date.
    Years,
    /// Days from the date to the as-of date.
    Days,
}

struct Dim<'p> {
    metric: usize,
    input: Input,
    /// What the lane (or the count of years or days) is multiplied by to be at the
    /// curve's scale.
    factor: i64,
    curve: &'p LaneCurve,
}

struct TierRule {
    /// The least score at the precision that reaches `min_score`.
    min: i128,
    /// The least score at the precision that reaches `min_score - downgrade_buffer`.
    keep: i128,
    require: Vec<VCond>,
}

/// How a metric's column is read into its lane.
enum Source<'a> {
    /// No column: the default, or nothing.
    Missing,
    Decimal128 {
        array: &'a Decimal128Array,
        /// 10^(lane scale - column scale).
        factor: i64,
    },
    I64 {
        array: &'a PrimitiveArray<Int64Type>,
        /// 10^(lane scale).
        factor: i64,
    },
    Date32(&'a Date32Array),
    Bool(&'a BooleanArray),
    /// An enum from a dictionary: each dictionary value's position in the enum.
    Dict {
        keys: &'a [usize],
        column: &'a dyn Array,
        choices: &'a [Option<u16>],
    },
    /// An enum from text.
    Text(&'a GenericStringArray<i32>, Words<'a>),
    /// Any other column, through the builder's reading of a value.
    Other(&'a Binding<'a>),
}

struct MetricIn<'a> {
    def: &'a MetricDef,
    kind: Option<Kind>,
    source: Source<'a>,
    /// The decimals of a number lane (0 for the other kinds).
    scale: u32,
    /// 10^(X_SCALE - scale) for numbers, 1 for the other kinds: the lane times the unit is
    /// the value as [`lane_of`] has it.
    unit: i64,
    /// The lane of the default, when there is one.
    default: Option<i64>,
    required: bool,
    /// The bounds at the lane's scale (the least and the greatest lane within them),
    /// checked for the typed sources (the builder's checks cover [`Source::Other`]).
    low: Option<i128>,
    high: Option<i128>,
}

impl<'a> MetricIn<'a> {
    /// The lane plan of `def`, read from `b` (or missing): `None` when a number of the
    /// policy does not fit.
    fn new(def: &'a MetricDef, b: Option<&'a Binding<'a>>) -> Option<MetricIn<'a>> {
        let kind = kind_of(&def.kind);
        let default = match def.default {
            Some(v) => Some(lane_of(v)?),
            None => None,
        };
        let num = kind == Some(Kind::Num);
        let need = if num { default.map_or(0, scale_of) } else { 0 };
        let (source, scale) = match b {
            None => (Source::Missing, need),
            Some(b) => source(def, b, need),
        };
        let scale = if num { scale } else { 0 };
        let unit = if num {
            i64::try_from(pow10(X_SCALE.checked_sub(scale)?)?).ok()?
        } else {
            1
        };
        let default = match default {
            Some(x) if num => Some(at_lane_scale(x, scale)?),
            Some(x) => Some(i64::try_from(x).ok()?),
            None => None,
        };
        let (min, max) = match &def.kind {
            MetricKind::Decimal { min, max } | MetricKind::Integer { min, max } => (*min, *max),
            _ => (None, None),
        };
        let u = i128::from(unit);
        // x * u >= min: x >= ceil(min / u); x * u <= max: x <= floor(max / u)
        let low = match min {
            Some(b) => Some(-(-x_of(b)?).div_euclid(u)),
            None => None,
        };
        let high = match max {
            Some(b) => Some(x_of(b)?.div_euclid(u)),
            None => None,
        };
        Some(MetricIn {
            def,
            kind,
            source,
            scale,
            unit,
            default,
            required: def.required,
            low,
            high,
        })
    }
}

/// How `b`'s column is read for the metric `def`, and the scale of its number lane (at
/// least `need`, the scale of its default).
fn source<'a>(def: &'a MetricDef, b: &'a Binding<'a>, need: u32) -> (Source<'a>, u32) {
    match (&def.kind, &b.cells, b.choices()) {
        (MetricKind::Decimal { .. }, Cells::Decimal128(array, scale), _) => {
            let plan = u32::try_from(*scale)
                .ok()
                .filter(|s| *s <= X_SCALE)
                .and_then(|s| {
                    let lane = s.max(need);
                    Some((i64::try_from(pow10(lane - s)?).ok()?, lane))
                });
            match plan {
                Some((factor, lane)) => (Source::Decimal128 { array, factor }, lane),
                None => (Source::Other(b), need.max(OTHER_SCALE)),
            }
        }
        (MetricKind::Decimal { .. } | MetricKind::Integer { .. }, Cells::I64(array), _) => {
            match pow10(need).and_then(|f| i64::try_from(f).ok()) {
                Some(factor) => (Source::I64 { array, factor }, need),
                None => (Source::Other(b), need.max(OTHER_SCALE)),
            }
        }
        (MetricKind::Date, Cells::Date32(a), _) => (Source::Date32(a), 0),
        (MetricKind::Bool, Cells::Bool(a), _) => (Source::Bool(a), 0),
        (MetricKind::Enum { .. }, Cells::Dict { keys, column, .. }, Some(choices)) => (
            Source::Dict {
                keys,
                column: *column,
                choices,
            },
            0,
        ),
        (MetricKind::Enum { values }, Cells::Utf8(a), _) => {
            (Source::Text(a, Words::new(values)), 0)
        }
        _ => (Source::Other(b), need.max(OTHER_SCALE)),
    }
}

/// A state or pin column.
enum StateIn<'a> {
    Date32(&'a Date32Array),
    Text(&'a GenericStringArray<i32>),
    Other(&'a Binding<'a>),
}

/// A row decided by the lanes: its tiers and state (its scores are in [`Decided`]'s
/// columns).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tiered {
    pub(crate) tier: u16,
    pub(crate) qualified: u16,
    pub(crate) tier_since: i32,
    pub(crate) last_qualified: Option<i32>,
}

/// The rows of the current chunk as the lanes decided them, for the output columns: read
/// where [`Vector::decided`] says a row was.
pub(crate) struct Decided<'v> {
    pub(crate) tiered: &'v [Tiered],
    /// The scores at the precision.
    pub(crate) scores: &'v [i64],
    /// The dimension scores at the precision, column-major (`qs[d * CHUNK + r]`).
    pub(crate) qs: &'v [i64],
}

/// The most dimensions the lanes score.
pub(crate) const MAX_DIMENSIONS: usize = 8;

/// The columnar plan of one batch and the lanes of its current chunk.
pub(crate) struct Vector<'a, 'p> {
    metrics: Vec<MetricIn<'a>>,
    previous_tier: Option<StateIn<'a>>,
    tier_since: Option<StateIn<'a>>,
    last_qualified: Option<StateIn<'a>>,
    /// The pin columns: a pin's tier, its last day, its reason.
    pinned_tier: Option<StateIn<'a>>,
    pinned_until: Option<StateIn<'a>>,
    pin_reason: Option<StateIn<'a>>,
    pins_respect_caps: bool,
    /// The tier ids, for a previous tier's rank.
    tier_ids: Words<'p>,
    dims: Vec<Dim<'p>>,
    weights: LaneWeights,
    /// 10^(X_SCALE - precision): a score at the precision to [`X_SCALE`].
    score_factor: i128,
    tiers: Vec<TierRule>,
    adjustments: Vec<(VCond, AdjustKind, u16)>,
    grace_days: i64,
    max_steps: Option<u16>,
    /// The day numbers chrono can hold.
    days: (i64, i64),
    // the chunk: lanes column-major, `lanes[m * CHUNK + r]`
    lanes: Vec<i64>,
    present: Vec<bool>,
    /// The rows decided, where [`valid`](Self::valid) says so.
    decided: Vec<Tiered>,
    valid: Vec<bool>,
    /// The dimension scores at the precision, column-major (`qs[d * CHUNK + r]`), and the
    /// scores.
    qs: Vec<i64>,
    scores: Vec<i64>,
    /// The conditions of the chunk ([`Masks`]).
    holds: Vec<bool>,
    when: Vec<bool>,
    /// Buffers for the parts of conditions.
    spare: Vec<Vec<bool>>,
    prev: Vec<Option<u16>>,
    /// The pinned tier of each row, and the pin's last day.
    pin: Vec<Option<u16>>,
    until: Vec<Option<i32>>,
    since: Vec<Option<i32>>,
    last: Vec<Option<i32>>,
    /// The anniversaries of the last as-of date that was the same for a whole chunk.
    anniversaries: Option<Anniversaries>,
    scratch: String,
}

impl<'a, 'p: 'a> Vector<'a, 'p> {
    /// The plan for `columns`, or `None` when the policy needs the record path.
    pub(crate) fn new(p: &'p Compiled, columns: &'a Columns<'a>) -> Option<Vector<'a, 'p>> {
        let precision = p.precision;
        if p.dimensions.len() > MAX_DIMENSIONS || precision > X_SCALE {
            return None;
        }
        let weights = LaneWeights::of(p.prepared.fast_weights.as_ref()?)?;

        let mut bound: Vec<Option<&'a Binding<'a>>> = vec![None; p.metrics.len()];
        let (mut previous_tier, mut tier_since, mut last_qualified) = (None, None, None);
        let (mut pinned_tier, mut pinned_until, mut pin_reason) = (None, None, None);
        for b in &columns.bindings {
            match b.target {
                Target::Metric(i) => *bound.get_mut(i)? = Some(b),
                Target::State(field) => {
                    let state = match (&b.cells, field) {
                        (Cells::Date32(a), "tier_since" | "last_qualified" | "pinned_until") => {
                            StateIn::Date32(a)
                        }
                        (Cells::Utf8(a), "previous_tier" | "pinned_tier" | "pin_reason") => {
                            StateIn::Text(a)
                        }
                        _ => StateIn::Other(b),
                    };
                    match field {
                        "previous_tier" => previous_tier = Some(state),
                        "tier_since" => tier_since = Some(state),
                        "last_qualified" => last_qualified = Some(state),
                        "pinned_tier" => pinned_tier = Some(state),
                        "pinned_until" => pinned_until = Some(state),
                        _ => pin_reason = Some(state),
                    }
                }
            }
        }
        let metrics = p
            .metrics
            .iter()
            .zip(bound)
            .map(|(def, b)| MetricIn::new(def, b))
            .collect::<Option<Vec<_>>>()?;

        let dims = p
            .dimensions
            .iter()
            .zip(p.prepared.fast_curves.iter().zip(&p.prepared.lane_curves))
            .map(|(d, (curve, lanes))| {
                let metric = usize::from(d.metric);
                let m = metrics.get(metric)?;
                let (curve, lanes) = (curve.as_ref()?, lanes.as_ref()?);
                let need = lanes.need;
                let (input, factor, scale) = match (m.kind?, d.unit, curve) {
                    (Kind::Date, DateUnit::Years, _) => (Input::Years, pow10(need)?, need),
                    (Kind::Date, DateUnit::Days, _) => (Input::Days, pow10(need)?, need),
                    (Kind::Num, _, FastCurve::Linear(_) | FastCurve::Steps(_)) => {
                        let scale = need.max(m.scale);
                        (Input::Lane, pow10(scale - m.scale)?, scale)
                    }
                    (Kind::Sym | Kind::Bool, _, FastCurve::Map(_)) => (Input::Lane, 1, 0),
                    _ => return None,
                };
                Some(Dim {
                    metric,
                    input,
                    factor: i64::try_from(factor).ok()?,
                    curve: lanes.at(scale)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        if dims.len() != p.dimensions.len() || weights.weights.len() != dims.len() {
            return None;
        }
        let score_factor = pow10(X_SCALE - precision)?;
        // score * F >= x: score >= ceil(x / F)
        let least = |x: rust_decimal::Decimal| Some(-(-x_of(x)?).div_euclid(score_factor));
        let tiers = p
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Some(TierRule {
                    min: least(*p.prepared.min_scores.get(i)?)?,
                    keep: least(*p.prepared.keep_scores.get(i)?)?,
                    require: t
                        .require
                        .iter()
                        .map(|(_, c)| cond_of(p, &metrics, c))
                        .collect::<Option<_>>()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let adjustments = p
            .adjustments
            .iter()
            .map(|a| Some((cond_of(p, &metrics, &a.when)?, a.kind, a.tier)))
            .collect::<Option<Vec<_>>>()?;

        let metric_count = p.metrics.len();
        let (tier_count, adjustment_count) = (tiers.len(), adjustments.len());
        Some(Vector {
            metrics,
            previous_tier,
            tier_since,
            last_qualified,
            pinned_tier,
            pinned_until,
            pin_reason,
            pins_respect_caps: p.tiering.pins_respect_caps,
            tier_ids: Words::new(&p.tier_ids),
            dims,
            weights,
            score_factor,
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
            decided: vec![Tiered::default(); CHUNK],
            valid: vec![false; CHUNK],
            qs: vec![0; MAX_DIMENSIONS * CHUNK],
            scores: vec![0; CHUNK],
            holds: vec![false; tier_count * CHUNK],
            when: vec![false; adjustment_count * CHUNK],
            spare: Vec::new(),
            prev: vec![None; CHUNK],
            pin: vec![None; CHUNK],
            until: vec![None; CHUNK],
            since: vec![None; CHUNK],
            last: vec![None; CHUNK],
            anniversaries: None,
            scratch: String::new(),
        })
    }

    /// Whether the lanes decided row `r` of the current chunk.
    #[inline]
    pub(crate) fn decided(&self, r: usize) -> bool {
        self.valid.get(r).copied().unwrap_or(false)
    }

    /// The rows of the current chunk as decided (where [`decided`](Self::decided) says).
    pub(crate) fn rows(&self) -> Decided<'_> {
        Decided {
            tiered: &self.decided,
            scores: &self.scores,
            qs: &self.qs,
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
        // the as-of day of each row, and its anniversaries when it is the same for all
        let mut day = [0i32; CHUNK];
        let fixed = match as_of {
            AsOf::Date(d) => {
                let days = days_of_date(*d);
                day.fill(days);
                if self.anniversaries.as_ref().is_none_or(|a| a.as_of != days) {
                    self.anniversaries = Some(Anniversaries::new(days));
                }
                self.anniversaries.as_ref()
            }
            AsOf::Column(_) => {
                for (r, (at, good)) in day.iter_mut().zip(ok.iter_mut()).take(n).enumerate() {
                    match as_of.at(start + r) {
                        Some(d) => *at = days_of_date(d),
                        None => *good = false,
                    }
                }
                None
            }
        };
        // 1. each dimension down the chunk, then each row's composite
        let mut qs = std::mem::take(&mut self.qs);
        let mut scores = std::mem::take(&mut self.scores);
        for (i, d) in self.dims.iter().enumerate() {
            let (Some(lanes), Some(present), Some(out)) = (
                self.lanes.get(d.metric * CHUNK..d.metric * CHUNK + n),
                self.present.get(d.metric * CHUNK..d.metric * CHUNK + n),
                qs.get_mut(i * CHUNK..i * CHUNK + n),
            ) else {
                ok.fill(false);
                continue;
            };
            score_down(d, lanes, present, &day, fixed, &mut ok, out);
        }
        self.composite(n, &qs, &mut ok, &mut scores);
        // 2. every condition over the whole chunk, column by column
        let mut holds = std::mem::take(&mut self.holds);
        let mut when = std::mem::take(&mut self.when);
        let mut spare = std::mem::take(&mut self.spare);
        let chunk = Chunk {
            v: self,
            n,
            scores: &scores,
            qs: &qs,
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
        let masks = Masks { holds: &holds };
        let mut decided = std::mem::take(&mut self.decided);
        let mut valid = std::mem::take(&mut self.valid);
        // 3a. the qualified tier, then the floors and caps, a tier and an adjustment at a
        // time down the chunk
        let scores_n = scores.get(..n).unwrap_or_default();
        let floor_index = u16::try_from(self.tiers.len().saturating_sub(1)).unwrap_or(u16::MAX);
        let mut qualified = [floor_index; CHUNK];
        // the first tier that admits a row is its qualified tier: from the last to the
        // first, each tier that admits it takes its place
        for (t, rule) in self.tiers.iter().enumerate().rev() {
            let (Ok(rank), Some(admits)) = (u16::try_from(t), holds.get(t * CHUNK..t * CHUNK + n))
            else {
                continue;
            };
            for ((q, &score), &h) in qualified.iter_mut().zip(scores_n).zip(admits) {
                if h && i128::from(score) >= rule.min {
                    *q = rank;
                }
            }
        }
        let mut floored = qualified;
        let mut capped: [Option<u16>; CHUNK] = [None; CHUNK];
        for (j, (_, kind, tier)) in self.adjustments.iter().enumerate() {
            let applies = when.get(j * CHUNK..j * CHUNK + n).unwrap_or_default();
            match kind {
                // the highest floor, the lowest cap, whatever their order
                AdjustKind::AtLeast => {
                    for (f, &w) in floored.iter_mut().zip(applies) {
                        if w && *tier < *f {
                            *f = *tier;
                        }
                    }
                }
                AdjustKind::AtMost => {
                    for (c, &w) in capped.iter_mut().zip(applies) {
                        if w && c.is_none_or(|t| *tier > t) {
                            *c = Some(*tier);
                        }
                    }
                }
            }
        }
        // 3b. each row's previous tier, caps and state
        for (r, (((slot, valid), &at), &good)) in decided
            .iter_mut()
            .zip(valid.iter_mut())
            .zip(&day)
            .zip(&ok)
            .take(n)
            .enumerate()
        {
            let parts = (qualified.get(r), floored.get(r), capped.get(r));
            *valid = match (good, parts) {
                (true, (Some(&q), Some(&f), Some(&cap))) => {
                    let score = scores_n.get(r).copied().unwrap_or_default();
                    *slot = self.tier(r, at, score, (q, f, cap), &masks);
                    true
                }
                _ => false,
            };
        }
        self.qs = qs;
        self.scores = scores;
        self.holds = holds;
        self.when = when;
        self.spare = spare;
        self.decided = decided;
        self.valid = valid;
    }

    /// The composite score of each row of the chunk that is still decidable, from its
    /// dimension scores, a dimension at a time.
    fn composite(&self, n: usize, qs: &[i64], ok: &mut [bool; CHUNK], scores: &mut [i64]) {
        // weights below 2^31 and 64-bit scores: eight products sum within 128 bits
        let mut sums = [0i128; CHUNK];
        for (i, w) in self.weights.weights.iter().enumerate() {
            let w = i128::from(*w);
            let column = qs.get(i * CHUNK..i * CHUNK + n).unwrap_or_default();
            for (s, q) in sums.iter_mut().zip(column) {
                *s += w * i128::from(*q);
            }
        }
        for ((s, good), out) in sums.iter().zip(ok.iter_mut()).zip(scores).take(n) {
            if *good {
                match self.weights.finish(*s) {
                    Some(score) => *out = score,
                    None => *good = false,
                }
            }
        }
    }

    /// Reads the state and pin columns down rows `start..start + n`, column by column: a
    /// row with an unknown previous or pinned tier, a pin's last day or reason without its
    /// tier, or a state cell the builder is to read is struck out of `ok`.
    fn read_state(&mut self, start: usize, n: usize, ok: &mut [bool; CHUNK]) {
        let ok = ok.get_mut(..n).unwrap_or_default();
        // the previous tier and the pinned tier, each a tier id
        for (column, tiers) in [
            (self.previous_tier.as_ref(), &mut self.prev),
            (self.pinned_tier.as_ref(), &mut self.pin),
        ] {
            let tiers = tiers.get_mut(..n).unwrap_or_default();
            match column {
                None => tiers.fill(None),
                Some(s) => tiers_down(s, &self.tier_ids, start, ok, tiers, &mut self.scratch),
            }
        }
        for (column, dates) in [
            (self.tier_since.as_ref(), &mut self.since),
            (self.last_qualified.as_ref(), &mut self.last),
            (self.pinned_until.as_ref(), &mut self.until),
        ] {
            let dates = dates.get_mut(..n).unwrap_or_default();
            match column {
                None => dates.fill(None),
                // the common case, a date column: down its values
                Some(StateIn::Date32(a)) => {
                    let values = a.values().get(start..start + n).unwrap_or_default();
                    let nulls = a.nulls().filter(|b| b.null_count() > 0);
                    for (r, ((good, date), &d)) in ok.iter_mut().zip(dates).zip(values).enumerate()
                    {
                        *date = if nulls.is_some_and(|b| b.is_null(start + r)) {
                            None
                        } else if (self.days.0..=self.days.1).contains(&i64::from(d)) {
                            Some(d)
                        } else {
                            *good = false;
                            None
                        };
                    }
                    // rows past a shorter column are the builder's
                    for good in ok.iter_mut().skip(values.len()) {
                        *good = false;
                    }
                }
                Some(column) => {
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
        }
        // a pin's last day or reason without its tier is a mistake: the builder's to report
        let pin = self.pin.get(..n).unwrap_or_default();
        if self.pinned_until.is_some() {
            let until = self.until.get(..n).unwrap_or_default();
            for ((good, p), u) in ok.iter_mut().zip(pin).zip(until) {
                *good &= p.is_some() | u.is_none();
            }
        }
        match &self.pin_reason {
            None => {}
            // a column of nulls (no pins, the common case) is not read
            Some(StateIn::Text(a)) if a.null_count() == a.len() => {}
            Some(reason) => {
                for (r, (good, p)) in ok.iter_mut().zip(pin).enumerate() {
                    if p.is_none() && state_text(reason, start + r, &mut self.scratch).is_some() {
                        *good = false;
                    }
                }
            }
        }
    }

    /// A lane of row `r`, when present.
    #[inline]
    fn lane(&self, m: usize, r: usize) -> Option<i64> {
        let i = m * CHUNK + r;
        if *self.present.get(i)? {
            self.lanes.get(i).copied()
        } else {
            None
        }
    }

    /// Tiers row `r` of the chunk, scored (`score` at the precision), on the day `as_of`,
    /// from its qualified tier, its tier after floors and its cap (steps 1 and 2 of spec
    /// section 7, done down the chunk), with the conditions of its chunk.
    fn tier(
        &self,
        r: usize,
        as_of: i32,
        score: i64,
        (q, f, cap): (u16, u16, Option<u16>),
        masks: &Masks<'_>,
    ) -> Tiered {
        let score = i128::from(score);
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
        // 4. caps
        if let Some(ct) = cap {
            if ct > tier {
                tier = ct;
            }
        }
        // 5. a pin, to its last day (a cap still holds where the policy says so)
        if let Some(pt) = self.pin.get(r).copied().flatten() {
            let until = self.until.get(r).copied().flatten();
            if until.is_none_or(|u| as_of <= u) {
                tier = pt;
                if self.pins_respect_caps {
                    if let Some(ct) = cap {
                        tier = tier.max(ct);
                    }
                }
            }
        }
        Tiered {
            tier,
            qualified: q,
            tier_since: match (prev, self.since.get(r).copied().flatten()) {
                (Some(p), Some(since)) if p == tier => since,
                _ => as_of,
            },
            last_qualified: if f <= tier { Some(as_of) } else { last },
        }
    }
}

/// Scores dimension `d` down the rows of a chunk still decidable (`ok`) into `out`, from
/// its metric's `lanes` and `present`, on each row's as-of `day` (`fixed`: its
/// anniversaries, when every row has the same); a row the lanes cannot score is struck
/// out.
fn score_down(
    d: &Dim<'_>,
    lanes: &[i64],
    present: &[bool],
    day: &[i32; CHUNK],
    fixed: Option<&Anniversaries>,
    ok: &mut [bool; CHUNK],
    out: &mut [i64],
) {
    // 1. each row's x at the curve's scale, into `out`
    let rows = lanes
        .iter()
        .zip(present)
        .zip(day)
        .zip(ok.iter_mut())
        .zip(out.iter_mut());
    let put = |good: &mut bool, q: &mut i64, v: Option<i64>| match v {
        Some(v) => *q = v,
        None => *good = false,
    };
    match d.input {
        Input::Lane => {
            for ((((&x, &here), _), good), q) in rows {
                if *good {
                    put(good, q, here.then(|| x.checked_mul(d.factor)).flatten());
                }
            }
        }
        Input::Days => {
            for ((((&start, &here), &at), good), q) in rows {
                if *good {
                    let v = (here && start <= i64::from(at))
                        .then(|| (i64::from(at) - start).checked_mul(d.factor))
                        .flatten();
                    put(good, q, v);
                }
            }
        }
        Input::Years => {
            for ((((&start, &here), &at), good), q) in rows {
                if *good {
                    let v = match i32::try_from(start) {
                        Ok(start) if here && start <= at => {
                            let n = match fixed {
                                Some(a) => a.years(start),
                                None => {
                                    let (ay, am, ad) = civil(at);
                                    let (sy, sm, sd) = civil(start);
                                    ay - sy - i64::from((am, ad) < (sm, sd))
                                }
                            };
                            n.checked_mul(d.factor)
                        }
                        _ => None,
                    };
                    put(good, q, v);
                }
            }
        }
    }
    // 2. the curve down the chunk
    d.curve.score_down(out, ok);
}

/// The tiers' conditions of a chunk, evaluated: whether tier `t`'s `require` holds for
/// row `r` is `holds[t * CHUNK + r]` (for a previous tier's buffer; adjustment `j`'s
/// `when` is `when[j * CHUNK + r]`, read down the chunk).
struct Masks<'m> {
    holds: &'m [bool],
}

impl Masks<'_> {
    #[inline]
    fn holds(&self, t: usize, r: usize) -> bool {
        self.holds.get(t * CHUNK + r).copied().unwrap_or(false)
    }
}

/// The rows of a chunk as conditions read them: a condition is evaluated for every row
/// at once, node by node, rather than row by row through the whole tree. Conditions
/// have no effects, so evaluating every part of them (where a row would stop at the
/// first false part of an `and`) gives the same results.
struct Chunk<'c, 'a, 'p> {
    v: &'c Vector<'a, 'p>,
    n: usize,
    /// The scores at the precision, and the dimension scores (`qs[d * CHUNK + r]`).
    scores: &'c [i64],
    qs: &'c [i64],
}

impl Chunk<'_, '_, '_> {
    /// An operand of row `r`; a number at [`X_SCALE`].
    #[inline]
    fn read(&self, o: Op, r: usize) -> Option<(Kind, i128)> {
        let at_x = |q: i64| i128::from(q) * self.v.score_factor;
        match o {
            Op::Metric(m, k, unit) => self
                .v
                .lane(m, r)
                .map(|x| (k, i128::from(x) * i128::from(unit))),
            Op::Score => self.scores.get(r).map(|x| (Kind::Num, at_x(*x))),
            Op::Dimension(i) => self.qs.get(i * CHUNK + r).map(|x| (Kind::Num, at_x(*x))),
            Op::Absent => None,
            Op::Lit(k, x) => Some((k, x)),
        }
    }

    /// A metric's lanes and presence over the chunk.
    fn lanes(&self, m: usize) -> Option<(&[i64], &[bool])> {
        Some((
            self.v.lanes.get(m * CHUNK..m * CHUNK + self.n)?,
            self.v.present.get(m * CHUNK..m * CHUNK + self.n)?,
        ))
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
            VCond::Truthy(m) => match self.lanes(*m) {
                Some((lanes, present)) => {
                    for ((o, &x), &here) in out.iter_mut().zip(lanes).zip(present) {
                        *o = here && x == 1;
                    }
                }
                None => out.fill(false),
            },
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
            VCond::Lane(m, test) => {
                let Some((lanes, present)) = self.lanes(*m) else {
                    out.fill(false);
                    return;
                };
                let rows = out.iter_mut().zip(lanes).zip(present);
                match *test {
                    LaneTest::Const(b) => rows.for_each(|((o, _), &here)| *o = here && b),
                    // one loop per operator, so that each is a plain comparison down the lane
                    LaneTest::Cmp(op, y) => match op {
                        CmpOp::Eq => rows.for_each(|((o, &x), &here)| *o = here && x == y),
                        CmpOp::Ne => rows.for_each(|((o, &x), &here)| *o = here && x != y),
                        CmpOp::Lt => rows.for_each(|((o, &x), &here)| *o = here && x < y),
                        CmpOp::Le => rows.for_each(|((o, &x), &here)| *o = here && x <= y),
                        CmpOp::Gt => rows.for_each(|((o, &x), &here)| *o = here && x > y),
                        CmpOp::Ge => rows.for_each(|((o, &x), &here)| *o = here && x >= y),
                    },
                }
            }
            VCond::LaneIn(m, values) => {
                let Some((lanes, present)) = self.lanes(*m) else {
                    out.fill(false);
                    return;
                };
                for ((o, x), &here) in out.iter_mut().zip(lanes).zip(present) {
                    *o = here && values.contains(x);
                }
            }
            VCond::Cmp(a, op, b) => {
                for (r, o) in out.iter_mut().enumerate() {
                    *o = match (self.read(*a, r), self.read(*b, r)) {
                        (Some((ka, x)), Some((kb, y))) => ka == kb && compare(x, *op, y),
                        _ => false,
                    };
                }
            }
            VCond::In(a, list) => {
                for (r, o) in out.iter_mut().enumerate() {
                    *o = match self.read(*a, r) {
                        Some((ka, x)) => list.iter().any(|l| {
                            self.read(*l, r)
                                .is_some_and(|(kb, y)| ka == kb && compare(x, CmpOp::Eq, y))
                        }),
                        None => false,
                    };
                }
            }
        }
    }
}

#[inline]
fn compare<T: Ord>(a: T, op: CmpOp, b: T) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

/// Puts each of `cells` (those of rows `start..start + n`, `n` at most [`CHUNK`]) into its
/// lane:
/// `Some(Some(x))` a value, `Some(None)` absent (the default, or a row struck out when the
/// metric is required), `None` the builder's (struck out). A row that `nulls` says is null
/// is absent whatever its cell.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of the chunk, borrowed apart"
)]
#[inline]
fn down(
    m: &MetricIn<'_>,
    start: usize,
    n: usize,
    nulls: Option<&NullBuffer>,
    lanes: &mut [i64],
    present: &mut [bool],
    ok: &mut [bool; CHUNK],
    cells: impl Iterator<Item = Option<Option<i64>>>,
) {
    // a column without nulls is not asked for each row
    let nulls = nulls.filter(|b| b.null_count() > 0);
    let mut done = 0;
    for (r, (((lane, here), good), cell)) in lanes
        .iter_mut()
        .zip(present.iter_mut())
        .zip(ok.iter_mut())
        .zip(cells)
        .enumerate()
    {
        let v = if nulls.is_some_and(|b| b.is_null(start + r)) {
            Some(None)
        } else {
            cell
        };
        match v {
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
        done = r + 1;
    }
    // rows without a cell (a column shorter than the batch) are the builder's
    for good in ok.iter_mut().take(n).skip(done) {
        *good = false;
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
    lanes: &mut [i64],
    present: &mut [bool],
    ok: &mut [bool; CHUNK],
    scratch: &mut String,
) {
    // each source has its own loop (not a call through `dyn FnMut` per cell)
    let bounded = |x: i64| -> Option<Option<i64>> {
        let low = m.low.is_some_and(|b| i128::from(x) < b);
        let high = m.high.is_some_and(|b| i128::from(x) > b);
        (!low && !high).then_some(Some(x))
    };
    let rows = start..start + n;
    // typed columns are read down their values, not cell by cell
    match &m.source {
        Source::Missing => down(
            m,
            start,
            n,
            None,
            lanes,
            present,
            ok,
            rows.map(|_| Some(None)),
        ),
        Source::Decimal128 { array, factor } => {
            let cells = array.values().get(rows.clone()).unwrap_or_default();
            let cells = cells.iter().map(|v| {
                // a cell beyond 64 bits (and so any beyond a `Decimal`'s 96) is the builder's
                let v = i64::try_from(*v).ok()?;
                bounded(v.checked_mul(*factor)?)
            });
            down(m, start, n, array.nulls(), lanes, present, ok, cells);
        }
        Source::I64 { array, factor } => {
            let cells = array.values().get(rows.clone()).unwrap_or_default();
            let cells = cells.iter().map(|v| bounded(v.checked_mul(*factor)?));
            down(m, start, n, array.nulls(), lanes, present, ok, cells);
        }
        Source::Date32(a) => {
            let cells = a.values().get(rows.clone()).unwrap_or_default();
            let cells = cells.iter().map(|d| {
                let d = i64::from(*d);
                (days.0..=days.1).contains(&d).then_some(Some(d))
            });
            down(m, start, n, a.nulls(), lanes, present, ok, cells);
        }
        Source::Bool(a) => {
            let cells = rows.map(|row| Some(Some(i64::from(a.value(row)))));
            down(m, start, n, a.nulls(), lanes, present, ok, cells);
        }
        Source::Dict {
            keys,
            column,
            choices,
        } => {
            let cells = keys.get(rows.clone()).unwrap_or_default().iter().map(|k| {
                let c = choices.get(*k).copied().flatten()?;
                Some(Some(i64::from(c)))
            });
            down(m, start, n, column.nulls(), lanes, present, ok, cells);
        }
        Source::Text(a, values) => {
            let cells = rows.map(|row| {
                let t = trim(a.value(row));
                if t.is_empty() {
                    return Some(None);
                }
                let i = values.find(t)?;
                Some(Some(i64::try_from(i).ok()?))
            });
            down(m, start, n, a.nulls(), lanes, present, ok, cells);
        }
        Source::Other(b) => {
            let cells = rows.map(|row| match b.val(row, scratch) {
                None => Some(None),
                Some(v) => {
                    let x = lane_of(v.metric_value(m.def)?)?;
                    Some(Some(if m.kind == Some(Kind::Num) {
                        at_lane_scale(x, m.scale)?
                    } else {
                        i64::try_from(x).ok()?
                    }))
                }
            });
            down(m, start, n, None, lanes, present, ok, cells);
        }
    }
}

/// Reads a column of tier ids (the previous tier, the pinned tier) down rows
/// `start..start + ok.len()` into `tiers`: a row whose id is not a tier, or whose cell the
/// builder is to read, is struck out of `ok`.
fn tiers_down(
    s: &StateIn<'_>,
    ids: &Words<'_>,
    start: usize,
    ok: &mut [bool],
    tiers: &mut [Option<u16>],
    scratch: &mut String,
) {
    // a column of nulls (no pins, say) is not read
    if let StateIn::Text(a) = s {
        if a.null_count() == a.len() {
            tiers.fill(None);
            return;
        }
    }
    for (r, (good, tier)) in ok.iter_mut().zip(tiers).enumerate() {
        *tier = match state_text(s, start + r, scratch) {
            None => None,
            Some(Some(t)) => {
                let found = ids.find(t).and_then(|i| u16::try_from(i).ok());
                *good &= found.is_some();
                found
            }
            Some(None) => {
                *good = false;
                None
            }
        };
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
    s: &StateIn<'_>,
    row: usize,
    days: (i64, i64),
    scratch: &mut String,
) -> Result<Option<i32>, ()> {
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

/// The whole years of tenure up to one as-of date, without a civil date per row: `ends[k]`
/// is the last day a start may fall on to count `k` whole years (the as-of date `k` years
/// before, or 28 February for a 29 February as-of date in a common year).
struct Anniversaries {
    as_of: i32,
    ends: Vec<i64>,
}

/// The years of tenure [`Anniversaries`] counts; longer ones take the civil dates.
const ANNIVERSARIES: i64 = 200;

impl Anniversaries {
    fn new(as_of: i32) -> Anniversaries {
        let (y, m, d) = civil(as_of);
        let ends = (0..=ANNIVERSARIES)
            .map(|k| {
                let y = y - k;
                let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
                let d = if m == 2 && d == 29 && !leap { 28 } else { d };
                days_from_civil(y, m, d)
            })
            .collect();
        Anniversaries { as_of, ends }
    }

    /// Whole years from `start` (at most the as-of date) to the as-of date.
    #[inline]
    fn years(&self, start: i32) -> i64 {
        let start_day = i64::from(start);
        // days / 365.2425 is within a year of the count either way
        let guess = (i64::from(self.as_of) - start_day) * 400 / 146_097;
        let end = |k: i64| {
            usize::try_from(k)
                .ok()
                .and_then(|k| self.ends.get(k))
                .copied()
        };
        if !(0..ANNIVERSARIES).contains(&guess) {
            return self.civil_years(start);
        }
        // the count is guess - 1, guess or guess + 1: one step either way, without a
        // branch on the date (anniversaries fall further back as k grows)
        let up = end(guess + 1).is_some_and(|e| start_day <= e);
        let down = end(guess).is_some_and(|e| start_day > e);
        let n = guess + i64::from(up) - i64::from(down);
        if n >= ANNIVERSARIES {
            return self.civil_years(start);
        }
        n
    }

    /// [`years`](Self::years) by the civil dates.
    fn civil_years(&self, start: i32) -> i64 {
        let (ay, am, ad) = civil(self.as_of);
        let (sy, sm, sd) = civil(start);
        ay - sy - i64::from((am, ad) < (sm, sd))
    }
}

/// The day number (days from 1970-01-01) of a civil date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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

    use super::{civil, compare, days_from_civil, Anniversaries, LaneTest, ANNIVERSARIES};
    use crate::model::CmpOp;
    use crate::table::cells::date_of_days;

    const OPS: [CmpOp; 6] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ];

    proptest! {
        /// A literal put at a lane's scale tests every lane as the literal tests the lane's
        /// value: `x * unit OP lit`, exact or not, in range or beyond 64 bits.
        #[test]
        fn lane_tests_compare_as_the_values(
            op in proptest::sample::select(&OPS[..]),
            lit in prop_oneof![
                -100_000i128..100_000,
                Just(i128::from(i64::MAX) * 1000 + 7),
                Just(i128::from(i64::MIN) * 1000 - 7),
            ],
            unit in proptest::sample::select(&[1i64, 10, 100, 1000][..]),
            x in prop_oneof![-1_000i64..1_000, Just(i64::MAX), Just(i64::MIN)],
        ) {
            let want = compare(i128::from(x) * i128::from(unit), op, lit);
            let got = match LaneTest::of(op, lit, unit) {
                LaneTest::Const(b) => b,
                LaneTest::Cmp(op, y) => compare(x, op, y),
            };
            prop_assert_eq!(got, want);
        }

        /// The civil date of a day number is chrono's, over chrono's whole range.
        #[test]
        fn civil_dates_are_chronos(days in -95_000_000i32..95_000_000) {
            if let Some(d) = date_of_days(days) {
                prop_assert_eq!(civil(days), (i64::from(d.year()), d.month(), d.day()));
            }
        }
    }

    proptest! {
        /// Whole years by the anniversaries are those by the civil dates, from the same day
        /// to beyond the table.
        #[test]
        fn anniversaries_count_years_as_the_civil_dates(
            as_of in -800_000i32..800_000,
            back in prop_oneof![0i32..800, 0i32..80_000, Just(365), Just(366), Just(1461)],
        ) {
            let a = Anniversaries::new(as_of);
            let start = as_of - back;
            prop_assert_eq!(a.years(start), a.civil_years(start));
        }

        #[test]
        fn days_from_civil_undoes_civil(days in -95_000_000i32..95_000_000) {
            let (y, m, d) = civil(days);
            prop_assert_eq!(days_from_civil(y, m, d), i64::from(days));
        }
    }

    #[test]
    fn anniversaries_of_a_leap_day() {
        // 2024-02-29 (19,782): from 2023-02-28 one year, from 2023-03-01 none
        let a = Anniversaries::new(19_782);
        assert_eq!(a.years(19_782 - 366), 1);
        assert_eq!(a.years(19_782 - 365), 0);
        assert_eq!(a.years(days_from_civil(2020, 2, 29) as i32), 4);
        assert_eq!(a.years(days_from_civil(2020, 3, 1) as i32), 3);
    }

    /// Every start day of the anniversaries' two hundred years, for as-of dates around
    /// leap days and year ends: the count of one step either way is the civil count.
    #[test]
    fn anniversaries_of_every_day_back_two_hundred_years() {
        for (y, m, d) in [
            (2024, 2, 29),
            (2025, 2, 28),
            (2024, 3, 1),
            (2026, 12, 31),
            (2000, 1, 1),
        ] {
            let as_of = i32::try_from(days_from_civil(y, m, d)).unwrap();
            let a = Anniversaries::new(as_of);
            for back in 0..=(ANNIVERSARIES as i32 + 1) * 366 {
                let start = as_of - back;
                assert_eq!(
                    a.years(start),
                    a.civil_years(start),
                    "{y}-{m}-{d} back {back}"
                );
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
