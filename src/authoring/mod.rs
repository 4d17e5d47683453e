//! Tools for policy authors and the services that ship policies, above the facade: scenario
//! tests, simulation over a population, policy sets (versions by date) and the reloading
//! store. They use [`Policy`](crate::Policy) as any caller would, plus the read-only model.

pub(crate) mod cause;
pub(crate) mod policy_set;
pub(crate) mod scenario;
pub(crate) mod simulate;
pub(crate) mod store;
