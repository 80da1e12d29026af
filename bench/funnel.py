#!/usr/bin/env python3
"""The funnel benchmark's measuring half (bench/funnel.sh drives it).

  puls     times GET /api/v1/journeys/{key}/funnel over HTTP (the first call separately: the
           server may still be building its index), reads the server's memory, saves the
           answer
  duckdb   loads the same events (exported from Puls's SQLite file as CSV) into DuckDB in
           memory, times the same funnel written as SQL, checks both agree stage by stage
           and prints the table with the ratio

The funnel's definition is Puls's (docs/journeys.md): a subject enters at its first
stage-1 event in [from, to); stage i is reached at the first stage-i event at or after the
stage before and at most the window after entry; times are nearest-rank median and p90.
The SQL below is a chain of joins taking min(ts) per stage, which is that definition.
"""
import argparse
import json
import statistics
import sys
import time
import urllib.error
import urllib.request

# The e-commerce template's stages used by the benchmark, and each one's matchers as SQL
# over (type, name, platform, rep): the same conditions as examples/ecommerce-journey.json.
STAGES = [
    ("information",
     "type = 'track' AND name = 'Product Viewed' AND platform IN ('web', 'app', 'social')"),
    ("consideration",
     "type = 'track' AND name IN ('Product Added', 'Product Added to Wishlist')"),
    ("purchase", "type = 'track' AND name = 'Order Completed' AND platform IN ('web', 'app')"),
    ("delivery", "type = 'track' AND name = 'Order Delivered'"),
    ("after-sales",
     "type = 'track' AND name IN ('Support Chat Started', 'Support Ticket Created')"),
    ("loyalty",
     "type = 'track' AND ((name = 'Order Completed' AND rep) OR name = 'Product Reviewed')"),
]


def fmt_ms(ms: int) -> str:
    t = time.gmtime(ms // 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{ms % 1000:03d}Z"


def rss_mib(pid: int) -> tuple[float, float, float]:
    """The server's resident memory now, its peak, and the anonymous part (the heap: without
    pages of the SQLite file the store maps, which the kernel can drop at will)."""
    cur = peak = anon = 0.0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    cur = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
                elif line.startswith("RssAnon:"):
                    anon = int(line.split()[1]) / 1024
    except OSError:
        pass
    return cur, peak, anon


def funnel_path(journey: str, start: int, end: int, window: int) -> str:
    stages = ",".join(s for s, _ in STAGES)
    return (f"/api/v1/journeys/{journey}/funnel?stages={stages}&from={fmt_ms(start)}"
            f"&to={fmt_ms(end)}&window_days={window}&compare=none")


def get(url: str, key: str, path: str, timeout: float) -> tuple[int, bytes, float]:
    req = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {key}"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    return status, body, time.perf_counter() - t0


def cmd_puls(a: argparse.Namespace) -> int:
    path = funnel_path(a.journey, a.start, a.end, a.window)
    status, body, first = get(a.url, a.key, path, 3600)
    if status != 200:
        print(f"GET {path} answered {status}: {body[:500]!r}", file=sys.stderr)
        return 1
    times = []
    for _ in range(a.runs):
        status, body, t = get(a.url, a.key, path, 600)
        if status != 200:
            print(f"GET {path} answered {status}", file=sys.stderr)
            return 1
        times.append(t)
    rss, peak, anon = rss_mib(a.pid)
    report = json.loads(body)
    rows = [r for r in report["rows"] if r["group"] is None]
    out = {
        "first_s": first,
        "times_s": times,
        "rss_mib": rss,
        "peak_mib": peak,
        "anon_mib": anon,
        "stages": [
            {"stage": r["stage"], "converted": r["converted"],
             "median_ms": None if r["median_time_to_convert_seconds"] is None
             else round(r["median_time_to_convert_seconds"] * 1000),
             "p90_ms": None if r["p90_time_to_convert_seconds"] is None
             else round(r["p90_time_to_convert_seconds"] * 1000)}
            for r in rows
        ],
    }
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    print(f"puls: first request {first:.2f} s (index build included), then median "
          f"{statistics.median(times) * 1000:.0f} ms over {len(times)} runs; RSS {rss:.0f} MiB "
          f"(peak {peak:.0f}; heap {anon:.0f}, the rest is the mapped SQLite file)")
    for s in out["stages"]:
        print(f"  {s['stage']:<14} {s['converted']:>10}  median {s['median_ms']}  p90 {s['p90_ms']}")
    return 0


def funnel_sql(start: int, end: int, window_ms: int) -> str:
    """The funnel as SQL over `events(subject, ts, type, name, platform, rep)`."""
    flags = ",\n  ".join(f"({cond}) AS b{i + 1}" for i, (_, cond) in enumerate(STAGES))
    parts = [f"e AS (SELECT subject, ts,\n  {flags}\n FROM events)",
             f"s1 AS (SELECT subject, min(ts) AS t1, min(ts) AS t FROM e "
             f"WHERE b1 AND ts >= {start} AND ts < {end} GROUP BY subject)"]
    for i in range(2, len(STAGES) + 1):
        parts.append(
            f"s{i} AS (SELECT s.subject, s.t1, min(e.ts) AS t FROM s{i - 1} s "
            f"JOIN e ON e.subject = s.subject AND e.b{i} AND e.ts >= s.t "
            f"AND e.ts <= s.t1 + {window_ms} GROUP BY s.subject, s.t1)")
    selects = []
    for i in range(1, len(STAGES) + 1):
        selects.append(
            f"SELECT {i} AS stage, count(*) AS converted, "
            f"list_sort(list(t - t1))[greatest(1, ceil(0.5 * count(*)))::BIGINT] AS median_ms, "
            f"list_sort(list(t - t1))[greatest(1, ceil(0.9 * count(*)))::BIGINT] AS p90_ms "
            f"FROM s{i}")
    return "WITH " + ",\n".join(parts) + "\n" + "\nUNION ALL\n".join(selects) + "\nORDER BY stage"


def cmd_duckdb(a: argparse.Namespace) -> int:
    import duckdb

    con = duckdb.connect(":memory:")
    if a.threads:
        con.execute(f"SET threads = {a.threads}")
    t0 = time.perf_counter()
    con.execute(f"""
        CREATE TABLE events AS
        SELECT subject, ts, type, name, platform, rep = 1 AS rep
        FROM read_csv('{a.csv}', header = false,
                      columns = {{'subject': 'VARCHAR', 'ts': 'BIGINT', 'type': 'VARCHAR',
                                 'name': 'VARCHAR', 'platform': 'VARCHAR', 'rep': 'INTEGER'}})
    """)
    rows = con.execute("SELECT count(*) FROM events").fetchone()[0]
    load_s = time.perf_counter() - t0
    sql = funnel_sql(a.start, a.end, a.window * 86_400_000)
    answer = con.execute(sql).fetchall()  # warm-up
    times = []
    for _ in range(a.runs):
        t = time.perf_counter()
        answer = con.execute(sql).fetchall()
        times.append(time.perf_counter() - t)
    duck = [{"stage": STAGES[s - 1][0], "converted": c,
             "median_ms": None if c == 0 or s == 1 else m,
             "p90_ms": None if c == 0 or s == 1 else p}
            for s, c, m, p in answer]
    with open(a.puls) as f:
        puls = json.load(f)
    agree = True
    print()
    print(f"{'stage':<14} {'Puls':>10} {'DuckDB':>10} {'median s (P/D)':>22} {'p90 s (P/D)':>22}")
    for p, d in zip(puls["stages"], duck):
        pm = p["median_ms"] if p["stage"] != "information" else None
        pp = p["p90_ms"] if p["stage"] != "information" else None
        same = p["converted"] == d["converted"] and pm == d["median_ms"] and pp == d["p90_ms"]
        agree &= same
        sec = lambda x: "–" if x is None else f"{x / 1000:.0f}"
        print(f"{p['stage']:<14} {p['converted']:>10} {d['converted']:>10} "
              f"{sec(pm) + ' / ' + sec(d['median_ms']):>22} {sec(pp) + ' / ' + sec(d['p90_ms']):>22}"
              f"{'' if same else '   MISMATCH'}")
    pm, dm = statistics.median(puls["times_s"]), statistics.median(times)
    print()
    print(f"events: {rows} rows in DuckDB (loaded from CSV in {load_s:.1f} s)")
    print(f"Puls   funnel: median {pm * 1000:8.0f} ms over {len(puls['times_s'])} runs "
          f"(first request {puls['first_s']:.1f} s), server RSS {puls['rss_mib']:.0f} MiB "
          f"(heap {puls.get('anon_mib', 0):.0f} MiB)")
    print(f"DuckDB funnel: median {dm * 1000:8.0f} ms over {len(times)} runs "
          f"({duckdb.__version__}, {a.threads or 'all'} threads)")
    print(f"DuckDB / Puls: {dm / pm:.1f}x")
    for note in a.note or []:
        print(f"note: {note}")
    print(f"targets: Puls under 2 s: {'met' if pm < 2 else 'NOT met'}; "
          f"not slower than DuckDB: {'met' if pm <= dm else 'NOT met'}; "
          f"answers agree: {'yes' if agree else 'NO'}")
    return 0 if agree else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("puls")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--journey", default="eshop")
    p.add_argument("--start", type=int, required=True)
    p.add_argument("--end", type=int, required=True)
    p.add_argument("--window", type=int, default=30)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--out", required=True)
    d = sub.add_parser("duckdb")
    d.add_argument("--csv", required=True)
    d.add_argument("--puls", required=True)
    d.add_argument("--start", type=int, required=True)
    d.add_argument("--end", type=int, required=True)
    d.add_argument("--window", type=int, default=30)
    d.add_argument("--runs", type=int, default=7)
    d.add_argument("--threads", type=int, default=0)
    d.add_argument("--note", action="append")
    a = ap.parse_args()
    return cmd_puls(a) if a.cmd == "puls" else cmd_duckdb(a)


if __name__ == "__main__":
    sys.exit(main())
