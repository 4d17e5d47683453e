//! Diagnostics of policy loading, input and evaluation errors, and their rendering.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub(crate) use crate::suggest::{closest, did_you_mean};

/// A byte range in one of the source files of a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub(crate) file: u16,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) fn new(file: u16, range: Range<usize>) -> Span {
        Span {
            file,
            start: u32::try_from(range.start).unwrap_or(u32::MAX),
            end: u32::try_from(range.end).unwrap_or(u32::MAX),
        }
    }

    /// A sub-range of this span, `offset..offset + len` bytes after its start.
    pub(crate) fn sub(self, offset: usize, len: usize) -> Span {
        let start = self
            .start
            .saturating_add(u32::try_from(offset).unwrap_or(u32::MAX));
        let end = start.saturating_add(u32::try_from(len).unwrap_or(u32::MAX));
        Span {
            file: self.file,
            start,
            end,
        }
    }

    pub(crate) fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One source file of a load: its name (as given, usually a path) and text.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub(crate) name: Arc<str>,
    pub(crate) text: Arc<str>,
}

/// What kind of mistake a [`Diagnostic`] reports.
///
/// Kinds are stable; messages may be improved between releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The file is not valid TOML.
    Syntax,
    /// A key that the table does not have (usually a typo).
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value of the wrong TOML type (a string where a number belongs, ...).
    WrongType,
    /// A value of the right type that is not allowed (out of range, malformed).
    InvalidValue,
    /// A reference to a metric, tier, benefit, calendar, ... that does not exist.
    UnknownName,
    /// A name, key or rule defined twice.
    Duplicate,
    /// Tiers, points or intervals in the wrong order.
    Ordering,
    /// A reserved word used as a name.
    Reserved,
    /// A condition that does not parse or does not type-check.
    Condition,
    /// An input limit of the format was exceeded.
    Limit,
    /// A cross-reference or consistency rule between several parts is broken.
    Inconsistent,
    /// The file could not be read.
    Io,
}

/// One problem found while loading a policy, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    kind: DiagnosticKind,
    message: String,
    help: Option<String>,
    path: Arc<str>,
    span: Range<usize>,
    line: usize,
    column: usize,
    related: Option<Related>,
}

/// Another place a [`Diagnostic`] or [`Warning`] refers to: where a duplicated name was
/// first defined, the routing rule that shadows another. Its line is also named in the
/// help text; editors show it as related information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    label: &'static str,
    path: Arc<str>,
    span: Range<usize>,
    line: usize,
    column: usize,
}

impl Related {
    /// What the place is, like `first defined` or `the catch-all rule is`.
    pub fn label(&self) -> &str {
        self.label
    }

    /// The file of the place, as it was named when loading.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The byte range of the place in its file.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The 1-based line of the place.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column (in characters) of the place.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl Diagnostic {
    /// The kind of the problem.
    pub fn kind(&self) -> DiagnosticKind {
        self.kind
    }

    /// The message, lower case and without a final period.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A suggestion, such as ``did you mean `gross_margin_pct`?``.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The file the problem is in, as it was named when loading.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line of the offending key or value.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column (in characters) of the offending key or value.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The byte range of the offending key or value in its file.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// Another place the problem involves, such as where a duplicated name was first
    /// defined.
    pub fn related(&self) -> Option<&Related> {
        self.related.as_ref()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// What a [`Warning`] says about a valid policy (spec section 15).
///
/// Codes are stable; messages may be improved between releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningCode {
    /// No customer record can qualify for the tier.
    UnreachableTier,
    /// A condition no record (or, for routing, no case) satisfies.
    ConditionNeverHolds,
    /// A `require` or an adjustment's `when` that every record satisfies.
    ConditionAlwaysHolds,
    /// An `at_least` naming the floor tier or an `at_most` naming the highest tier.
    AdjustmentNoEffect,
    /// A routing rule that never decides: an earlier rule matches every case it matches.
    RoutingRuleShadowed,
    /// A dimension whose score is the same for every record.
    DimensionConstant,
    /// A calendar lists the same day as a holiday twice (a range and a day inside it).
    HolidayTwice,
    /// A make-up workday on a day whose own weekday is open anyway.
    WorkdayAlreadyOpen,
    /// A floor and a cap with the same condition, the cap below the floor: whenever the
    /// floor raises a customer, the cap lowers it again.
    AdjustmentsCancel,
    /// A milestone listed after another is due before it for every tier and severity.
    MilestoneOrder,
}

impl WarningCode {
    /// The code as `check` prints it, like `unreachable-tier`.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::UnreachableTier => "unreachable-tier",
            WarningCode::ConditionNeverHolds => "condition-never-holds",
            WarningCode::ConditionAlwaysHolds => "condition-always-holds",
            WarningCode::AdjustmentNoEffect => "adjustment-no-effect",
            WarningCode::RoutingRuleShadowed => "routing-rule-shadowed",
            WarningCode::DimensionConstant => "dimension-constant",
            WarningCode::HolidayTwice => "holiday-twice",
            WarningCode::WorkdayAlreadyOpen => "workday-already-open",
            WarningCode::AdjustmentsCancel => "adjustments-cancel",
            WarningCode::MilestoneOrder => "milestone-order",
        }
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fact about a valid policy that its author almost certainly did not intend, true of
/// every customer record the policy accepts (spec section 15): see
/// [`Policy::warnings`](crate::Policy::warnings).
///
/// `{}` prints `path:line:col: warning[CODE]: message`; `{:#}` renders it with its source
/// line and a caret, like a compiler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    code: WarningCode,
    diagnostic: Diagnostic,
    text: Arc<str>,
}

impl Warning {
    pub(crate) fn new(code: WarningCode, diag: Diag, sources: &[Source]) -> Warning {
        let text = sources
            .get(usize::from(diag.span.file))
            .map_or_else(|| Arc::from(""), |s| s.text.clone());
        Warning {
            code,
            diagnostic: locate(diag, sources),
            text,
        }
    }

    /// What kind of fact it is.
    pub fn code(&self) -> WarningCode {
        self.code
    }

    /// The message, lower case and without a final period, with the numbers behind it.
    pub fn message(&self) -> &str {
        self.diagnostic.message()
    }

    /// What to do about it, or where else to look.
    pub fn help(&self) -> Option<&str> {
        self.diagnostic.help()
    }

    /// The file of the construct the warning is about.
    pub fn path(&self) -> &str {
        self.diagnostic.path()
    }

    /// The 1-based line of the construct.
    pub fn line(&self) -> usize {
        self.diagnostic.line()
    }

    /// The 1-based column (in characters) of the construct.
    pub fn column(&self) -> usize {
        self.diagnostic.column()
    }

    /// The byte range of the construct in its file.
    pub fn span(&self) -> Range<usize> {
        self.diagnostic.span()
    }

    /// The warning's place, message and help, as a diagnostic.
    #[cfg_attr(
        not(feature = "lsp"),
        expect(dead_code, reason = "read by the language server")
    )]
    pub(crate) fn diagnostic(&self) -> &Diagnostic {
        &self.diagnostic
    }

    /// Another place the warning involves, such as the routing rule that shadows this one.
    pub fn related(&self) -> Option<&Related> {
        self.diagnostic.related()
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.diagnostic;
        if f.alternate() {
            return render(f, &format!("warning[{}]", self.code), d, &self.text);
        }
        write!(
            f,
            "{}:{}:{}: warning[{}]: {}",
            d.path, d.line, d.column, self.code, d.message
        )?;
        if let Some(help) = &d.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// A diagnostic before its location is resolved to a file and line.
#[derive(Debug, Clone)]
pub(crate) struct Diag {
    pub(crate) kind: DiagnosticKind,
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    /// A related place, with what it is (`first defined`, `the catch-all rule is`);
    /// rendered as a line number in the help.
    pub(crate) first: Option<(Span, &'static str)>,
}

impl Diag {
    pub(crate) fn new(kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Diag {
        Diag {
            kind,
            span,
            message: message.into(),
            help: None,
            first: None,
        }
    }

    /// Notes where the duplicated name or rule was first defined.
    pub(crate) fn with_first(mut self, first: Span) -> Diag {
        self.first = Some((first, "first defined"));
        self
    }

    /// Notes a related place: `label` reads before "on line N", e.g. `the catch-all rule is`.
    pub(crate) fn with_related(mut self, at: Span, label: &'static str) -> Diag {
        self.first = Some((at, label));
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_help_opt(mut self, help: Option<String>) -> Diag {
        self.help = help;
        self
    }
}

/// Collects the diagnostics of one load.
#[derive(Debug, Default)]
pub(crate) struct Diags {
    pub(crate) list: Vec<Diag>,
    /// Keys written in a table (by the span of the table's owner), including the keys a
    /// misspelt key was taken for: a required key found here is not reported as missing,
    /// because its value or its spelling was reported already.
    written: Vec<(Span, String)>,
}

impl Diags {
    /// Records that `key` is written in the table owned by `owner` (or that a misspelt key
    /// there was reported with a suggestion of `key`).
    pub(crate) fn written(&mut self, owner: Span, key: &str) {
        self.written.push((owner, key.to_owned()));
    }

    /// Whether `key` was written in the table owned by `owner`; see [`Diags::written`].
    pub(crate) fn was_written(&self, owner: Span, key: &str) -> bool {
        self.written.iter().any(|(o, k)| *o == owner && k == key)
    }

    pub(crate) fn push(&mut self, diag: Diag) {
        self.list.push(diag);
    }

    pub(crate) fn error(&mut self, kind: DiagnosticKind, span: Span, message: impl Into<String>) {
        self.list.push(Diag::new(kind, span, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Resolves a diagnostic's span to its file, line and column, and its related place to a
/// note in the help.
pub(crate) fn locate(d: Diag, sources: &[Source]) -> Diagnostic {
    let (path, text): (Arc<str>, &str) = match sources.get(usize::from(d.span.file)) {
        Some(s) => (s.name.clone(), &s.text),
        None => (Arc::from("<unknown>"), ""),
    };
    let range = d.span.range();
    let (line, column) = line_col(text, range.start);
    let mut help = d.help;
    let mut related = None;
    if let Some((first, label)) = d.first {
        if let Some(s) = sources.get(usize::from(first.file)) {
            let (line, column) = line_col(&s.text, first.range().start);
            related = Some(Related {
                label,
                path: s.name.clone(),
                span: first.range(),
                line,
                column,
            });
        }
        let note = match sources.get(usize::from(first.file)) {
            Some(s) if first.file == d.span.file => {
                format!(
                    "{label} on line {}",
                    line_col(&s.text, first.range().start).0
                )
            }
            Some(s) => format!(
                "{label} in {}:{}",
                s.name,
                line_col(&s.text, first.range().start).0
            ),
            None => String::new(),
        };
        help = match (help, note.is_empty()) {
            (h, true) => h,
            (Some(h), false) => Some(format!("{note}; {h}")),
            (None, false) => Some(note),
        };
    }
    Diagnostic {
        kind: d.kind,
        message: d.message,
        help,
        path,
        span: range,
        line,
        column,
        related,
    }
}

/// Converts a byte offset into a 1-based line and a 1-based column counted in characters.
pub(crate) fn line_col(src: &str, byte: usize) -> (usize, usize) {
    let before = src.get(..byte).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// Everything that was wrong with a policy: every diagnostic of every file, in file order.
///
/// `{}` prints one line per diagnostic (`path:line:col: message`); `{:#}` renders each
/// with its source line and a caret, like a compiler:
///
/// ```text
/// error: unknown metric `gross_margn_pct`
///   --> policies/ocean.toml:41:12
///    |
/// 41 | require = ["gross_margn_pct >= 8"]
///    |             ^^^^^^^^^^^^^^^
///    = help: did you mean `gross_margin_pct`?
/// ```
#[derive(Debug, Clone)]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
    sources: Vec<Source>,
}

impl LoadError {
    pub(crate) fn new(mut diags: Vec<Diag>, sources: &[Source]) -> LoadError {
        diags.sort_by_key(|d| (d.span.file, d.span.start));
        // the same message at the same place, reached by two checks, is said once
        let mut seen = std::collections::HashSet::new();
        diags.retain(|d| seen.insert((d.span.file, d.span.start, d.span.end, d.message.clone())));
        let diagnostics = diags.into_iter().map(|d| locate(d, sources)).collect();
        LoadError {
            diagnostics,
            sources: sources.to_vec(),
        }
    }

    /// A policy file that could not be read, as one diagnostic (`cannot read `PATH`: ...`,
    /// kind [`DiagnosticKind::Io`]) at the start of the file: for loaders of a
    /// [`PolicyStore`](crate::PolicyStore) that read files themselves.
    ///
    /// ```
    /// let err = std::fs::read_to_string("no/such/policy.toml").unwrap_err();
    /// let e = tierwise::LoadError::from_io("no/such/policy.toml", &err);
    /// assert_eq!(e.diagnostics().len(), 1);
    /// assert!(e.diagnostics()[0].message().starts_with("cannot read `no/such/policy.toml`: "));
    /// assert_eq!(e.diagnostics()[0].path(), "no/such/policy.toml");
    /// ```
    pub fn from_io(path: impl AsRef<std::path::Path>, err: &std::io::Error) -> LoadError {
        let name = path.as_ref().display().to_string();
        let text = err.to_string();
        let text = text.split(" (os error ").next().unwrap_or(&text);
        let mut c = text.chars();
        let reason = match c.next() {
            Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
            None => String::new(),
        };
        let source = Source {
            name: Arc::from(name.as_str()),
            text: Arc::from(""),
        };
        let diag = Diag::new(
            DiagnosticKind::Io,
            Span::new(0, 0..0),
            format!("cannot read `{name}`: {reason}"),
        );
        LoadError::new(vec![diag], &[source])
    }

    /// The diagnostics of both errors, this one's first.
    #[must_use]
    pub fn join(mut self, other: LoadError) -> LoadError {
        self.diagnostics.extend(other.diagnostics);
        self.sources.extend(other.sources);
        self
    }

    /// Every problem found, ordered by file and position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The files of the load, with their text.
    #[cfg_attr(
        not(feature = "lsp"),
        expect(dead_code, reason = "read by the language server")
    )]
    pub(crate) fn sources(&self) -> &[Source] {
        &self.sources
    }

    fn source_text(&self, path: &str) -> &str {
        self.sources
            .iter()
            .find(|s| &*s.name == path)
            .map(|s| &*s.text)
            .unwrap_or("")
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                if f.alternate() {
                    writeln!(f)?;
                }
            }
            if f.alternate() {
                render(f, "error", d, self.source_text(&d.path))?;
            } else {
                write!(f, "{d}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Renders one diagnostic with its source line and a caret under the offending text.
fn render(f: &mut fmt::Formatter<'_>, label: &str, d: &Diagnostic, text: &str) -> fmt::Result {
    writeln!(f, "{label}: {}", d.message)?;
    writeln!(f, "  --> {}:{}:{}", d.path, d.line, d.column)?;
    let line_text = text.lines().nth(d.line.saturating_sub(1));
    if let Some(line_text) = line_text {
        let number = d.line.to_string();
        let pad = " ".repeat(number.len());
        // the caret covers the span, clipped to the end of the line
        let span_text = text.get(d.span.clone()).unwrap_or("");
        let first_line = span_text.split('\n').next().unwrap_or("");
        let width = first_line.chars().count().max(1);
        let (shown, column, width) = window(line_text, d.column.saturating_sub(1), width);
        writeln!(f, "{pad} |")?;
        writeln!(f, "{number} | {shown}")?;
        let prefix: String = shown
            .chars()
            .take(column)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(f, "{pad} | {prefix}{}", "^".repeat(width))?;
        if let Some(help) = &d.help {
            write!(f, "{pad} = help: {help}")?;
        } else {
            write!(f, "{pad} |")?;
        }
    } else if let Some(help) = &d.help {
        write!(f, "   = help: {help}")?;
    }
    Ok(())
}

/// Longest source line shown whole; longer ones are cut around the error.
const MAX_SHOWN: usize = 160;

/// The part of a source line to show: the whole line if it is short, else about
/// [`MAX_SHOWN`] characters around the error with `...` where it was cut. Returns the text,
/// the error's column in it (0-based, in characters) and the caret's width.
fn window(line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let len = line.chars().count();
    if len <= MAX_SHOWN {
        return (line.to_owned(), column, width);
    }
    let width = width.min(MAX_SHOWN / 2);
    let start = column.saturating_sub(MAX_SHOWN / 4);
    let end = (start + MAX_SHOWN).min(len);
    let mut shown: String = line.chars().skip(start).take(end - start).collect();
    let mut column = column - start;
    if start > 0 {
        shown.insert_str(0, "...");
        column += 3;
    }
    if end < len {
        shown.push_str("...");
    }
    (shown, column, width)
}

/// An error in one customer's data: which customer, which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("customer `{customer}`: field `{field}`: {message}")]
pub struct InputError {
    customer: String,
    field: String,
    kind: InputErrorKind,
    message: String,
    help: Option<String>,
}

/// What kind of mistake an [`InputError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputErrorKind {
    /// The field is neither a metric of the policy nor a state or pin field.
    UnknownField,
    /// The value is not of the metric's type (a decimal, a whole number, a date, a boolean,
    /// one of the enum's values) or cannot be kept exactly.
    InvalidValue,
    /// A number outside the metric's `min`/`max`.
    OutOfRange,
    /// A required metric is absent.
    Missing,
    /// A pin names a tier the policy does not define.
    UnknownTier,
    /// `pinned_until` or `pin_reason` without `pinned_tier`.
    IncompletePin,
}

impl InputError {
    pub(crate) fn new(
        customer: impl Into<String>,
        field: impl Into<String>,
        kind: InputErrorKind,
        message: impl Into<String>,
    ) -> InputError {
        InputError {
            customer: customer.into(),
            field: field.into(),
            kind,
            message: message.into(),
            help: None,
        }
    }

    /// What kind of mistake it is.
    pub fn kind(&self) -> InputErrorKind {
        self.kind
    }

    pub(crate) fn with_help(mut self, help: Option<String>) -> InputError {
        self.help = help;
        self
    }

    /// The id of the customer.
    pub fn customer(&self) -> &str {
        &self.customer
    }

    /// The metric, state or pin field at fault.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong, lower case.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A suggestion, such as ``did you mean `regional`?``.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// All the errors found in one customer record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputErrors {
    errors: Vec<InputError>,
}

impl InputErrors {
    pub(crate) fn new(errors: Vec<InputError>) -> InputErrors {
        InputErrors { errors }
    }

    /// Each error, in field order.
    pub fn errors(&self) -> &[InputError] {
        &self.errors
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
            if let Some(h) = &e.help {
                write!(f, " ({h})")?;
            }
        }
        Ok(())
    }
}

/// Why a customer could not be evaluated on a given date.
///
/// Evaluation errors come from data that is only wrong relative to the as-of date or the
/// policy's options (a start date in the future, an absent optional metric under
/// `missing = "error"`), or from arithmetic that overflows exact decimals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("customer `{customer}`: {kind}")]
pub struct EvalError {
    customer: String,
    kind: EvalErrorKind,
}

/// The reason of an [`EvalError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalErrorKind {
    /// A date metric lies after the as-of date.
    #[error("field `{metric}`: date {date} is after the as-of date {as_of}")]
    FutureDate {
        /// The metric.
        metric: String,
        /// Its value.
        date: chrono::NaiveDate,
        /// The evaluation date.
        as_of: chrono::NaiveDate,
    },
    /// An optional metric used by a dimension is absent and the policy says `missing = "error"`.
    #[error("field `{metric}`: missing, and dimension `{dimension}` needs it (the policy has `missing = \"error\"`)")]
    Missing {
        /// The metric.
        metric: String,
        /// The dimension that uses it.
        dimension: String,
    },
    /// The customer was built for another policy.
    #[error("the record was built for another policy")]
    WrongPolicy,
    /// Exact decimal arithmetic overflowed.
    #[error("field `{metric}`: value is too large to score exactly")]
    Overflow {
        /// The metric whose value overflowed.
        metric: String,
    },
}

impl EvalError {
    pub(crate) fn new(customer: &str, kind: EvalErrorKind) -> EvalError {
        EvalError {
            customer: customer.to_owned(),
            kind,
        }
    }

    /// The customer's id.
    pub fn customer(&self) -> &str {
        &self.customer
    }

    /// What went wrong.
    pub fn kind(&self) -> &EvalErrorKind {
        &self.kind
    }

    /// The field at fault.
    pub fn field(&self) -> &str {
        match &self.kind {
            EvalErrorKind::FutureDate { metric, .. }
            | EvalErrorKind::Missing { metric, .. }
            | EvalErrorKind::Overflow { metric } => metric,
            EvalErrorKind::WrongPolicy => "id",
        }
    }
}

/// A tier number or a resolution made with one compiled policy and given to another
/// (another version from a `PolicyStore` reload included). It is never read as the other
/// policy's tier of the same rank: look it up in the snapshot that made it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("wrong policy: the {} was made by another compiled policy", kind.noun())]
pub struct WrongPolicy {
    kind: WrongPolicyKind,
}

/// What was given to the wrong policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WrongPolicyKind {
    /// A [`TierId`](crate::TierId).
    Tier,
    /// A [`Resolution`](crate::Resolution).
    Resolution,
    /// A [`Customer`](crate::Customer).
    Customer,
}

impl WrongPolicyKind {
    fn noun(self) -> &'static str {
        match self {
            WrongPolicyKind::Tier => "tier number",
            WrongPolicyKind::Resolution => "resolution",
            WrongPolicyKind::Customer => "customer",
        }
    }
}

impl WrongPolicy {
    pub(crate) fn new(kind: WrongPolicyKind) -> WrongPolicy {
        WrongPolicy { kind }
    }

    /// What was given to the wrong policy.
    pub fn kind(&self) -> WrongPolicyKind {
        self.kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_error() {
        let line = format!("a = {}x{}", "[".repeat(500), "]".repeat(500));
        let (shown, column, width) = window(&line, 504, 1);
        assert!(
            shown.starts_with("...[[") && shown.ends_with("]]..."),
            "{shown}"
        );
        assert!(shown.chars().count() <= MAX_SHOWN + 6);
        assert_eq!(shown.chars().nth(column), Some('x'));
        assert_eq!(width, 1);
        assert_eq!(window("short", 2, 3), ("short".to_owned(), 2, 3));
    }

    #[test]
    fn line_col_counts_chars() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, 10), (2, 4));
    }
}
