//! Service benchmarks: SLA deadlines on a business calendar (4 hours, 3 business days across
//! a weekend and a holiday, 30 business days, 30 business days with 0 to 10,000 pauses) and
//! service + routing resolution; case timelines: one case's status, and 100,000 open cases
//! scanned for milestones breached or due within an hour.
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark with a broken fixture should stop at once"
)]

use std::hint::black_box;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use tierwise::Policy;

fn benches(c: &mut Criterion) {
    let path = "policies/ocean-shipping.toml";
    let text = std::fs::read_to_string(path).unwrap();
    let policy = Policy::from_toml_str(path, &text).unwrap();
    let cal = policy.calendar("cn_business").unwrap().clone();
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    let hour = 3600;
    // a Thursday before Qingming (2026-04-04..06, Sat-Mon) and a weekend
    let thursday = at("2026-04-02T07:00:00Z");
    c.bench_function("deadline_4h", |b| {
        b.iter(|| {
            cal.add_open_time(black_box(thursday), 4 * hour, &[])
                .unwrap()
        })
    });
    c.bench_function("deadline_3_business_days_weekend_holiday", |b| {
        b.iter(|| {
            cal.add_open_time(black_box(thursday), 3 * 8 * hour, &[])
                .unwrap()
        })
    });
    let march = at("2026-03-02T01:00:00Z");
    c.bench_function("deadline_30_business_days", |b| {
        b.iter(|| {
            cal.add_open_time(black_box(march), 30 * 8 * hour, &[])
                .unwrap()
        })
    });
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let customer = policy
        .customer("C1")
        .set("annual_teu", "12500")
        .set("customer_since", "2010-04-01")
        .set("gross_margin_pct", "14.5")
        .set("influence", "national_leader")
        .set("credit_rating", "A")
        .build()
        .unwrap();
    let case = policy
        .case("exception", at("2026-06-30T02:00:00Z"))
        .severity("level2")
        .build()
        .unwrap();
    c.bench_function("resolve_service_and_route", |b| {
        b.iter(|| {
            let r = policy.resolve(black_box(&customer), as_of).unwrap();
            let route = policy
                .route(&customer, &r, black_box(&case))
                .unwrap()
                .unwrap();
            (r.tier(), route.queue().len())
        })
    });
    // the same without tiering: the service and route of an already classified customer
    let resolution = policy.resolve(&customer, as_of).unwrap();
    c.bench_function("service_and_route_of_a_resolution", |b| {
        b.iter(|| {
            let s = policy.service(black_box(&resolution)).unwrap().unwrap();
            let route = policy
                .route(&customer, &resolution, black_box(&case))
                .unwrap()
                .unwrap();
            (
                s.review_every_days(),
                s.benefits().count(),
                route.queue().len(),
            )
        })
    });
    let standard = policy.tier_by_id("standard").unwrap();
    c.bench_function("deadline_via_policy_sla", |b| {
        b.iter(|| policy.deadline(standard, black_box(&case), 1).unwrap())
    });

    // 30 business days with N one-minute pauses, contiguous and listed in reverse order (the
    // worst case of the old pause scan, which rescanned the list for every interval walked)
    let mut group = c.benchmark_group("deadline_30_business_days_with_pauses");
    for n in [0usize, 10, 100, 1_000, 10_000] {
        let pauses: Vec<(DateTime<Utc>, DateTime<Utc>)> = (0..n)
            .rev()
            .map(|i| {
                let minute = chrono::Duration::minutes(i64::try_from(i).unwrap());
                let from = march + minute;
                (from, from + chrono::Duration::minutes(1))
            })
            .collect();
        group.bench_with_input(BenchmarkId::from_parameter(n), &pauses, |b, pauses| {
            b.iter(|| {
                cal.add_open_time(black_box(march), 30 * 8 * hour, pauses)
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn timelines(c: &mut Criterion) {
    use tierwise::sla::{due_within, Event, Timeline};
    let path = "policies/ocean-shipping.toml";
    let policy = Policy::from_toml_str(path, &std::fs::read_to_string(path).unwrap()).unwrap();
    let tiers: Vec<_> = policy.tiers().map(|(id, _)| id).collect();
    let start = "2026-06-22T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
    let minute = chrono::Duration::minutes(1);
    // open cases spread over a week, each with a few events
    let n = 100_000;
    let cases: Vec<(usize, Timeline)> = (0..n)
        .map(|i| {
            let opened = start + minute * i32::try_from(i % 10_080).unwrap();
            let tier = *tiers.get(i % tiers.len()).unwrap();
            let (kind, severity) = match i % 4 {
                0 => ("complaint", "routine"),
                1 => ("complaint", "major"),
                2 => ("exception", "level1"),
                _ => ("exception", "level2"),
            };
            let case = policy
                .case(kind, opened)
                .severity(severity)
                .build()
                .unwrap();
            let mut t = policy.timeline(tier, &case).unwrap();
            let first = if kind == "complaint" {
                "acknowledge"
            } else {
                "first_response"
            };
            t.record(opened + minute * 10, Event::Met(first)).unwrap();
            if i % 3 == 0 {
                t.record(opened + minute * 20, Event::Paused).unwrap();
                t.record(opened + minute * 50, Event::Resumed).unwrap();
            }
            (i, t)
        })
        .collect();
    let at = start + chrono::Duration::days(7);
    let mut group = c.benchmark_group("timelines");
    group.sample_size(10);
    group.bench_function("due_within_1h_100k_open_cases", |b| {
        b.iter(|| {
            black_box(
                due_within(
                    cases.iter().map(|(i, t)| (*i, t)),
                    at,
                    chrono::Duration::hours(1),
                )
                .len(),
            )
        })
    });
    let one = &cases.get(1).unwrap().1;
    group.bench_function("status_one_case", |b| {
        b.iter(|| black_box(one.status(black_box(at)).unwrap().milestones().len()))
    });
    group.finish();
}

criterion_group!(service, benches, timelines);
criterion_main!(service);
