//! Analysis benchmarks (spec sections 15 and 16): loading each sample policy (compiling and
//! analysing it), its witnesses, and next-tier guidance for one customer beside classifying it.
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark with a broken fixture should stop at once"
)]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use tierwise::Policy;

fn load(path: &str) -> Policy {
    Policy::from_toml_str(path, &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn benches(c: &mut Criterion) {
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let mut group = c.benchmark_group("analysis");
    for name in ["ocean-shipping", "logistics-3pl", "express-parcel"] {
        let path = format!("policies/{name}.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        // compile + analysis: `Policy` runs the analysis as it is built
        group.bench_function(format!("load_and_analyse/{name}"), |b| {
            b.iter(|| {
                black_box(
                    Policy::from_toml_str(&path, &text)
                        .unwrap()
                        .warnings()
                        .len(),
                )
            })
        });
        let p = load(&path);
        group.bench_function(format!("witnesses/{name}"), |b| {
            b.iter(|| black_box(p.witnesses(as_of).len()))
        });
    }
    let p = load("policies/ocean-shipping.toml");
    let vip = p.tier_by_id("vip").unwrap();
    let key = p.tier_by_id("key").unwrap();
    // C00003 of the sample: key, short of vip by points and the margin gate
    let near = p
        .customer("C00003")
        .set("annual_teu", "4381")
        .set("customer_since", "2019-03-14")
        .set("gross_margin_pct", "7.6")
        .set("influence", "national_leader")
        .set("credit_rating", "A")
        .build()
        .unwrap();
    group.bench_function("guidance_one_customer_to_vip", |b| {
        b.iter(|| black_box(p.guidance(black_box(&near), as_of, vip).unwrap()))
    });
    let far = p
        .customer("C00001")
        .set("annual_teu", "17")
        .set("customer_since", "2017-11-22")
        .set("gross_margin_pct", "5.7")
        .set("influence", "local")
        .set("credit_rating", "A")
        .build()
        .unwrap();
    group.bench_function("guidance_one_customer_to_key", |b| {
        b.iter(|| black_box(p.guidance(black_box(&far), as_of, key).unwrap()))
    });
    group.bench_function("classify_one_customer", |b| {
        b.iter(|| black_box(p.classify(black_box(&far), as_of).unwrap()))
    });
    group.finish();
}

criterion_group!(analysis, benches);
criterion_main!(analysis);
