//! A `Simulation` streams: its memory does not grow with the population beyond the
//! counters and the movers asked for. Measured with dhat's allocator in testing mode.
#![expect(
    clippy::unwrap_used,
    reason = "helpers building fixtures fail the test by panicking"
)]

use chrono::NaiveDate;
use tierwise::simulate::Simulation;
use tierwise::Policy;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn load(path: &str) -> Policy {
    let text = std::fs::read_to_string(path).unwrap();
    Policy::from_toml_str(path, &text).unwrap()
}

/// Adds customers `from..to`, built on the fly for each policy; volumes spread so that
/// some of them move.
fn add(sim: &mut Simulation, from: u32, to: u32) {
    for i in from..to {
        let id = format!("S{i:06}");
        let teu = (i % 3000).to_string();
        sim.add(|p| {
            p.customer(id.as_str())
                .set("annual_teu", teu.as_str())
                .set("customer_since", "2020-01-01")
                .set("gross_margin_pct", "10")
                .set("influence", "national_leader")
                .set("credit_rating", "A")
                .build()
        })
        .unwrap();
    }
}

#[test]
fn simulation_memory_does_not_grow_with_the_population() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let policy = load("tests/inputs/spec-example.toml");
    let against = load("tests/inputs/cli/generous-volume.toml");
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let mut sim = Simulation::compare(&policy, &against, as_of).keep_movers(5);

    add(&mut sim, 0, 1_000);
    let live = dhat::HeapStats::get().curr_bytes;
    let peak = dhat::HeapStats::get().max_bytes;
    // the movers kept are the largest score changes, so a later mover can replace an
    // earlier one and its id and cause take a few bytes more or less: a bound per mover
    let slack = 5 * 512;
    add(&mut sim, 1_000, 20_000);
    let stats = dhat::HeapStats::get();
    // 19,000 more customers: no more held than the movers' slack, and no higher peak
    assert!(
        stats.curr_bytes <= live + slack,
        "{} > {live}",
        stats.curr_bytes
    );
    assert!(
        stats.max_bytes <= peak + slack,
        "{} > {peak}",
        stats.max_bytes
    );
    add(&mut sim, 20_000, 40_000);
    let more = dhat::HeapStats::get();
    assert!(
        more.curr_bytes <= live + slack,
        "{} > {live}",
        more.curr_bytes
    );
    assert!(
        more.max_bytes <= peak + slack,
        "{} > {peak}",
        more.max_bytes
    );

    let report = sim.finish();
    assert_eq!(report.total(), 40_000);
    assert!(report.moved() > 5, "{}", report.moved());
    assert_eq!(report.movers().len(), 5);
    assert_eq!(report.movers()[0].dimension(), Some("volume"));
}
