#!/usr/bin/env python3
"""Sends identify, track, page, screen, group and alias calls through the official Segment
library for Python (segment-analytics-python), its host set to a Puls server.

Usage: segment_python.py HOST WRITE_KEY PREFIX [--no-gzip] [--sync]
Exits 1 when the library reports an error.
"""
import argparse
import sys
from datetime import datetime, timezone

from segment.analytics import Client

ap = argparse.ArgumentParser()
ap.add_argument("host")
ap.add_argument("write_key")
ap.add_argument("prefix", help="user ids are PREFIX-1, PREFIX-2; the anonymous id PREFIX-anon")
ap.add_argument("--no-gzip", dest="gzip", action="store_false")
ap.add_argument("--sync", action="store_true")
a = ap.parse_args()

errors = []
client = Client(
    write_key=a.write_key, host=a.host, gzip=a.gzip, sync_mode=a.sync, max_retries=2,
    upload_interval=1.0, upload_size=100,
    on_error=lambda e, batch: errors.append(e),
)
p = a.prefix
client.identify(f"{p}-1", {"email": f"{p}@example.com", "name": "Ala Kowalska", "plan": "pro",
                           "age": 34, "vip": True, "city": "Łódź",
                           "created_at": datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)})
client.track(f"{p}-1", "Order Completed", {"revenue": 129.5, "currency": "PLN", "platform": "web"},
             timestamp=datetime(2026, 11, 20, 9, 15, tzinfo=timezone.utc))
client.page(anonymous_id=f"{p}-anon", name="Checkout", category="Shop",
            properties={"path": "/checkout"})
client.track(anonymous_id=f"{p}-anon", event="Product Viewed", properties={"platform": "web"})
client.identify(f"{p}-2", {"email": f"{p}-2@example.com"}, anonymous_id=f"{p}-anon")
client.screen(f"{p}-2", name="Home", category="App")
client.group(f"{p}-2", "g-1", {"name": "Acme Sp. z o.o."})
client.alias(f"{p}-anon", f"{p}-2")
if not a.sync:
    client.flush()
    client.join()
for e in errors:
    print("segment-analytics-python error:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
