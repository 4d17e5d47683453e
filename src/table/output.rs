//! The output columns of spec section 18: one row per customer, in input order, with the
//! results of a good row or the message of a bad one.

use std::sync::Arc;

use arrow_array::builder::{Date32Builder, Decimal128Builder, StringBuilder};
use arrow_array::{new_null_array, Array, ArrayRef, RecordBatch, StringArray, StructArray};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};

use super::cells::{days_of_date, trim};
use super::fill::CHUNK;
use super::vector::Decided;
use crate::error::{WrongPolicy, WrongPolicyKind};
use crate::eval::Assignment;
use crate::model::{fast, Compiled, Score};

/// The precision of the output's Decimal128 columns; their scale is the policy's
/// `precision`.
const DECIMAL_PRECISION: u8 = 38;

/// The type of a score column of `p`.
fn score_type(p: &Compiled) -> DataType {
    DataType::Decimal128(
        DECIMAL_PRECISION,
        i8::try_from(p.precision).unwrap_or(i8::MAX),
    )
}

/// The name of a dimension's column in a table of results: `dimension.NAME`, as in the
/// CSV output of `tierwise tier`.
pub(crate) fn dimension_column(name: &str) -> String {
    format!("dimension.{name}")
}

/// The schema of [`ResultColumns::finish`]: `id`, `tier`, `qualified_tier`, `score`, one
/// `dimension.NAME` per dimension, `tier_since`, `last_qualified`, `error`.
pub(crate) fn schema(p: &Compiled) -> SchemaRef {
    let mut fields = vec![
        Field::new("id", DataType::Utf8, true),
        Field::new("tier", DataType::Utf8, true),
        Field::new("qualified_tier", DataType::Utf8, true),
        Field::new("score", score_type(p), true),
    ];
    fields.extend(
        p.dimension_names
            .iter()
            .map(|d| Field::new(dimension_column(d), score_type(p), true)),
    );
    fields.extend([
        Field::new("tier_since", DataType::Date32, true),
        Field::new("last_qualified", DataType::Date32, true),
        Field::new("error", DataType::Utf8, true),
    ]);
    Arc::new(Schema::new(fields))
}

/// The fields of [`ResultColumns::finish_struct`], the result of SQL's `classify`:
/// `tier`, `qualified_tier`, `score`, `dimensions` (a struct of one decimal per
/// dimension), `tier_since`, `last_qualified`, `error`.
pub(crate) fn struct_fields(p: &Compiled) -> Fields {
    let dims: Fields = p
        .dimension_names
        .iter()
        .map(|d| Field::new(d, score_type(p), true))
        .collect();
    Fields::from(vec![
        Field::new("tier", DataType::Utf8, true),
        Field::new("qualified_tier", DataType::Utf8, true),
        Field::new("score", score_type(p), true),
        Field::new("dimensions", DataType::Struct(dims), true),
        Field::new("tier_since", DataType::Date32, true),
        Field::new("last_qualified", DataType::Date32, true),
        Field::new("error", DataType::Utf8, true),
    ])
}

/// Results gathered row by row into the output columns of spec section 18.
///
/// Made by [`Policy::result_columns`](crate::Policy::result_columns); `classify_table`
/// fills one, and a caller with its own customers and assignments can too.
///
/// ```
/// # let demo = include_str!("../../tests/inputs/demo.toml");
/// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
/// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
/// let c = policy.customer("C1").set("teu", "625.5").build()?;
/// let mut out = policy.result_columns();
/// out.push(c.id(), &policy.classify(&c, as_of)?)?;
/// out.push_error(Some("C2"), "customer `C2`: field `teu`: `x` is not a decimal number");
/// let batch = out.finish();
/// assert_eq!(batch.num_rows(), 2);
/// assert_eq!(batch.schema().field(3).name(), "score");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ResultColumns<'p> {
    p: &'p Compiled,
    rows: usize,
    id: StringBuilder,
    /// The input's id column, when it is the output's as it is ([`same_ids`]): the ids
    /// are then not copied row by row.
    ///
    /// [`same_ids`]: Self::same_ids
    same_ids: Option<StringArray>,
    /// Tier ranks, [`NO_TIER`] for a row without one; the names are written at the end.
    tier: Vec<u16>,
    qualified: Vec<u16>,
    score: Decimal128Builder,
    dimensions: Vec<Decimal128Builder>,
    tier_since: Date32Builder,
    last_qualified: Date32Builder,
    /// The messages, from the first bad row on (the rows before it are nulls).
    error: Option<StringBuilder>,
}

/// The rank of no tier (a bad row's) in [`ResultColumns`].
const NO_TIER: u16 = u16::MAX;

/// The text column of tier ranks: each rank's id, null for [`NO_TIER`] (or a rank the
/// policy does not have).
///
/// Tier ids are short: each is copied as a fixed block of [`NAME_BLOCK`] bytes (one or
/// two moves, not a call to `memcpy` with a length) and the end moved back to its length.
fn tier_names(ids: &[String], ranks: &[u16]) -> ArrayRef {
    let name = |rank: u16| ids.get(usize::from(rank)).map(String::as_str);
    let blocks: Option<Vec<([u8; NAME_BLOCK], usize)>> = ids
        .iter()
        .map(|id| {
            let mut block = [0u8; NAME_BLOCK];
            block.get_mut(..id.len())?.copy_from_slice(id.as_bytes());
            Some((block, id.len()))
        })
        .collect();
    let mut total = 0usize;
    let mut nulls = 0usize;
    for &rank in ranks {
        match blocks.as_ref().and_then(|b| b.get(usize::from(rank))) {
            Some((_, len)) => total += len,
            None => nulls += 1,
        }
    }
    let built = blocks
        .filter(|_| i32::try_from(total).is_ok())
        .and_then(|blocks| {
            let mut values = vec![0u8; total + NAME_BLOCK];
            let mut offsets: Vec<i32> = Vec::with_capacity(ranks.len() + 1);
            offsets.push(0);
            let mut end = 0usize;
            for &rank in ranks {
                if let Some((block, len)) = blocks.get(usize::from(rank)) {
                    values
                        .get_mut(end..end + NAME_BLOCK)?
                        .copy_from_slice(block);
                    end += len;
                }
                offsets.push(i32::try_from(end).ok()?);
            }
            values.truncate(end);
            let nulls = (nulls > 0).then(|| {
                NullBuffer::from_iter(ranks.iter().map(|r| usize::from(*r) < blocks.len()))
            });
            let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
            StringArray::try_new(offsets, Buffer::from_vec(values), nulls).ok()
        });
    match built {
        Some(a) => Arc::new(a),
        // a long tier id, or more names than 32-bit offsets hold: through the builder
        None => {
            let mut b = StringBuilder::with_capacity(ranks.len(), total);
            ranks.iter().for_each(|r| b.append_option(name(*r)));
            Arc::new(b.finish())
        }
    }
}

/// The bytes [`tier_names`] copies a tier id in.
const NAME_BLOCK: usize = 16;

impl<'p> ResultColumns<'p> {
    pub(crate) fn new(p: &'p Compiled, capacity: usize) -> ResultColumns<'p> {
        let decimals = || Decimal128Builder::with_capacity(capacity);
        ResultColumns {
            p,
            rows: 0,
            id: StringBuilder::with_capacity(capacity, capacity * 8),
            same_ids: None,
            tier: Vec::with_capacity(capacity),
            qualified: Vec::with_capacity(capacity),
            score: decimals(),
            dimensions: p.dimensions.iter().map(|_| decimals()).collect(),
            tier_since: Date32Builder::with_capacity(capacity),
            last_qualified: Date32Builder::with_capacity(capacity),
            error: None,
        }
    }

    /// The number of rows so far.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// A row without a message.
    #[inline]
    fn no_error(&mut self) {
        if let Some(e) = &mut self.error {
            e.append_null();
        }
        self.rows += 1;
    }

    /// The error column of the rows so far, leaving it empty.
    fn finish_errors(&mut self) -> ArrayRef {
        let rows = std::mem::take(&mut self.rows);
        match self.error.take() {
            Some(mut e) => Arc::new(e.finish()),
            None => new_null_array(&DataType::Utf8, rows),
        }
    }

    /// The tier and qualified-tier columns of the rows so far, leaving them empty.
    fn finish_tiers(&mut self) -> (ArrayRef, ArrayRef) {
        let tier = tier_names(&self.p.tier_ids, &self.tier);
        let qualified = tier_names(&self.p.tier_ids, &self.qualified);
        self.tier.clear();
        self.qualified.clear();
        (tier, qualified)
    }

    /// Whether there is no row yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn score(&self, s: Score) -> Option<i128> {
        fast::at_scale(s.0, self.p.precision)
    }

    /// Adds the row of a customer tiered by this policy.
    pub fn push(&mut self, id: &str, a: &Assignment) -> Result<(), WrongPolicy> {
        if a.tier().policy != self.p.key() {
            return Err(WrongPolicy::new(WrongPolicyKind::Tier));
        }
        self.push_assignment(id, a);
        Ok(())
    }

    /// [`push`](Self::push) of an assignment known to be this policy's.
    #[inline]
    pub(crate) fn push_assignment(&mut self, id: &str, a: &Assignment) {
        let rank = |rank: usize| u16::try_from(rank).unwrap_or(NO_TIER);
        self.push_id(Some(id));
        self.tier.push(rank(a.tier().rank()));
        self.qualified.push(rank(a.qualified_tier().rank()));
        let score = self.score(a.score());
        self.score.append_option(score);
        for (b, d) in self.dimensions.iter_mut().zip(a.dimension_scores()) {
            b.append_option(fast::at_scale(d.0, self.p.precision));
        }
        self.tier_since
            .append_value(days_of_date(a.state().tier_since()));
        self.last_qualified
            .append_option(a.state().last_qualified().map(days_of_date));
        self.no_error();
    }

    /// Adds the id of a row decided in integer lanes; its results follow, with those of
    /// the rows of its run, by [`push_decided`](Self::push_decided) before any other row.
    #[inline]
    pub(crate) fn push_decided_id(&mut self, id: &str) {
        self.push_id(Some(id));
    }

    /// Adds a row's id, unless the ids are the input's ([`same_ids`](Self::same_ids)).
    #[inline]
    fn push_id(&mut self, id: Option<&str>) {
        if self.same_ids.is_none() {
            self.id.append_option(id);
        }
    }

    /// Takes `ids` as the output's id column, as it is, when no row has been added yet and
    /// every id is the output's unchanged: no id is blank or has space around it (both
    /// would be changed: a blank id is a missing one, and ids are trimmed). The caller
    /// promises one output row per row of `ids`, in order, and a missing id (a null)
    /// exactly where `ids` has a null.
    pub(crate) fn same_ids(&mut self, ids: &StringArray) {
        let plain = |t: &str| !t.is_empty() && trim(t).len() == t.len();
        if self.rows == 0 && (0..ids.len()).all(|r| ids.is_null(r) || plain(ids.value(r))) {
            self.same_ids = Some(ids.clone());
        }
    }

    /// Whether the ids are the input's ([`same_ids`](Self::same_ids)).
    pub(crate) fn has_same_ids(&self) -> bool {
        self.same_ids.is_some()
    }

    /// Adds the results of rows `rows` of a chunk decided in integer lanes (their ids
    /// added before), a column at a time.
    pub(crate) fn push_decided(&mut self, d: &Decided<'_>, rows: std::ops::Range<usize>) {
        let n = rows.len();
        let tiered = d.tiered.get(rows.clone()).unwrap_or_default();
        let mut wide = [0i128; CHUNK];
        let wide = wide.get_mut(..n).unwrap_or_default();
        let mut put = |b: &mut Decimal128Builder, column: &[i64]| {
            for (w, q) in wide.iter_mut().zip(column) {
                *w = i128::from(*q);
            }
            b.append_slice(wide);
        };
        put(
            &mut self.score,
            d.scores.get(rows.clone()).unwrap_or_default(),
        );
        for (i, b) in self.dimensions.iter_mut().enumerate() {
            let column =
                d.qs.get(i * CHUNK + rows.start..i * CHUNK + rows.end)
                    .unwrap_or_default();
            put(b, column);
        }
        let mut days = [0i32; CHUNK];
        let mut known = [false; CHUNK];
        for (t, day) in tiered.iter().zip(days.iter_mut()) {
            self.tier.push(t.tier);
            self.qualified.push(t.qualified);
            *day = t.tier_since;
        }
        self.tier_since
            .append_slice(days.get(..n).unwrap_or_default());
        for (t, (day, known)) in tiered.iter().zip(days.iter_mut().zip(known.iter_mut())) {
            *day = t.last_qualified.unwrap_or(0);
            *known = t.last_qualified.is_some();
        }
        self.last_qualified.append_values(
            days.get(..n).unwrap_or_default(),
            known.get(..n).unwrap_or_default(),
        );
        if let Some(e) = &mut self.error {
            e.append_nulls(n);
        }
        self.rows += n;
    }

    /// Adds the row of a customer that could not be tiered: nulls but for the id (when it
    /// has one) and the message.
    pub fn push_error(&mut self, id: Option<&str>, message: &str) {
        self.push_id(id);
        self.tier.push(NO_TIER);
        self.qualified.push(NO_TIER);
        self.score.append_null();
        self.dimensions.iter_mut().for_each(|b| b.append_null());
        self.tier_since.append_null();
        self.last_qualified.append_null();
        let rows = self.rows;
        self.error
            .get_or_insert_with(|| {
                let mut e = StringBuilder::new();
                e.append_nulls(rows);
                e
            })
            .append_value(message);
        self.rows += 1;
    }

    fn decimals(b: &mut Decimal128Builder, t: &DataType) -> ArrayRef {
        let a = b.finish();
        match t {
            DataType::Decimal128(p, s) => match a.clone().with_precision_and_scale(*p, *s) {
                Ok(a) => Arc::new(a),
                Err(_) => Arc::new(a),
            },
            _ => Arc::new(a),
        }
    }

    /// The rows so far as a record batch of the schema of spec section 18, leaving the
    /// builder empty for more.
    pub fn finish(&mut self) -> RecordBatch {
        let schema = schema(self.p);
        let t = score_type(self.p);
        let rows_so_far = self.rows;
        let (tier, qualified) = self.finish_tiers();
        let mut columns: Vec<ArrayRef> = vec![
            match self.same_ids.take() {
                Some(ids) if ids.len() == rows_so_far => Arc::new(ids),
                _ => Arc::new(self.id.finish()),
            },
            tier,
            qualified,
            Self::decimals(&mut self.score, &t),
        ];
        for b in &mut self.dimensions {
            columns.push(Self::decimals(b, &t));
        }
        columns.push(Arc::new(self.tier_since.finish()));
        columns.push(Arc::new(self.last_qualified.finish()));
        columns.push(self.finish_errors());
        let rows = columns.first().map_or(0, |c| c.len());
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(schema.clone(), columns, &options)
            .unwrap_or_else(|_| RecordBatch::new_empty(schema))
    }

    /// The rows so far as the struct of SQL's `classify` (the ids are not part of it).
    pub fn finish_struct(&mut self) -> StructArray {
        let fields = struct_fields(self.p);
        let t = score_type(self.p);
        let _ = self.id.finish();
        self.same_ids = None;
        let dims: Vec<ArrayRef> = self
            .dimensions
            .iter_mut()
            .map(|b| Self::decimals(b, &t))
            .collect();
        let dim_fields = match fields.iter().find(|f| f.name() == "dimensions") {
            Some(f) => match f.data_type() {
                DataType::Struct(d) => d.clone(),
                _ => Fields::empty(),
            },
            None => Fields::empty(),
        };
        let rows = self.rows;
        let dimensions = StructArray::try_new_with_length(dim_fields, dims, None, rows)
            .map(|s| Arc::new(s) as ArrayRef);
        let (tier, qualified) = self.finish_tiers();
        let columns: Vec<ArrayRef> = vec![
            tier,
            qualified,
            Self::decimals(&mut self.score, &t),
            match dimensions {
                Ok(d) => d,
                Err(_) => Arc::new(StructArray::new_empty_fields(rows, None)),
            },
            Arc::new(self.tier_since.finish()),
            Arc::new(self.last_qualified.finish()),
            self.finish_errors(),
        ];
        StructArray::try_new_with_length(fields.clone(), columns, None, rows)
            .unwrap_or_else(|_| StructArray::new_null(fields, rows))
    }
}
