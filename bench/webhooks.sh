#!/usr/bin/env bash
# Webhooks under load (issue 14): against `puls serve` (release, SQLite) with a local
# receiver, prints
#   1. the time from a response's 2xx to its webhook's arrival, at a steady 200
#      responses/s of which every one triggers the webhook (target: p50 and p99 < 1 s);
#   2. response ingestion at 256 clients without any webhook and with one receiving every
#      response, and their ratio (target: within 10 %).
# Each phase runs on a fresh database. Usage: bash bench/webhooks.sh
# PULS_BENCH_RATE (200), PULS_BENCH_SECONDS (20: the latency run), PULS_BENCH_INGEST_SECONDS
# (10), PULS_BENCH_CLIENTS (256), PULS_BENCH_SKIP_BUILD=1 (use the built binaries).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RATE=${PULS_BENCH_RATE:-200}
SECONDS_RUN=${PULS_BENCH_SECONDS:-20}
INGEST_SECONDS=${PULS_BENCH_INGEST_SECONDS:-10}
CLIENTS=${PULS_BENCH_CLIENTS:-256}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/puls
LOAD=$TARGET_DIR/release/puls-bench
WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-webhooks.XXXXXX")
RECEIVER_PID=""

source "$ROOT/bench/lib.sh"
cleanup() {
    local rc=$?
    [[ -z "$RECEIVER_PID" ]] || kill "$RECEIVER_PID" 2>/dev/null || true
    stop_server
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
: >"$WORK/puls.toml"
export PULS_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES=true

# A fresh demo database (no responses) in $WORK/$1; sets DB and KEY.
fresh() {
    mkdir -p "$WORK/$1"
    DB="sqlite://$WORK/$1/puls.db"
    "$BIN" --config "$WORK/puls.toml" --db "$DB" demo --responses 0 --no-key >/dev/null 2>&1
    KEY=$("$BIN" --config "$WORK/puls.toml" --db "$DB" apikey create --workspace demo 2>/dev/null | tail -n 1)
}

echo
echo "==> 1. latency from 2xx to webhook at $RATE responses/s"
fresh latency
start_server "$DB" "$WORK/serve-latency.log" 30
python3 bench/webhook_latency.py latency --url "$URL" --key "$KEY" --survey checkout-nps \
    --rate "$RATE" --seconds "$SECONDS_RUN"
stop_server

echo
echo "==> 2. ingestion at $CLIENTS clients, without and with a webhook on every response"
fresh plain
start_server "$DB" "$WORK/serve-plain.log" 30
"$LOAD" ingest --url "$URL" --survey checkout-nps --concurrency "$CLIENTS" \
    --seconds "$INGEST_SECONDS" --label without --tsv "$WORK/ingest.tsv"
stop_server
fresh hooked
start_server "$DB" "$WORK/serve-hooked.log" 30
python3 bench/webhook_latency.py receive --url "$URL" --key "$KEY" >"$WORK/receiver.out" &
RECEIVER_PID=$!
for _ in $(seq 1 100); do grep -q RECEIVING "$WORK/receiver.out" && break; sleep 0.1; done
"$LOAD" ingest --url "$URL" --survey checkout-nps --concurrency "$CLIENTS" \
    --seconds "$INGEST_SECONDS" --label with-webhook --tsv "$WORK/ingest.tsv"
PENDING=$(curl -fsS -H "Authorization: Bearer $KEY" "$URL/api/v1/outbox?state=pending&limit=500" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
kill "$RECEIVER_PID"; wait "$RECEIVER_PID" || true; RECEIVER_PID=""
cat "$WORK/receiver.out" | grep -v RECEIVING
stop_server
echo "jobs still pending when the load stopped (first page, at most 500): $PENDING"
awk -F'\t' 'NR > 1 { rate[$1] = $3 }
    END {
        printf "accepted responses/s at %s clients: without webhooks %d, with a webhook on every response %d; ratio %.3f\n",
            '"$CLIENTS"', rate["without"], rate["with-webhook"], rate["with-webhook"] / rate["without"]
    }' "$WORK/ingest.tsv"
