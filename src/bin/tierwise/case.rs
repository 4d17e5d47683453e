//! `tierwise case` and `tierwise cases`: the status of one case from its event log, and
//! the milestones of many open cases that are breached or due soon (spec section 17).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tierwise::sla::{due_within, Event, Timeline};
use tierwise::{Policy, TierId};

use crate::input::{Problem, MAX_RECORD_BYTES};
use crate::report;
use crate::{CaseArgs, CasesArgs};

/// An instant: RFC 3339 (`2026-06-30T09:15:00+08:00`), or a local time without offset
/// (`2026-06-30T09:15:00`) in the policy's time zone (see [`crate::sla::When`]).
pub fn instant(text: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    crate::sla::parse_when(text)?.resolve(tz)
}

/// The tier named `id`, or its problem.
fn tier(policy: &Policy, id: &str) -> Result<TierId, Problem> {
    policy.tier_by_id(id).ok_or_else(|| {
        let ids: Vec<&str> = policy.tiers().map(|(_, t)| t.id()).collect();
        Problem::new(format!("unknown tier `{id}` in policy `{}`", policy.id())).with_help(
            report::did_you_mean(id, ids.iter().copied())
                .or_else(|| Some(format!("tiers: {}", ids.join(", ")))),
        )
    })
}

/// The keys an event line may carry; others are ignored.
const KEYS: [&str; 9] = [
    "event",
    "at",
    "case_id",
    "case",
    "severity",
    "channel",
    "milestone",
    "status",
    "tier",
];

/// One key's value: a string, or something else (a number, an object, ...).
enum Field {
    Str(String),
    Other,
}

/// One line of an event log, read: the value of each of [`KEYS`] it has.
struct Line {
    number: u64,
    fields: [Option<Field>; 9],
}

/// A line's object, its known keys kept (no map, no hashing: a log can be millions of
/// lines).
struct Fields([Option<Field>; 9]);

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Field;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Field, E> {
                Ok(Field::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Field, E> {
                Ok(Field::Str(v))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Field, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Field::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Field, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Field::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Fields;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an event as a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Fields, A::Error> {
                let mut fields: [Option<Field>; 9] = Default::default();
                while let Some(key) = a.next_key::<std::borrow::Cow<'de, str>>()? {
                    match KEYS.iter().position(|k| *k == key) {
                        // null is as good as absent
                        Some(i) => {
                            let v = a.next_value::<Option<Field>>()?;
                            if let Some(slot) = fields.get_mut(i) {
                                *slot = v;
                            }
                        }
                        None => {
                            a.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads an event log (JSON Lines) one event at a time; problems of the file itself (a
/// line that is not a JSON object, an over-long line) are reported at their line.
struct Lines {
    label: String,
    reader: Box<dyn BufRead>,
    number: u64,
    problems: usize,
}

impl Lines {
    fn open(path: &Path) -> Option<Lines> {
        let label = path.display().to_string();
        let reader: Box<dyn BufRead> = if label == "-" {
            Box::new(BufReader::new(io::stdin()))
        } else {
            match File::open(path) {
                Ok(f) if f.metadata().is_ok_and(|m| m.is_dir()) => {
                    report::error(&format!("`{label}` is a directory, not an event log"));
                    return None;
                }
                Ok(f) => Box::new(BufReader::new(f)),
                Err(e) => {
                    report::error(&format!("cannot read `{label}`: {e}"));
                    return None;
                }
            }
        };
        Some(Lines {
            label,
            reader,
            number: 0,
            problems: 0,
        })
    }

    fn problem(&mut self, line: u64, p: &Problem) {
        self.problems += 1;
        report::problem_at(&self.label, line, p);
    }
}

impl Iterator for Lines {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        loop {
            let mut buf = Vec::new();
            let limit = u64::try_from(MAX_RECORD_BYTES).unwrap_or(u64::MAX) + 1;
            let n = match (&mut self.reader).take(limit).read_until(b'\n', &mut buf) {
                Ok(n) => n,
                Err(e) => {
                    let at = self.number + 1;
                    self.problem(at, &Problem::new(format!("cannot read the file: {e}")));
                    return None;
                }
            };
            if n == 0 {
                return None;
            }
            self.number += 1;
            let at = self.number;
            if buf.len() > MAX_RECORD_BYTES && !buf.ends_with(b"\n") {
                // the rest of the line is read past, never kept (as the customer reader does)
                let _ = self.reader.skip_until(b'\n');
                self.problem(
                    at,
                    &Problem::new(format!("the line is longer than {MAX_RECORD_BYTES} bytes")),
                );
                continue;
            }
            let Ok(text) = std::str::from_utf8(&buf) else {
                self.problem(at, &Problem::new("the line is not UTF-8 text"));
                continue;
            };
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            if !text.starts_with('{') {
                self.problem(at, &Problem::new("an event is a JSON object like {\"event\": \"met\", \"at\": \"...\", \"milestone\": \"acknowledge\"}"));
                continue;
            }
            match serde_json::from_str::<Fields>(text) {
                Ok(Fields(fields)) => return Some(Line { number: at, fields }),
                Err(e) => self.problem(at, &Problem::new(format!("not valid JSON: {e}"))),
            }
        }
    }
}

fn field<'a>(line: &'a Line, key: &str) -> Option<&'a Field> {
    let i = KEYS.iter().position(|k| *k == key)?;
    line.fields.get(i)?.as_ref()
}

fn text<'a>(line: &'a Line, key: &str) -> Result<&'a str, Problem> {
    match field(line, key) {
        Some(Field::Str(s)) => Ok(s),
        Some(Field::Other) => Err(Problem::new(format!("`{key}` must be a string"))),
        None => Err(Problem::new(format!("the event has no `{key}`"))),
    }
}

fn optional<'a>(line: &'a Line, key: &str) -> Result<Option<&'a str>, Problem> {
    match field(line, key) {
        None => Ok(None),
        Some(_) => text(line, key).map(Some),
    }
}

const EVENTS: [&str; 7] = [
    "opened", "paused", "resumed", "met", "severity", "status", "closed",
];

/// The event of a line other than `opened`.
fn event(line: &Line) -> Result<(&str, Event<'_>), Problem> {
    let name = text(line, "event")?;
    let e = match name {
        "paused" => Event::Paused,
        "resumed" => Event::Resumed,
        "met" => Event::Met(text(line, "milestone")?),
        "severity" => Event::Severity(text(line, "severity")?),
        "status" => Event::Status(text(line, "status")?),
        "closed" => Event::Closed,
        "opened" => return Err(Problem::new("the case is opened already")),
        other => {
            return Err(Problem::new(format!("unknown event `{other}`")).with_help(
                report::did_you_mean(other, EVENTS.iter().copied())
                    .or_else(|| Some(format!("events: {}", EVENTS.join(", ")))),
            ))
        }
    };
    Ok((name, e))
}

/// Opens a timeline from an `opened` line.
fn open_timeline(
    policy: &Policy,
    line: &Line,
    tier: TierId,
    at: DateTime<Utc>,
) -> Result<Timeline, Problem> {
    let mut b = policy.case(text(line, "case")?, at);
    if let Some(s) = optional(line, "severity")? {
        b = b.severity(s);
    }
    if let Some(c) = optional(line, "channel")? {
        b = b.channel(c);
    }
    let case = b
        .build()
        .map_err(|e| Problem::new(e.to_string()).with_help(e.help().map(str::to_owned)))?;
    policy
        .timeline(tier, &case)
        .map_err(|e| Problem::new(e.to_string()).with_help(e.help().map(str::to_owned)))
}

fn record(t: &mut Timeline, line: &Line, tz: Tz) -> Result<(), Problem> {
    let at = instant(text(line, "at")?, tz).map_err(Problem::new)?;
    let (_, e) = event(line)?;
    t.record(at, e)
        .map_err(|err| Problem::new(err.to_string()).with_help(err.help().map(str::to_owned)))
}

/// The policy, its zone and the `--at` instant, or `None` once the problem is reported.
fn load(path: &Path, at: &str) -> Option<(Policy, Tz, DateTime<Utc>)> {
    let policy = report::load_policy(path)?;
    let tz = policy.timezone();
    match instant(at, tz) {
        Ok(t) => Some((policy, tz, t)),
        Err(e) => {
            report::error(&format!("--at: {e}"));
            None
        }
    }
}

/// `tierwise case`: one case's status as JSON.
pub fn run_case(args: &CaseArgs) -> io::Result<bool> {
    let Some((policy, tz, at)) = load(&args.policy, &args.at) else {
        return Ok(false);
    };
    let tier = match tier(&policy, &args.tier) {
        Ok(t) => t,
        Err(p) => {
            report::problem(&p);
            return Ok(false);
        }
    };
    let Some(mut lines) = Lines::open(&args.events) else {
        return Ok(false);
    };
    let mut timeline: Option<Timeline> = None;
    while let Some(line) = lines.next() {
        let result = match &mut timeline {
            Some(t) => record(t, &line, tz),
            None => match text(&line, "event") {
                Ok("opened") => instant(text(&line, "at").unwrap_or(""), tz)
                    .map_err(Problem::new)
                    .and_then(|opened| open_timeline(&policy, &line, tier, opened))
                    .map(|t| timeline = Some(t)),
                Ok(_) => Err(Problem::new("the first event of a case must be `opened`")),
                Err(p) => Err(p),
            },
        };
        if let Err(p) = result {
            lines.problem(line.number, &p);
        }
    }
    let Some(timeline) = timeline else {
        if lines.problems == 0 {
            report::error(&format!("`{}` has no `opened` event", lines.label));
        }
        return Ok(false);
    };
    match timeline.status(at) {
        Ok(status) => {
            let mut out = io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &status)?;
            writeln!(out)?;
            out.flush()?;
            Ok(lines.problems == 0)
        }
        Err(e) => {
            report::error(&e.to_string());
            Ok(false)
        }
    }
}

/// An open case of `cases`, with where it first appeared.
struct Open {
    order: u64,
    timeline: Timeline,
}

/// `tierwise cases`: the milestones of open cases breached or due soon, soonest first.
pub fn run_cases(args: &CasesArgs) -> io::Result<bool> {
    let Some((policy, tz, at)) = load(&args.policy, &args.at) else {
        return Ok(false);
    };
    let within = match args
        .due_within
        .as_deref()
        .map(str::parse::<tierwise::calendar::BusinessDuration>)
    {
        None => chrono::Duration::zero(),
        Some(Ok(d)) => {
            chrono::Duration::seconds(i64::try_from(d.seconds()).unwrap_or(i64::MAX / 1000))
        }
        Some(Err(e)) => {
            report::error(&format!("--due-within: {e}"));
            return Ok(false);
        }
    };
    let Some(mut lines) = Lines::open(&args.cases) else {
        return Ok(false);
    };
    let mut open: HashMap<String, Open> = HashMap::new();
    // cases with a bad line are left out of the listing
    let mut broken: HashMap<String, ()> = HashMap::new();
    let mut order = 0u64;
    while let Some(line) = lines.next() {
        let id = match text(&line, "case_id") {
            Ok(id) => id.to_owned(),
            Err(p) => {
                lines.problem(line.number, &p);
                continue;
            }
        };
        if broken.contains_key(&id) {
            continue;
        }
        let result = match (open.get_mut(&id), text(&line, "event")) {
            (Some(_), Ok("opened")) => Err(Problem::new(format!("case `{id}` is open already"))),
            (Some(o), _) => record(&mut o.timeline, &line, tz),
            (None, Ok("opened")) => text(&line, "tier")
                .and_then(|t| tier(&policy, t))
                .and_then(|t| {
                    let opened = instant(text(&line, "at")?, tz).map_err(Problem::new)?;
                    open_timeline(&policy, &line, t, opened)
                })
                .map(|timeline| {
                    order += 1;
                    open.insert(id.clone(), Open { order, timeline });
                }),
            (None, Ok(_)) => Err(Problem::new(format!(
                "case `{id}` is not open: no `opened` event for it before this line (or it closed)"
            ))),
            (None, Err(p)) => Err(p),
        };
        if let Err(p) = result {
            lines.problem(line.number, &p);
            open.remove(&id);
            broken.insert(id, ());
            continue;
        }
        // a closed case is done: it leaves memory
        if open
            .get(&id)
            .is_some_and(|o| o.timeline.closed().is_some_and(|c| c <= at))
        {
            open.remove(&id);
        }
    }
    let mut cases: Vec<(&String, &Open)> = open.iter().collect();
    cases.sort_by_key(|(_, o)| o.order);
    let listed = due_within(cases.iter().map(|(id, o)| (*id, &o.timeline)), at, within);
    let mut out = io::BufWriter::new(io::stdout().lock());
    #[derive(serde::Serialize)]
    struct Listed<'a> {
        case_id: &'a str,
        #[serde(flatten)]
        milestone: &'a tierwise::sla::DueMilestone<'a>,
    }
    for (id, d) in &listed {
        serde_json::to_writer(
            &mut out,
            &Listed {
                case_id: id,
                milestone: d,
            },
        )?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(lines.problems == 0)
}
