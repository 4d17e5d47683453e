//! SLA deadlines: when each milestone of a case is due, on the milestone's clock (spec
//! section 10).

use chrono::DateTime;
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::{Calendar, CalendarError};
use crate::duration::BusinessDuration;
use crate::input::Case;
use crate::model::{CaseDef, Compiled, Target, TierId};

/// Why deadlines, a route or escalation steps could not be computed; [`SlaError::kind`]
/// says which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct SlaError {
    kind: SlaErrorKind,
}

impl SlaError {
    /// What went wrong.
    pub fn kind(&self) -> &SlaErrorKind {
        &self.kind
    }

    /// The milestone concerned, if one is.
    pub fn milestone(&self) -> Option<&str> {
        match &self.kind {
            SlaErrorKind::NoTarget { milestone }
            | SlaErrorKind::NotApplicable { milestone, .. }
            | SlaErrorKind::Calendar { milestone, .. } => Some(milestone),
            SlaErrorKind::WrongPolicy => None,
        }
    }
}

impl From<SlaErrorKind> for SlaError {
    fn from(kind: SlaErrorKind) -> SlaError {
        SlaError { kind }
    }
}

/// What went wrong computing deadlines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlaErrorKind {
    /// The case or resolution was made for another policy.
    #[error("the case was built for another policy")]
    WrongPolicy,
    /// The milestone does not apply to the case's severity (`milestones_for`).
    #[error("milestone `{milestone}` does not apply to cases of severity `{severity}`")]
    NotApplicable {
        /// The milestone.
        milestone: String,
        /// The case's severity.
        severity: String,
    },
    /// The policy has no SLA target for this combination (only for policies without SLA rules).
    #[error("no SLA target for milestone `{milestone}`")]
    NoTarget {
        /// The milestone.
        milestone: String,
    },
    /// Calendar arithmetic failed: a clock that never opens, or a deadline beyond the horizon.
    #[error("milestone `{milestone}` on clock `{clock}`: {source}")]
    Calendar {
        /// The milestone.
        milestone: String,
        /// The clock.
        clock: String,
        /// What the calendar said.
        source: CalendarError,
    },
}

/// When one milestone of a case is due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deadline<'p> {
    milestone: &'p str,
    #[serde(serialize_with = "rfc3339")]
    due: DateTime<Tz>,
    clock: &'p str,
    target: &'p str,
    #[serde(skip)]
    duration: BusinessDuration,
    rule: &'p str,
}

pub(crate) fn rfc3339<S: serde::Serializer>(t: &DateTime<Tz>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.to_rfc3339())
}

impl<'p> Deadline<'p> {
    /// The milestone.
    pub fn milestone(&self) -> &'p str {
        self.milestone
    }
    /// When it is due, in the clock's time zone.
    pub fn due(&self) -> DateTime<Tz> {
        self.due
    }
    /// The clock: a calendar name or `24x7`.
    pub fn clock(&self) -> &'p str {
        self.clock
    }
    /// The target as written in the policy, like `4h`.
    pub fn target_text(&self) -> &'p str {
        self.target
    }
    /// The target.
    pub fn target(&self) -> BusinessDuration {
        self.duration
    }
    /// Which `[[sla]]` rule gave the target, e.g. ``rule 2 (case `complaint`, tier `vip`)``.
    pub fn rule(&self) -> &'p str {
        self.rule
    }
}

/// Whether the tier number and the case were made by `p`.
pub(crate) fn check(p: &Compiled, tier: TierId, case: &Case) -> Result<(), SlaError> {
    if case.policy_key == p.key() && tier.policy == p.key() {
        Ok(())
    } else {
        Err(SlaErrorKind::WrongPolicy.into())
    }
}

pub(crate) fn calendar(p: &Compiled, clock: u16) -> Option<&(String, Calendar)> {
    p.services.calendars.get(usize::from(clock))
}

pub(crate) fn target<'p>(
    p: &'p Compiled,
    tier: TierId,
    case: &Case,
    milestone: usize,
) -> Result<(&'p CaseDef, &'p Target), SlaError> {
    let s = &p.services;
    let def = s
        .cases
        .get(usize::from(case.kind))
        .ok_or(SlaErrorKind::WrongPolicy)?;
    let name = def
        .milestones
        .get(milestone)
        .map(String::as_str)
        .unwrap_or_default();
    if !def.applies(case.severity, milestone) {
        let severity = def
            .severities
            .get(case.severity)
            .and_then(|g| s.severities.get(usize::from(*g)))
            .map_or("", String::as_str);
        return Err(SlaErrorKind::NotApplicable {
            milestone: name.to_owned(),
            severity: severity.to_owned(),
        }
        .into());
    }
    let slot = def.slot(tier.rank(), case.severity, milestone);
    let target = s
        .sla
        .targets
        .get(slot)
        .and_then(Option::as_ref)
        .ok_or_else(|| SlaErrorKind::NoTarget {
            milestone: name.to_owned(),
        })?;
    Ok((def, target))
}

/// The deadline of one milestone (by its number in the case's `milestones`) for a case
/// of a customer in `tier`. Does not allocate.
pub(crate) fn deadline<'p>(
    p: &'p Compiled,
    tier: TierId,
    case: &Case,
    milestone: usize,
) -> Result<Deadline<'p>, SlaError> {
    check(p, tier, case)?;
    let (def, target) = target(p, tier, case, milestone)?;
    let name = def
        .milestones
        .get(milestone)
        .map(String::as_str)
        .unwrap_or_default();
    let (clock, cal) = calendar(p, target.clock).ok_or(SlaErrorKind::WrongPolicy)?;
    let seconds = i64::try_from(target.duration.seconds()).unwrap_or(i64::MAX);
    let due = cal
        .add_open_time(case.opened, seconds, &case.pauses)
        .map_err(|source| SlaErrorKind::Calendar {
            milestone: name.to_owned(),
            clock: clock.clone(),
            source,
        })?;
    Ok(Deadline {
        milestone: name,
        due: due.with_timezone(&cal.timezone()),
        clock,
        target: &target.written,
        duration: target.duration,
        rule: p
            .services
            .sla
            .rules
            .get(usize::from(target.rule))
            .map(String::as_str)
            .unwrap_or_default(),
    })
}

/// The deadline of every milestone of the case, in milestone order.
pub(crate) fn deadlines<'p>(
    p: &'p Compiled,
    tier: TierId,
    case: &Case,
) -> Result<Vec<Deadline<'p>>, SlaError> {
    check(p, tier, case)?;
    let Some(def) = p.services.cases.get(usize::from(case.kind)) else {
        return Ok(Vec::new());
    };
    // only the milestones that apply to the case's severity (`milestones_for`)
    (0..def.milestones.len())
        .filter(|m| def.applies(case.severity, *m))
        .map(|m| deadline(p, tier, case, m))
        .collect()
}
