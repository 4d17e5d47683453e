//! Traces: why a customer got its tier, for people (`Display`) and machines (`Serialize`).

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::customer::Customer;
use crate::error::EvalError;
use crate::eval::{self, score, Assignment, Decision};
use crate::policy::{AdjustKind, Compiled, DateUnit, Policy};

/// The policy a result came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    /// The policy id.
    pub id: String,
    /// The policy version.
    pub version: String,
}

/// One dimension of the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionTrace {
    name: String,
    metric: String,
    /// The metric's value as given (or defaulted); `None` when absent.
    value: Option<String>,
    /// The metric's unit, if the policy gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    /// For date metrics, the whole years or days counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    measured: Option<String>,
    score: Decimal,
    weight: Decimal,
    contribution: Decimal,
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
    pub fn score(&self) -> Decimal {
        self.score
    }
    /// The dimension's weight.
    pub fn weight(&self) -> Decimal {
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
    tier: String,
    min_score: Decimal,
    score_met: bool,
    failed_requirements: Vec<String>,
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
    kind: &'static str,
    tier: String,
    reason: String,
    when: String,
    /// Whether this adjustment changed the tier.
    decisive: bool,
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
    tier: String,
    /// False when the policy does not define the tier (it was ignored).
    known: bool,
    tier_since: Option<NaiveDate>,
    last_qualified: Option<NaiveDate>,
}

/// A manual pin and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PinTrace {
    tier: String,
    until: Option<NaiveDate>,
    reason: Option<String>,
    /// `applied`, `capped` (applied, then lowered by a cap) or `expired` (ignored).
    status: &'static str,
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
    customer: String,
    as_of: NaiveDate,
    policy: PolicyRef,
    dimensions: Vec<DimensionTrace>,
    score: Decimal,
    qualified_tier: String,
    higher_tiers: Vec<GateTrace>,
    adjustments: Vec<AdjustmentTrace>,
    previous: Option<PreviousTrace>,
    pin: Option<PinTrace>,
    tier: String,
    decided_by: Decision,
    /// One sentence on what decided the tier.
    decision: String,
    state: StateTrace,
    notes: Vec<String>,
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
    pub fn score(&self) -> Decimal {
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

impl Policy {
    /// Scores and tiers one customer with a full trace of every step.
    pub fn explain(&self, customer: &Customer, as_of: NaiveDate) -> Result<Explanation, EvalError> {
        let a = self.classify(customer, as_of)?;
        Ok(build(&self.inner, customer, as_of, &a))
    }
}

fn tier_id(p: &Compiled, i: u16) -> String {
    p.tier_ids.get(usize::from(i)).cloned().unwrap_or_default()
}

fn build(p: &Compiled, c: &Customer, as_of: NaiveDate, a: &Assignment) -> Explanation {
    let dims = a.dimension_scores();
    let mut dimensions = Vec::with_capacity(p.dimensions.len());
    for (d, s) in p.dimensions.iter().zip(dims) {
        let metric = p.metrics.get(usize::from(d.metric));
        let raw = c.values.get(usize::from(d.metric)).copied().flatten();
        let value = match (raw, metric) {
            (Some(v), Some(m)) => Some(m.display(&v)),
            _ => None,
        };
        let measured = match (raw, d.unit) {
            (Some(crate::policy::Value::Date(start)), DateUnit::Years) => {
                Some(format!("{} years", score::whole_years(start, as_of)))
            }
            (Some(crate::policy::Value::Date(start)), DateUnit::Days) => {
                Some(format!("{} days", (as_of - start).num_days()))
            }
            _ => None,
        };
        let contribution = d
            .weight
            .checked_mul(*s)
            .and_then(|x| x.checked_div(p.total_weight))
            .map(|x| score::round(x, p.precision + 2))
            .unwrap_or_default();
        dimensions.push(DimensionTrace {
            name: d.name.clone(),
            metric: metric.map(|m| m.name.clone()).unwrap_or_default(),
            value,
            unit: metric.and_then(|m| m.unit.clone()),
            measured,
            score: *s,
            weight: d.weight,
            contribution,
        });
    }
    let env = eval::env(c, a.score(), dims, None);
    let q = a.qualified_tier().rank();
    let higher_tiers = p
        .tiers
        .iter()
        .take(q)
        .map(|t| GateTrace {
            tier: t.id.clone(),
            min_score: t.min_score,
            score_met: t.min_score <= a.score(),
            failed_requirements: t
                .require
                .iter()
                .filter(|(_, cond)| !cond.eval(&env))
                .map(|(text, _)| text.clone())
                .collect(),
        })
        .collect();
    let adjustments = p
        .adjustments
        .iter()
        .enumerate()
        .filter(|(_, adj)| adj.when.eval(&env))
        .map(|(i, adj)| {
            let i = u16::try_from(i).ok();
            let decisive = match adj.kind {
                AdjustKind::AtLeast => a.floor_adjustment() == i,
                AdjustKind::AtMost => a.cap_adjustment() == i && a.decision() == Decision::Cap,
            };
            AdjustmentTrace {
                kind: match adj.kind {
                    AdjustKind::AtLeast => "at_least",
                    AdjustKind::AtMost => "at_most",
                },
                tier: tier_id(p, adj.tier),
                reason: adj.reason.clone(),
                when: adj.when_text.clone(),
                decisive,
            }
        })
        .collect();
    let previous = match (&c.previous.tier, c.unknown_tier()) {
        (Some(t), _) => Some(PreviousTrace {
            tier: tier_id(p, t.0),
            known: true,
            tier_since: c.previous.tier_since,
            last_qualified: c.previous.last_qualified,
        }),
        (None, Some(name)) => Some(PreviousTrace {
            tier: name.to_owned(),
            known: false,
            tier_since: c.previous.tier_since,
            last_qualified: c.previous.last_qualified,
        }),
        (None, None) => None,
    };
    let pin = c.pin().map(|pin| PinTrace {
        tier: tier_id(p, pin.tier.0),
        until: pin.until,
        reason: pin.reason.clone(),
        status: if a.expired_pin() {
            "expired"
        } else if a.tier() != pin.tier {
            "capped"
        } else {
            "applied"
        },
    });
    let tier = tier_id(p, a.tier().0);
    let f = tier_id(p, a.adjusted().0);
    let prev_id = previous
        .as_ref()
        .map(|x| x.tier.clone())
        .unwrap_or_default();
    let decision = match a.decision() {
        Decision::Qualified => format!("the score and requirements qualify for `{tier}`"),
        Decision::Floor => format!("a floor raised the tier to `{tier}`"),
        Decision::Buffer => format!(
            "kept the previous tier `{prev_id}`: the score {} is within the downgrade buffer of {} below its minimum and its requirements hold",
            a.score(),
            p.tiering.downgrade_buffer
        ),
        Decision::Grace => format!(
            "kept the previous tier `{prev_id}`: last qualified within the {} grace days",
            p.tiering.downgrade_grace_days
        ),
        Decision::StepLimit => format!(
            "the downgrade from `{prev_id}` to `{f}` is limited to {} step(s): `{tier}`",
            p.tiering.max_downgrade_steps.unwrap_or(0)
        ),
        Decision::Cap => format!("a cap lowered the tier to `{tier}`"),
        Decision::Pin => format!("a manual pin set the tier to `{tier}`"),
    };
    let mut notes = Vec::new();
    if a.ignored_previous_tier() {
        notes.push(format!(
            "previous tier `{prev_id}` is not a tier of this policy and was ignored"
        ));
    }
    if a.expired_pin() {
        if let Some(pin) = c.pin() {
            notes.push(format!(
                "the pin to `{}` expired on {} and was ignored",
                tier_id(p, pin.tier.0),
                pin.until.map(|d| d.to_string()).unwrap_or_default()
            ));
        }
    }
    Explanation {
        customer: c.id.to_string(),
        as_of,
        policy: PolicyRef {
            id: p.id.clone(),
            version: p.version.clone(),
        },
        dimensions,
        score: a.score(),
        qualified_tier: tier_id(p, a.qualified_tier().0),
        higher_tiers,
        adjustments,
        previous,
        pin,
        tier: tier.clone(),
        decided_by: a.decision(),
        decision,
        state: StateTrace {
            tier,
            tier_since: a.state().tier_since(),
            last_qualified: a.state().last_qualified(),
        },
        notes,
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "customer {} on {} (policy {} version {})",
            self.customer, self.as_of, self.policy.id, self.policy.version
        )?;
        writeln!(f)?;
        writeln!(f, "score")?;
        let w_name = self
            .dimensions
            .iter()
            .map(|d| d.name.len())
            .max()
            .unwrap_or(0)
            .max(9);
        let w_metric = self
            .dimensions
            .iter()
            .map(|d| d.metric.len())
            .max()
            .unwrap_or(0)
            .max(6);
        let value_text = |d: &DimensionTrace| {
            let v = match (&d.value, &d.unit) {
                (Some(v), Some(u)) => format!("{v} {u}"),
                (Some(v), None) => v.clone(),
                (None, _) => "(absent)".into(),
            };
            match &d.measured {
                Some(m) => format!("{v} ({m})"),
                None => v,
            }
        };
        let w_value = self
            .dimensions
            .iter()
            .map(|d| value_text(d).chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        writeln!(
            f,
            "  {:<w_name$}  {:<w_metric$}  {:<w_value$}  {:>7}  {:>6}  {:>12}",
            "dimension", "metric", "value", "score", "weight", "contribution"
        )?;
        for d in &self.dimensions {
            let v = value_text(d);
            let pad = w_value.saturating_sub(v.chars().count());
            writeln!(
                f,
                "  {:<w_name$}  {:<w_metric$}  {v}{}  {:>7}  {:>6}  {:>12}",
                d.name,
                d.metric,
                " ".repeat(pad),
                d.score.to_string(),
                d.weight.to_string(),
                d.contribution.to_string()
            )?;
        }
        writeln!(f, "  composite score: {}", self.score)?;
        writeln!(f)?;
        writeln!(f, "qualified tier: {}", self.qualified_tier)?;
        for g in &self.higher_tiers {
            let mut reasons = Vec::new();
            if !g.score_met {
                reasons.push(format!(
                    "score {} is below its min_score {}",
                    self.score, g.min_score
                ));
            }
            for r in &g.failed_requirements {
                reasons.push(format!("requirement `{r}` does not hold"));
            }
            writeln!(f, "  not {}: {}", g.tier, reasons.join("; "))?;
        }
        if !self.adjustments.is_empty() {
            writeln!(f, "adjustments that apply:")?;
            for a in &self.adjustments {
                let what = if a.kind == "at_least" { "floor" } else { "cap" };
                let effect = if a.decisive { "" } else { " (no effect)" };
                writeln!(
                    f,
                    "  {what} {} ({}): when `{}`{effect}",
                    a.tier, a.reason, a.when
                )?;
            }
        }
        if let Some(p) = &self.previous {
            let since = p
                .tier_since
                .map(|d| format!(" since {d}"))
                .unwrap_or_default();
            let lq = p
                .last_qualified
                .map(|d| format!(", last qualified {d}"))
                .unwrap_or_default();
            let known = if p.known {
                ""
            } else {
                " (not a tier of this policy: ignored)"
            };
            writeln!(f, "previous tier: {}{since}{lq}{known}", p.tier)?;
        }
        if let Some(p) = &self.pin {
            let until = p.until.map(|d| format!(" until {d}")).unwrap_or_default();
            let reason = p
                .reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            writeln!(f, "pin: {}{until}{reason}: {}", p.tier, p.status)?;
        }
        writeln!(f)?;
        writeln!(f, "tier: {}", self.tier)?;
        writeln!(
            f,
            "  decided by {}: {}",
            decision_name(self.decided_by),
            self.decision
        )?;
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        let lq = self
            .state
            .last_qualified
            .map_or_else(|| "never".to_owned(), |d| d.to_string());
        write!(
            f,
            "new state: tier {}, since {}, last qualified {lq}",
            self.state.tier, self.state.tier_since
        )
    }
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Qualified => "qualification",
        Decision::Floor => "floor",
        Decision::Buffer => "downgrade buffer",
        Decision::Grace => "grace period",
        Decision::StepLimit => "step limit",
        Decision::Cap => "cap",
        Decision::Pin => "pin",
    }
}
