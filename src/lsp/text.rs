//! Positions in a document as the protocol counts them (lines, and UTF-16 code units within
//! a line), and `file:` URIs.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range};

/// The start of every line of a text, for turning byte offsets into positions and back.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, and back to a character
    /// boundary).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let units: usize = self
            .text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(to_u32(line), to_u32(units))
    }

    pub(crate) fn range(&self, span: std::ops::Range<usize>) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of `pos`: a position past the end of its line is the line's end, a
    /// line past the end of the text is the text's end.
    pub(crate) fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let line = self.text.get(start..).unwrap_or("");
        let line = line.split_inclusive('\n').next().unwrap_or("");
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The path of a `file:` URI (`file:///a/b%20c.toml`, `file://localhost/a`), decoded.
pub(crate) fn path_of(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let mut bytes = Vec::with_capacity(rest.len());
    let mut it = rest.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hi = it.next().and_then(hex)?;
            let lo = it.next().and_then(hex)?;
            bytes.push(hi * 16 + lo);
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// The `file:` URI of an absolute path, with every byte but the unreserved ones and `/`
/// percent-encoded.
pub(crate) fn uri_of(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        // 远 and 洋 are one unit each, 𝄞 is two
        let text = "name = \"远洋\"\nx = \"𝄞\" # z\r\nlast";
        let lines = Lines::new(text);
        let z = text.find('z').unwrap_or(0);
        assert_eq!(lines.position(z), Position::new(1, 11));
        assert_eq!(lines.offset(Position::new(1, 11)), z);
        let close = text.find("\"\n").unwrap_or(0);
        assert_eq!(lines.position(close), Position::new(0, 10));
        // past the end of a line (before its \r\n) and past the last line
        assert_eq!(
            lines.offset(Position::new(1, 99)),
            text.find('\r').unwrap_or(0)
        );
        assert_eq!(lines.offset(Position::new(9, 0)), text.len());
        assert_eq!(lines.position(text.len() + 5), Position::new(2, 4));
        // inside a character: back to its start
        assert_eq!(lines.position(9), Position::new(0, 8));
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/远洋 policy/a#b.toml");
        let uri = uri_of(path);
        assert!(uri.starts_with("file:///tmp/%E8%BF%9C"), "{uri}");
        assert!(uri.contains("%20policy/a%23b.toml"), "{uri}");
        assert_eq!(path_of(&uri).as_deref(), Some(path));
        assert_eq!(
            path_of("file://localhost/a/b.toml").as_deref(),
            Some(Path::new("/a/b.toml"))
        );
        assert_eq!(path_of("untitled:Untitled-1"), None);
        assert_eq!(path_of("file:///a%zz"), None);
    }
}
