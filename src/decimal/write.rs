//! Writing decimals as text without `rust_decimal`'s general formatter, for the numbers
//! written once per customer (scores): the same text, a few times faster.

use std::fmt;

use rust_decimal::Decimal;

/// The text of a decimal as its `Display` writes it (`75.00`, `-0.05`, `12`), in a buffer
/// of its own: digits of the mantissa, the point `scale` digits from the end.
pub(crate) struct Text {
    // at most 20 digits of a u64, at most 28 of scale, a point and a sign: 52 bytes
    buf: [u8; 52],
    start: usize,
}

impl Text {
    /// The text of `d`, or `None` for what only the general formatter writes (a mantissa
    /// beyond `i64`, a negative zero): the digits written backwards, the point `scale`
    /// digits from the end.
    #[inline]
    pub(crate) fn of(d: Decimal) -> Option<Text> {
        let m = i64::try_from(d.mantissa()).ok()?;
        if m == 0 && d.is_sign_negative() {
            return None;
        }
        let scale = d.scale() as usize;
        let mut u = m.unsigned_abs();
        let mut buf = [0u8; 52];
        let mut at = buf.len();
        let mut put = |b: u8| {
            at -= 1;
            if let Some(slot) = buf.get_mut(at) {
                *slot = b;
            }
        };
        if scale > 0 {
            for _ in 0..scale {
                // u % 10 < 10
                put(b'0' + (u % 10) as u8);
                u /= 10;
            }
            put(b'.');
        }
        loop {
            put(b'0' + (u % 10) as u8);
            u /= 10;
            if u == 0 {
                break;
            }
        }
        if m < 0 {
            put(b'-');
        }
        Some(Text { buf, start: at })
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
    match Text::of(d) {
        Some(text) => out.extend_from_slice(text.as_bytes()),
        None => out.extend_from_slice(d.to_string().as_bytes()),
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
