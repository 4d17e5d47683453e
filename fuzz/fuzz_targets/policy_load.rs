//! Policy loading from arbitrary bytes.
//!
//! The bytes, read as UTF-8 (lossily), are a policy file. A policy that loads is used:
//! a customer built from values found in the text is classified, explained and resolved,
//! every case kind is handled, every calendar counts a deadline. A policy that does not
//! load renders its error. Nothing may panic, and every diagnostic's span must lie in
//! the text.
#![no_main]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use libfuzzer_sys::fuzz_target;
use tierwise::Policy;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Policy::from_toml_str("fuzz.toml", &text) {
        Ok(policy) => exercise(&policy, &text, data),
        Err(e) => {
            let _ = format!("{e:#}");
            let _ = format!("{e}");
            assert!(
                !e.diagnostics().is_empty(),
                "a load error without diagnostics"
            );
            for d in e.diagnostics() {
                assert!(
                    text.get(d.span()).is_some(),
                    "span {:?} of `{}` is not a range of the text",
                    d.span(),
                    d.message()
                );
                let _ = d.to_string();
            }
        }
    }
});

/// FNV-1a, to derive choices from the input deterministically.
fn hash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Quoted words of the text (enum values, tier ids, case kinds, ...), plus a few
/// values of every type.
fn candidates(text: &str) -> Vec<&str> {
    let mut out = vec![
        "0",
        "1",
        "-1",
        "12.5",
        "100",
        "79228162514264337593543950335",
        "-0.0000000001",
        "2026-06-30",
        "1970-01-01",
        "true",
        "false",
    ];
    for quote in ['"', '\''] {
        let mut parts = text.split(quote);
        parts.next();
        for (i, part) in parts.enumerate() {
            if i % 2 == 0 && part.len() <= 40 && !part.contains('\n') {
                out.push(part);
            }
        }
    }
    out
}

fn exercise(policy: &Policy, text: &str, data: &[u8]) {
    let mut h = hash(data);
    let mut next = |n: usize| -> usize {
        h = h.rotate_left(7) ^ 0x9e37_79b9_7f4a_7c15;
        h = h.wrapping_mul(0x0100_0000_01b3);
        usize::try_from(h % (n.max(1) as u64)).unwrap_or(0)
    };
    let words = candidates(text);
    let pick = |i: usize| words.get(i).copied().unwrap_or("0");

    let metrics: Vec<String> = policy.metric_names().map(str::to_owned).collect();
    let tiers: Vec<String> = policy.tiers().map(|(_, t)| t.id().to_owned()).collect();
    let mut builder = policy.customer("F1");
    for m in &metrics {
        if next(8) != 0 {
            builder = builder.set(m, pick(next(words.len())));
        }
    }
    if next(2) == 0 {
        builder = builder.previous_tier(tiers.get(next(tiers.len())).map_or("x", String::as_str));
        builder = builder.tier_since(date(2025, 1, 1) + Duration::days(next(800) as i64));
    }
    if next(4) == 0 {
        builder = builder.pin(
            tiers.get(next(tiers.len())).map_or("x", String::as_str),
            Some(date(2026, 1, 1) + Duration::days(next(400) as i64)),
            Some("fuzz"),
        );
    }
    let as_of =
        policy.effective_from().unwrap_or(date(2026, 6, 30)) + Duration::days(next(30) as i64);
    let customer = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let _ = policy.classify(&customer, as_of);
    if let Ok(x) = policy.explain(&customer, as_of) {
        let _ = x.to_string();
    }
    let resolution = match policy.resolve(&customer, as_of) {
        Ok(r) => r,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    if let Ok(Some(service)) = policy.service(&resolution) {
        let _ = service.support_hours();
        let _ = service.channels().count();
        let _ = service.responses().count();
        let _ = service.benefits().count();
    }
    let opened = instant(1_782_800_000 + next(86_400 * 14) as i64);
    let kinds: Vec<String> = policy.case_kinds().map(str::to_owned).collect();
    for kind in &kinds {
        let severities: Vec<String> = policy
            .severities(kind)
            .map(|s| s.map(str::to_owned).collect())
            .unwrap_or_default();
        let mut case = policy.case(kind, opened);
        if let Some(s) = severities.get(next(severities.len() + 1)) {
            case = case.severity(s);
        }
        if next(2) == 0 {
            case = case.pause(opened + Duration::hours(1), opened + Duration::hours(30));
        }
        let Ok(case) = case.build() else { continue };
        if let Ok(handling) = policy.handle(&customer, &resolution, &case) {
            for d in handling.deadlines() {
                assert!(
                    d.due().with_timezone(&Utc) >= opened,
                    "a deadline before the case opened"
                );
            }
        }
        let _ = policy.escalation_status(resolution.tier(), &case, opened + Duration::days(3));
    }
    let calendars: Vec<String> = policy.calendar_names().map(str::to_owned).collect();
    for name in &calendars {
        if let Some(cal) = policy.calendar(name) {
            let seconds = next(86_400 * 3) as i64;
            if let Ok(due) = cal.add_open_time(opened, seconds, &[]) {
                assert!(due >= opened, "a deadline before its start");
                let _ = cal.open_time_between(opened, due);
            }
        }
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn instant(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
