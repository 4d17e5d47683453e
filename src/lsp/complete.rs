//! Completion: table keys from the file-format key tables, and the policy's own names
//! wherever one may stand, conditions included.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, TextEdit,
};

use super::context::{self, At, Context};
use super::index::{Index, Kind};
use super::text::Lines;
use crate::keys::{self, Key, Ty, SCENARIO_FILE_KEYS, STATE_FIELDS, TOP_KEYS};

/// Which format a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Policy,
    Scenario,
}

impl Format {
    fn root(self) -> &'static [Key] {
        match self {
            Format::Policy => TOP_KEYS,
            Format::Scenario => SCENARIO_FILE_KEYS,
        }
    }
}

/// What may stand at a place: the candidates, before they are made items.
struct Offer {
    label: String,
    kind: CompletionItemKind,
    detail: Option<String>,
    doc: Option<String>,
}

fn offer(label: impl Into<String>, kind: CompletionItemKind, detail: Option<String>) -> Offer {
    Offer {
        label: label.into(),
        kind,
        detail,
        doc: None,
    }
}

/// The completions at byte `offset` of `text`.
pub(crate) fn complete(
    format: Format,
    text: &str,
    offset: usize,
    index: &Index,
) -> Vec<CompletionItem> {
    let cx = context::at(text, offset);
    let condition = matches!(cx.at, At::Str(_)) && is_condition(format, &cx);
    let start = context::word_start(text, offset, condition);
    let quote = cx.at == At::Value;
    let offers = match &cx.at {
        At::Nothing => Vec::new(),
        At::Header => headers(format, &cx, index),
        At::Key => keys_at(format, &cx, index),
        At::Str(prefix) if condition => condition_offers(&cx, prefix, index),
        At::Str(_) | At::Value => values(format, &cx, (text, offset), index, quote),
    };
    let lines = Lines::new(text);
    let range = lines.range(start..offset);
    offers
        .into_iter()
        .map(|o| {
            let insert = if quote && !o.label.starts_with(['"', '[', '{']) && is_text_kind(o.kind) {
                format!("\"{}\"", o.label)
            } else {
                o.label.clone()
            };
            CompletionItem {
                label: o.label,
                kind: Some(o.kind),
                detail: o.detail,
                documentation: o.doc.map(|d| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: d,
                    })
                }),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, insert))),
                ..CompletionItem::default()
            }
        })
        .collect()
}

fn is_text_kind(kind: CompletionItemKind) -> bool {
    kind != CompletionItemKind::KEYWORD
}

/// The type of the value at `path`, from the key tables of the format.
fn ty_at(root: &'static [Key], path: &[&str]) -> Option<Ty> {
    let mut ty = Ty::Table(root);
    for seg in path {
        ty = element(ty);
        ty = match ty {
            Ty::Table(keys) => keys::find(keys, seg)?.ty,
            Ty::Map(entries) => entries.value,
            _ => return None,
        };
    }
    Some(element(ty))
}

/// The type of an array's elements (of a table in a holiday's `OneOf`), or `ty` itself.
fn element(ty: Ty) -> Ty {
    match ty {
        Ty::Array(inner) => element(*inner),
        Ty::OneOf(list) => list
            .iter()
            .copied()
            .find(|t| matches!(t, Ty::Table(_)))
            .unwrap_or(ty),
        _ => ty,
    }
}

fn is_condition(format: Format, cx: &Context) -> bool {
    let path = cx.path();
    matches!(ty_at(format.root(), &path), Some(Ty::Condition))
}

fn key_offers(keys: &'static [Key]) -> Vec<Offer> {
    keys.iter()
        .map(|k| Offer {
            label: k.name.to_owned(),
            kind: CompletionItemKind::PROPERTY,
            detail: Some(if k.required {
                "required".to_owned()
            } else {
                "optional".to_owned()
            }),
            doc: Some(k.doc.to_owned()),
        })
        .collect()
}

fn names(index: &Index, kind: Kind) -> Vec<Offer> {
    let item_kind = match kind {
        Kind::Metric => CompletionItemKind::FIELD,
        Kind::Tier => CompletionItemKind::ENUM_MEMBER,
        Kind::Dimension => CompletionItemKind::PROPERTY,
        Kind::Benefit => CompletionItemKind::VALUE,
        Kind::Calendar => CompletionItemKind::MODULE,
        Kind::Case => CompletionItemKind::CLASS,
    };
    index
        .names(kind)
        .map(|d| Offer {
            label: d.name.clone(),
            kind: item_kind,
            detail: Some(format!("{}: {}", kind.word(), d.detail)),
            doc: Some(d.hover.clone()),
        })
        .collect()
}

fn words<'a>(list: impl IntoIterator<Item = &'a str>, what: &str) -> Vec<Offer> {
    let mut out: Vec<Offer> = Vec::new();
    for w in list {
        if !out.iter().any(|o| o.label == w) {
            out.push(offer(w, CompletionItemKind::VALUE, Some(what.to_owned())));
        }
    }
    out
}

fn severities<'a>(index: &'a Index, case: Option<&str>) -> Vec<&'a str> {
    index
        .cases
        .iter()
        .filter(|c| case.is_none_or(|k| c.kind == k))
        .flat_map(|c| c.severities.iter().map(String::as_str))
        .collect()
}

fn milestones<'a>(index: &'a Index, case: Option<&str>) -> Vec<&'a str> {
    index
        .cases
        .iter()
        .filter(|c| case.is_none_or(|k| c.kind == k))
        .flat_map(|c| c.milestones.iter().map(String::as_str))
        .collect()
}

/// Headers: the tables a header may open here, or the entries of a map of tables.
fn headers(format: Format, cx: &Context, index: &Index) -> Vec<Offer> {
    let path: Vec<&str> = cx.table.iter().map(String::as_str).collect();
    match path.as_slice() {
        ["service"] => return names(index, Kind::Tier),
        ["scoring", "dimensions"] => return names(index, Kind::Dimension),
        ["calendars"] => return names(index, Kind::Calendar),
        ["cases"] => return names(index, Kind::Case),
        _ => {}
    }
    match ty_at(format.root(), &path) {
        Some(Ty::Table(keys)) => key_offers(keys)
            .into_iter()
            .filter(|o| {
                keys::find(keys, &o.label)
                    .is_some_and(|k| matches!(element(k.ty), Ty::Table(_) | Ty::Map(_)))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Keys: those of the table (or inline table) the cursor is in, or the entry names of a
/// map whose names are the policy's own.
fn keys_at(format: Format, cx: &Context, index: &Index) -> Vec<Offer> {
    let path = cx.path();
    match (format, path.as_slice()) {
        (Format::Scenario, ["scenario", "customer"]) => {
            let mut out = names(index, Kind::Metric);
            out.push(offer(
                "id",
                CompletionItemKind::FIELD,
                Some("the customer's id".into()),
            ));
            out.extend(STATE_FIELDS.iter().map(|f| {
                offer(
                    *f,
                    CompletionItemKind::FIELD,
                    Some("state or pin field".into()),
                )
            }));
            return out;
        }
        (Format::Scenario, ["scenario", "expect", "dimensions"]) => {
            return names(index, Kind::Dimension)
        }
        (Format::Scenario, ["scenario", "expect", "deadlines"]) => {
            return words(milestones(index, None), "milestone")
        }
        (Format::Policy, ["sla", "targets"]) => return words(milestones(index, None), "milestone"),
        (Format::Policy, ["cases", kind, "milestones_for"]) => {
            return words(severities(index, Some(kind)), "severity")
        }
        (Format::Policy, ["scoring", "dimensions", _, "map"]) => {
            let metric = names_in_table(cx, index);
            return match metric {
                Some(values) => words(values.iter().map(String::as_str), "value"),
                None => Vec::new(),
            };
        }
        _ => {}
    }
    match ty_at(format.root(), &path) {
        Some(Ty::Table(keys)) => key_offers(keys),
        _ => Vec::new(),
    }
}

/// The values of the enum metric named by the `metric` key of the dimension the cursor is
/// in.
fn names_in_table<'a>(cx: &Context, index: &'a Index) -> Option<&'a [String]> {
    let dim = cx.table.get(2)?;
    let metric = index
        .files
        .iter()
        .find_map(|f| table_value(&f.text, &cx.table, "metric"))
        .or_else(|| {
            index
                .find(Kind::Dimension, dim)
                .and_then(|d| d.detail.split('`').nth(1).map(str::to_owned))
        })?;
    index.enum_values(&metric)
}

/// The string value of `key` in the table `[table]` (the first one of that header) of
/// `text`, read line by line.
fn table_value(text: &str, table: &[String], key: &str) -> Option<String> {
    let header = format!("[{}]", table.join("."));
    let mut inside = false;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            inside = l.split('#').next().unwrap_or("").trim() == header;
            continue;
        }
        if !inside {
            continue;
        }
        if let Some((k, v)) = l.split_once('=') {
            if k.trim() == key {
                let v = v.split('#').next().unwrap_or("").trim();
                return Some(v.trim_matches(|c| c == '"' || c == '\'').to_owned());
            }
        }
    }
    None
}

/// The string value of `key` written in the table the cursor is in (its header to the
/// next one), such as the `case` of an `[[sla]]` rule or the `kind` of a scenario's case.
fn in_this_table(text: &str, offset: usize, key: &str) -> Option<String> {
    let is_header = |l: &str| l.trim_start().starts_with('[');
    let mut start = 0;
    let mut end = text.len();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let next = at + line.len();
        if is_header(line) {
            if at <= offset {
                start = at;
            } else {
                end = at;
                break;
            }
        }
        at = next;
    }
    let region = text.get(start..end)?;
    let mut from = 0;
    while let Some(p) = region.get(from..)?.find(key) {
        let k = from + p;
        from = k + key.len();
        let boundary = region
            .get(..k)
            .and_then(|b| b.chars().last())
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
        let rest = region.get(from..)?.trim_start();
        let Some(v) = rest.strip_prefix('=') else {
            continue;
        };
        let v = v.trim_start();
        let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let body = v.get(1..)?;
        let close = body.find(q)?;
        if boundary {
            return body.get(..close).map(str::to_owned);
        }
    }
    None
}

/// Values: of a key with a closed set of words, or one that names something of the
/// policy.
fn values(
    format: Format,
    cx: &Context,
    (text, offset): (&str, usize),
    index: &Index,
    quote: bool,
) -> Vec<Offer> {
    let path = cx.path();
    let key = cx.key().unwrap_or("");
    let case_key = if format == Format::Scenario {
        "kind"
    } else {
        "case"
    };
    let case = || in_this_table(text, offset, case_key);
    let mut out = match (format, path.as_slice()) {
        (Format::Scenario, ["scenario", "customer", field]) => match *field {
            "previous_tier" | "pinned_tier" => names(index, Kind::Tier),
            metric => index
                .enum_values(metric)
                .map(|v| words(v.iter().map(String::as_str), "value"))
                .unwrap_or_default(),
        },
        (_, [.., "tier" | "qualified_tier" | "at_least" | "at_most" | "extends"]) => {
            names(index, Kind::Tier)
        }
        (Format::Policy, ["scoring", "dimensions", _, "metric"]) => names(index, Kind::Metric),
        (_, [.., "support_hours" | "clock"]) => {
            let mut v = names(index, Kind::Calendar);
            v.push(offer(
                "24x7",
                CompletionItemKind::VALUE,
                Some("always open".into()),
            ));
            v
        }
        (Format::Policy, ["sla" | "escalation", "case"])
        | (Format::Scenario, [.., "case", "kind"]) => names(index, Kind::Case),
        (_, [.., "severity"]) => words(severities(index, case().as_deref()), "severity"),
        (Format::Policy, ["escalation", "milestone"])
        | (Format::Scenario, [.., "escalation", "milestone"]) => {
            words(milestones(index, case().as_deref()), "milestone")
        }
        (Format::Policy, ["cases", kind, "milestones_for", _]) => {
            words(milestones(index, Some(kind)), "milestone")
        }
        (_, [.., "benefits"]) => names(index, Kind::Benefit),
        _ => Vec::new(),
    };
    if out.is_empty() {
        match ty_at(format.root(), &path) {
            Some(Ty::Enum(list)) => out = words(list.iter().copied(), key),
            Some(Ty::Bool) if quote => {
                out = ["true", "false"]
                    .iter()
                    .map(|w| offer(*w, CompletionItemKind::KEYWORD, None))
                    .collect();
            }
            _ => {}
        }
    }
    out
}

/// Where a condition allows `tier` and `case.*`: `[[grants]]` and `[[routing]]`, and
/// `[[routing]]` alone.
fn allowed(cx: &Context) -> (bool, bool) {
    match cx.table.first().map(String::as_str) {
        Some("grants") => (true, false),
        Some("routing") => (true, true),
        _ => (false, false),
    }
}

/// A token of a condition, as far as completion needs to tell them apart.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    /// A number, a complete string or date, `true`, `false`, `)` or `]`: an operand ends.
    Operand,
    /// A comparison operator, or `in`.
    Cmp,
    /// `and`, `or`, `not`, `(`.
    Joiner,
    Open,
    Comma,
}

fn tokens(s: &str) -> (Vec<Tok>, Option<String>) {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' => i += 1,
            b'\'' | b'"' => match b.get(i + 1..).and_then(|r| r.iter().position(|&q| q == c)) {
                Some(p) => {
                    out.push(Tok::Operand);
                    i += p + 2;
                }
                None => {
                    let partial = String::from_utf8_lossy(b.get(i + 1..).unwrap_or(&[]));
                    return (out, Some(partial.into_owned()));
                }
            },
            b'(' => {
                out.push(Tok::Joiner);
                i += 1;
            }
            b'[' => {
                out.push(Tok::Open);
                i += 1;
            }
            b')' | b']' => {
                out.push(Tok::Operand);
                i += 1;
            }
            b',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            b'=' | b'!' | b'<' | b'>' => {
                while b.get(i).is_some_and(|c| b"=!<>".contains(c)) {
                    i += 1;
                }
                out.push(Tok::Cmp);
            }
            _ => {
                let start = i;
                while b.get(i).is_some_and(|&c| {
                    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-' || c >= 0x80
                }) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                    continue;
                }
                let w = String::from_utf8_lossy(b.get(start..i).unwrap_or(&[])).into_owned();
                out.push(match w.as_str() {
                    "and" | "or" | "not" => Tok::Joiner,
                    "in" => Tok::Cmp,
                    "true" | "false" => Tok::Operand,
                    _ if w.starts_with(|c: char| c.is_ascii_digit()) => Tok::Operand,
                    _ => Tok::Name(w),
                });
            }
        }
    }
    (out, None)
}

/// Inside a `require` or `when` string: names, operators, or the values of the name being
/// compared.
fn condition_offers(cx: &Context, prefix: &str, index: &Index) -> Vec<Offer> {
    let (tier_ok, case_ok) = allowed(cx);
    let (mut toks, open_quote) = tokens(prefix);
    // the word being written is not a token yet
    let writing = open_quote.is_none()
        && prefix
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
    if writing {
        let last = toks.pop();
        if let Some(Tok::Name(w)) = &last {
            if let Some(rest) = w.strip_prefix("dimension.") {
                let _ = rest;
                return names(index, Kind::Dimension);
            }
            if w.starts_with("case.") && case_ok {
                return ["kind", "severity", "channel"]
                    .iter()
                    .map(|f| offer(*f, CompletionItemKind::FIELD, Some("of the case".into())))
                    .collect();
            }
        }
    }
    // the name a value is compared with: `NAME == '`, `NAME in ['a', '`
    let compared = || -> Option<String> {
        let mut it = toks.iter().rev();
        loop {
            match it.next()? {
                Tok::Comma | Tok::Operand | Tok::Open => continue,
                Tok::Cmp => break,
                _ => return None,
            }
        }
        match it.next()? {
            Tok::Name(n) => Some(n.clone()),
            _ => None,
        }
    };
    let last = toks.last().cloned();
    let value_place = open_quote.is_some()
        || matches!(last, Some(Tok::Cmp | Tok::Open | Tok::Comma)) && compared().is_some();
    if value_place {
        let Some(name) = compared() else {
            return Vec::new();
        };
        let list: Vec<String> = match name.as_str() {
            "tier" => index.names(Kind::Tier).map(|d| d.name.clone()).collect(),
            "case.kind" => index.cases.iter().map(|c| c.kind.clone()).collect(),
            "case.severity" => severities(index, None)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            metric => index
                .enum_values(metric)
                .map(<[String]>::to_vec)
                .unwrap_or_default(),
        };
        let quoted = open_quote.is_none();
        return words(list.iter().map(String::as_str), "value")
            .into_iter()
            .map(|mut o| {
                if quoted {
                    o.label = format!("'{}'", o.label);
                }
                o
            })
            .collect();
    }
    if matches!(last, Some(Tok::Name(_) | Tok::Operand)) {
        let ops = [
            ("==", "equals"),
            ("!=", "differs from"),
            (">=", "at least"),
            ("<=", "at most"),
            (">", "more than"),
            ("<", "less than"),
            ("in", "one of a list, like in ['A', 'B']"),
            ("and", "both hold"),
            ("or", "either holds"),
        ];
        return ops
            .iter()
            .map(|(o, d)| offer(*o, CompletionItemKind::OPERATOR, Some((*d).to_owned())))
            .collect();
    }
    let mut out = names(index, Kind::Metric);
    let kw = |w: &str, d: &str| offer(w, CompletionItemKind::KEYWORD, Some(d.to_owned()));
    out.push(kw("score", "the composite score"));
    out.extend(index.names(Kind::Dimension).map(|d| Offer {
        label: format!("dimension.{}", d.name),
        kind: CompletionItemKind::PROPERTY,
        detail: Some(format!("dimension: {}", d.detail)),
        doc: Some(d.hover.clone()),
    }));
    if tier_ok {
        out.push(kw("tier", "the customer's tier, compared by id or rank"));
    }
    if case_ok {
        for f in ["case.kind", "case.severity", "case.channel"] {
            out.push(kw(f, "of the case"));
        }
    }
    out.push(kw("not", "the condition after it does not hold"));
    out
}
