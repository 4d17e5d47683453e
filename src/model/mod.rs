//! The compiled policy: immutable data, written once by `compile` and read by `eval`,
//! `explain` and the tools above them.
//!
//! Every name of the policy file is resolved to a number here (metrics, dimensions, tiers,
//! benefits, calendars, channels, severities, cases, milestones); evaluation walks slices.
//! This module imports only the leaves (`calendar`, `duration`, `decimal`) and `error` for
//! the places of header keys.

mod case;
mod cond;
mod divisor;
pub(crate) mod fast;
mod ids;
pub(crate) mod lane;
mod metric;
mod places;
mod prepared;
mod quantity;
mod scoring;
mod service;
mod tier;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;

pub(crate) use case::{CaseDef, Escalation, Route, SlaTable, Step, Target};
pub(crate) use cond::{CaseSlots, CmpOp, Cond, Operand, Rv};
pub(crate) use divisor::Divisor;
pub(crate) use fast::{FastCurve, FastWeights};
pub(crate) use ids::PolicyIdentity;
pub use ids::{MetricId, TierId};
pub(crate) use lane::{LaneCurve, LaneCurves, LaneWeights};
pub(crate) use metric::{Beyond, MetricDef, MetricKind, PlainBounds, Value};
pub(crate) use places::{CalendarPlaces, Places};
pub(crate) use prepared::Prepared;
pub use quantity::{Score, Weight};
pub(crate) use scoring::{Curve, DateUnit, Dimension};
pub use service::AccountManager;
pub(crate) use service::{BenefitSet, Grant, ServiceDef, ServiceModel, MAX_BENEFITS};
pub use tier::Tier;
pub(crate) use tier::{AdjustKind, Adjustment, Tiering};

use crate::error::{Source, Span, Warning};

#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) name: Option<String>,
    pub(crate) effective_from: Option<NaiveDate>,
    pub(crate) effective_until: Option<NaiveDate>,
    pub(crate) timezone: Tz,
    pub(crate) metrics: Vec<MetricDef>,
    pub(crate) precision: u32,
    pub(crate) missing_zero: bool,
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) dimension_names: Vec<String>,
    pub(crate) total_weight: Decimal,
    pub(crate) tiers: Vec<Tier>,
    pub(crate) tier_ids: Vec<String>,
    pub(crate) adjustments: Vec<Adjustment>,
    pub(crate) tiering: Tiering,
    pub(crate) services: ServiceModel,
    /// Exact shortcuts for the hot path, derived from the fields above.
    pub(crate) prepared: Prepared,
    /// Where the policy was read from, for diagnostics that involve several policies.
    pub(crate) origin: Origin,
    /// Which compilation this is (see [`PolicyIdentity`]).
    pub(crate) identity: PolicyIdentity,
    /// Where each construct was written.
    pub(crate) places: Places,
    /// What the analysis found (spec section 15), filled in by the facade after compiling.
    pub(crate) warnings: Vec<Warning>,
    /// The highest score of each dimension over every accepted record (`None` when the
    /// analysis could not say), filled in with the warnings; guidance reads it.
    pub(crate) dimension_highest: Vec<Option<Decimal>>,
}

/// The file a policy came from and the places of its header keys.
#[derive(Debug, Default, Clone)]
pub(crate) struct Origin {
    pub(crate) source: Option<Source>,
    pub(crate) id: Span,
    pub(crate) header: Span,
    pub(crate) effective_from: Option<Span>,
}

impl Compiled {
    /// Fills in the derived shortcuts and the identity; called once, when compiling
    /// finishes.
    pub(crate) fn prepare(mut self) -> Compiled {
        self.prepared = Prepared::of(&self);
        self.identity = PolicyIdentity::next();
        self
    }

    /// The identity of this compiled policy, carried by tier numbers, customers, cases and
    /// resolutions made with it so that they are not used with another.
    pub(crate) fn key(&self) -> PolicyIdentity {
        self.identity
    }

    /// The tier number of the tier at `rank`.
    pub(crate) fn tier_id(&self, rank: u16) -> TierId {
        TierId::new(rank, self.identity)
    }

    /// Finds a tier by its text id.
    pub(crate) fn tier_by_id(&self, id: &str) -> Option<TierId> {
        self.tier_ids
            .iter()
            .position(|t| t == id)
            .and_then(|i| u16::try_from(i).ok())
            .map(|i| self.tier_id(i))
    }

    /// Finds a metric by name.
    pub(crate) fn metric_id(&self, name: &str) -> Option<MetricId> {
        self.metrics
            .iter()
            .position(|m| m.name == name)
            .and_then(|i| u16::try_from(i).ok())
            .map(|index| MetricId {
                index,
                policy: self.identity,
            })
    }
}
