//! What the commands share: diagnostics on stderr, loading the policy, the as-of date,
//! evaluating rows and counting tiers.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc::TrySendError;

use chrono::NaiveDate;
use tierwise::{Customer, LoadError, Policy, TierId};

use crate::input::{self, CustomerReader, Item, Problem, Record};

/// Writes a line to stderr. A failing stderr cannot be reported anywhere: ignored.
fn line(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// `error: MESSAGE` on stderr.
pub fn error(message: &str) {
    line(&format!("error: {message}"));
}

/// `warning: MESSAGE` on stderr.
pub fn warning(message: &str) {
    line(&format!("warning: {message}"));
}

/// A problem without a line: `error: MESSAGE` and its help.
pub fn problem(p: &Problem) {
    error(&printable(&p.message));
    if let Some(help) = &p.help {
        line(&format!("  help: {}", printable(help)));
    }
}

/// A problem at a line of the customer file: `FILE:LINE: error: MESSAGE` and its help.
/// Text from the input is shown printable (control characters escaped, so every error stays
/// one line) and cut after [`MAX_SHOWN`] characters.
pub fn problem_at(file: &str, at: u64, p: &Problem) {
    // line 0 is the file as a whole (a Parquet file's schema)
    if at == 0 {
        line(&format!("{file}: error: {}", printable(&p.message)));
    } else {
        line(&format!("{file}:{at}: error: {}", printable(&p.message)));
    }
    if let Some(help) = &p.help {
        line(&format!("  help: {}", printable(help)));
    }
}

/// Most characters of one message shown; input values can be of any length.
pub const MAX_SHOWN: usize = 500;

/// `text` with control characters (newlines, NUL, escapes) written as escapes, cut after
/// [`MAX_SHOWN`] characters with the number left out.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_SHOWN + 40));
    for (shown, c) in text.chars().enumerate() {
        if shown == MAX_SHOWN {
            let rest = text.chars().count() - shown;
            out.push_str(&format!("... ({rest} more characters)"));
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Loads a policy, or prints its diagnostics like `check` does.
pub fn load_policy(path: &Path) -> Option<Policy> {
    match Policy::from_path(path) {
        Ok(policy) => Some(policy),
        Err(e) => {
            load_error(path, &e);
            None
        }
    }
}

/// Every diagnostic of a policy, rendered with its source line, then `PATH: N errors`.
pub fn load_error(path: &Path, e: &LoadError) {
    // `{:#}` renders each diagnostic with its source line, a blank line between them
    line(&format!("{e:#}"));
    line("");
    line(&format!(
        "{}: {}",
        path.display(),
        count(e.diagnostics().len(), "error", "errors")
    ));
}

/// Builds the record of a command that works on one customer for the first policy of
/// `rows`, printing its problems at its line when it cannot be built.
pub fn build_at(rows: &Rows<'_>, record: &input::Record) -> Option<Customer> {
    match rows.build(0, record) {
        Ok(c) => Some(c.into_owned()),
        Err(problems) => {
            for p in &problems {
                problem_at(rows.label(), record.line, p);
            }
            None
        }
    }
}

/// `1 error`, `3 errors`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The as-of date: as given, or today in the policy's time zone. Warns when the policy is
/// not in force on that day.
pub fn as_of(policy: &Policy, given: Option<NaiveDate>) -> NaiveDate {
    let date = given.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&policy.timezone())
            .date_naive()
    });
    warn_if_not_in_force(policy, date);
    date
}

/// `warning: policy ID VERSION is in force from .. to .., not on DATE`.
pub fn warn_if_not_in_force(policy: &Policy, date: NaiveDate) {
    if policy.is_effective_on(date) {
        return;
    }
    let range = match (policy.effective_from(), policy.effective_until()) {
        (Some(from), Some(until)) => format!("from {from} to {until}"),
        (Some(from), None) => format!("from {from}"),
        (None, Some(until)) => format!("until {until}"),
        (None, None) => "always".to_owned(),
    };
    warning(&format!(
        "policy {} {} is in force {range}, not on {date}",
        policy.id(),
        policy.version()
    ));
}

/// The rows of a customer file, read one at a time. The problems of the file itself
/// (header, malformed lines, unknown columns) are printed as they are met, so in line order
/// among the rows' errors.
///
/// The file is read and its rows split into fields on a thread of their own, a batch of
/// [`BATCH`] items ahead at most [`BATCHES`] times, while the command builds, tiers and
/// writes on its own thread: on two cores the reading costs next to nothing. When the
/// command falls behind (all batches in flight), the reading thread also builds each
/// record's customers for the command's policies while it waits ([`Record::built`]), and
/// [`Rows::build`] lends them; the customers are the same either way. Everything is printed
/// by the command's thread, in file order.
pub struct Rows<'p> {
    label: String,
    format: input::Format,
    /// The items of the batch being handed out, then the batches to come.
    batch: std::vec::IntoIter<Item>,
    batches: std::sync::mpsc::Receiver<Vec<Item>>,
    /// Records done with, going back to the reading thread to be filled again (and a block
    /// is freed fastest by the thread that allocated it).
    // boxed on purpose: a record travels between the threads, and is recycled, as a pointer
    #[allow(clippy::vec_box)]
    spent: Vec<Box<Record>>,
    #[allow(clippy::vec_box)]
    returns: std::sync::mpsc::Sender<Vec<Box<Record>>>,
    policies: Vec<&'p Policy>,
    /// The same policies, and how each takes the file's fields.
    builders: Builders,
    ignore_extra_columns: bool,
    /// Whether the problems of the file are printed; `route` keeps quiet about them.
    report: bool,
    /// The problems of the file itself met so far.
    problems: usize,
    /// Problems of the file itself not printed, past [`MAX_FILE_PROBLEMS`], not yet said.
    hidden: usize,
}

/// Items read ahead in one batch, and batches in flight between the reading thread and the
/// command's.
pub const BATCH: usize = 512;
pub const BATCHES: usize = 4;

/// Reads `reader` to its end on a thread of its own, sending its items in batches; stops
/// when the receiver is gone (a command that found what it wanted).
type Channels = (
    std::sync::mpsc::Receiver<Vec<Item>>,
    std::sync::mpsc::Sender<Vec<Box<Record>>>,
);

fn read_ahead(reader: CustomerReader, builders: Builders) -> Channels {
    let (tx, rx) = std::sync::mpsc::sync_channel(BATCHES);
    let (back, returned) = std::sync::mpsc::channel::<Vec<Box<Record>>>();
    std::thread::spawn(move || {
        let label = reader.label().to_owned();
        let tx_after = tx.clone();
        // a panic while reading (a bug, or a library meeting data it does not expect) must
        // not look like the end of the file: it is reported as the file's last problem
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let mut reader = reader;
            let mut ahead = builders;
            let mut batch = Vec::with_capacity(BATCH);
            while let Some(item) = reader.next() {
                ahead.learn(&item);
                batch.push(item);
                if batch.len() == BATCH {
                    // the records the command is done with, to be filled again: looked
                    // for once a batch, not once a row
                    while let Ok(spent) = returned.try_recv() {
                        spent.into_iter().for_each(|r| reader.recycle(r));
                    }
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    let sent = match tx.try_send(full) {
                        Ok(()) => Ok(()),
                        // the command is behind: this thread builds the batch's customers
                        // while it waits
                        Err(TrySendError::Full(mut full)) => {
                            ahead.build_ahead(&mut full);
                            tx.send(full).map_err(|_| ())
                        }
                        Err(TrySendError::Disconnected(_)) => Err(()),
                    };
                    if sent.is_err() {
                        return;
                    }
                }
            }
            let _ = tx.send(batch);
        }));
        if read.is_err() {
            let p = Problem::new(format!(
                "cannot read customer file `{label}` on: reading it failed (an internal error; the rows before were read)"
            ));
            let _ = tx_after.send(vec![Item::Unreadable(p)]);
        }
    });
    (rx, back)
}

/// The command's policies and how each takes the file's fields. The command's thread and
/// the reading thread each have one, learnt from the same items in the same order, so that
/// a customer built ahead is the one the command would build.
struct Builders {
    policies: Vec<Policy>,
    plans: Vec<input::Plan>,
}

impl Builders {
    fn new(policies: Vec<Policy>) -> Builders {
        let plans = policies.iter().map(|_| input::Plan::default()).collect();
        Builders { policies, plans }
    }

    /// Builds `record` for policy number `which`, into the allocations of `spent` if given.
    fn build(
        &self,
        which: usize,
        record: &Record,
        spent: Option<Customer>,
    ) -> Result<Customer, Vec<Problem>> {
        match (self.policies.get(which), self.plans.get(which)) {
            (Some(policy), Some(plan)) => input::build(policy, plan, record, spent),
            _ => Err(vec![Problem::new(format!(
                "no policy number {which} (an internal error)"
            ))]),
        }
    }

    fn learn(&mut self, item: &Item) {
        if let Item::Name(name, text) = item {
            for (plan, policy) in self.plans.iter_mut().zip(&self.policies) {
                plan.learn(policy, *name, text);
            }
        }
    }

    /// Builds every record of `batch` for each policy. A field's name comes before the
    /// first record that has it, and learning a name changes nothing of the names before,
    /// so the plans at the end of the batch build each record as the plans at its place
    /// would.
    fn build_ahead(&self, batch: &mut [Item]) {
        for item in batch {
            if let Item::Record(record) = item {
                self.build_all(record);
            }
        }
    }

    /// Builds `record` for each policy into its own list ([`Record::built`]), each
    /// customer into the allocations of the one built in its place the last time the
    /// record was filled, so that building allocates nothing.
    fn build_all(&self, record: &mut Record) {
        for which in 0..self.policies.len() {
            let spent = match record.built.get_mut(which) {
                Some(slot) => std::mem::replace(slot, Err(Vec::new())).ok(),
                None => None,
            };
            let customer = self.build(which, record, spent);
            match record.built.get_mut(which) {
                Some(slot) => *slot = customer,
                None => record.built.push(customer),
            }
        }
        record.built_count = self.policies.len();
    }
}

/// A customer of a row: built ahead by the reading thread (then lent by its record), or
/// just now.
pub enum Built<'r> {
    Ahead(&'r Customer),
    Now(Customer),
}

impl Built<'_> {
    /// The customer, owned.
    pub fn into_owned(self) -> Customer {
        match self {
            Built::Ahead(c) => c.clone(),
            Built::Now(c) => c,
        }
    }
}

impl std::ops::Deref for Built<'_> {
    type Target = Customer;

    fn deref(&self) -> &Customer {
        match self {
            Built::Ahead(c) => c,
            Built::Now(c) => c,
        }
    }
}

impl std::borrow::Borrow<Customer> for Built<'_> {
    fn borrow(&self) -> &Customer {
        self
    }
}

/// Most problems of a customer file itself (its header, its columns) printed; the rest are
/// counted in one line, so that a header of a million unknown columns cannot flood stderr.
pub const MAX_FILE_PROBLEMS: usize = 50;

impl<'p> Rows<'p> {
    /// Opens the customer file for `policies`, or reports why it cannot be read. A column
    /// unknown to all of them is one problem, at the line where it first appears, unless
    /// `ignore_extra_columns`.
    pub fn open(
        path: &Path,
        policies: &[&'p Policy],
        ignore_extra_columns: bool,
    ) -> Option<Rows<'p>> {
        match input::open(path) {
            Ok(mut reader) => {
                // unknown columns are reported (or ignored), never kept
                let known: Vec<Policy> = policies.iter().map(|p| (*p).clone()).collect();
                reader.keep_columns(Box::new(move |name| {
                    known.iter().any(|p| input::is_known_column(p, name))
                }));
                let label = reader.label().to_owned();
                let format = reader.format();
                let owned: Vec<Policy> = policies.iter().map(|p| (*p).clone()).collect();
                let (batches, returns) = read_ahead(reader, Builders::new(owned.clone()));
                Some(Rows {
                    label,
                    format,
                    batch: Vec::new().into_iter(),
                    batches,
                    spent: Vec::new(),
                    returns,
                    policies: policies.to_vec(),
                    builders: Builders::new(owned),
                    ignore_extra_columns,
                    report: true,
                    problems: 0,
                    hidden: 0,
                })
            }
            Err(p) => {
                problem(&p);
                None
            }
        }
    }

    /// The same rows without printing the problems of the file but that it cannot be read
    /// on.
    pub fn quiet(mut self) -> Rows<'p> {
        self.report = false;
        self
    }

    /// Hands a record back when done with it: the reading thread fills it again.
    pub fn give_back(&mut self, record: Box<Record>) {
        self.spent.push(record);
        if self.spent.len() >= BATCH {
            let _ = self.returns.send(std::mem::take(&mut self.spent));
        }
    }

    /// Builds `record` for policy number `which` of those the rows were opened for, or
    /// lends the customer the reading thread built ahead.
    pub fn build<'r>(&self, which: usize, record: &'r Record) -> Result<Built<'r>, Vec<Problem>> {
        if let Some(built) = record
            .built
            .get(which)
            .filter(|_| which < record.built_count)
        {
            return match built {
                Ok(customer) => Ok(Built::Ahead(customer)),
                Err(problems) => Err(problems.clone()),
            };
        }
        self.builders.build(which, record, None).map(Built::Now)
    }

    /// The next record, built for every policy of the rows ([`Record::built`]) when the
    /// reading thread has not built it ahead: for commands that build every row, which
    /// [`build`](Self::build) then lends. Building in the record reuses the allocations of
    /// the customers built from it before, as the reading thread does.
    pub fn next_built(&mut self) -> Option<Box<Record>> {
        let mut record = self.next()?;
        if record.built_count == 0 {
            self.builders.build_all(&mut record);
        }
        Some(record)
    }

    /// How messages name the file.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether the file has had no problem of its own so far.
    pub fn is_clean(&self) -> bool {
        self.problems == 0
    }

    /// How many problems of the file itself (header, malformed lines, unknown columns) were
    /// met so far.
    pub fn problems(&self) -> usize {
        self.problems
    }

    /// A problem of the file at a line.
    fn file_problem(&mut self, at: u64, p: &Problem) {
        self.problems += 1;
        if !self.report {
            return;
        }
        if self.problems <= MAX_FILE_PROBLEMS {
            problem_at(&self.label, at, p);
        } else {
            self.hidden += 1;
        }
    }

    /// A problem of the file that is not shown (over the cap, or quiet): only counted.
    fn count_problem(&mut self, _at: u64) {
        self.problems += 1;
        if self.report && self.problems > MAX_FILE_PROBLEMS {
            self.hidden += 1;
        }
    }

    /// Says how many problems of the file were not printed, if any.
    fn say_hidden(&mut self) {
        if self.hidden > 0 {
            line(&format!(
                "{}: and {} more problems of the file, not shown",
                &self.label, self.hidden
            ));
            self.hidden = 0;
        }
    }

    /// Reads up to the row of customer `wanted`, the first if the id repeats. Without one,
    /// reports `no customer`, with the id of the file closest to `wanted`.
    pub fn find(&mut self, wanted: &str) -> Option<Box<Record>> {
        // the closest id so far: the first at the least distance, or the first that differs
        // in case only, as `tierwise::closest` picks over all the ids
        let mut closest: Option<String> = None;
        let mut settled = false;
        for record in self.by_ref() {
            let Some(id) = record.id.as_deref() else {
                continue;
            };
            if id == wanted {
                return Some(record);
            }
            if settled {
                continue;
            }
            let best = closest.as_deref();
            if crate::suggest::closest(wanted, best.into_iter().chain([id])) == Some(id)
                && best != Some(id)
            {
                settled = id.to_lowercase() == wanted.to_lowercase();
                closest = Some(id.to_owned());
            }
        }
        problem(
            &Problem::new(format!("no customer `{wanted}` in `{}`", self.label()))
                .with_help(closest.map(|c| format!("did you mean `{c}`?"))),
        );
        None
    }
}

impl Iterator for Rows<'_> {
    type Item = Box<Record>;

    fn next(&mut self) -> Option<Box<Record>> {
        loop {
            let item = match self.batch.next() {
                Some(item) => item,
                None => match self.batches.recv() {
                    Ok(batch) => {
                        self.batch = batch.into_iter();
                        continue;
                    }
                    Err(_) => {
                        self.say_hidden();
                        return None;
                    }
                },
            };
            match item {
                Item::Record(record) => {
                    self.say_hidden();
                    return Some(record);
                }
                Item::Problem(at, p) => self.file_problem(at, &p),
                Item::Name(..) => self.builders.learn(&item),
                Item::MoreColumns(at, n) => {
                    if !self.ignore_extra_columns {
                        for _ in 0..n {
                            self.count_problem(at);
                        }
                    }
                }
                Item::Column(at, name) => {
                    if self.ignore_extra_columns
                        || self
                            .policies
                            .iter()
                            .any(|p| input::is_known_column(p, &name))
                    {
                        continue;
                    }
                    // the message (with its "did you mean") only for the problems shown
                    if self.problems >= MAX_FILE_PROBLEMS || !self.report {
                        self.count_problem(at);
                    } else if let Some(first) = self.policies.first() {
                        let p = input::unknown_column(first, self.format, &name);
                        self.file_problem(at, &p);
                    }
                }
                Item::Unreadable(p) => {
                    self.problems += 1;
                    problem(&p);
                }
            }
        }
    }
}

/// The customers of each tier, highest tier first.
#[derive(Debug, Clone)]
pub struct Distribution {
    /// Tier id, display name and count.
    pub tiers: Vec<(String, String, u64)>,
    pub total: u64,
}

impl Distribution {
    pub fn new(policy: &Policy) -> Distribution {
        Distribution {
            tiers: policy
                .tiers()
                .map(|(_, t)| (t.id().to_owned(), t.name().to_owned(), 0))
                .collect(),
            total: 0,
        }
    }

    pub fn add(&mut self, tier: TierId) {
        if let Some((_, _, n)) = self.tiers.get_mut(tier.rank()) {
            *n += 1;
            self.total += 1;
        }
    }

    /// The share of `count` in percent with one decimal, rounded half up, computed exactly.
    pub fn share(&self, count: u64) -> String {
        let tenths = ratio(count, self.total, 1000);
        format!("{}.{}", tenths / 10, tenths % 10)
    }

    /// A bar of `#` proportional to the share, 40 characters for 100%, at least one for a
    /// tier that has customers.
    pub fn bar(&self, count: u64) -> String {
        let n = ratio(count, self.total, 40);
        let n = if count > 0 { n.max(1) } else { n };
        "#".repeat(usize::try_from(n).unwrap_or(0))
    }

    /// Lines of a table: tier, count, share and bar, the name last (it may be wide).
    pub fn table(&self, with_bar: bool) -> Vec<String> {
        let w_tier = self
            .tiers
            .iter()
            .map(|(id, _, _)| id.chars().count())
            .chain(["tier".len(), "total".len()])
            .max()
            .unwrap_or(0);
        let w_count = self
            .tiers
            .iter()
            .map(|(_, _, n)| n.to_string().len())
            .chain([self.total.to_string().len(), "customers".len()])
            .max()
            .unwrap_or(0);
        let mut lines = vec![format!(
            "{:<w_tier$}  {:>w_count$}  {:>6}",
            "tier", "customers", "share"
        )];
        for (id, name, n) in &self.tiers {
            let pad = w_tier.saturating_sub(id.chars().count());
            let mut row = format!(
                "{id}{}  {n:>w_count$}  {:>5}%",
                " ".repeat(pad),
                self.share(*n)
            );
            if with_bar {
                row.push_str(&format!("  {:<40}", self.bar(*n)));
            }
            if name != id {
                row.push_str(&format!("  {name}"));
            }
            lines.push(row.trim_end().to_owned());
        }
        lines.push(format!(
            "{:<w_tier$}  {:>w_count$}  {:>5}%",
            "total",
            self.total,
            self.share(self.total)
        ));
        lines
    }
}

/// `part * scale / whole`, rounded half up; 0 when `whole` is 0.
fn ratio(part: u64, whole: u64, scale: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    let (part, whole, scale) = (u128::from(part), u128::from(whole), u128::from(scale));
    let r = (2 * part * scale + whole) / (2 * whole);
    u64::try_from(r).unwrap_or(u64::MAX)
}

/// ``did you mean `X`?`` with the library's matcher, for names the library does not know.
pub(crate) use crate::suggest::did_you_mean;

/// The text id of a tier of `policy`: every tier number the command line holds was made by
/// the policy it asks (the library refuses a number of another policy).
pub fn tier_id(policy: &tierwise::Policy, id: tierwise::TierId) -> &str {
    policy.tier(id).map_or("", tierwise::Tier::id)
}

/// Writes dates as `YYYY-MM-DD`, as their `Display` writes them, without the formatting
/// machinery for the years 0 to 9999 (others, which `Display` writes with a sign, through
/// it). The text of the last date written is kept: most dates of a run's rows are the same
/// few (the as-of date among them), and are then copied, not written again.
#[derive(Debug, Default)]
pub struct Dates {
    last: Option<(chrono::NaiveDate, [u8; 10])>,
}

impl Dates {
    /// Appends `d` to `out`.
    pub fn append(&mut self, out: &mut Vec<u8>, d: chrono::NaiveDate) {
        use chrono::Datelike;
        if let Some((last, text)) = &self.last {
            if *last == d {
                out.extend_from_slice(text);
                return;
            }
        }
        if !(0..=9999).contains(&d.year()) {
            out.extend_from_slice(d.to_string().as_bytes());
            return;
        }
        let (y, m, day) = (d.year().unsigned_abs(), d.month(), d.day());
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let text = [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ];
        out.extend_from_slice(&text);
        self.last = Some((d, text));
    }
}

/// The snake_case name of what decided a tier (`qualified`, `buffer`, `pin`, ...).
pub fn decision_name(d: tierwise::Decision) -> String {
    d.as_str().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_display_writes_them() {
        let mut day = chrono::NaiveDate::MIN;
        let mut checked = 0;
        let mut dates = Dates::default();
        while day < chrono::NaiveDate::MAX {
            // twice: written, then the kept text
            for _ in 0..2 {
                let mut out = b"x".to_vec();
                dates.append(&mut out, day);
                assert_eq!(out, format!("x{day}").into_bytes());
            }
            checked += 1;
            day = day
                .checked_add_days(chrono::Days::new(997))
                .unwrap_or(chrono::NaiveDate::MAX);
        }
        assert!(checked > 100_000);
    }

    #[test]
    fn shares_are_exact() {
        let d = Distribution {
            tiers: vec![],
            total: 1200,
        };
        assert_eq!(d.share(79), "6.6");
        assert_eq!(d.share(292), "24.3");
        assert_eq!(d.share(829), "69.1");
        assert_eq!(d.share(1200), "100.0");
        assert_eq!(d.share(0), "0.0");
        // 1/8 = 12.5% exactly; 1/16 = 6.25% rounds half up to 6.3
        let d = Distribution {
            tiers: vec![],
            total: 16,
        };
        assert_eq!(d.share(1), "6.3");
        assert_eq!(d.bar(16).len(), 40);
        assert_eq!(d.bar(0).len(), 0);
        let empty = Distribution {
            tiers: vec![],
            total: 0,
        };
        assert_eq!(empty.share(0), "0.0");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("C0001", ["C00001", "X"]).as_deref(),
            Some("did you mean `C00001`?")
        );
        assert_eq!(did_you_mean("zzz", ["C00001"]), None);
    }

    #[test]
    fn input_text_is_shown_on_one_line_and_cut() {
        assert_eq!(printable("a\nb\0c\u{1b}d"), "a\\nb\\u{0}c\\u{1b}d");
        let long = "x".repeat(MAX_SHOWN + 7);
        let shown = printable(&long);
        assert!(shown.ends_with("... (7 more characters)"), "{shown}");
        assert_eq!(shown.chars().filter(|c| *c == 'x').count(), MAX_SHOWN);
        assert_eq!(printable("客户 `C1`"), "客户 `C1`");
    }

    /// A customer the reading thread builds ahead, with the plans as they stand at the end
    /// of its batch, is the one the command builds with the plans at the record's place:
    /// JSON Lines whose names first appear part-way, with rows that cannot be built.
    #[test]
    fn customers_built_ahead_are_the_ones_built_in_place() {
        let dir = env!("CARGO_MANIFEST_DIR");
        let policies: Vec<Policy> = ["ocean-shipping.toml", "express-parcel.toml"]
            .iter()
            .map(|f| Policy::from_path(format!("{dir}/policies/{f}")).unwrap())
            .collect();
        let lines = [
            r#"{"id":"A1","annual_teu":"17"}"#,
            r#"{"id":"A2","annual_teu":"3748","customer_since":"2022-04-08"}"#,
            r#"{"id":"A3","gross_margin_pct":"x7.5","influence":"regional"}"#,
            r#"{"id":"A4","annual_teu":"-1","customer_since":"2022-13-40","strategic":true}"#,
            r#"{"id":"A5","annual_teu":"17429","customer_since":"2018-04-17","gross_margin_pct":"7.5","influence":"national_leader","credit_rating":"A","overdue_days":0,"strategic":false}"#,
            r#"{"id":"A6","influence":"nowhere","monthly_parcels":"120","previous_tier":"vip"}"#,
            r#"{"id":"A7","annual_teu":"17","previous_tier":"key","tier_since":"2025-01-01"}"#,
            r#"{"id":"A8","monthly_parcels":"1200","customer_since":"2020-02-29","gross_margin_pct":"-3.25","merchant_influence":"brand"}"#,
        ];
        let path =
            std::env::temp_dir().join(format!("tierwise-ahead-{}.jsonl", std::process::id()));
        std::fs::write(&path, lines.join("\n")).unwrap();
        let reader = input::open(&path).unwrap();
        let items: Vec<Item> = reader.collect();
        std::fs::remove_file(&path).unwrap();

        // the reference: each record built with the plans at its place
        let mut plans: Vec<input::Plan> = policies.iter().map(|_| input::Plan::default()).collect();
        let mut in_place = Vec::new();
        for item in &items {
            match item {
                Item::Name(name, text) => {
                    for (plan, policy) in plans.iter_mut().zip(&policies) {
                        plan.learn(policy, *name, text);
                    }
                }
                Item::Record(record) => {
                    let built: Vec<_> = policies
                        .iter()
                        .zip(&plans)
                        .map(|(policy, plan)| input::build(policy, plan, record, None))
                        .collect();
                    in_place.push(built);
                }
                _ => {}
            }
        }

        let mut ahead = Builders::new(policies.clone());
        let mut batch = items;
        batch.iter().for_each(|item| ahead.learn(item));
        ahead.build_ahead(&mut batch);
        let built_ahead: Vec<_> = batch
            .into_iter()
            .filter_map(|item| match item {
                Item::Record(record) => {
                    let count = record.built_count;
                    Some(record.built.into_iter().take(count).collect::<Vec<_>>())
                }
                _ => None,
            })
            .collect();
        assert_eq!(built_ahead.len(), lines.len());
        assert_eq!(built_ahead, in_place);
        // both kinds of row are here, for both policies
        for which in 0..policies.len() {
            assert!(in_place.iter().any(|b| b[which].is_ok()));
            assert!(in_place.iter().any(|b| b[which].is_err()));
        }
    }
}
