//! Writing decimals as text without `rust_decimal`'s general formatter, for the numbers
//! written once per customer (scores): the same text, a few times faster.

use std::fmt;

use rust_decimal::Decimal;

/// Writes `d` as its `Display` does (`75.00`, `-0.05`, `12`): digits of the mantissa, the
/// point `scale` digits from the end.
pub(crate) fn write(d: Decimal, out: &mut impl fmt::Write) -> fmt::Result {
    let m = d.mantissa();
    let Ok(m) = i64::try_from(m) else {
        return write!(out, "{d}");
    };
    if m == 0 && d.is_sign_negative() {
        return write!(out, "{d}");
    }
    let scale = d.scale() as usize;
    let mut u = m.unsigned_abs();
    // at most 20 digits of a u64, at most 28 of scale: 48 bytes hold both and a point
    let mut buf = [0u8; 52];
    let mut at = buf.len();
    let mut written = 0usize;
    while u > 0 || written <= scale {
        if written == scale && scale > 0 {
            at -= 1;
            if let Some(b) = buf.get_mut(at) {
                *b = b'.';
            }
        }
        at -= 1;
        if let Some(b) = buf.get_mut(at) {
            // u % 10 < 10
            *b = b'0' + (u % 10) as u8;
        }
        u /= 10;
        written += 1;
    }
    if m < 0 {
        out.write_char('-')?;
    }
    // only ASCII digits and a point were written
    out.write_str(std::str::from_utf8(buf.get(at..).unwrap_or(&[])).unwrap_or(""))
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
            prop_assert_eq!(s, d.to_string());
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
    }
}
