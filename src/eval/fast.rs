//! Integer scoring on the prepared curves and weights of [`crate::model::fast`]: the same
//! exact results as the decimal path, with one integer division a segment.

use crate::model::fast::{div_floor, mul};
use crate::model::lane::Segment;
use crate::model::{FastCurve, FastWeights, LaneCurve, LaneWeights};

impl FastCurve {
    /// The score at the precision, for `x` at [`X_SCALE`](crate::model::fast::X_SCALE)
    /// (or an enum index for maps).
    #[inline]
    pub(crate) fn score(&self, x: i128) -> Option<i128> {
        match self {
            FastCurve::Linear(points) => {
                let (&(x0, y0), &(xn, yn)) = (points.first()?, points.last()?);
                if x <= x0 {
                    return Some(y0);
                }
                if x >= xn {
                    return Some(yn);
                }
                for w in points.windows(2) {
                    if let [(xa, ya), (xb, yb)] = *w {
                        if x < xb {
                            let dx = x - xa;
                            let big_dx = xb - xa;
                            // ya + round_half_up(dx * dy / DX) = ya + floor((2 dx dy + DX) / 2DX)
                            let num = mul(mul(dx, yb - ya)?, 2)?.checked_add(big_dx)?;
                            return Some(ya + div_floor(num, mul(big_dx, 2)?));
                        }
                    }
                }
                Some(yn)
            }
            FastCurve::Steps(points) => {
                let mut y = points.first()?.1;
                for &(px, py) in points.iter() {
                    if px <= x {
                        y = py;
                    } else {
                        break;
                    }
                }
                Some(y)
            }
            FastCurve::Map(scores) => scores.get(usize::try_from(x).ok()?).copied(),
        }
    }
}

impl FastWeights {
    /// `round_half_up(sum(W * q) / sum(W))` for dimension scores `q` at the precision.
    #[inline]
    pub(crate) fn composite(&self, scores: &[i128]) -> Option<i128> {
        let mut sum = 0i128;
        for (w, q) in self.weights.iter().zip(scores) {
            sum = sum.checked_add(mul(*w, *q)?)?;
        }
        let num = mul(sum, 2)?.checked_add(self.total)?;
        Some(self.two_total.div_floor_wide(num))
    }
}

impl LaneCurve {
    /// The score at the precision of `x` at the curve's scale (an enum index for maps):
    /// [`FastCurve::score`]'s.
    #[inline]
    pub(crate) fn score(&self, x: i64) -> Option<i64> {
        match self {
            LaneCurve::Linear {
                first,
                last,
                segments,
            } => linear(*first, *last, segments, x),
            LaneCurve::Steps { first, points } => Some(steps(*first, points, x)),
            LaneCurve::Map(scores) => scores.get(usize::try_from(x).ok()?).copied(),
        }
    }

    /// Scores each `x` of `xs` whose row is still `ok` in place ([`score`](Self::score)
    /// of each), striking out a row it cannot score: one loop per kind of curve, so that a
    /// row costs its segment's arithmetic and no dispatch.
    pub(crate) fn score_down(&self, xs: &mut [i64], ok: &mut [bool]) {
        let rows = xs.iter_mut().zip(ok.iter_mut());
        match self {
            LaneCurve::Linear {
                first,
                last,
                segments,
            } => {
                for (x, good) in rows {
                    if *good {
                        match linear(*first, *last, segments, *x) {
                            Some(q) => *x = q,
                            None => *good = false,
                        }
                    }
                }
            }
            LaneCurve::Steps { first, points } => {
                for (x, good) in rows {
                    if *good {
                        *x = steps(*first, points, *x);
                    }
                }
            }
            LaneCurve::Map(scores) => {
                for (x, good) in rows {
                    if *good {
                        match usize::try_from(*x).ok().and_then(|i| scores.get(i)) {
                            Some(q) => *x = *q,
                            None => *good = false,
                        }
                    }
                }
            }
        }
    }
}

impl LaneWeights {
    /// `round_half_up(sum / total)` of a weighted sum: [`FastWeights::composite`]'s.
    #[inline]
    pub(crate) fn finish(&self, sum: i128) -> Option<i64> {
        let num = sum.checked_mul(2)?.checked_add(self.total)?;
        i64::try_from(self.two_total.div_floor_wide(num)).ok()
    }
}

/// Curves of up to this many points find the segment of a value by counting the points
/// at or below it, with no branch a row could mispredict; longer ones search.
const COUNTED: usize = 8;

/// A linear curve's score of `x`: `ya + round_half_up(dx * dy / DX)` on its segment, `x`
/// held to the first and last points (where the segment gives their `y`).
#[inline]
fn linear(first: (i64, i64), last: (i64, i64), segments: &[Segment], x: i64) -> Option<i64> {
    let x = x.max(first.0).min(last.0);
    // the segment: the number of inner points at or below x
    let inner = segments
        .get(..segments.len().saturating_sub(1))
        .unwrap_or_default();
    let i = if segments.len() < COUNTED {
        inner.iter().map(|s| usize::from(s.xb <= x)).sum()
    } else {
        inner.partition_point(|s| s.xb <= x)
    };
    let Some(s) = segments.get(i) else {
        // a curve of one point
        return Some(first.1);
    };
    // xa <= x <= xb: dx cannot overflow
    let dx = x - s.xa;
    // ya + round_half_up(dx * dy / DX) = ya + floor((2 dx dy + DX) / 2DX)
    let q = match dx.checked_mul(s.two_dy).and_then(|p| p.checked_add(s.dx)) {
        Some(num) => s.two_dx.div_floor(num),
        None => {
            let num = i128::from(dx) * i128::from(s.two_dy) + i128::from(s.dx);
            i64::try_from(s.two_dx.div_floor_wide(num)).ok()?
        }
    };
    s.ya.checked_add(q)
}

/// A step curve's score of `x`: the last step at or before it, or the first.
#[inline]
fn steps(first: i64, points: &[(i64, i64)], x: i64) -> i64 {
    let i = if points.len() <= COUNTED {
        points.iter().map(|p| usize::from(p.0 <= x)).sum()
    } else {
        points.partition_point(|p| p.0 <= x)
    };
    match i.checked_sub(1).and_then(|i| points.get(i)) {
        Some(p) => p.1,
        None => first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::score::{curve_score, round};
    use crate::model::fast::{pow10, x_of};
    use crate::model::{Curve, DateUnit, Dimension};
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn dim(curve: Curve, weight: Decimal) -> Dimension {
        Dimension {
            name: "d".into(),
            metric: 0,
            weight,
            curve,
            unit: DateUnit::Years,
        }
    }

    fn dec(max: i64, scale: u32) -> impl Strategy<Value = Decimal> {
        (-max..=max, 0..=scale).prop_map(|(m, s)| Decimal::new(m, s))
    }

    fn points() -> impl Strategy<Value = Vec<(Decimal, Decimal)>> {
        prop::collection::vec(
            (
                dec(10_000_000, 4),
                (0i64..=10_000, 0u32..=2)
                    .prop_map(|(m, s)| Decimal::new(m, s).min(Decimal::ONE_HUNDRED)),
            ),
            1..7,
        )
        .prop_map(|mut v| {
            v.sort_by_key(|p| p.0);
            v.dedup_by(|a, b| a.0 == b.0);
            v
        })
    }

    proptest! {
        /// The integer path gives exactly the decimal path's (exact, then rounded) score.
        #[test]
        fn integer_curves_match_the_decimal_path(
            pts in points(),
            steps in any::<bool>(),
            x in dec(20_000_000, 6),
            precision in 0u32..=6,
        ) {
            let curve = if steps { Curve::Steps(pts) } else { Curve::Linear(pts) };
            let d = dim(curve, Decimal::ONE);
            // y points with more decimals than the precision go the decimal path
            let fast = FastCurve::of(&d, precision);
            prop_assume!(fast.is_some());
            let q = fast.unwrap().score(x_of(x).unwrap()).unwrap();
            let general = round(curve_score(&d.curve, &[], x, precision).unwrap(), precision);
            prop_assert_eq!(Decimal::from_i128_with_scale(q, precision), general);
        }

        #[test]
        fn integer_composite_matches_the_decimal_path(
            w in prop::collection::vec(dec(100_000, 3).prop_map(|w| w.abs() + Decimal::new(1, 3)), 1..6),
            precision in 0u32..=4,
            seed in prop::collection::vec(0i64..=10_000, 6),
        ) {
            let dims: Vec<Dimension> = w.iter().map(|w| dim(Curve::Map(vec![]), *w)).collect();
            let fw = FastWeights::of(&dims).unwrap();
            let scores: Vec<i128> = seed.iter().take(dims.len()).map(|s| i128::from(*s) * pow10(precision).unwrap() / 100).collect();
            let q = fw.composite(&scores).unwrap();
            let total: Decimal = w.iter().sum();
            let sum: Decimal = w.iter().zip(&scores).map(|(w, s)| *w * Decimal::from_i128_with_scale(*s, precision)).sum();
            prop_assert_eq!(Decimal::from_i128_with_scale(q, precision), round(sum / total, precision));
        }
    }
}

#[cfg(test)]
mod lane_tests {
    use proptest::prelude::*;

    use crate::model::fast::{pow10, X_SCALE};
    use crate::model::lane::{at_lane_scale, scale_of};
    use crate::model::{FastCurve, LaneCurve};

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
