//! Services per tier, benefits and grants (spec section 8).

use serde::Serialize;

use super::Cond;
use super::{CaseDef, Escalation, Route, SlaTable};
use crate::calendar::Calendar;
use crate::duration::BusinessDuration;

/// Most benefits a policy may declare.
pub(crate) const MAX_BENEFITS: usize = 256;

/// A set of benefits by number, without allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct BenefitSet([u64; MAX_BENEFITS / 64]);

impl BenefitSet {
    pub(crate) fn insert(&mut self, i: u16) {
        if let Some(w) = self.0.get_mut(usize::from(i / 64)) {
            *w |= 1u64 << (i % 64);
        }
    }

    pub(crate) fn contains(&self, i: u16) -> bool {
        self.0
            .get(usize::from(i / 64))
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    pub(crate) fn union(&mut self, other: &BenefitSet) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a |= *b;
        }
    }
}

/// How a tier's account is managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountManager {
    /// No named contact: self-service and the general desk.
    None,
    /// A designated contact person.
    Designated,
    /// A dedicated account manager.
    Dedicated,
}

impl AccountManager {
    /// The policy's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountManager::None => "none",
            AccountManager::Designated => "designated",
            AccountManager::Dedicated => "dedicated",
        }
    }
}

/// A tier's service, with `extends` resolved.
#[derive(Debug, Clone)]
pub(crate) struct ServiceDef {
    pub(crate) support_hours: u16,
    pub(crate) account_manager: AccountManager,
    pub(crate) channels: Vec<u16>,
    pub(crate) review_every_days: u32,
    pub(crate) benefits: BenefitSet,
    /// Response targets by channel number.
    pub(crate) response: Vec<(u16, BusinessDuration)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) when: Option<Cond>,
    pub(crate) benefits: BenefitSet,
}

/// The compiled service tables of a policy.
#[derive(Debug, Default)]
pub(crate) struct ServiceModel {
    /// Benefit ids and display names, in declaration order.
    pub(crate) benefits: Vec<(String, Option<String>)>,
    /// One service per tier, by tier rank; empty when the policy has no services.
    pub(crate) services: Vec<ServiceDef>,
    pub(crate) grants: Vec<Grant>,
    /// Calendars by number; 0 is the built-in `24x7`.
    pub(crate) calendars: Vec<(String, Calendar)>,
    pub(crate) channels: Vec<String>,
    pub(crate) severities: Vec<String>,
    pub(crate) cases: Vec<CaseDef>,
    pub(crate) sla: SlaTable,
    pub(crate) routing: Vec<Route>,
    pub(crate) escalation: Vec<Escalation>,
}
