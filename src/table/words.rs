//! Finding a cell's text among a few short words (an enum's values, the tier ids) without a
//! call to `memcmp` per word: each word of at most eight bytes is kept as one integer, and a
//! cell is compared as one.

/// A list of words, each found by its position.
#[derive(Debug, Clone)]
pub(crate) struct Words<'w> {
    words: &'w [String],
    /// Each word as the integer of its bytes (little-endian, zero-padded), when every word
    /// has at most eight bytes.
    packed: Option<Vec<(usize, u64)>>,
}

/// The bytes of `b` (at most eight) as one integer, zero-padded.
#[inline]
fn pack(b: &[u8]) -> Option<u64> {
    let mut block = [0u8; 8];
    block.get_mut(..b.len())?.copy_from_slice(b);
    Some(u64::from_le_bytes(block))
}

impl<'w> Words<'w> {
    pub(crate) fn new(words: &'w [String]) -> Words<'w> {
        let packed = words
            .iter()
            .map(|w| Some((w.len(), pack(w.as_bytes())?)))
            .collect();
        Words { words, packed }
    }

    /// The position of `t` among the words.
    #[inline]
    pub(crate) fn find(&self, t: &str) -> Option<usize> {
        match &self.packed {
            Some(packed) => {
                // a longer cell is none of them
                let key = (t.len(), pack(t.as_bytes())?);
                packed.iter().position(|w| *w == key)
            }
            None => self.words.iter().position(|w| w == t),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Words;

    proptest! {
        /// Finding a word is `position` of it, for short words, long ones and text that is
        /// a prefix of a word or has zero bytes in it.
        #[test]
        fn words_are_found_where_they_are(
            words in prop::collection::vec("[a-c\u{0}]{0,10}", 0..6),
            t in "[a-c\u{0}]{0,10}",
        ) {
            let w = Words::new(&words);
            prop_assert_eq!(w.find(&t), words.iter().position(|x| *x == t));
            for (i, word) in words.iter().enumerate() {
                prop_assert_eq!(w.find(word), words.iter().position(|x| x == word));
                prop_assert!(w.find(word) <= Some(i));
            }
        }
    }
}
