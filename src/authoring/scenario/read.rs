//! Reading a scenario file: every table checked against the key tables, every name
//! against the policy, every mistake a located diagnostic.

use std::sync::Arc;

use chrono::{DateTime, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use crate::compile::{MAX_FILE_BYTES, MAX_RULES};
use crate::decimal::parse_decimal;
use crate::duration::BusinessDuration;
use crate::error::{closest, line_col, Diag, DiagnosticKind, Source, Span};
use crate::input::Case;
use crate::input::InputValue;
use crate::keys::STATE_FIELDS;
use crate::keys::{
    self, ACCOUNT_MANAGERS, DECISIONS, EXPECT_KEYS, EXPECT_ROUTE_KEYS as ROUTE_KEYS,
    EXPECT_SERVICE_KEYS as SERVICE_KEYS, EXPECT_STATE_KEYS as STATE_KEYS,
    EXPECT_STEP_KEYS as STEP_KEYS, SCENARIO_CASE_KEYS as CASE_KEYS, SCENARIO_FILE_KEYS as TOP_KEYS,
    SCENARIO_KEYS,
};
use crate::policy::Policy;
use crate::raw::{Cx, Sp};

use super::*;

pub(super) fn sources(name: &str, text: &str) -> [Source; 1] {
    [Source {
        name: Arc::from(name),
        text: Arc::from(text),
    }]
}

/// Parses the TOML of a scenario file, recording syntax errors; `None` if there were any.
pub(super) fn parse_document<'i>(cx: &mut Cx<'_>, text: &'i str) -> Option<Spanned<DeTable<'i>>> {
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

pub(super) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !s.chars().nth(1).is_some_and(char::is_uppercase) => {
            f.to_lowercase().collect::<String>() + c.as_str()
        }
        _ => s.to_owned(),
    }
}

pub(super) fn find<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<(Span, &'t Value<'i>)> {
    table.iter().find_map(|(k, v)| {
        let name: &str = k.get_ref();
        (name == key).then(|| (Span::new(0, k.span()), v))
    })
}

pub(super) fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A string value that must not be empty.
pub(super) fn non_empty(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Option<Sp<String>> {
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
pub(super) struct Reader<'a, 'p> {
    cx: Cx<'a>,
    policy: &'p Policy,
}

impl<'a, 'p> Reader<'a, 'p> {
    pub(super) fn new(cx: Cx<'a>, policy: &'p Policy) -> Self {
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

    pub(super) fn file(mut self, root: &DeTable<'_>) -> Vec<Scenario> {
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

pub(super) fn dedup<'s>(items: impl Iterator<Item = &'s str>) -> Vec<&'s str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}
