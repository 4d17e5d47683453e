//! Traces: why a customer got its tier, for people (`Display`) and machines (`Serialize`).
//!
//! A trace is built from the [`Assignment`] that evaluation made, reusing its gate checks,
//! so the trace and the tier cannot disagree.

pub(crate) mod record;
mod render;
mod trace;

use chrono::NaiveDate;

pub use record::{AssignmentRecord, DimensionRecord, ResolutionRecord, StateRecord};
pub use trace::{
    AdjustmentTrace, DimensionTrace, Explanation, GateTrace, PinTrace, PolicyRef, PreviousTrace,
    StateTrace,
};

use crate::eval::cond::env;
use crate::eval::{decide, score, Assignment, Decision};
use crate::input::Customer;
use crate::model::{AdjustKind, Compiled, DateUnit, Score, Value, Weight};

fn tier_id(p: &Compiled, i: u16) -> String {
    p.tier_ids.get(usize::from(i)).cloned().unwrap_or_default()
}

/// Why the downgrade buffer and the grace days did not keep the previous tier `prev`, when
/// it ranks above the tier after floors and neither kept it.
fn not_kept(
    p: &Compiled,
    c: &Customer,
    as_of: NaiveDate,
    a: &Assignment,
    prev: u16,
) -> Vec<String> {
    let mut out = Vec::new();
    let kept = matches!(a.decision(), Decision::Buffer | Decision::Grace);
    let index = usize::from(prev);
    let Some(tier) = p.tiers.get(index) else {
        return out;
    };
    if kept || prev >= u16::try_from(a.adjusted().rank()).unwrap_or(u16::MAX) {
        return out;
    }
    let buffer = p.tiering.downgrade_buffer;
    let keep = tier.min_score - buffer;
    let e = env(c, a.score(), a.dimension_scores(), None);
    if a.score().0 < keep {
        out.push(format!(
            "the downgrade buffer did not keep `{}`: the score {} is below {keep} (its `min_score` {} less the buffer of {buffer})",
            tier.id,
            a.score(),
            tier.min_score
        ));
    } else if let Some(j) = decide::failed_requirements(p, index, &e).next() {
        let text = tier.require.get(j).map_or("", |(t, _)| t.as_str());
        out.push(format!(
            "the downgrade buffer did not keep `{}`: its requirement `{text}` does not hold",
            tier.id
        ));
    }
    let days = p.tiering.downgrade_grace_days;
    match c.previous.last_qualified {
        _ if days == 0 => out.push("no grace days (`downgrade_grace_days` is 0)".to_owned()),
        None => out.push(
            "the grace days did not keep it: the record has no `last_qualified` date".to_owned(),
        ),
        Some(lq) => {
            let end = u64::try_from(days)
                .ok()
                .and_then(|d| lq.checked_add_days(chrono::Days::new(d)));
            if let Some(end) = end.filter(|e| as_of >= *e) {
                out.push(format!(
                    "the grace days did not keep it: they ended on {end} (last qualified {lq} + {days} days)"
                ));
            }
        }
    }
    out
}

/// The trace of an assignment made by [`eval::classify`](crate::eval::classify) for the same customer and date.
pub(crate) fn build(p: &Compiled, c: &Customer, as_of: NaiveDate, a: &Assignment) -> Explanation {
    let dims = a.dimension_scores();
    let mut dimensions = Vec::with_capacity(p.dimensions.len());
    for (d, s) in p.dimensions.iter().zip(dims) {
        let metric = p.metrics.get(usize::from(d.metric));
        let raw = c.values.get(usize::from(d.metric)).copied().flatten();
        let value = match (raw, metric) {
            (Some(v), Some(m)) => Some(m.display(&v)),
            _ => None,
        };
        let measured = match (raw, d.unit) {
            (Some(Value::Date(start)), DateUnit::Years) => {
                Some(format!("{} years", score::whole_years(start, as_of)))
            }
            (Some(Value::Date(start)), DateUnit::Days) => {
                Some(format!("{} days", (as_of - start).num_days()))
            }
            _ => None,
        };
        let contribution = d
            .weight
            .checked_mul(s.value())
            .and_then(|x| x.checked_div(p.total_weight))
            .map(|x| score::round(x, p.precision + 2))
            .unwrap_or_default();
        dimensions.push(DimensionTrace {
            name: d.name.clone(),
            metric: metric.map(|m| m.name.clone()).unwrap_or_default(),
            value,
            unit: metric.and_then(|m| m.unit.clone()),
            measured,
            score: *s,
            weight: Weight(d.weight),
            contribution,
        });
    }
    let env = env(c, a.score(), dims, None);
    let q = a.qualified_tier().rank();
    // the gates of the tiers above the qualified one, by the checks the decision made
    let higher_tiers = p
        .tiers
        .iter()
        .enumerate()
        .take(q)
        .map(|(i, t)| GateTrace {
            tier: t.id.clone(),
            min_score: Score(t.min_score),
            score_met: decide::score_met(p, i, a.score()),
            failed_requirements: decide::failed_requirements(p, i, &env)
                .filter_map(|r| t.require.get(r).map(|(text, _)| text.clone()))
                .collect(),
        })
        .collect();
    let adjustments = p
        .adjustments
        .iter()
        .enumerate()
        .filter(|(_, adj)| adj.when.eval(&env))
        .map(|(i, adj)| {
            let i = u16::try_from(i).ok();
            let decisive = match adj.kind {
                AdjustKind::AtLeast => a.floor_adjustment() == i,
                AdjustKind::AtMost => a.cap_adjustment() == i && a.decision() == Decision::Cap,
            };
            AdjustmentTrace {
                kind: match adj.kind {
                    AdjustKind::AtLeast => "at_least",
                    AdjustKind::AtMost => "at_most",
                },
                tier: tier_id(p, adj.tier),
                reason: adj.reason.clone(),
                when: adj.when_text.clone(),
                decisive,
            }
        })
        .collect();
    let previous = match (c.previous.tier, c.unknown_tier()) {
        (Some(t), _) => Some(PreviousTrace {
            tier: tier_id(p, t),
            known: true,
            tier_since: c.previous.tier_since,
            last_qualified: c.previous.last_qualified,
            not_kept: not_kept(p, c, as_of, a, t),
        }),
        (None, Some(name)) => Some(PreviousTrace {
            tier: name.to_owned(),
            known: false,
            tier_since: c.previous.tier_since,
            last_qualified: c.previous.last_qualified,
            not_kept: Vec::new(),
        }),
        (None, None) => None,
    };
    let pin = c.pin().map(|pin| PinTrace {
        tier: tier_id(p, pin.tier.rank),
        until: pin.until,
        reason: pin.reason.clone(),
        status: if a.expired_pin() {
            "expired"
        } else if a.tier() != pin.tier {
            "capped"
        } else {
            "applied"
        },
    });
    let tier = tier_id(p, a.tier().rank);
    let f = tier_id(p, a.adjusted().rank);
    let prev_id = previous
        .as_ref()
        .map(|x| x.tier.clone())
        .unwrap_or_default();
    let decision = match a.decision() {
        Decision::Qualified => format!("the score and requirements qualify for `{tier}`"),
        Decision::Floor => format!("a floor raised the tier to `{tier}`"),
        Decision::Buffer => format!(
            "kept the previous tier `{prev_id}`: the score {} is within the downgrade buffer of {} below its minimum and its requirements hold",
            a.score(),
            p.tiering.downgrade_buffer
        ),
        Decision::Grace => format!(
            "kept the previous tier `{prev_id}`: last qualified within the {} grace days",
            p.tiering.downgrade_grace_days
        ),
        Decision::StepLimit => format!(
            "the downgrade from `{prev_id}` to `{f}` is limited to {} step(s): `{tier}`",
            p.tiering.max_downgrade_steps.unwrap_or(0)
        ),
        Decision::Cap => format!("a cap lowered the tier to `{tier}`"),
        Decision::Pin => format!("a manual pin set the tier to `{tier}`"),
    };
    let mut notes = Vec::new();
    if a.ignored_previous_tier() {
        notes.push(format!(
            "previous tier `{prev_id}` is not a tier of this policy and was ignored"
        ));
    }
    if a.expired_pin() {
        if let Some(pin) = c.pin() {
            notes.push(format!(
                "the pin to `{}` expired on {} and was ignored",
                tier_id(p, pin.tier.rank),
                pin.until.map(|d| d.to_string()).unwrap_or_default()
            ));
        }
    }
    Explanation {
        customer: c.id().to_owned(),
        as_of,
        policy: PolicyRef {
            id: p.id.clone(),
            version: p.version.clone(),
        },
        dimensions,
        score: a.score(),
        qualified_tier: tier_id(p, a.qualified_tier().rank),
        higher_tiers,
        adjustments,
        previous,
        pin,
        tier: tier.clone(),
        decided_by: a.decision(),
        decision,
        state: StateTrace {
            tier,
            tier_since: a.state().tier_since(),
            last_qualified: a.state().last_qualified(),
        },
        notes,
    }
}
