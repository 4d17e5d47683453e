//! What the analysis of a policy finds (spec section 15): sound warnings about a compiled
//! policy ([`Policy::warnings`](crate::Policy::warnings)), witnesses (one customer per
//! reachable tier) and next-tier guidance (section 16).
//!
//! Everything here is a pure function of the compiled model. The analysis reasons over the
//! domains every accepted record can take (`domain`) and the ranges of the scores
//! (`range`); it says something only when it holds for every record, and nothing where
//! it cannot decide.

mod domain;
pub(crate) mod guidance;
mod range;
pub(crate) mod witness;

pub use guidance::{CapGuidance, Guidance, MetricGuidance, Needed, RequirementGuidance};

use rust_decimal::Decimal;

use domain::{outcomes, Domains, Interval, Var};
use range::Range;

pub use crate::error::{Warning, WarningCode};

use crate::error::{Diag, DiagnosticKind, Span};
use crate::model::{AdjustKind, CmpOp, Compiled, Cond, MetricKind, Operand, Rv};

/// Every warning about the policy, in the order of the constructs in the policy.
pub(crate) fn warnings(p: &Compiled) -> Vec<Warning> {
    let sources = &p.places.sources;
    findings(p)
        .into_iter()
        .map(|f| Warning::new(f.code, f.diag, sources))
        .collect()
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Tier(usize),
    Require(usize, usize),
    Adjustment(usize),
    Grant(usize),
    Route(usize),
    Dimension(usize),
    Calendar(usize),
    Milestone(usize, usize),
}

/// A warning before it is located, with the construct it is about.
#[derive(Debug)]
pub(crate) struct Finding {
    pub(crate) code: WarningCode,
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "the soundness test checks each warning against its construct"
        )
    )]
    pub(crate) target: Target,
    pub(crate) diag: Diag,
}

/// Every finding, ordered by place.
pub(crate) fn findings(p: &Compiled) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut base = Domains::of(p);
    let composite = range::fill(p, &mut base);
    let cx = Cx { p, doms: &base };
    cx.dimensions(&mut out);
    cx.tiers(composite, &mut out);
    cx.requirements(&mut out);
    cx.adjustments(&mut out);
    cx.grants(&mut out);
    cx.routing(&mut out);
    cx.calendars(&mut out);
    cx.cancelling(&mut out);
    cx.milestone_order(&mut out);
    out.sort_by_key(|f| (f.diag.span.file, f.diag.span.start));
    out
}

struct Cx<'a> {
    p: &'a Compiled,
    doms: &'a Domains,
}

type Found = Vec<Finding>;

fn warn(
    code: WarningCode,
    target: Target,
    span: Span,
    message: String,
    help: Option<String>,
) -> Finding {
    Finding {
        code,
        target,
        diag: Diag::new(DiagnosticKind::Inconsistent, span, message).with_help_opt(help),
    }
}

impl Cx<'_> {
    fn tier_id(&self, rank: u16) -> &str {
        self.p
            .tier_ids
            .get(usize::from(rank))
            .map_or("", String::as_str)
    }

    fn dimensions(&self, out: &mut Found) {
        let p = self.p;
        for (i, d) in p.dimensions.iter().enumerate() {
            let Some(dom) = self.doms.metrics.get(usize::from(d.metric)) else {
                continue;
            };
            let Some(Range::Within(lo, hi)) = range::dimension(p, i, d, dom) else {
                continue;
            };
            if lo != hi {
                continue;
            }
            let metric = p
                .metrics
                .get(usize::from(d.metric))
                .map_or("", |m| m.name.as_str());
            let span = p.places.dimensions.get(i).copied().unwrap_or_default();
            out.push(warn(
                WarningCode::DimensionConstant,
                Target::Dimension(i),
                span,
                format!(
                    "dimension `{}` scores {lo} for every customer{}",
                    d.name,
                    self.metric_note(d.metric)
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                ),
                Some(format!(
                    "every value `{metric}` can take falls on one flat part of the curve, so the dimension adds the same points to every score; widen the curve's points or remove the dimension"
                )),
            ));
        }
    }

    /// Tiers no record can qualify for (spec section 4), with the highest composite.
    fn tiers(&self, composite: Option<Range>, out: &mut Found) {
        let p = self.p;
        for (t, tier) in p.tiers.iter().enumerate() {
            let Ok(rank) = u16::try_from(t) else { continue };
            let (mut doms, with_require) = meeting(p, tier);
            let highest = match with_require {
                Some(Range::Within(_, h)) => Some(h),
                _ => None,
            };
            let reason = match (with_require, highest) {
                (Some(Range::Within(..)), Some(h)) if h < tier.min_score => Some((format!(
                    "the highest composite any customer reaches{} is {h}, below its `min_score` of {}",
                    if tier.require.is_empty() { "" } else { " while meeting its requirements" },
                    tier.min_score
                ), true)),
                (Some(Range::Empty), _) => Some(("its requirements cannot all hold at once".to_owned(), false)),
                _ => {
                    doms.score.lo = Some(doms.score.lo.map_or(tier.min_score, |l| l.max(tier.min_score)));
                    self.qualifies_never(t, &doms).map(|(admitted, highest_tier)| {
                        let top = composite_text(composite);
                        let text = if admitted {
                            format!(
                                "every customer it admits also qualifies for a higher tier, such as `{}`{top}",
                                self.tier_id(highest_tier)
                            )
                        } else {
                            format!(
                                "its requirements cannot all hold together with a score of at least {}{top}",
                                tier.min_score
                            )
                        };
                        (text, false)
                    })
                }
            };
            let Some((reason, at_min_score)) = reason else {
                continue;
            };
            let floors: Vec<usize> = p
                .adjustments
                .iter()
                .enumerate()
                .filter(|(_, a)| a.kind == AdjustKind::AtLeast && a.tier == rank)
                .filter(|(_, a)| outcomes(p, self.doms, &a.when).is_none_or(|(t, _)| t))
                .map(|(i, _)| i)
                .collect();
            let help = match floors.first() {
                Some(&i) => format!(
                    "the floor `at_least = \"{}\"` ({}) can still give the tier, and so can a pin",
                    tier.id,
                    self.line_of(p.places.adjustments.get(i).map(|s| s.0))
                ),
                None => format!(
                    "no floor (`at_least = \"{}\"`) gives the tier; only a pin (`pinned_tier`) or a previous tier kept by the downgrade rules can",
                    tier.id
                ),
            };
            let spans = if at_min_score {
                &p.places.min_scores
            } else {
                &p.places.tiers
            };
            let span = spans.get(t).copied().unwrap_or_default();
            out.push(warn(
                WarningCode::UnreachableTier,
                Target::Tier(t),
                span,
                format!("tier `{}` is unreachable: {reason}", tier.id),
                Some(help),
            ));
        }
    }

    /// Whether no point of `doms` qualifies for tier `t` (admitted by it and by no higher
    /// tier). `Some((false, _))`: none is even admitted; `Some((true, u))`: every admitted
    /// point is admitted by a higher tier, the highest such being `u`. `None`: it can, or
    /// it cannot be decided.
    fn qualifies_never(&self, t: usize, doms: &Domains) -> Option<(bool, u16)> {
        let p = self.p;
        let gates: Vec<Cond> = p
            .tiers
            .iter()
            .take(t + 1)
            .map(|u| {
                let mut all = vec![Cond::Cmp(
                    Operand::Score,
                    CmpOp::Ge,
                    Operand::Lit(Rv::Num(u.min_score)),
                )];
                all.extend(u.require.iter().map(|(_, c)| c.clone()));
                Cond::And(all.into_boxed_slice())
            })
            .collect();
        let refs: Vec<&Cond> = gates.iter().collect();
        let own = gates.get(t)?;
        let mut admitted = false;
        let mut qualifies = false;
        let mut by = u16::MAX;
        domain::explore(p, doms, &refs, |env| {
            if own.eval(env) {
                admitted = true;
                match gates.iter().take(t).position(|g| g.eval(env)) {
                    Some(u) => by = by.min(u16::try_from(u).unwrap_or(u16::MAX)),
                    None => qualifies = true,
                }
            }
            !qualifies
        })?;
        (!qualifies).then_some((admitted, by))
    }

    fn requirements(&self, out: &mut Found) {
        let p = self.p;
        for (t, tier) in p.tiers.iter().enumerate() {
            for (j, (text, c)) in tier.require.iter().enumerate() {
                let span = p
                    .places
                    .requires
                    .get(t)
                    .and_then(|r| r.get(j))
                    .copied()
                    .unwrap_or_default();
                let Some((can_hold, can_fail)) = outcomes(p, self.doms, c) else {
                    continue;
                };
                if !can_hold {
                    out.push(warn(
                        WarningCode::ConditionNeverHolds,
                        Target::Require(t, j),
                        span,
                        self.never(text, c),
                        Some(format!(
                            "no customer can meet this requirement of tier `{}`, so no customer qualifies for it; fix the condition or remove it",
                            tier.id
                        )),
                    ));
                } else if !can_fail {
                    out.push(warn(
                        WarningCode::ConditionAlwaysHolds,
                        Target::Require(t, j),
                        span,
                        self.always(text, c),
                        Some(format!(
                            "the requirement gates nothing for tier `{}`; tighten it or remove it",
                            tier.id
                        )),
                    ));
                }
            }
        }
    }

    fn adjustments(&self, out: &mut Found) {
        let p = self.p;
        let last = u16::try_from(p.tiers.len().saturating_sub(1)).unwrap_or(u16::MAX);
        for (i, a) in p.adjustments.iter().enumerate() {
            let (when, tier_span) = p.places.adjustments.get(i).copied().unwrap_or_default();
            let what = match a.kind {
                AdjustKind::AtLeast => "at_least",
                AdjustKind::AtMost => "at_most",
            };
            let tier = self.tier_id(a.tier);
            match (a.kind, a.tier) {
                (AdjustKind::AtLeast, t) if t == last => out.push(warn(
                    WarningCode::AdjustmentNoEffect,
                    Target::Adjustment(i),
                    tier_span,
                    format!("`at_least = \"{tier}\"` names the floor tier: every customer is at least `{tier}` already, so the adjustment never changes a tier"),
                    Some("name a higher tier, or remove the adjustment".to_owned()),
                )),
                (AdjustKind::AtMost, 0) => out.push(warn(
                    WarningCode::AdjustmentNoEffect,
                    Target::Adjustment(i),
                    tier_span,
                    format!("`at_most = \"{tier}\"` names the highest tier: no customer is above `{tier}`, so the adjustment never changes a tier"),
                    Some("name a lower tier, or remove the adjustment".to_owned()),
                )),
                _ => {}
            }
            let Some((can_hold, can_fail)) = outcomes(p, self.doms, &a.when) else {
                continue;
            };
            let kind = if a.kind == AdjustKind::AtLeast {
                "floor"
            } else {
                "cap"
            };
            if !can_hold {
                out.push(warn(
                    WarningCode::ConditionNeverHolds,
                    Target::Adjustment(i),
                    when,
                    self.never(&a.when_text, &a.when),
                    Some(format!(
                        "the {kind} `{what} = \"{tier}\"` ({}) never applies; fix the condition or remove the adjustment",
                        a.reason
                    )),
                ));
            } else if !can_fail {
                out.push(warn(
                    WarningCode::ConditionAlwaysHolds,
                    Target::Adjustment(i),
                    when,
                    self.always(&a.when_text, &a.when),
                    Some(format!(
                        "the {kind} `{what} = \"{tier}\"` ({}) applies to every customer",
                        a.reason
                    )),
                ));
            }
        }
    }

    fn grants(&self, out: &mut Found) {
        let p = self.p;
        for (i, g) in p.services.grants.iter().enumerate() {
            let Some(c) = &g.when else { continue };
            let span = p.places.grants.get(i).copied().unwrap_or_default();
            if let Some((false, _)) = outcomes(p, self.doms, c) {
                out.push(warn(
                    WarningCode::ConditionNeverHolds,
                    Target::Grant(i),
                    span,
                    self.never(&self.written(span), c),
                    Some(
                        "the grant never gives its benefits; fix the condition or remove the grant"
                            .to_owned(),
                    ),
                ));
            }
        }
    }

    fn routing(&self, out: &mut Found) {
        let p = self.p;
        let rules = &p.services.routing;
        for (j, r) in rules.iter().enumerate() {
            let span = p.places.routing.get(j).copied().unwrap_or_default();
            if let (Some(c), Some(text)) = (&r.when, &r.when_text) {
                if let Some((false, _)) = outcomes(p, self.doms, c) {
                    out.push(warn(
                        WarningCode::ConditionNeverHolds,
                        Target::Route(j),
                        span,
                        self.never(text, c),
                        Some(format!("no case matches the rule, so it never sends a case to `{}`; fix the condition or remove the rule", r.queue)),
                    ));
                    continue;
                }
            }
            let earlier: Vec<&Cond> = rules
                .iter()
                .take(j)
                .filter_map(|e| e.when.as_ref())
                .collect();
            if earlier.is_empty() {
                continue;
            }
            let always = Cond::Const(true);
            let own = r.when.as_ref().unwrap_or(&always);
            let covered = |conds: &[&Cond]| {
                let mut all: Vec<&Cond> = conds.to_vec();
                all.push(own);
                let mut escapes = false;
                domain::explore(p, self.doms, &all, |env| {
                    if own.eval(env) && !conds.iter().any(|c| c.eval(env)) {
                        escapes = true;
                    }
                    !escapes
                })
                .map(|()| !escapes)
            };
            // one earlier rule that covers it is the clearest thing to point at
            let single = rules
                .iter()
                .take(j)
                .enumerate()
                .find(|(_, e)| e.when.as_ref().is_some_and(|c| covered(&[c]) == Some(true)));
            let by = match single {
                Some((i, _)) => Some(Some(i)),
                None => (covered(&earlier) == Some(true)).then_some(None),
            };
            let Some(by) = by else { continue };
            let what = r
                .when_text
                .as_deref()
                .map_or("the catch-all rule".to_owned(), |t| {
                    format!("the rule `{t}`")
                });
            let message = match by {
                Some(i) => format!(
                    "{what} (queue `{}`) never decides: every case it matches is matched by the earlier rule `{}` ({})",
                    r.queue,
                    rules.get(i).and_then(|e| e.when_text.as_deref()).unwrap_or(""),
                    self.line_of(p.places.routing.get(i).copied())
                ),
                None => format!(
                    "{what} (queue `{}`) never decides: every case it matches is matched by an earlier rule",
                    r.queue
                ),
            };
            out.push(warn(
                WarningCode::RoutingRuleShadowed,
                Target::Route(j),
                span,
                message,
                Some("move it before the rules that catch its cases, or remove it".to_owned()),
            ));
        }
    }

    /// Holidays listed twice, and make-up workdays on days open anyway.
    fn calendars(&self, out: &mut Found) {
        let p = self.p;
        for (k, c) in p.places.calendars.iter().enumerate() {
            for (j, &(from, to, span)) in c.holidays.iter().enumerate() {
                let earlier = c
                    .holidays
                    .iter()
                    .take(j)
                    .find(|(f, t, _)| *f <= to && from <= *t);
                if let Some(&(f, t, at)) = earlier {
                    let what = |a: chrono::NaiveDate, b: chrono::NaiveDate| {
                        if a == b {
                            format!("{a}")
                        } else {
                            format!("{a} to {b}")
                        }
                    };
                    out.push(warn(
                        WarningCode::HolidayTwice,
                        Target::Calendar(k),
                        span,
                        format!(
                            "holiday {} of calendar `{}` is listed already: {} ({})",
                            what(from, to),
                            c.name,
                            what(f, t),
                            self.line_of(Some(at))
                        ),
                        Some(
                            "list each holiday once: remove the day, or shorten the range"
                                .to_owned(),
                        ),
                    ));
                }
            }
            let Some((_, cal)) = p.services.calendars.iter().find(|(n, _)| *n == c.name) else {
                continue;
            };
            for &(date, span) in &c.workdays {
                use chrono::Datelike;
                let open = cal.weekly_hours().open_seconds(date.weekday()) > 0;
                let holiday = c.holidays.iter().any(|(f, t, _)| *f <= date && date <= *t);
                if open && !holiday {
                    out.push(warn(
                        WarningCode::WorkdayAlreadyOpen,
                        Target::Calendar(k),
                        span,
                        format!(
                            "make-up workday {date} of calendar `{}` is a {}, which is open anyway",
                            c.name,
                            weekday_name(date.weekday())
                        ),
                        Some("a make-up workday opens a day that would be closed (a weekend day); on an open day it only swaps its hours for those of `like`".to_owned()),
                    ));
                }
            }
        }
    }

    /// A floor and a cap with the same condition, the cap below the floor.
    fn cancelling(&self, out: &mut Found) {
        let p = self.p;
        for (i, a) in p.adjustments.iter().enumerate() {
            for (j, b) in p.adjustments.iter().enumerate().take(i) {
                if a.when != b.when || a.kind == b.kind {
                    continue;
                }
                let (floor, cap) = if a.kind == AdjustKind::AtLeast {
                    (a, b)
                } else {
                    (b, a)
                };
                // ranks count down from the highest tier: a cap below the floor
                if cap.tier <= floor.tier {
                    continue;
                }
                let span = p.places.adjustments.get(i).map(|s| s.0).unwrap_or_default();
                out.push(warn(
                    WarningCode::AdjustmentsCancel,
                    Target::Adjustment(i),
                    span,
                    format!(
                        "the floor `at_least = \"{}\"` and the cap `at_most = \"{}\"` have the same condition `{}`: whenever the floor raises a customer, the cap lowers it again",
                        self.tier_id(floor.tier),
                        self.tier_id(cap.tier),
                        a.when_text
                    ),
                    Some(format!(
                        "the other adjustment is on {}; remove one, or give them different conditions",
                        self.line_of(p.places.adjustments.get(j).map(|s| s.0))
                    )),
                ));
            }
        }
    }

    /// A milestone due before one listed earlier, for every tier and severity.
    fn milestone_order(&self, out: &mut Found) {
        let p = self.p;
        let s = &p.services;
        for (ci, def) in s.cases.iter().enumerate() {
            for j in 1..def.milestones.len() {
                for i in 0..j {
                    let mut compared = 0usize;
                    let mut always_before = true;
                    for tier in 0..p.tiers.len() {
                        for sev in 0..def.severity_slots() {
                            if !(def.applies(sev, i) && def.applies(sev, j)) {
                                continue;
                            }
                            let target = |m: usize| {
                                s.sla
                                    .targets
                                    .get(def.slot(tier, sev, m))
                                    .and_then(Option::as_ref)
                            };
                            match (target(i), target(j)) {
                                (Some(a), Some(b)) if a.clock == b.clock => {
                                    compared += 1;
                                    if b.duration.seconds() >= a.duration.seconds() {
                                        always_before = false;
                                    }
                                }
                                _ => always_before = false,
                            }
                        }
                    }
                    if compared == 0 || !always_before {
                        continue;
                    }
                    let span = p
                        .places
                        .milestones
                        .get(ci)
                        .and_then(|m| m.get(j))
                        .copied()
                        .unwrap_or_default();
                    let name = |m: usize| def.milestones.get(m).map_or("", String::as_str);
                    out.push(warn(
                        WarningCode::MilestoneOrder,
                        Target::Milestone(ci, j),
                        span,
                        format!(
                            "milestone `{}` of case `{}` is listed after `{}` but is due before it for every tier and severity",
                            name(j),
                            def.kind,
                            name(i)
                        ),
                        Some("milestones count from the opening of the case; list them in the order they fall due, or check the targets".to_owned()),
                    ));
                    break;
                }
            }
        }
    }

    fn never(&self, text: &str, c: &Cond) -> String {
        format!(
            "condition `{text}` never holds{}",
            self.notes(c).map(|n| format!(": {n}")).unwrap_or_default()
        )
    }

    fn always(&self, text: &str, c: &Cond) -> String {
        format!(
            "condition `{text}` holds for every customer{}",
            self.notes(c).map(|n| format!(": {n}")).unwrap_or_default()
        )
    }

    /// The bounds of the numbers a condition reads, which are why it never or always holds.
    fn notes(&self, c: &Cond) -> Option<String> {
        let mut vars = Vec::new();
        collect_vars(c, &mut vars);
        vars.sort();
        vars.dedup();
        let notes: Vec<String> = vars
            .iter()
            .filter_map(|v| match *v {
                Var::Metric(m) => self.metric_note(m),
                Var::Score => interval_note("`score`", self.doms.score),
                Var::Dimension(d) => interval_note(
                    &format!(
                        "`dimension.{}`",
                        self.p
                            .dimension_names
                            .get(usize::from(d))
                            .map_or("", String::as_str)
                    ),
                    self.doms.dimensions.get(usize::from(d)).copied()?,
                ),
                _ => None,
            })
            .collect();
        (!notes.is_empty()).then(|| notes.join("; "))
    }

    fn metric_note(&self, m: u16) -> Option<String> {
        let def = self.p.metrics.get(usize::from(m))?;
        match &def.kind {
            MetricKind::Decimal { min, max } | MetricKind::Integer { min, max } => {
                interval_note(&format!("`{}`", def.name), Interval { lo: *min, hi: *max })
            }
            _ => None,
        }
    }

    fn line_of(&self, span: Option<Span>) -> String {
        let Some(span) = span else {
            return String::new();
        };
        match self.p.places.sources.get(usize::from(span.file)) {
            Some(s) => {
                let line = crate::error::line_col(&s.text, span.range().start).0;
                if span.file == 0 {
                    format!("line {line}")
                } else {
                    format!("{}:{line}", s.name)
                }
            }
            None => String::new(),
        }
    }

    /// A condition as written in the file (without its quotes).
    fn written(&self, span: Span) -> String {
        let text = self
            .p
            .places
            .sources
            .get(usize::from(span.file))
            .and_then(|s| s.text.get(span.range()))
            .unwrap_or("");
        let mut c = text.chars();
        c.next();
        c.next_back();
        c.as_str().to_owned()
    }
}

fn weekday_name(d: chrono::Weekday) -> &'static str {
    use chrono::Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};
    match d {
        Mon => "Monday",
        Tue => "Tuesday",
        Wed => "Wednesday",
        Thu => "Thursday",
        Fri => "Friday",
        Sat => "Saturday",
        Sun => "Sunday",
    }
}

fn composite_text(r: Option<Range>) -> String {
    match r {
        Some(Range::Within(_, h)) => {
            format!(" (the highest composite any customer reaches is {h})")
        }
        _ => String::new(),
    }
}

fn interval_note(name: &str, iv: Interval) -> Option<String> {
    match (iv.lo, iv.hi) {
        (Some(l), Some(h)) if l == h => Some(format!("{name} is always {l}")),
        (Some(l), Some(h)) => Some(format!("{name} is between {l} and {h}")),
        (Some(l), None) => Some(format!("{name} is at least {l}")),
        (None, Some(h)) => Some(format!("{name} is at most {h}")),
        (None, None) => None,
    }
}

pub(crate) fn collect_vars(c: &Cond, out: &mut Vec<Var>) {
    let op = |o: &Operand, out: &mut Vec<Var>| match *o {
        Operand::Metric(m) => out.push(Var::Metric(m)),
        Operand::Score => out.push(Var::Score),
        Operand::Dimension(d) => out.push(Var::Dimension(d)),
        _ => {}
    };
    match c {
        Cond::Const(_) | Cond::Truthy(_) => {}
        Cond::Not(c) => collect_vars(c, out),
        Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| collect_vars(c, out)),
        Cond::Cmp(a, _, b) => {
            op(a, out);
            op(b, out);
        }
        Cond::In(a, list) => {
            op(a, out);
            list.iter().for_each(|o| op(o, out));
        }
    }
}

/// The domains of the records that meet `tier`'s requirements, and the range of their
/// composite.
fn meeting(p: &Compiled, tier: &crate::model::Tier) -> (Domains, Option<Range>) {
    let mut doms = Domains::of(p);
    for (_, c) in &tier.require {
        doms.narrow(c);
    }
    let composite = range::fill(p, &mut doms);
    (doms, composite)
}

/// The highest composite of each tier's customers: over every accepted record that meets
/// the tier's requirements. `None` when no record meets them or it cannot be decided.
/// Shown by the language server's hover on a tier.
#[cfg_attr(
    not(feature = "lsp"),
    expect(dead_code, reason = "read by the language server")
)]
pub(crate) fn tier_highest(p: &Compiled) -> Vec<Option<Decimal>> {
    p.tiers
        .iter()
        .map(|tier| match meeting(p, tier).1 {
            Some(Range::Within(_, h)) => Some(h),
            _ => None,
        })
        .collect()
}

/// The highest score of each dimension over every accepted record.
pub(crate) fn dimension_highest(p: &Compiled) -> Vec<Option<Decimal>> {
    let doms = Domains::of(p);
    p.dimensions
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let dom = doms.metrics.get(usize::from(d.metric))?;
            match range::dimension(p, k, d, dom)? {
                Range::Within(_, h) => Some(h),
                Range::Empty => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
