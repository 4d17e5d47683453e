//! A table's columns resolved against a policy, once per batch: each column to the field it
//! sets (a metric by number, or a state or pin field) and to a typed reader of its cells,
//! with its type checked against the field's.

use arrow_array::Array;

use super::cells::{Cells, Shape};
use super::error::{TableError, TableErrorKind};
use super::TableOptions;
use crate::input::{CustomerBuilder, Val};
use crate::keys::STATE_FIELDS;
use crate::model::{Compiled, MetricKind};
use crate::suggest::did_you_mean;

/// The field a column sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// A metric, by number.
    Metric(usize),
    /// A state or pin field, by its name (one of [`STATE_FIELDS`]).
    State(&'static str),
}

/// One column, resolved.
pub(crate) struct Binding<'a> {
    pub(crate) target: Target,
    pub(crate) cells: Cells<'a>,
    /// For an enum metric read from a dictionary: each dictionary value's position in the
    /// metric's `values`, found once, so that a row compares no text.
    choices: Option<Vec<Option<u16>>>,
}

impl Binding<'_> {
    /// The value of this column's cell of `row`, `None` when it is null or blank: for an
    /// enum metric read from a dictionary, the value's position when the dictionary value
    /// is one of the metric's.
    #[inline]
    pub(crate) fn val<'s>(&'s self, row: usize, scratch: &'s mut String) -> Option<Val<'s>> {
        if let (Some(choices), Some((_, keys))) = (&self.choices, self.cells.dictionary()) {
            if !self.cells.is_null(row) {
                let choice = keys
                    .get(row)
                    .and_then(|k| choices.get(*k))
                    .copied()
                    .flatten();
                if let Some(c) = choice {
                    return Some(Val::Choice(c));
                }
            }
        }
        self.cells.get(row, scratch)
    }

    /// For an enum metric read from a dictionary, each dictionary value's position in the
    /// metric's values.
    pub(crate) fn choices(&self) -> Option<&[Option<u16>]> {
        self.choices.as_deref()
    }

    /// Sets this column's cell of `row` on `b`.
    #[inline]
    pub(crate) fn set(&self, b: &mut CustomerBuilder<'_>, row: usize, scratch: &mut String) {
        let Some(v) = self.val(row, scratch) else {
            return;
        };
        match self.target {
            Target::Metric(i) => b.put(i, v),
            Target::State(name) => b.set_val(name, v),
        }
    }
}

/// The columns of a table, resolved.
pub(crate) struct Columns<'a> {
    /// The ids; `None` for a struct of fields without one (SQL's `classify`).
    pub(crate) id: Option<Cells<'a>>,
    pub(crate) bindings: Vec<Binding<'a>>,
}

/// The names of every field a table may have, for "did you mean".
fn known(p: &Compiled) -> impl Iterator<Item = &str> {
    std::iter::once("id")
        .chain(p.metrics.iter().map(|m| m.name.as_str()))
        .chain(STATE_FIELDS)
}

/// The type of a column for messages: `Float64`, `Decimal128(18, 2)`, `Date32`.
fn type_name(column: &dyn Array) -> String {
    column.data_type().to_string()
}

/// Resolves `columns` (name and cells, in table order) for `p`; an `id` column is needed
/// when `need_id`.
pub(crate) fn bind<'a>(
    p: &Compiled,
    columns: impl IntoIterator<Item = (&'a str, &'a dyn Array)>,
    need_id: bool,
    options: &TableOptions,
) -> Result<Columns<'a>, TableError> {
    let mut id = None;
    let mut bindings = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, column) in columns {
        if seen.contains(&name) {
            return Err(TableError::new(
                TableErrorKind::DuplicateColumn,
                Some(name),
                format!("the table has two columns named `{name}`"),
            ));
        }
        seen.push(name);
        let target = if name == "id" {
            None
        } else if let Some(i) = p.metrics.iter().position(|m| m.name == name) {
            Some(Target::Metric(i))
        } else if let Some(f) = STATE_FIELDS.iter().find(|f| **f == name) {
            Some(Target::State(f))
        } else if options.ignore_extra_columns {
            continue;
        } else {
            return Err(TableError::new(
                TableErrorKind::UnknownColumn,
                Some(name),
                format!(
                    "unknown column: `{name}` is neither a metric of policy `{}` nor a state or pin field",
                    p.id
                ),
            )
            .with_help(did_you_mean(name, known(p))));
        };
        let unsupported = || {
            TableError::new(
                TableErrorKind::UnsupportedType,
                Some(name),
                format!(
                    "column `{name}` is {}, which tierwise does not read",
                    type_name(column)
                ),
            )
        };
        let cells = Cells::of(column).ok_or_else(unsupported)?;
        let shape = cells.shape();
        let Some(target) = target else {
            if !matches!(shape, Shape::Text | Shape::Integer | Shape::Null) {
                return Err(wrong_type(
                    name,
                    column,
                    "the customer id",
                    "text or integers",
                ));
            }
            id = Some(cells);
            continue;
        };
        let mut choices = None;
        match target {
            Target::Metric(i) => {
                let Some(m) = p.metrics.get(i) else {
                    continue;
                };
                let accepted = match &m.kind {
                    MetricKind::Decimal { .. } | MetricKind::Integer { .. } => {
                        if shape == Shape::Float && !options.floats_as_decimals {
                            return Err(float_column(name, column, &m.kind));
                        }
                        matches!(
                            shape,
                            Shape::Integer | Shape::Decimal | Shape::Text | Shape::Float
                        )
                    }
                    MetricKind::Date => matches!(shape, Shape::Date | Shape::Text),
                    MetricKind::Enum { values } => {
                        if let Some((Cells::Utf8(dict), _)) = cells.dictionary() {
                            choices = Some(
                                (0..dict.len())
                                    .map(|k| {
                                        let v = (!dict.is_null(k)).then(|| dict.value(k))?;
                                        let i = values.iter().position(|x| x == v)?;
                                        u16::try_from(i).ok()
                                    })
                                    .collect(),
                            );
                        }
                        shape == Shape::Text
                    }
                    MetricKind::Bool => matches!(shape, Shape::Bool | Shape::Text),
                    MetricKind::Unresolved => false,
                };
                if !accepted && shape != Shape::Null {
                    let (what, types) = match &m.kind {
                        MetricKind::Decimal { .. } => {
                            ("a decimal metric", "decimals, integers or text")
                        }
                        MetricKind::Integer { .. } => {
                            ("a whole-number metric", "integers, decimals or text")
                        }
                        MetricKind::Date => ("a date metric", "Date32, Date64 or text"),
                        MetricKind::Enum { .. } => {
                            ("an enum metric", "text or a dictionary of text")
                        }
                        MetricKind::Bool => ("a boolean metric", "Boolean or text"),
                        MetricKind::Unresolved => ("a metric", "a known type"),
                    };
                    return Err(wrong_type(name, column, what, types));
                }
            }
            Target::State(field) => {
                let dates = matches!(field, "tier_since" | "last_qualified" | "pinned_until");
                let accepted = if dates {
                    matches!(shape, Shape::Date | Shape::Text | Shape::Null)
                } else {
                    matches!(shape, Shape::Text | Shape::Null)
                };
                if !accepted {
                    let types = if dates {
                        "Date32, Date64 or text"
                    } else {
                        "text"
                    };
                    return Err(wrong_type(name, column, "a state or pin field", types));
                }
            }
        }
        bindings.push(Binding {
            target,
            cells,
            choices,
        });
    }
    if id.is_none() && need_id {
        return Err(TableError::new(
            TableErrorKind::MissingId,
            None,
            "the table has no `id` column".to_owned(),
        )
        .with_help(Some(
            "name the column that holds each customer's id `id`".to_owned(),
        )));
    }
    Ok(Columns { id, bindings })
}

fn wrong_type(name: &str, column: &dyn Array, what: &str, types: &str) -> TableError {
    TableError::new(
        TableErrorKind::UnsupportedType,
        Some(name),
        format!(
            "column `{name}` is {}, but `{name}` is {what}, read from {types}",
            type_name(column)
        ),
    )
}

/// The refusal of a float column for a number.
pub(crate) fn float_column(name: &str, column: &dyn Array, kind: &MetricKind) -> TableError {
    let what = match kind {
        MetricKind::Integer { .. } => "a whole-number metric",
        _ => "a decimal metric",
    };
    TableError::new(
        TableErrorKind::FloatColumn,
        Some(name),
        format!(
            "column `{name}` is {}, which is not exact, and `{name}` is {what}",
            type_name(column)
        ),
    )
    .with_help(Some(format!(
        "store it as a decimal where the table is made (in SQL, `CAST({name} AS DECIMAL(18, 2))`), \
         or opt in to reading each float as its shortest round-trip decimal"
    )))
}
