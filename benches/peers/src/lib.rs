//! The peer comparison of `tierwise`: one tiering decision, three implementations.
//!
//! - [`TierwiseImpl`]: `tierwise` with `policy.toml` (the spec example without `[tiering]`);
//! - [`ZenImpl`]: zen-engine 2.x with `tiering.jdm.json` (expression node, then a decision table
//!   with hit policy `first`);
//! - [`hand`]: hand-written Rust with `rust_decimal`.
//!
//! [`customers`] makes the same seeded records for all three, and [`check_agreement`] asserts
//! that the three give the same tier to every one of them.

use std::fmt;
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use zen_engine::model::DecisionContent;
use zen_engine::{Decision, Variable};

/// The as-of date of every evaluation.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

/// The number of customers in the benchmark.
pub const CUSTOMERS: usize = 10_000;

/// The seed of the customer generator.
pub const SEED: u64 = 0x7133_2026_0630_0001;

/// A tier, lowest first so that `Ord` is the tier rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Standard,
    Key,
    Vip,
}

impl Tier {
    pub fn id(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Key => "key",
            Tier::Vip => "vip",
        }
    }

    pub fn from_id(id: &str) -> Option<Tier> {
        match id {
            "standard" => Some(Tier::Standard),
            "key" => Some(Tier::Key),
            "vip" => Some(Tier::Vip),
            _ => None,
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Influence {
    GlobalLeader,
    NationalLeader,
    Regional,
    Local,
}

impl Influence {
    pub fn id(self) -> &'static str {
        match self {
            Influence::GlobalLeader => "global_leader",
            Influence::NationalLeader => "national_leader",
            Influence::Regional => "regional",
            Influence::Local => "local",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credit {
    A,
    B,
    C,
    D,
}

impl Credit {
    pub fn id(self) -> &'static str {
        match self {
            Credit::A => "A",
            Credit::B => "B",
            Credit::C => "C",
            Credit::D => "D",
        }
    }
}

/// One customer record, as the hand-written code takes it (and the source of the tierwise
/// and zen-engine inputs).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    pub annual_teu: Decimal,
    pub customer_since: NaiveDate,
    pub gross_margin_pct: Decimal,
    pub influence: Influence,
    pub credit_rating: Credit,
    pub overdue_days: i64,
    pub strategic: bool,
}

/// SplitMix64: a small seeded generator, so the customers are the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `pct` percent.
    fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    /// Uniform in `lo..=hi` (both in hundredths), as a decimal with 2 places.
    fn cents(&mut self, lo: i64, hi: i64) -> Decimal {
        let span = (hi - lo + 1) as u64;
        Decimal::new(lo + self.below(span) as i64, 2)
    }
}

/// `n` seeded customers. The distributions put many customers near every boundary of the
/// decision: curve break points, rounding ties at the second decimal, `min_score` of each
/// tier, the margin gate, the overdue cap, and anniversaries (including 29 February).
pub fn customers(n: usize, seed: u64) -> Vec<Record> {
    let mut rng = Rng(seed);
    let as_of = as_of();
    (0..n)
        .map(|i| {
            let annual_teu = match rng.below(10) {
                0 => [0, 500, 2000, 10_000][rng.below(4) as usize].into(),
                1..=4 => rng.cents(40_000, 250_000), // 400 .. 2,500 TEU: ties at x.xx5
                5..=7 => rng.cents(0, 1_200_000),
                _ => rng.cents(200_000, 1_500_000),
            };
            let customer_since = match rng.below(20) {
                // 29 February of a leap year
                0 => NaiveDate::from_ymd_opt(
                    [2008, 2012, 2016, 2020, 2024][rng.below(5) as usize],
                    2,
                    29,
                )
                .expect("leap day"),
                // on or around the as-of anniversary
                1 => {
                    let year = 2010 + rng.below(17) as i32;
                    let (m, d) = [(6, 29), (6, 30), (7, 1)][rng.below(3) as usize];
                    NaiveDate::from_ymd_opt(year, m, d)
                        .expect("date")
                        .min(as_of)
                }
                _ => as_of - Days::new(rng.below(16 * 366)),
            };
            let gross_margin_pct = match rng.below(10) {
                0 => [
                    Decimal::new(8, 0),
                    Decimal::new(799, 2),
                    Decimal::new(5, 0),
                    Decimal::new(15, 0),
                ][rng.below(4) as usize],
                1 => rng.cents(-2_000, 0),
                _ => rng.cents(0, 2_200),
            };
            let influence = [
                Influence::GlobalLeader,
                Influence::NationalLeader,
                Influence::Regional,
                Influence::Local,
            ][rng.below(4) as usize];
            let credit_rating = match rng.below(10) {
                0..=2 => Credit::A,
                3..=6 => Credit::B,
                7..=8 => Credit::C,
                _ => Credit::D,
            };
            let overdue_days = if rng.pct(80) {
                rng.below(61) as i64
            } else {
                [89, 90, 91, 120, 180][rng.below(5) as usize]
            };
            let strategic = rng.pct(10);
            Record {
                id: format!("C{i:05}"),
                annual_teu,
                customer_since,
                gross_margin_pct,
                influence,
                credit_rating,
                overdue_days,
                strategic,
            }
        })
        .collect()
}

/// The hand-written decision: straightforward `rust_decimal` code, as a competent engineer
/// would write this one policy without a rules engine.
pub mod hand {
    use chrono::{Datelike, NaiveDate};
    use rust_decimal::{Decimal, RoundingStrategy};
    use rust_decimal_macros::dec;

    use super::{Credit, Influence, Record, Tier};

    /// Piecewise linear interpolation through `points`, flat outside them.
    fn linear(x: Decimal, points: &[(Decimal, Decimal)]) -> Decimal {
        let Some(&(x0, y0)) = points.first() else {
            return Decimal::ZERO;
        };
        if x <= x0 {
            return y0;
        }
        for w in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if x <= x1 {
                return y0 + (x - x0) * (y1 - y0) / (x1 - x0);
            }
        }
        points.last().map_or(Decimal::ZERO, |p| p.1)
    }

    fn round2(d: Decimal) -> Decimal {
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    }

    /// Whole years from `since` to `as_of`.
    pub fn whole_years(since: NaiveDate, as_of: NaiveDate) -> i32 {
        let mut years = as_of.year() - since.year();
        if (as_of.month(), as_of.day()) < (since.month(), since.day()) {
            years -= 1;
        }
        years
    }

    pub fn volume(teu: Decimal) -> Decimal {
        round2(linear(
            teu,
            &[
                (dec!(0), dec!(0)),
                (dec!(500), dec!(40)),
                (dec!(2000), dec!(70)),
                (dec!(10000), dec!(100)),
            ],
        ))
    }

    pub fn tenure(years: i32) -> Decimal {
        match years {
            10.. => dec!(100),
            5.. => dec!(80),
            3.. => dec!(60),
            1.. => dec!(30),
            _ => dec!(0),
        }
    }

    pub fn profitability(margin: Decimal) -> Decimal {
        round2(linear(
            margin,
            &[
                (dec!(0), dec!(0)),
                (dec!(5), dec!(50)),
                (dec!(15), dec!(100)),
            ],
        ))
    }

    pub fn influence(i: Influence) -> Decimal {
        match i {
            Influence::GlobalLeader => dec!(100),
            Influence::NationalLeader => dec!(80),
            Influence::Regional => dec!(50),
            Influence::Local => dec!(20),
        }
    }

    /// The composite score, rounded to 2 decimals half away from zero.
    pub fn score(c: &Record, as_of: NaiveDate) -> Decimal {
        let weighted = volume(c.annual_teu) * dec!(35)
            + tenure(whole_years(c.customer_since, as_of)) * dec!(15)
            + profitability(c.gross_margin_pct) * dec!(30)
            + influence(c.influence) * dec!(20);
        round2(weighted / dec!(100))
    }

    /// The tier: qualified tier, then the strategic floor, then the overdue cap.
    pub fn tier(c: &Record, as_of: NaiveDate) -> Tier {
        let score = score(c, as_of);
        let mut tier = if score >= dec!(80)
            && c.gross_margin_pct >= dec!(8)
            && matches!(c.credit_rating, Credit::A | Credit::B)
        {
            Tier::Vip
        } else if score >= dec!(60) && c.credit_rating != Credit::D {
            Tier::Key
        } else {
            Tier::Standard
        };
        if c.strategic {
            tier = tier.max(Tier::Key);
        }
        if c.overdue_days > 90 {
            tier = tier.min(Tier::Standard);
        }
        tier
    }
}

/// The hand-written decision with the curves' slopes worked out by the engineer
/// (`40 + (teu - 500) * 0.02` instead of `... * 30 / 1500`): no decimal division per
/// customer except the composite's `/ 100`. tierwise also precomputes slopes when it compiles
/// a policy, so this is a fair, stronger baseline; the targets are stated against [`hand`].
pub mod hand_slopes {
    use chrono::NaiveDate;
    use rust_decimal::{Decimal, RoundingStrategy};
    use rust_decimal_macros::dec;

    use super::{hand, Credit, Record, Tier};

    fn round2(d: Decimal) -> Decimal {
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    }

    pub fn volume(teu: Decimal) -> Decimal {
        round2(if teu <= dec!(0) {
            dec!(0)
        } else if teu <= dec!(500) {
            teu * dec!(0.08)
        } else if teu <= dec!(2000) {
            dec!(40) + (teu - dec!(500)) * dec!(0.02)
        } else if teu <= dec!(10000) {
            dec!(70) + (teu - dec!(2000)) * dec!(0.00375)
        } else {
            dec!(100)
        })
    }

    pub fn profitability(margin: Decimal) -> Decimal {
        round2(if margin <= dec!(0) {
            dec!(0)
        } else if margin <= dec!(5) {
            margin * dec!(10)
        } else if margin <= dec!(15) {
            dec!(50) + (margin - dec!(5)) * dec!(5)
        } else {
            dec!(100)
        })
    }

    pub fn score(c: &Record, as_of: NaiveDate) -> Decimal {
        let weighted = volume(c.annual_teu) * dec!(35)
            + hand::tenure(hand::whole_years(c.customer_since, as_of)) * dec!(15)
            + profitability(c.gross_margin_pct) * dec!(30)
            + hand::influence(c.influence) * dec!(20);
        round2(weighted / dec!(100))
    }

    pub fn tier(c: &Record, as_of: NaiveDate) -> Tier {
        let score = score(c, as_of);
        let mut tier = if score >= dec!(80)
            && c.gross_margin_pct >= dec!(8)
            && matches!(c.credit_rating, Credit::A | Credit::B)
        {
            Tier::Vip
        } else if score >= dec!(60) && c.credit_rating != Credit::D {
            Tier::Key
        } else {
            Tier::Standard
        };
        if c.strategic {
            tier = tier.max(Tier::Key);
        }
        if c.overdue_days > 90 {
            tier = tier.min(Tier::Standard);
        }
        tier
    }
}

/// tierwise with `policy.toml`.
pub struct TierwiseImpl {
    pub policy: tierwise::Policy,
    /// tier index in the policy -> [`Tier`]
    tiers: Vec<Tier>,
}

impl TierwiseImpl {
    pub fn load(dir: &Path) -> TierwiseImpl {
        let path = dir.join("policy.toml");
        let text = std::fs::read_to_string(&path).expect("read policy.toml");
        let policy = tierwise::Policy::from_toml_str("policy.toml", &text)
            .unwrap_or_else(|e| panic!("policy.toml: {e}"));
        let tiers = policy
            .tiers()
            .map(|(_, t)| Tier::from_id(t.id()).expect("tier ids of policy.toml"))
            .collect();
        TierwiseImpl { policy, tiers }
    }

    /// The tierwise record of `r`.
    pub fn customer(&self, r: &Record) -> tierwise::Customer {
        self.policy
            .customer(r.id.as_str())
            .set("annual_teu", r.annual_teu)
            .set("customer_since", r.customer_since)
            .set("gross_margin_pct", r.gross_margin_pct)
            .set("influence", r.influence.id())
            .set("credit_rating", r.credit_rating.id())
            .set("overdue_days", r.overdue_days)
            .set("strategic", r.strategic)
            .build()
            .unwrap_or_else(|e| panic!("customer {}: {e}", r.id))
    }

    pub fn tier(&self, c: &tierwise::Customer, as_of: NaiveDate) -> Tier {
        let a = self.policy.classify(c, as_of).expect("classify");
        self.tiers[a.tier().rank()]
    }

    pub fn tier_with_trace(&self, c: &tierwise::Customer, as_of: NaiveDate) -> Tier {
        let e = self.policy.explain(c, as_of).expect("explain");
        Tier::from_id(e.tier()).expect("tier id")
    }
}

/// zen-engine with `tiering.jdm.json`.
pub struct ZenImpl {
    pub decision: Decision,
    pub runtime: tokio::runtime::Runtime,
}

impl ZenImpl {
    pub fn load(dir: &Path) -> ZenImpl {
        let text =
            std::fs::read_to_string(dir.join("tiering.jdm.json")).expect("read tiering.jdm.json");
        let content: DecisionContent =
            serde_json::from_str(&text).expect("tiering.jdm.json is a JDM graph");
        let graph = content
            .as_graph()
            .expect("a graph, not a policy document")
            .clone();
        let mut decision = Decision::from(graph);
        // precompiles the expressions and decision table indexes, as a loader with a
        // configuration does
        decision.compile();
        decision.validate().expect("valid graph");
        // zen's Variable is Rc-based, so evaluation futures are not Send: a current-thread
        // runtime, entered once per batch
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("tokio runtime");
        ZenImpl { decision, runtime }
    }

    /// The zen-engine input of `r`: numbers as exact decimals (zen's numbers are
    /// `rust_decimal`; going through `serde_json` without its `arbitrary_precision` would
    /// pass them through f64), dates as `YYYY-MM-DD` text.
    pub fn input(r: &Record, as_of: NaiveDate) -> Variable {
        let v = Variable::empty_object();
        let text = |s: &str| Variable::String(Variable::key(s));
        v.dot_insert("annual_teu", Variable::Number(r.annual_teu));
        v.dot_insert("customer_since", text(&r.customer_since.to_string()));
        v.dot_insert("gross_margin_pct", Variable::Number(r.gross_margin_pct));
        v.dot_insert("influence", text(r.influence.id()));
        v.dot_insert("credit_rating", text(r.credit_rating.id()));
        v.dot_insert("overdue_days", Variable::Number(r.overdue_days.into()));
        v.dot_insert("strategic", Variable::Bool(r.strategic));
        v.dot_insert("as_of", text(&as_of.to_string()));
        v
    }

    pub async fn tier(&self, input: &Variable) -> Tier {
        let response = self
            .decision
            .evaluate(input.clone())
            .await
            .expect("zen evaluation");
        let tier = response.result.dot("tier").expect("result has `tier`");
        Tier::from_id(tier.as_str().expect("tier is text")).expect("known tier id")
    }

    /// The composite score zen computed (for diagnosing disagreements): the table node drops
    /// it, so this evaluates with a trace and reads the expression node's output.
    pub async fn score(&self, input: &Variable) -> Option<Decimal> {
        let options = zen_engine::EvaluationOptions {
            trace: true,
            max_depth: 5,
        };
        let response = self
            .decision
            .evaluate_with_opts(input.clone(), options)
            .await
            .ok()?;
        let trace = response.trace?;
        trace
            .as_graph()?
            .get("scores")?
            .output
            .dot("score")?
            .as_number()
    }
}

/// All three implementations, loaded, with their inputs for the same customers.
pub struct Peers {
    pub records: Vec<Record>,
    pub tierwise: TierwiseImpl,
    pub tierwise_inputs: Vec<tierwise::Customer>,
    pub zen: ZenImpl,
    pub zen_inputs: Vec<Variable>,
    pub as_of: NaiveDate,
}

impl Peers {
    pub fn new(n: usize) -> Peers {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let as_of = as_of();
        let records = customers(n, SEED);
        let tierwise = TierwiseImpl::load(dir);
        let tierwise_inputs = records.iter().map(|r| tierwise.customer(r)).collect();
        let zen = ZenImpl::load(dir);
        let zen_inputs = records.iter().map(|r| ZenImpl::input(r, as_of)).collect();
        Peers {
            records,
            tierwise,
            tierwise_inputs,
            zen,
            zen_inputs,
            as_of,
        }
    }

    pub fn hand_tiers(&self) -> Vec<Tier> {
        self.records
            .iter()
            .map(|r| hand::tier(r, self.as_of))
            .collect()
    }

    pub fn tierwise_tiers(&self) -> Vec<Tier> {
        self.tierwise_inputs
            .iter()
            .map(|c| self.tierwise.tier(c, self.as_of))
            .collect()
    }

    pub fn tierwise_traced_tiers(&self) -> Vec<Tier> {
        self.tierwise_inputs
            .iter()
            .map(|c| self.tierwise.tier_with_trace(c, self.as_of))
            .collect()
    }

    pub fn zen_tiers(&self) -> Vec<Tier> {
        self.zen.runtime.block_on(async {
            let mut out = Vec::with_capacity(self.zen_inputs.len());
            for input in &self.zen_inputs {
                out.push(self.zen.tier(input).await);
            }
            out
        })
    }

    /// Asserts that hand-written code, tierwise (with and without trace) and zen-engine give
    /// the same tier to every customer, and that tierwise and the hand-written code give the
    /// same score. Panics with the number of differences and the first few otherwise.
    /// Returns the tier distribution.
    pub fn check_agreement(&self) -> [(Tier, usize); 3] {
        let hand = self.hand_tiers();
        let slopes: Vec<Tier> = self
            .records
            .iter()
            .map(|r| hand_slopes::tier(r, self.as_of))
            .collect();
        let tw = self.tierwise_tiers();
        let tw_trace = self.tierwise_traced_tiers();
        let zen = self.zen_tiers();
        let mut differ = Vec::new();
        for i in 0..self.records.len() {
            if tw[i] != hand[i]
                || tw_trace[i] != hand[i]
                || zen[i] != hand[i]
                || slopes[i] != hand[i]
            {
                differ.push(i);
            }
        }
        let mut score_differ = 0;
        for (r, c) in self.records.iter().zip(&self.tierwise_inputs) {
            let a = self
                .tierwise
                .policy
                .classify(c, self.as_of)
                .expect("classify");
            let expected = hand::score(r, self.as_of);
            if a.score().value() != expected || hand_slopes::score(r, self.as_of) != expected {
                score_differ += 1;
            }
        }
        if !differ.is_empty() || score_differ > 0 {
            let mut msg = format!(
                "TIERS DISAGREE for {} of {} customers ({} scores of tierwise or the slopes variant differ from the hand-written ones)\n",
                differ.len(),
                self.records.len(),
                score_differ
            );
            for &i in differ.iter().take(20) {
                let r = &self.records[i];
                let zen_score = self
                    .zen
                    .runtime
                    .block_on(self.zen.score(&self.zen_inputs[i]));
                msg.push_str(&format!(
                    "  {r:?}\n    hand {} (score {}, with slopes {}), tierwise {} / traced {}, zen {} (score {:?})\n",
                    hand[i],
                    hand::score(r, self.as_of),
                    slopes[i],
                    tw[i],
                    tw_trace[i],
                    zen[i],
                    zen_score
                ));
            }
            panic!("{msg}");
        }
        let mut dist = [(Tier::Vip, 0), (Tier::Key, 0), (Tier::Standard, 0)];
        for t in hand {
            for slot in &mut dist {
                if slot.0 == t {
                    slot.1 += 1;
                }
            }
        }
        dist
    }
}

/// How many customers have the tenure anniversary, the given rounding tie etc.: used by the
/// README to show that the customers exercise the boundaries.
pub fn coverage(records: &[Record], as_of: NaiveDate) -> Vec<(&'static str, usize)> {
    let ties = records
        .iter()
        .filter(|r| {
            // an exact volume score with a 5 in the third decimal: a rounding tie
            let raw = hand_raw_volume(r.annual_teu);
            (raw * Decimal::from(1000)).fract().is_zero()
                && (raw * Decimal::from(1000)) % Decimal::from(10) == Decimal::from(5)
        })
        .count();
    let anniversaries = records
        .iter()
        .filter(|r| {
            (r.customer_since.month(), r.customer_since.day()) == (as_of.month(), as_of.day())
        })
        .count();
    let leap = records
        .iter()
        .filter(|r| (r.customer_since.month(), r.customer_since.day()) == (2, 29))
        .count();
    let scores: Vec<Decimal> = records.iter().map(|r| hand::score(r, as_of)).collect();
    let at = |v: i64| scores.iter().filter(|s| **s == Decimal::from(v)).count();
    let near = |v: i64| {
        scores
            .iter()
            .filter(|s| (**s - Decimal::from(v)).abs() <= Decimal::new(50, 2))
            .count()
    };
    vec![
        ("volume score is a rounding tie (x.xx5)", ties),
        ("customer since on the as-of month/day", anniversaries),
        ("customer since 29 February", leap),
        ("score exactly 80.00", at(80)),
        ("score exactly 60.00", at(60)),
        ("score within 0.5 of 80", near(80)),
        ("score within 0.5 of 60", near(60)),
        (
            "overdue_days exactly 90 or 91",
            records
                .iter()
                .filter(|r| r.overdue_days == 90 || r.overdue_days == 91)
                .count(),
        ),
        (
            "gross margin exactly 8 or 7.99",
            records
                .iter()
                .filter(|r| {
                    r.gross_margin_pct == Decimal::from(8)
                        || r.gross_margin_pct == Decimal::new(799, 2)
                })
                .count(),
        ),
    ]
}

fn hand_raw_volume(teu: Decimal) -> Decimal {
    let pts = [(0i64, 0i64), (500, 40), (2000, 70), (10000, 100)];
    if teu <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    for w in pts.windows(2) {
        let (x0, y0) = (Decimal::from(w[0].0), Decimal::from(w[0].1));
        let (x1, y1) = (Decimal::from(w[1].0), Decimal::from(w[1].1));
        if teu <= x1 {
            return y0 + (teu - x0) * (y1 - y0) / (x1 - x0);
        }
    }
    Decimal::from(100)
}
