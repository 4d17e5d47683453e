//! The rows of a CSV file, split into cells, each at the line it starts on.
//!
//! A row without quotes (nearly every row of a customer file) is split where it lies in the
//! read buffer: its line end is found with SIMD ([`memchr`]), its commas eight bytes at a
//! time, and its cells are ranges of the line, so nothing is copied. A row with a quote is read by [`csv_core`], the state machine under the `csv`
//! crate, from the same place: the cells are the same as the `csv` crate's (flexible rows,
//! no headers, `,` and `"` with doubled quotes, LF, CRLF and CR line ends, blank lines
//! skipped). Lines are counted as they are passed, so a row is reported at the line it
//! starts on whatever the line ends, and a row longer than [`MAX_RECORD_BYTES`] is skipped
//! and reported instead of read, so that an endless line cannot exhaust memory.

use std::io::{self, Read};
use std::ops::Range;

/// The longest line of a customer file (one record): longer rows are skipped, and reported
/// instead of read.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// Bytes asked of the input at a time.
const CHUNK: usize = 256 * 1024;

/// UTF-8's byte order mark: the `csv` crate skips one at the start of what it reads.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A `csv_core` reader past the start of its input, where it would skip a byte order mark:
/// [`CsvRows`] skips the one at the start of the file itself, and gives the reader only rows
/// with quotes, which must be read as they are.
fn started_core() -> csv_core::Reader {
    let mut core = csv_core::Reader::new();
    // a line end is passed over at the start of a record: it sets nothing but that
    let _ = core.read_record(b"\n", &mut [0], &mut [0]);
    core
}

/// A row: its cells are `bytes[range]` for each range of `cells`.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The row's text: the line as it is for a row without quotes, the cells one after the
    /// other (unquoted) for the others.
    pub bytes: &'a [u8],
    pub cells: &'a [Range<usize>],
}

impl<'a> Row<'a> {
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// The bytes of the `i`th cell.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.cells.get(i).and_then(|at| self.bytes.get(at.clone()))
    }

    /// Where the `i`th cell is in [`bytes`](Self::bytes).
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        self.cells.get(i).cloned()
    }

    /// The bytes of each cell, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let bytes = self.bytes;
        self.cells
            .iter()
            .map(move |at| bytes.get(at.clone()).unwrap_or_default())
    }
}

/// What [`CsvRows::next_row`] found.
#[derive(Debug)]
pub enum Next<'a> {
    /// A row, at the 1-based line where it starts.
    Row(u64, Row<'a>),
    /// A row longer than [`MAX_RECORD_BYTES`], at the line where it starts: skipped to the
    /// end of the line where it passed the limit.
    TooLong(u64),
    /// The end of the input.
    End,
}

/// The rows of a CSV input, one at a time.
pub struct CsvRows<R> {
    input: R,
    /// Read bytes: `buf[pos..end]` are those not yet passed.
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Whether the input has ended (`buf[..end]` is all there is).
    eof: bool,
    /// Whether anything has been read yet (a byte order mark is skipped at the start).
    started: bool,
    /// The 1-based line at `pos`.
    line: u64,
    /// Whether the last byte passed was a CR: a LF right after it ends no further line.
    after_cr: bool,
    /// The reader of rows with quotes, and what it makes of one.
    core: csv_core::Reader,
    unquoted: Vec<u8>,
    ends: Vec<usize>,
    /// The cells of the last row.
    cells: Vec<Range<usize>>,
}

impl<R: Read> CsvRows<R> {
    pub fn new(input: R) -> CsvRows<R> {
        CsvRows {
            input,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            eof: false,
            started: false,
            line: 1,
            after_cr: false,
            core: started_core(),
            unquoted: Vec::new(),
            ends: Vec::new(),
            cells: Vec::new(),
        }
    }

    /// The next row, a row too long to read, or the end of the input.
    pub fn next_row(&mut self) -> io::Result<Next<'_>> {
        if !self.started {
            self.start()?;
        }
        // line ends, and blank lines, before the row
        loop {
            self.skip_line_ends();
            if self.pos < self.end {
                break;
            }
            if self.eof {
                return Ok(Next::End);
            }
            self.fill()?;
        }
        let line = self.line;
        // the row's line end or first quote, asking for more input until one is read
        let mut scanned = self.pos;
        let stop = loop {
            let rest = self.buf.get(scanned..self.end).unwrap_or_default();
            if let Some(k) = memchr::memchr3(b'\n', b'\r', b'"', rest) {
                break Some(scanned + k);
            }
            if self.eof {
                break None;
            }
            if self.end - self.pos > MAX_RECORD_BYTES {
                self.skip_long_line()?;
                return Ok(Next::TooLong(line));
            }
            let seen = self.end - self.pos;
            self.fill()?;
            scanned = self.pos + seen;
        };
        let at = stop.unwrap_or(self.end);
        if stop.is_some_and(|s| self.buf.get(s) == Some(&b'"')) {
            return self.quoted(line);
        }
        if at - self.pos > MAX_RECORD_BYTES {
            self.pos = at;
            return Ok(Next::TooLong(line));
        }
        // a row without quotes: its cells are cut at the commas of the line, in place
        let start = self.pos;
        self.pos = at;
        let bytes = self.buf.get(start..at).unwrap_or_default();
        split_at_commas(bytes, &mut self.cells);
        Ok(Next::Row(
            line,
            Row {
                bytes,
                cells: &self.cells,
            },
        ))
    }

    /// Passes the line ends at `pos`, counting lines: LF, CRLF and CR each end one.
    fn skip_line_ends(&mut self) {
        while let Some(&b) = self.buf.get(self.pos).filter(|_| self.pos < self.end) {
            if !self.pass(b) {
                return;
            }
            self.pos += 1;
        }
    }

    /// Counts the lines ended in `bytes`, passed after the state of `after_cr`.
    fn count_lines(&mut self, bytes: Range<usize>) {
        let Some(bytes) = self.buf.get(bytes) else {
            return;
        };
        for &b in bytes {
            // (a method would borrow all of `self` while `bytes` borrows `buf`)
            Self::count(&mut self.line, &mut self.after_cr, b);
        }
    }

    /// Counts the byte `b` passed: whether it is a line end.
    fn pass(&mut self, b: u8) -> bool {
        Self::count(&mut self.line, &mut self.after_cr, b)
    }

    /// Counts `b` into `line` and `after_cr`: a LF right after a CR ends no further line.
    fn count(line: &mut u64, after_cr: &mut bool, b: u8) -> bool {
        match b {
            b'\n' => {
                if !*after_cr {
                    *line += 1;
                }
                *after_cr = false;
                true
            }
            b'\r' => {
                *line += 1;
                *after_cr = true;
                true
            }
            _ => {
                *after_cr = false;
                false
            }
        }
    }

    /// A row with quotes at `pos`, read by `csv_core`.
    fn quoted(&mut self, line: u64) -> io::Result<Next<'_>> {
        use csv_core::ReadRecordResult as R;
        let (mut nout, mut nends, mut read) = (0usize, 0usize, 0usize);
        if self.unquoted.is_empty() {
            self.unquoted.resize(1024, 0);
            self.ends.resize(64, 0);
        }
        loop {
            let input = self.buf.get(self.pos..self.end).unwrap_or_default();
            let output = self.unquoted.get_mut(nout..).unwrap_or_default();
            let ends = self.ends.get_mut(nends..).unwrap_or_default();
            let (result, nin, o, e) = self.core.read_record(input, output, ends);
            self.count_lines(self.pos..self.pos + nin);
            self.pos += nin;
            read += nin;
            nout += o;
            nends += e;
            if read > MAX_RECORD_BYTES && !matches!(result, R::Record | R::End) {
                self.core = started_core();
                self.skip_long_line()?;
                return Ok(Next::TooLong(line));
            }
            match result {
                R::InputEmpty => {
                    if !self.eof {
                        self.fill()?;
                    }
                }
                R::OutputFull => {
                    let n = self.unquoted.len();
                    self.unquoted.resize(n * 2, 0);
                }
                R::OutputEndsFull => {
                    let n = self.ends.len();
                    self.ends.resize(n * 2, 0);
                }
                R::Record => break,
                R::End => return Ok(Next::End),
            }
        }
        if read > MAX_RECORD_BYTES {
            return Ok(Next::TooLong(line));
        }
        self.cells.clear();
        let mut from = 0;
        for &to in self.ends.get(..nends).unwrap_or_default() {
            self.cells.push(from..to);
            from = to;
        }
        Ok(Next::Row(
            line,
            Row {
                bytes: self.unquoted.get(..nout).unwrap_or_default(),
                cells: &self.cells,
            },
        ))
    }

    /// Reads the start of the input, and skips a byte order mark there.
    fn start(&mut self) -> io::Result<()> {
        while self.end - self.pos < BOM.len() && !self.eof {
            self.fill()?;
        }
        if self
            .buf
            .get(self.pos..self.end)
            .is_some_and(|b| b.starts_with(BOM))
        {
            self.pos += BOM.len();
        }
        self.started = true;
        Ok(())
    }

    /// Drops the rest of the line at `pos` (past the limit), up to its line end.
    fn skip_long_line(&mut self) -> io::Result<()> {
        loop {
            let rest = self.buf.get(self.pos..self.end).unwrap_or_default();
            if let Some(k) = memchr::memchr2(b'\n', b'\r', rest) {
                self.pos += k;
                self.after_cr = false;
                return Ok(());
            }
            self.pos = self.end;
            if self.eof {
                return Ok(());
            }
            self.fill()?;
        }
    }

    /// Reads more input after `buf[pos..end]`, which moves to the front; sets `eof` at the
    /// end of the input.
    fn fill(&mut self) -> io::Result<()> {
        self.buf.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.pos = 0;
        if self.buf.len() < self.end + CHUNK {
            self.buf.resize(self.end + CHUNK, 0);
        }
        loop {
            let free = self.buf.get_mut(self.end..).unwrap_or_default();
            match self.input.read(free) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => {
                    self.end += n;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The cells of a line without quotes, cut at its commas, into `cells`: eight bytes at a
/// time, a comma found by the bits of a word (a cell is a few bytes: a search per cell
/// costs more than it saves).
fn split_at_commas(bytes: &[u8], cells: &mut Vec<Range<usize>>) {
    const COMMAS: u64 = u64::from_ne_bytes([b','; 8]);
    cells.clear();
    let mut from = 0;
    let mut words = bytes.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let mut commas = zero_bytes(u64::from_le_bytes(word) ^ COMMAS);
        while commas != 0 {
            let at = base + (commas.trailing_zeros() / 8) as usize;
            cells.push(from..at);
            from = at + 1;
            commas &= commas - 1;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b',' {
            cells.push(from..base + i);
            from = base + i + 1;
        }
    }
    cells.push(from..bytes.len());
}

/// The high bit of each zero byte of `x`, and no other bit (no carry crosses a byte).
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = u64::from_ne_bytes([0x7F; 8]);
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every row of `text` by [`CsvRows`], as cells and lines, read `chunk` bytes at a time.
    fn ours(text: &[u8], chunk: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut rows = CsvRows::new(Trickle(text, chunk));
        let mut out = Vec::new();
        loop {
            match rows.next_row().unwrap() {
                Next::Row(line, row) => out.push((line, row.iter().map(<[u8]>::to_vec).collect())),
                Next::TooLong(line) => out.push((line, vec![b"<too long>".to_vec()])),
                Next::End => return out,
            }
        }
    }

    /// The cells of every row of `text` by the `csv` crate, configured as the command's
    /// reader was before it had its own.
    fn theirs(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        reader
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    /// The 1-based line where each row starts, counted from the text: LF, CRLF and CR each
    /// end a line, and a row starts at its first byte that is not a line end.
    fn lines_of(text: &[u8], rows: &[Vec<Vec<u8>>]) -> Vec<u64> {
        // the rows' starts, found by reading the text with csv_core field by field
        let mut core = csv_core::Reader::new();
        let (mut pos, mut starts) = (0usize, Vec::new());
        let mut out = vec![0; text.len() + 1];
        let mut ends = vec![0; text.len() + 2];
        let skip = if text.starts_with(BOM) { BOM.len() } else { 0 };
        pos += skip;
        for _ in rows {
            while matches!(text.get(pos), Some(b'\r' | b'\n')) {
                pos += 1;
            }
            starts.push(pos);
            let (_, nin, _, _) = core.read_record(&text[pos..], &mut out, &mut ends);
            pos += nin;
        }
        starts
            .iter()
            .map(|&s| {
                let before = &text[..s];
                let mut line = 1;
                for (i, &b) in before.iter().enumerate() {
                    if b == b'\r' || (b == b'\n' && (i == 0 || before[i - 1] != b'\r')) {
                        line += 1;
                    }
                }
                line
            })
            .collect()
    }

    #[test]
    fn rows_are_cut_as_the_csv_crate_cuts_them() {
        let text = b"id,a\r\n\r\nC1, 1 \n\"C,2\",\"x\"\"y\"\rC3,\"two\nlines\"\n\nC4";
        let rows = ours(text, 3);
        let cells: Vec<_> = rows.iter().map(|(_, c)| c.clone()).collect();
        assert_eq!(cells, theirs(text));
        let lines: Vec<u64> = rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 3, 4, 5, 8]);
        assert_eq!(cells[2], vec![b"C,2".to_vec(), b"x\"y".to_vec()]);
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_skipped() {
        let text = b"\xEF\xBB\xBFid,a\nC1,1\n";
        let rows = ours(text, 1);
        assert_eq!(rows[0].1[0], b"id".to_vec());
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn a_line_past_the_limit_is_skipped_at_its_line() {
        for quoted in [false, true] {
            let long = if quoted {
                format!("\"{}\"", "9".repeat(MAX_RECORD_BYTES + 10))
            } else {
                "9".repeat(MAX_RECORD_BYTES + 10)
            };
            let text = format!("id,a\nC1,1\r\nC2,{long}\nC3,3");
            let rows = ours(text.as_bytes(), CHUNK);
            let lines: Vec<u64> = rows.iter().map(|(l, _)| *l).collect();
            assert_eq!(lines, vec![1, 2, 3, 4], "{quoted}");
            assert_eq!(rows[2].1, vec![b"<too long>".to_vec()], "{quoted}");
            assert_eq!(rows[3].1, vec![b"C3".to_vec(), b"3".to_vec()], "{quoted}");
        }
    }

    proptest! {
        #[test]
        fn commas_are_found_in_words_as_byte_by_byte(
            text in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'-'), Just(b'a'), Just(0x80u8), Just(0xACu8), Just(0u8)],
                0..40,
            ),
        ) {
            let mut cells = Vec::new();
            split_at_commas(&text, &mut cells);
            let got: Vec<&[u8]> = cells.iter().map(|c| &text[c.clone()]).collect();
            let want: Vec<&[u8]> = text.split(|&b| b == b',').collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn any_text_is_cut_and_counted_as_the_csv_crate_would(
            text in proptest::collection::vec(
                prop_oneof![
                    Just(b'a'), Just(b'b'), Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n'),
                    Just(b' '), Just(0xC3), Just(0xA9),
                ],
                0..200,
            ),
            chunk in 1usize..8,
        ) {
            let rows = ours(&text, chunk);
            let want = theirs(&text);
            let cells: Vec<_> = rows.iter().map(|(_, c)| c.clone()).collect();
            prop_assert_eq!(&cells, &want);
            let lines: Vec<u64> = rows.iter().map(|(l, _)| *l).collect();
            prop_assert_eq!(lines, lines_of(&text, &want));
        }
    }
}
