#!/usr/bin/env bash
# The command line against its I/O floor, whole processes, in one run (BENCHMARKS.md,
# "The command line over a million customers").
#
#   cargo build --release --all-features --bin tierwise --example csv_floor
#   cargo run --release --example generate_customers -- --count 1000000 > /tmp/customers-1m.csv
#   benches/cli-floor.sh /tmp/customers-1m.csv [BASE_TIERWISE] [RUNS]
#
# Each round runs the floor (`examples/csv_floor.rs`: a csv-crate read and write of the
# file), then `tier --format csv`, `tier --format json` and `simulate` of this build and,
# when given, of a base binary, one after the other, so that all see the same machine.
# Prints, per command, the median wall time, its ratio to the floor's median and the peak
# RSS (`/usr/bin/time`).
set -euo pipefail

customers=${1:?usage: benches/cli-floor.sh CUSTOMERS.csv [BASE_TIERWISE] [RUNS]}
base=${2:-}
runs=${3:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
now=$target/release/tierwise
floor=$target/release/examples/csv_floor
policy=$root/policies/ocean-shipping.toml
for bin in "$now" "$floor" ${base:+"$base"}; do
    [ -x "$bin" ] || { echo "missing $bin: build it first (see the top of this file)" >&2; exit 2; }
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
measure() { # label, command...
    local label=$1
    shift
    /usr/bin/time -o "$log.one" -f "$label %e %M" "$@" > /dev/null 2> /dev/null
    cat "$log.one" >> "$log"
}
for _ in $(seq "$runs"); do
    measure floor "$floor" "$customers"
    for who in now ${base:+base}; do
        bin=$now
        [ "$who" = base ] && bin=$base
        measure "$who tier-csv" "$bin" tier --policy "$policy" --format csv "$customers"
        measure "$who tier-json" "$bin" tier --policy "$policy" --format json "$customers"
        measure "$who simulate" "$bin" simulate --policy "$policy" "$customers"
    done
done
rm -f "$log.one"

# median of each label, the ratio to the floor's, the largest peak RSS
awk '
    { key = ($1 == "floor") ? "floor" : $1 " " $2
      time = ($1 == "floor") ? $2 : $3
      rss = ($1 == "floor") ? $3 : $4
      m = ++n[key]
      # insertion sort of the times of this label
      while (m > 1 && t[key, m - 1] > time) { t[key, m] = t[key, m - 1]; m-- }
      t[key, m] = time
      if (rss > peak[key]) peak[key] = rss
      if (!(key in seen)) { seen[key] = 1; order[++keys] = key } }
    END {
      for (k = 1; k <= keys; k++) {
        key = order[k]; m = n[key]
        med[key] = (m % 2) ? t[key, (m + 1) / 2] : (t[key, m / 2] + t[key, m / 2 + 1]) / 2
      }
      printf "%-16s %10s %10s %12s\n", "command", "median s", "x floor", "peak RSS MB"
      for (k = 1; k <= keys; k++) {
        key = order[k]
        printf "%-16s %10.2f %10.2f %12.1f\n", key, med[key], med[key] / med["floor"], peak[key] / 1024
      }
    }' "$log"
