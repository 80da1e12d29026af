#!/usr/bin/env python3
"""Sends tracking calls through the official Segment library for Python
(segment-analytics-python), its host set to a Puls server, one at a time (sync mode).

Usage: segment_calls.py HOST WRITE_KEY < CALLS.json
CALLS is a JSON list of {"type": "identify", "userId", "traits", "context"} and
{"type": "track", "userId", "anonymousId", "event", "properties", "timestamp", "messageId"}
(timestamp RFC 3339). Exits 1 when the library reports an error.
"""
import json
import sys
from datetime import datetime

from segment.analytics import Client

host, write_key = sys.argv[1], sys.argv[2]
errors = []
client = Client(write_key=write_key, host=host, sync_mode=True, max_retries=2,
                on_error=lambda e, batch: errors.append(e))
for c in json.load(sys.stdin):
    ts = c.get("timestamp")
    ts = datetime.fromisoformat(ts.replace("Z", "+00:00")) if ts else None
    if c["type"] == "identify":
        client.identify(c.get("userId"), c.get("traits", {}), context=c.get("context"),
                        anonymous_id=c.get("anonymousId"), timestamp=ts,
                        message_id=c.get("messageId"))
    elif c["type"] == "track":
        client.track(c.get("userId"), c["event"], c.get("properties", {}),
                     anonymous_id=c.get("anonymousId"), timestamp=ts,
                     message_id=c.get("messageId"))
    else:
        raise SystemExit(f"unknown call type {c['type']}")
for e in errors:
    print("segment-analytics-python error:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
