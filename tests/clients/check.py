#!/usr/bin/env python3
"""Checks what the official libraries sent, through Puls's own API.

Usage: check.py URL API_KEY PREFIX...  Each prefix's eight calls must be stored once each,
its identify must have made the contact PREFIX-1 with typed traits, and its anonymous
visitor must be tied to PREFIX-2.
"""
import json
import sys
import urllib.request

url, key, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]


def get(path):
    req = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


failures = []
events = get("/api/v1/events?limit=1000")["items"]
for p in prefixes:
    mine = [e for e in events
            if (e.get("userId") or "").startswith(p) or (e.get("anonymousId") or "").startswith(p)]
    kinds = sorted(e["type"] for e in mine)
    want = sorted(["identify", "identify", "track", "track", "page", "screen", "group", "alias"])
    if kinds != want:
        failures.append(f"{p}: stored {kinds}, expected {want}")
    order = [e for e in mine if e["name"] == "Order Completed"]
    if not order or order[0]["timestamp"][:16] != "2026-11-20T09:15":
        failures.append(f"{p}: the order's timestamp was not kept: {order}")
    contacts = get(f"/api/v1/contacts?external_id={p}-1")["items"]
    c = contacts[0] if contacts else {}
    a = c.get("attributes", {})
    if (c.get("email"), c.get("name"), a.get("age"), a.get("vip"), a.get("city"), a.get("created_at")) != (
            f"{p}@example.com", "Ala Kowalska", 34, True, "Łódź", "2024-01-15T10:30:00.000Z"):
        failures.append(f"{p}: contact {p}-1 is {c}")
    two = get(f"/api/v1/contacts?external_id={p}-2")["items"]
    timeline = get(f"/api/v1/contacts/{two[0]['id']}/events")["items"] if two else []
    if not any(e["type"] == "page" for e in timeline):
        failures.append(f"{p}: the anonymous page view is not {p}-2's: {timeline}")
for f in failures:
    print("FAIL", f, file=sys.stderr)
print(f"checked {len(prefixes)} client run(s): {'OK' if not failures else 'FAILED'}")
sys.exit(1 if failures else 0)
