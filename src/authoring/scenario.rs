//! Scenario tests of a policy: TOML files of example customers (and cases) with the tier,
//! score, service, route and deadlines a policy author expects, run against the compiled
//! policy. The format is described on [`Suite`].

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use crate::compile::{MAX_FILE_BYTES, MAX_RULES};
use crate::decimal::parse_decimal;
use crate::duration::BusinessDuration;
use crate::error::{closest, line_col, Diag, DiagnosticKind, Diags, LoadError, Source, Span};
use crate::explain::Explanation;
use crate::input::Case;
use crate::input::{InputValue, STATE_FIELDS};
use crate::keys::{
    self, ACCOUNT_MANAGERS, DECISIONS, EXPECT_KEYS, EXPECT_ROUTE_KEYS as ROUTE_KEYS,
    EXPECT_SERVICE_KEYS as SERVICE_KEYS, EXPECT_STATE_KEYS as STATE_KEYS,
    EXPECT_STEP_KEYS as STEP_KEYS, SCENARIO_CASE_KEYS as CASE_KEYS, SCENARIO_FILE_KEYS as TOP_KEYS,
    SCENARIO_KEYS,
};
use crate::policy::Policy;
use crate::raw::{Cx, Sp};

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
/// let policy = Policy::from_toml_str("demo.toml", r#"
/// [policy]
/// id = "demo"
/// version = "1"
/// timezone = "UTC"
/// [metrics]
/// teu = { type = "decimal", min = 0 }
/// [scoring.dimensions.volume]
/// metric = "teu"
/// weight = 1
/// curve = "linear"
/// points = [[0, 0], [1000, 100]]
/// [[tiers]]
/// id = "key"
/// min_score = 50
/// [[tiers]]
/// id = "standard"
/// min_score = 0
/// "#)?;
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

/// One expected value that the policy did not produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    field: String,
    expected: String,
    actual: String,
}

impl Mismatch {
    fn new(
        field: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Mismatch {
            field: field.into(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// What was compared, as its key under `expect` (`tier`, `service.benefits`,
    /// `deadlines.acknowledge`, `escalation.resolve.team_lead`, `error`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The expected value, as text.
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// What the policy produced, as text.
    pub fn actual(&self) -> &str {
        &self.actual
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected `{}`, actual `{}`",
            self.field, self.expected, self.actual
        )
    }
}

/// The result of one scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioOutcome {
    name: String,
    path: Arc<str>,
    line: usize,
    column: usize,
    mismatches: Vec<Mismatch>,
    trace: Option<String>,
}

impl ScenarioOutcome {
    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }

    /// The 1-based line of the scenario (its `[[scenario]]` header) in the scenario file.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The expectations that did not hold, in the order of the format's `expect` keys.
    pub fn mismatches(&self) -> &[Mismatch] {
        &self.mismatches
    }

    /// For a failed scenario whose customer was evaluated: the trace of the evaluation
    /// (the [`Explanation`], then the service, route and deadlines when the scenario has a
    /// case), for a person to read.
    pub fn trace(&self) -> Option<&str> {
        self.trace.as_deref()
    }
}

impl fmt::Display for ScenarioOutcome {
    /// `ok      NAME`, or `FAILED  NAME` with the location, each mismatch with its expected
    /// and actual values, and the trace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.passed() {
            return write!(f, "ok      {}", self.name);
        }
        writeln!(f, "FAILED  {}", self.name)?;
        write!(f, "  --> {}:{}:{}", self.path, self.line, self.column)?;
        for m in &self.mismatches {
            writeln!(f)?;
            writeln!(f, "  {}", m.field)?;
            writeln!(f, "    expected: {}", indent_rest(&m.expected, 14))?;
            write!(f, "    actual:   {}", indent_rest(&m.actual, 14))?;
        }
        if let Some(trace) = &self.trace {
            writeln!(f)?;
            write!(f, "  trace:")?;
            for line in trace.lines() {
                writeln!(f)?;
                if !line.is_empty() {
                    write!(f, "    {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// Indents every line but the first of `text` by `n` spaces.
fn indent_rest(text: &str, n: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(n)))
}

/// The results of running a [`Suite`].
///
/// `Display` prints each scenario (see [`ScenarioOutcome`]), a blank line and the summary
/// `N passed, M failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteReport {
    outcomes: Vec<ScenarioOutcome>,
}

impl SuiteReport {
    /// Each scenario's outcome, in file order.
    pub fn outcomes(&self) -> &[ScenarioOutcome] {
        &self.outcomes
    }

    /// How many scenarios passed.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.passed()).count()
    }

    /// How many scenarios failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }

    /// Whether every scenario passed.
    pub fn all_passed(&self) -> bool {
        self.outcomes.iter().all(ScenarioOutcome::passed)
    }
}

impl fmt::Display for SuiteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for o in &self.outcomes {
            writeln!(f, "{o}")?;
            if !o.passed() {
                writeln!(f)?;
            }
        }
        if self.outcomes.last().is_some_and(ScenarioOutcome::passed) {
            writeln!(f)?;
        }
        write!(f, "{} passed, {} failed", self.passed(), self.failed())
    }
}

fn sources(name: &str, text: &str) -> [Source; 1] {
    [Source {
        name: Arc::from(name),
        text: Arc::from(text),
    }]
}

/// Parses the TOML of a scenario file, recording syntax errors; `None` if there were any.
fn parse_document<'i>(cx: &mut Cx<'_>, text: &'i str) -> Option<Spanned<DeTable<'i>>> {
    if text.len() > MAX_FILE_BYTES {
        let span = cx.span(0..0);
        cx.error(
            DiagnosticKind::Limit,
            span,
            format!(
                "scenario file is {} bytes, more than the limit of 1 MiB ({MAX_FILE_BYTES} bytes)",
                text.len()
            ),
        );
        return None;
    }
    let (doc, errors) = DeTable::parse_recoverable(text);
    for e in &errors {
        let span = cx.span(e.span().unwrap_or(0..0));
        let message = e.message().trim().trim_end_matches('.');
        let message = match e.span() {
            Some(range) if message == "duplicate key" => {
                let key = text.get(range).unwrap_or("").trim();
                format!("key `{key}` is defined twice")
            }
            _ => lower_first(message),
        };
        cx.error(DiagnosticKind::Syntax, span, message);
    }
    errors.is_empty().then_some(doc)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !s.chars().nth(1).is_some_and(char::is_uppercase) => {
            f.to_lowercase().collect::<String>() + c.as_str()
        }
        _ => s.to_owned(),
    }
}

fn find<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<(Span, &'t Value<'i>)> {
    table.iter().find_map(|(k, v)| {
        let name: &str = k.get_ref();
        (name == key).then(|| (Span::new(0, k.span()), v))
    })
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
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
            outcomes: self.scenarios.iter().map(|s| self.run_one(s)).collect(),
        }
    }

    fn run_one(&self, s: &Scenario) -> ScenarioOutcome {
        let mut mismatches = Vec::new();
        let mut trace = None;
        let wanted_error = s
            .expect
            .error
            .as_ref()
            .map(|e| format!("an error containing `{e}`"));
        match evaluate(&self.policy, s) {
            Err(errors) => {
                let matched = s
                    .expect
                    .error
                    .as_ref()
                    .is_some_and(|want| errors.iter().any(|e| e.contains(want.as_str())));
                if !matched {
                    mismatches.push(Mismatch::new(
                        "error",
                        wanted_error.unwrap_or_else(|| "no error".to_owned()),
                        errors.join("\n"),
                    ));
                }
            }
            Ok(actual) => {
                if let Some(wanted) = wanted_error {
                    mismatches.push(Mismatch::new(
                        "error",
                        wanted,
                        "no error: the customer was accepted",
                    ));
                }
                compare(&s.expect, &actual, &mut mismatches);
                if !mismatches.is_empty() {
                    trace = Some(actual.trace());
                }
            }
        }
        ScenarioOutcome {
            name: s.name.clone(),
            path: self.name.clone(),
            line: s.line,
            column: s.column,
            mismatches,
            trace,
        }
    }
}

/// A string value that must not be empty.
fn non_empty(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Option<Sp<String>> {
    let s = cx.string(v, what)?;
    if s.v.trim().is_empty() {
        cx.error(
            DiagnosticKind::InvalidValue,
            s.span,
            format!("{what} cannot be empty"),
        );
        return None;
    }
    Some(s)
}

/// Reads the scenarios of a file, checking names against the policy.
struct Reader<'a, 'p> {
    cx: Cx<'a>,
    policy: &'p Policy,
}

impl<'a, 'p> Reader<'a, 'p> {
    fn new(cx: Cx<'a>, policy: &'p Policy) -> Self {
        Reader { cx, policy }
    }

    /// Checks that `name` is one of `known`; otherwise reports ``policy `ID` has no WHAT
    /// `NAME` `` with a "did you mean".
    fn known(&mut self, name: &Sp<String>, what: &str, known: &[&str]) -> bool {
        let message = format!("policy `{}` has no {what} `{}`", self.policy.id(), name.v);
        self.known_as(name, message, known)
    }

    /// Checks that `name` is one of `known`; otherwise reports `message` with a "did you
    /// mean", or the list of names.
    fn known_as(&mut self, name: &Sp<String>, message: String, known: &[&str]) -> bool {
        if known.contains(&name.v.as_str()) {
            return true;
        }
        let help = match closest(&name.v, known.iter().copied()) {
            Some(c) => format!("did you mean `{c}`?"),
            None if known.is_empty() => "there are none".to_owned(),
            None => format!("expected one of {}", list(known)),
        };
        self.cx
            .push(Diag::new(DiagnosticKind::UnknownName, name.span, message).with_help(help));
        false
    }

    /// A string naming one of `known`.
    fn name(&mut self, v: &Value<'_>, key: &str, what: &str, known: &[&str]) -> Option<String> {
        let s = self.cx.string(v, &format!("`{key}`"))?;
        self.known(&s, what, known).then_some(s.v)
    }

    fn file(mut self, root: &DeTable<'_>) -> Vec<Scenario> {
        let whole = self.cx.span(0..0);
        self.cx.check_keys(whole, root, TOP_KEYS, "a scenario file");
        if let Some((_, v)) = find(root, "policy") {
            non_empty(&mut self.cx, v, "`policy`");
        }
        let as_of = find(root, "as_of").and_then(|(_, v)| self.cx.date(v, "`as_of`"));
        let mut out = Vec::new();
        let Some((key, v)) = find(root, "scenario") else {
            if !root.iter().any(|(k, _)| {
                let k: &str = k.get_ref();
                closest(k, keys::names(TOP_KEYS)) == Some("scenario")
            }) {
                self.cx.push(
                    Diag::new(
                        DiagnosticKind::MissingKey,
                        whole,
                        "the scenario file has no scenarios",
                    )
                    .with_help("add one with a `[[scenario]]` header, then `name`, `customer` and `expect`"),
                );
            }
            return out;
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.cx.push(
                Diag::new(
                    DiagnosticKind::WrongType,
                    key,
                    "`scenario` must be an array of tables, found a single table",
                )
                .with_help(
                    "write the header of each scenario as `[[scenario]]`, with two brackets",
                ),
            );
            return out;
        };
        if items.len() > MAX_RULES {
            self.cx.error(
                DiagnosticKind::Limit,
                key,
                format!("more than {MAX_RULES} scenarios"),
            );
            return out;
        }
        let mut names: Vec<Sp<String>> = Vec::new();
        for item in items.iter() {
            let Some(t) = self.cx.table(item, "each `[[scenario]]`") else {
                continue;
            };
            let span = self.cx.span(item.span());
            if let Some(s) = self.scenario(span, t, as_of.as_ref().map(|d| d.v), &mut names) {
                out.push(s);
            }
        }
        out
    }

    fn scenario(
        &mut self,
        span: Span,
        t: &DeTable<'_>,
        file_as_of: Option<NaiveDate>,
        names: &mut Vec<Sp<String>>,
    ) -> Option<Scenario> {
        self.cx.check_keys(span, t, SCENARIO_KEYS, "a scenario");
        let mut ok = true;
        let name = find(t, "name").and_then(|(_, v)| non_empty(&mut self.cx, v, "`name`"));
        match &name {
            Some(n) => {
                if let Some(first) = names.iter().find(|f| f.v == n.v) {
                    self.cx.push(
                        Diag::new(
                            DiagnosticKind::Duplicate,
                            n.span,
                            format!("two scenarios are named `{}`", n.v),
                        )
                        .with_first(first.span)
                        .with_help("give each scenario its own name"),
                    );
                    ok = false;
                } else {
                    names.push(n.clone());
                }
            }
            None => {
                if !self.cx.diags.was_written(span, "name") {
                    self.cx.push(
                        Diag::new(DiagnosticKind::MissingKey, span, "a scenario needs a `name`")
                            .with_help("say in a few words what the scenario shows: name = \"a strategic account is never below key\""),
                    );
                }
                ok = false;
            }
        }
        if let Some((_, v)) = find(t, "description") {
            self.cx.string(v, "`description`");
        }
        let what = match &name {
            Some(n) => format!("scenario `{}`", n.v),
            None => "the scenario".to_owned(),
        };
        let as_of = match find(t, "as_of") {
            Some((_, v)) => self.cx.date(v, "`as_of`").map(|d| d.v),
            None => {
                if file_as_of.is_none() {
                    self.cx.push(
                        Diag::new(
                            DiagnosticKind::MissingKey,
                            span,
                            format!("{what} has no `as_of` date, and the file gives none"),
                        )
                        .with_help("add `as_of = 2026-06-30` to the scenario, or once at the top of the file for all"),
                    );
                }
                file_as_of
            }
        };
        let customer = match find(t, "customer") {
            Some((_, v)) => self.customer(v),
            None => {
                if !self.cx.diags.was_written(span, "customer") {
                    self.cx.push(
                        Diag::new(
                            DiagnosticKind::MissingKey,
                            span,
                            format!("{what} has no `customer`"),
                        )
                        .with_help(
                            "add the customer's metrics: customer = { annual_teu = 1200, ... }",
                        ),
                    );
                }
                None
            }
        };
        let mut case = None;
        let mut case_kind = None;
        let mut has_case = false;
        if let Some((_, v)) = find(t, "case") {
            has_case = true;
            match self.case(v) {
                Some((c, kind)) => {
                    case = Some(c);
                    case_kind = Some(kind);
                }
                None => ok = false,
            }
        }
        let expect = match find(t, "expect") {
            Some((key, v)) => self.expect(key, v, has_case, case_kind.as_deref(), &what),
            None => {
                if !self.cx.diags.was_written(span, "expect") {
                    self.nothing_expected(span, &what);
                }
                None
            }
        };
        let (Some(name), Some(as_of), Some((id, fields)), Some(expect), true) =
            (name, as_of, customer, expect, ok)
        else {
            return None;
        };
        let (line, column) = line_col(self.cx.src, span.range().start);
        Some(Scenario {
            customer_id: id.unwrap_or_else(|| name.v.clone()),
            name: name.v,
            line,
            column,
            as_of,
            fields,
            case,
            expect,
        })
    }

    fn nothing_expected(&mut self, span: Span, what: &str) {
        self.cx.push(
            Diag::new(
                DiagnosticKind::MissingKey,
                span,
                format!("{what} expects nothing"),
            )
            .with_help("add what the policy should decide, like `expect.tier = \"key\"`"),
        );
    }

    /// The customer's id and fields.
    #[expect(clippy::type_complexity, reason = "a private helper's pair of results")]
    fn customer(&mut self, v: &Value<'_>) -> Option<(Option<String>, Vec<(String, InputValue)>)> {
        let t = self.cx.table(v, "`customer`")?;
        let policy: &'p Policy = self.policy;
        let metrics: Vec<&str> = policy.metric_names().collect();
        let mut ok = true;
        let mut id = None;
        let mut fields = Vec::new();
        for (k, v) in t.iter() {
            let key: &str = k.get_ref();
            let kspan = self.cx.span(k.span());
            if key == "id" {
                match v.get_ref() {
                    DeValue::Integer(_) | DeValue::Float(_) => {
                        let literal = self.cx.src.get(v.span()).unwrap_or("").to_owned();
                        let span = self.cx.span(v.span());
                        self.cx.push(
                            Diag::new(
                                DiagnosticKind::WrongType,
                                span,
                                "the customer's `id` must be a string, found a number",
                            )
                            .with_help(format!("quote it: id = \"{literal}\"")),
                        );
                        ok = false;
                    }
                    _ => id = self.cx.string(v, "the customer's `id`").map(|s| s.v),
                }
                continue;
            }
            if !metrics.contains(&key) && !STATE_FIELDS.contains(&key) {
                let candidates = metrics.iter().copied().chain(STATE_FIELDS).chain(["id"]);
                let help = match closest(key, candidates) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!(
                        "a customer has an `id`, the metrics of the policy ({}) and the state and pin fields ({})",
                        list(&metrics),
                        list(&STATE_FIELDS)
                    ),
                };
                self.cx.push(
                    Diag::new(
                        DiagnosticKind::UnknownName,
                        kspan,
                        format!(
                            "`{key}` is neither a metric of policy `{}` nor a state or pin field",
                            self.policy.id()
                        ),
                    )
                    .with_help(help),
                );
                ok = false;
                continue;
            }
            match self.input_value(v, key) {
                Some(value) => fields.push((key.to_owned(), value)),
                None => ok = false,
            }
        }
        ok.then_some((id, fields))
    }

    /// A customer's value: a number (exact), a string, a date or a boolean.
    fn input_value(&mut self, v: &Value<'_>, key: &str) -> Option<InputValue> {
        let what = format!("`{key}`");
        match v.get_ref() {
            DeValue::String(s) => Some(InputValue::Text(s.to_string())),
            DeValue::Integer(_) | DeValue::Float(_) => {
                self.cx.number(v, &what).map(|n| InputValue::Decimal(n.v))
            }
            DeValue::Boolean(b) => Some(InputValue::Bool(*b)),
            DeValue::Datetime(_) => self.cx.date(v, &what).map(|d| InputValue::Date(d.v)),
            DeValue::Array(_) | DeValue::Table(_) => {
                let span = self.cx.span(v.span());
                self.cx.push(Diag::new(
                    DiagnosticKind::WrongType,
                    span,
                    format!("{what} must be a number, a string, a date or true/false"),
                ));
                None
            }
        }
    }

    /// An instant: a date-time with an offset, or a local one in the policy's time zone.
    fn instant(&mut self, v: &Value<'_>, what: &str) -> Option<DateTime<Utc>> {
        let dt = self.cx.datetime(v, what)?;
        let (local, offset) = dt.v;
        if let Some(o) = offset {
            return match o.from_local_datetime(&local) {
                LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
                _ => None,
            };
        }
        let tz: Tz = self.policy.timezone();
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
            LocalResult::None => {
                self.cx.push(
                    Diag::new(
                        DiagnosticKind::InvalidValue,
                        dt.span,
                        format!("{what} {local} does not exist in the time zone `{tz}` (a clock change skips it)"),
                    )
                    .with_help("give the time with its UTC offset, like 2026-03-08T03:30:00-04:00"),
                );
                None
            }
        }
    }

    /// The case and its kind's name.
    fn case(&mut self, v: &Value<'_>) -> Option<((Case, String), String)> {
        let t = self.cx.table(v, "`case`")?;
        let span = self.cx.span(v.span());
        self.cx.check_keys(span, t, CASE_KEYS, "a case");
        let policy: &'p Policy = self.policy;
        let kinds: Vec<&str> = policy.case_kinds().collect();
        let mut ok = true;
        let kind = match find(t, "kind") {
            Some((_, v)) => self.name(v, "kind", "case kind", &kinds),
            None => {
                if !self.cx.diags.was_written(span, "kind") {
                    self.cx.push(
                        Diag::new(DiagnosticKind::MissingKey, span, "the case has no `kind`")
                            .with_help(match kinds.is_empty() {
                                true => "the policy has no `[cases]`".to_owned(),
                                false => format!("the policy's case kinds are {}", list(&kinds)),
                            }),
                    );
                }
                None
            }
        };
        let mut severity = None;
        if let Some((_, v)) = find(t, "severity") {
            let s = self.cx.string(v, "`severity`");
            if let (Some(s), Some(kind)) = (s, &kind) {
                let known: Vec<&str> = policy
                    .severities(kind)
                    .map(Iterator::collect)
                    .unwrap_or_default();
                if known.is_empty() {
                    self.cx.push(
                        Diag::new(
                            DiagnosticKind::UnknownName,
                            s.span,
                            format!("case `{kind}` has no severities"),
                        )
                        .with_help("remove `severity`"),
                    );
                    ok = false;
                } else if self.known_as(
                    &s,
                    format!("case `{kind}` has no severity `{}`", s.v),
                    &known,
                ) {
                    severity = Some(s.v);
                } else {
                    ok = false;
                }
            } else {
                ok = false;
            }
        }
        let mut channel = None;
        if let Some((_, v)) = find(t, "channel") {
            let policy: &'p Policy = self.policy;
            let channels: Vec<&str> = policy
                .inner
                .services
                .channels
                .iter()
                .map(String::as_str)
                .collect();
            channel = self.name(v, "channel", "channel", &channels);
            ok &= channel.is_some();
        }
        let opened = match find(t, "opened") {
            Some((_, v)) => self.instant(v, "`opened`"),
            None => {
                if !self.cx.diags.was_written(span, "opened") {
                    self.cx.push(
                        Diag::new(
                            DiagnosticKind::MissingKey,
                            span,
                            "the case has no `opened` time",
                        )
                        .with_help("add when it opened, like opened = 2026-06-30T09:15:00+08:00"),
                    );
                }
                None
            }
        };
        let mut pauses = Vec::new();
        if let Some((_, v)) = find(t, "paused") {
            match self.pauses(v) {
                Some(p) => pauses = p,
                None => ok = false,
            }
        }
        let (Some(kind), Some(opened), true) = (kind, opened, ok) else {
            return None;
        };
        let mut b = self.policy.case(&kind, opened);
        if let Some(s) = &severity {
            b = b.severity(s);
        }
        if let Some(c) = &channel {
            b = b.channel(c);
        }
        for (from, to) in pauses {
            b = b.pause(from, to);
        }
        match b.build() {
            Ok(c) => {
                let severity = severity.or_else(|| {
                    policy
                        .severities(&kind)
                        .and_then(|mut s| s.next())
                        .map(str::to_owned)
                });
                let mut text = format!("case {kind}");
                if let Some(s) = severity {
                    text.push_str(&format!(", severity {s}"));
                }
                if let Some(c) = channel {
                    text.push_str(&format!(", channel {c}"));
                }
                Some(((c, text), kind))
            }
            Err(e) => {
                self.cx.push(
                    Diag::new(DiagnosticKind::InvalidValue, span, e.to_string())
                        .with_help_opt(e.help().map(str::to_owned)),
                );
                None
            }
        }
    }

    fn pauses(&mut self, v: &Value<'_>) -> Option<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        let arr = self.cx.array(v, "`paused`")?;
        let mut out = Vec::new();
        let mut ok = true;
        for item in arr.iter() {
            let span = self.cx.span(item.span());
            let pair = match item.get_ref() {
                DeValue::Array(p) if p.len() == 2 => p,
                _ => {
                    self.cx.push(
                        Diag::new(
                            DiagnosticKind::WrongType,
                            span,
                            "each pause must be a pair `[from, to]`",
                        )
                        .with_help("write paused = [[2026-07-01T10:00:00+08:00, 2026-07-01T11:00:00+08:00]]"),
                    );
                    ok = false;
                    continue;
                }
            };
            let (Some(a), Some(b)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            let from = self.instant(a, "a pause's start");
            let to = self.instant(b, "a pause's end");
            match (from, to) {
                (Some(from), Some(to)) if to < from => {
                    self.cx.error(
                        DiagnosticKind::Ordering,
                        span,
                        "the pause ends before it starts",
                    );
                    ok = false;
                }
                (Some(from), Some(to)) => out.push((from, to)),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn expect(
        &mut self,
        key: Span,
        v: &Value<'_>,
        has_case: bool,
        case_kind: Option<&str>,
        what: &str,
    ) -> Option<Expect> {
        let t = self.cx.table(v, "`expect`")?;
        self.cx.check_keys(key, t, EXPECT_KEYS, "`expect`");
        let policy: &'p Policy = self.policy;
        let tiers: Vec<&str> = policy.inner.tier_ids.iter().map(String::as_str).collect();
        let mut e = Expect::default();
        let mut ok = true;
        let mut needs_case = None;
        let mut error_key = None;
        let mut other_key = None;
        for (k, v) in t.iter() {
            let name: &str = k.get_ref();
            let kspan = self.cx.span(k.span());
            if keys::find(EXPECT_KEYS, name).is_none() {
                ok = false;
                continue;
            }
            if name == "error" {
                error_key = Some(kspan);
            } else if other_key.is_none() {
                other_key = Some(kspan);
            }
            let read = match name {
                "tier" => {
                    e.tier = self.name(v, "tier", "tier", &tiers);
                    e.tier.is_some()
                }
                "qualified_tier" => {
                    e.qualified_tier = self.name(v, "qualified_tier", "tier", &tiers);
                    e.qualified_tier.is_some()
                }
                "score" => {
                    e.score = self.decimal(v, "the expected `score`");
                    e.score.is_some()
                }
                "decided_by" => {
                    e.decided_by = self.one_of(v, "decided_by", DECISIONS);
                    e.decided_by.is_some()
                }
                "dimensions" => self.dimensions(v, &mut e),
                "state" => self.state(v, &mut e),
                "service" => self.service(kspan, v, &mut e),
                "route" => {
                    needs_case.get_or_insert((kspan, "route"));
                    self.route(kspan, v, &mut e)
                }
                "deadlines" => {
                    needs_case.get_or_insert((kspan, "deadlines"));
                    self.deadlines(v, case_kind, &mut e)
                }
                "escalation" => {
                    needs_case.get_or_insert((kspan, "escalation"));
                    self.escalation(v, case_kind, &mut e)
                }
                "error" => {
                    e.error = non_empty(&mut self.cx, v, "`error`").map(|s| s.v);
                    e.error.is_some()
                }
                _ => true,
            };
            ok &= read;
        }
        if let Some((span, key)) = needs_case {
            if !has_case {
                self.cx.push(
                    Diag::new(
                        DiagnosticKind::Inconsistent,
                        span,
                        format!("`expect.{key}` needs a `case`"),
                    )
                    .with_help("add the case, like case = { kind = \"complaint\", opened = 2026-06-30T09:15:00+08:00 }"),
                );
                ok = false;
            }
        }
        if let (Some(_), Some(other)) = (error_key, other_key) {
            self.cx.push(
                Diag::new(
                    DiagnosticKind::Inconsistent,
                    other,
                    "a scenario that expects an `error` cannot expect anything else",
                )
                .with_help("a rejected customer has no tier; split this into two scenarios"),
            );
            ok = false;
        }
        if ok && e.is_empty() {
            self.nothing_expected(key, what);
            ok = false;
        }
        ok.then_some(e)
    }

    /// A number or a string holding one, read exactly.
    fn decimal(&mut self, v: &Value<'_>, what: &str) -> Option<Decimal> {
        match v.get_ref() {
            DeValue::String(s) => match parse_decimal(s) {
                Ok(d) => Some(d),
                Err(_) => {
                    let span = self.cx.span(v.span());
                    self.cx.error(
                        DiagnosticKind::InvalidValue,
                        span,
                        format!("{what} `{s}` is not a number"),
                    );
                    None
                }
            },
            _ => self.cx.number(v, what).map(|n| n.v),
        }
    }

    /// A string that must be one of a fixed list of words.
    fn one_of(&mut self, v: &Value<'_>, key: &str, words: &[&str]) -> Option<String> {
        let s = self.cx.string(v, &format!("`{key}`"))?;
        if words.contains(&s.v.as_str()) {
            return Some(s.v);
        }
        let help = match closest(&s.v, words.iter().copied()) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("expected one of {}", list(words)),
        };
        self.cx.push(
            Diag::new(
                DiagnosticKind::InvalidValue,
                s.span,
                format!("`{key}` cannot be `{}`", s.v),
            )
            .with_help(help),
        );
        None
    }

    fn dimensions(&mut self, v: &Value<'_>, e: &mut Expect) -> bool {
        let Some(t) = self.cx.table(v, "`dimensions`") else {
            return false;
        };
        let policy: &'p Policy = self.policy;
        let names: Vec<&str> = policy.dimension_names().collect();
        let mut ok = true;
        for (k, v) in t.iter() {
            let name = Sp::new(k.get_ref().to_string(), self.cx.span(k.span()));
            if !self.known(&name, "dimension", &names) {
                ok = false;
                continue;
            }
            let Some(index) = names.iter().position(|n| *n == name.v) else {
                continue;
            };
            match self.decimal(v, &format!("the score of `{}`", name.v)) {
                Some(d) => e.dimensions.push((index, name.v, d)),
                None => ok = false,
            }
        }
        ok
    }

    fn state(&mut self, v: &Value<'_>, e: &mut Expect) -> bool {
        let Some(t) = self.cx.table(v, "`state`") else {
            return false;
        };
        let span = self.cx.span(v.span());
        self.cx.check_keys(span, t, STATE_KEYS, "`expect.state`");
        let mut ok = t
            .iter()
            .all(|(k, _)| keys::find(STATE_KEYS, k.get_ref()).is_some());
        if let Some((_, v)) = find(t, "tier_since") {
            e.tier_since = self.cx.date(v, "`tier_since`").map(|d| d.v);
            ok &= e.tier_since.is_some();
        }
        if let Some((_, v)) = find(t, "last_qualified") {
            e.last_qualified = match v.get_ref() {
                DeValue::String(s) if s.trim() == "never" => Some(None),
                DeValue::String(_) | DeValue::Datetime(_) => {
                    self.cx.date(v, "`last_qualified`").map(|d| Some(d.v))
                }
                _ => {
                    self.cx.date(v, "`last_qualified`");
                    None
                }
            };
            ok &= e.last_qualified.is_some();
        }
        ok
    }

    fn string_set(
        &mut self,
        v: &Value<'_>,
        key: &str,
        what: &str,
        known: &[&str],
    ) -> Option<Vec<String>> {
        let items = self.cx.strings(v, &format!("`{key}`"))?;
        let mut out: Vec<Sp<String>> = Vec::new();
        let mut ok = true;
        for s in items.v {
            if let Some(first) = out.iter().find(|f| f.v == s.v) {
                self.cx.push(
                    Diag::new(
                        DiagnosticKind::Duplicate,
                        s.span,
                        format!("`{}` is listed twice", s.v),
                    )
                    .with_first(first.span),
                );
                ok = false;
                continue;
            }
            ok &= self.known(&s, what, known);
            out.push(s);
        }
        ok.then(|| out.into_iter().map(|s| s.v).collect())
    }

    fn service(&mut self, key: Span, v: &Value<'_>, e: &mut Expect) -> bool {
        let Some(t) = self.cx.table(v, "`service`") else {
            return false;
        };
        if !self.policy.has_services() {
            self.cx.push(
                Diag::new(
                    DiagnosticKind::Inconsistent,
                    key,
                    format!("policy `{}` defines no services", self.policy.id()),
                )
                .with_help(
                    "remove `expect.service`, or add `[service.<tier>]` tables to the policy",
                ),
            );
            return false;
        }
        let span = self.cx.span(v.span());
        self.cx
            .check_keys(span, t, SERVICE_KEYS, "`expect.service`");
        let policy: &'p Policy = self.policy;
        let s = &policy.inner.services;
        let calendars: Vec<&str> = policy.calendar_names().collect();
        let channels: Vec<&str> = s.channels.iter().map(String::as_str).collect();
        let benefits: Vec<&str> = s.benefits.iter().map(|(b, _)| b.as_str()).collect();
        let mut ok = t
            .iter()
            .all(|(k, _)| keys::find(SERVICE_KEYS, k.get_ref()).is_some());
        let x = &mut e.service;
        for (k, v) in t.iter() {
            let read = match k.get_ref().as_ref() {
                "support_hours" => {
                    x.support_hours = self.name(v, "support_hours", "calendar", &calendars);
                    x.support_hours.is_some()
                }
                "account_manager" => {
                    x.account_manager = self.one_of(v, "account_manager", ACCOUNT_MANAGERS);
                    x.account_manager.is_some()
                }
                "review_every_days" => {
                    x.review_every_days = self.cx.integer(v, "`review_every_days`").map(|n| n.v);
                    x.review_every_days.is_some()
                }
                "channels" => {
                    x.channels = self.string_set(v, "channels", "channel", &channels);
                    x.channels.is_some()
                }
                "benefits" => {
                    x.benefits = self.string_set(v, "benefits", "benefit", &benefits);
                    x.benefits.is_some()
                }
                "response" => self.response(v, &channels, &mut x.response),
                _ => true,
            };
            ok &= read;
        }
        ok
    }

    fn response(
        &mut self,
        v: &Value<'_>,
        channels: &[&str],
        out: &mut Vec<(String, BusinessDuration)>,
    ) -> bool {
        let Some(t) = self.cx.table(v, "`response`") else {
            return false;
        };
        let mut ok = true;
        for (k, v) in t.iter() {
            let name = Sp::new(k.get_ref().to_string(), self.cx.span(k.span()));
            if !self.known(&name, "channel", channels) {
                ok = false;
                continue;
            }
            let Some(text) = self
                .cx
                .string(v, &format!("the response time on `{}`", name.v))
            else {
                ok = false;
                continue;
            };
            match text.v.parse::<BusinessDuration>() {
                Ok(d) => out.push((name.v, d)),
                Err(err) => {
                    self.cx
                        .error(DiagnosticKind::InvalidValue, text.span, err.to_string());
                    ok = false;
                }
            }
        }
        ok
    }

    fn route(&mut self, key: Span, v: &Value<'_>, e: &mut Expect) -> bool {
        let Some(t) = self.cx.table(v, "`route`") else {
            return false;
        };
        self.cx.check_keys(key, t, ROUTE_KEYS, "`expect.route`");
        let policy: &'p Policy = self.policy;
        let routing = &policy.inner.services.routing;
        let queues = dedup(routing.iter().map(|r| r.queue.as_str()));
        let assigns = dedup(routing.iter().filter_map(|r| r.assign.as_deref()));
        let mut ok = t
            .iter()
            .all(|(k, _)| keys::find(ROUTE_KEYS, k.get_ref()).is_some());
        if let Some((_, v)) = find(t, "queue") {
            e.queue = self.name(v, "queue", "queue", &queues);
            ok &= e.queue.is_some();
        }
        if let Some((_, v)) = find(t, "assign") {
            match self.cx.string(v, "`assign`") {
                Some(s) if s.v.is_empty() => e.assign = Some(None),
                Some(s) => {
                    if self.known(&s, "assignee", &assigns) {
                        e.assign = Some(Some(s.v));
                    } else {
                        ok = false;
                    }
                }
                None => ok = false,
            }
        }
        ok
    }

    fn deadlines(&mut self, v: &Value<'_>, case_kind: Option<&str>, e: &mut Expect) -> bool {
        let Some(t) = self.cx.table(v, "`deadlines`") else {
            return false;
        };
        let policy: &'p Policy = self.policy;
        let milestones: Vec<&str> = case_kind
            .and_then(|k| policy.milestones(k))
            .map(Iterator::collect)
            .unwrap_or_default();
        let mut ok = true;
        for (k, v) in t.iter() {
            let name = Sp::new(k.get_ref().to_string(), self.cx.span(k.span()));
            if let Some(kind) = case_kind {
                let message = format!("case `{kind}` has no milestone `{}`", name.v);
                if !self.known_as(&name, message, &milestones) {
                    ok = false;
                    continue;
                }
            }
            match self.instant(v, &format!("the deadline of `{}`", name.v)) {
                Some(t) => e.deadlines.push((name.v, t)),
                None => ok = false,
            }
        }
        ok
    }

    fn escalation(&mut self, v: &Value<'_>, case_kind: Option<&str>, e: &mut Expect) -> bool {
        let Some(arr) = self.cx.array(v, "`escalation`") else {
            return false;
        };
        let arr: &DeArray<'_> = arr;
        let policy: &'p Policy = self.policy;
        let s = &policy.inner.services;
        // (milestone, at, notify) of every step of the case's ladders
        let steps: Vec<(String, String, String)> = case_kind
            .and_then(|k| s.cases.iter().position(|c| c.kind == k))
            .map(|kind| {
                let def = s.cases.get(kind);
                s.escalation
                    .iter()
                    .filter(|x| usize::from(x.case) == kind)
                    .flat_map(|x| {
                        let m = def
                            .and_then(|d| d.milestones.get(usize::from(x.milestone)))
                            .cloned()
                            .unwrap_or_default();
                        x.steps
                            .iter()
                            .map(move |st| (m.clone(), st.at.clone(), st.notify.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut ok = true;
        for item in arr.iter() {
            let Some(t) = self.cx.table(item, "each entry of `escalation`") else {
                ok = false;
                continue;
            };
            let span = self.cx.span(item.span());
            self.cx.check_keys(span, t, STEP_KEYS, "an escalation step");
            ok &= t
                .iter()
                .all(|(k, _)| keys::find(STEP_KEYS, k.get_ref()).is_some());
            let field = |r: &mut Self, key: &str| -> Option<Sp<String>> {
                match find(t, key) {
                    Some((_, v)) => r.cx.string(v, &format!("`{key}`")),
                    None => {
                        if !r.cx.diags.was_written(span, key) {
                            r.cx.push(Diag::new(
                                DiagnosticKind::MissingKey,
                                span,
                                format!("the escalation step has no `{key}`"),
                            ).with_help("name a step by `milestone` and `notify`, and give its `due` time"));
                        }
                        None
                    }
                }
            };
            let milestone = field(self, "milestone");
            let notify = field(self, "notify");
            let at = find(t, "at").and_then(|(_, v)| self.cx.string(v, "`at`"));
            let due = match find(t, "due") {
                Some((_, v)) => self.instant(v, "`due`"),
                None => {
                    field(self, "due");
                    None
                }
            };
            let (Some(milestone), Some(notify), Some(due)) = (milestone, notify, due) else {
                ok = false;
                continue;
            };
            if case_kind.is_some() {
                let ms: Vec<&str> = dedup(steps.iter().map(|s| s.0.as_str()));
                let message = format!(
                    "case `{}` has no escalation ladder for milestone `{}`",
                    case_kind.unwrap_or_default(),
                    milestone.v
                );
                if !self.known_as(&milestone, message, &ms) {
                    ok = false;
                    continue;
                }
                let who: Vec<&str> = dedup(
                    steps
                        .iter()
                        .filter(|s| s.0 == milestone.v)
                        .map(|s| s.2.as_str()),
                );
                let message = format!(
                    "no step of the `{}` escalation ladder notifies `{}`",
                    milestone.v, notify.v
                );
                if !self.known_as(&notify, message, &who) {
                    ok = false;
                    continue;
                }
                if let Some(at) = &at {
                    let ats: Vec<&str> = dedup(
                        steps
                            .iter()
                            .filter(|s| s.0 == milestone.v && s.2 == notify.v)
                            .map(|s| s.1.as_str()),
                    );
                    let message = format!(
                        "no step of the `{}` escalation ladder notifies `{}` at `{}`",
                        milestone.v, notify.v, at.v
                    );
                    if !self.known_as(at, message, &ats) {
                        ok = false;
                        continue;
                    }
                }
            }
            e.escalation.push(StepExpect {
                milestone: milestone.v,
                notify: notify.v,
                at: at.map(|a| a.v),
                due,
            });
        }
        ok
    }
}

fn dedup<'s>(items: impl Iterator<Item = &'s str>) -> Vec<&'s str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// What the policy decided for one scenario, owned.
struct Actual {
    explanation: Explanation,
    service: Option<ServiceActual>,
    /// `None` without a case.
    handling: Option<HandlingActual>,
}

struct ServiceActual {
    support_hours: String,
    account_manager: &'static str,
    channels: Vec<String>,
    review_every_days: u32,
    benefits: Vec<String>,
    response: Vec<(String, BusinessDuration)>,
}

struct HandlingActual {
    case: String,
    /// Queue, assignee and rule number; `None` when no rule matches.
    route: Option<(String, Option<String>, usize)>,
    /// Milestone, due time, target, clock and rule.
    deadlines: Vec<(String, DateTime<Tz>, String, String, String)>,
    /// Milestone, at, notify, due time.
    escalation: Vec<(String, String, String, DateTime<Tz>)>,
}

impl Actual {
    /// The trace of a failed scenario: the explanation, then service and case handling.
    fn trace(&self) -> String {
        let mut out = self.explanation.to_string();
        if let Some(s) = &self.service {
            out.push_str(&format!(
                "\n\nservice: support hours {}, account manager {}, review every {} days",
                s.support_hours, s.account_manager, s.review_every_days
            ));
            out.push_str(&format!("\n  channels: {}", s.channels.join(", ")));
            if !s.response.is_empty() {
                let r: Vec<String> = s.response.iter().map(|(c, d)| format!("{c} {d}")).collect();
                out.push_str(&format!("\n  response: {}", r.join(", ")));
            }
            let benefits = if s.benefits.is_empty() {
                "none".to_owned()
            } else {
                s.benefits.join(", ")
            };
            out.push_str(&format!("\n  benefits: {benefits}"));
        }
        if let Some(h) = &self.handling {
            out.push_str(&format!("\n\n{}", h.case));
            match &h.route {
                Some((q, a, rule)) => {
                    let a = a
                        .as_ref()
                        .map(|a| format!(", assigned to {a}"))
                        .unwrap_or_default();
                    out.push_str(&format!("\n  route: queue {q}{a} (routing rule {rule})"));
                }
                None => out.push_str("\n  route: no routing rule matches"),
            }
            for (m, due, target, clock, rule) in &h.deadlines {
                out.push_str(&format!(
                    "\n  {m}: due {} ({target} on {clock}, from {rule})",
                    due.to_rfc3339()
                ));
            }
            for (m, at, notify, due) in &h.escalation {
                out.push_str(&format!(
                    "\n  escalate {m} at {at}: notify {notify} at {}",
                    due.to_rfc3339()
                ));
            }
        }
        out
    }
}

/// Builds the customer and evaluates everything the scenario may compare; the errors of a
/// rejected customer or case otherwise.
fn evaluate(policy: &Policy, s: &Scenario) -> Result<Actual, Vec<String>> {
    let mut b = policy.customer(s.customer_id.as_str());
    for (field, value) in &s.fields {
        b = b.set(field, value.clone());
    }
    let customer = b.build().map_err(|e| {
        e.errors()
            .iter()
            .map(|e| match e.help() {
                Some(h) => format!("{e} (help: {h})"),
                None => e.to_string(),
            })
            .collect::<Vec<_>>()
    })?;
    let explanation = policy
        .explain(&customer, s.as_of)
        .map_err(|e| vec![e.to_string()])?;
    let mut actual = Actual {
        explanation,
        service: None,
        handling: None,
    };
    if !policy.has_services() && s.case.is_none() {
        return Ok(actual);
    }
    let resolution = policy
        .resolve(&customer, s.as_of)
        .map_err(|e| vec![e.to_string()])?;
    actual.service = policy.service(&resolution).map(|sv| ServiceActual {
        support_hours: sv.support_hours().to_owned(),
        account_manager: sv.account_manager().as_str(),
        channels: sv.channels().map(str::to_owned).collect(),
        review_every_days: sv.review_every_days(),
        benefits: sv.benefits().map(str::to_owned).collect(),
        response: sv.responses().map(|(c, d)| (c.to_owned(), d)).collect(),
    });
    if let Some((case, text)) = &s.case {
        let h = policy
            .handle(&customer, &resolution, case)
            .map_err(|e| vec![e.to_string()])?;
        let tz = policy.timezone();
        actual.handling = Some(HandlingActual {
            case: format!(
                "{text}, opened {}",
                case.opened().with_timezone(&tz).to_rfc3339()
            ),
            route: h.route().map(|r| {
                (
                    r.queue().to_owned(),
                    r.assign().map(str::to_owned),
                    r.rule(),
                )
            }),
            deadlines: h
                .deadlines()
                .iter()
                .map(|d| {
                    (
                        d.milestone().to_owned(),
                        d.due(),
                        d.target_text().to_owned(),
                        d.clock().to_owned(),
                        d.rule().to_owned(),
                    )
                })
                .collect(),
            escalation: h
                .escalation()
                .iter()
                .map(|x| {
                    (
                        x.milestone().to_owned(),
                        x.at().to_owned(),
                        x.notify().to_owned(),
                        x.due(),
                    )
                })
                .collect(),
        });
    }
    Ok(actual)
}

fn show_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn same_set(expected: &[String], actual: &[String]) -> bool {
    expected.len() == actual.len() && expected.iter().all(|e| actual.contains(e))
}

fn compare(e: &Expect, a: &Actual, out: &mut Vec<Mismatch>) {
    let x = &a.explanation;
    let mut check = |field: &str, expected: String, actual: String, equal: bool| {
        if !equal {
            out.push(Mismatch::new(field, expected, actual));
        }
    };
    if let Some(t) = &e.tier {
        check("tier", t.clone(), x.tier().to_owned(), t == x.tier());
    }
    if let Some(sc) = e.score {
        check(
            "score",
            sc.to_string(),
            x.score().to_string(),
            sc == x.score(),
        );
    }
    if let Some(t) = &e.qualified_tier {
        check(
            "qualified_tier",
            t.clone(),
            x.qualified_tier().to_owned(),
            t == x.qualified_tier(),
        );
    }
    if let Some(d) = &e.decided_by {
        let actual = x.decided_by().as_str();
        check("decided_by", d.clone(), actual.to_owned(), d == actual);
    }
    for (i, name, want) in &e.dimensions {
        let got = x.dimensions().get(*i).map(|d| d.score());
        check(
            &format!("dimensions.{name}"),
            want.to_string(),
            got.map_or_else(|| "none".to_owned(), |g| g.to_string()),
            got == Some(*want),
        );
    }
    if let Some(d) = e.tier_since {
        let got = x.state().tier_since;
        check("state.tier_since", d.to_string(), got.to_string(), d == got);
    }
    if let Some(d) = e.last_qualified {
        let got = x.state().last_qualified;
        let show = |d: Option<NaiveDate>| d.map_or_else(|| "never".to_owned(), |d| d.to_string());
        check("state.last_qualified", show(d), show(got), d == got);
    }
    if let Some(s) = &a.service {
        let w = &e.service;
        if let Some(h) = &w.support_hours {
            check(
                "service.support_hours",
                h.clone(),
                s.support_hours.clone(),
                *h == s.support_hours,
            );
        }
        if let Some(m) = &w.account_manager {
            check(
                "service.account_manager",
                m.clone(),
                s.account_manager.to_owned(),
                m == s.account_manager,
            );
        }
        if let Some(n) = w.review_every_days {
            check(
                "service.review_every_days",
                n.to_string(),
                s.review_every_days.to_string(),
                n == i64::from(s.review_every_days),
            );
        }
        if let Some(c) = &w.channels {
            check(
                "service.channels",
                show_list(c),
                show_list(&s.channels),
                same_set(c, &s.channels),
            );
        }
        if let Some(b) = &w.benefits {
            check(
                "service.benefits",
                show_list(b),
                show_list(&s.benefits),
                same_set(b, &s.benefits),
            );
        }
        for (channel, want) in &w.response {
            let got = s
                .response
                .iter()
                .find(|(c, _)| c == channel)
                .map(|(_, d)| *d);
            check(
                &format!("service.response.{channel}"),
                want.to_string(),
                got.map_or_else(|| "none".to_owned(), |d| d.to_string()),
                got == Some(*want),
            );
        }
    }
    let Some(h) = &a.handling else {
        return;
    };
    let queue = h.route.as_ref().map(|r| r.0.as_str());
    if let Some(q) = &e.queue {
        check(
            "route.queue",
            q.clone(),
            queue.unwrap_or("none: no routing rule matches").to_owned(),
            Some(q.as_str()) == queue,
        );
    }
    if let Some(want) = &e.assign {
        let got = h.route.as_ref().and_then(|r| r.1.clone());
        let show = |a: &Option<String>| a.clone().unwrap_or_else(|| "no one".to_owned());
        check("route.assign", show(want), show(&got), *want == got);
    }
    for (m, want) in &e.deadlines {
        let got = h.deadlines.iter().find(|d| d.0 == *m).map(|d| d.1);
        let expected = match got {
            Some(g) => want.with_timezone(&g.timezone()).to_rfc3339(),
            None => want.to_rfc3339(),
        };
        check(
            &format!("deadlines.{m}"),
            expected,
            got.map_or_else(|| "none".to_owned(), |g| g.to_rfc3339()),
            got.is_some_and(|g| g.with_timezone(&Utc) == *want),
        );
    }
    for step in &e.escalation {
        let got = h
            .escalation
            .iter()
            .find(|x| {
                x.0 == step.milestone
                    && x.2 == step.notify
                    && step.at.as_ref().is_none_or(|at| *at == x.1)
            })
            .map(|x| x.3);
        let expected = match got {
            Some(g) => step.due.with_timezone(&g.timezone()).to_rfc3339(),
            None => step.due.to_rfc3339(),
        };
        let at = step
            .at
            .as_ref()
            .map(|a| format!(".{a}"))
            .unwrap_or_default();
        check(
            &format!("escalation.{}.{}{at}", step.milestone, step.notify),
            expected,
            got.map_or_else(|| "none".to_owned(), |g| g.to_rfc3339()),
            got.is_some_and(|g| g.with_timezone(&Utc) == step.due),
        );
    }
}
