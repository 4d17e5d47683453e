//! Lexer and recursive-descent parser of the condition language (spec section 5).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::decimal::parse_decimal;
pub(crate) use crate::model::CmpOp;

/// Longest condition accepted, in characters.
pub(crate) const MAX_LEN: usize = 1000;
/// Deepest nesting accepted (parentheses, `not`, lists).
pub(crate) const MAX_DEPTH: usize = 32;

/// A parse error: a message and the byte range in the condition text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseError {
    pub(crate) at: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

impl ParseError {
    fn new(at: usize, len: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            at,
            len,
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> ParseError {
        self.help = Some(help.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Atom {
    Name(String),
    Num(Decimal),
    Str(String),
    Date(NaiveDate),
    Bool(bool),
}

/// A parsed condition, each node with its byte range in the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ast {
    Or(Vec<Ast>),
    And(Vec<Ast>),
    Not(Box<Ast>),
    Cmp {
        lhs: Box<Ast>,
        op: CmpOp,
        op_at: usize,
        rhs: Box<Ast>,
    },
    In {
        lhs: Box<Ast>,
        list: Vec<Ast>,
    },
    Atom {
        atom: Atom,
        at: usize,
        len: usize,
    },
}

impl Ast {
    /// The start and length of the node's text.
    pub(crate) fn extent(&self) -> (usize, usize) {
        match self {
            Ast::Atom { at, len, .. } => (*at, *len),
            Ast::Or(v) | Ast::And(v) => {
                let first = v.first().map(Ast::extent).unwrap_or((0, 0));
                let last = v.last().map(Ast::extent).unwrap_or((0, 0));
                (first.0, (last.0 + last.1).saturating_sub(first.0))
            }
            Ast::Not(inner) => inner.extent(),
            Ast::Cmp { lhs, rhs, .. } => {
                let a = lhs.extent();
                let b = rhs.extent();
                (a.0, (b.0 + b.1).saturating_sub(a.0))
            }
            Ast::In { lhs, list } => {
                let a = lhs.extent();
                let end = list.last().map_or(a.0 + a.1, |l| {
                    let e = l.extent();
                    e.0 + e.1
                });
                (a.0, end.saturating_sub(a.0))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Num(Decimal),
    Str(String),
    Date(NaiveDate),
    Op(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    And,
    Or,
    Not,
    In,
    True,
    False,
}

fn lex(text: &str) -> Result<Vec<(Tok, usize, usize)>, ParseError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => out.push((Tok::LParen, start, 1)),
            b')' => out.push((Tok::RParen, start, 1)),
            b'[' => out.push((Tok::LBracket, start, 1)),
            b']' => out.push((Tok::RBracket, start, 1)),
            b',' => out.push((Tok::Comma, start, 1)),
            b'=' | b'!' | b'<' | b'>' => {
                let next = bytes.get(i + 1).copied();
                let (op, len) = match (b, next) {
                    (b'=', Some(b'=')) => (CmpOp::Eq, 2),
                    (b'!', Some(b'=')) => (CmpOp::Ne, 2),
                    (b'<', Some(b'=')) => (CmpOp::Le, 2),
                    (b'>', Some(b'=')) => (CmpOp::Ge, 2),
                    (b'<', _) => (CmpOp::Lt, 1),
                    (b'>', _) => (CmpOp::Gt, 1),
                    (b'=', _) => {
                        return Err(
                            ParseError::new(start, 1, "unexpected `=`").help("compare with `==`")
                        )
                    }
                    _ => {
                        return Err(ParseError::new(start, 1, "unexpected `!`")
                            .help("write `not` to negate, or `!=` for not equal"))
                    }
                };
                out.push((Tok::Op(op), start, len));
                i += len;
                continue;
            }
            b'\'' | b'"' => {
                let quote = b;
                let mut j = i + 1;
                loop {
                    match bytes.get(j) {
                        Some(&c) if c == quote => break,
                        Some(_) => j += 1,
                        None => {
                            return Err(ParseError::new(
                                start,
                                text.len() - start,
                                "unterminated string",
                            )
                            .help("close the string with the same quote it opened with"))
                        }
                    }
                }
                let s = text.get(i + 1..j).unwrap_or("").to_owned();
                out.push((Tok::Str(s), start, j + 1 - start));
                i = j + 1;
                continue;
            }
            b'0'..=b'9' | b'-' | b'+' | b'.' => {
                let mut j = i + 1;
                while let Some(&c) = bytes.get(j) {
                    if c.is_ascii_digit() || c == b'.' || c == b'-' || c == b'_' {
                        j += 1;
                    } else {
                        break;
                    }
                }
                let lit = text.get(i..j).unwrap_or("");
                if lit.len() == 10
                    && lit.as_bytes().get(4) == Some(&b'-')
                    && lit.as_bytes().get(7) == Some(&b'-')
                {
                    match NaiveDate::parse_from_str(lit, "%Y-%m-%d") {
                        Ok(d) => out.push((Tok::Date(d), start, j - start)),
                        Err(_) => {
                            return Err(ParseError::new(
                                start,
                                j - start,
                                format!("`{lit}` is not a valid date"),
                            ))
                        }
                    }
                } else {
                    match parse_decimal(lit) {
                        Ok(d) => out.push((Tok::Num(d), start, j - start)),
                        Err(_) => {
                            return Err(ParseError::new(
                                start,
                                j - start,
                                format!("`{lit}` is not a number"),
                            ))
                        }
                    }
                }
                i = j;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i + 1;
                while let Some(&c) = bytes.get(j) {
                    if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
                        j += 1;
                    } else {
                        break;
                    }
                }
                let word = text.get(i..j).unwrap_or("");
                let tok = match word {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    w => Tok::Name(w.to_owned()),
                };
                out.push((tok, start, j - start));
                i = j;
                continue;
            }
            b'&' | b'|' => {
                let word = if b == b'&' { "and" } else { "or" };
                return Err(
                    ParseError::new(start, 1, format!("unexpected `{}`", b as char))
                        .help(format!("write `{word}`")),
                );
            }
            _ => {
                let ch = text.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
                return Err(ParseError::new(
                    start,
                    ch.len_utf8(),
                    format!("unexpected character `{ch}`"),
                ));
            }
        }
        i += 1;
    }
    Ok(out)
}

struct Parser<'t> {
    toks: Vec<(Tok, usize, usize)>,
    pos: usize,
    text: &'t str,
    depth: usize,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Name(n) => format!("`{n}`"),
        Tok::Num(n) => format!("`{n}`"),
        Tok::Str(s) => format!("'{s}'"),
        Tok::Date(d) => format!("`{d}`"),
        Tok::Op(o) => format!("`{}`", o.as_str()),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::And => "`and`".into(),
        Tok::Or => "`or`".into(),
        Tok::Not => "`not`".into(),
        Tok::In => "`in`".into(),
        Tok::True => "`true`".into(),
        Tok::False => "`false`".into(),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&(Tok, usize, usize)> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<(Tok, usize, usize)> {
        let t = self.toks.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn end(&self) -> usize {
        self.text.len()
    }

    fn enter(&mut self, at: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(
                at,
                1,
                format!("condition is nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Ast, ParseError> {
        let mut items = vec![self.and()?];
        while matches!(self.peek(), Some((Tok::Or, _, _))) {
            self.next();
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Ast::Or(Vec::new()))
        } else {
            Ast::Or(items)
        })
    }

    fn and(&mut self) -> Result<Ast, ParseError> {
        let mut items = vec![self.not()?];
        while matches!(self.peek(), Some((Tok::And, _, _))) {
            self.next();
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Ast::And(Vec::new()))
        } else {
            Ast::And(items)
        })
    }

    fn not(&mut self) -> Result<Ast, ParseError> {
        if let Some((Tok::Not, at, _)) = self.peek() {
            let at = *at;
            self.next();
            self.enter(at)?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Ast::Not(Box::new(inner)));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Ast, ParseError> {
        let lhs = self.value()?;
        match self.peek().cloned() {
            Some((Tok::Op(op), op_at, _)) => {
                self.next();
                let rhs = self.value()?;
                if let Some((Tok::Op(_), at, len)) = self.peek() {
                    return Err(ParseError::new(*at, *len, "comparisons cannot be chained")
                        .help("join two comparisons with `and`"));
                }
                Ok(Ast::Cmp {
                    lhs: Box::new(lhs),
                    op,
                    op_at,
                    rhs: Box::new(rhs),
                })
            }
            Some((Tok::In, _, _)) => {
                self.next();
                let list = self.list()?;
                Ok(Ast::In {
                    lhs: Box::new(lhs),
                    list,
                })
            }
            _ => Ok(lhs),
        }
    }

    fn list(&mut self) -> Result<Vec<Ast>, ParseError> {
        match self.next() {
            Some((Tok::LBracket, _, _)) => {}
            Some((t, at, len)) => {
                return Err(ParseError::new(
                    at,
                    len,
                    format!("expected a list `[...]` after `in`, found {}", describe(&t)),
                )
                .help("write the values in brackets: `x in ['a', 'b']`"))
            }
            None => {
                return Err(
                    ParseError::new(self.end(), 0, "expected a list `[...]` after `in`")
                        .help("write the values in brackets: `x in ['a', 'b']`"),
                )
            }
        }
        let mut items = Vec::new();
        if matches!(self.peek(), Some((Tok::RBracket, _, _))) {
            self.next();
            return Ok(items);
        }
        loop {
            items.push(self.value()?);
            match self.next() {
                Some((Tok::Comma, _, _)) => {
                    if matches!(self.peek(), Some((Tok::RBracket, _, _))) {
                        self.next();
                        return Ok(items);
                    }
                }
                Some((Tok::RBracket, _, _)) => return Ok(items),
                Some((t, at, len)) => {
                    return Err(ParseError::new(
                        at,
                        len,
                        format!("expected `,` or `]` in the list, found {}", describe(&t)),
                    ))
                }
                None => {
                    return Err(ParseError::new(
                        self.end(),
                        0,
                        "unclosed list: expected `]`",
                    ))
                }
            }
        }
    }

    fn value(&mut self) -> Result<Ast, ParseError> {
        let Some((tok, at, len)) = self.next() else {
            return Err(ParseError::new(
                self.end(),
                0,
                "condition ends too early: expected a value",
            ));
        };
        let atom = match tok {
            Tok::Name(n) => Atom::Name(n),
            Tok::Num(n) => Atom::Num(n),
            Tok::Str(s) => Atom::Str(s),
            Tok::Date(d) => Atom::Date(d),
            Tok::True => Atom::Bool(true),
            Tok::False => Atom::Bool(false),
            Tok::LParen => {
                self.enter(at)?;
                let inner = self.or()?;
                self.depth -= 1;
                return match self.next() {
                    Some((Tok::RParen, _, _)) => Ok(inner),
                    Some((t, at2, len2)) => Err(ParseError::new(
                        at2,
                        len2,
                        format!("expected `)`, found {}", describe(&t)),
                    )),
                    None => Err(ParseError::new(at, 1, "unclosed `(`").help("close it with `)`")),
                };
            }
            t => {
                return Err(ParseError::new(
                    at,
                    len,
                    format!("expected a value, found {}", describe(&t)),
                ));
            }
        };
        Ok(Ast::Atom { atom, at, len })
    }
}

/// Parses a condition.
pub(crate) fn parse(text: &str) -> Result<Ast, ParseError> {
    let chars = text.chars().count();
    if chars > MAX_LEN {
        return Err(ParseError::new(
            0,
            text.len(),
            format!("condition is {chars} characters long, more than the limit of {MAX_LEN}"),
        )
        .help("shorten it, or split a `require` into several conditions"));
    }
    if text.trim().is_empty() {
        return Err(ParseError::new(0, text.len(), "condition is empty"));
    }
    let toks = lex(text)?;
    let mut p = Parser {
        toks,
        pos: 0,
        text,
        depth: 0,
    };
    let ast = p.or()?;
    if let Some((t, at, len)) = p.next() {
        let help = match t {
            Tok::Name(_) | Tok::Num(_) | Tok::Str(_) | Tok::Date(_) => {
                Some("join conditions with `and` or `or`")
            }
            _ => None,
        };
        let mut e = ParseError::new(
            at,
            len,
            format!("unexpected {} after a complete condition", describe(&t)),
        );
        if let Some(h) = help {
            e = e.help(h);
        }
        return Err(e);
    }
    Ok(ast)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_precedence() {
        let a = parse("a or b and not c").unwrap();
        match a {
            Ast::Or(items) => {
                assert_eq!(items.len(), 2);
                assert!(matches!(items[1], Ast::And(_)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_comparisons_and_lists() {
        assert!(matches!(
            parse("x >= -4.5").unwrap(),
            Ast::Cmp { op: CmpOp::Ge, .. }
        ));
        assert!(matches!(
            parse("r in ['A', \"B\"]").unwrap(),
            Ast::In { .. }
        ));
        assert!(matches!(parse("d < 2020-01-31").unwrap(), Ast::Cmp { .. }));
        assert!(matches!(parse("(a)").unwrap(), Ast::Atom { .. }));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("a = 1").unwrap_err();
        assert_eq!((e.at, e.message.as_str()), (2, "unexpected `=`"));
        let e = parse("a > 1 b").unwrap_err();
        assert_eq!(e.at, 6);
        let e = parse("a in 'x'").unwrap_err();
        assert!(e.message.contains("expected a list"));
        let e = parse("(a > 1").unwrap_err();
        assert!(e.message.contains("`)`") || e.message.contains("unclosed"));
        let e = parse("x == 'abc").unwrap_err();
        assert_eq!(e.message, "unterminated string");
        assert!(parse("1 < x < 3").unwrap_err().message.contains("chained"));
        assert!(parse("").is_err());
        assert!(parse("a and").is_err());
        assert!(parse("d > 2020-13-01")
            .unwrap_err()
            .message
            .contains("not a valid date"));
    }

    #[test]
    fn depth_and_length_are_limited() {
        let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
        let nots = format!("{}a", "not ".repeat(40));
        assert!(parse(&nots).unwrap_err().message.contains("nested"));
        let ok = format!("{}a{}", "(".repeat(30), ")".repeat(30));
        assert!(parse(&ok).is_ok());
        let long = format!("a > {}", "1".repeat(1000));
        assert!(parse(&long)
            .unwrap_err()
            .message
            .contains("more than the limit of 1000"));
        // the limit counts characters, not bytes
        let wide = format!("x == '{}'", "货".repeat(990));
        assert!(parse(&wide).is_ok());
    }
}
