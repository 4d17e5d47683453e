//! Cases, SLA deadlines, routing and escalation (spec sections 10 and 11).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::calendar::{Calendar, CalendarError};
use crate::customer::Customer;
use crate::duration::BusinessDuration;
use crate::error::did_you_mean;
use crate::eval;
use crate::expr::{CaseSlots, Cond};
use crate::policy::{Compiled, Policy, TierId};
use crate::service::Resolution;

/// A case kind of the policy.
#[derive(Debug, Clone)]
pub(crate) struct CaseDef {
    pub(crate) kind: String,
    /// Global severity numbers, in the case's order; the first is the default.
    pub(crate) severities: Vec<u16>,
    pub(crate) milestones: Vec<String>,
    /// Where this case's targets start in [`SlaTable::targets`].
    pub(crate) offset: usize,
}

impl CaseDef {
    fn severity_slots(&self) -> usize {
        self.severities.len().max(1)
    }

    /// The index of a target in the table.
    pub(crate) fn slot(&self, tier: usize, severity: usize, milestone: usize) -> usize {
        self.offset + (tier * self.severity_slots() + severity) * self.milestones.len() + milestone
    }

    /// Number of table entries this case takes for `tiers` tiers.
    pub(crate) fn slots(&self, tiers: usize) -> usize {
        tiers * self.severity_slots() * self.milestones.len()
    }
}

/// A resolved target: duration, clock and the rule that gave it.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) duration: BusinessDuration,
    pub(crate) written: String,
    pub(crate) clock: u16,
    pub(crate) rule: u16,
}

/// Every (case, tier, severity, milestone) target, resolved when compiling.
#[derive(Debug, Default)]
pub(crate) struct SlaTable {
    pub(crate) targets: Vec<Option<Target>>,
    /// A description of each `[[sla]]` rule, for traces.
    pub(crate) rules: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) when: Option<Cond>,
    pub(crate) when_text: Option<String>,
    pub(crate) queue: String,
    pub(crate) assign: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) percent: Decimal,
    pub(crate) at: String,
    pub(crate) notify: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Escalation {
    pub(crate) case: u16,
    pub(crate) milestone: u16,
    pub(crate) steps: Vec<Step>,
}

/// Why a case could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CaseError {
    message: String,
    help: Option<String>,
}

impl CaseError {
    fn unknown(what: &str, name: &str, list: &[&str]) -> CaseError {
        let help = did_you_mean(name, list.iter().copied()).or_else(|| {
            Some(if list.is_empty() {
                format!("there is no {what} to choose from")
            } else {
                format!(
                    "expected one of {}",
                    list.iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        });
        CaseError {
            message: format!("unknown {what} `{name}`"),
            help,
        }
    }

    /// A suggestion, such as ``did you mean `complaint`?``.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// Why deadlines could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlaError {
    /// The case or resolution was made for another policy.
    #[error("the case was built for another policy")]
    WrongPolicy,
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

/// A case to handle: its kind, severity, channel, opening time and pauses.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    kind: u16,
    severity: usize,
    channel: Option<u16>,
    opened: DateTime<Utc>,
    pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    policy_key: usize,
}

impl Case {
    /// When the case opened.
    pub fn opened(&self) -> DateTime<Utc> {
        self.opened
    }
}

/// Builds a [`Case`]; start with [`Policy::case`].
#[derive(Debug)]
pub struct CaseBuilder<'p> {
    policy: &'p Policy,
    kind: Result<u16, CaseError>,
    severity: Option<String>,
    channel: Option<String>,
    opened: DateTime<Utc>,
    pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Policy {
    /// Starts a case of `kind` opened at `opened`.
    pub fn case(&self, kind: &str, opened: DateTime<Utc>) -> CaseBuilder<'_> {
        let cases = &self.inner.services.cases;
        let kind = match cases.iter().position(|c| c.kind == kind) {
            Some(i) => u16::try_from(i).map_err(|_| CaseError::unknown("case kind", kind, &[])),
            None => {
                let names: Vec<&str> = cases.iter().map(|c| c.kind.as_str()).collect();
                Err(CaseError::unknown("case kind", kind, &names))
            }
        };
        CaseBuilder {
            policy: self,
            kind,
            severity: None,
            channel: None,
            opened,
            pauses: Vec::new(),
        }
    }

    /// The case kinds of the policy.
    pub fn case_kinds(&self) -> impl Iterator<Item = &str> {
        self.inner.services.cases.iter().map(|c| c.kind.as_str())
    }

    /// The severities of a case kind, the default (first) first; `None` for an unknown kind.
    pub fn severities(&self, kind: &str) -> Option<impl Iterator<Item = &str>> {
        let s = &self.inner.services;
        let c = s.cases.iter().find(|c| c.kind == kind)?;
        Some(
            c.severities
                .iter()
                .filter_map(|g| s.severities.get(usize::from(*g)).map(String::as_str)),
        )
    }

    /// The milestones of a case kind, in order.
    pub fn milestones(&self, kind: &str) -> Option<impl Iterator<Item = &str>> {
        let c = self.inner.services.cases.iter().find(|c| c.kind == kind)?;
        Some(c.milestones.iter().map(String::as_str))
    }
}

impl CaseBuilder<'_> {
    /// Sets the severity (default: the case's first severity).
    #[must_use]
    pub fn severity(mut self, severity: &str) -> Self {
        self.severity = Some(severity.to_owned());
        self
    }

    /// Sets the channel the case came through (for routing conditions on `case.channel`).
    #[must_use]
    pub fn channel(mut self, channel: &str) -> Self {
        self.channel = Some(channel.to_owned());
        self
    }

    /// Adds an interval `[from, to)` during which the clock does not count (waiting for the
    /// customer, say).
    #[must_use]
    pub fn pause(mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        self.pauses.push((from, to));
        self
    }

    /// Checks kind, severity and channel against the policy.
    pub fn build(self) -> Result<Case, CaseError> {
        let kind = self.kind?;
        let p = &self.policy.inner.services;
        let def = p
            .cases
            .get(usize::from(kind))
            .ok_or_else(|| CaseError::unknown("case kind", "", &[]))?;
        let severity = match &self.severity {
            None => 0,
            Some(s) => {
                let names: Vec<&str> = def
                    .severities
                    .iter()
                    .filter_map(|g| p.severities.get(usize::from(*g)).map(String::as_str))
                    .collect();
                if names.is_empty() {
                    return Err(CaseError {
                        message: format!(
                            "case `{}` has no severities, but severity `{s}` was given",
                            def.kind
                        ),
                        help: None,
                    });
                }
                names
                    .iter()
                    .position(|n| n == s)
                    .ok_or_else(|| CaseError::unknown("severity", s, &names))?
            }
        };
        let channel = match &self.channel {
            None => None,
            Some(c) => {
                let names: Vec<&str> = p.channels.iter().map(String::as_str).collect();
                let i = names
                    .iter()
                    .position(|n| n == c)
                    .ok_or_else(|| CaseError::unknown("channel", c, &names))?;
                Some(u16::try_from(i).unwrap_or(u16::MAX))
            }
        };
        for (from, to) in &self.pauses {
            if to < from {
                return Err(CaseError {
                    message: format!("pause ends at {to} before it starts at {from}"),
                    help: None,
                });
            }
        }
        Ok(Case {
            kind,
            severity,
            channel,
            opened: self.opened,
            pauses: self.pauses,
            policy_key: self.policy.key(),
        })
    }
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

fn rfc3339<S: serde::Serializer>(t: &DateTime<Tz>, s: S) -> Result<S::Ok, S::Error> {
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

/// Where a case goes: the first routing rule whose `when` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RouteDecision<'p> {
    queue: &'p str,
    assign: Option<&'p str>,
    /// The 1-based number of the `[[routing]]` rule.
    rule: usize,
    when: Option<&'p str>,
}

impl<'p> RouteDecision<'p> {
    /// The queue.
    pub fn queue(&self) -> &'p str {
        self.queue
    }
    /// Who is assigned, like `account_manager`, if the rule says.
    pub fn assign(&self) -> Option<&'p str> {
        self.assign
    }
    /// The 1-based number of the deciding `[[routing]]` rule.
    pub fn rule(&self) -> usize {
        self.rule
    }
}

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
    /// The steps whose time has come, in order of due time.
    pub fn due(&self) -> &[EscalationStep<'p>] {
        &self.due
    }
    /// The next step to fall due, if any.
    pub fn next(&self) -> Option<&EscalationStep<'p>> {
        self.next.as_ref()
    }
}

/// Everything a service needs to handle a case: route, deadlines and escalation ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handling<'p> {
    route: Option<RouteDecision<'p>>,
    deadlines: Vec<Deadline<'p>>,
    escalation: Vec<EscalationStep<'p>>,
}

impl<'p> Handling<'p> {
    /// The route, if a routing rule matched.
    pub fn route(&self) -> Option<&RouteDecision<'p>> {
        self.route.as_ref()
    }
    /// Each milestone's deadline, in milestone order.
    pub fn deadlines(&self) -> &[Deadline<'p>] {
        &self.deadlines
    }
    /// Every escalation step with its due time, in ladder order.
    pub fn escalation(&self) -> &[EscalationStep<'p>] {
        &self.escalation
    }
}

fn check(policy: &Policy, case: &Case) -> Result<(), SlaError> {
    if case.policy_key == policy.key() {
        Ok(())
    } else {
        Err(SlaError::WrongPolicy)
    }
}

fn calendar(p: &Compiled, clock: u16) -> Option<&(String, Calendar)> {
    p.services.calendars.get(usize::from(clock))
}

impl Policy {
    fn target(
        &self,
        tier: TierId,
        case: &Case,
        milestone: usize,
    ) -> Result<(&CaseDef, &Target), SlaError> {
        let s = &self.inner.services;
        let def = s
            .cases
            .get(usize::from(case.kind))
            .ok_or(SlaError::WrongPolicy)?;
        let name = def
            .milestones
            .get(milestone)
            .map(String::as_str)
            .unwrap_or_default();
        let slot = def.slot(tier.rank(), case.severity, milestone);
        let target = s
            .sla
            .targets
            .get(slot)
            .and_then(Option::as_ref)
            .ok_or_else(|| SlaError::NoTarget {
                milestone: name.to_owned(),
            })?;
        Ok((def, target))
    }

    /// The deadline of one milestone (by its number in the case's `milestones`) for a case
    /// of a customer in `tier`. Does not allocate.
    pub fn deadline(
        &self,
        tier: TierId,
        case: &Case,
        milestone: usize,
    ) -> Result<Deadline<'_>, SlaError> {
        check(self, case)?;
        let (def, target) = self.target(tier, case, milestone)?;
        let name = def
            .milestones
            .get(milestone)
            .map(String::as_str)
            .unwrap_or_default();
        let (clock, cal) = calendar(&self.inner, target.clock).ok_or(SlaError::WrongPolicy)?;
        let seconds = i64::try_from(target.duration.seconds()).unwrap_or(i64::MAX);
        let due = cal
            .add_open_time(case.opened, seconds, &case.pauses)
            .map_err(|source| SlaError::Calendar {
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
            rule: self
                .inner
                .services
                .sla
                .rules
                .get(usize::from(target.rule))
                .map(String::as_str)
                .unwrap_or_default(),
        })
    }

    /// The deadline of every milestone of the case, in milestone order.
    pub fn deadlines(&self, tier: TierId, case: &Case) -> Result<Vec<Deadline<'_>>, SlaError> {
        check(self, case)?;
        let n = self
            .inner
            .services
            .cases
            .get(usize::from(case.kind))
            .map_or(0, |c| c.milestones.len());
        (0..n).map(|m| self.deadline(tier, case, m)).collect()
    }

    /// Routes a case of a resolved customer: the first `[[routing]]` rule whose `when`
    /// holds. Does not allocate.
    pub fn route(
        &self,
        customer: &Customer,
        resolution: &Resolution,
        case: &Case,
    ) -> Option<RouteDecision<'_>> {
        let a = resolution.assignment();
        let def = self.inner.services.cases.get(usize::from(case.kind))?;
        let mut env = eval::env(customer, a.score(), a.dimension_scores(), Some(a.tier().0));
        env.case = Some(CaseSlots {
            kind: case.kind,
            severity: def.severities.get(case.severity).copied(),
            channel: case.channel,
        });
        self.inner
            .services
            .routing
            .iter()
            .enumerate()
            .find(|(_, r)| r.when.as_ref().is_none_or(|c| c.eval(&env)))
            .map(|(i, r)| RouteDecision {
                queue: &r.queue,
                assign: r.assign.as_deref(),
                rule: i + 1,
                when: r.when_text.as_deref(),
            })
    }

    /// Every escalation step of the case, with its due time: the step's share of the
    /// milestone's target counted on the milestone's clock (whole seconds, rounded up).
    pub fn escalations(
        &self,
        tier: TierId,
        case: &Case,
    ) -> Result<Vec<EscalationStep<'_>>, SlaError> {
        check(self, case)?;
        let mut out = Vec::new();
        for e in self
            .inner
            .services
            .escalation
            .iter()
            .filter(|e| e.case == case.kind)
        {
            let m = usize::from(e.milestone);
            let (def, target) = self.target(tier, case, m)?;
            let name = def
                .milestones
                .get(m)
                .map(String::as_str)
                .unwrap_or_default();
            let (clock, cal) = calendar(&self.inner, target.clock).ok_or(SlaError::WrongPolicy)?;
            for step in &e.steps {
                let secs = (Decimal::from(target.duration.seconds()) * step.percent
                    / Decimal::ONE_HUNDRED)
                    .ceil()
                    .to_i64()
                    .unwrap_or(i64::MAX);
                let due = cal
                    .add_open_time(case.opened, secs, &case.pauses)
                    .map_err(|source| SlaError::Calendar {
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
    pub fn escalation_status(
        &self,
        tier: TierId,
        case: &Case,
        now: DateTime<Utc>,
    ) -> Result<EscalationStatus<'_>, SlaError> {
        let mut steps = self.escalations(tier, case)?;
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

    /// Routes a case and computes its deadlines and escalation steps in one call.
    pub fn handle(
        &self,
        customer: &Customer,
        resolution: &Resolution,
        case: &Case,
    ) -> Result<Handling<'_>, SlaError> {
        if resolution.policy_key != self.key() {
            return Err(SlaError::WrongPolicy);
        }
        Ok(Handling {
            route: self.route(customer, resolution, case),
            deadlines: self.deadlines(resolution.tier(), case)?,
            escalation: self.escalations(resolution.tier(), case)?,
        })
    }
}
