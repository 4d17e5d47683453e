//! `[cases.KIND]` and `[[sla]]`: case kinds, their milestones and the SLA table (spec
//! section 10).

use crate::duration::BusinessDuration;
use crate::error::{closest, Diag, DiagnosticKind, Diags, Span};
use crate::model::{CaseDef, ServiceModel, Target};
use crate::raw::{RawCase, RawPolicy, RawSla};

use super::services::Ctx;
use super::{duration, err, limit, required, resolve};

/// Compiles the case kinds; returns, per case, whether its `milestones_for` was reported
/// (its SLA coverage is then not checked, so that no follow-on errors appear).
pub(super) fn compile_cases(
    raw: &RawPolicy,
    cx: &Ctx<'_>,
    m: &mut ServiceModel,
    diags: &mut Diags,
) -> Vec<bool> {
    let mut offset = 0usize;
    let mut reported = Vec::with_capacity(raw.cases.len());
    for c in &raw.cases {
        let mut severities = Vec::new();
        let mut severity_names: Vec<String> = Vec::new();
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
                severity_names.push(sev.v.clone());
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
        let before = diags.list.len();
        let mut applies = milestones_for(c, &severity_names, &milestones, diags);
        if diags.list.len() > before {
            // reported: every milestone applies, so that nothing follows from the mistake
            applies.clear();
        }
        reported.push(diags.list.len() > before);
        let mut pause_on: Vec<String> = Vec::new();
        if let Some(list) = &c.pause_on {
            for st in &list.v {
                if st.v.trim().is_empty() {
                    err(
                        diags,
                        DiagnosticKind::InvalidValue,
                        st.span,
                        "a status in `pause_on` cannot be empty",
                    );
                } else if pause_on.contains(&st.v) {
                    err(
                        diags,
                        DiagnosticKind::Duplicate,
                        st.span,
                        format!("status `{}` is listed twice in `pause_on`", st.v),
                    );
                } else {
                    pause_on.push(st.v.clone());
                }
            }
        }
        let def = CaseDef {
            kind: c.kind.v.clone(),
            severities,
            milestones,
            applies,
            offset,
            pause_on,
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
    reported
}

/// A case's `milestones_for`: by severity (the case's own order), which milestones apply.
/// Empty without `milestones_for`: every milestone applies to every severity. Each list
/// must be a non-empty subset of `milestones` in the same order, and every severity must
/// have one.
fn milestones_for(
    c: &RawCase,
    severities: &[String],
    milestones: &[String],
    diags: &mut Diags,
) -> Vec<Vec<bool>> {
    let Some(table) = &c.milestones_for else {
        return Vec::new();
    };
    if severities.is_empty() {
        diags.push(
            Diag::new(
                DiagnosticKind::Inconsistent,
                table.span,
                format!("case `{}` has `milestones_for` but no severities", c.kind.v),
            )
            .with_help("list the case's `severities`, or leave `milestones_for` out"),
        );
        return Vec::new();
    }
    let mut applies = vec![vec![false; milestones.len()]; severities.len()];
    let mut listed = vec![false; severities.len()];
    for (sev, list) in &table.v {
        let Some(si) = resolve(diags, sev, severities, "severity").map(usize::from) else {
            // a misspelt severity: its list is not reported missing as well
            let near = closest(&sev.v, severities.iter().map(String::as_str));
            if let Some(n) = near.and_then(|n| severities.iter().position(|s| s == n)) {
                if let Some(l) = listed.get_mut(n) {
                    *l = true;
                }
            }
            continue;
        };
        if let Some(l) = listed.get_mut(si) {
            *l = true;
        }
        if list.v.is_empty() {
            err(
                diags,
                DiagnosticKind::InvalidValue,
                list.span,
                format!(
                    "the milestones of severity `{}` cannot be empty: a case needs one to aim at",
                    sev.v
                ),
            );
            continue;
        }
        let mut last: Option<usize> = None;
        for m in &list.v {
            if milestones.is_empty() {
                break; // the case's milestones are missing or misspelt, and reported there
            }
            let Some(mi) = resolve(diags, m, milestones, "milestone").map(usize::from) else {
                continue;
            };
            let row = applies.get_mut(si);
            if row.as_ref().is_some_and(|r| r.get(mi) == Some(&true)) {
                err(
                    diags,
                    DiagnosticKind::Duplicate,
                    m.span,
                    format!("milestone `{}` is listed twice for `{}`", m.v, sev.v),
                );
                continue;
            }
            if last.is_some_and(|l| mi < l) {
                diags.push(
                    Diag::new(
                        DiagnosticKind::Inconsistent,
                        m.span,
                        format!(
                            "milestone `{}` comes before `{}` in `milestones`",
                            m.v,
                            milestones.get(last.unwrap_or(0)).map_or("", String::as_str)
                        ),
                    )
                    .with_help("list a severity's milestones in the order of `milestones`"),
                );
            }
            last = Some(mi);
            if let Some(slot) = row.and_then(|r| r.get_mut(mi)) {
                *slot = true;
            }
        }
    }
    for (name, _) in severities.iter().zip(&listed).filter(|(_, l)| !**l) {
        diags.push(
            Diag::new(
                DiagnosticKind::MissingKey,
                table.span,
                format!("`milestones_for` of case `{}` has no list for severity `{name}`", c.kind.v),
            )
            .with_help(format!(
                "once `milestones_for` is given, every severity needs its list: add `{name} = [...]`"
            )),
        );
    }
    applies
}

pub(super) fn compile_sla(
    raw: &RawPolicy,
    cx: &Ctx<'_>,
    calendars: &[String],
    cases_reported: &[bool],
    m: &mut ServiceModel,
    diags: &mut Diags,
) {
    if !limit(diags, &raw.sla, |s| s.span, "SLA rules") {
        return;
    }
    let (rules, mut broken) = sla_rules(raw, cx, calendars, m, diags);
    for (b, r) in broken.iter_mut().zip(cases_reported) {
        *b |= *r;
    }
    resolve_targets(raw, cx, m, &rules, &broken, diags);
}

/// An `[[sla]]` rule with its names resolved: case, tier, severity (local to the case),
/// clock and targets by milestone.
struct Rule {
    case: usize,
    tier: Option<usize>,
    severity: Option<usize>,
    clock: Option<u16>,
    targets: Vec<(usize, BusinessDuration, String)>,
    span: Span,
}

/// Reads the `[[sla]]` rules, resolving their names, and marks the cases with a broken rule:
/// their coverage is not checked, as what the rule meant to cover was already reported.
fn sla_rules(
    raw: &RawPolicy,
    cx: &Ctx<'_>,
    calendars: &[String],
    m: &mut ServiceModel,
    diags: &mut Diags,
) -> (Vec<Rule>, Vec<bool>) {
    let kinds: Vec<String> = m.cases.iter().map(|c| c.kind.clone()).collect();
    let mut rules: Vec<Rule> = Vec::new();
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
        let severity = rule_severity(s, def, m, diags);
        let clock = s
            .clock
            .as_ref()
            .map(|c| resolve(diags, c, calendars, "calendar"));
        let targets = rule_targets(s, def, severity.flatten().map(usize::from), diags);
        m.sla.rules.push(rule_label(n, s));
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
    (rules, broken)
}

/// A rule's severity: `None` without one, `Some(None)` when it is not the case's.
fn rule_severity(
    s: &RawSla,
    def: Option<&CaseDef>,
    m: &ServiceModel,
    diags: &mut Diags,
) -> Option<Option<u16>> {
    match (&s.severity, def) {
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
    }
}

/// A rule's targets by milestone number, with the duration as written.
fn rule_targets(
    s: &RawSla,
    def: Option<&CaseDef>,
    severity: Option<usize>,
    diags: &mut Diags,
) -> Vec<(usize, BusinessDuration, String)> {
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
                if let (Some(i), Some(sev)) = (idx, severity) {
                    if !def.applies(sev, usize::from(i)) {
                        let name = s.severity.as_ref().map_or("", |x| x.v.as_str());
                        diags.push(
                            Diag::new(
                                DiagnosticKind::Inconsistent,
                                ms.span,
                                format!(
                                    "milestone `{}` does not apply to severity `{name}` of case `{}`",
                                    ms.v, def.kind
                                ),
                            )
                            .with_help(format!(
                                "remove the target, or add `{}` to `milestones_for.{name}`",
                                ms.v
                            )),
                        );
                        continue;
                    }
                }
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
    targets
}

/// How traces name a rule, e.g. ``rule 2 (case `complaint`, tier `vip`)``.
fn rule_label(n: usize, s: &RawSla) -> String {
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
    label
}

/// Resolves each (case, tier, severity, milestone) to the most specific rule with a target,
/// and reports milestones left without one.
fn resolve_targets(
    raw: &RawPolicy,
    cx: &Ctx<'_>,
    m: &mut ServiceModel,
    rules: &[Rule],
    broken: &[bool],
    diags: &mut Diags,
) {
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
                    if !def.applies(sev, mi) {
                        // no target to give, no deadline (`milestones_for`)
                        continue;
                    }
                    let sev_opt = (sev_count > 0).then_some(sev);
                    let found = most_specific(rules, ci, tier, sev_opt, mi);
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
            if !uncovered.is_empty() && !broken.get(ci).copied().unwrap_or(false) {
                report_uncovered(raw_case, cx, def, ms, &uncovered, diags);
            }
        }
    }
}

/// The most specific rule of case `ci` with a target for milestone `mi`: tier and severity,
/// then severity alone, then tier alone, then neither.
fn most_specific(
    rules: &[Rule],
    ci: usize,
    tier: usize,
    sev_opt: Option<usize>,
    mi: usize,
) -> Option<(usize, &Rule, &(usize, BusinessDuration, String))> {
    let candidates = [
        (Some(tier), sev_opt),
        (None, sev_opt),
        (Some(tier), None),
        (None, None),
    ];
    candidates.iter().find_map(|(t, s)| {
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
    })
}

/// Reports a milestone of a case without a target for some tiers (and severities).
fn report_uncovered(
    raw_case: Option<&RawCase>,
    cx: &Ctx<'_>,
    def: &CaseDef,
    ms: &str,
    uncovered: &[String],
    diags: &mut Diags,
) {
    let sev_count = def.severities.len();
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
