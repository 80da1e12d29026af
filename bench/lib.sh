# Shared by the benchmark scripts; sourced, not run.

# Stops the server start_server started, if it runs.
stop_server() {
    if [[ -n "${SERVER_PID:-}" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}

# On exit: stop the server and remove $WORK (kept with PULS_BENCH_KEEP=1).
bench_cleanup() {
    local rc=$?
    stop_server
    if [[ "${PULS_BENCH_KEEP:-0}" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
    exit $rc
}

# Stops and cleans up however the script ends.
bench_traps() {
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# Starts `$BIN serve` over database $1 on a free loopback port (the kernel picks it), with
# the rate limit off, logging to $2; waits up to $3 seconds for /healthz; sets SERVER_PID
# and URL. Needs BIN and WORK (whose puls.toml is the config).
start_server() {
    local db=$1 log=$2 wait_s=${3:-30}
    PULS_RATE_LIMIT__PER_SECOND=0 PULS_LOG=warn \
        "$BIN" --config "$WORK/puls.toml" --db "$db" serve --listen 127.0.0.1:0 2>"$log" &
    SERVER_PID=$!
    URL=""
    for _ in $(seq 1 $((wait_s * 10))); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "the server exited:" >&2
            cat "$log" >&2
            SERVER_PID=""
            return 1
        fi
        URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)
        if [[ -n "$URL" ]] && curl -fsS "$URL/healthz" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "the server did not become healthy within $wait_s s:" >&2
    cat "$log" >&2
    return 1
}
