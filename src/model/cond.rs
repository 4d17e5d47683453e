//! Compiled conditions: what `require`, `when` and grant conditions become once their names
//! are resolved to numbers. Built by `expr`, evaluated by `eval`.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A value a condition reads from the customer, the score or the case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Operand {
    Metric(u16),
    Score,
    Dimension(u16),
    Tier,
    CaseKind,
    CaseSeverity,
    CaseChannel,
    Lit(Rv),
}

/// A runtime value of a condition operand; `Sym` is an enum value, tier, case kind, severity
/// or channel by number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Rv {
    Num(Decimal),
    Date(NaiveDate),
    Bool(bool),
    Sym(u16),
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Const(bool),
    Truthy(u16),
    Not(Box<Cond>),
    And(Box<[Cond]>),
    Or(Box<[Cond]>),
    Cmp(Operand, CmpOp, Operand),
    In(Operand, Box<[Operand]>),
}

/// The case a condition may look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct CaseSlots {
    pub(crate) kind: u16,
    pub(crate) severity: Option<u16>,
    pub(crate) channel: Option<u16>,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub(crate) fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }

    /// The operator with its operands swapped (`a < b` is `b > a`).
    pub(crate) fn flip(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            o => o,
        }
    }
}
