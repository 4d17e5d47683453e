//! Exact shortcuts derived once from a compiled policy, so that scoring divides only when it
//! must.

use rust_decimal::Decimal;

use super::{Compiled, Curve, FastCurve, FastWeights, LaneCurves, Value};

/// Exact shortcuts computed once per policy so that scoring divides only when it must.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    /// Per dimension and linear segment, `dy / dx` when that quotient is an exact decimal.
    pub(crate) slopes: Vec<Vec<Option<Decimal>>>,
    /// Per dimension, `weight / total weight`, when every such share is exact.
    pub(crate) shares: Option<Vec<Decimal>>,
    /// Tier thresholds at the score's scale, so that comparisons need no rescaling.
    pub(crate) min_scores: Vec<Decimal>,
    /// Per tier, `min_score - downgrade_buffer` at the score's scale.
    pub(crate) keep_scores: Vec<Decimal>,
    /// Per dimension, the curve in integers, when every number fits.
    pub(crate) fast_curves: Vec<Option<FastCurve>>,
    /// Per dimension, the integer curve at every scale a value may take, in 64 bits.
    pub(crate) lane_curves: Vec<Option<LaneCurves>>,
    /// The weights in integers, when they fit.
    pub(crate) fast_weights: Option<FastWeights>,
    /// The values a customer record starts from: each metric's default, or absent.
    pub(crate) start_values: Box<[Option<Value>]>,
    /// The numbers of the required metrics (those without a default), in order.
    pub(crate) required: Box<[usize]>,
}

/// `a / b` when the quotient is exact (no rounding at 28 digits).
fn exact_div(a: Decimal, b: Decimal) -> Option<Decimal> {
    let q = a.checked_div(b)?;
    (q.scale() < 28 && q.checked_mul(b) == Some(a)).then_some(q)
}

impl Prepared {
    /// Derives the shortcuts from the rest of the compiled policy.
    pub(crate) fn of(c: &Compiled) -> Prepared {
        let slopes = c
            .dimensions
            .iter()
            .map(|d| match &d.curve {
                Curve::Linear(points) => points
                    .windows(2)
                    .map(|w| match w {
                        [(xa, ya), (xb, yb)] => {
                            exact_div(yb.checked_sub(*ya)?, xb.checked_sub(*xa)?)
                        }
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        let shares: Option<Vec<Decimal>> = c
            .dimensions
            .iter()
            .map(|d| exact_div(d.weight, c.total_weight))
            .collect();
        let at_precision = |mut m: Decimal| {
            if m.scale() < c.precision {
                m.rescale(c.precision);
            }
            m
        };
        let min_scores = c.tiers.iter().map(|t| at_precision(t.min_score)).collect();
        let keep_scores = c
            .tiers
            .iter()
            .map(|t| at_precision(t.min_score - c.tiering.downgrade_buffer))
            .collect();
        let fast_curves: Vec<Option<FastCurve>> = c
            .dimensions
            .iter()
            .map(|d| FastCurve::of(d, c.precision))
            .collect();
        let lane_curves = fast_curves
            .iter()
            .map(|f| f.as_ref().map(LaneCurves::of))
            .collect();
        Prepared {
            slopes,
            shares,
            min_scores,
            keep_scores,
            fast_curves,
            lane_curves,
            fast_weights: FastWeights::of(&c.dimensions),
            start_values: c.metrics.iter().map(|m| m.default).collect(),
            required: (c.metrics.iter().enumerate())
                .filter_map(|(i, m)| m.required.then_some(i))
                .collect(),
        }
    }
}
