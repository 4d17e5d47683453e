//! Batches: classify many customers into a caller's output, in order, one result per
//! customer; with the `parallel` feature, across cores.

use std::borrow::Borrow;

use chrono::NaiveDate;

use crate::customer::Customer;
use crate::error::EvalError;
use crate::eval::Assignment;
use crate::policy::Policy;

/// Below this many customers per thread, splitting costs more than it saves.
#[cfg(feature = "parallel")]
const MIN_PER_TASK: usize = 256;

impl Policy {
    /// Classifies every customer of `customers` on `as_of` into `out`: afterwards `out`
    /// holds exactly one result per customer, in input order (`out[i]` is the result of
    /// `customers[i]`), so nothing is lost: a customer that cannot be evaluated has its
    /// [`EvalError`], which names it. Results already in `out` are overwritten in place
    /// (a surplus is dropped) and its capacity is reused, so a caller classifying batch
    /// after batch into one vector allocates only when a batch is larger than any before.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// # let policy = tierwise::Policy::from_toml_str("p.toml", r#"
    /// # [policy]
    /// # id = "demo"
    /// # version = "1"
    /// # timezone = "UTC"
    /// # [metrics]
    /// # teu = { type = "decimal", min = 0 }
    /// # since = { type = "date" }
    /// # [scoring.dimensions.volume]
    /// # metric = "teu"
    /// # weight = 1
    /// # curve = "linear"
    /// # points = [[0, 0], [1000, 100]]
    /// # [scoring.dimensions.tenure]
    /// # metric = "since"
    /// # weight = 1
    /// # curve = "steps"
    /// # points = [[0, 0], [5, 100]]
    /// # [[tiers]]
    /// # id = "key"
    /// # min_score = 50
    /// # [[tiers]]
    /// # id = "standard"
    /// # min_score = 0
    /// # "#)?;
    /// let customers = vec![
    ///     policy.customer("C1").set("teu", "900").set("since", "2015-01-01").build()?,
    ///     policy.customer("C2").set("teu", "100").set("since", "2027-01-01").build()?,
    /// ];
    /// let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    /// let mut results = Vec::new();
    /// policy.classify_batch(&customers, as_of, &mut results);
    /// assert_eq!(results.len(), 2);
    /// assert_eq!(policy.tier(results[0].as_ref().unwrap().tier()).id(), "key");
    /// // a start date after the as-of date: an error naming the customer
    /// assert_eq!(results[1].as_ref().unwrap_err().customer(), "C2");
    ///
    /// // the same, lazily, from any iterator of customers (owned or borrowed)
    /// let lazily: Vec<_> = policy.classify_iter(&customers, as_of).collect();
    /// assert_eq!(lazily, results);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn classify_batch(
        &self,
        customers: &[Customer],
        as_of: NaiveDate,
        out: &mut Vec<Result<Assignment, EvalError>>,
    ) {
        // overwrite the results of the last call in place rather than clearing first: a
        // separate pass dropping a million old results is one more walk through memory
        out.truncate(customers.len());
        let (again, new) = customers.split_at(out.len());
        for (slot, c) in out.iter_mut().zip(again) {
            *slot = self.classify(c, as_of);
        }
        out.extend(new.iter().map(|c| self.classify(c, as_of)));
    }

    /// Classifies the customers of `customers` on `as_of` as they come: one result per
    /// customer, in input order. Nothing is buffered; `customers` may yield owned
    /// [`Customer`]s or references.
    pub fn classify_iter<'a, I>(
        &'a self,
        customers: I,
        as_of: NaiveDate,
    ) -> impl Iterator<Item = Result<Assignment, EvalError>> + 'a
    where
        I: IntoIterator,
        I::Item: Borrow<Customer>,
        I::IntoIter: 'a,
    {
        customers
            .into_iter()
            .map(move |c| self.classify(c.borrow(), as_of))
    }

    /// Like [`classify_batch`](Self::classify_batch), with the batch split across the
    /// threads of rayon's global pool: the results are identical and in input order
    /// (`out[i]` is the result of `customers[i]`). Batches too small to be worth splitting
    /// are classified on the calling thread.
    ///
    /// Requires the `parallel` feature.
    #[cfg(feature = "parallel")]
    pub fn classify_par(
        &self,
        customers: &[Customer],
        as_of: NaiveDate,
        out: &mut Vec<Result<Assignment, EvalError>>,
    ) {
        use rayon::prelude::*;

        if customers.len() < 2 * MIN_PER_TASK || rayon::current_num_threads() < 2 {
            self.classify_batch(customers, as_of, out);
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
            .for_each(|(slot, c)| *slot = self.classify(c, as_of));
        out.par_extend(
            new.par_iter()
                .with_min_len(MIN_PER_TASK)
                .map(|c| self.classify(c, as_of)),
        );
    }
}
