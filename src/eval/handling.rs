//! Handling a case in one call: route, deadlines and escalation ladder.

use serde::Serialize;

use super::escalation::{escalations, EscalationStep};
use super::resolve::Resolution;
use super::route::{route, RouteDecision};
use super::sla::{deadlines, Deadline, SlaError, SlaErrorKind};
use crate::input::{Case, Customer};
use crate::model::Compiled;

/// Everything a service needs to handle a case: route, deadlines and escalation ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handling<'p> {
    route: Option<RouteDecision<'p>>,
    deadlines: Vec<Deadline<'p>>,
    escalation: Vec<EscalationStep<'p>>,
}

impl<'p> Handling<'p> {
    /// The route, if a routing rule matched.
    pub fn route(&self) -> Option<&RouteDecision<'p>> {
        self.route.as_ref()
    }
    /// Each milestone's deadline, in milestone order.
    pub fn deadlines(&self) -> &[Deadline<'p>] {
        &self.deadlines
    }
    /// Every escalation step with its due time, in ladder order.
    pub fn escalation(&self) -> &[EscalationStep<'p>] {
        &self.escalation
    }
}

/// Routes a case and computes its deadlines and escalation steps in one call.
pub(crate) fn handle<'p>(
    p: &'p Compiled,
    customer: &Customer,
    resolution: &Resolution,
    case: &Case,
) -> Result<Handling<'p>, SlaError> {
    if resolution.policy_key != p.key() {
        return Err(SlaErrorKind::WrongPolicy.into());
    }
    Ok(Handling {
        route: route(p, customer, resolution, case)?,
        deadlines: deadlines(p, resolution.tier(), case)?,
        escalation: escalations(p, resolution.tier(), case)?,
    })
}
