//! The peer comparison: the same tiering decision on the same 10,000 seeded customers,
//! by hand-written rust_decimal code, tierwise (without and with a trace) and zen-engine.
//!
//! Before timing, every customer's tier is checked to be the same by all of them (the run
//! stops on any difference). Each benchmark iteration classifies all 10,000 customers;
//! criterion reports the time per iteration and, with `Throughput::Elements`, customers per
//! second. At the end, the per-customer medians and the ratios of the targets are printed.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, SamplingMode, Throughput};
use tierwise_peers::{coverage, hand, hand_slopes, Peers, Tier, CUSTOMERS};

const HAND: (&str, &str) = ("hand_written", "rust_decimal");
const HAND_SLOPES: (&str, &str) = ("hand_written", "rust_decimal_slopes");
const TIERWISE: (&str, &str) = ("tierwise", "classify");
const TIERWISE_TRACE: (&str, &str) = ("tierwise", "explain_with_trace");
const ZEN: (&str, &str) = ("zen_engine", "evaluate");

fn count(tier: Tier, counts: &mut [u32; 3]) {
    counts[tier as usize] += 1;
}

fn benches(c: &mut Criterion, peers: &Peers) {
    let as_of = peers.as_of;
    let n = peers.records.len() as u64;

    let mut g = c.benchmark_group(HAND.0);
    g.throughput(Throughput::Elements(n));
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function(HAND.1, |b| {
        b.iter(|| {
            let mut counts = [0u32; 3];
            for r in black_box(&peers.records) {
                count(hand::tier(r, as_of), &mut counts);
            }
            counts
        })
    });
    g.bench_function(HAND_SLOPES.1, |b| {
        b.iter(|| {
            let mut counts = [0u32; 3];
            for r in black_box(&peers.records) {
                count(hand_slopes::tier(r, as_of), &mut counts);
            }
            counts
        })
    });
    g.finish();

    let mut g = c.benchmark_group(TIERWISE.0);
    g.throughput(Throughput::Elements(n));
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function(TIERWISE.1, |b| {
        b.iter(|| {
            let mut counts = [0u32; 3];
            for cust in black_box(&peers.tierwise_inputs) {
                count(peers.tierwise.tier(cust, as_of), &mut counts);
            }
            counts
        })
    });
    g.bench_function(TIERWISE_TRACE.1, |b| {
        b.iter(|| {
            let mut counts = [0u32; 3];
            for cust in black_box(&peers.tierwise_inputs) {
                count(peers.tierwise.tier_with_trace(cust, as_of), &mut counts);
            }
            counts
        })
    });
    g.finish();

    let mut g = c.benchmark_group(ZEN.0);
    g.throughput(Throughput::Elements(n));
    g.sampling_mode(SamplingMode::Flat);
    // one iteration is 10,000 evaluations (a few hundred ms): fewer samples
    g.sample_size(20);
    g.bench_function(ZEN.1, |b| {
        b.iter(|| {
            // one runtime entry per batch, the cheapest way to drive zen's async API
            peers.zen.runtime.block_on(async {
                let mut counts = [0u32; 3];
                for input in black_box(&peers.zen_inputs) {
                    count(peers.zen.tier(input).await, &mut counts);
                }
                counts
            })
        })
    });
    g.finish();
}

/// The median of one benchmark, in ns per iteration, from criterion's `estimates.json`.
fn median_ns(dir: &PathBuf, (group, name): (&str, &str)) -> Option<f64> {
    let path = dir
        .join(group)
        .join(name)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("median")?.get("point_estimate")?.as_f64()
}

fn summary() {
    let dir = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
                .join("criterion")
        });
    let per = |id| median_ns(&dir, id).map(|ns| ns / CUSTOMERS as f64);
    let (Some(hand), Some(tw), Some(trace), Some(zen)) =
        (per(HAND), per(TIERWISE), per(TIERWISE_TRACE), per(ZEN))
    else {
        println!(
            "summary: not all four benchmarks have results in {}",
            dir.display()
        );
        return;
    };
    println!("\n== per customer (median of the run / {CUSTOMERS})");
    println!("hand-written rust_decimal  {:>10.1} ns", hand);
    if let Some(slopes) = per(HAND_SLOPES) {
        println!(
            "  (with slopes worked out  {:>10.1} ns; tierwise / it {:.2}x, traced / it {:.2}x)",
            slopes,
            tw / slopes,
            trace / slopes
        );
    }
    println!("tierwise classify          {:>10.1} ns", tw);
    println!("tierwise with trace        {:>10.1} ns", trace);
    println!("zen-engine                 {:>10.1} ns", zen);
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!("\n== targets");
    println!(
        "tierwise / hand-written     {:>7.2}x  (target <= 1.5x)  {}",
        tw / hand,
        verdict(tw / hand <= 1.5)
    );
    println!(
        "zen-engine / tierwise       {:>7.1}x  (target >= 30x)   {}",
        zen / tw,
        verdict(zen / tw >= 30.0)
    );
    println!(
        "traced / hand-written       {:>7.2}x  (target <= 10x)   {}",
        trace / hand,
        verdict(trace / hand <= 10.0)
    );
}

fn main() {
    let peers = Peers::new(CUSTOMERS);
    // before timing: the same tier for every customer, by every implementation
    let dist = peers.check_agreement();
    println!(
        "all {} customers: same tier by hand-written, tierwise (with and without trace) and zen-engine; {}",
        peers.records.len(),
        dist.iter().map(|(t, k)| format!("{t} {k}")).collect::<Vec<_>>().join(", ")
    );
    for (what, n) in coverage(&peers.records, peers.as_of) {
        println!("  {n:>5} customers: {what}");
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &peers);
    c.final_summary();
    summary();
}
