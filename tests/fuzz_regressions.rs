//! Regressions found by the fuzz targets in `fuzz/` (see `fuzz/README.md`), one test per
//! minimized finding. The raw inputs are kept under `tests/inputs/fuzz/TARGET/`; replay
//! them with `cargo fuzz run TARGET ../tests/inputs/fuzz/TARGET/*` from `fuzz/`.

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use tierwise::calendar::{Calendar, WeeklyHours};

use crate::common::instant;

/// `deadline`, `inputs/fuzz/deadline/open-time-over-292-years`: open time over more than
/// 292 years (the span of an `i64` of nanoseconds) saturated at 9,223,372,036 s instead of
/// the 10,306,826,240 s between the two instants of a 24x7 calendar.
#[test]
fn open_time_over_more_than_292_years_is_exact() {
    let from = instant("1699-05-23T00:42:39.294967295Z");
    let to = instant("2026-01-01T00:00:00Z");
    let span = (to - from).num_seconds();
    assert_eq!(span, 10_306_826_240);

    let always = Calendar::always_open(Tz::UTC);
    assert_eq!(always.open_time_between(from, to), span);

    // the same hours with a holiday: summed day by day and week by week
    let holiday = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let open = Calendar::new(Tz::UTC, WeeklyHours::always_open(), [holiday], []).unwrap();
    assert_eq!(open.open_time_between(from, to), span - 86_400);

    // the whole supported range, 1677-09-21 to 2262-04-11 (instants outside are clamped)
    let whole = (i128::from(i64::MAX) - i128::from(i64::MIN)) / 1_000_000_000;
    assert_eq!(
        i128::from(always.open_time_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)),
        whole
    );
}

/// `deadline`, `inputs/fuzz/deadline/open-time-from-before-1677`: open time from an instant
/// before the supported range was 0 instead of the open time from the start of the range
/// (1677-09-21T00:12:43.145224192Z, where it is clamped): the local day holding that
/// instant starts before the range, and the sum stopped there. The last day of the range
/// (2262-04-11, which ends after it) lost its open time the same way.
#[test]
fn open_time_counts_the_first_and_last_days_of_the_range() {
    let office = WeeklyHours::closed()
        .with(
            &[
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            "09:00-17:00",
        )
        .unwrap();
    let cal = Calendar::new(Tz::UTC, office, [], []).unwrap();
    let eight_hours = 8 * 3600;
    // 1677-09-21 is a Tuesday, 2262-04-11 a Friday
    let first_day_end = instant("1677-09-22T00:00:00Z");
    assert_eq!(
        cal.open_time_between(DateTime::<Utc>::MIN_UTC, first_day_end),
        eight_hours
    );
    let before = instant("1425-02-19T19:20:31.186046975Z");
    assert_eq!(cal.open_time_between(before, first_day_end), eight_hours);
    let last_day = instant("2262-04-11T00:00:00Z");
    assert_eq!(
        cal.open_time_between(last_day, DateTime::<Utc>::MAX_UTC),
        eight_hours
    );

    // from before the range to 2026, and the two halves of that
    let to = instant("2026-01-01T00:00:00Z");
    let mid = before + (to - before) / 2;
    let whole = cal.open_time_between(before, to);
    let halves = cal.open_time_between(before, mid) + cal.open_time_between(mid, to);
    assert!(whole > 0);
    assert!(
        halves <= whole && whole <= halves + 1,
        "{whole} s vs {halves} s"
    );
}
