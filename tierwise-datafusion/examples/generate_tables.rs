//! Writes the sample tables (see `tierwise_datafusion::sample`) into a directory, from the
//! sample customers or from another customer file of the same columns.
//!
//! ```text
//! cargo run -p tierwise-datafusion --example generate_tables -- target/tables
//! cargo run --release --example generate_customers -- --count 1000000 > /tmp/customers-1m.csv
//! cargo run --release -p tierwise-datafusion --example generate_tables -- /tmp/tables-1m /tmp/customers-1m.csv
//! ```

fn main() -> Result<(), tierwise_datafusion::sample::Error> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "target/tables".to_owned());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let customers = args
        .next()
        .map_or_else(|| root.join("data/customers.csv"), Into::into);
    tierwise_datafusion::sample::write_tables(&customers, dir.as_ref())?;
    println!("wrote {dir}/customers.parquet and {dir}/shipments/");
    Ok(())
}
