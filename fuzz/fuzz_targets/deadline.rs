//! Deadline computation on arbitrary calendars.
//!
//! `arbitrary` builds a [`Calendar`]: weekly hours from random intervals (the
//! constructors validate them; a day they reject stays closed), holidays, make-up
//! workdays, one of several IANA zones (most with DST, some with odd offsets or
//! skipped days) and an optional search horizon. Then `add_open_time`, `next_opening`,
//! `is_open_at` and `open_time_between` run from random instants (near the present or
//! anywhere in the representable range) with random targets and pauses, and the
//! documented properties are checked:
//!
//! * nothing panics;
//! * a deadline is never before its start, nor before the counting start;
//! * adding 0 seconds gives the counting start: without pauses, the next opening, at
//!   which the calendar is open;
//! * without pauses, the open time between the start and a deadline is the target;
//! * a smaller target never gives a later deadline, nor fails where a larger one did not;
//! * open time between two instants is between 0 and their distance, and adds up.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use libfuzzer_sys::fuzz_target;
use tierwise::calendar::{Calendar, CalendarErrorKind, ClockTime, OpenInterval, WeeklyHours};

const ZONES: [Tz; 12] = [
    Tz::UTC,
    Tz::Asia__Shanghai,
    Tz::America__New_York,
    Tz::Europe__Berlin,
    Tz::Europe__Dublin,
    Tz::Australia__Lord_Howe,
    Tz::Pacific__Apia,
    Tz::America__Santiago,
    Tz::Asia__Kolkata,
    Tz::Pacific__Chatham,
    Tz::Africa__Casablanca,
    Tz::America__St_Johns,
];

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// 2026-01-01T00:00:00Z.
const BASE: i64 = 1_767_225_600;

#[derive(Debug, Arbitrary)]
enum Instant {
    /// A day around 2026 (days from 2026-01-01), a second of the day and nanoseconds.
    Near(i16, u32, u32),
    /// Seconds from 2026-01-01 (about +-68 years).
    Offset(i32),
    /// Any Unix time in seconds (most outside the supported range).
    Any(i64, u32),
}

impl Instant {
    fn get(&self) -> Option<DateTime<Utc>> {
        match *self {
            Instant::Near(day, sec, nanos) => DateTime::from_timestamp(
                BASE + i64::from(day) * 86_400 + i64::from(sec % 86_400),
                nanos % 1_000_000_000,
            ),
            Instant::Offset(s) => DateTime::from_timestamp(BASE + i64::from(s), 0),
            Instant::Any(s, nanos) => DateTime::from_timestamp(s, nanos % 1_000_000_000),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Target {
    Minutes(u16),
    Seconds(u32),
    Any(i64),
}

impl Target {
    fn get(&self) -> i64 {
        match *self {
            Target::Minutes(m) => i64::from(m) * 60,
            Target::Seconds(s) => i64::from(s),
            Target::Any(s) => s,
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Pause {
    /// Seconds from the start (may be negative) and a length in seconds (may be
    /// negative: an empty pause).
    Relative(i32, i32),
    Absolute(Instant, Instant),
}

#[derive(Debug, Arbitrary)]
struct Input {
    zone: u8,
    always_open: bool,
    /// Per weekday, intervals as two clock values (see [`clock`]).
    hours: [Vec<(u32, u32)>; 7],
    /// Days from 2026-01-01.
    holidays: Vec<i16>,
    makeups: Vec<(i16, u8)>,
    horizon: Option<u16>,
    start: Instant,
    target: Target,
    pauses: Vec<Pause>,
    to: Instant,
}

/// A clock time: odd values are seconds of the day, even ones quarter hours.
fn clock(v: u32) -> Option<ClockTime> {
    if v & 1 == 1 {
        ClockTime::from_seconds((v >> 1) % 86_401)
    } else {
        ClockTime::from_seconds(((v >> 1) % 97) * 900)
    }
}

fn day(offset: i16) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 1, 1)?.checked_add_signed(Duration::days(i64::from(offset)))
}

fn calendar(input: &Input) -> Option<Calendar> {
    let tz = ZONES[usize::from(input.zone) % ZONES.len()];
    let cal = if input.always_open {
        Calendar::always_open(tz)
    } else {
        let mut hours = WeeklyHours::closed();
        for (weekday, list) in WEEKDAYS.iter().zip(&input.hours) {
            let intervals: Vec<OpenInterval> = list
                .iter()
                .take(8)
                .filter_map(|&(a, b)| OpenInterval::new(clock(a)?, clock(b)?).ok())
                .collect();
            // rejected lists (unordered, overlapping) leave the day closed
            let _ = hours.set(*weekday, intervals);
        }
        let holidays: Vec<NaiveDate> = input
            .holidays
            .iter()
            .take(64)
            .filter_map(|&d| day(d))
            .collect();
        let makeups: Vec<(NaiveDate, Weekday)> = input
            .makeups
            .iter()
            .take(16)
            .filter_map(|&(d, w)| Some((day(d)?, WEEKDAYS[usize::from(w) % 7])))
            .collect();
        Calendar::new(tz, hours, holidays, makeups).ok()?
    };
    Some(match input.horizon {
        Some(days) => cal.with_horizon(u32::from(days)),
        None => cal,
    })
}

fuzz_target!(|input: Input| {
    let Some(cal) = calendar(&input) else { return };
    let Some(start) = input.start.get() else {
        return;
    };
    let seconds = input.target.get();
    let pauses: Vec<(DateTime<Utc>, DateTime<Utc>)> = input
        .pauses
        .iter()
        .take(8)
        .filter_map(|p| match p {
            Pause::Relative(from, len) => {
                let from = start.checked_add_signed(Duration::seconds(i64::from(*from)))?;
                Some((
                    from,
                    from.checked_add_signed(Duration::seconds(i64::from(*len)))?,
                ))
            }
            Pause::Absolute(a, b) => Some((a.get()?, b.get()?)),
        })
        .collect();

    // the counting start
    let zero = cal.add_open_time(start, 0, &pauses);
    if let Ok(t0) = zero {
        assert!(t0 >= start, "counting start {t0} before the start {start}");
    }
    if pauses.is_empty() {
        let next = cal.next_opening(start);
        assert_eq!(zero, next, "adding 0 seconds is not the next opening");
        if let Ok(t0) = zero {
            assert!(cal.is_open_at(t0), "closed at the next opening {t0}");
            assert_eq!(
                cal.is_open_at(start),
                t0 == start,
                "open at {start} but the next opening is {t0}"
            );
        }
    }

    // the deadline
    let due = cal.add_open_time(start, seconds, &pauses);
    if seconds < 0 {
        assert_eq!(
            due.map_err(|e| e.kind().clone()),
            Err(CalendarErrorKind::NegativeTarget(seconds))
        );
        return;
    }
    if let Ok(d) = due {
        assert!(d >= start, "deadline {d} before the start {start}");
        match zero {
            Ok(t0) => assert!(d >= t0, "deadline {d} before the counting start {t0}"),
            Err(e) => panic!("a deadline {d} but no counting start: {e}"),
        }
        let half = cal.add_open_time(start, seconds / 2, &pauses);
        match half {
            Ok(h) => assert!(h <= d, "half the target is due at {h}, after {d}"),
            Err(e) => panic!("the target is due at {d} but half of it fails: {e}"),
        }
        if pauses.is_empty() {
            assert_eq!(
                cal.open_time_between(start, d),
                seconds,
                "open time between {start} and the deadline {d}"
            );
        }
    }

    // open time between two instants
    if let Some(to) = input.to.get() {
        let total = cal.open_time_between(start, to);
        assert!(total >= 0, "negative open time {total}");
        if to > start {
            let span = (to - start).num_seconds();
            assert!(
                total <= span,
                "open time {total} s longer than the {span} s from {start} to {to}"
            );
            let mid = start + (to - start) / 2;
            let parts = cal.open_time_between(start, mid) + cal.open_time_between(mid, to);
            assert!(
                parts <= total && total <= parts + 1,
                "open time {total} s from {start} to {to} is not the sum of its halves ({parts} s)"
            );
        } else {
            assert_eq!(total, 0, "open time from {start} back to {to}");
        }
    }
});
