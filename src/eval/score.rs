//! Dimension scores and the composite score (spec section 3).

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::decimal;
use crate::error::EvalErrorKind;
use crate::model::{Compiled, Curve, DateUnit, Dimension, Score, Value};

/// Rounds half away from zero to `dp` decimals, and writes exactly `dp` decimals
/// (`55` becomes `55.00` at precision 2).
pub(crate) fn round(v: Decimal, dp: u32) -> Decimal {
    let mut r = if v.scale() <= dp {
        v
    } else if let Some(r) = decimal::round(v, dp) {
        r
    } else {
        v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
    };
    if r.scale() != dp {
        r.rescale(dp);
    }
    r
}

/// Whole years from `start` to `as_of`: a year is complete when the as-of (month, day) is
/// at or after the start (month, day).
pub(crate) fn whole_years(start: NaiveDate, as_of: NaiveDate) -> i64 {
    let mut years = i64::from(as_of.year()) - i64::from(start.year());
    if (as_of.month(), as_of.day()) < (start.month(), start.day()) {
        years -= 1;
    }
    years
}

/// Scores `x` on a linear or step curve, exactly. `slopes` holds each linear segment's
/// `dy / dx` where that is an exact decimal (a multiplication then replaces a division);
/// other segments give their score already rounded to `dp` decimals, computed exactly.
pub(crate) fn curve_score(
    curve: &Curve,
    slopes: &[Option<Decimal>],
    x: Decimal,
    dp: u32,
) -> Option<Decimal> {
    match curve {
        Curve::Linear(points) => {
            let (&(x0, y0), &(xn, yn)) = (points.first()?, points.last()?);
            if decimal::cmp(x, x0).is_le() {
                return Some(y0);
            }
            if decimal::cmp(x, xn).is_ge() {
                return Some(yn);
            }
            for (i, w) in points.windows(2).enumerate() {
                if let [(xa, ya), (xb, yb)] = *w {
                    if decimal::cmp(x, xb).is_lt() {
                        let dx = x.checked_sub(xa)?;
                        if let Some(Some(slope)) = slopes.get(i) {
                            return ya.checked_add(dx.checked_mul(*slope)?);
                        }
                        // ya + (x - xa) * (yb - ya) / (xb - xa): the exact quotient, rounded
                        let num = dx.checked_mul(yb.checked_sub(ya)?)?;
                        let den = xb.checked_sub(xa)?;
                        return decimal::add_quotient_rounded(ya, num, den, dp)
                            .or_else(|| ya.checked_add(num.checked_div(den)?));
                    }
                }
            }
            Some(yn)
        }
        Curve::Steps(points) => {
            let mut y = points.first()?.1;
            for &(px, py) in points {
                if decimal::cmp(px, x).is_le() {
                    y = py;
                } else {
                    break;
                }
            }
            Some(y)
        }
        Curve::Map(scores) => {
            let i = usize::try_from(x.trunc().mantissa()).ok()?;
            scores.get(i).copied()
        }
    }
}

/// What a dimension measured: the number fed to its curve, or nothing for an absent metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Measure {
    /// A number (a decimal or integer value, or whole years or days of a date).
    Number(Decimal),
    /// An enum or bool value, scored by the map.
    Mapped,
    /// The metric is absent and the policy scores it 0.
    Missing,
}

/// Scores one dimension, rounded to the policy's precision.
pub(crate) fn dimension(
    p: &Compiled,
    d: &Dimension,
    slopes: &[Option<Decimal>],
    value: Option<Value>,
    as_of: NaiveDate,
) -> Result<(Decimal, Measure), EvalErrorKind> {
    let metric = || {
        p.metrics
            .get(usize::from(d.metric))
            .map(|m| m.name.clone())
            .unwrap_or_default()
    };
    let overflow = || EvalErrorKind::Overflow { metric: metric() };
    let Some(value) = value else {
        if p.missing_zero {
            // 0 written with the policy's decimals, like every other dimension score
            return Ok((round(Decimal::ZERO, p.precision), Measure::Missing));
        }
        return Err(EvalErrorKind::Missing {
            metric: metric(),
            dimension: d.name.clone(),
        });
    };
    let (x, measure) = match value {
        Value::Decimal(v) => (v, Measure::Number(v)),
        Value::Integer(i) => (Decimal::from(i), Measure::Number(Decimal::from(i))),
        Value::Date(start) => {
            if start > as_of {
                return Err(EvalErrorKind::FutureDate {
                    metric: metric(),
                    date: start,
                    as_of,
                });
            }
            let n = match d.unit {
                DateUnit::Years => whole_years(start, as_of),
                DateUnit::Days => (as_of - start).num_days(),
            };
            (Decimal::from(n), Measure::Number(Decimal::from(n)))
        }
        Value::Enum(i) => (Decimal::from(i), Measure::Mapped),
        Value::Bool(b) => (Decimal::from(u8::from(b)), Measure::Mapped),
    };
    let score = curve_score(&d.curve, slopes, x, p.precision).ok_or_else(overflow)?;
    Ok((round(score, p.precision), measure))
}

/// The composite: sum(weight * dimension score) / sum(weight), rounded.
pub(crate) fn composite(p: &Compiled, scores: &[Score]) -> Option<Decimal> {
    if let Some(shares) = &p.prepared.shares {
        // every weight / total is exact: sum(share * score) is the same number, no division
        let mut sum = Decimal::ZERO;
        for (share, s) in shares.iter().zip(scores) {
            sum = sum.checked_add(share.checked_mul(s.0)?)?;
        }
        return Some(round(sum, p.precision));
    }
    let mut sum = Decimal::ZERO;
    for (d, s) in p.dimensions.iter().zip(scores) {
        sum = sum.checked_add(d.weight.checked_mul(s.0)?)?;
    }
    Some(round(sum.checked_div(p.total_weight)?, p.precision))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    #[test]
    fn whole_years_follow_the_leap_day_rule() {
        assert_eq!(whole_years(date("2024-02-29"), date("2026-03-01")), 2);
        assert_eq!(whole_years(date("2024-02-29"), date("2026-02-28")), 1);
        assert_eq!(whole_years(date("2020-06-30"), date("2026-06-30")), 6);
        assert_eq!(whole_years(date("2020-07-01"), date("2026-06-30")), 5);
        assert_eq!(whole_years(date("2026-06-30"), date("2026-06-30")), 0);
    }

    #[test]
    fn linear_interpolates_and_clamps() {
        let c = Curve::Linear(vec![
            (d("0"), d("0")),
            (d("500"), d("40")),
            (d("2000"), d("70")),
        ]);
        assert_eq!(curve_score(&c, &[], d("-5"), 6), Some(d("0")));
        assert_eq!(curve_score(&c, &[], d("250"), 6), Some(d("20")));
        assert_eq!(curve_score(&c, &[], d("1250"), 6), Some(d("55")));
        assert_eq!(curve_score(&c, &[], d("500"), 6), Some(d("40")));
        assert_eq!(curve_score(&c, &[], d("99999"), 6), Some(d("70")));
        // an exact precomputed slope gives the same numbers as multiply-then-divide
        let slopes = [Some(d("0.08")), Some(d("0.02"))];
        for x in ["0", "1", "250", "499.99", "777.777", "1999.5"] {
            assert_eq!(
                curve_score(&c, &slopes, d(x), 6),
                curve_score(&c, &[], d(x), 6),
                "{x}"
            );
        }
        let one = Curve::Linear(vec![(d("10"), d("30"))]);
        assert_eq!(curve_score(&one, &[], d("0"), 6), Some(d("30")));
        assert_eq!(curve_score(&one, &[], d("20"), 6), Some(d("30")));
    }

    #[test]
    fn steps_take_the_greatest_x_at_or_below() {
        let c = Curve::Steps(vec![
            (d("1"), d("30")),
            (d("3"), d("60")),
            (d("5"), d("80")),
        ]);
        assert_eq!(curve_score(&c, &[], d("0"), 6), Some(d("30")));
        assert_eq!(curve_score(&c, &[], d("1"), 6), Some(d("30")));
        assert_eq!(curve_score(&c, &[], d("2.9"), 6), Some(d("30")));
        assert_eq!(curve_score(&c, &[], d("3"), 6), Some(d("60")));
        assert_eq!(curve_score(&c, &[], d("100"), 6), Some(d("80")));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round(d("2.345"), 2), d("2.35"));
        assert_eq!(round(d("2.335"), 2), d("2.34"));
        assert_eq!(round(d("-2.345"), 2), d("-2.35"));
        assert_eq!(round(d("0.5"), 0), d("1"));
        assert_eq!(round(d("33.3333333"), 2), d("33.33"));
        assert_eq!(round(d("55"), 2).to_string(), "55.00");
        assert_eq!(round(d("63.0"), 2).to_string(), "63.00");
        assert_eq!(round(d("7.5"), 0).to_string(), "8");
        // the integer fast path agrees with the general routine
        for (v, dp) in [
            ("51.875", 2),
            ("-51.875", 2),
            ("0.005", 2),
            ("-0.004", 2),
            ("99.9999995", 6),
            ("12.5", 0),
            ("-12.5", 0),
            ("7.4999", 3),
        ] {
            let general = d(v).round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
            assert_eq!(round(d(v), dp), general, "{v}");
        }
    }
}
