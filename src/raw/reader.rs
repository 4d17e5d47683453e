//! Typed reads from toml's spanned document tree, each failure recorded as a diagnostic.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use crate::decimal::{parse_decimal, NumberError};
use crate::error::{closest, Diag, DiagnosticKind, Diags, Span};
use crate::keys::KeyName;

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sp<T> {
    pub(crate) v: T,
    pub(crate) span: Span,
}

impl<T> Sp<T> {
    pub(crate) fn new(v: T, span: Span) -> Sp<T> {
        Sp { v, span }
    }
}

/// A string that holds a condition or other mini-language, with where its text starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Text {
    pub(crate) text: String,
    /// The span of the whole TOML string, quotes included.
    pub(crate) span: Span,
    /// For each byte of `text`, and one past its end, the offset of the source byte it was
    /// read from, counted from the span start; `None` when the source could not be mapped.
    map: Option<Vec<usize>>,
}

impl Text {
    /// A condition written in single quotes at the start of file 0, for tests.
    #[cfg(test)]
    pub(crate) fn quoted(text: &str) -> Text {
        let raw = format!("'{text}'");
        Text {
            map: source_map(&raw, text),
            text: text.to_owned(),
            span: Span::new(0, 0..raw.len()),
        }
    }

    /// The span of `len` bytes at `offset` in the text, or the whole string when the text
    /// does not map to the source.
    pub(crate) fn sub_span(&self, offset: usize, len: usize) -> Span {
        let Some(map) = &self.map else {
            return self.span;
        };
        match (map.get(offset), map.get(offset + len).or(map.last())) {
            (Some(&start), Some(&end)) => self.span.sub(start, end.saturating_sub(start).max(1)),
            _ => self.span,
        }
    }
}

/// Maps the decoded text of a TOML string literal back to its source bytes, escapes and
/// all; `None` if `raw` does not decode to `text` (which then is blamed as a whole).
fn source_map(raw: &str, text: &str) -> Option<Vec<usize>> {
    let (quote, multi) = if raw.starts_with("\"\"\"") {
        ('"', true)
    } else if raw.starts_with("'''") {
        ('\'', true)
    } else if raw.starts_with('"') {
        ('"', false)
    } else if raw.starts_with('\'') {
        ('\'', false)
    } else {
        return None;
    };
    let delim = if multi { 3 } else { 1 };
    let mut open = delim;
    let mut body = raw.get(delim..raw.len().checked_sub(delim)?)?;
    if multi {
        // a newline right after the opening delimiter is not part of the string
        if let Some(b) = body.strip_prefix("\r\n") {
            body = b;
            open += 2;
        } else if let Some(b) = body.strip_prefix('\n') {
            body = b;
            open += 1;
        }
    }
    let mut out = String::with_capacity(body.len());
    let mut map = Vec::with_capacity(body.len() + 1);
    let push = |c: char, at: usize, out: &mut String, map: &mut Vec<usize>| {
        out.push(c);
        map.extend(std::iter::repeat_n(open + at, c.len_utf8()));
    };
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' || quote == '\'' {
            push(c, i, &mut out, &mut map);
            continue;
        }
        let (_, e) = chars.next()?;
        let decoded = match e {
            '"' => '"',
            '\\' => '\\',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'e' => '\u{1b}',
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let mut hex = String::with_capacity(n);
                for _ in 0..n {
                    hex.push(chars.next()?.1);
                }
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
            }
            w if multi && w.is_whitespace() => {
                // a line-ending backslash: the whitespace up to the next text is dropped
                while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                    chars.next();
                }
                continue;
            }
            _ => return None,
        };
        push(decoded, i, &mut out, &mut map);
    }
    map.push(open + body.len());
    (out == text).then_some(map)
}

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// The reading context of one file.
pub(crate) struct Cx<'a> {
    pub(crate) file: u16,
    pub(crate) src: &'a str,
    pub(crate) diags: &'a mut Diags,
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'a> Cx<'a> {
    pub(crate) fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    pub(crate) fn error(&mut self, kind: DiagnosticKind, span: Span, message: impl Into<String>) {
        self.diags.error(kind, span, message);
    }

    pub(crate) fn push(&mut self, diag: Diag) {
        self.diags.push(diag);
    }

    fn wrong_type(&mut self, v: &Value<'_>, what: &str, expected: &str) {
        let span = self.span(v.span());
        let mut d = Diag::new(
            DiagnosticKind::WrongType,
            span,
            format!(
                "{what} must be {expected}, found {}",
                type_name(v.get_ref())
            ),
        );
        if expected.contains("date") {
            if let DeValue::String(s) = v.get_ref() {
                if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
                    d = d.with_help(format!("write the date without quotes: {s}"));
                }
            }
        }
        if expected.contains("number") || expected.contains("integer") {
            if let DeValue::String(s) = v.get_ref() {
                if s.trim().parse::<Decimal>().is_ok() {
                    d = d.with_help(format!("write the number without quotes: {}", s.trim()));
                }
            }
        }
        self.push(d);
    }

    /// Checks that every key of `table` is one of `allowed` (key descriptors of
    /// `crate::keys`, or plain names), reporting the others.
    ///
    /// `owner` is the span the compiler blames for a missing key of this table (its header
    /// or name): every key written here, and every key a misspelt one is taken for, is
    /// recorded so that it is not reported as missing as well.
    pub(crate) fn check_keys(
        &mut self,
        owner: Span,
        table: &DeTable<'_>,
        allowed: &[impl KeyName],
        what: &str,
    ) {
        for (k, _) in table.iter() {
            let name: &str = k.get_ref();
            if allowed.iter().any(|a| a.key_name() == name) {
                self.diags.written(owner, name);
                continue;
            }
            let span = self.span(k.span());
            let suggestion = closest(name, allowed.iter().map(KeyName::key_name));
            if let Some(s) = suggestion {
                self.diags.written(owner, s);
            }
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "{what} takes {}",
                    allowed
                        .iter()
                        .map(|a| format!("`{}`", a.key_name()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            self.push(
                Diag::new(
                    DiagnosticKind::UnknownKey,
                    span,
                    format!("unknown key `{name}` in {what}"),
                )
                .with_help(help),
            );
        }
    }

    pub(crate) fn table<'t, 'i>(
        &mut self,
        v: &'t Value<'i>,
        what: &str,
    ) -> Option<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(v, what, "a table");
                None
            }
        }
    }

    pub(crate) fn array<'t, 'i>(
        &mut self,
        v: &'t Value<'i>,
        what: &str,
    ) -> Option<&'t DeArray<'i>> {
        match v.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.wrong_type(v, what, "an array");
                None
            }
        }
    }

    pub(crate) fn string(&mut self, v: &Value<'_>, what: &str) -> Option<Sp<String>> {
        match v.get_ref() {
            DeValue::String(s) => Some(Sp::new(s.to_string(), self.span(v.span()))),
            _ => {
                self.wrong_type(v, what, "a string");
                None
            }
        }
    }

    /// A string holding a condition or other text whose inner offsets matter.
    pub(crate) fn text(&mut self, v: &Value<'_>, what: &str) -> Option<Text> {
        let s = self.string(v, what)?;
        let raw = self.src.get(v.span()).unwrap_or("");
        Some(Text {
            map: source_map(raw, &s.v),
            text: s.v,
            span: s.span,
        })
    }

    pub(crate) fn strings(&mut self, v: &Value<'_>, what: &str) -> Option<Sp<Vec<Sp<String>>>> {
        let arr = self.array(v, what)?;
        let mut out = Vec::with_capacity(arr.len());
        for item in arr.iter() {
            if let Some(s) = self.string(item, &format!("each entry of {what}")) {
                out.push(s);
            }
        }
        Some(Sp::new(out, self.span(v.span())))
    }

    pub(crate) fn texts(&mut self, v: &Value<'_>, what: &str) -> Option<Sp<Vec<Text>>> {
        let arr = self.array(v, what)?;
        let mut out = Vec::with_capacity(arr.len());
        for item in arr.iter() {
            if let Some(s) = self.text(item, &format!("each entry of {what}")) {
                out.push(s);
            }
        }
        Some(Sp::new(out, self.span(v.span())))
    }

    pub(crate) fn bool(&mut self, v: &Value<'_>, what: &str) -> Option<Sp<bool>> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Sp::new(*b, self.span(v.span()))),
            _ => {
                self.wrong_type(v, what, "true or false");
                None
            }
        }
    }

    /// An exact decimal read from the literal text of a TOML integer or float.
    pub(crate) fn number(&mut self, v: &Value<'_>, what: &str) -> Option<Sp<Decimal>> {
        let span = self.span(v.span());
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => {
                if i.radix() == 10 {
                    parse_decimal(i.as_str())
                } else {
                    i64::from_str_radix(i.as_str(), i.radix())
                        .map(Decimal::from)
                        .map_err(|_| NumberError::TooLarge)
                }
            }
            DeValue::Float(f) => parse_decimal(f.as_str()),
            _ => {
                self.wrong_type(v, what, "a number");
                return None;
            }
        };
        match parsed {
            Ok(d) => Some(Sp::new(d, span)),
            Err(e) => {
                let literal = self.src.get(v.span()).unwrap_or("").to_owned();
                self.push(number_diag(e, span, what, &literal));
                None
            }
        }
    }

    /// A whole number (TOML integer, or a float literal with no fraction is refused).
    pub(crate) fn integer(&mut self, v: &Value<'_>, what: &str) -> Option<Sp<i64>> {
        let span = self.span(v.span());
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Sp::new(n, span)),
                Err(_) => {
                    self.error(
                        DiagnosticKind::InvalidValue,
                        span,
                        format!("{what} is too large"),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(v, what, "a whole number");
                None
            }
        }
    }

    /// A TOML local date (`2026-01-01`, no time, no offset).
    pub(crate) fn date(&mut self, v: &Value<'_>, what: &str) -> Option<Sp<NaiveDate>> {
        let span = self.span(v.span());
        match v.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    match NaiveDate::from_ymd_opt(
                        i32::from(d.year),
                        u32::from(d.month),
                        u32::from(d.day),
                    ) {
                        Some(date) => Some(Sp::new(date, span)),
                        None => {
                            self.error(
                                DiagnosticKind::InvalidValue,
                                span,
                                format!("{what} is not a valid date"),
                            );
                            None
                        }
                    }
                }
                _ => {
                    self.push(Diag::new(
                        DiagnosticKind::WrongType,
                        span,
                        format!(
                            "{what} must be a local date like 2026-01-01, without a time or offset"
                        ),
                    ));
                    None
                }
            },
            _ => {
                self.wrong_type(v, what, "a date like 2026-01-01");
                None
            }
        }
    }

    /// A date and time of day: a TOML date-time (`2026-07-01T08:00:00+08:00`, or local
    /// without an offset) or a string holding one (RFC 3339, or local like
    /// `2026-07-01 08:00`). The offset is `None` for a local date-time.
    pub(crate) fn datetime(
        &mut self,
        v: &Value<'_>,
        what: &str,
    ) -> Option<Sp<(NaiveDateTime, Option<FixedOffset>)>> {
        let span = self.span(v.span());
        let example = "like 2026-07-01T09:30:00+08:00";
        let parsed = match v.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), Some(t)) => {
                    let date = NaiveDate::from_ymd_opt(
                        i32::from(d.year),
                        u32::from(d.month),
                        u32::from(d.day),
                    );
                    let time = NaiveTime::from_hms_nano_opt(
                        u32::from(t.hour),
                        u32::from(t.minute),
                        u32::from(t.second.unwrap_or(0)),
                        t.nanosecond.unwrap_or(0),
                    );
                    // the offset type is not exported by `toml`: read its RFC 3339 text
                    let offset = match dt.offset.map(|o| o.to_string()) {
                        None => Some(None),
                        Some(o) if o == "Z" => FixedOffset::east_opt(0).map(Some),
                        Some(o) => DateTime::parse_from_rfc3339(&format!("2000-01-01T00:00:00{o}"))
                            .ok()
                            .map(|t| Some(*t.offset())),
                    };
                    match (date, time, offset) {
                        (Some(d), Some(t), Some(o)) => Some((d.and_time(t), o)),
                        _ => None,
                    }
                }
                (Some(_), None) => {
                    self.push(
                        Diag::new(
                            DiagnosticKind::WrongType,
                            span,
                            format!("{what} must be a date and a time, found a date alone"),
                        )
                        .with_help(format!("add the time of day, {example}")),
                    );
                    return None;
                }
                (None, _) => {
                    self.push(
                        Diag::new(
                            DiagnosticKind::WrongType,
                            span,
                            format!("{what} must be a date and a time, found a time alone"),
                        )
                        .with_help(format!("add the date, {example}")),
                    );
                    return None;
                }
            },
            DeValue::String(s) => {
                let s = s.trim();
                DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|t| (t.naive_local(), Some(*t.offset())))
                    .or_else(|| {
                        [
                            "%Y-%m-%dT%H:%M:%S%.f",
                            "%Y-%m-%d %H:%M:%S%.f",
                            "%Y-%m-%dT%H:%M",
                            "%Y-%m-%d %H:%M",
                        ]
                        .iter()
                        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                        .map(|t| (t, None))
                    })
            }
            _ => {
                self.wrong_type(v, what, &format!("a date and time {example}"));
                return None;
            }
        };
        match parsed {
            Some(p) => Some(Sp::new(p, span)),
            None => {
                let literal = self.src.get(v.span()).unwrap_or("").to_owned();
                self.push(
                    Diag::new(
                        DiagnosticKind::InvalidValue,
                        span,
                        format!("{what} {literal} is not a valid date and time"),
                    )
                    .with_help(format!("write it {example}")),
                );
                None
            }
        }
    }
}

pub(crate) fn number_diag(e: NumberError, span: Span, what: &str, literal: &str) -> Diag {
    match e {
        NumberError::NotFinite => Diag::new(
            DiagnosticKind::InvalidValue,
            span,
            format!("{what} must be a finite number, found `{literal}`"),
        ),
        NumberError::TooLarge => Diag::new(
            DiagnosticKind::InvalidValue,
            span,
            format!("{what} `{literal}` is too large for exact decimal arithmetic"),
        )
        .with_help("numbers may have at most 28 significant digits"),
        NumberError::TooPrecise => Diag::new(
            DiagnosticKind::InvalidValue,
            span,
            format!("{what} `{literal}` has more digits than can be kept exactly"),
        )
        .with_help("numbers may have at most 28 significant digits; it would be rounded"),
        NumberError::Malformed => Diag::new(
            DiagnosticKind::InvalidValue,
            span,
            format!("{what} `{literal}` is not a number"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_map_back_to_their_source() {
        let at = |raw: &str, text: &str| source_map(raw, text).map(|m| (m[0], m[m.len() - 1]));
        assert_eq!(at("'a > 1'", "a > 1"), Some((1, 6)));
        assert_eq!(at("\"a > 1\"", "a > 1"), Some((1, 6)));
        let m = source_map(r#""r in [\"A\"]""#, r#"r in ["A"]"#).unwrap();
        // `A` is the 8th byte of the text and the 10th of the source, after `"r in [\"`
        assert_eq!(m[7], 9);
        let m = source_map("\"\"\"\nx == 'é'\"\"\"", "x == 'é'").unwrap();
        assert_eq!((m[0], m[6], m[8]), (4, 10, 12));
        assert_eq!(source_map("\"\\q\"", "q"), None);
        assert_eq!(source_map("\"a\"", "b"), None);
        assert_eq!(
            source_map("\"\"\"a \\\n   b\"\"\"", "a b").map(|m| m[2]),
            Some(10)
        );
    }
}
