//! Compilation of the service tables (spec sections 8 to 11): services with `extends`,
//! benefits and grants, calendars, cases, SLA rules, routing and escalation.

use std::str::FromStr;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{required, resolve, timezone, MAX_RULES};
use crate::calendar::{Calendar, OpenInterval, WeeklyHours};
use crate::duration::BusinessDuration;
use crate::error::{closest, did_you_mean, Diag, DiagnosticKind, Diags, Span};
use crate::expr::{self, Scope};
use crate::model::{
    AccountManager, BenefitSet, CaseDef, Cond, Escalation, Grant, MetricDef, Route, ServiceDef,
    ServiceModel, Step, Target, MAX_BENEFITS,
};
use crate::raw::{RawPolicy, RawService, Sp, Text};

/// Names the conditions of the whole policy may compare with.
#[derive(Debug, Default)]
pub(crate) struct Names {
    pub(crate) case_kinds: Vec<String>,
    pub(crate) severities: Vec<String>,
    pub(crate) channels: Vec<String>,
}

pub(crate) struct Ctx<'a> {
    pub(crate) metrics: &'a [MetricDef],
    pub(crate) dimensions: &'a [String],
    pub(crate) tier_ids: &'a [String],
    pub(crate) names: &'a Names,
    pub(crate) timezone: Tz,
}

fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_owned());
    }
}

/// Collects case kinds, severities and channels, in declaration order.
pub(crate) fn names(raw: &RawPolicy) -> Names {
    let mut n = Names::default();
    for c in &raw.cases {
        push_unique(&mut n.case_kinds, &c.kind.v);
        for s in c.severities.iter().flat_map(|s| &s.v) {
            push_unique(&mut n.severities, &s.v);
        }
    }
    for s in &raw.services {
        for c in s.channels.iter().flat_map(|c| &c.v) {
            push_unique(&mut n.channels, &c.v);
        }
    }
    // a response target's channel need not be listed: it is a channel too, unless it looks
    // like a misspelling of a listed one (`emial`), which the service's compilation reports
    let listed = n.channels.len();
    for s in &raw.services {
        for (c, _) in &s.response {
            let near_miss =
                crate::error::closest(&c.v, n.channels.iter().take(listed).map(String::as_str))
                    .is_some_and(|near| near != c.v);
            if !near_miss {
                push_unique(&mut n.channels, &c.v);
            }
        }
    }
    n
}

fn err(diags: &mut Diags, kind: DiagnosticKind, span: Span, message: impl Into<String>) {
    diags.error(kind, span, message);
}

fn duration(diags: &mut Diags, s: &Sp<String>) -> Option<BusinessDuration> {
    match BusinessDuration::from_str(&s.v) {
        Ok(d) => Some(d),
        Err(e) => {
            diags.push(
                Diag::new(DiagnosticKind::InvalidValue, s.span, e.to_string())
                    .with_help("write a whole number and a unit `s`, `m`, `h` or `d`, like \"30m\" or \"1h30m\""),
            );
            None
        }
    }
}

fn cond(diags: &mut Diags, text: &Text, scope: &Scope<'_>) -> Option<Cond> {
    match expr::compile(text, scope) {
        Ok(c) => Some(c),
        Err(e) => {
            diags.list.extend(e);
            None
        }
    }
}

fn limit<T>(diags: &mut Diags, list: &[T], span: impl Fn(&T) -> Span, what: &str) -> bool {
    if list.len() > MAX_RULES {
        if let Some(first) = list.first() {
            err(
                diags,
                DiagnosticKind::Limit,
                span(first),
                format!("more than {MAX_RULES} {what}"),
            );
        }
        return false;
    }
    true
}

pub(crate) fn compile(raw: &RawPolicy, cx: &Ctx<'_>, diags: &mut Diags) -> Option<ServiceModel> {
    let before = diags.list.len();
    let mut m = ServiceModel::default();
    let calendar_names = compile_calendars(raw, cx, &mut m, diags);
    compile_benefits(raw, &mut m, diags);
    let benefit_ids: Vec<String> = m.benefits.iter().map(|(b, _)| b.clone()).collect();
    m.channels = cx.names.channels.clone();
    m.severities = cx.names.severities.clone();
    compile_service_table(raw, cx, &calendar_names, &benefit_ids, &mut m, diags);

    let scope = |place: &'static str, allow_case: bool| Scope {
        metrics: cx.metrics,
        dimensions: cx.dimensions,
        tiers: cx.tier_ids,
        case_kinds: &cx.names.case_kinds,
        severities: &cx.names.severities,
        channels: &cx.names.channels,
        allow_tier: true,
        allow_case,
        place,
    };
    if limit(diags, &raw.grants, |g| g.span, "grants") {
        let grant_scope = scope("a grant's `when`", false);
        for g in &raw.grants {
            let when = g.when.as_ref().and_then(|w| cond(diags, w, &grant_scope));
            let list = required(diags, &g.benefits, g.span, "benefits", "a grant");
            let benefits = list
                .map(|l| benefit_set(diags, l, &benefit_ids))
                .unwrap_or_default();
            if g.when.is_some() && when.is_none() {
                continue;
            }
            m.grants.push(Grant { when, benefits });
        }
    }

    compile_cases(raw, cx, &mut m, diags);
    compile_sla(raw, cx, &calendar_names, &mut m, diags);
    if limit(diags, &raw.routing, |r| r.span, "routing rules") {
        let route_scope = scope("a routing rule", true);
        let mut catch_all: Option<Span> = None;
        for r in &raw.routing {
            if let Some(c) = catch_all {
                diags.push(
                    Diag::new(DiagnosticKind::Ordering, r.span, "this routing rule is unreachable: a rule without `when` before it catches every case")
                        .with_help("move it to the end")
                        .with_related(c, "the catch-all rule is"),
                );
            }
            let when = r.when.as_ref().and_then(|w| cond(diags, w, &route_scope));
            if r.when.is_none() {
                catch_all = Some(r.span);
            }
            let queue = required(diags, &r.queue, r.span, "queue", "a routing rule");
            if let Some(q) = queue {
                if q.v.trim().is_empty() {
                    err(
                        diags,
                        DiagnosticKind::InvalidValue,
                        q.span,
                        "`queue` cannot be empty",
                    );
                }
            }
            if let Some(a) = &r.assign {
                if a.v.trim().is_empty() {
                    err(
                        diags,
                        DiagnosticKind::InvalidValue,
                        a.span,
                        "`assign` cannot be empty",
                    );
                }
            }
            if let Some(q) = queue {
                m.routing.push(Route {
                    when,
                    when_text: r.when.as_ref().map(|w| w.text.clone()),
                    queue: q.v.clone(),
                    assign: r.assign.as_ref().map(|a| a.v.clone()),
                });
            }
        }
    }
    compile_escalation(raw, &mut m, diags);
    (diags.list.len() == before).then_some(m)
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn weekday(diags: &mut Diags, s: &Sp<String>) -> Option<Weekday> {
    match WEEKDAYS.iter().find(|(n, _)| *n == s.v) {
        Some((_, d)) => Some(*d),
        None => {
            let help = did_you_mean(&s.v, WEEKDAYS.iter().map(|(n, _)| *n))
                .unwrap_or_else(|| "weekdays are mon, tue, wed, thu, fri, sat and sun".into());
            diags.push(
                Diag::new(
                    DiagnosticKind::InvalidValue,
                    s.span,
                    format!("unknown weekday `{}`", s.v),
                )
                .with_help(help),
            );
            None
        }
    }
}

/// Compiles calendars; returns their names, `24x7` first.
fn compile_calendars(
    raw: &RawPolicy,
    cx: &Ctx<'_>,
    m: &mut ServiceModel,
    diags: &mut Diags,
) -> Vec<String> {
    m.calendars
        .push(("24x7".to_owned(), Calendar::always_open(cx.timezone)));
    for c in &raw.calendars {
        if c.name.v == "24x7" {
            err(
                diags,
                DiagnosticKind::Reserved,
                c.name.span,
                "`24x7` is the built-in always-open calendar and cannot be redefined",
            );
            continue;
        }
        let tz = match &c.timezone {
            Some(t) => timezone(diags, t),
            None => Some(cx.timezone),
        };
        let mut hours = WeeklyHours::closed();
        let mut ok = true;
        if c.hours_span.is_none() && !diags.was_written(c.name.span, "hours") {
            diags.push(
                Diag::new(
                    DiagnosticKind::MissingKey,
                    c.name.span,
                    format!("calendar `{}` is missing `hours`", c.name.v),
                )
                .with_help(format!(
                    "add `[calendars.{}.hours]` with `mon = [\"09:00-18:00\"]` and so on",
                    c.name.v
                )),
            );
            ok = false;
        }
        for (day, list) in &c.hours {
            let Some(wd) = weekday(diags, day) else {
                ok = false;
                continue;
            };
            let mut intervals = Vec::with_capacity(list.len());
            for text in list {
                match OpenInterval::from_str(&text.v) {
                    Ok(i) => intervals.push(i),
                    Err(e) => {
                        diags.push(
                            Diag::new(DiagnosticKind::InvalidValue, text.span, e.to_string())
                                .with_help(
                                "write hours as \"09:00-12:00\"; \"00:00-24:00\" is the whole day",
                            ),
                        );
                        ok = false;
                    }
                }
            }
            if let Err(e) = hours.set(wd, intervals) {
                let span = list.first().map_or(day.span, |l| l.span);
                err(
                    diags,
                    DiagnosticKind::Ordering,
                    span,
                    format!("{} on `{}`", e, day.v),
                );
                ok = false;
            }
        }
        let mut holidays: Vec<NaiveDate> = Vec::new();
        for h in &c.holidays {
            if h.to.v < h.from.v {
                err(
                    diags,
                    DiagnosticKind::Ordering,
                    h.to.span,
                    format!(
                        "holiday range ends on {} before it starts on {}",
                        h.to.v, h.from.v
                    ),
                );
                ok = false;
                continue;
            }
            let days = (h.to.v - h.from.v).num_days();
            if days > 366 {
                err(
                    diags,
                    DiagnosticKind::Limit,
                    h.span,
                    "a holiday range may span at most 366 days",
                );
                ok = false;
                continue;
            }
            holidays.extend(
                h.from
                    .v
                    .iter_days()
                    .take(usize::try_from(days + 1).unwrap_or(0)),
            );
        }
        let mut makeup = Vec::new();
        for (date, like) in &c.workdays {
            if let Some(wd) = weekday(diags, like) {
                if holidays.contains(&date.v) {
                    err(
                        diags,
                        DiagnosticKind::Inconsistent,
                        date.span,
                        format!("{} is both a holiday and a make-up workday", date.v),
                    );
                    ok = false;
                }
                makeup.push((date.v, wd));
            } else {
                ok = false;
            }
        }
        if let (true, Some(tz)) = (ok, tz) {
            match Calendar::new(tz, hours, holidays, makeup) {
                Ok(cal) => m.calendars.push((c.name.v.clone(), cal)),
                Err(e) => err(
                    diags,
                    DiagnosticKind::Inconsistent,
                    c.name.span,
                    format!("calendar `{}`: {e}", c.name.v),
                ),
            }
        } else {
            // keep numbering aligned so that later references resolve
            m.calendars
                .push((c.name.v.clone(), Calendar::always_open(cx.timezone)));
        }
    }
    m.calendars.iter().map(|(n, _)| n.clone()).collect()
}

fn compile_benefits(raw: &RawPolicy, m: &mut ServiceModel, diags: &mut Diags) {
    if raw.benefits.len() > MAX_BENEFITS {
        if let Some(b) = raw.benefits.get(MAX_BENEFITS) {
            err(
                diags,
                DiagnosticKind::Limit,
                b.id.span,
                format!("more than {MAX_BENEFITS} benefits"),
            );
        }
    }
    for b in raw.benefits.iter().take(MAX_BENEFITS) {
        m.benefits
            .push((b.id.v.clone(), b.name.as_ref().map(|n| n.v.clone())));
    }
}

fn benefit_set(diags: &mut Diags, list: &Sp<Vec<Sp<String>>>, ids: &[String]) -> BenefitSet {
    let mut set = BenefitSet::default();
    for b in &list.v {
        if let Some(i) = resolve(diags, b, ids, "benefit") {
            set.insert(i);
        }
    }
    set
}

/// The value of a service field after `extends`: the first service in the chain that sets it.
fn inherited<'a, T>(
    chain: &[&'a RawService],
    get: impl Fn(&'a RawService) -> Option<&'a T>,
) -> Option<&'a T> {
    chain.iter().find_map(|s| get(s))
}

fn compile_service_table(
    raw: &RawPolicy,
    cx: &Ctx<'_>,
    calendars: &[String],
    benefit_ids: &[String],
    m: &mut ServiceModel,
    diags: &mut Diags,
) {
    if raw.services.is_empty() {
        // services are optional; without them a policy only tiers
        return;
    }
    let names: Vec<String> = raw.services.iter().map(|s| s.tier.v.clone()).collect();
    // resolve each service's extends chain, reporting unknown parents and cycles once
    let mut chains: Vec<Option<Vec<usize>>> = Vec::with_capacity(raw.services.len());
    for (i, _) in raw.services.iter().enumerate() {
        let mut chain = vec![i];
        let mut cur = i;
        let mut ok = true;
        while let Some(parent) = raw.services.get(cur).and_then(|s| s.extends.as_ref()) {
            let Some(pi) = names.iter().position(|n| *n == parent.v) else {
                if cur == i && cx.tier_ids.contains(&parent.v) {
                    // a tier whose service is missing, perhaps written under another name:
                    // never suggest that name back
                    let misspelt = closest(
                        &parent.v,
                        names
                            .iter()
                            .map(String::as_str)
                            .filter(|n| !cx.tier_ids.iter().any(|t| t == n)),
                    );
                    diags.push(
                        Diag::new(
                            DiagnosticKind::UnknownName,
                            parent.span,
                            format!("tier `{}` has no service to extend", parent.v),
                        )
                        .with_help(match misspelt {
                            Some(m) => format!(
                                "`[service.{m}]` is not named after a tier: rename it `[service.{}]`",
                                parent.v
                            ),
                            None => format!("add `[service.{}]`", parent.v),
                        }),
                    );
                } else if cur == i {
                    resolve(diags, parent, &names, "service");
                }
                ok = false;
                break;
            };
            if chain.contains(&pi) {
                if cur == i || pi == i {
                    let path: Vec<&str> = chain
                        .iter()
                        .chain(std::iter::once(&pi))
                        .filter_map(|c| names.get(*c).map(String::as_str))
                        .collect();
                    // reported once, by the cycle's first service in file order
                    if pi == i && chain.iter().min() == Some(&i) {
                        diags.push(
                            Diag::new(
                                DiagnosticKind::Inconsistent,
                                parent.span,
                                format!("`extends` forms a cycle: {}", path.join(" -> ")),
                            )
                            .with_help(
                                "a service may extend another, but never itself through a chain",
                            ),
                        );
                    }
                }
                ok = false;
                break;
            }
            chain.push(pi);
            cur = pi;
        }
        chains.push(ok.then_some(chain));
    }
    for s in &raw.services {
        if s.tier.v.is_empty() {
            err(
                diags,
                DiagnosticKind::InvalidValue,
                s.tier.span,
                "a service needs a name",
            );
        }
    }
    let mut services: Vec<Option<ServiceDef>> = vec![None; cx.tier_ids.len()];
    for (i, s) in raw.services.iter().enumerate() {
        let Some(Some(chain_idx)) = chains.get(i) else {
            continue;
        };
        let chain: Vec<&RawService> = chain_idx
            .iter()
            .filter_map(|c| raw.services.get(*c))
            .collect();
        let tier = cx.tier_ids.iter().position(|t| *t == s.tier.v);
        // fields are checked where written (once), and required after inheritance
        let what = format!("`[service.{}]`", s.tier.v);
        let support = inherited(&chain, |r| r.support_hours.as_ref());
        let support_idx = match support {
            Some(h)
                if std::ptr::eq(h, s.support_hours.as_ref().map_or(std::ptr::null(), |x| x)) =>
            {
                resolve(diags, h, calendars, "calendar")
            }
            Some(h) => calendars
                .iter()
                .position(|c| *c == h.v)
                .and_then(|x| u16::try_from(x).ok()),
            None => {
                if tier.is_some() {
                    diags.push(
                        Diag::new(
                            DiagnosticKind::MissingKey,
                            s.tier.span,
                            format!("{what} is missing `support_hours`"),
                        )
                        .with_help("name a calendar, or \"24x7\""),
                    );
                }
                None
            }
        };
        let manager = match inherited(&chain, |r| r.account_manager.as_ref()) {
            None => Some(AccountManager::None),
            Some(a) => match a.v.as_str() {
                "none" => Some(AccountManager::None),
                "designated" => Some(AccountManager::Designated),
                "dedicated" => Some(AccountManager::Dedicated),
                other => {
                    if s.account_manager
                        .as_ref()
                        .is_some_and(|own| std::ptr::eq(own, a))
                    {
                        let help = did_you_mean(other, ["none", "designated", "dedicated"])
                            .unwrap_or_else(|| {
                                "use \"none\", \"designated\" or \"dedicated\"".into()
                            });
                        diags.push(
                            Diag::new(
                                DiagnosticKind::InvalidValue,
                                a.span,
                                format!("unknown account manager `{other}`"),
                            )
                            .with_help(help),
                        );
                    }
                    None
                }
            },
        };
        let channels: Vec<u16> = inherited(&chain, |r| r.channels.as_ref())
            .map(|c| {
                c.v.iter()
                    .filter_map(|ch| cx.names.channels.iter().position(|n| *n == ch.v))
                    .filter_map(|x| u16::try_from(x).ok())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(c) = &s.channels {
            let mut seen: Vec<&str> = Vec::new();
            for ch in &c.v {
                if seen.contains(&ch.v.as_str()) {
                    err(
                        diags,
                        DiagnosticKind::Duplicate,
                        ch.span,
                        format!("channel `{}` is listed twice", ch.v),
                    );
                }
                seen.push(&ch.v);
            }
        }
        let review = match inherited(&chain, |r| r.review_every_days.as_ref()) {
            None => Some(0),
            Some(r) => match u32::try_from(r.v) {
                Ok(v) if v <= 3660 => Some(v),
                _ => {
                    if s.review_every_days
                        .as_ref()
                        .is_some_and(|own| std::ptr::eq(own, r))
                    {
                        err(
                            diags,
                            DiagnosticKind::InvalidValue,
                            r.span,
                            format!(
                                "`review_every_days` must be between 0 and 3660, found {}",
                                r.v
                            ),
                        );
                    }
                    None
                }
            },
        };
        let mut benefits = BenefitSet::default();
        if let Some(own) = &s.benefits {
            benefits = benefit_set(diags, own, benefit_ids);
        } else if let Some(b) = inherited(&chain, |r| r.benefits.as_ref()) {
            for id in &b.v {
                if let Some(x) = benefit_ids
                    .iter()
                    .position(|n| *n == id.v)
                    .and_then(|x| u16::try_from(x).ok())
                {
                    benefits.insert(x);
                }
            }
        }
        // response: merged key by key, the nearest service winning
        let mut response: Vec<(u16, BusinessDuration)> = Vec::new();
        for (depth, svc) in chain.iter().enumerate().rev() {
            for (ch, d) in &svc.response {
                let parsed = if depth == 0 {
                    duration(diags, d)
                } else {
                    BusinessDuration::from_str(&d.v).ok()
                };
                let Some(idx) = cx
                    .names
                    .channels
                    .iter()
                    .position(|n| *n == ch.v)
                    .and_then(|x| u16::try_from(x).ok())
                else {
                    if depth == 0 {
                        diags.push(
                            Diag::new(
                                DiagnosticKind::UnknownName,
                                ch.span,
                                format!(
                                    "`{}` is not a channel of any service and looks like a \
                                     misspelling",
                                    ch.v
                                ),
                            )
                            .with_help(
                                crate::error::closest(
                                    &ch.v,
                                    cx.names.channels.iter().map(String::as_str),
                                )
                                .map(|c| format!("did you mean `{c}`?"))
                                .unwrap_or_else(|| {
                                    "list the channel in a service's `channels` first".to_owned()
                                }),
                            ),
                        );
                    }
                    continue;
                };
                if let Some(parsed) = parsed {
                    match response.iter_mut().find(|(c, _)| *c == idx) {
                        Some(slot) => slot.1 = parsed,
                        None => response.push((idx, parsed)),
                    }
                }
            }
        }
        if let (Some(t), Some(support_hours), Some(account_manager), Some(review_every_days)) =
            (tier, support_idx, manager, review)
        {
            if let Some(slot) = services.get_mut(t) {
                *slot = Some(ServiceDef {
                    support_hours,
                    account_manager,
                    channels,
                    review_every_days,
                    benefits,
                    response,
                });
            }
        }
    }
    // a service that is not named after a tier and that no other service extends is
    // almost always a misspelt tier
    let mut suggested: Vec<&str> = Vec::new();
    for s in &raw.services {
        let is_tier = cx.tier_ids.contains(&s.tier.v);
        let extended = raw
            .services
            .iter()
            .any(|o| o.extends.as_ref().is_some_and(|e| e.v == s.tier.v));
        if !is_tier && !extended {
            let guess = crate::error::closest(&s.tier.v, cx.tier_ids.iter().map(String::as_str));
            if let Some(g) = guess {
                suggested.push(g);
            }
            diags.push(
                Diag::new(
                    DiagnosticKind::UnknownName,
                    s.tier.span,
                    format!(
                        "service `{}` is not named after a tier, and no service extends it",
                        s.tier.v
                    ),
                )
                .with_help_opt(guess.map(|g| format!("did you mean `{g}`?"))),
            );
        }
    }
    // every tier needs a service
    let mut missing = false;
    for (t, id) in cx.tier_ids.iter().enumerate() {
        let declared = raw.services.iter().any(|s| s.tier.v == *id);
        if !declared {
            missing = true;
            if suggested.contains(&id.as_str()) {
                continue;
            }
            let span = raw
                .tiers
                .iter()
                .find_map(|t| t.id.as_ref().filter(|i| i.v == *id).map(|i| i.span))
                .unwrap_or_default();
            diags.push(
                Diag::new(
                    DiagnosticKind::MissingKey,
                    span,
                    format!("tier `{id}` has no `[service.{id}]`"),
                )
                .with_help(format!("every tier needs a service: add `[service.{id}]`")),
            );
        } else if services.get(t).is_none_or(Option::is_none) {
            missing = true;
        }
    }
    if !missing {
        m.services = services.into_iter().flatten().collect();
    }
}

fn compile_cases(raw: &RawPolicy, cx: &Ctx<'_>, m: &mut ServiceModel, diags: &mut Diags) {
    let mut offset = 0usize;
    for c in &raw.cases {
        let mut severities = Vec::new();
        if let Some(s) = &c.severities {
            if s.v.is_empty() {
                err(
                    diags,
                    DiagnosticKind::InvalidValue,
                    s.span,
                    "`severities` cannot be empty; leave it out for a case without severities",
                );
            }
            let mut seen: Vec<&str> = Vec::new();
            for sev in &s.v {
                if seen.contains(&sev.v.as_str()) {
                    err(
                        diags,
                        DiagnosticKind::Duplicate,
                        sev.span,
                        format!("severity `{}` is listed twice", sev.v),
                    );
                    // kept once, so that the checks after this one do not trip on it
                    continue;
                }
                seen.push(&sev.v);
                if let Some(g) = cx
                    .names
                    .severities
                    .iter()
                    .position(|n| *n == sev.v)
                    .and_then(|g| u16::try_from(g).ok())
                {
                    severities.push(g);
                }
            }
        }
        let milestones = match required(
            diags,
            &c.milestones,
            c.kind.span,
            "milestones",
            &format!("case `{}`", c.kind.v),
        ) {
            Some(ms) => {
                if ms.v.is_empty() {
                    err(
                        diags,
                        DiagnosticKind::InvalidValue,
                        ms.span,
                        "a case needs at least one milestone",
                    );
                }
                let mut seen: Vec<&str> = Vec::new();
                for x in &ms.v {
                    if seen.contains(&x.v.as_str()) {
                        err(
                            diags,
                            DiagnosticKind::Duplicate,
                            x.span,
                            format!("milestone `{}` is listed twice", x.v),
                        );
                        continue;
                    }
                    seen.push(&x.v);
                }
                // each once, so that the checks after this one do not trip on a repeat
                seen.iter().map(|x| (*x).to_owned()).collect()
            }
            None => Vec::new(),
        };
        let def = CaseDef {
            kind: c.kind.v.clone(),
            severities,
            milestones,
            offset,
        };
        offset = offset.saturating_add(def.slots(cx.tier_ids.len()));
        m.cases.push(def);
    }
    if offset > 1_000_000 {
        let span = raw.cases.first().map_or(Span::default(), |c| c.kind.span);
        err(
            diags,
            DiagnosticKind::Limit,
            span,
            "cases, severities, milestones and tiers make more than 1,000,000 SLA targets",
        );
    }
}

fn compile_sla(
    raw: &RawPolicy,
    cx: &Ctx<'_>,
    calendars: &[String],
    m: &mut ServiceModel,
    diags: &mut Diags,
) {
    if !limit(diags, &raw.sla, |s| s.span, "SLA rules") {
        return;
    }
    let kinds: Vec<String> = m.cases.iter().map(|c| c.kind.clone()).collect();
    // (case, tier, severity (local), clock, targets by milestone)
    struct Rule {
        case: usize,
        tier: Option<usize>,
        severity: Option<usize>,
        clock: Option<u16>,
        targets: Vec<(usize, BusinessDuration, String)>,
        span: Span,
    }
    let mut rules: Vec<Rule> = Vec::new();
    // cases with a broken rule: their coverage is not checked, as the rule meant to cover
    // something was already reported
    let mut broken = vec![false; m.cases.len()];
    for (n, s) in raw.sla.iter().enumerate() {
        let before = diags.list.len();
        let case = required(diags, &s.case, s.span, "case", "an `[[sla]]` rule")
            .and_then(|c| resolve(diags, c, &kinds, "case kind"));
        let tier = s
            .tier
            .as_ref()
            .map(|t| resolve(diags, t, cx.tier_ids, "tier"));
        let def = case.and_then(|c| m.cases.get(usize::from(c)));
        let severity = match (&s.severity, def) {
            (Some(sev), Some(def)) => {
                let names: Vec<String> = def
                    .severities
                    .iter()
                    .filter_map(|g| m.severities.get(usize::from(*g)).cloned())
                    .collect();
                if names.is_empty() {
                    err(
                        diags,
                        DiagnosticKind::Inconsistent,
                        sev.span,
                        format!("case `{}` has no severities", def.kind),
                    );
                    Some(None)
                } else {
                    Some(resolve(diags, sev, &names, "severity"))
                }
            }
            _ => None,
        };
        let clock = s
            .clock
            .as_ref()
            .map(|c| resolve(diags, c, calendars, "calendar"));
        let mut targets = Vec::new();
        match (&s.targets, def) {
            (Some(t), Some(def)) => {
                if t.v.is_empty() {
                    err(
                        diags,
                        DiagnosticKind::InvalidValue,
                        t.span,
                        "`targets` is empty",
                    );
                }
                for (ms, d) in &t.v {
                    if def.milestones.is_empty() {
                        // the case's milestones are missing or misspelt, and reported there
                        break;
                    }
                    let idx = resolve(diags, ms, &def.milestones, "milestone");
                    let dur = duration(diags, d);
                    if let (Some(idx), Some(dur)) = (idx, dur) {
                        targets.push((usize::from(idx), dur, d.v.clone()));
                    }
                }
            }
            (None, _) => {
                required(diags, &s.targets, s.span, "targets", "an `[[sla]]` rule");
            }
            _ => {}
        }
        let mut label = format!(
            "rule {} (case `{}`",
            n + 1,
            s.case.as_ref().map_or("", |c| c.v.as_str())
        );
        if let Some(t) = &s.tier {
            label.push_str(&format!(", tier `{}`", t.v));
        }
        if let Some(sv) = &s.severity {
            label.push_str(&format!(", severity `{}`", sv.v));
        }
        label.push(')');
        m.sla.rules.push(label);
        // a rule with an unknown name was reported above and takes no part in resolution
        let Some(case) = case else {
            // the case it was meant for is not checked for coverage either: the one its
            // misspelt name is closest to, or every case when it names none
            let meant = s
                .case
                .as_ref()
                .and_then(|c| closest(&c.v, kinds.iter().map(String::as_str)))
                .and_then(|k| kinds.iter().position(|n| n == k));
            match meant {
                Some(k) => {
                    if let Some(b) = broken.get_mut(k) {
                        *b = true;
                    }
                }
                None => broken.iter_mut().for_each(|b| *b = true),
            }
            continue;
        };
        if diags.list.len() > before {
            if let Some(b) = broken.get_mut(usize::from(case)) {
                *b = true;
            }
        }
        if matches!(tier, Some(None))
            || matches!(severity, Some(None))
            || matches!(clock, Some(None))
        {
            continue;
        }
        let tier = tier.flatten().map(usize::from);
        let severity = severity.flatten().map(usize::from);
        if let Some(prev) = rules
            .iter()
            .find(|r| r.case == usize::from(case) && r.tier == tier && r.severity == severity)
        {
            diags.push(
                Diag::new(
                    DiagnosticKind::Duplicate,
                    s.span,
                    "two `[[sla]]` rules have the same case, tier and severity",
                )
                .with_help("merge this rule's targets into the earlier one")
                .with_first(prev.span),
            );
            continue;
        }
        rules.push(Rule {
            case: usize::from(case),
            tier,
            severity,
            clock: clock.flatten(),
            targets,
            span: s.span,
        });
    }
    // resolve each (case, tier, severity, milestone) to the most specific rule with a target
    let total: usize = m.cases.iter().map(|c| c.slots(cx.tier_ids.len())).sum();
    m.sla.targets = vec![None; total];
    if raw.sla.is_empty() {
        return;
    }
    let services_failed = !raw.services.is_empty() && m.services.is_empty();
    let mut clockless_reported: Vec<usize> = Vec::new();
    for (ci, def) in m.cases.iter().enumerate() {
        let raw_case = raw.cases.get(ci);
        let sev_count = def.severities.len();
        let sev_name = |s: Option<usize>| {
            s.and_then(|s| def.severities.get(s))
                .and_then(|g| m.severities.get(usize::from(*g)))
                .map(String::as_str)
        };
        for (mi, ms) in def.milestones.iter().enumerate() {
            let mut uncovered: Vec<String> = Vec::new();
            for tier in 0..cx.tier_ids.len() {
                for sev in 0..sev_count.max(1) {
                    let sev_opt = (sev_count > 0).then_some(sev);
                    let candidates = [
                        (Some(tier), sev_opt),
                        (None, sev_opt),
                        (Some(tier), None),
                        (None, None),
                    ];
                    let found = candidates.iter().find_map(|(t, s)| {
                        rules.iter().enumerate().find_map(|(ri, r)| {
                            (r.case == ci && r.tier == *t && r.severity == *s)
                                .then(|| {
                                    r.targets
                                        .iter()
                                        .find(|(m, _, _)| *m == mi)
                                        .map(|x| (ri, r, x))
                                })
                                .flatten()
                        })
                    });
                    let Some((ri, rule, (_, dur, written))) = found else {
                        let tier_id = cx.tier_ids.get(tier).map_or("", String::as_str);
                        uncovered.push(match sev_name(sev_opt) {
                            Some(s) => format!("`{tier_id}`/`{s}`"),
                            None => format!("`{tier_id}`"),
                        });
                        continue;
                    };
                    let clock = match rule.clock {
                        Some(c) => Some(c),
                        None => m.services.get(tier).map(|s| s.support_hours),
                    };
                    let Some(clock) = clock else {
                        // with broken services the tier's hours were already reported
                        if !services_failed && !clockless_reported.contains(&ri) {
                            clockless_reported.push(ri);
                            diags.push(
                                Diag::new(
                                    DiagnosticKind::Inconsistent,
                                    rule.span,
                                    format!(
                                        "this rule has no `clock`, and tier `{}` has no service with `support_hours` to count on",
                                        cx.tier_ids.get(tier).map_or("", String::as_str)
                                    ),
                                )
                                .with_help("add `clock = \"24x7\"` (or a calendar) to the rule, or `[service.TIER]` with `support_hours`"),
                            );
                        }
                        continue;
                    };
                    if let Some(slot) = m.sla.targets.get_mut(def.slot(tier, sev, mi)) {
                        *slot = Some(Target {
                            duration: *dur,
                            written: written.clone(),
                            clock,
                            rule: u16::try_from(ri).unwrap_or(u16::MAX),
                        });
                    }
                }
            }
            if uncovered.is_empty() || broken.get(ci).copied().unwrap_or(false) {
                continue;
            }
            let span = raw_case
                .and_then(|c| c.milestones.as_ref())
                .and_then(|l| l.v.iter().find(|x| x.v == *ms))
                .map(|x| x.span)
                .or(raw_case.map(|c| c.kind.span))
                .unwrap_or_default();
            let all = uncovered.len() == cx.tier_ids.len() * sev_count.max(1);
            let what = if sev_count > 0 {
                "tier/severity"
            } else {
                "tier"
            };
            let message = if all {
                format!("milestone `{ms}` of case `{}` has no SLA target", def.kind)
            } else {
                format!(
                    "milestone `{ms}` of case `{}` has no SLA target for {what} {}",
                    def.kind,
                    uncovered.join(", ")
                )
            };
            diags.push(
                Diag::new(DiagnosticKind::Inconsistent, span, message).with_help(format!(
                    "give `{ms}` a target in an `[[sla]]` rule with `case = \"{}\"` and no tier or severity",
                    def.kind
                )),
            );
        }
    }
}

fn compile_escalation(raw: &RawPolicy, m: &mut ServiceModel, diags: &mut Diags) {
    if !limit(diags, &raw.escalation, |e| e.span, "escalation rules") {
        return;
    }
    let kinds: Vec<String> = m.cases.iter().map(|c| c.kind.clone()).collect();
    for e in &raw.escalation {
        let case = required(diags, &e.case, e.span, "case", "an `[[escalation]]` rule")
            .and_then(|c| resolve(diags, c, &kinds, "case kind"));
        let milestone = required(
            diags,
            &e.milestone,
            e.span,
            "milestone",
            "an `[[escalation]]` rule",
        );
        let ms_idx = match (case.and_then(|c| m.cases.get(usize::from(c))), milestone) {
            // a case whose milestones are missing or misspelt was reported there
            (Some(def), Some(ms)) if !def.milestones.is_empty() => {
                resolve(diags, ms, &def.milestones, "milestone")
            }
            _ => None,
        };
        let ladder = required(
            diags,
            &e.ladder,
            e.span,
            "ladder",
            "an `[[escalation]]` rule",
        );
        let mut steps = Vec::new();
        if let Some(l) = ladder {
            if l.v.is_empty() {
                err(
                    diags,
                    DiagnosticKind::InvalidValue,
                    l.span,
                    "`ladder` needs at least one step",
                );
            }
            let mut prev: Option<Decimal> = None;
            for st in &l.v {
                let at = required(diags, &st.at, st.span, "at", "a ladder step");
                let notify = required(diags, &st.notify, st.span, "notify", "a ladder step");
                let pct = at.and_then(|a| percent(diags, a));
                if let (Some(p), Some(a)) = (pct, at) {
                    if prev.is_some_and(|q| p <= q) {
                        diags.push(
                            Diag::new(DiagnosticKind::Ordering, a.span, format!("ladder steps must rise: `{}` does not come after the step before it", a.v))
                                .with_help("list steps from the earliest share to the latest"),
                        );
                    }
                    prev = Some(p);
                }
                if let Some(n) = notify {
                    if n.v.trim().is_empty() {
                        err(
                            diags,
                            DiagnosticKind::InvalidValue,
                            n.span,
                            "`notify` cannot be empty",
                        );
                    }
                }
                if let (Some(p), Some(a), Some(n)) = (pct, at, notify) {
                    steps.push(Step {
                        percent: p,
                        at: a.v.clone(),
                        notify: n.v.clone(),
                    });
                }
            }
        }
        if let (Some(case), Some(milestone)) = (case, ms_idx) {
            m.escalation.push(Escalation {
                case,
                milestone,
                steps,
            });
        }
    }
}

/// Parses `"150%"` into 150.
fn percent(diags: &mut Diags, s: &Sp<String>) -> Option<Decimal> {
    let number =
        s.v.strip_suffix('%')
            .and_then(|n| crate::decimal::parse_decimal(n.trim()).ok());
    if number.is_some_and(|p| p <= Decimal::ZERO) {
        diags.push(
            Diag::new(
                DiagnosticKind::InvalidValue,
                s.span,
                format!("`at` must be above 0%, found `{}`", s.v),
            )
            .with_help("a step falls due when that share of the target has elapsed, like \"100%\""),
        );
        return None;
    }
    let parsed =
        s.v.strip_suffix('%')
            .and_then(|n| crate::decimal::parse_decimal(n.trim()).ok())
            .filter(|p| *p > Decimal::ZERO && *p <= Decimal::from(10_000));
    if parsed.is_none() {
        diags.push(
            Diag::new(
                DiagnosticKind::InvalidValue,
                s.span,
                format!(
                    "`at` must be a share of the target like \"150%\", found `{}`",
                    s.v
                ),
            )
            .with_help("write a percentage above 0%, up to 10000%"),
        );
    }
    parsed
}
