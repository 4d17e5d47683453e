//! Integer scoring: the same exact results as the decimal path, with the numbers of a
//! policy turned into integers once, when it is compiled.
//!
//! A metric value `x` becomes `X = x * 10^12` and every curve point the same way; scores
//! become integers at the policy's precision (`55.00` is `5500` at precision 2). A linear
//! segment then scores `Ya + dx * dY / DX`, rounded half up (scores are never negative, so
//! half up is half away from zero) with one integer division, and the composite
//! `sum(W * q) / sum(W)` with another. Whatever does not fit (more than 12 decimals, a
//! product that overflows `i128`) returns `None` and is scored by the decimal path.

use rust_decimal::Decimal;

use crate::policy::{Curve, Dimension};

/// The scale of metric values and curve x points.
const X_SCALE: u32 = 12;

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build, never the program"
)]
const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// 10^k, for k up to 38.
pub(crate) fn pow10(k: u32) -> Option<i128> {
    POW10.get(usize::try_from(k).ok()?).copied()
}

/// `v` as an integer at `scale` decimals, if exact and in range.
pub(crate) fn at_scale(v: Decimal, scale: u32) -> Option<i128> {
    let k = scale.checked_sub(v.scale())?;
    v.mantissa().checked_mul(pow10(k)?)
}

/// A metric value as a fixed-point integer at [`X_SCALE`].
#[inline]
pub(crate) fn x_of(v: Decimal) -> Option<i128> {
    at_scale(v, X_SCALE)
}

/// A whole number as a fixed-point integer at [`X_SCALE`].
#[inline]
pub(crate) fn x_of_int(n: i64) -> Option<i128> {
    i128::from(n).checked_mul(pow10(X_SCALE)?)
}

/// A curve in integers.
#[derive(Debug, Clone)]
pub(crate) enum FastCurve {
    /// x points at [`X_SCALE`], y points at the precision.
    Linear(Box<[(i128, i128)]>),
    Steps(Box<[(i128, i128)]>),
    /// Scores at the precision, by enum index (or false, true).
    Map(Box<[i128]>),
}

impl FastCurve {
    /// The integer form of a dimension's curve, if every number fits.
    pub(crate) fn of(d: &Dimension, precision: u32) -> Option<FastCurve> {
        let pts = |points: &[(Decimal, Decimal)]| -> Option<Box<[(i128, i128)]>> {
            points
                .iter()
                .map(|(x, y)| Some((x_of(*x)?, at_scale(*y, precision)?)))
                .collect()
        };
        Some(match &d.curve {
            Curve::Linear(p) => FastCurve::Linear(pts(p)?),
            Curve::Steps(p) => FastCurve::Steps(pts(p)?),
            Curve::Map(scores) => FastCurve::Map(
                scores
                    .iter()
                    .map(|s| at_scale(*s, precision))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// The score at the precision, for `x` at [`X_SCALE`] (or an enum index for maps).
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
                            let num = dx
                                .checked_mul(yb - ya)?
                                .checked_mul(2)?
                                .checked_add(big_dx)?;
                            return Some(ya + num.div_euclid(big_dx.checked_mul(2)?));
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

/// Integer weights (all scaled by the same power of ten) and their sum.
#[derive(Debug, Clone)]
pub(crate) struct FastWeights {
    pub(crate) weights: Box<[i128]>,
    pub(crate) total: i128,
}

impl FastWeights {
    pub(crate) fn of(dimensions: &[Dimension]) -> Option<FastWeights> {
        let scale = dimensions.iter().map(|d| d.weight.scale()).max()?;
        let weights: Box<[i128]> = dimensions
            .iter()
            .map(|d| at_scale(d.weight, scale))
            .collect::<Option<_>>()?;
        let total = weights.iter().try_fold(0i128, |a, w| a.checked_add(*w))?;
        (total > 0).then_some(FastWeights { weights, total })
    }

    /// `round_half_up(sum(W * q) / sum(W))` for dimension scores `q` at the precision.
    #[inline]
    pub(crate) fn composite(&self, scores: &[i128]) -> Option<i128> {
        let mut sum = 0i128;
        for (w, q) in self.weights.iter().zip(scores) {
            sum = sum.checked_add(w.checked_mul(*q)?)?;
        }
        let num = sum.checked_mul(2)?.checked_add(self.total)?;
        Some(num.div_euclid(self.total.checked_mul(2)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::score::{curve_score, round};
    use crate::policy::DateUnit;
    use proptest::prelude::*;

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
