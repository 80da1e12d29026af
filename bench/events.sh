#!/usr/bin/env bash
# Event ingestion benchmark: tracking batches through the Segment-compatible `/v1/batch`
# over HTTP, against SQLite and PostgreSQL, with every 2xx checked to be stored.
#
# From the repository root:   bash bench/events.sh
# Quick run:                  PULS_BENCH_SECONDS=3 PULS_BENCH_BACKENDS=sqlite bash bench/events.sh
#
# For each backend: a fresh database and write key, `puls serve` (rate limit off) on a free
# loopback port, `puls-bench events` at rising concurrency (each request a batch of
# PULS_BENCH_BATCH events, as Segment's libraries send them; the load generator runs on the
# same machine), then the stored rows are counted against the 2xx answers.
#
# Settings (environment variables):
#   PULS_BENCH_SECONDS     measured seconds per level (default 10; plus 1 s warm-up)
#   PULS_BENCH_LEVELS      concurrency levels (default 1,8,32,64)
#   PULS_BENCH_BATCH       events per request (default 100)
#   PULS_BENCH_BACKENDS    default "sqlite postgres"
#   PULS_BENCH_PG          PostgreSQL server for the scratch database
#                          (default postgres://root@127.0.0.1:5432/test)
#   PULS_BENCH_SKIP_BUILD=1  build nothing: use the existing target/release/puls and
#                            target/release/puls-bench
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SECONDS_PER_LEVEL=${PULS_BENCH_SECONDS:-10}
LEVELS=${PULS_BENCH_LEVELS:-1,8,32,64}
BATCH=${PULS_BENCH_BATCH:-100}
BACKENDS=${PULS_BENCH_BACKENDS:-sqlite postgres}
PG=${PULS_BENCH_PG:-postgres://root@127.0.0.1:5432/test}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# BIN is the server (bench/lib.sh starts it); LOAD is the load generator.
BIN=$TARGET_DIR/release/puls
LOAD=$TARGET_DIR/release/puls-bench
WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-events.XXXXXX")
SERVER_PID=""
PG_DB=""

stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
drop_pg_db() {
    if [[ -n "$PG_DB" ]]; then
        psql "$PG" -q -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
        PG_DB=""
    fi
}
cleanup() {
    local rc=$?
    stop_server
    drop_pg_db
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "${PULS_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    echo "==> cargo build --release -p puls -p puls-bench"
    cargo build --release -p puls -p puls-bench
fi
[[ -x "$BIN" ]] || { echo "no binary at $BIN" >&2; exit 1; }
[[ -x "$LOAD" ]] || { echo "no binary at $LOAD" >&2; exit 1; }
: >"$WORK/puls.toml"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

for backend in $BACKENDS; do
    echo
    echo "==> $backend"
    if [[ $backend == sqlite ]]; then
        DB="sqlite://$WORK/events.db"
    else
        PG_DB="puls_events_$$"
        psql "$PG" -q -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
        DB="${PG%/*}/$PG_DB"
    fi
    WK=$("$BIN" --config "$WORK/puls.toml" --db "$DB" writekey create --workspace bench 2>/dev/null | tail -n 1)
    PULS_ANALYTICS__WARM_UP=false start_server "$DB" "$WORK/serve-$backend.log" 60
    "$LOAD" events --url "$URL" --write-key "$WK" --batch "$BATCH" --concurrency "$LEVELS" \
        --seconds "$SECONDS_PER_LEVEL" --verify-db "$DB" --label "$backend" --tsv "$WORK/events.tsv"
    stop_server
    drop_pg_db
done
echo
echo "==> summary (events/s per concurrency level)"
column -t -s $'\t' "$WORK/events.tsv"
