//! `tierwise sla` and `tierwise route`: deadlines of a case, and how one customer's case
//! is handled.

use std::io::{self, Write};

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};
use tierwise::sla::{Case, SlaErrorKind};
use tierwise::{Policy, TierId};

use crate::input::Problem;
use crate::report;
use crate::{RouteArgs, RouteFormat, SlaArgs, SlaFormat};

/// An instant argument: RFC 3339 with its offset, or a local time without one, in the
/// policy's time zone (known only once the policy is loaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// With an offset.
    Exact(DateTime<Utc>),
    /// Without: a wall-clock time of the policy's zone.
    Local(NaiveDateTime),
}

impl When {
    /// The instant, a local time read in `tz` (a repeated hour: its first occurrence; a
    /// skipped one is an error).
    pub fn resolve(self, tz: Tz) -> Result<DateTime<Utc>, String> {
        match self {
            When::Exact(t) => Ok(t),
            When::Local(n) => match tz.from_local_datetime(&n) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
                LocalResult::None => {
                    Err(format!("`{n}` does not exist in {tz}: the clocks skip it"))
                }
            },
        }
    }

    /// The local date in `tz`.
    pub fn local_date(self, tz: Tz) -> chrono::NaiveDate {
        match self {
            When::Exact(t) => t.with_timezone(&tz).date_naive(),
            When::Local(n) => n.date(),
        }
    }
}

/// Parses `FROM/TO`, two instants (see [`parse_when`]).
pub fn parse_pause(text: &str) -> Result<(When, When), String> {
    let (a, b) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}` is not a pause: expected FROM/TO, two times"))?;
    Ok((parse_when(a)?, parse_when(b)?))
}

/// Parses an instant: RFC 3339 such as `2026-06-30T09:15:00+08:00`, or a local time
/// without an offset such as `2026-06-30T09:15:00`, read in the policy's time zone.
pub fn parse_when(text: &str) -> Result<When, String> {
    let t = text.trim();
    if let Ok(x) = DateTime::parse_from_rfc3339(t) {
        return Ok(When::Exact(x.with_timezone(&Utc)));
    }
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
        .map(When::Local)
        .map_err(|_| {
            format!("`{text}` is not a time like 2026-06-30T09:15:00+08:00 (or 2026-06-30T09:15:00 in the policy's time zone)")
        })
}

/// A pause, `[from, to)` in UTC.
type Pause = (DateTime<Utc>, DateTime<Utc>);

/// The opening and the pauses of a case, read in the policy's zone; a pause that ends
/// before it starts is an error.
fn instants(
    policy: &Policy,
    opened: When,
    paused: &[(When, When)],
) -> Result<(DateTime<Utc>, Vec<Pause>), String> {
    let tz = policy.timezone();
    let opened = opened.resolve(tz).map_err(|e| format!("--opened: {e}"))?;
    let mut pauses = Vec::with_capacity(paused.len());
    for (a, b) in paused {
        let (from, to) = (a.resolve(tz)?, b.resolve(tz)?);
        if to < from {
            return Err(format!(
                "--paused: a pause ends at {to} before it starts at {from}"
            ));
        }
        pauses.push((from, to));
    }
    Ok((opened, pauses))
}

fn tier(policy: &Policy, id: &str) -> Option<TierId> {
    let found = policy.tier_by_id(id);
    if found.is_none() {
        let ids: Vec<&str> = policy.tiers().map(|(_, t)| t.id()).collect();
        report::problem(
            &Problem::new(format!("unknown tier `{id}` in policy `{}`", policy.id())).with_help(
                report::did_you_mean(id, ids.iter().copied())
                    .or_else(|| Some(format!("tiers: {}", ids.join(", ")))),
            ),
        );
    }
    found
}

fn case(
    policy: &Policy,
    kind: &str,
    severity: Option<&str>,
    channel: Option<&str>,
    opened: DateTime<Utc>,
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Option<Case> {
    let mut b = policy.case(kind, opened);
    if let Some(s) = severity {
        b = b.severity(s);
    }
    if let Some(c) = channel {
        b = b.channel(c);
    }
    for (from, to) in pauses {
        b = b.pause(*from, *to);
    }
    match b.build() {
        Ok(c) => Some(c),
        Err(e) => {
            report::problem(&Problem::new(e.to_string()).with_help(e.help().map(str::to_owned)));
            None
        }
    }
}

/// The severity a case was built with: the one given, or the case's default (its first).
fn severity_of(policy: &Policy, kind: &str, given: Option<&str>) -> Value {
    match given {
        Some(s) => json!(s),
        None => policy
            .severities(kind)
            .and_then(|mut s| s.next())
            .map_or(Value::Null, |s| json!(s)),
    }
}

/// Prints every milestone's deadline as one JSON object.
pub fn run(args: &SlaArgs) -> io::Result<bool> {
    let Some(policy) = report::load_policy(&args.policy) else {
        return Ok(false);
    };
    let (opened, paused) = match instants(&policy, args.opened, &args.paused) {
        Ok(x) => x,
        Err(e) => {
            report::error(&e);
            return Ok(false);
        }
    };
    // like `--as-of` for the other commands: the day the case opened, in the policy's zone
    report::warn_if_not_in_force(
        &policy,
        opened.with_timezone(&policy.timezone()).date_naive(),
    );
    let Some(tier_id) = tier(&policy, &args.tier) else {
        return Ok(false);
    };
    let Some(case) = case(
        &policy,
        &args.case,
        args.severity.as_deref(),
        None,
        opened,
        &paused,
    ) else {
        return Ok(false);
    };
    // each milestone on its own: one that cannot be computed (a clock that opens too
    // rarely to reach its target within the search horizon) is reported, and the others
    // are still printed
    let count = policy.milestones(&args.case).map_or(0, Iterator::count);
    let mut milestones = Map::new();
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut all_ok = true;
    for m in 0..count {
        match policy.deadline(tier_id, &case, m) {
            Ok(d) => {
                milestones.insert(
                    d.milestone().to_owned(),
                    json!({"due": d.due().to_rfc3339(), "clock": d.clock(), "target": d.target_text()}),
                );
                rows.push([
                    d.milestone().to_owned(),
                    d.due().to_rfc3339(),
                    d.clock().to_owned(),
                    d.target_text().to_owned(),
                ]);
            }
            Err(e) if matches!(e.kind(), SlaErrorKind::NotApplicable { .. }) => {}
            Err(e) => {
                report::error(&e.to_string());
                all_ok = false;
            }
        }
    }
    let severity = severity_of(&policy, &args.case, args.severity.as_deref());
    let mut stdout = io::stdout().lock();
    if args.format == SlaFormat::Table {
        let sev = severity
            .as_str()
            .map(|s| format!(", severity {s}"))
            .unwrap_or_default();
        writeln!(
            stdout,
            "case {}{sev} for tier {}, opened {}",
            args.case,
            args.tier,
            opened.with_timezone(&policy.timezone()).to_rfc3339()
        )?;
        for (from, to) in &paused {
            writeln!(
                stdout,
                "paused {} to {}",
                from.with_timezone(&policy.timezone()).to_rfc3339(),
                to.with_timezone(&policy.timezone()).to_rfc3339()
            )?;
        }
        writeln!(stdout)?;
        let header = ["milestone", "due", "clock", "target"].map(str::to_owned);
        let mut widths = [0usize; 4];
        for row in std::iter::once(&header).chain(&rows) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for row in std::iter::once(&header).chain(&rows) {
            let line: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
                .collect();
            writeln!(stdout, "{}", line.join("  ").trim_end())?;
        }
        return Ok(all_ok);
    }
    let out = json!({
        "tier": args.tier,
        "case": args.case,
        "severity": severity,
        "milestones": milestones,
    });
    writeln!(stdout, "{out}")?;
    Ok(all_ok)
}

/// Shows, for one customer of a file, its tier and service and how a case of it is handled:
/// the route, each milestone's deadline with the rule that set it, and the escalation steps.
pub fn route(args: &RouteArgs) -> io::Result<bool> {
    let Some(policy) = report::load_policy(&args.policy.policy) else {
        return Ok(false);
    };
    let as_of = report::as_of(&policy, args.policy.as_of);
    // the problems of the file itself are not reported here; the file is read up to the
    // customer
    let Some(rows) = report::Rows::open(
        &args.input.customers,
        &[&policy],
        args.input.ignore_extra_columns,
    ) else {
        return Ok(false);
    };
    let mut rows = rows.quiet();
    let Some(record) = rows.find(args.id.trim()) else {
        return Ok(false);
    };
    let Some(customer) = report::build_at(&rows, &record) else {
        return Ok(false);
    };
    let resolution = match policy.resolve(&customer, as_of) {
        Ok(r) => r,
        Err(e) => {
            report::error(&e.to_string());
            return Ok(false);
        }
    };
    let (opened, paused) = match instants(&policy, args.opened, &args.paused) {
        Ok(x) => x,
        Err(e) => {
            report::error(&e);
            return Ok(false);
        }
    };
    let Some(case) = case(
        &policy,
        &args.case,
        args.severity.as_deref(),
        args.channel.as_deref(),
        opened,
        &paused,
    ) else {
        return Ok(false);
    };
    let handling = match policy.handle(&customer, &resolution, &case) {
        Ok(h) => h,
        Err(e) => {
            report::error(&e.to_string());
            return Ok(false);
        }
    };
    let tier = report::tier_id(&policy, resolution.tier());
    let mut out = io::stdout().lock();
    if args.format == RouteFormat::Json {
        let service = policy.service(&resolution).ok().flatten().map(|s| {
            json!({
                "support_hours": s.support_hours(),
                "account_manager": s.account_manager().as_str(),
                "channels": s.channels().collect::<Vec<_>>(),
                "review_every_days": s.review_every_days(),
                "response": s.responses().map(|(c, d)| (c.to_owned(), json!(d.to_string()))).collect::<Map<_, _>>(),
                "benefits": s.benefits().collect::<Vec<_>>(),
            })
        });
        let value = json!({
            "id": customer.id(),
            "tier": tier,
            "score": resolution.assignment().score().to_string(),
            "service": service,
            "case": args.case,
            "severity": severity_of(&policy, &args.case, args.severity.as_deref()),
            "handling": handling,
        });
        writeln!(out, "{value}")?;
        return Ok(true);
    }
    writeln!(
        out,
        "customer {} on {as_of}: tier {tier} (score {})",
        customer.id(),
        resolution.assignment().score()
    )?;
    if let Ok(Some(s)) = policy.service(&resolution) {
        writeln!(
            out,
            "service: support hours {}, account manager {}, review every {} days",
            s.support_hours(),
            s.account_manager().as_str(),
            s.review_every_days()
        )?;
        let benefits: Vec<&str> = s.benefits().collect();
        if !benefits.is_empty() {
            writeln!(out, "  benefits: {}", benefits.join(", "))?;
        }
    }
    let severity = severity_of(&policy, &args.case, args.severity.as_deref());
    let severity = severity
        .as_str()
        .map(|s| format!(", severity {s}"))
        .unwrap_or_default();
    let opened = case.opened().with_timezone(&policy.timezone());
    writeln!(
        out,
        "case {}{severity}, opened {}",
        args.case,
        opened.to_rfc3339()
    )?;
    match handling.route() {
        Some(r) => {
            let assign = r
                .assign()
                .map(|a| format!(", assigned to {a}"))
                .unwrap_or_default();
            writeln!(
                out,
                "  route: queue {}{assign} (routing rule {})",
                r.queue(),
                r.rule()
            )?;
        }
        None => writeln!(out, "  route: no routing rule matches")?,
    }
    for d in handling.deadlines() {
        writeln!(
            out,
            "  {}: due {} ({} on {}, from {})",
            d.milestone(),
            d.due().to_rfc3339(),
            d.target_text(),
            d.clock(),
            d.rule()
        )?;
    }
    for e in handling.escalation() {
        writeln!(
            out,
            "  escalate {} at {}: notify {} at {}",
            e.milestone(),
            e.at(),
            e.notify(),
            e.due().to_rfc3339()
        )?;
    }
    Ok(true)
}
