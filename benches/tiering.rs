//! Tiering benchmarks: policy load+compile, classify one customer with and without a trace,
//! classify the 1,000-customer sample, build typed customers (fresh and reusing) and classify them.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark with a broken fixture should stop at once"
)]

mod common;

use std::hint::black_box;

use chrono::NaiveDate;
use common::population;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tierwise::rust_decimal::Decimal;
use tierwise::{CustomerBuilder, InputValue, MetricId, Policy, TierId};

const POLICY: &str = "policies/ocean-shipping.toml";

fn policy() -> (Policy, String) {
    let text = std::fs::read_to_string(POLICY).unwrap();
    (Policy::from_toml_str(POLICY, &text).unwrap(), text)
}

/// The fields of a service's own customer type, resolved once: metrics, enum values and
/// tiers by number.
struct Typed {
    ids: [MetricId; 5],
    vip: TierId,
    national: InputValue,
    rating_a: InputValue,
    since: NaiveDate,
    last: NaiveDate,
}

impl Typed {
    /// Sets the five metrics, a previous tier and the date it was last qualified for.
    #[inline(always)]
    fn fill<'p>(&self, b: CustomerBuilder<'p>) -> CustomerBuilder<'p> {
        b.set_metric(self.ids[0], Decimal::from(1250))
            .set_metric(self.ids[1], self.since)
            .set_metric(self.ids[2], Decimal::new(95, 1))
            .set_metric(self.ids[3], self.national.clone())
            .set_metric(self.ids[4], self.rating_a.clone())
            .previous_tier_id(self.vip)
            .last_qualified(self.last)
    }
}

fn benches(c: &mut Criterion) {
    let (policy, text) = policy();
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    c.bench_function("load_compile_sample_policy", |b| {
        b.iter(|| Policy::from_toml_str(POLICY, black_box(&text)).unwrap())
    });
    let one = policy
        .customer("C1")
        .set("annual_teu", "1250")
        .set("customer_since", "2019-04-01")
        .set("gross_margin_pct", "9.5")
        .set("influence", "national_leader")
        .set("credit_rating", "A")
        .previous_tier("vip")
        .last_qualified(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap())
        .build()
        .unwrap();
    c.bench_function("classify_one", |b| {
        b.iter(|| policy.classify(black_box(&one), as_of).unwrap())
    });
    // a service's own struct, its fields set by metric number (resolved once) and classified
    let ids = [
        "annual_teu",
        "customer_since",
        "gross_margin_pct",
        "influence",
        "credit_rating",
    ]
    .map(|m| policy.metric_id(m).unwrap());
    let typed = Typed {
        ids,
        vip: policy.tier_by_id("vip").unwrap(),
        national: policy.enum_value(ids[3], "national_leader").unwrap(),
        rating_a: policy.enum_value(ids[4], "A").unwrap(),
        since: NaiveDate::from_ymd_opt(2019, 4, 1).unwrap(),
        last: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
    };
    c.bench_function("build_typed_and_classify_one", |b| {
        b.iter(|| {
            let customer = typed.fill(policy.customer("C1")).build().unwrap();
            policy.classify(black_box(&customer), as_of).unwrap()
        })
    });
    // the same, each customer built into the allocations of the one before
    // (`customer_reusing`), as a service building one customer after another can
    let mut spent = Some(one.clone());
    c.bench_function("build_typed_reusing_and_classify_one", |b| {
        b.iter(|| {
            let builder = policy.customer_reusing("C1", spent.take().unwrap());
            let customer = typed.fill(builder).build().unwrap();
            let tier = policy.classify(black_box(&customer), as_of).unwrap().tier();
            spent = Some(customer);
            tier
        })
    });
    c.bench_function("classify_one_with_trace", |b| {
        b.iter(|| policy.explain(black_box(&one), as_of).unwrap())
    });
    let customers = population(&policy, 1000);
    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Elements(customers.len() as u64));
    group.bench_function("classify_sample_1000", |b| {
        b.iter(|| {
            let mut counts = [0u32; 8];
            for cust in &customers {
                let a = policy.classify(cust, as_of).unwrap();
                counts[a.tier().rank()] += 1;
            }
            counts
        })
    });
    group.finish();
}

criterion_group!(tiering, benches);
criterion_main!(tiering);
