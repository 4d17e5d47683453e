//! `tierwise tier`: scores and tiers every customer of a file.

use std::fmt;
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
            line: Vec::new(),
            texts: Box::new(Texts::new(&policy, as_of)),
            dates: report::Dates::default(),
        },
        TierFormat::Csv => {
            let mut out = out;
            let mut line = Vec::new();
            csv_header(&policy, &mut line);
            out.write_all(&line)?;
            Writer::Csv {
                out,
                line,
                texts: Box::new(Texts::new(&policy, as_of)),
                dates: report::Dates::default(),
            }
        }
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
    while let Some(record) = rows.next_built() {
        count += 1;
        // the customer is borrowed and its result matched where it is returned, not moved
        // through a tuple: fewer copies of the assignment a row
        let outcome = match rows.build(0, &record) {
            Ok(customer) => match policy.classify(&customer, as_of) {
                Ok(assignment) => {
                    tiered += 1;
                    writer.result(&policy, &customer, &assignment, as_of)?;
                    Ok(())
                }
                Err(e) => Err(vec![input::Problem::new(e.to_string())]),
            },
            Err(problems) => Err(problems),
        };
        match outcome {
            Ok(()) => {}
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
        /// Whether each result gets its `next` guidance (then it is written by serde).
        guidance: bool,
        /// The line being written, reused from row to row.
        line: Vec<u8>,
        texts: Box<Texts>,
        dates: report::Dates,
    },
    Csv {
        out: Out,
        /// The row being written, reused from row to row.
        line: Vec<u8>,
        texts: Box<Texts>,
        dates: report::Dates,
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

/// The header row of `--format csv`.
fn csv_header(policy: &Policy, line: &mut Vec<u8>) {
    let mut header: Vec<String> = ["id", "tier", "score", "qualified_tier"]
        .map(str::to_owned)
        .to_vec();
    header.extend(policy.dimension_names().map(|d| format!("dimension.{d}")));
    header.extend(["tier_since", "last_qualified", "decided_by"].map(str::to_owned));
    for (i, name) in header.iter().enumerate() {
        csv_field(line, i == 0, name);
    }
    line.push(b'\n');
}

/// Appends one CSV field as the `csv` crate's writer does by default: after a comma unless
/// `first`, and in double quotes (each quote doubled) when it holds a comma, a quote or a
/// line end. The rows end with `\n`. A test checks the rows against the `csv` crate's.
fn csv_field(line: &mut Vec<u8>, first: bool, field: &str) {
    if !first {
        line.push(b',');
    }
    let bytes = field.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        line.extend_from_slice(bytes);
        return;
    }
    line.push(b'"');
    for &b in bytes {
        if b == b'"' {
            line.push(b'"');
        }
        line.push(b);
    }
    line.push(b'"');
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
        match self {
            Writer::Parquet { writer, columns } => {
                columns.push(customer.id(), a).map_err(io::Error::other)?;
                if columns.len() >= PARQUET_BATCH {
                    writer.write(&columns.finish()).map_err(io::Error::other)?;
                }
                Ok(())
            }
            Writer::Json {
                out,
                guidance: true,
                ..
            } => {
                let next = next_up(policy, customer, a, as_of);
                serde_json::to_writer(&mut *out, &json_result(policy, customer, a, as_of, next))?;
                writeln!(out)
            }
            Writer::Json {
                out,
                line,
                texts,
                dates,
                ..
            } => {
                json_row(line, texts, dates, policy, customer, a, as_of);
                out.write_all(line)
            }
            Writer::Csv {
                out,
                line,
                texts,
                dates,
            } => {
                csv_row(line, texts, dates, policy, customer, a);
                out.write_all(line)
            }
            Writer::Table {
                rows, distribution, ..
            } => {
                distribution.add(a.tier());
                rows.push([
                    customer.id().to_owned(),
                    report::tier_id(policy, a.tier()).to_owned(),
                    a.score().to_string(),
                    report::tier_id(policy, a.qualified_tier()).to_owned(),
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
            Writer::Csv { mut out, .. } => out.flush(),
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

/// The line of `--format json` for one result, with its `next` guidance if given: the
/// shape of [`JsonResult`], through serde.
fn json_result<'a>(
    policy: &'a Policy,
    customer: &'a Customer,
    a: &'a Assignment,
    as_of: NaiveDate,
    next: Option<tierwise::analysis::Guidance>,
) -> JsonResult<'a> {
    let state = a.state();
    JsonResult {
        id: customer.id(),
        tier: report::tier_id(policy, a.tier()),
        score: a.score(),
        qualified_tier: report::tier_id(policy, a.qualified_tier()),
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
    }
}

/// What the rows of one run's `--format csv` and `--format json` share, written once:
/// each tier id as a CSV field and as a JSON string (by rank), the JSON keys of the
/// dimensions, and the end of each JSON line after its notes (policy and as-of date).
struct Texts {
    csv_tiers: Vec<Vec<u8>>,
    json_tiers: Vec<Vec<u8>>,
    /// `"volume":"`, and `,"tenure":"` for the others.
    dimension_keys: Vec<Vec<u8>>,
    json_end: Vec<u8>,
}

impl Texts {
    fn new(policy: &Policy, as_of: NaiveDate) -> Texts {
        let mut csv_tiers = Vec::new();
        let mut json_tiers = Vec::new();
        for (_, tier) in policy.tiers() {
            let mut field = Vec::new();
            csv_field(&mut field, true, tier.id());
            csv_tiers.push(field);
            let mut string = Vec::new();
            json_string(&mut string, tier.id());
            json_tiers.push(string);
        }
        let dimension_keys = policy
            .dimension_names()
            .enumerate()
            .map(|(i, name)| {
                let mut key = if i > 0 { b",".to_vec() } else { Vec::new() };
                json_string(&mut key, name);
                key.extend_from_slice(b":\"");
                key
            })
            .collect();
        let mut json_end = b"],\"policy\":{\"id\":".to_vec();
        json_string(&mut json_end, policy.id());
        json_end.extend_from_slice(b",\"version\":");
        json_string(&mut json_end, policy.version());
        json_end.extend_from_slice(b"},\"as_of\":\"");
        report::Dates::default().append(&mut json_end, as_of);
        json_end.extend_from_slice(b"\"}\n");
        Texts {
            csv_tiers,
            json_tiers,
            dimension_keys,
            json_end,
        }
    }

    /// Appends the CSV field of `tier`, after a comma.
    fn csv_tier(&self, line: &mut Vec<u8>, policy: &Policy, tier: tierwise::TierId) {
        line.push(b',');
        match self.csv_tiers.get(tier.rank()) {
            Some(field) => line.extend_from_slice(field),
            None => csv_field(line, true, report::tier_id(policy, tier)),
        }
    }

    /// Appends the JSON string of `tier`.
    fn json_tier(&self, line: &mut Vec<u8>, policy: &Policy, tier: tierwise::TierId) {
        match self.json_tiers.get(tier.rank()) {
            Some(string) => line.extend_from_slice(string),
            None => json_string(line, report::tier_id(policy, tier)),
        }
    }
}

/// The line of `--format json` without guidance, into `line`: what serde writes for
/// [`json_result`] (a test checks it on the sample customers and on ids of every ASCII
/// character), written by hand because serde's formatting of each score and date through
/// `Display` was most of the command's time. Scores and dates need no escaping: they are
/// written between quotes as they are.
fn json_row(
    line: &mut Vec<u8>,
    texts: &Texts,
    dates: &mut report::Dates,
    policy: &Policy,
    customer: &Customer,
    a: &Assignment,
    as_of: NaiveDate,
) {
    line.clear();
    line.extend_from_slice(b"{\"id\":");
    json_string(line, customer.id());
    line.extend_from_slice(b",\"tier\":");
    texts.json_tier(line, policy, a.tier());
    line.extend_from_slice(b",\"score\":\"");
    a.score().append_to(line);
    line.extend_from_slice(b"\",\"qualified_tier\":");
    texts.json_tier(line, policy, a.qualified_tier());
    line.extend_from_slice(b",\"dimensions\":{");
    for (key, score) in texts.dimension_keys.iter().zip(a.dimension_scores()) {
        line.extend_from_slice(key);
        score.append_to(line);
        line.push(b'"');
    }
    let state = a.state();
    line.extend_from_slice(b"},\"state\":{\"tier\":");
    texts.json_tier(line, policy, state.tier());
    line.extend_from_slice(b",\"tier_since\":\"");
    dates.append(line, state.tier_since());
    match state.last_qualified() {
        Some(d) => {
            line.extend_from_slice(b"\",\"last_qualified\":\"");
            dates.append(line, d);
            line.push(b'"');
        }
        None => line.extend_from_slice(b"\",\"last_qualified\":null"),
    }
    line.extend_from_slice(b"},\"decided_by\":");
    json_string(line, a.decision().as_str());
    line.extend_from_slice(b",\"notes\":[");
    for (i, note) in notes(policy, customer, a, as_of).iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        json_string(line, note);
    }
    line.extend_from_slice(&texts.json_end);
}

/// Appends `s` as a JSON string, escaped as `serde_json` escapes it: `"` and `\\`, the
/// control characters as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx`, the rest as it is.
fn json_string(line: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    // the common case, an id or a name with nothing to escape: copied whole
    if !bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        line.reserve(bytes.len() + 2);
        line.push(b'"');
        line.extend_from_slice(bytes);
        line.push(b'"');
        return;
    }
    line.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0C => b"\\f",
            b'\r' => b"\\r",
            0..=0x1F => b"",
            _ => continue,
        };
        line.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        start = i + 1;
        if escape.is_empty() {
            let hex = |n: u8| HEX.get(usize::from(n)).copied().unwrap_or(b'0');
            line.extend_from_slice(b"\\u00");
            line.push(hex(b >> 4));
            line.push(hex(b & 0xF));
        } else {
            line.extend_from_slice(escape);
        }
    }
    line.extend_from_slice(bytes.get(start..).unwrap_or_default());
    line.push(b'"');
}

/// The row of `--format csv` for one result, into `line`. Scores and dates never need
/// quoting: they are written as they are.
fn csv_row(
    line: &mut Vec<u8>,
    texts: &Texts,
    dates: &mut report::Dates,
    policy: &Policy,
    customer: &Customer,
    a: &Assignment,
) {
    line.clear();
    csv_field(line, true, customer.id());
    texts.csv_tier(line, policy, a.tier());
    line.push(b',');
    a.score().append_to(line);
    texts.csv_tier(line, policy, a.qualified_tier());
    for d in a.dimension_scores() {
        line.push(b',');
        d.append_to(line);
    }
    let state = a.state();
    line.push(b',');
    dates.append(line, state.tier_since());
    line.push(b',');
    if let Some(d) = state.last_qualified() {
        dates.append(line, d);
    }
    csv_field(line, false, a.decision().as_str());
    line.push(b'\n');
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{self, Item, Plan};

    /// The sample customers, built for the sample policy: every result kind the sample
    /// has (buffers, grace, pins, expired pins with their notes, unknown previous tiers).
    fn sample() -> (Policy, Vec<Customer>) {
        let dir = env!("CARGO_MANIFEST_DIR");
        let policy = match Policy::from_path(format!("{dir}/policies/ocean-shipping.toml")) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        let Ok(reader) = input::open(std::path::Path::new(&format!("{dir}/data/customers.csv")))
        else {
            panic!("cannot open the sample customers");
        };
        let mut plan = Plan::default();
        let mut customers = Vec::new();
        for item in reader {
            match item {
                Item::Name(name, text) => plan.learn(&policy, name, &text),
                Item::Record(r) => customers.extend(input::build(&policy, &plan, &r, None).ok()),
                _ => {}
            }
        }
        assert_eq!(customers.len(), 1200);
        (policy, customers)
    }

    /// The CSV row as the `csv` crate writes the same fields (what `--format csv` wrote
    /// before it wrote rows by hand).
    fn csv_by_crate(fields: &[&str]) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(fields);
        w.into_inner().unwrap_or_default()
    }

    #[test]
    fn rows_by_hand_are_what_serde_and_the_csv_crate_write() {
        let (policy, customers) = sample();
        let mut line = Vec::new();
        let mut notes_seen = 0;
        let mut dates = report::Dates::default();
        for as_of in ["2026-06-30", "2027-03-01"] {
            let Ok(as_of) = as_of.parse::<NaiveDate>() else {
                panic!("date");
            };
            let texts = Texts::new(&policy, as_of);
            for c in &customers {
                let Ok(a) = policy.classify(c, as_of) else {
                    continue;
                };
                json_row(&mut line, &texts, &mut dates, &policy, c, &a, as_of);
                let Ok(mut by_serde) =
                    serde_json::to_vec(&json_result(&policy, c, &a, as_of, None))
                else {
                    panic!("serde");
                };
                by_serde.push(b'\n');
                assert_eq!(
                    String::from_utf8_lossy(&line),
                    String::from_utf8_lossy(&by_serde)
                );
                notes_seen += usize::from(!notes(&policy, c, &a, as_of).is_empty());
                csv_row(&mut line, &texts, &mut dates, &policy, c, &a);
                let state = a.state();
                let mut fields = vec![
                    c.id().to_owned(),
                    report::tier_id(&policy, a.tier()).to_owned(),
                    a.score().to_string(),
                    report::tier_id(&policy, a.qualified_tier()).to_owned(),
                ];
                fields.extend(a.dimension_scores().iter().map(ToString::to_string));
                fields.push(state.tier_since().to_string());
                fields.push(
                    state
                        .last_qualified()
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                );
                fields.push(a.decision().as_str().to_owned());
                let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
                assert_eq!(line, csv_by_crate(&fields));
            }
        }
        assert!(notes_seen > 0, "the sample has results with notes");
    }

    #[test]
    fn strings_are_escaped_as_serde_and_the_csv_crate_do() {
        let mut texts: Vec<String> = (0u8..=0x7F)
            .map(|b| format!("a{}b", char::from(b)))
            .collect();
        texts.extend(
            [
                "",
                "\"",
                "\"\"",
                "a,b",
                "line\r\nend",
                "客户 \u{7f} \u{2028}",
                "\\\\n",
            ]
            .map(str::to_owned),
        );
        for t in &texts {
            let mut line = Vec::new();
            json_string(&mut line, t);
            let Ok(by_serde) = serde_json::to_string(t) else {
                panic!("serde");
            };
            assert_eq!(String::from_utf8_lossy(&line), by_serde, "{t:?}");
            let mut row = Vec::new();
            csv_field(&mut row, true, t);
            csv_field(&mut row, false, "x");
            row.push(b'\n');
            assert_eq!(row, csv_by_crate(&[t, "x"]), "{t:?}");
        }
    }
}
