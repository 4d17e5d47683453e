//! `tierwise explain`: the trace of one customer.

use std::io::{self, Write};

use crate::input::{self, Problem};
use crate::report;
use crate::{ExplainArgs, ExplainFormat};

/// Explains the customer with the given id; returns whether there was no error.
pub fn run(args: &ExplainArgs) -> io::Result<bool> {
    let Some(policy) = report::load_policy(&args.policy.policy) else {
        return Ok(false);
    };
    let as_of = report::as_of(&policy, args.policy.as_of);
    let Some(file) = report::read_customers(&args.input.customers) else {
        return Ok(false);
    };
    let mut file_problems =
        report::FileProblems::new(&file, &[&policy], args.input.ignore_extra_columns);
    let ok = file_problems.is_empty();
    file_problems.rest();
    let wanted = args.id.trim();
    let Some(record) = file
        .records
        .iter()
        .find(|r| r.id.as_deref() == Some(wanted))
    else {
        let ids = file.records.iter().filter_map(|r| r.id.as_deref());
        report::problem(
            &Problem::new(format!("no customer `{wanted}` in `{}`", file.label))
                .with_help(report::did_you_mean(wanted, ids)),
        );
        return Ok(false);
    };
    let customer = match input::build(&policy, record) {
        Ok(c) => c,
        Err(problems) => {
            for p in &problems {
                report::problem_at(&file.label, record.line, p);
            }
            return Ok(false);
        }
    };
    let explanation = match policy.explain(&customer, as_of) {
        Ok(e) => e,
        Err(e) => {
            report::problem_at(&file.label, record.line, &Problem::new(e.to_string()));
            return Ok(false);
        }
    };
    let mut out = io::stdout().lock();
    match args.format {
        ExplainFormat::Text => writeln!(out, "{explanation}")?,
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &explanation)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ok)
}
