#!/usr/bin/env bash
# Webhooks under load (issue 14): against `puls serve` (release, SQLite) with a local
# receiver, prints
#   1. the time from a response's 2xx to its webhook's arrival, at a steady 200
#      responses/s of which every one triggers the webhook (`response.completed`);
#   2. response ingestion at 256 clients without any webhook and with one receiving every
#      response, and their ratio;
#   3. the issue's scenario, latency: 200 responses/s of which 20 % (every fifth, NPS 0 or
#      1) trigger an alert rule (NPS <= 1: a case and `alert.fired`); the time from each
#      triggering response's 2xx to its `alert.fired` arrival (target: p50 and p99 < 1 s),
#      and the cases opened, read through the API (one per triggering response);
#   4. the issue's scenario, ingestion: 256 clients with that rule and its `alert.fired`
#      webhook (puls-bench sends NPS 0-10 uniformly: 2 of 11, ~18 %, match), the ratio
#      against phase 2's figure without webhooks (target: within 10 %), and the share
#      measured once the outbox has opened every case (cases / responses stored).
# Phase 4 runs PULS_BENCH_ROUNDS rounds (1), each a run without rules and one with, in
# alternating order (round 1 without first, round 2 with first, ...), so that a drift
# between a sequence's earlier and later runs falls on both sides; it prints each round's
# ratio and their median, and for every run the CPU seconds the server, the receiver and
# everything else (puls-bench, mostly) used during the load.
# Each phase runs on a fresh database. Usage: bash bench/webhooks.sh
# PULS_BENCH_RATE (200), PULS_BENCH_SECONDS (20: the latency runs), PULS_BENCH_INGEST_SECONDS
# (10), PULS_BENCH_CLIENTS (256), PULS_BENCH_ROUNDS (1), PULS_BENCH_DRAIN_SECONDS (300: the longest phase 4 waits
# for the outbox to open the last case and send the last alert.fired), PULS_BENCH_PHASES
# ("1 2 3 4"; phase 4 runs the "without" ingestion itself when phase 2 is not chosen),
# PULS_BENCH_SKIP_BUILD=1 (use the built binaries), PULS_BENCH_KEEP=1 (keep the databases
# and server logs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RATE=${PULS_BENCH_RATE:-200}
SECONDS_RUN=${PULS_BENCH_SECONDS:-20}
INGEST_SECONDS=${PULS_BENCH_INGEST_SECONDS:-10}
CLIENTS=${PULS_BENCH_CLIENTS:-256}
DRAIN_SECONDS=${PULS_BENCH_DRAIN_SECONDS:-300}
ROUNDS=${PULS_BENCH_ROUNDS:-1}
PHASES=" ${PULS_BENCH_PHASES:-1 2 3 4} "
PHASES=${PHASES//,/ }
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
: >"$WORK/puls.toml"
export PULS_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES=true

# A fresh demo database (no responses) in $WORK/$1; sets DB and KEY.
fresh() {
    mkdir -p "$WORK/$1"
    DB="sqlite://$WORK/$1/puls.db"
    "$BIN" --config "$WORK/puls.toml" --db "$DB" demo --responses 0 --no-key >/dev/null 2>&1
    KEY=$("$BIN" --config "$WORK/puls.toml" --db "$DB" apikey create --workspace demo 2>/dev/null | tail -n 1)
}

# Whether phase $1 was chosen.
phase() { [[ "$PHASES" == *" $1 "* ]]; }

# Stops the server and shows the warnings and errors of its log $1, if any.
stop_and_check() {
    stop_server
    if grep -qiE 'panic|error|warn' "$1"; then
        echo "server log $(basename "$1"): $(grep -ciE 'panic|error|warn' "$1") warning/error lines, first:"
        grep -iE 'panic|error|warn' "$1" | head -n 5
    fi
}

# Starts the receiver (`webhook_latency.py receive` with options $@) into $WORK/receiver.out.
start_receiver() {
    python3 bench/webhook_latency.py receive --url "$URL" --key "$KEY" "$@" >"$WORK/receiver.out" &
    RECEIVER_PID=$!
    for _ in $(seq 1 100); do grep -q RECEIVING "$WORK/receiver.out" && break; sleep 0.1; done
    grep -q RECEIVING "$WORK/receiver.out" || { echo "the receiver did not start" >&2; return 1; }
}

# Stops the receiver and prints what it got.
stop_receiver() {
    kill "$RECEIVER_PID"; wait "$RECEIVER_PID" || true; RECEIVER_PID=""
    grep -v RECEIVING "$WORK/receiver.out" || true
}

# Jobs pending in the outbox (the first page: at most 500).
pending_jobs() {
    curl -fsS -H "Authorization: Bearer $KEY" "$URL/api/v1/outbox?state=pending&limit=500" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))'
}

HZ=$(getconf CLK_TCK)
# CPU seconds (user and system) process $1 has used so far; 0 when it is gone.
cpu_of() { awk -v hz="$HZ" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU seconds the whole machine has been busy so far.
machine_busy() { awk -v hz="$HZ" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }

# Ingestion into checkout-nps at $CLIENTS clients, labelled $1, more options in $@; then
# the CPU seconds used during it by the server, the receiver (if one runs) and the rest.
ingest() {
    local label=$1
    shift
    local s0 r0 m0 s1 r1 m1
    s0=$(cpu_of "$SERVER_PID")
    r0=$([[ -n "$RECEIVER_PID" ]] && cpu_of "$RECEIVER_PID" || echo 0)
    m0=$(machine_busy)
    "$LOAD" ingest --url "$URL" --survey checkout-nps --concurrency "$CLIENTS" \
        --seconds "$INGEST_SECONDS" --label "$label" --tsv "$WORK/ingest.tsv" "$@"
    s1=$(cpu_of "$SERVER_PID")
    r1=$([[ -n "$RECEIVER_PID" ]] && cpu_of "$RECEIVER_PID" || echo 0)
    m1=$(machine_busy)
    awk -v s="$s1" -v s0="$s0" -v r="$r1" -v r0="$r0" -v m="$m1" -v m0="$m0" 'BEGIN {
        s -= s0; r -= r0; m -= m0
        printf "CPU seconds during the load (warm-up included): server %.1f, receiver %.1f, everything else %.1f (puls-bench, mostly); the machine was busy %.1f\n",
            s, r, m - s - r, m
    }'
}
RC=0

if phase 1; then
    echo
    echo "==> 1. latency from 2xx to response.completed at $RATE responses/s (every response triggers it)"
    fresh latency
    start_server "$DB" "$WORK/serve-latency.log" 30
    python3 bench/webhook_latency.py latency --url "$URL" --key "$KEY" --survey checkout-nps \
        --rate "$RATE" --seconds "$SECONDS_RUN" || RC=1
    stop_and_check "$WORK/serve-latency.log"
fi

# Phase 2's and 4's run without rules or webhooks, labelled $1.
run_without() {
    echo
    echo "==> ingestion at $CLIENTS clients without webhooks ($1)"
    fresh "plain-$1"
    start_server "$DB" "$WORK/serve-plain-$1.log" 30
    ingest "$1"
    stop_and_check "$WORK/serve-plain-$1.log"
    forget "plain-$1"
}

# Removes database $1 of a finished run (kept with PULS_BENCH_KEEP=1) and lets the disk
# catch up, so that one run's writes do not slow the next.
forget() {
    [[ "${PULS_BENCH_KEEP:-0}" == 1 ]] || rm -rf "${WORK:?}/$1"
    sync
    sleep 2
}

if phase 2; then
    run_without without
fi

if phase 2; then
    echo
    echo "==> 2. ingestion at $CLIENTS clients with a webhook on every response (response.completed)"
    fresh hooked
    start_server "$DB" "$WORK/serve-hooked.log" 30
    start_receiver
    ingest with-webhook
    PENDING=$(pending_jobs)
    stop_receiver
    stop_and_check "$WORK/serve-hooked.log"
    echo "jobs still pending when the load stopped (first page, at most 500): $PENDING"
fi

if phase 3; then
    echo
    echo "==> 3. latency from 2xx to alert.fired at $RATE responses/s, 20 % triggering an alert rule"
    fresh latency-rule
    start_server "$DB" "$WORK/serve-latency-rule.log" 30
    python3 bench/webhook_latency.py latency --rule --url "$URL" --key "$KEY" \
        --survey checkout-nps --rate "$RATE" --seconds "$SECONDS_RUN" || RC=1
    stop_and_check "$WORK/serve-latency-rule.log"
fi

# Phase 4's run with the rule and its webhook, labelled $1.
run_with_rule() {
    echo
    echo "==> 4. ingestion at $CLIENTS clients with an alert rule (nps <= 1) and its alert.fired webhook ($1)"
    fresh "ruled-$1"
    start_server "$DB" "$WORK/serve-ruled-$1.log" 30
    start_receiver --rule --survey checkout-nps
    ingest "$1" --verify-db "$DB" | tee "$WORK/ingest-rule.out" || RC=1
    PENDING=$(pending_jobs)
    read -r CASES_AT_STOP < <(python3 bench/webhook_latency.py cases --url "$URL" --key "$KEY") ||
        true
    read -r CASES LAST_CASE LAST_JOB STATE < <(python3 bench/webhook_latency.py cases --drain \
        --url "$URL" --key "$KEY" --timeout "$DRAIN_SECONDS") || true
    stop_receiver
    stop_and_check "$WORK/serve-ruled-$1.log"
    STORED=$(sed -n 's/^durability: .*answered 2xx (warm-up included), \([0-9]*\) new rows stored.*/\1/p' \
        "$WORK/ingest-rule.out")
    echo "when puls-bench finished: $CASES_AT_STOP cases opened, $PENDING jobs pending (first page, at most 500)"
    if [[ "$STATE" == drained ]]; then
        DRAIN_NOTE="the outbox opened the last case ${LAST_CASE} s and sent the last alert.fired ${LAST_JOB} s after puls-bench finished"
    else
        DRAIN_NOTE="NOT DRAINED: the outbox was still busy ${DRAIN_SECONDS} s after puls-bench finished (PULS_BENCH_DRAIN_SECONDS)"
        RC=1
    fi
    awk -v c="$CASES" -v s="$STORED" -v note="$DRAIN_NOTE" 'BEGIN {
        printf "cases opened (read through the API): %d of %d responses stored, %.1f %% triggering the rule (2/11 = 18.2 %% expected); %s\n",
            c, s, (s > 0 ? 100 * c / s : 0), note
    }'
    forget "ruled-$1"
}

if phase 4; then
    for round in $(seq 1 "$ROUNDS"); do
        if ((round % 2 == 1)); then
            run_without "without-$round"
            run_with_rule "with-rule-$round"
        else
            run_with_rule "with-rule-$round"
            run_without "without-$round"
        fi
    done
fi

if [[ -f "$WORK/ingest.tsv" ]]; then
    echo
    awk -F'\t' -v clients="$CLIENTS" 'NR > 1 { rate[$1] = $3 }
        END {
            if ("with-webhook" in rate)
                printf "accepted responses/s at %s clients: without webhooks %d, with a webhook on every response %d; ratio %.3f\n",
                    clients, rate["without"], rate["with-webhook"], rate["with-webhook"] / rate["without"]
            n = 0
            for (r = 1; ("with-rule-" r) in rate; r++) {
                w = rate["without-" r]; x = rate["with-rule-" r]
                ratio[++n] = x / w
                printf "round %d (%s first): accepted responses/s at %s clients without rules or webhooks %d, with an alert rule (nps <= 1) and its alert.fired webhook %d; ratio %.3f\n",
                    r, (r % 2 ? "without" : "with the rule"), clients, w, x, x / w
            }
            if (n > 0) {
                for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
                med = (n % 2) ? ratio[(n + 1) / 2] : (ratio[n / 2] + ratio[n / 2 + 1]) / 2
                printf "with the rule against without, %d rounds: median ratio %.3f (lowest %.3f, highest %.3f; target >= 0.90)\n", n, med, ratio[1], ratio[n]
            }
        }' "$WORK/ingest.tsv"
fi
exit $RC
