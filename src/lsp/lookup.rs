//! Hover and go to definition: which declared name the cursor is on, read from where it
//! stands (a key, a value, a header, a condition).

use std::ops::Range;

use lsp_types::{Hover, HoverContents, Location, MarkupContent, MarkupKind, Uri};

use super::complete::Format;
use super::context::{self, At};
use super::index::{Decl, Index, Kind};
use super::text::Lines;

/// The name under byte `offset`: its declaration and the bytes of the use.
pub(crate) fn symbol_at<'a>(
    format: Format,
    text: &str,
    offset: usize,
    index: &'a Index,
) -> Option<(&'a Decl, Range<usize>)> {
    let word = word_at(text, offset)?;
    let name = text.get(word.clone())?;
    let cx = context::at(text, word.start);
    let path = cx.path();
    let before = text.get(..word.start).unwrap_or("");
    let preferred = if before.ends_with("dimension.") {
        Some(Kind::Dimension)
    } else {
        match (&cx.at, format, path.as_slice()) {
            (At::Header, _, ["service", ..]) => Some(Kind::Tier),
            (At::Header, _, ["scoring", "dimensions", ..]) => Some(Kind::Dimension),
            (At::Header, _, ["calendars", ..]) => Some(Kind::Calendar),
            (At::Header, _, ["cases", ..]) => Some(Kind::Case),
            (At::Key, Format::Policy, ["metrics"]) => Some(Kind::Metric),
            (At::Key, Format::Policy, ["benefits"]) => Some(Kind::Benefit),
            (At::Key, Format::Scenario, ["scenario", "customer"]) => Some(Kind::Metric),
            (At::Key, Format::Scenario, ["scenario", "expect", "dimensions"]) => {
                Some(Kind::Dimension)
            }
            (At::Str(_) | At::Value, _, [.., key]) => match *key {
                "id" if cx.table.first().is_some_and(|t| t == "tiers") => Some(Kind::Tier),
                "tier" | "qualified_tier" | "at_least" | "at_most" | "extends"
                | "previous_tier" | "pinned_tier" => Some(Kind::Tier),
                "metric" => Some(Kind::Metric),
                "support_hours" | "clock" => Some(Kind::Calendar),
                "case" | "kind" => Some(Kind::Case),
                "benefits" => Some(Kind::Benefit),
                _ => None,
            },
            _ => None,
        }
    };
    let decl = preferred.and_then(|k| index.find(k, name)).or_else(|| {
        [
            Kind::Metric,
            Kind::Tier,
            Kind::Dimension,
            Kind::Benefit,
            Kind::Calendar,
            Kind::Case,
        ]
        .into_iter()
        .find_map(|k| index.find(k, name))
    })?;
    Some((decl, word))
}

/// The name-like word around `offset`: letters, digits, `_` and `-`.
fn word_at(text: &str, offset: usize) -> Option<Range<usize>> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let start = offset
        - before
            .chars()
            .rev()
            .take_while(|&c| is_word(c))
            .map(char::len_utf8)
            .sum::<usize>();
    let end = offset
        + after
            .chars()
            .take_while(|&c| is_word(c))
            .map(char::len_utf8)
            .sum::<usize>();
    (start < end).then_some(start..end)
}

/// Hover over the name at `offset`: its declaration, described.
pub(crate) fn hover(format: Format, text: &str, offset: usize, index: &Index) -> Option<Hover> {
    let (decl, word) = symbol_at(format, text, offset, index)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: decl.hover.clone(),
        }),
        range: Some(Lines::new(text).range(word)),
    })
}

/// Where the name at `offset` is declared.
pub(crate) fn definition(
    format: Format,
    text: &str,
    offset: usize,
    index: &Index,
) -> Option<Location> {
    let (decl, _) = symbol_at(format, text, offset, index)?;
    let file = index.files.get(decl.file)?;
    let uri: Uri = file.uri.parse().ok()?;
    Some(Location::new(
        uri,
        Lines::new(&file.text).range(decl.span.clone()),
    ))
}
