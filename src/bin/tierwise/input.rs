//! Reading customer files (CSV or JSON Lines) into records, one row at a time, and building
//! customers from them for a policy.
//!
//! Reading is independent of any policy: a [`Record`] keeps a row's fields as given, each
//! named by a [`Name`], a number. [`build`] then builds it for one policy through a
//! [`Plan`], the names resolved once per file, so that `simulate --against` can build the
//! same row for two policies.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use tierwise::{Customer, InputValue, MetricId, Policy};

pub use crate::csv_rows::MAX_RECORD_BYTES;
use crate::csv_rows::{CsvRows, Next, Row};

/// A problem with the customer file, a row or a customer, for stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: Option<String>,
    /// The field at fault, when the row had a value for it that could not be read.
    pub field: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            help: None,
            field: None,
        }
    }

    pub fn with_help(mut self, help: Option<String>) -> Problem {
        self.help = help;
        self
    }

    /// A problem with one field of one customer, worded like the library's input errors.
    pub fn field(id: Option<&str>, field: &str, message: impl fmt::Display) -> Problem {
        let mut p = match id {
            Some(id) => Problem::new(format!("customer `{id}`: field `{field}`: {message}")),
            None => Problem::new(format!("field `{field}`: {message}")),
        };
        p.field = Some(field.to_owned());
        p
    }
}

/// The layout of a customer file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
    Parquet,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::JsonLines => "JSON Lines",
            Format::Parquet => "Parquet",
        }
    }
}

/// One customer row as read, before it is checked against a policy.
#[derive(Debug, Clone)]
pub struct Record {
    /// The 1-based line of the file where the row starts.
    pub line: u64,
    /// The customer id, if the row has one.
    pub id: Option<String>,
    /// Every present (non-empty) CSV cell but `id`, in file order, named by number
    /// ([`Item::Name`]): the bytes of [`text`](Self::text) it was trimmed to. A range owns
    /// nothing, so that a record handed back is cleared without reading its cells again.
    pub cells: Vec<(Name, std::ops::Range<usize>)>,
    /// Every present (non-null) JSON or Parquet value but `id`, in file order.
    pub values: Vec<(Name, InputValue)>,
    /// The text of the row's CSV cells, one after the other: the cells point into it, so
    /// that a row's cells take one allocation, not one each.
    pub text: String,
    /// What was wrong with the row itself (bad UTF-8, a nested JSON value, ...).
    pub problems: Vec<Problem>,
    /// The line where the id first appeared, when an earlier row has the same id.
    pub first_line: Option<u64>,
    /// The row built for each policy of the command, in order, in its first
    /// [`built_count`](Self::built_count) entries: by the reading thread when it had time
    /// to build it ahead, else by the command's ([`Rows`](crate::report::Rows)). The entries
    /// past them are the customers of the record's earlier fillings, done with and kept
    /// for their allocations, which the next customers built from it reuse
    /// ([`Policy::customer_reusing`]).
    pub built: Vec<Result<Customer, Vec<Problem>>>,
    /// How many entries of [`built`](Self::built) are this row's: 0 until it is built.
    pub built_count: usize,
}

/// A field name of a customer file, by its number in the order the names are first met:
/// a record names its fields so, and [`Item::Name`] says which name a number stands for.
///
/// A number rather than shared text, so that the reading thread and the thread that builds
/// the records share nothing per row (the reference counts of shared names were 13% of
/// all samples of `tier`, a third of the reading thread's, their cache lines going back
/// and forth between cores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Name(u32);

impl Name {
    /// The `n`th name met (a file has far fewer than 2^32 names: its rows are at most
    /// [`MAX_RECORD_BYTES`] long and the names are counted once).
    pub fn nth(n: usize) -> Name {
        Name(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn index(self) -> usize {
        self.0 as usize
    }
}

impl Record {
    /// The text of a CSV cell.
    pub fn cell(&self, at: &std::ops::Range<usize>) -> &str {
        self.text.get(at.clone()).unwrap_or("")
    }
}

/// What reading a customer file meets, in file order.
#[derive(Debug)]
pub enum Item {
    /// A problem of the file rather than of one row (header, malformed line), at a line.
    Problem(u64, Problem),
    /// A field name other than `id`, at the line where it first appears (CSV: the header).
    Column(u64, String),
    /// The name a [`Name`] stands for, before the first record that uses it.
    Name(Name, String),
    /// More header columns that [`CustomerReader::keep_columns`] does not keep than are
    /// named one by one: how many more, at the header's line.
    MoreColumns(u64, usize),
    /// A customer row.
    Record(Box<Record>),
    /// The file cannot be read on: the last item.
    Unreadable(Problem),
}

/// A customer file (CSV or JSON Lines), read one row at a time: what it keeps does not grow
/// with the file but for a fingerprint of each id (see [`Ids`]).
pub struct CustomerReader {
    /// How messages name the file: the path as given, or `<stdin>`.
    label: String,
    format: Format,
    source: Source,
    /// What the last step read, not handed out yet (a header row yields several items).
    pending: VecDeque<Item>,
    ids: Ids,
    done: bool,
}

/// The bytes of the file after its byte order mark: those read to look at its start, then
/// the rest.
type Input = io::Chain<io::Cursor<Vec<u8>>, Box<dyn BufRead + Send>>;

enum Source {
    Csv(Box<CsvSource>),
    JsonLines(JsonSource),
    Parquet(Box<crate::parquet_file::ParquetSource>),
}

/// UTF-8's byte order mark, skipped at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Opens a customer file, or standard input for `-`, and finds its format. The error is for
/// a file that cannot be read at all.
pub fn open(path: &Path) -> Result<CustomerReader, Problem> {
    let is_stdin = path.as_os_str() == "-";
    let label = if is_stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    let mut inner: Box<dyn BufRead + Send> = if is_stdin {
        Box::new(BufReader::with_capacity(64 * 1024, io::stdin()))
    } else if path.is_dir() {
        return Err(Problem::new(format!(
            "cannot read customer file `{label}`: it is a directory"
        )));
    } else if is_device(path) {
        // `/dev/zero` and the like never end; a pipe (`<(...)`) or `-` for standard input
        // is read as a stream
        return Err(Problem::new(format!(
            "cannot read customer file `{label}`: it is a device, not a file"
        ))
        .with_help(Some(
            "give a file, or `-` to read standard input".to_owned(),
        )));
    } else {
        match File::open(path) {
            Ok(file) => Box::new(BufReader::with_capacity(64 * 1024, file)),
            Err(e) => return Err(cannot_read(&label, &e)),
        }
    };
    // the start of the file: a byte order mark to skip and, unless the extension tells,
    // the first non-blank byte for the format
    let mut head = Vec::new();
    let magic = crate::parquet_file::MAGIC;
    if let Err(e) = read_head(&mut *inner, &mut head, |h| h.len() >= magic.len()) {
        return Err(cannot_read(&label, &e));
    }
    if head.starts_with(BOM) {
        head.drain(..BOM.len());
    }
    let by_name = if is_stdin { None } else { by_extension(path) };
    // what the file is, by its first bytes, against what its name says: one clear error
    // for a file that is not what its name says, not one per column
    let is_parquet = head.starts_with(magic);
    match (by_name, is_parquet) {
        (Some(Format::Parquet), false) => {
            return Err(Problem::new(format!(
                "cannot read customer file `{label}`: it is not a Parquet file (it does not start with `PAR1`)"
            ))
            .with_help(Some(
                "give a Parquet file, or name a CSV file `.csv` and a JSON Lines file `.jsonl`"
                    .to_owned(),
            )));
        }
        (Some(f), true) if f != Format::Parquet => {
            return Err(Problem::new(format!(
                "cannot read customer file `{label}`: it is a Parquet file, not {}",
                f.name()
            ))
            .with_help(Some("name it `.parquet`".to_owned())));
        }
        (_, true) if is_stdin => {
            return Err(Problem::new(
                "cannot read Parquet from standard input: its footer is read first",
            )
            .with_help(Some("give the file's path".to_owned())));
        }
        (_, true) => {
            let source = crate::parquet_file::ParquetSource::open(path, &label)?;
            return Ok(CustomerReader {
                label,
                format: Format::Parquet,
                source: Source::Parquet(Box::new(source)),
                pending: VecDeque::new(),
                ids: Ids::new(),
                done: false,
            });
        }
        _ => {}
    }
    let format = match by_name {
        Some(format) => format,
        None => {
            let found = |h: &[u8]| h.iter().any(|b| !b.is_ascii_whitespace());
            if let Err(e) = read_head(&mut *inner, &mut head, found) {
                return Err(cannot_read(&label, &e));
            }
            by_first_byte(&head)
        }
    };
    let input = io::Cursor::new(head).chain(inner);
    let source = match format {
        // a Parquet file was opened above, by its first bytes
        Format::Csv | Format::Parquet => Source::Csv(Box::new(CsvSource::new(input))),
        Format::JsonLines => Source::JsonLines(JsonSource {
            input,
            buf: Vec::new(),
            line: 0,
            seen: HashMap::new(),
        }),
    };
    Ok(CustomerReader {
        label,
        format,
        source,
        pending: VecDeque::new(),
        ids: Ids::new(),
        done: false,
    })
}

/// Reads from `input` into `head` until `enough` says so or the input ends.
fn read_head(
    input: &mut dyn BufRead,
    head: &mut Vec<u8>,
    enough: impl Fn(&[u8]) -> bool,
) -> io::Result<()> {
    while !enough(head) {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        head.extend_from_slice(chunk);
        let n = chunk.len();
        input.consume(n);
    }
    Ok(())
}

fn cannot_read(label: &str, e: &io::Error) -> Problem {
    Problem::new(format!(
        "cannot read customer file `{label}`: {}",
        io_message(e)
    ))
}

/// Whether `path` is a character or block device (Unix); never on other systems.
fn is_device(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata(path)
            .is_ok_and(|m| m.file_type().is_char_device() || m.file_type().is_block_device())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// JSON Lines by extension (`.jsonl`, `.ndjson`, `.json`), CSV for `.csv`.
fn by_extension(path: &Path) -> Option<Format> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("jsonl" | "ndjson" | "json") => Some(Format::JsonLines),
        Some("csv") => Some(Format::Csv),
        Some("parquet" | "parq") => Some(Format::Parquet),
        _ => None,
    }
}

/// Otherwise by the first non-blank character: `{` is JSON Lines.
fn by_first_byte(text: &[u8]) -> Format {
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Format::JsonLines,
        _ => Format::Csv,
    }
}

/// An I/O error for people: lower case, without the `(os error N)` suffix.
fn io_message(e: &io::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" (os error ") {
        Some(at) => text.get(..at).unwrap_or(&text),
        None => &text,
    };
    lower_first(text)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

impl CustomerReader {
    /// Keeps only the CSV columns `keep` accepts (besides `id`): the others are named as
    /// [`Item::Column`]s up to [`NAMED_COLUMNS`] and counted in one [`Item::MoreColumns`]
    /// after that, and nothing of them is kept, so that what a header of many unknown
    /// columns costs is proportional to the columns used.
    pub fn keep_columns(&mut self, keep: KeepColumn) {
        match &mut self.source {
            Source::Csv(csv) => csv.keep = Some(keep),
            Source::Parquet(parquet) => parquet.keep(keep),
            Source::JsonLines(_) => {}
        }
    }

    /// How messages name the file: the path as given, or `<stdin>`.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Takes back a record handed out, so that reading the next rows reuses its buffers
    /// instead of allocating (CSV; a JSON Lines record is dropped). At most a few batches
    /// are kept.
    pub fn recycle(&mut self, record: Box<Record>) {
        if let Source::Csv(csv) = &mut self.source {
            if csv.pool.len() < MAX_POOL {
                csv.pool.push(record);
            }
        }
    }
}

impl Iterator for CustomerReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(mut item) = self.pending.pop_front() {
                if let Item::Record(record) = &mut item {
                    if let Some(id) = &record.id {
                        record.first_line = self.ids.first_line(id, record.line);
                    }
                }
                return Some(item);
            }
            if self.done {
                return None;
            }
            let more = match &mut self.source {
                Source::Csv(csv) => csv.step(&mut self.pending),
                Source::JsonLines(json) => json.step(&mut self.pending),
                Source::Parquet(parquet) => Ok(parquet.step(&mut self.pending)),
            };
            match more {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    self.done = true;
                    self.pending
                        .push_back(Item::Unreadable(cannot_read(&self.label, &e)));
                }
            }
        }
    }
}

/// Records kept to be filled again: more than are in flight between the threads (a few
/// batches of 512), so that none is dropped while others are allocated.
const MAX_POOL: usize = 8192;

/// Which columns of a header to keep, by name.
pub type KeepColumn = Box<dyn Fn(&str) -> bool + Send>;

/// A CSV file: its header row, then one record per row.
struct CsvSource {
    rows: CsvRows<Input>,
    /// Column index -> name, `None` for the id column and a column that is skipped
    /// (duplicate, not UTF-8, not kept); `None` until the header row is read.
    header: Option<Vec<Option<Name>>>,
    /// The names of the columns kept, by [`Name`]: for the problems of a cell.
    names: Vec<String>,
    id_column: Option<usize>,
    /// Which columns to keep (see [`CustomerReader::keep_columns`]); all without one.
    keep: Option<KeepColumn>,
    /// Records handed back ([`CustomerReader::recycle`]), to be filled again.
    // boxed on purpose: a record travels between the threads, and is recycled, as a pointer
    #[allow(clippy::vec_box)]
    pool: Vec<Box<Record>>,
}

impl CsvSource {
    fn new(input: Input) -> CsvSource {
        CsvSource {
            rows: CsvRows::new(input),
            header: None,
            names: Vec::new(),
            id_column: None,
            keep: None,
            pool: Vec::new(),
        }
    }

    /// Reads one row into `out`; false when there is nothing more to read.
    fn step(&mut self, out: &mut VecDeque<Item>) -> io::Result<bool> {
        let (line, row) = match self.rows.next_row()? {
            Next::Row(line, row) => (line, row),
            Next::TooLong(line) => {
                out.push_back(Item::Record(Box::new(too_long(line))));
                return Ok(true);
            }
            Next::End => {
                self.end(out);
                return Ok(false);
            }
        };
        if let Some(columns) = &self.header {
            out.push_back(Item::Record(read_csv_row(
                &row,
                line,
                columns,
                &self.names,
                self.id_column,
                self.pool.pop(),
            )));
            return Ok(true);
        }
        // the header row: its problems first, then its columns
        let mut names = Vec::new();
        let keep = self.keep.as_deref();
        let (columns, more) = read_header(&row, line, out, &mut names, keep);
        self.id_column = columns.iter().position(|c| c.as_deref() == Some("id"));
        let has_id = self.id_column.is_some();
        if !has_id {
            out.push_back(Item::Problem(
                line,
                Problem::new("the header row has no `id` column").with_help(Some(
                    "the first row names the columns: `id`, then metric names, then any state or pin columns"
                        .to_owned(),
                )),
            ));
        }
        out.extend(names.into_iter().map(|name| Item::Column(line, name)));
        if more > 0 {
            out.push_back(Item::MoreColumns(line, more));
        }
        let mut header = Vec::with_capacity(columns.len());
        for (i, column) in columns.into_iter().enumerate() {
            header.push(match column {
                Some(name) if Some(i) != self.id_column => {
                    let n = Name::nth(self.names.len());
                    out.push_back(Item::Name(n, name.clone()));
                    self.names.push(name);
                    Some(n)
                }
                _ => None,
            });
        }
        self.header = Some(header);
        Ok(has_id)
    }

    /// At the end of the file: a file without a header row is a problem.
    fn end(&self, out: &mut VecDeque<Item>) {
        if self.header.is_none() {
            out.push_back(Item::Problem(
                1,
                Problem::new("the file is empty: expected a header row naming the columns"),
            ));
        }
    }
}

/// The record of a row whose line is longer than [`MAX_RECORD_BYTES`]: its problem only.
fn too_long(line: u64) -> Record {
    Record {
        line,
        id: None,
        cells: Vec::new(),
        values: Vec::new(),
        problems: vec![Problem::new(
            "the line is longer than 1 MiB, the limit of one customer record; it is skipped",
        )],
        first_line: None,
        text: String::new(),
        built: Vec::new(),
        built_count: 0,
    }
}

/// Columns not kept that are named one by one before the rest are only counted.
pub const NAMED_COLUMNS: usize = 64;

/// The columns of the header row; its problems go to `out` and its column names but `id`
/// to `names`. Columns `keep` refuses are not kept: the first [`NAMED_COLUMNS`] go to
/// `names`, the others are counted in the number returned.
fn read_header(
    record: &Row<'_>,
    line: u64,
    out: &mut VecDeque<Item>,
    names: &mut Vec<String>,
    keep: Option<&(dyn Fn(&str) -> bool + Send)>,
) -> (Vec<Option<String>>, usize) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut columns = Vec::with_capacity(record.len());
    let (mut dropped, mut more) = (0usize, 0usize);
    for (i, cell) in record.iter().map(<[u8]>::trim_ascii).enumerate() {
        let number = i + 1;
        let name = match std::str::from_utf8(cell) {
            Ok(name) => name.to_owned(),
            Err(_) => {
                out.push_back(Item::Problem(
                    line,
                    Problem::new(format!("column {number}: the name is not UTF-8 text")),
                ));
                columns.push(None);
                continue;
            }
        };
        if name.is_empty() {
            out.push_back(Item::Problem(
                line,
                Problem::new(format!("column {number} has no name")),
            ));
            columns.push(None);
            continue;
        }
        if name != "id" && keep.is_some_and(|k| !k(&name)) {
            columns.push(None);
            dropped += 1;
            if dropped <= NAMED_COLUMNS {
                names.push(name);
            } else {
                more += 1;
            }
            continue;
        }
        if let Some(first) = seen.get(&name) {
            out.push_back(Item::Problem(
                line,
                Problem::new(format!(
                    "column `{name}` appears twice (columns {first} and {number})"
                ))
                .with_help(Some(format!(
                    "the values of column {number} are ignored; remove one of the two columns"
                ))),
            ));
            columns.push(None);
            continue;
        }
        seen.insert(name.clone(), number);
        if name != "id" {
            names.push(name.clone());
        }
        columns.push(Some(name));
    }
    (columns, more)
}

fn read_csv_row(
    record: &Row<'_>,
    line: u64,
    columns: &[Option<Name>],
    names: &[String],
    id_column: Option<usize>,
    mut reuse: Option<Box<Record>>,
) -> Box<Record> {
    // a record handed back: its box and buffers are filled again, not allocated, and the
    // customers built from it are kept, to be built into again
    let (mut id_buf, mut cells, mut text, mut problems, built) = match reuse.as_mut() {
        Some(r) => (
            r.id.take().unwrap_or_default(),
            std::mem::take(&mut r.cells),
            std::mem::take(&mut r.text),
            std::mem::take(&mut r.problems),
            std::mem::take(&mut r.built),
        ),
        None => Default::default(),
    };
    id_buf.clear();
    cells.clear();
    text.clear();
    problems.clear();
    // a row of UTF-8 text is checked once, not cell by cell, and copied whole: its cells,
    // cut at ASCII commas and quotes, are UTF-8 too, and point into the copy
    let whole = std::str::from_utf8(record.bytes).ok();
    // the id is cut from the checked row (a cut at a char boundary costs no check), or
    // checked on its own when the row is not text
    let id_text = id_column.and_then(|i| match whole {
        Some(whole) => record
            .range(i)
            .and_then(|at| whole.get(at))
            .map(|cell| Ok(cell.trim_ascii())),
        None => record
            .get(i)
            .map(|cell| std::str::from_utf8(cell.trim_ascii()).map_err(|_| ())),
    });
    let id_not_text = matches!(id_text, Some(Err(())));
    let id = id_text
        .and_then(Result::ok)
        .filter(|id| !id.is_empty())
        .map(|id| {
            id_buf.push_str(id);
            id_buf
        });
    if record.len() != columns.len() {
        let message = format!(
            "the row has {} cells but the header has {} columns",
            record.len(),
            columns.len()
        );
        problems.push(match &id {
            Some(id) => Problem::new(format!("customer `{id}`: {message}")),
            None => Problem::new(message),
        });
    }
    if let Some(whole) = whole {
        text.push_str(whole);
        // the id column's name is `None`
        let bytes = whole.as_bytes();
        for (i, name) in columns.iter().enumerate() {
            let (Some(name), Some(at)) = (*name, record.range(i)) else {
                continue;
            };
            let cell = bytes.get(at.clone()).unwrap_or_default();
            let trimmed = cell.trim_ascii_start();
            let start = at.start + (cell.len() - trimmed.len());
            let trimmed = trimmed.trim_ascii_end();
            if !trimmed.is_empty() {
                cells.push((name, start..start + trimmed.len()));
            }
        }
    }
    for (cell, name) in record.iter().zip(columns).filter(|_| whole.is_none()) {
        let Some(name) = *name else { continue };
        let trimmed = cell.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        match std::str::from_utf8(trimmed) {
            Ok(value) => {
                let start = text.len();
                text.push_str(value);
                cells.push((name, start..text.len()));
            }
            Err(_) => problems.push(Problem::field(
                id.as_deref(),
                names.get(name.index()).map_or("", String::as_str),
                "the cell is not UTF-8 text",
            )),
        }
    }
    if id_not_text {
        problems.push(Problem::field(
            None,
            "id",
            "the customer id is not UTF-8 text",
        ));
    } else if id.is_none() {
        problems.push(Problem::field(None, "id", "the customer id is missing"));
    }
    let record = Record {
        line,
        id,
        cells,
        values: Vec::new(),
        text,
        problems,
        first_line: None,
        built,
        built_count: 0,
    };
    match reuse {
        Some(mut boxed) => {
            *boxed = record;
            boxed
        }
        None => Box::new(record),
    }
}

/// A JSON Lines file: one object per line, blank lines skipped.
struct JsonSource {
    input: Input,
    /// The line being read, reused from line to line.
    buf: Vec<u8>,
    /// The number of the line last read.
    line: u64,
    /// The keys met so far, and the name of each.
    seen: HashMap<String, Name>,
}

impl JsonSource {
    /// Reads one line into `out`; false at the end of the file.
    fn step(&mut self, out: &mut VecDeque<Item>) -> io::Result<bool> {
        self.buf.clear();
        let limit = u64::try_from(MAX_RECORD_BYTES).unwrap_or(u64::MAX) + 1;
        if (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut self.buf)?
            == 0
        {
            return Ok(false);
        }
        self.line = self.line.saturating_add(1);
        let line = self.line;
        if self.buf.len() > MAX_RECORD_BYTES && !self.buf.ends_with(b"\n") {
            // the rest of the line is read past, never kept
            self.input.skip_until(b'\n')?;
            out.push_back(Item::Record(Box::new(too_long(line))));
            return Ok(true);
        }
        let raw = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Ok(true);
        }
        let Ok(source) = std::str::from_utf8(raw) else {
            out.push_back(Item::Record(Box::new(Record {
                line,
                id: None,
                cells: Vec::new(),
                values: Vec::new(),
                text: String::new(),
                problems: vec![Problem::new("the line is not UTF-8 text")],
                first_line: None,
                built: Vec::new(),
                built_count: 0,
            })));
            return Ok(true);
        };
        let members = match serde_json::from_str::<Members>(source) {
            Ok(m) => m.0,
            Err(e) => {
                out.push_back(Item::Record(Box::new(Record {
                    line,
                    id: None,
                    cells: Vec::new(),
                    values: Vec::new(),
                    text: String::new(),
                    problems: vec![json_problem(source, &e)],
                    first_line: None,
                    built: Vec::new(),
                    built_count: 0,
                })));
                return Ok(true);
            }
        };
        let seen = &mut self.seen;
        let record = json_record(line, members, &mut |key| {
            if let Some(n) = seen.get(key) {
                return *n;
            }
            let n = Name::nth(seen.len());
            seen.insert(key.to_owned(), n);
            out.push_back(Item::Column(line, key.to_owned()));
            out.push_back(Item::Name(n, key.to_owned()));
            n
        });
        out.push_back(Item::Record(Box::new(record)));
        Ok(true)
    }
}

/// One member's value, numbers kept as written: read from serde_json's raw text, so that
/// no `arbitrary_precision` feature is needed (it would change how every crate linked with
/// tierwise parses JSON numbers).
#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array,
    Object,
}

impl Json {
    fn of(raw: &serde_json::value::RawValue) -> Result<Json, serde_json::Error> {
        let text = raw.get().trim();
        Ok(match text.as_bytes().first() {
            Some(b'"') => Json::String(serde_json::from_str(text)?),
            Some(b't') => Json::Bool(true),
            Some(b'f') => Json::Bool(false),
            Some(b'n') => Json::Null,
            Some(b'[') => Json::Array,
            Some(b'{') => Json::Object,
            _ => Json::Number(text.to_owned()),
        })
    }
}

/// The members of a JSON object in their order, duplicates kept (serde_json's `Map` would
/// silently keep only the last).
struct Members(Vec<(String, Json)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Members, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some((k, v)) =
                    map.next_entry::<String, Box<serde_json::value::RawValue>>()?
                {
                    let v = Json::of(&v).map_err(serde::de::Error::custom)?;
                    members.push((k, v));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

fn json_problem(source: &str, e: &serde_json::Error) -> Problem {
    let found = match source.trim_start().chars().next() {
        Some('{') => None,
        Some('[') => Some("an array"),
        Some('"') => Some("a string"),
        Some('t' | 'f') => Some("a boolean"),
        Some('n') => Some("null"),
        Some(c) if c == '-' || c.is_ascii_digit() => Some("a number"),
        _ => Some("something else"),
    };
    if let Some(found) = found {
        return Problem::new(format!("expected a JSON object, found {found}")).with_help(Some(
            "each line holds one customer as a JSON object, like {\"id\": \"C001\", \"annual_teu\": 1250}"
                .to_owned(),
        ));
    }
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text),
        None => &text,
    };
    Problem::new(format!("invalid JSON at column {}: {message}", e.column()))
}

/// The record of a JSON object; `name` gives each key's [`Name`].
fn json_record(
    line: u64,
    members: Vec<(String, Json)>,
    name: &mut dyn FnMut(&str) -> Name,
) -> Record {
    let mut problems = Vec::new();
    let id = members
        .iter()
        .find(|(k, _)| k == "id")
        .and_then(|(_, v)| match v {
            Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Json::Number(n) => Some(n.clone()),
            _ => None,
        });
    let mut seen: HashMap<&str, ()> = HashMap::new();
    let mut values = Vec::new();
    for (key, value) in &members {
        if seen.insert(key.as_str(), ()).is_some() {
            problems.push(Problem::field(
                id.as_deref(),
                key,
                "the key appears twice in the object",
            ));
            continue;
        }
        let value = match value {
            Json::Null => None,
            Json::Bool(b) => Some(InputValue::from(*b)),
            Json::Number(n) => Some(InputValue::Number(n.clone())),
            Json::String(s) if s.trim().is_empty() => None,
            Json::String(s) => Some(InputValue::from(s.as_str())),
            Json::Array | Json::Object => {
                let what = if matches!(value, Json::Array) {
                    "an array"
                } else {
                    "an object"
                };
                problems.push(Problem::field(
                    id.as_deref(),
                    key,
                    format!("{what} is not a value (expected a string, number, boolean or null)"),
                ));
                continue;
            }
        };
        if key == "id" {
            if value.is_some() && id.is_none() {
                problems.push(Problem::field(
                    None,
                    "id",
                    "the customer id must be a string or a number",
                ));
            }
            continue;
        }
        if let Some(value) = value {
            values.push((name(key), value));
        }
    }
    if id.is_none() && !problems.iter().any(|p| p.message.starts_with("field `id`")) {
        problems.push(Problem::field(None, "id", "the customer id is missing"));
    }
    Record {
        line,
        id,
        cells: Vec::new(),
        values,
        text: String::new(),
        problems,
        first_line: None,
        built: Vec::new(),
        built_count: 0,
    }
}

/// Whether `name` is a column a customer file may have for `policy`: `id`, a metric or a
/// state or pin field.
pub fn is_known_column(policy: &Policy, name: &str) -> bool {
    policy.is_input_field(name)
}

/// The problem of a column that no policy knows, worded by the library (with its "did you
/// mean").
pub fn unknown_column(policy: &Policy, format: Format, name: &str) -> Problem {
    // a value that is not empty, since an empty one is an absent value and never checked
    let error = policy.customer("").set(name, "?").build().err();
    let found = error
        .as_ref()
        .and_then(|e| e.errors().iter().find(|e| e.field() == name));
    let help = match found.and_then(|e| e.help()) {
        Some(h) => Some(h.to_owned()),
        None if name.trim().eq_ignore_ascii_case("id") => Some("did you mean `id`?".to_owned()),
        None => None,
    };
    let message = found.map_or_else(
        || format!("`{name}` is not a metric of policy `{}`", policy.id()),
        |e| e.message().to_owned(),
    );
    let what = match format {
        Format::Csv | Format::Parquet => "column",
        Format::JsonLines => "key",
    };
    Problem::new(format!("unknown {what}: {message}")).with_help(help)
}

/// How one policy takes the fields of a file: each [`Name`] resolved once, when the file
/// names it ([`learn`](Self::learn)), to a metric number, a state or pin field, or nothing,
/// so that building a row looks no name up.
#[derive(Debug, Default)]
pub struct Plan {
    targets: Vec<Target>,
}

#[derive(Debug, Clone, Default)]
enum Target {
    /// A field the policy does not know: reported once per file, not per row.
    #[default]
    Skip,
    Metric(MetricId),
    /// A state or pin field, set by its name.
    Named(Box<str>),
}

impl Plan {
    /// Notes what `name`, standing for `text`, is to `policy`.
    pub fn learn(&mut self, policy: &Policy, name: Name, text: &str) {
        let target = match policy.metric_id(text) {
            Some(metric) => Target::Metric(metric),
            None if is_known_column(policy, text) => Target::Named(text.into()),
            None => Target::Skip,
        };
        let at = name.index();
        if self.targets.len() <= at {
            self.targets.resize(at + 1, Target::Skip);
        }
        if let Some(slot) = self.targets.get_mut(at) {
            *slot = target;
        }
    }
}

/// Builds `record` for `policy` through its `plan`, skipping fields the policy does not
/// know (they are reported once per file, see [`unknown_column`]). A repeated id is a
/// problem of the later row, which is skipped.
///
/// The customer is built into the allocations of `spent`, a customer done with, if given.
pub fn build(
    policy: &Policy,
    plan: &Plan,
    record: &Record,
    spent: Option<Customer>,
) -> Result<Customer, Vec<Problem>> {
    let result = build_fields(policy, plan, record, spent);
    let (Some(first), Some(id)) = (record.first_line, record.id.as_deref()) else {
        return result;
    };
    let duplicate = Problem::field(
        Some(id),
        "id",
        format!("the id appears again (first on line {first}); this row is skipped"),
    );
    match result {
        Ok(_) => Err(vec![duplicate]),
        Err(mut problems) => {
            problems.insert(0, duplicate);
            Err(problems)
        }
    }
}

fn build_fields(
    policy: &Policy,
    plan: &Plan,
    record: &Record,
    spent: Option<Customer>,
) -> Result<Customer, Vec<Problem>> {
    let Some(id) = &record.id else {
        return Err(record.problems.clone());
    };
    let mut builder = match spent {
        Some(spent) => policy.customer_reusing(id, spent),
        None => policy.customer(id.as_str()),
    };
    // a record has cells (CSV) or values (JSON Lines, Parquet), not both. A metric cell is
    // set through `extend`, which does not move the builder (moving it per cell was a
    // twentieth of the command's time)
    for (name, at) in &record.cells {
        match plan.targets.get(name.index()) {
            Some(Target::Metric(m)) => builder.extend([(*m, record.cell(at))]),
            Some(Target::Named(n)) => builder = builder.set_text(n, record.cell(at)),
            Some(Target::Skip) | None => {}
        }
    }
    for (name, value) in &record.values {
        builder = match plan.targets.get(name.index()) {
            Some(Target::Metric(m)) => builder.set_metric(*m, value.clone()),
            Some(Target::Named(n)) => builder.set(n, value.clone()),
            Some(Target::Skip) | None => builder,
        };
    }
    let mut problems = record.problems.clone();
    match builder.build() {
        Ok(customer) if problems.is_empty() => Ok(customer),
        Ok(_) => Err(problems),
        Err(errors) => {
            // a field whose value could not be read at all is reported once, not again as
            // "required metric is missing"
            let unreadable: Vec<String> = problems.iter().filter_map(|p| p.field.clone()).collect();
            problems.extend(
                errors
                    .errors()
                    .iter()
                    .filter(|e| !unreadable.iter().any(|f| f == e.field()))
                    .map(|e| Problem::new(e.to_string()).with_help(e.help().map(str::to_owned))),
            );
            Err(problems)
        }
    }
}

/// The ids met so far, to tell a repeated one and the line where it first appeared without
/// keeping the ids themselves.
///
/// Each id is kept as a 104-bit fingerprint, from two 64-bit hashes of the id
/// ([`fingerprint`]: the same id always gives the same fingerprint): the first hash's top
/// byte picks one of 256 tables, and a slot keeps the first hash's low 32 bits, the whole
/// second hash and the line where the id first appeared. That is 16 bytes a slot. A row is
/// taken for a repeat of another with a different id only if the two ids agree on all 104
/// bits: for a million ids not crafted to collide the odds of any such pair are below 1
/// in 10^19 (a test checks that millions of ids of the sample's shape and of other shapes
/// give distinct fingerprints, and each 64-bit hash distinct too).
///
/// While every id comes after the one before it ([`comes_after`]: as in most exports,
/// which are sorted by id), none can be a repeat: a table then only lists its slots in
/// file order, an append to one of 256 lists, 16 bytes an id (and up to 1 KiB a list).
/// The first id out of order turns each list into an open-addressing table, sized once,
/// and from then on each id is looked up: a random read of a table of 20 MB for a million
/// ids, past the caches, about 120 ns on the machine of BENCHMARKS.md, where an append is
/// a few. The tables grow by a quarter each (so one growth at a time costs little) and are
/// kept 68% to 85% full, about 19 to 24 bytes an id in all.
struct Ids {
    shards: Vec<Shard>,
    /// Whether every id so far came after the one before (the shards are lists); once one
    /// did not, the shards are tables.
    in_order: bool,
    /// The last id while they come in order, `None` before the first.
    last: Option<String>,
    /// Ids first met on a line past `u32::MAX`, which a slot cannot hold (files of more
    /// than four billion lines).
    far: HashMap<[u64; 2], u64>,
}

/// One table of [`Ids`], for the ids whose first hash starts with its number, in pages of
/// [`PAGE`] slots: while the ids come in order, a list of its slots in file order; then an
/// open-addressing table over the pages as over one array. Pages of one size, never
/// moved, are what a list and a table take and give back: a page a table frees is one
/// another table can take, and a list's pages go, as it turns into a table, to the table.
#[derive(Default)]
struct Shard {
    pages: Vec<Page>,
    /// The ids noted.
    len: usize,
}

/// The slots of a page of a [`Shard`], 1 KiB.
const PAGE: usize = 64;

type Page = Box<[Slot; PAGE]>;

/// A page of empty slots.
fn page() -> Page {
    Box::new([Slot::default(); PAGE])
}

/// An id's fingerprint (but the byte that chose its table) and first line, 16 bytes.
/// A line of 0 marks an empty slot: lines count from 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    fingerprint: [u32; 3],
    line: u32,
}

const SHARDS: usize = 256;

impl Ids {
    fn new() -> Ids {
        Ids {
            shards: std::iter::repeat_with(Shard::default)
                .take(SHARDS)
                .collect(),
            in_order: true,
            last: None,
            far: HashMap::new(),
        }
    }

    /// The line where `id` first appeared, or `None` (then `id` is noted as first met on
    /// `line`).
    fn first_line(&mut self, id: &str, line: u64) -> Option<u64> {
        let (a, b) = fingerprint(id);
        let fingerprint = split(a, b);
        let slot_line = u32::try_from(line).ok();
        let shard = usize::try_from(a >> 56).unwrap_or(0);
        if self.in_order {
            if self
                .last
                .as_deref()
                .is_none_or(|last| comes_after(id, last))
            {
                let last = self.last.get_or_insert_with(String::new);
                last.clear();
                last.push_str(id);
                match (slot_line, self.shards.get_mut(shard)) {
                    (Some(line), Some(shard)) => shard.note(Slot { fingerprint, line }),
                    _ => {
                        self.far.insert([a, b], line);
                    }
                }
                return None;
            }
            self.in_order = false;
            self.last = None;
            self.shards.iter_mut().for_each(Shard::index);
        }
        if let Some(shard) = self.shards.get_mut(shard) {
            // an id past `u32::MAX` lines is only looked for here, and noted in `far`
            if let Some(first) = shard.first_line(fingerprint, slot_line.unwrap_or(0)) {
                return Some(u64::from(first));
            }
        }
        if slot_line.is_some() && self.far.is_empty() {
            return None;
        }
        match self.far.get(&[a, b]) {
            Some(first) => Some(*first),
            None => {
                if slot_line.is_none() {
                    self.far.insert([a, b], line);
                }
                None
            }
        }
    }
}

/// Whether `id` comes after `last` in the order [`Ids`] watches for: the shorter first,
/// then by bytes. Any strict order would tell that an id in order is no repeat; this one
/// is the order of ids numbered with or without leading zeros (`C9`, `C10`).
fn comes_after(id: &str, last: &str) -> bool {
    (id.len(), id.as_bytes()) > (last.len(), last.as_bytes())
}

/// The two 64-bit hashes of an id's fingerprint, in one pass over its bytes: two lanes
/// of multiply-rotate mixing over 8-byte words with different constants, each finished by
/// MurmurHash3's `fmix64` avalanche. A few nanoseconds an id where SipHash twice took
/// about 40; like SipHash with the fixed keys used before, it is not meant to resist ids
/// crafted to collide.
fn fingerprint(id: &str) -> (u64, u64) {
    const K1: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    let bytes = id.as_bytes();
    let (mut a, mut b) = (0x243F_6A88_85A3_08D3_u64, 0x1319_8A2E_0370_7344_u64);
    let mut chunks = bytes.chunks_exact(8);
    let mut mix = |w: u64| {
        a = (a ^ w).wrapping_mul(K1).rotate_left(29);
        b = (b ^ w.rotate_left(32)).wrapping_mul(K2).rotate_left(31);
    };
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        mix(u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    let mut w = [0u8; 8];
    if let Some(dst) = w.get_mut(..rest.len()) {
        dst.copy_from_slice(rest);
    }
    mix(u64::from_le_bytes(w));
    let len = bytes.len() as u64;
    (fmix64(a ^ len), fmix64(b ^ len.rotate_left(17) ^ K1))
}

/// MurmurHash3's 64-bit finaliser: every input bit flips each output bit with probability
/// about one half.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    k ^= k >> 33;
    k = k.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    k ^ (k >> 33)
}

/// What a slot keeps of the two hashes: the first's low half, then the second.
fn split(a: u64, b: u64) -> [u32; 3] {
    let half = |x: u64, shift: u32| u32::try_from((x >> shift) & u64::from(u32::MAX)).unwrap_or(0);
    [half(a, 0), half(b, 0), half(b, 32)]
}

/// Where probing for a fingerprint starts among `n` slots: by its second hash, which the
/// choice of the shard (the first hash) leaves uniform.
fn home(fingerprint: [u32; 3], n: usize) -> usize {
    let [_, low, high] = fingerprint;
    let hash = u64::from(low) | (u64::from(high) << 32);
    let n = u128::try_from(n).unwrap_or(0);
    usize::try_from((u128::from(hash) * n) >> 64).unwrap_or(0)
}

impl Shard {
    /// Lists `slot` (the ids come in order).
    fn note(&mut self, slot: Slot) {
        let at = self.len % PAGE;
        if at == 0 {
            self.pages.push(page());
        }
        if let Some(free) = self.pages.last_mut().and_then(|p| p.get_mut(at)) {
            *free = slot;
        }
        self.len += 1;
    }

    /// Turns the list of slots into a table 70% full (as [`grow`](Self::grow) keeps it
    /// 68% to 85%).
    fn index(&mut self) {
        let listed = std::mem::take(&mut self.pages);
        self.place(listed, (self.len * 10 / 7).div_ceil(PAGE));
    }

    /// The slot number `at` of the table.
    fn slot(&mut self, at: usize) -> Option<&mut Slot> {
        self.pages.get_mut(at / PAGE)?.get_mut(at % PAGE)
    }

    /// The first line of `fingerprint`, or `None` after noting it on `line` (unless `line`
    /// is 0: then it is only looked for).
    fn first_line(&mut self, fingerprint: [u32; 3], line: u32) -> Option<u32> {
        // kept at most 85% full, so that the probing stays short
        if (self.len + 1) * 20 > self.pages.len() * PAGE * 17 {
            self.grow();
        }
        let n = self.pages.len() * PAGE;
        let mut at = home(fingerprint, n);
        loop {
            let slot = self.slot(at)?;
            if slot.line == 0 {
                if line != 0 {
                    *slot = Slot { fingerprint, line };
                    self.len += 1;
                }
                return None;
            }
            if slot.fingerprint == fingerprint {
                return Some(slot.line);
            }
            at = if at + 1 == n { 0 } else { at + 1 };
        }
    }

    /// A quarter more pages, at least one.
    fn grow(&mut self) {
        let pages = self.pages.len() + (self.pages.len() / 4).max(1);
        let old = std::mem::take(&mut self.pages);
        self.place(old, pages);
    }

    /// Makes the table `pages` pages of empty slots, then places the full slots of `old`
    /// in it, freeing each page of `old` once placed.
    fn place(&mut self, old: Vec<Page>, pages: usize) {
        self.pages = std::iter::repeat_with(page).take(pages.max(1)).collect();
        let n = self.pages.len() * PAGE;
        for old in old {
            for slot in old.iter().filter(|s| s.line != 0) {
                let mut at = home(slot.fingerprint, n);
                while let Some(free) = self.slot(at) {
                    if free.line == 0 {
                        *free = *slot;
                        break;
                    }
                    at = if at + 1 == n { 0 } else { at + 1 };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fingerprints_of_many_ids_are_distinct() {
        use std::collections::HashSet;
        let mut whole = HashSet::new();
        let (mut first, mut second) = (HashSet::new(), HashSet::new());
        let ids = (0..1_500_000u32)
            .map(|n| format!("C{n:05}"))
            .chain(
                (0..500_000u32)
                    .map(|n| format!("customer-{:x}-客户", n.wrapping_mul(2_654_435_761))),
            )
            .chain((0..256u32).map(|n| "x".repeat(n as usize)));
        let mut count = 0;
        for id in ids {
            let (a, b) = super::fingerprint(&id);
            assert!(whole.insert((a, b)), "{id}");
            assert!(first.insert(a), "{id}");
            assert!(second.insert(b), "{id}");
            count += 1;
        }
        assert_eq!(count, 2_000_256);
    }
    use super::*;

    /// Hardening: the columns a header names that are not kept cost nothing per column: they
    /// are not stored, the first [`NAMED_COLUMNS`] are named and the rest only counted.
    #[test]
    fn unknown_header_columns_are_named_then_counted_and_not_kept() {
        let dir = std::env::temp_dir().join(format!("tierwise-keep-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let file = dir.join("wide.csv");
        let extra: Vec<String> = (0..5000).map(|i| format!("x{i}")).collect();
        let text = format!("id,teu,{}\nC1,5{}\n", extra.join(","), ",".repeat(5000));
        std::fs::write(&file, text).unwrap_or_default();
        let Ok(mut reader) = open(&file) else {
            panic!("cannot open the test file");
        };
        reader.keep_columns(Box::new(|name| name == "teu"));
        let items: Vec<Item> = reader.by_ref().collect();
        let named = items
            .iter()
            .filter(|i| matches!(i, Item::Column(..)))
            .count();
        let more: usize = items
            .iter()
            .map(|i| match i {
                Item::MoreColumns(_, n) => *n,
                _ => 0,
            })
            .sum();
        // `teu` is named too, as every column kept
        assert_eq!((named, more), (NAMED_COLUMNS + 1, 5000 - NAMED_COLUMNS));
        let Source::Csv(csv) = &reader.source else {
            panic!("not read as CSV");
        };
        let kept = csv
            .header
            .as_ref()
            .map_or(0, |h| h.iter().flatten().count());
        // the id column is read by its number, not named
        assert_eq!(kept, 1, "only `teu` is kept");
        assert_eq!(csv.names, ["teu"]);
        assert_eq!(csv.id_column, Some(0));
        let record = items.iter().find_map(|i| match i {
            Item::Record(r) => Some(r),
            _ => None,
        });
        assert_eq!(record.map(|r| r.cells.len()), Some(1));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ids_tell_every_repeat_with_its_first_line() {
        let mut ids = Ids::new();
        for i in 0..100_000u64 {
            assert_eq!(ids.first_line(&format!("C{i}"), i + 2), None);
        }
        for i in (0..100_000u64).step_by(997) {
            assert_eq!(ids.first_line(&format!("C{i}"), 200_000), Some(i + 2));
        }
        assert_eq!(ids.first_line("C100000", 200_001), None);
        assert_eq!(ids.first_line("c0", 200_002), None);
        let slots: usize = ids.shards.iter().map(|s| s.pages.len() * PAGE).sum();
        let len: usize = ids.shards.iter().map(|s| s.len).sum();
        assert_eq!(len, 100_002);
        assert_eq!(std::mem::size_of::<Slot>(), 16);
        assert!(slots * 16 < len * 26, "{slots} slots for {len} ids");
    }

    #[test]
    fn ids_in_order_are_listed_until_one_is_not() {
        let mut ids = Ids::new();
        for i in 0..50_000u64 {
            assert_eq!(ids.first_line(&format!("C{i:06}"), i + 2), None);
        }
        // in order: the shards are lists, nothing was looked up
        assert!(ids.in_order);
        // in pages filled in order, each but the last full
        for shard in &ids.shards {
            assert_eq!(shard.pages.len(), shard.len.div_ceil(PAGE));
            let full = shard
                .pages
                .iter()
                .flat_map(|p| p.iter())
                .filter(|s| s.line != 0);
            assert_eq!(full.count(), shard.len);
        }
        let listed: usize = ids.shards.iter().map(|s| s.len).sum();
        assert_eq!(listed, 50_000);
        // a repeat is out of order: the lists become tables, and the repeat is found
        assert_eq!(ids.first_line("C000123", 60_000), Some(125));
        assert!(!ids.in_order);
        assert_eq!(ids.first_line("C049999", 60_001), Some(50_001));
        assert_eq!(ids.first_line("B", 60_002), None);
        assert_eq!(ids.first_line("D", 60_003), None);
        assert_eq!(ids.first_line("B", 60_004), Some(60_002));
        for i in (0..50_000u64).step_by(613) {
            assert_eq!(ids.first_line(&format!("C{i:06}"), 70_000), Some(i + 2));
        }
        let slots: usize = ids.shards.iter().map(|s| s.pages.len() * PAGE).sum();
        let len: usize = ids.shards.iter().map(|s| s.len).sum();
        assert_eq!(len, 50_002);
        assert!(slots * 16 < len * 26, "{slots} slots for {len} ids");
    }

    #[test]
    fn an_id_right_after_itself_is_a_repeat() {
        let mut ids = Ids::new();
        assert_eq!(ids.first_line("A", 2), None);
        assert_eq!(ids.first_line("A", 3), Some(2));
        assert_eq!(ids.first_line("A", 4), Some(2));
    }

    proptest::proptest! {
        /// Whatever the order of the ids (runs in order, then not, repeats near and far),
        /// each is told new or the line it first appeared on, as a map of the ids says.
        #[test]
        fn ids_agree_with_a_map_of_the_ids(
            keys in proptest::collection::vec(0u16..400, 0..600),
            sorted_prefix in 0usize..600,
        ) {
            let mut keys = keys;
            let cut = sorted_prefix.min(keys.len());
            if let Some(prefix) = keys.get_mut(..cut) {
                prefix.sort_unstable();
            }
            let mut ids = Ids::new();
            let mut reference: HashMap<String, u64> = HashMap::new();
            for (n, key) in keys.iter().enumerate() {
                let id = format!("K{key:03}");
                let line = n as u64 + 2;
                let expected = reference.get(&id).copied();
                reference.entry(id.clone()).or_insert(line);
                proptest::prop_assert_eq!(ids.first_line(&id, line), expected, "{}", id);
            }
        }
    }

    #[test]
    fn ids_first_met_past_four_billion_lines() {
        let mut ids = Ids::new();
        let far = u64::from(u32::MAX) + 10;
        assert_eq!(ids.first_line("A", 5), None);
        assert_eq!(ids.first_line("B", far), None);
        assert_eq!(ids.first_line("A", far + 1), Some(5));
        assert_eq!(ids.first_line("B", far + 2), Some(far));
        assert_eq!(ids.first_line("C", 7), None);
        assert_eq!(ids.first_line("C", 8), Some(7));
    }
}
