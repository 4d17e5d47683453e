//! Parquet in the command line (spec section 18): `tier` and `simulate` read Parquet
//! customer files as they read CSV, cell by cell by type, and `tier --format parquet`
//! writes the output columns; a file that is not what its name says, or a float column,
//! is one clear error.
#![expect(clippy::unwrap_used, reason = "tests fail by panicking")]

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use tierwise::table::arrow_array::cast::AsArray;
use tierwise::table::arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};

use crate::cli::{tierwise, Run};
use crate::table::{sample, text_column, typed_sample};

const SAMPLE: &str = "policies/ocean-shipping.toml";

/// `tierwise COMMAND --policy SAMPLE --as-of 2026-06-30 REST...`.
fn on_sample(command: &str, rest: &[&str]) -> Run {
    let mut args = vec![command, "--policy", SAMPLE, "--as-of", "2026-06-30"];
    args.extend_from_slice(rest);
    tierwise(&args)
}

/// A scratch directory of this test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tierwise-parquet-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `batch` as Parquet, in row groups of at most `group` rows.
fn write(path: &PathBuf, batch: &RecordBatch, group: usize) {
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group))
        .build();
    let mut w =
        ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

fn sample_parquet(dir: &std::path::Path) -> PathBuf {
    let (header, rows) = sample();
    let path = dir.join("customers.parquet");
    write(&path, &typed_sample(&header, &rows), 250);
    path
}

#[test]
fn tier_and_simulate_read_parquet_as_they_read_csv() {
    let dir = scratch("same");
    let parquet = sample_parquet(&dir);
    let p = parquet.to_str().unwrap();
    for format in ["json", "csv"] {
        let tier = |file: &str| on_sample("tier", &["--format", format, file]);
        let (csv, pq) = (tier("data/customers.csv"), tier(p));
        assert_eq!(csv.code, 0, "{}", csv.stderr);
        assert_eq!(pq.code, 0, "{}", pq.stderr);
        assert_eq!(pq.stdout, csv.stdout);
        assert_eq!(pq.stderr, csv.stderr);
    }
    let csv = on_sample("simulate", &["data/customers.csv"]);
    let pq = on_sample("simulate", &[p]);
    assert_eq!((pq.code, &pq.stdout), (0, &csv.stdout));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn tier_writes_the_output_columns_as_parquet_with_a_row_for_every_input_row() {
    let dir = scratch("out");
    let (header, mut rows) = sample();
    rows.truncate(6);
    rows[1][1] = "-5".to_owned(); // annual_teu below its minimum
    rows[3][4] = "regonal".to_owned(); // influence
    let input = dir.join("some.parquet");
    let batch = RecordBatch::try_from_iter(
        header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), text_column(rows.iter().map(|r| r[i].as_str())))),
    )
    .unwrap();
    write(&input, &batch, 4);
    let out = dir.join("tiers.parquet");
    let run = on_sample(
        "tier",
        &[
            "--format",
            "parquet",
            "--output",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&out).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    let all = tierwise::table::arrow_array::RecordBatch::try_new(
        batches[0].schema(),
        batches[0].columns().to_vec(),
    )
    .unwrap();
    assert_eq!(all.num_rows(), 6);
    let policy = crate::common::load(SAMPLE);
    assert_eq!(all.schema(), policy.table_schema());
    let ids = all.column_by_name("id").unwrap().as_string::<i32>();
    let tiers = all.column_by_name("tier").unwrap().as_string::<i32>();
    let errors = all.column_by_name("error").unwrap().as_string::<i32>();
    let summary: Vec<String> = (0..6)
        .map(|r| {
            if errors.is_valid(r) {
                format!("{} error: {}", ids.value(r), errors.value(r))
            } else {
                format!("{} {}", ids.value(r), tiers.value(r))
            }
        })
        .collect();
    let stderr = run.stderr.replace(dir.to_str().unwrap(), "DIR");
    insta::assert_snapshot!(format!("{}\n---\n{stderr}", summary.join("\n")));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_float_column_or_a_file_not_what_its_name_says_is_one_error() {
    let dir = scratch("bad");
    let floats = dir.join("floats.parquet");
    write(
        &floats,
        &RecordBatch::try_from_iter([
            ("id", Arc::new(StringArray::from(vec!["A"])) as ArrayRef),
            ("annual_teu", Arc::new(Float64Array::from(vec![1200.5]))),
        ])
        .unwrap(),
        10,
    );
    let parquet = sample_parquet(&dir);
    let as_csv = dir.join("customers.csv");
    std::fs::copy(&parquet, &as_csv).unwrap();
    let csv_as_parquet = dir.join("text.parquet");
    std::fs::copy("data/customers.csv", &csv_as_parquet).unwrap();
    let mut out = Vec::new();
    for file in [&floats, &as_csv, &csv_as_parquet] {
        let run = on_sample("tier", &[file.to_str().unwrap()]);
        assert_eq!(run.code, 1);
        assert_eq!(run.stdout, "");
        let dir = dir.to_str().unwrap();
        out.push(run.stderr.replace(dir, "DIR"));
    }
    insta::assert_snapshot!(out.join("---\n"));
    let run = tierwise(&[
        "tier",
        "--policy",
        SAMPLE,
        "--format",
        "parquet",
        "data/customers.csv",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`--format parquet` needs `--output FILE`"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(dir).unwrap();
}
