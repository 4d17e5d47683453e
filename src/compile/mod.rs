//! Compiling: a read policy (`raw`) into the compiled model (`model`), collecting every
//! diagnostic of the file at once.

mod calendars;
mod cases;
mod escalation;
#[cfg(feature = "fs")]
pub(crate) mod fs;
mod metrics;
mod places;
mod scoring;
mod services;
mod tiers;

use metrics::compile_metrics;
use scoring::compile_scoring;
use tiers::{compile_adjustments, compile_tiering, compile_tiers};

use std::str::FromStr;
use std::sync::Arc;

use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::duration::BusinessDuration;
use crate::error::{did_you_mean, Diag, DiagnosticKind, Diags, LoadError, Source, Span};
use crate::expr::{self, Scope};
use crate::model::{Compiled, Cond, Origin};
use crate::raw::{self, RawPolicy, Sp, Text};

/// Largest policy file accepted.
pub(crate) const MAX_FILE_BYTES: usize = 1024 * 1024;
/// Most tiers a policy may have.
pub(crate) const MAX_TIERS: usize = 32;
/// Most points a curve may have.
pub(crate) const MAX_POINTS: usize = 256;
/// Most rules of any one kind.
pub(crate) const MAX_RULES: usize = 10_000;

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
                c.places = places::of(&raw, sources);
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
                                .enumerate()
                                // a name that was left out (reported where it is missing), and
                                // one defined twice (reported as a duplicate) is named once
                                .filter(|(i, n)| !n.is_empty()
                                    && !list.iter().take(*i).any(|m| m == *n))
                                .map(|(_, n)| format!("`{n}`"))
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
        identity: crate::model::PolicyIdentity::default(),
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
        places: Default::default(),
        warnings: Vec::new(),
        dimension_highest: Vec::new(),
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

/// A duration of the policy, or a located diagnostic.
fn duration(diags: &mut Diags, s: &Sp<String>) -> Option<BusinessDuration> {
    match BusinessDuration::from_str(&s.v) {
        Ok(d) => Some(d),
        Err(e) => {
            diags.push(
                Diag::new(DiagnosticKind::InvalidValue, s.span, e.to_string())
                    .with_help("write a whole number and a unit `s`, `m`, `h` or `d`, like \"30m\" or \"1h30m\""),
            );
            None
        }
    }
}

/// A condition compiled in `scope`, or its diagnostics.
fn cond(diags: &mut Diags, text: &Text, scope: &Scope<'_>) -> Option<Cond> {
    match expr::compile(text, scope) {
        Ok(c) => Some(c),
        Err(e) => {
            diags.list.extend(e);
            None
        }
    }
}

/// Whether a list of rules is within [`MAX_RULES`]; reports the first rule if not.
fn limit<T>(diags: &mut Diags, list: &[T], span: impl Fn(&T) -> Span, what: &str) -> bool {
    if list.len() > MAX_RULES {
        if let Some(first) = list.first() {
            err(
                diags,
                DiagnosticKind::Limit,
                span(first),
                format!("more than {MAX_RULES} {what}"),
            );
        }
        return false;
    }
    true
}
