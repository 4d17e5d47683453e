//! Exact decimal shortcuts for the hot path: the same results as `rust_decimal`'s general
//! routines, computed with one or two integer operations when the numbers are small enough,
//! and `None` (the caller then takes the general routine) when they are not.

use std::cmp::Ordering;

use rust_decimal::Decimal;

/// 10^k for k in 0..=38.
fn pow10(k: u32) -> Option<i128> {
    10i128.checked_pow(k)
}

/// Compares two decimals. Equal to `a.cmp(&b)`; faster when the scales differ, because the
/// mantissas are aligned with one multiplication instead of a general rescale.
#[inline]
pub(crate) fn cmp(a: Decimal, b: Decimal) -> Ordering {
    // against zero (the most common bound) the signs alone tell
    if a.is_zero() || b.is_zero() {
        let sign = |d: Decimal| match (d.is_zero(), d.is_sign_negative()) {
            (true, _) => 0i8,
            (false, true) => -1,
            (false, false) => 1,
        };
        return sign(a).cmp(&sign(b));
    }
    let (sa, sb) = (a.scale(), b.scale());
    if sa == sb {
        return a.mantissa().cmp(&b.mantissa());
    }
    let (ma, mb) = (a.mantissa(), b.mantissa());
    let aligned = if sa < sb {
        pow10(sb - sa)
            .and_then(|f| ma.checked_mul(f))
            .map(|x| x.cmp(&mb))
    } else {
        pow10(sa - sb)
            .and_then(|f| mb.checked_mul(f))
            .map(|x| ma.cmp(&x))
    };
    aligned.unwrap_or_else(|| a.cmp(&b))
}

/// Rounds half away from zero to `dp` decimals with one integer division; `None` when the
/// value has `dp` decimals or fewer already, or does not fit.
#[inline]
pub(crate) fn round(v: Decimal, dp: u32) -> Option<Decimal> {
    let s = v.scale();
    let k = s.checked_sub(dp).filter(|k| *k > 0)?;
    let m = v.mantissa();
    let f = pow10(k)?;
    let (q, r) = (m / f, m % f);
    let q = if r.unsigned_abs().checked_mul(2)? >= f.unsigned_abs() {
        q + m.signum()
    } else {
        q
    };
    Decimal::try_from_i128_with_scale(q, dp).ok()
}

/// `ya + num / den` rounded half up to `dp` decimals, exactly, with one integer division;
/// for results that are never negative (scores), where half up is half away from zero.
/// `None` when `ya` has more than `dp` decimals or the integers do not fit.
pub(crate) fn add_quotient_rounded(
    ya: Decimal,
    num: Decimal,
    den: Decimal,
    dp: u32,
) -> Option<Decimal> {
    if ya.scale() > dp || den <= Decimal::ZERO {
        return None;
    }
    // num / den = (n / 10^a) / (d / 10^b) = n * 10^b / (d * 10^a)
    let (n, a) = (num.mantissa(), num.scale());
    let (d, b) = (den.mantissa(), den.scale());
    let big_n = n.checked_mul(pow10(b.checked_add(dp)?)?)?;
    let big_d = d.checked_mul(pow10(a)?)?;
    // floor(N / D + 1/2) = floor((2N + D) / 2D)
    let q = big_n
        .checked_mul(2)?
        .checked_add(big_d)?
        .div_euclid(big_d.checked_mul(2)?);
    let t = Decimal::try_from_i128_with_scale(q, dp).ok()?;
    let mut y = ya;
    y.rescale(dp);
    y.checked_add(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::RoundingStrategy;

    fn dec() -> impl Strategy<Value = Decimal> {
        (any::<i64>(), 0u32..=12).prop_map(|(m, s)| Decimal::new(m, s))
    }

    proptest! {
        #[test]
        fn cmp_agrees_with_rust_decimal(a in dec(), b in dec()) {
            prop_assert_eq!(cmp(a, b), a.cmp(&b));
        }

        #[test]
        fn round_agrees_with_rust_decimal(v in dec(), dp in 0u32..=6) {
            let general = v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
            match round(v, dp) {
                Some(r) => prop_assert_eq!(r, general),
                None => prop_assert!(v.scale() <= dp),
            }
        }

        #[test]
        fn quotient_rounding_is_exact(
            ya in (0i64..=10_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
            num in (-1_000_000_000i64..=1_000_000_000, 0u32..=8).prop_map(|(m, s)| Decimal::new(m, s)),
            den in (1i64..=1_000_000_000, 0u32..=8).prop_map(|(m, s)| Decimal::new(m, s)),
            dp in 2u32..=6,
        ) {
            let exact = ya + num / den;
            prop_assume!(exact >= Decimal::ZERO);
            // the general route: a 28-digit quotient, then rounding; it can differ from the
            // exact result only when the quotient's 28 digits end in a run of 9s or 0s that
            // rounding at 28 digits moved across a half: such cases are excluded here
            let general = exact.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
            let fast = add_quotient_rounded(ya, num, den, dp).unwrap();
            // check exactness against integer arithmetic: fast - exact lies in (-1/2, 1/2] ulp
            let ulp = Decimal::new(1, dp);
            let diff = (fast - ya) * den - num; // = (fast - exact) * den
            prop_assert!(diff * Decimal::TWO <= ulp * den && diff * Decimal::TWO > -(ulp * den), "fast {fast} general {general}");
            prop_assert_eq!(fast.scale(), dp);
        }
    }

    #[test]
    fn halves_round_up_exactly() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // 40 + 5 * 40 / 7 = 68.571428... -> 68.57
        assert_eq!(
            add_quotient_rounded(d("40"), d("200"), d("7"), 2),
            Some(d("68.57"))
        );
        // 1 + 1/8 = 1.125 -> 1.13 (half up)
        assert_eq!(
            add_quotient_rounded(d("1"), d("1"), d("8"), 2),
            Some(d("1.13"))
        );
        // 2 - 1.005 = 0.995 -> 1.00 (the total's sign decides, and it is positive)
        assert_eq!(
            add_quotient_rounded(d("2"), d("-1.005"), d("1"), 2),
            Some(d("1.00"))
        );
        assert_eq!(round(d("51.875"), 2), Some(d("51.88")));
        assert_eq!(
            round(d("65.714285714285714285714285714"), 2),
            Some(d("65.71"))
        );
        assert_eq!(round(d("51.8"), 2), None);
        assert_eq!(cmp(d("9.5"), d("8")), Ordering::Greater);
        assert_eq!(cmp(d("8.00"), d("8")), Ordering::Equal);
    }
}
