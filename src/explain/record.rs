//! Results as plain, owned data: names instead of tier numbers, so that a result can be
//! serialised, put on a queue, stored and read back by a process that has no compiled
//! policy (`Serialize` and `Deserialize`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::trace::PolicyRef;
use crate::eval::{Assignment, Decision, Resolution};
use crate::model::{Compiled, Score};

/// A tier assignment as owned data: see [`Policy::record`](crate::Policy::record).
///
/// ```
/// # let demo = include_str!("../../tests/inputs/demo.toml");
/// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
/// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
/// let c = policy.customer("C1").set("teu", "600").build()?;
/// let record = policy.record(&policy.classify(&c, as_of)?)?;
/// let json = serde_json::to_string(&record)?;
/// assert!(json.starts_with(r#"{"policy":{"id":"demo","version":"1"},"tier":"key","qualified_tier":"key","score":"60.00""#));
/// let back: tierwise::trace::AssignmentRecord = serde_json::from_str(&json)?;
/// assert_eq!(back, record);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRecord {
    /// The policy that decided.
    pub policy: PolicyRef,
    /// The final tier's id.
    pub tier: String,
    /// The qualified tier's id (section 4).
    pub qualified_tier: String,
    /// The composite score.
    pub score: Score,
    /// Each dimension's score, in policy order.
    pub dimensions: Vec<DimensionRecord>,
    /// The state to store for the next evaluation.
    pub state: StateRecord,
    /// What decided the final tier.
    pub decided_by: Decision,
}

/// One dimension's score in an [`AssignmentRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionRecord {
    /// The dimension's name.
    pub name: String,
    /// Its score.
    pub score: Score,
}

/// The tier state of an [`AssignmentRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRecord {
    /// The final tier's id.
    pub tier: String,
    /// Since when the tier is held.
    pub tier_since: NaiveDate,
    /// The last day the customer qualified on its own merits.
    pub last_qualified: Option<NaiveDate>,
}

/// A resolution (tier and benefits) as owned data: see
/// [`Policy::resolution_record`](crate::Policy::resolution_record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolutionRecord {
    /// The tier assignment.
    pub assignment: AssignmentRecord,
    /// The ids of the benefits the customer gets (the tier's service and the grants), in
    /// the order of `[benefits]`.
    pub benefits: Vec<String>,
}

fn tier(p: &Compiled, rank: usize) -> String {
    p.tier_ids.get(rank).cloned().unwrap_or_default()
}

pub(crate) fn assignment(p: &Compiled, a: &Assignment) -> AssignmentRecord {
    let state = a.state();
    AssignmentRecord {
        policy: PolicyRef {
            id: p.id.clone(),
            version: p.version.clone(),
        },
        tier: tier(p, a.tier().rank()),
        qualified_tier: tier(p, a.qualified_tier().rank()),
        score: a.score(),
        dimensions: p
            .dimension_names
            .iter()
            .zip(a.dimension_scores())
            .map(|(name, score)| DimensionRecord {
                name: name.clone(),
                score: *score,
            })
            .collect(),
        state: StateRecord {
            tier: tier(p, state.tier().rank()),
            tier_since: state.tier_since(),
            last_qualified: state.last_qualified(),
        },
        decided_by: a.decision(),
    }
}

pub(crate) fn resolution(p: &Compiled, r: &Resolution) -> ResolutionRecord {
    ResolutionRecord {
        assignment: assignment(p, r.assignment()),
        benefits: p
            .services
            .benefits
            .iter()
            .enumerate()
            .filter(|(i, _)| u16::try_from(*i).is_ok_and(|i| r.benefits.contains(i)))
            .map(|(_, (id, _))| id.clone())
            .collect(),
    }
}
