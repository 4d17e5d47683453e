//! Customer records, built and checked against a compiled policy.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::id::CustomerId;
use crate::decimal::{parse_decimal, NumberError};
use crate::error::{did_you_mean, InputError, InputErrorKind, InputErrors};
use crate::keys::STATE_FIELDS;
use crate::model::{
    Beyond, Compiled, MetricDef, MetricId, MetricKind, PolicyIdentity, TierId, Value,
};
use crate::suggest::expected_one_of;

/// A value given for a customer's field. Text is parsed according to the field's type,
/// exactly (`"1250.50"` is 1250.50, never a float).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InputValue {
    /// Text, parsed by the field's type (as read from CSV). Numbers must be plain
    /// (`-4.5`, `1200`), dates `YYYY-MM-DD`, booleans `true` or `false`.
    Text(String),
    /// A number literal of a typed format such as JSON (`1.5e3`, `-4.5`), read exactly.
    Number(String),
    /// An exact decimal.
    Decimal(Decimal),
    /// A whole number.
    Integer(i64),
    /// A date.
    Date(NaiveDate),
    /// A boolean.
    Bool(bool),
    /// A value of an enum metric by its position in the metric's `values` (from
    /// [`Policy::enum_value`](crate::Policy::enum_value), resolved once), so that setting
    /// it compares no text.
    Choice(u16),
}

impl From<&str> for InputValue {
    fn from(v: &str) -> Self {
        InputValue::Text(v.to_owned())
    }
}
impl From<String> for InputValue {
    fn from(v: String) -> Self {
        InputValue::Text(v)
    }
}
impl From<Decimal> for InputValue {
    fn from(v: Decimal) -> Self {
        InputValue::Decimal(v)
    }
}
impl From<i64> for InputValue {
    fn from(v: i64) -> Self {
        InputValue::Integer(v)
    }
}
impl From<i32> for InputValue {
    fn from(v: i32) -> Self {
        InputValue::Integer(i64::from(v))
    }
}
impl From<u32> for InputValue {
    fn from(v: u32) -> Self {
        InputValue::Integer(i64::from(v))
    }
}
impl From<NaiveDate> for InputValue {
    fn from(v: NaiveDate) -> Self {
        InputValue::Date(v)
    }
}
impl From<bool> for InputValue {
    fn from(v: bool) -> Self {
        InputValue::Bool(v)
    }
}

/// A field's value as given, borrowed: what [`parse_value`] reads. Text set with
/// [`CustomerBuilder::set_text`] is never copied.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val<'a> {
    Text(&'a str),
    Number(&'a str),
    Decimal(Decimal),
    Integer(i64),
    Date(NaiveDate),
    Bool(bool),
    Choice(u16),
}

impl InputValue {
    fn view(&self) -> Val<'_> {
        match self {
            InputValue::Text(t) => Val::Text(t),
            InputValue::Number(t) => Val::Number(t),
            InputValue::Decimal(d) => Val::Decimal(*d),
            InputValue::Integer(i) => Val::Integer(*i),
            InputValue::Date(d) => Val::Date(*d),
            InputValue::Bool(b) => Val::Bool(*b),
            InputValue::Choice(i) => Val::Choice(*i),
        }
    }
}

impl Val<'_> {
    /// The value, owned.
    pub(crate) fn to_input(self) -> InputValue {
        match self {
            Val::Text(t) => InputValue::Text(t.to_owned()),
            Val::Number(t) => InputValue::Number(t.to_owned()),
            Val::Decimal(d) => InputValue::Decimal(d),
            Val::Integer(i) => InputValue::Integer(i),
            Val::Date(d) => InputValue::Date(d),
            Val::Bool(b) => InputValue::Bool(b),
            Val::Choice(i) => InputValue::Choice(i),
        }
    }

    fn describe(self) -> String {
        match self {
            Val::Text(t) | Val::Number(t) => format!("`{t}`"),
            Val::Decimal(d) => format!("`{d}`"),
            Val::Integer(i) => format!("`{i}`"),
            Val::Date(d) => format!("`{d}`"),
            Val::Bool(b) => format!("`{b}`"),
            Val::Choice(i) => format!("value number {i}"),
        }
    }

    /// Whether it is text that says nothing (an empty CSV cell).
    fn is_blank(self) -> bool {
        matches!(self, Val::Text(t) if trim(t).is_empty())
    }

    fn as_date(self) -> Result<NaiveDate, String> {
        match self {
            Val::Date(d) => Ok(d),
            Val::Text(t) => {
                let t = trim(t);
                // exactly YYYY-MM-DD: chrono alone also takes `+2020-01-01` and `2020-1-1`
                ymd(t.as_bytes())
                    .ok_or_else(|| format!("`{t}` is not a date (expected YYYY-MM-DD)"))
            }
            other => Err(format!(
                "{} is not a date (expected YYYY-MM-DD)",
                other.describe()
            )),
        }
    }

    /// The value of metric `m` this is, with the checks of [`CustomerBuilder::set`];
    /// `None` where `set` would record an error. For readers that fill many records
    /// column by column and leave the rows with a mistake to the builder.
    pub(crate) fn metric_value(self, m: &MetricDef) -> Option<Value> {
        parse_value(&m.kind, &m.name, self).ok()
    }

    /// The date this is, as a state field reads it; `None` where `set` would record an
    /// error.
    pub(crate) fn date_value(self) -> Option<NaiveDate> {
        match self {
            Val::Date(d) => Some(d),
            other => other.as_date().ok(),
        }
    }

    /// The value as owned text.
    fn as_text(self) -> String {
        self.text().into_owned()
    }

    /// The value as text: trimmed text as it is, anything else written out.
    pub(crate) fn text(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match *self {
            Val::Text(t) => Cow::Borrowed(trim(t)),
            Val::Number(t) => Cow::Borrowed(t),
            Val::Decimal(d) => Cow::Owned(d.to_string()),
            Val::Integer(i) => Cow::Owned(i.to_string()),
            Val::Date(d) => Cow::Owned(d.to_string()),
            Val::Bool(b) => Cow::Owned(b.to_string()),
            Val::Choice(i) => Cow::Owned(i.to_string()),
        }
    }
}

/// The tier state a customer had after its last evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Previous {
    /// The rank of the previous tier, one of the record's policy's (a rank, not a
    /// [`TierId`], keeps the record 64 bytes).
    pub(crate) tier: Option<u16>,
    pub(crate) tier_since: Option<NaiveDate>,
    pub(crate) last_qualified: Option<NaiveDate>,
}

/// A manual tier pin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pin {
    pub(crate) tier: TierId,
    pub(crate) until: Option<NaiveDate>,
    pub(crate) reason: Option<String>,
}

/// The parts of a record that few customers have, kept out of line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rare {
    /// A `previous_tier` the policy does not define: ignored, and reported.
    pub(crate) unknown_tier: Option<String>,
    pub(crate) pin: Option<Pin>,
}

/// A customer record checked against one policy: metric values, previous state and pin.
///
/// Build one with [`Policy::customer`](crate::Policy::customer).
// The record is kept to 64 bytes (a test checks it): a large batch streams every record
// through memory, so the values are one boxed slice, pins and unknown previous tiers,
// which few customers have, sit behind one pointer, and the previous tier is a rank. A
// short id (most are) is kept in the record itself (24 bytes), so that a fresh record
// allocates only its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub(crate) id: CustomerId,
    pub(crate) policy_key: PolicyIdentity,
    pub(crate) values: Box<[Option<Value>]>,
    pub(crate) previous: Previous,
    pub(crate) rare: Option<Box<Rare>>,
}

impl Customer {
    /// The customer's id.
    pub fn id(&self) -> &str {
        self.id.as_str()
    }

    /// The tier the customer had before, when it is one of the policy's.
    #[inline]
    pub(crate) fn previous_tier(&self) -> Option<TierId> {
        self.previous
            .tier
            .map(|rank| TierId::new(rank, self.policy_key))
    }

    /// The manual pin, if any.
    pub(crate) fn pin(&self) -> Option<&Pin> {
        self.rare.as_ref().and_then(|r| r.pin.as_ref())
    }

    /// A `previous_tier` the policy does not define, if one was given.
    pub(crate) fn unknown_tier(&self) -> Option<&str> {
        self.rare.as_ref().and_then(|r| r.unknown_tier.as_deref())
    }
}

/// Builds a [`Customer`] field by field; every bad field is reported by [`build`](Self::build).
///
/// ```
/// # let demo = include_str!("../../tests/inputs/demo.toml");
/// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
/// let err = policy.customer("C9").set("teu", "-3").set("tue", "1").build().unwrap_err();
/// assert_eq!(err.errors().len(), 2);
/// assert_eq!(err.errors()[0].field(), "teu");
/// assert_eq!(err.errors()[1].help(), Some("did you mean `teu`?"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CustomerBuilder<'p> {
    policy: &'p Compiled,
    id: CustomerId,
    /// One slot per metric (boxed: the builder is moved by every call of a chain).
    values: Box<[Option<Value>]>,
    previous: Previous,
    /// What few customers are given, out of line: the builder is moved by every call of a
    /// chain, and small it moves in a few registers' worth of stores.
    rare: Option<Box<RareInput>>,
    errors: Vec<InputError>,
}

/// The fields of a [`CustomerBuilder`] few customers are given: a `previous_tier` the
/// policy does not define, and a pin.
#[derive(Debug, Default)]
struct RareInput {
    unknown_tier: Option<String>,
    pin_tier: Option<String>,
    pin_until: Option<NaiveDate>,
    pin_reason: Option<String>,
}

impl<'p> CustomerBuilder<'p> {
    #[inline]
    pub(crate) fn new(policy: &'p Compiled, id: &str) -> CustomerBuilder<'p> {
        let values = Box::from(&*policy.prepared.start_values);
        CustomerBuilder::with(policy, CustomerId::new(id), values)
    }

    /// A builder for customer `id` whose id and values are written into the allocations
    /// of `spent`, a customer done with (of this policy or another).
    #[inline]
    pub(crate) fn reusing(policy: &'p Compiled, id: &str, spent: Customer) -> CustomerBuilder<'p> {
        let own = match spent.id {
            CustomerId::Heap(text) if text.len() == id.len() => {
                let mut text = text.into_string();
                text.clear();
                text.push_str(id);
                CustomerId::from_string(text)
            }
            _ => CustomerId::new(id),
        };
        let mut values = spent.values;
        start_values(policy, &mut values);
        CustomerBuilder::with(policy, own, values)
    }

    /// A builder of `id` with `values` (each metric's default, or absent) and nothing else
    /// set.
    #[inline]
    fn with(
        policy: &'p Compiled,
        id: CustomerId,
        values: Box<[Option<Value>]>,
    ) -> CustomerBuilder<'p> {
        CustomerBuilder {
            policy,
            id,
            values,
            previous: Previous::default(),
            rare: None,
            errors: Vec::new(),
        }
    }
}

impl<'p> CustomerBuilder<'p> {
    fn error(&mut self, field: &str, message: String) {
        self.errors.push(InputError::new(
            self.id.as_str(),
            field,
            InputErrorKind::InvalidValue,
            message,
        ));
    }

    /// Sets a metric, or a state or pin field (`previous_tier`, `tier_since`,
    /// `last_qualified`, `pinned_tier`, `pinned_until`, `pin_reason`), by name.
    ///
    /// An unknown name, a value of the wrong type, an unknown enum value or a number
    /// outside the metric's `min`/`max` is recorded and reported by [`build`](Self::build).
    /// Empty (or blank) text means absent, as an empty CSV cell does.
    // inlined across crates, as are `set_text`, `set_metric` and `set_metric_text`, so that
    // a chain of calls does not move the builder each time
    #[inline(always)]
    #[must_use]
    pub fn set(mut self, field: &str, value: impl Into<InputValue>) -> Self {
        let value = value.into();
        self.set_val(field, value.view());
        self
    }

    /// Sets a field from text, as [`set`](Self::set) does with a `&str`, without copying
    /// the text: for readers of CSV cells and other borrowed text.
    ///
    /// ```
    /// # let demo = include_str!("../../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// let row = "C7,600.5";
    /// let (id, teu) = row.split_once(',').unwrap();
    /// let c = policy.customer(id).set_text("teu", teu).build()?;
    /// assert_eq!(c.id(), "C7");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn set_text(mut self, field: &str, text: &str) -> Self {
        self.set_val(field, Val::Text(text));
        self
    }

    pub(crate) fn set_val(&mut self, field: &str, value: Val<'_>) {
        if value.is_blank() {
            // an empty cell is an absent value
            return;
        }
        let policy = self.policy;
        // the state and pin fields first: a metric cannot take their names (they are
        // reserved), and a state cell then costs no search of the metrics
        match field {
            "previous_tier" => {
                let t = value.text();
                match policy.tier_by_id(&t) {
                    Some(id) => self.previous.tier = Some(id.rank),
                    None => self.rare_mut().unknown_tier = Some(t.into_owned()),
                }
            }
            "tier_since" | "last_qualified" | "pinned_until" => match value.as_date() {
                Ok(d) => match field {
                    "tier_since" => self.previous.tier_since = Some(d),
                    "last_qualified" => self.previous.last_qualified = Some(d),
                    _ => self.rare_mut().pin_until = Some(d),
                },
                Err(m) => self.error(field, m),
            },
            "pinned_tier" => self.rare_mut().pin_tier = Some(value.as_text()),
            "pin_reason" => self.rare_mut().pin_reason = Some(value.as_text()),
            _ => {
                if let Some(idx) = policy.metrics.iter().position(|m| m.name == field) {
                    self.put(idx, value);
                    return;
                }
                let candidates = policy
                    .metrics
                    .iter()
                    .map(|m| m.name.as_str())
                    .chain(STATE_FIELDS);
                let help = did_you_mean(field, candidates);
                let e = InputError::new(
                    self.id.as_str(),
                    field,
                    InputErrorKind::UnknownField,
                    format!(
                        "`{field}` is neither a metric of policy `{}` nor a state or pin field",
                        &policy.id
                    ),
                )
                .with_help(help);
                self.errors.push(e);
            }
        }
    }

    /// Puts `value` for metric number `idx` of this policy into its slot, or records why it
    /// cannot be; blank text is absent. The common cases go straight into the slot: a typed
    /// value of the metric's own type ([`typed_value`]) and plain text ([`text_value`]),
    /// read without parsing or comparing decimals; anything else goes to
    /// [`put_parsed`](Self::put_parsed), which says what is wrong.
    #[inline(always)]
    pub(crate) fn put(&mut self, idx: usize, value: Val<'_>) {
        if let (Some(m), Some(slot)) = (self.policy.metrics.get(idx), self.values.get_mut(idx)) {
            // each kind of value stored where it is read: a value passed on from both
            // branches is stored in parts and read back whole (a stall)
            match value {
                Val::Text(t) => {
                    if let Some(v) = text_value(m, t) {
                        *slot = Some(v);
                        return;
                    }
                }
                v => {
                    if let Some(v) = typed_value(m, v) {
                        *slot = Some(v);
                        return;
                    }
                }
            }
        }
        self.put_parsed(idx, value);
    }

    /// Parses `value` for metric number `idx` of this policy into its slot, or records why
    /// it cannot be: the general way, for every value (blank text is absent).
    #[inline(never)]
    fn put_parsed(&mut self, idx: usize, value: Val<'_>) {
        let Some(m) = self.policy.metrics.get(idx) else {
            return;
        };
        if value.is_blank() {
            return;
        }
        match parse_value(&m.kind, &m.name, value) {
            Ok(v) => {
                if let Some(slot) = self.values.get_mut(idx) {
                    *slot = Some(v);
                }
            }
            Err((kind, message, help)) => {
                let e = InputError::new(self.id.as_str(), m.name.clone(), kind, message)
                    .with_help(help);
                self.errors.push(e);
            }
        }
    }

    /// Sets a metric by its number ([`Policy::metric_id`](crate::Policy::metric_id),
    /// resolved once): the checks and errors of [`set`](Self::set) without looking the
    /// name up. A typed value (a `Decimal`, an `i64`, a `NaiveDate`, a `bool`, an
    /// [`InputValue::Choice`]) is set without allocating.
    ///
    /// ```
    /// # let demo = include_str!("../../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// use tierwise::rust_decimal::Decimal;
    /// let teu = policy.metric_id("teu").unwrap();
    /// let c = policy.customer("C1").set_metric(teu, Decimal::new(6005, 1)).build()?;
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    /// assert_eq!(policy.classify(&c, as_of)?.score().to_string(), "60.05");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn set_metric(mut self, metric: MetricId, value: impl Into<InputValue>) -> Self {
        let value = value.into();
        self.put_metric(metric, value.view());
        self
    }

    /// Sets a metric by its number from text, as [`set_metric`](Self::set_metric) does
    /// with a `&str`, without copying the text.
    #[inline(always)]
    #[must_use]
    pub fn set_metric_text(mut self, metric: MetricId, text: &str) -> Self {
        self.put_metric(metric, Val::Text(text));
        self
    }

    /// Sets metric `metric` to `value`, or records why it cannot be.
    #[inline(always)]
    fn put_metric(&mut self, metric: MetricId, value: Val<'_>) {
        let idx = metric.index();
        if metric.policy != self.policy.key() || idx >= self.policy.metrics.len() {
            self.foreign_metric(idx);
            return;
        }
        self.put(idx, value);
    }

    /// Sets the tier the customer had before (`previous_tier`). A tier the policy does not
    /// define is ignored during evaluation, and the result says so.
    #[must_use]
    pub fn previous_tier(mut self, tier: &str) -> Self {
        // as `set("previous_tier", ..)` does, without looking the field's name up
        let t = tier.trim();
        if t.is_empty() {
            return self;
        }
        match self.policy.tier_by_id(t) {
            Some(id) => self.previous.tier = Some(id.rank),
            None => self.rare_mut().unknown_tier = Some(t.to_owned()),
        }
        self
    }

    /// Sets the tier the customer had before by its number ([`Policy::tier_by_id`], resolved
    /// once), as [`previous_tier`](Self::previous_tier) does without looking the name up. A
    /// tier number made by another compiled policy is reported by [`build`](Self::build).
    ///
    /// ```
    /// # let demo = include_str!("../../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// let key = policy.tier_by_id("key").unwrap();
    /// let c = policy.customer("C1").set("teu", "600").previous_tier_id(key).build()?;
    /// let by_name = policy.customer("C1").set("teu", "600").previous_tier("key").build()?;
    /// assert_eq!(c, by_name);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`Policy::tier_by_id`]: crate::Policy::tier_by_id
    #[inline(always)]
    #[must_use]
    pub fn previous_tier_id(mut self, tier: TierId) -> Self {
        if tier.policy == self.policy.key() && usize::from(tier.rank) < self.policy.tiers.len() {
            self.previous.tier = Some(tier.rank);
        } else {
            self.foreign_tier(tier);
        }
        self
    }

    /// Sets the date the previous tier was assigned (`tier_since`).
    #[must_use]
    pub fn tier_since(mut self, date: NaiveDate) -> Self {
        self.previous.tier_since = Some(date);
        self
    }

    /// Sets the last date the customer qualified for its tier (`last_qualified`).
    #[must_use]
    pub fn last_qualified(mut self, date: NaiveDate) -> Self {
        self.previous.last_qualified = Some(date);
        self
    }

    /// Pins the customer to `tier` until `until` (inclusive; `None` for no end).
    #[must_use]
    pub fn pin(mut self, tier: &str, until: Option<NaiveDate>, reason: Option<&str>) -> Self {
        let rare = self.rare_mut();
        rare.pin_tier = Some(tier.to_owned());
        rare.pin_until = until;
        rare.pin_reason = reason.map(str::to_owned);
        self
    }

    /// Records a metric number made by another compiled policy.
    #[cold]
    fn foreign_metric(&mut self, idx: usize) {
        let e = InputError::new(
            self.id.as_str(),
            format!("metric number {idx}"),
            InputErrorKind::UnknownField,
            format!(
                "the metric number was made by another compiled policy than `{}`",
                &self.policy.id
            ),
        );
        self.errors.push(e);
    }

    /// Records a tier number made by another compiled policy.
    #[cold]
    fn foreign_tier(&mut self, tier: TierId) {
        let e = InputError::new(
            self.id.as_str(),
            "previous_tier",
            InputErrorKind::UnknownTier,
            format!(
                "tier number {} was made by another compiled policy than `{}`",
                tier.rank, &self.policy.id
            ),
        );
        self.errors.push(e);
    }

    /// The rare fields, made when the first is set.
    fn rare_mut(&mut self) -> &mut RareInput {
        self.rare.get_or_insert_with(Box::default)
    }

    /// Checks the record: required metrics present, defaults applied, pin tier known.
    #[inline]
    pub fn build(self) -> Result<Customer, InputErrors> {
        // the common record, inlined: no mistake, no pin or unknown previous tier, every
        // required metric given (the defaults are in the values from the start)
        if self.errors.is_empty() && self.rare.is_none() && !self.lacks_required() {
            return Ok(Customer {
                id: self.id,
                policy_key: self.policy.key(),
                values: self.values,
                previous: self.previous,
                rare: None,
            });
        }
        self.build_checked()
    }

    /// [`build`](Self::build) of any record.
    #[inline(never)]
    fn build_checked(mut self) -> Result<Customer, InputErrors> {
        let pin = self.check();
        if !self.errors.is_empty() {
            return Err(InputErrors::new(self.errors));
        }
        let rare = self.rare_of(pin);
        Ok(Customer {
            id: self.id,
            policy_key: self.policy.key(),
            values: self.values,
            previous: self.previous,
            rare,
        })
    }

    /// Starts the record of another customer, keeping the builder's buffers: for readers
    /// of tables, which build one row after the other into [`build_into`](Self::build_into).
    pub(crate) fn reset(&mut self, id: &str) {
        self.id = CustomerId::new(id);
        start_values(self.policy, &mut self.values);
        self.previous = Previous::default();
        self.rare = None;
        self.errors.clear();
    }

    /// What [`build`](Self::build) checks, into `out`, a record of the same policy whose
    /// values are overwritten in place (its id is left as it is). On `false`, the errors
    /// are in [`errors`](Self::errors) and `out` is not to be evaluated.
    pub(crate) fn build_into(&mut self, out: &mut Customer) -> bool {
        let pin = self.check();
        if !self.errors.is_empty() || out.values.len() != self.values.len() {
            return false;
        }
        out.values.copy_from_slice(&self.values);
        out.previous = std::mem::take(&mut self.previous);
        out.rare = self.rare_of(pin);
        true
    }

    /// The record's rare parts, `pin` (checked) and an unknown previous tier, taken out of
    /// the builder; `None` when it has neither, as most records do.
    fn rare_of(&mut self, pin: Option<Pin>) -> Option<Box<Rare>> {
        let unknown_tier = self.rare.take().and_then(|r| r.unknown_tier);
        (pin.is_some() || unknown_tier.is_some()).then(|| Box::new(Rare { unknown_tier, pin }))
    }

    /// Whether a required metric has no value. The defaults are in the values from the
    /// start, so only a required metric can be missing.
    #[inline]
    fn lacks_required(&self) -> bool {
        let values = &self.values;
        (self.policy.prepared.required.iter()).any(|&i| values.get(i).is_some_and(Option::is_none))
    }

    /// Reports every required metric left without a value, but not one whose value was
    /// refused (its error says why already).
    #[cold]
    fn missing(&mut self) {
        for (slot, m) in self.values.iter().zip(&self.policy.metrics) {
            if slot.is_none() && m.required && !self.errors.iter().any(|e| e.field() == m.name) {
                self.errors.push(InputError::new(
                    self.id.as_str(),
                    &m.name,
                    InputErrorKind::Missing,
                    format!("required metric `{}` is missing", m.name),
                ));
            }
        }
    }

    /// The mistakes recorded so far.
    pub(crate) fn errors(&self) -> &[InputError] {
        &self.errors
    }

    /// Reports missing required metrics and resolves the pin.
    fn check(&mut self) -> Option<Pin> {
        let policy = self.policy;
        if self.lacks_required() {
            self.missing();
        }
        // no pin field given: nothing more to check
        let rare = self.rare.as_deref_mut()?;
        match rare.pin_tier.take().filter(|t| !t.is_empty()) {
            Some(t) => match policy.tier_by_id(&t) {
                Some(tier) => Some(Pin {
                    tier,
                    until: rare.pin_until,
                    reason: rare.pin_reason.take(),
                }),
                None => {
                    let help = did_you_mean(&t, policy.tier_ids.iter().map(String::as_str));
                    self.errors.push(
                        InputError::new(
                            self.id.as_str(),
                            "pinned_tier",
                            InputErrorKind::UnknownTier,
                            format!("pinned tier `{t}` is not a tier of policy `{}`", &policy.id),
                        )
                        .with_help(help),
                    );
                    None
                }
            },
            None => {
                if rare.pin_until.is_some() || rare.pin_reason.is_some() {
                    self.errors.push(InputError::new(
                        self.id.as_str(),
                        if rare.pin_until.is_some() {
                            "pinned_until"
                        } else {
                            "pin_reason"
                        },
                        InputErrorKind::IncompletePin,
                        "a pin needs `pinned_tier`".to_owned(),
                    ));
                }
                None
            }
        }
    }
}

/// Plain text for metric `m` read the short way: a plain number within bounds made
/// integers when the policy compiled, a date, a boolean, an enum value; `None` for anything
/// else (blank text included), which [`parse_value`] then reads or refuses.
#[inline]
fn text_value(m: &MetricDef, text: &str) -> Option<Value> {
    let within = |v: &Value| m.kind.violated_bound(v).is_none();
    match &m.kind {
        MetricKind::Decimal { .. } => match plain_parts(trim(text)) {
            Some((mantissa, scale)) => m
                .bounds
                .holds(mantissa, scale)
                .unwrap_or_else(|| within(&Value::Decimal(Decimal::new(mantissa, scale))))
                .then(|| Value::Decimal(Decimal::new(mantissa, scale))),
            None => plain_decimal(text).ok().map(Value::Decimal).filter(within),
        },
        MetricKind::Integer { .. } => plain_integer(text).and_then(|n| {
            m.bounds
                .holds(n, 0)
                .unwrap_or_else(|| within(&Value::Integer(n)))
                .then_some(Value::Integer(n))
        }),
        MetricKind::Date => Val::Text(text).as_date().ok().map(Value::Date),
        MetricKind::Bool => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        MetricKind::Enum { values } => {
            let t = trim(text);
            let i = values.iter().position(|x| x == t);
            i.and_then(|i| u16::try_from(i).ok()).map(Value::Enum)
        }
        MetricKind::Unresolved => None,
    }
}

/// Sets `values` to the values a record of `policy` starts from (each metric's default, or
/// absent), in place when it has one slot per metric.
fn start_values(policy: &Compiled, values: &mut Box<[Option<Value>]>) {
    let start = &*policy.prepared.start_values;
    if values.len() == start.len() {
        values.copy_from_slice(start);
    } else {
        *values = Box::from(start);
    }
}

/// A value of metric `m`'s own type within its bounds, as [`parse_value`] reads it, without
/// parsing or comparing decimals: a decimal whose mantissa fits in an `i64`, an integer, a
/// date, a boolean, an enum value by number. `None` for anything else, and wherever the
/// integer bounds cannot tell; `parse_value` then decides.
#[inline(always)]
fn typed_value(m: &MetricDef, v: Val<'_>) -> Option<Value> {
    match (&m.kind, v) {
        (MetricKind::Decimal { .. }, Val::Decimal(d)) => {
            let mantissa = i64::try_from(d.mantissa()).ok()?;
            m.bounds
                .holds(mantissa, d.scale())?
                .then_some(Value::Decimal(d))
        }
        (MetricKind::Decimal { .. }, Val::Integer(n)) => m
            .bounds
            .holds(n, 0)?
            .then(|| Value::Decimal(Decimal::from(n))),
        (MetricKind::Integer { .. }, Val::Integer(n)) => {
            m.bounds.holds(n, 0)?.then_some(Value::Integer(n))
        }
        (MetricKind::Date, Val::Date(d)) => Some(Value::Date(d)),
        (MetricKind::Bool, Val::Bool(b)) => Some(Value::Bool(b)),
        (MetricKind::Enum { values }, Val::Choice(i)) if usize::from(i) < values.len() => {
            Some(Value::Enum(i))
        }
        _ => None,
    }
}

/// Why a text is not an exact decimal, in words.
fn number_message(text: &str, e: NumberError) -> String {
    let t = text.trim();
    match e {
        NumberError::NotFinite => format!("`{t}` is not a finite number"),
        NumberError::TooLarge => format!("`{t}` is too large for exact decimal arithmetic"),
        NumberError::TooPrecise => {
            let digits = t.trim_start_matches('-').replace('.', "");
            let significant = digits.trim_start_matches('0').len();
            if significant <= 28 {
                format!("`{t}` has more than 28 digits after the decimal point and cannot be kept exactly")
            } else {
                format!("`{t}` has more than 28 significant digits and cannot be kept exactly")
            }
        }
        NumberError::Malformed => format!("`{t}` is not a decimal number"),
    }
}

/// A customer's number written as text: digits with an optional leading `-` and one
/// decimal point (`-4.5`, `1200`), as spec section 14 says. The looser syntax of policy
/// literals (`1_000`, `1.5e3`, a leading `+`) is refused here, so that a typo in a data
/// file never becomes a valid number.
fn plain_decimal(text: &str) -> Result<Decimal, NumberError> {
    let t = trim(text);
    if let Some((mantissa, scale)) = plain_parts(t) {
        return Ok(Decimal::new(mantissa, scale));
    }
    let negative = t.starts_with('-');
    let digits = t.as_bytes().get(usize::from(negative)..).unwrap_or(&[]);
    // digits with at most one point, not first or last
    let mut point = None;
    let plain = !digits.is_empty()
        && digits.iter().enumerate().all(|(i, &b)| match b {
            b'0'..=b'9' => true,
            b'.' if point.is_none() && i > 0 && i + 1 < digits.len() => {
                point = Some(i);
                true
            }
            _ => false,
        });
    if !plain {
        let lower = t.to_ascii_lowercase();
        if lower.contains("inf") || lower.contains("nan") {
            return Err(NumberError::NotFinite);
        }
        return Err(NumberError::Malformed);
    }
    parse_decimal(t)
}

/// The common case of [`plain_decimal`]: trimmed text of at most 18 digits with an optional
/// `-` and at most one point (not first or last), as the mantissa and the digits after the
/// point; `None` for anything else, and for a negative zero, which `parse_decimal` reads
/// (it keeps the sign).
#[inline]
fn plain_parts(t: &str) -> Option<(i64, u32)> {
    let (negative, digits) = match t.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, t.as_bytes()),
    };
    // at most 18 digits and a point
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let (mut mantissa, mut point) = (0i64, None);
    for (i, &b) in digits.iter().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            // at most 19 digits: the check below refuses the one case that wraps
            mantissa = mantissa.wrapping_mul(10).wrapping_add(i64::from(d));
        } else if b == b'.' && point.is_none() && i > 0 && i + 1 < digits.len() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let count = digits.len() - usize::from(point.is_some());
    if count > 18 || (negative && mantissa == 0) {
        return None;
    }
    let scale = point.map_or(0, |p| digits.len() - p - 1);
    let signed = if negative { -mantissa } else { mantissa };
    Some((signed, u32::try_from(scale).ok()?))
}

/// A whole number written as [`plain_decimal`] reads one, without a point and of at most
/// 18 digits: the common case of an integer metric, read without a `Decimal` on the way;
/// `None` for anything else, which `plain_decimal` then reads (`-0`, `12.0`, ...).
fn plain_integer(text: &str) -> Option<i64> {
    let t = trim(text).as_bytes();
    let (negative, digits) = match t.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, t),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let n = digits.iter().try_fold(0i64, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
    })?;
    Some(if negative { -n } else { n })
}

/// `t` without leading and trailing white space, as `str::trim` cuts it; without looking
/// for it when the text starts and ends with visible ASCII (most cells).
#[inline]
fn trim(t: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    let bytes = t.as_bytes();
    if plain(bytes.first()) && plain(bytes.last()) {
        t
    } else {
        t.trim()
    }
}

/// The date of exactly `YYYY-MM-DD`, without the format-string parsing of
/// `NaiveDate::parse_from_str`: ten bytes, digits at fixed places; `None` for any other
/// text and for a day that does not exist.
#[inline]
fn ymd(b: &[u8]) -> Option<NaiveDate> {
    let b: &[u8; 10] = b.try_into().ok()?;
    let [y0, y1, y2, y3, dash1, m0, m1, dash2, d0, d1] = b.map(|c| c.wrapping_sub(b'0'));
    // a dash is 3 below '0' (it wraps to 253); every other byte must be a digit
    let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
    if dash1 != b'-'.wrapping_sub(b'0')
        || dash2 != b'-'.wrapping_sub(b'0')
        || digits.iter().any(|&d| d > 9)
    {
        return None;
    }
    let n = |hi: u8, lo: u8| u32::from(hi) * 10 + u32::from(lo);
    let year = n(y0, y1) * 100 + n(y2, y3);
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, n(m0, m1), n(d0, d1))
}

/// How a customer's number is written, for the help of a malformed one.
const PLAIN_NUMBER_HELP: &str =
    "write digits with an optional `-` and `.`, like -4.5 or 1200 (no `_`, `+`, exponent or thousands separator)";

/// Parses one metric value, returning the kind of mistake, a message and an optional
/// suggestion on failure.
fn parse_value(
    kind: &MetricKind,
    name: &str,
    v: Val<'_>,
) -> Result<Value, (InputErrorKind, String, Option<String>)> {
    let invalid = InputErrorKind::InvalidValue;
    let wrong = |what: &str| Err((invalid, format!("{} is not {what}", v.describe()), None));
    let value = match kind {
        MetricKind::Decimal { .. } => match v {
            Val::Decimal(d) => Value::Decimal(d),
            Val::Integer(i) => Value::Decimal(Decimal::from(i)),
            Val::Text(t) => match plain_decimal(t) {
                Ok(d) => Value::Decimal(d),
                Err(e) => {
                    let help = (e == NumberError::Malformed).then(|| PLAIN_NUMBER_HELP.to_owned());
                    return Err((invalid, number_message(t, e), help));
                }
            },
            Val::Number(t) => match parse_decimal(t) {
                Ok(d) => Value::Decimal(d),
                Err(e) => return Err((invalid, number_message(t, e), None)),
            },
            _ => return wrong("a decimal number"),
        },
        MetricKind::Integer { .. } => match v {
            Val::Integer(i) => Value::Integer(i),
            Val::Decimal(d) if d.fract().is_zero() => match i64::try_from(d) {
                Ok(i) => Value::Integer(i),
                Err(_) => return wrong("a whole number in range"),
            },
            Val::Text(t) | Val::Number(t) => {
                match if matches!(v, Val::Number(_)) {
                    parse_decimal(t)
                } else {
                    plain_decimal(t)
                } {
                    Ok(d) if d.fract().is_zero() => match i64::try_from(d) {
                        Ok(i) => Value::Integer(i),
                        Err(_) => return wrong("a whole number in range"),
                    },
                    _ => return wrong("a whole number"),
                }
            }
            _ => return wrong("a whole number"),
        },
        MetricKind::Date => match v.as_date() {
            Ok(d) => Value::Date(d),
            Err(m) => return Err((invalid, m, None)),
        },
        MetricKind::Bool => match v {
            Val::Bool(b) => Value::Bool(b),
            // exactly `true` or `false`, as spec section 14 writes them
            Val::Text(t) => match t {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => {
                    let help = matches!(t.trim().to_ascii_lowercase().as_str(), "true" | "false")
                        .then(|| {
                            "write `true` or `false`, in lower case and without spaces".to_owned()
                        });
                    return Err((
                        invalid,
                        format!("`{t}` is not a boolean (expected true or false)"),
                        help,
                    ));
                }
            },
            _ => return wrong("a boolean (expected true or false)"),
        },
        // a policy with such a metric does not compile: no customer can be built for it
        MetricKind::Unresolved => return wrong("a value of a known type"),
        MetricKind::Enum { values } if matches!(v, Val::Choice(_)) => match v {
            Val::Choice(i) if usize::from(i) < values.len() => Value::Enum(i),
            _ => {
                return Err((
                    invalid,
                    format!(
                        "{} is not a value of `{name}`, which has {}",
                        v.describe(),
                        values.len()
                    ),
                    Some(expected_one_of(values.iter().map(String::as_str))),
                ))
            }
        },
        MetricKind::Enum { values } => {
            let t = v.text();
            match values.iter().position(|x| *x == *t) {
                Some(i) => Value::Enum(u16::try_from(i).unwrap_or(u16::MAX)),
                None => {
                    let help = did_you_mean(&t, values.iter().map(String::as_str))
                        .or_else(|| Some(expected_one_of(values.iter().map(String::as_str))));
                    return Err((invalid, format!("`{t}` is not a value of `{name}`"), help));
                }
            }
        }
    };
    match kind.violated_bound(&value) {
        Some((n, Beyond::Min(m))) => {
            let message = format!("{n} is below the minimum {m} of `{name}`");
            Err((InputErrorKind::OutOfRange, message, None))
        }
        Some((n, Beyond::Max(m))) => {
            let message = format!("{n} is above the maximum {m} of `{name}`");
            Err((InputErrorKind::OutOfRange, message, None))
        }
        None => Ok(value),
    }
}

/// Sets metrics from text, each as [`set_metric_text`](CustomerBuilder::set_metric_text)
/// does, without moving the builder for each: for readers that resolved their columns to
/// metric numbers once and fill a builder from a row's cells.
///
/// ```
/// # let demo = include_str!("../../tests/inputs/demo.toml");
/// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
/// let teu = policy.metric_id("teu").unwrap();
/// let mut builder = policy.customer("C7");
/// builder.extend([(teu, "600.5")]);
/// assert_eq!(builder.build()?.id(), "C7");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl<'t> Extend<(MetricId, &'t str)> for CustomerBuilder<'_> {
    fn extend<I: IntoIterator<Item = (MetricId, &'t str)>>(&mut self, cells: I) {
        for (metric, text) in cells {
            self.put_metric(metric, Val::Text(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{plain_decimal, ymd, CustomerBuilder, InputValue, Val};
    use crate::decimal::parse_decimal;
    use rust_decimal::Decimal;

    /// A metric of each kind, numbers with bounds on both sides.
    const KINDS: &str = r#"
[policy]
id = "kinds"
version = "1"
timezone = "UTC"

[metrics]
teu = { type = "decimal", min = -5.5, max = 1000 }
days = { type = "integer", min = -3, max = 90 }
since = { type = "date" }
strategic = { type = "bool" }
influence = { type = "enum", values = ["global", "local"] }
rating = { type = "enum", values = ["A", "B"] }

[scoring.dimensions.volume]
metric = "teu"
weight = 1
curve = "linear"
points = [[0, 0], [1000, 100]]

[[tiers]]
id = "standard"
min_score = 0
"#;

    proptest! {
        /// The short way for plain numbers gives what the long way gives, scale included
        /// (`17` stays `17`, `17.50` stays `17.50`, `-0.0` stays negative).
        #[test]
        fn plain_numbers_read_as_the_general_parser_reads_them(
            neg in any::<bool>(),
            int in "[0-9]{1,20}",
            frac in proptest::option::of("[0-9]{1,20}"),
        ) {
            let text = format!(
                "{}{int}{}",
                if neg { "-" } else { "" },
                frac.as_ref().map(|f| format!(".{f}")).unwrap_or_default()
            );
            let fast = plain_decimal(&text).map(|d| d.to_string());
            let slow = parse_decimal(&text).map(|d| d.to_string());
            prop_assert_eq!(fast, slow, "{}", text);
        }

        /// Exactly the plain syntax is read, white space around it cut: `-`, digits, and a
        /// point with digits on both sides.
        #[test]
        fn only_plain_numbers_are_read(text in "[ \t\u{b}\u{a0}]?[-+.0-9e a]{0,8}[ \t\u{b}]?") {
            let t = text.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
            let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            prop_assert_eq!(plain_decimal(&text).is_ok(), is_digits(int) && is_digits(frac), "{:?}", text);
            prop_assert_eq!(super::trim(&text), t);
        }

        /// Text read the short way for the common case is read as the general way reads
        /// it, for every kind of metric: the same value in the slot, or the same errors.
        #[test]
        fn text_cells_read_as_the_general_way_reads_them(
            which in 0usize..6,
            text in prop_oneof![
                "[ ]?-?[0-9]{0,20}(\\.[0-9]{0,3})?[ ]?",
                "-?[0-9]{1,2}(\\.[0-9]{1,2})?",
                "(true|false|TRUE| true|yes|A|B| A|local|local |loca|-0|12\\.0|2026-02-2[89]|2026-13-01)",
                "[ -~]{0,6}",
                "(-5\\.5|-5\\.50|-5\\.51|-5\\.4999|1000|1000\\.0|1000\\.01|999\\.999999999999999999|90|91|-3|-4|-0\\.0)",
                "[0-9-]{10}",
            ],
        ) {
            let policy = crate::Policy::from_toml_str("kinds.toml", KINDS).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let compiled = &*policy.inner;
            let mut fast = CustomerBuilder::new(compiled, "C1");
            fast.put(which, Val::Text(&text));
            let mut slow = CustomerBuilder::new(compiled, "C1");
            if !Val::Text(&text).is_blank() {
                slow.put_parsed(which, Val::Text(&text));
            }
            prop_assert_eq!(&fast.values, &slow.values, "{:?}", text);
            let errors = |b: &CustomerBuilder<'_>| b.errors.iter().map(ToString::to_string).collect::<Vec<_>>();
            prop_assert_eq!(errors(&fast), errors(&slow), "{:?}", text);
        }

        /// Typed values put the short way are put as the general way puts them, for every
        /// kind of metric and every kind of value: the same value in the slot (scale
        /// included), or the same errors.
        #[test]
        fn typed_values_are_put_as_the_general_way_puts_them(
            which in 0usize..6,
            value in prop_oneof![
                (any::<i64>(), 0u32..=28).prop_map(|(m, s)| InputValue::Decimal(Decimal::new(m, s))),
                (-600i64..1100, 0u32..3).prop_map(|(m, s)| InputValue::Decimal(Decimal::new(m, s))),
                (any::<i64>(), 0u32..=28).prop_map(|(m, s)| InputValue::Decimal(Decimal::from_i128_with_scale(i128::from(m) * 1_000_000_000, s))),
                prop_oneof![Just(-551i64), Just(-550), Just(-549), Just(100_000), Just(100_001), Just(0)]
                    .prop_map(|m| InputValue::Decimal(Decimal::new(m, 2))),
                Just(InputValue::Decimal(-Decimal::new(0, 2))),
                prop_oneof![any::<i64>(), -10i64..1010].prop_map(InputValue::Integer),
                (0i32..400_000).prop_map(|d| InputValue::Date(chrono::NaiveDate::from_num_days_from_ce_opt(d).unwrap_or_default())),
                any::<bool>().prop_map(InputValue::Bool),
                (0u16..4).prop_map(InputValue::Choice),
            ],
        ) {
            let policy = crate::Policy::from_toml_str("kinds.toml", KINDS).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let compiled = &*policy.inner;
            let mut fast = CustomerBuilder::new(compiled, "C1");
            fast.put(which, value.view());
            let mut slow = CustomerBuilder::new(compiled, "C1");
            slow.put_parsed(which, value.view());
            let text = |b: &CustomerBuilder<'_>| format!("{:?}", b.values);
            prop_assert_eq!(text(&fast), text(&slow), "{:?}", value);
            let errors = |b: &CustomerBuilder<'_>| b.errors.iter().map(ToString::to_string).collect::<Vec<_>>();
            prop_assert_eq!(errors(&fast), errors(&slow), "{:?}", value);
        }

        #[test]
        fn dates_read_as_chrono_reads_them(y in 0u32..10000, m in 0u32..14, d in 0u32..33) {
            let text = format!("{y:04}-{m:02}-{d:02}");
            let chrono = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
            prop_assert_eq!(ymd(text.as_bytes()), chrono, "{}", text);
        }

        /// Any text of digits, dashes and a few other bytes: a date only when it is exactly
        /// `YYYY-MM-DD` and chrono reads that day.
        #[test]
        fn only_dates_of_the_exact_shape_are_read(
            text in prop_oneof![
                "[0-9+ /-]{8,11}",
                "[0-9]{4}[-+/ 0-9][0-1][0-9][-+/ 0-9][0-3][0-9]",
                "[+-]?[0-9]{3,5}-[0-9]{1,2}-[0-9]{1,2}",
            ],
        ) {
            let shaped = text.len() == 10
                && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
            let want = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok().filter(|_| shaped);
            prop_assert_eq!(ymd(text.as_bytes()), want, "{}", text);
        }
    }
}
