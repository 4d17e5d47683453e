//! Division by a number fixed at compile time, as a multiplication and a shift.
//!
//! Every linear segment of a curve divides by `2 * (xb - xa)` and the composite by twice
//! the sum of the weights: numbers of the policy, known long before the first customer.
//! A hardware division takes a dozen cycles or more and does not pipeline well, so each
//! of them is prepared once as a reciprocal ([`Divisor::new`]) and a row pays one
//! 64 x 64 -> 128-bit multiplication and a shift instead.
//!
//! The reciprocal is the rounded-up one, `m = ceil(2^k / d)` with `k = 63 + ceil(log2 d)`.
//! It is exact for every numerator `0 <= n < 2^63`: with `e = m d - 2^k` (so `0 <= e < d
//! <= 2^(k - 63)`), `n m / 2^k = n / d + n e / (d 2^k)`, and the second term is below
//! `1 / d` because `n e < 2^63 2^(k - 63) = 2^k`; a fraction below `1 / d` added to `n / d`
//! never reaches the next integer. A negative numerator takes the hardware division.

/// A positive 64-bit divisor with its reciprocal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Divisor {
    d: i64,
    /// `ceil(2^shift / d)`, below 2^64.
    m: u64,
    /// `63 + ceil(log2 d)`: 63 to 126.
    shift: u32,
}

impl Divisor {
    /// The divisor `d`, `None` unless `d > 0`.
    pub(crate) fn new(d: i64) -> Option<Divisor> {
        let du = u64::try_from(d).ok().filter(|d| *d > 0)?;
        // ceil(log2 d): 0 for 1
        let log = u64::BITS - (du - 1).leading_zeros();
        let shift = 63 + log;
        let pow = 1u128.checked_shl(shift)?;
        let m = u64::try_from(pow.div_ceil(u128::from(du))).ok()?;
        Some(Divisor { d, m, shift })
    }

    /// `floor(n / d)`.
    #[inline]
    pub(crate) fn div_floor(self, n: i64) -> i64 {
        match u64::try_from(n) {
            Ok(u) => {
                let q = (u128::from(u) * u128::from(self.m)) >> self.shift;
                // q <= n < 2^63
                i64::try_from(q).unwrap_or(i64::MAX)
            }
            Err(_) => n.div_euclid(self.d),
        }
    }

    /// `floor(n / d)` of a 128-bit numerator: the reciprocal when it fits in 64 bits.
    #[inline]
    pub(crate) fn div_floor_wide(self, n: i128) -> i128 {
        match i64::try_from(n) {
            Ok(n) => i128::from(self.div_floor(n)),
            Err(_) => n.div_euclid(i128::from(self.d)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Divisor;
    use proptest::prelude::*;

    fn check(d: i64, n: i64) {
        let div = Divisor::new(d).unwrap_or_else(|| panic!("no divisor {d}"));
        assert_eq!(div.div_floor(n), n.div_euclid(d), "{n} / {d}");
        let wide = i128::from(n) * 3;
        assert_eq!(
            div.div_floor_wide(wide),
            wide.div_euclid(i128::from(d)),
            "{wide} / {d}"
        );
    }

    #[test]
    fn no_divisor_of_zero_or_less() {
        assert_eq!(Divisor::new(0), None);
        assert_eq!(Divisor::new(-3), None);
        assert_eq!(Divisor::new(i64::MIN), None);
    }

    #[test]
    fn the_edges_divide_exactly() {
        let ds = [
            1,
            2,
            3,
            7,
            10,
            200,
            1 << 31,
            (1 << 32) + 1,
            i64::MAX - 1,
            i64::MAX,
        ];
        let ns = [
            0,
            1,
            2,
            9,
            99,
            1 << 40,
            i64::MAX - 1,
            i64::MAX,
            -1,
            -7,
            i64::MIN,
        ];
        for d in ds {
            // around every power of two, where the shift changes
            for p in 0..63 {
                for dd in [(1i64 << p) - 1, 1i64 << p, (1i64 << p) + 1] {
                    if dd > 0 {
                        for n in ns {
                            check(dd, n);
                        }
                    }
                }
            }
            for n in ns {
                check(d, n);
                // multiples of d and their neighbours, where a quotient steps
                for k in [1i64, 2, 3, 1000, i64::MAX / d] {
                    if let Some(x) = d.checked_mul(k) {
                        for n in [x - 1, x, x.saturating_add(1)] {
                            check(d, n);
                        }
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn reciprocals_divide_as_the_hardware(d in 1i64..=i64::MAX, n in any::<i64>()) {
            check(d, n);
        }

        #[test]
        fn small_divisors_of_large_numbers(d in 1i64..100_000, n in (i64::MAX / 2)..=i64::MAX) {
            check(d, n);
            check(d, n - n % d);
            check(d, n - n % d - 1);
        }
    }
}
