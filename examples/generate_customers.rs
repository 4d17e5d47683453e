//! Writes a seeded set of synthetic ocean-shipping customers for the sample
//! policy `policies/ocean-shipping.toml`.
//!
//! ```text
//! cargo run --example generate_customers > data/customers.csv
//! cargo run --example generate_customers -- --jsonl > data/customers.jsonl
//! cargo run --release --example generate_customers -- --count 1000000 > /tmp/customers-1m.csv
//! ```
//!
//! `--count N` writes N customers instead of 1,200 (the first 1,200 are the same).
//!
//! The output is a pure function of the seed: the same program always writes
//! the same bytes, so the committed files in `data/` can be regenerated and
//! compared. Only integer arithmetic is used (no floating point), so the
//! output does not depend on the platform's maths library either.
//!
//! The customers are meant to look like a real carrier's book: most of them
//! ship little, a few ship a lot; big shippers tend to be older customers with
//! more market influence and better credit. Every date is on or before
//! 2026-06-30, the as-of date used in the README, except `pinned_until`, which
//! is a date in the past for some pins and in the future for others.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};

/// Seed of the generator. Change it and every customer changes.
const SEED: u64 = 20_261_122;
/// Number of customers written.
const COUNT: u32 = 1_200;

/// splitmix64 (Steele, Lea and Flood 2014): small, fast and good enough for
/// test data. Not for cryptography.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0), by multiply-shift (Lemire); the bias is
    /// far below anything visible in 1,200 rows.
    fn below(&mut self, n: u64) -> u64 {
        let wide = u128::from(self.next_u64()) * u128::from(n);
        u64::try_from(wide >> 64).unwrap_or(0)
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1);
        lo + i64::try_from(self.below(span)).unwrap_or(0)
    }

    /// True with a probability of `per_mille` / 1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1_000) < per_mille
    }

    /// One of the choices, with probability proportional to its weight.
    fn pick<T: Copy>(&mut self, choices: &[(T, u64)]) -> Option<T> {
        let total: u64 = choices.iter().map(|&(_, w)| w).sum();
        let mut roll = self.below(total.max(1));
        for &(value, weight) in choices {
            if roll < weight {
                return Some(value);
            }
            roll -= weight;
        }
        None
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a day number (H. Hinnant's `civil_from_days`).
fn format_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A fixed-point decimal: `value / 10^scale`, written exactly.
fn format_fixed(value: i64, scale: u32) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    if scale == 0 {
        return format!("{sign}{abs}");
    }
    let unit = 10_u64.pow(scale);
    let width = usize::try_from(scale).unwrap_or(0);
    format!("{sign}{}.{:0width$}", abs / unit, abs % unit)
}

/// Annual TEU (in hundredths) at a size percentile given in parts per
/// million: straight lines between these quantiles. The shape is roughly
/// log-normal: the median customer ships about 230 TEU a year, one in ten
/// more than 3,000 and a handful more than 20,000.
const TEU_QUANTILES: [(i64, i64); 15] = [
    (0, 500),
    (100_000, 4_000),
    (250_000, 14_000),
    (400_000, 32_000),
    (500_000, 55_000),
    (600_000, 90_000),
    (700_000, 150_000),
    (800_000, 270_000),
    (870_000, 430_000),
    (910_000, 620_000),
    (940_000, 880_000),
    (965_000, 1_300_000),
    (985_000, 2_100_000),
    (996_000, 3_300_000),
    (1_000_000, 5_000_000),
];

fn teu_hundredths(size_ppm: i64) -> i64 {
    for pair in TEU_QUANTILES.windows(2) {
        if let [(p0, v0), (p1, v1)] = *pair {
            if size_ppm <= p1 {
                return v0 + (size_ppm - p0) * (v1 - v0) / (p1 - p0);
            }
        }
    }
    5_000_000
}

/// Pins set by account managers: the pinned tier and the reason written
/// with it. Some reasons contain a comma, which the CSV output quotes.
const PINS: [(&str, &str); 8] = [
    ("vip", "board decision: flagship account"),
    ("vip", "new long-term contract signed"),
    ("vip", "service recovery after a lost cargo claim"),
    ("vip", "merger with an existing VIP customer"),
    (
        "key",
        "trial period on a new trade lane, review at quarter end",
    ),
    ("key", "key account under contract renegotiation"),
    ("key", "CEO request"),
    ("standard", "legal dispute pending, service limited"),
];

const FIRST_DAY: (i64, i64, i64) = (1998, 1, 1);
const AS_OF: (i64, i64, i64) = (2026, 6, 30);

/// One synthetic customer. `None` is an empty cell (an absent value).
struct Row {
    id: String,
    annual_teu: String,
    customer_since: String,
    gross_margin_pct: String,
    influence: &'static str,
    credit_rating: Option<&'static str>,
    overdue_days: Option<i64>,
    strategic: Option<bool>,
    previous_tier: Option<&'static str>,
    tier_since: Option<String>,
    last_qualified: Option<String>,
    pinned_tier: Option<&'static str>,
    pinned_until: Option<String>,
    pin_reason: Option<&'static str>,
}

/// Previous state for about 40 % of customers. The previous tier roughly
/// follows size and margin, with some customers a tier above or below.
/// `tier_since` is on or after both 2024-01-01 and `since`, and
/// `last_qualified` lies between `tier_since` and the as-of date.
fn previous_state(
    rng: &mut SplitMix64,
    size: i64,
    margin: i64,
    since: i64,
) -> (Option<&'static str>, Option<String>, Option<String>) {
    if !rng.chance(400) {
        return (None, None, None);
    }
    let as_of = days_from_civil(AS_OF.0, AS_OF.1, AS_OF.2);
    let proxy: i64 = if size >= 900_000 && margin >= 60 {
        0
    } else if size >= 720_000 {
        1
    } else {
        2
    };
    let roll = rng.below(100);
    let rank = if roll < 12 {
        proxy - 1
    } else if roll < 24 {
        proxy + 1
    } else {
        proxy
    };
    let tier = match rank.clamp(0, 2) {
        0 => "vip",
        1 => "key",
        _ => "standard",
    };
    let from = days_from_civil(2024, 1, 1);
    let tier_start = rng.between(from.max(since), as_of);
    let qualified = if rng.chance(700) {
        rng.between(tier_start.max(days_from_civil(2026, 1, 1)), as_of)
    } else {
        rng.between(tier_start, as_of)
    };
    (
        Some(tier),
        Some(format_date(tier_start)),
        Some(format_date(qualified)),
    )
}

/// Manual pins for about 1 % of customers: some open-ended, some expired,
/// some running past the as-of date.
fn pin(rng: &mut SplitMix64) -> (Option<&'static str>, Option<String>, Option<&'static str>) {
    if !rng.chance(10) {
        return (None, None, None);
    }
    let as_of = days_from_civil(AS_OF.0, AS_OF.1, AS_OF.2);
    let pin_index = usize::try_from(rng.below(8)).unwrap_or(0);
    let (tier, reason) = PINS
        .get(pin_index)
        .copied()
        .unwrap_or(("vip", "CEO request"));
    let until = match rng.below(10) {
        0..=2 => None,
        3..=5 => Some(format_date(
            rng.between(days_from_civil(2025, 7, 1), as_of - 1),
        )),
        _ => Some(format_date(
            rng.between(as_of, days_from_civil(2027, 6, 30)),
        )),
    };
    (Some(tier), until, Some(reason))
}

fn generate(rng: &mut SplitMix64, number: u32) -> Row {
    let first_day = days_from_civil(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2);
    let as_of = days_from_civil(AS_OF.0, AS_OF.1, AS_OF.2);

    // Size: a percentile that drives volume, and nudges tenure, influence,
    // credit and strategic status.
    let size = rng.between(0, 999_999);
    let big = size >= 880_000;
    let top = size >= 970_000;

    // Annual volume: whole TEU for most customers, two decimals for some.
    let teu = teu_hundredths(size);
    let annual_teu = if rng.chance(700) {
        format_fixed((teu + 50) / 100, 0)
    } else {
        format_fixed(teu, 2)
    };

    // Customer since: the book grows, so recent customers are more common;
    // big shippers have usually been with us longer.
    let a = rng.between(first_day, as_of);
    let b = rng.between(first_day, as_of);
    let since = if big {
        a.min(b).min(rng.between(first_day, as_of))
    } else if rng.chance(600) {
        a.max(b)
    } else {
        a
    };

    // Gross margin in tenths of a percent, -12.5 % to 28.0 %, bell-shaped
    // around 7.75 %.
    let margin =
        (90 + rng.between(-72, 72) + rng.between(-72, 72) + rng.between(-72, 72)).clamp(-125, 280);

    let influence_weights: [(&'static str, u64); 4] = if top {
        [
            ("global_leader", 40),
            ("national_leader", 45),
            ("regional", 15),
            ("local", 0),
        ]
    } else if big {
        [
            ("global_leader", 15),
            ("national_leader", 50),
            ("regional", 30),
            ("local", 5),
        ]
    } else if size >= 700_000 {
        [
            ("global_leader", 2),
            ("national_leader", 13),
            ("regional", 45),
            ("local", 40),
        ]
    } else {
        [
            ("global_leader", 0),
            ("national_leader", 2),
            ("regional", 18),
            ("local", 80),
        ]
    };
    let influence = rng.pick(&influence_weights).unwrap_or("local");

    let credit_weights: [(&'static str, u64); 4] = if big {
        [("A", 55), ("B", 35), ("C", 8), ("D", 2)]
    } else {
        [("A", 32), ("B", 46), ("C", 16), ("D", 6)]
    };
    let credit_rating = if rng.chance(20) {
        None
    } else {
        rng.pick(&credit_weights)
    };

    // Days overdue: almost always 0, sometimes a little, sometimes badly late.
    let overdue_days = if rng.chance(20) {
        None
    } else {
        let roll = rng.below(1_000);
        Some(if roll < 870 {
            0
        } else if roll < 920 {
            rng.between(1, 29)
        } else {
            rng.between(30, 200).min(rng.between(30, 200))
        })
    };

    let strategic = if rng.chance(20) {
        None
    } else {
        Some(rng.chance(if big { 130 } else { 18 }))
    };

    let (previous_tier, tier_since, last_qualified) = previous_state(rng, size, margin, since);
    let (pinned_tier, pinned_until, pin_reason) = pin(rng);

    Row {
        id: format!("C{number:05}"),
        annual_teu,
        customer_since: format_date(since),
        gross_margin_pct: format_fixed(margin, 1),
        influence,
        credit_rating,
        overdue_days,
        strategic,
        previous_tier,
        tier_since,
        last_qualified,
        pinned_tier,
        pinned_until,
        pin_reason,
    }
}

const HEADER: &str = "id,annual_teu,customer_since,gross_margin_pct,influence,credit_rating,\
overdue_days,strategic,previous_tier,tier_since,last_qualified,pinned_tier,pinned_until,pin_reason";

/// A CSV cell: quoted when it holds a comma, a quote or a line break.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_csv(out: &mut impl Write, c: &Row) -> io::Result<()> {
    let cells = [
        c.id.clone(),
        c.annual_teu.clone(),
        c.customer_since.clone(),
        c.gross_margin_pct.clone(),
        c.influence.to_owned(),
        c.credit_rating.unwrap_or_default().to_owned(),
        c.overdue_days.map(|d| d.to_string()).unwrap_or_default(),
        c.strategic.map(|s| s.to_string()).unwrap_or_default(),
        c.previous_tier.unwrap_or_default().to_owned(),
        c.tier_since.clone().unwrap_or_default(),
        c.last_qualified.clone().unwrap_or_default(),
        c.pinned_tier.unwrap_or_default().to_owned(),
        c.pinned_until.clone().unwrap_or_default(),
        c.pin_reason.unwrap_or_default().to_owned(),
    ];
    let line: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
    writeln!(out, "{}", line.join(","))
}

fn write_jsonl(out: &mut impl Write, c: &Row) -> io::Result<()> {
    // Decimals are written as JSON strings so that they are read exactly.
    let mut fields = vec![
        format!("\"id\":{}", json_string(&c.id)),
        format!("\"annual_teu\":{}", json_string(&c.annual_teu)),
        format!("\"customer_since\":{}", json_string(&c.customer_since)),
        format!("\"gross_margin_pct\":{}", json_string(&c.gross_margin_pct)),
        format!("\"influence\":{}", json_string(c.influence)),
    ];
    if let Some(rating) = c.credit_rating {
        fields.push(format!("\"credit_rating\":{}", json_string(rating)));
    }
    if let Some(days) = c.overdue_days {
        fields.push(format!("\"overdue_days\":{days}"));
    }
    if let Some(flag) = c.strategic {
        fields.push(format!("\"strategic\":{flag}"));
    }
    let optional = [
        ("previous_tier", c.previous_tier.map(str::to_owned)),
        ("tier_since", c.tier_since.clone()),
        ("last_qualified", c.last_qualified.clone()),
        ("pinned_tier", c.pinned_tier.map(str::to_owned)),
        ("pinned_until", c.pinned_until.clone()),
        ("pin_reason", c.pin_reason.map(str::to_owned)),
    ];
    for (key, value) in optional {
        if let Some(text) = value {
            fields.push(format!("\"{key}\":{}", json_string(&text)));
        }
    }
    writeln!(out, "{{{}}}", fields.join(","))
}

fn usage() -> ! {
    eprintln!("usage: generate_customers [--csv | --jsonl] [--count N] > FILE");
    std::process::exit(2);
}

fn main() -> io::Result<()> {
    let mut jsonl = false;
    let mut count = COUNT;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jsonl" => jsonl = true,
            "--csv" => jsonl = false,
            "--count" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => count = n,
                None => usage(),
            },
            _ => usage(),
        }
    }

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if !jsonl {
        writeln!(out, "{HEADER}")?;
    }
    let mut rng = SplitMix64(SEED);
    for number in 1..=count {
        let customer = generate(&mut rng, number);
        if jsonl {
            write_jsonl(&mut out, &customer)?;
        } else {
            write_csv(&mut out, &customer)?;
        }
    }
    out.flush()
}
