//! Where each construct of a compiled policy was written, for warnings about it (and, later,
//! for editors). Filled in by `compile` from the read files; each list follows the model's
//! own order (tiers by rank, adjustments, grants and routing rules as written).

use chrono::NaiveDate;

use crate::error::{Source, Span};

/// The holidays and make-up workdays of one calendar as written.
#[derive(Debug, Default, Clone)]
pub(crate) struct CalendarPlaces {
    pub(crate) name: String,
    /// Each holiday entry: first and last day, and where it is.
    pub(crate) holidays: Vec<(NaiveDate, NaiveDate, Span)>,
    /// Each make-up workday: its date and where it is.
    pub(crate) workdays: Vec<(NaiveDate, Span)>,
}

/// The places of a policy's constructs.
#[derive(Debug, Default, Clone)]
pub(crate) struct Places {
    /// Every source file of the load, the top file first.
    pub(crate) sources: Vec<Source>,
    /// Each tier's `id` value.
    pub(crate) tiers: Vec<Span>,
    /// Each tier's `min_score` value (the tier's `id` when it has none).
    pub(crate) min_scores: Vec<Span>,
    /// Each tier's `require` strings.
    pub(crate) requires: Vec<Vec<Span>>,
    /// Each adjustment's `when` and its `at_least`/`at_most` value.
    pub(crate) adjustments: Vec<(Span, Span)>,
    /// Each grant's `when` (the grant's table when it has none).
    pub(crate) grants: Vec<Span>,
    /// Each routing rule's `when` (the rule's table when it has none).
    pub(crate) routing: Vec<Span>,
    /// Each dimension's name.
    pub(crate) dimensions: Vec<Span>,
    /// Each calendar's holidays and make-up workdays.
    pub(crate) calendars: Vec<CalendarPlaces>,
    /// Each case kind's milestones, as `[cases.KIND] milestones` lists them.
    pub(crate) milestones: Vec<Vec<Span>>,
}
