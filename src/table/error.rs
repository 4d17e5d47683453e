//! Why a table cannot be classified at all: a column the policy does not know, or of a type
//! that cannot be read exactly. A bad row is never a [`TableError`]: it keeps its output row,
//! with the message in its `error` column.

use std::fmt;

/// A problem with a table's columns, found before any row is read.
///
/// ```
/// # let demo = include_str!("../../tests/inputs/demo.toml");
/// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
/// use std::sync::Arc;
/// use tierwise::table::arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
/// use tierwise::table::{TableErrorKind, TableOptions};
///
/// let batch = RecordBatch::try_from_iter([
///     ("id", Arc::new(StringArray::from(vec!["C1"])) as ArrayRef),
///     ("teu", Arc::new(Float64Array::from(vec![600.5])) as ArrayRef),
/// ])?;
/// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
/// let err = policy.classify_table(&batch, as_of, &TableOptions::new()).unwrap_err();
/// assert_eq!(err.kind(), TableErrorKind::FloatColumn);
/// assert_eq!(err.column(), Some("teu"));
/// // the caller who accepts floats says so
/// let opts = TableOptions::new().floats_as_decimals(true);
/// let out = policy.classify_table(&batch, as_of, &opts)?;
/// assert_eq!(out.num_rows(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    kind: TableErrorKind,
    column: Option<String>,
    message: String,
    help: Option<String>,
}

/// What kind of [`TableError`] it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TableErrorKind {
    /// A column that is neither `id`, a metric, nor a state or pin field (allowed with
    /// [`TableOptions::ignore_extra_columns`](super::TableOptions::ignore_extra_columns)).
    UnknownColumn,
    /// Two columns of the same name.
    DuplicateColumn,
    /// There is no `id` column.
    MissingId,
    /// A column whose type cannot hold its field (a date column for a decimal metric, a
    /// list, binary data).
    UnsupportedType,
    /// A floating-point column for a number, refused since a float is not exact (allowed
    /// with [`TableOptions::floats_as_decimals`](super::TableOptions::floats_as_decimals)).
    FloatColumn,
    /// The as-of column does not have one date per row, or the columns are not all as
    /// long as each other.
    Shape,
}

impl TableError {
    pub(crate) fn new(kind: TableErrorKind, column: Option<&str>, message: String) -> TableError {
        TableError {
            kind,
            column: column.map(str::to_owned),
            message,
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: Option<String>) -> TableError {
        self.help = help;
        self
    }

    /// The kind of the error.
    pub fn kind(&self) -> TableErrorKind {
        self.kind
    }

    /// The column at fault, if one is.
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// What is wrong, lower case.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How to fix it, or a "did you mean".
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for TableError {}
