//! Scoring one customer: each dimension's score and the weighted composite (spec section 6).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::assignment::{DimScores, INLINE_DIMENSIONS};
use super::score;
use crate::error::{EvalError, EvalErrorKind};
use crate::input::Customer;
use crate::model::{fast, Compiled, DateUnit, Dimension, LaneCurve, LaneCurves, Score, Value};

/// A dimension's score at the precision in 64 bits, its curve at the scale of the value
/// ([`LaneCurves`]), or `None` for [`fast_dimension`].
#[inline]
fn lane_dimension(
    p: &Compiled,
    i: usize,
    d: &Dimension,
    value: Option<Value>,
    as_of: NaiveDate,
) -> Option<i64> {
    let curves = p.prepared.lane_curves.get(i)?.as_ref()?;
    let count = |n: i64| {
        let curve = curves.at(curves.need)?;
        if matches!(curve, LaneCurve::Map(_)) {
            return None;
        }
        curve.score(n.checked_mul(fast::pow10_64(curves.need)?)?)
    };
    // an enum's position or a boolean, on a map
    let index = |x: i64| match curves.at(curves.need)? {
        c @ LaneCurve::Map(_) => c.score(x),
        _ => None,
    };
    match value? {
        Value::Decimal(v) => decimal_on(curves, v),
        Value::Integer(n) => count(n),
        Value::Date(start) => count(elapsed(d, start, as_of)?),
        Value::Enum(e) => index(i64::from(e)),
        Value::Bool(b) => index(i64::from(b)),
    }
}

/// Whole years or days (the dimension's unit) from `start` to `as_of`; `None` when `start`
/// is after `as_of` (the decimal path's to report).
#[inline]
fn elapsed(d: &Dimension, start: NaiveDate, as_of: NaiveDate) -> Option<i64> {
    if start > as_of {
        return None;
    }
    Some(match d.unit {
        DateUnit::Years => score::whole_years(start, as_of),
        DateUnit::Days => (as_of - start).num_days(),
    })
}

/// The score of a decimal on a linear or step curve, at the scale of the decimal or of
/// the points, whichever has more decimals.
#[inline]
fn decimal_on(curves: &LaneCurves, v: Decimal) -> Option<i64> {
    let s = v.scale();
    let t = s.max(curves.need);
    let curve = curves.at(t)?;
    if matches!(curve, LaneCurve::Map(_)) {
        return None;
    }
    let x = i64::try_from(v.mantissa())
        .ok()?
        .checked_mul(fast::pow10_64(t - s)?)?;
    curve.score(x)
}

/// A dimension's score at the precision by the integer path, or `None` for the decimal
/// path (which also reports absent values and dates after the as-of date).
#[inline]
fn fast_dimension(
    p: &Compiled,
    i: usize,
    d: &Dimension,
    value: Option<Value>,
    as_of: NaiveDate,
) -> Option<i128> {
    let curve = p.prepared.fast_curves.get(i)?.as_ref()?;
    let x = match value? {
        Value::Decimal(v) => fast::x_of(v)?,
        Value::Integer(n) => fast::x_of_int(n)?,
        Value::Date(start) => fast::x_of_int(elapsed(d, start, as_of)?)?,
        Value::Enum(e) => i128::from(e),
        Value::Bool(b) => i128::from(b),
    };
    curve.score(x)
}

/// Scores a customer on `as_of`: every dimension, then the composite, by the integer path
/// where every number fits and the exact decimal path otherwise.
pub(crate) fn score(
    p: &Compiled,
    c: &Customer,
    as_of: NaiveDate,
) -> Result<(Score, DimScores), EvalError> {
    let mut dims = DimScores::new(p.dimensions.len());
    // integer scores at the precision, while every dimension takes the integer path
    let mut ints = [0i128; INLINE_DIMENSIONS];
    let mut all_int = p.dimensions.len() <= INLINE_DIMENSIONS && p.prepared.fast_weights.is_some();
    for (i, (slot, d)) in dims
        .as_mut_slice()
        .iter_mut()
        .zip(&p.dimensions)
        .enumerate()
    {
        let value = c.values.get(usize::from(d.metric)).copied().flatten();
        let int = lane_dimension(p, i, d, value, as_of)
            .map(i128::from)
            .or_else(|| fast_dimension(p, i, d, value, as_of))
            .and_then(|q| {
                Decimal::try_from_i128_with_scale(q, p.precision)
                    .ok()
                    .map(|s| (q, s))
            });
        if let Some((q, s)) = int {
            if let Some(x) = ints.get_mut(i) {
                *x = q;
            }
            *slot = Score(s);
            continue;
        }
        all_int = false;
        let slopes = p.prepared.slopes.get(i).map_or(&[][..], Vec::as_slice);
        let (s, _) =
            score::dimension(p, d, slopes, value, as_of).map_err(|k| EvalError::new(c.id(), k))?;
        *slot = Score(s);
    }
    let int_score = match (&p.prepared.fast_weights, all_int) {
        (Some(w), true) => ints
            .get(..p.dimensions.len())
            .and_then(|q| w.composite(q))
            .and_then(|q| Decimal::try_from_i128_with_scale(q, p.precision).ok()),
        _ => None,
    };
    let score = match int_score {
        Some(s) => s,
        None => score::composite(p, dims.as_slice()).ok_or_else(|| {
            EvalError::new(
                c.id(),
                EvalErrorKind::Overflow {
                    metric: "score".to_owned(),
                },
            )
        })?,
    };
    Ok((Score(score), dims))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::decimal_on;
    use crate::model::fast::x_of;
    use crate::model::{Curve, DateUnit, Dimension, FastCurve, LaneCurves};

    proptest! {
        /// A decimal of any scale scores on the curve at its scale (or the points') what it
        /// scores on the prepared curve at twelve decimals.
        #[test]
        fn decimals_score_at_their_scale_as_at_twelve(
            points in prop::collection::vec((-200_000i64..200_000, 0u32..4, 0i64..10_000), 1..6),
            linear in any::<bool>(),
            m in -3_000_000i64..3_000_000,
            scale in 0u32..7,
        ) {
            let mut pts: Vec<(Decimal, Decimal)> = points
                .iter()
                .map(|(x, s, y)| (Decimal::new(*x, *s), Decimal::new(*y, 2)))
                .collect();
            pts.sort_by_key(|p| p.0);
            pts.dedup_by_key(|p| p.0);
            let d = Dimension {
                name: "d".into(),
                metric: 0,
                weight: Decimal::ONE,
                curve: if linear { Curve::Linear(pts) } else { Curve::Steps(pts) },
                unit: DateUnit::Years,
            };
            let fast = FastCurve::of(&d, 2).unwrap();
            let v = Decimal::new(m, scale);
            let want = fast.score(x_of(v).unwrap());
            prop_assert_eq!(decimal_on(&LaneCurves::of(&fast), v).map(i128::from), want);
        }
    }
}
