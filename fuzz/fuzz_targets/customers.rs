//! Customer records against the sample policy `policies/ocean-shipping.toml`.
//!
//! The first byte picks the mode:
//! * 0 to 2: the rest is a customer file, read by the command line's own reader
//!   (`src/bin/tierwise/input.rs`, compiled into this target as it is) as `.csv`,
//!   `.jsonl` or by content (`.txt`); every customer it builds is classified, explained
//!   and resolved, every unknown column is described;
//! * 3: the rest is the raw bytes of a CSV file read with the `csv` crate, the header
//!   naming the fields, each row's cells set on a builder as they are;
//! * otherwise: the rest is turned by `arbitrary` into field/value pairs (known field
//!   names, arbitrary names, text, decimals, integers, dates and booleans) set on a
//!   builder directly.
//!
//! Nothing may panic, classification and explanation must agree.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use tierwise::{Customer, InputValue, Policy};

/// The state and pin fields a record may carry besides metrics.
const STATE_FIELDS: [&str; 6] = [
    "previous_tier",
    "tier_since",
    "last_qualified",
    "pinned_tier",
    "pinned_until",
    "pin_reason",
];

#[allow(dead_code, unreachable_pub)]
#[path = "../../src/bin/tierwise/input.rs"]
mod cli_input;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let text = include_str!("../../policies/ocean-shipping.toml");
        match Policy::from_toml_str("policies/ocean-shipping.toml", text) {
            Ok(p) => p,
            Err(e) => panic!("the sample policy does not load: {e:#}"),
        }
    })
}

const FIELDS: [&str; 7] = [
    "annual_teu",
    "customer_since",
    "gross_margin_pct",
    "influence",
    "credit_rating",
    "overdue_days",
    "strategic",
];

#[derive(Debug, Arbitrary)]
enum Field {
    Known(u8),
    State(u8),
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum Value {
    Text(String),
    Decimal(i128, u8),
    Integer(i64),
    Date(i32),
    Bool(bool),
}

#[derive(Debug, Arbitrary)]
struct Record {
    id: String,
    fields: Vec<(Field, Value)>,
    as_of: i32,
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode {
        0..=2 => file(["csv", "jsonl", "txt"][usize::from(mode)], rest),
        3 => raw_csv(rest),
        _ => {
            if let Ok(record) = Record::arbitrary_take_rest(Unstructured::new(rest)) {
                structured(&record);
            }
        }
    }
});

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default()
}

fn check(customer: &Customer, as_of: NaiveDate) {
    let policy = policy();
    let assignment = policy.classify(customer, as_of);
    let explanation = policy.explain(customer, as_of);
    match (&assignment, &explanation) {
        (Ok(a), Ok(x)) => {
            assert_eq!(
                policy.tier(a.tier()).map(|t| t.id()).ok(),
                Some(x.tier()),
                "classify and explain disagree"
            );
            let _ = x.to_string();
        }
        (Err(a), Err(x)) => {
            let _ = (a.to_string(), x.to_string());
        }
        _ => panic!("classify and explain disagree: {assignment:?} / {explanation:?}"),
    }
    if let Ok(resolution) = policy.resolve(customer, as_of) {
        let _ = policy
            .service(&resolution)
            .ok()
            .flatten()
            .map(|s| s.benefits().count());
    }
}

/// The customer file `bytes` as the command line reads it.
fn file(ext: &str, bytes: &[u8]) {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("tierwise-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    });
    let path = dir.join(format!("customers.{ext}"));
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    let Ok(mut reader) = cli_input::open(&path) else {
        return;
    };
    let policy = policy();
    // as the command line reads it: only the policy's columns kept
    reader.keep_columns(Box::new(|name| cli_input::is_known_column(policy, name)));
    let format = reader.format();
    for item in reader {
        match item {
            cli_input::Item::Column(_, name) => {
                if !cli_input::is_known_column(policy, &name) {
                    let _ = cli_input::unknown_column(policy, format, &name);
                }
            }
            cli_input::Item::Record(record) => {
                if let Ok(customer) = cli_input::build(policy, &record) {
                    check(&customer, as_of());
                }
            }
            cli_input::Item::Problem(..)
            | cli_input::Item::MoreColumns(..)
            | cli_input::Item::Unreadable(_) => {}
        }
    }
}

/// CSV bytes read with the `csv` crate, header -> field names, cells set as text.
fn raw_csv(bytes: &[u8]) {
    let policy = policy();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let Ok(header) = reader.headers().cloned() else {
        return;
    };
    for row in reader.records().take(64) {
        let Ok(row) = row else { continue };
        let mut id = "";
        let mut fields = Vec::new();
        for (name, cell) in header.iter().zip(row.iter()) {
            if name == "id" {
                id = cell;
            } else {
                fields.push((name, cell));
            }
        }
        let mut builder = policy.customer(id);
        for (name, cell) in fields {
            builder = builder.set(name, cell);
        }
        match builder.build() {
            Ok(customer) => check(&customer, as_of()),
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}

fn structured(record: &Record) {
    let policy = policy();
    let mut builder = policy.customer(record.id.as_str());
    for (field, value) in &record.fields {
        let name = match field {
            Field::Known(i) => FIELDS[usize::from(*i) % FIELDS.len()],
            Field::State(i) => STATE_FIELDS[usize::from(*i) % STATE_FIELDS.len()],
            Field::Other(s) => s.as_str(),
        };
        let value = match value {
            Value::Text(s) => InputValue::from(s.as_str()),
            Value::Decimal(m, scale) => match rust_decimal_from(*m, *scale) {
                Some(v) => v,
                None => continue,
            },
            Value::Integer(i) => InputValue::from(*i),
            Value::Date(d) => match NaiveDate::from_num_days_from_ce_opt(*d) {
                Some(d) => InputValue::from(d),
                None => continue,
            },
            Value::Bool(b) => InputValue::from(*b),
        };
        builder = builder.set(name, value);
    }
    let as_of = NaiveDate::from_num_days_from_ce_opt(record.as_of).unwrap_or_else(as_of);
    match builder.build() {
        Ok(customer) => check(&customer, as_of),
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// An exact decimal `m * 10^-scale`, when it fits.
fn rust_decimal_from(m: i128, scale: u8) -> Option<InputValue> {
    Decimal::try_from_i128_with_scale(m, u32::from(scale % 32))
        .ok()
        .map(InputValue::from)
}
