//! Integer curves and weights at a chosen scale, in 64-bit integers: the curves of
//! [`crate::model::fast`] with their x points at the scale a value needs.
//!
//! The prepared curves keep every x point at [`X_SCALE`] (twelve decimals), so that any
//! metric value fits. Most values need far fewer: a TEU count with one decimal scored on
//! a curve of whole points needs one decimal, not twelve, and at one decimal a segment's
//! product and quotient fit in 64 bits and cost a few instructions, where at twelve they
//! overflow into 128-bit arithmetic and a call into the runtime for each division.
//! Scaling the x of a point and of the value by the same power of ten changes no score: a
//! segment scores `ya + round_half_up(dx * dy / DX)`, and `dx / DX` is the same at any
//! scale. Each dimension keeps its curve at every scale from the one its points need to
//! [`X_SCALE`] ([`LaneCurves`]); a record's value picks the one of its own scale, and a
//! table's column the one of the column's.

use super::fast::{pow10, X_SCALE};
use super::{Divisor, FastCurve, FastWeights};

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
    pub(crate) xa: i64,
    pub(crate) xb: i64,
    pub(crate) ya: i64,
    /// `2 * (yb - ya)`.
    pub(crate) two_dy: i64,
    /// `xb - xa`.
    pub(crate) dx: i64,
    /// `2 * (xb - xa)`.
    pub(crate) two_dx: Divisor,
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
                                two_dx: Divisor::new(dx.checked_mul(2)?)?,
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
}

/// The weights of the composite, each below 2^31, so that the weighted sum of up to
/// eight 64-bit dimension scores cannot overflow 128 bits.
#[derive(Debug, Clone)]
pub(crate) struct LaneWeights {
    pub(crate) weights: Box<[i64]>,
    /// `2 * sum(weights)`.
    pub(crate) two_total: Divisor,
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
            two_total: w.two_total,
            total: w.total,
        })
    }
}

/// A dimension's curve at every scale a value may take: the scale its points need, and
/// each scale above it up to [`X_SCALE`] (`None` where a point does not fit in 64 bits).
#[derive(Debug, Clone)]
pub(crate) struct LaneCurves {
    /// The decimals the points need.
    pub(crate) need: u32,
    /// `by_scale[t - need]`: the curve with x at `t` decimals.
    by_scale: Box<[Option<LaneCurve>]>,
}

impl LaneCurves {
    pub(crate) fn of(c: &FastCurve) -> LaneCurves {
        let need = LaneCurve::scale_needed(c);
        LaneCurves {
            need,
            by_scale: (need..=X_SCALE).map(|t| LaneCurve::at(c, t)).collect(),
        }
    }

    /// The curve with x at `scale` decimals (at least [`need`](Self::need)).
    #[inline]
    pub(crate) fn at(&self, scale: u32) -> Option<&LaneCurve> {
        let i = usize::try_from(scale.checked_sub(self.need)?).ok()?;
        self.by_scale.get(i)?.as_ref()
    }
}
