//! `tierwise simulate`: the tier distribution of a file, and the moves between two
//! policies.

use std::io::{self, BufWriter, Write};

use chrono::NaiveDate;
use serde::Serialize;
use tierwise::simulate::{RecordError, Simulation, SimulationReport, TierShare, Transition};
use tierwise::Policy;

use crate::input::Problem;
use crate::report::{self, Distribution};
use crate::{SimulateArgs, SimulateFormat};

/// The outcome of a simulation, with the policies it names and its distributions in the
/// shape of the tables.
struct Outcome<'p> {
    policy: &'p Policy,
    against: Option<&'p Policy>,
    report: SimulationReport,
    distribution: Distribution,
    against_distribution: Option<Distribution>,
    /// Problems of the customer file itself (an unknown column, a bad header).
    file_problems: usize,
}

impl Outcome<'_> {
    /// The customers that went from tier `from` to tier `to` (tier ids).
    fn moves(&self, from: &str, to: &str) -> u64 {
        self.report
            .transitions()
            .iter()
            .find(|t| t.from() == from && t.to() == to)
            .map_or(0, Transition::count)
    }
}

/// The library's counts in the shape of the tables.
fn distribution(tiers: &[TierShare], total: u64) -> Distribution {
    Distribution {
        tiers: tiers
            .iter()
            .map(|t| (t.tier().to_owned(), t.name().to_owned(), t.count()))
            .collect(),
        total,
    }
}

/// A row's problems under one policy, for stderr.
fn problems(error: Option<RecordError<Vec<Problem>>>) -> Vec<Problem> {
    match error.map(RecordError::into_result) {
        None => Vec::new(),
        Some(Err(problems)) => problems,
        Some(Ok(e)) => vec![Problem::new(e.to_string())],
    }
}

/// Simulates; returns whether there was no error.
pub fn run(args: &SimulateArgs) -> io::Result<bool> {
    let Some(policy) = report::load_policy(&args.policy.policy) else {
        return Ok(false);
    };
    let against = match &args.against {
        Some(path) => match report::load_policy(path) {
            Some(q) => Some(q),
            None => return Ok(false),
        },
        None => None,
    };
    let as_of = report::as_of(&policy, args.policy.as_of);
    if let Some(q) = &against {
        report::warn_if_not_in_force(q, as_of);
    }
    let policies: Vec<&Policy> = std::iter::once(&policy).chain(against.as_ref()).collect();
    let Some(mut rows) = report::Rows::open(
        &args.input.customers,
        &policies,
        args.input.ignore_extra_columns,
    ) else {
        return Ok(false);
    };
    let label = rows.label().to_owned();
    let mut ok = true;

    let mut sim = match &against {
        Some(q) => Simulation::compare(&policy, q, as_of),
        None => Simulation::new(&policy, as_of),
    }
    .keep_movers(args.movers)
    .movers_between(args.from.as_deref(), args.to.as_deref());
    while let Some(record) = rows.next_built() {
        // the row is built for `--policy`, then for `--against` (`Simulation::add` asks in
        // that order; a customer built for the other policy would be refused, not misread)
        let mut which = 0;
        let added = sim.add(|_| {
            which += 1;
            rows.build(which - 1, &record)
        });
        let line = record.line;
        rows.give_back(record);
        let Err(e) = added else {
            continue;
        };
        ok = false;
        let (first, other) = e.into_parts();
        let mut shown: Vec<Problem> = Vec::new();
        for p in problems(first) {
            report::problem_at(&label, line, &p);
            shown.push(p);
        }
        if let Some(q) = &against {
            for p in problems(other)
                .into_iter()
                .filter(|p| shown.iter().all(|s| s.message != p.message))
            {
                let p = Problem {
                    message: format!(
                        "with --against policy {} {}: {}",
                        q.id(),
                        q.version(),
                        p.message
                    ),
                    help: p.help,
                    field: p.field,
                };
                report::problem_at(&label, line, &p);
            }
        }
    }
    let ok = ok && rows.is_clean();
    let report = sim.finish();
    let outcome = Outcome {
        policy: &policy,
        against: against.as_ref(),
        distribution: distribution(report.distribution(), report.total()),
        against_distribution: report
            .against_distribution()
            .map(|d| distribution(d, report.total())),
        report,
        file_problems: rows.problems(),
    };
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        SimulateFormat::Table => write_table(&mut out, &outcome)?,
        SimulateFormat::Json => {
            serde_json::to_writer(&mut out, &json(&outcome))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ok)
}

fn write_table(out: &mut impl Write, sim: &Outcome<'_>) -> io::Result<()> {
    let p = sim.policy;
    let role = if sim.against.is_some() {
        " (--policy)"
    } else {
        ""
    };
    writeln!(
        out,
        "policy {} version {}{role}, as of {}",
        p.id(),
        p.version(),
        sim.report.as_of()
    )?;
    writeln!(out)?;
    for line in sim.distribution.table(true) {
        writeln!(out, "{line}")?;
    }
    if let (Some(q), Some(dist)) = (sim.against, &sim.against_distribution) {
        writeln!(out)?;
        writeln!(
            out,
            "against policy {} version {} (--against)",
            q.id(),
            q.version()
        )?;
        writeln!(out)?;
        for line in dist.table(true) {
            writeln!(out, "{line}")?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "moves: rows are tiers under {} {}, columns tiers under {} {}",
            p.id(),
            p.version(),
            q.id(),
            q.version()
        )?;
        write_matrix(out, p, q, sim)?;
        let moved = sim.report.moved();
        writeln!(out)?;
        writeln!(
            out,
            "moved: {moved} of {}",
            report::count(
                usize::try_from(dist.total).unwrap_or(usize::MAX),
                "customer",
                "customers"
            )
        )?;
        let causes: Vec<String> = sim
            .report
            .causes()
            .iter()
            .map(|(k, n)| format!("{} {n}", k.as_str()))
            .collect();
        if !causes.is_empty() {
            writeln!(out, "moved by: {}", causes.join(", "))?;
        }
        if !sim.report.movers().is_empty() {
            writeln!(out)?;
            write_movers(out, &sim.report)?;
        }
    }
    let errors = sim.report.errors();
    if errors > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "not counted: {} (see the errors above)",
            report::count(
                usize::try_from(errors).unwrap_or(usize::MAX),
                "row with errors",
                "rows with errors"
            )
        )?;
    } else {
        writeln!(out)?;
        writeln!(out, "rows with errors: 0")?;
    }
    if sim.file_problems > 0 {
        writeln!(
            out,
            "problems with the file: {} (see the errors above)",
            sim.file_problems
        )?;
    }
    Ok(())
}

fn write_matrix(out: &mut impl Write, p: &Policy, q: &Policy, sim: &Outcome<'_>) -> io::Result<()> {
    let corner = "from \\ to";
    let w_first = p
        .tiers()
        .map(|(_, t)| t.id().chars().count())
        .chain([corner.len()])
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = q
        .tiers()
        .map(|(_, tb)| {
            p.tiers()
                .map(|(_, ta)| sim.moves(ta.id(), tb.id()).to_string().len())
                .chain([tb.id().chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut header = format!("{corner:<w_first$}");
    for ((_, tb), w) in q.tiers().zip(&widths) {
        let pad = w.saturating_sub(tb.id().chars().count());
        header.push_str(&format!("  {}{}", " ".repeat(pad), tb.id()));
    }
    writeln!(out, "{header}")?;
    for (_, ta) in p.tiers() {
        let pad = w_first.saturating_sub(ta.id().chars().count());
        let mut line = format!("{}{}", ta.id(), " ".repeat(pad));
        for ((_, tb), w) in q.tiers().zip(&widths) {
            line.push_str(&format!("  {:>w$}", sim.moves(ta.id(), tb.id())));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The movers kept, one aligned line each: id, tiers, scores and the dimension that moved
/// the customer most (`-` when no shared dimension's contribution changed).
fn write_movers(out: &mut impl Write, report: &SimulationReport) -> io::Result<()> {
    let movers = report.movers();
    let shown = movers.len();
    let more = if u64::try_from(shown).unwrap_or(u64::MAX) < report.moved() {
        " (--movers N lists more)"
    } else {
        ""
    };
    writeln!(
        out,
        "customers that move: {shown} of {} listed{more}, largest score change first",
        report.moved()
    )?;
    let header = [
        "id",
        "from",
        "to",
        "score",
        "against",
        "moved most by",
        "cause",
    ]
    .map(str::to_owned);
    let rows: Vec<[String; 7]> = movers
        .iter()
        .map(|m| {
            [
                m.id().to_owned(),
                m.from().to_owned(),
                m.to().to_owned(),
                m.score().to_string(),
                m.against_score().to_string(),
                m.dimension().unwrap_or("-").to_owned(),
                format!("{}: {}", m.cause().kind().as_str(), m.cause().detail()),
            ]
        })
        .collect();
    let mut widths = [0usize; 7];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            let pad = " ".repeat(w.saturating_sub(cell.chars().count()));
            if i > 0 {
                line.push_str("  ");
            }
            // scores right-aligned, text left-aligned
            if i == 3 || i == 4 {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonSimulation<'a> {
    policy: JsonPolicy<'a>,
    as_of: NaiveDate,
    total: u64,
    errors: u64,
    /// Problems of the customer file itself, when there are any.
    #[serde(skip_serializing_if = "is_zero")]
    file_problems: usize,
    distribution: Vec<JsonTier<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    against: Option<JsonAgainst<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transitions: Option<Vec<JsonMove<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    moved: Option<u64>,
    /// Movers by cause, with `--against`.
    #[serde(skip_serializing_if = "Option::is_none")]
    causes: Option<serde_json::Map<String, serde_json::Value>>,
    /// The `--movers` customers that move with the largest score change, with `--against`.
    #[serde(skip_serializing_if = "Option::is_none")]
    movers: Option<Vec<JsonMover<'a>>>,
}

#[derive(Serialize)]
struct JsonMover<'a> {
    id: &'a str,
    from: &'a str,
    to: &'a str,
    score: String,
    against_score: String,
    /// The dimension that moved the customer most, `null` when none did.
    dimension: Option<&'a str>,
    cause: JsonCause<'a>,
}

#[derive(Serialize)]
struct JsonCause<'a> {
    kind: &'a str,
    detail: &'a str,
}

#[derive(Serialize)]
struct JsonPolicy<'a> {
    id: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct JsonTier<'a> {
    tier: &'a str,
    count: u64,
    share: String,
}

#[derive(Serialize)]
struct JsonAgainst<'a> {
    policy: JsonPolicy<'a>,
    distribution: Vec<JsonTier<'a>>,
}

#[derive(Serialize)]
struct JsonMove<'a> {
    from: &'a str,
    to: &'a str,
    count: u64,
}

fn json_policy(p: &Policy) -> JsonPolicy<'_> {
    JsonPolicy {
        id: p.id(),
        version: p.version(),
    }
}

fn json_distribution(d: &Distribution) -> Vec<JsonTier<'_>> {
    d.tiers
        .iter()
        .map(|(id, _, n)| JsonTier {
            tier: id,
            count: *n,
            share: d.share(*n),
        })
        .collect()
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn json<'a>(sim: &'a Outcome<'a>) -> JsonSimulation<'a> {
    let report = &sim.report;
    let (against, transitions, moved, movers) = match (sim.against, &sim.against_distribution) {
        (Some(q), Some(dist)) => {
            let moves = report
                .transitions()
                .iter()
                .map(|t| JsonMove {
                    from: t.from(),
                    to: t.to(),
                    count: t.count(),
                })
                .collect();
            let movers = report
                .movers()
                .iter()
                .map(|m| JsonMover {
                    id: m.id(),
                    from: m.from(),
                    to: m.to(),
                    score: m.score().to_string(),
                    against_score: m.against_score().to_string(),
                    dimension: m.dimension(),
                    cause: JsonCause {
                        kind: m.cause().kind().as_str(),
                        detail: m.cause().detail(),
                    },
                })
                .collect();
            (
                Some(JsonAgainst {
                    policy: json_policy(q),
                    distribution: json_distribution(dist),
                }),
                Some(moves),
                Some(report.moved()),
                Some(movers),
            )
        }
        _ => (None, None, None, None),
    };
    JsonSimulation {
        policy: json_policy(sim.policy),
        as_of: report.as_of(),
        total: report.total(),
        errors: report.errors(),
        file_problems: sim.file_problems,
        distribution: json_distribution(&sim.distribution),
        against,
        transitions,
        moved,
        causes: sim.against.map(|_| {
            report
                .causes()
                .iter()
                .map(|(k, n)| (k.as_str().to_owned(), serde_json::Value::from(*n)))
                .collect()
        }),
        movers,
    }
}
