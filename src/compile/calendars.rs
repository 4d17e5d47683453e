//! `[calendars.NAME]`: weekly hours, holidays and make-up workdays (spec section 9).

use std::str::FromStr;

use chrono::{NaiveDate, Weekday};

use crate::calendar::{Calendar, OpenInterval, WeeklyHours};
use crate::error::{did_you_mean, Diag, DiagnosticKind, Diags};
use crate::model::ServiceModel;
use crate::raw::{RawPolicy, Sp};

use super::services::Ctx;
use super::{err, timezone};

pub(super) const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// The policy's word for a weekday (`mon`).
fn weekday_name(d: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(_, w)| *w == d)
        .map_or("", |(n, _)| n)
}

pub(super) fn weekday(diags: &mut Diags, s: &Sp<String>) -> Option<Weekday> {
    match WEEKDAYS.iter().find(|(n, _)| *n == s.v) {
        Some((_, d)) => Some(*d),
        None => {
            let help = did_you_mean(&s.v, WEEKDAYS.iter().map(|(n, _)| *n))
                .unwrap_or_else(|| "weekdays are mon, tue, wed, thu, fri, sat and sun".into());
            diags.push(
                Diag::new(
                    DiagnosticKind::InvalidValue,
                    s.span,
                    format!("unknown weekday `{}`", s.v),
                )
                .with_help(help),
            );
            None
        }
    }
}

/// Compiles calendars; returns their names, `24x7` first.
pub(super) fn compile_calendars(
    raw: &RawPolicy,
    cx: &Ctx<'_>,
    m: &mut ServiceModel,
    diags: &mut Diags,
) -> Vec<String> {
    m.calendars
        .push(("24x7".to_owned(), Calendar::always_open(cx.timezone)));
    for c in &raw.calendars {
        if c.name.v == "24x7" {
            err(
                diags,
                DiagnosticKind::Reserved,
                c.name.span,
                "`24x7` is the built-in always-open calendar and cannot be redefined",
            );
            continue;
        }
        let tz = match &c.timezone {
            Some(t) => timezone(diags, t),
            None => Some(cx.timezone),
        };
        let mut hours = WeeklyHours::closed();
        let mut ok = true;
        if c.hours_span.is_none() && !diags.was_written(c.name.span, "hours") {
            diags.push(
                Diag::new(
                    DiagnosticKind::MissingKey,
                    c.name.span,
                    format!("calendar `{}` is missing `hours`", c.name.v),
                )
                .with_help(format!(
                    "add `[calendars.{}.hours]` with `mon = [\"09:00-18:00\"]` and so on",
                    c.name.v
                )),
            );
            ok = false;
        }
        for (day, list) in &c.hours {
            let Some(wd) = weekday(diags, day) else {
                ok = false;
                continue;
            };
            let mut intervals = Vec::with_capacity(list.len());
            for text in list {
                match OpenInterval::from_str(&text.v) {
                    Ok(i) => intervals.push(i),
                    Err(e) => {
                        diags.push(
                            Diag::new(DiagnosticKind::InvalidValue, text.span, e.to_string())
                                .with_help(
                                "write hours as \"09:00-12:00\"; \"00:00-24:00\" is the whole day",
                            ),
                        );
                        ok = false;
                    }
                }
            }
            if let Err(e) = hours.set(wd, intervals) {
                let span = list.first().map_or(day.span, |l| l.span);
                err(
                    diags,
                    DiagnosticKind::Ordering,
                    span,
                    format!("{} on `{}`", e, day.v),
                );
                ok = false;
            }
        }
        let mut holidays: Vec<NaiveDate> = Vec::new();
        for h in &c.holidays {
            if h.to.v < h.from.v {
                err(
                    diags,
                    DiagnosticKind::Ordering,
                    h.to.span,
                    format!(
                        "holiday range ends on {} before it starts on {}",
                        h.to.v, h.from.v
                    ),
                );
                ok = false;
                continue;
            }
            // `days` is the distance: the range spans `days + 1` days
            let days = (h.to.v - h.from.v).num_days();
            if days + 1 > 366 {
                err(
                    diags,
                    DiagnosticKind::Limit,
                    h.span,
                    "a holiday range may span at most 366 days",
                );
                ok = false;
                continue;
            }
            holidays.extend(
                h.from
                    .v
                    .iter_days()
                    .take(usize::try_from(days + 1).unwrap_or(0)),
            );
        }
        let mut makeup: Vec<(NaiveDate, Weekday)> = Vec::new();
        for (date, like) in &c.workdays {
            if let Some(wd) = weekday(diags, like) {
                if let Some((_, first)) = makeup.iter().find(|(d, w)| *d == date.v && *w != wd) {
                    diags.push(
                        Diag::new(
                            DiagnosticKind::Inconsistent,
                            date.span,
                            format!(
                                "make-up workday {} is given as both `{}` and `{}`",
                                date.v,
                                weekday_name(*first),
                                weekday_name(wd)
                            ),
                        )
                        .with_help("give each make-up workday once, with the weekday whose hours it opens with"),
                    );
                    ok = false;
                    continue;
                }
                if holidays.contains(&date.v) {
                    err(
                        diags,
                        DiagnosticKind::Inconsistent,
                        date.span,
                        format!("{} is both a holiday and a make-up workday", date.v),
                    );
                    ok = false;
                }
                makeup.push((date.v, wd));
            } else {
                ok = false;
            }
        }
        if let (true, Some(tz)) = (ok, tz) {
            match Calendar::new(tz, hours, holidays, makeup) {
                Ok(cal) => m.calendars.push((c.name.v.clone(), cal)),
                Err(e) => {
                    err(
                        diags,
                        DiagnosticKind::Inconsistent,
                        c.name.span,
                        format!("calendar `{}`: {e}", c.name.v),
                    );
                    // a stand-in keeps the numbering, so references to it are not reported
                    m.calendars
                        .push((c.name.v.clone(), Calendar::always_open(cx.timezone)));
                }
            }
        } else {
            // keep numbering aligned so that later references resolve
            m.calendars
                .push((c.name.v.clone(), Calendar::always_open(cx.timezone)));
        }
    }
    m.calendars.iter().map(|(n, _)| n.clone()).collect()
}
