//! Case timelines (spec section 17): a case's events after it opened, checked one by one as
//! they are recorded. The status at an instant is computed by `eval::timeline`.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Case;
use crate::error::did_you_mean;
use crate::model::{Compiled, TierId};
use crate::suggest::expected_one_of;

/// An instant as RFC 3339 in UTC, for messages.
fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Something that happened to an open case, recorded with [`Timeline::record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The clock stops (waiting for the customer, say) until [`Event::Resumed`].
    Paused,
    /// The clock runs again after [`Event::Paused`].
    Resumed,
    /// A milestone was met.
    Met(&'a str),
    /// The case's severity changed; targets are those of the new severity from then on,
    /// still measured from the opening.
    Severity(&'a str),
    /// The case's status changed (free text); a status in the case kind's `pause_on` stops
    /// the clock until a status that is not.
    Status(&'a str),
    /// The case closed; nothing can follow.
    Closed,
}

impl Event<'_> {
    /// The event's name in an event log (`paused`, `met`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Event::Paused => "paused",
            Event::Resumed => "resumed",
            Event::Met(_) => "met",
            Event::Severity(_) => "severity",
            Event::Status(_) => "status",
            Event::Closed => "closed",
        }
    }
}

/// Why an event could not be recorded; [`TimelineError::kind`] says which rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TimelineError {
    kind: TimelineErrorKind,
    message: String,
    help: Option<String>,
}

/// What is wrong with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimelineErrorKind {
    /// The event is earlier than the event before it (or than the opening).
    OutOfOrder,
    /// The case is closed.
    AfterClosed,
    /// The case kind has no milestone of that name.
    UnknownMilestone,
    /// The milestone was met already.
    AlreadyMet,
    /// The milestone does not apply to the case's severity at that moment
    /// (`milestones_for`).
    NotApplicable,
    /// `resumed` without a `paused` before it.
    NotPaused,
    /// `paused` while the case is paused already by a `paused` event.
    AlreadyPaused,
    /// The case kind has no severity of that name (or no severities).
    UnknownSeverity,
    /// The tier number or the case was made by another compiled policy.
    WrongPolicy,
}

impl TimelineError {
    fn new(kind: TimelineErrorKind, message: String) -> TimelineError {
        TimelineError {
            kind,
            message,
            help: None,
        }
    }

    fn with_help(mut self, help: Option<String>) -> TimelineError {
        self.help = help;
        self
    }

    /// Which rule the event broke.
    pub fn kind(&self) -> TimelineErrorKind {
        self.kind
    }

    /// A suggestion, such as ``did you mean `acknowledge`?``.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// A case as it lives: opened for a customer of one tier, then paused and resumed, its
/// milestones met, its severity changed, closed. Each event is checked as it is recorded
/// (time order, known and not yet met milestones, `resumed` after `paused`, nothing after
/// `closed`). [`Timeline::status`] gives the state of every milestone at any instant.
///
/// A timeline keeps the compiled policy it was opened with (a reference count, not a copy),
/// so it stays valid across a reload of a [`PolicyStore`](crate::PolicyStore).
///
/// ```
/// # let text = include_str!("../../policies/ocean-shipping.toml");
/// # let policy = tierwise::Policy::from_toml_str("ocean-shipping.toml", text)?;
/// use tierwise::sla::{Event, MilestoneState};
/// let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
/// let vip = policy.tier_by_id("vip").unwrap();
/// let case = policy.case("complaint", at("2026-06-30T09:00:00+08:00")).build()?;
/// let mut t = policy.timeline(vip, &case)?;
/// t.record(at("2026-06-30T09:10:00+08:00"), Event::Met("acknowledge"))?;
/// let status = t.status(at("2026-06-30T12:00:00+08:00"))?;
/// assert_eq!(status.milestone("acknowledge").unwrap().state(), MilestoneState::Met);
/// assert_eq!(status.milestone("resolve").unwrap().state(), MilestoneState::Running);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Timeline {
    pub(crate) policy: Arc<Compiled>,
    pub(crate) tier: TierId,
    pub(crate) kind: u16,
    pub(crate) opened: DateTime<Utc>,
    /// Severity changes: from when, the case's own severity number; the first at opening.
    pub(crate) severities: Vec<(DateTime<Utc>, usize)>,
    /// When the clock stood still: from, and until (`None` while it still does).
    pub(crate) pauses: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// When each milestone was met.
    pub(crate) met: Vec<Option<DateTime<Utc>>>,
    pub(crate) closed: Option<DateTime<Utc>>,
    last: DateTime<Utc>,
    paused_by_event: bool,
    paused_by_status: bool,
}

impl Timeline {
    /// Opens the timeline of a case. Pauses given to the case with
    /// [`CaseBuilder::pause`](crate::sla::CaseBuilder::pause) are not used: a timeline's
    /// pauses are its `paused`/`resumed` and `status` events.
    pub(crate) fn open(
        policy: Arc<Compiled>,
        tier: TierId,
        case: &Case,
    ) -> Result<Timeline, TimelineError> {
        if tier.policy != policy.key() || case.policy_key != policy.key() {
            return Err(TimelineError::new(
                TimelineErrorKind::WrongPolicy,
                "the tier number or the case was made by another compiled policy".to_owned(),
            ));
        }
        let milestones = policy
            .services
            .cases
            .get(usize::from(case.kind))
            .map_or(0, |d| d.milestones.len());
        let t = Timeline {
            policy,
            tier,
            kind: case.kind,
            opened: case.opened,
            severities: vec![(case.opened, case.severity)],
            pauses: Vec::new(),
            met: vec![None; milestones],
            closed: None,
            last: case.opened,
            paused_by_event: false,
            paused_by_status: false,
        };
        Ok(t)
    }

    /// When the case opened.
    pub fn opened(&self) -> DateTime<Utc> {
        self.opened
    }

    /// When the case closed, if it did.
    pub fn closed(&self) -> Option<DateTime<Utc>> {
        self.closed
    }

    /// The tier the case is handled for (it does not change during the case).
    pub fn tier(&self) -> TierId {
        self.tier
    }

    /// The case kind.
    pub fn case_kind(&self) -> &str {
        self.def().map_or("", |d| d.kind.as_str())
    }

    pub(crate) fn def(&self) -> Option<&crate::model::CaseDef> {
        self.policy.services.cases.get(usize::from(self.kind))
    }

    /// The case's own severity number in force at `at`.
    pub(crate) fn severity_at(&self, at: DateTime<Utc>) -> usize {
        self.severities
            .iter()
            .take_while(|(from, _)| *from <= at)
            .last()
            .map_or(0, |(_, s)| *s)
    }

    fn is_paused(&self) -> bool {
        self.paused_by_event || self.paused_by_status
    }

    /// Records an event at `at`. An event that breaks a rule is refused with an error
    /// naming it, and the timeline is left as it was.
    pub fn record(&mut self, at: DateTime<Utc>, event: Event<'_>) -> Result<(), TimelineError> {
        let name = event.name();
        if let Some(closed) = self.closed {
            return Err(TimelineError::new(
                TimelineErrorKind::AfterClosed,
                format!(
                    "`{name}` at {} after the case closed at {}",
                    rfc(at),
                    rfc(closed)
                ),
            ));
        }
        if at < self.last {
            return Err(TimelineError::new(
                TimelineErrorKind::OutOfOrder,
                format!(
                    "`{name}` at {} is earlier than the event before it, at {}",
                    rfc(at),
                    rfc(self.last)
                ),
            )
            .with_help(Some("list a case's events in time order".to_owned())));
        }
        let was_paused = self.is_paused();
        match event {
            Event::Paused => {
                if self.paused_by_event {
                    return Err(TimelineError::new(
                        TimelineErrorKind::AlreadyPaused,
                        format!("`paused` at {}, but the case is paused already", rfc(at)),
                    )
                    .with_help(Some("record `resumed` before pausing again".to_owned())));
                }
                self.paused_by_event = true;
            }
            Event::Resumed => {
                if !self.paused_by_event {
                    return Err(TimelineError::new(
                        TimelineErrorKind::NotPaused,
                        format!("`resumed` at {} without `paused` before it", rfc(at)),
                    ));
                }
                self.paused_by_event = false;
            }
            Event::Met(milestone) => {
                let i = self.milestone(milestone)?;
                if let Some(when) = self.met.get(i).copied().flatten() {
                    return Err(TimelineError::new(
                        TimelineErrorKind::AlreadyMet,
                        format!("milestone `{milestone}` was met already, at {}", rfc(when)),
                    ));
                }
                let severity = self.severity_at(at);
                if let Some(def) = self.def() {
                    if !def.applies(severity, i) {
                        let sev = self.severity_name(severity);
                        return Err(TimelineError::new(
                            TimelineErrorKind::NotApplicable,
                            format!(
                                "milestone `{milestone}` does not apply to cases of severity `{sev}`"
                            ),
                        ));
                    }
                }
                if let Some(slot) = self.met.get_mut(i) {
                    *slot = Some(at);
                }
            }
            Event::Severity(s) => {
                let i = self.severity(s)?;
                self.severities.push((at, i));
            }
            Event::Status(status) => {
                let stops = self
                    .def()
                    .is_some_and(|d| d.pause_on.iter().any(|p| p == status));
                self.paused_by_status = stops;
            }
            Event::Closed => self.closed = Some(at),
        }
        match (was_paused, self.is_paused()) {
            (false, true) => self.pauses.push((at, None)),
            (true, false) => {
                if let Some(last) = self.pauses.last_mut() {
                    last.1 = Some(at);
                }
            }
            _ => {}
        }
        self.last = at;
        Ok(())
    }

    fn milestone(&self, name: &str) -> Result<usize, TimelineError> {
        let def = self.def();
        let names: Vec<&str> = def
            .map(|d| d.milestones.iter().map(String::as_str).collect())
            .unwrap_or_default();
        names.iter().position(|m| *m == name).ok_or_else(|| {
            TimelineError::new(
                TimelineErrorKind::UnknownMilestone,
                format!(
                    "case `{}` has no milestone `{name}`",
                    def.map_or("", |d| d.kind.as_str())
                ),
            )
            .with_help(
                did_you_mean(name, names.iter().copied())
                    .or_else(|| Some(expected_one_of(names.iter().copied()))),
            )
        })
    }

    fn severity(&self, name: &str) -> Result<usize, TimelineError> {
        let s = &self.policy.services;
        let names: Vec<&str> = self
            .def()
            .map(|d| {
                d.severities
                    .iter()
                    .filter_map(|g| s.severities.get(usize::from(*g)).map(String::as_str))
                    .collect()
            })
            .unwrap_or_default();
        names.iter().position(|n| *n == name).ok_or_else(|| {
            let help = if names.is_empty() {
                Some(format!("case `{}` has no severities", self.case_kind()))
            } else {
                did_you_mean(name, names.iter().copied())
                    .or_else(|| Some(expected_one_of(names.iter().copied())))
            };
            TimelineError::new(
                TimelineErrorKind::UnknownSeverity,
                format!("unknown severity `{name}`"),
            )
            .with_help(help)
        })
    }

    /// The name of the case's own severity number `i` (empty for a case without).
    pub(crate) fn severity_name(&self, i: usize) -> &str {
        let s = &self.policy.services;
        self.def()
            .and_then(|d| d.severities.get(i))
            .and_then(|g| s.severities.get(usize::from(*g)))
            .map_or("", String::as_str)
    }
}
