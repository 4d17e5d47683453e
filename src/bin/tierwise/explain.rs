//! `tierwise explain`: the trace of one customer.

use std::io::{self, Write};

use crate::input::Problem;
use crate::report;
use crate::{ExplainArgs, ExplainFormat};

/// Explains the customer with the given id; returns whether there was no error.
pub fn run(args: &ExplainArgs) -> io::Result<bool> {
    let Some(policy) = report::load_policy(&args.policy.policy) else {
        return Ok(false);
    };
    let as_of = report::as_of(&policy, args.policy.as_of);
    let Some(mut rows) = report::Rows::open(
        &args.input.customers,
        &[&policy],
        args.input.ignore_extra_columns,
    ) else {
        return Ok(false);
    };
    // the file is read up to the customer: the problems of the file met on the way are
    // printed, later ones are not looked for
    let Some(record) = rows.find(args.id.trim()) else {
        return Ok(false);
    };
    let ok = rows.is_clean();
    let label = rows.label();
    let Some(customer) = report::build_at(&rows, &record) else {
        return Ok(false);
    };
    let explanation = match policy.explain(&customer, as_of) {
        Ok(e) => e,
        Err(e) => {
            report::problem_at(label, record.line, &Problem::new(e.to_string()));
            return Ok(false);
        }
    };
    let mut out = io::stdout().lock();
    match args.format {
        ExplainFormat::Text => {
            writeln!(out, "{explanation}")?;
            // what it would take to reach the next tier up
            let next = policy
                .classify(&customer, as_of)
                .ok()
                .and_then(|a| a.qualified_tier().rank().checked_sub(1))
                .and_then(|rank| policy.tiers().nth(rank))
                .and_then(|(id, _)| policy.guidance(&customer, as_of, id).ok().flatten());
            if let Some(g) = next {
                write!(out, "\n{g}")?;
            }
        }
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &explanation)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ok)
}
