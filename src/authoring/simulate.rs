//! Simulation: the tier distribution of a population under a policy, and the moves between
//! two policies, computed while the customers stream past.
//!
//! Memory is the counters (one per tier, one per pair of tiers) and the movers the caller
//! asks to keep; nothing is stored per customer.

use std::borrow::Borrow;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::cause::{self, Cause, CauseKind};
use crate::error::EvalError;
use crate::eval::Assignment;
use crate::explain::PolicyRef;
use crate::input::Customer;
use crate::model::{Score, Tier, TierId};
use crate::policy::Policy;

/// A dimension both policies of a comparison have, by name.
#[derive(Debug, Clone)]
struct SharedDimension {
    name: String,
    /// Its index among the first policy's dimensions.
    first: usize,
    /// Its index among the second policy's dimensions.
    second: usize,
    first_weight: Decimal,
    second_weight: Decimal,
}

/// The second policy of a comparison and the counters that need it.
#[derive(Debug, Clone)]
struct Against {
    policy: Policy,
    counts: Vec<u64>,
    /// `matrix[from * tiers_of_second + to]`.
    matrix: Vec<u64>,
    /// Whether the tier ids of a cell differ (the customer moves), same layout as `matrix`.
    differs: Vec<bool>,
    moved: u64,
    shared: Vec<SharedDimension>,
    /// Movers by cause, in the order of [`CauseKind::ALL`].
    causes: [u64; 8],
}

/// Tiers a population of customers under a policy, or under two policies to compare them,
/// counting as it goes.
///
/// [`Simulation::new`] counts the tier distribution under one policy;
/// [`Simulation::compare`] also counts the distribution under a second policy, the
/// transitions between the two (from tier x to tier y) and, with
/// [`keep_movers`](Simulation::keep_movers), lists the first customers that change tier.
/// Customers that cannot be built or evaluated are counted as errors, not fatal.
///
/// Memory does not grow with the population: it holds one counter per tier and per pair of
/// tiers, and at most the number of movers asked for.
///
/// ```
/// use chrono::NaiveDate;
/// let demo = include_str!("../../tests/inputs/demo.toml");
/// let text = |version: &str, key: u32| {
///     demo.replace("version = \"1\"", &format!("version = \"{version}\""))
///         .replace("min_score = 50", &format!("min_score = {key}"))
/// };
/// let today = tierwise::Policy::from_toml_str("today.toml", &text("1", 50))?;
/// let proposed = tierwise::Policy::from_toml_str("proposed.toml", &text("2", 40))?;
/// let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
///
/// let mut sim = tierwise::simulate::Simulation::compare(&today, &proposed, as_of).keep_movers(10);
/// for (id, teu) in [("C1", "900"), ("C2", "450"), ("C3", "100"), ("C4", "-5")] {
///     // the closure builds the record for each policy in turn
///     let added = sim.add(|policy| policy.customer(id).set("teu", teu).build());
///     assert_eq!(added.is_err(), id == "C4"); // a negative volume is below `min`
/// }
/// let report = sim.finish();
/// assert_eq!((report.total(), report.errors(), report.moved()), (3, 1, 1));
/// let counts: Vec<_> = report.distribution().iter().map(|t| (t.tier(), t.count())).collect();
/// assert_eq!(counts, [("key", 1), ("standard", 2)]);
/// assert_eq!(report.distribution()[0].share().round_dp(2).to_string(), "33.33");
/// let moves: Vec<_> = report.transitions().iter().map(|t| (t.from(), t.to(), t.count())).collect();
/// assert_eq!(moves, [("key", "key", 1), ("standard", "key", 1), ("standard", "standard", 1)]);
/// let mover = &report.movers()[0];
/// assert_eq!((mover.id(), mover.from(), mover.to()), ("C2", "standard", "key"));
/// // the volume contribution did not change: the tier threshold moved
/// assert_eq!(mover.dimension(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Simulation {
    policy: Policy,
    as_of: NaiveDate,
    counts: Vec<u64>,
    total: u64,
    errors: u64,
    against: Option<Against>,
    movers_limit: usize,
    movers: Vec<Mover>,
    /// Only movers from this tier (of the simulated policy) and to this tier (of the
    /// other) are kept.
    movers_from: Option<String>,
    movers_to: Option<String>,
}

/// Where one customer added to a [`Simulation`] landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    tier: TierId,
    against: Option<TierId>,
    moved: bool,
}

impl Placement {
    /// The tier under the simulated policy.
    pub fn tier(&self) -> TierId {
        self.tier
    }

    /// The tier under the policy compared against, in a comparison.
    pub fn against_tier(&self) -> Option<TierId> {
        self.against
    }

    /// Whether the customer changes tier (by tier id) between the two policies.
    pub fn moved(&self) -> bool {
        self.moved
    }
}

/// Why one policy could not tier a customer added to a [`Simulation`];
/// [`RecordError::kind`] says whether the record or its evaluation failed.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError<E> {
    inner: Failure<E>,
}

#[derive(Debug, Clone, PartialEq)]
enum Failure<E> {
    Input(E),
    Eval(EvalError),
}

/// What failed for one policy in a [`Simulation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordErrorKind {
    /// The record could not be built for the policy: the caller's error.
    Input,
    /// The customer could not be evaluated.
    Eval,
}

impl<E> RecordError<E> {
    fn input(e: E) -> RecordError<E> {
        RecordError {
            inner: Failure::Input(e),
        }
    }

    fn eval(e: EvalError) -> RecordError<E> {
        RecordError {
            inner: Failure::Eval(e),
        }
    }

    /// What failed.
    pub fn kind(&self) -> RecordErrorKind {
        match self.inner {
            Failure::Input(_) => RecordErrorKind::Input,
            Failure::Eval(_) => RecordErrorKind::Eval,
        }
    }

    /// The caller's error building the record, if that failed.
    pub fn input_error(&self) -> Option<&E> {
        match &self.inner {
            Failure::Input(e) => Some(e),
            Failure::Eval(_) => None,
        }
    }

    /// The evaluation error, if evaluation failed.
    pub fn eval_error(&self) -> Option<&EvalError> {
        match &self.inner {
            Failure::Eval(e) => Some(e),
            Failure::Input(_) => None,
        }
    }

    /// The caller's error building the record, by value, or the evaluation error.
    pub fn into_result(self) -> Result<EvalError, E> {
        match self.inner {
            Failure::Input(e) => Err(e),
            Failure::Eval(e) => Ok(e),
        }
    }
}

impl<E: fmt::Display> fmt::Display for RecordError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Failure::Input(e) => e.fmt(f),
            Failure::Eval(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for RecordError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner {
            Failure::Input(e) => Some(e),
            Failure::Eval(e) => Some(e),
        }
    }
}

/// A customer a [`Simulation`] did not count, with what went wrong under each policy.
/// At least one of the two is set.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationError<E>(Box<Failures<E>>);

/// Boxed so that `Result<Placement, SimulationError<E>>` stays small.
#[derive(Debug, Clone, PartialEq)]
struct Failures<E> {
    policy: Option<RecordError<E>>,
    against: Option<RecordError<E>>,
}

/// Under which policies a customer of a [`Simulation`] could not be tiered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SimulationErrorKind {
    /// Under the simulated policy only.
    Policy,
    /// Under the policy compared against only.
    Against,
    /// Under both.
    Both,
}

impl<E> SimulationError<E> {
    /// Under which policies the customer could not be tiered.
    pub fn kind(&self) -> SimulationErrorKind {
        match (&self.0.policy, &self.0.against) {
            (Some(_), Some(_)) => SimulationErrorKind::Both,
            (None, Some(_)) => SimulationErrorKind::Against,
            _ => SimulationErrorKind::Policy,
        }
    }

    /// What went wrong under the simulated policy, if anything.
    pub fn policy(&self) -> Option<&RecordError<E>> {
        self.0.policy.as_ref()
    }

    /// What went wrong under the policy compared against, if anything.
    pub fn against(&self) -> Option<&RecordError<E>> {
        self.0.against.as_ref()
    }

    /// The errors under the simulated policy and under the policy compared against.
    pub fn into_parts(self) -> (Option<RecordError<E>>, Option<RecordError<E>>) {
        let failures = *self.0;
        (failures.policy, failures.against)
    }
}

impl<E: fmt::Display> fmt::Display for SimulationError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.0.policy, &self.0.against) {
            (Some(p), Some(a)) => write!(f, "{p}; with the policy compared against: {a}"),
            (Some(p), None) => p.fmt(f),
            (None, Some(a)) => write!(f, "with the policy compared against: {a}"),
            (None, None) => f.write_str("the customer was not counted"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for SimulationError<E> {}

impl Simulation {
    /// A simulation of the tier distribution under `policy` on `as_of`.
    pub fn new(policy: &Policy, as_of: NaiveDate) -> Simulation {
        Simulation {
            policy: policy.clone(),
            as_of,
            counts: vec![0; policy.inner.tiers.len()],
            total: 0,
            errors: 0,
            against: None,
            movers_limit: 0,
            movers: Vec::new(),
            movers_from: None,
            movers_to: None,
        }
    }

    /// A comparison of `policy` with `against` on `as_of`: both distributions and the
    /// transitions between them. A customer is counted when both policies tier it.
    pub fn compare(policy: &Policy, against: &Policy, as_of: NaiveDate) -> Simulation {
        let mut sim = Simulation::new(policy, as_of);
        let (p, q) = (&policy.inner, &against.inner);
        let differs = p
            .tier_ids
            .iter()
            .flat_map(|a| q.tier_ids.iter().map(move |b| a != b))
            .collect();
        let shared = p
            .dimensions
            .iter()
            .enumerate()
            .filter_map(|(first, d)| {
                let (second, e) = q
                    .dimensions
                    .iter()
                    .enumerate()
                    .find(|(_, e)| e.name == d.name)?;
                Some(SharedDimension {
                    name: d.name.clone(),
                    first,
                    second,
                    first_weight: d.weight,
                    second_weight: e.weight,
                })
            })
            .collect();
        sim.against = Some(Against {
            policy: against.clone(),
            counts: vec![0; q.tiers.len()],
            matrix: vec![0; p.tiers.len().saturating_mul(q.tiers.len())],
            differs,
            moved: 0,
            shared,
            causes: [0; 8],
        });
        sim
    }

    /// Keeps the `limit` customers that change tier with the largest score change in a
    /// comparison (0, the default, only counts them); among equal changes, the first added.
    #[must_use]
    pub fn keep_movers(mut self, limit: usize) -> Simulation {
        self.movers_limit = limit;
        self
    }

    /// Keeps only movers from tier `from` of the simulated policy and to tier `to` of the
    /// policy compared against (`None`: any). Counts are not filtered.
    #[must_use]
    pub fn movers_between(mut self, from: Option<&str>, to: Option<&str>) -> Simulation {
        self.movers_from = from.map(str::to_owned);
        self.movers_to = to.map(str::to_owned);
        self
    }

    /// Adds one customer. `build` makes the customer's record for a policy: it is called
    /// once with the simulated policy and, in a comparison, then once with the policy
    /// compared against, since a [`Customer`] is built for one policy.
    ///
    /// A customer that either policy cannot build or evaluate is counted as an error and
    /// not counted in any distribution; the error says what went wrong under each policy.
    pub fn add<C, E, F>(&mut self, mut build: F) -> Result<Placement, SimulationError<E>>
    where
        C: Borrow<Customer>,
        F: FnMut(&Policy) -> Result<C, E>,
    {
        let first = tier(&self.policy, self.as_of, &mut build);
        let second = self
            .against
            .as_ref()
            .map(|q| tier(&q.policy, self.as_of, &mut build));
        match (first, second) {
            (Ok((_, a)), None) => {
                self.count(&a);
                Ok(Placement {
                    tier: a.tier(),
                    against: None,
                    moved: false,
                })
            }
            (Ok((c, a)), Some(Ok((d, b)))) => {
                self.count(&a);
                let moved = self.count_against((c.borrow(), &a), (d.borrow(), &b));
                Ok(Placement {
                    tier: a.tier(),
                    against: Some(b.tier()),
                    moved,
                })
            }
            (first, second) => {
                self.errors = self.errors.saturating_add(1);
                Err(SimulationError(Box::new(Failures {
                    policy: first.err(),
                    against: second.and_then(Result::err),
                })))
            }
        }
    }

    /// Adds one customer built for the simulated policy. Meant for a simulation of one
    /// policy: in a comparison the policy compared against cannot evaluate a record built
    /// for another policy, and the customer is counted as an error; use
    /// [`add`](Self::add) there.
    pub fn add_customer(&mut self, customer: &Customer) -> Result<Placement, EvalError> {
        self.add(|_| Ok::<_, std::convert::Infallible>(customer))
            .map_err(|e| {
                let (first, second) = e.into_parts();
                match first.or(second).map(RecordError::into_result) {
                    Some(Ok(e)) => e,
                    _ => EvalError::new(customer.id(), crate::error::EvalErrorKind::WrongPolicy),
                }
            })
    }

    /// Adds every customer of `customers`, built for the simulated policy (see
    /// [`add_customer`](Self::add_customer)); customers that cannot be evaluated are
    /// counted as errors.
    pub fn add_customers<'c>(&mut self, customers: impl IntoIterator<Item = &'c Customer>) {
        for c in customers {
            // counted in the report's errors
            let _ = self.add_customer(c);
        }
    }

    fn count(&mut self, a: &Assignment) {
        if let Some(n) = self.counts.get_mut(a.tier().rank()) {
            *n = n.saturating_add(1);
        }
        self.total = self.total.saturating_add(1);
    }

    /// Counts the second policy's tier and the transition; returns whether the customer
    /// moved, and keeps it when it is among the largest score changes.
    fn count_against(
        &mut self,
        (c, a): (&Customer, &Assignment),
        (d, b): (&Customer, &Assignment),
    ) -> bool {
        let Some(q) = self.against.as_mut() else {
            return false;
        };
        if let Some(n) = q.counts.get_mut(b.tier().rank()) {
            *n = n.saturating_add(1);
        }
        let cell = a
            .tier()
            .rank()
            .saturating_mul(q.counts.len())
            .saturating_add(b.tier().rank());
        if let Some(n) = q.matrix.get_mut(cell) {
            *n = n.saturating_add(1);
        }
        let moved = q.differs.get(cell).copied().unwrap_or(false);
        if !moved {
            return false;
        }
        q.moved = q.moved.saturating_add(1);
        let dimension = most_moved(&self.policy, &q.policy, &q.shared, a, b)
            .and_then(|k| q.shared.get(k))
            .map(|d| d.name.clone());
        let cause = cause::of(
            &self.policy,
            &q.policy,
            (c, a),
            (d, b),
            dimension.as_deref(),
        );
        if let Some(n) = q.causes.get_mut(cause.kind().index()) {
            *n = n.saturating_add(1);
        }
        let from = self.policy.tier(a.tier()).map_or("", Tier::id);
        let to = q.policy.tier(b.tier()).map_or("", Tier::id);
        let wanted = self.movers_from.as_deref().is_none_or(|t| t == from)
            && self.movers_to.as_deref().is_none_or(|t| t == to);
        if !wanted || self.movers_limit == 0 {
            return true;
        }
        let change = (b.score().0 - a.score().0).abs();
        // largest change first; among equal changes, the first seen
        let at = self
            .movers
            .partition_point(|m| (m.against_score.0 - m.score.0).abs() >= change);
        if at < self.movers_limit {
            self.movers.insert(
                at,
                Mover {
                    id: c.id().to_owned(),
                    from: from.to_owned(),
                    to: to.to_owned(),
                    score: a.score(),
                    against_score: b.score(),
                    dimension,
                    cause,
                },
            );
            self.movers.truncate(self.movers_limit);
        }
        true
    }

    /// The report: counts, shares, transitions and the movers kept.
    pub fn finish(self) -> SimulationReport {
        let distribution = shares(&self.policy, &self.counts, self.total);
        let (against, against_distribution, transitions, moved) = match &self.against {
            Some(q) => {
                let mut transitions = Vec::new();
                let columns = q.counts.len();
                for (from, ta) in self.policy.tiers() {
                    for (to, tb) in q.policy.tiers() {
                        let cell = from
                            .rank()
                            .saturating_mul(columns)
                            .saturating_add(to.rank());
                        let count = q.matrix.get(cell).copied().unwrap_or(0);
                        if count > 0 {
                            transitions.push(Transition {
                                from: ta.id().to_owned(),
                                to: tb.id().to_owned(),
                                from_tier: from,
                                to_tier: to,
                                count,
                            });
                        }
                    }
                }
                (
                    Some(policy_ref(&q.policy)),
                    Some(shares(&q.policy, &q.counts, self.total)),
                    transitions,
                    q.moved,
                )
            }
            None => (None, None, Vec::new(), 0),
        };
        SimulationReport {
            policy: policy_ref(&self.policy),
            against,
            as_of: self.as_of,
            total: self.total,
            errors: self.errors,
            distribution,
            against_distribution,
            transitions,
            moved,
            causes: self
                .against
                .as_ref()
                .map(|q| {
                    CauseKind::ALL
                        .iter()
                        .zip(q.causes)
                        .filter(|(_, n)| *n > 0)
                        .map(|(k, n)| (*k, n))
                        .collect()
                })
                .unwrap_or_default(),
            movers: self.movers,
        }
    }
}

/// Builds the record for `policy` and classifies it.
fn tier<C, E, F>(
    policy: &Policy,
    as_of: NaiveDate,
    build: &mut F,
) -> Result<(C, Assignment), RecordError<E>>
where
    C: Borrow<Customer>,
    F: FnMut(&Policy) -> Result<C, E>,
{
    let c = build(policy).map_err(RecordError::input)?;
    let a = policy
        .classify(c.borrow(), as_of)
        .map_err(RecordError::eval)?;
    Ok((c, a))
}

/// The shared dimension whose contribution `weight * score / total weight` changed most in
/// absolute value; ties go to the first in the first policy's order; `None` when there is
/// no shared dimension or no contribution changed.
fn most_moved(
    p: &Policy,
    q: &Policy,
    shared: &[SharedDimension],
    a: &Assignment,
    b: &Assignment,
) -> Option<usize> {
    let (tp, tq) = (p.inner.total_weight, q.inner.total_weight);
    let (sa, sb) = (a.dimension_scores(), b.dimension_scores());
    // exact: every change shares the denominator tp * tq, so compare numerators
    let exact = |d: &SharedDimension| -> Option<Decimal> {
        let before = d.first_weight.checked_mul(sa.get(d.first)?.0)?;
        let after = d.second_weight.checked_mul(sb.get(d.second)?.0)?;
        Some(
            after
                .checked_mul(tp)?
                .checked_sub(before.checked_mul(tq)?)?
                .abs(),
        )
    };
    // when that overflows: the contributions themselves, to 28 digits
    let divided = |d: &SharedDimension| -> Option<Decimal> {
        let before = d
            .first_weight
            .checked_mul(sa.get(d.first)?.0)?
            .checked_div(tp)?;
        let after = d
            .second_weight
            .checked_mul(sb.get(d.second)?.0)?
            .checked_div(tq)?;
        Some(after.checked_sub(before)?.abs())
    };
    let pick = |change: &dyn Fn(&SharedDimension) -> Option<Decimal>| {
        let mut best: Option<(usize, Decimal)> = None;
        for (k, d) in shared.iter().enumerate() {
            let c = change(d)?;
            if !c.is_zero() && best.is_none_or(|(_, b)| c > b) {
                best = Some((k, c));
            }
        }
        Some(best.map(|(k, _)| k))
    };
    pick(&exact).or_else(|| pick(&divided)).flatten()
}

fn policy_ref(p: &Policy) -> PolicyRef {
    PolicyRef {
        id: p.id().to_owned(),
        version: p.version().to_owned(),
    }
}

fn shares(policy: &Policy, counts: &[u64], total: u64) -> Vec<TierShare> {
    policy
        .tiers()
        .zip(counts)
        .map(|((_, t), &count)| TierShare {
            tier: t.id().to_owned(),
            name: t.name().to_owned(),
            count,
            share: percent(count, total),
        })
        .collect()
}

/// `count * 100 / total` in exact decimal arithmetic (rounded at the 28th digit when the
/// quotient does not end); 0 when `total` is 0.
fn percent(count: u64, total: u64) -> Decimal {
    if total == 0 {
        return Decimal::ZERO;
    }
    Decimal::from(count)
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|x| x.checked_div(Decimal::from(total)))
        .map(|x| x.normalize())
        .unwrap_or_default()
}

/// The count and share of one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierShare {
    tier: String,
    name: String,
    count: u64,
    share: Decimal,
}

impl TierShare {
    /// The tier's id.
    pub fn tier(&self) -> &str {
        &self.tier
    }

    /// The tier's display name (its id when it has none).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of customers in the tier.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The share of the counted customers, in percent, exact (a quotient that does not end
    /// is rounded at the 28th digit). 0 when no customer was counted.
    pub fn share(&self) -> Decimal {
        self.share
    }
}

/// How many customers go from one tier under the simulated policy to one tier under the
/// policy compared against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    from: String,
    to: String,
    #[serde(skip)]
    from_tier: TierId,
    #[serde(skip)]
    to_tier: TierId,
    count: u64,
}

impl Transition {
    /// The tier id under the simulated policy.
    pub fn from(&self) -> &str {
        &self.from
    }

    /// The tier id under the policy compared against.
    pub fn to(&self) -> &str {
        &self.to
    }

    /// The tier under the simulated policy.
    pub fn from_tier(&self) -> TierId {
        self.from_tier
    }

    /// The tier under the policy compared against.
    pub fn to_tier(&self) -> TierId {
        self.to_tier
    }

    /// The number of customers.
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// A customer whose tier differs between the two policies of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mover {
    id: String,
    from: String,
    to: String,
    score: Score,
    against_score: Score,
    dimension: Option<String>,
    cause: Cause,
}

impl Mover {
    /// Why the customer moves: the first step of the decision at which the two policies
    /// part (spec section 20).
    pub fn cause(&self) -> &Cause {
        &self.cause
    }

    /// The customer's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The tier id under the simulated policy.
    pub fn from(&self) -> &str {
        &self.from
    }

    /// The tier id under the policy compared against.
    pub fn to(&self) -> &str {
        &self.to
    }

    /// The score under the simulated policy.
    pub fn score(&self) -> Score {
        self.score
    }

    /// The score under the policy compared against.
    pub fn against_score(&self) -> Score {
        self.against_score
    }

    /// The dimension that moved the customer most: among the dimensions both policies
    /// have (by name), the one whose contribution `weight * score / total weight` changed
    /// most in absolute value, the first in the simulated policy's order on a tie. `None`
    /// when the policies share no dimension or no shared contribution changed (the tier
    /// moved for another reason: thresholds, requirements, adjustments).
    pub fn dimension(&self) -> Option<&str> {
        self.dimension.as_deref()
    }
}

/// The outcome of a [`Simulation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationReport {
    policy: PolicyRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    against: Option<PolicyRef>,
    as_of: NaiveDate,
    total: u64,
    errors: u64,
    distribution: Vec<TierShare>,
    #[serde(skip_serializing_if = "Option::is_none")]
    against_distribution: Option<Vec<TierShare>>,
    transitions: Vec<Transition>,
    moved: u64,
    #[serde(serialize_with = "cause_map")]
    causes: Vec<(CauseKind, u64)>,
    movers: Vec<Mover>,
}

fn cause_map<S: serde::Serializer>(v: &[(CauseKind, u64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, n) in v {
        m.serialize_entry(k.as_str(), n)?;
    }
    m.end()
}

impl SimulationReport {
    /// How many movers each cause moved, in the order of the decision's steps, causes
    /// with no mover left out.
    pub fn causes(&self) -> &[(CauseKind, u64)] {
        &self.causes
    }

    /// The simulated policy.
    pub fn policy(&self) -> &PolicyRef {
        &self.policy
    }

    /// The policy compared against, in a comparison.
    pub fn against(&self) -> Option<&PolicyRef> {
        self.against.as_ref()
    }

    /// The evaluation date.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The number of customers counted (tiered by every policy of the simulation).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The number of customers not counted because of an error.
    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// Each tier of the simulated policy, highest first, with its count and share.
    pub fn distribution(&self) -> &[TierShare] {
        &self.distribution
    }

    /// Each tier of the policy compared against, in a comparison.
    pub fn against_distribution(&self) -> Option<&[TierShare]> {
        self.against_distribution.as_deref()
    }

    /// Every pair of tiers (under the simulated policy, under the policy compared against)
    /// with at least one customer, by rank of the first then of the second. Empty without
    /// a comparison.
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    /// The number of customers whose tier id differs between the two policies.
    pub fn moved(&self) -> u64 {
        self.moved
    }

    /// The customers that moved with the largest score changes (the first added among
    /// equal ones), up to the limit given to [`Simulation::keep_movers`] and among those
    /// [`Simulation::movers_between`] chooses.
    pub fn movers(&self) -> &[Mover] {
        &self.movers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"
[policy]
id = "demo"
version = "VERSION"
timezone = "UTC"
[metrics]
teu = { type = "decimal", min = 0 }
margin = { type = "decimal" }
[scoring.dimensions.volume]
metric = "teu"
weight = WV
curve = "linear"
points = [[0, 0], [1000, 100]]
[scoring.dimensions.profit]
metric = "margin"
weight = WP
curve = "linear"
points = [[0, 0], [10, 100]]
[[tiers]]
id = "key"
min_score = 50
[[tiers]]
id = "standard"
min_score = 0
"#;

    fn policy(version: &str, wv: &str, wp: &str) -> Policy {
        let text = POLICY
            .replace("VERSION", version)
            .replace("WV", wv)
            .replace("WP", wp);
        Policy::from_toml_str("p.toml", &text).unwrap()
    }

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
    }

    fn add(sim: &mut Simulation, id: &str, teu: &str, margin: &str) -> bool {
        sim.add(|p| p.customer(id).set("teu", teu).set("margin", margin).build())
            .is_ok()
    }

    #[test]
    fn distribution_only() {
        let p = policy("1", "1", "1");
        let mut sim = Simulation::new(&p, as_of()).keep_movers(5);
        assert!(add(&mut sim, "A", "1000", "10"));
        assert!(add(&mut sim, "B", "0", "0"));
        assert!(add(&mut sim, "C", "100", "1"));
        assert!(!add(&mut sim, "D", "x", "1"));
        let c = p
            .customer("E")
            .set("teu", "800")
            .set("margin", "8")
            .build()
            .unwrap();
        assert_eq!(sim.add_customer(&c).map(|pl| pl.tier().rank()), Ok(0));
        let r = sim.finish();
        assert_eq!((r.total(), r.errors(), r.moved()), (4, 1, 0));
        assert_eq!(r.distribution()[0].share(), Decimal::from(50));
        assert_eq!(r.distribution()[1].count(), 2);
        assert!(r.transitions().is_empty() && r.movers().is_empty());
        assert!(r.against().is_none() && r.against_distribution().is_none());
    }

    #[test]
    fn movers_are_limited_and_name_the_dimension_that_changed_most() {
        // volume weight 1 -> 3: volume now counts 3/4 instead of 1/2
        let p = policy("1", "1", "1");
        let q = policy("2", "3", "1");
        let mut sim = Simulation::compare(&p, &q, as_of()).keep_movers(1);
        // 80 volume, 20 profit: 50 -> 65 (standard -> key? no: 50 is key in both)
        assert!(add(&mut sim, "same", "800", "2"));
        // 60 volume, 30 profit: 45 -> 52.5: standard -> key
        assert!(add(&mut sim, "up", "600", "3"));
        // 20 volume, 90 profit: 55 -> 37.5: key -> standard
        assert!(add(&mut sim, "down", "200", "9"));
        let r = sim.finish();
        assert_eq!((r.total(), r.moved()), (3, 2));
        assert_eq!(r.movers().len(), 1);
        // the largest score change is kept: "down", 55 -> 37.5, not "up", 45 -> 52.5
        let m = &r.movers()[0];
        assert_eq!((m.id(), m.from(), m.to()), ("down", "key", "standard"));
        // volume: 10 -> 15 (+5); profit: 45 -> 22.5 (-22.5)
        assert_eq!(m.dimension(), Some("profit"));
        assert_eq!(m.score().to_string(), "55.00");
        assert_eq!(m.against_score().to_string(), "37.50");
        assert_eq!(m.cause().kind(), CauseKind::Score);
        assert_eq!(r.causes(), [(CauseKind::Score, 2)]);
        let t: Vec<_> = r
            .transitions()
            .iter()
            .map(|t| (t.from(), t.to(), t.count()))
            .collect();
        assert_eq!(
            t,
            [
                ("key", "key", 1),
                ("key", "standard", 1),
                ("standard", "key", 1)
            ]
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["movers"][0]["dimension"], "profit");
        assert_eq!(json["movers"][0]["cause"]["kind"], "score");
        assert_eq!(json["causes"], serde_json::json!({"score": 2}));
        assert_eq!(
            json["transitions"][0],
            serde_json::json!({"from": "key", "to": "key", "count": 1})
        );
    }

    #[test]
    fn ties_go_to_the_first_dimension_and_no_change_names_none() {
        let p = policy("1", "1", "1");
        let lower_key = |wv: &str, wp: &str| {
            let text = POLICY
                .replace("VERSION", "2")
                .replace("WV", wv)
                .replace("WP", wp)
                .replace("min_score = 50", "min_score = 40");
            Policy::from_toml_str("q.toml", &text).unwrap()
        };
        // volume 45, profit 45: 45 (standard) -> 45 (key); volume 22.5 -> 33.75 and
        // profit 22.5 -> 11.25 change by as much: the first dimension wins
        let q = lower_key("3", "1");
        let mut sim = Simulation::compare(&p, &q, as_of()).keep_movers(3);
        assert!(add(&mut sim, "A", "450", "4.5"));
        let r = sim.finish();
        assert_eq!(r.movers()[0].dimension(), Some("volume"));
        // the same weights: only the threshold moved the customer
        let q = lower_key("1", "1");
        let mut sim = Simulation::compare(&p, &q, as_of()).keep_movers(3);
        assert!(add(&mut sim, "A", "450", "4.5"));
        let r = sim.finish();
        assert_eq!((r.moved(), r.movers()[0].dimension()), (1, None));
        // volume 40, profit 60 under weights 1:1 -> 2:1: 50 (key) -> 46.67 (standard);
        // volume 20 -> 26.67 (+6.67), profit 30 -> 20 (-10)
        let q = policy("2", "2", "1");
        let mut sim = Simulation::compare(&p, &q, as_of()).keep_movers(3);
        assert!(add(&mut sim, "B", "400", "6"));
        assert_eq!(sim.finish().movers()[0].dimension(), Some("profit"));
    }

    #[test]
    fn errors_under_either_policy_are_counted_once() {
        let p = policy("1", "1", "1");
        let other = POLICY
            .replace("VERSION", "2")
            .replace("WV", "1")
            .replace("WP", "1")
            .replace("min = 0 }\nmargin", "min = 10 }\nmargin");
        let q = Policy::from_toml_str("q.toml", &other).unwrap();
        let mut sim = Simulation::compare(&p, &q, as_of());
        let err = sim
            .add(|p| p.customer("A").set("teu", "5").set("margin", "1").build())
            .unwrap_err();
        assert!(err.policy().is_none());
        assert_eq!(
            err.against().map(RecordError::kind),
            Some(RecordErrorKind::Input)
        );
        assert!(err
            .to_string()
            .starts_with("with the policy compared against: "));
        // a customer built for the first policy only: the second cannot evaluate it
        let c = p
            .customer("B")
            .set("teu", "5")
            .set("margin", "1")
            .build()
            .unwrap();
        assert!(sim.add_customer(&c).is_err());
        let r = sim.finish();
        assert_eq!((r.total(), r.errors()), (0, 2));
        assert!(r.distribution().iter().all(|t| t.share().is_zero()));
    }
}
