#!/usr/bin/env bash
# Funnel benchmark: a 6-stage funnel with a 30-day window over the demo shop's behavioural
# events, in Puls over HTTP and as SQL in DuckDB over the same events, in one run.
#
# From the repository root:   bash bench/funnel.sh            (50 million events, 2 million contacts)
# Quick run:                  EVENTS=2000000 CONTACTS=100000 bash bench/funnel.sh
#
# It builds the release binary, fills a fresh SQLite database with `puls demo --responses 0
# --contacts C --events E` (one year of an e-shop's events, coherent with the journey
# template), starts `puls serve` (which builds its customer index in the background), times
# the first funnel request (it waits for the index) and then each one, reads the server's
# memory, stops it, exports the events with the sqlite3 CLI (subject, time, type, name and the
# two properties the journey tests), loads them into DuckDB in memory, times the same funnel
# written as SQL, checks both answers agree stage by stage and prints the ratio.
#
# Settings (environment variables):
#   EVENTS, CONTACTS            data size (default 50000000 and 2000000)
#   PULS_BENCH_RUNS             timed runs per side after a warm-up (default 7)
#   PULS_BENCH_VENV             Python venv with duckdb (default bench/.venv)
#   PULS_BENCH_SKIP_BUILD=1     use the existing target/release/puls
#   PULS_BENCH_KEEP=1           keep the temporary directory
#   PULS_BENCH_DB=FILE          keep the SQLite database at FILE (and its API key at FILE.key)
#                               and reuse it on the next run instead of running the demo
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

EVENTS=${EVENTS:-50000000}
CONTACTS=${CONTACTS:-2000000}
RUNS=${PULS_BENCH_RUNS:-7}
VENV=${PULS_BENCH_VENV:-$ROOT/bench/.venv}
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/puls
WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-funnel.XXXXXX")
SERVER_PID=""

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_traps

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if [[ "${PULS_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    echo "==> cargo build --release -p puls"
    cargo build --release -p puls
fi
[[ -x "$BIN" ]] || { echo "no binary at $BIN" >&2; exit 1; }
if ! command -v sqlite3 >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
fi

echo "==> Python with DuckDB ($VENV)"
if ! "$VENV/bin/python" -c 'import duckdb' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check duckdb
fi
PY=("$VENV/bin/python" "$ROOT/bench/funnel.py")

: >"$WORK/puls.toml"
DB_FILE=${PULS_BENCH_DB:-$WORK/puls.db}
DB="sqlite://$DB_FILE"

if [[ -n "${PULS_BENCH_DB:-}" && -s "$DB_FILE.key" ]]; then
    echo
    echo "==> reusing $DB_FILE"
    DEMO_DESC="$DB_FILE, reused"
else
    echo
    echo "==> puls demo --responses 0 --contacts $CONTACTS --events $EVENTS"
    start=$(now)
    "$BIN" --config "$WORK/puls.toml" --db "$DB" demo --responses 0 --contacts "$CONTACTS" \
        --events "$EVENTS" >"$WORK/key" 2>"$WORK/demo.log" || { cat "$WORK/demo.log" >&2; exit 1; }
    DEMO_S=$(since "$start")
    DEMO_DESC="puls demo --responses 0 --contacts $CONTACTS --events $EVENTS: $DEMO_S s"
    [[ -z "${PULS_BENCH_DB:-}" ]] || tail -n 1 "$WORK/key" >"$DB_FILE.key"
fi
KEY_FILE="$WORK/key"
[[ -z "${PULS_BENCH_DB:-}" ]] || KEY_FILE="$DB_FILE.key"
KEY=$(tail -n 1 "$KEY_FILE")
STORED=$(sqlite3 "$DB_FILE" "SELECT count(*) FROM events")
read -r START END < <(sqlite3 -separator ' ' "$DB_FILE" \
    "SELECT min(timestamp), max(timestamp) + 1 FROM events WHERE type IN ('track', 'page', 'screen')")
DB_MIB=$(du -cm "$DB_FILE"* | tail -n 1 | cut -f1)
echo "$STORED events stored ($DEMO_DESC; SQLite files: $DB_MIB MiB); entries from $START to $END (ms)"

echo
echo "==> Puls over HTTP"
start_server "$DB" "$WORK/serve.log" 120
echo "server at $URL (pid $SERVER_PID)"
"${PY[@]}" puls --url "$URL" --key "$KEY" --pid "$SERVER_PID" --start "$START" --end "$END" \
    --window 30 --runs "$RUNS" --out "$WORK/puls.json"
grep -E 'customer index built' "$WORK/serve.log" | sed 's/\x1b\[[0-9;]*m//g' | tail -n 1 || true
stop_server

echo
echo "==> Export with the sqlite3 CLI"
start=$(now)
sqlite3 -csv "$DB_FILE" "
    SELECT COALESCE(e.user_id, l.user_id, 'a:' || e.anonymous_id), e.timestamp, e.type, e.name,
           json_extract(e.properties, '\$.platform'), json_extract(e.properties, '\$.repeat')
    FROM events e
    LEFT JOIN identity_links l
      ON e.user_id IS NULL AND l.workspace_id = e.workspace_id AND l.anonymous_id = e.anonymous_id
    WHERE e.type IN ('track', 'page', 'screen')" >"$WORK/events.csv"
EXPORT_S=$(since "$start")
echo "exported in $EXPORT_S s ($(du -m "$WORK/events.csv" | cut -f1) MiB of CSV)"

echo
echo "==> DuckDB"
"${PY[@]}" duckdb --csv "$WORK/events.csv" --puls "$WORK/puls.json" --start "$START" \
    --end "$END" --window 30 --runs "$RUNS" \
    --note "$(nproc) CPU(s); the Puls server was stopped before DuckDB ran" \
    --note "$STORED events ($DEMO_DESC; $DB_MIB MiB of SQLite)" \
    --note "export SQLite -> CSV: $EXPORT_S s"
