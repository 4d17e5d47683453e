//! The allocation-free walk over local days that implements the calendar
//! arithmetic.
//!
//! Instants are `i64` nanoseconds since the Unix epoch; local times are
//! `i64` "local seconds" (the wall clock read as if it were UTC). A local day
//! `d` (days since 1970-01-01) starts at local second `d * 86400`.
//!
//! Cost: a binary search in the zone's offset-change table when the walk
//! starts and after each day with an offset change; otherwise a few
//! comparisons per opening interval. A whole week without holiday, make-up
//! day, pause or offset change is jumped at once with the precomputed weekly
//! total, a whole day without pause or offset change with its daily total.

use chrono::{DateTime, LocalResult, Offset, TimeZone, Utc};
use chrono_tz::{GapInfo, Tz};

use super::hours::SECONDS_PER_DAY;
use super::zone::Span;
use super::{Calendar, CalendarError, CalendarErrorKind, OpenInterval};

/// Nanoseconds per second.
pub(crate) const NANOS: i64 = 1_000_000_000;
/// Local seconds per day.
const DAY: i64 = SECONDS_PER_DAY as i64;

/// A pause list as given by the caller.
type PauseList = [(DateTime<Utc>, DateTime<Utc>)];

/// Nanoseconds of `t`, clamped to the `i64` range.
pub(crate) fn clamped_nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// Nanoseconds of a second count.
fn secs_to_nanos(secs: i64) -> Result<i64, CalendarError> {
    secs.checked_mul(NANOS)
        .ok_or(CalendarError::from(CalendarErrorKind::OutOfRange))
}

/// The instant (UTC seconds) of the local time `local_secs` in `tz`: a
/// skipped local time maps to the first valid instant after it (the
/// transition), an ambiguous one to the earlier instant.
fn map_local(tz: Tz, local_secs: i64) -> Result<i64, CalendarError> {
    let naive = DateTime::from_timestamp(local_secs, 0)
        .ok_or(CalendarError::from(CalendarErrorKind::OutOfRange))?
        .naive_utc();
    let instant = |o: &<Tz as TimeZone>::Offset| local_secs - i64::from(o.fix().local_minus_utc());
    match tz.offset_from_local_datetime(&naive) {
        LocalResult::Single(o) => Ok(instant(&o)),
        LocalResult::Ambiguous(a, b) => Ok(instant(&a).min(instant(&b))),
        LocalResult::None => GapInfo::new(&naive, &tz)
            .and_then(|gap| gap.end)
            .map(|end| end.timestamp())
            .ok_or(CalendarError::from(CalendarErrorKind::OutOfRange)),
    }
}

/// Monday-based weekday index (0 = Monday) of a day number (1970-01-01 was a Thursday).
fn weekday_index(day: i64) -> usize {
    // rem_euclid(7) is in 0..7, so the cast is lossless.
    (day + 3).rem_euclid(7) as usize
}

/// The caller's pauses, sorted and merged once per computation.
pub(super) struct Pauses {
    /// The pauses that matter, as nanosecond intervals: sorted, merged where they overlap
    /// or touch, none empty. Empty (no allocation) when no pause matters.
    pub(super) merged: Vec<(i64, i64)>,
}

impl Pauses {
    /// Pauses that matter from `from` on, sorted and merged once: `O(n log n)`, and every
    /// query after that a binary search.
    pub(super) fn new(list: &PauseList, from: i64) -> Self {
        let relevant = |&(a, b): &(DateTime<Utc>, DateTime<Utc>)| {
            let (a, b) = (clamped_nanos(a), clamped_nanos(b));
            (a < b && b > from).then_some((a, b))
        };
        if !list.iter().any(|p| relevant(p).is_some()) {
            return Pauses { merged: Vec::new() };
        }
        let mut all: Vec<(i64, i64)> = list.iter().filter_map(relevant).collect();
        all.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(all.len());
        for (a, b) in all {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        Pauses { merged }
    }

    /// The index of the first pause that ends after `x`.
    fn first_ending_after(&self, x: i64) -> usize {
        self.merged.partition_point(|&(_, b)| b <= x)
    }

    /// Whether any pause intersects `[a, b)`.
    fn overlaps(&self, a: i64, b: i64) -> bool {
        self.merged
            .get(self.first_ending_after(a))
            .is_some_and(|&(x, _)| x < b)
    }

    /// The first unpaused sub-interval of `[cur, end)`, if any.
    fn next_free(&self, cur: i64, end: i64) -> Option<(i64, i64)> {
        let mut i = self.first_ending_after(cur);
        let mut x = cur;
        // merged pauses neither overlap nor touch: one jump leaves the pause `cur` is in
        if let Some(&(a, b)) = self.merged.get(i) {
            if a <= x {
                x = b;
                i += 1;
            }
        }
        if x >= end {
            return None;
        }
        let y = self.merged.get(i).map_or(end, |&(a, _)| a.min(end));
        Some((x, y))
    }
}

/// One local day as seen by the walker.
struct Day<'a> {
    /// Opening intervals of the day's pattern.
    intervals: &'a [OpenInterval],
    /// Wall-clock open nanoseconds of the pattern (the real open time on a fast day).
    total: i64,
    /// Instant (UTC seconds) of the next day's `00:00`.
    end: i64,
    /// Offset span at `end`.
    next: Span,
    /// No offset change within the day: local `s` is the instant `s - off`.
    fast: bool,
}

/// A cursor over local days, from one day's `00:00` instant to the next.
///
/// Invariant: `start` is the instant of the current day's `00:00` (by the
/// mapping rule), the UTC offset is `span.offset` from `start` until
/// `span.end`, and no instant before `start` shows a local time at or after
/// the day's `00:00`.
struct Walker<'a> {
    cal: &'a Calendar,
    /// Current local day (days since 1970-01-01).
    day: i64,
    /// Instant (UTC seconds) of the current day's `00:00`.
    start: i64,
    /// The offset span containing `start`.
    span: Span,
    /// Index of the first holiday not before `day`.
    hol: usize,
    /// Index of the first make-up day not before `day`.
    mk: usize,
}

impl<'a> Walker<'a> {
    /// The walker on the local day of the instant `t_secs` (a fall-back
    /// change can make `t_secs` belong to the next day; the walk then just
    /// finds nothing open on this one).
    fn locate(cal: &'a Calendar, t_secs: i64) -> Result<Self, CalendarError> {
        let span = cal.zone.span(t_secs);
        let local = t_secs
            .checked_add(span.offset)
            .ok_or(CalendarError::from(CalendarErrorKind::OutOfRange))?;
        let day = local.div_euclid(DAY);
        let cand = day * DAY - span.offset;
        let (start, span) = if cand >= span.clean_start {
            (cand, span)
        } else {
            let s = map_local(cal.tz, day * DAY)?;
            (s, cal.zone.span(s))
        };
        Ok(Walker {
            cal,
            day,
            start,
            span,
            hol: cal.holidays.partition_point(|&h| h < day),
            mk: cal.makeups.partition_point(|&(d, _)| d < day),
        })
    }

    /// Moves the holiday and make-up cursors up to the current day.
    fn sync_cursors(&mut self) {
        let cal = self.cal;
        while cal.holidays.get(self.hol).is_some_and(|&h| h < self.day) {
            self.hol += 1;
        }
        while cal.makeups.get(self.mk).is_some_and(|&(d, _)| d < self.day) {
            self.mk += 1;
        }
    }

    /// The opening intervals and wall-clock total of the current day.
    fn pattern(&mut self) -> (&'a [OpenInterval], i64) {
        self.sync_cursors();
        let cal = self.cal;
        if cal.holidays.get(self.hol) == Some(&self.day) {
            return (&[], 0);
        }
        let idx = match cal.makeups.get(self.mk) {
            Some(&(d, like)) if d == self.day => like,
            _ => weekday_index(self.day),
        };
        (
            cal.hours.day_index(idx),
            cal.day_total.get(idx).copied().unwrap_or(0),
        )
    }

    /// The current day.
    fn view(&mut self) -> Result<Day<'a>, CalendarError> {
        let (intervals, total) = self.pattern();
        let local_end = (self.day + 1) * DAY;
        let cand = local_end - self.span.offset;
        if self.is_clean() && cand < self.span.end {
            return Ok(Day {
                intervals,
                total,
                end: cand,
                next: self.span,
                fast: true,
            });
        }
        let end = map_local(self.cal.tz, local_end)?;
        Ok(Day {
            intervals,
            total,
            end,
            next: self.cal.zone.span(end),
            fast: false,
        })
    }

    /// Instant (nanoseconds) of a local clock time of the current day.
    fn boundary(&self, day: &Day<'_>, seconds: u32) -> Result<i64, CalendarError> {
        secs_to_nanos(self.boundary_secs(day, seconds)?)
    }

    /// Instant (UTC seconds) of a local clock time of the current day.
    fn boundary_secs(&self, day: &Day<'_>, seconds: u32) -> Result<i64, CalendarError> {
        let s = i64::from(seconds);
        if day.fast {
            Ok(self.day * DAY + s - self.span.offset)
        } else if s == 0 {
            Ok(self.start)
        } else if s == DAY {
            Ok(day.end)
        } else {
            map_local(self.cal.tz, self.day * DAY + s)
        }
    }

    /// Moves to the next day.
    fn advance(&mut self, day: &Day<'_>) {
        self.day += 1;
        self.start = day.end;
        self.span = day.next;
    }

    /// True when the day's `00:00` is the instant `day * 86400 - offset`
    /// (false when it fell into a skipped hour and moved to the transition).
    fn is_clean(&self) -> bool {
        self.start == self.day * DAY - self.span.offset
    }

    /// Instant (UTC seconds) of the `00:00` seven days ahead if the offset
    /// does not change before it.
    fn week_end(&self) -> Option<i64> {
        let end = (self.day + 7) * DAY - self.span.offset;
        (self.is_clean() && end < self.span.end).then_some(end)
    }

    /// True when the next 7 days have no holiday and no make-up day.
    fn week_is_plain(&mut self) -> bool {
        self.sync_cursors();
        let end = self.day + 7;
        let cal = self.cal;
        cal.holidays.get(self.hol).is_none_or(|&h| h >= end)
            && cal.makeups.get(self.mk).is_none_or(|&(d, _)| d >= end)
    }

    /// Jumps 7 days ahead to the instant `end` (from [`Walker::week_end`]).
    fn jump_week(&mut self, end: i64) {
        self.day += 7;
        self.start = end;
    }
}

impl Calendar {
    /// True when the calendar has no open time from local day `day` on.
    fn never_open_from(&self, day: i64) -> bool {
        self.week_total == 0 && self.last_open_makeup.is_none_or(|last| day > last)
    }

    /// The instant (nanoseconds) at which `target` nanoseconds of unpaused
    /// open time counted from `start` are used up; with a zero target, the
    /// first open unpaused instant at or after `start`. Fails with
    /// `BeyondHorizon` when that instant is after `limit`.
    pub(super) fn count_from(
        &self,
        start: i64,
        target: i64,
        pauses: &PauseList,
        limit: i64,
    ) -> Result<i64, CalendarError> {
        let beyond = || {
            CalendarError::from(CalendarErrorKind::BeyondHorizon {
                start: DateTime::from_timestamp_nanos(start),
                days: self.horizon_days,
            })
        };
        let finish = |d: i64| if d > limit { Err(beyond()) } else { Ok(d) };
        let ps = Pauses::new(pauses, start);
        let mut remaining = target;

        if self.always {
            let mut cur = start;
            while let Some((x, y)) = ps.next_free(cur, i64::MAX) {
                if x > limit {
                    break;
                }
                if y.saturating_sub(x) >= remaining {
                    return finish(x + remaining);
                }
                remaining -= y - x;
                cur = y;
            }
            return Err(beyond());
        }

        let mut w = Walker::locate(self, start.div_euclid(NANOS))?;
        loop {
            if self.never_open_from(w.day) {
                return Err(CalendarError::from(CalendarErrorKind::NeverOpen));
            }
            let day_start = secs_to_nanos(w.start)?;
            if day_start > limit {
                return Err(beyond());
            }
            // Jump a whole plain week.
            let week_end =
                if remaining > self.week_total && self.week_total > 0 && day_start >= start {
                    w.week_end()
                } else {
                    None
                };
            if let Some(end) = week_end {
                if w.week_is_plain() && !ps.overlaps(day_start, secs_to_nanos(end)?) {
                    remaining -= self.week_total;
                    w.jump_week(end);
                    continue;
                }
            }
            let day = w.view()?;
            // Skip a whole fast day.
            if remaining > day.total && day.fast && day_start >= start {
                let end_n = secs_to_nanos(day.end)?;
                if !ps.overlaps(day_start, end_n) {
                    remaining -= day.total;
                    w.advance(&day);
                    continue;
                }
            }
            for iv in day.intervals {
                let a = w.boundary(&day, iv.start().seconds())?.max(start);
                let b = w.boundary(&day, iv.end().seconds())?;
                if b <= a {
                    continue;
                }
                if !ps.overlaps(a, b) {
                    if b - a >= remaining {
                        return finish(a + remaining);
                    }
                    remaining -= b - a;
                    continue;
                }
                let mut cur = a;
                while let Some((x, y)) = ps.next_free(cur, b) {
                    if y - x >= remaining {
                        return finish(x + remaining);
                    }
                    remaining -= y - x;
                    cur = y;
                }
            }
            w.advance(&day);
        }
    }

    /// Open nanoseconds in `[from, to)`, `from < to`.
    ///
    /// An `i128`: open time may exceed the 292 years an `i64` of nanoseconds holds.
    pub(super) fn open_nanos_between(&self, from: i64, to: i64) -> i128 {
        if self.always {
            return i128::from(to) - i128::from(from);
        }
        let mut total = 0;
        // An instant the time zone data cannot handle ends the sum.
        let _ = self.sum_open(from, to, &mut total);
        total
    }

    /// Adds the open nanoseconds in `[from, to)` to `total`.
    ///
    /// Instants are compared as `i128` nanoseconds: the local days around the ends of the
    /// supported range start or end outside it.
    fn sum_open(&self, from: i64, to: i64, total: &mut i128) -> Result<(), CalendarError> {
        let mut w = Walker::locate(self, from.div_euclid(NANOS))?;
        let (from, to) = (i128::from(from), i128::from(to));
        let nanos = |secs: i64| i128::from(secs) * i128::from(NANOS);
        loop {
            if self.never_open_from(w.day) {
                return Ok(());
            }
            let day_start = nanos(w.start);
            if day_start >= to {
                return Ok(());
            }
            let week_end = if self.week_total > 0 && day_start >= from {
                w.week_end()
            } else {
                None
            };
            if let Some(end) = week_end {
                if nanos(end) <= to && w.week_is_plain() {
                    *total += i128::from(self.week_total);
                    w.jump_week(end);
                    continue;
                }
            }
            let day = w.view()?;
            if day.fast && day_start >= from && nanos(day.end) <= to {
                *total += i128::from(day.total);
                w.advance(&day);
                continue;
            }
            for iv in day.intervals {
                let a = nanos(w.boundary_secs(&day, iv.start().seconds())?).max(from);
                let b = nanos(w.boundary_secs(&day, iv.end().seconds())?).min(to);
                if b > a {
                    *total += b - a;
                }
            }
            w.advance(&day);
        }
    }
}
