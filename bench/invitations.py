#!/usr/bin/env python3
"""Sends a survey by e-mail to every contact of a workspace and measures it (issue 15).

Usage: python3 bench/invitations.py sink PORT
           runs the SMTP sink (Debian's aiosmtpd) on 127.0.0.1:PORT, counting messages; the
           count is written to PORT.count in the working directory every 0.2 s.
       python3 bench/invitations.py send --url URL --key KEY --survey ID --count-file F
           creates the distribution (audience: all), prints how long queueing took, then
           follows the distribution's counts until nothing is queued, printing the rate of
           messages sent per second, and checks the sink received as many.

The sink accepts every message and keeps nothing; it is the receiving side of a local
relay, so what is measured is Puls's sending.
"""

import argparse
import json
import sys
import threading
import time
import urllib.request


def sink(port: int) -> None:
    from aiosmtpd.controller import Controller

    count = [0]
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with lock:
                count[0] += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    path = f"{port}.count"
    while True:
        with open(path + ".tmp", "w") as f:
            f.write(str(count[0]))
        import os

        os.replace(path + ".tmp", path)
        time.sleep(0.2)


def call(url: str, key: str, method: str = "GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.load(r)


def read_count(path: str) -> int:
    try:
        with open(path) as f:
            return int(f.read().strip() or 0)
    except FileNotFoundError:
        return 0


def send(a) -> int:
    start = time.monotonic()
    d = call(
        f"{a.url}/api/v1/surveys/{a.survey}/distributions",
        a.key,
        "POST",
        {"name": "Benchmark", "audience": {"all": True}, "embed_first_question": a.embed},
    )
    queued_s = time.monotonic() - start
    c = d["counts"]
    print(
        f"queued {c['queued']} invitations of {c['recipients']} contacts in {queued_s:.2f} s "
        f"({c['recipients'] / queued_s:.0f} contacts/s; skipped {c['skipped']}); "
        f"target < 10 s for 100,000: {'met' if queued_s < 10 else 'NOT met'}"
    )
    total = c["queued"]
    first_at = None
    samples = []
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        time.sleep(1)
        d = call(f"{a.url}/api/v1/distributions/{d['id']}", a.key)
        c = d["counts"]
        done = c["sent"] + c["failed"] + c["bounced"] + c["suppressed"] + sum(
            v for k, v in c["skipped"].items() if k not in ("no_address", "consent_withdrawn", "duplicate_address")
        )
        now = time.monotonic()
        if first_at is None and c["sent"] > 0:
            first_at = now
        samples.append((now, c["sent"]))
        if c["queued"] == 0:
            break
    sent = samples[-1][1] if samples else 0
    elapsed = samples[-1][0] - start if samples else 0.0
    # The steady rate: between the samples at 10 % and 90 % of the messages.
    lo = next((s for s in samples if s[1] >= 0.1 * total), None)
    hi = next((s for s in samples if s[1] >= 0.9 * total), None)
    steady = (hi[1] - lo[1]) / (hi[0] - lo[0]) if lo and hi and hi[0] > lo[0] else float("nan")
    time.sleep(1)
    received = read_count(a.count_file)
    print(
        f"sent {sent} of {total} in {elapsed:.1f} s from the request: "
        f"{sent / max(elapsed, 1e-9):.0f} messages/s overall, {steady:.0f} messages/s steady "
        f"(10 %-90 %); target >= 200/s: {'met' if steady >= 200 else 'NOT met'}; "
        f"the SMTP sink received {received}; failed {c['failed']}"
    )
    return 0 if sent == total and received >= sent else 1


def main() -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sink")
    s.add_argument("port", type=int)
    s2 = sub.add_parser("send")
    s2.add_argument("--url", required=True)
    s2.add_argument("--key", required=True)
    s2.add_argument("--survey", required=True)
    s2.add_argument("--count-file", required=True)
    s2.add_argument("--embed", action="store_true")
    s2.add_argument("--timeout", type=float, default=1800)
    a = p.parse_args()
    if a.cmd == "sink":
        sink(a.port)
        return 0
    return send(a)


if __name__ == "__main__":
    sys.exit(main())
