//! Tables (feature `arrow`): `classify_table` on a 100,000-row Arrow batch of typed columns
//! (the 1,200 sample rows of `data/customers.csv` over and over under new ids), beside
//! `classify_batch` of the same customers built beforehand, in the same run.
//!
//! cargo bench --features arrow --bench table -- --warm-up-time 1 --measurement-time 4
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark with a broken fixture should stop at once"
)]

mod common;

use std::hint::black_box;
use std::sync::Arc;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tierwise::rust_decimal::Decimal;
use tierwise::table::arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder,
    StringDictionaryBuilder,
};
use tierwise::table::arrow_array::types::Int32Type;
use tierwise::table::arrow_array::{ArrayRef, RecordBatch};
use tierwise::table::TableOptions;
use tierwise::Policy;

const POLICY: &str = "policies/ocean-shipping.toml";
const ROWS: usize = 100_000;

/// The sample, cycled to `n` rows, as typed Arrow columns: decimals at scale 1, dates,
/// integers, booleans, a dictionary for `influence`, text for the rest.
fn batch(n: usize) -> RecordBatch {
    let mut reader = csv::Reader::from_path("data/customers.csv").unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cell = |r: usize, c: usize| rows[r % rows.len()].get(c).unwrap_or("");
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let columns = header.iter().enumerate().map(|(c, name)| {
        let array: ArrayRef = match name.as_str() {
            "id" => Arc::new(StringBuilder::new().finish()),
            "annual_teu" | "gross_margin_pct" => {
                let mut b = Decimal128Builder::with_capacity(n);
                for r in 0..n {
                    let mut d: Decimal = cell(r, c).parse().unwrap();
                    d.rescale(1);
                    b.append_value(d.mantissa());
                }
                Arc::new(b.finish().with_precision_and_scale(18, 1).unwrap())
            }
            "customer_since" | "tier_since" | "last_qualified" | "pinned_until" => {
                let mut b = Date32Builder::with_capacity(n);
                for r in 0..n {
                    b.append_option(
                        cell(r, c)
                            .parse::<NaiveDate>()
                            .ok()
                            .map(|d| i32::try_from((d - epoch).num_days()).unwrap()),
                    );
                }
                Arc::new(b.finish())
            }
            "overdue_days" => {
                let mut b = Int64Builder::with_capacity(n);
                (0..n).for_each(|r| b.append_option(cell(r, c).parse().ok()));
                Arc::new(b.finish())
            }
            "strategic" => {
                let mut b = BooleanBuilder::with_capacity(n);
                (0..n).for_each(|r| b.append_option(cell(r, c).parse().ok()));
                Arc::new(b.finish())
            }
            "influence" => {
                let mut b = StringDictionaryBuilder::<Int32Type>::new();
                (0..n).for_each(|r| b.append_value(cell(r, c)));
                Arc::new(b.finish())
            }
            _ => {
                let mut b = StringBuilder::with_capacity(n, n * 4);
                for r in 0..n {
                    let v = cell(r, c);
                    if v.is_empty() {
                        b.append_null();
                    } else {
                        b.append_value(v);
                    }
                }
                Arc::new(b.finish())
            }
        };
        (name.clone(), array)
    });
    let mut columns: Vec<(String, ArrayRef)> = columns.collect();
    let mut ids = StringBuilder::with_capacity(n, n * 8);
    (0..n).for_each(|i| ids.append_value(format!("N{i:07}")));
    columns[0].1 = Arc::new(ids.finish());
    RecordBatch::try_from_iter(columns).unwrap()
}

fn benches(c: &mut Criterion) {
    let text = std::fs::read_to_string(POLICY).unwrap();
    let policy = Policy::from_toml_str(POLICY, &text).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let batch = batch(ROWS);
    let customers = common::population(&policy, ROWS);
    let options = TableOptions::new();
    let mut out = Vec::with_capacity(ROWS);
    let mut group = c.benchmark_group("table");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(20);
    group.bench_function("classify_table_100k", |b| {
        b.iter(|| {
            policy
                .classify_table(black_box(&batch), as_of, &options)
                .unwrap()
                .num_rows()
        })
    });
    group.bench_function("classify_batch_100k", |b| {
        b.iter(|| {
            policy.classify_batch(black_box(&customers), as_of, &mut out);
            out.len()
        })
    });
    group.finish();
}

criterion_group!(table, benches);
criterion_main!(table);
