//! A per-zone table of UTC-offset changes, so that the calendar walk needs
//! no time-zone lookup on the days between two changes.
//!
//! chrono-tz does not expose its transition table, so the table is rebuilt
//! from its public API: the offset is sampled every [`SAMPLE_STEP`] seconds
//! over the supported range and each change is bisected to the exact
//! second. Two changes closer than the sampling step that cancel each other
//! would be missed; in the tz database bundled with chrono-tz 0.10 the
//! closest offset changes are 6.96 days apart. Tables are built once per
//! zone and process (about 100 000 lookups, a few milliseconds) and shared.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// Sampling step: 2 days.
const SAMPLE_STEP: i64 = 2 * 86_400;
/// Covered range in UTC seconds: the `i64` nanosecond range plus a margin.
const RANGE_START: i64 = i64::MIN / 1_000_000_000 - 4 * 86_400;
/// See [`RANGE_START`].
const RANGE_END: i64 = i64::MAX / 1_000_000_000 + 4 * 86_400;

/// The UTC-offset changes of one zone.
pub(crate) struct ZoneTable {
    /// Offset (local minus UTC, seconds) before the first change.
    initial: i64,
    /// `(instant in UTC seconds, offset from that instant on)`, increasing,
    /// each offset different from the one before.
    changes: Vec<(i64, i64)>,
}

/// The span of constant UTC offset around an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// Offset (local minus UTC, seconds).
    pub offset: i64,
    /// From this instant on (UTC seconds), no earlier instant shows a later
    /// local time: the span's start, moved later by the repeated hour after
    /// a fall-back change.
    pub clean_start: i64,
    /// The next change (UTC seconds, exclusive); `i64::MAX` when none.
    pub end: i64,
}

impl ZoneTable {
    /// A table with a constant zero offset (for calendars that never use it).
    pub(crate) fn empty() -> Arc<ZoneTable> {
        Arc::new(ZoneTable {
            initial: 0,
            changes: Vec::new(),
        })
    }

    /// The shared table of `tz`, built on first use.
    pub(crate) fn of(tz: Tz) -> Arc<ZoneTable> {
        static CACHE: OnceLock<Mutex<HashMap<Tz, Arc<ZoneTable>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Mutex::default);
        if let Some(table) = cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&tz)
        {
            return Arc::clone(table);
        }
        // Built outside the lock; a concurrent duplicate build is harmless.
        let table = Arc::new(ZoneTable::build(tz));
        let mut map = cache.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(map.entry(tz).or_insert(table))
    }

    /// Samples chrono-tz and bisects every change.
    fn build(tz: Tz) -> ZoneTable {
        let offset = |secs: i64| -> i64 {
            DateTime::from_timestamp(secs, 0).map_or(0, |t| {
                i64::from(
                    tz.offset_from_utc_datetime(&t.naive_utc())
                        .fix()
                        .local_minus_utc(),
                )
            })
        };
        let initial = offset(RANGE_START);
        let mut changes = Vec::new();
        let (mut t, mut off) = (RANGE_START, initial);
        while t < RANGE_END {
            let next = t.saturating_add(SAMPLE_STEP).min(RANGE_END);
            let o = offset(next);
            if o == off {
                t = next;
                continue;
            }
            // offset(lo) == off, offset(hi) != off.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset(mid) == off {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            off = offset(hi);
            changes.push((hi, off));
            t = hi;
        }
        ZoneTable { initial, changes }
    }

    /// The span of constant offset containing the instant `secs` (UTC seconds).
    pub(crate) fn span(&self, secs: i64) -> Span {
        let i = self.changes.partition_point(|&(c, _)| c <= secs);
        let end = self.changes.get(i).map_or(i64::MAX, |&(c, _)| c);
        let Some(prev) = i.checked_sub(1) else {
            return Span {
                offset: self.initial,
                clean_start: i64::MIN,
                end,
            };
        };
        let (start, offset) = self.changes.get(prev).copied().unwrap_or((i64::MIN, 0));
        let before = prev
            .checked_sub(1)
            .and_then(|j| self.changes.get(j))
            .map_or(self.initial, |&(_, o)| o);
        Span {
            offset,
            clean_start: start.saturating_add((before - offset).max(0)),
            end,
        }
    }

    /// Where the zone's known rules end, in UTC seconds: the start of the year after its
    /// last offset change when that change is a recent one (a zone that still changes its
    /// clocks), `None` for a zone whose offset stopped changing long ago. chrono-tz's
    /// tables end in 2099; after that a zone with summer time would keep its last offset,
    /// which is wrong, so instants from there on are refused.
    pub(crate) fn rules_until(&self) -> Option<i64> {
        use chrono::Datelike;
        let &(last, _) = self.changes.last()?;
        let year = DateTime::from_timestamp(last, 0)?.year();
        if year < 2090 {
            return None;
        }
        chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)?
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp())
    }

    /// The offset at the instant `secs` (UTC seconds).
    #[cfg(test)]
    pub(crate) fn offset_at(&self, secs: i64) -> i64 {
        self.span(secs).offset
    }
}

impl fmt::Debug for ZoneTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZoneTable")
            .field("changes", &self.changes.len())
            .finish_non_exhaustive()
    }
}
