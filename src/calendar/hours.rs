//! Clock times, opening intervals and weekly opening hours.

use std::fmt;
use std::str::FromStr;

use chrono::Weekday;

use super::{CalendarError, CalendarErrorKind};

/// Seconds in a local calendar day (as counted on the wall clock).
pub(crate) const SECONDS_PER_DAY: u32 = 86_400;

/// A wall-clock time of day: seconds since local midnight, `0..=86400`.
///
/// `24:00` (86 400 s) is the end of the day; it is only meaningful as the end
/// of an [`OpenInterval`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u32);

impl ClockTime {
    /// Midnight at the start of a day, `00:00`.
    pub const MIDNIGHT: ClockTime = ClockTime(0);
    /// The end of a day, `24:00`.
    pub const END_OF_DAY: ClockTime = ClockTime(SECONDS_PER_DAY);

    /// A clock time from seconds since midnight; `None` above 86 400.
    pub const fn from_seconds(seconds: u32) -> Option<ClockTime> {
        if seconds <= SECONDS_PER_DAY {
            Some(ClockTime(seconds))
        } else {
            None
        }
    }

    /// A clock time from hours and minutes; `None` unless between `00:00` and `24:00`.
    pub const fn from_hm(hour: u32, minute: u32) -> Option<ClockTime> {
        if minute >= 60 || hour > 24 || (hour == 24 && minute != 0) {
            None
        } else {
            Some(ClockTime(hour * 3600 + minute * 60))
        }
    }

    /// Seconds since local midnight (`0..=86400`).
    pub const fn seconds(self) -> u32 {
        self.0
    }
}

impl FromStr for ClockTime {
    type Err = CalendarError;

    /// Parses `HH:MM` (two digits each), `00:00` to `24:00`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || CalendarError::from(CalendarErrorKind::InvalidTime(text.to_owned()));
        let bytes = text.as_bytes();
        let digit = |i: usize| -> Result<u32, CalendarError> {
            match bytes.get(i) {
                Some(b) if b.is_ascii_digit() => Ok(u32::from(b - b'0')),
                _ => Err(invalid()),
            }
        };
        if bytes.len() != 5 || bytes.get(2) != Some(&b':') {
            return Err(invalid());
        }
        let hour = digit(0)? * 10 + digit(1)?;
        let minute = digit(3)? * 10 + digit(4)?;
        ClockTime::from_hm(hour, minute).ok_or_else(invalid)
    }
}

impl fmt::Display for ClockTime {
    /// `HH:MM`, or `HH:MM:SS` when the seconds are not zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        if s == 0 {
            write!(f, "{h:02}:{m:02}")
        } else {
            write!(f, "{h:02}:{m:02}:{s:02}")
        }
    }
}

/// A half-open opening interval `[start, end)` within one local day, e.g. `09:00-12:00`.
///
/// `00:00-24:00` is the whole day. The start is always before the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpenInterval {
    start: ClockTime,
    end: ClockTime,
}

impl OpenInterval {
    /// The whole day, `00:00-24:00`.
    pub const WHOLE_DAY: OpenInterval = OpenInterval {
        start: ClockTime::MIDNIGHT,
        end: ClockTime::END_OF_DAY,
    };

    /// An interval from `start` (inclusive) to `end` (exclusive); the start must be before the end.
    pub fn new(start: ClockTime, end: ClockTime) -> Result<OpenInterval, CalendarError> {
        if start < end {
            Ok(OpenInterval { start, end })
        } else {
            Err(CalendarError::from(CalendarErrorKind::EmptyInterval(
                format!("{start}-{end}"),
            )))
        }
    }

    /// The opening time (inclusive).
    pub const fn start(&self) -> ClockTime {
        self.start
    }

    /// The closing time (exclusive).
    pub const fn end(&self) -> ClockTime {
        self.end
    }

    /// Length in wall-clock seconds.
    pub const fn seconds(&self) -> u32 {
        self.end.0 - self.start.0
    }

    /// Parses a comma-separated list such as `09:00-12:00, 13:00-18:00`.
    ///
    /// An empty (or blank) text is an empty list, i.e. a closed day. The
    /// intervals are returned as written; [`WeeklyHours::set`] validates
    /// their order.
    pub fn parse_list(text: &str) -> Result<Vec<OpenInterval>, CalendarError> {
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        text.split(',').map(|part| part.trim().parse()).collect()
    }
}

impl FromStr for OpenInterval {
    type Err = CalendarError;

    /// Parses `HH:MM-HH:MM`; `24:00` is allowed only as the end.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (start, end) = text.split_once('-').ok_or_else(|| {
            CalendarError::from(CalendarErrorKind::InvalidInterval(text.to_owned()))
        })?;
        let start: ClockTime = start.trim().parse()?;
        let end: ClockTime = end.trim().parse()?;
        OpenInterval::new(start, end)
            .map_err(|_| CalendarErrorKind::EmptyInterval(text.trim().to_owned()).into())
    }
}

impl fmt::Display for OpenInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// Opening hours for each day of a normal week.
///
/// Each weekday has a list of [`OpenInterval`]s that are increasing and
/// non-overlapping (touching is allowed: `09:00-12:00, 12:00-13:00`). A day
/// without intervals is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct WeeklyHours {
    /// Indexed by `Weekday::num_days_from_monday`.
    days: [Vec<OpenInterval>; 7],
}

impl WeeklyHours {
    /// A week with every day closed.
    pub fn closed() -> WeeklyHours {
        WeeklyHours::default()
    }

    /// A week open all day every day (`00:00-24:00`, i.e. 24x7).
    pub fn always_open() -> WeeklyHours {
        WeeklyHours {
            days: std::array::from_fn(|_| vec![OpenInterval::WHOLE_DAY]),
        }
    }

    /// Replaces the intervals of `day`, after checking that they are
    /// increasing and do not overlap.
    pub fn set(&mut self, day: Weekday, intervals: Vec<OpenInterval>) -> Result<(), CalendarError> {
        validate(&intervals)?;
        if let Some(slot) = self.days.get_mut(day.num_days_from_monday() as usize) {
            *slot = intervals;
        }
        Ok(())
    }

    /// Builder form of [`WeeklyHours::set`] taking text such as
    /// `09:00-12:00, 13:00-18:00` (empty text: closed), applied to every day in `days`.
    pub fn with(mut self, days: &[Weekday], text: &str) -> Result<WeeklyHours, CalendarError> {
        let intervals = OpenInterval::parse_list(text)?;
        for &day in days {
            self.set(day, intervals.clone())?;
        }
        Ok(self)
    }

    /// The intervals of `day`, increasing.
    pub fn intervals(&self, day: Weekday) -> &[OpenInterval] {
        self.day_index(day.num_days_from_monday() as usize)
    }

    /// Wall-clock open seconds of `day`.
    pub fn open_seconds(&self, day: Weekday) -> u32 {
        self.intervals(day).iter().map(OpenInterval::seconds).sum()
    }

    /// True when no day has any opening interval.
    pub fn is_closed(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// True when every day is open `00:00-24:00`.
    pub fn is_always_open(&self) -> bool {
        self.days
            .iter()
            .all(|d| d.as_slice() == [OpenInterval::WHOLE_DAY])
    }

    /// Intervals by Monday-based day index (0 = Monday); empty when out of range.
    pub(crate) fn day_index(&self, index: usize) -> &[OpenInterval] {
        self.days.get(index).map_or(&[], Vec::as_slice)
    }
}

/// Checks that `intervals` are increasing and do not overlap.
fn validate(intervals: &[OpenInterval]) -> Result<(), CalendarError> {
    for pair in intervals.windows(2) {
        if let [first, second] = pair {
            if second.start < first.end && first.start < second.end {
                return Err(CalendarError::from(
                    CalendarErrorKind::OverlappingIntervals {
                        first: *first,
                        second: *second,
                    },
                ));
            }
            if second.start < first.end {
                return Err(CalendarError::from(CalendarErrorKind::UnorderedIntervals {
                    first: *first,
                    second: *second,
                }));
            }
        }
    }
    Ok(())
}
