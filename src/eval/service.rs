//! A resolved service: a view into the policy's service of one tier, with the benefits
//! granted to one customer.

use crate::calendar::Calendar;
use crate::duration::BusinessDuration;
use crate::model::{AccountManager, BenefitSet, Compiled, ServiceDef};

/// A resolved service: a view into the policy for one tier plus the benefits granted to one
/// customer.
#[derive(Debug, Clone, Copy)]
pub struct Service<'p> {
    pub(crate) policy: &'p Compiled,
    pub(crate) def: &'p ServiceDef,
    pub(crate) benefits: BenefitSet,
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

/// The service of the tier at `rank` with the given benefits; `None` without services.
pub(crate) fn of_tier(
    p: &Compiled,
    rank: usize,
    benefits: Option<BenefitSet>,
) -> Option<Service<'_>> {
    let def = p.services.services.get(rank)?;
    Some(Service {
        policy: p,
        def,
        benefits: benefits.unwrap_or(def.benefits),
    })
}
