//! The `tracing` feature: loading, refusing, reloading and failed evaluations are events a
//! service's subscriber sees; a successful classification is none.
//!
//! A test binary of its own, beside the root `tests/lib.rs`: `tracing` caches each
//! callsite's interest process-wide, and a test of the shared binary that reached a
//! callsite first, on another thread and without a subscriber, could leave it cached as
//! "never" while this test's subscriber was being set.
#![cfg(feature = "tracing")]
#![expect(clippy::unwrap_used, reason = "a broken fixture fails the test")]

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Keeps each event's message and fields as text.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl Subscriber for Events {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut f = Fields(event.metadata().level().to_string());
        event.record(&mut f);
        self.0.lock().unwrap().push(f.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

#[test]
fn loads_reloads_and_failures_are_events() {
    let events = Events::default();
    let seen = events.clone();
    tracing::subscriber::with_default(events, || {
        let text = std::fs::read_to_string("tests/inputs/demo.toml").unwrap();
        let policy = tierwise::Policy::from_toml_str("demo.toml", &text).unwrap();
        assert!(tierwise::Policy::from_toml_str("bad.toml", "[policy]").is_err());
        let store = tierwise::PolicyStore::new(policy.clone());
        assert!(store
            .replace_with(tierwise::Policy::from_toml_str("bad.toml", "x = ["))
            .is_err());
        store.replace_with(Ok(policy.clone())).unwrap();
        let ok = policy.customer("C1").set("teu", "10").build().unwrap();
        let before = seen.0.lock().unwrap().len();
        policy.classify(&ok, date("2026-06-30")).unwrap();
        assert_eq!(
            seen.0.lock().unwrap().len(),
            before,
            "a success is no event"
        );
        let other = tierwise::Policy::from_toml_str("demo.toml", &text).unwrap();
        assert!(other.classify(&ok, date("2026-06-30")).is_err());
    });
    let all = seen.0.lock().unwrap().join("\n");
    assert!(
        all.contains(
            "INFO message=tierwise: policy loaded policy=\"demo\" version=\"1\" warnings=0"
        ),
        "{all}"
    );
    assert!(
        all.contains("WARN message=tierwise: policy refused source=\"bad.toml\""),
        "{all}"
    );
    assert!(all.contains("tierwise: reload refused"), "{all}");
    assert!(all.contains("tierwise: policy store reloaded"), "{all}");
    assert!(
        all.contains("DEBUG message=tierwise: evaluation failed customer=\"C1\""),
        "{all}"
    );
}
