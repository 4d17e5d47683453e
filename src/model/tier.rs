//! Tiers, adjustments (floors and caps) and the tiering settings.

use rust_decimal::Decimal;

use super::{Cond, Score};

/// A tier of the policy: its id, display name, threshold.
#[derive(Debug, Clone)]
pub struct Tier {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) min_score: Decimal,
    pub(crate) require: Vec<(String, Cond)>,
}

impl Tier {
    /// The tier's id, like `vip`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The display name, like `VIP客户`, or the id when there is none.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// The lowest score that qualifies.
    pub fn min_score(&self) -> Score {
        Score(self.min_score)
    }

    /// The conditions a customer must also meet, as written.
    pub fn requirements(&self) -> impl Iterator<Item = &str> {
        self.require.iter().map(|(t, _)| t.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdjustKind {
    AtLeast,
    AtMost,
}

#[derive(Debug, Clone)]
pub(crate) struct Adjustment {
    pub(crate) when_text: String,
    pub(crate) when: Cond,
    pub(crate) kind: AdjustKind,
    pub(crate) tier: u16,
    pub(crate) reason: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Tiering {
    pub(crate) downgrade_buffer: Decimal,
    pub(crate) downgrade_grace_days: i64,
    pub(crate) max_downgrade_steps: Option<u16>,
    pub(crate) pins_respect_caps: bool,
}
