//! The batch API (`classify_batch`, `classify_iter`, and `classify_par` with the `parallel`
//! feature) and the streaming `Simulation` on the 1,200 sample customers of
//! `data/customers.csv` with `policies/ocean-shipping.toml` on 2026-06-30.
#![expect(
    clippy::unwrap_used,
    reason = "helpers building fixtures fail the test by panicking"
)]

use chrono::NaiveDate;
use tierwise::simulate::Simulation;
use tierwise::{Customer, Policy};

const POLICY: &str = "policies/ocean-shipping.toml";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

fn policy() -> Policy {
    let text = std::fs::read_to_string(POLICY).unwrap();
    Policy::from_toml_str(POLICY, &text).unwrap()
}

/// The sample rows as (id, [(column, value)]), empty cells left out.
fn rows() -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = csv::Reader::from_path("data/customers.csv").unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            let fields = headers
                .iter()
                .zip(row.iter())
                .skip(1)
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect();
            (row.get(0).unwrap().to_owned(), fields)
        })
        .collect()
}

fn build(policy: &Policy, id: &str, fields: &[(String, String)]) -> Customer {
    let mut b = policy.customer(id);
    for (h, v) in fields {
        b = b.set(h, v.as_str());
    }
    b.build().unwrap()
}

fn sample(policy: &Policy) -> Vec<Customer> {
    rows()
        .iter()
        .map(|(id, fields)| build(policy, id, fields))
        .collect()
}

#[test]
fn batch_and_iterator_give_one_result_per_customer_in_order() {
    let policy = policy();
    let customers = sample(&policy);
    assert_eq!(customers.len(), 1200);
    let one_by_one: Vec<_> = customers
        .iter()
        .map(|c| policy.classify(c, as_of()))
        .collect();

    // the output is refilled, its capacity reused; results of an earlier call never survive
    // (the first call classifies other customers than the slots it leaves)
    let mut out = Vec::new();
    policy.classify_batch(&customers[600..610], as_of(), &mut out);
    assert_eq!(out.len(), 10);
    assert_ne!(out[..], one_by_one[..10]);
    policy.classify_batch(&customers, as_of(), &mut out);
    assert_eq!(out, one_by_one);
    let capacity = out.capacity();
    policy.classify_batch(&customers[..600], as_of(), &mut out);
    assert_eq!(out.len(), 600);
    assert_eq!(out.capacity(), capacity);

    // borrowed and owned items
    let lazily: Vec<_> = policy.classify_iter(&customers, as_of()).collect();
    assert_eq!(lazily, one_by_one);
    let owned: Vec<_> = policy.classify_iter(customers.clone(), as_of()).collect();
    assert_eq!(owned, one_by_one);
}

#[test]
fn a_customer_record_fits_one_cache_line() {
    // a large batch streams every record through memory: the record must stay this small
    // (the metric values live in one separate slice); see "How the 1M speed-up went up" in
    // BENCHMARKS.md
    assert!(std::mem::size_of::<Customer>() <= 64);
}

#[test]
fn every_customer_of_a_batch_has_a_result_or_an_error_naming_it() {
    let policy = policy();
    let rows = rows();
    // every 37th customer starts in the future: an evaluation error
    let customers: Vec<Customer> = rows
        .iter()
        .enumerate()
        .map(|(i, (id, fields))| {
            let mut fields = fields.clone();
            if i % 37 == 0 {
                for (h, v) in &mut fields {
                    if h == "customer_since" {
                        *v = "2030-01-01".to_owned();
                    }
                }
            }
            build(&policy, id, &fields)
        })
        .collect();
    let mut out = Vec::new();
    policy.classify_batch(&customers, as_of(), &mut out);
    assert_eq!(out.len(), customers.len());
    for (i, (c, r)) in customers.iter().zip(&out).enumerate() {
        match r {
            Ok(_) => assert_ne!(i % 37, 0, "{}", c.id()),
            Err(e) => {
                assert_eq!(i % 37, 0, "{e}");
                assert_eq!(e.customer(), c.id());
            }
        }
    }
    assert_eq!(
        out.iter().filter(|r| r.is_err()).count(),
        1200_usize.div_ceil(37)
    );
}

#[cfg(feature = "parallel")]
#[test]
fn parallel_results_are_identical_and_in_input_order() {
    let policy = policy();
    let customers = sample(&policy);
    let mut sequential = Vec::new();
    policy.classify_batch(&customers, as_of(), &mut sequential);

    // four threads even on a smaller machine, so that the batch is really split
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    // stale results in the output, for other customers: all are overwritten
    let mut parallel: Vec<_> = customers[600..]
        .iter()
        .map(|c| policy.classify(c, as_of()))
        .collect();
    assert_ne!(parallel[..], sequential[..600]);
    pool.install(|| policy.classify_par(&customers, as_of(), &mut parallel));
    assert_eq!(parallel, sequential);
    parallel.reverse();
    pool.install(|| policy.classify_par(&customers[..900], as_of(), &mut parallel));
    assert_eq!(parallel, sequential[..900]);

    // on the global pool, and on a larger batch made by repeating the sample
    let many: Vec<Customer> = customers.iter().cycle().take(10_000).cloned().collect();
    policy.classify_batch(&many, as_of(), &mut sequential);
    policy.classify_par(&many, as_of(), &mut parallel);
    assert_eq!(parallel.len(), 10_000);
    assert_eq!(parallel, sequential);

    // a smaller batch after a larger one: the surplus is dropped
    policy.classify_par(&many[..4_000], as_of(), &mut parallel);
    assert_eq!(parallel, sequential[..4_000]);

    // a small batch is classified on the calling thread, with the same results
    pool.install(|| policy.classify_par(&customers[..5], as_of(), &mut parallel));
    assert_eq!(parallel, sequential[..5]);
}

#[test]
fn simulation_of_the_sample_matches_the_command_line() {
    let policy = policy();
    let customers = sample(&policy);
    let mut sim = Simulation::new(&policy, as_of());
    sim.add_customers(&customers);
    let report = sim.finish();
    assert_eq!((report.total(), report.errors()), (1200, 0));
    let counts: Vec<(&str, u64, String)> = report
        .distribution()
        .iter()
        .map(|t| (t.tier(), t.count(), t.share().round_dp(1).to_string()))
        .collect();
    assert_eq!(
        counts,
        [
            ("vip", 79, "6.6".to_owned()),
            ("key", 292, "24.3".to_owned()),
            ("standard", 829, "69.1".to_owned())
        ]
    );
    // exact: 79 / 1200 = 6.58333...
    assert!(report.distribution()[0]
        .share()
        .to_string()
        .starts_with("6.58333333"));
}

#[test]
fn comparing_a_policy_with_itself_moves_nobody() {
    let policy = policy();
    let rows = rows();
    let mut sim = Simulation::compare(&policy, &policy, as_of()).keep_movers(5);
    for (id, fields) in &rows {
        sim.add(|p| {
            let mut b = p.customer(id.as_str());
            for (h, v) in fields {
                b = b.set(h, v.as_str());
            }
            b.build()
        })
        .unwrap();
    }
    let report = sim.finish();
    assert_eq!((report.total(), report.moved()), (1200, 0));
    assert!(report.movers().is_empty());
    assert_eq!(report.against_distribution(), Some(report.distribution()));
    let diagonal: Vec<(&str, &str, u64)> = report
        .transitions()
        .iter()
        .map(|t| (t.from(), t.to(), t.count()))
        .collect();
    assert_eq!(
        diagonal,
        [
            ("vip", "vip", 79),
            ("key", "key", 292),
            ("standard", "standard", 829)
        ]
    );
}
