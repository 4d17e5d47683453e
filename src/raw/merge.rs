//! Merging an included file into the including one (spec section 12): tables merge key by
//! key, named entries (metrics, dimensions, services, ...) by name, and anything defined in
//! two files is an error that names both places.

use super::{RawPolicy, Sp};
use crate::error::{Diag, DiagnosticKind, Diags, Span};

fn twice(diags: &mut Diags, what: String, at: Span, first: Span) {
    diags.push(
        Diag::new(
            DiagnosticKind::Duplicate,
            at,
            format!("{what} is defined twice"),
        )
        .with_first(first),
    );
}

/// Takes `from` into `into` when `into` has none; reports a definition in both.
fn key<T>(diags: &mut Diags, name: &str, into: &mut Option<Sp<T>>, from: Option<Sp<T>>) {
    match (into.as_ref(), from) {
        (Some(a), Some(b)) => twice(diags, format!("`{name}`"), b.span, a.span),
        (None, Some(b)) => *into = Some(b),
        (_, None) => {}
    }
}

/// Appends named entries, reporting a name defined in both.
fn named<T>(
    diags: &mut Diags,
    what: &str,
    into: &mut Vec<T>,
    from: Vec<T>,
    name: impl Fn(&T) -> &Sp<String>,
) {
    for item in from {
        let n = name(&item);
        if let Some(existing) = into.iter().find(|e| name(e).v == n.v) {
            twice(
                diags,
                format!("{what} `{}`", n.v),
                n.span,
                name(existing).span,
            );
        } else {
            into.push(item);
        }
    }
}

fn top_span(raw: &RawPolicy, key: &str) -> Option<Span> {
    raw.tops.iter().find(|(k, _)| k == key).map(|(_, s)| *s)
}

/// Takes a list of rules (`[[tiers]]`, `[[sla]]`, ...) from `from` when `into` has none; a
/// list written in two files is an error, since its order across files would be a guess.
fn rules<T>(
    diags: &mut Diags,
    key: &str,
    into: &mut Vec<T>,
    from: Vec<T>,
    spans: (Option<Span>, Option<Span>),
) {
    if from.is_empty() {
        return;
    }
    if into.is_empty() {
        *into = from;
        return;
    }
    if let (Some(first), Some(at)) = spans {
        diags.push(
            Diag::new(
                DiagnosticKind::Duplicate,
                at,
                format!("`[[{key}]]` is defined in two files"),
            )
            .with_help("keep all of a list's entries in one file, where their order is plain")
            .with_first(first),
        );
    }
}

/// Merges the policy read from an included file into the including one.
pub(crate) fn merge(into: &mut RawPolicy, from: RawPolicy, diags: &mut Diags) {
    let spans = |k: &str| (top_span(into, k), top_span(&from, k));
    let tiers_spans = spans("tiers");
    let adjustments_spans = spans("adjustments");
    let grants_spans = spans("grants");
    let sla_spans = spans("sla");
    let routing_spans = spans("routing");
    let escalation_spans = spans("escalation");
    let RawPolicy {
        header,
        metrics,
        metrics_span,
        scoring,
        tiers,
        tiers_span,
        adjustments,
        tiering,
        benefits,
        services,
        grants,
        calendars,
        cases,
        sla,
        routing,
        escalation,
        tops,
    } = from;
    match (&mut into.header, header) {
        (Some(a), Some(b)) => {
            key(diags, "id", &mut a.id, b.id);
            key(diags, "version", &mut a.version, b.version);
            key(diags, "name", &mut a.name, b.name);
            key(
                diags,
                "effective_from",
                &mut a.effective_from,
                b.effective_from,
            );
            key(
                diags,
                "effective_until",
                &mut a.effective_until,
                b.effective_until,
            );
            key(diags, "timezone", &mut a.timezone, b.timezone);
        }
        (None, Some(b)) => into.header = Some(b),
        (_, None) => {}
    }
    named(diags, "metric", &mut into.metrics, metrics, |m| &m.name);
    if into.metrics_span.is_none() {
        into.metrics_span = metrics_span;
    }
    match (&mut into.scoring, scoring) {
        (Some(a), Some(b)) => {
            key(diags, "precision", &mut a.precision, b.precision);
            key(diags, "missing", &mut a.missing, b.missing);
            named(diags, "dimension", &mut a.dimensions, b.dimensions, |d| {
                &d.name
            });
            if a.dimensions_span.is_none() {
                a.dimensions_span = b.dimensions_span;
            }
        }
        (None, Some(b)) => into.scoring = Some(b),
        (_, None) => {}
    }
    if into.tiers.is_empty() && !tiers.is_empty() {
        into.tiers_span = tiers_span;
    }
    rules(diags, "tiers", &mut into.tiers, tiers, tiers_spans);
    rules(
        diags,
        "adjustments",
        &mut into.adjustments,
        adjustments,
        adjustments_spans,
    );
    match (&mut into.tiering, tiering) {
        (Some(a), Some(b)) => {
            key(
                diags,
                "downgrade_buffer",
                &mut a.downgrade_buffer,
                b.downgrade_buffer,
            );
            key(
                diags,
                "downgrade_grace_days",
                &mut a.downgrade_grace_days,
                b.downgrade_grace_days,
            );
            key(
                diags,
                "max_downgrade_steps",
                &mut a.max_downgrade_steps,
                b.max_downgrade_steps,
            );
            key(
                diags,
                "pins_respect_caps",
                &mut a.pins_respect_caps,
                b.pins_respect_caps,
            );
        }
        (None, Some(b)) => into.tiering = Some(b),
        (_, None) => {}
    }
    named(diags, "benefit", &mut into.benefits, benefits, |b| &b.id);
    named(diags, "service", &mut into.services, services, |s| &s.tier);
    rules(diags, "grants", &mut into.grants, grants, grants_spans);
    named(diags, "calendar", &mut into.calendars, calendars, |c| {
        &c.name
    });
    named(diags, "case", &mut into.cases, cases, |c| &c.kind);
    rules(diags, "sla", &mut into.sla, sla, sla_spans);
    rules(diags, "routing", &mut into.routing, routing, routing_spans);
    rules(
        diags,
        "escalation",
        &mut into.escalation,
        escalation,
        escalation_spans,
    );
    into.tops.extend(tops);
}
