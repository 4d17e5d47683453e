//! Random edits of the sample files: completion, hover, definition and checking never
//! panic, and every completion replaces text of the document that ends at the cursor.

use proptest::prelude::*;

use super::check;
use super::complete::{self, Format};
use super::lookup;
use super::text::Lines;

const SAMPLES: [(&str, &str); 3] = [
    (
        "file:///nowhere/ocean-shipping.toml",
        include_str!("../../policies/ocean-shipping.toml"),
    ),
    (
        "file:///nowhere/express-parcel.toml",
        include_str!("../../policies/express-parcel.toml"),
    ),
    (
        "file:///nowhere/express-parcel.tests.toml",
        include_str!("../../policies/express-parcel.tests.toml"),
    ),
];

/// What an author's edit inserts: TOML punctuation, names, Chinese text, line ends.
fn pieces() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("=".to_owned()),
        Just(".".to_owned()),
        Just(",".to_owned()),
        Just("\n".to_owned()),
        Just("\"\"\"".to_owned()),
        Just("# ".to_owned()),
        Just("dimension.".to_owned()),
        Just(" == '".to_owned()),
        Just("客户".to_owned()),
        Just("𝄞".to_owned()),
        "[a-z_]{1,8}",
    ]
}

fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn random_edits_never_break_the_server(
        sample in 0..SAMPLES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..12, pieces()), 1..6),
        cursors in proptest::collection::vec(any::<prop::sample::Index>(), 1..8),
    ) {
        let Some((uri, original)) = SAMPLES.get(sample) else { return Ok(()) };
        let mut text = (*original).to_owned();
        for (at, delete, insert) in &edits {
            let start = floor_char(&text, at.index(text.len() + 1));
            let end = floor_char(&text, start + delete).max(start);
            text.replace_range(start..end, insert);
        }
        // the index of the original, as a document being edited has it
        let checked = check::check(uri, original, &|_| None);
        let format = check::format_of(uri);
        let _ = check::check(uri, &text, &|_| None);
        let lines = Lines::new(&text);
        for c in &cursors {
            let offset = floor_char(&text, c.index(text.len() + 1));
            let items = complete::complete(format, &text, offset, &checked.index);
            let pos = lines.position(offset);
            for item in &items {
                if let Some(lsp_types::CompletionTextEdit::Edit(e)) = &item.text_edit {
                    prop_assert_eq!(e.range.end, pos);
                    prop_assert!(e.range.start <= e.range.end);
                }
            }
            let _ = lookup::hover(format, &text, offset, &checked.index);
            let _ = lookup::definition(format, &text, offset, &checked.index);
        }
        prop_assert!(format == Format::Scenario || !checked.index.decls.is_empty());
    }
}
