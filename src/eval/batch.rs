//! Batches: classify many customers into a caller's output, in order, one result per
//! customer; with the `parallel` feature, across cores.

use chrono::NaiveDate;

use super::assignment::Assignment;
use super::classify;
use crate::error::EvalError;
use crate::input::Customer;
use crate::model::Compiled;

/// Below this many customers per thread, splitting costs more than it saves.
#[cfg(feature = "parallel")]
const MIN_PER_TASK: usize = 256;

/// One result per customer into `out`, overwriting old results in place.
pub(crate) fn classify_batch(
    p: &Compiled,
    customers: &[Customer],
    as_of: NaiveDate,
    out: &mut Vec<Result<Assignment, EvalError>>,
) {
    // overwrite the results of the last call in place rather than clearing first: a
    // separate pass dropping a million old results is one more walk through memory
    out.truncate(customers.len());
    let (again, new) = customers.split_at(out.len());
    for (slot, c) in out.iter_mut().zip(again) {
        *slot = classify(p, c, as_of);
    }
    out.extend(new.iter().map(|c| classify(p, c, as_of)));
}

/// [`classify_batch`] across the threads of rayon's global pool.
#[cfg(feature = "parallel")]
pub(crate) fn classify_par(
    p: &Compiled,
    customers: &[Customer],
    as_of: NaiveDate,
    out: &mut Vec<Result<Assignment, EvalError>>,
) {
    use rayon::prelude::*;

    if customers.len() < 2 * MIN_PER_TASK || rayon::current_num_threads() < 2 {
        classify_batch(p, customers, as_of, out);
        return;
    }
    // as in `classify_batch`, the old results are overwritten in place, so that dropping
    // them is spread over the threads rather than a serial pass before the parallel
    // one; new slots are written at their input index (`par_extend` of an indexed
    // iterator)
    out.truncate(customers.len());
    let (again, new) = customers.split_at(out.len());
    out.par_iter_mut()
        .zip(again)
        .with_min_len(MIN_PER_TASK)
        .for_each(|(slot, c)| *slot = classify(p, c, as_of));
    out.par_extend(
        new.par_iter()
            .with_min_len(MIN_PER_TASK)
            .map(|c| classify(p, c, as_of)),
    );
}
