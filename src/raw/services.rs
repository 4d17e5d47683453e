//! Reading of the service tables: benefits, services, grants, calendars, cases, SLA rules,
//! routing and escalation (spec sections 8 to 11).

use chrono::NaiveDate;
use toml::de::{DeTable, DeValue};

use super::reader::Value;
use super::{each_named, Cx, Pairs, Sp, Text};
use crate::error::{did_you_mean, Diag, DiagnosticKind, Span};
use crate::keys::{
    self, BENEFIT_KEYS, CALENDAR_KEYS, CASE_KEYS, ESCALATION_KEYS, GRANT_KEYS, HOLIDAY_KEYS,
    HOURS_KEYS, LADDER_STEP_KEYS, ROUTING_KEYS, SERVICE_KEYS, SLA_KEYS, WORKDAY_KEYS,
};

#[derive(Debug)]
pub(crate) struct RawBenefit {
    pub(crate) id: Sp<String>,
    pub(crate) name: Option<Sp<String>>,
}

#[derive(Debug)]
pub(crate) struct RawService {
    pub(crate) tier: Sp<String>,
    pub(crate) extends: Option<Sp<String>>,
    pub(crate) support_hours: Option<Sp<String>>,
    pub(crate) account_manager: Option<Sp<String>>,
    pub(crate) channels: Option<Sp<Vec<Sp<String>>>>,
    pub(crate) review_every_days: Option<Sp<i64>>,
    pub(crate) benefits: Option<Sp<Vec<Sp<String>>>>,
    pub(crate) response: Vec<(Sp<String>, Sp<String>)>,
}

#[derive(Debug)]
pub(crate) struct RawGrant {
    pub(crate) span: Span,
    pub(crate) when: Option<Text>,
    pub(crate) benefits: Option<Sp<Vec<Sp<String>>>>,
}

#[derive(Debug)]
pub(crate) struct RawHoliday {
    pub(crate) span: Span,
    pub(crate) from: Sp<NaiveDate>,
    pub(crate) to: Sp<NaiveDate>,
}

#[derive(Debug)]
pub(crate) struct RawCalendar {
    pub(crate) name: Sp<String>,
    pub(crate) timezone: Option<Sp<String>>,
    pub(crate) holidays: Vec<RawHoliday>,
    pub(crate) workdays: Vec<(Sp<NaiveDate>, Sp<String>)>,
    pub(crate) hours: Vec<(Sp<String>, Vec<Sp<String>>)>,
    pub(crate) hours_span: Option<Span>,
}

#[derive(Debug)]
pub(crate) struct RawCase {
    pub(crate) kind: Sp<String>,
    pub(crate) severities: Option<Sp<Vec<Sp<String>>>>,
    pub(crate) milestones: Option<Sp<Vec<Sp<String>>>>,
}

#[derive(Debug)]
pub(crate) struct RawSla {
    pub(crate) span: Span,
    pub(crate) case: Option<Sp<String>>,
    pub(crate) tier: Option<Sp<String>>,
    pub(crate) severity: Option<Sp<String>>,
    pub(crate) clock: Option<Sp<String>>,
    pub(crate) targets: Option<Pairs<String>>,
}

#[derive(Debug)]
pub(crate) struct RawRouting {
    pub(crate) span: Span,
    pub(crate) when: Option<Text>,
    pub(crate) queue: Option<Sp<String>>,
    pub(crate) assign: Option<Sp<String>>,
}

#[derive(Debug)]
pub(crate) struct RawStep {
    pub(crate) span: Span,
    pub(crate) at: Option<Sp<String>>,
    pub(crate) notify: Option<Sp<String>>,
}

#[derive(Debug)]
pub(crate) struct RawEscalation {
    pub(crate) span: Span,
    pub(crate) case: Option<Sp<String>>,
    pub(crate) milestone: Option<Sp<String>>,
    pub(crate) ladder: Option<Sp<Vec<RawStep>>>,
}

pub(crate) fn read_benefits(cx: &mut Cx<'_>, v: &Value<'_>) -> Vec<RawBenefit> {
    each_named(cx, v, "`[benefits]`", |cx, id, t| {
        let what = format!("benefit `{}`", id.v);
        cx.check_keys(id.span, t, BENEFIT_KEYS, &what);
        let mut b = RawBenefit { id, name: None };
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "name" => b.name = cx.string(v, "`name`"),
                "description" => {
                    cx.string(v, "`description`");
                }
                _ => {}
            }
        }
        b
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

pub(crate) fn read_services(cx: &mut Cx<'_>, v: &Value<'_>) -> Vec<RawService> {
    each_named(cx, v, "`[service]`", |cx, tier, t| {
        let what = format!("`[service.{}]`", tier.v);
        cx.check_keys(tier.span, t, SERVICE_KEYS, &what);
        let mut s = RawService {
            tier,
            extends: None,
            support_hours: None,
            account_manager: None,
            channels: None,
            review_every_days: None,
            benefits: None,
            response: Vec::new(),
        };
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "extends" => s.extends = cx.string(v, "`extends`"),
                "support_hours" => s.support_hours = cx.string(v, "`support_hours`"),
                "account_manager" => s.account_manager = cx.string(v, "`account_manager`"),
                "channels" => s.channels = cx.strings(v, "`channels`"),
                "review_every_days" => s.review_every_days = cx.integer(v, "`review_every_days`"),
                "benefits" => s.benefits = cx.strings(v, "`benefits`"),
                "response" => {
                    s.response = string_pairs(cx, v, "`response`")
                        .map(|p| p.v)
                        .unwrap_or_default()
                }
                "description" => {
                    cx.string(v, "`description`");
                }
                _ => {}
            }
        }
        s
    })
}

pub(crate) fn read_grant(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawGrant {
    cx.check_keys(span, t, GRANT_KEYS, "a grant");
    let mut g = RawGrant {
        span,
        when: None,
        benefits: None,
    };
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "when" => g.when = cx.text(v, "`when`"),
            "benefits" => g.benefits = cx.strings(v, "`benefits`"),
            "description" => {
                cx.string(v, "`description`");
            }
            _ => {}
        }
    }
    g
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
                cx.check_keys(span, t, HOLIDAY_KEYS, "a holiday");
                let mut from = None;
                let mut to = None;
                for (k, v) in t.iter() {
                    match k.get_ref().as_ref() {
                        "from" => from = cx.date(v, "`from`"),
                        "to" => to = cx.date(v, "`to`"),
                        "date" => {
                            let d = cx.date(v, "`date`");
                            from = d.clone();
                            to = d;
                        }
                        "name" => {
                            cx.string(v, "`name`");
                        }
                        _ => {}
                    }
                }
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
        cx.check_keys(span, t, WORKDAY_KEYS, "a make-up workday");
        let mut date = None;
        let mut like = None;
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "date" => date = cx.date(v, "`date`"),
                "like" => like = cx.string(v, "`like`"),
                "name" => {
                    cx.string(v, "`name`");
                }
                _ => {}
            }
        }
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
        cx.check_keys(kind.span, t, CASE_KEYS, &what);
        let mut c = RawCase {
            kind,
            severities: None,
            milestones: None,
        };
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "severities" => c.severities = cx.strings(v, "`severities`"),
                "milestones" => c.milestones = cx.strings(v, "`milestones`"),
                "name" | "description" => {
                    cx.string(v, "`name`");
                }
                _ => {}
            }
        }
        c
    })
}

pub(crate) fn read_sla(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawSla {
    cx.check_keys(span, t, SLA_KEYS, "an `[[sla]]` rule");
    let mut s = RawSla {
        span,
        case: None,
        tier: None,
        severity: None,
        clock: None,
        targets: None,
    };
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "case" => s.case = cx.string(v, "`case`"),
            "tier" => s.tier = cx.string(v, "`tier`"),
            "severity" => s.severity = cx.string(v, "`severity`"),
            "clock" => s.clock = cx.string(v, "`clock`"),
            "targets" => s.targets = string_pairs(cx, v, "`targets`"),
            _ => {}
        }
    }
    s
}

pub(crate) fn read_routing(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawRouting {
    cx.check_keys(span, t, ROUTING_KEYS, "a `[[routing]]` rule");
    let mut r = RawRouting {
        span,
        when: None,
        queue: None,
        assign: None,
    };
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "when" => r.when = cx.text(v, "`when`"),
            "queue" => r.queue = cx.string(v, "`queue`"),
            "assign" => r.assign = cx.string(v, "`assign`"),
            "description" => {
                cx.string(v, "`description`");
            }
            _ => {}
        }
    }
    r
}

pub(crate) fn read_escalation(cx: &mut Cx<'_>, span: Span, t: &DeTable<'_>) -> RawEscalation {
    cx.check_keys(span, t, ESCALATION_KEYS, "an `[[escalation]]` rule");
    let mut e = RawEscalation {
        span,
        case: None,
        milestone: None,
        ladder: None,
    };
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "case" => e.case = cx.string(v, "`case`"),
            "milestone" => e.milestone = cx.string(v, "`milestone`"),
            "ladder" => {
                if let Some(arr) = cx.array(v, "`ladder`") {
                    let mut steps = Vec::new();
                    for item in arr.iter() {
                        let sspan = cx.span(item.span());
                        if let Some(st) = cx.table(item, "a ladder step") {
                            cx.check_keys(sspan, st, LADDER_STEP_KEYS, "a ladder step");
                            let mut step = RawStep {
                                span: sspan,
                                at: None,
                                notify: None,
                            };
                            for (sk, sv) in st.iter() {
                                match sk.get_ref().as_ref() {
                                    "at" => step.at = cx.string(sv, "`at`"),
                                    "notify" => step.notify = cx.string(sv, "`notify`"),
                                    _ => {}
                                }
                            }
                            steps.push(step);
                        }
                    }
                    e.ladder = Some(Sp::new(steps, cx.span(v.span())));
                }
            }
            _ => {}
        }
    }
    e
}
