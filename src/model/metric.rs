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

#[derive(Debug, Clone)]
pub(crate) struct MetricDef {
    pub(crate) name: String,
    pub(crate) kind: MetricKind,
    pub(crate) default: Option<Value>,
    pub(crate) required: bool,
    pub(crate) unit: Option<String>,
    /// Decimals of the values guidance gives (`scale`).
    pub(crate) scale: u32,
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

    use super::{Beyond, MetricKind, Value};

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
}
