//! Ids of a compiled policy's tiers and metrics.

/// The number of a tier, counted from the highest (0) down to the floor.
///
/// A smaller number is a higher rank; `TierId`s are only meaningful for the policy that
/// produced them. Get the tier's text id with [`Policy::tier`](crate::Policy::tier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TierId(pub(crate) u16);

impl TierId {
    /// The rank: 0 for the highest tier.
    pub fn rank(self) -> usize {
        usize::from(self.0)
    }

    /// Whether `self` ranks strictly above `other`.
    pub fn is_above(self, other: TierId) -> bool {
        self.0 < other.0
    }
}

/// The number of a metric in the policy's `[metrics]` table, in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetricId(pub(crate) u16);

impl MetricId {
    /// The index of the metric in declaration order.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}
