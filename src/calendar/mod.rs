//! Business calendars: weekly opening hours, holidays, make-up workdays and a
//! time zone, and the open-time arithmetic built on them (deadlines, open time
//! between two instants).
//!
//! # Semantics
//!
//! * A local day `D` is open during the [`OpenInterval`]s of its pattern: none
//!   on a holiday, the hours of the `like` weekday on a make-up workday, else
//!   the hours of its own weekday. Intervals are half-open `[open, close)`;
//!   an interval ending at `24:00` and one starting at `00:00` the next day
//!   are continuous.
//! * Every local boundary (a day's `00:00`, every opening and closing time)
//!   is mapped to one instant: a local time that does not exist (skipped by a
//!   DST change) maps to the first valid instant after it, which is the
//!   transition instant; an ambiguous local time (repeated by a DST change)
//!   maps to the earlier instant. Open time is the real time elapsed between
//!   the mapped instants. So on 2026-11-01 in `America/New_York` (clocks go
//!   back from 02:00 EDT to 01:00 EST) an interval `00:00-02:00` lasts
//!   3 real hours, `01:30-02:00` lasts 1.5 real hours (from the first
//!   01:30 EDT), and `00:00-01:30` lasts 1.5 hours and is closed during the
//!   repeated 01:00-01:30 EST. On 2026-03-08 (02:00 EST to 03:00 EDT) an
//!   interval `01:00-03:00` lasts 1 real hour and `02:00-02:30` is empty.
//! * Instants are handled with nanosecond precision in the range that fits
//!   an `i64` of nanoseconds (1677-09-21 to 2262-04-11); outside it the
//!   fallible operations return [`CalendarErrorKind::OutOfRange`].
//! * UTC-offset changes are read from a per-zone table built from chrono-tz
//!   on the first calendar of each zone (a few milliseconds, then shared); it
//!   assumes that a zone never changes its offset twice within 2 days (in
//!   the bundled tz database the closest changes are 6.96 days apart).

mod engine;
mod hours;
#[cfg(test)]
mod tests;
mod zone;

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use zone::ZoneTable;

pub use hours::{ClockTime, OpenInterval, WeeklyHours};

pub use crate::duration::{BusinessDuration, DurationError, DurationErrorKind};

/// Default search horizon in days, see [`Calendar::with_horizon`]: 101 × 366 days, so that
/// the longest target a policy may write (100 × 366 days) is reached on a clock that is
/// always open, with a year to spare for pauses. A clock that never opens is reported as
/// such at once; the horizon only bounds clocks that open rarely.
pub const DEFAULT_HORIZON_DAYS: u32 = 101 * 366;

/// Days from 0001-01-01 (day 1 in chrono's count) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// An error of calendar construction or calendar arithmetic; [`CalendarError::kind`] says
/// which.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error(transparent)]
pub struct CalendarError {
    kind: CalendarErrorKind,
}

impl CalendarError {
    /// What went wrong.
    pub fn kind(&self) -> &CalendarErrorKind {
        &self.kind
    }
}

impl From<CalendarErrorKind> for CalendarError {
    fn from(kind: CalendarErrorKind) -> CalendarError {
        CalendarError { kind }
    }
}

/// What went wrong in calendar construction or calendar arithmetic.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CalendarErrorKind {
    /// A clock time is not `HH:MM` between `00:00` and `24:00`.
    #[error("invalid time `{0}`, expected HH:MM between 00:00 and 24:00")]
    InvalidTime(String),
    /// An interval is not `HH:MM-HH:MM` with the start before the end.
    #[error("invalid interval `{0}`, expected HH:MM-HH:MM with the start before the end")]
    InvalidInterval(String),
    /// An interval that ends at or before its start, like `12:00-09:00`.
    #[error("interval `{0}` ends before it starts")]
    EmptyInterval(String),
    /// Two intervals of the same day overlap.
    #[error("intervals `{first}` and `{second}` overlap")]
    OverlappingIntervals {
        /// The earlier-listed interval.
        first: OpenInterval,
        /// The later-listed interval.
        second: OpenInterval,
    },
    /// Two intervals of the same day are not in increasing order.
    #[error("intervals `{first}` and `{second}` are not in increasing order")]
    UnorderedIntervals {
        /// The earlier-listed interval.
        first: OpenInterval,
        /// The later-listed interval.
        second: OpenInterval,
    },
    /// A date is given both as a holiday and as a make-up workday.
    #[error("date `{0}` is both a holiday and a make-up workday")]
    HolidayAndMakeup(NaiveDate),
    /// A make-up workday is given twice with different weekdays.
    #[error("make-up workday `{date}` is given as both `{first}` and `{second}`")]
    ConflictingMakeup {
        /// The make-up date.
        date: NaiveDate,
        /// The first weekday given.
        first: Weekday,
        /// The second weekday given.
        second: Weekday,
    },
    /// The calendar has no open time at all at or after the instant asked about.
    #[error("the calendar is never open")]
    NeverOpen,
    /// The result lies further than the search horizon from the start.
    #[error("no result within the horizon of `{days}` days after `{start}`")]
    BeyondHorizon {
        /// The start of the search.
        start: DateTime<Utc>,
        /// The horizon in days.
        days: u32,
    },
    /// A negative amount of open time was asked for.
    #[error("negative target `{0}` seconds")]
    NegativeTarget(i64),
    /// An instant outside the supported range (1677-09-21 to 2262-04-11 UTC).
    #[error("instant outside the supported range 1677-09-21 to 2262-04-11")]
    OutOfRange,
    /// An instant at or after the end of the time zone's known rules (the tz data ends in
    /// 2099; a zone with summer time would otherwise keep its last offset from then on).
    #[error("`{zone}` has known time-zone rules only up to {until}; this instant is after them")]
    BeyondZoneRules {
        /// The time zone.
        zone: String,
        /// The first instant not covered.
        until: DateTime<Utc>,
    },
}

/// An immutable business calendar: weekly hours, holidays, make-up workdays
/// and an IANA time zone.
///
/// All arithmetic is allocation-free.
///
/// # Semantics
///
/// * A local day `D` is open during the [`OpenInterval`]s of its pattern: none
///   on a holiday, the hours of the `like` weekday on a make-up workday, else
///   the hours of its own weekday. Intervals are half-open `[open, close)`;
///   an interval ending at `24:00` and one starting at `00:00` the next day
///   are continuous.
/// * Every local boundary (a day's `00:00`, every opening and closing time)
///   is mapped to one instant: a local time that does not exist (skipped by a
///   DST change) maps to the first valid instant after it, which is the
///   transition instant; an ambiguous local time (repeated by a DST change)
///   maps to the earlier instant. Open time is the real time elapsed between
///   the mapped instants. So on 2026-11-01 in `America/New_York` (clocks go
///   back from 02:00 EDT to 01:00 EST) an interval `00:00-02:00` lasts
///   3 real hours, `01:30-02:00` lasts 1.5 real hours (from the first
///   01:30 EDT), and `00:00-01:30` lasts 1.5 hours and is closed during the
///   repeated 01:00-01:30 EST. On 2026-03-08 (02:00 EST to 03:00 EDT) an
///   interval `01:00-03:00` lasts 1 real hour and `02:00-02:30` is empty.
/// * Instants are handled with nanosecond precision in the range that fits
///   an `i64` of nanoseconds (1677-09-21 to 2262-04-11); outside it the
///   fallible operations return [`CalendarErrorKind::OutOfRange`].
/// * The tz data bundled with chrono-tz ends in 2099. In a zone that still
///   changes its clocks (its last change is in the 2090s), a start or result
///   on or after 1 January of the year after the last change (2100-01-01 UTC
///   for `America/New_York`) is refused with
///   [`CalendarErrorKind::BeyondZoneRules`] rather than computed with a wrong
///   offset. Zones without summer time (`Asia/Shanghai`, `UTC`) have no such
///   limit.
/// * UTC-offset changes are read from a per-zone table built from chrono-tz
///   on the first calendar of each zone (a few milliseconds, then shared); it
///   assumes that a zone never changes its offset twice within 2 days (in
///   the bundled tz database the closest changes are 6.96 days apart).
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: Tz,
    /// UTC-offset changes of `tz` (shared between calendars of the same zone).
    zone: Arc<ZoneTable>,
    hours: WeeklyHours,
    /// Holidays as days since 1970-01-01, sorted, unique.
    holidays: Vec<i64>,
    /// Make-up workdays as (days since 1970-01-01, Monday-based weekday index), sorted, unique.
    makeups: Vec<(i64, usize)>,
    /// Wall-clock open nanoseconds per Monday-based weekday.
    day_total: [i64; 7],
    /// Sum of `day_total`.
    week_total: i64,
    /// When the weekly hours are empty: the last make-up day with open hours.
    last_open_makeup: Option<i64>,
    /// Open 24x7: every day `00:00-24:00` and no holiday.
    always: bool,
    horizon_days: u32,
    /// Where the zone's known rules end (UTC nanoseconds), for a zone with summer time.
    rules_until: Option<i64>,
}

impl Calendar {
    /// The always-open calendar (`24x7`) in `tz`.
    pub fn always_open(tz: Tz) -> Calendar {
        Calendar::build(tz, WeeklyHours::always_open(), Vec::new(), Vec::new())
    }

    /// A calendar from weekly hours, holidays (each closes its whole local
    /// day) and make-up workdays (a date open with the hours of the given
    /// weekday, whatever its own weekday).
    ///
    /// Duplicate holidays are merged. A date that is both a holiday and a
    /// make-up workday, or a make-up workday given with two different
    /// weekdays, is an error.
    pub fn new(
        tz: Tz,
        hours: WeeklyHours,
        holidays: impl IntoIterator<Item = NaiveDate>,
        makeup: impl IntoIterator<Item = (NaiveDate, Weekday)>,
    ) -> Result<Calendar, CalendarError> {
        let mut hol: Vec<i64> = holidays.into_iter().map(epoch_day).collect();
        hol.sort_unstable();
        hol.dedup();
        let mut mk: Vec<(i64, Weekday)> =
            makeup.into_iter().map(|(d, w)| (epoch_day(d), w)).collect();
        mk.sort_by_key(|&(d, w)| (d, w.num_days_from_monday()));
        mk.dedup();
        for pair in mk.windows(2) {
            if let [(d1, w1), (d2, w2)] = pair {
                if d1 == d2 {
                    return Err(CalendarError::from(CalendarErrorKind::ConflictingMakeup {
                        date: date_of(*d1),
                        first: *w1,
                        second: *w2,
                    }));
                }
            }
        }
        if let Some(&(d, _)) = mk.iter().find(|(d, _)| hol.binary_search(d).is_ok()) {
            return Err(CalendarError::from(CalendarErrorKind::HolidayAndMakeup(
                date_of(d),
            )));
        }
        let mk = mk
            .into_iter()
            .map(|(d, w)| (d, w.num_days_from_monday() as usize))
            .collect();
        Ok(Calendar::build(tz, hours, hol, mk))
    }

    fn build(tz: Tz, hours: WeeklyHours, holidays: Vec<i64>, makeups: Vec<(i64, usize)>) -> Self {
        let day_total: [i64; 7] = std::array::from_fn(|i| {
            let secs: u32 = hours.day_index(i).iter().map(OpenInterval::seconds).sum();
            i64::from(secs) * engine::NANOS
        });
        let week_total = day_total.iter().sum();
        let last_open_makeup = makeups
            .iter()
            .filter(|&&(_, like)| day_total.get(like).is_some_and(|&t| t > 0))
            .map(|&(d, _)| d)
            .max();
        let always = holidays.is_empty() && hours.is_always_open();
        // A 24x7 calendar never looks at offsets.
        let table = ZoneTable::of(tz);
        let rules_until = table
            .rules_until()
            .and_then(|s| s.checked_mul(engine::NANOS));
        let zone = if always { ZoneTable::empty() } else { table };
        Calendar {
            tz,
            zone,
            hours,
            holidays,
            makeups,
            day_total,
            week_total,
            last_open_makeup,
            always,
            horizon_days: DEFAULT_HORIZON_DAYS,
            rules_until,
        }
    }

    /// The same calendar with a search horizon of `days` days: a deadline or
    /// an opening further than `days * 24h` after the start is
    /// [`CalendarErrorKind::BeyondHorizon`]. The default is
    /// 36,966 days, about 101 years (`DEFAULT_HORIZON_DAYS`).
    #[must_use]
    pub fn with_horizon(mut self, days: u32) -> Calendar {
        self.horizon_days = days;
        self
    }

    /// The calendar's time zone.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The search horizon in days.
    pub fn horizon_days(&self) -> u32 {
        self.horizon_days
    }

    /// The weekly opening hours.
    pub fn weekly_hours(&self) -> &WeeklyHours {
        &self.hours
    }

    /// The holidays, increasing.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().map(|&d| date_of(d))
    }

    /// The make-up workdays with the weekday whose hours they take, increasing.
    pub fn makeup_days(&self) -> impl Iterator<Item = (NaiveDate, Weekday)> + '_ {
        self.makeups
            .iter()
            .map(|&(d, like)| (date_of(d), weekday_of_index(like)))
    }

    /// True for a 24x7 calendar (every day `00:00-24:00`, no holiday).
    pub fn is_always_open(&self) -> bool {
        self.always
    }

    /// Whether the calendar is open at `t` (intervals are half-open).
    pub fn is_open_at(&self, t: DateTime<Utc>) -> bool {
        let Some(n) = t.timestamp_nanos_opt() else {
            return false;
        };
        self.count_from(n, 0, &[], n) == Ok(n)
    }

    /// The first instant at or after `t` at which the calendar is open (`t`
    /// itself when open at `t`).
    pub fn next_opening(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>, CalendarError> {
        let n = t
            .timestamp_nanos_opt()
            .ok_or(CalendarError::from(CalendarErrorKind::OutOfRange))?;
        self.within_rules(n)?;
        let limit = self.limit(n);
        self.count_from(n, 0, &[], limit)
            .and_then(|r| self.within_rules(r).map(|()| r))
            .map(DateTime::from_timestamp_nanos)
            .map_err(|e| self.horizon_error(e, t))
    }

    /// An error when `n` (UTC nanoseconds) is at or after the end of the zone's rules.
    fn within_rules(&self, n: i64) -> Result<(), CalendarError> {
        match self.rules_until {
            Some(until) if n >= until => Err(CalendarErrorKind::BeyondZoneRules {
                zone: self.tz.name().to_owned(),
                until: DateTime::from_timestamp_nanos(until),
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// The deadline reached after `seconds` of open time counted from `start`.
    ///
    /// Counting starts at `start` if the calendar is open then, else at the
    /// next opening; open time is added until the target is used up. A
    /// deadline that ends exactly at a closing time is that closing time.
    /// Open time inside the `pauses` (half-open UTC intervals `[from, to)`,
    /// in any order, possibly overlapping or starting before `start`) does
    /// not count.
    ///
    /// A zero target gives the counting start: the first instant at or after
    /// `start` that is open and not paused.
    pub fn add_open_time(
        &self,
        start: DateTime<Utc>,
        seconds: i64,
        pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Result<DateTime<Utc>, CalendarError> {
        if seconds < 0 {
            return Err(CalendarError::from(CalendarErrorKind::NegativeTarget(
                seconds,
            )));
        }
        let n = start
            .timestamp_nanos_opt()
            .ok_or(CalendarError::from(CalendarErrorKind::OutOfRange))?;
        let target = seconds
            .checked_mul(engine::NANOS)
            .ok_or(CalendarError::from(CalendarErrorKind::OutOfRange))?;
        self.within_rules(n)?;
        self.count_from(n, target, pauses, self.limit(n))
            .and_then(|r| self.within_rules(r).map(|()| r))
            .map(DateTime::from_timestamp_nanos)
            .map_err(|e| self.horizon_error(e, start))
    }

    /// Whole seconds of open time in `[from, to)` (rounded down); 0 when
    /// `to <= from`. Instants outside the supported range are clamped to it.
    pub fn open_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let nanos = self.open_nanos_between(engine::clamped_nanos(from), engine::clamped_nanos(to));
        // at most 2^64 ns (the supported range), about 1.8e10 s
        i64::try_from(nanos / i128::from(engine::NANOS)).unwrap_or(i64::MAX)
    }

    /// Open time in `[from, to)` outside the `pauses` (half-open UTC intervals, in any
    /// order, possibly overlapping), in nanoseconds; 0 when `to <= from`. Instants outside
    /// the supported range are clamped to it.
    pub fn open_nanos_outside(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> i128 {
        if to <= from {
            return 0;
        }
        let (a, b) = (engine::clamped_nanos(from), engine::clamped_nanos(to));
        let mut total = self.open_nanos_between(a, b);
        // the pauses sorted and merged as the deadline walk has them
        for &(p, q) in &engine::Pauses::new(pauses, a).merged {
            let (p, q) = (p.max(a), q.min(b));
            if p < q {
                total -= self.open_nanos_between(p, q);
            }
        }
        total
    }

    /// The nanosecond limit of a search starting at `n`.
    fn limit(&self, n: i64) -> i64 {
        let span = i64::from(self.horizon_days).saturating_mul(86_400 * engine::NANOS);
        n.saturating_add(span)
    }

    /// Fills in the start of a horizon error.
    fn horizon_error(&self, e: CalendarError, start: DateTime<Utc>) -> CalendarError {
        match e.kind {
            CalendarErrorKind::BeyondHorizon { .. } => CalendarErrorKind::BeyondHorizon {
                start,
                days: self.horizon_days,
            }
            .into(),
            _ => e,
        }
    }
}

/// Days since 1970-01-01 of a date.
fn epoch_day(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE
}

/// The date of a day number (days since 1970-01-01); dates come from
/// `NaiveDate`s, so they are in range (falls back to the epoch otherwise).
fn date_of(day: i64) -> NaiveDate {
    i32::try_from(day + UNIX_EPOCH_DAYS_FROM_CE)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or_default()
}

/// The weekday of a Monday-based index (0 = Monday).
fn weekday_of_index(i: usize) -> Weekday {
    match i {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}
