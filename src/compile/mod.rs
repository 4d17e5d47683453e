//! Compiling: a read policy (`raw`) into the compiled model (`model`), collecting every
//! diagnostic of the file at once.

#[cfg(feature = "fs")]
pub(crate) mod fs;
mod services;

use std::sync::Arc;

use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::error::{closest, did_you_mean, Diag, DiagnosticKind, Diags, LoadError, Source, Span};
use crate::expr::{self, Scope};
use crate::model::{
    AdjustKind, Adjustment, Beyond, Compiled, Cond, Curve, DateUnit, Dimension, MetricDef,
    MetricKind, Origin, Tier, Tiering, Value,
};
use crate::raw::{self, RawDimension, RawMetric, RawPolicy, Scalar, Sp, Text};

/// Largest policy file accepted.
pub(crate) const MAX_FILE_BYTES: usize = 1024 * 1024;
/// Most tiers a policy may have.
pub(crate) const MAX_TIERS: usize = 32;
/// Most points a curve may have.
pub(crate) const MAX_POINTS: usize = 256;
/// Most rules of any one kind.
pub(crate) const MAX_RULES: usize = 10_000;

/// Names a metric may not have.
pub(crate) const RESERVED: &[&str] = &[
    "id",
    "tier",
    "score",
    "case",
    "dimension",
    "previous_tier",
    "tier_since",
    "last_qualified",
    "pinned_tier",
    "pinned_until",
    "pin_reason",
];

/// Compiles a policy from one file's text (no includes).
pub(crate) fn from_str(name: &str, text: &str) -> Result<Compiled, LoadError> {
    let sources = vec![Source {
        name: Arc::from(name),
        text: Arc::from(text),
    }];
    let mut diags = Diags::default();
    if text.len() > MAX_FILE_BYTES {
        diags.error(
            DiagnosticKind::Limit,
            Span::new(0, 0..0),
            format!(
                "policy file is {} bytes, more than the limit of 1 MiB ({MAX_FILE_BYTES} bytes)",
                text.len()
            ),
        );
        return Err(LoadError::new(diags.list, &sources));
    }
    let raw = raw::read_file(0, text, &mut diags);
    if let Some(h) = &raw.header {
        if let Some(first) = h.include.first() {
            diags.push(
                Diag::new(
                    DiagnosticKind::InvalidValue,
                    first.span,
                    "`include` needs the policy to be loaded from a file",
                )
                .with_help("load the policy with `Policy::from_path` (feature `fs`) or `tierwise check PATH`"),
            );
            // what the included files would define is missing: do not report it as missing
            return Err(LoadError::new(diags.list, &sources));
        }
    }
    finish(raw, diags, &sources)
}

/// Compiles read policy files into a policy, or all diagnostics.
pub(crate) fn finish(
    raw: RawPolicy,
    mut diags: Diags,
    sources: &[Source],
) -> Result<Compiled, LoadError> {
    if !diags.list.iter().any(|d| d.kind == DiagnosticKind::Syntax) {
        let compiled = compile(&raw, &mut diags);
        if diags.is_empty() {
            if let Some(mut c) = compiled {
                let h = raw.header.as_ref();
                c.origin = Origin {
                    source: sources.first().cloned(),
                    id: h
                        .and_then(|h| h.id.as_ref())
                        .map(|i| i.span)
                        .unwrap_or_default(),
                    header: h.map(|h| h.span).unwrap_or_default(),
                    effective_from: h.and_then(|h| h.effective_from.as_ref()).map(|d| d.span),
                };
                return Ok(c.prepare());
            }
        }
    }
    Err(LoadError::new(diags.list, sources))
}

fn err(diags: &mut Diags, kind: DiagnosticKind, span: Span, message: impl Into<String>) {
    diags.error(kind, span, message);
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Why `id` is not a valid policy or tier id, with the id it was probably meant to be.
fn bad_id(what: &str, id: &Sp<String>) -> Diag {
    if id.v.is_empty() {
        return Diag::new(
            DiagnosticKind::InvalidValue,
            id.span,
            format!("a {what} id cannot be empty"),
        );
    }
    let mut fixed = String::with_capacity(id.v.len());
    for c in id.v.trim().chars() {
        match c.to_ascii_lowercase() {
            l if l.is_ascii_lowercase() || l.is_ascii_digit() || l == '_' || l == '-' => {
                fixed.push(l)
            }
            _ if !fixed.ends_with('-') => fixed.push('-'),
            _ => {}
        }
    }
    let fixed = fixed.trim_matches('-');
    let d = Diag::new(
        DiagnosticKind::InvalidValue,
        id.span,
        format!("{what} id `{}` may use only a-z, 0-9, `_` and `-`", id.v),
    );
    if is_id(fixed) {
        d.with_help(format!("write it as `{fixed}`"))
    } else {
        d
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Looks `name` up in `list`, reporting an unknown name with a suggestion.
pub(crate) fn resolve(
    diags: &mut Diags,
    name: &Sp<String>,
    list: &[String],
    what: &str,
) -> Option<u16> {
    match list.iter().position(|n| *n == name.v) {
        Some(i) => u16::try_from(i).ok(),
        None => {
            let help = did_you_mean(&name.v, list.iter().map(String::as_str)).or_else(|| {
                (!list.is_empty() && list.len() <= 12).then(|| {
                    format!(
                        "known {what}s: {}",
                        list.iter()
                            // a name that was left out (reported where it is missing)
                            .filter(|n| !n.is_empty())
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
            });
            diags.push(
                Diag::new(
                    DiagnosticKind::UnknownName,
                    name.span,
                    format!("unknown {what} `{}`", name.v),
                )
                .with_help_opt(help),
            );
            None
        }
    }
}

/// Requires a key, reporting where it should have been.
pub(crate) fn required<'a, T>(
    diags: &mut Diags,
    v: &'a Option<T>,
    owner: Span,
    key: &str,
    what: &str,
) -> Option<&'a T> {
    // a key that is written but unusable (wrong type, misspelt) was reported where it is
    if v.is_none() && !diags.was_written(owner, key) {
        diags.error(
            DiagnosticKind::MissingKey,
            owner,
            format!("{what} is missing `{key}`"),
        );
    }
    v.as_ref()
}

fn compile(raw: &RawPolicy, diags: &mut Diags) -> Option<Compiled> {
    let whole_file = Span::new(0, 0..0);
    let header = raw.header.as_ref();
    if header.is_none() && !diags.was_written(whole_file, "policy") {
        diags.push(
            Diag::new(
                DiagnosticKind::MissingKey,
                whole_file,
                "missing `[policy]` table",
            )
            .with_help("start the file with `[policy]` and its `id`, `version` and `timezone`"),
        );
    }
    let hspan = header.map_or(whole_file, |h| h.span);
    let id = header.and_then(|h| required(diags, &h.id, hspan, "id", "`[policy]`"));
    if let Some(id) = id {
        if !is_id(&id.v) {
            diags.push(bad_id("policy", id));
        }
    }
    let version = header.and_then(|h| required(diags, &h.version, hspan, "version", "`[policy]`"));
    let tz_text =
        header.and_then(|h| required(diags, &h.timezone, hspan, "timezone", "`[policy]`"));
    let timezone = tz_text.and_then(|t| timezone(diags, t));
    if let Some(h) = header {
        if let (Some(f), Some(u)) = (&h.effective_from, &h.effective_until) {
            if u.v < f.v {
                diags.push(Diag::new(
                    DiagnosticKind::Ordering,
                    u.span,
                    format!(
                        "`effective_until` {} is before `effective_from` {}",
                        u.v, f.v
                    ),
                ));
            }
        }
    }

    let metrics = compile_metrics(raw, diags);
    let (dimensions, precision, missing_zero) = compile_scoring(raw, &metrics, diags);
    let dimension_names: Vec<String> = raw
        .scoring
        .iter()
        .flat_map(|s| s.dimensions.iter().map(|d| d.name.v.clone()))
        .collect();
    let total_weight = dimensions
        .iter()
        .try_fold(Decimal::ZERO, |acc, d| acc.checked_add(d.weight));
    let total_weight =
        match total_weight.and_then(|t| t.checked_mul(Decimal::ONE_HUNDRED).map(|_| t)) {
            Some(t) => t,
            None => {
                // at the weight that takes the sum over the limit
                let mut sum = Decimal::ZERO;
                let over = raw
                    .scoring
                    .iter()
                    .flat_map(|s| &s.dimensions)
                    .find_map(|d| {
                        let w = d.weight.as_ref()?;
                        match sum.checked_add(w.v) {
                            Some(t) if t.checked_mul(Decimal::ONE_HUNDRED).is_some() => {
                                sum = t;
                                None
                            }
                            _ => Some(w.span),
                        }
                    });
                let span = over.unwrap_or(raw.scoring.as_ref().map_or(whole_file, |s| s.span));
                err(
                    diags,
                    DiagnosticKind::InvalidValue,
                    span,
                    "the weights add up to more than exact decimal arithmetic can hold",
                );
                Decimal::ONE
            }
        };

    let tier_ids: Vec<String> = raw
        .tiers
        .iter()
        .map(|t| t.id.as_ref().map(|i| i.v.clone()).unwrap_or_default())
        .collect();
    let svc_names = services::names(raw);
    let scope = |place: &'static str| Scope {
        metrics: &metrics,
        dimensions: &dimension_names,
        tiers: &tier_ids,
        case_kinds: &svc_names.case_kinds,
        severities: &svc_names.severities,
        channels: &svc_names.channels,
        allow_tier: false,
        allow_case: false,
        place,
    };
    let tiers = compile_tiers(raw, &scope("a tier's `require`"), diags);
    let adjustments = compile_adjustments(raw, &tier_ids, &scope("an adjustment's `when`"), diags);
    let tiering = compile_tiering(raw, diags);
    let services = services::compile(
        raw,
        &services::Ctx {
            metrics: &metrics,
            dimensions: &dimension_names,
            tier_ids: &tier_ids,
            names: &svc_names,
            timezone: timezone.unwrap_or(Tz::UTC),
        },
        diags,
    );

    if !diags.is_empty() {
        return None;
    }
    Some(Compiled {
        id: id?.v.clone(),
        version: version?.v.clone(),
        name: header.and_then(|h| h.name.as_ref()).map(|n| n.v.clone()),
        effective_from: header.and_then(|h| h.effective_from.as_ref()).map(|d| d.v),
        effective_until: header.and_then(|h| h.effective_until.as_ref()).map(|d| d.v),
        timezone: timezone?,
        metrics,
        precision,
        missing_zero,
        dimensions,
        dimension_names,
        total_weight,
        tiers,
        tier_ids,
        adjustments,
        tiering,
        services: services?,
        prepared: Default::default(),
        origin: Default::default(),
    })
}

/// Parses an IANA time zone name, suggesting the closest one.
pub(crate) fn timezone(diags: &mut Diags, t: &Sp<String>) -> Option<Tz> {
    match t.v.parse::<Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            let help =
                did_you_mean(&t.v, chrono_tz::TZ_VARIANTS.iter().map(|z| z.name())).or_else(|| {
                    Some("use an IANA name such as `Asia/Shanghai` or `Europe/London`".into())
                });
            diags.push(
                Diag::new(
                    DiagnosticKind::InvalidValue,
                    t.span,
                    format!("unknown time zone `{}`", t.v),
                )
                .with_help_opt(help),
            );
            None
        }
    }
}

const TYPES: &[&str] = &["decimal", "integer", "date", "enum", "bool"];

fn compile_metrics(raw: &RawPolicy, diags: &mut Diags) -> Vec<MetricDef> {
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
        if RESERVED.contains(&name.v.as_str()) {
            diags.push(
                Diag::new(DiagnosticKind::Reserved, name.span, format!("`{}` is reserved and cannot be a metric name", name.v))
                    .with_help("reserved names: id, tier, score, case, dimension, previous_tier, tier_since, last_qualified, pinned_tier, pinned_until, pin_reason"),
            );
        } else if !is_name(&name.v) {
            let fixed = snake_case(&name.v);
            let help = if is_name(&fixed) && !RESERVED.contains(&fixed.as_str()) {
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
        if let Some(kind) = kind {
            out.push(MetricDef {
                name: known_as,
                kind,
                required: m.default.is_none() && m.required.as_ref().is_none_or(|r| r.v),
                default,
                unit: m.unit.as_ref().map(|u| u.v.clone()),
            });
        } else {
            // keep indices aligned with declaration order for later references
            out.push(MetricDef {
                name: known_as,
                kind: MetricKind::Unresolved,
                default: None,
                required: false,
                unit: None,
            });
        }
    }
    out
}

/// `GrossMargin-pct` as `gross_margin_pct`, to suggest a valid metric name.
fn snake_case(s: &str) -> String {
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
fn a_type(ty: &str) -> String {
    match ty {
        "enum" | "integer" => format!("an {ty}"),
        _ => format!("a {ty}"),
    }
}

fn metric_kind(m: &RawMetric, diags: &mut Diags) -> Option<MetricKind> {
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

fn default_value(
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
fn one_of(metric: &str, values: &[String]) -> String {
    format!(
        "`{metric}` is one of {}",
        values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn compile_scoring(
    raw: &RawPolicy,
    metrics: &[MetricDef],
    diags: &mut Diags,
) -> (Vec<Dimension>, u32, bool) {
    let Some(s) = &raw.scoring else {
        if !diags.was_written(Span::default(), "scoring") {
            diags.push(
                Diag::new(DiagnosticKind::MissingKey, Span::default(), "missing `[scoring]` table")
                    .with_help("add at least one `[scoring.dimensions.NAME]` with a metric, weight and curve or map"),
            );
        }
        return (Vec::new(), 2, false);
    };
    let precision = match &s.precision {
        Some(p) if !(0..=6).contains(&p.v) => {
            err(
                diags,
                DiagnosticKind::InvalidValue,
                p.span,
                format!("`precision` must be between 0 and 6, found {}", p.v),
            );
            2
        }
        Some(p) => u32::try_from(p.v).unwrap_or(2),
        None => 2,
    };
    let missing_zero = match &s.missing {
        None => false,
        Some(m) if m.v == "error" => false,
        Some(m) if m.v == "zero" => true,
        Some(m) => {
            let help = did_you_mean(&m.v, ["error", "zero"])
                .unwrap_or_else(|| "use `error` or `zero`".into());
            diags.push(
                Diag::new(
                    DiagnosticKind::InvalidValue,
                    m.span,
                    format!("unknown `missing` option `{}`", m.v),
                )
                .with_help(help),
            );
            false
        }
    };
    if s.dimensions.is_empty() {
        diags.push(
            Diag::new(
                DiagnosticKind::MissingKey,
                s.dimensions_span.unwrap_or(s.span),
                "scoring has no dimensions",
            )
            .with_help("add `[scoring.dimensions.volume]` with a metric, weight and curve"),
        );
    }
    let names: Vec<String> = metrics.iter().map(|m| m.name.clone()).collect();
    let mut dims = Vec::with_capacity(s.dimensions.len());
    for d in &s.dimensions {
        if let Some(dim) = compile_dimension(d, metrics, &names, diags) {
            dims.push(dim);
        }
    }
    (dims, precision, missing_zero)
}

fn check_score(diags: &mut Diags, v: &Sp<Decimal>, what: &str) {
    if v.v < Decimal::ZERO || v.v > Decimal::ONE_HUNDRED {
        err(
            diags,
            DiagnosticKind::InvalidValue,
            v.span,
            format!("{what} {} is outside 0 to 100", v.v),
        );
    }
}

fn compile_dimension(
    d: &RawDimension,
    metrics: &[MetricDef],
    names: &[String],
    diags: &mut Diags,
) -> Option<Dimension> {
    let what = format!("dimension `{}`", d.name.v);
    let metric_name = required(diags, &d.metric, d.name.span, "metric", &what);
    let weight = required(diags, &d.weight, d.name.span, "weight", &what);
    if let Some(w) = weight {
        if w.v <= Decimal::ZERO {
            err(
                diags,
                DiagnosticKind::InvalidValue,
                w.span,
                format!("`weight` must be positive, found {}", w.v),
            );
        }
    }
    let metric_idx = metric_name.and_then(|m| resolve(diags, m, names, "metric"))?;
    let metric = metrics.get(usize::from(metric_idx))?;
    if metric.kind == MetricKind::Unresolved {
        // the metric's own declaration was reported; its type is unknown
        return None;
    }
    let unit = match (&d.unit, &metric.kind) {
        (None, _) => DateUnit::Years,
        (Some(u), MetricKind::Date) => match u.v.as_str() {
            "years" => DateUnit::Years,
            "days" => DateUnit::Days,
            other => {
                let help = did_you_mean(other, ["years", "days"])
                    .unwrap_or_else(|| "use `years` or `days`".into());
                diags.push(
                    Diag::new(
                        DiagnosticKind::InvalidValue,
                        u.span,
                        format!("unknown unit `{other}`"),
                    )
                    .with_help(help),
                );
                DateUnit::Years
            }
        },
        (Some(u), _) => {
            diags.push(
                Diag::new(
                    DiagnosticKind::InvalidValue,
                    u.span,
                    format!(
                        "`unit` applies only to date metrics, and `{}` is {}",
                        metric.name,
                        a_type(metric.kind.type_name())
                    ),
                )
                .with_help("remove `unit`: only a date metric is counted in `years` or `days`"),
            );
            DateUnit::Years
        }
    };
    let curve = match &metric.kind {
        MetricKind::Enum { values } => map_curve(d, &metric.name, values, false, diags),
        MetricKind::Bool => map_curve(
            d,
            &metric.name,
            &["false".to_owned(), "true".to_owned()],
            true,
            diags,
        ),
        _ => {
            if let Some(m) = &d.map {
                diags.push(
                    Diag::new(DiagnosticKind::InvalidValue, m.span, format!("`map` applies only to enum and bool metrics, and `{}` is {}", metric.name, a_type(metric.kind.type_name())))
                        .with_help(format!("score `{}` with `curve = \"linear\"` (or \"steps\") and `points = [[x, y], ...]`", metric.name)),
                );
                return None;
            }
            let curve = required(diags, &d.curve, d.name.span, "curve", &what);
            let points = required(diags, &d.points, d.name.span, "points", &what);
            let pts = points.and_then(|p| compile_points(p, diags));
            let curve = curve?;
            match curve.v.as_str() {
                "linear" => Curve::Linear(pts?),
                "steps" => Curve::Steps(pts?),
                other => {
                    let help = did_you_mean(other, ["linear", "steps"])
                        .unwrap_or_else(|| "use `linear` or `steps`".into());
                    diags.push(
                        Diag::new(
                            DiagnosticKind::InvalidValue,
                            curve.span,
                            format!("unknown curve `{other}`"),
                        )
                        .with_help(help),
                    );
                    return None;
                }
            }
        }
    };
    Some(Dimension {
        name: d.name.v.clone(),
        metric: metric_idx,
        weight: weight?.v,
        curve,
        unit,
    })
}

fn compile_points(
    p: &Sp<Vec<raw::RawPoint>>,
    diags: &mut Diags,
) -> Option<Vec<(Decimal, Decimal)>> {
    if p.v.is_empty() {
        err(
            diags,
            DiagnosticKind::InvalidValue,
            p.span,
            "`points` needs at least one `[x, y]` pair",
        );
        return None;
    }
    if p.v.len() > MAX_POINTS {
        // blame the first point past the limit: the whole list is too long to show
        let span = p.v.get(MAX_POINTS).map_or(p.span, |pt| pt.span);
        err(
            diags,
            DiagnosticKind::Limit,
            span,
            format!(
                "a curve has {} points, more than the limit of {MAX_POINTS}",
                p.v.len()
            ),
        );
        return None;
    }
    let before = diags.list.len();
    let mut out: Vec<(Decimal, Decimal)> = Vec::with_capacity(p.v.len());
    for pt in &p.v {
        check_score(diags, &pt.y, "score");
        if let Some((px, py)) = out.last() {
            if pt.x.v <= *px {
                diags.push(
                    Diag::new(
                        DiagnosticKind::Ordering,
                        pt.x.span,
                        format!(
                            "x values must strictly increase, but {} follows {}",
                            pt.x.v, px
                        ),
                    )
                    .with_help("list points from the smallest x to the largest, each x once"),
                );
            } else {
                // interpolation multiplies an x distance by a y distance: keep it exact
                let fits =
                    pt.x.v
                        .checked_sub(*px)
                        .and_then(|dx| dx.checked_mul(Decimal::ONE_HUNDRED))
                        .and_then(|_| pt.y.v.checked_sub(*py));
                if fits.is_none() {
                    err(
                        diags,
                        DiagnosticKind::InvalidValue,
                        pt.span,
                        "this point is too far from the previous one for exact decimal arithmetic",
                    );
                }
            }
        }
        out.push((pt.x.v, pt.y.v));
    }
    (diags.list.len() == before).then_some(out)
}

fn map_curve(
    d: &RawDimension,
    metric: &str,
    values: &[String],
    is_bool: bool,
    diags: &mut Diags,
) -> Curve {
    let a_kind = if is_bool { "a bool" } else { "an enum" };
    let example = if is_bool {
        "`map = { true = 100, false = 0 }`".to_owned()
    } else {
        format!(
            "`map = {{ {} = 100, ... }}`",
            values.first().map_or("value", String::as_str)
        )
    };
    for (key, v) in [
        ("curve", d.curve.as_ref().map(|c| c.span)),
        ("points", d.points.as_ref().map(|p| p.span)),
    ] {
        if let Some(span) = v {
            diags.push(
                Diag::new(DiagnosticKind::InvalidValue, span, format!("`{key}` applies only to decimal, integer and date metrics, and `{metric}` is {a_kind}"))
                    .with_help(format!("score each value of `{metric}` with {example}")),
            );
        }
    }
    let Some(map) = &d.map else {
        // a curve in its place was reported above, and a misspelt or mistyped map where it is
        let reported =
            d.curve.is_some() || d.points.is_some() || diags.was_written(d.name.span, "map");
        if !reported {
            diags.push(
                Diag::new(
                    DiagnosticKind::MissingKey,
                    d.name.span,
                    format!("dimension `{}` is missing `map`", d.name.v),
                )
                .with_help(format!(
                    "`{metric}` is {a_kind}: score each value with {example}"
                )),
            );
        }
        return Curve::Map(Vec::new());
    };
    let mut scores: Vec<Option<Decimal>> = vec![None; values.len()];
    // values that a misspelt key was taken for: not reported as unscored as well
    let mut meant: Vec<&str> = Vec::new();
    for (k, s) in &map.v {
        check_score(diags, s, "score");
        let mut found = false;
        for (v, slot) in values.iter().zip(scores.iter_mut()) {
            if *v == k.v {
                *slot = Some(s.v);
                found = true;
            }
        }
        if !found {
            let suggestion = closest(&k.v, values.iter().map(String::as_str));
            if let Some(c) = suggestion {
                meant.push(c);
            }
            let help = suggestion
                .map(|c| format!("did you mean `{c}`?"))
                .unwrap_or_else(|| one_of(metric, values));
            diags.push(
                Diag::new(
                    DiagnosticKind::UnknownName,
                    k.span,
                    format!("`{}` is not a value of `{metric}`", k.v),
                )
                .with_help(help),
            );
        }
    }
    if let Some(def) = &d.map_default {
        check_score(diags, def, "score");
    }
    let default = d.map_default.as_ref().map(|x| x.v);
    let mut unmapped: Vec<&str> = Vec::new();
    for (v, s) in values.iter().zip(&scores) {
        if s.is_none() && !meant.contains(&v.as_str()) && !unmapped.contains(&v.as_str()) {
            unmapped.push(v);
        }
    }
    if default.is_none() && !unmapped.is_empty() {
        diags.push(
            Diag::new(
                DiagnosticKind::InvalidValue,
                map.span,
                format!(
                    "`map` of dimension `{}` does not score {}",
                    d.name.v,
                    unmapped
                        .iter()
                        .map(|u| format!("`{u}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_help("score every value, or add `default = N` inside the map"),
        );
    }
    Curve::Map(
        scores
            .into_iter()
            .map(|s| s.or(default).unwrap_or_default())
            .collect(),
    )
}

fn compile_cond(text: &Text, scope: &Scope<'_>, diags: &mut Diags) -> Option<Cond> {
    match expr::compile(text, scope) {
        Ok(c) => Some(c),
        Err(errors) => {
            diags.list.extend(errors);
            None
        }
    }
}

fn compile_tiers(raw: &RawPolicy, scope: &Scope<'_>, diags: &mut Diags) -> Vec<Tier> {
    let tiers_span = raw.tiers_span.unwrap_or_default();
    if raw.tiers.is_empty() {
        if diags.was_written(Span::default(), "tiers") {
            return Vec::new();
        }
        diags.push(
            Diag::new(
                DiagnosticKind::MissingKey,
                tiers_span,
                "the policy has no tiers",
            )
            .with_help(
                "add `[[tiers]]` from the highest to the floor, the last with `min_score = 0`",
            ),
        );
        return Vec::new();
    }
    if raw.tiers.len() > MAX_TIERS {
        // blame the first tier past the limit
        let span = raw.tiers.get(MAX_TIERS).map_or(tiers_span, |t| t.span);
        err(
            diags,
            DiagnosticKind::Limit,
            span,
            format!(
                "the policy has {} tiers, more than the limit of {MAX_TIERS}",
                raw.tiers.len()
            ),
        );
        return Vec::new();
    }
    let mut out = Vec::with_capacity(raw.tiers.len());
    let mut prev: Option<&Sp<Decimal>> = None;
    let mut seen: Vec<&Sp<String>> = Vec::new();
    let last = raw.tiers.len() - 1;
    for (i, t) in raw.tiers.iter().enumerate() {
        let id = required(diags, &t.id, t.span, "id", "a tier");
        if let Some(id) = id {
            if let Some(first) = seen.iter().find(|s| s.v == id.v) {
                diags.push(
                    Diag::new(
                        DiagnosticKind::Duplicate,
                        id.span,
                        format!("tier `{}` is defined twice", id.v),
                    )
                    .with_first(first.span)
                    .with_help("tier ids must be unique"),
                );
            } else if !is_id(&id.v) {
                diags.push(bad_id("tier", id));
            }
            seen.push(id);
        }
        let min = required(diags, &t.min_score, t.span, "min_score", "a tier");
        if let Some(m) = min {
            check_score(diags, m, "`min_score`");
            if let Some(p) = prev {
                if m.v >= p.v {
                    diags.push(
                        Diag::new(DiagnosticKind::Ordering, m.span, format!("`min_score` must strictly decrease from tier to tier, but {} follows {}", m.v, p.v))
                            .with_help("list tiers from the highest to the floor"),
                    );
                }
            }
            prev = Some(m);
        }
        if i == last {
            if let Some(m) = min {
                if !m.v.is_zero() {
                    diags.push(
                        Diag::new(DiagnosticKind::InvalidValue, m.span, format!("the last tier is the floor and must have `min_score = 0`, found {}", m.v))
                            .with_help("every customer must qualify for some tier"),
                    );
                }
            }
            if let Some(r) = t.require.as_ref().filter(|r| !r.v.is_empty()) {
                diags.push(
                    Diag::new(
                        DiagnosticKind::InvalidValue,
                        r.span,
                        "the floor tier cannot have `require`",
                    )
                    .with_help("every customer must qualify for the last tier"),
                );
            }
        }
        let mut require = Vec::new();
        if let Some(r) = &t.require {
            if r.v.len() > MAX_RULES {
                err(
                    diags,
                    DiagnosticKind::Limit,
                    r.span,
                    format!("more than {MAX_RULES} requirements"),
                );
            }
            for text in &r.v {
                if let Some(c) = compile_cond(text, scope, diags) {
                    require.push((text.text.clone(), c));
                }
            }
        }
        out.push(Tier {
            id: id.map(|i| i.v.clone()).unwrap_or_default(),
            name: t.name.as_ref().map(|n| n.v.clone()),
            min_score: min.map(|m| m.v).unwrap_or_default(),
            require,
        });
    }
    out
}

fn compile_adjustments(
    raw: &RawPolicy,
    tier_ids: &[String],
    scope: &Scope<'_>,
    diags: &mut Diags,
) -> Vec<Adjustment> {
    if raw.adjustments.len() > MAX_RULES {
        if let Some(a) = raw.adjustments.first() {
            err(
                diags,
                DiagnosticKind::Limit,
                a.span,
                format!("more than {MAX_RULES} adjustments"),
            );
        }
        return Vec::new();
    }
    let mut out = Vec::with_capacity(raw.adjustments.len());
    for a in &raw.adjustments {
        let when = required(diags, &a.when, a.span, "when", "an adjustment");
        let reason = required(diags, &a.reason, a.span, "reason", "an adjustment");
        let target = match (&a.at_least, &a.at_most) {
            (Some(t), None) => Some((AdjustKind::AtLeast, t)),
            (None, Some(t)) => Some((AdjustKind::AtMost, t)),
            (Some(_), Some(t)) => {
                diags.push(
                    Diag::new(
                        DiagnosticKind::InvalidValue,
                        t.span,
                        "an adjustment has either `at_least` or `at_most`, not both",
                    )
                    .with_help("split it into two adjustments, a floor and a cap"),
                );
                None
            }
            (None, None) => {
                if !diags.was_written(a.span, "at_least") && !diags.was_written(a.span, "at_most") {
                    diags.push(
                        Diag::new(DiagnosticKind::MissingKey, a.span, "an adjustment needs `at_least` (a floor) or `at_most` (a cap)")
                            .with_help("add `at_least = \"TIER\"` to raise customers to a tier, or `at_most = \"TIER\"` to cap them"),
                    );
                }
                None
            }
        };
        let tier = target.and_then(|(_, t)| resolve(diags, t, tier_ids, "tier"));
        let cond = when.and_then(|w| compile_cond(w, scope, diags));
        if let (Some(when), Some(cond), Some(reason), Some((kind, _)), Some(tier)) =
            (when, cond, reason, target, tier)
        {
            out.push(Adjustment {
                when_text: when.text.clone(),
                when: cond,
                kind,
                tier,
                reason: reason.v.clone(),
            });
        }
    }
    out
}

fn compile_tiering(raw: &RawPolicy, diags: &mut Diags) -> Tiering {
    let mut t = Tiering {
        downgrade_buffer: Decimal::ZERO,
        downgrade_grace_days: 0,
        max_downgrade_steps: None,
        pins_respect_caps: true,
    };
    let Some(r) = &raw.tiering else {
        return t;
    };
    if let Some(b) = &r.downgrade_buffer {
        if b.v < Decimal::ZERO || b.v > Decimal::ONE_HUNDRED {
            err(
                diags,
                DiagnosticKind::InvalidValue,
                b.span,
                format!(
                    "`downgrade_buffer` must be between 0 and 100 score points, found {}",
                    b.v
                ),
            );
        }
        t.downgrade_buffer = b.v;
    }
    if let Some(g) = &r.downgrade_grace_days {
        if !(0..=36_600).contains(&g.v) {
            err(
                diags,
                DiagnosticKind::InvalidValue,
                g.span,
                format!(
                    "`downgrade_grace_days` must be between 0 and 36600, found {}",
                    g.v
                ),
            );
        }
        t.downgrade_grace_days = g.v;
    }
    if let Some(s) = &r.max_downgrade_steps {
        // a limit above the number of tiers (at most 32) limits nothing: kept as the largest
        let steps = if s.v < 0 {
            None
        } else {
            Some(u16::try_from(s.v).unwrap_or(u16::MAX))
        };
        match steps {
            Some(v) => t.max_downgrade_steps = Some(v),
            None => err(
                diags,
                DiagnosticKind::InvalidValue,
                s.span,
                format!("`max_downgrade_steps` must be 0 or more, found {}", s.v),
            ),
        }
    }
    if let Some(p) = &r.pins_respect_caps {
        t.pins_respect_caps = p.v;
    }
    t
}
