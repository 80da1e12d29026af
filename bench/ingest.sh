#!/usr/bin/env bash
# Ingestion and survey-page benchmark of Puls against SQLite and PostgreSQL.
#
# From the repository root:   bash bench/ingest.sh
# Quick run:                  PULS_BENCH_SECONDS=3 PULS_BENCH_LEVELS=1,32,256 bash bench/ingest.sh
#
# For each backend it builds a fresh database, seeds the demo surveys (no responses), imports
# bench/ten-questions.json, starts `puls serve` (rate limit off) on a free loopback port,
# runs `puls-bench ingest` and `puls-bench page` (the load generator, crates/puls-bench),
# checks that every 2xx is a stored row, stops the server and removes the database. A summary
# table comes last. See bench/README.md.
# (Functions below run under `cmd || ...`, where `set -e` does not apply: they check each step.)
#
# Settings (environment variables):
#   PULS_BENCH_SECONDS           measured seconds per concurrency level (default 10; plus 1 s warm-up)
#   PULS_BENCH_LEVELS            concurrency levels, comma-separated (default 1,8,32,64,128,256)
#   PULS_BENCH_BACKENDS          which backends, space-separated (default "sqlite postgres")
#   PULS_BENCH_PG                a PostgreSQL server to create the scratch database on
#                                (default postgres://root@127.0.0.1:5432/test; the path's
#                                database is only used to connect, the benchmark creates and
#                                drops its own)
#   PULS_BENCH_PAGE_REQUESTS     requests of the page benchmark (default 2000)
#   PULS_BENCH_PAGE_CONCURRENCY  clients of the page benchmark (default 4)
#   PULS_BENCH_SERVER_BIN        the `puls` binary that runs `serve`, `demo` and `survey import`
#                                (default target/release/puls), e.g. a copy of an older build,
#                                to measure it with the current load generator; when set, only
#                                puls-bench is built. `--verify-db` reads its database with the
#                                current puls-store, so its schema must be one that reads.
#   PULS_BENCH_SKIP_BUILD=1      build nothing: use the existing target/release/puls-bench
#                                (and target/release/puls)
set -euo pipefail

# Before the cd below, so a relative PULS_BENCH_SERVER_BIN means the caller's directory.
if [[ -n "${PULS_BENCH_SERVER_BIN:-}" && "$PULS_BENCH_SERVER_BIN" != /* ]]; then
    PULS_BENCH_SERVER_BIN=$PWD/$PULS_BENCH_SERVER_BIN
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SECONDS_PER_LEVEL=${PULS_BENCH_SECONDS:-10}
LEVELS=${PULS_BENCH_LEVELS:-1,8,32,64,128,256}
BACKENDS=${PULS_BENCH_BACKENDS:-sqlite postgres}
PG=${PULS_BENCH_PG:-postgres://root@127.0.0.1:5432/test}
PAGE_REQUESTS=${PULS_BENCH_PAGE_REQUESTS:-2000}
PAGE_CONCURRENCY=${PULS_BENCH_PAGE_CONCURRENCY:-4}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# BIN is the server (bench/lib.sh starts it); LOAD is the load generator.
BIN=${PULS_BENCH_SERVER_BIN:-$TARGET_DIR/release/puls}
LOAD=$TARGET_DIR/release/puls-bench

WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-bench.XXXXXX")
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
        psql "$PG" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" \
            >/dev/null 2>&1 || echo "warning: could not drop database $PG_DB on $PG" >&2
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
    if [[ -n "${PULS_BENCH_SERVER_BIN:-}" ]]; then
        echo "==> cargo build --release -p puls-bench"
        cargo build --release -p puls-bench
    else
        echo "==> cargo build --release -p puls -p puls-bench"
        cargo build --release -p puls -p puls-bench
    fi
fi
[[ -x "$BIN" ]] || { echo "no binary at $BIN" >&2; exit 1; }
[[ -x "$LOAD" ]] || { echo "no binary at $LOAD" >&2; exit 1; }
[[ -z "${PULS_BENCH_SERVER_BIN:-}" ]] || echo "server: $BIN; load generator: $LOAD"

# An empty configuration file, so a puls.toml in the current directory cannot interfere.
: >"$WORK/puls.toml"
puls() { "$BIN" --config "$WORK/puls.toml" "$@"; }

# start_server (bench/lib.sh)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

run_backend() {
    local backend=$1 db
    echo
    echo "==> $backend"
    case "$backend" in
        sqlite)
            db="sqlite://$WORK/sqlite/puls.db"
            mkdir -p "$WORK/sqlite"
            ;;
        postgres)
            PG_DB="puls_bench_$$_$RANDOM"
            psql "$PG" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"" >/dev/null ||
                { echo "could not create database $PG_DB on $PG (set PULS_BENCH_PG)" >&2; PG_DB=""; return 1; }
            db="${PG%/*}/$PG_DB"
            ;;
        *)
            echo "unknown backend '$backend' (sqlite or postgres)" >&2
            return 1
            ;;
    esac

    puls --db "$db" demo --responses 0 --no-key 2>"$WORK/demo-$backend.log" ||
        { cat "$WORK/demo-$backend.log" >&2; return 1; }
    local ten
    ten=$(puls --db "$db" survey import bench/ten-questions.json --publish 2>>"$WORK/demo-$backend.log") &&
        [[ -n "$ten" ]] || { cat "$WORK/demo-$backend.log" >&2; return 1; }

    start_server "$db" "$WORK/serve-$backend.log" 30 || return 1
    echo "server at $URL (rate limit off); ingestion into checkout-nps, page of survey $ten"

    local rc=0
    "$LOAD" ingest --url "$URL" --survey checkout-nps --concurrency "$LEVELS" \
        --seconds "$SECONDS_PER_LEVEL" --verify-db "$db" \
        --label "$backend" --tsv "$WORK/ingest.tsv" | tee "$WORK/ingest-$backend.out" || rc=$?
    grep '^durability' "$WORK/ingest-$backend.out" | sed "s/^/$backend /" >>"$WORK/durability.txt" ||
        echo "$backend durability: not checked (the ingest run failed)" >>"$WORK/durability.txt"
    echo
    "$LOAD" page --url "$URL" --survey "$ten" --requests "$PAGE_REQUESTS" \
        --concurrency "$PAGE_CONCURRENCY" --label "$backend" --tsv "$WORK/page.tsv" || rc=$?

    stop_server
    if grep -qiE 'panic|error' "$WORK/serve-$backend.log"; then
        echo "server log of $backend has errors:" >&2
        grep -iE 'panic|error' "$WORK/serve-$backend.log" | head -n 20 >&2
    fi
    if [[ "$backend" == postgres ]]; then
        drop_pg_db
    else
        rm -rf "$WORK/sqlite"
    fi
    return $rc
}

failed=0
for backend in $BACKENDS; do
    run_backend "$backend" || { echo "!! $backend failed" >&2; failed=1; }
done

echo
echo "==> Summary ($(nproc) CPU(s) shared by load generator and server; ${SECONDS_PER_LEVEL} s per level)"
if [[ -s "$WORK/ingest.tsv" ]]; then
    echo
    echo "Ingestion (POST /api/v1/surveys/checkout-nps/responses; latency of 2xx)"
    column -t -s $'\t' "$WORK/ingest.tsv"
fi
if [[ -s "$WORK/page.tsv" ]]; then
    echo
    echo "Survey page (GET /s/{10-question survey}; server time from Server-Timing)"
    column -t -s $'\t' "$WORK/page.tsv"
fi
if [[ -s "$WORK/durability.txt" ]]; then
    echo
    cat "$WORK/durability.txt"
fi
echo
echo "Targets: SQLite >= 10000 accepted/s at 256 clients with no errors and every 2xx stored;"
echo "         survey page server p99 < 5 ms and < 30 KB."
if [[ -s "$WORK/ingest.tsv" ]]; then
    awk -F'\t' 'NR > 1 && $1 == "sqlite" { last = $0; c = $2; r = $3; e = $9 + $10 }
        END {
            if (last == "") exit
            verdict = (c >= 256 && r >= 10000 && e == 0) ? "met" : "NOT met"
            printf "SQLite at %s clients: %s accepted/s, %d non-2xx or errors: %s\n", c, r, e, verdict
        }' "$WORK/ingest.tsv"
fi
exit $failed
