#!/usr/bin/env bash
# CSV import of contacts: rows per second and peak memory (max RSS) of
# `puls contacts import` into a fresh SQLite database, at two file sizes, to show that memory
# does not grow with the file.
#
# From the repository root:   bash bench/contacts-import.sh
# Settings:
#   PULS_BENCH_ROWS          file sizes in rows, space-separated (default "100000 1000000")
#   PULS_BENCH_SKIP_BUILD=1  use the existing target/release/puls
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SIZES=${PULS_BENCH_ROWS:-100000 1000000}
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/puls
WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-contacts.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [[ -z "${PULS_BENCH_SKIP_BUILD:-}" ]]; then
    cargo build --release -p puls
fi

printf '%-10s %10s %10s %12s %12s\n' rows "file MiB" seconds "rows/s" "max RSS MiB"
for n in $SIZES; do
    csv="$WORK/contacts-$n.csv"
    db="sqlite://$WORK/contacts-$n.db"
    python3 bench/contacts_csv.py "$n" >"$csv"
    "$BIN" --db "$db" apikey create --workspace bench >/dev/null 2>&1
    start=$(date +%s.%N)
    PULS_LOG=warn /usr/bin/time -v "$BIN" --db "$db" contacts import "$csv" \
        --workspace bench 2>"$WORK/import-$n.log" >/dev/null
    end=$(date +%s.%N)
    rss_kib=$(grep 'Maximum resident set size' "$WORK/import-$n.log" | awk '{print $NF}')
    size=$(stat -c %s "$csv")
    awk -v n="$n" -v s="$start" -v e="$end" -v rss="$rss_kib" -v size="$size" 'BEGIN {
        printf "%-10d %10.1f %10.1f %12d %12.1f\n", n, size / 1048576, e - s, n / (e - s), rss / 1024
    }'
    grep -m1 ' rows in ' "$WORK/import-$n.log" >&2 || true
done
