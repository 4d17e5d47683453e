//! The `tierwise` command line: checks policy files, and scores, tiers, explains and
//! simulates customer files with them.
//!
//! The binary only reads arguments and files and prints results; every rule of scoring and
//! tiering lives in the library.

#[path = "tierwise/case.rs"]
mod case;
#[path = "tierwise/check.rs"]
mod check;
#[path = "tierwise/csv_rows.rs"]
mod csv_rows;
#[path = "tierwise/explain.rs"]
mod explain;
#[path = "tierwise/input.rs"]
mod input;
#[path = "tierwise/parquet.rs"]
mod parquet_file;
#[path = "tierwise/report.rs"]
mod report;
#[path = "tierwise/simulate.rs"]
mod simulate;
#[path = "tierwise/sla.rs"]
mod sla;
// the library's "did you mean", for names it does not know (customer ids)
#[path = "../suggest.rs"]
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the command line uses the matcher, not every helper of the file"
    )
)]
mod suggest;
#[path = "tierwise/test.rs"]
mod test;
#[path = "tierwise/tier.rs"]
mod tier;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Customer tiering and service policies from TOML policy files.
///
/// A policy file says how customers are scored (volume, tenure, profitability, influence,
/// ...), which tier each score leads to, and how each tier is served: support hours, SLA
/// deadlines on business calendars, routing and escalation. `tierwise` checks policy files,
/// tiers the customers of a CSV or JSON Lines file, computes deadlines, and runs the
/// scenario tests kept beside a policy.
///
/// Exit status: 0 when all went well, 1 when a policy or a customer row has an error
/// (details on stderr), 2 when the command line itself is wrong.
#[derive(Debug, Parser)]
#[command(name = "tierwise", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Check(CheckArgs),
    Tier(TierArgs),
    Explain(ExplainArgs),
    Simulate(SimulateArgs),
    Sla(SlaArgs),
    Route(RouteArgs),
    Test(TestArgs),
    Case(CaseArgs),
    Cases(CasesArgs),
    Lsp(LspArgs),
}

/// Run the language server for policy and scenario files, on standard input and output.
///
/// Editors start it themselves: it gives the errors and warnings of `check` while you
/// type, completion of keys and of the policy's names, hover and go to definition. See
/// docs/editors.md for VS Code, Neovim and Helix.
#[derive(Debug, Args)]
struct LspArgs {
    /// Accepted and ignored: editors' clients pass it to say the server talks on stdio.
    #[arg(long)]
    stdio: bool,
}

/// Show the status of one case at an instant, from its event log.
///
/// Reads the case's events (JSON Lines, one object per line with `event` and `at`:
/// `opened` with `case` and optional `severity` and `channel`; `paused`; `resumed`; `met`
/// with `milestone`; `severity` with the new `severity`; `status` with `status`; `closed`)
/// and prints, as JSON, each milestone's due time, met time, state (`running`, `paused`,
/// `met`, `met_late`, `breached`), elapsed and remaining open seconds and clock, and the
/// escalation steps due and the next one. Times are RFC 3339, or local times without an
/// offset in the policy's time zone. A bad line is reported as `FILE:LINE: error: ...`, the
/// other events are still used, and the exit status is 1.
///
/// Example: tierwise case --policy policies/ocean-shipping.toml --tier vip
/// --at 2026-10-09T10:00:00+08:00 data/case-vip-complaint.jsonl
#[derive(Debug, Args)]
struct CaseArgs {
    /// The policy file.
    #[arg(long, value_name = "PATH")]
    policy: PathBuf,
    /// The tier of the customer the case is handled for.
    #[arg(long, value_name = "TIER")]
    tier: String,
    /// The instant to report the status at.
    #[arg(long, value_name = "RFC3339")]
    at: String,
    /// The event log (JSON Lines), or `-` for standard input.
    #[arg(value_name = "EVENTS")]
    events: PathBuf,
}

/// List the milestones of open cases that are breached or fall due soon.
///
/// Reads the events of many cases (JSON Lines; each line carries `case_id`, and an
/// `opened` line also the customer's `tier`) and prints one JSON object per milestone not
/// met that is breached at `--at` or falls due within `--due-within`, soonest first:
/// `case_id`, `case`, `tier`, `milestone`, `due`, `state`, `remaining` (seconds). Closed
/// cases are left out. A bad line is reported as `FILE:LINE: error: ...` and its case left
/// out; the other cases are still listed, and the exit status is 1.
///
/// Example: tierwise cases --policy policies/ocean-shipping.toml
/// --at 2026-10-09T10:00:00+08:00 --due-within 4h data/cases.jsonl
#[derive(Debug, Args)]
struct CasesArgs {
    /// The policy file.
    #[arg(long, value_name = "PATH")]
    policy: PathBuf,
    /// The instant to report at.
    #[arg(long, value_name = "RFC3339")]
    at: String,
    /// Also list milestones falling due within this long after `--at`, like `4h` or
    /// `1d12h` (real time); default: only breached ones.
    #[arg(long, value_name = "DURATION")]
    due_within: Option<String>,
    /// The event log of the cases (JSON Lines), or `-` for standard input.
    #[arg(value_name = "CASES")]
    cases: PathBuf,
}

/// Check policy files for mistakes.
///
/// Reads each policy file and reports every mistake in it at once, each with its file,
/// line and column, and a suggestion where a name looks mistyped. A valid file prints
/// `ok: PATH (policy ID version VERSION)`, then its warnings on stderr
/// (`warning[CODE]: ...`): facts true of every customer that the author almost certainly
/// did not intend, such as a tier no customer can reach.
///
/// Example: tierwise check --deny-warnings policies/ocean-shipping.toml
#[derive(Debug, Args)]
struct CheckArgs {
    /// Policy files or directories. A directory means every `*.toml` file directly in it,
    /// in name order, except scenario files ending in `.tests.toml`.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    /// Exit with status 1 when there are warnings.
    #[arg(long)]
    deny_warnings: bool,
    /// Write a CSV customer file with one customer per tier that some customer can
    /// qualify for, its `id` the tier's id (one policy file only).
    #[arg(long, value_name = "FILE")]
    witness: Option<PathBuf>,
    /// The day the witnesses are made for (their dates are counted back from it);
    /// default: today in the policy's time zone.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "witness", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

/// Run the scenario tests of policies
///
/// A scenario file, `NAME.tests.toml` beside the policy `NAME.toml`, lists example
/// customers and what the policy should decide for each: tier, score, service, route and
/// deadlines. `tierwise test` runs every scenario and prints `ok` or `FAILED` for each; a
/// failure shows the expected and the actual value of everything that differs, and the
/// trace of the evaluation. The last line counts them: `N passed, M failed`.
///
/// A scenario:
///
///     as_of = 2026-06-30                  # once at the top: the day of every scenario
///
///     [[scenario]]
///     name = "a strategic account is never below key"
///     customer = { annual_teu = 150, customer_since = 2025-01-10, gross_margin_pct = 3,
///                  influence = "local", strategic = true }
///     expect = { tier = "key", decided_by = "floor" }
///
/// `customer` takes the policy's metrics and the state and pin fields (previous_tier,
/// tier_since, last_qualified, pinned_tier, pinned_until, pin_reason). `case` adds a case:
/// { kind = "complaint", severity = "major", channel = "phone",
/// opened = 2026-06-30T17:30:00+08:00, paused = [[FROM, TO]] }. `expect` may check
/// tier, score, qualified_tier, decided_by, dimensions, state, service, route, deadlines and
/// escalation, or `error = "TEXT"` for a customer the policy must reject.
/// docs/scenario-tests.md describes every key.
///
/// Mistakes in a scenario file (an unknown key, a metric or tier the policy does not have, a
/// malformed date) are reported like mistakes in a policy, with file, line and column.
///
/// Exit status: 0 when every scenario passed, 1 when one failed or a file has mistakes.
///
/// Example: tierwise test policies/
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
struct TestArgs {
    /// A scenario file (`*.tests.toml`), a policy file (then its `NAME.tests.toml` is run),
    /// or a directory (every `*.tests.toml` directly in it, in name order).
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
}

/// The policy and the day to evaluate on.
#[derive(Debug, Args)]
struct PolicyArgs {
    /// The policy file to use, or a directory of versions of one policy (the version in
    /// force on the as-of date is used).
    #[arg(long, value_name = "PATH")]
    policy: PathBuf,

    /// The day to evaluate on, like 2026-06-30: years of tenure, grace periods and pins are
    /// counted up to this day. Default: today in the policy's time zone.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

/// The customer file and how strictly to read it.
#[derive(Debug, Args)]
struct CustomerArgs {
    /// The customer file: CSV with a header row (`id`, one column per metric, and optional
    /// `previous_tier`, `tier_since`, `last_qualified`, `pinned_tier`, `pinned_until`,
    /// `pin_reason` columns; an empty cell means the value is absent), or JSON Lines (one
    /// object per line, for files ending in .jsonl, .ndjson or .json, or starting with `{`).
    /// Parquet files (ending in .parquet, or starting with `PAR1`) are read a batch of rows
    /// at a time, each cell by its type; a row's place is its 1-based row number. `-` reads
    /// standard input.
    #[arg(value_name = "CUSTOMERS")]
    customers: PathBuf,

    /// Ignore columns (or JSON keys) that are neither `id`, a metric of the policy nor a
    /// state or pin column, instead of reporting them as errors.
    #[arg(long)]
    ignore_extra_columns: bool,
}

/// Score and tier every customer of a file.
///
/// Writes one result per customer: the final tier, the score, the tier the score alone
/// qualifies for, each dimension's score, the new tier state to keep for next time, and
/// what decided the tier. A row with a mistake is reported on stderr as
/// `CUSTOMERS:LINE: error: ...`; the other rows are still written and the exit status
/// is 1.
///
/// Example: tierwise tier --policy policies/ocean-shipping.toml --as-of 2026-06-30
/// data/customers.csv
#[derive(Debug, Args)]
struct TierArgs {
    #[command(flatten)]
    policy: PolicyArgs,

    /// How to write the results: `json` (one object per line), `csv`, or `table` (aligned
    /// columns and the tier distribution, for people).
    #[arg(long, value_enum, default_value_t = TierFormat::Json)]
    format: TierFormat,

    /// Add to each JSON result below the highest tier a `next` object: what would make
    /// the customer qualify for the next tier up (points missing, the value each
    /// dimension's metric would need alone, failing requirements, caps in force).
    /// Needs `--format json`.
    #[arg(long)]
    guidance: bool,

    /// The file to write with `--format parquet` (the other formats go to standard output).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    input: CustomerArgs,
}

/// Output formats of `tier`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TierFormat {
    /// One JSON object per customer and line.
    Json,
    /// A CSV file with a header row.
    Csv,
    /// Aligned columns and the tier distribution.
    Table,
    /// A Parquet file (`--output FILE`) with the columns `id`, `tier`, `qualified_tier`,
    /// `score`, one `dimension.NAME` per dimension, `tier_since`, `last_qualified` and
    /// `error`.
    Parquet,
}

/// Show, step by step, why one customer gets its tier.
///
/// Prints each dimension's value, score, weight and contribution, the composite score,
/// which requirements of higher tiers failed, the adjustments that applied, whether the
/// downgrade buffer, grace period, step limit or a pin decided, and the new tier state.
///
/// Example: tierwise explain --policy policies/ocean-shipping.toml --as-of 2026-06-30
/// data/customers.csv --id C00004
#[derive(Debug, Args)]
struct ExplainArgs {
    #[command(flatten)]
    policy: PolicyArgs,

    /// The customer's id, as in the `id` column.
    #[arg(long, value_name = "ID")]
    id: String,

    /// `text` for people, `json` for programs.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,

    #[command(flatten)]
    input: CustomerArgs,
}

/// Output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExplainFormat {
    /// A readable trace.
    Text,
    /// The trace as one JSON object.
    Json,
}

/// Show the tier distribution of a customer file, or compare two policies.
///
/// Prints how many customers land in each tier and their share. With `--against`, also
/// the distribution under the second policy and the matrix of moves between the two:
/// rows are tiers under `--policy`, columns tiers under `--against`. Use it to see what a
/// policy change would do before it goes live.
///
/// Example: tierwise simulate --policy policies/ocean-shipping.toml --against
/// policies/ocean-shipping-2027.toml --as-of 2026-06-30 data/customers.csv
#[derive(Debug, Args)]
struct SimulateArgs {
    #[command(flatten)]
    policy: PolicyArgs,

    /// A second policy file to compare with. The customer file may then carry the
    /// columns of both policies.
    #[arg(long, value_name = "PATH")]
    against: Option<PathBuf>,

    /// `table` for people, `json` for programs.
    #[arg(long, value_enum, default_value_t = SimulateFormat::Table)]
    format: SimulateFormat,

    /// With `--against`: list the N customers that change tier with the largest score
    /// change, each with its cause (the first step of the decision where the policies
    /// part) and the dimension that moved it most (0 lists none; the count of movers and
    /// the count by cause are always shown).
    #[arg(long, value_name = "N", default_value_t = 20)]
    movers: usize,

    /// With `--against`: list only movers from this tier of `--policy`.
    #[arg(long, value_name = "TIER", requires = "against")]
    from: Option<String>,

    /// With `--against`: list only movers to this tier of `--against`.
    #[arg(long, value_name = "TIER", requires = "against")]
    to: Option<String>,

    #[command(flatten)]
    input: CustomerArgs,
}

/// Output formats of `simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SimulateFormat {
    /// Aligned tables with bars.
    Table,
    /// One JSON object.
    Json,
}

/// Print when each milestone of a case is due, as JSON.
///
/// Counts each milestone's target from the opening time on the milestone's clock (a
/// business calendar or 24x7), skipping the paused intervals. Prints
/// `{"tier":..,"case":..,"severity":..,"milestones":{NAME:{"due":..,"clock":..,"target":..}}}`
/// with each due time in the clock's UTC offset.
///
/// Example: tierwise sla --policy policies/ocean-shipping.toml --tier key --case complaint
/// --severity major --opened 2026-06-30T17:00:00+08:00
#[derive(Debug, Args)]
struct SlaArgs {
    /// The policy file.
    #[arg(long, value_name = "PATH")]
    policy: PathBuf,

    /// The customer's tier, like `vip`.
    #[arg(long, value_name = "TIER")]
    tier: String,

    /// The case kind, like `complaint`.
    #[arg(long, value_name = "KIND")]
    case: String,

    /// The severity (default: the case's first severity).
    #[arg(long, value_name = "S")]
    severity: Option<String>,

    /// When the case opened: RFC 3339 (`2026-06-30T09:15:00+08:00`), or a local time
    /// without offset (`2026-06-30T09:15:00`) in the policy's time zone.
    #[arg(long, value_name = "TIME", value_parser = sla::parse_when)]
    opened: sla::When,

    /// An interval that does not count, `FROM/TO` (times as for `--opened`); repeat for
    /// several.
    #[arg(long, value_name = "FROM/TO", value_parser = sla::parse_pause)]
    paused: Vec<(sla::When, sla::When)>,

    /// `json` (one object, for programs) or `table` (aligned columns, for people).
    #[arg(long, value_enum, default_value_t = SlaFormat::Json)]
    format: SlaFormat,
}

/// Output formats of `sla`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SlaFormat {
    /// One JSON object.
    Json,
    /// Aligned columns.
    Table,
}

/// Show how one customer's case is handled: tier, service, route, deadlines, escalation.
///
/// For policy authors: which routing rule decides, which `[[sla]]` rule gives each
/// milestone its target, and when each escalation step falls due.
///
/// Example: tierwise route --policy policies/ocean-shipping.toml --as-of 2026-06-30
/// data/customers.csv --id C00003 --case exception --severity level1
/// --opened 2026-06-30T22:10:00+08:00
#[derive(Debug, Args)]
struct RouteArgs {
    #[command(flatten)]
    policy: PolicyArgs,

    /// The customer's id in the file.
    #[arg(long, value_name = "ID")]
    id: String,

    /// The case kind, like `complaint`.
    #[arg(long, value_name = "KIND")]
    case: String,

    /// The severity (default: the case's first severity).
    #[arg(long, value_name = "S")]
    severity: Option<String>,

    /// The channel the case came through, like `phone`.
    #[arg(long, value_name = "CHANNEL")]
    channel: Option<String>,

    /// When the case opened: RFC 3339, or a local time without offset in the policy's
    /// time zone.
    #[arg(long, value_name = "TIME", value_parser = sla::parse_when)]
    opened: sla::When,

    /// An interval that does not count, `FROM/TO`; repeat for several.
    #[arg(long, value_name = "FROM/TO", value_parser = sla::parse_pause)]
    paused: Vec<(sla::When, sla::When)>,

    /// `text` for people, `json` for programs.
    #[arg(long, value_enum, default_value_t = RouteFormat::Text)]
    format: RouteFormat,

    #[command(flatten)]
    input: CustomerArgs,
}

/// Output formats of `route`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RouteFormat {
    /// A readable account.
    Text,
    /// One JSON object.
    Json,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: expected YYYY-MM-DD, like 2026-06-30"))
}

/// The day that picks the version of a policy set.
#[derive(Debug, Clone, Copy)]
enum Day {
    /// `--as-of`, or today in the set's time zone.
    AsOf(Option<NaiveDate>),
    /// The day a case opened, in the time zone of the version considered.
    Opened(sla::When),
}

/// A `--policy` that names a directory is a policy set (spec section 12): replaces it with the
/// file of the version in force on `day`. Returns false, after reporting, when the set is
/// invalid or no version is in force.
fn pick_version(policy: &mut PathBuf, day: Day) -> bool {
    if !policy.is_dir() {
        return true;
    }
    let set = match tierwise::PolicySet::load_dir(&*policy) {
        Ok(set) => set,
        Err(e) => {
            report::load_error(policy, &e);
            return false;
        }
    };
    let Some(first) = set.versions().first() else {
        return false;
    };
    let (date, version) = match day {
        Day::AsOf(as_of) => {
            let date = as_of.unwrap_or_else(|| report::as_of(first, None));
            (date, set.at(date))
        }
        Day::Opened(at) => {
            let local = |p: &tierwise::Policy| at.local_date(p.timezone());
            let version = set.versions().iter().find(|p| p.is_effective_on(local(p)));
            (local(first), version)
        }
    };
    match version.and_then(tierwise::Policy::source_name) {
        Some(file) => {
            *policy = PathBuf::from(file);
            true
        }
        None => {
            let versions: Vec<String> = set
                .versions()
                .iter()
                .map(|p| {
                    let from = p
                        .effective_from()
                        .map_or("the beginning".to_owned(), |d| d.to_string());
                    let until = p
                        .effective_until()
                        .map_or("no end".to_owned(), |d| d.to_string());
                    format!("{} ({from} to {until})", p.version())
                })
                .collect();
            report::problem(
                &input::Problem::new(format!(
                    "no version of policy `{}` in `{}` is in force on {date}",
                    first.id(),
                    policy.display()
                ))
                .with_help(Some(format!("versions: {}", versions.join(", ")))),
            );
            false
        }
    }
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    let picked = match &mut cli.command {
        Command::Tier(a) => pick_version(&mut a.policy.policy, Day::AsOf(a.policy.as_of)),
        Command::Explain(a) => pick_version(&mut a.policy.policy, Day::AsOf(a.policy.as_of)),
        Command::Route(a) => pick_version(&mut a.policy.policy, Day::AsOf(a.policy.as_of)),
        Command::Simulate(a) => {
            let as_of = a.policy.as_of;
            pick_version(&mut a.policy.policy, Day::AsOf(as_of))
                && a.against
                    .as_mut()
                    .is_none_or(|q| pick_version(q, Day::AsOf(as_of)))
        }
        // the day the case opened, in each version's time zone
        Command::Sla(a) => pick_version(&mut a.policy, Day::Opened(a.opened)),
        // `check` takes directories itself; other commands name no policy to pick
        _ => true,
    };
    if !picked {
        return ExitCode::from(1);
    }
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Tier(args) => tier::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Sla(args) => sla::run(&args),
        Command::Route(args) => sla::route(&args),
        Command::Test(args) => test::run(&args.paths),
        Command::Case(args) => case::run_case(&args),
        Command::Cases(args) => case::run_cases(&args),
        Command::Lsp(args) => {
            let _ = args.stdio;
            return match tierwise::lsp::run_stdio() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    report::error(&e.to_string());
                    ExitCode::from(1)
                }
            };
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        // the reader of our output went away (`tierwise tier ... | head`): not an error
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            report::error(&format!("cannot write the output: {e}"));
            ExitCode::from(1)
        }
    }
}
