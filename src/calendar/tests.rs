#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use chrono::{Duration, LocalResult, NaiveDateTime, Offset, TimeZone};
use proptest::prelude::*;

const NANOS: i64 = 1_000_000_000;
const HOUR: i64 = 3600;
const WORKDAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];
const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];
const SHANGHAI: Tz = Tz::Asia__Shanghai;
const NEW_YORK: Tz = Tz::America__New_York;
const LONDON: Tz = Tz::Europe__London;

// ---------------------------------------------------------------- helpers

/// The instant of a local `YYYY-MM-DD HH:MM` (earlier instant if ambiguous).
fn local(tz: Tz, text: &str) -> DateTime<Utc> {
    let n = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&n)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// The instant of a UTC `YYYY-MM-DD HH:MM`.
fn utc(text: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_utc()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn hours(days: &[Weekday], text: &str) -> WeeklyHours {
    WeeklyHours::closed().with(days, text).unwrap()
}

/// Mon-Fri 09:00-12:00, 13:00-18:00 in Shanghai.
fn office(holidays: &[&str], makeup: &[(&str, Weekday)]) -> Calendar {
    Calendar::new(
        SHANGHAI,
        hours(&WORKDAYS, "09:00-12:00, 13:00-18:00"),
        holidays.iter().map(|d| date(d)),
        makeup.iter().map(|(d, w)| (date(d), *w)),
    )
    .unwrap()
}

/// The same hours every day; a far holiday keeps it off the 24x7 shortcut.
fn daily(tz: Tz, text: &str) -> Calendar {
    Calendar::new(tz, hours(&ALL_DAYS, text), [date("2040-01-01")], []).unwrap()
}

fn add(cal: &Calendar, start: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    cal.add_open_time(start, secs, &[]).unwrap()
}

// ------------------------------------------------------ naive reference

/// Instant (ns) of local `date` + `secs`: skipped -> first valid instant
/// after it (walk forward second by second), ambiguous -> earlier.
fn ref_instant(tz: Tz, date: NaiveDate, secs: u32) -> i64 {
    let mut n = date.and_hms_opt(0, 0, 0).unwrap() + Duration::seconds(i64::from(secs));
    loop {
        match tz.from_local_datetime(&n) {
            LocalResult::Single(t) => return t.timestamp() * NANOS,
            LocalResult::Ambiguous(a, b) => return a.timestamp().min(b.timestamp()) * NANOS,
            LocalResult::None => n += Duration::seconds(1),
        }
    }
}

/// The open intervals (ns) of one local date, straight from the public data.
fn ref_day(cal: &Calendar, d: NaiveDate) -> Vec<(i64, i64)> {
    if cal.holidays().any(|h| h == d) {
        return Vec::new();
    }
    let weekday = cal
        .makeup_days()
        .find(|(m, _)| *m == d)
        .map_or(d.weekday(), |(_, w)| w);
    cal.weekly_hours()
        .intervals(weekday)
        .iter()
        .map(|iv| {
            (
                ref_instant(cal.timezone(), d, iv.start().seconds()),
                ref_instant(cal.timezone(), d, iv.end().seconds()),
            )
        })
        .collect()
}

fn ns(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap()
}

fn local_date(cal: &Calendar, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&cal.timezone()).date_naive()
}

/// Sorted, merged, non-empty pauses.
fn merge_pauses(pauses: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<(i64, i64)> {
    let mut v: Vec<(i64, i64)> = pauses
        .iter()
        .map(|&(a, b)| (ns(a), ns(b)))
        .filter(|(a, b)| a < b)
        .collect();
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// `[a, b)` minus the merged pauses.
fn subtract(a: i64, b: i64, pauses: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut cur = a;
    for &(x, y) in pauses {
        if y <= cur || x >= b {
            continue;
        }
        if x > cur {
            out.push((cur, x));
        }
        cur = cur.max(y);
    }
    if cur < b {
        out.push((cur, b));
    }
    out
}

/// Day by day, interval by interval, no shortcut.
fn ref_add(
    cal: &Calendar,
    start: DateTime<Utc>,
    secs: i64,
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Option<DateTime<Utc>> {
    let s = ns(start);
    let limit = s + i64::from(cal.horizon_days()) * 86_400 * NANOS;
    let merged = merge_pauses(pauses);
    let mut remaining = secs * NANOS;
    let first = local_date(cal, start) - Duration::days(2);
    for i in 0..i64::from(cal.horizon_days()) + 6 {
        let d = first + Duration::days(i);
        for (a, b) in ref_day(cal, d) {
            let a = a.max(s);
            if b <= a {
                continue;
            }
            for (x, y) in subtract(a, b, &merged) {
                if y - x >= remaining {
                    let end = x + remaining;
                    return (end <= limit).then(|| DateTime::from_timestamp_nanos(end));
                }
                remaining -= y - x;
            }
        }
    }
    None
}

fn ref_open_between(cal: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let (f, t) = (ns(from), ns(to));
    let mut total = 0;
    let mut d = local_date(cal, from) - Duration::days(2);
    while d <= local_date(cal, to) + Duration::days(2) {
        for (a, b) in ref_day(cal, d) {
            let (a, b) = (a.max(f), b.min(t));
            if b > a {
                total += b - a;
            }
        }
        d += Duration::days(1);
    }
    total / NANOS
}

fn ref_is_open(cal: &Calendar, t: DateTime<Utc>) -> bool {
    let n = ns(t);
    let d = local_date(cal, t);
    (-2..=2).any(|k| {
        ref_day(cal, d + Duration::days(k))
            .into_iter()
            .any(|(a, b)| a <= n && n < b)
    })
}

// ------------------------------------------------------ parsing

#[test]
fn parse_clock_times_and_intervals() {
    assert_eq!(
        "09:30".parse::<ClockTime>().unwrap().seconds(),
        9 * 3600 + 1800
    );
    assert_eq!("24:00".parse::<ClockTime>().unwrap(), ClockTime::END_OF_DAY);
    for bad in [
        "25:00", "24:01", "9:00", "09:60", "0900", "09:00:00", "", "ab:cd",
    ] {
        assert_eq!(
            bad.parse::<ClockTime>(),
            Err(CalendarError::from(CalendarErrorKind::InvalidTime(
                bad.to_owned()
            ))),
            "{bad}"
        );
    }
    assert_eq!(
        "25:00".parse::<ClockTime>().unwrap_err().to_string(),
        "invalid time `25:00`, expected HH:MM between 00:00 and 24:00"
    );
    let iv: OpenInterval = "09:00-12:00".parse().unwrap();
    assert_eq!((iv.start().seconds(), iv.end().seconds()), (32_400, 43_200));
    assert_eq!(iv.to_string(), "09:00-12:00");
    assert_eq!(
        "00:00-24:00".parse::<OpenInterval>().unwrap(),
        OpenInterval::WHOLE_DAY
    );
    for bad in [
        "24:00-24:00",
        "12:00-09:00",
        "10:00-10:00",
        "09:00",
        "09:00-",
    ] {
        assert!(bad.parse::<OpenInterval>().is_err(), "{bad}");
    }
    assert_eq!(
        "12:00-09:00"
            .parse::<OpenInterval>()
            .unwrap_err()
            .to_string(),
        "interval `12:00-09:00` ends before it starts"
    );
    assert_eq!(
        ClockTime::from_seconds(3661).unwrap().to_string(),
        "01:01:01"
    );
    assert_eq!(OpenInterval::parse_list(" ").unwrap(), vec![]);
}

#[test]
fn weekly_hours_validation() {
    let err = WeeklyHours::closed()
        .with(&[Weekday::Mon], "09:00-12:00, 11:00-13:00")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "intervals `09:00-12:00` and `11:00-13:00` overlap"
    );
    let err = WeeklyHours::closed()
        .with(&[Weekday::Mon], "13:00-18:00, 09:00-12:00")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "intervals `13:00-18:00` and `09:00-12:00` are not in increasing order"
    );
    let h = hours(&WORKDAYS, "09:00-12:00, 12:00-13:00");
    assert_eq!(h.open_seconds(Weekday::Tue), 4 * 3600);
    assert_eq!(h.open_seconds(Weekday::Sat), 0);
    assert!(WeeklyHours::closed().is_closed());
    assert!(WeeklyHours::always_open().is_always_open());
}

#[test]
fn constructor_rejects_conflicts() {
    let err = Calendar::new(
        SHANGHAI,
        hours(&WORKDAYS, "09:00-18:00"),
        [date("2026-10-10")],
        [(date("2026-10-10"), Weekday::Mon)],
    )
    .unwrap_err();
    assert_eq!(
        err.kind(),
        &CalendarErrorKind::HolidayAndMakeup(date("2026-10-10"))
    );
    assert_eq!(
        err.to_string(),
        "date `2026-10-10` is both a holiday and a make-up workday"
    );
    let err = Calendar::new(
        SHANGHAI,
        hours(&WORKDAYS, "09:00-18:00"),
        [],
        [
            (date("2026-10-10"), Weekday::Mon),
            (date("2026-10-10"), Weekday::Tue),
        ],
    )
    .unwrap_err();
    assert!(matches!(
        err.kind(),
        CalendarErrorKind::ConflictingMakeup { .. }
    ));
    // Duplicates that agree are fine.
    let cal = Calendar::new(
        SHANGHAI,
        hours(&WORKDAYS, "09:00-18:00"),
        [date("2026-10-01"), date("2026-10-01")],
        [
            (date("2026-10-10"), Weekday::Mon),
            (date("2026-10-10"), Weekday::Mon),
        ],
    )
    .unwrap();
    assert_eq!(cal.holidays().count(), 1);
    assert_eq!(cal.makeup_days().count(), 1);
}

// ------------------------------------------------------ table tests

#[test]
fn lunch_break_in_shanghai() {
    let cal = office(&[], &[]);
    let start = local(SHANGHAI, "2026-03-02 11:00");
    assert_eq!(
        add(&cal, start, 4 * HOUR),
        local(SHANGHAI, "2026-03-02 16:00")
    );
    assert!(!cal.is_open_at(local(SHANGHAI, "2026-03-02 12:00")));
    assert!(cal.is_open_at(local(SHANGHAI, "2026-03-02 11:59")));
    assert!(cal.is_open_at(local(SHANGHAI, "2026-03-02 13:00")));
    assert_eq!(
        cal.next_opening(local(SHANGHAI, "2026-03-02 12:30"))
            .unwrap(),
        local(SHANGHAI, "2026-03-02 13:00")
    );
    assert_eq!(
        cal.open_time_between(
            local(SHANGHAI, "2026-03-02 08:00"),
            local(SHANGHAI, "2026-03-03 10:00")
        ),
        9 * HOUR
    );
}

#[test]
fn deadline_at_closing_time_is_the_closing_time() {
    let cal = office(&[], &[]);
    let start = local(SHANGHAI, "2026-03-02 09:00");
    assert_eq!(
        add(&cal, start, 8 * HOUR),
        local(SHANGHAI, "2026-03-02 18:00")
    );
    // Ending exactly at the lunch closing time too.
    assert_eq!(
        add(&cal, start, 3 * HOUR),
        local(SHANGHAI, "2026-03-02 12:00")
    );
    // One more second goes past lunch to the next opening.
    assert_eq!(
        add(&cal, start, 3 * HOUR + 1),
        local(SHANGHAI, "2026-03-02 13:00") + Duration::seconds(1)
    );
}

#[test]
fn friday_evening_rolls_to_monday_and_zero_target() {
    let cal = office(&[], &[]);
    let fri = local(SHANGHAI, "2026-03-06 19:00");
    assert_eq!(add(&cal, fri, HOUR), local(SHANGHAI, "2026-03-09 10:00"));
    // A zero target gives the counting start.
    assert_eq!(add(&cal, fri, 0), local(SHANGHAI, "2026-03-09 09:00"));
    let open = local(SHANGHAI, "2026-03-06 10:15");
    assert_eq!(add(&cal, open, 0), open);
    assert_eq!(cal.next_opening(open).unwrap(), open);
    // At exactly a closing instant the calendar is closed.
    assert_eq!(
        add(&cal, local(SHANGHAI, "2026-03-06 18:00"), 0),
        local(SHANGHAI, "2026-03-09 09:00")
    );
}

#[test]
fn three_business_days_across_weekend_and_holiday() {
    let cal = office(&["2026-03-09"], &[]);
    // Thu 10:00: Thu 7h, Fri 8h, Sat/Sun closed, Mon holiday, Tue 8h, Wed 1h.
    let start = local(SHANGHAI, "2026-03-05 10:00");
    assert_eq!(
        add(&cal, start, 24 * HOUR),
        local(SHANGHAI, "2026-03-11 10:00")
    );
    assert!(!cal.is_open_at(local(SHANGHAI, "2026-03-09 10:00")));
    assert_eq!(
        cal.open_time_between(start, local(SHANGHAI, "2026-03-11 10:00")),
        24 * HOUR
    );
}

#[test]
fn national_day_with_makeup_saturday() {
    let holidays = [
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-10-04",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ];
    let cal = office(&holidays, &[("2026-10-10", Weekday::Mon)]);
    let start = local(SHANGHAI, "2026-09-30 17:00");
    assert_eq!(
        add(&cal, start, 2 * HOUR),
        local(SHANGHAI, "2026-10-08 10:00")
    );
    assert_eq!(
        add(&cal, local(SHANGHAI, "2026-10-09 17:00"), 2 * HOUR),
        local(SHANGHAI, "2026-10-10 10:00")
    );
    assert!(cal.is_open_at(local(SHANGHAI, "2026-10-10 09:00")));
    assert!(!cal.is_open_at(local(SHANGHAI, "2026-10-10 12:30")));
    assert!(!cal.is_open_at(local(SHANGHAI, "2026-10-11 10:00")));
    assert!(!cal.is_open_at(local(SHANGHAI, "2026-10-01 10:00")));
    // The whole fortnight: 9/28-9/30 (3 days), 10/8-10/10 (3 days), 10/12 (1 day).
    assert_eq!(
        cal.open_time_between(
            local(SHANGHAI, "2026-09-28 00:00"),
            local(SHANGHAI, "2026-10-13 00:00")
        ),
        7 * 8 * HOUR
    );
    let naive = ref_add(&cal, start, 40 * 8 * HOUR, &[]).unwrap();
    assert_eq!(add(&cal, start, 40 * 8 * HOUR), naive);
}

#[test]
fn always_open_24x7() {
    let cal = Calendar::always_open(NEW_YORK);
    assert!(cal.is_always_open());
    let t = utc("2026-03-07 12:34");
    assert!(cal.is_open_at(t));
    assert_eq!(cal.next_opening(t).unwrap(), t);
    assert_eq!(add(&cal, t, 0), t);
    // Real elapsed time across the spring-forward night.
    assert_eq!(add(&cal, t, 86_400), t + Duration::days(1));
    assert_eq!(cal.open_time_between(t, t + Duration::hours(5)), 5 * HOUR);
    let pauses = [(t + Duration::hours(1), t + Duration::hours(2))];
    assert_eq!(
        cal.add_open_time(t, 3 * HOUR, &pauses).unwrap(),
        t + Duration::hours(4)
    );
    // Same as a walked calendar with the same hours.
    let walked = daily(NEW_YORK, "00:00-24:00");
    assert!(!walked.is_always_open());
    assert_eq!(add(&walked, t, 86_400), t + Duration::days(1));
    assert_eq!(
        walked.add_open_time(t, 3 * HOUR, &pauses).unwrap(),
        t + Duration::hours(4)
    );
    // Ending exactly where a pause starts: the pause start.
    assert_eq!(
        cal.add_open_time(t, HOUR, &pauses).unwrap(),
        t + Duration::hours(1)
    );
    assert_eq!(
        cal.add_open_time(t, 400 * 86_400, &[]),
        Ok(t + Duration::days(400))
    );
    assert!(matches!(
        cal.clone()
            .with_horizon(366)
            .add_open_time(t, 400 * 86_400, &[])
            .map_err(|e| e.kind().clone()),
        Err(CalendarErrorKind::BeyondHorizon { .. })
    ));
}

#[test]
fn new_york_spring_forward() {
    // 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00 UTC.
    let whole = daily(NEW_YORK, "00:00-24:00");
    let day = local(NEW_YORK, "2026-03-08 00:00");
    let next = local(NEW_YORK, "2026-03-09 00:00");
    assert_eq!(whole.open_time_between(day, next), 23 * HOUR);
    assert_eq!(add(&whole, day, 23 * HOUR), next);
    assert_eq!(add(&whole, day, 2 * HOUR), utc("2026-03-08 07:00"));

    // 01:00-03:00 that day is 06:00-07:00 UTC: one real hour.
    let night = daily(NEW_YORK, "01:00-03:00");
    assert_eq!(night.open_time_between(day, next), HOUR);
    assert_eq!(night.next_opening(day).unwrap(), utc("2026-03-08 06:00"));
    assert!(night.is_open_at(utc("2026-03-08 06:59")));
    assert!(!night.is_open_at(utc("2026-03-08 07:00")));
    assert_eq!(
        add(&night, utc("2026-03-08 06:00"), HOUR + 60),
        local(NEW_YORK, "2026-03-09 01:01")
    );
    // A window inside the gap is empty; one starting in it opens at 03:00 EDT.
    let gap = daily(NEW_YORK, "02:00-02:30");
    assert_eq!(gap.open_time_between(day, next), 0);
    assert!(!gap.is_open_at(utc("2026-03-08 07:00")));
    let late = daily(NEW_YORK, "02:30-04:00");
    assert_eq!(late.open_time_between(day, next), HOUR);
    assert_eq!(late.next_opening(day).unwrap(), utc("2026-03-08 07:00"));
}

#[test]
fn new_york_fall_back() {
    // 2026-11-01: 02:00 EDT -> 01:00 EST at 06:00 UTC; 01:00-02:00 repeats.
    let day = local(NEW_YORK, "2026-11-01 00:00");
    let next = local(NEW_YORK, "2026-11-02 00:00");
    assert_eq!(day, utc("2026-11-01 04:00"));
    let whole = daily(NEW_YORK, "00:00-24:00");
    assert_eq!(whole.open_time_between(day, next), 25 * HOUR);
    // 00:00-02:00 runs from 04:00 UTC to 02:00 EST = 07:00 UTC: 3 real hours.
    let early = daily(NEW_YORK, "00:00-02:00");
    assert_eq!(early.open_time_between(day, next), 3 * HOUR);
    assert_eq!(add(&early, day, 3 * HOUR), utc("2026-11-01 07:00"));
    // 01:30 is ambiguous: the earlier instant (01:30 EDT = 05:30 UTC).
    let half = daily(NEW_YORK, "01:30-02:00");
    assert_eq!(half.open_time_between(day, next), 90 * 60);
    assert_eq!(half.next_opening(day).unwrap(), utc("2026-11-01 05:30"));
    let first = daily(NEW_YORK, "00:00-01:30");
    assert_eq!(first.open_time_between(day, next), 90 * 60);
    // Closed during the repeated 01:00-01:30 EST.
    assert!(!first.is_open_at(utc("2026-11-01 06:15")));
    assert!(first.is_open_at(utc("2026-11-01 05:15")));
}

#[test]
fn fall_back_across_midnight() {
    // Havana 2026-11-01: 01:00 CDT -> 00:00 CST at 05:00 UTC; 00:00-01:00 repeats.
    let havana = Tz::America__Havana;
    let cal = daily(havana, "00:00-00:30");
    // 00:00 and 00:30 map to the first pass (04:00 and 04:30 UTC).
    assert_eq!(
        cal.next_opening(utc("2026-11-01 03:00")).unwrap(),
        utc("2026-11-01 04:00")
    );
    assert!(cal.is_open_at(utc("2026-11-01 04:15")));
    // 00:15 CST, in the second pass, is closed.
    assert!(!cal.is_open_at(utc("2026-11-01 05:15")));
    assert_eq!(
        cal.next_opening(utc("2026-11-01 05:15")).unwrap(),
        utc("2026-11-02 05:00")
    );
    assert_eq!(
        cal.add_open_time(utc("2026-11-01 05:15"), 60, &[]).unwrap(),
        utc("2026-11-02 05:01")
    );
    let whole = daily(havana, "00:00-24:00");
    assert_eq!(
        whole.open_time_between(utc("2026-11-01 04:00"), utc("2026-11-02 05:00")),
        25 * HOUR
    );
    // Beirut 2026-10-25: 00:00 EEST -> 23:00 EET (24th) at 21:00 UTC on the 24th.
    let beirut = daily(Tz::Asia__Beirut, "23:30-24:00");
    // 23:30 is ambiguous (earlier: 20:30 UTC); 24:00 is 22:00 UTC: 1.5 real hours.
    assert_eq!(
        beirut.open_time_between(utc("2026-10-24 00:00"), utc("2026-10-25 00:00")),
        90 * 60
    );
    assert!(beirut.is_open_at(utc("2026-10-24 21:45")));
    assert!(!beirut.is_open_at(utc("2026-10-24 20:15")));
    // Havana 2027-03-14: 00:00 CST -> 01:00 CDT at 05:00 UTC; 00:00-01:00 is skipped.
    let sunday = daily(havana, "00:01-02:00");
    assert_eq!(
        sunday.next_opening(utc("2027-03-14 03:00")).unwrap(),
        utc("2027-03-14 05:00")
    );
    assert_eq!(
        sunday.open_time_between(utc("2027-03-14 00:00"), utc("2027-03-15 00:00")),
        HOUR
    );
}

#[test]
fn zone_table_matches_chrono_tz() {
    let zones = [
        Tz::America__New_York,
        Tz::Australia__Lord_Howe,
        Tz::America__Havana,
        Tz::America__Santiago,
        Tz::Asia__Gaza,
        Tz::America__Noronha,
        Tz::Africa__Casablanca,
        Tz::Asia__Kathmandu,
        Tz::Pacific__Apia,
        Tz::Europe__Dublin,
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for tz in zones {
        let table = zone::ZoneTable::of(tz);
        for _ in 0..20_000 {
            // xorshift over the supported range
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let secs = (x % 18_000_000_000) as i64 - 9_000_000_000;
            let t = DateTime::from_timestamp(secs, 0).unwrap();
            let expected = tz
                .offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc();
            assert_eq!(table.offset_at(secs), i64::from(expected), "{tz} at {t}");
        }
        // Around every change: the second before and the change itself.
        for secs in [-2_000_000_000i64, 0, 1_800_000_000, 4_200_000_000] {
            let span = table.span(secs);
            if span.end < i64::MAX {
                for s in [span.end - 1, span.end] {
                    let t = DateTime::from_timestamp(s, 0).unwrap();
                    let o = tz
                        .offset_from_utc_datetime(&t.naive_utc())
                        .fix()
                        .local_minus_utc();
                    assert_eq!(table.offset_at(s), i64::from(o));
                }
            }
        }
    }
}

#[test]
fn london_dst() {
    let whole = daily(LONDON, "00:00-24:00");
    let spring = local(LONDON, "2026-03-29 00:00");
    assert_eq!(
        whole.open_time_between(spring, local(LONDON, "2026-03-30 00:00")),
        23 * HOUR
    );
    let autumn = local(LONDON, "2026-10-25 00:00");
    assert_eq!(
        whole.open_time_between(autumn, local(LONDON, "2026-10-26 00:00")),
        25 * HOUR
    );
    // Office hours are not touched, but the offset changes over the weekend.
    let office = Calendar::new(LONDON, hours(&WORKDAYS, "09:00-17:00"), [], []).unwrap();
    assert_eq!(
        add(&office, utc("2026-03-27 16:00"), 2 * HOUR),
        utc("2026-03-30 09:00")
    );
    assert_eq!(
        add(&office, utc("2026-10-23 15:00"), 2 * HOUR),
        utc("2026-10-26 10:00")
    );
    // The 01:00-02:00 window vanishes on the spring day, lasts 2h on the autumn day.
    let night = daily(LONDON, "01:00-02:00");
    assert_eq!(
        night.open_time_between(spring, local(LONDON, "2026-03-30 00:00")),
        0
    );
    assert_eq!(
        night.open_time_between(autumn, local(LONDON, "2026-10-26 00:00")),
        2 * HOUR
    );
}

#[test]
fn pauses() {
    let cal = office(&[], &[]);
    let start = local(SHANGHAI, "2026-03-02 09:00");
    let at = |s: &str| local(SHANGHAI, s);
    let run = |p: &[(DateTime<Utc>, DateTime<Utc>)]| cal.add_open_time(start, 4 * HOUR, p).unwrap();
    assert_eq!(run(&[]), at("2026-03-02 14:00"));
    // Inside open time: later by exactly the paused open time.
    assert_eq!(
        run(&[(at("2026-03-02 10:00"), at("2026-03-02 10:30"))]),
        at("2026-03-02 14:30")
    );
    // In closed time: nothing changes.
    assert_eq!(
        run(&[(at("2026-03-02 12:00"), at("2026-03-02 13:00"))]),
        at("2026-03-02 14:00")
    );
    // Across lunch: only the open part counts (11:30-12:00 and 13:00-13:30).
    assert_eq!(
        run(&[(at("2026-03-02 11:30"), at("2026-03-02 13:30"))]),
        at("2026-03-02 15:00")
    );
    // Overlapping pauses are not counted twice; order does not matter.
    let overlapping = [
        (at("2026-03-02 10:15"), at("2026-03-02 10:45")),
        (at("2026-03-02 10:00"), at("2026-03-02 10:30")),
    ];
    assert_eq!(run(&overlapping), at("2026-03-02 14:45"));
    // Partly before the start.
    assert_eq!(
        run(&[(at("2026-03-02 08:00"), at("2026-03-02 09:30"))]),
        at("2026-03-02 14:30")
    );
    // Empty and inverted pauses are ignored.
    let odd = [
        (at("2026-03-02 10:00"), at("2026-03-02 10:00")),
        (at("2026-03-02 11:00"), at("2026-03-02 10:00")),
    ];
    assert_eq!(run(&odd), at("2026-03-02 14:00"));
    // A pause covering the rest of the day moves to the next day.
    assert_eq!(
        run(&[(at("2026-03-02 10:00"), at("2026-03-03 00:00"))]),
        at("2026-03-03 12:00")
    );
    // Ending exactly where a pause starts: the pause start.
    assert_eq!(
        cal.add_open_time(
            start,
            HOUR,
            &[(at("2026-03-02 10:00"), at("2026-03-02 11:00"))]
        )
        .unwrap(),
        at("2026-03-02 10:00")
    );
    // A zero target inside a pause gives the end of the pause.
    assert_eq!(
        cal.add_open_time(
            start,
            0,
            &[(at("2026-03-02 08:00"), at("2026-03-02 09:20"))]
        )
        .unwrap(),
        at("2026-03-02 09:20")
    );
    // A pause over a whole week of a long deadline.
    let week = [(at("2026-03-09 00:00"), at("2026-03-16 00:00"))];
    assert_eq!(
        cal.add_open_time(start, 10 * 8 * HOUR, &week).unwrap(),
        at("2026-03-20 18:00")
    );
    assert_eq!(
        cal.add_open_time(start, 10 * 8 * HOUR, &week).unwrap(),
        ref_add(&cal, start, 10 * 8 * HOUR, &week).unwrap()
    );
}

#[test]
fn never_open_is_an_error_not_a_loop() {
    let cal = Calendar::new(SHANGHAI, WeeklyHours::closed(), [], []).unwrap();
    let t = utc("2026-03-02 00:00");
    assert_eq!(
        cal.add_open_time(t, 60, &[]),
        Err(CalendarError::from(CalendarErrorKind::NeverOpen))
    );
    assert_eq!(
        cal.add_open_time(t, 0, &[]),
        Err(CalendarError::from(CalendarErrorKind::NeverOpen))
    );
    assert_eq!(
        cal.next_opening(t),
        Err(CalendarError::from(CalendarErrorKind::NeverOpen))
    );
    assert!(!cal.is_open_at(t));
    assert_eq!(cal.open_time_between(t, t + Duration::days(3000)), 0);
    // Only a make-up day is open; after it, never again.
    let cal = Calendar::new(
        SHANGHAI,
        hours(&[Weekday::Mon], ""),
        [],
        [
            (date("2026-03-07"), Weekday::Mon),
            (date("2026-03-08"), Weekday::Tue),
        ],
    )
    .unwrap();
    assert_eq!(
        cal.add_open_time(t, 60, &[]),
        Err(CalendarError::from(CalendarErrorKind::NeverOpen))
    );
    let cal = Calendar::new(
        SHANGHAI,
        hours(&[Weekday::Mon], "09:00-10:00"),
        [],
        [(date("2026-03-07"), Weekday::Mon)],
    )
    .unwrap();
    let t = utc("2026-03-03 00:00");
    let sat = local(SHANGHAI, "2026-03-07 09:00");
    assert_eq!(add(&cal, t, 60), sat + Duration::seconds(60));
    assert_eq!(add(&cal, t, HOUR + 60), local(SHANGHAI, "2026-03-09 09:01"));
    let only_makeup = Calendar::new(
        SHANGHAI,
        WeeklyHours::closed(),
        [],
        [(date("2026-03-07"), Weekday::Mon)],
    )
    .unwrap();
    assert_eq!(
        only_makeup.add_open_time(t, 60, &[]),
        Err(CalendarError::from(CalendarErrorKind::NeverOpen))
    );
}

#[test]
fn horizon_and_negative_target() {
    let cal = office(&[], &[]);
    let start = local(SHANGHAI, "2026-03-02 09:00");
    assert_eq!(
        cal.add_open_time(start, -1, &[]),
        Err(CalendarError::from(CalendarErrorKind::NegativeTarget(-1)))
    );
    assert_eq!(
        CalendarError::from(CalendarErrorKind::NegativeTarget(-1)).to_string(),
        "negative target `-1` seconds"
    );
    // 300 business days is more than 366 calendar days, but within the default horizon
    let year = cal.clone().with_horizon(366);
    assert_eq!(
        year.add_open_time(start, 300 * 8 * HOUR, &[]),
        Err(CalendarError::from(CalendarErrorKind::BeyondHorizon {
            start,
            days: 366
        }))
    );
    assert_eq!(
        cal.add_open_time(start, 300 * 8 * HOUR, &[]),
        ref_add(&year.clone().with_horizon(500), start, 300 * 8 * 3600, &[]).ok_or(
            CalendarError::from(CalendarErrorKind::BeyondHorizon {
                start,
                days: DEFAULT_HORIZON_DAYS
            })
        )
    );
    // the longest duration a policy may write is reached on an always-open clock
    let always = Calendar::always_open(SHANGHAI);
    let longest = i64::try_from(crate::duration::MAX_SECONDS).unwrap();
    assert!(always.add_open_time(start, longest, &[]).is_ok());
    let short = cal.clone().with_horizon(10);
    assert_eq!(short.horizon_days(), 10);
    assert!(short.add_open_time(start, 8 * 8 * HOUR, &[]).is_ok());
    assert!(matches!(
        short
            .add_open_time(start, 9 * 8 * HOUR, &[])
            .map_err(|e| e.kind().clone()),
        Err(CalendarErrorKind::BeyondHorizon { days: 10, .. })
    ));
    // A long holiday stretch: the next opening is beyond the horizon.
    let many: Vec<NaiveDate> = (0..30)
        .map(|i| date("2026-03-02") + Duration::days(i))
        .collect();
    let closed = Calendar::new(SHANGHAI, hours(&WORKDAYS, "09:00-18:00"), many, [])
        .unwrap()
        .with_horizon(20);
    assert!(matches!(
        closed.next_opening(start).map_err(|e| e.kind().clone()),
        Err(CalendarErrorKind::BeyondHorizon { .. })
    ));
    // Out of range instants are errors, not panics.
    assert_eq!(
        cal.add_open_time(DateTime::<Utc>::MAX_UTC, 1, &[]),
        Err(CalendarError::from(CalendarErrorKind::OutOfRange))
    );
    let late = utc("2262-04-01 00:00");
    assert!(cal
        .with_horizon(u32::MAX)
        .add_open_time(late, 400 * 8 * HOUR, &[])
        .is_err());
}

#[test]
fn thirty_business_days_equals_reference() {
    let cal = Calendar::new(
        NEW_YORK,
        hours(&WORKDAYS, "09:00-18:00"),
        [date("2026-03-25")],
        [],
    )
    .unwrap();
    for start in [
        local(NEW_YORK, "2026-02-20 10:00"),
        local(NEW_YORK, "2026-10-15 17:59"),
        local(NEW_YORK, "2026-12-31 23:00"),
    ] {
        let fast = add(&cal, start, 30 * 9 * HOUR);
        assert_eq!(Some(fast), ref_add(&cal, start, 30 * 9 * HOUR, &[]));
        assert_eq!(
            cal.open_time_between(cal.next_opening(start).unwrap(), fast),
            30 * 9 * HOUR
        );
    }
    let cal = office(
        &["2026-05-01", "2026-05-04"],
        &[("2026-05-09", Weekday::Fri)],
    );
    let start = local(SHANGHAI, "2026-04-20 16:30");
    assert_eq!(
        Some(add(&cal, start, 30 * 8 * HOUR)),
        ref_add(&cal, start, 30 * 8 * HOUR, &[])
    );
}

#[test]
fn sub_second_starts() {
    let cal = office(&[], &[]);
    let start = local(SHANGHAI, "2026-03-02 11:59") + Duration::milliseconds(59_500);
    assert_eq!(
        add(&cal, start, 1),
        local(SHANGHAI, "2026-03-02 13:00") + Duration::milliseconds(500)
    );
    assert!(cal.is_open_at(start));
    assert_eq!(
        cal.open_time_between(start, start + Duration::hours(2)),
        HOUR
    );
    assert_eq!(
        cal.open_time_between(start, start + Duration::seconds(1)),
        0
    );
}

#[test]
fn calendar_is_send_sync() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug>() {}
    check::<Calendar>();
    check::<CalendarError>();
}

// ------------------------------------------------------ property tests

const ZONES: [Tz; 8] = [
    Tz::Asia__Shanghai,
    Tz::America__New_York,
    Tz::Europe__London,
    Tz::Australia__Lord_Howe,
    Tz::UTC,
    // Offset changes at local midnight.
    Tz::America__Havana,
    Tz::America__Santiago,
    Tz::Asia__Beirut,
];

/// Local dates with DST changes in the test zones, to start near them often.
const DST_DAYS: [&str; 9] = [
    "2026-03-08",
    "2026-11-01",
    "2026-03-29",
    "2026-10-25",
    "2026-04-05",
    "2026-10-04",
    "2026-09-06",
    "2027-03-14",
    "2027-10-31",
];

fn day_strategy() -> impl Strategy<Value = Vec<OpenInterval>> {
    let point = prop_oneof![
        3 => (0u32..=96).prop_map(|q| q * 900),
        1 => (0u32..=1440).prop_map(|m| m * 60),
    ];
    prop::collection::btree_set(point, 0..=6).prop_map(|set| {
        let pts: Vec<u32> = set.into_iter().collect();
        pts.chunks_exact(2)
            .map(|c| {
                OpenInterval::new(
                    ClockTime::from_seconds(c[0]).unwrap(),
                    ClockTime::from_seconds(c[1]).unwrap(),
                )
                .unwrap()
            })
            .collect()
    })
}

fn week_strategy() -> impl Strategy<Value = WeeklyHours> {
    prop_oneof![
        8 => prop::collection::vec(day_strategy(), 7).prop_map(|days| {
            let mut h = WeeklyHours::closed();
            for (d, ivs) in ALL_DAYS.iter().zip(days) {
                h.set(*d, ivs).unwrap();
            }
            h
        }),
        1 => Just(WeeklyHours::always_open()),
        1 => Just(hours(&WORKDAYS, "09:00-12:00, 13:00-18:00")),
    ]
}

fn start_strategy() -> impl Strategy<Value = DateTime<Utc>> {
    let base = utc("2025-01-01 00:00");
    prop_oneof![
        (0i64..4 * 365 * 86_400, prop_oneof![Just(0i64), 0i64..NANOS])
            .prop_map(move |(s, n)| base + Duration::seconds(s) + Duration::nanoseconds(n)),
        (
            prop::sample::select(DST_DAYS.to_vec()),
            -4 * 86_400i64..4 * 86_400
        )
            .prop_map(
                |(d, s)| date(d).and_hms_opt(0, 0, 0).unwrap().and_utc() + Duration::seconds(s)
            ),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    cal: Calendar,
    start: DateTime<Utc>,
    target: i64,
    pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(ZONES.to_vec()),
        week_strategy(),
        start_strategy(),
        prop::collection::vec(-5i64..70, 0..8),
        prop::collection::vec((-5i64..70, 0usize..7), 0..4),
        prop_oneof![Just(0i64), 0i64..10 * 3600, 0i64..60 * 86_400],
        prop::collection::vec((-2 * 86_400i64..20 * 86_400, -3600i64..3 * 86_400), 0..4),
        prop_oneof![3 => Just(366u32), 1 => 1u32..60],
    )
        .prop_map(|(tz, hours, start, hol, mk, target, pauses, horizon)| {
            let day0 = start.with_timezone(&tz).date_naive();
            let holidays: Vec<NaiveDate> = hol.iter().map(|&k| day0 + Duration::days(k)).collect();
            let mut makeups: Vec<(NaiveDate, Weekday)> = Vec::new();
            for (k, w) in mk {
                let d = day0 + Duration::days(k);
                if !holidays.contains(&d) && !makeups.iter().any(|(m, _)| *m == d) {
                    makeups.push((d, ALL_DAYS[w]));
                }
            }
            let cal = Calendar::new(tz, hours, holidays, makeups)
                .unwrap()
                .with_horizon(horizon);
            let pauses = pauses
                .into_iter()
                .map(|(off, len)| {
                    let a = start + Duration::seconds(off);
                    (a, a + Duration::seconds(len))
                })
                .collect();
            Case {
                cal,
                start,
                target,
                pauses,
            }
        })
}

/// 512 cases unless `PROPTEST_CASES` says otherwise.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn fast_matches_reference(c in case_strategy(), probe in 0i64..30 * 86_400) {
        let Case { cal, start, target, pauses } = c;
        let fast = cal.add_open_time(start, target, &pauses).ok();
        prop_assert_eq!(fast, ref_add(&cal, start, target, &pauses));
        let fast = cal.add_open_time(start, target, &[]).ok();
        prop_assert_eq!(fast, ref_add(&cal, start, target, &[]));
        prop_assert_eq!(cal.next_opening(start).ok(), ref_add(&cal, start, 0, &[]));
        prop_assert_eq!(cal.is_open_at(start), ref_is_open(&cal, start));
        let probe_t = start + Duration::seconds(probe);
        prop_assert_eq!(cal.is_open_at(probe_t), ref_is_open(&cal, probe_t));
        prop_assert_eq!(
            cal.open_time_between(start, probe_t),
            ref_open_between(&cal, start, probe_t)
        );
    }

    #[test]
    fn deadline_properties(c in case_strategy(), split in 0.0f64..1.0) {
        let Case { cal, start, target, pauses } = c;
        if let Ok(d) = cal.add_open_time(start, target, &[]) {
            // Never before the start; inside open time or at a closing instant.
            prop_assert!(d >= start);
            if target > 0 {
                prop_assert!(cal.is_open_at(d - Duration::nanoseconds(1)));
            } else {
                prop_assert!(cal.is_open_at(d));
            }
            // Counting start to deadline is exactly the target.
            let counting_start = cal.add_open_time(start, 0, &[]).unwrap();
            prop_assert_eq!(cal.open_time_between(counting_start, d), target);
            // add(a) then add(b) == add(a + b).
            let a = (target as f64 * split) as i64;
            let mid = cal.add_open_time(start, a, &[]).unwrap();
            prop_assert_eq!(cal.add_open_time(mid, target - a, &[]), Ok(d));
            // Pauses never make a deadline earlier.
            if let Ok(p) = cal.add_open_time(start, target, &pauses) {
                prop_assert!(p >= d);
            }
        } else {
            prop_assert!(cal.add_open_time(start, target, &pauses).is_err());
        }
    }
}

/// Many pauses, contiguous and in reverse order (the slow case of the old scan), count as
/// the one pause they make up; so do overlapping and nested ones.
#[test]
fn many_pauses_are_sorted_and_merged() {
    let cal = office(&[], &[]);
    let start = local(SHANGHAI, "2026-03-02 09:00");
    let minute = Duration::minutes(1);
    let reversed: Vec<(DateTime<Utc>, DateTime<Utc>)> = (0..10_000)
        .rev()
        .map(|i| (start + minute * i, start + minute * (i + 1)))
        .collect();
    let one = [(start, start + minute * 10_000)];
    let target = 30 * 8 * HOUR;
    assert_eq!(
        cal.add_open_time(start, target, &reversed),
        cal.add_open_time(start, target, &one)
    );
    let tangled = [
        (start + minute * 30, start + minute * 90),
        (start, start + minute * 60),
        (start + minute * 10, start + minute * 20),
        (start + minute * 90, start + minute * 91),
    ];
    let merged = [(start, start + minute * 91)];
    assert_eq!(
        cal.add_open_time(start, 4 * HOUR, &tangled),
        cal.add_open_time(start, 4 * HOUR, &merged)
    );
}

// ---------------------------------------------------------------- the end of the tz rules

#[test]
fn instants_after_the_end_of_a_zones_rules_are_refused() {
    // New York keeps summer time: the bundled rules end with 2099
    let ny = Calendar::always_open(NEW_YORK);
    let summer_2100 = utc("2100-07-15 12:00");
    let err = ny.add_open_time(summer_2100, 1, &[]).unwrap_err();
    assert!(
        matches!(err.kind(), CalendarErrorKind::BeyondZoneRules { .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "`America/New_York` has known time-zone rules only up to 2100-01-01 00:00:00 UTC; this instant is after them"
    );
    // a deadline that would land after the rules end is refused too
    let late_2099 = utc("2099-12-31 23:00");
    assert!(ny.add_open_time(late_2099, 2 * HOUR, &[]).is_err());
    assert!(ny.next_opening(summer_2100).is_err());
    // the last summer of the rules is still right: 08:00:01 EDT
    let due = ny.add_open_time(utc("2099-07-15 12:00"), 1, &[]).unwrap();
    assert_eq!(
        due.with_timezone(&NEW_YORK).to_rfc3339(),
        "2099-07-15T08:00:01-04:00"
    );
    let office_ny = daily(NEW_YORK, "09:00-17:00");
    assert!(office_ny.add_open_time(summer_2100, HOUR, &[]).is_err());
    // zones without summer time have no such limit
    let sh = daily(SHANGHAI, "09:00-17:00");
    assert!(sh.add_open_time(utc("2150-07-15 00:00"), HOUR, &[]).is_ok());
    assert!(Calendar::always_open(Tz::UTC)
        .add_open_time(utc("2200-01-01 00:00"), 1, &[])
        .is_ok());
}
