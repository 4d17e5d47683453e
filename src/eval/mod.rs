//! Evaluation: pure functions of the compiled model, a customer, an as-of date and a case.
//!
//! Nothing here reads a clock, a file or global state, and nothing looks a name up: the
//! model has every name resolved to a number. Scoring ([`scoring`]) and deciding
//! ([`decide`]) are separate steps so that `explain` can reuse the decision's gate checks.

mod assignment;
pub(crate) mod batch;
pub(crate) mod cond;
pub(crate) mod decide;
pub(crate) mod escalation;
mod fast;
pub(crate) mod handling;
pub(crate) mod resolve;
pub(crate) mod route;
pub(crate) mod score;
pub(crate) mod scoring;
pub(crate) mod service;
pub(crate) mod sla;
pub(crate) mod timeline;

use chrono::NaiveDate;

pub use assignment::{Assignment, Decision, TierState};
pub use escalation::{EscalationStatus, EscalationStep};
pub use handling::Handling;
pub use resolve::Resolution;
pub use route::RouteDecision;
pub use service::Service;
pub use sla::{Deadline, SlaError, SlaErrorKind};
pub use timeline::{
    due_within, CaseState, CaseStatus, DueMilestone, MilestoneState, MilestoneStatus,
};

use crate::error::{EvalError, EvalErrorKind};
use crate::input::Customer;
use crate::model::Compiled;

/// Scores and tiers one customer on `as_of`, without a trace. Does not allocate.
pub(crate) fn classify(
    p: &Compiled,
    c: &Customer,
    as_of: NaiveDate,
) -> Result<Assignment, EvalError> {
    if c.policy_key != p.key() || c.values.len() != p.metrics.len() {
        return Err(EvalError::new(c.id(), EvalErrorKind::WrongPolicy));
    }
    let (score, dims) = scoring::score(p, c, as_of)?;
    Ok(decide::decide(p, c, as_of, score, dims))
}
