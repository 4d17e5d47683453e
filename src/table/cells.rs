//! Reading the cells of one Arrow column as the values a customer record is built from,
//! exactly: decimals keep their digits, integers stay integers, dates stay dates, text is
//! read as the CSV reader reads it. The column's type is looked at once, when the reader is
//! made; a cell is then one match and one array access.

use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Float32Type, Float64Type, Int16Type,
    Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, BooleanArray, Date32Array, Date64Array, Decimal128Array, Decimal256Array, Float32Array,
    Float64Array, GenericStringArray, PrimitiveArray, StringViewArray,
};
use arrow_schema::DataType;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::input::{InputValue, Val};

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01 (Arrow's day 0).
const UNIX_EPOCH_DAY: i32 = 719_163;

/// The date of an Arrow `Date32` value.
pub(crate) fn date_of_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_DAY)?)
}

/// The Arrow `Date32` value of a date.
pub(crate) fn days_of_date(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - UNIX_EPOCH_DAY
}

/// What a column's cells are, as far as reading them goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Signed or unsigned integers.
    Integer,
    /// Decimal128 or Decimal256.
    Decimal,
    /// Float32 or Float64.
    Float,
    /// UTF-8 text, plain or dictionary-encoded.
    Text,
    Date,
    Bool,
    /// The `Null` type: every cell is absent.
    Null,
}

/// A typed view of one column.
pub(crate) enum Cells<'a> {
    I8(&'a PrimitiveArray<Int8Type>),
    I16(&'a PrimitiveArray<Int16Type>),
    I32(&'a PrimitiveArray<Int32Type>),
    I64(&'a PrimitiveArray<Int64Type>),
    U8(&'a PrimitiveArray<UInt8Type>),
    U16(&'a PrimitiveArray<UInt16Type>),
    U32(&'a PrimitiveArray<UInt32Type>),
    U64(&'a PrimitiveArray<UInt64Type>),
    Decimal128(&'a Decimal128Array, i8),
    Decimal256(&'a Decimal256Array, i8),
    F32(&'a Float32Array),
    F64(&'a Float64Array),
    Utf8(&'a GenericStringArray<i32>),
    LargeUtf8(&'a GenericStringArray<i64>),
    Utf8View(&'a StringViewArray),
    /// A dictionary of UTF-8 values: each row's key, the values, and the column for its
    /// nulls.
    Dict {
        keys: Vec<usize>,
        values: Box<Cells<'a>>,
        column: &'a dyn Array,
    },
    Date32(&'a Date32Array),
    Date64(&'a Date64Array),
    Bool(&'a BooleanArray),
    Null,
}

impl<'a> Cells<'a> {
    /// The reader of `column`, or `None` for a type no field can be read from (lists,
    /// structs, binary data, times of day, dictionaries of anything but text).
    pub(crate) fn of(column: &'a dyn Array) -> Option<Cells<'a>> {
        Some(match column.data_type() {
            DataType::Int8 => Cells::I8(column.as_primitive_opt()?),
            DataType::Int16 => Cells::I16(column.as_primitive_opt()?),
            DataType::Int32 => Cells::I32(column.as_primitive_opt()?),
            DataType::Int64 => Cells::I64(column.as_primitive_opt()?),
            DataType::UInt8 => Cells::U8(column.as_primitive_opt()?),
            DataType::UInt16 => Cells::U16(column.as_primitive_opt()?),
            DataType::UInt32 => Cells::U32(column.as_primitive_opt()?),
            DataType::UInt64 => Cells::U64(column.as_primitive_opt()?),
            DataType::Decimal128(_, s) => {
                Cells::Decimal128(column.as_primitive_opt::<Decimal128Type>()?, *s)
            }
            DataType::Decimal256(_, s) => {
                Cells::Decimal256(column.as_primitive_opt::<Decimal256Type>()?, *s)
            }
            DataType::Float32 => Cells::F32(column.as_primitive_opt::<Float32Type>()?),
            DataType::Float64 => Cells::F64(column.as_primitive_opt::<Float64Type>()?),
            DataType::Utf8 => Cells::Utf8(column.as_string_opt()?),
            DataType::LargeUtf8 => Cells::LargeUtf8(column.as_string_opt()?),
            DataType::Utf8View => Cells::Utf8View(column.as_string_view_opt()?),
            DataType::Date32 => Cells::Date32(column.as_primitive_opt::<Date32Type>()?),
            DataType::Date64 => Cells::Date64(column.as_primitive_opt::<Date64Type>()?),
            DataType::Boolean => Cells::Bool(column.as_boolean_opt()?),
            DataType::Null => Cells::Null,
            DataType::Dictionary(_, _) => {
                let dict = column.as_any_dictionary_opt()?;
                let values = Cells::of(dict.values().as_ref())?;
                if values.shape() != Shape::Text {
                    return None;
                }
                // arrow's `normalized_keys` asserts that there are values: a dictionary
                // without any has only nulls
                let keys = if dict.values().is_empty() {
                    Vec::new()
                } else {
                    dict.normalized_keys()
                };
                Cells::Dict {
                    keys,
                    values: Box::new(values),
                    column,
                }
            }
            _ => return None,
        })
    }

    /// What the cells are.
    pub(crate) fn shape(&self) -> Shape {
        match self {
            Cells::I8(_)
            | Cells::I16(_)
            | Cells::I32(_)
            | Cells::I64(_)
            | Cells::U8(_)
            | Cells::U16(_)
            | Cells::U32(_)
            | Cells::U64(_) => Shape::Integer,
            Cells::Decimal128(..) | Cells::Decimal256(..) => Shape::Decimal,
            Cells::F32(_) | Cells::F64(_) => Shape::Float,
            Cells::Utf8(_) | Cells::LargeUtf8(_) | Cells::Utf8View(_) | Cells::Dict { .. } => {
                Shape::Text
            }
            Cells::Date32(_) | Cells::Date64(_) => Shape::Date,
            Cells::Bool(_) => Shape::Bool,
            Cells::Null => Shape::Null,
        }
    }

    /// The dictionary's values and each row's key, for readers that resolve the values
    /// once (enum metrics).
    pub(crate) fn dictionary(&self) -> Option<(&Cells<'a>, &[usize])> {
        match self {
            Cells::Dict { keys, values, .. } => Some((values, keys)),
            _ => None,
        }
    }

    /// Whether the cell at `row` is null.
    #[inline]
    pub(crate) fn is_null(&self, row: usize) -> bool {
        match self {
            Cells::I8(a) => a.is_null(row),
            Cells::I16(a) => a.is_null(row),
            Cells::I32(a) => a.is_null(row),
            Cells::I64(a) => a.is_null(row),
            Cells::U8(a) => a.is_null(row),
            Cells::U16(a) => a.is_null(row),
            Cells::U32(a) => a.is_null(row),
            Cells::U64(a) => a.is_null(row),
            Cells::Decimal128(a, _) => a.is_null(row),
            Cells::Decimal256(a, _) => a.is_null(row),
            Cells::F32(a) => a.is_null(row),
            Cells::F64(a) => a.is_null(row),
            Cells::Utf8(a) => a.is_null(row),
            Cells::LargeUtf8(a) => a.is_null(row),
            Cells::Utf8View(a) => a.is_null(row),
            Cells::Dict { column, .. } => column.is_null(row),
            Cells::Date32(a) => a.is_null(row),
            Cells::Date64(a) => a.is_null(row),
            Cells::Bool(a) => a.is_null(row),
            Cells::Null => true,
        }
    }

    /// The value of the cell at `row`, `None` when it is null or blank text (an absent
    /// value, as an empty CSV cell is). `scratch` holds the text of a value that has to be
    /// written out first: a float (written as its shortest round-trip decimal), or a
    /// decimal or date that tierwise cannot hold (so that its error shows the value).
    #[inline]
    pub(crate) fn get<'s>(&'s self, row: usize, scratch: &'s mut String) -> Option<Val<'s>> {
        if row >= self.len() || self.is_null(row) {
            return None;
        }
        let v = match self {
            Cells::I8(a) => Val::Integer(i64::from(a.value(row))),
            Cells::I16(a) => Val::Integer(i64::from(a.value(row))),
            Cells::I32(a) => Val::Integer(i64::from(a.value(row))),
            Cells::I64(a) => Val::Integer(a.value(row)),
            Cells::U8(a) => Val::Integer(i64::from(a.value(row))),
            Cells::U16(a) => Val::Integer(i64::from(a.value(row))),
            Cells::U32(a) => Val::Integer(i64::from(a.value(row))),
            Cells::U64(a) => {
                let n = a.value(row);
                match i64::try_from(n) {
                    Ok(i) => Val::Integer(i),
                    Err(_) => Val::Decimal(Decimal::from(n)),
                }
            }
            Cells::Decimal128(a, s) => match decimal_of(a.value(row), *s) {
                Some(d) => Val::Decimal(d),
                None => {
                    write_scaled(scratch, &a.value(row).to_string(), *s);
                    Val::Text(scratch)
                }
            },
            Cells::Decimal256(a, s) => {
                let v = a.value(row);
                match v.to_i128().and_then(|m| decimal_of(m, *s)) {
                    Some(d) => Val::Decimal(d),
                    None => {
                        write_scaled(scratch, &v.to_string(), *s);
                        Val::Text(scratch)
                    }
                }
            }
            Cells::F32(a) => {
                scratch.clear();
                let _ = write!(scratch, "{}", a.value(row));
                Val::Text(scratch)
            }
            Cells::F64(a) => {
                scratch.clear();
                let _ = write!(scratch, "{}", a.value(row));
                Val::Text(scratch)
            }
            Cells::Utf8(a) => Val::Text(a.value(row)),
            Cells::LargeUtf8(a) => Val::Text(a.value(row)),
            Cells::Utf8View(a) => Val::Text(a.value(row)),
            Cells::Dict { keys, values, .. } => {
                let key = *keys.get(row)?;
                return values.get(key, scratch);
            }
            Cells::Date32(a) => match date_of_days(a.value(row)) {
                Some(d) => Val::Date(d),
                None => {
                    scratch.clear();
                    let _ = write!(scratch, "day {} after 1970-01-01", a.value(row));
                    Val::Text(scratch)
                }
            },
            Cells::Date64(a) => {
                let ms = a.value(row);
                let day = i32::try_from(ms.div_euclid(86_400_000)).ok();
                match day.and_then(date_of_days) {
                    Some(d) => Val::Date(d),
                    None => {
                        scratch.clear();
                        let _ = write!(scratch, "{ms} ms after 1970-01-01");
                        Val::Text(scratch)
                    }
                }
            }
            Cells::Bool(a) => Val::Bool(a.value(row)),
            Cells::Null => return None,
        };
        match v {
            Val::Text(t) if trim(t).is_empty() => None,
            v => Some(v),
        }
    }

    fn len(&self) -> usize {
        match self {
            Cells::I8(a) => a.len(),
            Cells::I16(a) => a.len(),
            Cells::I32(a) => a.len(),
            Cells::I64(a) => a.len(),
            Cells::U8(a) => a.len(),
            Cells::U16(a) => a.len(),
            Cells::U32(a) => a.len(),
            Cells::U64(a) => a.len(),
            Cells::Decimal128(a, _) => a.len(),
            Cells::Decimal256(a, _) => a.len(),
            Cells::F32(a) => a.len(),
            Cells::F64(a) => a.len(),
            Cells::Utf8(a) => a.len(),
            Cells::LargeUtf8(a) => a.len(),
            Cells::Utf8View(a) => a.len(),
            Cells::Dict { column, .. } => column.len(),
            Cells::Date32(a) => a.len(),
            Cells::Date64(a) => a.len(),
            Cells::Bool(a) => a.len(),
            Cells::Null => usize::MAX,
        }
    }

    /// The value of the cell at `row` as an owned [`InputValue`].
    pub(crate) fn value(&self, row: usize) -> Option<InputValue> {
        let mut scratch = String::new();
        self.get(row, &mut scratch).map(Val::to_input)
    }
}

/// `s` without its leading and trailing whitespace, as `str::trim` cuts it: a text that
/// starts and ends with a visible ASCII character (an id, a tier id) is taken as it is,
/// without decoding its ends.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) if (b'!'..=b'~').contains(&a) && (b'!'..=b'~').contains(&z) => s,
        _ => s.trim(),
    }
}

/// A Decimal128 value of scale `scale` as an exact decimal, if it fits in 28 digits.
#[inline]
pub(crate) fn decimal_of(mantissa: i128, scale: i8) -> Option<Decimal> {
    match u32::try_from(scale) {
        Ok(s) => Decimal::try_from_i128_with_scale(mantissa, s).ok(),
        // a negative scale multiplies by a power of ten
        Err(_) => {
            let k = u32::from(scale.unsigned_abs());
            let m = mantissa.checked_mul(10i128.checked_pow(k)?)?;
            Decimal::try_from_i128_with_scale(m, 0).ok()
        }
    }
}

/// Writes the digits `digits` (with a leading `-` when negative) with `scale` of them after
/// the decimal point, as plain text.
fn write_scaled(out: &mut String, digits: &str, scale: i8) {
    out.clear();
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", digits),
    };
    out.push_str(sign);
    match usize::try_from(scale) {
        Ok(0) => out.push_str(digits),
        Ok(s) if digits.len() > s => {
            let (int, frac) = digits.split_at(digits.len() - s);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
        Ok(s) => {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', s - digits.len()));
            out.push_str(digits);
        }
        Err(_) => {
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', usize::from(scale.unsigned_abs())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_digits_are_written_exactly() {
        let mut s = String::new();
        for (digits, scale, text) in [
            ("12345", 2, "123.45"),
            ("-12345", 2, "-123.45"),
            ("5", 3, "0.005"),
            ("-5", 3, "-0.005"),
            ("7", 0, "7"),
            ("7", -2, "700"),
        ] {
            write_scaled(&mut s, digits, scale);
            assert_eq!(s, text);
        }
    }

    #[test]
    fn days_and_dates_convert_both_ways() {
        let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(days_of_date(d), 0);
        assert_eq!(date_of_days(0), Some(d));
        let d = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        assert_eq!(date_of_days(days_of_date(d)), Some(d));
        assert_eq!(date_of_days(-1), NaiveDate::from_ymd_opt(1969, 12, 31));
    }
}
