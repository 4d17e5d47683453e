//! A stand-in for a service that embeds tierwise: its own message types, parsed with its
//! own serde_json, next to policies loaded from files. The tests check that linking
//! tierwise leaves the service's JSON alone.
#![forbid(unsafe_code)]

use serde::Deserialize;

/// A message of the service, with a float where the service wants one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Reading {
    /// A number.
    Number(f64),
    /// A label.
    Label(String),
}
