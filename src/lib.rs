#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod batch;
mod calendar;
mod compile;
mod customer;
mod duration;
mod error;
mod eval;
mod explain;
mod expr;
#[cfg(feature = "cli")]
mod load;
mod policy;
mod policy_set;
mod raw;
mod scenario;
mod schema;
mod service;
mod simulate;
mod sla;
mod store;

pub use calendar::{Calendar, CalendarError, ClockTime, OpenInterval, WeeklyHours};
pub use customer::{Customer, CustomerBuilder, InputValue, STATE_FIELDS};
pub use duration::{BusinessDuration, DurationError};
pub use error::{
    closest, Diagnostic, DiagnosticKind, EvalError, EvalErrorKind, InputError, InputErrors,
    LoadError,
};
pub use eval::{Assignment, Decision, TierState};
pub use explain::{
    AdjustmentTrace, DimensionTrace, Explanation, GateTrace, PinTrace, PolicyRef, PreviousTrace,
    StateTrace,
};
pub use policy::{MetricId, Policy, Tier, TierId};
pub use policy_set::PolicySet;
pub use scenario::{Mismatch, ScenarioOutcome, Suite, SuiteReport};
pub use schema::{policy_schema, scenario_schema};
pub use service::{AccountManager, Resolution, Service};
pub use simulate::{
    Mover, Placement, RecordError, Simulation, SimulationError, SimulationReport, TierShare,
    Transition,
};
pub use sla::{
    Case, CaseBuilder, CaseError, Deadline, EscalationStatus, EscalationStep, Handling,
    RouteDecision, SlaError,
};
pub use store::PolicyStore;
