//! `tierwise tier`: scores and tiers every customer of a file.

use std::io::{self, BufWriter, StdoutLock, Write};

use chrono::NaiveDate;
use serde::Serialize;
use tierwise::{Assignment, Customer, Decision, Policy};

use crate::report::{self, Distribution};
use crate::{input, TierArgs, TierFormat};

/// Tiers every row; returns whether there was no error.
pub fn run(args: &TierArgs) -> io::Result<bool> {
    if args.guidance && args.format != TierFormat::Json {
        clap::Error::raw(
            clap::error::ErrorKind::ArgumentConflict,
            "`--guidance` needs `--format json`\n",
        )
        .exit();
    }
    let Some(policy) = report::load_policy(&args.policy.policy) else {
        return Ok(false);
    };
    let as_of = report::as_of(&policy, args.policy.as_of);
    let Some(mut rows) = report::Rows::open(
        &args.input.customers,
        &[&policy],
        args.input.ignore_extra_columns,
    ) else {
        return Ok(false);
    };
    let label = rows.label().to_owned();
    let out = BufWriter::new(io::stdout().lock());
    let mut writer = match args.format {
        TierFormat::Json => Writer::Json {
            out,
            guidance: args.guidance,
        },
        TierFormat::Csv => Writer::Csv(Box::new(csv_header(&policy, out)?)),
        TierFormat::Table => Writer::Table {
            out,
            rows: Vec::new(),
            distribution: Distribution::new(&policy),
            errors: 0,
        },
    };
    // each result is written as its row is read; every row ends up tiered or with errors,
    // and the summary says how many of each
    let (mut count, mut tiered, mut with_errors) = (0usize, 0usize, 0usize);
    for record in rows.by_ref() {
        count += 1;
        match report::classify(&policy, input::build(&policy, &record), as_of) {
            Ok((customer, assignment)) => {
                tiered += 1;
                writer.result(&policy, &customer, &assignment, as_of)?;
            }
            Err(problems) => {
                with_errors += 1;
                for p in &problems {
                    report::problem_at(&label, record.line, p);
                }
                writer.error();
            }
        }
    }
    let ok = rows.is_clean() && with_errors == 0;
    writer.finish()?;
    summary(count, tiered, with_errors, rows.problems());
    Ok(ok)
}

/// `summary: 10000 rows, 9900 tiered, 100 with errors` on stderr, after the results, and
/// `, 1 problem with the file` when the file itself had problems (an unknown column, a bad
/// header). A failing stderr cannot be reported anywhere: ignored.
fn summary(rows: usize, tiered: usize, with_errors: usize, file_problems: usize) {
    let file = if file_problems > 0 {
        format!(
            ", {} with the file",
            report::count(file_problems, "problem", "problems")
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        io::stderr().lock(),
        "summary: {}, {tiered} tiered, {with_errors} with errors{file}",
        report::count(rows, "row", "rows")
    );
}

type Out = BufWriter<StdoutLock<'static>>;

enum Writer {
    Json {
        out: Out,
        /// Whether each result gets its `next` guidance.
        guidance: bool,
    },
    Csv(Box<csv::Writer<Out>>),
    Table {
        out: Out,
        rows: Vec<[String; 5]>,
        distribution: Distribution,
        errors: u64,
    },
}

/// One line of `--format json`, keys in this order.
#[derive(Serialize)]
struct JsonResult<'a> {
    id: &'a str,
    tier: &'a str,
    score: String,
    qualified_tier: &'a str,
    dimensions: serde_json::Map<String, serde_json::Value>,
    state: JsonState<'a>,
    decided_by: Decision,
    notes: Vec<String>,
    policy: JsonPolicy<'a>,
    as_of: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<tierwise::analysis::Guidance>,
}

#[derive(Serialize)]
struct JsonState<'a> {
    tier: &'a str,
    tier_since: NaiveDate,
    last_qualified: Option<NaiveDate>,
}

#[derive(Serialize)]
struct JsonPolicy<'a> {
    id: &'a str,
    version: &'a str,
}

fn csv_header(policy: &Policy, out: Out) -> io::Result<csv::Writer<Out>> {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = ["id", "tier", "score", "qualified_tier"]
        .map(str::to_owned)
        .to_vec();
    header.extend(policy.dimension_names().map(|d| format!("dimension.{d}")));
    header.extend(["tier_since", "last_qualified", "decided_by"].map(str::to_owned));
    w.write_record(&header).map_err(csv_io)?;
    Ok(w)
}

/// The I/O error inside a CSV writer error, keeping its kind (a closed pipe is not an
/// error worth reporting).
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Remarks on the result (an ignored previous tier, an expired pin), worded by the
/// library's trace.
fn notes(policy: &Policy, customer: &Customer, a: &Assignment, as_of: NaiveDate) -> Vec<String> {
    if !a.ignored_previous_tier() && !a.expired_pin() {
        return Vec::new();
    }
    policy
        .explain(customer, as_of)
        .map(|e| e.notes().to_vec())
        .unwrap_or_default()
}

/// The guidance for the next tier above the qualified one, if there is one.
fn next_up(
    policy: &Policy,
    customer: &Customer,
    a: &Assignment,
    as_of: NaiveDate,
) -> Option<tierwise::analysis::Guidance> {
    let rank = a.qualified_tier().rank().checked_sub(1)?;
    let (up, _) = policy.tiers().nth(rank)?;
    policy.guidance(customer, as_of, up).ok().flatten()
}

impl Writer {
    fn result(
        &mut self,
        policy: &Policy,
        customer: &Customer,
        a: &Assignment,
        as_of: NaiveDate,
    ) -> io::Result<()> {
        let tier = report::tier_id(policy, a.tier());
        let qualified = report::tier_id(policy, a.qualified_tier());
        let state = a.state();
        match self {
            Writer::Json { out, guidance } => {
                let next = if *guidance {
                    next_up(policy, customer, a, as_of)
                } else {
                    None
                };
                let dimensions = policy
                    .dimension_names()
                    .zip(a.dimension_scores())
                    .map(|(n, s)| (n.to_owned(), serde_json::Value::String(s.to_string())))
                    .collect();
                let line = JsonResult {
                    id: customer.id(),
                    tier,
                    score: a.score().to_string(),
                    qualified_tier: qualified,
                    dimensions,
                    state: JsonState {
                        tier: report::tier_id(policy, state.tier()),
                        tier_since: state.tier_since(),
                        last_qualified: state.last_qualified(),
                    },
                    decided_by: a.decision(),
                    notes: notes(policy, customer, a, as_of),
                    policy: JsonPolicy {
                        id: policy.id(),
                        version: policy.version(),
                    },
                    as_of,
                    next,
                };
                serde_json::to_writer(&mut *out, &line)?;
                writeln!(out)
            }
            Writer::Csv(w) => {
                let mut row = vec![
                    customer.id().to_owned(),
                    tier.to_owned(),
                    a.score().to_string(),
                    qualified.to_owned(),
                ];
                row.extend(a.dimension_scores().iter().map(ToString::to_string));
                row.push(state.tier_since().to_string());
                row.push(
                    state
                        .last_qualified()
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                );
                row.push(report::decision_name(a.decision()));
                w.write_record(&row).map_err(csv_io)?;
                Ok(())
            }
            Writer::Table {
                rows, distribution, ..
            } => {
                distribution.add(a.tier());
                rows.push([
                    customer.id().to_owned(),
                    tier.to_owned(),
                    a.score().to_string(),
                    qualified.to_owned(),
                    report::decision_name(a.decision()),
                ]);
                Ok(())
            }
        }
    }

    fn error(&mut self) {
        if let Writer::Table { errors, .. } = self {
            *errors += 1;
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Writer::Json { mut out, .. } => out.flush(),
            Writer::Csv(mut w) => w.flush(),
            Writer::Table {
                mut out,
                rows,
                distribution,
                errors,
            } => {
                write_table(&mut out, &rows)?;
                writeln!(out)?;
                for line in distribution.table(false) {
                    writeln!(out, "{line}")?;
                }
                if errors > 0 {
                    writeln!(
                        out,
                        "not tiered: {} (see the errors above)",
                        report::count(
                            usize::try_from(errors).unwrap_or(usize::MAX),
                            "row with errors",
                            "rows with errors"
                        )
                    )?;
                }
                out.flush()
            }
        }
    }
}

/// Aligned columns: text left, the score right.
fn write_table(out: &mut impl Write, rows: &[[String; 5]]) -> io::Result<()> {
    let header = ["id", "tier", "score", "qualified", "decided by"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            let pad = " ".repeat(w.saturating_sub(cell.chars().count()));
            if i > 0 {
                line.push_str("  ");
            }
            if i == 2 {
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
