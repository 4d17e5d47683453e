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

use super::{Curve, Dimension, Divisor};

/// The scale of metric values and curve x points.
pub(crate) const X_SCALE: u32 = 12;

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

/// 10^k in 64 bits, for k up to 18.
#[inline]
pub(crate) fn pow10_64(k: u32) -> Option<i64> {
    i64::try_from(pow10(k)?).ok()
}

/// `a * b`, `None` on overflow. Factors that fit in 64 bits (nearly all of them) are
/// multiplied without the overflow check of a full 128-bit product, which is a call into
/// the runtime rather than a few instructions.
#[inline]
pub(crate) fn mul(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        // |a * b| < 2^126: no overflow
        (Ok(x), Ok(y)) => Some(i128::from(x) * i128::from(y)),
        _ => a.checked_mul(b),
    }
}

/// `floor(a / b)` for `b > 0`, by a 64-bit division where both fit (a 128-bit one is a call
/// into the runtime).
#[inline]
pub(crate) fn div_floor(a: i128, b: i128) -> i128 {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) if y > 0 => i128::from(x.div_euclid(y)),
        _ => a.div_euclid(b),
    }
}

/// `v` as an integer at `scale` decimals, if exact and in range.
pub(crate) fn at_scale(v: Decimal, scale: u32) -> Option<i128> {
    let k = scale.checked_sub(v.scale())?;
    mul(v.mantissa(), pow10(k)?)
}

/// A metric value as a fixed-point integer at [`X_SCALE`].
#[inline]
pub(crate) fn x_of(v: Decimal) -> Option<i128> {
    at_scale(v, X_SCALE)
}

/// A whole number as a fixed-point integer at [`X_SCALE`].
#[inline]
pub(crate) fn x_of_int(n: i64) -> Option<i128> {
    mul(i128::from(n), pow10(X_SCALE)?)
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
}

/// Integer weights (all scaled by the same power of ten) and their sum.
#[derive(Debug, Clone)]
pub(crate) struct FastWeights {
    pub(crate) weights: Box<[i128]>,
    pub(crate) total: i128,
    /// `2 * total`.
    pub(crate) two_total: Divisor,
}

impl FastWeights {
    /// The integer form of the weights, if every weight fits.
    pub(crate) fn of(dimensions: &[Dimension]) -> Option<FastWeights> {
        let scale = dimensions.iter().map(|d| d.weight.scale()).max()?;
        let weights: Box<[i128]> = dimensions
            .iter()
            .map(|d| at_scale(d.weight, scale))
            .collect::<Option<_>>()?;
        let total = weights.iter().try_fold(0i128, |a, w| a.checked_add(*w))?;
        let two_total = Divisor::new(i64::try_from(total.checked_mul(2)?).ok()?)?;
        Some(FastWeights {
            weights,
            total,
            two_total,
        })
    }
}
