//! Reading customer files (CSV or JSON Lines) into records, and building customers from
//! them for a policy.
//!
//! Reading is independent of any policy: a [`CustomerFile`] keeps every row's fields as
//! given. [`customers`] then builds each record for one policy, so that `simulate
//! --against` can build the same file for two policies.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use tierwise::{Customer, InputValue, Policy, STATE_FIELDS};

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
    fn field(id: Option<&str>, field: &str, message: impl fmt::Display) -> Problem {
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
}

/// One customer row as read, before it is checked against a policy.
#[derive(Debug, Clone)]
pub struct Record {
    /// The 1-based line of the file where the row starts.
    pub line: u64,
    /// The customer id, if the row has one.
    pub id: Option<String>,
    /// Every present (non-empty, non-null) field but `id`, in file order.
    pub fields: Vec<(String, InputValue)>,
    /// What was wrong with the row itself (bad UTF-8, a nested JSON value, ...).
    pub problems: Vec<Problem>,
}

/// A customer file, read whole.
#[derive(Debug, Clone)]
pub struct CustomerFile {
    /// How messages name the file: the path as given, or `<stdin>`.
    pub label: String,
    pub format: Format,
    pub records: Vec<Record>,
    /// Every field name but `id`, with the line where it first appears (CSV: the header).
    pub columns: Vec<(u64, String)>,
    /// Problems of the file rather than of one row (header, malformed lines), by line.
    pub problems: Vec<(u64, Problem)>,
}

/// Reads a customer file, or standard input for `-`. The error is for a file that cannot
/// be read at all.
pub fn read(path: &Path) -> Result<CustomerFile, Problem> {
    let is_stdin = path.as_os_str() == "-";
    let label = if is_stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    let mut bytes = Vec::new();
    let result = if is_stdin {
        std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else if path.is_dir() {
        return Err(Problem::new(format!(
            "cannot read customer file `{label}`: it is a directory"
        )));
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    if let Err(e) = result {
        return Err(Problem::new(format!(
            "cannot read customer file `{label}`: {}",
            io_message(&e)
        )));
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let format = detect(path, is_stdin, text);
    let mut file = CustomerFile {
        label,
        format,
        records: Vec::new(),
        columns: Vec::new(),
        problems: Vec::new(),
    };
    match format {
        Format::Csv => read_csv(text, &mut file),
        Format::JsonLines => read_json_lines(text, &mut file),
    }
    Ok(file)
}

/// JSON Lines by extension (`.jsonl`, `.ndjson`, `.json`), CSV for `.csv`, otherwise by
/// the first non-blank character: `{` is JSON Lines.
fn detect(path: &Path, is_stdin: bool, text: &[u8]) -> Format {
    if !is_stdin {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("jsonl" | "ndjson" | "json") => return Format::JsonLines,
            Some("csv") => return Format::Csv,
            _ => {}
        }
    }
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Format::JsonLines,
        _ => Format::Csv,
    }
}

/// An I/O error for people: lower case, without the `(os error N)` suffix.
fn io_message(e: &std::io::Error) -> String {
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

fn read_csv(text: &[u8], file: &mut CustomerFile) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text);
    let mut record = csv::ByteRecord::new();
    // column index -> name, `None` for a column that is skipped (duplicate, not UTF-8)
    let mut header: Option<Vec<Option<String>>> = None;
    let mut id_column = None;
    let mut fallback_line = 0u64;
    loop {
        fallback_line += 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(fallback_line, csv::Position::line);
                // a row of another length or with bad UTF-8 is consumed: go on with the next;
                // anything else (an I/O error) may not advance the reader
                let stop = !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                );
                file.problems
                    .push((line, Problem::new(format!("cannot read the row: {e}"))));
                if stop {
                    break;
                }
                continue;
            }
        }
        let line = record.position().map_or(fallback_line, csv::Position::line);
        match &header {
            None => {
                let columns = read_header(&record, line, file);
                id_column = columns.iter().position(|c| c.as_deref() == Some("id"));
                if id_column.is_none() {
                    file.problems.push((
                        line,
                        Problem::new("the header row has no `id` column").with_help(Some(
                            "the first row names the columns: `id`, then metric names, then any state or pin columns"
                                .to_owned(),
                        )),
                    ));
                    return;
                }
                header = Some(columns);
            }
            Some(columns) => {
                file.records
                    .push(read_csv_row(&record, line, columns, id_column));
            }
        }
    }
    if header.is_none() {
        file.problems.push((
            1,
            Problem::new("the file is empty: expected a header row naming the columns"),
        ));
    }
}

fn read_header(
    record: &csv::ByteRecord,
    line: u64,
    file: &mut CustomerFile,
) -> Vec<Option<String>> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut columns = Vec::with_capacity(record.len());
    for (i, cell) in record.iter().enumerate() {
        let number = i + 1;
        let name = match std::str::from_utf8(cell) {
            Ok(name) => name.to_owned(),
            Err(_) => {
                file.problems.push((
                    line,
                    Problem::new(format!("column {number}: the name is not UTF-8 text")),
                ));
                columns.push(None);
                continue;
            }
        };
        if name.is_empty() {
            file.problems
                .push((line, Problem::new(format!("column {number} has no name"))));
            columns.push(None);
            continue;
        }
        if let Some(first) = seen.get(&name) {
            file.problems.push((
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
            file.columns.push((line, name.clone()));
        }
        columns.push(Some(name));
    }
    columns
}

fn read_csv_row(
    record: &csv::ByteRecord,
    line: u64,
    columns: &[Option<String>],
    id_column: Option<usize>,
) -> Record {
    let mut problems = Vec::new();
    let id = id_column
        .and_then(|i| record.get(i))
        .and_then(|cell| std::str::from_utf8(cell).ok())
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
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
    let mut fields = Vec::new();
    for (cell, name) in record.iter().zip(columns) {
        let Some(name) = name else { continue };
        if name == "id" || cell.is_empty() {
            continue;
        }
        match std::str::from_utf8(cell) {
            Ok(value) => fields.push((name.clone(), InputValue::from(value))),
            Err(_) => problems.push(Problem::field(
                id.as_deref(),
                name,
                "the cell is not UTF-8 text",
            )),
        }
    }
    if id.is_none() {
        problems.push(Problem::field(None, "id", "the customer id is missing"));
    }
    Record {
        line,
        id,
        fields,
        problems,
    }
}

/// The members of a JSON object in their order, duplicates kept (serde_json's `Map` would
/// silently keep only the last).
struct Members(Vec<(String, serde_json::Value)>);

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
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    members.push((k, v));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

fn read_json_lines(text: &[u8], file: &mut CustomerFile) {
    let mut first_seen: HashMap<String, ()> = HashMap::new();
    for (i, raw) in text.split(|b| *b == b'\n').enumerate() {
        let line = u64::try_from(i).map_or(u64::MAX, |i| i.saturating_add(1));
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Ok(source) = std::str::from_utf8(raw) else {
            file.records.push(Record {
                line,
                id: None,
                fields: Vec::new(),
                problems: vec![Problem::new("the line is not UTF-8 text")],
            });
            continue;
        };
        let members = match serde_json::from_str::<Members>(source) {
            Ok(m) => m.0,
            Err(e) => {
                file.records.push(Record {
                    line,
                    id: None,
                    fields: Vec::new(),
                    problems: vec![json_problem(source, &e)],
                });
                continue;
            }
        };
        let record = json_record(line, members);
        for (name, _) in &record.fields {
            note_column(file, &mut first_seen, line, name);
        }
        file.records.push(record);
    }
}

fn note_column(file: &mut CustomerFile, seen: &mut HashMap<String, ()>, line: u64, name: &str) {
    if !seen.contains_key(name) {
        seen.insert(name.to_owned(), ());
        file.columns.push((line, name.to_owned()));
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

fn json_record(line: u64, members: Vec<(String, serde_json::Value)>) -> Record {
    use serde_json::Value;
    let mut problems = Vec::new();
    let id = members
        .iter()
        .find(|(k, _)| k == "id")
        .and_then(|(_, v)| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    let mut seen: HashMap<&str, ()> = HashMap::new();
    let mut fields = Vec::new();
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
            Value::Null => None,
            Value::Bool(b) => Some(InputValue::from(*b)),
            Value::Number(n) => Some(InputValue::from(n.to_string())),
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(InputValue::from(s.as_str())),
            Value::Array(_) | Value::Object(_) => {
                let what = if value.is_array() {
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
            fields.push((key.clone(), value));
        }
    }
    if id.is_none() && !problems.iter().any(|p| p.message.starts_with("field `id`")) {
        problems.push(Problem::field(None, "id", "the customer id is missing"));
    }
    Record {
        line,
        id,
        fields,
        problems,
    }
}

/// Whether `name` is a column a customer file may have for `policy`: `id`, a metric or a
/// state or pin field.
pub fn is_known_column(policy: &Policy, name: &str) -> bool {
    name == "id" || policy.metric_id(name).is_some() || STATE_FIELDS.contains(&name)
}

/// The problem of a column that no policy knows, worded by the library (with its "did you
/// mean").
pub fn unknown_column(policy: &Policy, format: Format, name: &str) -> Problem {
    let error = policy.customer("").set(name, "").build().err();
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
        Format::Csv => "column",
        Format::JsonLines => "key",
    };
    Problem::new(format!("unknown {what}: {message}")).with_help(help)
}

/// Builds `record` for `policy`, skipping fields the policy does not know (they are
/// reported once per file, see [`unknown_column`]).
pub fn build(policy: &Policy, record: &Record) -> Result<Customer, Vec<Problem>> {
    let Some(id) = &record.id else {
        return Err(record.problems.clone());
    };
    let mut builder = policy.customer(id.as_str());
    for (name, value) in &record.fields {
        if is_known_column(policy, name) {
            builder = builder.set(name, value.clone());
        }
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

/// The customers of `file` built for `policy`, in file order, each with the line where
/// its row starts. A repeated id is a problem of the later row.
pub fn customers<'a>(
    file: &'a CustomerFile,
    policy: &'a Policy,
) -> impl Iterator<Item = (u64, Result<Customer, Vec<Problem>>)> + 'a {
    let mut first_line: HashMap<&'a str, u64> = HashMap::new();
    file.records.iter().map(move |record| {
        let mut result = build(policy, record);
        if let Some(id) = record.id.as_deref() {
            if let Some(first) = first_line.get(id) {
                let duplicate = Problem::field(
                    Some(id),
                    "id",
                    format!("the id appears again (first on line {first}); this row is skipped"),
                );
                result = match result {
                    Ok(_) => Err(vec![duplicate]),
                    Err(mut problems) => {
                        problems.insert(0, duplicate);
                        Err(problems)
                    }
                };
            } else {
                first_line.insert(id, record.line);
            }
        }
        (record.line, result)
    })
}
