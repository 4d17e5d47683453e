//! Durations of open (business) time, written like `"4h"`, `"30m"` or `"1h30m"`.

use std::fmt;
use std::str::FromStr;

/// A span of open time on a clock: whole seconds, written as a whole number and a unit
/// `s`, `m`, `h` or `d` (`d` = 24 h), or several of them (`"1h30m"`).
///
/// ```
/// use tierwise::calendar::BusinessDuration;
/// let d: BusinessDuration = "1h30m".parse()?;
/// assert_eq!(d.seconds(), 5400);
/// assert_eq!(d.to_string(), "1h30m");
/// assert_eq!("90m".parse::<BusinessDuration>()?.to_string(), "1h30m");
/// # Ok::<(), tierwise::calendar::DurationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct BusinessDuration(u64);

/// Why a duration text is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", if text.is_empty() { "a duration cannot be empty".to_owned() } else { format!("invalid duration `{text}`: {reason}") })]
pub struct DurationError {
    kind: DurationErrorKind,
    text: String,
    reason: &'static str,
}

/// What is wrong with a duration text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DurationErrorKind {
    /// Nothing was written.
    Empty,
    /// Not numbers each followed by a unit `s`, `m`, `h` or `d`.
    Malformed,
    /// A minus sign.
    Negative,
    /// Longer than 100 years.
    TooLong,
}

impl DurationError {
    /// What is wrong.
    pub fn kind(&self) -> DurationErrorKind {
        self.kind
    }
}

/// The longest duration accepted: 100 × 366 days of seconds, within the calendar's default
/// search horizon (`DEFAULT_HORIZON_DAYS`, checked by a test).
pub(crate) const MAX_SECONDS: u64 = 100 * 366 * 86_400;

impl BusinessDuration {
    /// A duration of `seconds`.
    pub const fn from_seconds(seconds: u64) -> BusinessDuration {
        BusinessDuration(seconds)
    }

    /// The length in seconds.
    pub const fn seconds(self) -> u64 {
        self.0
    }
}

const NEGATIVE: &str = "a duration cannot be negative";
const TOO_LONG: &str = "longer than 100 years";

impl FromStr for BusinessDuration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason| {
            let kind = match reason {
                _ if text.is_empty() => DurationErrorKind::Empty,
                NEGATIVE => DurationErrorKind::Negative,
                TOO_LONG | "too long" => DurationErrorKind::TooLong,
                _ => DurationErrorKind::Malformed,
            };
            DurationError {
                kind,
                text: text.to_owned(),
                reason,
            }
        };
        if text.is_empty() {
            return Err(fail("expected a number and a unit, like `4h` or `1h30m`"));
        }
        let mut total: u64 = 0;
        let mut number: Option<u64> = None;
        for c in text.chars() {
            if let Some(d) = c.to_digit(10) {
                let n = number
                    .unwrap_or(0)
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(d)))
                    .ok_or_else(|| fail("too long"))?;
                number = Some(n);
                continue;
            }
            let unit = match c {
                's' => 1,
                'm' => 60,
                'h' => 3_600,
                'd' => 86_400,
                ' ' => return Err(fail("remove the spaces")),
                '-' => return Err(fail(NEGATIVE)),
                _ => return Err(fail("units are `s`, `m`, `h` and `d`")),
            };
            let Some(n) = number.take() else {
                return Err(fail("each unit needs a whole number before it"));
            };
            total = n
                .checked_mul(unit)
                .and_then(|x| total.checked_add(x))
                .ok_or_else(|| fail("too long"))?;
        }
        if number.is_some() {
            return Err(fail(
                "a number needs a unit after it (`s`, `m`, `h` or `d`)",
            ));
        }
        if total > MAX_SECONDS {
            return Err(fail(TOO_LONG));
        }
        Ok(BusinessDuration(total))
    }
}

impl fmt::Display for BusinessDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        if rest == 0 {
            return f.write_str("0s");
        }
        for (unit, name) in [(86_400, 'd'), (3_600, 'h'), (60, 'm'), (1, 's')] {
            if rest >= unit {
                write!(f, "{}{name}", rest / unit)?;
                rest %= unit;
            }
        }
        Ok(())
    }
}

impl serde::Serialize for BusinessDuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> Result<u64, DurationError> {
        s.parse::<BusinessDuration>().map(BusinessDuration::seconds)
    }

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(secs("60s"), Ok(60));
        assert_eq!(secs("15m"), Ok(900));
        assert_eq!(secs("4h"), Ok(14_400));
        assert_eq!(secs("2d"), Ok(172_800));
        assert_eq!(secs("1h30m"), Ok(5_400));
        assert_eq!(secs("1d2h3m4s"), Ok(93_784));
        assert_eq!(secs("0m"), Ok(0));
        // the spec allows "several of them": in any order, the parts add up
        assert_eq!(secs("30m1h"), Ok(5_400));
        assert_eq!(secs("1h1h"), Ok(7_200));
        assert_eq!(secs("45s2d"), Ok(172_845));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "4",
            "h",
            "4x",
            "1.5h",
            "4 h",
            "-4h",
            "99999999999999999999d",
            "40000d",
        ] {
            assert!(secs(bad).is_err(), "{bad}");
        }
        assert_eq!(
            "4x".parse::<BusinessDuration>().unwrap_err().to_string(),
            "invalid duration `4x`: units are `s`, `m`, `h` and `d`"
        );
        assert_eq!(
            "-8h".parse::<BusinessDuration>().unwrap_err().to_string(),
            "invalid duration `-8h`: a duration cannot be negative"
        );
    }

    #[test]
    fn displays_canonically() {
        assert_eq!(BusinessDuration::from_seconds(5_400).to_string(), "1h30m");
        assert_eq!(BusinessDuration::from_seconds(86_400).to_string(), "1d");
        assert_eq!(BusinessDuration::from_seconds(0).to_string(), "0s");
        assert_eq!(BusinessDuration::from_seconds(61).to_string(), "1m1s");
    }
}
