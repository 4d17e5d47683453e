//! Batch benchmarks: `classify_batch` (sequential) and, with the `parallel` feature,
//! `classify_par`, on 1k, 100k and 1M customers made by cycling the 1,200 sample rows of
//! `data/customers.csv` under new ids.
//!
//! cargo bench --features parallel --bench batch -- --warm-up-time 1 --measurement-time 4
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark with a broken fixture should stop at once"
)]

mod common;

use std::hint::black_box;

use chrono::NaiveDate;
use common::population;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tierwise::Policy;

const POLICY: &str = "policies/ocean-shipping.toml";
const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];

fn benches(c: &mut Criterion) {
    let text = std::fs::read_to_string(POLICY).unwrap();
    let policy = Policy::from_toml_str(POLICY, &text).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let all = population(&policy, SIZES[SIZES.len() - 1]);
    let mut out = Vec::with_capacity(all.len());
    let mut group = c.benchmark_group("classify_batch");
    for n in SIZES {
        let customers = &all[..n];
        group.throughput(Throughput::Elements(n as u64));
        if n >= 100_000 {
            // at least 20 batches: on a shared machine a median of fewer moves with the host
            group.sample_size(20);
        }
        group.bench_with_input(BenchmarkId::new("sequential", n), customers, |b, cs| {
            b.iter(|| {
                policy.classify_batch(black_box(cs), as_of, &mut out);
                out.len()
            })
        });
        #[cfg(feature = "parallel")]
        group.bench_with_input(BenchmarkId::new("parallel", n), customers, |b, cs| {
            b.iter(|| {
                policy.classify_par(black_box(cs), as_of, &mut out);
                out.len()
            })
        });
    }
    group.finish();
}

criterion_group!(batch, benches);
criterion_main!(batch);
