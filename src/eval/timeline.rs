//! The status of a case timeline at an instant (spec section 17): every milestone's due
//! time, state, elapsed and remaining open time, and the escalation steps due; and, over
//! many timelines, the milestones breached or due soon.
//!
//! Everything is computed from the timeline's events up to the instant asked about: the
//! same timeline gives the status at any instant, before or after its last event.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::ser::SerializeMap;
use serde::Serialize;

use super::escalation::{EscalationStatus, EscalationStep};
use super::sla::{rfc3339, SlaError, SlaErrorKind};
use crate::calendar::Calendar;
use crate::input::Timeline;
use crate::model::{Compiled, Target};

const NANOS: i128 = 1_000_000_000;

/// Closed intervals of stopped clock, `[from, to)` in UTC.
type Pauses = Vec<(DateTime<Utc>, DateTime<Utc>)>;

/// Where one milestone of a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    /// Not met, not due yet, the clock running.
    Running,
    /// Not met, the clock stopped by a pause still open (the due time is not known).
    Paused,
    /// Met on time.
    Met,
    /// Met after its due time.
    MetLate,
    /// Not met and its due time has come.
    Breached,
}

impl MilestoneState {
    /// The state's name, like `met_late`.
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneState::Running => "running",
            MilestoneState::Paused => "paused",
            MilestoneState::Met => "met",
            MilestoneState::MetLate => "met_late",
            MilestoneState::Breached => "breached",
        }
    }
}

/// Whether a case is open or closed at the instant asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Open.
    Open,
    /// Closed: the status is the one the case had when it closed.
    Closed,
}

/// One milestone's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneStatus<'p> {
    #[serde(skip)]
    milestone: &'p str,
    #[serde(serialize_with = "opt_rfc3339")]
    due: Option<DateTime<Tz>>,
    #[serde(serialize_with = "opt_rfc3339")]
    met: Option<DateTime<Tz>>,
    state: MilestoneState,
    elapsed: i64,
    remaining: Option<i64>,
    clock: &'p str,
}

fn opt_rfc3339<S: serde::Serializer>(t: &Option<DateTime<Tz>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}

impl<'p> MilestoneStatus<'p> {
    /// The milestone.
    pub fn milestone(&self) -> &'p str {
        self.milestone
    }
    /// When it is (or was) due, in its clock's time zone; `None` while a pause is open.
    pub fn due(&self) -> Option<DateTime<Tz>> {
        self.due
    }
    /// When it was met.
    pub fn met(&self) -> Option<DateTime<Tz>> {
        self.met
    }
    /// Where it stands.
    pub fn state(&self) -> MilestoneState {
        self.state
    }
    /// Open time counted on its clock, in whole seconds: up to the instant asked about, or
    /// up to when it was met.
    pub fn elapsed(&self) -> i64 {
        self.elapsed
    }
    /// Open time left on its clock, in whole seconds (negative once breached); `None` once
    /// met.
    pub fn remaining(&self) -> Option<i64> {
        self.remaining
    }
    /// Its clock: a calendar name or `24x7`.
    pub fn clock(&self) -> &'p str {
        self.clock
    }
}

/// The status of a case at an instant: see [`Timeline::status`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseStatus<'p> {
    case: &'p str,
    severity: Option<&'p str>,
    state: CaseState,
    #[serde(serialize_with = "milestone_map")]
    milestones: Vec<MilestoneStatus<'p>>,
    escalation: EscalationStatus<'p>,
}

fn milestone_map<S: serde::Serializer>(v: &[MilestoneStatus<'_>], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(v.len()))?;
    for x in v {
        m.serialize_entry(x.milestone, x)?;
    }
    m.end()
}

impl<'p> CaseStatus<'p> {
    /// The case kind.
    pub fn case(&self) -> &'p str {
        self.case
    }
    /// The severity in force (`None` for a case kind without severities).
    pub fn severity(&self) -> Option<&'p str> {
        self.severity
    }
    /// Open or closed.
    pub fn state(&self) -> CaseState {
        self.state
    }
    /// Every milestone that applies to the severity in force, and every one met, in the
    /// case's order.
    pub fn milestones(&self) -> &[MilestoneStatus<'p>] {
        &self.milestones
    }
    /// One milestone's status.
    pub fn milestone(&self, name: &str) -> Option<&MilestoneStatus<'p>> {
        self.milestones.iter().find(|m| m.milestone == name)
    }
    /// The escalation steps due, of milestones not met, and the next one.
    pub fn escalation(&self) -> &EscalationStatus<'p> {
        &self.escalation
    }
}

/// A milestone that is breached or falls due soon: see [`due_within`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueMilestone<'p> {
    case: &'p str,
    tier: &'p str,
    milestone: &'p str,
    #[serde(serialize_with = "rfc3339")]
    due: DateTime<Tz>,
    state: MilestoneState,
    remaining: i64,
}

impl<'p> DueMilestone<'p> {
    /// The case kind.
    pub fn case(&self) -> &'p str {
        self.case
    }
    /// The case's tier.
    pub fn tier(&self) -> &'p str {
        self.tier
    }
    /// The milestone.
    pub fn milestone(&self) -> &'p str {
        self.milestone
    }
    /// When it is due.
    pub fn due(&self) -> DateTime<Tz> {
        self.due
    }
    /// `breached` or `running`.
    pub fn state(&self) -> MilestoneState {
        self.state
    }
    /// Open time left, in whole seconds (negative once breached).
    pub fn remaining(&self) -> i64 {
        self.remaining
    }
}

/// The pauses of a timeline up to `t`: a pause open at `t` ends at `t`, and its start is
/// returned too.
fn pauses_until(tl: &Timeline, t: DateTime<Utc>) -> (Pauses, Option<DateTime<Utc>>) {
    let mut out = Vec::with_capacity(tl.pauses.len());
    let mut open = None;
    for (from, to) in &tl.pauses {
        if *from >= t {
            break;
        }
        match to {
            Some(to) if *to <= t => out.push((*from, *to)),
            _ => {
                out.push((*from, t));
                open = Some(*from);
            }
        }
    }
    (out, open)
}

fn target_of<'p>(p: &'p Compiled, tl: &Timeline, severity: usize, m: usize) -> Option<&'p Target> {
    let def = p.services.cases.get(usize::from(tl.kind))?;
    p.services
        .sla
        .targets
        .get(def.slot(tl.tier.rank(), severity, m))?
        .as_ref()
}

fn clock<'p>(p: &'p Compiled, t: &Target) -> Option<&'p (String, Calendar)> {
    super::sla::calendar(p, t.clock)
}

fn calendar_error(name: &str, clock: &str, source: crate::calendar::CalendarError) -> SlaError {
    SlaErrorKind::Calendar {
        milestone: name.to_owned(),
        clock: clock.to_owned(),
        source,
    }
    .into()
}

/// Whole seconds, rounded toward negative infinity.
fn seconds(n: i128) -> i64 {
    i64::try_from(n.div_euclid(NANOS)).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

impl Timeline {
    /// The status of the case at `at`, from its events up to `at` (spec section 17). A
    /// closed case is reported as it stood when it closed.
    ///
    /// Each milestone that applies to the severity in force (and each one met) gets its due
    /// time (from the opening, every pause counted; unknown while a pause is open at `at`,
    /// unless it fell before the pause), its state, and the open time elapsed and remaining
    /// on its clock. Escalation steps are those of milestones not met.
    pub fn status(&self, at: DateTime<Utc>) -> Result<CaseStatus<'_>, SlaError> {
        let p = &*self.policy;
        let def = p
            .services
            .cases
            .get(usize::from(self.kind))
            .ok_or(SlaErrorKind::WrongPolicy)?;
        let (t, state) = match self.closed {
            Some(c) if c <= at => (c, CaseState::Closed),
            _ => (at, CaseState::Open),
        };
        let now_severity = self.severity_at(t);
        let (pauses, open_pause) = pauses_until(self, t);
        let mut milestones = Vec::with_capacity(def.milestones.len());
        for (m, name) in def.milestones.iter().enumerate() {
            let met = self.met.get(m).copied().flatten().filter(|w| *w <= t);
            let severity = met.map_or(now_severity, |w| self.severity_at(w));
            if met.is_none() && !def.applies(severity, m) {
                continue;
            }
            let target = target_of(p, self, severity, m).ok_or_else(|| SlaErrorKind::NoTarget {
                milestone: name.clone(),
            })?;
            let (clock_name, cal) = clock(p, target).ok_or(SlaErrorKind::WrongPolicy)?;
            let secs = i64::try_from(target.duration.seconds()).unwrap_or(i64::MAX);
            let tz = cal.timezone();
            let status = match met {
                Some(w) => {
                    let (before, _) = pauses_until(self, w);
                    let due = cal
                        .add_open_time(self.opened, secs, &before)
                        .map_err(|e| calendar_error(name, clock_name, e))?;
                    MilestoneStatus {
                        milestone: name,
                        due: Some(due.with_timezone(&tz)),
                        met: Some(w.with_timezone(&tz)),
                        state: if w > due {
                            MilestoneState::MetLate
                        } else {
                            MilestoneState::Met
                        },
                        elapsed: seconds(cal.open_nanos_outside(self.opened, w, &before)),
                        remaining: None,
                        clock: clock_name,
                    }
                }
                None => {
                    let due = cal
                        .add_open_time(self.opened, secs, &pauses)
                        .map_err(|e| calendar_error(name, clock_name, e))?;
                    // with a pause still open, a deadline after its start is not known yet
                    let known = open_pause.is_none_or(|from| due < from);
                    let elapsed = cal.open_nanos_outside(self.opened, t, &pauses);
                    let left = i128::from(secs) * NANOS - elapsed;
                    MilestoneStatus {
                        milestone: name,
                        due: known.then(|| due.with_timezone(&tz)),
                        met: None,
                        state: match (known, t >= due) {
                            (false, _) => MilestoneState::Paused,
                            (true, true) => MilestoneState::Breached,
                            (true, false) => MilestoneState::Running,
                        },
                        elapsed: seconds(elapsed),
                        remaining: Some(seconds(left)),
                        clock: clock_name,
                    }
                }
            };
            milestones.push(status);
        }
        let escalation = self.escalation(p, t, now_severity, &pauses, open_pause)?;
        let severity = (!def.severities.is_empty()).then(|| self.severity_name(now_severity));
        Ok(CaseStatus {
            case: &def.kind,
            severity,
            state,
            milestones,
            escalation,
        })
    }

    fn escalation<'p>(
        &'p self,
        p: &'p Compiled,
        t: DateTime<Utc>,
        severity: usize,
        pauses: &[(DateTime<Utc>, DateTime<Utc>)],
        open_pause: Option<DateTime<Utc>>,
    ) -> Result<EscalationStatus<'p>, SlaError> {
        let def = p
            .services
            .cases
            .get(usize::from(self.kind))
            .ok_or(SlaErrorKind::WrongPolicy)?;
        let mut due: Vec<EscalationStep<'p>> = Vec::new();
        let mut next: Option<EscalationStep<'p>> = None;
        for e in p.services.escalation.iter().filter(|e| e.case == self.kind) {
            let m = usize::from(e.milestone);
            let met = self.met.get(m).copied().flatten().is_some_and(|w| w <= t);
            if met || !def.applies(severity, m) {
                continue;
            }
            let name = def.milestones.get(m).map_or("", String::as_str);
            let Some(target) = target_of(p, self, severity, m) else {
                continue;
            };
            let (clock_name, cal) = clock(p, target).ok_or(SlaErrorKind::WrongPolicy)?;
            for step in &e.steps {
                let secs = step.seconds(target.duration.seconds());
                let at = cal
                    .add_open_time(self.opened, secs, pauses)
                    .map_err(|err| calendar_error(name, clock_name, err))?;
                if open_pause.is_some_and(|from| at >= from) {
                    // not known while the clock stands still
                    continue;
                }
                let s = EscalationStep::new(
                    name,
                    &step.at,
                    &step.notify,
                    at.with_timezone(&cal.timezone()),
                );
                if at <= t {
                    due.push(s);
                } else if next.as_ref().is_none_or(|n| s.due() < n.due()) {
                    next = Some(s);
                }
            }
        }
        due.sort_by_key(EscalationStep::due);
        Ok(EscalationStatus::new(due, next))
    }
}

/// Over many open cases: every milestone not met that is breached at `at` or falls due
/// within `within` after it, soonest first (ties in the order the cases came). Each item
/// comes with the key it was given. Closed cases, met milestones and milestones whose due
/// time a pause keeps open are left out; only the listed milestones are kept in memory.
///
/// ```
/// # let text = include_str!("../../policies/ocean-shipping.toml");
/// # let policy = tierwise::Policy::from_toml_str("ocean-shipping.toml", text)?;
/// let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
/// let vip = policy.tier_by_id("vip").unwrap();
/// let case = policy.case("complaint", at("2026-06-30T09:00:00+08:00")).build()?;
/// let t = policy.timeline(vip, &case)?;
/// let soon = tierwise::sla::due_within([("C-1", &t)], at("2026-06-30T09:20:00+08:00"), chrono::Duration::hours(1));
/// assert_eq!(soon[0].0, "C-1");
/// assert_eq!(soon[0].1.milestone(), "acknowledge");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn due_within<'a, K: Clone>(
    cases: impl IntoIterator<Item = (K, &'a Timeline)>,
    at: DateTime<Utc>,
    within: Duration,
) -> Vec<(K, DueMilestone<'a>)> {
    let horizon = at.checked_add_signed(within).unwrap_or(at);
    let mut out: Vec<(K, DueMilestone<'a>)> = Vec::new();
    for (key, tl) in cases {
        if tl.closed.is_some_and(|c| c <= at) {
            continue;
        }
        listed(tl, at, horizon, |d| out.push((key.clone(), d)));
    }
    // a stable sort: equal due times keep the order the cases came in
    out.sort_by_key(|(_, d)| d.due);
    out
}

/// The milestones of one open timeline breached at `at` or due by `horizon`.
fn listed<'a>(
    tl: &'a Timeline,
    at: DateTime<Utc>,
    horizon: DateTime<Utc>,
    mut push: impl FnMut(DueMilestone<'a>),
) {
    let p = &*tl.policy;
    let Some(def) = p.services.cases.get(usize::from(tl.kind)) else {
        return;
    };
    let severity = tl.severity_at(at);
    let (pauses, open_pause) = pauses_until(tl, at);
    let tier = p.tier_ids.get(tl.tier.rank()).map_or("", String::as_str);
    for (m, name) in def.milestones.iter().enumerate() {
        let met = tl.met.get(m).copied().flatten().is_some_and(|w| w <= at);
        if met || !def.applies(severity, m) {
            continue;
        }
        let Some(target) = target_of(p, tl, severity, m) else {
            continue;
        };
        let Some((_, cal)) = clock(p, target) else {
            continue;
        };
        let secs = i64::try_from(target.duration.seconds()).unwrap_or(i64::MAX);
        let Ok(due) = cal.add_open_time(tl.opened, secs, &pauses) else {
            continue;
        };
        if due > horizon || open_pause.is_some_and(|from| due >= from) {
            continue;
        }
        let elapsed = cal.open_nanos_outside(tl.opened, at, &pauses);
        push(DueMilestone {
            case: &def.kind,
            tier,
            milestone: name,
            due: due.with_timezone(&cal.timezone()),
            state: if at >= due {
                MilestoneState::Breached
            } else {
                MilestoneState::Running
            },
            remaining: seconds(i128::from(secs) * NANOS - elapsed),
        });
    }
}
