//! A customer's id as a record keeps it: in the record itself when it is short, as most
//! ids are, so that building a customer allocates only its values.

use std::fmt;

/// The longest id kept in the record itself, in bytes: 22 keeps the id 24 bytes, the size
/// of a `String`, and covers codes such as `CUST-2026-000123`.
const INLINE: usize = 22;

/// A customer's id: short ids in place, longer ones on the heap.
#[derive(Clone)]
pub(crate) enum CustomerId {
    /// An id of at most [`INLINE`] bytes: `len` bytes of UTF-8, zeros after them.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// A longer id.
    Heap(Box<str>),
}

impl CustomerId {
    /// The id `text`.
    #[inline]
    pub(crate) fn new(text: &str) -> CustomerId {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                if let Some(head) = bytes.get_mut(..text.len()) {
                    head.copy_from_slice(text.as_bytes());
                }
                CustomerId::Inline { len, bytes }
            }
            _ => CustomerId::Heap(Box::from(text)),
        }
    }

    /// The id `text`, its allocation kept when the id is too long to keep in place.
    pub(crate) fn from_string(text: String) -> CustomerId {
        if text.len() <= INLINE {
            CustomerId::new(&text)
        } else {
            CustomerId::Heap(text.into_boxed_str())
        }
    }

    /// The id as text.
    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        match self {
            CustomerId::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                // the bytes were copied from a `str` whole, so neither fails
                .unwrap_or_default(),
            CustomerId::Heap(text) => text,
        }
    }
}

impl Default for CustomerId {
    fn default() -> CustomerId {
        CustomerId::new("")
    }
}

impl PartialEq for CustomerId {
    fn eq(&self, other: &CustomerId) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for CustomerId {}

impl fmt::Debug for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_id_is_24_bytes() {
        assert_eq!(std::mem::size_of::<CustomerId>(), 24);
    }

    #[test]
    fn short_ids_stay_in_place_and_long_ones_go_to_the_heap() {
        assert!(matches!(
            CustomerId::new("C00001"),
            CustomerId::Inline { .. }
        ));
        assert!(matches!(
            CustomerId::new(&"x".repeat(22)),
            CustomerId::Inline { .. }
        ));
        assert!(matches!(
            CustomerId::new(&"x".repeat(23)),
            CustomerId::Heap(_)
        ));
        let long = "客户-华东-2026-000123";
        assert!(long.len() > INLINE);
        assert_eq!(CustomerId::new(long).as_str(), long);
        assert_eq!(CustomerId::default().as_str(), "");
    }

    proptest! {
        #[test]
        fn every_id_reads_back_as_it_was_given(text in "\\PC{0,30}") {
            let id = CustomerId::new(&text);
            prop_assert_eq!(id.as_str(), text.as_str());
            prop_assert_eq!(&CustomerId::from_string(text.clone()), &id);
            prop_assert_eq!(format!("{id:?}"), format!("{text:?}"));
        }
    }
}
