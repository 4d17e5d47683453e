//! Scenario tests of a policy: TOML files of example customers (and cases) with the tier,
//! score, service, route and deadlines a policy author expects, run against the compiled
//! policy. The format is described on [`Suite`].

mod read;
mod report;
mod run;

use read::{find, non_empty, parse_document, sources, Reader};
pub use report::{Mismatch, ScenarioOutcome, SuiteReport};

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use toml::de::DeValue;
use toml::Spanned;

use crate::duration::BusinessDuration;
use crate::error::{Diag, DiagnosticKind, Diags, LoadError, Span};
use crate::input::Case;
use crate::input::InputValue;
use crate::policy::Policy;
use crate::raw::Cx;

type Value<'i> = Spanned<DeValue<'i>>;

/// The scenarios of one scenario file, checked against a policy and ready to run.
///
/// A scenario file sits beside its policy and is named after it:
/// `policies/ocean-shipping.tests.toml` tests `policies/ocean-shipping.toml`.
///
/// ```toml
/// policy = "ocean-shipping.toml"   # optional: the file name without `.tests`, beside this file
/// as_of = 2026-06-30               # optional default day of every scenario
///
/// [[scenario]]
/// name = "a big regional forwarder is key"
/// customer = { id = "S1", annual_teu = 3200, customer_since = 2016-04-01,
///              gross_margin_pct = 11.5, influence = "national_leader" }
/// expect = { tier = "key", score = "77.42", qualified_tier = "key", decided_by = "qualified" }
///
/// [[scenario]]
/// name = "a VIP complaint at midnight is acknowledged within 15 minutes"
/// as_of = 2026-07-01
/// customer = { annual_teu = 12000, customer_since = 2012-01-01, gross_margin_pct = 16,
///              influence = "global_leader", credit_rating = "A" }
/// case = { kind = "complaint", severity = "major", opened = 2026-06-30T23:50:00+08:00 }
/// expect.tier = "vip"
/// expect.service = { support_hours = "24x7", account_manager = "dedicated" }
/// expect.route = { queue = "vip-desk", assign = "account_manager" }
/// expect.deadlines = { acknowledge = 2026-07-01T00:05:00+08:00 }
/// ```
///
/// The format:
///
/// - top level: `policy` (path relative to the scenario file), `as_of` (a date), and the
///   `[[scenario]]` entries.
/// - a scenario: `name` (required, unique in the file), `description` (free text),
///   `as_of` (required unless the file gives one), `customer` (required), `case`
///   (optional) and `expect` (required, at least one expectation).
/// - `customer`: `id` (default: the scenario's name), then metrics and the state and pin
///   fields (`previous_tier`, `tier_since`, `last_qualified`, `pinned_tier`, `pinned_until`,
///   `pin_reason`), as in a CSV row. Numbers are read exactly from their literal text;
///   strings are read by the field's type as a CSV cell is (`""` means absent). A name
///   that is neither a metric nor a state or pin field is a diagnostic.
/// - `case`: `kind` (required), `severity`, `channel`, `opened` (required) and `paused`, a
///   list of `[from, to]` pairs. Times are TOML date-times or strings in RFC 3339; a time
///   without an offset is read in the policy's time zone.
/// - `expect`: every key is optional.
///   - `tier`, `qualified_tier`: tier ids; `score`: a number or a string, compared as a
///     number (`"77.4"` equals `77.40`); `decided_by`: `qualified`, `floor`, `buffer`,
///     `grace`, `step_limit`, `cap` or `pin`.
///   - `dimensions`: dimension name to score, compared as numbers.
///   - `state`: the new state, `tier_since` (a date) and `last_qualified` (a date, or
///     `"never"`).
///   - `service`: `support_hours` (a calendar or `24x7`), `account_manager`,
///     `review_every_days`, `channels` and `benefits` (each compared as a set: the same
///     ids in any order, none missing and none extra), `response` (channel to duration;
///     only the channels listed are compared, `"1m"` equals `"60s"`).
///   - `route` (needs a `case`): `queue`, and `assign` (`""` for no one).
///   - `deadlines` (needs a `case`): milestone to due time, compared as instants.
///   - `escalation` (needs a `case`): a list of `{ milestone, notify, at, due }`, each
///     naming one step of the case's escalation ladders (`at` only to tell apart two steps
///     that notify the same person); only the steps listed are compared.
///   - `error`: the customer must be rejected (or its evaluation fail) with a message
///     containing this text, compared case-sensitively; it cannot be combined with other
///     expectations.
///
/// Names the policy does not define (a tier, queue, calendar, benefit, channel, milestone,
/// dimension...) in a scenario are diagnostics with a "did you mean", like mistakes in a
/// policy: such an expectation could never pass. An expected value that the policy knows
/// but does not produce is a failure of the scenario. A customer the policy rejects (a
/// value outside a metric's range, an unknown enum value, a missing metric) fails the
/// scenario with the library's message, unless the scenario expects that `error`.
///
/// # Example
///
/// ```
/// use tierwise::scenario::Suite;
/// use tierwise::Policy;
///
/// // the demo policy: `teu` scored linearly to 1000, `key` from 50, `standard` below
/// let demo = include_str!("../../../tests/inputs/demo.toml");
/// let policy = Policy::from_toml_str("demo.toml", demo)?;
///
/// let suite = Suite::from_toml_str("demo.tests.toml", r#"
/// as_of = 2026-06-30
///
/// [[scenario]]
/// name = "625.5 TEU is key"
/// customer = { teu = 625.5 }
/// expect = { tier = "key", score = "62.55" }
///
/// [[scenario]]
/// name = "a negative volume is rejected"
/// customer = { teu = -1 }
/// expect.error = "below the minimum"
///
/// [[scenario]]
/// name = "400 TEU is key (it is not)"
/// customer = { teu = 400 }
/// expect.tier = "key"
/// "#, &policy)?;
///
/// let report = suite.run();
/// assert_eq!((report.passed(), report.failed()), (2, 1));
/// let failure = &report.outcomes()[2];
/// assert_eq!(failure.line(), 14);
/// assert_eq!(failure.mismatches()[0].to_string(), "tier: expected `key`, actual `standard`");
/// assert!(report.to_string().ends_with("\n2 passed, 1 failed"));
///
/// // a tier the policy does not have is a mistake in the file, found before running
/// let err = Suite::from_toml_str("demo.tests.toml", r#"
/// [[scenario]]
/// name = "typo"
/// as_of = 2026-06-30
/// customer = { teu = 10 }
/// expect.tier = "standrd"
/// "#, &policy).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "demo.tests.toml:6:15: policy `demo` has no tier `standrd` (help: did you mean `standard`?)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Suite {
    name: Arc<str>,
    policy: Policy,
    scenarios: Vec<Scenario>,
}

#[derive(Debug, Clone)]
struct Scenario {
    name: String,
    line: usize,
    column: usize,
    as_of: NaiveDate,
    customer_id: String,
    fields: Vec<(String, InputValue)>,
    /// The case, and how the trace describes it (`case complaint, severity major`).
    case: Option<(Case, String)>,
    expect: Expect,
}

#[derive(Debug, Clone, Default)]
struct Expect {
    tier: Option<String>,
    score: Option<Decimal>,
    qualified_tier: Option<String>,
    decided_by: Option<String>,
    /// Dimension index, name, score.
    dimensions: Vec<(usize, String, Decimal)>,
    tier_since: Option<NaiveDate>,
    /// `Some(None)` for `"never"`.
    last_qualified: Option<Option<NaiveDate>>,
    service: ServiceExpect,
    queue: Option<String>,
    /// `Some(None)` for `""`: no one is assigned.
    assign: Option<Option<String>>,
    deadlines: Vec<(String, DateTime<Utc>)>,
    escalation: Vec<StepExpect>,
    error: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct ServiceExpect {
    support_hours: Option<String>,
    account_manager: Option<String>,
    channels: Option<Vec<String>>,
    review_every_days: Option<i64>,
    benefits: Option<Vec<String>>,
    response: Vec<(String, BusinessDuration)>,
}

impl ServiceExpect {
    fn is_empty(&self) -> bool {
        self.support_hours.is_none()
            && self.account_manager.is_none()
            && self.channels.is_none()
            && self.review_every_days.is_none()
            && self.benefits.is_none()
            && self.response.is_empty()
    }
}

#[derive(Debug, Clone)]
struct StepExpect {
    milestone: String,
    notify: String,
    at: Option<String>,
    due: DateTime<Utc>,
}

impl Expect {
    fn is_empty(&self) -> bool {
        self.tier.is_none()
            && self.score.is_none()
            && self.qualified_tier.is_none()
            && self.decided_by.is_none()
            && self.dimensions.is_empty()
            && self.tier_since.is_none()
            && self.last_qualified.is_none()
            && self.service.is_empty()
            && self.queue.is_none()
            && self.assign.is_none()
            && self.deadlines.is_empty()
            && self.escalation.is_empty()
            && self.error.is_none()
    }
}

impl Suite {
    /// Reads a scenario file and checks it against `policy`. `name` is how diagnostics refer
    /// to the file (usually its path).
    ///
    /// Every mistake of the file is reported at once in the [`LoadError`]: TOML syntax,
    /// unknown keys, values of the wrong type, customer fields that are not metrics of the
    /// policy, and names the policy does not define.
    pub fn from_toml_str(name: &str, text: &str, policy: &Policy) -> Result<Suite, LoadError> {
        let mut diags = Diags::default();
        let scenarios = {
            let mut cx = Cx {
                file: 0,
                src: text,
                diags: &mut diags,
            };
            match parse_document(&mut cx, text) {
                Some(doc) => Reader::new(cx, policy).file(doc.get_ref()),
                None => Vec::new(),
            }
        };
        if !diags.is_empty() {
            return Err(LoadError::new(diags.list, &sources(name, text)));
        }
        Ok(Suite {
            name: Arc::from(name),
            policy: policy.clone(),
            scenarios,
        })
    }

    /// The policy a scenario file tests, as a path relative to the scenario file: its
    /// `policy` key, or else the file's own name without `.tests` (`ocean-shipping.toml`
    /// for `policies/ocean-shipping.tests.toml`).
    ///
    /// Fails on a file that is not valid TOML, a `policy` that is not a string, and a file
    /// whose name does not end in `.tests.toml` and that has no `policy` key.
    ///
    /// ```
    /// use tierwise::scenario::Suite;
    /// assert_eq!(Suite::policy_path("policies/ocean-shipping.tests.toml", "")?, "ocean-shipping.toml");
    /// assert_eq!(Suite::policy_path("a.tests.toml", "policy = \"../b.toml\"")?, "../b.toml");
    /// # Ok::<(), tierwise::LoadError>(())
    /// ```
    pub fn policy_path(name: &str, text: &str) -> Result<String, LoadError> {
        let mut diags = Diags::default();
        let mut found = None;
        {
            let mut cx = Cx {
                file: 0,
                src: text,
                diags: &mut diags,
            };
            if let Some(doc) = parse_document(&mut cx, text) {
                if let Some((_, v)) = find(doc.get_ref(), "policy") {
                    found = non_empty(&mut cx, v, "`policy`").map(|s| s.v);
                }
            }
        }
        if !diags.is_empty() {
            return Err(LoadError::new(diags.list, &sources(name, text)));
        }
        if let Some(path) = found {
            return Ok(path);
        }
        let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
        match file.strip_suffix(".tests.toml") {
            Some(stem) if !stem.is_empty() => Ok(format!("{stem}.toml")),
            _ => {
                diags.push(
                    Diag::new(
                        DiagnosticKind::MissingKey,
                        Span::new(0, 0..0),
                        format!(
                            "the scenario file names no `policy`, and its name `{file}` does not end in `.tests.toml`"
                        ),
                    )
                    .with_help(
                        "add `policy = \"NAME.toml\"` at the top: the policy's path, relative to this file",
                    ),
                );
                Err(LoadError::new(diags.list, &sources(name, text)))
            }
        }
    }

    /// The scenario file's name, as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The policy the scenarios run against.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The number of scenarios.
    pub fn len(&self) -> usize {
        self.scenarios.len()
    }

    /// Whether the file has no scenarios (never true for a file that loaded).
    pub fn is_empty(&self) -> bool {
        self.scenarios.is_empty()
    }

    /// The scenarios' names, in file order.
    pub fn scenario_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.scenarios.iter().map(|s| s.name.as_str())
    }

    /// Runs every scenario.
    pub fn run(&self) -> SuiteReport {
        SuiteReport {
            outcomes: self
                .scenarios
                .iter()
                .map(|s| run::run_one(&self.name, &self.policy, s))
                .collect(),
        }
    }
}
