//! The places of a compiled policy's constructs, taken from the read files once compiling
//! succeeded (so every list matches the model one to one).

use crate::error::Source;
use crate::model::{CalendarPlaces, Places};
use crate::raw::RawPolicy;

pub(crate) fn of(raw: &RawPolicy, sources: &[Source]) -> Places {
    Places {
        sources: sources.to_vec(),
        tiers: raw
            .tiers
            .iter()
            .map(|t| t.id.as_ref().map_or(t.span, |i| i.span))
            .collect(),
        min_scores: raw
            .tiers
            .iter()
            .map(|t| {
                t.min_score
                    .as_ref()
                    .map(|m| m.span)
                    .or(t.id.as_ref().map(|i| i.span))
                    .unwrap_or(t.span)
            })
            .collect(),
        requires: raw
            .tiers
            .iter()
            .map(|t| {
                t.require
                    .as_ref()
                    .map(|r| r.v.iter().map(|c| c.span).collect())
                    .unwrap_or_default()
            })
            .collect(),
        adjustments: raw
            .adjustments
            .iter()
            .map(|a| {
                let when = a.when.as_ref().map_or(a.span, |w| w.span);
                let tier = a
                    .at_least
                    .as_ref()
                    .or(a.at_most.as_ref())
                    .map_or(a.span, |t| t.span);
                (when, tier)
            })
            .collect(),
        grants: raw
            .grants
            .iter()
            .map(|g| g.when.as_ref().map_or(g.span, |w| w.span))
            .collect(),
        routing: raw
            .routing
            .iter()
            .map(|r| r.when.as_ref().map_or(r.span, |w| w.span))
            .collect(),
        dimensions: raw
            .scoring
            .iter()
            .flat_map(|s| s.dimensions.iter().map(|d| d.name.span))
            .collect(),
        calendars: raw
            .calendars
            .iter()
            .map(|c| CalendarPlaces {
                name: c.name.v.clone(),
                holidays: c
                    .holidays
                    .iter()
                    .map(|h| (h.from.v, h.to.v, h.span))
                    .collect(),
                workdays: c.workdays.iter().map(|(d, _)| (d.v, d.span)).collect(),
            })
            .collect(),
        milestones: raw
            .cases
            .iter()
            .map(|c| {
                c.milestones
                    .as_ref()
                    .map(|m| m.v.iter().map(|x| x.span).collect())
                    .unwrap_or_default()
            })
            .collect(),
    }
}
