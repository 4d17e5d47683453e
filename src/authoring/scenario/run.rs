//! Running a scenario: evaluating its customer (and case) with the policy and comparing
//! what the policy decided with what the scenario expects.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::duration::BusinessDuration;
use crate::explain::Explanation;
use crate::policy::Policy;

use super::report::{Mismatch, ScenarioOutcome};
use super::*;

/// Runs one scenario of the suite `name` against `policy`.
pub(super) fn run_one(name: &Arc<str>, policy: &Policy, s: &Scenario) -> ScenarioOutcome {
    let mut mismatches = Vec::new();
    let mut trace = None;
    let wanted_error = s
        .expect
        .error
        .as_ref()
        .map(|e| format!("an error containing `{e}`"));
    match evaluate(policy, s) {
        Err(errors) => {
            let matched = s
                .expect
                .error
                .as_ref()
                .is_some_and(|want| errors.iter().any(|e| e.contains(want.as_str())));
            if !matched {
                mismatches.push(Mismatch::new(
                    "error",
                    wanted_error.unwrap_or_else(|| "no error".to_owned()),
                    errors.join("\n"),
                ));
            }
        }
        Ok(actual) => {
            if let Some(wanted) = wanted_error {
                mismatches.push(Mismatch::new(
                    "error",
                    wanted,
                    "no error: the customer was accepted",
                ));
            }
            compare(&s.expect, &actual, &mut mismatches);
            if !mismatches.is_empty() {
                trace = Some(actual.trace());
            }
        }
    }
    ScenarioOutcome {
        name: s.name.clone(),
        path: name.clone(),
        line: s.line,
        column: s.column,
        mismatches,
        trace,
    }
}

/// What the policy decided for one scenario, owned.
struct Actual {
    explanation: Explanation,
    service: Option<ServiceActual>,
    /// `None` without a case.
    handling: Option<HandlingActual>,
}

struct ServiceActual {
    support_hours: String,
    account_manager: &'static str,
    channels: Vec<String>,
    review_every_days: u32,
    benefits: Vec<String>,
    response: Vec<(String, BusinessDuration)>,
}

struct HandlingActual {
    case: String,
    /// Queue, assignee and rule number; `None` when no rule matches.
    route: Option<(String, Option<String>, usize)>,
    /// Milestone, due time, target, clock and rule.
    deadlines: Vec<(String, DateTime<Tz>, String, String, String)>,
    /// Milestone, at, notify, due time.
    escalation: Vec<(String, String, String, DateTime<Tz>)>,
}

impl Actual {
    /// The trace of a failed scenario: the explanation, then service and case handling.
    fn trace(&self) -> String {
        let mut out = self.explanation.to_string();
        if let Some(s) = &self.service {
            out.push_str(&format!(
                "\n\nservice: support hours {}, account manager {}, review every {} days",
                s.support_hours, s.account_manager, s.review_every_days
            ));
            out.push_str(&format!("\n  channels: {}", s.channels.join(", ")));
            if !s.response.is_empty() {
                let r: Vec<String> = s.response.iter().map(|(c, d)| format!("{c} {d}")).collect();
                out.push_str(&format!("\n  response: {}", r.join(", ")));
            }
            let benefits = if s.benefits.is_empty() {
                "none".to_owned()
            } else {
                s.benefits.join(", ")
            };
            out.push_str(&format!("\n  benefits: {benefits}"));
        }
        if let Some(h) = &self.handling {
            out.push_str(&format!("\n\n{}", h.case));
            match &h.route {
                Some((q, a, rule)) => {
                    let a = a
                        .as_ref()
                        .map(|a| format!(", assigned to {a}"))
                        .unwrap_or_default();
                    out.push_str(&format!("\n  route: queue {q}{a} (routing rule {rule})"));
                }
                None => out.push_str("\n  route: no routing rule matches"),
            }
            for (m, due, target, clock, rule) in &h.deadlines {
                out.push_str(&format!(
                    "\n  {m}: due {} ({target} on {clock}, from {rule})",
                    due.to_rfc3339()
                ));
            }
            for (m, at, notify, due) in &h.escalation {
                out.push_str(&format!(
                    "\n  escalate {m} at {at}: notify {notify} at {}",
                    due.to_rfc3339()
                ));
            }
        }
        out
    }
}

/// Builds the customer and evaluates everything the scenario may compare; the errors of a
/// rejected customer or case otherwise.
fn evaluate(policy: &Policy, s: &Scenario) -> Result<Actual, Vec<String>> {
    let mut b = policy.customer(s.customer_id.as_str());
    for (field, value) in &s.fields {
        b = b.set(field, value.clone());
    }
    let customer = b.build().map_err(|e| {
        e.errors()
            .iter()
            .map(|e| match e.help() {
                Some(h) => format!("{e} (help: {h})"),
                None => e.to_string(),
            })
            .collect::<Vec<_>>()
    })?;
    let explanation = policy
        .explain(&customer, s.as_of)
        .map_err(|e| vec![e.to_string()])?;
    let mut actual = Actual {
        explanation,
        service: None,
        handling: None,
    };
    if !policy.has_services() && s.case.is_none() {
        return Ok(actual);
    }
    let resolution = policy
        .resolve(&customer, s.as_of)
        .map_err(|e| vec![e.to_string()])?;
    let service = policy
        .service(&resolution)
        .map_err(|e| vec![e.to_string()])?;
    actual.service = service.map(|sv| ServiceActual {
        support_hours: sv.support_hours().to_owned(),
        account_manager: sv.account_manager().as_str(),
        channels: sv.channels().map(str::to_owned).collect(),
        review_every_days: sv.review_every_days(),
        benefits: sv.benefits().map(str::to_owned).collect(),
        response: sv.responses().map(|(c, d)| (c.to_owned(), d)).collect(),
    });
    if let Some((case, text)) = &s.case {
        let h = policy
            .handle(&customer, &resolution, case)
            .map_err(|e| vec![e.to_string()])?;
        let tz = policy.timezone();
        actual.handling = Some(HandlingActual {
            case: format!(
                "{text}, opened {}",
                case.opened().with_timezone(&tz).to_rfc3339()
            ),
            route: h.route().map(|r| {
                (
                    r.queue().to_owned(),
                    r.assign().map(str::to_owned),
                    r.rule(),
                )
            }),
            deadlines: h
                .deadlines()
                .iter()
                .map(|d| {
                    (
                        d.milestone().to_owned(),
                        d.due(),
                        d.target_text().to_owned(),
                        d.clock().to_owned(),
                        d.rule().to_owned(),
                    )
                })
                .collect(),
            escalation: h
                .escalation()
                .iter()
                .map(|x| {
                    (
                        x.milestone().to_owned(),
                        x.at().to_owned(),
                        x.notify().to_owned(),
                        x.due(),
                    )
                })
                .collect(),
        });
    }
    Ok(actual)
}

fn show_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn same_set(expected: &[String], actual: &[String]) -> bool {
    expected.len() == actual.len() && expected.iter().all(|e| actual.contains(e))
}

fn compare(e: &Expect, a: &Actual, out: &mut Vec<Mismatch>) {
    let x = &a.explanation;
    let mut check = |field: &str, expected: String, actual: String, equal: bool| {
        if !equal {
            out.push(Mismatch::new(field, expected, actual));
        }
    };
    if let Some(t) = &e.tier {
        check("tier", t.clone(), x.tier().to_owned(), t == x.tier());
    }
    if let Some(sc) = e.score {
        check(
            "score",
            sc.to_string(),
            x.score().to_string(),
            sc == x.score().value(),
        );
    }
    if let Some(t) = &e.qualified_tier {
        check(
            "qualified_tier",
            t.clone(),
            x.qualified_tier().to_owned(),
            t == x.qualified_tier(),
        );
    }
    if let Some(d) = &e.decided_by {
        let actual = x.decided_by().as_str();
        check("decided_by", d.clone(), actual.to_owned(), d == actual);
    }
    for (i, name, want) in &e.dimensions {
        let got = x.dimensions().get(*i).map(|d| d.score().value());
        check(
            &format!("dimensions.{name}"),
            want.to_string(),
            got.map_or_else(|| "none".to_owned(), |g| g.to_string()),
            got == Some(*want),
        );
    }
    if let Some(d) = e.tier_since {
        let got = x.state().tier_since;
        check("state.tier_since", d.to_string(), got.to_string(), d == got);
    }
    if let Some(d) = e.last_qualified {
        let got = x.state().last_qualified;
        let show = |d: Option<NaiveDate>| d.map_or_else(|| "never".to_owned(), |d| d.to_string());
        check("state.last_qualified", show(d), show(got), d == got);
    }
    if let Some(s) = &a.service {
        let w = &e.service;
        if let Some(h) = &w.support_hours {
            check(
                "service.support_hours",
                h.clone(),
                s.support_hours.clone(),
                *h == s.support_hours,
            );
        }
        if let Some(m) = &w.account_manager {
            check(
                "service.account_manager",
                m.clone(),
                s.account_manager.to_owned(),
                m == s.account_manager,
            );
        }
        if let Some(n) = w.review_every_days {
            check(
                "service.review_every_days",
                n.to_string(),
                s.review_every_days.to_string(),
                n == i64::from(s.review_every_days),
            );
        }
        if let Some(c) = &w.channels {
            check(
                "service.channels",
                show_list(c),
                show_list(&s.channels),
                same_set(c, &s.channels),
            );
        }
        if let Some(b) = &w.benefits {
            check(
                "service.benefits",
                show_list(b),
                show_list(&s.benefits),
                same_set(b, &s.benefits),
            );
        }
        for (channel, want) in &w.response {
            let got = s
                .response
                .iter()
                .find(|(c, _)| c == channel)
                .map(|(_, d)| *d);
            check(
                &format!("service.response.{channel}"),
                want.to_string(),
                got.map_or_else(|| "none".to_owned(), |d| d.to_string()),
                got == Some(*want),
            );
        }
    }
    let Some(h) = &a.handling else {
        return;
    };
    let queue = h.route.as_ref().map(|r| r.0.as_str());
    if let Some(q) = &e.queue {
        check(
            "route.queue",
            q.clone(),
            queue.unwrap_or("none: no routing rule matches").to_owned(),
            Some(q.as_str()) == queue,
        );
    }
    if let Some(want) = &e.assign {
        let got = h.route.as_ref().and_then(|r| r.1.clone());
        let show = |a: &Option<String>| a.clone().unwrap_or_else(|| "no one".to_owned());
        check("route.assign", show(want), show(&got), *want == got);
    }
    for (m, want) in &e.deadlines {
        let got = h.deadlines.iter().find(|d| d.0 == *m).map(|d| d.1);
        let expected = match got {
            Some(g) => want.with_timezone(&g.timezone()).to_rfc3339(),
            None => want.to_rfc3339(),
        };
        check(
            &format!("deadlines.{m}"),
            expected,
            got.map_or_else(|| "none".to_owned(), |g| g.to_rfc3339()),
            got.is_some_and(|g| g.with_timezone(&Utc) == *want),
        );
    }
    for step in &e.escalation {
        let got = h
            .escalation
            .iter()
            .find(|x| {
                x.0 == step.milestone
                    && x.2 == step.notify
                    && step.at.as_ref().is_none_or(|at| *at == x.1)
            })
            .map(|x| x.3);
        let expected = match got {
            Some(g) => step.due.with_timezone(&g.timezone()).to_rfc3339(),
            None => step.due.to_rfc3339(),
        };
        let at = step
            .at
            .as_ref()
            .map(|a| format!(".{a}"))
            .unwrap_or_default();
        check(
            &format!("escalation.{}.{}{at}", step.milestone, step.notify),
            expected,
            got.map_or_else(|| "none".to_owned(), |g| g.to_rfc3339()),
            got.is_some_and(|g| g.with_timezone(&Utc) == step.due),
        );
    }
}
