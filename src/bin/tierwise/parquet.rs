//! Parquet customer files: read a batch of rows at a time (within one row group), each
//! cell as the typed value it is (a Decimal128 stays a decimal, a Date32 a date), into the
//! same records as CSV rows. What is kept does not grow with the file: one decoded batch.
//!
//! A row's place in messages is its 1-based row number in the file.

use std::collections::VecDeque;
use std::fs::File;
use std::path::Path;

use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use tierwise::table::arrow_array::{Array, RecordBatch, RecordBatchReader};
use tierwise::table::Column;
use tierwise::InputValue;

use crate::input::{Item, KeepColumn, Name, Problem, Record};

/// Rows decoded at a time.
const BATCH_ROWS: usize = 4096;

/// The first bytes of every Parquet file.
pub const MAGIC: &[u8] = b"PAR1";

pub struct ParquetSource {
    label: String,
    reader: Option<ParquetRecordBatchReader>,
    /// The columns' names; `None` for the id column and a column that is skipped.
    names: Vec<Option<Name>>,
    id_column: Option<usize>,
    /// How many [`Name`]s were given.
    named: usize,
    /// Rows read before the current batch.
    rows: u64,
    keep: Option<KeepColumn>,
    started: bool,
}

impl ParquetSource {
    /// Opens `path` as Parquet: the footer and schema are read now.
    pub fn open(path: &Path, label: &str) -> Result<ParquetSource, Problem> {
        let file = File::open(path)
            .map_err(|e| Problem::new(format!("cannot read customer file `{label}`: {e}")))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
            Problem::new(format!(
                "cannot read customer file `{label}` as Parquet: {}",
                lower(&e.to_string())
            ))
        })?;
        let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(|e| {
            Problem::new(format!(
                "cannot read customer file `{label}` as Parquet: {}",
                lower(&e.to_string())
            ))
        })?;
        Ok(ParquetSource {
            label: label.to_owned(),
            reader: Some(reader),
            names: Vec::new(),
            id_column: None,
            named: 0,
            rows: 0,
            keep: None,
            started: false,
        })
    }

    pub fn keep(&mut self, keep: KeepColumn) {
        self.keep = Some(keep);
    }

    /// The schema's columns, checked: the problems of the file (no `id`, a float or
    /// unreadable column for a field) and its column names. Returns whether rows can be
    /// read.
    fn start(&mut self, out: &mut VecDeque<Item>) -> bool {
        self.started = true;
        let Some(reader) = &self.reader else {
            return false;
        };
        let schema = reader.schema();
        let keep = self.keep.as_deref();
        let mut refused = None;
        for field in schema.fields() {
            let name = field.name().as_str();
            let kept = name == "id" || keep.is_none_or(|k| k(name));
            if name != "id" {
                out.push_back(Item::Column(0, name.to_owned()));
            }
            if !kept {
                self.names.push(None);
                continue;
            }
            if name == "id" && self.id_column.is_none() {
                self.id_column = Some(self.names.len());
            }
            let empty = tierwise::table::arrow_array::new_empty_array(field.data_type());
            let column = Column::new(empty.as_ref());
            let problem = match &column {
                None => Some(
                    Problem::new(format!(
                        "cannot read customer file `{}`: column `{name}` is {}, which tierwise does not read",
                        self.label,
                        field.data_type()
                    ))
                    .with_help(Some(
                        "store numbers as decimals or integers, dates as DATE, the rest as text"
                            .to_owned(),
                    )),
                ),
                Some(c) if c.is_float() => Some(
                    Problem::new(format!(
                        "cannot read customer file `{}`: column `{name}` is {}, which is not exact",
                        self.label,
                        field.data_type()
                    ))
                    .with_help(Some(format!(
                        "write the column as a decimal, for example `CAST({name} AS DECIMAL(18, 2))` in SQL or `pa.decimal128(18, 2)` in pyarrow"
                    ))),
                ),
                Some(_) => None,
            };
            if refused.is_none() {
                refused = problem;
            }
            if self.id_column == Some(self.names.len()) {
                self.names.push(None);
            } else {
                let n = Name::nth(self.named);
                self.named += 1;
                out.push_back(Item::Name(n, name.to_owned()));
                self.names.push(Some(n));
            }
        }
        if let Some(p) = refused {
            out.push_back(Item::Unreadable(p));
            self.reader = None;
            return false;
        }
        if self.id_column.is_none() {
            out.push_back(Item::Problem(
                0,
                Problem::new("the file has no `id` column").with_help(Some(
                    "name the column that holds each customer's id `id`".to_owned(),
                )),
            ));
            self.reader = None;
            return false;
        }
        true
    }

    /// Reads the next batch of rows into `out`; false when there is nothing more.
    pub fn step(&mut self, out: &mut VecDeque<Item>) -> bool {
        if !self.started && !self.start(out) {
            return false;
        }
        let Some(reader) = &mut self.reader else {
            return false;
        };
        match reader.next() {
            None => false,
            Some(Err(e)) => {
                out.push_back(Item::Unreadable(Problem::new(format!(
                    "cannot read customer file `{}` after row {}: {}",
                    self.label,
                    self.rows,
                    lower(&e.to_string())
                ))));
                self.reader = None;
                false
            }
            Some(Ok(batch)) => {
                self.records(&batch, out);
                self.rows += batch.num_rows() as u64;
                true
            }
        }
    }

    fn records(&self, batch: &RecordBatch, out: &mut VecDeque<Item>) {
        let columns: Vec<Option<Column<'_>>> = batch
            .columns()
            .iter()
            .zip(&self.names)
            .enumerate()
            .map(|(i, (c, name))| {
                (name.is_some() || Some(i) == self.id_column)
                    .then(|| Column::new(c.as_ref() as &dyn Array))
                    .flatten()
            })
            .collect();
        for row in 0..batch.num_rows() {
            let line = self.rows + row as u64 + 1;
            let mut record = Record {
                line,
                id: None,
                cells: Vec::new(),
                values: Vec::with_capacity(columns.len()),
                text: String::new(),
                problems: Vec::new(),
                first_line: None,
                built: Vec::new(),
                built_count: 0,
            };
            for (i, (column, name)) in columns.iter().zip(&self.names).enumerate() {
                let Some(column) = column else {
                    continue;
                };
                let Some(value) = column.value(row) else {
                    continue;
                };
                if let Some(name) = *name {
                    record.values.push((name, value));
                } else if Some(i) == self.id_column {
                    record.id = match value {
                        InputValue::Text(t) => Some(t.trim().to_owned()),
                        InputValue::Integer(n) => Some(n.to_string()),
                        InputValue::Decimal(d) => Some(d.to_string()),
                        _ => None,
                    };
                }
            }
            if record.id.is_none() {
                record
                    .problems
                    .push(Problem::field(None, "id", "the customer id is missing"));
            }
            out.push_back(Item::Record(Box::new(record)));
        }
    }
}

/// The message of an Arrow or Parquet error, lower case at its start.
fn lower(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
