//! Writing decimals as text without `rust_decimal`'s general formatter, for the numbers
//! written once per customer (scores): the same text, a few times faster.

use std::fmt;

use rust_decimal::Decimal;

/// The powers of ten a `u64` holds, by exponent.
#[rustfmt::skip]
const POW10: [u64; 20] = [
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
    1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000,
    10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
    10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
];

/// `00` to `99`, two bytes each.
const PAIRS: &[u8; 200] = b"\
00010203040506070809101112131415161718192021222324\
25262728293031323334353637383940414243444546474849\
50515253545556575859606162636465666768697071727374\
75767778798081828384858687888990919293949596979899";

/// The text of a decimal as its `Display` writes it (`75.00`, `-0.05`, `12`), from the
/// start of a buffer of its own: the sign, the digits of the mantissa, the point `scale`
/// digits from the end. Starting at the front, the whole buffer is copied (a few fixed
/// stores, no call to copy a slice of unknown length) and the rest cut off.
pub(crate) struct Text {
    // at most a sign, 29 digits (a scale of 28 and the zero before the point) and a point
    buf: [u8; 32],
    len: usize,
}

impl Text {
    /// The text of `d`, or `None` for what only the general formatter writes (a mantissa
    /// beyond `u64`, a negative zero).
    #[inline]
    pub(crate) fn of(d: Decimal) -> Option<Text> {
        let m = d.mantissa();
        let u = u64::try_from(m.unsigned_abs()).ok()?;
        if u == 0 && d.is_sign_negative() {
            return None;
        }
        let scale = d.scale() as usize;
        let negative = m < 0;
        // the digits written: all of the mantissa's, and at least one before the point
        let mut digits = 1;
        while POW10.get(digits).is_some_and(|&p| u >= p) {
            digits += 1;
        }
        let digits = digits.max(scale + 1);
        let len = usize::from(negative) + digits + usize::from(scale > 0);
        let mut text = Text {
            buf: [b'0'; 32],
            len,
        };
        // backwards from the end: the digits after the point, two at a time, the point,
        // the digits before it (the zeros that lead a fraction are there already)
        let mut at = len;
        let mut u = u;
        let mut left = scale;
        while left >= 2 {
            at = at.saturating_sub(2);
            // u % 100 < 100
            text.pair(at, (u % 100) as usize);
            u /= 100;
            left -= 2;
        }
        if left == 1 {
            at = at.saturating_sub(1);
            // u % 10 < 10
            text.set(at, b'0' + (u % 10) as u8);
            u /= 10;
        }
        if scale > 0 {
            at = at.saturating_sub(1);
            text.set(at, b'.');
        }
        loop {
            if u >= 10 {
                at = at.saturating_sub(2);
                // u % 100 < 100
                text.pair(at, (u % 100) as usize);
                u /= 100;
                if u == 0 {
                    break;
                }
            } else {
                at = at.saturating_sub(1);
                // u < 10
                text.set(at, b'0' + u as u8);
                break;
            }
        }
        if negative {
            text.set(0, b'-');
        }
        Some(text)
    }

    /// Writes `b` at `at`.
    #[inline]
    fn set(&mut self, at: usize, b: u8) {
        if let Some(slot) = self.buf.get_mut(at) {
            *slot = b;
        }
    }

    /// Writes the two digits of `n` (below 100) at `at`.
    #[inline]
    fn pair(&mut self, at: usize, n: usize) {
        if let (Some(to), Some(digits)) =
            (self.buf.get_mut(at..at + 2), PAIRS.get(n * 2..n * 2 + 2))
        {
            to.copy_from_slice(digits);
        }
    }

    /// The text's bytes: ASCII digits, a point and a sign.
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Appends the text to `out`: the whole buffer, then cut to the text.
    #[inline]
    fn append_to(&self, out: &mut Vec<u8>) {
        let end = out.len() + self.len;
        out.extend_from_slice(&self.buf);
        out.truncate(end);
    }
}

/// Writes `d` as its `Display` does (`75.00`, `-0.05`, `12`).
pub(crate) fn write(d: Decimal, out: &mut impl fmt::Write) -> fmt::Result {
    match Text::of(d) {
        // only ASCII was written
        Some(text) => out.write_str(std::str::from_utf8(text.as_bytes()).unwrap_or("")),
        None => write!(out, "{d}"),
    }
}

/// Appends `d` to `out` as its `Display` writes it.
#[inline]
pub(crate) fn append(d: Decimal, out: &mut Vec<u8>) {
    if append_hundredths(d, out) {
        return;
    }
    match Text::of(d) {
        Some(text) => text.append_to(out),
        None => out.extend_from_slice(d.to_string().as_bytes()),
    }
}

/// Appends `d` when it is what scores at the default precision are, hundredths from `0.00`
/// to `999.99`, in a few instructions: one to three digits, the point, two digits, built in
/// eight bytes and copied whole. False (nothing written) for any other decimal.
#[inline]
fn append_hundredths(d: Decimal, out: &mut Vec<u8>) -> bool {
    if d.scale() != 2 || d.is_sign_negative() {
        return false;
    }
    let Ok(u) = u32::try_from(d.mantissa()) else {
        return false;
    };
    if u >= 100_000 {
        return false;
    }
    let (whole, fraction) = (u / 100, (u % 100) as usize);
    let (Some(&f0), Some(&f1)) = (PAIRS.get(fraction * 2), PAIRS.get(fraction * 2 + 1)) else {
        return false;
    };
    // whole < 1000: each digit below 10
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let (bytes, len) = if whole >= 100 {
        let (h, t, o) = (digit(whole / 100), digit(whole / 10), digit(whole));
        ([h, t, o, b'.', f0, f1, 0, 0], 6)
    } else if whole >= 10 {
        ([digit(whole / 10), digit(whole), b'.', f0, f1, 0, 0, 0], 5)
    } else {
        ([digit(whole), b'.', f0, f1, 0, 0, 0, 0], 4)
    };
    let end = out.len() + len;
    out.extend_from_slice(&bytes);
    out.truncate(end);
    true
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    proptest! {
        #[test]
        fn writes_what_display_writes(
            m in any::<i64>(),
            wide in any::<u64>(),
            small in 0u64..100_000,
            negative in any::<bool>(),
            kind in 0u8..4,
            scale in 0u32..=28,
        ) {
            // mantissas in i64, past it up to u64::MAX (the last the short text takes),
            // beyond u64 (the general formatter), and small ones (scores)
            let sign = if negative { -1 } else { 1 };
            let d = match kind {
                0 => Decimal::new(m, scale),
                1 => Decimal::from_i128_with_scale(sign * i128::from(wide), scale),
                2 => Decimal::from_i128_with_scale(i128::from(m) * 1_000_000, scale),
                _ => Decimal::from_i128_with_scale(sign * i128::from(small), scale),
            };
            let mut s = String::new();
            super::write(d, &mut s).ok();
            prop_assert_eq!(&s, &d.to_string());
            let mut bytes = b"before ".to_vec();
            super::append(d, &mut bytes);
            prop_assert_eq!(bytes, format!("before {d}").into_bytes());
        }
    }

    #[test]
    fn small_cases() {
        for (m, s, text) in [
            (7500, 2, "75.00"),
            (-5, 2, "-0.05"),
            (12, 0, "12"),
            (0, 2, "0.00"),
            (0, 0, "0"),
            (10000, 2, "100.00"),
            (99999, 2, "999.99"),
            (100_000, 2, "1000.00"),
            (7, 2, "0.07"),
            (1234, 2, "12.34"),
            (-1234, 2, "-12.34"),
            (5, 28, "0.0000000000000000000000000005"),
            (-1, 1, "-0.1"),
        ] {
            let mut out = String::new();
            super::write(Decimal::new(m, s), &mut out).ok();
            assert_eq!(out, text);
            let mut bytes = b"x".to_vec();
            super::append(Decimal::new(m, s), &mut bytes);
            assert_eq!(bytes, format!("x{text}").into_bytes());
        }
        let mut out = String::new();
        super::write(-Decimal::new(0, 2), &mut out).ok();
        assert_eq!(out, (-Decimal::new(0, 2)).to_string());
        let mut bytes = Vec::new();
        super::append(-Decimal::new(0, 2), &mut bytes);
        assert_eq!(bytes, b"-0.00");
        let max = Decimal::from_i128_with_scale(-i128::from(u64::MAX), 28);
        let mut bytes = Vec::new();
        super::append(max, &mut bytes);
        assert_eq!(bytes, max.to_string().into_bytes());
    }
}
