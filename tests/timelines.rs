//! Case timelines (spec section 17) through the library: the rules events must follow, and
//! `status` against a naive reference that walks the calendar minute by minute on random
//! calendars (lunch breaks, holidays, make-up workdays, zones with summer time), random
//! event sequences and random instants.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a broken fixture fails the test; the reference indexes its own tables"
)]

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;
use proptest::prelude::*;
use tierwise::sla::{Event, MilestoneState, TimelineErrorKind};
use tierwise::Policy;

use crate::common::{instant, load};

fn sample() -> Policy {
    load("policies/ocean-shipping.toml")
}

#[test]
fn events_that_break_the_rules_are_refused_and_named() {
    let p = sample();
    let key = p.tier_by_id("key").unwrap();
    let case = p
        .case("complaint", instant("2026-06-29T09:30:00+08:00"))
        .build()
        .unwrap();
    let mut t = p.timeline(key, &case).unwrap();
    let at = |s: &str| instant(&format!("2026-06-29T{s}:00+08:00"));
    let kind = |r: Result<(), tierwise::sla::TimelineError>| r.unwrap_err().kind();
    assert_eq!(
        kind(t.record(at("09:00"), Event::Paused)),
        TimelineErrorKind::OutOfOrder
    );
    assert_eq!(
        kind(t.record(at("09:40"), Event::Resumed)),
        TimelineErrorKind::NotPaused
    );
    let e = t.record(at("09:40"), Event::Met("acknowlege")).unwrap_err();
    assert_eq!(e.kind(), TimelineErrorKind::UnknownMilestone);
    assert_eq!(e.help(), Some("did you mean `acknowledge`?"));
    t.record(at("09:45"), Event::Met("acknowledge")).unwrap();
    assert_eq!(
        kind(t.record(at("09:46"), Event::Met("acknowledge"))),
        TimelineErrorKind::AlreadyMet
    );
    assert_eq!(
        kind(t.record(at("09:47"), Event::Severity("urgent"))),
        TimelineErrorKind::UnknownSeverity
    );
    t.record(at("09:50"), Event::Paused).unwrap();
    assert_eq!(
        kind(t.record(at("09:51"), Event::Paused)),
        TimelineErrorKind::AlreadyPaused
    );
    t.record(at("10:00"), Event::Resumed).unwrap();
    t.record(at("11:00"), Event::Closed).unwrap();
    let e = t.record(at("11:05"), Event::Met("resolve")).unwrap_err();
    assert_eq!(e.kind(), TimelineErrorKind::AfterClosed);
    assert_eq!(
        e.to_string(),
        "`met` at 2026-06-29T03:05:00Z after the case closed at 2026-06-29T03:00:00Z"
    );
    // a closed case is reported as it stood when it closed
    let s = t.status(at("15:00")).unwrap();
    assert_eq!(s.state(), tierwise::sla::CaseState::Closed);
    assert_eq!(s.milestone("resolve").unwrap().elapsed(), (90 - 10) * 60);
}

#[test]
fn a_status_pause_stops_the_clock_until_another_status() {
    let p = sample();
    let key = p.tier_by_id("key").unwrap();
    let opened = instant("2026-06-29T09:00:00+08:00");
    let case = p.case("complaint", opened).build().unwrap();
    let mut t = p.timeline(key, &case).unwrap();
    let plain = t.clone();
    t.record(
        instant("2026-06-29T10:00:00+08:00"),
        Event::Status("waiting_on_customer"),
    )
    .unwrap();
    // a status outside `pause_on` ends the pause; an undeclared status is fine
    t.record(
        instant("2026-06-29T10:30:00+08:00"),
        Event::Status("investigating"),
    )
    .unwrap();
    let at = instant("2026-06-29T11:00:00+08:00");
    let (paused, running) = (t.status(at).unwrap(), plain.status(at).unwrap());
    let i = paused.milestone("investigate").unwrap();
    let j = running.milestone("investigate").unwrap();
    assert_eq!(i.elapsed(), j.elapsed() - 1800);
    assert!(i.due().unwrap() > j.due().unwrap());
    // while the pause is open, due times after its start are not known
    let during = t.status(instant("2026-06-29T10:15:00+08:00")).unwrap();
    let m = during.milestone("investigate").unwrap();
    assert_eq!((m.state(), m.due()), (MilestoneState::Paused, None));
}

#[test]
fn severity_changes_take_the_new_targets_from_the_opening_and_milestones_per_severity() {
    let p = load("policies/express-parcel.toml");
    let vip = p.tier_by_id("vip").unwrap();
    let opened = instant("2026-06-29T09:00:00+08:00");
    let case = p
        .case("exception", opened)
        .severity("level2")
        .build()
        .unwrap();
    let mut t = p.timeline(vip, &case).unwrap();
    let names = |s: &tierwise::sla::CaseStatus<'_>| -> Vec<String> {
        s.milestones()
            .iter()
            .map(|m| m.milestone().to_owned())
            .collect()
    };
    let s = t.status(instant("2026-06-29T09:05:00+08:00")).unwrap();
    assert_eq!(names(&s), ["options"]);
    t.record(instant("2026-06-29T09:10:00+08:00"), Event::Met("options"))
        .unwrap();
    t.record(
        instant("2026-06-29T09:20:00+08:00"),
        Event::Severity("level1"),
    )
    .unwrap();
    let s = t.status(instant("2026-06-29T09:30:00+08:00")).unwrap();
    // options stays, met; level 1's milestones start from the opening
    assert_eq!(names(&s), ["pre_compensation", "solution", "options"]);
    assert_eq!(s.milestone("options").unwrap().state(), MilestoneState::Met);
    let pre = s.milestone("pre_compensation").unwrap();
    assert_eq!(pre.due().unwrap().to_utc(), opened + Duration::minutes(15));
    assert_eq!(pre.state(), MilestoneState::Breached);
    assert_eq!(pre.remaining(), Some(-15 * 60));
    let e = t
        .record(instant("2026-06-29T09:40:00+08:00"), Event::Met("options"))
        .unwrap_err();
    assert_eq!(e.kind(), TimelineErrorKind::AlreadyMet);
}

#[test]
fn many_cases_soonest_first_without_closed_or_met_ones() {
    let p = sample();
    let vip = p.tier_by_id("vip").unwrap();
    let at = instant("2026-06-29T12:00:00+08:00");
    let mut all = Vec::new();
    for i in 0..50i64 {
        let opened = at - Duration::minutes(300 - i * 5);
        let case = p.case("complaint", opened).build().unwrap();
        let mut t = p.timeline(vip, &case).unwrap();
        if i % 5 == 0 {
            t.record(opened + Duration::minutes(1), Event::Closed)
                .unwrap();
        } else if i % 5 == 1 {
            t.record(opened + Duration::minutes(1), Event::Met("acknowledge"))
                .unwrap();
        }
        all.push((i, t));
    }
    let listed =
        tierwise::sla::due_within(all.iter().map(|(i, t)| (*i, t)), at, Duration::hours(1));
    assert!(!listed.is_empty());
    assert!(listed.windows(2).all(|w| w[0].1.due() <= w[1].1.due()));
    for (i, d) in &listed {
        assert!(i % 5 != 0, "closed case {i} listed");
        assert!(
            !(i % 5 == 1 && d.milestone() == "acknowledge"),
            "met milestone listed"
        );
        assert!(d.due().to_utc() <= at + Duration::hours(1));
        assert_eq!(
            d.state() == MilestoneState::Breached,
            d.due().to_utc() <= at
        );
        // the same answer as the case's own status
        let s = all[usize::try_from(*i).unwrap()].1.status(at).unwrap();
        let m = s.milestone(d.milestone()).unwrap();
        assert_eq!(
            (m.due(), m.remaining()),
            (Some(d.due()), Some(d.remaining()))
        );
    }
}

// ---------------------------------------------------------------------------------------
// status against a minute-stepping reference

const ZONES: [&str; 6] = [
    "Asia/Shanghai",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "UTC",
];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[derive(Debug, Clone)]
struct Cal {
    zone: &'static str,
    /// Open intervals per weekday, minutes of the day, mon first.
    hours: Vec<Vec<(u32, u32)>>,
    holidays: Vec<NaiveDate>,
    workdays: Vec<(NaiveDate, usize)>,
}

fn day_hours() -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop_oneof![
        Just(vec![]),
        Just(vec![(0, 1440)]),
        Just(vec![(540, 720), (780, 1080)]),
        (0u32..20, 1u32..10, 0u32..4, 1u32..12).prop_map(|(a, l, g, m)| {
            let s = a * 60;
            let e = s + l * 60 + 30;
            let s2 = e + g * 60 + 15;
            let e2 = (s2 + m * 60).min(1440);
            if s2 < e2 {
                vec![(s, e), (s2, e2)]
            } else {
                vec![(s, e.min(1440))]
            }
        }),
    ]
}

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()
}

fn cal() -> impl Strategy<Value = Cal> {
    (
        prop::sample::select(ZONES.to_vec()),
        prop::collection::vec(day_hours(), 7),
        prop::collection::vec(0i64..60, 0..5),
        prop::collection::vec((0i64..60, 0usize..5), 0..3),
    )
        .prop_map(|(zone, mut hours, hol, work)| {
            if hours.iter().all(Vec::is_empty) {
                hours[0] = vec![(540, 1080)];
            }
            let mut holidays: Vec<NaiveDate> =
                hol.iter().map(|d| base() + Duration::days(*d)).collect();
            holidays.sort();
            holidays.dedup();
            let mut workdays: Vec<(NaiveDate, usize)> = Vec::new();
            for (d, like) in work {
                let day = base() + Duration::days(d);
                if !holidays.contains(&day) && workdays.iter().all(|(w, _)| *w != day) {
                    workdays.push((day, like));
                }
            }
            Cal {
                zone,
                hours,
                holidays,
                workdays,
            }
        })
}

fn hm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn policy_text(c: &Cal, targets: (u32, u32, u32)) -> String {
    let mut hours = String::new();
    for (d, list) in DAYS.iter().zip(&c.hours) {
        if !list.is_empty() {
            let l: Vec<String> = list
                .iter()
                .map(|(s, e)| format!("\"{}-{}\"", hm(*s), hm(*e)))
                .collect();
            hours.push_str(&format!("{d} = [{}]\n", l.join(", ")));
        }
    }
    let holidays: Vec<String> = c.holidays.iter().map(ToString::to_string).collect();
    let workdays: Vec<String> = c
        .workdays
        .iter()
        .map(|(d, like)| format!("{{ date = {d}, like = \"{}\" }}", DAYS[*like]))
        .collect();
    format!(
        r#"[policy]
id = "t"
version = "1"
timezone = "{zone}"
[metrics]
x = {{ type = "decimal" }}
[scoring.dimensions.d]
metric = "x"
weight = 1
curve = "linear"
points = [[0, 0], [1, 100]]
[[tiers]]
id = "only"
min_score = 0
[service.only]
support_hours = "cal"
[calendars.cal]
holidays = [{holidays}]
workdays = [{workdays}]
[calendars.cal.hours]
{hours}
[cases.c]
severities = ["s1", "s2"]
milestones = ["a", "b"]
pause_on = ["waiting"]
[[sla]]
case = "c"
severity = "s1"
targets = {{ a = "{t1}m", b = "{t2}m" }}
[[sla]]
case = "c"
severity = "s2"
targets = {{ a = "{t3}m", b = "{t2}m" }}
"#,
        zone = c.zone,
        holidays = holidays.join(", "),
        workdays = workdays.join(", "),
        t1 = targets.0,
        t2 = targets.1,
        t3 = targets.2,
    )
}

/// The UTC instant of a local time, by the documented rule: a skipped local time moves
/// to the first valid instant after it, a repeated one takes the earlier instant.
fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut l = local;
    loop {
        match tz.from_local_datetime(&l) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.to_utc(),
            LocalResult::None => l += Duration::minutes(1),
        }
    }
}

/// Whether the calendar is open at `t`, worked out from its definition alone.
fn open_at(c: &Cal, tz: Tz, t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&tz).date_naive();
    [local - Duration::days(1), local, local + Duration::days(1)]
        .iter()
        .any(|d| {
            if c.holidays.contains(d) {
                return false;
            }
            let wd = match c.workdays.iter().find(|(w, _)| w == d) {
                Some((_, like)) => *like,
                None => d.weekday().num_days_from_monday() as usize,
            };
            c.hours[wd].iter().any(|(s, e)| {
                let at = |m: u32| {
                    if m == 1440 {
                        resolve(tz, (*d + Duration::days(1)).and_time(NaiveTime::MIN))
                    } else {
                        resolve(
                            tz,
                            d.and_time(NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap()),
                        )
                    }
                };
                at(*s) <= t && t < at(*e)
            })
        })
}

#[derive(Debug, Clone, Copy)]
enum Ev {
    Pause,
    Resume,
    Wait,
    Work,
    MetA,
    Raise,
}

fn events() -> impl Strategy<Value = Vec<(i64, Ev)>> {
    prop::collection::vec(
        (
            1i64..600,
            prop::sample::select(vec![
                Ev::Pause,
                Ev::Resume,
                Ev::Wait,
                Ev::Work,
                Ev::MetA,
                Ev::Raise,
            ]),
        ),
        0..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn status_agrees_with_a_minute_stepping_reference(
        c in cal(),
        targets in (30u32..900, 60u32..1500, 30u32..900),
        open_min in 0i64..(40 * 1440),
        steps in events(),
        ask in 0i64..3000,
    ) {
        let text = policy_text(&c, targets);
        let p = Policy::from_toml_str("t.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let tz: Tz = c.zone.parse().unwrap();
        let only = p.tier_by_id("only").unwrap();
        let opened = resolve(tz, base().and_time(NaiveTime::MIN)) + Duration::minutes(open_min);
        let case = p.case("c", opened).build().unwrap();
        let mut tl = p.timeline(only, &case).unwrap();
        // record the events that the rules allow; the reference follows the same ones
        let (mut now, mut by_event, mut by_status) = (opened, false, false);
        let mut stopped: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = Vec::new();
        let (mut met_a, mut raised) = (None, None);
        for (gap, ev) in steps {
            now += Duration::minutes(gap);
            let e = match ev {
                Ev::Pause => Event::Paused,
                Ev::Resume => Event::Resumed,
                Ev::Wait => Event::Status("waiting"),
                Ev::Work => Event::Status("working"),
                Ev::MetA => Event::Met("a"),
                Ev::Raise => Event::Severity("s2"),
            };
            if tl.record(now, e).is_err() {
                continue;
            }
            let before = by_event || by_status;
            match ev {
                Ev::Pause => by_event = true,
                Ev::Resume => by_event = false,
                Ev::Wait => by_status = true,
                Ev::Work => by_status = false,
                Ev::MetA => met_a = Some(now),
                Ev::Raise => raised = raised.or(Some(now)),
            }
            match (before, by_event || by_status) {
                (false, true) => stopped.push((now, None)),
                (true, false) => stopped.last_mut().unwrap().1 = Some(now),
                _ => {}
            }
        }
        let at = opened + Duration::minutes(ask);
        let status = tl.status(at).unwrap();
        let paused_at = |m: DateTime<Utc>, upto: DateTime<Utc>| {
            stopped.iter().any(|(f, t)| *f <= m && m < t.unwrap_or(upto).min(upto))
        };
        // walk minute by minute: open, not paused, counted
        let reference = |target: u32, upto: DateTime<Utc>, unmet: bool| -> (Option<DateTime<Utc>>, i64) {
            let (mut acc, mut m, mut due, mut elapsed) = (0u32, opened, None, None);
            let limit = opened + Duration::days(400);
            while m < limit && (due.is_none() || elapsed.is_none()) {
                if m == upto {
                    elapsed = Some(i64::from(acc) * 60);
                }
                if unmet && m >= upto && stopped.iter().any(|(f, t)| *f < upto && t.is_none_or(|t| t > upto)) && due.is_none() {
                    // a pause open at `upto`: the deadline is not known after its start
                    break;
                }
                if open_at(&c, tz, m) && !paused_at(m, upto) {
                    acc += 1;
                    if acc == target && due.is_none() {
                        due = Some(m + Duration::minutes(1));
                    }
                }
                m += Duration::minutes(1);
            }
            (due, elapsed.unwrap_or(i64::from(acc) * 60))
        };
        let severity_now = if raised.is_some_and(|r| r <= at) { 2 } else { 1 };
        for (name, t1, t2) in [("a", targets.0, targets.2), ("b", targets.1, targets.1)] {
            let m = status.milestone(name).unwrap();
            let met = if name == "a" { met_a.filter(|w| *w <= at) } else { None };
            let sev = match met {
                Some(w) => if raised.is_some_and(|r| r <= w) { 2 } else { 1 },
                None => severity_now,
            };
            let target = if sev == 2 { t2 } else { t1 };
            let upto = met.unwrap_or(at);
            let (due, elapsed) = reference(target, upto, met.is_none());
            let open_pause = met.is_none() && stopped.iter().any(|(f, t)| *f < at && t.is_none_or(|t| t > at));
            match (m.due(), due) {
                (Some(d), Some(r)) => prop_assert_eq!(d.to_utc(), r, "{} due\n{}", name, text),
                (None, r) => prop_assert!(open_pause && r.is_none_or(|r| stopped.last().is_some_and(|(f, _)| r >= *f)), "{} due unknown, reference {:?}\n{}", name, r, text),
                (Some(d), None) => prop_assert!(false, "{} due {} but the reference found none\n{}", name, d, text),
            }
            prop_assert_eq!(m.elapsed(), elapsed, "{} elapsed\n{}", name, text);
            let want = match (met, m.due().map(|d| d.to_utc())) {
                (Some(w), Some(d)) if w > d => MilestoneState::MetLate,
                (Some(_), _) => MilestoneState::Met,
                (None, None) => MilestoneState::Paused,
                (None, Some(d)) if at >= d => MilestoneState::Breached,
                (None, Some(_)) => MilestoneState::Running,
            };
            prop_assert_eq!(m.state(), want, "{}\n{}", name, text);
            if met.is_none() {
                prop_assert_eq!(m.remaining(), Some(i64::from(target) * 60 - elapsed));
            }
        }
    }
}
