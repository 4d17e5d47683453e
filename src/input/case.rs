//! Cases to handle: kind, severity, channel, opening time and pauses, checked against a
//! compiled policy.

use chrono::{DateTime, Utc};

use crate::error::did_you_mean;
use crate::model::Compiled;

/// Why a case could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CaseError {
    pub(crate) message: String,
    pub(crate) help: Option<String>,
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

/// A case to handle: its kind, severity, channel, opening time and pauses.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub(crate) kind: u16,
    pub(crate) severity: usize,
    pub(crate) channel: Option<u16>,
    pub(crate) opened: DateTime<Utc>,
    pub(crate) pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub(crate) policy_key: usize,
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
    pub(crate) policy: &'p Compiled,
    pub(crate) kind: Result<u16, CaseError>,
    pub(crate) severity: Option<String>,
    pub(crate) channel: Option<String>,
    pub(crate) opened: DateTime<Utc>,
    pub(crate) pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl<'p> CaseBuilder<'p> {
    pub(crate) fn new(policy: &'p Compiled, kind: &str, opened: DateTime<Utc>) -> CaseBuilder<'p> {
        let cases = &policy.services.cases;
        let kind = match cases.iter().position(|c| c.kind == kind) {
            Some(i) => u16::try_from(i).map_err(|_| CaseError::unknown("case kind", kind, &[])),
            None => {
                let names: Vec<&str> = cases.iter().map(|c| c.kind.as_str()).collect();
                Err(CaseError::unknown("case kind", kind, &names))
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
