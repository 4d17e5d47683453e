//! `tierwise tier`: scores and tiers every customer of a file.

use std::fmt::{self, Write as _};
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
    match (args.format, &args.output) {
        (TierFormat::Parquet, None) => clap::Error::raw(
            clap::error::ErrorKind::MissingRequiredArgument,
            "`--format parquet` needs `--output FILE`\n",
        )
        .exit(),
        (TierFormat::Json | TierFormat::Csv | TierFormat::Table, Some(_)) => clap::Error::raw(
            clap::error::ErrorKind::ArgumentConflict,
            "`--output` is for `--format parquet`; the other formats write to standard output\n",
        )
        .exit(),
        _ => {}
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
        TierFormat::Parquet => {
            let Some(path) = &args.output else {
                return Ok(false);
            };
            let file = match std::fs::File::create(path) {
                Ok(f) => f,
                Err(e) => {
                    report::error(&format!("cannot write `{}`: {e}", path.display()));
                    return Ok(false);
                }
            };
            let props = parquet::file::properties::WriterProperties::builder()
                .set_compression(parquet::basic::Compression::SNAPPY)
                .build();
            let writer =
                parquet::arrow::ArrowWriter::try_new(file, policy.table_schema(), Some(props))
                    .map_err(io::Error::other)?;
            Writer::Parquet {
                writer: Box::new(writer),
                columns: Box::new(policy.result_columns()),
            }
        }
        TierFormat::Json => Writer::Json {
            out,
            guidance: args.guidance,
        },
        TierFormat::Csv => Writer::Csv {
            w: Box::new(csv_header(&policy, out)?),
            scratch: String::new(),
        },
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
    while let Some(record) = rows.next() {
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
                writer.error(record.id.as_deref(), &problems)?;
            }
        }
        rows.give_back(record);
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

/// Rows of `--format parquet` gathered before they are written as one batch.
const PARQUET_BATCH: usize = 65_536;

enum Writer<'p> {
    /// `--format parquet --output FILE`: the output columns of spec section 18, written a
    /// batch at a time; a row with errors has its row too, with its messages.
    Parquet {
        writer: Box<parquet::arrow::ArrowWriter<std::fs::File>>,
        columns: Box<tierwise::table::ResultColumns<'p>>,
    },
    Json {
        out: Out,
        /// Whether each result gets its `next` guidance.
        guidance: bool,
    },
    Csv {
        w: Box<csv::Writer<Out>>,
        /// Where each number or date is written before it goes out as a field.
        scratch: String,
    },
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
    #[serde(serialize_with = "as_text")]
    score: tierwise::Score,
    qualified_tier: &'a str,
    dimensions: Dimensions<'a>,
    state: JsonState<'a>,
    decided_by: Decision,
    notes: Vec<String>,
    policy: JsonPolicy<'a>,
    as_of: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<tierwise::analysis::Guidance>,
}

/// A score as a JSON string, written straight from its `Display`.
fn as_text<S: serde::Serializer>(score: &tierwise::Score, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(score)
}

/// The dimension scores of a result as a JSON object, name to score text, in the policy's
/// order: written from the result, with no map built.
struct Dimensions<'a> {
    policy: &'a Policy,
    scores: &'a [tierwise::Score],
}

impl Serialize for Dimensions<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.scores.len()))?;
        for (name, score) in self.policy.dimension_names().zip(self.scores) {
            map.serialize_key(name)?;
            map.serialize_value(&Text(score))?;
        }
        map.end()
    }
}

/// A value serialised as the string its `Display` writes.
struct Text<'a, T: fmt::Display>(&'a T);

impl<T: fmt::Display> Serialize for Text<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
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

impl Writer<'_> {
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
            Writer::Parquet { writer, columns } => {
                columns.push(customer.id(), a).map_err(io::Error::other)?;
                if columns.len() >= PARQUET_BATCH {
                    writer.write(&columns.finish()).map_err(io::Error::other)?;
                }
                Ok(())
            }
            Writer::Json { out, guidance } => {
                let next = if *guidance {
                    next_up(policy, customer, a, as_of)
                } else {
                    None
                };
                let line = JsonResult {
                    id: customer.id(),
                    tier,
                    score: a.score(),
                    qualified_tier: qualified,
                    dimensions: Dimensions {
                        policy,
                        scores: a.dimension_scores(),
                    },
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
            Writer::Csv { w, scratch } => {
                // field by field, the numbers and dates through one reused buffer
                let field =
                    |w: &mut csv::Writer<Out>, text: &str| w.write_field(text).map_err(csv_io);
                let number = |w: &mut csv::Writer<Out>, s: &mut String, v: &dyn fmt::Display| {
                    s.clear();
                    let _ = write!(s, "{v}");
                    w.write_field(s.as_bytes()).map_err(csv_io)
                };
                field(w, customer.id())?;
                field(w, tier)?;
                number(w, scratch, &a.score())?;
                field(w, qualified)?;
                for d in a.dimension_scores() {
                    number(w, scratch, d)?;
                }
                scratch.clear();
                report::write_date(scratch, state.tier_since());
                field(w, scratch)?;
                scratch.clear();
                if let Some(d) = state.last_qualified() {
                    report::write_date(scratch, d);
                }
                field(w, scratch)?;
                field(w, a.decision().as_str())?;
                w.write_record(None::<&[u8]>).map_err(csv_io)
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

    fn error(&mut self, id: Option<&str>, problems: &[input::Problem]) -> io::Result<()> {
        match self {
            Writer::Table { errors, .. } => *errors += 1,
            Writer::Parquet { writer, columns } => {
                let message: Vec<String> = problems
                    .iter()
                    .map(|p| match &p.help {
                        Some(h) => format!("{} ({h})", p.message),
                        None => p.message.clone(),
                    })
                    .collect();
                columns.push_error(id, &message.join("; "));
                if columns.len() >= PARQUET_BATCH {
                    writer.write(&columns.finish()).map_err(io::Error::other)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Writer::Parquet {
                mut writer,
                mut columns,
            } => {
                if !columns.is_empty() {
                    writer.write(&columns.finish()).map_err(io::Error::other)?;
                }
                writer.close().map(|_| ()).map_err(io::Error::other)
            }
            Writer::Json { mut out, .. } => out.flush(),
            Writer::Csv { mut w, .. } => w.flush(),
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
