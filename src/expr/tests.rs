//! Tests of the condition language.

use super::*;
use crate::model::{MetricDef, MetricKind};

fn metric(name: &str, kind: MetricKind) -> MetricDef {
    MetricDef {
        name: name.to_owned(),
        bounds: crate::model::PlainBounds::of(&kind),
        kind,
        default: None,
        required: true,
        unit: None,
        scale: 0,
    }
}

struct Names {
    metrics: Vec<MetricDef>,
    dimensions: Vec<String>,
    tiers: Vec<String>,
    none: Vec<String>,
}

fn names() -> Names {
    Names {
        metrics: vec![
            metric(
                "annual_teu",
                MetricKind::Decimal {
                    min: None,
                    max: None,
                },
            ),
            metric("strategic", MetricKind::Bool),
            metric(
                "influence",
                MetricKind::Enum {
                    values: vec!["global".into(), "local".into()],
                },
            ),
        ],
        dimensions: vec!["volume".into()],
        tiers: vec!["vip".into(), "standard".into()],
        none: Vec::new(),
    }
}

fn scope(n: &Names) -> Scope<'_> {
    Scope {
        metrics: &n.metrics,
        dimensions: &n.dimensions,
        tiers: &n.tiers,
        case_kinds: &n.none,
        severities: &n.none,
        channels: &n.none,
        allow_tier: false,
        allow_case: false,
        place: "a tier's `require`",
    }
}

/// The diagnostics of a condition that must fail: (message, help, byte range in the file).
fn errors(cond: &str) -> Vec<(String, Option<String>, std::ops::Range<usize>)> {
    let n = names();
    match compile(&Text::quoted(cond), &scope(&n)) {
        Ok(c) => panic!("`{cond}` compiled to {c:?}"),
        Err(e) => e
            .into_iter()
            .map(|d| (d.message, d.help, d.span.range()))
            .collect(),
    }
}

#[test]
fn compiled_conditions_read_the_metrics_they_name() {
    let n = names();
    let c = compile(
        &Text::quoted("annual_teu > 5 and not strategic or influence in ['global']"),
        &scope(&n),
    )
    .unwrap();
    assert!(c.mentions_metric(0) && c.mentions_metric(1) && c.mentions_metric(2));
    let c = compile(&Text::quoted("dimension.volume >= 70"), &scope(&n)).unwrap();
    assert!(!c.mentions_metric(0));
}

#[test]
fn errors_point_into_the_condition() {
    // the file holds `'anual_teu > 5'`: the name starts after the quote
    let e = errors("anual_teu > 5");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].0, "unknown metric `anual_teu`");
    assert_eq!(e[0].1.as_deref(), Some("did you mean `annual_teu`?"));
    assert_eq!(e[0].2, 1..10);

    let e = errors("influence == 'globl'");
    assert_eq!(e[0].0, "`globl` is not a value of `influence`");
    assert_eq!(e[0].2, 14..21);

    let e = errors("influence == 'x' or strategic > true");
    assert_eq!(e.len(), 2, "{e:?}");
    assert_eq!(e[0].1.as_deref(), Some("expected one of `global`, `local`"));
    assert_eq!(e[1].0, "booleans cannot be ordered with `>`");

    // a dimension without its prefix, a boolean in capitals
    let e = errors("volume >= 50");
    assert_eq!(e[0].0, "unknown metric `volume`");
    assert_eq!(e[0].1.as_deref(), Some("did you mean `dimension.volume`?"));
    let e = errors("strategic == True");
    assert_eq!(e[0].1.as_deref(), Some("did you mean `true`?"));

    // each bad element of an `in` list is pointed at itself
    let e = errors("influence in [1, 2]");
    let spans: Vec<_> = e.iter().map(|x| x.2.clone()).collect();
    assert_eq!(spans, [15..16, 18..19], "{e:?}");
}

#[test]
fn literals_and_names_in_the_wrong_place() {
    let e = errors("tier == 'vip'");
    assert_eq!(e[0].0, "`tier` cannot be used in a tier's `require`");
    let e = errors("annual_teu >= '500'");
    assert_eq!(
        e[0].1.as_deref(),
        Some("write the number without quotes: 500")
    );
    let e = errors("7");
    assert_eq!(e[0].0, "`7` is a number, not a condition");
    let e = errors("dimension.margin > 1");
    assert_eq!(e[0].1.as_deref(), Some("the dimensions are `volume`"));
}

#[test]
fn a_metric_whose_declaration_failed_is_not_checked_again() {
    let mut n = names();
    n.metrics[0] = metric("annual_teu", MetricKind::Unresolved);
    let e = compile(&Text::quoted("annual_teu > 5"), &scope(&n)).unwrap_err();
    assert!(e.is_empty(), "{e:?}");
}
