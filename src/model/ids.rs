//! Ids of a compiled policy, its tiers and its metrics.

use std::sync::atomic::{AtomicU32, Ordering};

/// The identity of one compiled policy. Every compilation takes the next number (the one
/// piece of global state of the crate, read once per compiled policy, never while
/// evaluating), so that a tier number, customer, resolution or case made with one
/// compiled policy is recognised when it is given to another, even to another version of
/// the same policy or to one allocated where a dropped one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub(crate) struct PolicyIdentity(u32);

impl PolicyIdentity {
    /// A number no other compiled policy of this process has (it wraps after 2^32
    /// compilations).
    pub(crate) fn next() -> PolicyIdentity {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        PolicyIdentity(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// The number of a tier of one compiled policy, counted from the highest (0) down to the
/// floor.
///
/// A smaller number is a higher rank. A `TierId` belongs to the compiled policy that made
/// it: given to another one (another version from a `PolicyStore` reload included), it is
/// an error, never read as that policy's tier of the same rank. Get the tier's text id
/// with [`Policy::tier`](crate::Policy::tier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TierId {
    pub(crate) rank: u16,
    pub(crate) policy: PolicyIdentity,
}

impl TierId {
    pub(crate) fn new(rank: u16, policy: PolicyIdentity) -> TierId {
        TierId { rank, policy }
    }

    /// The rank: 0 for the highest tier.
    pub fn rank(self) -> usize {
        usize::from(self.rank)
    }

    /// Whether `self` ranks strictly above `other`.
    pub fn is_above(self, other: TierId) -> bool {
        self.rank < other.rank
    }
}

/// The number of a metric in the policy's `[metrics]` table, in declaration order. Like a
/// [`TierId`] it belongs to the compiled policy that made it: another policy does not take
/// it (see [`CustomerBuilder::set_metric`](crate::CustomerBuilder::set_metric)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricId {
    pub(crate) index: u16,
    pub(crate) policy: PolicyIdentity,
}

impl MetricId {
    /// The index of the metric in declaration order.
    pub fn index(self) -> usize {
        usize::from(self.index)
    }
}
