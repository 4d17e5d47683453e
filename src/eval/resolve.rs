//! Resolving a customer: its tier assignment and the benefits its tier and the grants give
//! (spec section 8).

use chrono::NaiveDate;

use super::assignment::Assignment;
use super::cond::env;
use crate::error::EvalError;
use crate::input::Customer;
use crate::model::{BenefitSet, Compiled, PolicyIdentity, TierId};

/// A customer's tier and service: the result of [`Policy::resolve`](crate::Policy::resolve).
#[derive(Debug, Clone)]
pub struct Resolution {
    pub(crate) assignment: Assignment,
    pub(crate) benefits: BenefitSet,
    pub(crate) policy_key: PolicyIdentity,
}

impl Resolution {
    /// The tier assignment (tier, score, state, decision).
    pub fn assignment(&self) -> &Assignment {
        &self.assignment
    }

    /// The final tier.
    pub fn tier(&self) -> TierId {
        self.assignment.tier()
    }
}

/// Tiers a customer and collects the benefits of its tier and of every grant that applies.
/// Does not allocate.
pub(crate) fn resolve(
    p: &Compiled,
    customer: &Customer,
    as_of: NaiveDate,
) -> Result<Resolution, EvalError> {
    let assignment = super::classify(p, customer, as_of)?;
    let mut benefits = p
        .services
        .services
        .get(assignment.tier().rank())
        .map(|s| s.benefits)
        .unwrap_or_default();
    if !p.services.grants.is_empty() {
        let env = env(
            customer,
            assignment.score(),
            assignment.dimension_scores(),
            Some(assignment.tier().rank),
        );
        for g in &p.services.grants {
            if g.when.as_ref().is_none_or(|c| c.eval(&env)) {
                benefits.union(&g.benefits);
            }
        }
    }
    Ok(Resolution {
        assignment,
        benefits,
        policy_key: p.key(),
    })
}
