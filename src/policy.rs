//! The compiled, immutable policy.

use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::error::LoadError;
use crate::expr::Cond;
use crate::service::ServiceModel;

/// The number of a tier, counted from the highest (0) down to the floor.
///
/// A smaller number is a higher rank; `TierId`s are only meaningful for the policy that
/// produced them. Get the tier's text id with [`Policy::tier`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TierId(pub(crate) u16);

impl TierId {
    /// The rank: 0 for the highest tier.
    pub fn rank(self) -> usize {
        usize::from(self.0)
    }

    /// Whether `self` ranks strictly above `other`.
    pub fn is_above(self, other: TierId) -> bool {
        self.0 < other.0
    }
}

/// The number of a metric in the policy's `[metrics]` table, in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetricId(pub(crate) u16);

impl MetricId {
    /// The index of the metric in declaration order.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// A typed value of a customer's metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Decimal(Decimal),
    Integer(i64),
    Date(NaiveDate),
    /// The index into the metric's `values`.
    Enum(u16),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MetricKind {
    Decimal {
        min: Option<Decimal>,
        max: Option<Decimal>,
    },
    Integer {
        min: Option<Decimal>,
        max: Option<Decimal>,
    },
    Date,
    Enum {
        values: Vec<String>,
    },
    Bool,
}

/// A `min` or `max` a value lies beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beyond {
    Min(Decimal),
    Max(Decimal),
}

impl MetricKind {
    /// The value as a number and the bound it breaks, for decimal and integer metrics.
    pub(crate) fn violated_bound(&self, v: &Value) -> Option<(Decimal, Beyond)> {
        let (MetricKind::Decimal { min, max } | MetricKind::Integer { min, max }) = self else {
            return None;
        };
        let n = match *v {
            Value::Decimal(d) => d,
            Value::Integer(i) => Decimal::from(i),
            _ => return None,
        };
        if let Some(m) = min.filter(|m| n < *m) {
            return Some((n, Beyond::Min(m)));
        }
        max.filter(|m| n > *m).map(|m| (n, Beyond::Max(m)))
    }

    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            MetricKind::Decimal { .. } => "decimal",
            MetricKind::Integer { .. } => "integer",
            MetricKind::Date => "date",
            MetricKind::Enum { .. } => "enum",
            MetricKind::Bool => "bool",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct MetricDef {
    pub(crate) name: String,
    pub(crate) kind: MetricKind,
    pub(crate) default: Option<Value>,
    pub(crate) required: bool,
    pub(crate) unit: Option<String>,
}

impl MetricDef {
    /// Formats a value of this metric for people and for output files.
    pub(crate) fn display(&self, v: &Value) -> String {
        match (v, &self.kind) {
            (Value::Decimal(d), _) => d.to_string(),
            (Value::Integer(i), _) => i.to_string(),
            (Value::Date(d), _) => d.to_string(),
            (Value::Enum(i), MetricKind::Enum { values }) => {
                values.get(usize::from(*i)).cloned().unwrap_or_default()
            }
            (Value::Enum(i), _) => i.to_string(),
            (Value::Bool(b), _) => b.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateUnit {
    Years,
    Days,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Curve {
    Linear(Vec<(Decimal, Decimal)>),
    Steps(Vec<(Decimal, Decimal)>),
    /// Scores by enum index (or `[false, true]` for a bool metric).
    Map(Vec<Decimal>),
}

#[derive(Debug, Clone)]
pub(crate) struct Dimension {
    pub(crate) name: String,
    pub(crate) metric: u16,
    pub(crate) weight: Decimal,
    pub(crate) curve: Curve,
    pub(crate) unit: DateUnit,
}

/// A tier of the policy: its id, display name, threshold.
#[derive(Debug, Clone)]
pub struct Tier {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) min_score: Decimal,
    pub(crate) require: Vec<(String, Cond)>,
}

impl Tier {
    /// The tier's id, like `vip`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The display name, like `VIP客户`, or the id when there is none.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// The lowest score that qualifies.
    pub fn min_score(&self) -> Decimal {
        self.min_score
    }

    /// The conditions a customer must also meet, as written.
    pub fn requirements(&self) -> impl Iterator<Item = &str> {
        self.require.iter().map(|(t, _)| t.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdjustKind {
    AtLeast,
    AtMost,
}

#[derive(Debug, Clone)]
pub(crate) struct Adjustment {
    pub(crate) when_text: String,
    pub(crate) when: Cond,
    pub(crate) kind: AdjustKind,
    pub(crate) tier: u16,
    pub(crate) reason: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Tiering {
    pub(crate) downgrade_buffer: Decimal,
    pub(crate) downgrade_grace_days: i64,
    pub(crate) max_downgrade_steps: Option<u16>,
    pub(crate) pins_respect_caps: bool,
}

#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) name: Option<String>,
    pub(crate) effective_from: Option<NaiveDate>,
    pub(crate) effective_until: Option<NaiveDate>,
    pub(crate) timezone: Tz,
    pub(crate) metrics: Vec<MetricDef>,
    pub(crate) precision: u32,
    pub(crate) missing_zero: bool,
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) dimension_names: Vec<String>,
    pub(crate) total_weight: Decimal,
    pub(crate) tiers: Vec<Tier>,
    pub(crate) tier_ids: Vec<String>,
    pub(crate) adjustments: Vec<Adjustment>,
    pub(crate) tiering: Tiering,
    pub(crate) services: ServiceModel,
    /// Exact shortcuts for the hot path, derived from the fields above.
    pub(crate) prepared: Prepared,
    /// Where the policy was read from, for diagnostics that involve several policies.
    pub(crate) origin: Origin,
}

/// The file a policy came from and the places of its header keys.
#[derive(Debug, Default, Clone)]
pub(crate) struct Origin {
    pub(crate) source: Option<crate::error::Source>,
    pub(crate) id: crate::error::Span,
    pub(crate) header: crate::error::Span,
    pub(crate) effective_from: Option<crate::error::Span>,
}

/// Exact shortcuts computed once per policy so that scoring divides only when it must.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    /// Per dimension and linear segment, `dy / dx` when that quotient is an exact decimal.
    pub(crate) slopes: Vec<Vec<Option<Decimal>>>,
    /// Per dimension, `weight / total weight`, when every such share is exact.
    pub(crate) shares: Option<Vec<Decimal>>,
    /// Tier thresholds at the score's scale, so that comparisons need no rescaling.
    pub(crate) min_scores: Vec<Decimal>,
    /// Per tier, `min_score - downgrade_buffer` at the score's scale.
    pub(crate) keep_scores: Vec<Decimal>,
    /// Per dimension, the curve in integers, when every number fits.
    pub(crate) fast_curves: Vec<Option<crate::eval::FastCurve>>,
    /// The weights in integers, when they fit.
    pub(crate) fast_weights: Option<crate::eval::FastWeights>,
}

/// `a / b` when the quotient is exact (no rounding at 28 digits).
fn exact_div(a: Decimal, b: Decimal) -> Option<Decimal> {
    let q = a.checked_div(b)?;
    (q.scale() < 28 && q.checked_mul(b) == Some(a)).then_some(q)
}

impl Prepared {
    fn of(c: &Compiled) -> Prepared {
        let slopes = c
            .dimensions
            .iter()
            .map(|d| match &d.curve {
                Curve::Linear(points) => points
                    .windows(2)
                    .map(|w| match w {
                        [(xa, ya), (xb, yb)] => {
                            exact_div(yb.checked_sub(*ya)?, xb.checked_sub(*xa)?)
                        }
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        let shares: Option<Vec<Decimal>> = c
            .dimensions
            .iter()
            .map(|d| exact_div(d.weight, c.total_weight))
            .collect();
        let at_precision = |mut m: Decimal| {
            if m.scale() < c.precision {
                m.rescale(c.precision);
            }
            m
        };
        let min_scores = c.tiers.iter().map(|t| at_precision(t.min_score)).collect();
        let keep_scores = c
            .tiers
            .iter()
            .map(|t| at_precision(t.min_score - c.tiering.downgrade_buffer))
            .collect();
        let fast_curves = c
            .dimensions
            .iter()
            .map(|d| crate::eval::FastCurve::of(d, c.precision))
            .collect();
        Prepared {
            slopes,
            shares,
            min_scores,
            keep_scores,
            fast_curves,
            fast_weights: crate::eval::FastWeights::of(&c.dimensions),
        }
    }
}

/// A compiled policy: validated, immutable, cheap to clone and safe to share between threads.
///
/// Load one with [`Policy::from_toml_str`] (or `Policy::from_path` with the `cli` feature),
/// then evaluate customers with [`Policy::classify`] or [`Policy::explain`].
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) inner: Arc<Compiled>,
}

impl Policy {
    pub(crate) fn new(mut compiled: Compiled) -> Policy {
        compiled.prepared = Prepared::of(&compiled);
        Policy {
            inner: Arc::new(compiled),
        }
    }

    /// Parses, validates and compiles a policy from TOML text. `name` is how errors refer to
    /// the file (usually its path).
    ///
    /// Every problem of the file is reported at once in the [`LoadError`].
    ///
    /// ```
    /// let policy = tierwise::Policy::from_toml_str("example.toml", r#"
    /// [policy]
    /// id = "demo"
    /// version = "1"
    /// timezone = "UTC"
    /// [metrics]
    /// teu = { type = "decimal", min = 0 }
    /// [scoring.dimensions.volume]
    /// metric = "teu"
    /// weight = 1
    /// curve = "linear"
    /// points = [[0, 0], [1000, 100]]
    /// [[tiers]]
    /// id = "key"
    /// min_score = 50
    /// [[tiers]]
    /// id = "standard"
    /// min_score = 0
    /// "#)?;
    /// assert_eq!(policy.id(), "demo");
    /// # Ok::<(), tierwise::LoadError>(())
    /// ```
    pub fn from_toml_str(name: &str, text: &str) -> Result<Policy, LoadError> {
        crate::compile::load_str(name, text)
    }

    /// The policy's id.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The policy's version, echoed in every result.
    pub fn version(&self) -> &str {
        &self.inner.version
    }

    /// The display name, if the policy has one.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// The first day the policy is in force, if bounded.
    pub fn effective_from(&self) -> Option<NaiveDate> {
        self.inner.effective_from
    }

    /// The last day the policy is in force, if bounded.
    pub fn effective_until(&self) -> Option<NaiveDate> {
        self.inner.effective_until
    }

    /// Whether the policy is in force on `date`.
    pub fn is_effective_on(&self, date: NaiveDate) -> bool {
        self.inner.effective_from.is_none_or(|f| f <= date)
            && self.inner.effective_until.is_none_or(|u| date <= u)
    }

    /// The name the policy's file was loaded under (its path, for [`Policy::from_path`]).
    pub fn source_name(&self) -> Option<&str> {
        self.inner.origin.source.as_ref().map(|s| &*s.name)
    }

    /// The policy's default time zone.
    pub fn timezone(&self) -> Tz {
        self.inner.timezone
    }

    /// The tiers, highest first.
    pub fn tiers(&self) -> impl ExactSizeIterator<Item = (TierId, &Tier)> {
        self.inner
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| (TierId(u16::try_from(i).unwrap_or(u16::MAX)), t))
    }

    /// The tier with this number. Returns the floor tier for a number of another policy
    /// that is out of range.
    pub fn tier(&self, id: TierId) -> &Tier {
        match self.inner.tiers.get(usize::from(id.0)) {
            Some(t) => t,
            None => self.floor(),
        }
    }

    /// Finds a tier by its text id.
    pub fn tier_by_id(&self, id: &str) -> Option<TierId> {
        self.inner
            .tier_ids
            .iter()
            .position(|t| t == id)
            .and_then(|i| u16::try_from(i).ok())
            .map(TierId)
    }

    fn floor(&self) -> &Tier {
        // compile guarantees at least one tier
        #[expect(
            clippy::indexing_slicing,
            reason = "a compiled policy has at least one tier"
        )]
        &self.inner.tiers[self.inner.tiers.len() - 1]
    }

    /// The names of the metrics, in declaration order.
    pub fn metric_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.inner.metrics.iter().map(|m| m.name.as_str())
    }

    /// Finds a metric by name.
    pub fn metric_id(&self, name: &str) -> Option<MetricId> {
        self.inner
            .metrics
            .iter()
            .position(|m| m.name == name)
            .and_then(|i| u16::try_from(i).ok())
            .map(MetricId)
    }

    /// The names of the scoring dimensions, in declaration order.
    pub fn dimension_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.inner.dimension_names.iter().map(String::as_str)
    }

    /// The number of decimals scores are rounded to.
    pub fn precision(&self) -> u32 {
        self.inner.precision
    }

    pub(crate) fn key(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Policy>();
    }
}
