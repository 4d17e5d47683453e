//! The sample tables of the README and the tests, generated from the sample customers
//! (`data/customers.csv`) with a fixed seed: the same input always gives the same files.
//!
//! - `customers.parquet`: every column of the sample but `annual_teu`, typed (dates as
//!   DATE, the margin as DECIMAL(5, 2), overdue days as BIGINT, `strategic` as BOOLEAN, the
//!   rest as text);
//! - `shipments/part-0.parquet` and `shipments/part-1.parquet`: the fact table, one to
//!   six shipments per customer (`customer_id`, `shipped_on`, `teu` as DECIMAL(12, 2))
//!   whose `teu` sum to the customer's `annual_teu` exactly; customers who shipped
//!   nothing have no rows. Two files, so that a query reads two partitions in parallel,
//!   each of row groups of at most 1,000 rows.

use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, RecordBatch,
    StringBuilder,
};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use tierwise::rust_decimal::Decimal;

/// The seed of the shipments.
const SEED: u64 = 20_261_203;

/// splitmix64: small and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        u64::try_from((u128::from(self.next()) * u128::from(n)) >> 64).unwrap_or(0)
    }
}

/// What can go wrong writing the tables.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

fn days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((d - epoch).num_days()).unwrap_or(0)
}

/// The mantissa of `d` at `scale` decimals, refusing a value with more.
fn at_scale(mut d: Decimal, scale: u32) -> Result<i128, Error> {
    if d.scale() > scale {
        return Err(format!("{d} has more than {scale} decimals").into());
    }
    d.rescale(scale);
    Ok(d.mantissa())
}

fn write(path: &Path, batch: &RecordBatch) -> Result<(), Error> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1_000))
        .build();
    let mut w = ArrowWriter::try_new(File::create(path)?, batch.schema(), Some(props))?;
    w.write(batch)?;
    w.close()?;
    Ok(())
}

/// Writes the tables from the sample customers at `customers_csv` into `dir`.
pub fn write_tables(customers_csv: &Path, dir: &Path) -> Result<(), Error> {
    let mut reader = csv::Reader::from_path(customers_csv)?;
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let cell = |r: &csv::StringRecord, name: &str| -> String {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| r.get(i))
            .unwrap_or("")
            .to_owned()
    };
    fs::create_dir_all(dir.join("shipments"))?;

    // customers: every column but annual_teu
    let mut columns: Vec<(String, ArrayRef)> = Vec::new();
    for name in header.iter().filter(|h| *h != "annual_teu") {
        let cells: Vec<String> = rows.iter().map(|r| cell(r, name)).collect();
        let array: ArrayRef = match name.as_str() {
            "customer_since" | "tier_since" | "last_qualified" | "pinned_until" => {
                let mut b = Date32Builder::new();
                for c in &cells {
                    b.append_option(c.parse::<NaiveDate>().ok().map(days));
                }
                Arc::new(b.finish())
            }
            "gross_margin_pct" => {
                let mut b = Decimal128Builder::new();
                for c in &cells {
                    match c.parse::<Decimal>() {
                        Ok(d) => b.append_value(at_scale(d, 2)?),
                        Err(_) => b.append_null(),
                    }
                }
                Arc::new(b.finish().with_precision_and_scale(5, 2)?)
            }
            "overdue_days" => {
                let mut b = Int64Builder::new();
                cells.iter().for_each(|c| b.append_option(c.parse().ok()));
                Arc::new(b.finish())
            }
            "strategic" => {
                let mut b = BooleanBuilder::new();
                cells.iter().for_each(|c| b.append_option(c.parse().ok()));
                Arc::new(b.finish())
            }
            _ => {
                let mut b = StringBuilder::new();
                for c in &cells {
                    if c.is_empty() {
                        b.append_null();
                    } else {
                        b.append_value(c);
                    }
                }
                Arc::new(b.finish())
            }
        };
        columns.push((name.clone(), array));
    }
    write(
        &dir.join("customers.parquet"),
        &RecordBatch::try_from_iter(columns)?,
    )?;

    // shipments: each customer's annual TEU split into one to six shipments
    let mut rng = Rng(SEED);
    let first_day = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default();
    let mut parts: [(StringBuilder, Date32Builder, Decimal128Builder); 2] = Default::default();
    for (i, r) in rows.iter().enumerate() {
        let teu: Decimal = cell(r, "annual_teu").parse().unwrap_or_default();
        let mut left = u64::try_from(at_scale(teu, 2)?).unwrap_or(0);
        if left == 0 {
            continue;
        }
        // one to six shipments, none smaller than 0.01 TEU
        let n = (1 + rng.below(6)).min(left);
        let Some((ids, dates, amounts)) = parts.get_mut(i % 2) else {
            continue;
        };
        for k in 0..n {
            let amount = if k + 1 == n {
                left
            } else {
                // up to twice the fair share of what is left, leaving 0.01 TEU for each
                // shipment still to come
                let most = left - (n - k - 1);
                let share = left / (n - k);
                (1 + rng.below(2 * share)).min(most)
            };
            left -= amount;
            ids.append_value(cell(r, "id"));
            let day = first_day + chrono::Days::new(rng.below(365));
            dates.append_value(days(day));
            amounts.append_value(i128::from(amount));
        }
    }
    for (k, (ids, dates, amounts)) in parts.iter_mut().enumerate() {
        let batch = RecordBatch::try_from_iter([
            ("customer_id", Arc::new(ids.finish()) as ArrayRef),
            ("shipped_on", Arc::new(dates.finish())),
            (
                "teu",
                Arc::new(amounts.finish().with_precision_and_scale(12, 2)?),
            ),
        ])?;
        write(&dir.join(format!("shipments/part-{k}.parquet")), &batch)?;
    }
    Ok(())
}
