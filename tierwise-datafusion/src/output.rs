//! Query results for people and programs: JSON Lines (a struct as a nested object,
//! decimals and dates as exact strings), CSV (struct fields flattened to `a.b` columns), and
//! an aligned table.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::{Map, Value};

/// The text of a cell as Arrow writes it (exact for decimals: `77.42`; dates `2026-06-30`).
fn text(array: &dyn Array, row: usize) -> Result<String, ArrowError> {
    let f = ArrayFormatter::try_new(array, &FormatOptions::default())?;
    Ok(f.value(row).to_string())
}

/// One cell as JSON.
fn json(array: &ArrayRef, row: usize) -> Result<Value, ArrowError> {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    Ok(match array.data_type() {
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => {
            let t = text(array.as_ref(), row)?;
            match t.parse::<serde_json::Number>() {
                Ok(n) => Value::Number(n),
                Err(_) => Value::String(t),
            }
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let t = text(array.as_ref(), row)?;
            match t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                Some(n) => Value::Number(n),
                None => Value::String(t),
            }
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let mut map = Map::new();
            for (f, column) in fields.iter().zip(s.columns()) {
                map.insert(f.name().clone(), json(column, row)?);
            }
            Value::Object(map)
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let values = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            Value::Array(
                (0..values.len())
                    .map(|i| json(&values, i))
                    .collect::<Result<_, _>>()?,
            )
        }
        // text, decimals (exact), dates, times: as Arrow writes them
        _ => Value::String(text(array.as_ref(), row)?),
    })
}

/// The rows as JSON Lines: one object per row, keys in column order.
pub fn json_lines(batches: &[RecordBatch]) -> Result<String, ArrowError> {
    let mut out = String::new();
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let mut map = Map::new();
            for (f, column) in schema.fields().iter().zip(batch.columns()) {
                map.insert(f.name().clone(), json(column, row)?);
            }
            out.push_str(&Value::Object(map).to_string());
            out.push('\n');
        }
    }
    Ok(out)
}

/// The leaf columns of `column` named `name`: itself, or each field of a struct as
/// `name.field`, recursively.
fn leaves(name: &str, column: &ArrayRef, out: &mut Vec<(String, ArrayRef)>) {
    match column.data_type() {
        DataType::Struct(fields) => {
            let s = column.as_struct();
            for (f, c) in fields.iter().zip(s.columns()) {
                leaves(&format!("{name}.{}", f.name()), c, out);
            }
        }
        _ => out.push((name.to_owned(), column.clone())),
    }
}

/// The rows as CSV with a header row; struct fields are columns of their own (`r.tier`,
/// `r.dimensions.volume`), a null is an empty cell.
pub fn csv(batches: &[RecordBatch]) -> Result<String, ArrowError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header_written = false;
    let io = |e: csv::Error| ArrowError::ExternalError(Box::new(e));
    for batch in batches {
        let schema = batch.schema();
        let mut columns = Vec::new();
        for (f, c) in schema.fields().iter().zip(batch.columns()) {
            leaves(f.name(), c, &mut columns);
        }
        if !header_written {
            w.write_record(columns.iter().map(|(n, _)| n.as_str()))
                .map_err(io)?;
            header_written = true;
        }
        for row in 0..batch.num_rows() {
            let cells = columns
                .iter()
                .map(|(_, c)| {
                    if c.is_null(row) {
                        Ok(String::new())
                    } else {
                        text(c.as_ref(), row)
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            w.write_record(&cells).map_err(io)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ArrowError::ExternalError(Box::new(e.into_error())))?;
    String::from_utf8(bytes).map_err(|e| ArrowError::ExternalError(Box::new(e)))
}

/// The rows as an aligned table, for people.
pub fn table(batches: &[RecordBatch]) -> Result<String, ArrowError> {
    datafusion::arrow::util::pretty::pretty_format_batches(batches).map(|t| t.to_string())
}
