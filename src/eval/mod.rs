//! Evaluation: pure functions of a compiled policy, a customer and an as-of date.

mod exact;
mod fast;
pub(crate) mod score;

pub(crate) use fast::{FastCurve, FastWeights};

pub(crate) use exact::cmp as cmp_decimal;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::customer::Customer;
use crate::error::{EvalError, EvalErrorKind};
use crate::expr::Env;
use crate::policy::{AdjustKind, Compiled, Policy, TierId};

const INLINE_DIMENSIONS: usize = 8;

/// Dimension scores, kept inline for up to eight dimensions so that classifying does not
/// allocate.
#[derive(Debug, Clone, PartialEq)]
enum DimScores {
    Inline {
        len: u8,
        buf: [Decimal; INLINE_DIMENSIONS],
    },
    Heap(Vec<Decimal>),
}

impl DimScores {
    fn new(n: usize) -> DimScores {
        if n <= INLINE_DIMENSIONS {
            DimScores::Inline {
                len: u8::try_from(n).unwrap_or(0),
                buf: [Decimal::ZERO; INLINE_DIMENSIONS],
            }
        } else {
            DimScores::Heap(vec![Decimal::ZERO; n])
        }
    }

    fn as_slice(&self) -> &[Decimal] {
        match self {
            DimScores::Inline { len, buf } => buf.get(..usize::from(*len)).unwrap_or(&[]),
            DimScores::Heap(v) => v,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Decimal] {
        match self {
            DimScores::Inline { len, buf } => buf.get_mut(..usize::from(*len)).unwrap_or(&mut []),
            DimScores::Heap(v) => v,
        }
    }
}

/// What decided a customer's final tier, in the order of spec section 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// The score and requirements: the qualified tier.
    Qualified,
    /// An `at_least` adjustment raised the tier.
    Floor,
    /// The previous tier was kept because the score stayed within the downgrade buffer.
    Buffer,
    /// The previous tier was kept because the customer qualified recently (grace days).
    Grace,
    /// The downgrade was limited to `max_downgrade_steps` ranks.
    StepLimit,
    /// An `at_most` adjustment lowered the tier.
    Cap,
    /// A manual pin set the tier.
    Pin,
}

impl Decision {
    /// The decision's name as in JSON output: `qualified`, `floor`, `buffer`, `grace`,
    /// `step_limit`, `cap` or `pin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Qualified => "qualified",
            Decision::Floor => "floor",
            Decision::Buffer => "buffer",
            Decision::Grace => "grace",
            Decision::StepLimit => "step_limit",
            Decision::Cap => "cap",
            Decision::Pin => "pin",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tier state to store for the next evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierState {
    pub(crate) tier: TierId,
    pub(crate) tier_since: NaiveDate,
    pub(crate) last_qualified: Option<NaiveDate>,
}

impl TierState {
    /// The final tier.
    pub fn tier(&self) -> TierId {
        self.tier
    }

    /// Since when the customer has held this tier.
    pub fn tier_since(&self) -> NaiveDate {
        self.tier_since
    }

    /// The last date the customer's own merits (score, requirements and floors) reached the
    /// final tier, if ever.
    pub fn last_qualified(&self) -> Option<NaiveDate> {
        self.last_qualified
    }
}

/// The result of classifying one customer: tier, score, and the new state. Computing it
/// does not allocate (for policies of up to eight dimensions).
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    tier: TierId,
    qualified: TierId,
    adjusted: TierId,
    score: Decimal,
    dims: DimScores,
    state: TierState,
    decision: Decision,
    floor: Option<u16>,
    cap: Option<u16>,
    ignored_previous: bool,
    expired_pin: bool,
}

impl Assignment {
    /// The final tier.
    pub fn tier(&self) -> TierId {
        self.tier
    }

    /// The tier the score and requirements alone qualify for.
    pub fn qualified_tier(&self) -> TierId {
        self.qualified
    }

    /// The composite score, rounded to the policy's precision.
    pub fn score(&self) -> Decimal {
        self.score
    }

    /// Each dimension's rounded score, in the policy's dimension order.
    pub fn dimension_scores(&self) -> &[Decimal] {
        self.dims.as_slice()
    }

    /// The state to store for the next evaluation.
    pub fn state(&self) -> &TierState {
        &self.state
    }

    /// What decided the final tier.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Whether the record's `previous_tier` was not a tier of the policy and was ignored.
    pub fn ignored_previous_tier(&self) -> bool {
        self.ignored_previous
    }

    /// Whether the record's pin had expired and was ignored.
    pub fn expired_pin(&self) -> bool {
        self.expired_pin
    }

    pub(crate) fn adjusted(&self) -> TierId {
        self.adjusted
    }

    pub(crate) fn floor_adjustment(&self) -> Option<u16> {
        self.floor
    }

    pub(crate) fn cap_adjustment(&self) -> Option<u16> {
        self.cap
    }
}

fn lower(a: u16, b: u16) -> u16 {
    a.max(b)
}

impl Policy {
    /// Scores and tiers one customer on `as_of`, without a trace. Does not allocate.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// # let policy = tierwise::Policy::from_toml_str("p.toml", r#"
    /// # [policy]
    /// # id = "demo"
    /// # version = "1"
    /// # timezone = "UTC"
    /// # [metrics]
    /// # teu = { type = "decimal", min = 0 }
    /// # [scoring.dimensions.volume]
    /// # metric = "teu"
    /// # weight = 1
    /// # curve = "linear"
    /// # points = [[0, 0], [1000, 100]]
    /// # [[tiers]]
    /// # id = "key"
    /// # min_score = 50
    /// # [[tiers]]
    /// # id = "standard"
    /// # min_score = 0
    /// # "#)?;
    /// let c = policy.customer("C1").set("teu", "625.5").build()?;
    /// let a = policy.classify(&c, NaiveDate::from_ymd_opt(2026, 6, 30).unwrap())?;
    /// assert_eq!(a.score().to_string(), "62.55");
    /// assert_eq!(policy.tier(a.tier()).id(), "key");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn classify(&self, customer: &Customer, as_of: NaiveDate) -> Result<Assignment, EvalError> {
        classify(&self.inner, self.key(), customer, as_of)
    }
}

pub(crate) fn env<'a>(
    customer: &'a Customer,
    score: Decimal,
    dims: &'a [Decimal],
    tier: Option<u16>,
) -> Env<'a> {
    Env {
        values: &customer.values,
        score,
        dimensions: dims,
        tier,
        case: None,
    }
}

/// Whether the tier at `index` admits the customer: score at or above its minimum and every
/// requirement met.
pub(crate) fn admits(p: &Compiled, index: usize, score: Decimal, env: &Env<'_>) -> bool {
    let min = p.prepared.min_scores.get(index);
    p.tiers.get(index).is_some_and(|t| {
        exact::cmp(min.copied().unwrap_or(t.min_score), score).is_le()
            && t.require.iter().all(|(_, c)| c.eval(env))
    })
}

/// A dimension's score at the precision by the integer path, or `None` for the decimal
/// path (which also reports absent values and dates after the as-of date).
#[inline]
fn fast_dimension(
    p: &Compiled,
    i: usize,
    d: &crate::policy::Dimension,
    value: Option<crate::policy::Value>,
    as_of: NaiveDate,
) -> Option<i128> {
    use crate::policy::{DateUnit, Value};
    let curve = p.prepared.fast_curves.get(i)?.as_ref()?;
    let x = match value? {
        Value::Decimal(v) => fast::x_of(v)?,
        Value::Integer(n) => fast::x_of_int(n)?,
        Value::Date(start) => {
            if start > as_of {
                return None;
            }
            let n = match d.unit {
                DateUnit::Years => score::whole_years(start, as_of),
                DateUnit::Days => (as_of - start).num_days(),
            };
            fast::x_of_int(n)?
        }
        Value::Enum(e) => i128::from(e),
        Value::Bool(b) => i128::from(b),
    };
    curve.score(x)
}

fn classify(
    p: &Compiled,
    key: usize,
    c: &Customer,
    as_of: NaiveDate,
) -> Result<Assignment, EvalError> {
    if c.policy_key != key || c.values.len() != p.metrics.len() {
        return Err(EvalError::new(&c.id, EvalErrorKind::WrongPolicy));
    }
    let mut dims = DimScores::new(p.dimensions.len());
    // integer scores at the precision, while every dimension takes the integer path
    let mut ints = [0i128; INLINE_DIMENSIONS];
    let mut all_int = p.dimensions.len() <= INLINE_DIMENSIONS && p.prepared.fast_weights.is_some();
    for (i, (slot, d)) in dims
        .as_mut_slice()
        .iter_mut()
        .zip(&p.dimensions)
        .enumerate()
    {
        let value = c.values.get(usize::from(d.metric)).copied().flatten();
        let int = fast_dimension(p, i, d, value, as_of).and_then(|q| {
            Decimal::try_from_i128_with_scale(q, p.precision)
                .ok()
                .map(|s| (q, s))
        });
        if let Some((q, s)) = int {
            if let Some(x) = ints.get_mut(i) {
                *x = q;
            }
            *slot = s;
            continue;
        }
        all_int = false;
        let slopes = p.prepared.slopes.get(i).map_or(&[][..], Vec::as_slice);
        let (s, _) =
            score::dimension(p, d, slopes, value, as_of).map_err(|k| EvalError::new(&c.id, k))?;
        *slot = s;
    }
    let int_score = match (&p.prepared.fast_weights, all_int) {
        (Some(w), true) => ints
            .get(..p.dimensions.len())
            .and_then(|q| w.composite(q))
            .and_then(|q| Decimal::try_from_i128_with_scale(q, p.precision).ok()),
        _ => None,
    };
    let score = match int_score {
        Some(s) => s,
        None => score::composite(p, dims.as_slice()).ok_or_else(|| {
            EvalError::new(
                &c.id,
                EvalErrorKind::Overflow {
                    metric: "score".to_owned(),
                },
            )
        })?,
    };
    let env = env(c, score, dims.as_slice(), None);
    let floor_index = p.tiers.len().saturating_sub(1);
    let q = (0..p.tiers.len())
        .find(|&i| admits(p, i, score, &env))
        .unwrap_or(floor_index);
    let q = u16::try_from(q).unwrap_or(u16::MAX);

    // 2. floors
    let mut f = q;
    let mut floor = None;
    let mut cap: Option<(u16, u16)> = None;
    for (i, a) in p.adjustments.iter().enumerate() {
        if !a.when.eval(&env) {
            continue;
        }
        let i = u16::try_from(i).unwrap_or(u16::MAX);
        match a.kind {
            AdjustKind::AtLeast if a.tier < f => {
                f = a.tier;
                floor = Some(i);
            }
            AdjustKind::AtMost if cap.is_none_or(|(t, _)| a.tier > t) => cap = Some((a.tier, i)),
            _ => {}
        }
    }
    let mut decision = if floor.is_some() {
        Decision::Floor
    } else {
        Decision::Qualified
    };

    // 3. previous tier: buffer, grace, step limit
    let mut tier = f;
    if let Some(prev) = c.previous.tier {
        let pi = prev.0;
        if pi < f {
            let keep = p.prepared.keep_scores.get(usize::from(pi));
            let within_buffer = p.tiers.get(usize::from(pi)).is_some_and(|t| {
                keep.is_some_and(|k| exact::cmp(score, *k).is_ge())
                    && t.require.iter().all(|(_, cond)| cond.eval(&env))
            });
            let in_grace = c.previous.last_qualified.is_some_and(|lq| {
                let days = u64::try_from(p.tiering.downgrade_grace_days).unwrap_or(0);
                lq.checked_add_days(Days::new(days))
                    .is_some_and(|end| as_of < end)
            });
            if within_buffer {
                tier = pi;
                decision = Decision::Buffer;
            } else if in_grace {
                tier = pi;
                decision = Decision::Grace;
            } else if let Some(steps) = p.tiering.max_downgrade_steps {
                let limit = pi.saturating_add(steps);
                if f > limit {
                    tier = limit;
                    decision = Decision::StepLimit;
                }
            }
        }
    }

    // 4. caps
    if let Some((ct, _)) = cap {
        if ct > tier {
            tier = ct;
            decision = Decision::Cap;
        }
    }

    // 5. pin
    let mut expired_pin = false;
    if let Some(pin) = c.pin() {
        if pin.until.is_none_or(|u| as_of <= u) {
            tier = pin.tier.0;
            decision = Decision::Pin;
            if p.tiering.pins_respect_caps {
                if let Some((ct, _)) = cap {
                    if ct > tier {
                        tier = lower(tier, ct);
                        decision = Decision::Cap;
                    }
                }
            }
        } else {
            expired_pin = true;
        }
    }

    let tier_since = match (c.previous.tier, c.previous.tier_since) {
        (Some(prev), Some(since)) if prev.0 == tier => since,
        _ => as_of,
    };
    let last_qualified = if f <= tier {
        Some(as_of)
    } else {
        c.previous.last_qualified
    };
    Ok(Assignment {
        tier: TierId(tier),
        qualified: TierId(q),
        adjusted: TierId(f),
        score,
        dims,
        state: TierState {
            tier: TierId(tier),
            tier_since,
            last_qualified,
        },
        decision,
        floor,
        cap: cap.map(|(_, i)| i),
        ignored_previous: c.unknown_tier().is_some() && c.previous.tier.is_none(),
        expired_pin,
    })
}
