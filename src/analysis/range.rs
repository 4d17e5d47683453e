//! The range of every dimension score and of the composite over the metric domains.
//!
//! A piecewise-linear or step curve takes its extremes over an interval at the interval's
//! ends and at the curve's points inside it, and rounding is monotone, so the range of a
//! rounded dimension score is found exactly from those few values. The composite is a sum
//! with positive weights, so its range is the composite of the lowest and of the highest
//! dimension scores (exact when the dimensions read different metrics, a superset
//! otherwise).

use rust_decimal::Decimal;

use super::domain::{Dom, Domains, Interval, VarDom};
use crate::eval::score;
use crate::model::{Compiled, Curve, Dimension, Score};

/// The range of a dimension or of the composite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Range {
    /// No record is in the domains (they were narrowed by a contradiction).
    Empty,
    Within(Decimal, Decimal),
}

/// The range of one dimension's rounded score over its metric's domain, or `None` when it
/// cannot be computed exactly.
pub(crate) fn dimension(p: &Compiled, i: usize, d: &Dimension, dom: &VarDom) -> Option<Range> {
    let slopes = p.prepared.slopes.get(i).map_or(&[][..], Vec::as_slice);
    let mut ys: Vec<Decimal> = Vec::new();
    if dom.absent && p.missing_zero {
        ys.push(Decimal::ZERO);
    }
    let at = |x: Decimal| score::curve_score(&d.curve, slopes, x, p.precision);
    match (&d.curve, &dom.dom) {
        (Curve::Map(scores), Dom::Sym(values)) => {
            for v in values {
                ys.push(*scores.get(usize::from(*v))?);
            }
        }
        (Curve::Map(scores), Dom::Bool(values)) => {
            for v in values {
                ys.push(*scores.get(usize::from(*v))?);
            }
        }
        (Curve::Linear(points) | Curve::Steps(points), dom) => {
            let iv = match dom {
                Dom::Num { iv, .. } => *iv,
                // whole years or days up to the as-of date: 0 or more
                Dom::Date => Interval {
                    lo: Some(Decimal::ZERO),
                    hi: None,
                },
                _ => return None,
            };
            if !(iv.is_empty() || dom_is_empty(dom)) {
                let (first, last) = (points.first()?.1, points.last()?.1);
                match iv.lo {
                    Some(l) => ys.push(at(l)?),
                    None => ys.push(first),
                }
                match iv.hi {
                    Some(h) => ys.push(at(h)?),
                    None => ys.push(last),
                }
                for (x, _) in points {
                    if iv.contains(*x) {
                        ys.push(at(*x)?);
                    }
                }
            }
        }
        _ => return None,
    }
    let lo = ys.iter().copied().min();
    let hi = ys.iter().copied().max();
    Some(match (lo, hi) {
        (Some(l), Some(h)) => {
            Range::Within(score::round(l, p.precision), score::round(h, p.precision))
        }
        _ => Range::Empty,
    })
}

fn dom_is_empty(d: &Dom) -> bool {
    VarDom {
        dom: d.clone(),
        absent: false,
    }
    .is_empty()
}

/// Fills in the ranges of the dimensions and the composite from the metric domains.
/// Returns the composite's range, or `None` when some range cannot be computed (the score
/// domains are then left unbounded, which decides less but stays sound).
pub(crate) fn fill(p: &Compiled, doms: &mut Domains) -> Option<Range> {
    let mut lows = Vec::with_capacity(p.dimensions.len());
    let mut highs = Vec::with_capacity(p.dimensions.len());
    let mut empty = false;
    for (i, d) in p.dimensions.iter().enumerate() {
        let dom = doms.metrics.get(usize::from(d.metric))?;
        match dimension(p, i, d, dom)? {
            Range::Empty => empty = true,
            Range::Within(l, h) => {
                // a narrowed dimension score keeps its narrowing
                let slot = doms.dimensions.get_mut(i)?;
                let l = slot.lo.map_or(l, |x| x.max(l));
                let h = slot.hi.map_or(h, |x| x.min(h));
                *slot = Interval::new(l, h);
                if l > h {
                    empty = true;
                }
                lows.push(Score(l));
                highs.push(Score(h));
            }
        }
    }
    if empty {
        return Some(Range::Empty);
    }
    let lo = score::composite(p, &lows)?;
    let hi = score::composite(p, &highs)?;
    let l = doms.score.lo.map_or(lo, |x| x.max(lo));
    let h = doms.score.hi.map_or(hi, |x| x.min(hi));
    doms.score = Interval::new(l, h);
    Some(if l > h {
        Range::Empty
    } else {
        Range::Within(l, h)
    })
}
