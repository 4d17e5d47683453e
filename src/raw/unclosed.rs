//! Finds the array, inline table or string left open before a TOML syntax error.
//!
//! An unclosed `[`, `{` or `"""` makes the parser read the following lines as part of it,
//! and it fails there, lines after the real slip. Scanning the text up to the error tells
//! where the unclosed opener is, so the error can point at it.

/// What is left open, and where it was opened (a byte offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Open {
    /// An array (`[`) opened at the offset.
    Array(usize),
    /// An inline table (`{`) opened at the offset.
    Table(usize),
    /// A string opened at the offset (its quote).
    String(usize),
}

/// The innermost array, inline table or string still open at `end`, if it was opened on an
/// earlier line than `end`: what made the parser read on past the slip. Comments and the
/// brackets of table headers (`[a]`, `[[a]]`) are skipped.
pub(crate) fn before(src: &str, end: usize) -> Option<Open> {
    let text = src.get(..end)?;
    let bytes = text.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut at_line_start = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => {
                at_line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                // a comment: to the end of the line
                i = next_line(bytes, i);
                continue;
            }
            b'[' if at_line_start && stack.is_empty() => {
                // a table header: skipped to the end of its line
                i = next_line(bytes, i);
                continue;
            }
            b'"' | b'\'' => {
                let triple = bytes.get(i..i + 3) == Some(&[b, b, b][..]);
                match string_end(bytes, i, b, triple) {
                    Some(after) => i = after,
                    None => return opened_before(src, end, Open::String(i)),
                }
            }
            b'[' => {
                stack.push(Open::Array(i));
                i += 1;
            }
            b'{' => {
                stack.push(Open::Table(i));
                i += 1;
            }
            b']' | b'}' => {
                stack.pop();
                i += 1;
            }
            _ => i += 1,
        }
        at_line_start = false;
    }
    stack.pop().and_then(|open| opened_before(src, end, open))
}

/// `open`, if it was opened on a line before the one `end` is on.
fn opened_before(src: &str, end: usize, open: Open) -> Option<Open> {
    let (Open::Array(at) | Open::Table(at) | Open::String(at)) = open;
    let between = src.get(at..end)?;
    between.contains('\n').then_some(open)
}

/// The offset after the end of the line `i` is on (or the end of the text).
fn next_line(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
        .map_or(bytes.len(), |p| i + p)
}

/// The offset after the string opening at `start` with `quote` (three of them if `triple`),
/// or `None` when the text ends inside it. A one-line string also ends at the end of its
/// line (the parser reports that slip on its own line).
fn string_end(bytes: &[u8], start: usize, quote: u8, triple: bool) -> Option<usize> {
    let escapes = quote == b'"';
    let mut i = start + if triple { 3 } else { 1 };
    loop {
        let b = *bytes.get(i)?;
        if escapes && b == b'\\' {
            i += 2;
            continue;
        }
        if !triple && b == b'\n' {
            return Some(i);
        }
        if b == quote {
            if !triple {
                return Some(i + 1);
            }
            if bytes.get(i..i + 3) == Some(&[quote, quote, quote][..]) {
                // up to two more quotes belong to the string's content
                let mut j = i + 3;
                while bytes.get(j) == Some(&quote) && j < i + 5 {
                    j += 1;
                }
                return Some(j);
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::{before, Open};

    fn open_at(src: &str) -> Option<Open> {
        before(src, src.len())
    }

    #[test]
    fn finds_the_unclosed_opener_of_an_earlier_line() {
        let src = "a = [[0, 0], [1, 2]\n\n[t]\nb = 1\n";
        assert_eq!(open_at(src), Some(Open::Array(4)));
        let src = "m = { type = \"date\"\nn = 1\n";
        assert_eq!(open_at(src), Some(Open::Table(4)));
        let src = "s = \"\"\"\nsome text\nb = 1\n";
        assert_eq!(open_at(src), Some(Open::String(4)));
        let src = "s = '''\nsome text\n";
        assert_eq!(open_at(src), Some(Open::String(4)));
    }

    #[test]
    fn closed_things_headers_and_comments_are_not_open() {
        let src = "[a]\nx = [1, 2] # a [ in a comment\n[[b]]\ny = { c = \"]\" }\nz = '[' \n";
        assert_eq!(open_at(src), None);
        let src = "q = \"a \\\" quote\"\nr = \"\"\"two \"\" quotes\"\"\"\"\nend = [";
        // opened on the last line: the parser points at it itself
        assert_eq!(open_at(src), None);
        // an array of several lines, closed
        assert_eq!(open_at("p = [\n  1,\n  2,\n]\nq = 1\n"), None);
    }
}
