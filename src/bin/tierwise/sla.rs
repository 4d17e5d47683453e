//! `tierwise sla` and `tierwise route`: deadlines of a case, and how one customer's case
//! is handled.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use tierwise::sla::{Case, SlaErrorKind};
use tierwise::{Policy, TierId};

use crate::input::Problem;
use crate::report;
use crate::{RouteArgs, RouteFormat, SlaArgs};

/// Parses `FROM/TO`, two RFC 3339 instants.
pub fn parse_pause(text: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let (a, b) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}` is not a pause: expected FROM/TO, two RFC 3339 times"))?;
    let from = parse_instant(a)?;
    let to = parse_instant(b)?;
    if to < from {
        return Err(format!("pause `{text}` ends before it starts"));
    }
    Ok((from, to))
}

/// Parses an RFC 3339 instant such as `2026-06-30T09:15:00+08:00`.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`{text}` is not an RFC 3339 time like 2026-06-30T09:15:00+08:00"))
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
    // like `--as-of` for the other commands: the day the case opened, in the policy's zone
    report::warn_if_not_in_force(
        &policy,
        args.opened.with_timezone(&policy.timezone()).date_naive(),
    );
    let Some(tier_id) = tier(&policy, &args.tier) else {
        return Ok(false);
    };
    let Some(case) = case(
        &policy,
        &args.case,
        args.severity.as_deref(),
        None,
        args.opened,
        &args.paused,
    ) else {
        return Ok(false);
    };
    // each milestone on its own: one that cannot be computed (a clock that opens too
    // rarely to reach its target within the search horizon) is reported, and the others
    // are still printed
    let count = policy.milestones(&args.case).map_or(0, Iterator::count);
    let mut milestones = Map::new();
    let mut all_ok = true;
    for m in 0..count {
        match policy.deadline(tier_id, &case, m) {
            Ok(d) => {
                milestones.insert(
                    d.milestone().to_owned(),
                    json!({"due": d.due().to_rfc3339(), "clock": d.clock(), "target": d.target_text()}),
                );
            }
            Err(e) if matches!(e.kind(), SlaErrorKind::NotApplicable { .. }) => {}
            Err(e) => {
                report::error(&e.to_string());
                all_ok = false;
            }
        }
    }
    let out = json!({
        "tier": args.tier,
        "case": args.case,
        "severity": severity_of(&policy, &args.case, args.severity.as_deref()),
        "milestones": milestones,
    });
    let mut stdout = io::stdout().lock();
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
    let label = rows.label();
    let Some(customer) = report::build_at(&policy, label, &record) else {
        return Ok(false);
    };
    let resolution = match policy.resolve(&customer, as_of) {
        Ok(r) => r,
        Err(e) => {
            report::error(&e.to_string());
            return Ok(false);
        }
    };
    let Some(case) = case(
        &policy,
        &args.case,
        args.severity.as_deref(),
        args.channel.as_deref(),
        args.opened,
        &args.paused,
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
