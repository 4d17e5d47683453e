//! Quantities of scoring, as newtypes so that a score and a weight cannot be swapped.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A score: a dimension's score or the composite, from 0 to 100, exact, at the policy's
/// `precision` (so `Display` writes `55.00` at precision 2).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Score(pub(crate) Decimal);

impl Score {
    /// The score as a decimal number.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// Appends the score's text to `out`: the bytes `Display` writes (`55.00`), without
    /// going through `fmt`, for writers of many rows.
    ///
    /// ```
    /// # let demo = include_str!("../../tests/inputs/demo.toml");
    /// # let policy = tierwise::Policy::from_toml_str("demo.toml", demo)?;
    /// let c = policy.customer("C1").set("teu", "600.5").build()?;
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    /// let score = policy.classify(&c, as_of)?.score();
    /// let mut row = b"C1,".to_vec();
    /// score.append_to(&mut row);
    /// assert_eq!(row, format!("C1,{score}").into_bytes());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn append_to(&self, out: &mut Vec<u8>) {
        crate::decimal::append(self.0, out);
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_none() && f.precision().is_none() && !f.sign_plus() {
            // the same text as `Decimal`'s formatter, without its general machinery
            return crate::decimal::write(self.0, f);
        }
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<Score> for Decimal {
    fn from(s: Score) -> Decimal {
        s.0
    }
}

/// A dimension's weight, as written in the policy; only its share of the total weight
/// matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Weight(pub(crate) Decimal);

impl Weight {
    /// The weight as a decimal number.
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<Weight> for Decimal {
    fn from(w: Weight) -> Decimal {
        w.0
    }
}
