//! `[[tiers]]`, `[[adjustments]]` and `[tiering]` (spec sections 4 to 7).

use rust_decimal::Decimal;

use crate::error::{Diag, DiagnosticKind, Diags, Span};
use crate::expr::Scope;
use crate::model::{AdjustKind, Adjustment, Tier, Tiering};
use crate::raw::{RawPolicy, Sp};

use super::scoring::check_score;
use super::{bad_id, cond, err, is_id, required, resolve, MAX_RULES, MAX_TIERS};

pub(super) fn compile_tiers(raw: &RawPolicy, scope: &Scope<'_>, diags: &mut Diags) -> Vec<Tier> {
    let tiers_span = raw.tiers_span.unwrap_or_default();
    if raw.tiers.is_empty() {
        if diags.was_written(Span::default(), "tiers") {
            return Vec::new();
        }
        diags.push(
            Diag::new(
                DiagnosticKind::MissingKey,
                tiers_span,
                "the policy has no tiers",
            )
            .with_help(
                "add `[[tiers]]` from the highest to the floor, the last with `min_score = 0`",
            ),
        );
        return Vec::new();
    }
    if raw.tiers.len() > MAX_TIERS {
        // blame the first tier past the limit
        let span = raw.tiers.get(MAX_TIERS).map_or(tiers_span, |t| t.span);
        err(
            diags,
            DiagnosticKind::Limit,
            span,
            format!(
                "the policy has {} tiers, more than the limit of {MAX_TIERS}",
                raw.tiers.len()
            ),
        );
        return Vec::new();
    }
    let mut out = Vec::with_capacity(raw.tiers.len());
    let mut prev: Option<&Sp<Decimal>> = None;
    let mut seen: Vec<&Sp<String>> = Vec::new();
    let last = raw.tiers.len() - 1;
    for (i, t) in raw.tiers.iter().enumerate() {
        let id = required(diags, &t.id, t.span, "id", "a tier");
        if let Some(id) = id {
            if let Some(first) = seen.iter().find(|s| s.v == id.v) {
                diags.push(
                    Diag::new(
                        DiagnosticKind::Duplicate,
                        id.span,
                        format!("tier `{}` is defined twice", id.v),
                    )
                    .with_first(first.span)
                    .with_help("tier ids must be unique"),
                );
            } else if !is_id(&id.v) {
                diags.push(bad_id("tier", id));
            }
            seen.push(id);
        }
        let min = required(diags, &t.min_score, t.span, "min_score", "a tier");
        if let Some(m) = min {
            check_score(diags, m, "`min_score`");
            if let Some(p) = prev {
                if m.v >= p.v {
                    diags.push(
                        Diag::new(DiagnosticKind::Ordering, m.span, format!("`min_score` must strictly decrease from tier to tier, but {} follows {}", m.v, p.v))
                            .with_help("list tiers from the highest to the floor"),
                    );
                }
            }
            prev = Some(m);
        }
        if i == last {
            if let Some(m) = min {
                if !m.v.is_zero() {
                    diags.push(
                        Diag::new(DiagnosticKind::InvalidValue, m.span, format!("the last tier is the floor and must have `min_score = 0`, found {}", m.v))
                            .with_help("every customer must qualify for some tier"),
                    );
                }
            }
            if let Some(r) = t.require.as_ref().filter(|r| !r.v.is_empty()) {
                diags.push(
                    Diag::new(
                        DiagnosticKind::InvalidValue,
                        r.span,
                        "the floor tier cannot have `require`",
                    )
                    .with_help("every customer must qualify for the last tier"),
                );
            }
        }
        let mut require = Vec::new();
        if let Some(r) = &t.require {
            if r.v.len() > MAX_RULES {
                err(
                    diags,
                    DiagnosticKind::Limit,
                    r.span,
                    format!("more than {MAX_RULES} requirements"),
                );
            }
            for text in &r.v {
                if let Some(c) = cond(diags, text, scope) {
                    require.push((text.text.clone(), c));
                }
            }
        }
        out.push(Tier {
            id: id.map(|i| i.v.clone()).unwrap_or_default(),
            name: t.name.as_ref().map(|n| n.v.clone()),
            min_score: min.map(|m| m.v).unwrap_or_default(),
            require,
        });
    }
    out
}

pub(super) fn compile_adjustments(
    raw: &RawPolicy,
    tier_ids: &[String],
    scope: &Scope<'_>,
    diags: &mut Diags,
) -> Vec<Adjustment> {
    if raw.adjustments.len() > MAX_RULES {
        if let Some(a) = raw.adjustments.first() {
            err(
                diags,
                DiagnosticKind::Limit,
                a.span,
                format!("more than {MAX_RULES} adjustments"),
            );
        }
        return Vec::new();
    }
    let mut out = Vec::with_capacity(raw.adjustments.len());
    for a in &raw.adjustments {
        let when = required(diags, &a.when, a.span, "when", "an adjustment");
        let reason = required(diags, &a.reason, a.span, "reason", "an adjustment");
        let target = match (&a.at_least, &a.at_most) {
            (Some(t), None) => Some((AdjustKind::AtLeast, t)),
            (None, Some(t)) => Some((AdjustKind::AtMost, t)),
            (Some(_), Some(t)) => {
                diags.push(
                    Diag::new(
                        DiagnosticKind::InvalidValue,
                        t.span,
                        "an adjustment has either `at_least` or `at_most`, not both",
                    )
                    .with_help("split it into two adjustments, a floor and a cap"),
                );
                None
            }
            (None, None) => {
                if !diags.was_written(a.span, "at_least") && !diags.was_written(a.span, "at_most") {
                    diags.push(
                        Diag::new(DiagnosticKind::MissingKey, a.span, "an adjustment needs `at_least` (a floor) or `at_most` (a cap)")
                            .with_help("add `at_least = \"TIER\"` to raise customers to a tier, or `at_most = \"TIER\"` to cap them"),
                    );
                }
                None
            }
        };
        let tier = target.and_then(|(_, t)| resolve(diags, t, tier_ids, "tier"));
        let cond = when.and_then(|w| cond(diags, w, scope));
        if let (Some(when), Some(cond), Some(reason), Some((kind, _)), Some(tier)) =
            (when, cond, reason, target, tier)
        {
            out.push(Adjustment {
                when_text: when.text.clone(),
                when: cond,
                kind,
                tier,
                reason: reason.v.clone(),
            });
        }
    }
    out
}

pub(super) fn compile_tiering(raw: &RawPolicy, diags: &mut Diags) -> Tiering {
    let mut t = Tiering {
        downgrade_buffer: Decimal::ZERO,
        downgrade_grace_days: 0,
        max_downgrade_steps: None,
        pins_respect_caps: true,
    };
    let Some(r) = &raw.tiering else {
        return t;
    };
    if let Some(b) = &r.downgrade_buffer {
        if b.v < Decimal::ZERO || b.v > Decimal::ONE_HUNDRED {
            err(
                diags,
                DiagnosticKind::InvalidValue,
                b.span,
                format!(
                    "`downgrade_buffer` must be between 0 and 100 score points, found {}",
                    b.v
                ),
            );
        }
        t.downgrade_buffer = b.v;
    }
    if let Some(g) = &r.downgrade_grace_days {
        if !(0..=36_600).contains(&g.v) {
            err(
                diags,
                DiagnosticKind::InvalidValue,
                g.span,
                format!(
                    "`downgrade_grace_days` must be between 0 and 36600, found {}",
                    g.v
                ),
            );
        }
        t.downgrade_grace_days = g.v;
    }
    if let Some(s) = &r.max_downgrade_steps {
        // a limit above the number of tiers (at most 32) limits nothing: kept as the largest
        let steps = if s.v < 0 {
            None
        } else {
            Some(u16::try_from(s.v).unwrap_or(u16::MAX))
        };
        match steps {
            Some(v) => t.max_downgrade_steps = Some(v),
            None => err(
                diags,
                DiagnosticKind::InvalidValue,
                s.span,
                format!("`max_downgrade_steps` must be 0 or more, found {}", s.v),
            ),
        }
    }
    if let Some(p) = &r.pins_respect_caps {
        t.pins_respect_caps = p.v;
    }
    t
}
