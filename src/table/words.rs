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
///
/// Read as two overlapping loads of the first and the last bytes (four each, or two),
/// whose shared bytes are the same: copying a cell of any length into a zeroed block
/// called `memcpy`, and reading the block back whole then waited for its bytes.
#[inline]
fn pack(b: &[u8]) -> Option<u64> {
    let n = b.len();
    let two = |at: usize| -> u64 {
        let pair = b.get(at..at + 2).and_then(|s| <[u8; 2]>::try_from(s).ok());
        pair.map_or(0, |p| u64::from(u16::from_le_bytes(p)))
    };
    let four = |at: usize| -> u64 {
        let quad = b.get(at..at + 4).and_then(|s| <[u8; 4]>::try_from(s).ok());
        quad.map_or(0, |q| u64::from(u32::from_le_bytes(q)))
    };
    match n {
        0 => Some(0),
        1 => b.first().map(|&c| u64::from(c)),
        2..=3 => Some(two(0) | two(n - 2) << (8 * (n - 2))),
        4..=8 => Some(four(0) | four(n - 4) << (8 * (n - 4))),
        _ => None,
    }
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
        /// Packing is the bytes zero-padded to eight, little-endian, for every length.
        #[test]
        fn packing_is_the_zero_padded_bytes(b in prop::collection::vec(any::<u8>(), 0..12)) {
            let expected = (b.len() <= 8).then(|| {
                let mut block = [0u8; 8];
                block[..b.len()].copy_from_slice(&b);
                u64::from_le_bytes(block)
            });
            prop_assert_eq!(super::pack(&b), expected);
        }

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
