//! Evaluating compiled conditions against a customer, its scores, its tier and a case.

use rust_decimal::Decimal;

use crate::decimal;
use crate::input::Customer;
use crate::model::{CaseSlots, CmpOp, Cond, Operand, Rv, Score, Value};

/// What a condition is evaluated against.
pub(crate) struct Env<'a> {
    pub(crate) values: &'a [Option<Value>],
    pub(crate) score: Score,
    pub(crate) dimensions: &'a [Score],
    pub(crate) tier: Option<u16>,
    pub(crate) case: Option<CaseSlots>,
}

impl Env<'_> {
    fn read(&self, o: &Operand) -> Option<Rv> {
        match *o {
            Operand::Metric(m) => match self.values.get(usize::from(m)).copied().flatten()? {
                Value::Decimal(d) => Some(Rv::Num(d)),
                Value::Integer(i) => Some(Rv::Num(Decimal::from(i))),
                Value::Date(d) => Some(Rv::Date(d)),
                Value::Enum(e) => Some(Rv::Sym(e)),
                Value::Bool(b) => Some(Rv::Bool(b)),
            },
            Operand::Score => Some(Rv::Num(self.score.0)),
            Operand::Dimension(i) => self.dimensions.get(usize::from(i)).map(|d| Rv::Num(d.0)),
            Operand::Tier => self.tier.map(Rv::Sym),
            Operand::CaseKind => self.case.map(|c| Rv::Sym(c.kind)),
            Operand::CaseSeverity => self.case.and_then(|c| c.severity).map(Rv::Sym),
            Operand::CaseChannel => self.case.and_then(|c| c.channel).map(Rv::Sym),
            Operand::Lit(v) => Some(v),
        }
    }
}

/// A metric's value against a literal, without making an [`Rv`] of the value first: the
/// common condition (`overdue_days > 30`, `credit_rating == 'D'`). The same results as
/// [`compare`] of the two read.
#[inline]
fn compare_value(v: Value, op: CmpOp, lit: Rv) -> bool {
    let ord = match (v, lit) {
        // a whole number against a literal of no decimals: two integers
        (Value::Integer(i), Rv::Num(d)) if d.scale() == 0 => i128::from(i).cmp(&d.mantissa()),
        (Value::Integer(i), Rv::Num(d)) => decimal::cmp(Decimal::from(i), d),
        (Value::Decimal(x), Rv::Num(y)) => decimal::cmp(x, y),
        (Value::Date(x), Rv::Date(y)) => x.cmp(&y),
        (Value::Bool(x), Rv::Bool(y)) => x.cmp(&y),
        (Value::Enum(x), Rv::Sym(y)) => x.cmp(&y),
        _ => return false,
    };
    holds(ord, op)
}

fn holds(ord: std::cmp::Ordering, op: CmpOp) -> bool {
    match op {
        CmpOp::Eq => ord.is_eq(),
        CmpOp::Ne => ord.is_ne(),
        CmpOp::Lt => ord.is_lt(),
        CmpOp::Le => ord.is_le(),
        CmpOp::Gt => ord.is_gt(),
        CmpOp::Ge => ord.is_ge(),
    }
}

fn compare(a: Rv, op: CmpOp, b: Rv) -> bool {
    let ord = match (a, b) {
        (Rv::Num(x), Rv::Num(y)) => decimal::cmp(x, y),
        (Rv::Date(x), Rv::Date(y)) => x.cmp(&y),
        (Rv::Bool(x), Rv::Bool(y)) => x.cmp(&y),
        (Rv::Sym(x), Rv::Sym(y)) => x.cmp(&y),
        _ => return false,
    };
    holds(ord, op)
}

impl Cond {
    /// Evaluates the condition. A comparison involving an absent value is false.
    pub(crate) fn eval(&self, env: &Env<'_>) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Truthy(m) => matches!(
                env.values.get(usize::from(*m)).copied().flatten(),
                Some(Value::Bool(true))
            ),
            Cond::Not(c) => !c.eval(env),
            Cond::And(cs) => cs.iter().all(|c| c.eval(env)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval(env)),
            // the common case, a metric against a literal, reads the value as it is
            Cond::Cmp(Operand::Metric(m), op, Operand::Lit(lit)) => env
                .values
                .get(usize::from(*m))
                .copied()
                .flatten()
                .is_some_and(|v| compare_value(v, *op, *lit)),
            Cond::In(Operand::Metric(m), list)
                if list.iter().all(|o| matches!(o, Operand::Lit(_))) =>
            {
                env.values
                    .get(usize::from(*m))
                    .copied()
                    .flatten()
                    .is_some_and(|v| {
                        list.iter().any(|o| match o {
                            Operand::Lit(lit) => compare_value(v, CmpOp::Eq, *lit),
                            _ => false,
                        })
                    })
            }
            Cond::Cmp(a, op, b) => match (env.read(a), env.read(b)) {
                (Some(x), Some(y)) => compare(x, *op, y),
                _ => false,
            },
            Cond::In(a, list) => match env.read(a) {
                Some(x) => list
                    .iter()
                    .any(|o| env.read(o).is_some_and(|y| compare(x, CmpOp::Eq, y))),
                None => false,
            },
        }
    }

    /// Whether the condition reads `metric` anywhere.
    #[cfg(test)]
    pub(crate) fn mentions_metric(&self, metric: u16) -> bool {
        let op = |o: &Operand| *o == Operand::Metric(metric);
        match self {
            Cond::Const(_) => false,
            Cond::Truthy(m) => *m == metric,
            Cond::Not(c) => c.mentions_metric(metric),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().any(|c| c.mentions_metric(metric)),
            Cond::Cmp(a, _, b) => op(a) || op(b),
            Cond::In(a, list) => op(a) || list.iter().any(op),
        }
    }
}

pub(crate) fn env<'a>(
    customer: &'a Customer,
    score: Score,
    dims: &'a [Score],
    tier: Option<u16>,
) -> Env<'a> {
    Env {
        values: &customer.values,
        score,
        dimensions: dims,
        tier,
        case: None,
    }
}
