//! Rendering a trace for people (`Display`).

use std::fmt;

use super::trace::{DimensionTrace, Explanation};
use crate::eval::Decision;

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "customer {} on {} (policy {} version {})",
            self.customer, self.as_of, self.policy.id, self.policy.version
        )?;
        writeln!(f)?;
        writeln!(f, "score")?;
        let w_name = self
            .dimensions
            .iter()
            .map(|d| d.name.len())
            .max()
            .unwrap_or(0)
            .max(9);
        let w_metric = self
            .dimensions
            .iter()
            .map(|d| d.metric.len())
            .max()
            .unwrap_or(0)
            .max(6);
        let value_text = |d: &DimensionTrace| {
            let v = match (&d.value, &d.unit) {
                (Some(v), Some(u)) => format!("{v} {u}"),
                (Some(v), None) => v.clone(),
                (None, _) => "(absent)".into(),
            };
            match &d.measured {
                Some(m) => format!("{v} ({m})"),
                None => v,
            }
        };
        let w_value = self
            .dimensions
            .iter()
            .map(|d| value_text(d).chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        writeln!(
            f,
            "  {:<w_name$}  {:<w_metric$}  {:<w_value$}  {:>7}  {:>6}  {:>12}",
            "dimension", "metric", "value", "score", "weight", "contribution"
        )?;
        for d in &self.dimensions {
            let v = value_text(d);
            let pad = w_value.saturating_sub(v.chars().count());
            writeln!(
                f,
                "  {:<w_name$}  {:<w_metric$}  {v}{}  {:>7}  {:>6}  {:>12}",
                d.name,
                d.metric,
                " ".repeat(pad),
                d.score.to_string(),
                d.weight.to_string(),
                d.contribution.to_string()
            )?;
        }
        writeln!(f, "  composite score: {}", self.score)?;
        writeln!(f)?;
        writeln!(f, "qualified tier: {}", self.qualified_tier)?;
        for g in &self.higher_tiers {
            let mut reasons = Vec::new();
            if !g.score_met {
                reasons.push(format!(
                    "score {} is below its min_score {}",
                    self.score, g.min_score
                ));
            }
            for r in &g.failed_requirements {
                reasons.push(format!("requirement `{r}` does not hold"));
            }
            writeln!(f, "  not {}: {}", g.tier, reasons.join("; "))?;
        }
        if !self.adjustments.is_empty() {
            writeln!(f, "adjustments that apply:")?;
            for a in &self.adjustments {
                let what = if a.kind == "at_least" { "floor" } else { "cap" };
                let effect = if a.decisive { "" } else { " (no effect)" };
                writeln!(
                    f,
                    "  {what} {} ({}): when `{}`{effect}",
                    a.tier, a.reason, a.when
                )?;
            }
        }
        if let Some(p) = &self.previous {
            let since = p
                .tier_since
                .map(|d| format!(" since {d}"))
                .unwrap_or_default();
            let lq = p
                .last_qualified
                .map(|d| format!(", last qualified {d}"))
                .unwrap_or_default();
            let known = if p.known {
                ""
            } else {
                " (not a tier of this policy: ignored)"
            };
            writeln!(f, "previous tier: {}{since}{lq}{known}", p.tier)?;
            for note in &p.not_kept {
                writeln!(f, "  not kept: {note}")?;
            }
        }
        if let Some(p) = &self.pin {
            let until = p.until.map(|d| format!(" until {d}")).unwrap_or_default();
            let reason = p
                .reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            writeln!(f, "pin: {}{until}{reason}: {}", p.tier, p.status)?;
        }
        writeln!(f)?;
        writeln!(f, "tier: {}", self.tier)?;
        writeln!(
            f,
            "  decided by {}: {}",
            decision_name(self.decided_by),
            self.decision
        )?;
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        let lq = self
            .state
            .last_qualified
            .map_or_else(|| "never".to_owned(), |d| d.to_string());
        write!(
            f,
            "new state: tier {}, since {}, last qualified {lq}",
            self.state.tier, self.state.tier_since
        )
    }
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Qualified => "qualification",
        Decision::Floor => "floor",
        Decision::Buffer => "downgrade buffer",
        Decision::Grace => "grace period",
        Decision::StepLimit => "step limit",
        Decision::Cap => "cap",
        Decision::Pin => "pin",
    }
}
