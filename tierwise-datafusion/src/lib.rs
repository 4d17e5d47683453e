//! tierwise policies in [Apache DataFusion](https://datafusion.apache.org): a compiled
//! [`Policy`] as the SQL scalar function `classify(FIELDS, AS_OF)` (spec section 18).
//!
//! `FIELDS` is a struct whose field names are metric, state and pin names, built in SQL
//! with `named_struct('annual_teu', x, ...)`; `AS_OF` a date (a `DATE` literal, a date
//! column, or text `YYYY-MM-DD`). The result is a struct of `tier`, `qualified_tier`,
//! `score` (Decimal128 of scale `precision`), `dimensions` (a struct of one Decimal128 per
//! dimension), `tier_since`, `last_qualified` (dates) and `error` (null unless that row is
//! bad: a bad row never fails the query). Each batch of rows is classified column by
//! column by [`Policy::classify_struct`], so a query over many partitions classifies them
//! on as many cores.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use datafusion::prelude::SessionContext;
//!
//! let text = std::fs::read_to_string("../policies/ocean-shipping.toml")?;
//! let policy = tierwise::Policy::from_toml_str("ocean-shipping.toml", &text)?;
//! let ctx = SessionContext::new();
//! tierwise_datafusion::register(&ctx, &policy);
//! let rows = ctx
//!     .sql(
//!         "SELECT classify(named_struct(
//!             'annual_teu', CAST(3200 AS DECIMAL(10, 1)),
//!             'customer_since', DATE '2016-04-01',
//!             'gross_margin_pct', CAST(11.5 AS DECIMAL(5, 1)),
//!             'influence', 'national_leader',
//!             'previous_tier', 'vip'), DATE '2026-06-30')['tier'] AS tier",
//!     )
//!     .await?
//!     .collect()
//!     .await?;
//! let json = tierwise_datafusion::output::json_lines(&rows)?;
//! assert_eq!(json, "{\"tier\":\"vip\"}\n");
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod output;
pub mod sample;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Date32Array, StructArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;
use tierwise::table::TableOptions;
use tierwise::Policy;

/// The SQL function `classify(FIELDS, AS_OF)` of one compiled policy.
#[derive(Debug)]
pub struct Classify {
    name: String,
    policy: Policy,
    options: TableOptions,
    signature: Signature,
}

impl Classify {
    /// The function `classify` of `policy`, with unknown struct fields and float fields
    /// refused.
    pub fn new(policy: &Policy) -> Classify {
        Classify::named("classify", policy, TableOptions::new())
    }

    /// The same function under another name (two policies side by side, `classify_2027`)
    /// and with other [`TableOptions`].
    pub fn named(name: &str, policy: &Policy, options: TableOptions) -> Classify {
        Classify {
            name: name.to_owned(),
            policy: policy.clone(),
            options,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// Registers `policy` with `ctx` as `classify(FIELDS, AS_OF)`.
pub fn register(ctx: &SessionContext, policy: &Policy) {
    ctx.register_udf(ScalarUDF::new_from_impl(Classify::new(policy)));
}

// DataFusion compares functions to tell whether two expressions are the same: two
// `Classify` are the same when they have the same name, options and policy (id, version and
// source)
impl PartialEq for Classify {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.options == other.options
            && self.policy.id() == other.policy.id()
            && self.policy.version() == other.policy.version()
            && self.policy.source_name() == other.policy.source_name()
    }
}

impl Eq for Classify {}

impl Hash for Classify {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.policy.id().hash(state);
        self.policy.version().hash(state);
    }
}

impl ScalarUDFImpl for Classify {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [fields, as_of] = arg_types else {
            return plan_err!(
                "{} takes two arguments, FIELDS (a struct, such as named_struct('annual_teu', x, ...)) and AS_OF (a date), not {}",
                self.name,
                arg_types.len()
            );
        };
        if !matches!(fields, DataType::Struct(_)) {
            return plan_err!(
                "the first argument of {} is {fields}: it must be a struct of metric and state fields, such as named_struct('annual_teu', x, ...)",
                self.name
            );
        }
        match as_of {
            DataType::Date32
            | DataType::Date64
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Timestamp(..)
            | DataType::Null => Ok(vec![fields.clone(), DataType::Date32]),
            other => plan_err!(
                "the second argument of {} is {other}: it must be the as-of date, such as DATE '2026-06-30'",
                self.name
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(self.policy.classify_struct_fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let [fields, as_of] = args.args.as_slice() else {
            return exec_err!("{} takes two arguments", self.name);
        };
        let fields = fields.to_array(rows)?;
        let Some(fields) = fields.as_any().downcast_ref::<StructArray>() else {
            return exec_err!("the first argument of {} is not a struct", self.name);
        };
        let result = match as_of {
            ColumnarValue::Scalar(ScalarValue::Date32(Some(days))) => {
                let date = tierwise::table::arrow_array::Date32Array::from(vec![*days; 1]);
                let day = date.value_as_date(0);
                match day {
                    Some(d) => self.policy.classify_struct(fields, d, &self.options),
                    None => return exec_err!("the as-of date is out of range"),
                }
            }
            other => {
                let dates = other.to_array(rows)?;
                let dates: ArrayRef = if dates.data_type() == &DataType::Date32 {
                    dates
                } else {
                    cast(&dates, &DataType::Date32)?
                };
                let Some(dates) = dates.as_any().downcast_ref::<Date32Array>() else {
                    return exec_err!("the as-of dates are not dates");
                };
                self.policy.classify_struct(fields, dates, &self.options)
            }
        };
        match result {
            Ok(s) => Ok(ColumnarValue::Array(Arc::new(s))),
            // a problem with the columns themselves (an unknown or float field) fails the
            // query once, naming the field; a bad row is that row's `error`
            Err(e) => exec_err!("{}: {e}", self.name),
        }
    }
}
