//! Authoring benchmarks: simulating 100,000 customers against two policies, and running every
//! sample scenario file.
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark with a broken fixture should stop at once"
)]

mod common;

use std::hint::black_box;

use chrono::NaiveDate;
use common::population;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tierwise::scenario::Suite;
use tierwise::simulate::Simulation;
use tierwise::{Customer, Policy};

fn load(path: &str) -> Policy {
    Policy::from_toml_str(path, &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn benches(c: &mut Criterion) {
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let p = load("policies/ocean-shipping.toml");
    let text = std::fs::read_to_string("policies/ocean-shipping.toml")
        .unwrap()
        .replace("min_score = 80", "min_score = 78");
    let q = Policy::from_toml_str("ocean-78.toml", &text).unwrap();
    let n = 100_000;
    let for_p = population(&p, n);
    let for_q = population(&q, n);
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("simulate_100k_two_policies", |b| {
        b.iter(|| {
            let mut sim = Simulation::compare(&p, &q, as_of).keep_movers(20);
            for (a, z) in for_p.iter().zip(&for_q) {
                let mut first = true;
                let _ = sim.add(|policy: &Policy| -> Result<&Customer, ()> {
                    let pick = if first { a } else { z };
                    first = false;
                    let _ = policy;
                    Ok(pick)
                });
            }
            black_box(sim.finish().moved())
        })
    });
    group.finish();

    let suites: Vec<(Policy, String)> = ["ocean-shipping", "logistics-3pl", "express-parcel"]
        .iter()
        .map(|name| {
            (
                load(&format!("policies/{name}.toml")),
                std::fs::read_to_string(format!("policies/{name}.tests.toml")).unwrap(),
            )
        })
        .collect();
    c.bench_function("run_all_sample_scenarios", |b| {
        b.iter(|| {
            let mut passed = 0;
            for (policy, text) in &suites {
                let suite = Suite::from_toml_str("scenarios.tests.toml", text, policy).unwrap();
                passed += suite.run().passed();
            }
            assert_eq!(passed, 32);
            passed
        })
    });
}

criterion_group!(authoring, benches);
criterion_main!(authoring);
