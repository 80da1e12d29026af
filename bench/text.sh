#!/usr/bin/env bash
# Text-analysis pipeline benchmark (issue 16): how fast a node reads a backlog of open
# answers, how much memory the model adds, and whether ingestion suffers while it reads.
#
# From the repository root:   bash bench/text.sh
# Needs the model: bash scripts/text-model/fetch (or PULS_TEXT_MODELS=DIR).
#
# 1. A fresh SQLite database with the demo surveys; `puls-bench ingest` stores a backlog of
#    responses to `checkout-nps`, each with a distinct comment (the demo's short comments
#    with the order number appended, so no cache hides the model's work), with the text
#    queue off (PULS_TEXT__ANALYSE_ANSWERS=false).
# 2. Baseline memory: that server's resident set after the backlog (VmRSS), queue off.
# 3. Throughput: `puls serve` with the queue on, nothing else running; answers stored per
#    second (the node's puls_text_answers_analysed_total) over a measured window after the
#    first results, and the server's peak resident set (VmHWM) against the baseline.
# 4. Ingestion: `puls-bench ingest` at 256 clients, first against a server with the queue
#    off, then against one reading a fresh backlog of the same size; accepted/s of each and
#    their ratio.
#
# Settings: PULS_BENCH_BACKLOG_SECONDS (seconds of ingestion that make the backlog,
# default 3), PULS_BENCH_WINDOW (measured seconds of throughput, default 60),
# PULS_BENCH_SECONDS (seconds per ingestion run, default 15), PULS_BENCH_SKIP_BUILD=1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/puls
LOAD=$TARGET_DIR/release/puls-bench
MODELS=${PULS_TEXT_MODELS:-$TARGET_DIR/text-models}
BACKLOG_SECONDS=${PULS_BENCH_BACKLOG_SECONDS:-3}
WINDOW=${PULS_BENCH_WINDOW:-60}
INGEST_SECONDS=${PULS_BENCH_SECONDS:-15}
[[ -f "$MODELS/MANIFEST.json" ]] || { echo "no text model in $MODELS (bash scripts/text-model/fetch)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-bench-text.XXXXXX")
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_traps
if [[ "${PULS_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    echo "==> cargo build --release -p puls -p puls-bench"
    cargo build --release -p puls -p puls-bench
fi
: >"$WORK/puls.toml"
metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PULS_TEXT__MODELS_DIR=$MODELS PULS_TEXT__POLL_MS=200 PULS_METRICS__LISTEN=127.0.0.1:$metrics_port
BODY='{"answers":{"nps":{{nps}},"{{comment_key}}":"{{comment}} (zamówienie {{seq}})"}}'

# A counter of the node's metrics.
counter() { curl -fsS "http://127.0.0.1:$metrics_port/metrics" | awk -v n="$1" '$1 == n { print $2 }'; }
# A line of the server's /proc status, in kB.
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }

# One value of the database (Python's sqlite3: no sqlite3 program needed).
sql() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$WORK/db/puls.db" "$1"; }

# A fresh database with a backlog of distinct comments: sets N (responses) and
# BASELINE_KB (the seeding server's resident set, queue off).
backlog() {
    local db=$1
    rm -rf "$WORK/db" && mkdir -p "$WORK/db"
    "$BIN" --config "$WORK/puls.toml" --db "$db" demo --responses 0 --no-key >"$WORK/demo.log" 2>&1
    PULS_TEXT__ANALYSE_ANSWERS=false start_server "$db" "$WORK/seed.log" 30
    "$LOAD" ingest --url "$URL" --concurrency 32 --seconds "$BACKLOG_SECONDS" --warmup 0 \
        --body-template "$BODY" >"$WORK/seed.out"
    BASELINE_KB=$(status_kb VmRSS)
    stop_server
    N=$(sql "SELECT COUNT(*) FROM responses")
}

DB="sqlite://$WORK/db/puls.db"
echo "==> backlog"
backlog "$DB"
chars=$(sql "SELECT ROUND(AVG(LENGTH(answers))) FROM responses")
echo "$N responses with distinct comments (answers JSON about $chars characters); baseline RSS ${BASELINE_KB} kB (queue off)"

echo "==> throughput: the queue reads the backlog, nothing else runs"
start_server "$DB" "$WORK/serve.log" 60
t0=$(date +%s.%N)
first=""
while :; do
    n=$(counter puls_text_answers_analysed_total || echo 0)
    n=${n:-0}
    now=$(date +%s.%N)
    if [[ -z "$first" && "$n" -gt 0 ]]; then first=$now; first_n=$n; fi
    if [[ -n "$first" ]] && (($(echo "$now - $first >= $WINDOW" | bc) || n >= N)); then break; fi
    if (($(echo "$now - $t0 > 600" | bc))); then echo "no progress in 600 s" >&2; exit 1; fi
    sleep 1
done
read_n=$(counter puls_text_texts_read_total)
rate=$(echo "scale=1; ($n - $first_n) / ($now - $first)" | bc)
hwm=$(status_kb VmHWM)
added=$(((hwm - BASELINE_KB) / 1024))
first_s=$(echo "scale=1; $first - $t0" | bc)
stop_server
echo "first results after ${first_s} s (model load); then $((n - first_n)) answers in $(echo "scale=1; $now - $first" | bc) s: $rate answers/s ($read_n texts read)"
echo "peak RSS $((hwm / 1024)) MB: +$added MB over the server without the queue"

echo "==> ingestion at 256 clients: queue off, then reading a fresh backlog"
backlog "$DB"
PULS_TEXT__ANALYSE_ANSWERS=false start_server "$DB" "$WORK/off.log" 30
"$LOAD" ingest --url "$URL" --concurrency 256 --seconds "$INGEST_SECONDS" --label queue-off \
    --tsv "$WORK/ingest.tsv" >/dev/null
stop_server
backlog "$DB"
start_server "$DB" "$WORK/on.log" 60
# Wait until the model is loaded and reading.
for _ in $(seq 1 120); do
    [[ "$(counter puls_text_answers_analysed_total || echo 0)" -gt 0 ]] && break
    sleep 0.5
done
before=$(counter puls_text_answers_analysed_total)
"$LOAD" ingest --url "$URL" --concurrency 256 --seconds "$INGEST_SECONDS" --label queue-reading \
    --tsv "$WORK/ingest.tsv" >/dev/null
after=$(counter puls_text_answers_analysed_total)
stop_server
column -t -s $'\t' "$WORK/ingest.tsv"
awk -F'\t' 'NR > 1 { r[$1] = $3 } END {
    printf "ingestion while reading / queue off: %.3f (target >= 0.90)\n", r["queue-reading"] / r["queue-off"] }' "$WORK/ingest.tsv"
echo "answers read during that run: $((after - before)) (the queue yields while the response writer is saturated)"
echo
echo "Targets: >= 150 answers/s sustained, <= 400 MB added RSS, ingestion within 10 %."
