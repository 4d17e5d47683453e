//! Escalation ladders: when each step of a milestone's ladder falls due, and which are due
//! at a moment (spec section 11).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::sla::{calendar, check, rfc3339, target, SlaError, SlaErrorKind};
use crate::input::Case;
use crate::model::{Compiled, TierId};

/// One escalation step of a case, with when it falls due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationStep<'p> {
    milestone: &'p str,
    at: &'p str,
    notify: &'p str,
    #[serde(serialize_with = "rfc3339")]
    due: DateTime<Tz>,
}

impl<'p> EscalationStep<'p> {
    pub(crate) fn new(milestone: &'p str, at: &'p str, notify: &'p str, due: DateTime<Tz>) -> Self {
        EscalationStep {
            milestone,
            at,
            notify,
            due,
        }
    }

    /// The milestone watched.
    pub fn milestone(&self) -> &'p str {
        self.milestone
    }
    /// The share of the target, as written (`150%`).
    pub fn at(&self) -> &'p str {
        self.at
    }
    /// Who to notify.
    pub fn notify(&self) -> &'p str {
        self.notify
    }
    /// When the step falls due.
    pub fn due(&self) -> DateTime<Tz> {
        self.due
    }
}

/// Which escalation steps are due at a moment, and the next one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationStatus<'p> {
    due: Vec<EscalationStep<'p>>,
    next: Option<EscalationStep<'p>>,
}

impl<'p> EscalationStatus<'p> {
    pub(crate) fn new(due: Vec<EscalationStep<'p>>, next: Option<EscalationStep<'p>>) -> Self {
        EscalationStatus { due, next }
    }

    /// The steps whose time has come, in order of due time.
    pub fn due(&self) -> &[EscalationStep<'p>] {
        &self.due
    }
    /// The next step to fall due, if any.
    pub fn next(&self) -> Option<&EscalationStep<'p>> {
        self.next.as_ref()
    }
}

/// Every escalation step of the case, with its due time: the step's share of the
/// milestone's target counted on the milestone's clock (whole seconds, rounded up).
pub(crate) fn escalations<'p>(
    p: &'p Compiled,
    tier: TierId,
    case: &Case,
) -> Result<Vec<EscalationStep<'p>>, SlaError> {
    check(p, tier, case)?;
    let mut out = Vec::new();
    let def = p.services.cases.get(usize::from(case.kind));
    // ladders of milestones that do not apply to the case's severity do not run
    let applies = |m: usize| def.is_some_and(|d| d.applies(case.severity, m));
    for e in p
        .services
        .escalation
        .iter()
        .filter(|e| e.case == case.kind && applies(usize::from(e.milestone)))
    {
        let m = usize::from(e.milestone);
        let (def, target) = target(p, tier, case, m)?;
        let name = def
            .milestones
            .get(m)
            .map(String::as_str)
            .unwrap_or_default();
        let (clock, cal) = calendar(p, target.clock).ok_or(SlaErrorKind::WrongPolicy)?;
        for step in &e.steps {
            let secs = step.seconds(target.duration.seconds());
            let due = cal
                .add_open_time(case.opened, secs, &case.pauses)
                .map_err(|source| SlaErrorKind::Calendar {
                    milestone: name.to_owned(),
                    clock: clock.clone(),
                    source,
                })?;
            out.push(EscalationStep {
                milestone: name,
                at: &step.at,
                notify: &step.notify,
                due: due.with_timezone(&cal.timezone()),
            });
        }
    }
    Ok(out)
}

/// Which escalation steps are due at `now`, and which comes next.
pub(crate) fn escalation_status<'p>(
    p: &'p Compiled,
    tier: TierId,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<EscalationStatus<'p>, SlaError> {
    let mut steps = escalations(p, tier, case)?;
    steps.sort_by_key(|s| s.due);
    let split = steps
        .iter()
        .position(|s| s.due > now)
        .unwrap_or(steps.len());
    let rest = steps.split_off(split);
    Ok(EscalationStatus {
        due: steps,
        next: rest.into_iter().next(),
    })
}
