//! Metrics: what a customer record carries, and the typed values it holds.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A typed value of a customer's metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Decimal(Decimal),
    Integer(i64),
    Date(NaiveDate),
    /// The index into the metric's `values`.
    Enum(u16),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MetricKind {
    Decimal {
        min: Option<Decimal>,
        max: Option<Decimal>,
    },
    Integer {
        min: Option<Decimal>,
        max: Option<Decimal>,
    },
    Date,
    Enum {
        values: Vec<String>,
    },
    Bool,
    /// The stand-in for a metric whose declaration was reported as broken: dimensions and
    /// conditions that use it are skipped instead of being checked against a made-up type.
    /// A policy with such a metric never compiles, so this never reaches evaluation.
    Unresolved,
}

/// A `min` or `max` a value lies beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beyond {
    Min(Decimal),
    Max(Decimal),
}

impl MetricKind {
    /// The value as a number and the bound it breaks, for decimal and integer metrics.
    #[inline]
    pub(crate) fn violated_bound(&self, v: &Value) -> Option<(Decimal, Beyond)> {
        let (MetricKind::Decimal { min, max } | MetricKind::Integer { min, max }) = self else {
            return None;
        };
        let n = match *v {
            Value::Decimal(d) => d,
            Value::Integer(i) => Decimal::from(i),
            _ => return None,
        };
        // compared as the hot path compares, without a general rescale
        let cmp = |m: &Decimal| crate::decimal::cmp(n, *m);
        if let Some(m) = min.filter(|m| cmp(m).is_lt()) {
            return Some((n, Beyond::Min(m)));
        }
        max.filter(|m| cmp(m).is_gt()).map(|m| (n, Beyond::Max(m)))
    }

    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            MetricKind::Decimal { .. } => "decimal",
            MetricKind::Integer { .. } => "integer",
            MetricKind::Date => "date",
            MetricKind::Enum { .. } => "enum",
            MetricKind::Bool => "bool",
            MetricKind::Unresolved => "unresolved",
        }
    }
}

/// The `min` and `max` of a decimal or integer metric as integers at 18 decimals, made once
/// when the policy compiles, so that a plain number read from text (at most 18 digits, see
/// [`PlainBounds::holds`]) is checked with one multiplication and two integer compares
/// instead of two decimal compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PlainBounds {
    min: Option<i128>,
    max: Option<i128>,
    /// Whether both bounds are exact at 18 decimals (and the metric is a number); when not,
    /// [`holds`](Self::holds) answers `None` and the decimals are compared.
    exact: bool,
}

/// The scale [`PlainBounds`] holds its bounds at: a value of at most 18 digits, times
/// 10^(18 - its scale), stays below 2^127.
const PLAIN_SCALE: u32 = 18;

impl PlainBounds {
    pub(crate) fn of(kind: &MetricKind) -> PlainBounds {
        let (MetricKind::Decimal { min, max } | MetricKind::Integer { min, max }) = kind else {
            return PlainBounds::default();
        };
        let at = |d: &Option<Decimal>| -> Option<Option<i128>> {
            match d {
                None => Some(None),
                Some(d) => {
                    let up = PLAIN_SCALE.checked_sub(d.scale())?;
                    d.mantissa()
                        .checked_mul(crate::model::fast::pow10(up)?)
                        .map(Some)
                }
            }
        };
        match (at(min), at(max)) {
            (Some(min), Some(max)) => PlainBounds {
                min,
                max,
                exact: true,
            },
            _ => PlainBounds::default(),
        }
    }

    /// Whether `mantissa * 10^-scale` lies within the bounds (any `i64` times 10^18 stays
    /// within an `i128`); `None` when this cannot tell (bounds not exact, a scale over 18),
    /// and the decimals are compared instead.
    #[inline]
    pub(crate) fn holds(&self, mantissa: i64, scale: u32) -> Option<bool> {
        if !self.exact {
            return None;
        }
        let up = crate::model::fast::pow10_64(PLAIN_SCALE.checked_sub(scale)?)?;
        let v = i128::from(mantissa) * i128::from(up);
        Some(self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct MetricDef {
    pub(crate) name: String,
    pub(crate) kind: MetricKind,
    pub(crate) default: Option<Value>,
    pub(crate) required: bool,
    pub(crate) unit: Option<String>,
    /// Decimals of the values guidance gives (`scale`).
    pub(crate) scale: u32,
    /// `min` and `max` as integers, for reading text ([`PlainBounds::of`] the kind).
    pub(crate) bounds: PlainBounds,
}

impl MetricDef {
    /// Formats a value of this metric for people and for output files.
    pub(crate) fn display(&self, v: &Value) -> String {
        match (v, &self.kind) {
            (Value::Decimal(d), _) => d.to_string(),
            (Value::Integer(i), _) => i.to_string(),
            (Value::Date(d), _) => d.to_string(),
            (Value::Enum(i), MetricKind::Enum { values }) => {
                values.get(usize::from(*i)).cloned().unwrap_or_default()
            }
            (Value::Enum(i), _) => i.to_string(),
            (Value::Bool(b), _) => b.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::{Beyond, MetricKind, PlainBounds, Value};

    fn decimal() -> impl Strategy<Value = Decimal> {
        (any::<i32>(), 0u32..6, any::<bool>()).prop_map(|(m, s, zero)| {
            if zero {
                // zeros of every scale and of both signs
                let z = Decimal::new(0, s);
                if m < 0 {
                    -z
                } else {
                    z
                }
            } else {
                Decimal::new(i64::from(m), s)
            }
        })
    }

    proptest! {
        /// The bounds are checked as `Decimal`'s own order says.
        #[test]
        fn bounds_are_checked_as_decimals_compare(
            n in decimal(),
            min in proptest::option::of(decimal()),
            max in proptest::option::of(decimal()),
        ) {
            let kind = MetricKind::Decimal { min, max };
            let expected = match (min, max) {
                (Some(m), _) if n < m => Some(Beyond::Min(m)),
                (_, Some(m)) if n > m => Some(Beyond::Max(m)),
                _ => None,
            };
            let got = kind.violated_bound(&Value::Decimal(n)).map(|(_, b)| b);
            prop_assert_eq!(got, expected);
        }
    }

    /// Any decimal of up to 20 decimals, its mantissa any `i64`.
    fn wide() -> impl Strategy<Value = Decimal> {
        (any::<i64>(), 0u32..=20).prop_map(|(m, s)| Decimal::new(m, s))
    }

    proptest! {
        /// Integer bounds answer as the decimal bounds do, whenever they answer.
        #[test]
        fn plain_bounds_agree_with_the_decimal_bounds(
            min in proptest::option::of(wide()),
            max in proptest::option::of(wide()),
            near in any::<bool>(),
            mantissa in any::<i64>(),
            scale in 0u32..=20,
            integer in any::<bool>(),
        ) {
            let kind = if integer {
                MetricKind::Integer { min, max }
            } else {
                MetricKind::Decimal { min, max }
            };
            // values at and next to a bound, or anywhere
            let value = match (near, min.or(max)) {
                (true, Some(b)) => {
                    let step = Decimal::new(mantissa.signum(), scale.min(18));
                    b.checked_add(step).unwrap_or(b)
                }
                _ => Decimal::new(mantissa, scale),
            };
            let bounds = PlainBounds::of(&kind);
            let (Ok(m), s) = (i64::try_from(value.mantissa()), value.scale()) else {
                return Ok(());
            };
            if let Some(holds) = bounds.holds(m, s) {
                let want = kind.violated_bound(&Value::Decimal(value)).is_none();
                prop_assert_eq!(holds, want, "{:?} in {:?}", value, kind);
            }
        }
    }

    #[test]
    fn bounds_of_up_to_18_decimals_are_made_integers() {
        let d = |m: i64, s: u32| Some(Decimal::new(m, s));
        let exact = PlainBounds::of(&MetricKind::Decimal {
            min: d(-55, 1),
            max: d(1, 18),
        });
        assert_eq!(exact.holds(-55, 1), Some(true));
        assert_eq!(exact.holds(-551, 2), Some(false));
        assert_eq!(exact.holds(2, 18), Some(false));
        assert_eq!(exact.holds(1, 19), None);
        let finer = PlainBounds::of(&MetricKind::Decimal {
            min: d(1, 19),
            max: None,
        });
        assert_eq!(finer.holds(0, 0), None);
        assert_eq!(PlainBounds::of(&MetricKind::Date).holds(0, 0), None);
    }
}
