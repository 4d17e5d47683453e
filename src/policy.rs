//! The facade: [`Policy`], a compiled policy, and every public method on it. Each method is a
//! short delegation to the layer that does the work (`compile`, `input`, `eval`, `explain`),
//! so this one file answers "what can a `Policy` do?".

use std::borrow::Borrow;
#[cfg(feature = "fs")]
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::analysis;
use crate::calendar::Calendar;
use crate::compile;
use crate::error::{EvalError, LoadError, Warning, WrongPolicy, WrongPolicyKind};
use crate::eval::{
    self, Assignment, Deadline, EscalationStatus, EscalationStep, Handling, Resolution,
    RouteDecision, Service, SlaError,
};
use crate::explain::{self, Explanation};
use crate::input::{Case, CaseBuilder, Customer, CustomerBuilder, InputValue};
use crate::keys::STATE_FIELDS;
use crate::model::{Compiled, MetricId, Tier, TierId};
use crate::telemetry;

/// A compiled policy: validated, immutable, cheap to clone and safe to share between threads.
///
/// Load one with [`Policy::from_toml_str`] (or `Policy::from_path` with the `cli` feature),
/// then evaluate customers with [`Policy::classify`] or [`Policy::explain`].
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) inner: Arc<Compiled>,
}

impl Policy {
    pub(crate) fn new(mut compiled: Compiled) -> Policy {
        compiled.warnings = analysis::warnings(&compiled);
        compiled.dimension_highest = analysis::dimension_highest(&compiled);
        telemetry::loaded(&compiled.id, &compiled.version, compiled.warnings.len());
        Policy {
            inner: Arc::new(compiled),
        }
    }

    // ---- loading ----

    /// Parses, validates and compiles a policy from TOML text. `name` is how errors refer to
    /// the file (usually its path).
    ///
    /// Every problem of the file is reported at once in the [`LoadError`].
    ///
    /// ```
    /// let policy = tierwise::Policy::from_toml_str("example.toml", r#"
    /// [policy]
    /// id = "demo"
    /// version = "1"
    /// timezone = "UTC"
    /// [metrics]
    /// teu = { type = "decimal", min = 0 }
    /// [scoring.dimensions.volume]
    /// metric = "teu"
    /// weight = 1
    /// curve = "linear"
    /// points = [[0, 0], [1000, 100]]
    /// [[tiers]]
    /// id = "key"
    /// min_score = 50
    /// [[tiers]]
    /// id = "standard"
    /// min_score = 0
    /// "#)?;
    /// assert_eq!(policy.id(), "demo");
    /// # Ok::<(), tierwise::LoadError>(())
    /// ```
    pub fn from_toml_str(name: &str, text: &str) -> Result<Policy, LoadError> {
        compile::from_str(name, text)
            .map(Policy::new)
            .inspect_err(|e| telemetry::refused(name, e.diagnostics().len()))
    }

    /// Reads, validates and compiles a policy file and the files it includes (spec section
    /// 12). Errors name each file by its path as given (included files relative to the
    /// including one).
    ///
    /// An included file must lie inside the directory of the top policy file (symbolic links
    /// are followed before checking), includes nest at most 8 deep, and a table, key or
    /// named entry defined in two files is an error naming both places.
    ///
    /// Requires the `fs` feature.
    #[cfg(feature = "fs")]
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        compile::fs::from_path(path.as_ref())
            .map(Policy::new)
            .inspect_err(|e| {
                telemetry::refused(&path.as_ref().display().to_string(), e.diagnostics().len());
            })
    }

    // ---- what the policy says ----

    /// What the analysis found: facts about this valid policy that its author almost
    /// certainly did not intend (spec section 15), ordered by file and position. Each holds
    /// for every customer record the policy accepts; the analysis stays silent where it
    /// cannot decide.
    ///
    /// ```
    /// use tierwise::analysis::WarningCode;
    /// let policy = tierwise::Policy::from_toml_str("example.toml", r#"
    /// [policy]
    /// id = "demo"
    /// version = "1"
    /// timezone = "UTC"
    /// [metrics]
    /// teu = { type = "decimal", min = 0 }
    /// overdue_days = { type = "integer", min = 0 }
    /// [scoring.dimensions.volume]
    /// metric = "teu"
    /// weight = 1
    /// curve = "linear"
    /// points = [[0, 0], [1000, 90]]
    /// [[tiers]]
    /// id = "vip"
    /// min_score = 95
    /// [[tiers]]
    /// id = "standard"
    /// min_score = 0
    /// [[adjustments]]
    /// when = "overdue_days < 0"
    /// at_most = "standard"
    /// reason = "overdue"
    /// "#)?;
    /// let codes: Vec<_> = policy.warnings().iter().map(|w| w.code()).collect();
    /// assert_eq!(codes, [WarningCode::UnreachableTier, WarningCode::ConditionNeverHolds]);
    /// assert!(policy.warnings()[0].message().contains("is 90.00, below its `min_score` of 95"));
    /// # Ok::<(), tierwise::LoadError>(())
    /// ```
    pub fn warnings(&self) -> &[Warning] {
        &self.inner.warnings
    }

    /// One customer per tier that some record can qualify for, highest tier first, each
    /// with the tier's id as its customer id: classified on `as_of`, each one's qualified
    /// tier is its id (spec section 15). Tiers with an
    /// [`UnreachableTier`](crate::analysis::WarningCode::UnreachableTier) warning have none.
    ///
    /// The customers are found by a deterministic search that `classify` itself checks, so
    /// each one qualifies; a tier the search does not reach is left out.
    ///
    /// ```
    /// # let demo = include_str!("../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    /// for customer in policy.witnesses(as_of) {
    ///     let a = policy.classify(&customer, as_of)?;
    ///     assert_eq!(policy.tier(a.qualified_tier())?.id(), customer.id());
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn witnesses(&self, as_of: NaiveDate) -> Vec<Customer> {
        analysis::witness::witnesses(&self.inner, as_of)
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    /// What would make the customer qualify for `tier` or a higher one (spec section 16):
    /// the score points missing, for each dimension's metric the value that would do it on
    /// its own, the requirements of `tier` that fail with the value each needs, and the
    /// caps in force below it. `None` when the customer qualifies for `tier` or higher
    /// already.
    ///
    /// Values are exact and on each metric's grid (`scale`): the value given qualifies,
    /// and the grid value one step back toward the current one does not.
    ///
    /// ```
    /// # let demo = include_str!("../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// use tierwise::analysis::Needed;
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    /// let customer = policy.customer("C1").set("teu", "300").build()?;
    /// let key = policy.tier_by_id("key").unwrap();
    /// let g = policy.guidance(&customer, as_of, key)?.expect("C1 is below key");
    /// assert_eq!(g.metrics()[0].metric(), "teu");
    /// let Needed::Value(Some(teu)) = g.metrics()[0].needed() else { panic!() };
    /// let more = policy.customer("C1").set("teu", teu.to_string().as_str()).build()?;
    /// assert_eq!(policy.classify(&more, as_of)?.qualified_tier(), key);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn guidance(
        &self,
        customer: &Customer,
        as_of: NaiveDate,
        tier: TierId,
    ) -> Result<Option<analysis::Guidance>, EvalError> {
        if tier.policy != self.inner.key() {
            return Err(EvalError::new(
                customer.id(),
                crate::error::EvalErrorKind::WrongPolicy,
            ));
        }
        analysis::guidance::guidance(&self.inner, customer, as_of, tier.rank)
    }

    /// Opens the timeline of a case handled for a customer in `tier` (spec section 17):
    /// record its events with [`Timeline::record`](crate::sla::Timeline::record) and ask
    /// for its status at any instant with [`Timeline::status`](crate::sla::Timeline::status).
    /// The case gives the kind, the severity at opening, the channel and the opening time.
    pub fn timeline(
        &self,
        tier: TierId,
        case: &Case,
    ) -> Result<crate::input::Timeline, crate::input::TimelineError> {
        crate::input::Timeline::open(Arc::clone(&self.inner), tier, case)
    }

    /// An assignment made by this policy as owned data, with tier and dimension names:
    /// `Serialize` and `Deserialize`, for a queue, a store or a process without the policy.
    /// An assignment of another compiled policy is an error.
    pub fn record(
        &self,
        assignment: &Assignment,
    ) -> Result<explain::AssignmentRecord, WrongPolicy> {
        self.check_tier(assignment.tier())?;
        Ok(explain::record::assignment(&self.inner, assignment))
    }

    /// A resolution made by this policy as owned data (the assignment's record and the
    /// benefits' ids). A resolution of another compiled policy is an error.
    pub fn resolution_record(
        &self,
        resolution: &Resolution,
    ) -> Result<explain::ResolutionRecord, WrongPolicy> {
        if resolution.policy_key != self.inner.key() {
            return Err(WrongPolicy::new(WrongPolicyKind::Resolution));
        }
        Ok(explain::record::resolution(&self.inner, resolution))
    }

    /// A value of an enum metric, resolved once, for
    /// [`CustomerBuilder::set_metric`]: `None` when the metric is not an enum or has no
    /// such value.
    pub fn enum_value(&self, metric: MetricId, value: &str) -> Option<InputValue> {
        if metric.policy != self.inner.key() {
            return None;
        }
        match &self.inner.metrics.get(metric.index())?.kind {
            crate::model::MetricKind::Enum { values } => values
                .iter()
                .position(|v| v == value)
                .and_then(|i| u16::try_from(i).ok())
                .map(InputValue::Choice),
            _ => None,
        }
    }

    /// A customer's metric values as input text (what a CSV cell of `tier` would hold),
    /// by metric in declaration order; `None` for an absent value.
    pub fn metric_values<'a>(
        &'a self,
        customer: &'a Customer,
    ) -> Result<impl Iterator<Item = (&'a str, Option<String>)> + 'a, WrongPolicy> {
        if customer.policy_key != self.inner.key() {
            return Err(WrongPolicy::new(WrongPolicyKind::Customer));
        }
        Ok(self
            .inner
            .metrics
            .iter()
            .zip(customer.values.iter())
            .map(|(m, v)| (m.name.as_str(), v.as_ref().map(|v| m.display(v)))))
    }

    /// The policy's id.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The policy's version, echoed in every result.
    pub fn version(&self) -> &str {
        &self.inner.version
    }

    /// The display name, if the policy has one.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// The first day the policy is in force, if bounded.
    pub fn effective_from(&self) -> Option<NaiveDate> {
        self.inner.effective_from
    }

    /// The last day the policy is in force, if bounded.
    pub fn effective_until(&self) -> Option<NaiveDate> {
        self.inner.effective_until
    }

    /// Whether the policy is in force on `date`.
    pub fn is_effective_on(&self, date: NaiveDate) -> bool {
        self.inner.effective_from.is_none_or(|f| f <= date)
            && self.inner.effective_until.is_none_or(|u| date <= u)
    }

    /// The name the policy's file was loaded under (its path, for [`Policy::from_path`]).
    pub fn source_name(&self) -> Option<&str> {
        self.inner.origin.source.as_ref().map(|s| &*s.name)
    }

    /// The policy's default time zone.
    pub fn timezone(&self) -> Tz {
        self.inner.timezone
    }

    /// The tiers, highest first.
    pub fn tiers(&self) -> impl ExactSizeIterator<Item = (TierId, &Tier)> {
        self.inner
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| (self.inner.tier_id(u16::try_from(i).unwrap_or(u16::MAX)), t))
    }

    /// The tier with this number. A number made by another compiled policy (another
    /// version from a [`PolicyStore`](crate::PolicyStore) reload included) is an error,
    /// never that policy's tier of the same rank.
    ///
    /// ```
    /// # let demo = include_str!("../tests/inputs/demo.toml");
    /// let today = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// let reloaded = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// let key = today.tier_by_id("key").unwrap();
    /// assert_eq!(today.tier(key)?.id(), "key");
    /// assert!(reloaded.tier(key).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tier(&self, id: TierId) -> Result<&Tier, WrongPolicy> {
        self.check_tier(id)?;
        self.inner
            .tiers
            .get(id.rank())
            .ok_or(WrongPolicy::new(WrongPolicyKind::Tier))
    }

    fn check_tier(&self, id: TierId) -> Result<(), WrongPolicy> {
        if id.policy == self.inner.key() {
            Ok(())
        } else {
            Err(WrongPolicy::new(WrongPolicyKind::Tier))
        }
    }

    /// Finds a tier by its text id.
    pub fn tier_by_id(&self, id: &str) -> Option<TierId> {
        self.inner.tier_by_id(id)
    }

    /// The names of the metrics, in declaration order.
    pub fn metric_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.inner.metrics.iter().map(|m| m.name.as_str())
    }

    /// Finds a metric by name.
    pub fn metric_id(&self, name: &str) -> Option<MetricId> {
        self.inner.metric_id(name)
    }

    /// The names of the scoring dimensions, in declaration order.
    pub fn dimension_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.inner.dimension_names.iter().map(String::as_str)
    }

    /// The number of decimals scores are rounded to.
    pub fn precision(&self) -> u32 {
        self.inner.precision
    }

    /// Whether `name` is a field a customer record may carry: a metric, the customer id
    /// column `id`, or a state or pin field (`previous_tier`, `tier_since`,
    /// `last_qualified`, `pinned_tier`, `pinned_until`, `pin_reason`).
    pub fn is_input_field(&self, name: &str) -> bool {
        name == "id" || STATE_FIELDS.contains(&name) || self.inner.metric_id(name).is_some()
    }

    /// Whether the policy defines services (section 8); without them [`Policy::service`]
    /// returns `None`.
    pub fn has_services(&self) -> bool {
        !self.inner.services.services.is_empty()
    }

    /// The names of the calendars, starting with the built-in `24x7`.
    pub fn calendar_names(&self) -> impl Iterator<Item = &str> {
        self.inner
            .services
            .calendars
            .iter()
            .map(|(n, _)| n.as_str())
    }

    /// A calendar by name (`24x7` is built in).
    pub fn calendar(&self, name: &str) -> Option<&Calendar> {
        self.inner
            .services
            .calendars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c)
    }

    /// The case kinds of the policy.
    pub fn case_kinds(&self) -> impl Iterator<Item = &str> {
        self.inner.services.cases.iter().map(|c| c.kind.as_str())
    }

    /// The severities of a case kind, the default (first) first; `None` for an unknown kind.
    pub fn severities(&self, kind: &str) -> Option<impl Iterator<Item = &str>> {
        let s = &self.inner.services;
        let c = s.cases.iter().find(|c| c.kind == kind)?;
        Some(
            c.severities
                .iter()
                .filter_map(|g| s.severities.get(usize::from(*g)).map(String::as_str)),
        )
    }

    /// The milestones of a case kind, in order.
    pub fn milestones(&self, kind: &str) -> Option<impl Iterator<Item = &str>> {
        let c = self.inner.services.cases.iter().find(|c| c.kind == kind)?;
        Some(c.milestones.iter().map(String::as_str))
    }

    // ---- customers and cases ----

    /// Starts a customer record for this policy.
    #[inline]
    pub fn customer(&self, id: impl AsRef<str>) -> CustomerBuilder<'_> {
        CustomerBuilder::new(&self.inner, id.as_ref())
    }

    /// Starts a customer record for this policy, as [`customer`](Self::customer) does, in
    /// the allocations of `spent`, a customer done with (built for this policy or another):
    /// for a service or a reader that builds one customer after another, so that building
    /// allocates nothing when the ids are of the same length. The customer built is the
    /// one [`customer`](Self::customer) would build; nothing of `spent` is kept.
    ///
    /// ```
    /// # let demo = include_str!("../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// let first = policy.customer("C1").set("teu", "600").build()?;
    /// let second = policy.customer_reusing("C2", first).set("teu", "40").build()?;
    /// assert_eq!(second, policy.customer("C2").set("teu", "40").build()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn customer_reusing(&self, id: &str, spent: Customer) -> CustomerBuilder<'_> {
        CustomerBuilder::reusing(&self.inner, id, spent)
    }

    /// A customer from a service's own type: any `serde::Serialize` struct (or map) whose
    /// field names are `id` and metric, state and pin names, each set with the checks and
    /// errors of [`CustomerBuilder::set`]. Decimals (`rust_decimal`) and dates (`chrono`)
    /// serialise as text and are read exactly; integers stay integers; `None` is absent; a
    /// unit enum variant is its name. A float is refused (it is not exact), and so is a
    /// nested value.
    ///
    /// ```
    /// # let demo = include_str!("../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// #[derive(serde::Serialize)]
    /// struct Account { id: String, teu: tierwise::rust_decimal::Decimal }
    /// let account = Account { id: "A7".into(), teu: "600.5".parse()? };
    /// let customer = policy.customer_from(&account)?;
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    /// assert_eq!(policy.classify(&customer, as_of)?.score().to_string(), "60.05");
    ///
    /// #[derive(serde::Serialize)]
    /// struct Floaty { id: u32, teu: f64 }
    /// let err = policy.customer_from(&Floaty { id: 8, teu: 600.5 }).unwrap_err();
    /// assert!(err.errors()[0].message().starts_with("a float is not exact"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn customer_from<T: serde::Serialize + ?Sized>(
        &self,
        value: &T,
    ) -> Result<Customer, crate::error::InputErrors> {
        crate::input::serialized::customer(&self.inner, value)
    }

    // ---- tables (feature `arrow`) ----

    /// Classifies every row of an Arrow record batch whose columns are named after `id`,
    /// metrics and state and pin fields (spec section 18): one output row per input row, in
    /// order, with the columns of [`table_schema`](Self::table_schema). A bad row keeps its
    /// row, with nulls and its message in `error`; only a problem with the columns
    /// themselves (an unknown column, a float column, a type that cannot hold its field) is
    /// an `Err`. Columns are resolved once per batch; see [`crate::table`] for the types
    /// read.
    ///
    /// ```
    /// # let demo = include_str!("../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// use std::sync::Arc;
    /// use tierwise::table::arrow_array::{cast::AsArray, Array, ArrayRef, Decimal128Array, RecordBatch, StringArray};
    /// use tierwise::table::TableOptions;
    ///
    /// let teu = Decimal128Array::from(vec![Some(6255), Some(-30), None]).with_precision_and_scale(10, 1)?;
    /// let batch = RecordBatch::try_from_iter([
    ///     ("id", Arc::new(StringArray::from(vec!["C1", "C2", "C3"])) as ArrayRef),
    ///     ("teu", Arc::new(teu) as ArrayRef),
    /// ])?;
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    /// let out = policy.classify_table(&batch, as_of, &TableOptions::new())?;
    /// let tier = out.column_by_name("tier").unwrap().as_string::<i32>();
    /// let error = out.column_by_name("error").unwrap().as_string::<i32>();
    /// assert_eq!(tier.value(0), "key");
    /// assert!(tier.is_null(1));
    /// assert_eq!(error.value(1), "customer `C2`: field `teu`: -3.0 is below the minimum 0 of `teu`");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "arrow")]
    pub fn classify_table<'a>(
        &self,
        batch: &crate::table::arrow_array::RecordBatch,
        as_of: impl Into<crate::table::AsOf<'a>>,
        options: &crate::table::TableOptions,
    ) -> Result<crate::table::arrow_array::RecordBatch, crate::table::TableError> {
        crate::table::classify_batch(&self.inner, batch, as_of.into(), options)
    }

    /// Classifies every row of a struct array whose fields are named after metrics and
    /// state and pin fields (`id` is optional): the function `classify(FIELDS, AS_OF)` of
    /// SQL engines. The result has the fields of
    /// [`classify_struct_fields`](Self::classify_struct_fields), a row's `error` set when
    /// it is bad.
    #[cfg(feature = "arrow")]
    pub fn classify_struct<'a>(
        &self,
        fields: &crate::table::arrow_array::StructArray,
        as_of: impl Into<crate::table::AsOf<'a>>,
        options: &crate::table::TableOptions,
    ) -> Result<crate::table::arrow_array::StructArray, crate::table::TableError> {
        crate::table::classify_struct(&self.inner, fields, as_of.into(), options)
    }

    /// The schema of [`classify_table`](Self::classify_table)'s output: `id`, `tier`,
    /// `qualified_tier`, `score` (Decimal128 of scale `precision`), one `dimension.NAME`
    /// per dimension, `tier_since`, `last_qualified` (Date32) and `error`.
    #[cfg(feature = "arrow")]
    pub fn table_schema(&self) -> crate::table::arrow_schema::SchemaRef {
        crate::table::schema(&self.inner)
    }

    /// The fields of [`classify_struct`](Self::classify_struct)'s result: `tier`,
    /// `qualified_tier`, `score`, `dimensions` (a struct of one Decimal128 per dimension),
    /// `tier_since`, `last_qualified` and `error`.
    #[cfg(feature = "arrow")]
    pub fn classify_struct_fields(&self) -> crate::table::arrow_schema::Fields {
        crate::table::struct_fields(&self.inner)
    }

    /// An empty set of output columns, to fill with results of this policy.
    #[cfg(feature = "arrow")]
    pub fn result_columns(&self) -> crate::table::ResultColumns<'_> {
        crate::table::ResultColumns::new(&self.inner, 0)
    }

    /// Starts a case of `kind` opened at `opened`.
    pub fn case(&self, kind: &str, opened: DateTime<Utc>) -> CaseBuilder<'_> {
        CaseBuilder::new(&self.inner, kind, opened)
    }

    // ---- tiering ----

    /// Scores and tiers one customer on `as_of`, without a trace. Does not allocate.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// # let demo = include_str!("../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// let c = policy.customer("C1").set("teu", "625.5").build()?;
    /// let a = policy.classify(&c, NaiveDate::from_ymd_opt(2026, 6, 30).unwrap())?;
    /// assert_eq!(a.score().to_string(), "62.55");
    /// assert_eq!(policy.tier(a.tier())?.id(), "key");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn classify(&self, customer: &Customer, as_of: NaiveDate) -> Result<Assignment, EvalError> {
        // returned as `eval::classify` wrote it, where the caller wants it: passing the
        // result through `inspect_err` copied it (a `memcpy` of the whole result)
        let result = eval::classify(&self.inner, customer, as_of);
        if let Err(e) = &result {
            telemetry::eval_failed(customer.id(), e);
        }
        result
    }

    /// Scores and tiers one customer with a full trace of every step.
    pub fn explain(&self, customer: &Customer, as_of: NaiveDate) -> Result<Explanation, EvalError> {
        let a = eval::classify(&self.inner, customer, as_of)?;
        Ok(explain::build(&self.inner, customer, as_of, &a))
    }

    /// Classifies every customer of `customers` on `as_of` into `out`: afterwards `out`
    /// holds exactly one result per customer, in input order (`out[i]` is the result of
    /// `customers[i]`), so nothing is lost: a customer that cannot be evaluated has its
    /// [`EvalError`], which names it. Results already in `out` are overwritten in place
    /// (a surplus is dropped) and its capacity is reused, so a caller classifying batch
    /// after batch into one vector allocates only when a batch is larger than any before.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// # let policy = tierwise::Policy::from_toml_str("p.toml", r#"
    /// # [policy]
    /// # id = "demo"
    /// # version = "1"
    /// # timezone = "UTC"
    /// # [metrics]
    /// # teu = { type = "decimal", min = 0 }
    /// # since = { type = "date" }
    /// # [scoring.dimensions.volume]
    /// # metric = "teu"
    /// # weight = 1
    /// # curve = "linear"
    /// # points = [[0, 0], [1000, 100]]
    /// # [scoring.dimensions.tenure]
    /// # metric = "since"
    /// # weight = 1
    /// # curve = "steps"
    /// # points = [[0, 0], [5, 100]]
    /// # [[tiers]]
    /// # id = "key"
    /// # min_score = 50
    /// # [[tiers]]
    /// # id = "standard"
    /// # min_score = 0
    /// # "#)?;
    /// let customers = vec![
    ///     policy.customer("C1").set("teu", "900").set("since", "2015-01-01").build()?,
    ///     policy.customer("C2").set("teu", "100").set("since", "2027-01-01").build()?,
    /// ];
    /// let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    /// let mut results = Vec::new();
    /// policy.classify_batch(&customers, as_of, &mut results);
    /// assert_eq!(results.len(), 2);
    /// assert_eq!(policy.tier(results[0].as_ref().unwrap().tier())?.id(), "key");
    /// // a start date after the as-of date: an error naming the customer
    /// assert_eq!(results[1].as_ref().unwrap_err().customer(), "C2");
    ///
    /// // the same, lazily, from any iterator of customers (owned or borrowed)
    /// let lazily: Vec<_> = policy.classify_iter(&customers, as_of).collect();
    /// assert_eq!(lazily, results);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn classify_batch(
        &self,
        customers: &[Customer],
        as_of: NaiveDate,
        out: &mut Vec<Result<Assignment, EvalError>>,
    ) {
        eval::batch::classify_batch(&self.inner, customers, as_of, out);
    }

    /// Classifies the customers of `customers` on `as_of` as they come: one result per
    /// customer, in input order. Nothing is buffered; `customers` may yield owned
    /// [`Customer`]s or references.
    pub fn classify_iter<'a, I>(
        &'a self,
        customers: I,
        as_of: NaiveDate,
    ) -> impl Iterator<Item = Result<Assignment, EvalError>> + 'a
    where
        I: IntoIterator,
        I::Item: Borrow<Customer>,
        I::IntoIter: 'a,
    {
        customers
            .into_iter()
            .map(move |c| eval::classify(&self.inner, c.borrow(), as_of))
    }

    /// Like [`classify_batch`](Self::classify_batch), with the batch split across the
    /// threads of rayon's global pool: the results are identical and in input order
    /// (`out[i]` is the result of `customers[i]`). Batches too small to be worth splitting
    /// are classified on the calling thread.
    ///
    /// Requires the `parallel` feature.
    #[cfg(feature = "parallel")]
    pub fn classify_par(
        &self,
        customers: &[Customer],
        as_of: NaiveDate,
        out: &mut Vec<Result<Assignment, EvalError>>,
    ) {
        eval::batch::classify_par(&self.inner, customers, as_of, out);
    }

    // ---- service ----

    /// Tiers a customer and resolves the tier's service with the customer's granted benefits.
    /// Does not allocate.
    pub fn resolve(&self, customer: &Customer, as_of: NaiveDate) -> Result<Resolution, EvalError> {
        eval::resolve::resolve(&self.inner, customer, as_of)
    }

    /// The service of a resolution: support hours, account management, channels, review
    /// cadence, response targets and benefits. `None` when the policy has no services.
    ///
    /// A resolution made by another compiled policy is an error.
    pub fn service(&self, resolution: &Resolution) -> Result<Option<Service<'_>>, WrongPolicy> {
        if resolution.policy_key != self.inner.key() {
            return Err(WrongPolicy::new(WrongPolicyKind::Resolution));
        }
        Ok(eval::service::of_tier(
            &self.inner,
            resolution.tier().rank(),
            Some(resolution.benefits),
        ))
    }

    /// The service of a tier, without customer-specific grants.
    ///
    /// A tier number made by another compiled policy is an error.
    pub fn tier_service(&self, tier: TierId) -> Result<Option<Service<'_>>, WrongPolicy> {
        self.check_tier(tier)?;
        Ok(eval::service::of_tier(&self.inner, tier.rank(), None))
    }

    // ---- cases: deadlines, routing, escalation ----

    /// The deadline of one milestone (by its number in the case's `milestones`) for a case
    /// of a customer in `tier`. Does not allocate.
    pub fn deadline(
        &self,
        tier: TierId,
        case: &Case,
        milestone: usize,
    ) -> Result<Deadline<'_>, SlaError> {
        eval::sla::deadline(&self.inner, tier, case, milestone)
    }

    /// The deadline of every milestone of the case, in milestone order.
    pub fn deadlines(&self, tier: TierId, case: &Case) -> Result<Vec<Deadline<'_>>, SlaError> {
        eval::sla::deadlines(&self.inner, tier, case)
    }

    /// Routes a case of a resolved customer: the first `[[routing]]` rule whose `when`
    /// holds. Does not allocate.
    pub fn route(
        &self,
        customer: &Customer,
        resolution: &Resolution,
        case: &Case,
    ) -> Result<Option<RouteDecision<'_>>, SlaError> {
        eval::route::route(&self.inner, customer, resolution, case)
    }

    /// Every escalation step of the case, with its due time: the step's share of the
    /// milestone's target counted on the milestone's clock (whole seconds, rounded up).
    pub fn escalations(
        &self,
        tier: TierId,
        case: &Case,
    ) -> Result<Vec<EscalationStep<'_>>, SlaError> {
        eval::escalation::escalations(&self.inner, tier, case)
    }

    /// Which escalation steps are due at `now`, and which comes next.
    pub fn escalation_status(
        &self,
        tier: TierId,
        case: &Case,
        now: DateTime<Utc>,
    ) -> Result<EscalationStatus<'_>, SlaError> {
        eval::escalation::escalation_status(&self.inner, tier, case, now)
    }

    /// Routes a case and computes its deadlines and escalation steps in one call.
    pub fn handle(
        &self,
        customer: &Customer,
        resolution: &Resolution,
        case: &Case,
    ) -> Result<Handling<'_>, SlaError> {
        eval::handling::handle(&self.inner, customer, resolution, case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Policy>();
    }
}
