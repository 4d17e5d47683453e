//! `tierwise-sql`: runs one SQL query over Parquet and CSV files with a tierwise policy
//! registered as `classify(FIELDS, AS_OF)`, and prints its rows.
//!
//! ```text
//! tierwise-sql --policy policies/ocean-shipping.toml \
//!     --table customers=customers.parquet --table shipments=shipments/ \
//!     "SELECT id, classify(named_struct(...), DATE '2026-06-30')['tier'] FROM ..."
//! ```
//!
//! Exit status: 0 success, 1 an invalid policy, table or query, 2 a usage error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};
use tierwise::Policy;
use tierwise_datafusion::output;

/// Run a SQL query over Parquet and CSV files, with a tierwise policy as the function
/// `classify(FIELDS, AS_OF)`.
///
/// FIELDS is a struct of metric and state fields, built with `named_struct('annual_teu', x,
/// ...)`; AS_OF is a date. The result is a struct: `tier`, `qualified_tier`, `score`,
/// `dimensions`, `tier_since`, `last_qualified`, `error` (read one with `r['tier']`).
/// `EXPLAIN SELECT ...` prints the plan instead.
#[derive(Debug, Parser)]
#[command(name = "tierwise-sql", version)]
struct Args {
    /// The policy file.
    #[arg(long, value_name = "PATH")]
    policy: PathBuf,

    /// A table: NAME=FILE, where FILE is a .parquet or .csv file, or a directory of
    /// .parquet files (one table of many partitions, read in parallel). Repeat for more
    /// tables.
    #[arg(long = "table", value_name = "NAME=FILE", value_parser = parse_table)]
    tables: Vec<(String, PathBuf)>,

    /// How to print the rows: `json` (one object per row, a struct as a nested object,
    /// decimals as exact strings), `csv` (struct fields as `a.b` columns), or `table`.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,

    /// The query. It may begin with a SQL comment (`-- ...`), as a query read with
    /// `"$(cat query.sql)"` often does.
    #[arg(allow_hyphen_values = true)]
    query: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Csv,
    Table,
}

fn parse_table(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, file)) if !name.trim().is_empty() && !file.is_empty() => {
            Ok((name.trim().to_owned(), PathBuf::from(file)))
        }
        _ => Err(format!("`{s}` is not NAME=FILE")),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let policy = match Policy::from_path(&args.policy) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the query engine: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(&args, &policy)) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

/// What kind of file a table is.
fn kind(path: &Path) -> Option<&'static str> {
    if path.is_dir() {
        return Some("parquet");
    }
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("parquet" | "parq") => Some("parquet"),
        Some("csv") => Some("csv"),
        _ => None,
    }
}

async fn run(args: &Args, policy: &Policy) -> Result<String, String> {
    let ctx = SessionContext::new();
    tierwise_datafusion::register(&ctx, policy);
    for (name, path) in &args.tables {
        let location = path.to_string_lossy();
        if !path.exists() {
            return Err(format!("table `{name}`: no file `{location}`"));
        }
        let registered = match kind(path) {
            Some("parquet") => {
                ctx.register_parquet(name, &location, ParquetReadOptions::default())
                    .await
            }
            Some(_) => {
                ctx.register_csv(name, &location, CsvReadOptions::default())
                    .await
            }
            None => {
                return Err(format!(
                    "table `{name}`: `{location}` is neither a .parquet nor a .csv file, nor a directory of .parquet files"
                ))
            }
        };
        registered.map_err(|e| format!("table `{name}` (`{location}`): {e}"))?;
    }
    let frame = ctx.sql(&args.query).await.map_err(|e| e.to_string())?;
    let batches = frame.collect().await.map_err(|e| e.to_string())?;
    match args.format {
        Format::Json => output::json_lines(&batches),
        Format::Csv => output::csv(&batches),
        Format::Table => output::table(&batches).map(|t| t + "\n"),
    }
    .map_err(|e| e.to_string())
}
