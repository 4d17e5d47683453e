//! Why a customer moves between two policies (spec section 20): the first step of the
//! decision (section 7) at which the two part.

use serde::Serialize;

use crate::eval::cond::env;
use crate::eval::decide::{failed_requirements, score_met};
use crate::eval::{Assignment, Decision};
use crate::input::Customer;
use crate::model::Compiled;
use crate::policy::Policy;

/// The step of the decision at which two policies part for a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CauseKind {
    /// A `require` of the tier left or reached holds under one policy and fails under the
    /// other.
    Requirement,
    /// The composite crossed a `min_score`.
    Score,
    /// A floor (`at_least`) applies under one policy only.
    Floor,
    /// The downgrade buffer kept the previous tier under one policy only.
    Buffer,
    /// The grace days kept the previous tier under one policy only.
    Grace,
    /// The step limit held a downgrade under one policy only.
    StepLimit,
    /// A cap (`at_most`) applies under one policy only.
    Cap,
    /// A pin decided under one policy only.
    Pin,
}

impl CauseKind {
    /// Every kind, in the order of the decision's steps.
    pub const ALL: [CauseKind; 8] = [
        CauseKind::Requirement,
        CauseKind::Score,
        CauseKind::Floor,
        CauseKind::Buffer,
        CauseKind::Grace,
        CauseKind::StepLimit,
        CauseKind::Cap,
        CauseKind::Pin,
    ];

    /// The kind's name, like `step_limit`.
    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::Requirement => "requirement",
            CauseKind::Score => "score",
            CauseKind::Floor => "floor",
            CauseKind::Buffer => "buffer",
            CauseKind::Grace => "grace",
            CauseKind::StepLimit => "step_limit",
            CauseKind::Cap => "cap",
            CauseKind::Pin => "pin",
        }
    }

    pub(crate) fn index(self) -> usize {
        CauseKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// Why a customer moves: the kind of step and what in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    kind: CauseKind,
    detail: String,
}

impl Cause {
    /// The step at which the two decisions part.
    pub fn kind(&self) -> CauseKind {
        self.kind
    }

    /// What in it: the requirement's text, the dimension that moved the score most, the
    /// adjustment's reason, the previous tier kept.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

fn cause(kind: CauseKind, detail: String) -> Cause {
    Cause { kind, detail }
}

/// A tier's id under a policy.
fn id(p: &Compiled, rank: usize) -> &str {
    p.tier_ids.get(rank).map_or("", String::as_str)
}

/// The first requirement of the tier `tier` (by id) of `p` that fails for the customer
/// although its score reaches the tier's minimum.
fn failing(p: &Compiled, tier: &str, c: &Customer, a: &Assignment) -> Option<String> {
    let t = p.tier_ids.iter().position(|x| x == tier)?;
    if !score_met(p, t, a.score()) {
        return None;
    }
    let e = env(c, a.score(), a.dimension_scores(), None);
    let j = failed_requirements(p, t, &e).next()?;
    p.tiers.get(t)?.require.get(j).map(|(text, _)| text.clone())
}

/// The cause of a move from assignment `a` (policy `p`, customer `c`) to `b` (policy `q`,
/// customer `d`). `dimension` is the shared dimension whose contribution changed most.
pub(crate) fn of(
    p: &Policy,
    q: &Policy,
    (c, a): (&Customer, &Assignment),
    (d, b): (&Customer, &Assignment),
    dimension: Option<&str>,
) -> Cause {
    let (pc, qc) = (&*p.inner, &*q.inner);
    // the two policies may be versions of one id: they are named by their role
    let name = |pol: &Policy| {
        if std::ptr::eq(pol, p) {
            "the simulated policy"
        } else {
            "the policy compared against"
        }
    };
    // 1. qualification
    let (qa, qb) = (
        id(pc, a.qualified_tier().rank()),
        id(qc, b.qualified_tier().rank()),
    );
    if qa != qb {
        // the higher of the two tiers, by the order of the first policy when it has both
        let rank_p = |t: &str| pc.tier_ids.iter().position(|x| x == t);
        let rank_q = |t: &str| qc.tier_ids.iter().position(|x| x == t);
        let up = match (rank_p(qa), rank_p(qb)) {
            (Some(x), Some(y)) => y < x,
            _ => rank_q(qb) < rank_q(qa),
        };
        // reached under the second policy: what held the customer back under the first,
        // or left: what holds it back under the second
        let req = if up {
            failing(pc, qb, c, a).map(|r| format!("`{r}` fails under {}", name(p)))
        } else {
            failing(qc, qa, d, b).map(|r| format!("`{r}` fails under {}", name(q)))
        };
        if let Some(detail) = req {
            return cause(CauseKind::Requirement, detail);
        }
        let renamed = rank_q(qa).is_none() && rank_p(qb).is_none();
        let detail = match (dimension, renamed) {
            (Some(dim), _) => format!("{} -> {}; moved most by `{dim}`", a.score(), b.score()),
            (None, true) => format!(
                "{} -> {}; the policies name their tiers differently (no `{qa}` in the one, no `{qb}` in the other)",
                a.score(),
                b.score()
            ),
            (None, false) => {
                let t = if up { qb } else { qa };
                let min = |pol: &Compiled| {
                    pol.tier_ids
                        .iter()
                        .position(|x| x == t)
                        .and_then(|i| pol.tiers.get(i))
                        .map(|x| x.min_score)
                };
                match (min(pc), min(qc)) {
                    (Some(x), Some(y)) if x != y => format!(
                        "{} -> {}; `{t}` needs {x} under {}, {y} under {}",
                        a.score(),
                        b.score(),
                        name(p),
                        name(q)
                    ),
                    _ => format!("{} -> {}", a.score(), b.score()),
                }
            }
        };
        return cause(CauseKind::Score, detail);
    }
    // 2. floors
    let (fa, fb) = (id(pc, a.adjusted().rank()), id(qc, b.adjusted().rank()));
    if fa != fb {
        let reason = |pol: &Compiled, i: Option<u16>| {
            i.and_then(|i| pol.adjustments.get(usize::from(i)))
                .map(|adj| adj.reason.clone())
        };
        let detail = reason(pc, a.floor_adjustment())
            .map(|r| format!("{r} (under {})", name(p)))
            .or_else(|| {
                reason(qc, b.floor_adjustment()).map(|r| format!("{r} (under {})", name(q)))
            })
            .unwrap_or_default();
        return cause(CauseKind::Floor, detail);
    }
    // 3. the previous tier, 4. caps, 5. pins: the first decision one side took alone
    let (da, db) = (a.decision(), b.decision());
    for (decision, kind) in [
        (Decision::Buffer, CauseKind::Buffer),
        (Decision::Grace, CauseKind::Grace),
        (Decision::StepLimit, CauseKind::StepLimit),
    ] {
        if (da == decision) != (db == decision) {
            let (pol, t) = if da == decision {
                (p, id(pc, a.tier().rank()))
            } else {
                (q, id(qc, b.tier().rank()))
            };
            let what = match kind {
                CauseKind::Buffer => "the downgrade buffer kept",
                CauseKind::Grace => "the grace days kept",
                _ => "the step limit held the downgrade at",
            };
            return cause(kind, format!("{what} `{t}` under {}", name(pol)));
        }
    }
    let caps = |pol: &Compiled, x: &Assignment| {
        x.cap_adjustment()
            .and_then(|i| pol.adjustments.get(usize::from(i)))
            .filter(|_| x.decision() == Decision::Cap)
            .map(|adj| adj.reason.clone())
    };
    let (ca, cb) = (caps(pc, a), caps(qc, b));
    if ca != cb {
        let detail = ca
            .map(|r| format!("{r} (under {})", name(p)))
            .or_else(|| cb.map(|r| format!("{r} (under {})", name(q))))
            .unwrap_or_default();
        return cause(CauseKind::Cap, detail);
    }
    if (da == Decision::Pin) != (db == Decision::Pin) {
        let (pol, t) = if da == Decision::Pin {
            (p, id(pc, a.tier().rank()))
        } else {
            (q, id(qc, b.tier().rank()))
        };
        return cause(
            CauseKind::Pin,
            format!("pinned to `{t}` under {}", name(pol)),
        );
    }
    cause(CauseKind::Score, format!("{} -> {}", a.score(), b.score()))
}
