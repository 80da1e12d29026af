#!/usr/bin/env bash
# Fuzzes the HTTP API from its own OpenAPI document with schemathesis (PyPI): a demo-seeded
# `puls serve` over a fresh SQLite database must answer every generated request without a
# server error, with a status the document lists for the operation, and with a body that
# conforms to the document's schema for that status. Exits non-zero on any failure.
#
# Usage (from the repository root): bash tests/fuzz/run.sh
# PULS_FUZZ_EXAMPLES (default 25) bounds the examples per operation and phase;
# PULS_FUZZ_SEED (default 20261204) fixes the generator, so a run can be repeated.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=../../bench/lib.sh
source bench/lib.sh
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-fuzz.XXXXXX")
SERVER_PID=""
cleanup() {
    local rc=$?
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT

VENV="$TARGET/schemathesis/venv"
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q '4\.32\.'; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi

cargo build --quiet -p puls
BIN="$TARGET/debug/puls"
: >"$WORK/puls.toml"
DB="sqlite://$WORK/puls.db"
export PULS_RATE_LIMIT__PER_SECOND=0 PULS_LOG=warn
puls() { "$BIN" --config "$WORK/puls.toml" --db "$DB" "$@"; }
puls demo --responses 2000 --no-key >/dev/null
PULS_API_KEY=$(puls apikey create --workspace demo 2>/dev/null | tail -n 1)
PULS_WRITE_KEY=$(puls writekey create --workspace demo 2>/dev/null | tail -n 1)
start_server "$DB" "$WORK/serve.log" 60

first_id() {
    curl -fsS -H "Authorization: Bearer $PULS_API_KEY" "$URL/api/v1/$1?limit=1" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])'
}
PULS_RESPONSE_ID=$(first_id responses)
PULS_CONTACT_ID=$(first_id contacts)
export PULS_API_KEY PULS_WRITE_KEY PULS_RESPONSE_ID PULS_CONTACT_ID

"$VENV/bin/schemathesis" --no-color --config-file tests/fuzz/schemathesis.toml run \
    "$URL/api/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
    --max-examples "${PULS_FUZZ_EXAMPLES:-25}" \
    --seed "${PULS_FUZZ_SEED:-20261204}" \
    --workers 1
