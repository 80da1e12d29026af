"""Webhook latency against a running `puls serve`: the time from a response's 2xx to its
webhook's arrival at a local receiver, at a steady rate of responses.

    python3 bench/webhook_latency.py latency --url URL --key KEY --survey ID --rate 200 --seconds 20
    python3 bench/webhook_latency.py latency --rule ...   # 20 % trigger an alert rule
    python3 bench/webhook_latency.py receive --key KEY --url URL [--rule --survey ID]
    python3 bench/webhook_latency.py cases --key KEY --url URL [--drain --timeout 300]

`latency` starts its own receiver (standard library only), registers a webhook to it,
sends responses at `--rate` per second for `--seconds` (paced, from a pool of threads),
waits for every webhook, and prints the count and the p50, p90, p99 and maximum latency.
Without `--rule` the webhook takes `response.completed` and every response triggers it
(NPS 0-10 in turn). With `--rule` the webhook takes `alert.fired` only, the alert rule
`RULE` (NPS at most 1: a case and an `alert.fired` webhook) is created, and every fifth
response is a detractor scoring 0 or 1 while the others score 7-10: 20 % trigger the rule.
Only triggering responses are timed (to their `alert.fired`, matched by
`data.response_id`); it then reads the cases through the API and checks there is one per
triggering response.

`receive` registers a webhook to a receiver and answers 200 to everything (the load for the
ingestion comparison); with `--rule` the webhook takes `alert.fired` only and the rule is
created. It prints the deliveries by type when it stops.

`cases` counts the workspace's cases through the API (`GET /api/v1/cases`, every page) and
prints the count. With `--drain` it waits, at most `--timeout` seconds, until the outbox
worker is done: no job pending (`GET /api/v1/outbox?state=pending`) and no new case for
`--settle` seconds; it prints `COUNT LAST_CASE LAST_JOB STATE`: the cases, the seconds from
its start to the last change of the count and to the last pending job it saw, and
`drained` or `not-drained`.
"""

import argparse
import json
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The rule the `--rule` modes create: detractors scoring 0 or 1 open a case and fire
# `alert.fired`. `puls-bench ingest` sends NPS 0-10 uniformly, so 2 of 11 (18.2 %) of its
# responses match; `latency --rule` sends 0 or 1 on every fifth response (20 %).
RULE_AT_MOST = 1


def rule(survey):
    return {
        "key": "bench-detractors",
        "name": "Detractors (benchmark)",
        "survey": survey,
        "conditions": [{"score": {"metric": "nps", "at_most": RULE_AT_MOST}}],
        "actions": {"case": {"priority": "high", "link_within_days": 0}, "webhook": True},
    }


# arrivals[event type][response id] = first arrival time
arrivals = {}
deliveries = Counter()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        now = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            msg = json.loads(body)
            kind = msg.get("type") or "?"
            data = msg["data"]
            rid = data["response_id"] if kind == "alert.fired" else data["id"]
        except (ValueError, KeyError, TypeError, AttributeError):
            kind, rid = "unreadable", None
        with lock:
            deliveries[kind] += 1
            seen = arrivals.setdefault(kind, {})
            if rid is not None and rid not in seen:
                seen[rid] = now
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
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")[:500]
        raise SystemExit(f"{method} {path}: HTTP {e.code}: {detail}") from None


def start_receiver(url, key, event_type):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = api(
        url,
        key,
        "POST",
        "/api/v1/webhooks",
        {"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "event_types": [event_type]},
    )
    return server, hook["id"]


def create_rule(url, key, survey):
    api(url, key, "POST", "/api/v1/alert-rules", rule(survey))


def list_cases(url, key):
    """Every case of the workspace, through the API, page by page."""
    items, cursor = [], None
    while True:
        q = {"limit": "500"}
        if cursor:
            q["cursor"] = cursor
        page = api(url, key, "GET", "/api/v1/cases?" + urllib.parse.urlencode(q))
        items.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-q * len(sorted_values) // 1)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def score(i, with_rule):
    """The NPS of response number i."""
    if not with_rule:
        return i % 11
    if i % 5 == 0:
        return (i // 5) % 2  # a detractor: 0 or 1, at most RULE_AT_MOST
    return 7 + i % 4  # 7-10


def latency(args):
    event = "alert.fired" if args.rule else "response.completed"
    start_receiver(args.url, args.key, event)
    if args.rule:
        create_rule(args.url, args.key, args.survey)
    total = int(args.rate * args.seconds)
    sent = {}  # response id -> (2xx time, nps)
    errors = [0]
    t0 = time.time() + 0.5

    def send(i):
        due = t0 + i / args.rate
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        nps = score(i, args.rule)
        req = urllib.request.Request(
            f"{args.url}/api/v1/surveys/{args.survey}/responses",
            method="POST",
            data=json.dumps({"answers": {"nps": nps}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                rid = json.loads(resp.read())["id"]
                done = time.time()
            with lock:
                sent[rid] = (done, nps)
        except Exception:  # counted and reported; a benchmark goes on
            with lock:
                errors[0] += 1

    with ThreadPoolExecutor(max_workers=64) as pool:
        list(pool.map(send, range(total)))
    elapsed = time.time() - t0
    triggering = {r: t for r, (t, nps) in sent.items() if not args.rule or nps <= RULE_AT_MOST}
    deadline = time.time() + 60
    while time.time() < deadline:
        with lock:
            got = arrivals.get(event, {})
            if all(rid in got for rid in triggering):
                break
        time.sleep(0.05)
    if args.rule:
        time.sleep(1)  # time for an alert that should not come to arrive
    with lock:
        got = dict(arrivals.get(event, {}))
    lat = sorted((got[r] - t) * 1000 for r, t in triggering.items() if r in got)
    missing = sum(1 for r in triggering if r not in got)
    unexpected = sum(1 for r in got if r not in triggering)
    share = 100 * len(triggering) / len(sent) if sent else float("nan")
    ok = missing == 0 and errors[0] == 0 and unexpected == 0
    if not args.rule:
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
        return 0 if ok else 1
    print(
        f"alert.fired latency at {args.rate} responses/s for {args.seconds} s "
        f"(sent {total} in {elapsed:.1f} s, {len(sent)} answered 2xx, {errors[0]} errors; "
        f"{len(triggering)} triggering the rule nps <= {RULE_AT_MOST}: {share:.1f} %)"
    )
    print(
        f"alert.fired delivered {len(lat)}, missing {missing}, unexpected {unexpected}; "
        f"from 2xx to arrival: "
        f"p50 {percentile(lat, 0.5):.0f} ms, p90 {percentile(lat, 0.9):.0f} ms, "
        f"p99 {percentile(lat, 0.99):.0f} ms, max {lat[-1] if lat else float('nan'):.0f} ms"
    )
    # A case is stored in the same dispatch pass as its alert.fired job, just after it.
    deadline = time.time() + 30
    while True:
        cases = list_cases(args.url, args.key)
        if len(cases) >= len(triggering) or time.time() > deadline:
            break
        time.sleep(0.5)
    of_cases = Counter(c.get("response_id") for c in cases)
    for_triggering = sum(1 for r in triggering if of_cases.get(r) == 1)
    verdict = "OK" if len(cases) == len(triggering) == for_triggering else "MISMATCH"
    print(
        f"cases opened (read through the API): {len(cases)}, for triggering responses "
        f"{for_triggering}, triggering responses {len(triggering)}: {verdict}"
    )
    return 0 if ok and verdict == "OK" else 1


def receive(args):
    start_receiver(args.url, args.key, "alert.fired" if args.rule else "response.completed")
    if args.rule:
        create_rule(args.url, args.key, args.survey)
    print("RECEIVING", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    with lock:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(deliveries.items())) or "none"
        responses = len(set().union(*arrivals.values())) if arrivals else 0
    print(
        f"the receiver got {sum(deliveries.values())} deliveries ({kinds}; "
        f"{responses} responses)"
    )
    return 0


def pending_jobs(url, key):
    """Whether the outbox has a job waiting to be sent."""
    return bool(api(url, key, "GET", "/api/v1/outbox?state=pending&limit=1")["items"])


def cases(args):
    start = time.time()
    count = len(list_cases(args.url, args.key))
    if not args.drain:
        print(count)
        return 0
    # The outbox worker reads the feed, opens cases and queues their alert.fired, then
    # delivers everything due before it reads the feed again: it is done when no job is
    # pending and no case has been opened for `--settle` seconds.
    last_case = last_job = start
    drained = False
    while time.time() - start < args.timeout:
        time.sleep(1)
        n = len(list_cases(args.url, args.key))
        now = time.time()
        if n != count:
            count, last_case = n, now
        if pending_jobs(args.url, args.key):
            last_job = now
        if now - max(last_case, last_job) >= args.settle:
            drained = True
            break
    print(
        f"{count} {last_case - start:.1f} {last_job - start:.1f} "
        f"{'drained' if drained else 'not-drained'}"
    )
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
    lp.add_argument("--rule", action="store_true", help="time alert.fired of a 20 %% rule")
    rp = sub.add_parser("receive")
    rp.add_argument("--url", required=True)
    rp.add_argument("--key", required=True)
    rp.add_argument("--rule", action="store_true", help="alert.fired of the rule only")
    rp.add_argument("--survey", default="checkout-nps")
    cp = sub.add_parser("cases")
    cp.add_argument("--url", required=True)
    cp.add_argument("--key", required=True)
    cp.add_argument("--drain", action="store_true", help="wait for the outbox to finish")
    cp.add_argument("--settle", type=float, default=5)
    cp.add_argument("--timeout", type=float, default=300)
    args = p.parse_args()
    return {"latency": latency, "receive": receive, "cases": cases}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
