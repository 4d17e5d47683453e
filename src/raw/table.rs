//! One declaration per policy table: its raw struct and its reader, one line per key.
//!
//! ```text
//! table! {
//!     /// A `[[tiers]]` entry.
//!     RawTier (span: Span) in TIER_KEYS {
//!         "id" => id: Option<Sp<String>> = Cx::string,
//!         "min_score" => min_score: Option<Sp<Decimal>> = Cx::number,
//!     }
//! }
//! ```
//!
//! declares `RawTier { span, id, min_score }` and `RawTier::read(cx, span, owner, table,
//! what)`, which checks the table's keys against the key table (`TIER_KEYS`, the same list
//! the JSON Schema is generated from) and reads each key with its reader, a function
//! `(cx, value, what) -> field`. Keys that are only checked (`description`, a holiday's
//! `name`) are listed under `checked`. `RawTier::KEYS` lists every key read, and a test
//! compares it with the key table, so that the reader and the schema cannot disagree.

macro_rules! table {
    (
        $(#[$meta:meta])*
        $name:ident ($head:ident: $headty:ty) in $keys:ident {
            $( $key:literal => $field:ident: $ty:ty = $read:expr, )*
        }
        $( checked { $( $ckey:literal = $cread:expr, )* } )?
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub(crate) struct $name {
            pub(crate) $head: $headty,
            $( pub(crate) $field: $ty, )*
        }

        impl $name {
            /// Every key the reader reads, in order.
            #[cfg(test)]
            pub(crate) const KEYS: &'static [&'static str] = &[$($key,)* $($($ckey,)*)?];

            /// The key table this reader checks against.
            #[cfg(test)]
            pub(crate) const TABLE: &'static [crate::keys::Key] = $keys;

            /// Reads the table `t`; `owner` is where unknown keys are reported against and
            /// `what` how messages name the table.
            pub(crate) fn read(
                cx: &mut Cx<'_>,
                $head: $headty,
                owner: Span,
                t: &DeTable<'_>,
                what: &str,
            ) -> $name {
                cx.check_keys(owner, t, $keys, what);
                let mut out = $name {
                    $head,
                    $( $field: Default::default(), )*
                };
                for (k, v) in t.iter() {
                    let key: &str = k.get_ref();
                    $(
                        if key == $key {
                            out.$field = $read(cx, v, concat!("`", $key, "`"));
                            continue;
                        }
                    )*
                    $($(
                        if key == $ckey {
                            let _ = $cread(cx, v, concat!("`", $ckey, "`"));
                            continue;
                        }
                    )*)?
                }
                out
            }
        }
    };
}

pub(crate) use table;

#[cfg(test)]
mod tests {
    use crate::keys::names;
    use crate::raw::services::{HolidayEntry, RawStep, WorkdayEntry};
    use crate::raw::*;

    fn same(table: &str, read: &[&str], keys: &'static [crate::keys::Key]) {
        let mut read = read.to_vec();
        read.sort_unstable();
        let mut keys: Vec<&str> = names(keys).collect();
        keys.sort_unstable();
        assert_eq!(
            read, keys,
            "the reader of {table} and its key table disagree"
        );
    }

    #[test]
    fn every_reader_reads_exactly_the_keys_of_its_table() {
        macro_rules! check {
            ($($t:ident),*) => { $( same(stringify!($t), $t::KEYS, $t::TABLE); )* };
        }
        check!(
            RawHeader,
            RawMetric,
            RawDimension,
            RawTier,
            RawAdjustment,
            RawTiering,
            RawBenefit,
            RawService,
            RawGrant,
            HolidayEntry,
            WorkdayEntry,
            RawCase,
            RawSla,
            RawRouting,
            RawEscalation,
            RawStep
        );
    }

    #[test]
    fn a_disagreement_is_found() {
        let missing = std::panic::catch_unwind(|| same("x", &["id"], crate::keys::TIER_KEYS));
        assert!(missing.is_err());
    }
}
