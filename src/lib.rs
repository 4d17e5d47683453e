//! # tierwise
//!
//! Customer tiering and service policies for logistics, shipping and express companies,
//! from declarative TOML policy files.
//!
//! A policy says how customers are scored on volume, tenure, profitability and influence,
//! which tiers (VIP, key, standard, ...) the scores lead to, with gates, floors, caps,
//! hysteresis and manual pins. tierwise loads it once into an immutable [`Policy`]
//! (every mistake reported with `path:line:col`), then evaluates customers exactly, with
//! decimal arithmetic, and explains every result.
//!
//! ```
//! use chrono::NaiveDate;
//! use tierwise::Policy;
//!
//! let policy = Policy::from_toml_str("example.toml", r#"
//! [policy]
//! id = "demo"
//! version = "1"
//! timezone = "Asia/Shanghai"
//!
//! [metrics]
//! annual_teu = { type = "decimal", min = 0 }
//! influence = { type = "enum", values = ["global_leader", "regional", "local"] }
//!
//! [scoring.dimensions.volume]
//! metric = "annual_teu"
//! weight = 60
//! curve = "linear"
//! points = [[0, 0], [500, 40], [2000, 70], [10000, 100]]
//!
//! [scoring.dimensions.influence]
//! metric = "influence"
//! weight = 40
//! map = { global_leader = 100, regional = 50, local = 20 }
//!
//! [[tiers]]
//! id = "vip"
//! min_score = 80
//!
//! [[tiers]]
//! id = "key"
//! min_score = 50
//!
//! [[tiers]]
//! id = "standard"
//! min_score = 0
//! "#)?;
//!
//! let customer = policy
//!     .customer("C001")
//!     .set("annual_teu", "1250")
//!     .set("influence", "regional")
//!     .build()?;
//! let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
//! let result = policy.classify(&customer, as_of)?;
//! assert_eq!(result.score().to_string(), "53.00"); // (60 * 55 + 40 * 50) / 100
//! assert_eq!(policy.tier(result.tier()).id(), "key");
//!
//! // the same with a trace of every step, for people or as JSON
//! let trace = policy.explain(&customer, as_of)?;
//! assert_eq!(trace.higher_tiers()[0].tier(), "vip");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The policy format is specified in `docs/policy-guide.md`. With the `cli` feature the
//! crate also builds the `tierwise` command line.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

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
mod raw;
mod service;
mod sla;

pub use calendar::{Calendar, CalendarError, ClockTime, OpenInterval, WeeklyHours};
pub use customer::{Customer, CustomerBuilder, InputValue, STATE_FIELDS};
pub use error::{
    Diagnostic, DiagnosticKind, EvalError, EvalErrorKind, InputError, InputErrors, LoadError,
};
pub use duration::{BusinessDuration, DurationError};
pub use eval::{Assignment, Decision, TierState};
pub use explain::{
    AdjustmentTrace, DimensionTrace, Explanation, GateTrace, PinTrace, PolicyRef, PreviousTrace,
    StateTrace,
};
pub use policy::{MetricId, Policy, Tier, TierId};
pub use service::{AccountManager, Resolution, Service};
pub use sla::{
    Case, CaseBuilder, CaseError, Deadline, EscalationStatus, EscalationStep, Handling,
    RouteDecision, SlaError,
};
