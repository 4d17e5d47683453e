//! The result of tiering one customer: [`Assignment`], with the [`Decision`] that settled
//! the tier and the [`TierState`] to store for the next evaluation.

use chrono::NaiveDate;

use crate::model::{Score, TierId};

pub(crate) const INLINE_DIMENSIONS: usize = 8;

/// Dimension scores, kept inline for up to eight dimensions so that classifying does not
/// allocate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DimScores {
    Inline {
        len: u8,
        buf: [Score; INLINE_DIMENSIONS],
    },
    Heap(Vec<Score>),
}

impl DimScores {
    pub(crate) fn new(n: usize) -> DimScores {
        if n <= INLINE_DIMENSIONS {
            DimScores::Inline {
                len: u8::try_from(n).unwrap_or(0),
                buf: [Score::default(); INLINE_DIMENSIONS],
            }
        } else {
            DimScores::Heap(vec![Score::default(); n])
        }
    }

    pub(crate) fn as_slice(&self) -> &[Score] {
        match self {
            DimScores::Inline { len, buf } => buf.get(..usize::from(*len)).unwrap_or(&[]),
            DimScores::Heap(v) => v,
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [Score] {
        match self {
            DimScores::Inline { len, buf } => buf.get_mut(..usize::from(*len)).unwrap_or(&mut []),
            DimScores::Heap(v) => v,
        }
    }
}

/// What decided a customer's final tier, in the order of spec section 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// The score and requirements: the qualified tier.
    Qualified,
    /// An `at_least` adjustment raised the tier.
    Floor,
    /// The previous tier was kept because the score stayed within the downgrade buffer.
    Buffer,
    /// The previous tier was kept because the customer qualified recently (grace days).
    Grace,
    /// The downgrade was limited to `max_downgrade_steps` ranks.
    StepLimit,
    /// An `at_most` adjustment lowered the tier.
    Cap,
    /// A manual pin set the tier.
    Pin,
}

impl Decision {
    /// The decision's name as in JSON output: `qualified`, `floor`, `buffer`, `grace`,
    /// `step_limit`, `cap` or `pin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Qualified => "qualified",
            Decision::Floor => "floor",
            Decision::Buffer => "buffer",
            Decision::Grace => "grace",
            Decision::StepLimit => "step_limit",
            Decision::Cap => "cap",
            Decision::Pin => "pin",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tier state to store for the next evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierState {
    pub(crate) tier: TierId,
    pub(crate) tier_since: NaiveDate,
    pub(crate) last_qualified: Option<NaiveDate>,
}

impl TierState {
    /// The final tier.
    pub fn tier(&self) -> TierId {
        self.tier
    }

    /// Since when the customer has held this tier.
    pub fn tier_since(&self) -> NaiveDate {
        self.tier_since
    }

    /// The last date the customer's own merits (score, requirements and floors) reached the
    /// final tier, if ever.
    pub fn last_qualified(&self) -> Option<NaiveDate> {
        self.last_qualified
    }
}

/// The result of classifying one customer: tier, score, and the new state. Computing it
/// does not allocate (for policies of up to eight dimensions).
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub(crate) tier: TierId,
    pub(crate) qualified: TierId,
    pub(crate) adjusted: TierId,
    pub(crate) score: Score,
    pub(crate) dims: DimScores,
    pub(crate) state: TierState,
    pub(crate) decision: Decision,
    pub(crate) floor: Option<u16>,
    pub(crate) cap: Option<u16>,
    pub(crate) ignored_previous: bool,
    pub(crate) expired_pin: bool,
}

impl Assignment {
    /// The final tier.
    pub fn tier(&self) -> TierId {
        self.tier
    }

    /// The tier the score and requirements alone qualify for.
    pub fn qualified_tier(&self) -> TierId {
        self.qualified
    }

    /// The composite score, rounded to the policy's precision.
    pub fn score(&self) -> Score {
        self.score
    }

    /// Each dimension's rounded score, in the policy's dimension order.
    pub fn dimension_scores(&self) -> &[Score] {
        self.dims.as_slice()
    }

    /// The state to store for the next evaluation.
    pub fn state(&self) -> &TierState {
        &self.state
    }

    /// What decided the final tier.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Whether the record's `previous_tier` was not a tier of the policy and was ignored.
    pub fn ignored_previous_tier(&self) -> bool {
        self.ignored_previous
    }

    /// Whether the record's pin had expired and was ignored.
    pub fn expired_pin(&self) -> bool {
        self.expired_pin
    }

    pub(crate) fn adjusted(&self) -> TierId {
        self.adjusted
    }

    pub(crate) fn floor_adjustment(&self) -> Option<u16> {
        self.floor
    }

    pub(crate) fn cap_adjustment(&self) -> Option<u16> {
        self.cap
    }
}
