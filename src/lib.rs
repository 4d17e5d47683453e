#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The layers, from the bottom (see docs/architecture.md; a test keeps the order):
// leaves, raw, model, expr, compile, input, eval, explain, the facade, the authoring tools,
// the language server.
pub mod calendar;
mod decimal;
mod duration;
mod keys;
mod suggest;
mod telemetry;

mod error;

mod raw;

mod model;

mod expr;

mod compile;

mod input;

mod eval;

pub mod analysis;
mod explain;

#[cfg(feature = "arrow")]
pub mod table;

mod policy;

mod authoring;

#[cfg(feature = "lsp")]
pub mod lsp;

pub use authoring::policy_set::PolicySet;
pub use authoring::store::PolicyStore;
pub use error::{
    Diagnostic, DiagnosticKind, EvalError, EvalErrorKind, InputError, InputErrorKind, InputErrors,
    LoadError, Related, WrongPolicy, WrongPolicyKind,
};
pub use eval::{Assignment, Decision, Resolution, TierState};
pub use input::{Customer, CustomerBuilder, InputValue};
pub use model::{MetricId, Score, Tier, TierId, Weight};
pub use policy::Policy;
/// The decimal type of scores, weights and metric values, re-exported so that callers use
/// the same version as tierwise.
pub use rust_decimal;

/// Tier services: support hours, account management, channels, response targets, benefits.
pub mod service {
    pub use crate::eval::Service;
    pub use crate::model::AccountManager;
}

/// Cases: building them, their SLA deadlines, routing and escalation, and their timelines
/// (the status of every milestone at any instant).
pub mod sla {
    pub use crate::eval::{
        due_within, CaseState, CaseStatus, Deadline, DueMilestone, EscalationStatus,
        EscalationStep, Handling, MilestoneState, MilestoneStatus, RouteDecision, SlaError,
        SlaErrorKind,
    };
    pub use crate::input::{
        Case, CaseBuilder, CaseError, CaseErrorKind, Event, Timeline, TimelineError,
        TimelineErrorKind,
    };
}

/// Traces of a tier decision, from [`Policy::explain`], and results as owned records
/// ([`Policy::record`]).
pub mod trace {
    pub use crate::explain::{
        AdjustmentTrace, AssignmentRecord, DimensionRecord, DimensionTrace, Explanation, GateTrace,
        PinTrace, PolicyRef, PreviousTrace, ResolutionRecord, StateRecord, StateTrace,
    };
}

/// Simulating a policy over a population, and comparing two policies.
pub mod simulate {
    pub use crate::authoring::cause::{Cause, CauseKind};
    pub use crate::authoring::simulate::{
        Mover, Placement, RecordError, RecordErrorKind, Simulation, SimulationError,
        SimulationErrorKind, SimulationReport, TierShare, Transition,
    };
}

/// Scenario tests kept beside a policy (`*.tests.toml`).
pub mod scenario {
    pub use crate::authoring::scenario::{Mismatch, ScenarioOutcome, Suite, SuiteReport};
}
