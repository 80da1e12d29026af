#!/usr/bin/env bash
# The official Segment libraries for Python and Node.js, their host set to a running Puls,
# deliver identify/track/page/screen/group/alias unchanged (Python with and without gzip,
# batched and one call at a time). Installs the libraries from PyPI and npm into target/,
# starts `puls serve` over a fresh SQLite database, sends, then checks through Puls's API.
#
# Usage (from the repository root): bash tests/clients/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/puls-clients.XXXXXX")
SERVER_PID=""
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

VENV="$TARGET/segment-clients/venv"
NODE_DIR="$TARGET/segment-clients/node"
if ! "$VENV/bin/python" -c 'import segment.analytics' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'segment-analytics-python==2.4.0'
fi
if [[ ! -d "$NODE_DIR/node_modules/@segment/analytics-node" ]]; then
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && npm install --silent --no-audit --no-fund '@segment/analytics-node@3.1.0' >/dev/null)
fi
cp tests/clients/segment_node.mjs "$NODE_DIR/"

cargo build --quiet -p puls
BIN="$TARGET/debug/puls"
: >"$WORK/puls.toml"
DB="sqlite://$WORK/puls.db"
export PULS_RATE_LIMIT__PER_SECOND=0 PULS_LOG=warn
WK=$("$BIN" --config "$WORK/puls.toml" --db "$DB" writekey create --workspace clients 2>/dev/null | tail -n 1)
KEY=$("$BIN" --config "$WORK/puls.toml" --db "$DB" apikey create --workspace clients 2>/dev/null | tail -n 1)
"$BIN" --config "$WORK/puls.toml" --db "$DB" serve --listen 127.0.0.1:0 2>"$WORK/serve.log" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 300); do
    URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.log" | head -n 1 || true)
    [[ -n "$URL" ]] && curl -fsS "$URL/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
[[ -n "$URL" ]] || { cat "$WORK/serve.log" >&2; exit 1; }

echo "segment-analytics-python $("$VENV/bin/python" -c 'import segment.analytics as a; print(a.VERSION)'), @segment/analytics-node $(node -p "require('$NODE_DIR/node_modules/@segment/analytics-node/package.json').version") -> $URL"
"$VENV/bin/python" tests/clients/segment_python.py "$URL" "$WK" py-gzip
"$VENV/bin/python" tests/clients/segment_python.py "$URL" "$WK" py-plain --no-gzip --sync
node "$NODE_DIR/segment_node.mjs" "$URL" "$WK" node
python3 tests/clients/check.py "$URL" "$KEY" py-gzip py-plain node
