//! Conditions: parsed and type-checked when a policy is compiled, evaluated against slots.
//!
//! Names are resolved here to metric indices, dimension indices and tier, case, severity and
//! channel numbers; evaluation never looks at a string.

mod parse;

use crate::error::{closest, did_you_mean, Diag, DiagnosticKind};
use crate::model::{CmpOp, Cond, MetricDef, MetricKind, Operand, Rv};
use crate::raw::Text;
use crate::suggest::expected_one_of;
use parse::{Ast, Atom};

/// What names a condition may use, and where it stands (for messages).
pub(crate) struct Scope<'a> {
    pub(crate) metrics: &'a [MetricDef],
    pub(crate) dimensions: &'a [String],
    pub(crate) tiers: &'a [String],
    pub(crate) case_kinds: &'a [String],
    pub(crate) severities: &'a [String],
    pub(crate) channels: &'a [String],
    pub(crate) allow_tier: bool,
    pub(crate) allow_case: bool,
    /// Where the condition is, e.g. "a tier's `require`".
    pub(crate) place: &'static str,
}

/// The static type of an operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Num,
    Date,
    Bool,
    Enum(u16),
    Tier,
    Kind,
    Severity,
    Channel,
    /// A string literal, typed by what it is compared with.
    Str,
}

fn ty_name(t: Ty) -> &'static str {
    match t {
        Ty::Num => "a number",
        Ty::Date => "a date",
        Ty::Bool => "a boolean",
        Ty::Enum(_) => "an enum",
        Ty::Tier => "a tier",
        Ty::Kind => "a case kind",
        Ty::Severity => "a severity",
        Ty::Channel => "a channel",
        Ty::Str => "a string",
    }
}

/// An operand being checked: its compiled form, type, text and place.
struct Checked {
    op: Operand,
    ty: Ty,
    text: String,
    at: usize,
    len: usize,
}

struct Checker<'s, 't> {
    scope: &'s Scope<'s>,
    text: &'t Text,
    errors: Vec<Diag>,
}

impl Checker<'_, '_> {
    fn err(&mut self, at: usize, len: usize, message: String, help: Option<String>) {
        let span = self.text.sub_span(at, len);
        self.errors
            .push(Diag::new(DiagnosticKind::Condition, span, message).with_help_opt(help));
    }

    fn name_candidates(&self) -> Vec<String> {
        let mut c: Vec<String> = self.scope.metrics.iter().map(|m| m.name.clone()).collect();
        c.push("score".into());
        c.extend(
            self.scope
                .dimensions
                .iter()
                .map(|d| format!("dimension.{d}")),
        );
        if self.scope.allow_tier {
            c.push("tier".into());
        }
        if self.scope.allow_case {
            c.extend(["case.kind", "case.severity", "case.channel"].map(String::from));
        }
        c
    }

    fn operand(&mut self, ast: &Ast) -> Option<Checked> {
        let Ast::Atom { atom, at, len } = ast else {
            let (at, len) = ast.extent();
            self.err(
                at,
                len,
                "a condition cannot be compared as a value".into(),
                Some("compare names with values, e.g. `score >= 60`".into()),
            );
            return None;
        };
        let (at, len) = (*at, *len);
        let text = self.text.text.get(at..at + len).unwrap_or("").to_owned();
        let (op, ty) = match atom {
            Atom::Num(n) => (Operand::Lit(Rv::Num(*n)), Ty::Num),
            Atom::Date(d) => (Operand::Lit(Rv::Date(*d)), Ty::Date),
            Atom::Bool(b) => (Operand::Lit(Rv::Bool(*b)), Ty::Bool),
            Atom::Str(_) => (Operand::Lit(Rv::Sym(0)), Ty::Str),
            Atom::Name(n) => self.name(n, at, len)?,
        };
        Some(Checked {
            op,
            ty,
            text,
            at,
            len,
        })
    }

    fn name(&mut self, n: &str, at: usize, len: usize) -> Option<(Operand, Ty)> {
        if let Some(i) = self.scope.metrics.iter().position(|m| m.name == n) {
            let m = self.scope.metrics.get(i)?;
            let id = u16::try_from(i).ok()?;
            let ty = match m.kind {
                MetricKind::Decimal { .. } | MetricKind::Integer { .. } => Ty::Num,
                MetricKind::Date => Ty::Date,
                MetricKind::Bool => Ty::Bool,
                MetricKind::Enum { .. } => Ty::Enum(id),
                // the metric's declaration was reported; its type is unknown
                MetricKind::Unresolved => return None,
            };
            return Some((Operand::Metric(id), ty));
        }
        match n {
            "score" => return Some((Operand::Score, Ty::Num)),
            "tier" => {
                if self.scope.allow_tier {
                    return Some((Operand::Tier, Ty::Tier));
                }
                self.err(
                    at,
                    len,
                    format!("`tier` cannot be used in {}", self.scope.place),
                    Some("`tier` is known only after tiering: use it in `[[grants]]` and `[[routing]]`".into()),
                );
                return None;
            }
            _ => {}
        }
        if let Some(dim) = n.strip_prefix("dimension.") {
            if let Some(i) = self.scope.dimensions.iter().position(|d| d == dim) {
                return Some((Operand::Dimension(u16::try_from(i).ok()?), Ty::Num));
            }
            let help = match closest(dim, self.scope.dimensions.iter().map(String::as_str)) {
                Some(c) => Some(format!("did you mean `dimension.{c}`?")),
                None if self.scope.dimensions.is_empty() => {
                    Some("the policy has no dimensions".to_owned())
                }
                None => Some(format!(
                    "the dimensions are {}",
                    self.scope
                        .dimensions
                        .iter()
                        .map(|d| format!("`{d}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            self.err(at, len, format!("unknown dimension `{dim}`"), help);
            return None;
        }
        if let Some(field) = n.strip_prefix("case.") {
            let found = match field {
                "kind" => Some((Operand::CaseKind, Ty::Kind)),
                "severity" => Some((Operand::CaseSeverity, Ty::Severity)),
                "channel" => Some((Operand::CaseChannel, Ty::Channel)),
                _ => None,
            };
            return match found {
                Some(f) if self.scope.allow_case => Some(f),
                Some(_) => {
                    self.err(
                        at,
                        len,
                        format!("`{n}` cannot be used in {}", self.scope.place),
                        Some("`case.*` names are known only when routing a case: use them in `[[routing]]`".into()),
                    );
                    None
                }
                None => {
                    let help = did_you_mean(n, ["case.kind", "case.severity", "case.channel"]);
                    self.err(at, len, format!("unknown name `{n}`"), help);
                    None
                }
            };
        }
        let candidates = self.name_candidates();
        let help = if self.scope.dimensions.iter().any(|d| d == n) {
            // a dimension written without its prefix
            Some(format!("did you mean `dimension.{n}`?"))
        } else if n.eq_ignore_ascii_case("true") || n.eq_ignore_ascii_case("false") {
            Some(format!("did you mean `{}`?", n.to_ascii_lowercase()))
        } else {
            did_you_mean(n, candidates.iter().map(String::as_str))
        };
        let message = if n.contains('.') || n == "case" || n == "dimension" {
            format!("unknown name `{n}`")
        } else {
            format!("unknown metric `{n}`")
        };
        self.err(at, len, message, help);
        None
    }

    /// Resolves a string literal against the type it is compared with.
    fn symbol(&mut self, lit: &Checked, against: Ty) -> Option<Operand> {
        let s = lit
            .text
            .get(1..lit.text.len().saturating_sub(1))
            .unwrap_or("");
        let (list, what): (Vec<&str>, String) = match against {
            Ty::Enum(m) => {
                let metric = self.scope.metrics.get(usize::from(m))?;
                let values = match &metric.kind {
                    MetricKind::Enum { values } => values.iter().map(String::as_str).collect(),
                    _ => Vec::new(),
                };
                (values, format!("a value of `{}`", metric.name))
            }
            Ty::Tier => (
                self.scope.tiers.iter().map(String::as_str).collect(),
                "a tier".into(),
            ),
            Ty::Kind => (
                self.scope.case_kinds.iter().map(String::as_str).collect(),
                "a case kind".into(),
            ),
            Ty::Severity => (
                self.scope.severities.iter().map(String::as_str).collect(),
                "a severity".into(),
            ),
            Ty::Channel => (
                self.scope.channels.iter().map(String::as_str).collect(),
                "a channel".into(),
            ),
            _ => return None,
        };
        match list.iter().position(|v| *v == s) {
            Some(i) => Some(Operand::Lit(Rv::Sym(u16::try_from(i).ok()?))),
            None => {
                let help = did_you_mean(s, list.iter().copied())
                    .or_else(|| (!list.is_empty()).then(|| expected_one_of(list.iter().copied())));
                self.err(lit.at, lit.len, format!("`{s}` is not {what}"), help);
                None
            }
        }
    }

    /// Checks that `b` may be compared with `a`, returning `b` compiled against `a`'s type.
    fn unify(
        &mut self,
        a: &Checked,
        b: &Checked,
        op: CmpOp,
        op_at: usize,
    ) -> Option<(Operand, Operand, CmpOp)> {
        let (x, y) = (a.ty, b.ty);
        let sym = matches!(
            x,
            Ty::Enum(_) | Ty::Tier | Ty::Kind | Ty::Severity | Ty::Channel
        );
        let sym_y = matches!(
            y,
            Ty::Enum(_) | Ty::Tier | Ty::Kind | Ty::Severity | Ty::Channel
        );
        if x == Ty::Str && y == Ty::Str {
            self.err(
                a.at,
                (b.at + b.len).saturating_sub(a.at),
                "comparing two strings is always true or always false".into(),
                Some("compare a name with a string, e.g. `credit_rating == 'A'`".into()),
            );
            return None;
        }
        if x == Ty::Str && sym_y {
            // literal on the left: swap so the name is on the left
            let (o1, o2, op) = self.unify(b, a, op.flip(), op_at)?;
            return Some((o2, o1, op.flip()));
        }
        let ordering = op.is_ordering();
        let (oa, ob) = match (x, y) {
            (Ty::Num, Ty::Num) | (Ty::Date, Ty::Date) => (a.op, b.op),
            (Ty::Bool, Ty::Bool) => {
                if ordering {
                    self.err(
                        op_at,
                        op.as_str().len(),
                        format!("booleans cannot be ordered with `{}`", op.as_str()),
                        Some("use `==` or `!=`".into()),
                    );
                    return None;
                }
                (a.op, b.op)
            }
            (_, Ty::Str) if sym => {
                let ob = self.symbol(b, x)?;
                (a.op, ob)
            }
            (Ty::Enum(m1), Ty::Enum(m2)) if m1 == m2 => (a.op, b.op),
            (Ty::Tier, Ty::Tier)
            | (Ty::Kind, Ty::Kind)
            | (Ty::Severity, Ty::Severity)
            | (Ty::Channel, Ty::Channel) => (a.op, b.op),
            _ => {
                let help = match (x, y) {
                    (Ty::Num, Ty::Str) | (Ty::Str, Ty::Num) => {
                        let (name, lit) = if x == Ty::Str { (b, a) } else { (a, b) };
                        let inner = lit
                            .text
                            .get(1..lit.text.len().saturating_sub(1))
                            .unwrap_or("");
                        Some(match crate::decimal::parse_decimal(inner.trim()) {
                            Ok(n) => format!("write the number without quotes: {n}"),
                            Err(_) => format!(
                                "`{}` is a number: compare it with a number, e.g. `{} >= 100`",
                                name.text, name.text
                            ),
                        })
                    }
                    (Ty::Date, _) | (_, Ty::Date) => {
                        Some("compare dates with dates like 2020-01-01".to_owned())
                    }
                    _ => None,
                };
                // an element of an `in` list (passed with `op_at` at the element) is pointed
                // at alone; a comparison from its left side to its right
                let (at, len) = if op_at == b.at {
                    (b.at, b.len)
                } else {
                    (a.at, (b.at + b.len).saturating_sub(a.at))
                };
                self.err(
                    at,
                    len,
                    format!(
                        "cannot compare `{}` ({}) with `{}` ({})",
                        a.text,
                        ty_name(x),
                        b.text,
                        ty_name(y)
                    ),
                    help,
                );
                return None;
            }
        };
        if ordering {
            match x {
                Ty::Enum(_) => {
                    self.err(
                        op_at,
                        op.as_str().len(),
                        format!("enum values cannot be ordered with `{}`", op.as_str()),
                        Some(format!(
                            "list the values you mean: `{} in ['...', '...']`",
                            a.text
                        )),
                    );
                    return None;
                }
                Ty::Kind | Ty::Severity | Ty::Channel => {
                    self.err(
                        op_at,
                        op.as_str().len(),
                        format!(
                            "{}s cannot be ordered with `{}`",
                            ty_name(x).trim_start_matches("a "),
                            op.as_str()
                        ),
                        Some("use `==`, `!=` or `in`".into()),
                    );
                    return None;
                }
                // tiers are numbered from the highest (0): a higher rank is a smaller number
                Ty::Tier => return Some((oa, ob, op.flip())),
                _ => {}
            }
        }
        Some((oa, ob, op))
    }

    fn cond(&mut self, ast: &Ast) -> Option<Cond> {
        match ast {
            Ast::Or(items) => {
                let cs: Vec<Option<Cond>> = items.iter().map(|a| self.cond(a)).collect();
                let cs: Option<Vec<Cond>> = cs.into_iter().collect();
                Some(Cond::Or(cs?.into_boxed_slice()))
            }
            Ast::And(items) => {
                let cs: Vec<Option<Cond>> = items.iter().map(|a| self.cond(a)).collect();
                let cs: Option<Vec<Cond>> = cs.into_iter().collect();
                Some(Cond::And(cs?.into_boxed_slice()))
            }
            Ast::Not(inner) => Some(Cond::Not(Box::new(self.cond(inner)?))),
            Ast::Cmp {
                lhs,
                op,
                op_at,
                rhs,
            } => {
                let a = self.operand(lhs);
                let b = self.operand(rhs);
                let (a, b) = (a?, b?);
                let (oa, ob, op) = self.unify(&a, &b, *op, *op_at)?;
                Some(Cond::Cmp(oa, op, ob))
            }
            Ast::In { lhs, list } => {
                let a = self.operand(lhs)?;
                if a.ty == Ty::Str {
                    self.err(
                        a.at,
                        a.len,
                        "a string cannot be the left side of `in`".into(),
                        Some("put the name first: `credit_rating in ['A', 'B']`".into()),
                    );
                    return None;
                }
                let mut out = Vec::with_capacity(list.len());
                let mut ok = true;
                for item in list {
                    match self.operand(item) {
                        Some(b) => match self.unify(&a, &b, CmpOp::Eq, b.at) {
                            Some((_, ob, _)) => out.push(ob),
                            None => ok = false,
                        },
                        None => ok = false,
                    }
                }
                ok.then(|| Cond::In(a.op, out.into_boxed_slice()))
            }
            Ast::Atom { atom, at, len } => {
                match atom {
                    Atom::Bool(b) => Some(Cond::Const(*b)),
                    _ => {
                        let c = self.operand(ast)?;
                        match (c.ty, c.op) {
                            (Ty::Bool, Operand::Metric(m)) => Some(Cond::Truthy(m)),
                            (ty, _) => {
                                let literal = !matches!(atom, Atom::Name(_));
                                let help = match ty {
                                _ if literal => Some("a condition compares a name with a value, e.g. `score >= 60`".to_owned()),
                                Ty::Num => Some(format!("compare it, e.g. `{} > 0`", c.text)),
                                Ty::Date => Some(format!("compare it, e.g. `{} < 2020-01-01`", c.text)),
                                Ty::Enum(_) | Ty::Tier | Ty::Kind | Ty::Severity | Ty::Channel => {
                                    Some(format!("compare it, e.g. `{} == '...'`", c.text))
                                }
                                _ => None,
                            };
                                self.err(
                                    *at,
                                    *len,
                                    format!("`{}` is {}, not a condition", c.text, ty_name(ty)),
                                    help,
                                );
                                None
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Parses and type-checks a condition; every problem becomes a diagnostic.
pub(crate) fn compile(text: &Text, scope: &Scope<'_>) -> Result<Cond, Vec<Diag>> {
    let ast = match parse::parse(&text.text) {
        Ok(a) => a,
        Err(e) => {
            let span = text.sub_span(e.at, e.len);
            return Err(vec![
                Diag::new(DiagnosticKind::Condition, span, e.message).with_help_opt(e.help)
            ]);
        }
    };
    let mut checker = Checker {
        scope,
        text,
        errors: Vec::new(),
    };
    match checker.cond(&ast) {
        Some(c) if checker.errors.is_empty() => Ok(c),
        _ => Err(checker.errors),
    }
}

#[cfg(test)]
mod tests;
