//! Writes the sample tables (see `tierwise_datafusion::sample`) into a directory.
//!
//! ```text
//! cargo run -p tierwise-datafusion --example generate_tables -- target/tables
//! ```

fn main() -> Result<(), tierwise_datafusion::sample::Error> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/tables".to_owned());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    tierwise_datafusion::sample::write_tables(&root.join("data/customers.csv"), dir.as_ref())?;
    println!("wrote {dir}/customers.parquet and {dir}/shipments/");
    Ok(())
}
