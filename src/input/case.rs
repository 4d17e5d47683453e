//! Cases to handle: kind, severity, channel, opening time and pauses, checked against a
//! compiled policy.

use chrono::{DateTime, Utc};

use crate::error::did_you_mean;
use crate::model::{Compiled, PolicyIdentity};
use crate::suggest::expected_one_of;

/// Why a case could not be built; [`CaseError::kind`] says which field is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CaseError {
    kind: CaseErrorKind,
    message: String,
    help: Option<String>,
}

/// What is wrong with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaseErrorKind {
    /// The policy has no case kind of that name.
    UnknownKind,
    /// The case kind has no severity of that name, or no severities at all.
    UnknownSeverity,
    /// The policy has no channel of that name.
    UnknownChannel,
    /// A pause that ends before it starts.
    ReversedPause,
}

impl CaseError {
    /// What is wrong.
    pub fn kind(&self) -> CaseErrorKind {
        self.kind
    }

    fn unknown(kind: CaseErrorKind, what: &str, name: &str, list: &[&str]) -> CaseError {
        let help = did_you_mean(name, list.iter().copied()).or_else(|| {
            Some(if list.is_empty() {
                format!("there is no {what} to choose from")
            } else {
                expected_one_of(list.iter().copied())
            })
        });
        CaseError {
            kind,
            message: format!("unknown {what} `{name}`"),
            help,
        }
    }

    /// A suggestion, such as ``did you mean `complaint`?``.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// A case to handle: its kind, severity, channel, opening time and pauses.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub(crate) kind: u16,
    pub(crate) severity: usize,
    pub(crate) channel: Option<u16>,
    pub(crate) opened: DateTime<Utc>,
    pub(crate) pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub(crate) policy_key: PolicyIdentity,
}

impl Case {
    /// When the case opened.
    pub fn opened(&self) -> DateTime<Utc> {
        self.opened
    }
}

/// Builds a [`Case`]; start with [`Policy::case`](crate::Policy::case).
#[derive(Debug)]
pub struct CaseBuilder<'p> {
    policy: &'p Compiled,
    kind: Result<u16, CaseError>,
    severity: Option<String>,
    channel: Option<String>,
    opened: DateTime<Utc>,
    pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl<'p> CaseBuilder<'p> {
    pub(crate) fn new(policy: &'p Compiled, kind: &str, opened: DateTime<Utc>) -> CaseBuilder<'p> {
        let cases = &policy.services.cases;
        let kind = match cases.iter().position(|c| c.kind == kind) {
            Some(i) => u16::try_from(i).map_err(|_| {
                CaseError::unknown(CaseErrorKind::UnknownKind, "case kind", kind, &[])
            }),
            None => {
                let names: Vec<&str> = cases.iter().map(|c| c.kind.as_str()).collect();
                Err(CaseError::unknown(
                    CaseErrorKind::UnknownKind,
                    "case kind",
                    kind,
                    &names,
                ))
            }
        };
        CaseBuilder {
            policy,
            kind,
            severity: None,
            channel: None,
            opened,
            pauses: Vec::new(),
        }
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
        let p = &self.policy.services;
        let def = p
            .cases
            .get(usize::from(kind))
            .ok_or_else(|| CaseError::unknown(CaseErrorKind::UnknownKind, "case kind", "", &[]))?;
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
                        kind: CaseErrorKind::UnknownSeverity,
                        message: format!(
                            "case `{}` has no severities, but severity `{s}` was given",
                            def.kind
                        ),
                        help: None,
                    });
                }
                names.iter().position(|n| n == s).ok_or_else(|| {
                    CaseError::unknown(CaseErrorKind::UnknownSeverity, "severity", s, &names)
                })?
            }
        };
        let channel = match &self.channel {
            None => None,
            Some(c) => {
                let names: Vec<&str> = p.channels.iter().map(String::as_str).collect();
                let i = names.iter().position(|n| n == c).ok_or_else(|| {
                    CaseError::unknown(CaseErrorKind::UnknownChannel, "channel", c, &names)
                })?;
                Some(u16::try_from(i).unwrap_or(u16::MAX))
            }
        };
        for (from, to) in &self.pauses {
            if to < from {
                return Err(CaseError {
                    kind: CaseErrorKind::ReversedPause,
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
