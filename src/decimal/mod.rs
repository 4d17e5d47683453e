//! Exact decimals: reading them from text and the integer shortcuts of the hot path.
//!
//! A leaf: it imports nothing from the rest of the crate.

mod exact;
mod parse;
mod write;

pub(crate) use exact::{add_quotient_rounded, cmp, round};
pub(crate) use parse::{parse_decimal, NumberError};
pub(crate) use write::{append, write};
