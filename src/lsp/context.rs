//! Where in a TOML document the cursor is: under which table, after which keys, and
//! whether it is writing a header, a key, a value or inside a string. Read from the text
//! before the cursor by a small scanner that does not need the document to be valid (it
//! is being typed).

/// What the cursor is writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum At {
    /// A table header, `[a.b` so far: the complete segments are in [`Context::table`].
    Header,
    /// A key (of the table, or of an inline table).
    Key,
    /// A value that is not a string (yet).
    Value,
    /// Inside a string value; the string's text up to the cursor.
    Str(String),
    /// A comment or somewhere nothing can be completed.
    Nothing,
}

/// The cursor's place in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Context {
    /// The table the cursor is in, as its header names it (`["scoring", "dimensions",
    /// "volume"]`; empty before the first header).
    pub(crate) table: Vec<String>,
    /// The keys from the table to the value the cursor is in, through dotted keys and
    /// inline tables (`customer = { annual_teu = |` gives `["customer", "annual_teu"]`).
    pub(crate) keys: Vec<String>,
    pub(crate) at: At,
}

impl Context {
    /// The table, then the keys: the whole path of the value.
    pub(crate) fn path(&self) -> Vec<&str> {
        self.table
            .iter()
            .chain(&self.keys)
            .map(String::as_str)
            .collect()
    }

    /// The key whose value holds the cursor.
    pub(crate) fn key(&self) -> Option<&str> {
        self.keys.last().map(String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Array,
    /// An inline table; the number of keys before it.
    Inline(usize),
}

/// The context of byte offset `cursor` of `text`.
pub(crate) fn at(text: &str, cursor: usize) -> Context {
    let mut cursor = cursor.min(text.len());
    while !text.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let b = text.get(..cursor).unwrap_or("").as_bytes();
    let mut cx = Context {
        table: Vec::new(),
        keys: Vec::new(),
        at: At::Key,
    };
    let mut frames: Vec<Frame> = Vec::new();
    // the key being read: its finished segments and the one being written
    let mut segs: Vec<String> = Vec::new();
    let mut seg: Vec<u8> = Vec::new();
    let mut in_value = false;
    let mut i = 0;
    let byte = |i: usize| b.get(i).copied();
    while let Some(c) = byte(i) {
        match c {
            b'#' => match memchr(b, i, b'\n') {
                Some(end) => {
                    i = end;
                    continue;
                }
                None => return nothing(cx),
            },
            b'"' | b'\'' => {
                let triple = byte(i + 1) == Some(c) && byte(i + 2) == Some(c);
                let start = i + if triple { 3 } else { 1 };
                match closing(b, start, c, triple) {
                    Some((end, resume)) => {
                        if !in_value {
                            seg.extend_from_slice(b.get(start..end).unwrap_or(&[]));
                        }
                        i = resume;
                        continue;
                    }
                    None if in_value => {
                        let s = String::from_utf8_lossy(b.get(start..).unwrap_or(&[]));
                        cx.at = At::Str(s.into_owned());
                        return cx;
                    }
                    // a quoted key being typed
                    None => return nothing(cx),
                }
            }
            b'\n' => {
                if frames.is_empty() {
                    cx.keys.clear();
                    in_value = false;
                }
                segs.clear();
                seg.clear();
            }
            _ if in_value => match c {
                b'[' => frames.push(Frame::Array),
                b']' if frames.last() == Some(&Frame::Array) => {
                    frames.pop();
                }
                b'{' => {
                    frames.push(Frame::Inline(cx.keys.len()));
                    in_value = false;
                }
                b',' | b'}' => {
                    if let Some(&Frame::Inline(base)) = frames.last() {
                        cx.keys.truncate(base);
                        if c == b'}' {
                            frames.pop();
                        } else {
                            in_value = false;
                        }
                    }
                }
                _ => {}
            },
            b'[' if frames.is_empty() && segs.is_empty() && seg.is_empty() => {
                let end = memchr(b, i, b'\n').unwrap_or(b.len());
                let line = String::from_utf8_lossy(b.get(i..end).unwrap_or(&[])).into_owned();
                let inner = line.trim_start_matches('[');
                let closed = inner.contains(']');
                let inner = inner.split(']').next().unwrap_or("");
                let mut parts: Vec<String> = inner.split('.').map(unquote).collect();
                if !closed && end == b.len() {
                    // the cursor is in this header: the last part is being written
                    parts.pop();
                    cx.table = parts;
                    cx.keys.clear();
                    cx.at = At::Header;
                    return cx;
                }
                cx.table = parts;
                cx.keys.clear();
                i = end;
                continue;
            }
            b'.' => segs.push(take(&mut seg)),
            b'=' => {
                segs.push(take(&mut seg));
                cx.keys.append(&mut segs);
                in_value = true;
            }
            b',' => {}
            b'}' => {
                if let Some(Frame::Inline(base)) = frames.pop() {
                    cx.keys.truncate(base);
                }
                in_value = true;
            }
            b' ' | b'\t' | b'\r' => {}
            _ => seg.push(c),
        }
        i += 1;
    }
    if in_value {
        cx.at = At::Value;
    } else {
        // a dotted key being written: its finished segments belong to the path
        cx.keys.append(&mut segs);
        cx.at = At::Key;
    }
    cx
}

fn nothing(mut cx: Context) -> Context {
    cx.at = At::Nothing;
    cx
}

fn take(seg: &mut Vec<u8>) -> String {
    let s = String::from_utf8_lossy(seg).trim().to_owned();
    seg.clear();
    s
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches(|c| c == '"' || c == '\'').to_owned()
}

fn memchr(b: &[u8], from: usize, what: u8) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&c| c == what)
        .map(|p| p + from)
}

/// Where a string whose text starts at `start` ends, and where reading goes on after it.
/// A one-line string left open ends with its line. `None`: it runs to the cursor.
fn closing(b: &[u8], start: usize, quote: u8, triple: bool) -> Option<(usize, usize)> {
    let mut i = start;
    while let Some(&c) = b.get(i) {
        if c == b'\\' && quote == b'"' {
            i += 2;
            continue;
        }
        if c == b'\n' && !triple {
            return Some((i, i));
        }
        if c == quote && (!triple || (b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote)))
        {
            return Some((i, i + if triple { 3 } else { 1 }));
        }
        i += 1;
    }
    None
}

/// The start of the word that ends at `cursor`: letters, digits, `_`, and `-` unless
/// `condition` (where it is a minus).
pub(crate) fn word_start(text: &str, cursor: usize, condition: bool) -> usize {
    let before = text.get(..cursor).unwrap_or("");
    let len: usize = before
        .chars()
        .rev()
        .take_while(|&c| c.is_alphanumeric() || c == '_' || (c == '-' && !condition))
        .map(char::len_utf8)
        .sum();
    cursor - len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(text_with_bar: &str) -> Context {
        let at = text_with_bar.find('|').unwrap_or(0);
        let text = text_with_bar.replace('|', "");
        super::at(&text, at)
    }

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tables_keys_and_values() {
        let c = cx("[policy]\nid = \"x\"\n\n[scoring.dimensions.volume]\nmet|");
        assert_eq!(c.table, strs(&["scoring", "dimensions", "volume"]));
        assert_eq!((c.keys.len(), &c.at), (0, &At::Key));
        let c = cx("[[tiers]]\nrequire = [\"score >= 1\", \"gross|");
        assert_eq!(c.table, strs(&["tiers"]));
        assert_eq!(c.keys, strs(&["require"]));
        assert_eq!(c.at, At::Str("gross".into()));
        let c = cx("[[tiers]]\nrequire = [\n  \"a > 1\",\n  \"|\"\n]");
        assert_eq!(
            (c.key(), c.at.clone()),
            (Some("require"), At::Str(String::new()))
        );
        let c = cx("[service.vip]\nsupport_hours = |");
        assert_eq!(
            (c.path(), c.at.clone()),
            (vec!["service", "vip", "support_hours"], At::Value)
        );
        let c = cx("[x]\na = 1 # \"open|");
        assert_eq!(c.at, At::Nothing);
        let c = cx("[[tiers]]\nid = 'a' # c\nmin_score = 1\n|");
        assert_eq!((c.keys.len(), c.at), (0, At::Key));
    }

    #[test]
    fn inline_tables_and_arrays_of_them() {
        let c = cx("[[scenario]]\ncustomer = { id = \"S1\", annual_teu = 3, infl|");
        assert_eq!((c.keys.clone(), c.at), (strs(&["customer"]), At::Key));
        let c = cx("[[scenario]]\ncustomer = { id = \"S1\", influence = \"glo|");
        assert_eq!(c.keys, strs(&["customer", "influence"]));
        assert_eq!(c.at, At::Str("glo".into()));
        let c = cx("[[escalation]]\nladder = [{ at = \"50%\", notify = \"a\" }, { at = \"|");
        assert_eq!(
            (c.keys.clone(), c.at),
            (strs(&["ladder", "at"]), At::Str(String::new()))
        );
        let c = cx("[[scenario]]\nexpect.tier = \"|");
        assert_eq!(c.keys, strs(&["expect", "tier"]));
        let c = cx("[[scenario]]\nexpect.|");
        assert_eq!((c.keys.clone(), c.at), (strs(&["expect"]), At::Key));
    }

    #[test]
    fn headers() {
        let c = cx("[policy]\n[scoring.dim|");
        assert_eq!((c.table.clone(), c.at), (strs(&["scoring"]), At::Header));
        let c = cx("[[ti|");
        assert_eq!((c.table.len(), c.at), (0, At::Header));
        let c = cx("[service.\"vip\"]\nextends = \"|\"");
        assert_eq!(c.path(), vec!["service", "vip", "extends"]);
    }

    #[test]
    fn word_starts() {
        assert_eq!(word_start("a = \"vip-de", 11, false), 5);
        assert_eq!(word_start("score-dim", 9, true), 6);
        assert_eq!(word_start("名字ab", "名字ab".len(), true), 0);
    }
}
