//! Scoring dimensions and their curves.

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateUnit {
    Years,
    Days,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Curve {
    Linear(Vec<(Decimal, Decimal)>),
    Steps(Vec<(Decimal, Decimal)>),
    /// Scores by enum index (or `[false, true]` for a bool metric).
    Map(Vec<Decimal>),
}

#[derive(Debug, Clone)]
pub(crate) struct Dimension {
    pub(crate) name: String,
    pub(crate) metric: u16,
    pub(crate) weight: Decimal,
    pub(crate) curve: Curve,
    pub(crate) unit: DateUnit,
}
