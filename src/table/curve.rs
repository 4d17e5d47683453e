//! The integer curves and weights of a policy ([`crate::model::fast`]) at the scale of a
//! batch's lanes, in 64-bit integers.
//!
//! The prepared curves keep every x point at [`X_SCALE`] (twelve decimals), so that any
//! metric value fits; a batch knows better. A column of decimals at scale 1 scored on a
//! curve of whole points needs one decimal, not twelve: at one decimal a segment's
//! product and quotient fit in 64 bits and cost a few instructions, where at twelve
//! they overflow into 128-bit arithmetic and a call into the runtime for each division.
//! Scaling the x of a point and of the value by the same power of ten changes no
//! score: a segment scores `ya + round_half_up(dx * dy / DX)`, and `dx / DX` is the same
//! at any scale.

use crate::model::fast::{div_floor, pow10, X_SCALE};
use crate::model::{FastCurve, FastWeights};

/// The fewest decimals that hold `x` (a number at [`X_SCALE`]) exactly.
pub(crate) fn scale_of(x: i128) -> u32 {
    let mut x = x;
    let mut scale = X_SCALE;
    while scale > 0 && x % 10 == 0 {
        x /= 10;
        scale -= 1;
    }
    scale
}

/// `x` (a number at [`X_SCALE`]) at `scale` decimals, when it is exact there and fits in
/// 64 bits.
pub(crate) fn at_lane_scale(x: i128, scale: u32) -> Option<i64> {
    let unit = pow10(X_SCALE.checked_sub(scale)?)?;
    if x.rem_euclid(unit) != 0 {
        return None;
    }
    i64::try_from(x.div_euclid(unit)).ok()
}

/// One linear segment, x at the curve's scale, y at the precision.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment {
    xa: i64,
    xb: i64,
    ya: i64,
    /// `2 * (yb - ya)`.
    two_dy: i64,
    /// `xb - xa`.
    dx: i64,
    /// `2 * (xb - xa)`.
    two_dx: i64,
}

/// A curve of the prepared policy with its x points at a batch's scale.
#[derive(Debug, Clone)]
pub(crate) enum LaneCurve {
    Linear {
        first: (i64, i64),
        last: (i64, i64),
        segments: Box<[Segment]>,
    },
    Steps {
        first: i64,
        points: Box<[(i64, i64)]>,
    },
    /// Scores by enum index (or false, true).
    Map(Box<[i64]>),
}

impl LaneCurve {
    /// The decimals the x points of `c` need (none for maps).
    pub(crate) fn scale_needed(c: &FastCurve) -> u32 {
        match c {
            FastCurve::Linear(p) | FastCurve::Steps(p) => {
                p.iter().map(|(x, _)| scale_of(*x)).max().unwrap_or(0)
            }
            FastCurve::Map(_) => 0,
        }
    }

    /// `c` with its x points at `scale` decimals (at least [`scale_needed`]), or `None`
    /// when a number does not fit in 64 bits.
    ///
    /// [`scale_needed`]: Self::scale_needed
    pub(crate) fn at(c: &FastCurve, scale: u32) -> Option<LaneCurve> {
        let points = |p: &[(i128, i128)]| -> Option<Vec<(i64, i64)>> {
            p.iter()
                .map(|(x, y)| Some((at_lane_scale(*x, scale)?, i64::try_from(*y).ok()?)))
                .collect()
        };
        Some(match c {
            FastCurve::Linear(p) => {
                let p = points(p)?;
                let segments = p
                    .windows(2)
                    .map(|w| match *w {
                        [(xa, ya), (xb, yb)] => {
                            let dx = xb.checked_sub(xa)?;
                            Some(Segment {
                                xa,
                                xb,
                                ya,
                                two_dy: yb.checked_sub(ya)?.checked_mul(2)?,
                                dx,
                                two_dx: dx.checked_mul(2)?,
                            })
                        }
                        _ => None,
                    })
                    .collect::<Option<_>>()?;
                LaneCurve::Linear {
                    first: *p.first()?,
                    last: *p.last()?,
                    segments,
                }
            }
            FastCurve::Steps(p) => {
                let p = points(p)?;
                LaneCurve::Steps {
                    first: p.first()?.1,
                    points: p.into_boxed_slice(),
                }
            }
            FastCurve::Map(s) => LaneCurve::Map(
                s.iter()
                    .map(|y| i64::try_from(*y).ok())
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// The score at the precision of `x` at the curve's scale (an enum index for maps):
    /// [`FastCurve::score`]'s.
    #[inline]
    pub(crate) fn score(&self, x: i64) -> Option<i64> {
        match self {
            LaneCurve::Linear {
                first,
                last,
                segments,
            } => {
                if x <= first.0 {
                    return Some(first.1);
                }
                if x >= last.0 {
                    return Some(last.1);
                }
                for s in segments.iter() {
                    if x < s.xb {
                        // xa < x < xb: no overflow
                        let dx = x - s.xa;
                        // ya + round_half_up(dx * dy / DX) = ya + floor((2 dx dy + DX) / 2DX)
                        let num = i128::from(dx) * i128::from(s.two_dy) + i128::from(s.dx);
                        let q = i64::try_from(div_floor(num, i128::from(s.two_dx))).ok()?;
                        return s.ya.checked_add(q);
                    }
                }
                Some(last.1)
            }
            LaneCurve::Steps { first, points } => {
                let mut y = *first;
                for &(px, py) in points.iter() {
                    if px <= x {
                        y = py;
                    } else {
                        break;
                    }
                }
                Some(y)
            }
            LaneCurve::Map(scores) => scores.get(usize::try_from(x).ok()?).copied(),
        }
    }
}

/// The weights of the composite, each below 2^31, so that the weighted sum of up to
/// eight 64-bit dimension scores cannot overflow 128 bits.
#[derive(Debug, Clone)]
pub(crate) struct LaneWeights {
    pub(crate) weights: Box<[i64]>,
    /// `2 * sum(weights)`.
    pub(crate) two_total: i128,
    pub(crate) total: i128,
}

impl LaneWeights {
    /// The lane form of `w`, `None` when a weight is 2^31 or more.
    pub(crate) fn of(w: &FastWeights) -> Option<LaneWeights> {
        let weights = w
            .weights
            .iter()
            .map(|w| i32::try_from(*w).ok().map(i64::from))
            .collect::<Option<_>>()?;
        Some(LaneWeights {
            weights,
            two_total: w.total.checked_mul(2)?,
            total: w.total,
        })
    }

    /// `round_half_up(sum / total)` of a weighted sum: [`FastWeights::composite`]'s.
    #[inline]
    pub(crate) fn finish(&self, sum: i128) -> Option<i64> {
        let num = sum.checked_mul(2)?.checked_add(self.total)?;
        i64::try_from(div_floor(num, self.two_total)).ok()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::fast::pow10;

    fn curve() -> impl Strategy<Value = FastCurve> {
        let points = prop::collection::vec((-2_000_000i64..2_000_000, 0i64..10_000), 1..7)
            .prop_map(|mut v| {
                v.sort_by_key(|p| p.0);
                v.dedup_by_key(|p| p.0);
                // x at 3 decimals, as X_SCALE
                let k = pow10(X_SCALE - 3).unwrap_or(1);
                v.into_iter()
                    .map(|(x, y)| (i128::from(x) * k, i128::from(y)))
                    .collect::<Box<[_]>>()
            });
        (points, any::<bool>()).prop_map(|(p, linear)| {
            if linear {
                FastCurve::Linear(p)
            } else {
                FastCurve::Steps(p)
            }
        })
    }

    proptest! {
        /// At any scale that holds the points and the value, a lane curve scores what the
        /// prepared curve scores at twelve decimals.
        #[test]
        fn lane_curves_score_as_the_prepared_ones(
            c in curve(),
            x in -25_000_000i64..25_000_000,
            extra in 0u32..4,
        ) {
            // x at 4 decimals; the curve at its own scale or more
            let scale = LaneCurve::scale_needed(&c).max(4) + extra;
            let lane = LaneCurve::at(&c, scale).unwrap();
            let at_scale = x * 10i64.pow(scale - 4);
            let at_x = i128::from(x) * pow10(X_SCALE - 4).unwrap();
            prop_assert_eq!(lane.score(at_scale).map(i128::from), c.score(at_x));
        }
    }

    #[test]
    fn scales_of_numbers() {
        let k = pow10(X_SCALE).unwrap();
        assert_eq!(scale_of(0), 0);
        assert_eq!(scale_of(20_000 * k), 0);
        assert_eq!(scale_of(k / 10 * 15), 1);
        assert_eq!(scale_of(1), X_SCALE);
        assert_eq!(at_lane_scale(k / 10 * 15, 1), Some(15));
        assert_eq!(at_lane_scale(k / 10 * 15, 0), None);
        assert_eq!(at_lane_scale(k * i128::from(i64::MAX), 1), None);
    }
}
