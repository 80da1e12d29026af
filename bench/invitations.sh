#!/usr/bin/env bash
# Invitations by e-mail (issue 15): against `puls serve` (release, SQLite) with a local SMTP
# sink (Debian's aiosmtpd), prints
#   1. how long creating a distribution to every contact takes (100,000 demo contacts:
#      the invitations, their personal links and e-mail jobs queued; target < 10 s), and the
#      rate the outbox then delivers them to the sink (target >= 200 messages/s), checked
#      against what the sink received;
#   2. response ingestion at 256 clients while those messages are being sent, against the
#      same ingestion on the same server before the distribution (their ratio: ingestion
#      unaffected when it is near 1).
# Usage: bash bench/invitations.sh
# PULS_BENCH_CONTACTS (100000), PULS_BENCH_CLIENTS (256), PULS_BENCH_INGEST_SECONDS (10),
# PULS_BENCH_EMBED=1 (the first question's scores as links in every message; default 1),
# PULS_BENCH_SKIP_BUILD=1 (use the built binaries), PULS_BENCH_KEEP=1 (keep the database
# and logs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CONTACTS=${PULS_BENCH_CONTACTS:-100000}
CLIENTS=${PULS_BENCH_CLIENTS:-256}
INGEST_SECONDS=${PULS_BENCH_INGEST_SECONDS:-10}
EMBED=${PULS_BENCH_EMBED:-1}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/puls
LOAD=$TARGET_DIR/release/puls-bench
WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-invitations.XXXXXX")
SINK_PID=""

source "$ROOT/bench/lib.sh"
cleanup() {
    local rc=$?
    [[ -z "$SINK_PID" ]] || kill "$SINK_PID" 2>/dev/null || true
    stop_server
    if [[ "${PULS_BENCH_KEEP:-0}" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "${PULS_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    echo "==> cargo build --release -p puls -p puls-bench"
    cargo build --release -p puls -p puls-bench
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$WORK" && exec /usr/bin/python3 "$ROOT/bench/invitations.py" sink "$PORT") &
SINK_PID=$!
cat >"$WORK/puls.toml" <<TOML
[smtp]
host = "127.0.0.1"
port = $PORT
security = "none"
from = "Puls <puls@bench.example>"
TOML

echo "==> a demo database with $CONTACTS contacts (no responses, no events)"
DB="sqlite://$WORK/puls.db"
"$BIN" --config "$WORK/puls.toml" --db "$DB" demo --responses 0 --contacts "$CONTACTS" \
    --events 0 --no-key >/dev/null 2>&1
KEY=$("$BIN" --config "$WORK/puls.toml" --db "$DB" apikey create --workspace demo 2>/dev/null | tail -n 1)
start_server "$DB" "$WORK/serve.log" 60
SURVEY=checkout-nps

ingest() {
    "$LOAD" ingest --url "$URL" --survey checkout-nps --concurrency "$CLIENTS" \
        --seconds "$INGEST_SECONDS" --label "$1" --tsv "$WORK/ingest.tsv"
}

echo
echo "==> warm-up: ingestion at $CLIENTS clients for 5 s (not counted)"
"$LOAD" ingest --url "$URL" --survey checkout-nps --concurrency "$CLIENTS" --seconds 5 >/dev/null
echo "==> ingestion at $CLIENTS clients before the distribution"
ingest before
echo
echo "==> 1. a distribution to every contact"
EMBED_FLAG=()
[[ "$EMBED" == 1 ]] && EMBED_FLAG=(--embed)
python3 bench/invitations.py send --url "$URL" --key "$KEY" --survey "$SURVEY" \
    --count-file "$WORK/$PORT.count" "${EMBED_FLAG[@]}" >"$WORK/send.out" 2>&1 &
SEND_PID=$!
# Wait until the distribution is created (its first line), then load the server meanwhile.
for _ in $(seq 1 600); do
    [[ -s "$WORK/send.out" ]] && break
    sleep 0.1
done
head -n 1 "$WORK/send.out"
echo
echo "==> 2. ingestion at $CLIENTS clients while the invitations are sent"
ingest during
RC=0
wait "$SEND_PID" || RC=1
tail -n +2 "$WORK/send.out"
echo
awk -F'\t' '$1 == "before" || $1 == "during" { rate[$1] = $3 } END {
    if (rate["before"] > 0)
        printf "ingestion during the sending / before: %.3f (before %.0f/s, during %.0f/s)\n",
            rate["during"] / rate["before"], rate["before"], rate["during"]
}' "$WORK/ingest.tsv"
head -n 3 "$WORK/ingest.tsv" >&2
stop_server
if grep -qiE 'panic|error' "$WORK/serve.log"; then
    echo "server log: $(grep -ciE 'panic|error' "$WORK/serve.log") error lines, first:"
    grep -iE 'panic|error' "$WORK/serve.log" | head -n 5
    RC=1
fi
exit $RC
