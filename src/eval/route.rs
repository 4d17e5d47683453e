//! Routing a case: the first `[[routing]]` rule whose `when` holds (spec section 11).

use serde::Serialize;

use super::cond::env;
use super::resolve::Resolution;
use super::sla::{check, SlaError, SlaErrorKind};
use crate::input::{Case, Customer};
use crate::model::{CaseSlots, Compiled};

/// Where a case goes: the first routing rule whose `when` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RouteDecision<'p> {
    queue: &'p str,
    assign: Option<&'p str>,
    /// The 1-based number of the `[[routing]]` rule.
    rule: usize,
    when: Option<&'p str>,
}

impl<'p> RouteDecision<'p> {
    /// The queue.
    pub fn queue(&self) -> &'p str {
        self.queue
    }
    /// Who is assigned, like `account_manager`, if the rule says.
    pub fn assign(&self) -> Option<&'p str> {
        self.assign
    }
    /// The 1-based number of the deciding `[[routing]]` rule.
    pub fn rule(&self) -> usize {
        self.rule
    }
}

/// Routes a case of a resolved customer: the first `[[routing]]` rule whose `when`
/// holds. Does not allocate. A resolution or case of another compiled policy is an error.
pub(crate) fn route<'p>(
    p: &'p Compiled,
    customer: &Customer,
    resolution: &Resolution,
    case: &Case,
) -> Result<Option<RouteDecision<'p>>, SlaError> {
    if resolution.policy_key != p.key() || customer.policy_key != p.key() {
        return Err(SlaErrorKind::WrongPolicy.into());
    }
    check(p, resolution.tier(), case)?;
    let a = resolution.assignment();
    let Some(def) = p.services.cases.get(usize::from(case.kind)) else {
        return Ok(None);
    };
    let mut env = env(
        customer,
        a.score(),
        a.dimension_scores(),
        Some(a.tier().rank),
    );
    env.case = Some(CaseSlots {
        kind: case.kind,
        severity: def.severities.get(case.severity).copied(),
        channel: case.channel,
    });
    Ok(p.services
        .routing
        .iter()
        .enumerate()
        .find(|(_, r)| r.when.as_ref().is_none_or(|c| c.eval(&env)))
        .map(|(i, r)| RouteDecision {
            queue: &r.queue,
            assign: r.assign.as_deref(),
            rule: i + 1,
            when: r.when_text.as_deref(),
        }))
}
