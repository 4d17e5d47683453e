//! The results of running scenarios: per scenario, what did not match; per file, the counts.

use std::fmt;
use std::sync::Arc;

/// One expected value that the policy did not produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub(super) field: String,
    pub(super) expected: String,
    pub(super) actual: String,
}

impl Mismatch {
    pub(super) fn new(
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
    pub(super) name: String,
    pub(super) path: Arc<str>,
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) mismatches: Vec<Mismatch>,
    pub(super) trace: Option<String>,
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
    /// (the [`Explanation`](crate::trace::Explanation), then the service, route and deadlines when the scenario has a
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

/// The results of running a [`Suite`](super::Suite).
///
/// `Display` prints each scenario (see [`ScenarioOutcome`]), a blank line and the summary
/// `N passed, M failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteReport {
    pub(super) outcomes: Vec<ScenarioOutcome>,
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
