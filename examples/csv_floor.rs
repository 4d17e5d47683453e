//! The I/O floor of `tierwise tier` and `simulate`: a plain `csv`-crate read of a customer
//! file and a write of every record back, with nothing computed. `BENCHMARKS.md` compares
//! the command line with this program on the same file, in the same run.
//!
//! ```text
//! cargo run --release --example csv_floor -- /tmp/customers-1m.csv > /dev/null
//! ```

use std::io::{self, BufWriter, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: csv_floor CUSTOMERS.csv > OUT.csv");
        std::process::exit(2);
    };
    let mut reader = csv::Reader::from_path(path)?;
    let stdout = io::stdout();
    let mut writer = csv::Writer::from_writer(BufWriter::new(stdout.lock()));
    writer.write_byte_record(reader.byte_headers()?)?;
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record)? {
        writer.write_byte_record(&record)?;
    }
    writer.flush()?;
    io::stdout().flush()?;
    Ok(())
}
