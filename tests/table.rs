//! Arrow tables (feature `arrow`, spec section 18): every row of a batch gives what
//! building the same values with `CustomerBuilder::set` and `classify` gives, in order;
//! columns of the wrong kind are refused once, naming the column.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::sync::Arc;

use chrono::NaiveDate;
use proptest::prelude::*;
use tierwise::rust_decimal::Decimal;
use tierwise::table::arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder,
    StringDictionaryBuilder,
};
use tierwise::table::arrow_array::cast::AsArray;
use tierwise::table::arrow_array::types::{Date32Type, Decimal128Type, Int32Type};
use tierwise::table::arrow_array::{
    Array, ArrayRef, Float64Array, RecordBatch, StringArray, StructArray,
};
use tierwise::table::arrow_schema::{DataType, Field};
use tierwise::table::{TableErrorKind, TableOptions};
use tierwise::{InputValue, Policy};

use crate::common::{date, load};

fn policy() -> Policy {
    load("policies/ocean-shipping.toml")
}

fn as_of() -> NaiveDate {
    date("2026-06-30")
}

/// One row of results as text, the same way for both paths.
fn expected(policy: &Policy, id: &str, fields: &[(&str, InputValue)], as_of: NaiveDate) -> String {
    let mut b = policy.customer(id);
    for (name, v) in fields {
        b = b.set(name, v.clone());
    }
    let c = match b.build() {
        Ok(c) => c,
        Err(e) => return format!("{id}: error {e}"),
    };
    match policy.classify(&c, as_of) {
        Ok(a) => {
            let name = |t| policy.tier(t).unwrap().id().to_owned();
            let dims: Vec<String> = a.dimension_scores().iter().map(|s| s.to_string()).collect();
            format!(
                "{id}: {} {} {} [{}] {} {}",
                name(a.tier()),
                name(a.qualified_tier()),
                a.score(),
                dims.join(" "),
                a.state().tier_since(),
                a.state()
                    .last_qualified()
                    .map_or("-".to_owned(), |d| d.to_string()),
            )
        }
        Err(e) => format!("{id}: error {e}"),
    }
}

fn decimal_text(a: &dyn Array, row: usize) -> String {
    let DataType::Decimal128(_, s) = a.data_type() else {
        panic!("not a decimal column: {:?}", a.data_type());
    };
    let v = a.as_primitive::<Decimal128Type>().value(row);
    Decimal::from_i128_with_scale(v, u32::try_from(*s).unwrap()).to_string()
}

fn date_text(a: &dyn Array, row: usize) -> String {
    let days = a.as_primitive::<Date32Type>().value(row);
    (date("1970-01-01") + chrono::Days::new(u64::try_from(days).unwrap())).to_string()
}

/// The rows of an output batch as text, in the shape of [`expected`].
fn actual(policy: &Policy, out: &RecordBatch) -> Vec<String> {
    let col = |name: &str| out.column_by_name(name).unwrap().clone();
    let (id, tier, q, score, since, last, error) = (
        col("id"),
        col("tier"),
        col("qualified_tier"),
        col("score"),
        col("tier_since"),
        col("last_qualified"),
        col("error"),
    );
    let dims: Vec<ArrayRef> = policy
        .dimension_names()
        .map(|d| col(&format!("dimension.{d}")))
        .collect();
    (0..out.num_rows())
        .map(|r| {
            let id = id.as_string::<i32>().value(r);
            if error.is_valid(r) {
                assert!(tier.is_null(r) && score.is_null(r) && since.is_null(r));
                return format!("{id}: error {}", error.as_string::<i32>().value(r));
            }
            let dims: Vec<String> = dims.iter().map(|d| decimal_text(d, r)).collect();
            format!(
                "{id}: {} {} {} [{}] {} {}",
                tier.as_string::<i32>().value(r),
                q.as_string::<i32>().value(r),
                decimal_text(&score, r),
                dims.join(" "),
                date_text(&since, r),
                if last.is_null(r) {
                    "-".to_owned()
                } else {
                    date_text(&last, r)
                },
            )
        })
        .collect()
}

/// The sample customers as (header, rows of text cells).
pub fn sample() -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path("data/customers.csv").unwrap();
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// The sample as a batch of typed columns: decimals, dates, integers, booleans, a
/// dictionary for `influence`, text for the rest.
pub fn typed_sample(header: &[String], rows: &[Vec<String>]) -> RecordBatch {
    let columns: Vec<(String, ArrayRef)> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let cells = rows.iter().map(|r| r[i].as_str()).filter(|c| !c.is_empty());
            let array: ArrayRef = match name.as_str() {
                "annual_teu" | "gross_margin_pct" => {
                    let scale = cells
                        .map(|c| c.parse::<Decimal>().unwrap().scale())
                        .max()
                        .unwrap_or(0);
                    let mut b = Decimal128Builder::new();
                    for r in rows {
                        if r[i].is_empty() {
                            b.append_null();
                        } else {
                            let mut d = r[i].parse::<Decimal>().unwrap();
                            d.rescale(scale);
                            b.append_value(d.mantissa());
                        }
                    }
                    Arc::new(
                        b.finish()
                            .with_precision_and_scale(18, i8::try_from(scale).unwrap())
                            .unwrap(),
                    )
                }
                "customer_since" | "tier_since" | "last_qualified" | "pinned_until" => {
                    let mut b = Date32Builder::new();
                    for r in rows {
                        if r[i].is_empty() {
                            b.append_null();
                        } else {
                            let d = date(&r[i]) - date("1970-01-01");
                            b.append_value(i32::try_from(d.num_days()).unwrap());
                        }
                    }
                    Arc::new(b.finish())
                }
                "overdue_days" => {
                    let mut b = Int64Builder::new();
                    for r in rows {
                        b.append_option(r[i].parse::<i64>().ok());
                    }
                    Arc::new(b.finish())
                }
                "strategic" => {
                    let mut b = BooleanBuilder::new();
                    for r in rows {
                        b.append_option(r[i].parse::<bool>().ok());
                    }
                    Arc::new(b.finish())
                }
                "influence" => {
                    let mut b = StringDictionaryBuilder::<Int32Type>::new();
                    for r in rows {
                        if r[i].is_empty() {
                            b.append_null();
                        } else {
                            b.append_value(&r[i]);
                        }
                    }
                    Arc::new(b.finish())
                }
                _ => text_column(rows.iter().map(|r| r[i].as_str())),
            };
            (name.clone(), array)
        })
        .collect();
    RecordBatch::try_from_iter(columns).unwrap()
}

pub fn text_column<'a>(cells: impl Iterator<Item = &'a str>) -> ArrayRef {
    let mut b = StringBuilder::new();
    for c in cells {
        if c.is_empty() {
            b.append_null();
        } else {
            b.append_value(c);
        }
    }
    Arc::new(b.finish())
}

#[test]
fn records_filled_column_by_column_start_from_the_defaults() {
    // nine dimensions, more than the integer lanes take: the rows are filled into records
    // column by column, and a metric with a default that a row (or the whole batch) leaves
    // out has its default, as a builder gives it
    let policy = load("tests/inputs/tables/record-fill.toml");
    let rows: [(&str, &str, &str, &str); 5] = [
        ("F1", "100", "B", "5"),
        ("F2", "900", "", ""),
        ("F3", "", "C", "0"),
        ("F4", "4000.5", "", "90"),
        ("F5", "15000", "A", ""),
    ];
    let batch = RecordBatch::try_from_iter([
        ("id", text_column(rows.iter().map(|r| r.0))),
        ("teu", text_column(rows.iter().map(|r| r.1))),
        ("rating", text_column(rows.iter().map(|r| r.2))),
        ("overdue", text_column(rows.iter().map(|r| r.3))),
    ])
    .unwrap();
    let out = policy
        .classify_table(&batch, as_of(), &TableOptions::new())
        .unwrap();
    let want: Vec<String> = rows
        .iter()
        .map(|(id, teu, rating, overdue)| {
            let fields: Vec<(&str, InputValue)> =
                [("teu", teu), ("rating", rating), ("overdue", overdue)]
                    .into_iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(name, v)| (name, InputValue::Text((*v).to_owned())))
                    .collect();
            expected(&policy, id, &fields, as_of())
        })
        .collect();
    assert_eq!(actual(&policy, &out), want);
    // the defaults scored: F2, 900 TEU, has rating A (100), overdue 30 (50) and partner
    // true (100)
    assert!(
        want[1].contains("[90.00 100.00 45.00 22.50 11.25 5.63 100.00 50.00 100.00]"),
        "{}",
        want[1]
    );
}

#[test]
fn the_sample_customers_classify_as_one_by_one_typed_or_as_text() {
    let policy = policy();
    let (header, rows) = sample();
    let want: Vec<String> = rows
        .iter()
        .map(|r| {
            let fields: Vec<(&str, InputValue)> = header
                .iter()
                .zip(r)
                .skip(1)
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| (h.as_str(), InputValue::Text(v.clone())))
                .collect();
            expected(&policy, &r[0], &fields, as_of())
        })
        .collect();
    assert_eq!(want.len(), 1200);
    let text = RecordBatch::try_from_iter(
        header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), text_column(rows.iter().map(|r| r[i].as_str())))),
    )
    .unwrap();
    let out = policy
        .classify_table(&text, as_of(), &TableOptions::new())
        .unwrap();
    assert_eq!(out.schema(), policy.table_schema());
    assert_eq!(actual(&policy, &out), want);
    let typed = typed_sample(&header, &rows);
    assert!(matches!(
        typed.column_by_name("influence").unwrap().data_type(),
        DataType::Dictionary(..)
    ));
    let out = policy
        .classify_table(&typed, as_of(), &TableOptions::new())
        .unwrap();
    assert_eq!(actual(&policy, &out), want);
    // and the struct of SQL's `classify`, with the as-of date per row
    let fields = StructArray::from(typed.clone());
    let dates = tierwise::table::arrow_array::Date32Array::from(vec![
        i32::try_from(
            (as_of() - date("1970-01-01")).num_days()
        )
        .unwrap();
        typed.num_rows()
    ]);
    let result = policy
        .classify_struct(&fields, &dates, &TableOptions::new())
        .unwrap();
    assert_eq!(result.fields(), &policy.classify_struct_fields());
    let tiers = result.column_by_name("tier").unwrap().as_string::<i32>();
    for (r, line) in want.iter().enumerate() {
        let tier = line.split(' ').nth(1).unwrap();
        assert_eq!(tiers.value(r), tier, "{line}");
    }
}

#[test]
fn bad_rows_keep_their_place_with_the_message_of_the_builder() {
    let policy = policy();
    let batch = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(StringArray::from(vec![
                Some("A"),
                None,
                Some("C"),
                Some("D"),
            ])) as ArrayRef,
        ),
        (
            "annual_teu",
            Arc::new(StringArray::from(vec!["1200", "5", "-3", "1_000"])),
        ),
        (
            "customer_since",
            Arc::new(StringArray::from(vec![
                "2019-01-01",
                "2019-01-01",
                "2019-01-01",
                "2019-02-30",
            ])),
        ),
        (
            "gross_margin_pct",
            Arc::new(StringArray::from(vec!["8", "8", "8", "8"])),
        ),
        (
            "influence",
            Arc::new(StringArray::from(vec![
                "regional", "regional", "regonal", "local",
            ])),
        ),
    ])
    .unwrap();
    let out = policy
        .classify_table(&batch, as_of(), &TableOptions::new())
        .unwrap();
    assert_eq!(out.num_rows(), 4);
    insta::assert_snapshot!(actual_with_null_ids(&policy, &out).join("\n"));
}

/// One customer's values (a standard customer on the sample policy) for each id of
/// `ids`, as text columns, and one more column when given.
fn same_customers(ids: ArrayRef, extra: Option<(&str, ArrayRef)>) -> RecordBatch {
    let n = ids.len();
    let text = |v: &str| Arc::new(StringArray::from(vec![v; n])) as ArrayRef;
    let mut columns = vec![
        ("id", ids),
        ("annual_teu", text("1200")),
        ("customer_since", text("2019-01-01")),
        ("gross_margin_pct", text("8")),
        ("influence", text("regional")),
    ];
    columns.extend(extra);
    RecordBatch::try_from_iter(columns).unwrap()
}

/// The output's ids are the input's, trimmed, with a blank or null id a null: whether the
/// input column is taken as it is (every id plain, one null) or copied row by row (one id
/// needs trimming, one is blank), and for a batch sliced out of a larger one.
#[test]
fn ids_are_kept_trimmed_or_null() {
    let policy = policy();
    let batch_of = |ids: Vec<Option<&str>>| same_customers(Arc::new(StringArray::from(ids)), None);
    let ids_of = |batch: &RecordBatch| -> Vec<Option<String>> {
        let out = policy
            .classify_table(batch, as_of(), &TableOptions::new())
            .unwrap();
        let ids = out.column_by_name("id").unwrap().as_string::<i32>();
        let tiers = out.column_by_name("tier").unwrap().as_string::<i32>();
        (0..out.num_rows())
            .map(|r| (!ids.is_null(r)).then(|| format!("{} {}", ids.value(r), tiers.value(r))))
            .collect()
    };
    let plain = batch_of(vec![Some("A"), None, Some("客户C"), Some("D")]);
    assert_eq!(
        ids_of(&plain),
        [
            Some("A standard".to_owned()),
            None,
            Some("客户C standard".to_owned()),
            Some("D standard".to_owned())
        ]
    );
    assert_eq!(
        ids_of(&plain.slice(1, 3)),
        [
            None,
            Some("客户C standard".to_owned()),
            Some("D standard".to_owned())
        ]
    );
    let spaced = batch_of(vec![Some(" A "), Some("  "), Some("C"), None]);
    assert_eq!(
        ids_of(&spaced),
        [
            Some("A standard".to_owned()),
            None,
            Some("C standard".to_owned()),
            None
        ]
    );
}

/// A pin cell in a sparse typed column (a date here and there, nulls elsewhere) makes its
/// row the builder's, which refuses `pinned_until` without `pinned_tier`; the rows around
/// it are tiered.
#[test]
fn a_sparse_pin_date_column_is_read_where_it_has_dates() {
    use tierwise::table::arrow_array::Date32Array;
    let policy = policy();
    let n = 300;
    let day = i32::try_from((date("2026-12-31") - date("1970-01-01")).num_days()).unwrap();
    let until: Date32Array = (0..n).map(|r| (r % 130 == 7).then_some(day)).collect();
    let ids = StringArray::from_iter_values((0..n).map(|i| format!("R{i}")));
    let batch = same_customers(Arc::new(ids), Some(("pinned_until", Arc::new(until))));
    let out = policy
        .classify_table(&batch.slice(2, n - 2), as_of(), &TableOptions::new())
        .unwrap();
    let errors = out.column_by_name("error").unwrap().as_string::<i32>();
    let bad: Vec<usize> = (0..out.num_rows())
        .filter(|r| !errors.is_null(*r))
        .collect();
    // rows 7, 137 and 267 of the batch, 5, 135 and 265 of the slice
    assert_eq!(bad, [5, 135, 265]);
    assert!(
        errors.value(5).contains("a pin needs `pinned_tier`"),
        "{}",
        errors.value(5)
    );
}

fn actual_with_null_ids(policy: &Policy, out: &RecordBatch) -> Vec<String> {
    let ids = out.column_by_name("id").unwrap().as_string::<i32>().clone();
    let errors = out
        .column_by_name("error")
        .unwrap()
        .as_string::<i32>()
        .clone();
    (0..out.num_rows())
        .map(|r| {
            if ids.is_null(r) {
                format!("<no id>: error {}", errors.value(r))
            } else {
                let one = out.slice(r, 1);
                actual(policy, &one).remove(0)
            }
        })
        .collect()
}

#[test]
fn columns_that_cannot_be_read_exactly_are_refused_once_by_name() {
    let policy = policy();
    let ids = Arc::new(StringArray::from(vec!["A"])) as ArrayRef;
    let batch = |name: &str, column: ArrayRef| {
        RecordBatch::try_from_iter([("id", ids.clone()), (name, column)]).unwrap()
    };
    let floats = batch("annual_teu", Arc::new(Float64Array::from(vec![1200.5])));
    let err = policy
        .classify_table(&floats, as_of(), &TableOptions::new())
        .unwrap_err();
    assert_eq!(err.kind(), TableErrorKind::FloatColumn);
    assert_eq!(err.column(), Some("annual_teu"));
    let unknown = batch("anual_teu", Arc::new(StringArray::from(vec!["1"])));
    let unknown_err = policy
        .classify_table(&unknown, as_of(), &TableOptions::new())
        .unwrap_err();
    assert_eq!(unknown_err.kind(), TableErrorKind::UnknownColumn);
    assert_eq!(unknown_err.help(), Some("did you mean `annual_teu`?"));
    let dates = batch(
        "annual_teu",
        Arc::new(tierwise::table::arrow_array::Date32Array::from(vec![1])),
    );
    let date_err = policy
        .classify_table(&dates, as_of(), &TableOptions::new())
        .unwrap_err();
    assert_eq!(date_err.kind(), TableErrorKind::UnsupportedType);
    let no_id = RecordBatch::try_from_iter([(
        "annual_teu",
        Arc::new(StringArray::from(vec!["1"])) as ArrayRef,
    )])
    .unwrap();
    let no_id_err = policy
        .classify_table(&no_id, as_of(), &TableOptions::new())
        .unwrap_err();
    assert_eq!(no_id_err.kind(), TableErrorKind::MissingId);
    insta::assert_snapshot!([err, unknown_err, date_err, no_id_err]
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n"));
    // opted in: each float through its shortest decimal, then as text would be
    let out = policy
        .classify_table(
            &floats,
            as_of(),
            &TableOptions::new().floats_as_decimals(true),
        )
        .unwrap();
    let message = out
        .column_by_name("error")
        .unwrap()
        .as_string::<i32>()
        .value(0);
    assert!(
        message.contains("required metric `customer_since` is missing"),
        "{message}"
    );
    // and unknown columns may be skipped
    let skipped = policy
        .classify_table(
            &unknown,
            as_of(),
            &TableOptions::new().ignore_extra_columns(true),
        )
        .unwrap();
    assert_eq!(skipped.num_rows(), 1);
}

/// A cell of a random row: absent, a good value or a bad one, as text or typed.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Text(String),
    Typed(InputValue),
}

fn teu() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Null),
        (-50i64..30_000, 0u32..3)
            .prop_map(|(m, s)| Cell::Typed(InputValue::Decimal(Decimal::new(m, s)))),
        (0i64..30_000).prop_map(|n| Cell::Text(n.to_string())),
        Just(Cell::Text("12e3".to_owned())),
    ]
}

fn since() -> impl Strategy<Value = Cell> {
    prop_oneof![
        (1990i32..2027, 1u32..13, 1u32..29).prop_map(|(y, m, d)| Cell::Typed(InputValue::Date(
            NaiveDate::from_ymd_opt(y, m, d).unwrap()
        ))),
        (1990i32..2027, 1u32..13, 1u32..32)
            .prop_map(|(y, m, d)| Cell::Text(format!("{y}-{m:02}-{d:02}"))),
        Just(Cell::Null),
    ]
}

fn margin() -> impl Strategy<Value = Cell> {
    prop_oneof![
        (-120i64..120, 0u32..2)
            .prop_map(|(m, s)| Cell::Typed(InputValue::Decimal(Decimal::new(m, s)))),
        (-20i64..40).prop_map(|n| Cell::Text(format!("{n}.5"))),
    ]
}

fn word(words: &'static [&'static str]) -> impl Strategy<Value = Cell> {
    prop_oneof![
        proptest::sample::select(words).prop_map(|w| Cell::Text(w.to_owned())),
        Just(Cell::Null),
    ]
}

fn row() -> impl Strategy<Value = Vec<Cell>> {
    (
        teu(),
        since(),
        margin(),
        word(&[
            "global_leader",
            "national_leader",
            "regional",
            "local",
            "locale",
        ]),
        word(&["A", "B", "C", "D", "E"]),
        prop_oneof![
            (0i64..200).prop_map(|n| Cell::Typed(InputValue::Integer(n))),
            Just(Cell::Typed(InputValue::Integer(-1))),
            Just(Cell::Null)
        ],
        prop_oneof![
            any::<bool>().prop_map(|b| Cell::Typed(InputValue::Bool(b))),
            Just(Cell::Text("TRUE".to_owned())),
            Just(Cell::Null)
        ],
        word(&["vip", "key", "standard", "gold"]),
        since(),
        since(),
        word(&["vip", "key", "standard", "gold"]),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i, j, k)| vec![a, b, c, d, e, f, g, h, i, j, k])
}

const COLUMNS: [&str; 11] = [
    "annual_teu",
    "customer_since",
    "gross_margin_pct",
    "influence",
    "credit_rating",
    "overdue_days",
    "strategic",
    "previous_tier",
    "tier_since",
    "last_qualified",
    "pinned_tier",
];

/// The column of one field over the rows: typed cells in the field's Arrow type, text in
/// UTF-8 (a column is typed when its first non-null cell is; text cells of a typed column
/// become nulls, and the row's expectation follows).
fn column(rows: &mut [Vec<Cell>], i: usize) -> ArrayRef {
    let typed = rows
        .iter()
        .find_map(|r| match &r[i] {
            Cell::Null => None,
            Cell::Text(_) => Some(false),
            Cell::Typed(_) => Some(true),
        })
        .unwrap_or(false);
    for r in rows.iter_mut() {
        let keep = matches!(
            (&r[i], typed),
            (Cell::Typed(_), true) | (Cell::Text(_), false)
        );
        if !keep {
            r[i] = Cell::Null;
        }
    }
    if !typed {
        let mut b = StringBuilder::new();
        for r in rows.iter() {
            match &r[i] {
                Cell::Text(t) => b.append_value(t),
                _ => b.append_null(),
            }
        }
        return Arc::new(b.finish());
    }
    if matches!(COLUMNS[i], "annual_teu" | "gross_margin_pct") {
        // the column's scale is 3: the value the row expects is the one read back
        for r in rows.iter_mut() {
            if let Cell::Typed(InputValue::Decimal(d)) = &mut r[i] {
                d.rescale(3);
            }
        }
    }
    let values = rows.iter().map(|r| match &r[i] {
        Cell::Typed(v) => Some(v.clone()),
        _ => None,
    });
    match COLUMNS[i] {
        "annual_teu" | "gross_margin_pct" => {
            let mut b = Decimal128Builder::new();
            for v in values {
                match v {
                    Some(InputValue::Decimal(d)) => b.append_value(d.mantissa()),
                    _ => b.append_null(),
                }
            }
            Arc::new(b.finish().with_precision_and_scale(20, 3).unwrap())
        }
        "overdue_days" => {
            let mut b = Int64Builder::new();
            for v in values {
                b.append_option(match v {
                    Some(InputValue::Integer(n)) => Some(n),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        "strategic" => {
            let mut b = BooleanBuilder::new();
            for v in values {
                b.append_option(match v {
                    Some(InputValue::Bool(x)) => Some(x),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        _ => {
            let mut b = Date32Builder::new();
            for v in values {
                b.append_option(match v {
                    Some(InputValue::Date(d)) => {
                        Some(i32::try_from((d - date("1970-01-01")).num_days()).unwrap())
                    }
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every row of a random batch, typed or text, good or bad, gives what the builder and
    /// `classify` give for the same values. The rows are repeated up to 64 times, so that
    /// batches of more than one chunk of 128 rows (filled column by column a chunk at a
    /// time) end their chunks at good and bad rows alike.
    #[test]
    fn every_row_agrees_with_classify(
        rows in prop::collection::vec(row(), 1..40),
        copies in 1usize..=64,
    ) {
        let mut rows: Vec<Vec<Cell>> = (0..copies).flat_map(|_| rows.iter().cloned()).collect();
        let policy = policy();
        let mut columns: Vec<(String, ArrayRef)> = vec![(
            "id".to_owned(),
            Arc::new(StringArray::from_iter_values((0..rows.len()).map(|i| format!("R{i}")))),
        )];
        for (i, name) in COLUMNS.iter().enumerate() {
            columns.push(((*name).to_owned(), column(&mut rows, i)));
        }
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let out = policy.classify_table(&batch, as_of(), &TableOptions::new()).unwrap();
        let want: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(r, cells)| {
                let fields: Vec<(&str, InputValue)> = COLUMNS
                    .iter()
                    .zip(cells)
                    .filter_map(|(name, c)| match c {
                        Cell::Null => None,
                        Cell::Text(t) => Some((*name, InputValue::Text(t.clone()))),
                        Cell::Typed(v) => Some((*name, v.clone())),
                    })
                    .collect();
                expected(&policy, &format!("R{r}"), &fields, as_of())
            })
            .collect();
        prop_assert_eq!(actual(&policy, &out), want);
    }
}

#[test]
fn a_dictionary_without_values_is_a_column_of_nulls() {
    use tierwise::table::arrow_array::{DictionaryArray, Int32Array};
    let policy = policy();
    let empty: DictionaryArray<Int32Type> = DictionaryArray::new(
        Int32Array::from(vec![None, None]),
        Arc::new(StringArray::from(Vec::<&str>::new())),
    );
    let batch = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(StringArray::from(vec!["A", "B"])) as ArrayRef,
        ),
        ("influence", Arc::new(empty) as ArrayRef),
    ])
    .unwrap();
    let out = policy
        .classify_table(&batch, as_of(), &TableOptions::new())
        .unwrap();
    let error = out.column_by_name("error").unwrap().as_string::<i32>();
    assert!(
        error
            .value(0)
            .contains("required metric `influence` is missing"),
        "{}",
        error.value(0)
    );
}

#[test]
fn struct_fields_are_those_of_sql_classify() {
    let policy = policy();
    let fields = policy.classify_struct_fields();
    let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "tier",
            "qualified_tier",
            "score",
            "dimensions",
            "tier_since",
            "last_qualified",
            "error"
        ]
    );
    let f: &Field = fields.find("dimensions").unwrap().1;
    let DataType::Struct(dims) = f.data_type() else {
        panic!("{f:?}");
    };
    assert_eq!(dims.len(), 4);
    assert_eq!(dims[0].data_type(), &DataType::Decimal128(38, 2));
}

/// A cell of the lanes policy: its typed value and its text.
#[derive(Debug, Clone)]
enum Lane {
    Int(i64),
    Dec(Decimal),
    Day(NaiveDate),
    Word(&'static str),
    Flag(bool),
}

impl Lane {
    fn text(&self) -> String {
        match self {
            Lane::Int(n) => n.to_string(),
            Lane::Dec(d) => d.to_string(),
            Lane::Day(d) => d.to_string(),
            Lane::Word(w) => (*w).to_owned(),
            Lane::Flag(b) => b.to_string(),
        }
    }

    fn typed(&self) -> InputValue {
        match self {
            Lane::Int(n) => InputValue::Integer(*n),
            Lane::Dec(d) => InputValue::Decimal(*d),
            Lane::Day(d) => InputValue::Date(*d),
            Lane::Word(w) => InputValue::Text((*w).to_owned()),
            Lane::Flag(b) => InputValue::Bool(*b),
        }
    }
}

const LANE_COLUMNS: [&str; 13] = [
    "volume",
    "since",
    "margin",
    "segment",
    "backup",
    "partner",
    "bonus",
    "previous_tier",
    "tier_since",
    "last_qualified",
    "pinned_tier",
    "pinned_until",
    "pin_reason",
];

fn lane_day(from: i32, to: i32) -> impl Strategy<Value = Option<Lane>> {
    prop_oneof![
        9 => (from..=to, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| Some(Lane::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap()))),
        1 => Just(None),
    ]
}

fn lane_word(words: &'static [&'static str]) -> impl Strategy<Value = Option<Lane>> {
    prop_oneof![
        8 => proptest::sample::select(words).prop_map(|w| Some(Lane::Word(w))),
        1 => Just(None),
    ]
}

fn lane_row() -> impl Strategy<Value = Vec<Option<Lane>>> {
    let volume = prop_oneof![
        8 => (0i64..9_000).prop_map(|n| Some(Lane::Int(n))),
        1 => prop_oneof![Just(-3i64), Just(1_000_001)].prop_map(|n| Some(Lane::Int(n))),
        1 => Just(None),
    ];
    // at scale 2, the scale of the typed column, so that a message shows the same digits
    let margin = prop_oneof![
        9 => (-6_000i64..9_000).prop_map(|m| Some(Lane::Dec(Decimal::new(m, 2)))),
        1 => Just(None),
    ];
    let bonus = prop_oneof![
        1 => (0i64..400).prop_map(|m| Some(Lane::Dec(Decimal::new(m, 2)))),
        1 => Just(None),
    ];
    let partner = prop_oneof![any::<bool>().prop_map(|b| Some(Lane::Flag(b))), Just(None)];
    let tiers: &'static [&'static str] = &["gold", "silver", "bronze", "basic", "platinum"];
    // pins: a tier, one with space around it, one the policy does not have
    let pinned = prop_oneof![
        6 => Just(None),
        1 => proptest::sample::select(&["silver", " gold ", "basic", "nope"][..])
            .prop_map(|w| Some(Lane::Word(w))),
    ];
    let until = prop_oneof![3 => Just(None), 1 => lane_day(2025, 2026)];
    let reason = prop_oneof![
        3 => Just(None),
        1 => proptest::sample::select(&["audit", " "][..]).prop_map(|w| Some(Lane::Word(w))),
    ];
    (
        volume,
        lane_day(2010, 2027),
        margin,
        lane_word(&["large", "medium", "small", "huge"]),
        lane_word(&["large", "medium", "small"]),
        partner,
        bonus,
        lane_word(tiers),
        lane_day(2025, 2026),
        lane_day(2025, 2026),
        (pinned, until, reason),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i, j, (k, l, m))| {
            vec![a, b, c, d, e, f, g, h, i, j, k, l, m]
        })
}

/// A column of the lanes policy: in its Arrow type when `typed`, else as text.
fn lane_column(cells: &[Option<Lane>], typed: bool) -> ArrayRef {
    let first = cells.iter().flatten().next();
    match (typed, first) {
        (true, Some(Lane::Int(_))) => Arc::new(
            cells
                .iter()
                .map(|c| match c {
                    Some(Lane::Int(n)) => Some(*n),
                    _ => None,
                })
                .collect::<tierwise::table::arrow_array::Int64Array>(),
        ),
        (true, Some(Lane::Dec(_))) => {
            let mut b = Decimal128Builder::new();
            for c in cells {
                match c {
                    Some(Lane::Dec(d)) => {
                        let mut d = *d;
                        d.rescale(2);
                        b.append_value(d.mantissa());
                    }
                    _ => b.append_null(),
                }
            }
            Arc::new(b.finish().with_precision_and_scale(20, 2).unwrap())
        }
        (true, Some(Lane::Day(_))) => {
            let mut b = Date32Builder::new();
            for c in cells {
                b.append_option(match c {
                    Some(Lane::Day(d)) => {
                        Some(i32::try_from((*d - date("1970-01-01")).num_days()).unwrap())
                    }
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        (true, Some(Lane::Flag(_))) => {
            let mut b = BooleanBuilder::new();
            for c in cells {
                b.append_option(match c {
                    Some(Lane::Flag(x)) => Some(*x),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        (true, Some(Lane::Word(_))) => {
            let mut b = StringDictionaryBuilder::<Int32Type>::new();
            for c in cells {
                match c {
                    Some(w) => b.append_value(w.text()),
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        _ => {
            let mut b = StringBuilder::new();
            for c in cells {
                match c {
                    Some(w) => b.append_value(w.text()),
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The columnar path on a policy with the features the samples do not use (tenure in
    /// days, a boolean map, a missing metric scoring zero, decimal weights, thresholds finer
    /// than the precision, conditions on dimensions, dates and `in` lists): every row, typed
    /// or text, good or bad, on any as-of date, gives what the builder and `classify` give,
    /// and so does the struct of SQL's `classify` with an as-of date per row.
    #[test]
    fn the_lanes_agree_with_classify_on_every_feature(
        rows in prop::collection::vec(lane_row(), 1..300),
        typed in prop::collection::vec(any::<bool>(), 13),
        as_of_day in 0u64..500,
        respect_caps in any::<bool>(),
    ) {
        let path = "tests/inputs/tables/lanes.toml";
        let text = std::fs::read_to_string(path).unwrap();
        let text = text.replace(
            "pins_respect_caps = false",
            &format!("pins_respect_caps = {respect_caps}"),
        );
        let policy = Policy::from_toml_str(path, &text).unwrap();
        let as_of = date("2025-06-01") + chrono::Days::new(as_of_day);
        let mut columns: Vec<(String, ArrayRef)> = vec![(
            "id".to_owned(),
            Arc::new(StringArray::from_iter_values((0..rows.len()).map(|i| format!("R{i}")))),
        )];
        for (i, name) in LANE_COLUMNS.iter().enumerate() {
            let cells: Vec<Option<Lane>> = rows.iter().map(|r| r[i].clone()).collect();
            columns.push(((*name).to_owned(), lane_column(&cells, typed[i])));
        }
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let fields_of = |cells: &[Option<Lane>]| -> Vec<(&str, InputValue)> {
            LANE_COLUMNS
                .iter()
                .zip(cells)
                .zip(&typed)
                .filter_map(|((name, c), t)| {
                    let c = c.as_ref()?;
                    // words, typed, are a dictionary of text
                    let v = if *t && !matches!(c, Lane::Word(_)) {
                        c.typed()
                    } else {
                        InputValue::Text(c.text())
                    };
                    Some((*name, v))
                })
                .collect()
        };
        let want: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(r, cells)| expected(&policy, &format!("R{r}"), &fields_of(cells), as_of))
            .collect();
        let out = policy.classify_table(&batch, as_of, &TableOptions::new()).unwrap();
        prop_assert_eq!(actual(&policy, &out), want);

        // an as-of date per row, one of them null
        let days: Vec<Option<i32>> = (0..rows.len())
            .map(|r| {
                (r % 97 != 5).then(|| {
                    let d = as_of + chrono::Days::new(u64::try_from(r % 40).unwrap());
                    i32::try_from((d - date("1970-01-01")).num_days()).unwrap()
                })
            })
            .collect();
        let dates = tierwise::table::arrow_array::Date32Array::from(days.clone());
        let fields = StructArray::from(batch.project(&(1..=LANE_COLUMNS.len()).collect::<Vec<_>>()).unwrap());
        let result = policy.classify_struct(&fields, &dates, &TableOptions::new()).unwrap();
        let tiers = result.column_by_name("tier").unwrap().as_string::<i32>();
        let scores = result.column_by_name("score").unwrap();
        for (r, cells) in rows.iter().enumerate() {
            let Some(d) = days[r] else {
                prop_assert!(tiers.is_null(r));
                continue;
            };
            let on = date("1970-01-01") + chrono::Days::new(u64::try_from(d).unwrap());
            let line = expected(&policy, &format!("R{r}"), &fields_of(cells), on);
            let got = if tiers.is_null(r) {
                "error".to_owned()
            } else {
                format!("{} {}", tiers.value(r), decimal_text(scores, r))
            };
            let words: Vec<&str> = line.split(' ').collect();
            let want = if words[1] == "error" {
                "error".to_owned()
            } else {
                format!("{} {}", words[1], words[3])
            };
            prop_assert_eq!(got, want, "{}", line);
        }
    }
}
