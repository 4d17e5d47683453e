//! Integer scoring on the prepared curves and weights of [`crate::model::fast`]: the same
//! exact results as the decimal path, with one integer division a segment.

use crate::model::fast::{div_floor, mul};
use crate::model::{FastCurve, FastWeights};

impl FastCurve {
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
        Some(div_floor(num, mul(self.total, 2)?))
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
