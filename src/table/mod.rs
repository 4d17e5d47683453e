//! Tables (feature `arrow`): classifying Arrow record batches and struct arrays column by
//! column, spec section 18.
//!
//! A table's columns are named after metrics, state and pin fields, and `id`. They are
//! resolved against the policy once per batch (`columns`): each to the field it sets and
//! to a typed reader of its cells (`cells`). Where the policy allows, each chunk of rows
//! is then scored and tiered in integer lanes read straight from the columns (`vector`);
//! otherwise it is filled column by column into records and classified (`fill`). A row
//! that neither can decide exactly is built with the checks and messages of
//! [`CustomerBuilder::set`](crate::CustomerBuilder::set) and classified. The results go into
//! the output columns ([`ResultColumns`]), one row per input row, in order, equal to
//! `classify`'s. A bad row keeps its row, with nulls and its message in `error`.
//!
//! Types read, exactly:
//!
//! | field | column types |
//! |---|---|
//! | decimal metric | Decimal128, Decimal256, signed and unsigned integers, UTF-8 text |
//! | integer metric | integers, UTF-8 text (and decimals with no fraction) |
//! | date metric, `tier_since`, `last_qualified`, `pinned_until` | Date32, Date64, text `YYYY-MM-DD` |
//! | enum metric | UTF-8 text, dictionaries of UTF-8 |
//! | boolean metric | Boolean, text `true`/`false` |
//! | `id`, `previous_tier`, `pinned_tier`, `pin_reason` | text (ids also integers) |
//!
//! UTF-8 is `Utf8`, `LargeUtf8` or `Utf8View`, plain or dictionary-encoded. A null, and blank
//! text, is an absent value. A Float32 or Float64 column for a number is refused, since a
//! float is not exact, unless [`TableOptions::floats_as_decimals`] says to read each float
//! through its shortest round-trip decimal text (`0.1_f64` reads as `0.1`).

mod cells;
mod columns;
mod error;
mod fill;
mod output;
mod vector;
mod words;

use arrow_array::{Array, Date32Array, RecordBatch, StructArray};
use arrow_buffer::NullBuffer;
use chrono::NaiveDate;

pub use error::{TableError, TableErrorKind};
pub use output::ResultColumns;

pub(crate) use cells::Cells;
pub(crate) use output::{schema, struct_fields};

use self::fill::Fill;
use self::vector::Vector;
use crate::error::{InputError, InputErrors};
use crate::eval;
use crate::input::{Customer, CustomerBuilder, CustomerId, InputValue, Previous};
use crate::model::Compiled;

/// How a table is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableOptions {
    /// Columns that are neither `id`, a metric nor a state or pin field are skipped rather
    /// than refused.
    pub ignore_extra_columns: bool,
    /// Float columns for numbers are read, each float through its shortest round-trip
    /// decimal text, rather than refused.
    pub floats_as_decimals: bool,
}

impl TableOptions {
    /// Unknown columns and float columns refused.
    pub fn new() -> TableOptions {
        TableOptions::default()
    }

    /// Sets [`ignore_extra_columns`](Self::ignore_extra_columns).
    #[must_use]
    pub fn ignore_extra_columns(mut self, yes: bool) -> TableOptions {
        self.ignore_extra_columns = yes;
        self
    }

    /// Sets [`floats_as_decimals`](Self::floats_as_decimals).
    #[must_use]
    pub fn floats_as_decimals(mut self, yes: bool) -> TableOptions {
        self.floats_as_decimals = yes;
        self
    }
}

/// The as-of date of each row: one for all, or a column of dates (a null one makes its row
/// an error).
#[derive(Debug, Clone, Copy)]
pub enum AsOf<'a> {
    /// The same date for every row.
    Date(NaiveDate),
    /// A date per row.
    Column(&'a Date32Array),
}

impl From<NaiveDate> for AsOf<'_> {
    fn from(d: NaiveDate) -> Self {
        AsOf::Date(d)
    }
}

impl<'a> From<&'a Date32Array> for AsOf<'a> {
    fn from(d: &'a Date32Array) -> Self {
        AsOf::Column(d)
    }
}

impl AsOf<'_> {
    fn at(&self, row: usize) -> Option<NaiveDate> {
        match self {
            AsOf::Date(d) => Some(*d),
            AsOf::Column(c) => {
                if row >= c.len() || c.is_null(row) {
                    None
                } else {
                    cells::date_of_days(c.value(row))
                }
            }
        }
    }
}

/// The columns of a record batch, by name.
fn batch_columns(batch: &RecordBatch) -> impl Iterator<Item = (&str, &dyn Array)> {
    batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .zip(batch.columns().iter().map(|c| c.as_ref() as &dyn Array))
        .collect::<Vec<_>>()
        .into_iter()
}

/// Classifies every row of `batch` into the output columns of spec section 18.
pub(crate) fn classify_batch(
    p: &Compiled,
    batch: &RecordBatch,
    as_of: AsOf<'_>,
    options: &TableOptions,
) -> Result<RecordBatch, TableError> {
    let mut out = ResultColumns::new(p, batch.num_rows());
    let rows = batch.num_rows();
    let columns = columns::bind(p, batch_columns(batch), true, options)?;
    classify_into(p, &columns, rows, None, as_of, &mut out)?;
    Ok(out.finish())
}

/// Classifies every row of a struct array (SQL's `classify(FIELDS, AS_OF)`) into the struct
/// of its results.
pub(crate) fn classify_struct(
    p: &Compiled,
    fields: &StructArray,
    as_of: AsOf<'_>,
    options: &TableOptions,
) -> Result<StructArray, TableError> {
    let columns: Vec<(&str, &dyn Array)> = fields
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .zip(fields.columns().iter().map(|c| c.as_ref() as &dyn Array))
        .collect();
    let rows = fields.len();
    let mut out = ResultColumns::new(p, rows);
    let columns = columns::bind(p, columns, false, options)?;
    classify_into(p, &columns, rows, fields.nulls(), as_of, &mut out)?;
    Ok(out.finish_struct())
}

/// The heart of both: the columns resolved once, each chunk of rows is scored and tiered in
/// integer lanes ([`Vector`]) where the policy allows, or else filled column by column into
/// records ([`Fill`]) and classified. A row that neither can decide (a mistake, a pin the
/// records leave to the builder, a number too large) is built by the builder and
/// classified, so that its checks, messages and results are `set`'s and `classify`'s.
fn classify_into(
    p: &Compiled,
    columns: &columns::Columns<'_>,
    rows: usize,
    nulls: Option<&NullBuffer>,
    as_of: AsOf<'_>,
    out: &mut ResultColumns<'_>,
) -> Result<(), TableError> {
    if let AsOf::Column(c) = as_of {
        if c.len() != rows {
            return Err(TableError::new(
                TableErrorKind::Shape,
                None,
                format!("{} as-of dates for {rows} rows", c.len()),
            ));
        }
    }
    let mut builder = CustomerBuilder::new(p, "");
    let mut record = Customer {
        id: CustomerId::default(),
        policy_key: p.key(),
        values: vec![None; p.metrics.len()].into_boxed_slice(),
        previous: Previous::default(),
        rare: None,
    };
    let (mut id_text, mut scratch, mut id_buf) = (String::new(), String::new(), String::new());
    // text ids that need no trimming are the output's id column as they are
    if let (None, Some(Cells::Utf8(ids))) = (nulls, &columns.id) {
        out.same_ids(ids);
    }
    // and when none of them is null either, a row the lanes decide needs nothing of its id
    let ids_taken = out.has_same_ids()
        && matches!(&columns.id, Some(Cells::Utf8(ids)) if ids.null_count() == 0);
    // the lanes where the policy allows, the records of `Fill` where not
    let mut vector = Vector::new(p, columns);
    let mut fill = Fill::new(p);
    // rows the lanes decided, their ids added, their results not yet: a run of the chunk,
    // added a column at a time before any other row and before the next chunk
    let mut run: Option<(usize, usize)> = None;
    let flush = |run: &mut Option<(usize, usize)>,
                 v: &Option<Vector<'_, '_>>,
                 out: &mut ResultColumns<'_>| {
        if let (Some((a, b)), Some(v)) = (run.take(), v) {
            out.push_decided(&v.rows(), a..b);
        }
    };
    for row in 0..rows {
        let r = row % fill::CHUNK;
        if r == 0 {
            flush(&mut run, &vector, out);
            match &mut vector {
                Some(v) => v.run(row, rows - row, &as_of),
                None => fill.fill(p, columns, row, rows - row),
            }
        }
        let decided = vector.as_ref().is_some_and(|v| v.decided(r));
        if decided && ids_taken {
            run = extended(run, r);
            continue;
        }
        if !decided {
            flush(&mut run, &vector, out);
        }
        if nulls.is_some_and(|n| n.is_null(row)) {
            flush(&mut run, &vector, out);
            out.push_error(None, &format!("row {}: the fields are null", row + 1));
            continue;
        }
        let (id, has_id): (&str, bool) = match &columns.id {
            None => ("", false),
            // the common case, text ids, read where they are, without going through
            // `Cells::get` and `Val` or a copy
            Some(Cells::Utf8(a)) if !a.is_null(row) && !cells::trim(a.value(row)).is_empty() => {
                (cells::trim(a.value(row)), true)
            }
            Some(ids) => match ids.get(row, &mut id_text) {
                Some(v) => {
                    id_buf.clear();
                    id_buf.push_str(cells::trim(&v.text()));
                    (id_buf.as_str(), true)
                }
                None => {
                    flush(&mut run, &vector, out);
                    out.push_error(None, &format!("row {}: the customer has no id", row + 1));
                    continue;
                }
            },
        };
        let shown = has_id.then_some(id);
        if decided {
            out.push_decided_id(id);
            run = extended(run, r);
            continue;
        }
        if vector.is_some() || fill.is_slow(r) {
            builder.reset(id);
            for b in &columns.bindings {
                b.set(&mut builder, row, &mut scratch);
            }
            if !builder.build_into(&mut record) {
                out.push_error(shown, &input_message(builder.errors(), has_id));
                continue;
            }
        } else {
            fill.take(r, &mut record.values, &mut record.previous);
            record.rare = None;
        }
        let Some(date) = as_of.at(row) else {
            let message = match shown {
                Some(id) => format!("customer `{id}`: the as-of date is null"),
                None => format!("row {}: the as-of date is null", row + 1),
            };
            out.push_error(shown, &message);
            continue;
        };
        match eval::classify(p, &record, date) {
            Ok(a) => out.push_assignment(id, &a),
            Err(e) => {
                let message = match shown {
                    Some(id) => format!("customer `{id}`: {}", e.kind()),
                    None => e.kind().to_string(),
                };
                out.push_error(shown, &message);
            }
        }
    }
    flush(&mut run, &vector, out);
    Ok(())
}

/// The run of decided rows of a chunk with row `r` added (the run ends just before it, or
/// there is none yet).
fn extended(run: Option<(usize, usize)>, r: usize) -> Option<(usize, usize)> {
    Some(run.map_or((r, r + 1), |(a, _)| (a, r + 1)))
}

/// The message of a bad row: the builder's errors, as `InputErrors` writes them, or
/// without the `customer` part when the row has no id.
fn input_message(errors: &[InputError], has_id: bool) -> String {
    if has_id {
        return InputErrors::new(errors.to_vec()).to_string();
    }
    let parts: Vec<String> = errors
        .iter()
        .map(|e| match e.help() {
            Some(h) => format!("field `{}`: {} ({h})", e.field(), e.message()),
            None => format!("field `{}`: {}", e.field(), e.message()),
        })
        .collect();
    parts.join("; ")
}

/// A column of a table read cell by cell as [`InputValue`]s, for readers
/// that build records themselves (the command line's Parquet reader).
pub struct Column<'a> {
    cells: Cells<'a>,
}

impl<'a> Column<'a> {
    /// A reader of `array`, or `None` for a type no field is read from (lists, structs,
    /// binary data). Floats are read through their shortest round-trip decimal text: refuse
    /// float columns before, if they are not wanted.
    pub fn new(array: &'a dyn Array) -> Option<Column<'a>> {
        Cells::of(array).map(|cells| Column { cells })
    }

    /// Whether the column holds floats.
    pub fn is_float(&self) -> bool {
        self.cells.shape() == cells::Shape::Float
    }

    /// The value at `row`, `None` when it is null or blank.
    pub fn value(&self, row: usize) -> Option<InputValue> {
        self.cells.value(row)
    }
}

/// Re-exported so that callers use the same version as tierwise.
pub use arrow_array;
/// Re-exported so that callers use the same version as tierwise.
pub use arrow_schema;
