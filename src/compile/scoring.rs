//! `[scoring]`: dimensions, their weights and curves (spec section 3).

use rust_decimal::Decimal;

use crate::error::{closest, did_you_mean, Diag, DiagnosticKind, Diags, Span};
use crate::model::{Curve, DateUnit, Dimension, MetricDef, MetricKind};
use crate::raw::{self, RawDimension, RawPolicy, Sp};

use super::metrics::{a_type, one_of};
use super::{err, required, resolve, MAX_POINTS};

pub(super) fn compile_scoring(
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

pub(super) fn check_score(diags: &mut Diags, v: &Sp<Decimal>, what: &str) {
    if v.v < Decimal::ZERO || v.v > Decimal::ONE_HUNDRED {
        err(
            diags,
            DiagnosticKind::InvalidValue,
            v.span,
            format!("{what} {} is outside 0 to 100", v.v),
        );
    }
}

pub(super) fn compile_dimension(
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
            if let Some(m) = d.map.as_ref().map(|m| &m.entries) {
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

pub(super) fn compile_points(
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

pub(super) fn map_curve(
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
    let Some(map) = d.map.as_ref().map(|m| &m.entries) else {
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
    if let Some(def) = d.map.as_ref().and_then(|m| m.default.as_ref()) {
        check_score(diags, def, "score");
    }
    let default = d.map.as_ref().and_then(|m| m.default.as_ref()).map(|x| x.v);
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
