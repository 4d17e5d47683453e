//! Deciding a scored customer's tier: the qualified tier, floors, the previous tier with its
//! downgrade buffer, grace days and step limit, caps and pins (spec section 7).
//!
//! `explain` reuses the gate checks here ([`score_met`], [`failed_requirements`]) so that
//! the trace and the decision cannot disagree.

use chrono::{Days, NaiveDate};

use super::assignment::{Assignment, Decision, DimScores, TierState};
use super::cond::{env, Env};
use crate::decimal;
use crate::input::Customer;
use crate::model::{AdjustKind, Compiled, Score};

/// Whether the score reaches the minimum of the tier at `index`.
pub(crate) fn score_met(p: &Compiled, index: usize, score: Score) -> bool {
    let score = score.0;
    match (p.prepared.min_scores.get(index), p.tiers.get(index)) {
        (Some(min), _) => decimal::cmp(*min, score).is_le(),
        (None, Some(t)) => decimal::cmp(t.min_score, score).is_le(),
        (None, None) => false,
    }
}

/// The requirements of the tier at `index` that do not hold, by their number in `require`.
pub(crate) fn failed_requirements<'a>(
    p: &'a Compiled,
    index: usize,
    env: &'a Env<'_>,
) -> impl Iterator<Item = usize> + 'a {
    p.tiers
        .get(index)
        .into_iter()
        .flat_map(|t| t.require.iter().enumerate())
        .filter(|(_, (_, c))| !c.eval(env))
        .map(|(i, _)| i)
}

/// Whether every requirement of the tier at `index` holds.
pub(crate) fn requirements_hold(p: &Compiled, index: usize, env: &Env<'_>) -> bool {
    p.tiers
        .get(index)
        .is_some_and(|t| t.require.iter().all(|(_, c)| c.eval(env)))
}

/// Whether the tier at `index` admits the customer: score at or above its minimum and every
/// requirement met.
pub(crate) fn admits(p: &Compiled, index: usize, score: Score, env: &Env<'_>) -> bool {
    score_met(p, index, score) && requirements_hold(p, index, env)
}

fn lower(a: u16, b: u16) -> u16 {
    a.max(b)
}

/// Decides the tier of a scored customer: qualification, floors, the previous tier
/// (buffer, grace, step limit), caps and pins, in the order of spec section 7.
pub(crate) fn decide(
    p: &Compiled,
    c: &Customer,
    as_of: NaiveDate,
    score: Score,
    dims: DimScores,
) -> Assignment {
    let env = env(c, score, dims.as_slice(), None);
    let floor_index = p.tiers.len().saturating_sub(1);
    let q = (0..p.tiers.len())
        .find(|&i| admits(p, i, score, &env))
        .unwrap_or(floor_index);
    let q = u16::try_from(q).unwrap_or(u16::MAX);

    // 2. floors
    let mut f = q;
    let mut floor = None;
    let mut cap: Option<(u16, u16)> = None;
    for (i, a) in p.adjustments.iter().enumerate() {
        if !a.when.eval(&env) {
            continue;
        }
        let i = u16::try_from(i).unwrap_or(u16::MAX);
        match a.kind {
            AdjustKind::AtLeast if a.tier < f => {
                f = a.tier;
                floor = Some(i);
            }
            AdjustKind::AtMost if cap.is_none_or(|(t, _)| a.tier > t) => cap = Some((a.tier, i)),
            _ => {}
        }
    }
    let mut decision = if floor.is_some() {
        Decision::Floor
    } else {
        Decision::Qualified
    };

    // 3. previous tier: buffer, grace, step limit
    let mut tier = f;
    if let Some(prev) = c.previous_tier() {
        let pi = prev.rank;
        if pi < f {
            let keep = p.prepared.keep_scores.get(usize::from(pi));
            let within_buffer = keep.is_some_and(|k| decimal::cmp(score.0, *k).is_ge())
                && requirements_hold(p, usize::from(pi), &env);
            let in_grace = c.previous.last_qualified.is_some_and(|lq| {
                let days = u64::try_from(p.tiering.downgrade_grace_days).unwrap_or(0);
                lq.checked_add_days(Days::new(days))
                    .is_some_and(|end| as_of < end)
            });
            if within_buffer {
                tier = pi;
                decision = Decision::Buffer;
            } else if in_grace {
                tier = pi;
                decision = Decision::Grace;
            } else if let Some(steps) = p.tiering.max_downgrade_steps {
                let limit = pi.saturating_add(steps);
                if f > limit {
                    tier = limit;
                    decision = Decision::StepLimit;
                }
            }
        }
    }

    // 4. caps
    if let Some((ct, _)) = cap {
        if ct > tier {
            tier = ct;
            decision = Decision::Cap;
        }
    }

    // 5. pin
    let mut expired_pin = false;
    if let Some(pin) = c.pin() {
        if pin.until.is_none_or(|u| as_of <= u) {
            tier = pin.tier.rank;
            decision = Decision::Pin;
            if p.tiering.pins_respect_caps {
                if let Some((ct, _)) = cap {
                    if ct > tier {
                        tier = lower(tier, ct);
                        decision = Decision::Cap;
                    }
                }
            }
        } else {
            expired_pin = true;
        }
    }

    let tier_since = match (c.previous_tier(), c.previous.tier_since) {
        (Some(prev), Some(since)) if prev.rank == tier => since,
        _ => as_of,
    };
    let last_qualified = if f <= tier {
        Some(as_of)
    } else {
        c.previous.last_qualified
    };
    Assignment {
        tier: p.tier_id(tier),
        qualified: p.tier_id(q),
        adjusted: p.tier_id(f),
        score,
        dims,
        state: TierState {
            tier: p.tier_id(tier),
            tier_since,
            last_qualified,
        },
        decision,
        floor,
        cap: cap.map(|(_, i)| i),
        ignored_previous: c.unknown_tier().is_some() && c.previous.tier.is_none(),
        expired_pin,
    }
}
