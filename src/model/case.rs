//! Cases, their SLA targets, routing rules and escalation ladders (spec sections 10 and 11).

use rust_decimal::Decimal;

use super::Cond;
use crate::duration::BusinessDuration;

/// A case kind of the policy.
#[derive(Debug, Clone)]
pub(crate) struct CaseDef {
    pub(crate) kind: String,
    /// Global severity numbers, in the case's order; the first is the default.
    pub(crate) severities: Vec<u16>,
    pub(crate) milestones: Vec<String>,
    /// Which milestones apply, by the case's own severity number then milestone number
    /// (`milestones_for`); empty when every milestone applies to every severity.
    pub(crate) applies: Vec<Vec<bool>>,
    /// Where this case's targets start in [`SlaTable::targets`].
    pub(crate) offset: usize,
    /// The statuses that stop the clock (`pause_on`).
    pub(crate) pause_on: Vec<String>,
}

impl CaseDef {
    pub(crate) fn severity_slots(&self) -> usize {
        self.severities.len().max(1)
    }

    /// Whether `milestone` applies to cases of `severity` (the case's own numbering).
    pub(crate) fn applies(&self, severity: usize, milestone: usize) -> bool {
        match self.applies.get(severity) {
            Some(row) => row.get(milestone).copied().unwrap_or(false),
            None => self.applies.is_empty(),
        }
    }

    /// The index of a target in the table.
    pub(crate) fn slot(&self, tier: usize, severity: usize, milestone: usize) -> usize {
        self.offset + (tier * self.severity_slots() + severity) * self.milestones.len() + milestone
    }

    /// Number of table entries this case takes for `tiers` tiers.
    pub(crate) fn slots(&self, tiers: usize) -> usize {
        tiers * self.severity_slots() * self.milestones.len()
    }
}

/// A resolved target: duration, clock and the rule that gave it.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) duration: BusinessDuration,
    pub(crate) written: String,
    pub(crate) clock: u16,
    pub(crate) rule: u16,
}

/// Every (case, tier, severity, milestone) target, resolved when compiling.
#[derive(Debug, Default)]
pub(crate) struct SlaTable {
    pub(crate) targets: Vec<Option<Target>>,
    /// A description of each `[[sla]]` rule, for traces.
    pub(crate) rules: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) when: Option<Cond>,
    pub(crate) when_text: Option<String>,
    pub(crate) queue: String,
    pub(crate) assign: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) percent: Decimal,
    pub(crate) at: String,
    pub(crate) notify: String,
}

impl Step {
    /// When the step falls due: its share of a target of `target` seconds, in whole
    /// seconds rounded up.
    pub(crate) fn seconds(&self, target: u64) -> i64 {
        use rust_decimal::prelude::ToPrimitive;
        (Decimal::from(target) * self.percent / Decimal::ONE_HUNDRED)
            .ceil()
            .to_i64()
            .unwrap_or(i64::MAX)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Escalation {
    pub(crate) case: u16,
    pub(crate) milestone: u16,
    pub(crate) steps: Vec<Step>,
}
