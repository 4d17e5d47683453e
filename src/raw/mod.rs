//! The policy file as written: a typed tree of what each table says, every value with its
//! span. Reading checks TOML types and unknown keys only; meaning is checked by `compile`.

#[cfg(feature = "fs")]
mod merge;
mod reader;
pub(crate) mod services;
mod table;
mod unclosed;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use toml::de::{DeTable, DeValue};

#[cfg(feature = "fs")]
pub(crate) use merge::merge;
use reader::Value;
pub(crate) use reader::{Cx, Sp, Text};
use table::table;

use crate::error::{closest, Diag, DiagnosticKind, Diags, Span};
use crate::keys::{
    self, Ty, ADJUSTMENT_KEYS, DIMENSION_KEYS, METRIC_KEYS, POLICY_KEYS, SCORING_KEYS,
    TIERING_KEYS, TIER_KEYS, TOP_KEYS,
};

pub(crate) use services::{
    RawBenefit, RawCalendar, RawCase, RawEscalation, RawGrant, RawRouting, RawService, RawSla,
};

/// One policy file, read.
#[derive(Debug, Default)]
pub(crate) struct RawPolicy {
    pub(crate) header: Option<RawHeader>,
    pub(crate) metrics: Vec<RawMetric>,
    pub(crate) metrics_span: Option<Span>,
    pub(crate) scoring: Option<RawScoring>,
    pub(crate) tiers: Vec<RawTier>,
    pub(crate) tiers_span: Option<Span>,
    pub(crate) adjustments: Vec<RawAdjustment>,
    pub(crate) tiering: Option<RawTiering>,
    pub(crate) benefits: Vec<RawBenefit>,
    pub(crate) services: Vec<RawService>,
    pub(crate) grants: Vec<RawGrant>,
    pub(crate) calendars: Vec<RawCalendar>,
    pub(crate) cases: Vec<RawCase>,
    pub(crate) sla: Vec<RawSla>,
    pub(crate) routing: Vec<RawRouting>,
    pub(crate) escalation: Vec<RawEscalation>,
    /// Span of the top-level key of each table, for "defined twice" across includes.
    pub(crate) tops: Vec<(String, Span)>,
}

table! {
    /// `[policy]`.
    RawHeader (span: Span) in POLICY_KEYS {
        "id" => id: Option<Sp<String>> = Cx::string,
        "version" => version: Option<Sp<String>> = version_string,
        "name" => name: Option<Sp<String>> = Cx::string,
        "effective_from" => effective_from: Option<Sp<NaiveDate>> = Cx::date,
        "effective_until" => effective_until: Option<Sp<NaiveDate>> = Cx::date,
        "timezone" => timezone: Option<Sp<String>> = Cx::string,
        "include" => include: Vec<Sp<String>> = string_list,
    }
    checked {
        "description" = Cx::string,
    }
}

/// A table of names and values (`map = { A = 100 }`, `targets = { resolve = "8h" }`),
/// in the order written.
pub(crate) type Pairs<T> = Sp<Vec<(Sp<String>, Sp<T>)>>;

/// A scalar written in a policy (a metric default, a map key).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Str(String),
    Num { value: Decimal, integer: bool },
    Bool(bool),
    Date(NaiveDate),
}

table! {
    /// One metric of `[metrics]`.
    RawMetric (name: Sp<String>) in METRIC_KEYS {
        "type" => ty: Option<Sp<String>> = Cx::string,
        "min" => min: Option<Sp<Decimal>> = Cx::number,
        "max" => max: Option<Sp<Decimal>> = Cx::number,
        "values" => values: Option<Sp<Vec<Sp<String>>>> = Cx::strings,
        "default" => default: Option<Sp<Scalar>> = scalar,
        "required" => required: Option<Sp<bool>> = Cx::bool,
        "unit" => unit: Option<Sp<String>> = Cx::string,
        "scale" => scale: Option<Sp<i64>> = Cx::integer,
        "description" => description: Option<Sp<String>> = Cx::string,
    }
}

#[derive(Debug, Default)]
pub(crate) struct RawScoring {
    pub(crate) span: Span,
    pub(crate) precision: Option<Sp<i64>>,
    pub(crate) missing: Option<Sp<String>>,
    pub(crate) dimensions: Vec<RawDimension>,
    pub(crate) dimensions_span: Option<Span>,
}

table! {
    /// One dimension of `[scoring.dimensions]`.
    RawDimension (name: Sp<String>) in DIMENSION_KEYS {
        "metric" => metric: Option<Sp<String>> = Cx::string,
        "weight" => weight: Option<Sp<Decimal>> = Cx::number,
        "curve" => curve: Option<Sp<String>> = Cx::string,
        "unit" => unit: Option<Sp<String>> = Cx::string,
        "points" => points: Option<Sp<Vec<RawPoint>>> = read_points,
        "map" => map: Option<RawMap> = read_map,
    }
    checked {
        "description" = Cx::string,
    }
}

/// A dimension's `map`: a score by enum value (or `true`/`false`), and `default`.
#[derive(Debug)]
pub(crate) struct RawMap {
    pub(crate) entries: Pairs<Decimal>,
    pub(crate) default: Option<Sp<Decimal>>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawPoint {
    pub(crate) span: Span,
    pub(crate) x: Sp<Decimal>,
    pub(crate) y: Sp<Decimal>,
}

table! {
    /// A `[[tiers]]` entry.
    RawTier (span: Span) in TIER_KEYS {
        "id" => id: Option<Sp<String>> = Cx::string,
        "name" => name: Option<Sp<String>> = Cx::string,
        "description" => description: Option<Sp<String>> = Cx::string,
        "min_score" => min_score: Option<Sp<Decimal>> = Cx::number,
        "require" => require: Option<Sp<Vec<Text>>> = Cx::texts,
    }
}

table! {
    /// An `[[adjustments]]` entry.
    RawAdjustment (span: Span) in ADJUSTMENT_KEYS {
        "when" => when: Option<Text> = Cx::text,
        "at_least" => at_least: Option<Sp<String>> = Cx::string,
        "at_most" => at_most: Option<Sp<String>> = Cx::string,
        "reason" => reason: Option<Sp<String>> = Cx::string,
    }
}

table! {
    /// `[tiering]`.
    RawTiering (_span: Span) in TIERING_KEYS {
        "downgrade_buffer" => downgrade_buffer: Option<Sp<Decimal>> = Cx::number,
        "downgrade_grace_days" => downgrade_grace_days: Option<Sp<i64>> = Cx::integer,
        "max_downgrade_steps" => max_downgrade_steps: Option<Sp<i64>> = Cx::integer,
        "pins_respect_caps" => pins_respect_caps: Option<Sp<bool>> = Cx::bool,
    }
}

/// Whether the top-level `key` is an array of tables (`[[tiers]]`).
fn is_array_of_tables(key: &str) -> bool {
    matches!(
        keys::find(TOP_KEYS, key).map(|k| k.ty),
        Some(Ty::Array(Ty::Table(_)))
    )
}

/// Reads one file. Syntax errors are recorded and whatever could be recovered is read.
pub(crate) fn read_file(file: u16, src: &str, diags: &mut Diags) -> RawPolicy {
    let (doc, errors) = DeTable::parse_recoverable(src);
    let mut cx = Cx { file, src, diags };
    // an array, inline table or string left open makes the parser read on and report
    // errors on every following line: then only the opener is reported
    if let Some(e) = errors.first() {
        if let Some(diag) = e
            .span()
            .and_then(|r| unclosed_diag(&cx, src, r.start, e.message()))
        {
            cx.push(diag);
            return RawPolicy::default();
        }
    }
    // otherwise every error, but one a line: a second one on the same line follows from the
    // first
    let mut last_line = None;
    let mut dup_headers: Vec<Option<usize>> = Vec::new();
    for e in &errors {
        let line = e.span().map(|r| line_of(src, r.start));
        if line.is_some() && line == last_line {
            continue;
        }
        last_line = line;
        let span = cx.span(e.span().unwrap_or(0..0));
        let message = e.message().trim().trim_end_matches('.').to_owned();
        let message = lower_first(&message);
        let diag = match e.span() {
            Some(range) if message == "duplicate key" => {
                // the keys of a table header written twice are duplicates too: said once, by
                // the header
                let header = enclosing_header(src, range.start);
                if header.is_some() && dup_headers.contains(&header) {
                    continue;
                }
                let d = duplicate_key(src, range.clone(), span);
                if src
                    .get(line_start(src, range.start)..)
                    .is_some_and(|l| l.trim_start().starts_with('['))
                {
                    dup_headers.push(Some(line_start(src, range.start)));
                }
                d
            }
            Some(range) if message.ends_with(", expected nothing") => {
                // toml's "invalid float, expected nothing" for `1.2.3`: name what is unexpected
                let head = message
                    .trim_end_matches(", expected nothing")
                    .replace("float", "number");
                let found = src.get(range).unwrap_or("").trim();
                let message = if found.is_empty() {
                    head
                } else {
                    format!("{head}: unexpected `{found}`")
                };
                Diag::new(DiagnosticKind::Syntax, span, message)
            }
            // `key =` and nothing after it: the parser expects a value and sees the line end
            Some(range)
                if message.starts_with("string values must be quoted")
                    && src
                        .get(range.start..)
                        .and_then(|rest| rest.lines().next())
                        .is_none_or(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) =>
            {
                Diag::new(DiagnosticKind::Syntax, span, "a value is missing after `=`")
            }
            _ => Diag::new(DiagnosticKind::Syntax, span, message),
        };
        cx.push(diag);
    }
    if !errors.is_empty() {
        // a document with syntax errors is not read further: recovered tables are partial
        // and would only add confusing follow-up errors
        return RawPolicy::default();
    }
    let mut raw = RawPolicy::default();
    let root = doc.get_ref();
    let whole_file = cx.span(0..0);
    for (k, v) in root.iter() {
        let key: &str = k.get_ref();
        let kspan = cx.span(k.span());
        if keys::find(TOP_KEYS, key).is_some() {
            raw.tops.push((key.to_owned(), kspan));
            let shape_ok = if is_array_of_tables(key) {
                matches!(v.get_ref(), DeValue::Array(_))
            } else {
                matches!(v.get_ref(), DeValue::Table(_))
            };
            if !shape_ok {
                // reported as a wrong type by its reader, not as missing as well
                cx.diags.written(whole_file, key);
            }
        } else {
            unknown_top_level(&mut cx, key, kspan, v, whole_file);
        }
        match key {
            "policy" => raw.header = read_header(&mut cx, kspan, v),
            "metrics" => {
                raw.metrics_span = Some(kspan);
                raw.metrics = read_metrics(&mut cx, v);
            }
            "scoring" => raw.scoring = read_scoring(&mut cx, kspan, v),
            "tiers" => {
                raw.tiers_span = Some(kspan);
                raw.tiers = each_table(&mut cx, v, "`[[tiers]]`", read_tier);
            }
            "adjustments" => {
                raw.adjustments = each_table(&mut cx, v, "`[[adjustments]]`", read_adjustment)
            }
            "tiering" => raw.tiering = read_tiering(&mut cx, kspan, v),
            "benefits" => raw.benefits = services::read_benefits(&mut cx, v),
            "service" => raw.services = services::read_services(&mut cx, v),
            "grants" => raw.grants = each_table(&mut cx, v, "`[[grants]]`", services::read_grant),
            "calendars" => raw.calendars = services::read_calendars(&mut cx, v),
            "cases" => raw.cases = services::read_cases(&mut cx, v),
            "sla" => raw.sla = each_table(&mut cx, v, "`[[sla]]`", services::read_sla),
            "routing" => {
                raw.routing = each_table(&mut cx, v, "`[[routing]]`", services::read_routing)
            }
            "escalation" => {
                raw.escalation =
                    each_table(&mut cx, v, "`[[escalation]]`", services::read_escalation)
            }
            _ => {}
        }
    }
    raw
}

/// Reports a top-level key or table that the format does not have.
fn unknown_top_level(cx: &mut Cx<'_>, key: &str, span: Span, v: &Value<'_>, whole_file: Span) {
    let suggestion = closest(key, keys::names(TOP_KEYS));
    if let Some(s) = suggestion {
        // the misspelt table is not reported as missing as well
        cx.diags.written(whole_file, s);
    }
    let array_of_tables = matches!(v.get_ref(), DeValue::Array(a) if a.iter().all(|i| matches!(i.get_ref(), DeValue::Table(_))));
    let message = match v.get_ref() {
        DeValue::Table(_) => format!("unknown table `[{key}]`"),
        DeValue::Array(_) if array_of_tables => format!("unknown table `[[{key}]]`"),
        _ => format!("unknown top-level key `{key}`"),
    };
    let help = suggestion.map(|s| {
        if is_array_of_tables(s) {
            format!("did you mean `[[{s}]]`?")
        } else {
            format!("did you mean `[{s}]`?")
        }
    });
    let help = help.unwrap_or_else(|| {
        format!(
            "a policy file has the tables {}",
            keys::names(TOP_KEYS)
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    cx.push(Diag::new(DiagnosticKind::UnknownKey, span, message).with_help(help));
}

/// Names the key or table that a TOML "duplicate key" error is about, and where it was
/// first defined when that is easy to find: the same table header, or the same key line
/// earlier in the same table.
/// The 1-based line holding the offset `at`.
fn line_of(src: &str, at: usize) -> usize {
    src.get(..at).map_or(1, |b| b.matches('\n').count() + 1)
}

/// The offset where the line holding `at` starts.
fn line_start(src: &str, at: usize) -> usize {
    src.get(..at)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The start of the line of the table header (`[a]`, `[[a]]`) that the key at `at` belongs
/// to, if any.
fn enclosing_header(src: &str, at: usize) -> Option<usize> {
    let mut end = line_start(src, at);
    while end > 0 {
        let start = line_start(src, end - 1);
        if src.get(start..end)?.trim_start().starts_with('[') {
            return Some(start);
        }
        end = start;
    }
    None
}

/// A syntax error caused by an array, inline table or string left open on an earlier line,
/// reported where it was opened, with the parser's own complaint as help.
fn unclosed_diag(cx: &Cx<'_>, src: &str, at: usize, parser: &str) -> Option<Diag> {
    let (what, start, len) = match unclosed::before(src, at)? {
        unclosed::Open::Array(i) => ("array", i, 1),
        unclosed::Open::Table(i) => ("inline table", i, 1),
        unclosed::Open::String(i) => {
            let triple = src
                .get(i..i + 3)
                .is_some_and(|q| q == "\"\"\"" || q == "'''");
            ("string", i, if triple { 3 } else { 1 })
        }
    };
    let line = line_of(src, at);
    let parser = lower_first(parser.trim().trim_end_matches('.'));
    let until = if src.get(at..).is_none_or(|rest| rest.trim().is_empty()) {
        "the end of the file".to_owned()
    } else {
        format!("line {line} fails")
    };
    Some(
        Diag::new(
            DiagnosticKind::Syntax,
            cx.span(start..start + len),
            format!("this {what} is not closed"),
        )
        .with_help(format!(
            "the lines after it are read as part of it, until {until}: {parser}"
        )),
    )
}

fn duplicate_key(src: &str, range: std::ops::Range<usize>, span: Span) -> Diag {
    let key = src
        .get(range.clone())
        .unwrap_or("")
        .trim_matches(|c| c == '"' || c == '\'');
    let line_start = line_start(src, range.start);
    let line = src
        .get(line_start..)
        .and_then(|l| l.lines().next())
        .unwrap_or("")
        .trim();
    let before: Vec<&str> = src.get(..line_start).unwrap_or("").lines().collect();
    let is_header = line.starts_with('[');
    let first = if is_header {
        let header = line.split('#').next().unwrap_or("").trim();
        before
            .iter()
            .position(|l| l.split('#').next().unwrap_or("").trim() == header)
    } else {
        // the key path before `=` on this line, searched back to the table's header
        let path = line.split('=').next().unwrap_or("").trim();
        let mut found = None;
        for (i, l) in before.iter().enumerate().rev() {
            let t = l.trim();
            if t.starts_with('[') {
                break;
            }
            if t.split('=').next().map(str::trim) == Some(path) && t.contains('=') {
                found = Some(i);
                break;
            }
        }
        found
    };
    let message = if is_header {
        format!(
            "table `{}` is defined twice",
            line.split('#').next().unwrap_or("").trim()
        )
    } else {
        format!("key `{key}` is defined twice")
    };
    // `[tiers]` written once for `[[tiers]]`: the list then clashes with a table
    if is_header {
        let header = line.split('#').next().unwrap_or("").trim();
        if let Some(name) = header.strip_prefix("[[").and_then(|h| h.strip_suffix("]]")) {
            let single = format!("[{}]", name.trim());
            if let Some(i) = before
                .iter()
                .position(|l| l.split('#').next().unwrap_or("").trim() == single)
            {
                let name = name.trim();
                return Diag::new(
                    DiagnosticKind::Syntax,
                    span,
                    format!("`{name}` is written both as `{single}` and as `[[{name}]]`"),
                )
                .with_help(format!(
                    "line {} has `{single}`: each entry of the list is written `[[{name}]]`",
                    i + 1
                ));
            }
        }
    }
    // still a syntax error: the document is not read further
    let d = Diag::new(DiagnosticKind::Syntax, span, message);
    match first {
        Some(i) => d.with_help(format!(
            "first defined on line {}; keep one of the two",
            i + 1
        )),
        None => d.with_help("keep one of the two"),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            let second_upper = s.chars().nth(1).is_some_and(char::is_uppercase);
            if second_upper {
                s.to_owned()
            } else {
                f.to_lowercase().collect::<String>() + c.as_str()
            }
        }
        None => String::new(),
    }
}

/// Reads an array of tables (`[[tiers]]`), each element with `read`.
pub(crate) fn each_table<T>(
    cx: &mut Cx<'_>,
    v: &Value<'_>,
    what: &str,
    read: fn(&mut Cx<'_>, Span, &DeTable<'_>) -> T,
) -> Vec<T> {
    let DeValue::Array(arr) = v.get_ref() else {
        // `[tiers]` for `[[tiers]]` is the likeliest slip
        let name = what.trim_matches(|c| c == '`' || c == '[' || c == ']');
        let span = cx.span(v.span());
        let found = if matches!(v.get_ref(), DeValue::Table(_)) {
            "a single table"
        } else {
            "a single value"
        };
        cx.push(
            Diag::new(
                DiagnosticKind::WrongType,
                span,
                format!("{what} must be an array of tables, found {found}"),
            )
            .with_help(format!(
                "write the header of each entry as `[[{name}]]`, with two brackets"
            )),
        );
        return Vec::new();
    };
    let mut out = Vec::with_capacity(arr.len());
    for item in arr.iter() {
        if let Some(t) = cx.table(item, &format!("each entry of {what}")) {
            let span = cx.span(item.span());
            out.push(read(cx, span, t));
        }
    }
    out
}

/// Reads each `[name.<key>]` sub-table of a table of named tables.
pub(crate) fn each_named<T>(
    cx: &mut Cx<'_>,
    v: &Value<'_>,
    what: &str,
    mut read: impl FnMut(&mut Cx<'_>, Sp<String>, &DeTable<'_>) -> T,
) -> Vec<T> {
    let Some(table) = cx.table(v, what) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(table.len());
    for (k, item) in table.iter() {
        let name = Sp::new(k.get_ref().to_string(), cx.span(k.span()));
        let inner_what = format!("`{}`", name.v);
        if let Some(t) = cx.table(item, &inner_what) {
            out.push(read(cx, name, t));
        }
    }
    out
}

fn read_header(cx: &mut Cx<'_>, span: Span, v: &Value<'_>) -> Option<RawHeader> {
    let t = cx.table(v, "`[policy]`")?;
    Some(RawHeader::read(cx, span, span, t, "`[policy]`"))
}

/// A list of strings, without its own span.
fn string_list(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Vec<Sp<String>> {
    cx.strings(v, what).map(|s| s.v).unwrap_or_default()
}

/// `version` is free text; a bare number is a common slip, so say how to quote it.
fn version_string(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Option<Sp<String>> {
    match v.get_ref() {
        DeValue::Integer(_) | DeValue::Float(_) => {
            let literal = cx.src.get(v.span()).unwrap_or("").to_owned();
            let span = cx.span(v.span());
            cx.push(
                Diag::new(
                    DiagnosticKind::WrongType,
                    span,
                    "`version` must be a string, found a number",
                )
                .with_help(format!("quote it: version = \"{literal}\"")),
            );
            None
        }
        _ => cx.string(v, what),
    }
}

fn read_metrics(cx: &mut Cx<'_>, v: &Value<'_>) -> Vec<RawMetric> {
    each_named(cx, v, "`[metrics]`", |cx, name, t| {
        let what = format!("metric `{}`", name.v);
        let span = name.span;
        RawMetric::read(cx, name, span, t, &what)
    })
}

fn scalar(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Option<Sp<Scalar>> {
    let span = cx.span(v.span());
    match v.get_ref() {
        DeValue::String(s) => Some(Sp::new(Scalar::Str(s.to_string()), span)),
        DeValue::Boolean(b) => Some(Sp::new(Scalar::Bool(*b), span)),
        DeValue::Integer(_) | DeValue::Float(_) => {
            let integer = matches!(v.get_ref(), DeValue::Integer(_));
            cx.number(v, what).map(|n| {
                Sp::new(
                    Scalar::Num {
                        value: n.v,
                        integer,
                    },
                    span,
                )
            })
        }
        DeValue::Datetime(_) => cx.date(v, what).map(|d| Sp::new(Scalar::Date(d.v), span)),
        _ => {
            cx.error(
                DiagnosticKind::WrongType,
                span,
                format!("{what} must be a number, string, date or boolean"),
            );
            None
        }
    }
}

fn read_scoring(cx: &mut Cx<'_>, span: Span, v: &Value<'_>) -> Option<RawScoring> {
    let t = cx.table(v, "`[scoring]`")?;
    cx.check_keys(span, t, SCORING_KEYS, "`[scoring]`");
    let mut s = RawScoring {
        span,
        ..RawScoring::default()
    };
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "precision" => s.precision = cx.integer(v, "`precision`"),
            "missing" => s.missing = cx.string(v, "`missing`"),
            "dimensions" => {
                s.dimensions_span = Some(cx.span(k.span()));
                s.dimensions = each_named(cx, v, "`[scoring.dimensions]`", read_dimension);
            }
            _ => {}
        }
    }
    Some(s)
}

fn read_dimension(cx: &mut Cx<'_>, name: Sp<String>, t: &DeTable<'_>) -> RawDimension {
    let what = format!("dimension `{}`", name.v);
    let span = name.span;
    RawDimension::read(cx, name, span, t, &what)
}

fn read_map(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Option<RawMap> {
    let m = cx.table(v, what)?;
    let mut entries = Vec::new();
    let mut default = None;
    for (mk, mv) in m.iter() {
        let key: &str = mk.get_ref();
        let kspan = cx.span(mk.span());
        let score = cx.number(mv, &format!("the score of `{key}`"));
        if key == "default" {
            default = score;
        } else if let Some(score) = score {
            entries.push((Sp::new(key.to_owned(), kspan), score));
        }
    }
    Some(RawMap {
        entries: Sp::new(entries, cx.span(v.span())),
        default,
    })
}

fn read_points(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Option<Sp<Vec<RawPoint>>> {
    let arr = cx.array(v, what)?;
    let mut out = Vec::with_capacity(arr.len());
    for p in arr.iter() {
        let span = cx.span(p.span());
        let pair = match p.get_ref() {
            DeValue::Array(pair) if pair.len() == 2 => pair,
            _ => {
                cx.push(
                    Diag::new(
                        DiagnosticKind::WrongType,
                        span,
                        "each point must be a pair `[x, y]`",
                    )
                    .with_help("write points as `points = [[0, 0], [500, 40]]`"),
                );
                continue;
            }
        };
        let (Some(xv), Some(yv)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let x = cx.number(xv, "a point's x");
        let y = cx.number(yv, "a point's y");
        if let (Some(x), Some(y)) = (x, y) {
            out.push(RawPoint { span, x, y });
        }
    }
    Some(Sp::new(out, cx.span(v.span())))
}

fn read_tier(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawTier {
    RawTier::read(cx, span, span, t, "a tier")
}

fn read_adjustment(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawAdjustment {
    RawAdjustment::read(cx, span, span, t, "an adjustment")
}

fn read_tiering(cx: &mut Cx<'_>, span: Span, v: &Value<'_>) -> Option<RawTiering> {
    let t = cx.table(v, "`[tiering]`")?;
    Some(RawTiering::read(cx, span, span, t, "`[tiering]`"))
}
