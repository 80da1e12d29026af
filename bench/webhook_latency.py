"""Webhook latency against a running `puls serve`: the time from a response's 2xx to its
`response.completed` webhook's arrival at a local receiver, at a steady rate of responses.

    python3 bench/webhook_latency.py latency --url URL --key KEY --survey ID --rate 200 --seconds 20
    python3 bench/webhook_latency.py receive --key KEY --url URL   # a receiver only, until killed

`latency` starts its own receiver (standard library only), registers a webhook to it,
sends responses at `--rate` per second for `--seconds` (paced, from a pool of threads),
waits for every webhook, and prints the count and the p50, p90, p99 and maximum latency.
`receive` registers a webhook to a receiver and answers 200 to everything (the load for the
ingestion comparison); it prints the number of deliveries when it stops.
"""

import argparse
import json
import signal
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

arrivals = {}
deliveries = [0]
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        now = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            rid = json.loads(body)["data"]["id"]
        except (ValueError, KeyError, TypeError):
            rid = None
        with lock:
            deliveries[0] += 1
            if rid is not None and rid not in arrivals:
                arrivals[rid] = now
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def api(url, key, method, path, body=None):
    req = urllib.request.Request(
        url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def start_receiver(url, key):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = api(
        url,
        key,
        "POST",
        "/api/v1/webhooks",
        {"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "event_types": ["response.completed"]},
    )
    return server, hook["id"]


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-q * len(sorted_values) // 1)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency(args):
    start_receiver(args.url, args.key)
    total = int(args.rate * args.seconds)
    sent = {}
    errors = [0]
    t0 = time.time() + 0.5

    def send(i):
        due = t0 + i / args.rate
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        req = urllib.request.Request(
            f"{args.url}/api/v1/surveys/{args.survey}/responses",
            method="POST",
            data=json.dumps({"answers": {"nps": i % 11}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                rid = json.loads(resp.read())["id"]
                done = time.time()
            with lock:
                sent[rid] = done
        except Exception:  # counted and reported; a benchmark goes on
            with lock:
                errors[0] += 1

    with ThreadPoolExecutor(max_workers=64) as pool:
        list(pool.map(send, range(total)))
    elapsed = time.time() - t0
    deadline = time.time() + 60
    while time.time() < deadline:
        with lock:
            if all(rid in arrivals for rid in sent):
                break
        time.sleep(0.05)
    with lock:
        lat = sorted((arrivals[r] - t) * 1000 for r, t in sent.items() if r in arrivals)
        missing = sum(1 for r in sent if r not in arrivals)
    print(
        f"webhook latency at {args.rate} responses/s for {args.seconds} s "
        f"(sent {total} in {elapsed:.1f} s, {len(sent)} answered 2xx, {errors[0]} errors; "
        f"every response triggers the webhook)"
    )
    print(
        f"delivered {len(lat)}, missing {missing}; from 2xx to arrival: "
        f"p50 {percentile(lat, 0.5):.0f} ms, p90 {percentile(lat, 0.9):.0f} ms, "
        f"p99 {percentile(lat, 0.99):.0f} ms, max {lat[-1] if lat else float('nan'):.0f} ms"
    )
    return 0 if missing == 0 and errors[0] == 0 else 1


def receive(args):
    start_receiver(args.url, args.key)
    print("RECEIVING", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    with lock:
        print(f"the receiver got {deliveries[0]} deliveries ({len(arrivals)} responses)")
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("latency")
    lp.add_argument("--url", required=True)
    lp.add_argument("--key", required=True)
    lp.add_argument("--survey", required=True)
    lp.add_argument("--rate", type=float, default=200)
    lp.add_argument("--seconds", type=float, default=20)
    rp = sub.add_parser("receive")
    rp.add_argument("--url", required=True)
    rp.add_argument("--key", required=True)
    args = p.parse_args()
    return latency(args) if args.cmd == "latency" else receive(args)


if __name__ == "__main__":
    sys.exit(main())
