//! Services per tier, benefits and grants (spec section 8), and the one-call resolution of
//! a customer's tier and service.

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::customer::Customer;
use crate::duration::BusinessDuration;
use crate::error::EvalError;
use crate::eval::{self, Assignment};
use crate::expr::Cond;
use crate::policy::{Compiled, Policy, TierId};
use crate::sla::{CaseDef, Escalation, Route, SlaTable};

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

    fn union(&mut self, other: &BenefitSet) {
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

/// A customer's tier and service: the result of [`Policy::resolve`].
#[derive(Debug, Clone)]
pub struct Resolution {
    pub(crate) assignment: Assignment,
    pub(crate) benefits: BenefitSet,
    pub(crate) policy_key: usize,
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

/// A resolved service: a view into the policy for one tier plus the benefits granted to one
/// customer.
#[derive(Debug, Clone, Copy)]
pub struct Service<'p> {
    policy: &'p Compiled,
    def: &'p ServiceDef,
    benefits: BenefitSet,
}

impl<'p> Service<'p> {
    /// The calendar of the support hours (`24x7` or a calendar name).
    pub fn support_hours(&self) -> &'p str {
        self.policy
            .services
            .calendars
            .get(usize::from(self.def.support_hours))
            .map_or("24x7", |(n, _)| n.as_str())
    }

    /// The support-hours calendar itself.
    pub fn support_calendar(&self) -> Option<&'p Calendar> {
        self.policy
            .services
            .calendars
            .get(usize::from(self.def.support_hours))
            .map(|(_, c)| c)
    }

    /// How the account is managed.
    pub fn account_manager(&self) -> AccountManager {
        self.def.account_manager
    }

    /// The channels the customer may use.
    pub fn channels(&self) -> impl Iterator<Item = &'p str> + 'p {
        let names = &self.policy.services.channels;
        self.def
            .channels
            .iter()
            .filter_map(move |c| names.get(usize::from(*c)).map(String::as_str))
    }

    /// Days between scheduled review visits; 0 for none.
    pub fn review_every_days(&self) -> u32 {
        self.def.review_every_days
    }

    /// The response target on `channel`, if the service has one.
    pub fn response(&self, channel: &str) -> Option<BusinessDuration> {
        let idx = self
            .policy
            .services
            .channels
            .iter()
            .position(|c| c == channel)?;
        self.def
            .response
            .iter()
            .find(|(c, _)| usize::from(*c) == idx)
            .map(|(_, d)| *d)
    }

    /// Every response target, by channel.
    pub fn responses(&self) -> impl Iterator<Item = (&'p str, BusinessDuration)> + 'p {
        let names = &self.policy.services.channels;
        self.def
            .response
            .iter()
            .filter_map(move |(c, d)| names.get(usize::from(*c)).map(|n| (n.as_str(), *d)))
    }

    /// The benefit ids: the tier's own and every matching grant's, in declaration order,
    /// each once.
    pub fn benefits(&self) -> impl Iterator<Item = &'p str> + 'p {
        let set = self.benefits;
        self.policy
            .services
            .benefits
            .iter()
            .enumerate()
            .filter(move |(i, _)| u16::try_from(*i).is_ok_and(|i| set.contains(i)))
            .map(|(_, (id, _))| id.as_str())
    }

    /// The display name of a benefit id.
    pub fn benefit_name(&self, id: &str) -> Option<&'p str> {
        self.policy
            .services
            .benefits
            .iter()
            .find(|(b, _)| b == id)
            .map(|(b, n)| n.as_deref().unwrap_or(b.as_str()))
    }
}

impl Policy {
    /// Whether the policy defines services (section 8); without them [`Policy::service`]
    /// returns `None`.
    pub fn has_services(&self) -> bool {
        !self.inner.services.services.is_empty()
    }

    /// Tiers a customer and resolves the tier's service with the customer's granted benefits.
    /// Does not allocate.
    pub fn resolve(&self, customer: &Customer, as_of: NaiveDate) -> Result<Resolution, EvalError> {
        let assignment = self.classify(customer, as_of)?;
        let p = &self.inner;
        let mut benefits = p
            .services
            .services
            .get(assignment.tier().rank())
            .map(|s| s.benefits)
            .unwrap_or_default();
        if !p.services.grants.is_empty() {
            let env = eval::env(
                customer,
                assignment.score(),
                assignment.dimension_scores(),
                Some(assignment.tier().0),
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
            policy_key: self.key(),
        })
    }

    /// The service of a resolution: support hours, account management, channels, review
    /// cadence, response targets and benefits. `None` when the policy has no services.
    pub fn service(&self, resolution: &Resolution) -> Option<Service<'_>> {
        let def = self.inner.services.services.get(resolution.tier().rank())?;
        Some(Service {
            policy: &self.inner,
            def,
            benefits: resolution.benefits,
        })
    }

    /// The service of a tier, without customer-specific grants.
    pub fn tier_service(&self, tier: TierId) -> Option<Service<'_>> {
        let def = self.inner.services.services.get(tier.rank())?;
        Some(Service {
            policy: &self.inner,
            def,
            benefits: def.benefits,
        })
    }

    /// The names of the calendars, starting with the built-in `24x7`.
    pub fn calendar_names(&self) -> impl Iterator<Item = &str> {
        self.inner
            .services
            .calendars
            .iter()
            .map(|(n, _)| n.as_str())
    }

    /// A calendar by name (`24x7` is built in).
    pub fn calendar(&self, name: &str) -> Option<&Calendar> {
        self.inner
            .services
            .calendars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c)
    }
}
