//! Classifying a customer (without a trace), resolving its service, routing a case and
//! computing a deadline do not allocate: counted with dhat's allocator in testing mode.

use chrono::{DateTime, NaiveDate, Utc};
use tierwise::Policy;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

#[test]
fn hot_paths_do_not_allocate() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let text = std::fs::read_to_string("policies/ocean-shipping.toml").unwrap();
    let policy = Policy::from_toml_str("policies/ocean-shipping.toml", &text).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let customer = policy
        .customer("C1")
        .set("annual_teu", "1250")
        .set("customer_since", "2019-04-01")
        .set("gross_margin_pct", "9.5")
        .set("influence", "national_leader")
        .set("credit_rating", "A")
        .previous_tier("vip")
        .tier_since(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap())
        .last_qualified(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap())
        .build()
        .unwrap();
    let opened: DateTime<Utc> = "2026-11-20T09:30:00Z".parse().unwrap();
    let case = policy
        .case("complaint", opened)
        .severity("major")
        .build()
        .unwrap();
    let vip = policy.tier_by_id("vip").unwrap();
    let standard = policy.tier_by_id("standard").unwrap();

    // warm up anything lazily initialised (time zone data)
    let warm = policy.resolve(&customer, as_of).unwrap();
    policy.deadline(standard, &case, 2).unwrap();
    policy.route(&customer, &warm, &case).unwrap();

    let before = blocks();
    let mut checksum = 0usize;
    for _ in 0..100 {
        let a = policy.classify(&customer, as_of).unwrap();
        checksum += a.tier().rank();
    }
    assert_eq!(blocks(), before, "classify allocated");

    let before = blocks();
    let r = policy.resolve(&customer, as_of).unwrap();
    let route = policy.route(&customer, &r, &case).unwrap().unwrap();
    checksum += route.queue().len();
    assert_eq!(blocks(), before, "resolve or route allocated");

    let before = blocks();
    for m in 0..4 {
        let d = policy.deadline(standard, &case, m).unwrap();
        checksum += d.milestone().len();
        let d = policy.deadline(vip, &case, m).unwrap();
        checksum += d.milestone().len();
    }
    assert_eq!(blocks(), before, "deadline allocated");
    assert!(checksum > 0);

    // the counter does see allocations: a trace allocates
    let before = blocks();
    let e = policy.explain(&customer, as_of).unwrap();
    assert!(blocks() > before, "the allocation counter saw nothing");
    assert_eq!(e.tier(), "vip");
}
