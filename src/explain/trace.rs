//! The trace types: why a customer got its tier, field by field, for machines (`Serialize`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::eval::Decision;
use crate::model::{Score, Weight};

/// The policy a result came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PolicyRef {
    /// The policy id.
    pub id: String,
    /// The policy version.
    pub version: String,
}

/// One dimension of the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionTrace {
    pub(crate) name: String,
    pub(crate) metric: String,
    /// The metric's value as given (or defaulted); `None` when absent.
    pub(crate) value: Option<String>,
    /// The metric's unit, if the policy gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) unit: Option<String>,
    /// For date metrics, the whole years or days counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) measured: Option<String>,
    pub(crate) score: Score,
    pub(crate) weight: Weight,
    pub(crate) contribution: Decimal,
}

impl DimensionTrace {
    /// The dimension's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The metric it scores.
    pub fn metric(&self) -> &str {
        &self.metric
    }
    /// The metric's value, as text.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }
    /// The dimension score, rounded.
    pub fn score(&self) -> Score {
        self.score
    }
    /// The dimension's weight.
    pub fn weight(&self) -> Weight {
        self.weight
    }
    /// weight * score / total weight, rounded to two more decimals than the score.
    pub fn contribution(&self) -> Decimal {
        self.contribution
    }
}

/// Why a tier above the qualified one was not reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateTrace {
    pub(crate) tier: String,
    pub(crate) min_score: Score,
    pub(crate) score_met: bool,
    pub(crate) failed_requirements: Vec<String>,
}

impl GateTrace {
    /// The higher tier.
    pub fn tier(&self) -> &str {
        &self.tier
    }
    /// Whether the score reached its `min_score`.
    pub fn score_met(&self) -> bool {
        self.score_met
    }
    /// The `require` conditions that did not hold, as written.
    pub fn failed_requirements(&self) -> &[String] {
        &self.failed_requirements
    }
}

/// An adjustment whose `when` held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustmentTrace {
    /// `at_least` or `at_most`.
    pub(crate) kind: &'static str,
    pub(crate) tier: String,
    pub(crate) reason: String,
    pub(crate) when: String,
    /// Whether this adjustment changed the tier.
    pub(crate) decisive: bool,
}

impl AdjustmentTrace {
    /// `at_least` (a floor) or `at_most` (a cap).
    pub fn kind(&self) -> &str {
        self.kind
    }
    /// The tier it names.
    pub fn tier(&self) -> &str {
        &self.tier
    }
    /// Its reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The previous state a record carried.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviousTrace {
    pub(crate) tier: String,
    /// False when the policy does not define the tier (it was ignored).
    pub(crate) known: bool,
    pub(crate) tier_since: Option<NaiveDate>,
    pub(crate) last_qualified: Option<NaiveDate>,
    /// Why neither the downgrade buffer nor the grace days kept a higher previous tier
    /// (empty when one did, or when the previous tier was not higher).
    pub(crate) not_kept: Vec<String>,
}

impl PreviousTrace {
    /// Why neither the downgrade buffer nor the grace days kept the previous tier, when it
    /// ranked above the tier the customer qualified for: the score short of the buffer or
    /// the requirement that fails, and the day the grace days ended.
    pub fn not_kept(&self) -> &[String] {
        &self.not_kept
    }
}

/// A manual pin and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PinTrace {
    pub(crate) tier: String,
    pub(crate) until: Option<NaiveDate>,
    pub(crate) reason: Option<String>,
    /// `applied`, `capped` (applied, then lowered by a cap) or `expired` (ignored).
    pub(crate) status: &'static str,
}

/// The new state, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateTrace {
    /// The final tier.
    pub tier: String,
    /// Since when it is held.
    pub tier_since: NaiveDate,
    /// The last date the customer qualified for it on its own merits.
    pub last_qualified: Option<NaiveDate>,
}

/// The full trace of one customer's tiering (spec section 7): every dimension, the score,
/// the gates of higher tiers, the adjustments that fired, what hysteresis or a pin decided,
/// the new state and the policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub(crate) customer: String,
    pub(crate) as_of: NaiveDate,
    pub(crate) policy: PolicyRef,
    pub(crate) dimensions: Vec<DimensionTrace>,
    pub(crate) score: Score,
    pub(crate) qualified_tier: String,
    pub(crate) higher_tiers: Vec<GateTrace>,
    pub(crate) adjustments: Vec<AdjustmentTrace>,
    pub(crate) previous: Option<PreviousTrace>,
    pub(crate) pin: Option<PinTrace>,
    pub(crate) tier: String,
    pub(crate) decided_by: Decision,
    /// One sentence on what decided the tier.
    pub(crate) decision: String,
    pub(crate) state: StateTrace,
    pub(crate) notes: Vec<String>,
}

impl Explanation {
    /// The customer's id.
    pub fn customer(&self) -> &str {
        &self.customer
    }
    /// The final tier id.
    pub fn tier(&self) -> &str {
        &self.tier
    }
    /// The qualified tier id.
    pub fn qualified_tier(&self) -> &str {
        &self.qualified_tier
    }
    /// The composite score.
    pub fn score(&self) -> Score {
        self.score
    }
    /// Each dimension's part of the score.
    pub fn dimensions(&self) -> &[DimensionTrace] {
        &self.dimensions
    }
    /// Higher tiers than the qualified one and why they were missed.
    pub fn higher_tiers(&self) -> &[GateTrace] {
        &self.higher_tiers
    }
    /// Adjustments whose `when` held.
    pub fn adjustments(&self) -> &[AdjustmentTrace] {
        &self.adjustments
    }
    /// What decided the final tier.
    pub fn decided_by(&self) -> Decision {
        self.decided_by
    }
    /// The new state.
    pub fn state(&self) -> &StateTrace {
        &self.state
    }
    /// Remarks, such as an ignored previous tier or an expired pin.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
    /// The policy.
    pub fn policy(&self) -> &PolicyRef {
        &self.policy
    }
}
