//! `[[escalation]]`: ladders of notification steps per milestone (spec section 11).

use rust_decimal::Decimal;

use super::{err, limit, required, resolve};
use crate::error::{Diag, DiagnosticKind, Diags};
use crate::model::{Escalation, ServiceModel, Step, Target};
use crate::raw::{RawPolicy, Sp};

pub(super) fn compile_escalation(
    raw: &RawPolicy,
    tiers: usize,
    m: &mut ServiceModel,
    diags: &mut Diags,
) {
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
                if let (Some(p), Some(a), Some(c), Some(mi)) = (pct, at, case, ms_idx) {
                    step_within_reach(m, tiers, (c, mi), p, a, diags);
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

/// A step falls due at its share of every target of its milestone; past the longest
/// duration a policy may write (100 years) it could never be computed (the calendar search
/// gives up), so it is refused here, located, instead of failing every route of the case.
fn step_within_reach(
    m: &ServiceModel,
    tiers: usize,
    (case, milestone): (u16, u16),
    pct: Decimal,
    at: &Sp<String>,
    diags: &mut Diags,
) {
    let Some(def) = m.cases.get(usize::from(case)) else {
        return;
    };
    let mut worst: Option<&Target> = None;
    for tier in 0..tiers {
        for sev in 0..def.severities.len().max(1) {
            let slot = def.slot(tier, sev, usize::from(milestone));
            if let Some(Some(t)) = m.sla.targets.get(slot) {
                if worst.is_none_or(|w| t.duration > w.duration) {
                    worst = Some(t);
                }
            }
        }
    }
    let Some(t) = worst else {
        return;
    };
    let due = Decimal::from(t.duration.seconds()) * pct / Decimal::ONE_HUNDRED;
    if due > Decimal::from(crate::duration::MAX_SECONDS) {
        diags.push(
            Diag::new(
                DiagnosticKind::Limit,
                at.span,
                format!(
                    "step `{}` of milestone `{}` falls more than 100 years after the case opens (`{}` of the target `{}`)",
                    at.v,
                    def.milestones.get(usize::from(milestone)).map_or("", String::as_str),
                    at.v,
                    t.written
                ),
            )
            .with_help("a step's share of the milestone's longest target may be at most 100 years"),
        );
    }
}

/// Parses `"150%"` into 150.
pub(super) fn percent(diags: &mut Diags, s: &Sp<String>) -> Option<Decimal> {
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
