//! What a caller hands to evaluation: customer records and cases, each built field by field
//! and checked against one compiled policy (names resolved to numbers, values typed), so
//! that evaluation never parses or looks up a name.

mod case;
mod customer;
mod id;
pub(crate) mod serialized;
mod timeline;

pub use case::{Case, CaseBuilder, CaseError, CaseErrorKind};
pub use customer::{Customer, CustomerBuilder, InputValue};
pub(crate) use customer::{Previous, Val};
pub(crate) use id::CustomerId;
pub use timeline::{Event, Timeline, TimelineError, TimelineErrorKind};
