//! What the benchmarks share: the sample population.

use tierwise::{Customer, Policy};

/// `n` customers built for `policy`: the sample rows of `data/customers.csv` over and over,
/// each with a new id.
pub fn population(policy: &Policy, n: usize) -> Vec<Customer> {
    let mut reader = csv::Reader::from_path("data/customers.csv").unwrap();
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    rows.iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(i, row)| {
            let mut b = policy.customer(format!("N{i:07}"));
            for (h, v) in headers.iter().zip(row.iter()).skip(1) {
                if !v.is_empty() {
                    b = b.set(h, v);
                }
            }
            b.build().unwrap()
        })
        .collect()
}
