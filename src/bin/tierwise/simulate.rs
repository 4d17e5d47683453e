//! `tierwise simulate`: the tier distribution of a file, and the moves between two
//! policies.

use std::io::{self, BufWriter, Write};

use chrono::NaiveDate;
use serde::Serialize;
use tierwise::Policy;

use crate::input::{self, Problem};
use crate::report::{self, Distribution};
use crate::{SimulateArgs, SimulateFormat};

/// Counts of (tier under `--policy`, tier under `--against`), by rank.
struct Matrix {
    counts: Vec<Vec<u64>>,
}

impl Matrix {
    fn new(rows: usize, columns: usize) -> Matrix {
        Matrix {
            counts: vec![vec![0; columns]; rows],
        }
    }

    fn add(&mut self, from: usize, to: usize) {
        if let Some(n) = self.counts.get_mut(from).and_then(|r| r.get_mut(to)) {
            *n += 1;
        }
    }

    fn get(&self, from: usize, to: usize) -> u64 {
        self.counts
            .get(from)
            .and_then(|r| r.get(to))
            .copied()
            .unwrap_or(0)
    }
}

/// The outcome of a simulation.
struct Simulation<'p> {
    policy: &'p Policy,
    as_of: NaiveDate,
    distribution: Distribution,
    errors: u64,
    /// The second policy, its distribution and the moves.
    against: Option<(&'p Policy, Distribution, Matrix)>,
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
    let Some(file) = report::read_customers(&args.input.customers) else {
        return Ok(false);
    };
    let policies: Vec<&Policy> = std::iter::once(&policy).chain(against.as_ref()).collect();
    let mut file_problems =
        report::FileProblems::new(&file, &policies, args.input.ignore_extra_columns);
    let mut ok = file_problems.is_empty();

    let mut sim = Simulation {
        policy: &policy,
        as_of,
        distribution: Distribution::new(&policy),
        errors: 0,
        against: against.as_ref().map(|q| {
            (
                q,
                Distribution::new(q),
                Matrix::new(policy.tiers().len(), q.tiers().len()),
            )
        }),
    };
    let mut second = against.as_ref().map(|q| (q, input::customers(&file, q)));
    for (line, customer) in input::customers(&file, &policy) {
        file_problems.until(line);
        let first = report::classify(&policy, customer, as_of);
        let other = second
            .as_mut()
            .and_then(|(q, rows)| rows.next().map(|(_, c)| report::classify(q, c, as_of)));
        match (first, other, &mut sim.against) {
            (Ok((_, a)), None, _) => sim.distribution.add(a.tier()),
            (Ok((_, a)), Some(Ok((_, b))), Some((_, dist, matrix))) => {
                sim.distribution.add(a.tier());
                dist.add(b.tier());
                matrix.add(a.tier().rank(), b.tier().rank());
            }
            (first, other, _) => {
                ok = false;
                sim.errors += 1;
                let mut shown: Vec<Problem> = Vec::new();
                if let Err(problems) = first {
                    for p in problems {
                        report::problem_at(&file.label, line, &p);
                        shown.push(p);
                    }
                }
                if let (Some(Err(problems)), Some(q)) = (other, &against) {
                    for p in problems
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
                        report::problem_at(&file.label, line, &p);
                    }
                }
            }
        }
    }
    file_problems.rest();
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        SimulateFormat::Table => write_table(&mut out, &sim)?,
        SimulateFormat::Json => {
            serde_json::to_writer(&mut out, &json(&sim))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ok)
}

fn write_table(out: &mut impl Write, sim: &Simulation<'_>) -> io::Result<()> {
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
        sim.as_of
    )?;
    writeln!(out)?;
    for line in sim.distribution.table(true) {
        writeln!(out, "{line}")?;
    }
    if let Some((q, dist, matrix)) = &sim.against {
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
        write_matrix(out, p, q, matrix)?;
        let moved: u64 = p
            .tiers()
            .flat_map(|(a, ta)| {
                q.tiers()
                    .filter(move |(_, tb)| tb.id() != ta.id())
                    .map(move |(b, _)| matrix.get(a.rank(), b.rank()))
            })
            .sum();
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
    }
    if sim.errors > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "not counted: {} (see the errors above)",
            report::count(
                usize::try_from(sim.errors).unwrap_or(usize::MAX),
                "row with errors",
                "rows with errors"
            )
        )?;
    } else {
        writeln!(out)?;
        writeln!(out, "rows with errors: 0")?;
    }
    Ok(())
}

fn write_matrix(out: &mut impl Write, p: &Policy, q: &Policy, matrix: &Matrix) -> io::Result<()> {
    let corner = "from \\ to";
    let w_first = p
        .tiers()
        .map(|(_, t)| t.id().chars().count())
        .chain([corner.len()])
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = q
        .tiers()
        .map(|(b, tb)| {
            p.tiers()
                .map(|(a, _)| matrix.get(a.rank(), b.rank()).to_string().len())
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
    for (a, ta) in p.tiers() {
        let pad = w_first.saturating_sub(ta.id().chars().count());
        let mut line = format!("{}{}", ta.id(), " ".repeat(pad));
        for ((b, _), w) in q.tiers().zip(&widths) {
            line.push_str(&format!("  {:>w$}", matrix.get(a.rank(), b.rank())));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonSimulation<'a> {
    policy: JsonPolicy<'a>,
    as_of: NaiveDate,
    total: u64,
    errors: u64,
    distribution: Vec<JsonTier<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    against: Option<JsonAgainst<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transitions: Option<Vec<JsonMove<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    moved: Option<u64>,
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

fn json<'a>(sim: &'a Simulation<'a>) -> JsonSimulation<'a> {
    let p = sim.policy;
    let (against, transitions, moved) = match &sim.against {
        Some((q, dist, matrix)) => {
            let mut moves = Vec::new();
            let mut moved = 0;
            for (a, ta) in p.tiers() {
                for (b, tb) in q.tiers() {
                    let count = matrix.get(a.rank(), b.rank());
                    if count == 0 {
                        continue;
                    }
                    if ta.id() != tb.id() {
                        moved += count;
                    }
                    moves.push(JsonMove {
                        from: ta.id(),
                        to: tb.id(),
                        count,
                    });
                }
            }
            (
                Some(JsonAgainst {
                    policy: json_policy(q),
                    distribution: json_distribution(dist),
                }),
                Some(moves),
                Some(moved),
            )
        }
        None => (None, None, None),
    };
    JsonSimulation {
        policy: json_policy(p),
        as_of: sim.as_of,
        total: sim.distribution.total,
        errors: sim.errors,
        distribution: json_distribution(&sim.distribution),
        against,
        transitions,
        moved,
    }
}
