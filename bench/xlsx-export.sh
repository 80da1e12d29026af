#!/usr/bin/env bash
# Export benchmark: the demo's responses as an Excel workbook (and as CSV, for scale), timed
# over HTTP, and the workbook opened with openpyxl (PyPI) and checked.
#
# From the repository root:   bash bench/xlsx-export.sh          (50,000 responses)
#
# It builds the release binary, fills a fresh SQLite database with `puls demo --responses N
# --contacts 0`, starts `puls serve` on a free loopback port, downloads
# `/api/v1/responses/export?format=xlsx&lang=pl` (all surveys: a sheet each) and the CSV
# and semicolon CSV of the same responses, each RUNS times, prints the median seconds and
# the server's peak memory, then opens the workbook with openpyxl and checks its sheets,
# headers (Polish question texts), row count and option labels (bench/xlsx_check.py).
#
# Settings (environment variables):
#   N                        responses (default 50000)
#   PULS_BENCH_RUNS          timed downloads per format (default 3)
#   PULS_BENCH_VENV          Python venv with openpyxl (default bench/.venv; filled from PyPI
#                            when it lacks it)
#   PULS_BENCH_SKIP_BUILD=1  use the existing target/release/puls
#   PULS_BENCH_KEEP=1        keep the temporary directory
#
# Exit status: 0 when every download succeeded and the workbook checked out; 1 otherwise.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

N=${N:-50000}
RUNS=${PULS_BENCH_RUNS:-3}
VENV=${PULS_BENCH_VENV:-$ROOT/bench/.venv}
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/puls
WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-xlsx.XXXXXX")
SERVER_PID=""

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_traps

if [[ "${PULS_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    echo "==> cargo build --release -p puls"
    cargo build --release -p puls
fi
[[ -x "$BIN" ]] || { echo "no binary at $BIN" >&2; exit 1; }

echo "==> Python with openpyxl ($VENV)"
if ! "$VENV/bin/python" -c 'import openpyxl' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check openpyxl
fi
"$VENV/bin/python" -c 'import openpyxl; print(f"openpyxl {openpyxl.__version__}")'

: >"$WORK/puls.toml"
DB="sqlite://$WORK/puls.db"
echo "==> puls demo --responses $N --contacts 0"
"$BIN" --config "$WORK/puls.toml" --db "$DB" demo --responses "$N" --contacts 0 \
    >"$WORK/key" 2>"$WORK/demo.log" || { cat "$WORK/demo.log" >&2; exit 1; }
KEY=$(tail -n 1 "$WORK/key")

start_server "$DB" "$WORK/serve.log" 60
echo "server at $URL (pid $SERVER_PID)"

# Median seconds of RUNS downloads of $1 (a query string) into $2.
time_export() {
    local query=$1 out=$2 times=()
    for _ in $(seq 1 "$RUNS"); do
        times+=("$(curl -fsS -o "$out" -w '%{time_total}' -H "Authorization: Bearer $KEY" \
            "$URL/api/v1/responses/export?$query")")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo
echo "==> Downloads (median of $RUNS, all $N responses, every survey)"
XLSX_S=$(time_export "format=xlsx&lang=pl" "$WORK/responses.xlsx")
CSV_S=$(time_export "format=csv" "$WORK/responses.csv")
SEMI_S=$(time_export "format=csv_semicolon" "$WORK/responses-excel.csv")
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")

printf '%-28s %10s %12s\n' "format" "seconds" "size (MB)"
for row in "xlsx (lang=pl):$XLSX_S:responses.xlsx" "csv:$CSV_S:responses.csv" \
    "csv_semicolon:$SEMI_S:responses-excel.csv"; do
    IFS=: read -r name secs file <<<"$row"
    printf '%-28s %10.2f %12.1f\n' "$name" "$secs" "$(du -m "$WORK/$file" | cut -f1)"
done
awk -v x="$XLSX_S" -v c="$CSV_S" 'BEGIN { printf "xlsx / csv: %.2f\n", x / c }'
echo "server peak RSS: $((RSS_KB / 1024)) MiB"
awk -v x="$XLSX_S" 'BEGIN { exit !(x < 10) }' && echo "target (< 10 s): met" ||
    echo "target (< 10 s): NOT met"


echo
echo "==> openpyxl"
"$VENV/bin/python" "$ROOT/bench/xlsx_check.py" --xlsx "$WORK/responses.xlsx" \
    --url "$URL" --key "$KEY" --responses "$N" --lang pl
