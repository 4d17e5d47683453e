//! `[metrics]`: each metric's type, bounds, default and unit (spec section 2).

use super::{err, is_name, MAX_RULES};
use crate::error::{did_you_mean, Diag, DiagnosticKind, Diags, Span};
use crate::keys::is_reserved;
use crate::model::{Beyond, MetricDef, MetricKind, PlainBounds, Value};
use crate::raw::{RawMetric, RawPolicy, Scalar, Sp};

pub(super) const TYPES: &[&str] = &["decimal", "integer", "date", "enum", "bool"];

pub(super) fn compile_metrics(raw: &RawPolicy, diags: &mut Diags) -> Vec<MetricDef> {
    let mut out: Vec<MetricDef> = Vec::with_capacity(raw.metrics.len());
    if raw.metrics.is_empty() && !diags.was_written(Span::default(), "metrics") {
        let span = raw.metrics_span.unwrap_or_default();
        diags.push(
            Diag::new(
                DiagnosticKind::MissingKey,
                span,
                "the policy declares no metrics",
            )
            .with_help("declare what a customer record carries in `[metrics]`"),
        );
    }
    if raw.metrics.len() > MAX_RULES {
        let span = raw.metrics_span.unwrap_or_default();
        err(
            diags,
            DiagnosticKind::Limit,
            span,
            format!("more than {MAX_RULES} metrics"),
        );
    }
    for m in &raw.metrics {
        let name = &m.name;
        // the name references resolve against: an invalid one is known by the valid form its
        // error suggests, so that references already written that way are not reported too
        let mut known_as = name.v.clone();
        if is_reserved(&name.v) {
            diags.push(
                Diag::new(DiagnosticKind::Reserved, name.span, format!("`{}` is reserved and cannot be a metric name", name.v))
                    .with_help("reserved names: id, tier, score, case, dimension, previous_tier, tier_since, last_qualified, pinned_tier, pinned_until, pin_reason"),
            );
        } else if !is_name(&name.v) {
            let fixed = snake_case(&name.v);
            let help = if is_name(&fixed) && !is_reserved(&fixed) {
                let help = format!("write it as `{fixed}`");
                known_as = fixed;
                help
            } else {
                "for example `annual_teu` or `gross_margin_pct`".to_owned()
            };
            diags.push(
                Diag::new(
                    DiagnosticKind::InvalidValue,
                    name.span,
                    format!(
                        "metric name `{}` must start with a-z and use only a-z, 0-9 and `_`",
                        name.v
                    ),
                )
                .with_help(help),
            );
        }
        let kind = metric_kind(m, diags);
        let default = kind.as_ref().and_then(|k| {
            m.default
                .as_ref()
                .and_then(|d| default_value(name, k, d, diags))
        });
        let scale = scale(m, kind.as_ref(), diags);
        if let Some(kind) = kind {
            out.push(MetricDef {
                name: known_as,
                bounds: PlainBounds::of(&kind),
                kind,
                required: m.default.is_none() && m.required.as_ref().is_none_or(|r| r.v),
                default,
                unit: m.unit.as_ref().map(|u| u.v.clone()),
                scale,
            });
        } else {
            // keep indices aligned with declaration order for later references
            out.push(MetricDef {
                name: known_as,
                kind: MetricKind::Unresolved,
                default: None,
                required: false,
                unit: None,
                scale: 0,
                bounds: PlainBounds::default(),
            });
        }
    }
    out
}

/// The metric's `scale`: 0 to 6 for a decimal metric (default 2), only 0 for an integer one,
/// not given for the other types.
fn scale(m: &RawMetric, kind: Option<&MetricKind>, diags: &mut Diags) -> u32 {
    let default = match kind {
        Some(MetricKind::Decimal { .. }) => 2,
        _ => 0,
    };
    let Some(s) = &m.scale else { return default };
    let problem = match kind {
        Some(MetricKind::Decimal { .. }) if !(0..=6).contains(&s.v) => {
            Some("`scale` must be 0 to 6".to_owned())
        }
        Some(MetricKind::Integer { .. }) if s.v != 0 => {
            Some("an integer metric's `scale` can only be 0".to_owned())
        }
        Some(MetricKind::Decimal { .. } | MetricKind::Integer { .. }) | None => None,
        Some(k) => Some(format!(
            "`scale` applies to decimal and integer metrics, not to a {} metric",
            k.type_name()
        )),
    };
    match problem {
        Some(message) => {
            diags.push(
                Diag::new(DiagnosticKind::InvalidValue, s.span, message).with_help(
                    "`scale` is how many decimals next-tier guidance gives a value, like `scale = 1`",
                ),
            );
            default
        }
        None => u32::try_from(s.v).unwrap_or(default),
    }
}

/// `GrossMargin-pct` as `gross_margin_pct`, to suggest a valid metric name.
pub(super) fn snake_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
            prev_lower = true;
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// How a metric type reads in a sentence: "an enum", "a date".
pub(super) fn a_type(ty: &str) -> String {
    match ty {
        "enum" | "integer" => format!("an {ty}"),
        _ => format!("a {ty}"),
    }
}

pub(super) fn metric_kind(m: &RawMetric, diags: &mut Diags) -> Option<MetricKind> {
    let what = format!("metric `{}`", m.name.v);
    let Some(ty) = &m.ty else {
        if !diags.was_written(m.name.span, "type") {
            diags.push(
                Diag::new(
                    DiagnosticKind::MissingKey,
                    m.name.span,
                    format!("{what} is missing `type`"),
                )
                .with_help("add `type = \"decimal\"` (or `integer`, `date`, `enum`, `bool`)"),
            );
        }
        return None;
    };
    let numeric = matches!(ty.v.as_str(), "decimal" | "integer");
    for (key, v) in [("min", &m.min), ("max", &m.max)] {
        if let Some(v) = v {
            if !numeric && TYPES.contains(&ty.v.as_str()) {
                err(
                    diags,
                    DiagnosticKind::InvalidValue,
                    v.span,
                    format!(
                        "`{key}` applies only to decimal and integer metrics, and `{}` is {}",
                        m.name.v,
                        a_type(&ty.v)
                    ),
                );
            }
            if ty.v == "integer" && !v.v.fract().is_zero() {
                err(
                    diags,
                    DiagnosticKind::InvalidValue,
                    v.span,
                    format!(
                        "`{key}` of integer metric `{}` must be a whole number",
                        m.name.v
                    ),
                );
            }
        }
    }
    if let (Some(min), Some(max)) = (&m.min, &m.max) {
        if max.v < min.v {
            err(
                diags,
                DiagnosticKind::Ordering,
                max.span,
                format!("`max` {} is below `min` {}", max.v, min.v),
            );
        }
    }
    if let Some(values) = &m.values {
        if ty.v != "enum" && TYPES.contains(&ty.v.as_str()) {
            err(
                diags,
                DiagnosticKind::InvalidValue,
                values.span,
                format!(
                    "`values` applies only to enum metrics, and `{}` is {}",
                    m.name.v,
                    a_type(&ty.v)
                ),
            );
        }
    }
    let kind = match ty.v.as_str() {
        "decimal" => MetricKind::Decimal {
            min: m.min.as_ref().map(|v| v.v),
            max: m.max.as_ref().map(|v| v.v),
        },
        "integer" => MetricKind::Integer {
            min: m.min.as_ref().map(|v| v.v),
            max: m.max.as_ref().map(|v| v.v),
        },
        "date" => MetricKind::Date,
        "bool" => MetricKind::Bool,
        "enum" => {
            let Some(values) = &m.values else {
                if diags.was_written(m.name.span, "values") {
                    return None;
                }
                diags.push(
                    Diag::new(
                        DiagnosticKind::MissingKey,
                        ty.span,
                        format!("enum {what} is missing `values`"),
                    )
                    .with_help("list its values: `values = [\"A\", \"B\", \"C\"]`"),
                );
                return None;
            };
            if values.v.is_empty() {
                err(
                    diags,
                    DiagnosticKind::InvalidValue,
                    values.span,
                    format!("enum {what} needs at least one value"),
                );
            }
            let mut seen: Vec<&str> = Vec::new();
            for v in &values.v {
                if seen.contains(&v.v.as_str()) {
                    err(
                        diags,
                        DiagnosticKind::Duplicate,
                        v.span,
                        format!("value `{}` is listed twice", v.v),
                    );
                }
                if v.v.is_empty() {
                    err(
                        diags,
                        DiagnosticKind::InvalidValue,
                        v.span,
                        "an enum value cannot be empty",
                    );
                }
                seen.push(&v.v);
            }
            if values.v.len() > usize::from(u16::MAX) {
                err(
                    diags,
                    DiagnosticKind::Limit,
                    values.span,
                    "too many enum values",
                );
            }
            MetricKind::Enum {
                values: values.v.iter().map(|v| v.v.clone()).collect(),
            }
        }
        other => {
            let help = did_you_mean(other, TYPES.iter().copied()).unwrap_or_else(|| {
                "types are `decimal`, `integer`, `date`, `enum` and `bool`".into()
            });
            diags.push(
                Diag::new(
                    DiagnosticKind::InvalidValue,
                    ty.span,
                    format!("unknown metric type `{other}`"),
                )
                .with_help(help),
            );
            return None;
        }
    };
    Some(kind)
}

pub(super) fn default_value(
    name: &Sp<String>,
    kind: &MetricKind,
    d: &Sp<Scalar>,
    diags: &mut Diags,
) -> Option<Value> {
    let bad = |diags: &mut Diags, expected: &str| {
        // a quoted number or date is the likeliest slip
        let help = match (&d.v, kind) {
            (Scalar::Str(s), MetricKind::Decimal { .. } | MetricKind::Integer { .. })
                if crate::decimal::parse_decimal(s.trim()).is_ok() =>
            {
                Some(format!("write the number without quotes: {}", s.trim()))
            }
            (Scalar::Str(s), MetricKind::Date)
                if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() =>
            {
                Some(format!("write the date without quotes: {s}"))
            }
            (Scalar::Str(s), MetricKind::Bool) if matches!(s.as_str(), "true" | "false") => {
                Some(format!("write it without quotes: {s}"))
            }
            (Scalar::Num { .. } | Scalar::Bool(_), MetricKind::Enum { values }) => values
                .first()
                .map(|v| format!("write one of its values in quotes, like \"{v}\"")),
            _ => None,
        };
        diags.push(
            Diag::new(
                DiagnosticKind::WrongType,
                d.span,
                format!(
                    "the default of {} metric `{}` must be {expected}",
                    kind.type_name(),
                    name.v
                ),
            )
            .with_help_opt(help),
        );
        None
    };
    let v = match (kind, &d.v) {
        (MetricKind::Decimal { .. }, Scalar::Num { value, .. }) => Value::Decimal(*value),
        (MetricKind::Integer { .. }, Scalar::Num { value, .. }) => {
            match (value.fract().is_zero(), i64::try_from(*value)) {
                (true, Ok(i)) => Value::Integer(i),
                _ => return bad(diags, "a whole number"),
            }
        }
        (MetricKind::Date, Scalar::Date(x)) => Value::Date(*x),
        (MetricKind::Bool, Scalar::Bool(b)) => Value::Bool(*b),
        (MetricKind::Enum { values }, Scalar::Str(s)) => match values.iter().position(|v| v == s) {
            Some(i) => Value::Enum(u16::try_from(i).ok()?),
            None => {
                let help = did_you_mean(s, values.iter().map(String::as_str))
                    .unwrap_or_else(|| one_of(&name.v, values));
                diags.push(
                    Diag::new(
                        DiagnosticKind::InvalidValue,
                        d.span,
                        format!("default `{s}` is not a value of `{}`", name.v),
                    )
                    .with_help(help),
                );
                return None;
            }
        },
        (MetricKind::Decimal { .. } | MetricKind::Integer { .. }, _) => {
            return bad(diags, "a number")
        }
        (MetricKind::Date, _) => return bad(diags, "a date like 2026-01-01"),
        (MetricKind::Bool, _) => return bad(diags, "true or false"),
        (MetricKind::Enum { .. }, _) => return bad(diags, "one of its values, as a string"),
        // the metric's declaration was reported already
        (MetricKind::Unresolved, _) => return None,
    };
    match kind.violated_bound(&v) {
        Some((n, Beyond::Min(m))) => err(
            diags,
            DiagnosticKind::InvalidValue,
            d.span,
            format!("the default {n} of `{}` is below its `min` {m}", name.v),
        ),
        Some((n, Beyond::Max(m))) => err(
            diags,
            DiagnosticKind::InvalidValue,
            d.span,
            format!("the default {n} of `{}` is above its `max` {m}", name.v),
        ),
        None => {}
    }
    Some(v)
}

/// A help listing the values of an enum metric (or of a bool: `true`, `false`).
pub(super) fn one_of(metric: &str, values: &[String]) -> String {
    format!(
        "`{metric}` is one of {}",
        values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
