//! Decimal numbers written as text, read exactly.

use rust_decimal::Decimal;

/// Why a number literal is not an exact decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// `inf` or `nan`.
    NotFinite,
    /// More than 28 significant digits, or beyond the decimal range.
    TooLarge,
    /// More digits after the point than can be kept exactly.
    TooPrecise,
    /// Not a number at all.
    Malformed,
}

/// Parses a decimal number written as text (`72.5`, `-4`, `1_000`, `1.5e3`) exactly.
///
/// Never rounds: a literal that does not fit a 96-bit decimal with at most 28 digits after
/// the point is an error.
pub(crate) fn parse_decimal(text: &str) -> Result<Decimal, NumberError> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let t = cleaned.trim();
    let lower = t.to_ascii_lowercase();
    if lower.contains("inf") || lower.contains("nan") {
        return Err(NumberError::NotFinite);
    }
    let body = t.strip_prefix('+').unwrap_or(t);
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+'))
    {
        return Err(NumberError::Malformed);
    }
    if lower.contains('e') {
        let (mantissa, exp) = lower.split_once('e').ok_or(NumberError::Malformed)?;
        let exp: i64 = exp.parse().map_err(|_| NumberError::Malformed)?;
        let m = parse_plain(mantissa.strip_prefix('+').unwrap_or(mantissa))?;
        return scale_by_pow10(m, exp);
    }
    parse_plain(body)
}

fn parse_plain(t: &str) -> Result<Decimal, NumberError> {
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    if digits == 0 || t.matches('.').count() > 1 || t.rfind('-').is_some_and(|i| i > 0) {
        return Err(NumberError::Malformed);
    }
    Decimal::from_str_exact(t).map_err(|e| {
        let msg = e.to_string();
        if msg.contains("precision") || msg.contains("underflow") || msg.contains("fractional") {
            NumberError::TooPrecise
        } else if msg.contains("large") || msg.contains("overflow") {
            NumberError::TooLarge
        } else {
            // from_str_exact refuses anything it would round: say so plainly
            let int_digits = t
                .split('.')
                .next()
                .map_or(0, |p| p.chars().filter(char::is_ascii_digit).count());
            if int_digits > 28 {
                NumberError::TooLarge
            } else {
                NumberError::TooPrecise
            }
        }
    })
}

fn scale_by_pow10(m: Decimal, exp: i64) -> Result<Decimal, NumberError> {
    let mut v = m;
    if exp >= 0 {
        for _ in 0..exp.min(64) {
            v = v.checked_mul(Decimal::TEN).ok_or(NumberError::TooLarge)?;
        }
        if exp > 64 {
            return Err(NumberError::TooLarge);
        }
        Ok(v)
    } else {
        let e = exp.unsigned_abs();
        let scale = u64::from(v.scale()).saturating_add(e);
        if scale > 28 {
            return Err(NumberError::TooPrecise);
        }
        let mut r = v;
        // set_scale keeps the mantissa and moves the point left: exact
        r.set_scale(u32::try_from(scale).map_err(|_| NumberError::TooPrecise)?)
            .map_err(|_| NumberError::TooPrecise)?;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("72.5"), Ok(d("72.5")));
        assert_eq!(parse_decimal("-4.5"), Ok(d("-4.5")));
        assert_eq!(parse_decimal("+3"), Ok(d("3")));
        assert_eq!(parse_decimal("1_000.25"), Ok(d("1000.25")));
        assert_eq!(parse_decimal("1.5e3"), Ok(d("1500")));
        assert_eq!(parse_decimal("25e-2"), Ok(d("0.25")));
        assert_eq!(
            parse_decimal("123456789.123456789"),
            Ok(d("123456789.123456789"))
        );
        assert_eq!(parse_decimal("inf"), Err(NumberError::NotFinite));
        assert_eq!(parse_decimal("nan"), Err(NumberError::NotFinite));
        assert_eq!(
            parse_decimal("99999999999999999999999999999999"),
            Err(NumberError::TooLarge)
        );
        assert_eq!(
            parse_decimal("0.12345678901234567890123456789012"),
            Err(NumberError::TooPrecise)
        );
        assert_eq!(parse_decimal("1e99"), Err(NumberError::TooLarge));
        assert_eq!(parse_decimal("abc"), Err(NumberError::Malformed));
        assert_eq!(parse_decimal(""), Err(NumberError::Malformed));
        assert_eq!(parse_decimal("1.2.3"), Err(NumberError::Malformed));
        assert_eq!(parse_decimal("1-2"), Err(NumberError::Malformed));
    }
}
