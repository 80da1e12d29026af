#!/usr/bin/env bash
# Analytics benchmark: Puls's metrics, drivers and Kano API against DuckDB on the same data.
#
# From the repository root:   bash bench/metrics.sh          (10 million responses)
# Quick run:                  N=200000 bash bench/metrics.sh
#
# It builds the release binary, fills a fresh SQLite database with `puls demo --responses N
# --touchpoints 20` (one year, 20 touchpoints, every channel, 3 locales), starts `puls serve`
# on a free loopback port, times the first analytics request (the server loads its index)
# and then each query over HTTP, reads the server's memory, stops it, exports the responses
# to Parquet, loads them into DuckDB in memory, times the same analyses there, checks that
# both give the same numbers and prints one table. See bench/README.md.
#
# Settings (environment variables):
#   N                          responses (default 10000000)
#   PULS_BENCH_TOUCHPOINTS     touchpoints for `puls demo --touchpoints` (default 20)
#   PULS_BENCH_RUNS            timed runs per query after one warm-up (default 9)
#   PULS_BENCH_TZ              time zone of the week buckets (default Europe/Warsaw)
#   PULS_BENCH_SEED            demo seed (default 42)
#   PULS_BENCH_VENV            Python venv with duckdb and numpy (default bench/.venv; created
#                              and filled from PyPI when it lacks them)
#   PULS_BENCH_SKIP_BUILD=1    use the existing target/release/puls
#   PULS_BENCH_SERVER_BIN      the `puls` binary that runs `demo` and `serve` (default
#                              target/release/puls), e.g. a copy of an older build, to compare
#                              two versions on the same machine; when set, nothing is built
#   PULS_BENCH_KEEP=1          keep the temporary directory (database, Parquet, answers)
#
# Exit status: 0 when every query was timed on both sides and they agreed; 1 when an answer
# disagreed or a step failed; 2 when the Puls side could not be measured (for example an
# endpoint is missing) but the DuckDB side ran and nothing disagreed.
set -euo pipefail

# Before the cd below, so a relative PULS_BENCH_SERVER_BIN means the caller's directory.
if [[ -n "${PULS_BENCH_SERVER_BIN:-}" && "$PULS_BENCH_SERVER_BIN" != /* ]]; then
    PULS_BENCH_SERVER_BIN=$PWD/$PULS_BENCH_SERVER_BIN
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

N=${N:-10000000}
TOUCHPOINTS=${PULS_BENCH_TOUCHPOINTS:-20}
RUNS=${PULS_BENCH_RUNS:-9}
BENCH_TZ=${PULS_BENCH_TZ:-Europe/Warsaw}
SEED=${PULS_BENCH_SEED:-42}
VENV=${PULS_BENCH_VENV:-$ROOT/bench/.venv}
BIN=${PULS_BENCH_SERVER_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/puls}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-metrics.XXXXXX")
SERVER_PID=""

stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}

cleanup() {
    local rc=$?
    stop_server
    if [[ "${PULS_BENCH_KEEP:-0}" == 1 ]]; then
        echo "kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if [[ "${PULS_BENCH_SKIP_BUILD:-0}" != 1 && -z "${PULS_BENCH_SERVER_BIN:-}" ]]; then
    echo "==> cargo build --release -p puls"
    cargo build --release -p puls
fi
[[ -x "$BIN" ]] || { echo "no binary at $BIN" >&2; exit 1; }

echo "==> Python with DuckDB ($VENV)"
if ! "$VENV/bin/python" -c 'import duckdb, numpy' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check duckdb numpy
fi
PY=("$VENV/bin/python" "$ROOT/bench/metrics.py")
"$VENV/bin/python" -c 'import duckdb, numpy; print(f"duckdb {duckdb.__version__}, numpy {numpy.__version__}")'

read -r FROM TO < <("${PY[@]}" window --tz "$BENCH_TZ")
echo "range: $FROM (inclusive) to $TO (exclusive), $BENCH_TZ"

# An empty configuration file, so a puls.toml in the current directory cannot interfere.
: >"$WORK/puls.toml"
DB="sqlite://$WORK/puls.db"

echo
echo "==> puls demo --responses $N --touchpoints $TOUCHPOINTS --contacts 0"
start=$(now)
# Responses only: the dashboard reads no contacts or events (40 per customer would be
# 130 million at 10M responses).
"$BIN" --config "$WORK/puls.toml" --db "$DB" demo --responses "$N" --touchpoints "$TOUCHPOINTS" \
    --contacts 0 --seed "$SEED" >"$WORK/key" 2>"$WORK/demo.log" || { cat "$WORK/demo.log" >&2; exit 1; }
DEMO_S=$(since "$start")
KEY=$(tail -n 1 "$WORK/key")
grep -E '^(Demo workspace|Touchpoints)' "$WORK/demo.log" || true
echo "puls demo: $N responses generated and stored in $DEMO_S s"
DB_MIB=$(du -cm "$WORK"/puls.db* | tail -n 1 | cut -f1)

# start_server (bench/lib.sh)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

echo
echo "==> Puls over HTTP"
PULS_JSON="$WORK/puls.json"
if start_server "$DB" "$WORK/serve.log" 60; then
    echo "server at $URL (pid $SERVER_PID, rate limit off)"
    "${PY[@]}" puls --url "$URL" --key "$KEY" --pid "$SERVER_PID" --from "$FROM" --to "$TO" \
        --tz "$BENCH_TZ" --runs "$RUNS" --out "$PULS_JSON" ||
        echo "!! the Puls measurement failed; going on with DuckDB" >&2
    stop_server
    if grep -qiE 'panic|error' "$WORK/serve.log"; then
        echo "server log has errors:" >&2
        grep -iE 'panic|error' "$WORK/serve.log" | head -n 20 >&2
    fi
else
    echo "!! the server did not start; going on with DuckDB" >&2
fi

echo
echo "==> Export to Parquet"
start=$(now)
"${PY[@]}" export --db "$WORK/puls.db" --out "$WORK/flat.parquet" --work "$WORK/parts"
EXPORT_S=$(since "$start")

echo
echo "==> DuckDB"
rc=0
"${PY[@]}" duckdb --data "$WORK/flat.parquet" --puls "$PULS_JSON" --from "$FROM" --to "$TO" \
    --tz "$BENCH_TZ" --runs "$RUNS" --save-answers "$WORK/duckdb-answers.json" \
    --note "$(nproc) CPU(s); nothing else should run meanwhile (the Puls server was stopped before DuckDB ran)" \
    --note "puls demo --responses $N --touchpoints $TOUCHPOINTS: $DEMO_S s (SQLite files: $DB_MIB MiB)" \
    --note "export SQLite -> Parquet (one row per response): $EXPORT_S s" || rc=$?
exit $rc
