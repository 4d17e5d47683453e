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

/// The text of a decimal as its `Display` writes it (`75.00`, `-0.05`, `12`), in a buffer
/// of its own: digits of the mantissa, the point `scale` digits from the end.
pub(crate) struct Text {
    // at most 20 digits of a u64, at most 28 of scale, a point and a sign: 52 bytes
    buf: [u8; 52],
    start: usize,
}

impl Text {
    /// The text of `d`, or `None` for what only the general formatter writes (a mantissa
    /// beyond `i64`, a negative zero).
    #[inline]
    pub(crate) fn of(d: Decimal) -> Option<Text> {
        let mut text = Text {
            buf: [0u8; 52],
            start: 52,
        };
        text.fill(d).then_some(text)
    }

    /// Writes the text of `d`, the digits backwards, two at a time, the `scale` digits
    /// after the point first; false (and nothing written) for what only the general
    /// formatter writes.
    #[inline]
    fn fill(&mut self, d: Decimal) -> bool {
        let Ok(m) = i64::try_from(d.mantissa()) else {
            return false;
        };
        if m == 0 && d.is_sign_negative() {
            return false;
        }
        let scale = d.scale() as usize;
        let u = m.unsigned_abs();
        // the common scales divide by constants (a multiplication, not a division)
        let split = match scale {
            0 => Some((u, 0)),
            1 => Some((u / 10, u % 10)),
            2 => Some((u / 100, u % 100)),
            3 => Some((u / 1000, u % 1000)),
            4 => Some((u / 10_000, u % 10_000)),
            _ => POW10.get(scale).map(|&p| (u / p, u % p)),
        };
        let whole = match split {
            Some((whole, fraction)) => {
                if scale > 0 {
                    self.digits(fraction, scale);
                    self.put(b'.');
                }
                whole
            }
            // a scale past 19 digits: the digits one by one, the point among them
            None => {
                let mut u = u;
                for _ in 0..scale {
                    // u % 10 < 10
                    self.put(b'0' + (u % 10) as u8);
                    u /= 10;
                }
                self.put(b'.');
                u
            }
        };
        self.digits(whole, 1);
        if m < 0 {
            self.put(b'-');
        }
        true
    }

    /// Puts `b` before the text.
    #[inline]
    fn put(&mut self, b: u8) {
        self.start = self.start.saturating_sub(1);
        if let Some(slot) = self.buf.get_mut(self.start) {
            *slot = b;
        }
    }

    /// Puts the digits of `u` before the text, two at a time, with leading zeros to at
    /// least `width` digits.
    #[inline]
    fn digits(&mut self, mut u: u64, width: usize) {
        let end = self.start;
        while u >= 100 {
            // u % 100 < 100
            let pair = (u % 100) as usize * 2;
            u /= 100;
            self.pair(pair);
        }
        if u >= 10 {
            self.pair(u as usize * 2);
        } else {
            self.put(b'0' + u as u8);
        }
        while end - self.start < width {
            self.put(b'0');
        }
    }

    /// Puts the two digits at `at` of [`PAIRS`] before the text.
    #[inline]
    fn pair(&mut self, at: usize) {
        let (Some(&hi), Some(&lo)) = (PAIRS.get(at), PAIRS.get(at + 1)) else {
            return;
        };
        self.put(lo);
        self.put(hi);
    }

    /// The text's bytes: ASCII digits, a point and a sign.
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or(&[])
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

/// Appends `d` to `out` as its `Display` writes it, copied once from its [`Text`].
#[inline]
pub(crate) fn append(d: Decimal, out: &mut Vec<u8>) {
    let mut text = Text {
        buf: [0u8; 52],
        start: 52,
    };
    if text.fill(d) {
        out.extend_from_slice(text.as_bytes());
    } else {
        out.extend_from_slice(d.to_string().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    proptest! {
        #[test]
        fn writes_what_display_writes(m in any::<i64>(), scale in 0u32..=28, big in any::<bool>()) {
            let d = if big {
                Decimal::from_i128_with_scale(i128::from(m) * 1_000_000, scale)
            } else {
                Decimal::new(m, scale)
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
        ] {
            let mut out = String::new();
            super::write(Decimal::new(m, s), &mut out).ok();
            assert_eq!(out, text);
        }
        let mut out = String::new();
        super::write(-Decimal::new(0, 2), &mut out).ok();
        assert_eq!(out, (-Decimal::new(0, 2)).to_string());
        let mut bytes = Vec::new();
        super::append(-Decimal::new(0, 2), &mut bytes);
        assert_eq!(bytes, b"-0.00");
    }
}
