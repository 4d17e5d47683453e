//! Compilation of the service tables (spec sections 8 to 11): services with `extends`,
//! benefits and grants, calendars, cases, SLA rules, routing and escalation.

use std::str::FromStr;

use chrono_tz::Tz;

use super::calendars::compile_calendars;
use super::cases::{compile_cases, compile_sla};
use super::escalation::compile_escalation;
use super::{cond, duration, err, limit, required, resolve};
use crate::duration::BusinessDuration;
use crate::error::{closest, did_you_mean, Diag, DiagnosticKind, Diags, Span};
use crate::expr::Scope;
use crate::model::{
    AccountManager, BenefitSet, Grant, MetricDef, Route, ServiceDef, ServiceModel, MAX_BENEFITS,
};
use crate::raw::{RawPolicy, RawService, Sp};

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

pub(super) fn push_unique(list: &mut Vec<String>, name: &str) {
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

    let cases_reported = compile_cases(raw, cx, &mut m, diags);
    compile_sla(raw, cx, &calendar_names, &cases_reported, &mut m, diags);
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
    compile_escalation(raw, cx.tier_ids.len(), &mut m, diags);
    (diags.list.len() == before).then_some(m)
}
pub(super) fn compile_benefits(raw: &RawPolicy, m: &mut ServiceModel, diags: &mut Diags) {
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

pub(super) fn benefit_set(
    diags: &mut Diags,
    list: &Sp<Vec<Sp<String>>>,
    ids: &[String],
) -> BenefitSet {
    let mut set = BenefitSet::default();
    for b in &list.v {
        if let Some(i) = resolve(diags, b, ids, "benefit") {
            set.insert(i);
        }
    }
    set
}

/// The value of a service field after `extends`: the first service in the chain that sets it.
pub(super) fn inherited<'a, T>(
    chain: &[&'a RawService],
    get: impl Fn(&'a RawService) -> Option<&'a T>,
) -> Option<&'a T> {
    chain.iter().find_map(|s| get(s))
}

pub(super) fn compile_service_table(
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
    let chains = extends_chains(raw, cx, diags);
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
        let support_idx = support_hours(s, &chain, tier.is_some(), calendars, diags);
        let manager = account_manager(s, &chain, diags);
        let channels = channels(s, &chain, cx, diags);
        let review = review_every_days(s, &chain, diags);
        let benefits = benefits(s, &chain, benefit_ids, diags);
        let response = responses(&chain, cx, diags);
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
    let suggested = services_not_named_after_a_tier(raw, cx, diags);
    if every_tier_has_a_service(raw, cx, &services, &suggested, diags) {
        m.services = services.into_iter().flatten().collect();
    }
}

/// Each service's `extends` chain (itself first), reporting unknown parents and cycles once;
/// `None` for a service whose chain is broken.
fn extends_chains(raw: &RawPolicy, cx: &Ctx<'_>, diags: &mut Diags) -> Vec<Option<Vec<usize>>> {
    let names: Vec<String> = raw.services.iter().map(|s| s.tier.v.clone()).collect();
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
    chains
}

/// The support-hours calendar of a service, inherited along its chain.
fn support_hours(
    s: &RawService,
    chain: &[&RawService],
    is_tier: bool,
    calendars: &[String],
    diags: &mut Diags,
) -> Option<u16> {
    let support = inherited(chain, |r| r.support_hours.as_ref());
    let support_idx = match support {
        Some(h) if std::ptr::eq(h, s.support_hours.as_ref().map_or(std::ptr::null(), |x| x)) => {
            resolve(diags, h, calendars, "calendar")
        }
        Some(h) => calendars
            .iter()
            .position(|c| *c == h.v)
            .and_then(|x| u16::try_from(x).ok()),
        None => {
            if is_tier {
                diags.push(
                    Diag::new(
                        DiagnosticKind::MissingKey,
                        s.tier.span,
                        format!("`[service.{}]` is missing `support_hours`", s.tier.v),
                    )
                    .with_help("name a calendar, or \"24x7\""),
                );
            }
            None
        }
    };
    support_idx
}

/// The account management of a service, inherited along its chain (`none` by default).
fn account_manager(
    s: &RawService,
    chain: &[&RawService],
    diags: &mut Diags,
) -> Option<AccountManager> {
    let manager = match inherited(chain, |r| r.account_manager.as_ref()) {
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
                        .unwrap_or_else(|| "use \"none\", \"designated\" or \"dedicated\"".into());
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
    manager
}

/// The channels of a service, inherited along its chain; a channel listed twice is reported.
fn channels(s: &RawService, chain: &[&RawService], cx: &Ctx<'_>, diags: &mut Diags) -> Vec<u16> {
    let channels: Vec<u16> = inherited(chain, |r| r.channels.as_ref())
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
    channels
}

/// Days between review visits, inherited along the chain (0 for none).
fn review_every_days(s: &RawService, chain: &[&RawService], diags: &mut Diags) -> Option<u32> {
    let review = match inherited(chain, |r| r.review_every_days.as_ref()) {
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
    review
}

/// The benefits of a service: its own list, or the nearest one along its chain.
fn benefits(
    s: &RawService,
    chain: &[&RawService],
    benefit_ids: &[String],
    diags: &mut Diags,
) -> BenefitSet {
    let mut benefits = BenefitSet::default();
    if let Some(own) = &s.benefits {
        benefits = benefit_set(diags, own, benefit_ids);
    } else if let Some(b) = inherited(chain, |r| r.benefits.as_ref()) {
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
    benefits
}

/// Response targets by channel, merged key by key along the chain, the nearest service
/// winning; only the service's own entries are reported.
fn responses(
    chain: &[&RawService],
    cx: &Ctx<'_>,
    diags: &mut Diags,
) -> Vec<(u16, BusinessDuration)> {
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
    response
}

/// Reports services that are not named after a tier and that no service extends (almost
/// always a misspelt tier); returns the tiers suggested for them.
fn services_not_named_after_a_tier<'c>(
    raw: &RawPolicy,
    cx: &Ctx<'c>,
    diags: &mut Diags,
) -> Vec<&'c str> {
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
    suggested
}

/// Whether every tier has a compiled service; reports tiers without one (unless a misspelt
/// service was already reported as meant for it).
fn every_tier_has_a_service(
    raw: &RawPolicy,
    cx: &Ctx<'_>,
    services: &[Option<ServiceDef>],
    suggested: &[&str],
    diags: &mut Diags,
) -> bool {
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
    !missing
}
