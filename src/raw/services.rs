//! Reading of the service tables: benefits, services, grants, calendars, cases, SLA rules,
//! routing and escalation (spec sections 8 to 11).

use chrono::NaiveDate;
use toml::de::{DeTable, DeValue};

use super::reader::Value;
use super::table::table;
use super::{each_named, Cx, Pairs, Sp, Text};
use crate::error::{did_you_mean, Diag, DiagnosticKind, Span};
use crate::keys::{
    self, BENEFIT_KEYS, CALENDAR_KEYS, CASE_KEYS, ESCALATION_KEYS, GRANT_KEYS, HOLIDAY_KEYS,
    HOURS_KEYS, LADDER_STEP_KEYS, ROUTING_KEYS, SERVICE_KEYS, SLA_KEYS, WORKDAY_KEYS,
};

table! {
    /// One benefit of `[benefits]`.
    RawBenefit (id: Sp<String>) in BENEFIT_KEYS {
        "name" => name: Option<Sp<String>> = Cx::string,
    }
    checked {
        "description" = Cx::string,
    }
}

table! {
    /// `[service.TIER]`.
    RawService (tier: Sp<String>) in SERVICE_KEYS {
        "extends" => extends: Option<Sp<String>> = Cx::string,
        "support_hours" => support_hours: Option<Sp<String>> = Cx::string,
        "account_manager" => account_manager: Option<Sp<String>> = Cx::string,
        "channels" => channels: Option<Sp<Vec<Sp<String>>>> = Cx::strings,
        "review_every_days" => review_every_days: Option<Sp<i64>> = Cx::integer,
        "benefits" => benefits: Option<Sp<Vec<Sp<String>>>> = Cx::strings,
        "response" => response: Vec<(Sp<String>, Sp<String>)> = pair_list,
    }
    checked {
        "description" = Cx::string,
    }
}

table! {
    /// A `[[grants]]` entry.
    RawGrant (span: Span) in GRANT_KEYS {
        "when" => when: Option<Text> = Cx::text,
        "benefits" => benefits: Option<Sp<Vec<Sp<String>>>> = Cx::strings,
    }
    checked {
        "description" = Cx::string,
    }
}

/// A holiday or a range of holidays, `from` to `to` inclusive.
#[derive(Debug)]
pub(crate) struct RawHoliday {
    pub(crate) span: Span,
    pub(crate) from: Sp<NaiveDate>,
    pub(crate) to: Sp<NaiveDate>,
}

table! {
    /// A holiday written as a table: `{ date = ..., name = ... }` or `{ from, to }`.
    HolidayEntry (_span: Span) in HOLIDAY_KEYS {
        "date" => date: Option<Sp<NaiveDate>> = Cx::date,
        "from" => from: Option<Sp<NaiveDate>> = Cx::date,
        "to" => to: Option<Sp<NaiveDate>> = Cx::date,
    }
    checked {
        "name" = Cx::string,
    }
}

table! {
    /// A make-up workday: `{ date = ..., like = "mon" }`.
    WorkdayEntry (_span: Span) in WORKDAY_KEYS {
        "date" => date: Option<Sp<NaiveDate>> = Cx::date,
        "like" => like: Option<Sp<String>> = Cx::string,
    }
    checked {
        "name" = Cx::string,
    }
}

/// `[calendars.NAME]`, read by hand: `hours` is located by its key.
#[derive(Debug)]
pub(crate) struct RawCalendar {
    pub(crate) name: Sp<String>,
    pub(crate) timezone: Option<Sp<String>>,
    pub(crate) holidays: Vec<RawHoliday>,
    pub(crate) workdays: Vec<(Sp<NaiveDate>, Sp<String>)>,
    pub(crate) hours: Vec<(Sp<String>, Vec<Sp<String>>)>,
    pub(crate) hours_span: Option<Span>,
}

table! {
    /// `[cases.KIND]`.
    RawCase (kind: Sp<String>) in CASE_KEYS {
        "severities" => severities: Option<Sp<Vec<Sp<String>>>> = Cx::strings,
        "milestones" => milestones: Option<Sp<Vec<Sp<String>>>> = Cx::strings,
        "milestones_for" => milestones_for: Option<Pairs<Vec<Sp<String>>>> = list_pairs,
        "pause_on" => pause_on: Option<Sp<Vec<Sp<String>>>> = Cx::strings,
    }
    checked {
        "name" = Cx::string,
        "description" = Cx::string,
    }
}

table! {
    /// An `[[sla]]` rule.
    RawSla (span: Span) in SLA_KEYS {
        "case" => case: Option<Sp<String>> = Cx::string,
        "tier" => tier: Option<Sp<String>> = Cx::string,
        "severity" => severity: Option<Sp<String>> = Cx::string,
        "clock" => clock: Option<Sp<String>> = Cx::string,
        "targets" => targets: Option<Pairs<String>> = string_pairs,
    }
}

table! {
    /// A `[[routing]]` rule.
    RawRouting (span: Span) in ROUTING_KEYS {
        "when" => when: Option<Text> = Cx::text,
        "queue" => queue: Option<Sp<String>> = Cx::string,
        "assign" => assign: Option<Sp<String>> = Cx::string,
    }
    checked {
        "description" = Cx::string,
    }
}

table! {
    /// One step of an escalation `ladder`.
    RawStep (span: Span) in LADDER_STEP_KEYS {
        "at" => at: Option<Sp<String>> = Cx::string,
        "notify" => notify: Option<Sp<String>> = Cx::string,
    }
}

table! {
    /// An `[[escalation]]` rule.
    RawEscalation (span: Span) in ESCALATION_KEYS {
        "case" => case: Option<Sp<String>> = Cx::string,
        "milestone" => milestone: Option<Sp<String>> = Cx::string,
        "ladder" => ladder: Option<Sp<Vec<RawStep>>> = read_ladder,
    }
}

pub(crate) fn read_benefits(cx: &mut Cx<'_>, v: &Value<'_>) -> Vec<RawBenefit> {
    each_named(cx, v, "`[benefits]`", |cx, id, t| {
        let what = format!("benefit `{}`", id.v);
        let span = id.span;
        RawBenefit::read(cx, id, span, t, &what)
    })
}

/// Reads a table of `key = "string"` pairs (response targets, SLA targets).
fn string_pairs(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Option<Pairs<String>> {
    let t = cx.table(v, what)?;
    let mut out = Vec::with_capacity(t.len());
    for (k, item) in t.iter() {
        let key = Sp::new(k.get_ref().to_string(), cx.span(k.span()));
        if let Some(s) = cx.string(item, &format!("`{}`", key.v)) {
            out.push((key, s));
        }
    }
    Some(Sp::new(out, cx.span(v.span())))
}

/// A table of `key = ["string", ...]` pairs (a case's `milestones_for`).
fn list_pairs(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Option<Pairs<Vec<Sp<String>>>> {
    let t = cx.table(v, what)?;
    let mut out = Vec::with_capacity(t.len());
    for (k, item) in t.iter() {
        let key = Sp::new(k.get_ref().to_string(), cx.span(k.span()));
        if let Some(list) = cx.strings(item, &format!("`{}`", key.v)) {
            out.push((key, list));
        }
    }
    Some(Sp::new(out, cx.span(v.span())))
}

/// `key = "string"` pairs without the table's span.
fn pair_list(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Vec<(Sp<String>, Sp<String>)> {
    string_pairs(cx, v, what).map(|p| p.v).unwrap_or_default()
}

pub(crate) fn read_services(cx: &mut Cx<'_>, v: &Value<'_>) -> Vec<RawService> {
    each_named(cx, v, "`[service]`", |cx, tier, t| {
        let what = format!("`[service.{}]`", tier.v);
        let span = tier.span;
        RawService::read(cx, tier, span, t, &what)
    })
}

pub(crate) fn read_grant(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawGrant {
    RawGrant::read(cx, span, span, t, "a grant")
}

pub(crate) fn read_calendars(cx: &mut Cx<'_>, v: &Value<'_>) -> Vec<RawCalendar> {
    each_named(cx, v, "`[calendars]`", |cx, name, t| {
        let what = format!("calendar `{}`", name.v);
        cx.check_keys(name.span, t, CALENDAR_KEYS, &what);
        let mut c = RawCalendar {
            name,
            timezone: None,
            holidays: Vec::new(),
            workdays: Vec::new(),
            hours: Vec::new(),
            hours_span: None,
        };
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "timezone" => c.timezone = cx.string(v, "`timezone`"),
                "holidays" => c.holidays = read_holidays(cx, v),
                "workdays" => c.workdays = read_workdays(cx, v),
                "hours" => {
                    c.hours_span = Some(cx.span(k.span()));
                    if let Some(h) = cx.table(v, "`hours`") {
                        for (day, list) in h.iter() {
                            let day = Sp::new(day.get_ref().to_string(), cx.span(day.span()));
                            if keys::find(HOURS_KEYS, &day.v).is_none() {
                                // reported here, once, and left out of the calendar
                                let help = did_you_mean(&day.v, keys::names(HOURS_KEYS)).unwrap_or_else(|| {
                                    "weekdays are `mon`, `tue`, `wed`, `thu`, `fri`, `sat` and `sun`".into()
                                });
                                cx.push(
                                    Diag::new(
                                        DiagnosticKind::UnknownKey,
                                        day.span,
                                        format!("unknown weekday `{}` in `hours`", day.v),
                                    )
                                    .with_help(help),
                                );
                                continue;
                            }
                            let list = cx
                                .strings(list, &format!("the hours of `{}`", day.v))
                                .map(|l| l.v)
                                .unwrap_or_default();
                            c.hours.push((day, list));
                        }
                    }
                }
                "description" => {
                    cx.string(v, "`description`");
                }
                _ => {}
            }
        }
        c
    })
}

fn read_holidays(cx: &mut Cx<'_>, v: &Value<'_>) -> Vec<RawHoliday> {
    let Some(arr) = cx.array(v, "`holidays`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in arr.iter() {
        let span = cx.span(item.span());
        match item.get_ref() {
            DeValue::Table(t) => {
                let e = HolidayEntry::read(cx, span, span, t, "a holiday");
                let (from, to) = match e.date {
                    Some(d) => (Some(d.clone()), Some(d)),
                    None => (e.from, e.to),
                };
                match (from, to) {
                    (Some(from), Some(to)) => out.push(RawHoliday { span, from, to }),
                    (Some(_), None) | (None, Some(_)) => cx.push(Diag::new(
                        DiagnosticKind::MissingKey,
                        span,
                        "a holiday range needs both `from` and `to`",
                    )),
                    (None, None) => cx.push(Diag::new(
                        DiagnosticKind::MissingKey,
                        span,
                        "a holiday needs a `date`, or `from` and `to`",
                    )),
                }
            }
            _ => {
                if let Some(d) = cx.date(item, "a holiday") {
                    out.push(RawHoliday {
                        span,
                        from: d.clone(),
                        to: d,
                    });
                }
            }
        }
    }
    out
}

fn read_workdays(cx: &mut Cx<'_>, v: &Value<'_>) -> Vec<(Sp<NaiveDate>, Sp<String>)> {
    let Some(arr) = cx.array(v, "`workdays`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in arr.iter() {
        let span = cx.span(item.span());
        let Some(t) = cx.table(item, "a make-up workday") else {
            continue;
        };
        let e = WorkdayEntry::read(cx, span, span, t, "a make-up workday");
        let (date, like) = (e.date, e.like);
        match (date, like) {
            (Some(d), Some(l)) => out.push((d, l)),
            (None, _) => cx.error(
                DiagnosticKind::MissingKey,
                span,
                "a make-up workday needs a `date`",
            ),
            (_, None) => cx.push(
                Diag::new(
                    DiagnosticKind::MissingKey,
                    span,
                    "a make-up workday needs `like`, the weekday whose hours it opens with",
                )
                .with_help("for example `{ date = 2026-10-10, like = \"mon\" }`"),
            ),
        }
    }
    out
}

pub(crate) fn read_cases(cx: &mut Cx<'_>, v: &Value<'_>) -> Vec<RawCase> {
    each_named(cx, v, "`[cases]`", |cx, kind, t| {
        let what = format!("case `{}`", kind.v);
        let span = kind.span;
        RawCase::read(cx, kind, span, t, &what)
    })
}

pub(crate) fn read_sla(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawSla {
    RawSla::read(cx, span, span, t, "an `[[sla]]` rule")
}

pub(crate) fn read_routing(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawRouting {
    RawRouting::read(cx, span, span, t, "a `[[routing]]` rule")
}

pub(crate) fn read_escalation(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawEscalation {
    RawEscalation::read(cx, span, span, t, "an `[[escalation]]` rule")
}

fn read_ladder(cx: &mut Cx<'_>, v: &Value<'_>, what: &str) -> Option<Sp<Vec<RawStep>>> {
    let arr = cx.array(v, what)?;
    let mut steps = Vec::new();
    for item in arr.iter() {
        let span = cx.span(item.span());
        if let Some(st) = cx.table(item, "a ladder step") {
            steps.push(RawStep::read(cx, span, span, st, "a ladder step"));
        }
    }
    Some(Sp::new(steps, cx.span(v.span())))
}
