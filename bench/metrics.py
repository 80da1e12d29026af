#!/usr/bin/env python3
"""Helper of bench/metrics.sh: times Puls's analytics API and the same analyses in DuckDB.

Subcommands (the shell script runs them in this order; see bench/README.md):

  window   prints the benchmark's date range: FROM (today - 365 days) and TO (today), local
           dates in the time zone, TO exclusive.
  puls     times the analytics endpoints of a running `puls serve` over HTTP and saves the
           timings, the answers and the server's memory to a JSON file.
  export   flattens the responses of a Puls SQLite database into a Parquet file (one row per
           response) plus a small JSON file describing the columns.
  duckdb   loads the Parquet file into an in-memory DuckDB table, times the same analyses
           there, checks them against Puls's answers and prints the comparison table.

Only the standard library, DuckDB and numpy are used; DuckDB is told never to install or
load an extension by itself, and time zones come from its built-in ICU extension.

Exit status of `duckdb`: 0 when every query was timed on both sides and agreed, 1 when
any answer disagreed (the script prints the differences loudly), 2 when the Puls side
could not be measured (an endpoint missing or failing) but nothing disagreed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import json
import math
import multiprocessing
import os
import resource
import socket
import sqlite3
import sys
import time
import urllib.parse
from itertools import combinations
from statistics import NormalDist
from zoneinfo import ZoneInfo

# ----------------------------------------------------------------------------------------
# What is measured. Both sides run exactly these.

METRICS = ("nps", "csat", "ces")
DRIVER_SURVEY = "delivery-csat"
DRIVER_OUTCOME = "csat"
DRIVERS = ("aspects.speed", "aspects.packaging", "aspects.courier", "aspects.tracking")
KANO_SURVEY = "features-kano"


def metric_path(metric: str, start: str, end: str, tz: str) -> str:
    query = urllib.parse.urlencode(
        {
            "metric": metric,
            "by": "week,touchpoint",
            "from": start,
            "to": end,
            "tz": tz,
            "compare": "previous",
        }
    )
    return f"/api/v1/metrics?{query}"


def queries(start: str, end: str, tz: str) -> list[tuple[str, str]]:
    """(name, Puls path) of every timed query, in table order."""
    out = [(f"{m.upper()} by week x touchpoint", metric_path(m, start, end, tz)) for m in METRICS]
    # The same period for drivers and Kano: without one Puls takes its default (the last 30
    # days before the request), which the DuckDB side could not reproduce exactly.
    period = {"from": start, "to": end, "tz": tz}
    drivers = urllib.parse.urlencode(
        {
            "survey": DRIVER_SURVEY,
            "outcome": DRIVER_OUTCOME,
            "drivers": ",".join(DRIVERS),
            **period,
        },
        safe=",",
    )
    out.append((f"drivers {DRIVER_SURVEY}", f"/api/v1/drivers?{drivers}"))
    kano = urllib.parse.urlencode(period)
    out.append((f"Kano {KANO_SURVEY}", f"/api/v1/surveys/{KANO_SURVEY}/kano?{kano}"))
    return out


# ----------------------------------------------------------------------------------------
# Dates.


def local_midnight_ms(day: dt.date, tz: str) -> int:
    """The first instant of a local date, in Unix ms."""
    local = dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
    return int(local.timestamp() * 1000)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def cmd_window(args: argparse.Namespace) -> int:
    today = dt.datetime.now(ZoneInfo(args.tz)).date()
    print((today - dt.timedelta(days=365)).isoformat(), today.isoformat())
    return 0


# ----------------------------------------------------------------------------------------
# Timing helpers.


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (of 9 runs, p95 is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# ----------------------------------------------------------------------------------------
# The Puls side: HTTP.


class Http:
    """One keep-alive connection to the server."""

    def __init__(self, url: str, key: str):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str, timeout: float) -> tuple[int, bytes, float]:
        """(status, body, milliseconds from sending the request to the last byte)."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
                self.conn.connect()
                # Small requests go out at once rather than waiting on Nagle's algorithm.
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conn.sock.settimeout(timeout)
            try:
                start = time.perf_counter()
                self.conn.request("GET", path, headers=self.headers)
                resp = self.conn.getresponse()
                body = resp.read()
                ms = (time.perf_counter() - start) * 1000
                if resp.getheader("connection", "").lower() == "close":
                    self.close()
                return resp.status, body, ms
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed meanwhile: retry once, fresh.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def describe_failure(status: int, body: bytes) -> str:
    """A one-line reason for a non-200 answer; an unknown route says 'endpoint missing'."""
    try:
        err = json.loads(body)
    except ValueError:
        err = None
    # Puls answers {"error": {"code": ..., "message": ..., "details": [...]}}.
    if isinstance(err, dict) and isinstance(err.get("error"), dict):
        err = err["error"]
    code = err.get("code") if isinstance(err, dict) else None
    message = err.get("message") if isinstance(err, dict) else None
    if status == 404 and (err is None or message == "route not found"):
        return "endpoint missing (HTTP 404: this server has no such route)"
    if status == 401:
        return "HTTP 401: the API key was refused"
    text = f"{code}: {message}" if code else body[:200].decode("utf-8", "replace")
    return f"HTTP {status} {text}"


def read_proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB (empty if it is gone)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    out[name] = int(value.split()[0])
    except OSError:
        pass
    return out


def cmd_puls(args: argparse.Namespace) -> int:
    http_ = Http(args.url, args.key)
    result: dict = {
        "url": args.url,
        "from": args.start,
        "to": args.end,
        "tz": args.tz,
        "runs": args.runs,
        "index_load_ms": None,
        "queries": {},
    }
    plan = queries(args.start, args.end, args.tz)

    # The first analytics request makes the server build its in-memory index from the
    # database; it is timed on its own.
    name0, path0 = plan[0]
    print(f"first request (loads the server's index): {name0} ...", flush=True)
    started = time.perf_counter()
    try:
        status, body, ms = http_.get(path0, timeout=args.load_timeout)
        # A server that loads in the background may answer 503 meanwhile: ask again until
        # it answers, and count the whole wait as the load.
        while status == 503 and time.perf_counter() - started < args.load_timeout:
            time.sleep(0.2)
            status, body, ms = http_.get(path0, timeout=args.load_timeout)
        ms = (time.perf_counter() - started) * 1000
    except (OSError, http.client.HTTPException) as e:
        print(f"  failed: {e}", flush=True)
        status, body, ms = 0, str(e).encode(), None
        http_.close()
    if status == 200:
        result["index_load_ms"] = ms
        print(f"  {ms / 1000:.2f} s", flush=True)
    elif status:
        print(f"  {describe_failure(status, body)}", flush=True)

    for name, path in plan:
        entry = {"path": path, "times_ms": [], "error": None, "answer": None}
        result["queries"][name] = entry
        try:
            # One warm-up, then the timed runs; the first failure ends the query.
            for run in range(args.runs + 1):
                status, body, ms = http_.get(path, timeout=args.timeout)
                if status != 200:
                    entry["error"] = describe_failure(status, body)
                    break
                if run > 0:
                    entry["times_ms"].append(ms)
            if entry["error"] is None:
                entry["answer"] = json.loads(body)
        except (OSError, http.client.HTTPException, ValueError) as e:
            entry["error"] = f"request failed: {e}"
            http_.close()
        if entry["error"]:
            print(f"  {name}: {entry['error']}", flush=True)
        else:
            t = entry["times_ms"]
            print(
                f"  {name}: median {median(t):.2f} ms, p95 {percentile(t, 0.95):.2f} ms",
                flush=True,
            )
    http_.close()
    result["memory_kib"] = read_proc_status(args.pid) if args.pid else {}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


# ----------------------------------------------------------------------------------------
# Export: SQLite -> Parquet, one row per response.

BASE_COLUMNS = [
    ("created_at", "BIGINT"),  # Unix ms, as Puls stores it
    ("survey", "VARCHAR"),
    ("touchpoint", "VARCHAR"),
    ("channel", "VARCHAR"),
    ("locale", "VARCHAR"),
    ("completed", "BOOLEAN"),
]


def export_spec(db: sqlite3.Connection) -> dict:
    """Which answers become which columns, from the surveys' current definitions.

    - `nps`, `csat`, `ces`: the answer to the survey's first question of that type, as Puls
      picks a metric's question when the request names none (demo: NPS from `nps` in five
      surveys; CSAT from `csat` in delivery-csat and returns-feedback and from `agent` in
      support-ces; CES from `ces` in support-ces and returns-feedback); NULL where a survey
      has no such question.
    - `<matrix>.<row>` (e.g. `aspects.speed`): each matrix row's score.
    - `<kano>.functional`, `<kano>.dysfunctional` (e.g. `same_day.functional`): Kano pairs.
    """
    metrics: dict[str, list[str]] = {m: [] for m in METRICS}
    matrix: dict[str, list] = {}
    kano: dict[str, list[str]] = {}
    per_survey: dict[str, dict] = {}
    rows = db.execute(
        "SELECT s.id, v.definition FROM surveys s JOIN survey_versions v "
        "ON v.survey_id = s.id AND v.version = s.current_version ORDER BY s.id"
    )
    for survey, definition in rows:
        d = json.loads(definition)
        spec = per_survey.setdefault(survey, {"metrics": {}, "matrix": {}, "kano": []})
        for q in d.get("questions", []):
            qid, kind = q.get("id"), q.get("type")
            if kind in METRICS and kind not in spec["metrics"]:
                spec["metrics"][kind] = qid
                metrics[kind].append(f"{survey}:{qid}")
            elif kind == "matrix":
                ids = [r["id"] for r in q.get("rows", [])]
                spec["matrix"][qid] = ids
                for r in ids:
                    matrix[f"{qid}.{r}"] = [q.get("min"), q.get("max")]
            elif kind == "kano" and qid not in spec["kano"]:
                spec["kano"].append(qid)
                kano.setdefault(survey, []).append(qid)
    columns = list(BASE_COLUMNS) + [(m, "TINYINT") for m in METRICS]
    columns += [(c, "TINYINT") for c in sorted(matrix)]
    kano_columns = sorted(
        {
            f"{q}.{side}"
            for qs in kano.values()
            for q in qs
            for side in ("functional", "dysfunctional")
        }
    )
    columns += [(c, "VARCHAR") for c in kano_columns]
    names = [c for c, _ in columns]
    if len(set(names)) != len(names):
        raise SystemExit(f"export: column names collide: {names}")
    return {
        "columns": columns,
        "metric_surveys": metrics,
        "matrix_scales": matrix,
        "kano": kano,
        "per_survey": per_survey,
    }


def export_part(job: tuple) -> int:
    """Writes responses with rowid in [lo, hi] to a CSV part; returns the row count."""
    db_path, lo, hi, out, spec = job
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    names = [c for c, _ in spec["columns"]]
    index = {n: i for i, n in enumerate(names)}
    per_survey = spec["per_survey"]
    empty = [None] * len(names)
    count = 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        cur = db.execute(
            "SELECT created_at, survey_id, touchpoint, channel, locale, completed, answers "
            "FROM responses WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
            (lo, hi),
        )
        while True:
            batch = cur.fetchmany(10_000)
            if not batch:
                break
            for created_at, survey, tp, channel, locale, completed, answers in batch:
                row = list(empty)
                row[0:6] = (created_at, survey, tp, channel, locale, int(bool(completed)))
                a = json.loads(answers)
                s = per_survey.get(survey)
                if s is not None:
                    for m, qid in s["metrics"].items():
                        v = a.get(qid)
                        if type(v) is int:
                            row[index[m]] = v
                    for q, ids in s["matrix"].items():
                        v = a.get(q)
                        if isinstance(v, dict):
                            for r in ids:
                                x = v.get(r)
                                if type(x) is int:
                                    row[index[f"{q}.{r}"]] = x
                    for q in s["kano"]:
                        v = a.get(q)
                        if isinstance(v, dict):
                            row[index[f"{q}.functional"]] = v.get("functional")
                            row[index[f"{q}.dysfunctional"]] = v.get("dysfunctional")
                w.writerow(row)
                count += 1
    db.close()
    return count


def connect_duckdb(threads: int | None = None):
    import duckdb

    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if threads:
        config["threads"] = threads
    return duckdb.connect(config=config), duckdb.__version__


def cmd_export(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    spec = export_spec(db)
    lo, hi = db.execute("SELECT min(rowid), max(rowid) FROM responses").fetchone()
    db.close()
    os.makedirs(args.work, exist_ok=True)
    jobs = []
    if lo is not None:
        parts = max(1, args.jobs)
        step = (hi - lo) // parts + 1
        for i in range(parts):
            a = lo + i * step
            jobs.append(
                (args.db, a, min(hi, a + step - 1), os.path.join(args.work, f"part-{i}.csv"), spec)
            )
    with multiprocessing.get_context("fork").Pool(max(1, len(jobs))) as pool:
        count = sum(pool.map(export_part, jobs))
    flattened = time.perf_counter()

    con, _ = connect_duckdb()
    types = ", ".join(f"'{c}': '{t}'" for c, t in spec["columns"])
    files = [j[3] for j in jobs]
    if files:
        con.execute(
            f"COPY (SELECT * FROM read_csv({files!r}, header = true, nullstr = '', "
            f"columns = {{{types}}})) TO '{args.out}' (FORMAT parquet, COMPRESSION zstd)"
        )
    for f in files:
        os.remove(f)
    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump({"rows": count, **spec}, f, indent=1)
    end = time.perf_counter()
    size = os.path.getsize(args.out) if files else 0
    print(
        f"exported {count} responses in {end - start:.1f} s (flattening {flattened - start:.1f} s "
        f"on {len(jobs)} processes, Parquet by DuckDB {end - flattened:.1f} s), "
        f"{size / 2**20:.0f} MiB",
        flush=True,
    )
    print("columns: " + ", ".join(c for c, _ in spec["columns"]), flush=True)
    for m, questions in spec["metric_surveys"].items():
        print(f"{m} from {', '.join(questions)}", flush=True)
    return 0


# ----------------------------------------------------------------------------------------
# Statistics, as docs/statistics.md and docs/kano-and-drivers.md define them (95 %, min n 30).

ALPHA = 0.05
Z = NormalDist().inv_cdf(1 - ALPHA / 2)
MIN_N = 30


def p_normal(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2))


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return h


def beta_inc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_cf(a, b, x) / a
    return 1 - front * _beta_cf(b, a, 1 - x) / b


def p_t(t: float, df: float) -> float:
    """Two-sided p-value of a Student t statistic."""
    if df > 1e7:
        return p_normal(t)
    return beta_inc(df / 2, 0.5, df / (df + t * t))


_T_CACHE: dict[float, float] = {}


def t_quantile(df: float) -> float:
    """t(df) at 1 - alpha/2.

    The Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5) is within 3e-12 from 200
    degrees of freedom on; below, Newton's method on the exact tail polishes it.
    """
    if df in _T_CACHE:
        return _T_CACHE[df]
    z = Z
    q = (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * df**4)
    )
    if df < 200:
        log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
        for _ in range(50):
            pdf = math.exp(log_c - (df + 1) / 2 * math.log1p(q * q / df))
            step = (p_t(q, df) - ALPHA) / (2 * pdf)
            q += step
            if abs(step) < 1e-13 * q:
                break
    _T_CACHE[df] = q
    return q


def verdict(d: float, p: float) -> str:
    if p >= ALPHA or d == 0:
        return "no_significant_change"
    return "better" if d > 0 else "worse"


def nps_stats(n: int, hi: int, lo: int) -> dict:
    if n == 0:
        return {"n": 0, "value": None, "ci_low": None, "ci_high": None, "small_sample": True}
    value = 100.0 * (hi - lo) / n
    c, var = nps_adjusted(n, hi, lo)
    half = Z * math.sqrt(var)
    low = max(-100.0, min(100 * (c - half), value))
    high = min(100.0, max(100 * (c + half), value))
    return {"n": n, "value": value, "ci_low": low, "ci_high": high, "small_sample": n < MIN_N}


def nps_adjusted(n: int, hi: int, lo: int) -> tuple[float, float]:
    """Centre and variance after Rocks' three pseudo-responses (docs/statistics.md)."""
    nt = n + 3
    pp, pm = (hi + 0.75) / nt, (lo + 0.75) / nt
    c = pp - pm
    return c, (pp + pm - c * c) / nt


def nps_change(cur: tuple, prev: tuple) -> dict | None:
    """The adjusted-Wald test for a difference, on Welch-Satterthwaite degrees of freedom."""
    if cur[0] < 2 or prev[0] < 2:
        return None
    d = 100.0 * (cur[1] - cur[2]) / cur[0] - 100.0 * (prev[1] - prev[2]) / prev[0]
    (c1, v1), (c2, v2) = nps_adjusted(*cur), nps_adjusted(*prev)
    centre = 100.0 * (c1 - c2)
    se = 100 * math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1 * v1 / (cur[0] + 2) + v2 * v2 / (prev[0] + 2))
    p = p_t(centre / se, df)
    half = t_quantile(df) * se
    low = max(-200.0, min(centre - half, d))
    high = min(200.0, max(centre + half, d))
    return {"difference": d, "ci_low": low, "ci_high": high, "p_value": p, "verdict": verdict(d, p)}


def wilson(x: int, n: int) -> tuple[float, float]:
    p = x / n
    z2 = Z * Z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def csat_stats(n: int, x: int) -> dict:
    if n == 0:
        return {"n": 0, "value": None, "ci_low": None, "ci_high": None, "small_sample": True}
    low, high = wilson(x, n)
    return {
        "n": n,
        "value": 100.0 * x / n,
        "ci_low": 100 * low,
        "ci_high": 100 * high,
        "small_sample": n < MIN_N,
    }


def csat_change(cur: tuple, prev: tuple) -> dict | None:
    (n1, x1), (n2, x2) = cur, prev
    if n1 < 2 or n2 < 2:
        return None
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1), wilson(x2, n2)
    d = p1 - p2
    pooled = (x1 + x2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = p_normal(d / se0) if se0 > 0 else 1.0
    low = 100 * (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    high = 100 * (d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
    low, high = max(-100.0, min(low, 100 * d)), min(100.0, max(high, 100 * d))
    return {
        "difference": 100 * d,
        "ci_low": low,
        "ci_high": high,
        "p_value": p,
        "verdict": verdict(100 * d, p),
    }


CES_SCALE = (1, 7)


def ces_stats(n: int, mean: float | None, var: float | None) -> dict:
    if n == 0:
        return {"n": 0, "value": None, "ci_low": None, "ci_high": None, "small_sample": True}
    if n < 2:
        return {"n": n, "value": mean, "ci_low": None, "ci_high": None, "small_sample": True}
    half = t_quantile(n - 1) * math.sqrt(var / n)
    lo, hi = float(CES_SCALE[0]), float(CES_SCALE[1])
    return {
        "n": n,
        "value": mean,
        "ci_low": max(lo, min(hi, mean - half)),
        "ci_high": max(lo, min(hi, mean + half)),
        "small_sample": n < MIN_N,
    }


def ces_change(cur: tuple, prev: tuple) -> dict | None:
    (n1, m1, v1), (n2, m2, v2) = cur, prev
    if n1 < 2 or n2 < 2:
        return None
    d = m1 - m2
    e1, e2 = v1 / n1, v2 / n2
    se = math.sqrt(e1 + e2)
    if se == 0:
        if d != 0:
            return None
        return {
            "difference": 0.0,
            "ci_low": 0.0,
            "ci_high": 0.0,
            "p_value": 1.0,
            "verdict": "no_significant_change",
        }
    df = (e1 + e2) ** 2 / (e1 * e1 / (n1 - 1) + e2 * e2 / (n2 - 1))
    p = p_t(d / se, df)
    half = t_quantile(df) * se
    span = float(CES_SCALE[1] - CES_SCALE[0])
    return {
        "difference": d,
        "ci_low": max(-span, d - half),
        "ci_high": min(span, d + half),
        "p_value": p,
        "verdict": verdict(d, p),
    }


# Per metric: the SQL aggregates of one group and the functions that turn them into stats.
METRIC_SQL = {
    "nps": ("count(*), count_if(nps >= 9), count_if(nps <= 6)", nps_stats, nps_change),
    "csat": ("count(*), count_if(csat >= 4)", csat_stats, csat_change),
    "ces": ("count(*), avg(ces), var_samp(ces)", ces_stats, ces_change),
}
EMPTY_AGG = {"nps": (0, 0, 0), "csat": (0, 0), "ces": (0, None, None)}


# ----------------------------------------------------------------------------------------
# The DuckDB side.


class TimedConnection:
    """A DuckDB connection that adds up the time its statements take, results fetched."""

    def __init__(self, con):
        self.con = con
        self.ms = 0.0

    def execute(self, sql: str, params=None) -> Fetched:
        start = time.perf_counter()
        cur = self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        rows = cur.fetchall()
        self.ms += (time.perf_counter() - start) * 1000
        return Fetched(rows)


class Fetched:
    def __init__(self, rows: list):
        self.rows = rows

    def fetchall(self) -> list:
        return self.rows

    def fetchone(self):
        return self.rows[0] if self.rows else None


class DuckSide:
    """The in-memory table and the analyses over it."""

    def __init__(self, con, tz: str, start: dt.date, end: dt.date, meta: dict, icu: bool):
        self.con = TimedConnection(con)
        self.tz, self.meta, self.icu = tz, meta, icu
        self.end = end
        # Drivers and Kano read [from, to): local midnights.
        self.from_ms = local_midnight_ms(start, tz)
        self.to_ms = local_midnight_ms(end, tz)
        # Under the week grouping the period widens to whole weeks, as Puls does: it starts
        # on the Monday of `from`'s week, and the week before is read for the first row's
        # previous. The total covers the widened period and compares with the period of the
        # same length (in ms) right before it.
        self.first_week = monday_of(start)
        self.week_from_ms = local_midnight_ms(self.first_week, tz)
        self.scan_from_ms = local_midnight_ms(self.first_week - dt.timedelta(days=7), tz)
        self.total_prev_ms = self.week_from_ms - (self.to_ms - self.week_from_ms)

    def weeks(self) -> tuple[str, str]:
        """SQL for the week of each response: (a CTE to add, the FROM clause).

        With ICU the query computes the UTC instants of the local Mondays in the range and
        puts each response in its week by an ASOF join on them; that is exact for any zone
        and about twice as fast as `date_trunc('week', timezone(zone, ts))` on every row.
        Without ICU it truncates the local time precomputed at load.
        """
        if self.icu:
            cte = (
                "weeks AS (SELECT d::DATE AS week, epoch_ms(timezone($tz, d)) AS start_ms "
                "FROM range($scan_monday::TIMESTAMP, $end::TIMESTAMP, INTERVAL 7 DAY) t(d)), "
            )
            return cte, "r ASOF JOIN weeks w ON r.created_at >= w.start_ms"
        return "", "(SELECT *, date_trunc('week', local_ts)::DATE AS week FROM r) w"

    def overview(self, metric: str) -> dict:
        aggs, stats, change = METRIC_SQL[metric]
        k = len(split_aggs(aggs))
        cur_cols = ", ".join(f"c.a{i}" for i in range(k))
        prev_cols = ", ".join(f"p.a{i}" for i in range(k))
        agg_cols = ", ".join(f"{e} AS a{i}" for i, e in enumerate(split_aggs(aggs)))
        cte, source = self.weeks()
        params = {"scan": self.scan_from_ms, "to": self.to_ms, "first": self.first_week}
        if self.icu:
            params.update(
                tz=self.tz, scan_monday=self.first_week - dt.timedelta(days=7), end=self.end
            )
        rows = self.con.execute(
            f"""
            WITH {cte} g AS (
                SELECT w.week, touchpoint, {agg_cols}
                FROM {source}
                WHERE {metric} IS NOT NULL AND created_at >= $scan AND created_at < $to
                GROUP BY ALL
            )
            SELECT c.week, c.touchpoint, {cur_cols}, p.a0 IS NOT NULL, {prev_cols}
            FROM g c LEFT JOIN g p ON p.touchpoint = c.touchpoint AND p.week = c.week - 7
            WHERE c.week >= $first
            ORDER BY c.week, c.touchpoint
            """,
            params,
        ).fetchall()
        totals = self.con.execute(
            f"""
            SELECT created_at >= $from AS current, {agg_cols}
            FROM r
            WHERE {metric} IS NOT NULL AND created_at >= $prev AND created_at < $to
            GROUP BY ALL
            """,
            {"from": self.week_from_ms, "prev": self.total_prev_ms, "to": self.to_ms},
        ).fetchall()
        out_rows = []
        for row in rows:
            cur = tuple(row[2 : 2 + k])
            prev = tuple(row[3 + k : 3 + 2 * k]) if row[2 + k] else EMPTY_AGG[metric]
            out_rows.append(
                {
                    "keys": {"week": row[0].isoformat(), "touchpoint": row[1]},
                    **stats(*cur),
                    "previous": stats(*prev) if prev[0] else None,
                    "change": change(cur, prev),
                }
            )
        by_side = {bool(t[0]): tuple(t[1:]) for t in totals}
        cur = by_side.get(True, EMPTY_AGG[metric])
        prev = by_side.get(False, EMPTY_AGG[metric])
        total = {
            **stats(*cur),
            "previous": stats(*prev) if prev[0] else None,
            "change": change(cur, prev),
        }
        return {"metric": metric, "rows": out_rows, "total": total}

    def drivers(self) -> dict:
        import numpy as np

        cols = [DRIVER_OUTCOME, *DRIVERS]
        q = [f'"{c}"' for c in cols]
        k = len(DRIVERS)
        pairs = list(combinations(range(k + 1), 2))
        where = (
            f"survey = '{DRIVER_SURVEY}' AND {q[0]} IS NOT NULL "
            f"AND created_at >= {self.from_ms} AND created_at < {self.to_ms}"
        )
        select = ["count(*)"]
        select += [f"count({c})" for c in q[1:]]
        select += [f"avg({c})" for c in q[1:]]
        select += [f"min({c}) = max({c})" for c in q]
        select += [f"corr({q[a]}, {q[b]})" for a, b in pairs]
        every = " AND ".join(f"{c} IS NOT NULL" for c in q[1:])
        select.append(f"count_if({every})")
        row = self.con.execute(f"SELECT {', '.join(select)} FROM r WHERE {where}").fetchone()
        n_rows = row[0]
        counts = row[1 : 1 + k]
        means = row[1 + k : 1 + 2 * k]
        constant = row[1 + 2 * k : 2 + 3 * k]
        corr_values = row[2 + 3 * k : -1]
        if n_rows == 0 or constant[0]:
            return {
                "n": n_rows,
                "r_squared": None,
                "drivers": [],
                "error": "no or constant outcome",
            }
        model = [j for j in range(k) if counts[j] and not constant[1 + j]]
        complete_where = where + "".join(f" AND {q[1 + j]} IS NOT NULL" for j in model)
        n_complete = row[-1]
        if len(model) < k:
            # Excluded drivers do not count for completeness.
            n_complete = self.con.execute(
                f"SELECT count(*) FROM r WHERE {complete_where}"
            ).fetchone()[0]

        def matrix(values) -> np.ndarray:
            m = np.eye(k + 1)
            for (a, b), v in zip(pairs, values, strict=True):
                # A correlation over constant values is 0 in Puls (it explains nothing).
                m[a, b] = m[b, a] = 0.0 if v is None or math.isnan(v) else v
            return m

        full = matrix(corr_values)
        idx = [1 + j for j in model] + [0]
        method = "pairwise"
        corr = full[np.ix_(idx, idx)]
        if model and np.linalg.eigvalsh(corr).min() < -1e-9:
            # Not positive semidefinite: listwise deletion over the model's drivers.
            method = "listwise"
            listwise = self.con.execute(
                f"SELECT {', '.join(f'corr({q[a]}, {q[b]})' for a, b in pairs)} "
                f"FROM r WHERE {complete_where}"
            ).fetchone()
            corr = matrix(listwise)[np.ix_(idx, idx)]

        m = len(model)
        r2 = shapley_r2(corr)
        fact = [math.factorial(i) for i in range(m + 1)]
        importance = [0.0] * k
        for pos, j in enumerate(model):
            bit = 1 << pos
            total = 0.0
            for s in range(1 << m):
                if s & bit:
                    continue
                size = bin(s).count("1")
                total += fact[size] * fact[m - size - 1] / fact[m] * (r2[s | bit] - r2[s])
            importance[j] = total
        r_squared = r2[(1 << m) - 1] if m else 0.0
        lo, hi = self.meta["matrix_scales"][DRIVERS[0]]
        perf = [None if mu is None else (mu - lo) / (hi - lo) * 100 for mu in means]
        mean_imp = sum(importance[j] for j in model) / m if m else 0.0
        model_perf = [perf[j] for j in model if perf[j] is not None]
        mean_perf = sum(model_perf) / len(model_perf) if model_perf else 0.0
        out = []
        for j, name in enumerate(DRIVERS):
            quadrant = None
            if j in model and perf[j] is not None:
                high_i = importance[j] >= mean_imp - 1e-9
                high_p = perf[j] >= mean_perf - 1e-9
                quadrant = {
                    (True, False): "fix_first",
                    (True, True): "keep_up",
                    (False, True): "maintain",
                    (False, False): "lower_priority",
                }[(high_i, high_p)]
            out.append(
                {
                    "key": name,
                    "importance": importance[j],
                    "performance": perf[j],
                    "quadrant": quadrant,
                    "n": counts[j],
                }
            )
        return {
            "n": n_rows,
            "n_complete": n_complete,
            "method": method,
            "r_squared": r_squared,
            "drivers": out,
        }

    def kano(self) -> dict:
        features = self.meta["kano"].get(KANO_SURVEY, [])
        if not features:
            return {"features": []}
        # One scan counts the 25 (functional, dysfunctional) cells of every feature (grouping
        # sets); the evaluation table then puts each cell in its category.
        pairs = [(f'"{f}.functional"', f'"{f}.dysfunctional"') for f in features]
        columns = ", ".join(f"{fn}, {dy}" for fn, dy in pairs)
        sets = ", ".join(f"({fn}, {dy})" for fn, dy in pairs)
        rows = self.con.execute(
            f"SELECT {columns}, count(*) FROM r WHERE survey = '{KANO_SURVEY}' "
            f"AND created_at >= {self.from_ms} AND created_at < {self.to_ms} "
            f"GROUP BY GROUPING SETS ({sets})"
        ).fetchall()
        counts = {f: dict.fromkeys(KANO_CATEGORIES, 0) for f in features}
        for row in rows:
            for i, f in enumerate(features):
                fn, dy = row[2 * i], row[2 * i + 1]
                if fn is not None and dy is not None:
                    counts[f][KANO_TABLE[(fn, dy)]] += row[-1]
                    break
        out = []
        for f in features:
            c = counts[f]
            n = sum(c.values())
            core = c["attractive"] + c["one_dimensional"] + c["must_be"] + c["indifferent"]
            out.append(
                {
                    "question": f,
                    "n": n,
                    "shares": {cat: (100.0 * v / n if n else None) for cat, v in c.items()},
                    # Ties go to the category that harms most when ignored: M > O > A > I > R > Q.
                    "dominant": max(
                        KANO_TIE_ORDER, key=lambda cat: (c[cat], -KANO_TIE_ORDER.index(cat))
                    )
                    if n
                    else None,
                    "better": (c["attractive"] + c["one_dimensional"]) / core if core else None,
                    "worse": -(c["one_dimensional"] + c["must_be"]) / core if core else None,
                }
            )
        return {"features": out}


def split_aggs(aggs: str) -> list[str]:
    """Splits 'count(*), count_if(x >= 9)' at top-level commas."""
    out, depth, cur = [], 0, ""
    for ch in aggs:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur.strip())
    return out


def shapley_r2(corr) -> list[float]:
    """R² of the outcome (last variable) on every subset (bit mask) of the drivers."""
    import numpy as np

    m = corr.shape[0] - 1
    out = [0.0] * (1 << m)
    for s in range(1, 1 << m):
        idx = [j for j in range(m) if s >> j & 1]
        r_ss = corr[np.ix_(idx, idx)]
        r_sy = corr[idx, m]
        # The pseudo-inverse projects onto the span of collinear drivers, as Puls does.
        beta = np.linalg.pinv(r_ss, rcond=1e-9) @ r_sy
        out[s] = float(r_sy @ beta)
    return out


KANO_ANSWERS = ("like", "expect", "neutral", "tolerate", "dislike")
KANO_CATEGORIES = (
    "attractive",
    "one_dimensional",
    "must_be",
    "indifferent",
    "reverse",
    "questionable",
)
KANO_TIE_ORDER = (
    "must_be",
    "one_dimensional",
    "attractive",
    "indifferent",
    "reverse",
    "questionable",
)
_KANO_ROWS = {
    # functional -> categories by dysfunctional (like, expect, neutral, tolerate, dislike)
    "like": "Q A A A O",
    "expect": "R I I I M",
    "neutral": "R I I I M",
    "tolerate": "R I I I M",
    "dislike": "R R R R Q",
}
_KANO_LETTERS = {
    "A": "attractive",
    "O": "one_dimensional",
    "M": "must_be",
    "I": "indifferent",
    "R": "reverse",
    "Q": "questionable",
}
KANO_TABLE = {
    (f, d): _KANO_LETTERS[letter]
    for f, letters in _KANO_ROWS.items()
    for d, letter in zip(KANO_ANSWERS, letters.split(), strict=True)
}


# ----------------------------------------------------------------------------------------
# Cross-check.

TOL = 1e-6


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(float(a) - float(b)) <= TOL


def week_key(value) -> str:
    """A week bucket's key as its Monday's date; accepts `2026-01-05` and `2026-W02`."""
    s = str(value)
    if "-W" in s:
        year, week = s.split("-W")
        return dt.date.fromisocalendar(int(year), int(week[:2]), 1).isoformat()
    return s[:10]


def stat_fields(prefix: str, puls: dict | None, duck: dict | None, diffs: list) -> None:
    """Compares n, value, interval and small-sample flag; no data equals n = 0."""
    p = puls or {"n": 0}
    d = duck or {"n": 0}
    if (p.get("n") or 0) != (d.get("n") or 0):
        diffs.append((prefix + "n", p.get("n"), d.get("n")))
        return
    if not d.get("n"):
        return
    for field in ("value", "ci_low", "ci_high", "small_sample"):
        if field not in p:
            diffs.append((prefix + field, "<missing>", d.get(field)))
        elif not close(p[field], d.get(field)):
            diffs.append((prefix + field, p[field], d.get(field)))


def change_fields(prefix: str, puls: dict | None, duck: dict | None, diffs: list) -> None:
    # A change Puls cannot decide may come as null or with verdict not_enough_data.
    if puls is not None and puls.get("verdict") == "not_enough_data":
        puls = None
    if puls is None or duck is None:
        if (puls is None) != (duck is None):
            diffs.append(
                (prefix + "change", puls and puls.get("verdict"), duck and duck["verdict"])
            )
        return
    for field in ("difference", "ci_low", "ci_high", "p_value", "verdict"):
        if not close(puls.get(field), duck.get(field)):
            diffs.append((prefix + "change." + field, puls.get(field), duck.get(field)))


def compare_overview(puls: dict, duck: dict) -> tuple[list, int]:
    diffs: list = []
    p_rows = {}
    for row in puls.get("rows", []):
        keys = row.get("keys", {})
        p_rows[(week_key(keys.get("week")), keys.get("touchpoint"))] = row
    d_rows = {(r["keys"]["week"], r["keys"]["touchpoint"]): r for r in duck["rows"]}
    for key in sorted(set(p_rows) | set(d_rows), key=str):
        p, d = p_rows.get(key), d_rows.get(key)
        label = f"{key[0]} {key[1]}: "
        stat_fields(label, p, d, diffs)
        if p and d and d["n"]:
            stat_fields(label + "previous.", p.get("previous"), d.get("previous"), diffs)
            change_fields(label, p.get("change"), d.get("change"), diffs)
    pt, dtot = puls.get("total") or {}, duck["total"]
    stat_fields("total: ", pt, dtot, diffs)
    stat_fields("total: previous.", pt.get("previous"), dtot.get("previous"), diffs)
    change_fields("total: ", pt.get("change"), dtot.get("change"), diffs)
    return diffs, len(d_rows)


def compare_drivers(puls: dict, duck: dict) -> tuple[list, int]:
    diffs: list = []
    if puls.get("n") != duck["n"]:
        diffs.append(("n", puls.get("n"), duck["n"]))
    if not close(puls.get("r_squared"), duck["r_squared"]):
        diffs.append(("r_squared", puls.get("r_squared"), duck["r_squared"]))
    p_by = {d.get("key"): d for d in puls.get("drivers", [])}
    for d in duck["drivers"]:
        p = p_by.get(d["key"], {})
        for field in ("importance", "performance", "quadrant"):
            if not close(p.get(field), d[field]):
                diffs.append((f"{d['key']}.{field}", p.get(field, "<missing>"), d[field]))
    return diffs, len(duck["drivers"])


def compare_kano(puls: dict, duck: dict) -> tuple[list, int]:
    diffs: list = []
    p_by = {f.get("question"): f for f in puls.get("features", [])}
    for d in duck["features"]:
        p = p_by.get(d["question"])
        q = d["question"]
        if p is None:
            diffs.append((q, "<missing>", "present"))
            continue
        if p.get("n") != d["n"]:
            diffs.append((f"{q}.n", p.get("n"), d["n"]))
        shares = p.get("shares") or {}
        for cat, v in d["shares"].items():
            if not close(shares.get(cat), v):
                diffs.append((f"{q}.shares.{cat}", shares.get(cat, "<missing>"), v))
        for field in ("dominant", "better", "worse"):
            if not close(p.get(field), d[field]):
                diffs.append((f"{q}.{field}", p.get(field, "<missing>"), d[field]))
    return diffs, len(duck["features"])


# ----------------------------------------------------------------------------------------
# The `duckdb` subcommand.


def icu_loaded(con) -> bool:
    rows = con.execute(
        "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'icu'"
    ).fetchall()
    return bool(rows and rows[0][0])


def cmd_duckdb(args: argparse.Namespace) -> int:
    con, version = connect_duckdb(args.threads)
    with open(args.data + ".json", encoding="utf-8") as f:
        meta = json.load(f)
    icu = icu_loaded(con) and not args.no_icu
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    loaded = [
        r[0]
        for r in con.execute(
            "SELECT extension_name FROM duckdb_extensions() WHERE loaded ORDER BY 1"
        ).fetchall()
    ]
    print(
        f"DuckDB {version}, {threads} threads; loaded extensions: {', '.join(loaded)} "
        "(automatic install and load of extensions off)",
        flush=True,
    )
    if icu:
        con.execute("SET TimeZone = 'UTC'")
        print(
            f"time zones: ICU (built into the wheel); week buckets in {args.tz} are computed "
            "in each query",
            flush=True,
        )
    else:
        print(
            f"time zones: NO ICU in this DuckDB; local {args.tz} times are precomputed at load "
            "from Python's zoneinfo (an advantage to DuckDB in the query times)",
            flush=True,
        )

    start = time.perf_counter()
    load_table(con, args.data, meta, args.tz, icu)
    load_s = time.perf_counter() - start
    count = con.execute("SELECT count(*) FROM r").fetchone()[0]
    print(f"loaded {count} responses into an in-memory table in {load_s:.2f} s", flush=True)

    start_day, end_day = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    side = DuckSide(con, args.tz, start_day, end_day, meta, icu)
    puls = {}
    if args.puls and os.path.exists(args.puls):
        with open(args.puls, encoding="utf-8") as f:
            puls = json.load(f)
    plan = [name for name, _ in queries(args.start, args.end, args.tz)]
    runners = {
        plan[0]: (lambda: side.overview("nps"), compare_overview),
        plan[1]: (lambda: side.overview("csat"), compare_overview),
        plan[2]: (lambda: side.overview("ces"), compare_overview),
        plan[3]: (side.drivers, compare_drivers),
        plan[4]: (side.kano, compare_kano),
    }
    table = []
    reasons: list[str] = []
    sql_ms = {}
    disagreements = 0
    puls_missing = 0
    for name in plan:
        run, compare = runners[name]
        run()  # warm-up
        times, in_sql = [], []
        answer = None
        for _ in range(args.runs):
            _T_CACHE.clear()  # every run computes its own t quantiles
            side.con.ms = 0.0
            t0 = time.perf_counter()
            answer = run()
            times.append((time.perf_counter() - t0) * 1000)
            in_sql.append(side.con.ms)
        d_med = median(times)
        sql_ms[name] = median(in_sql)
        entry = (puls.get("queries") or {}).get(name)
        if entry is None or entry.get("error") or not entry.get("times_ms"):
            puls_missing += 1
            why = (entry or {}).get("error") or "not measured"
            reasons.append(f"  {name}: {why}")
            short = (
                "endpoint missing" if why.startswith("endpoint missing") else "failed, see below"
            )
            table.append((name, None, None, d_med, None, f"n/a: {short}"))
            if args.save_answers:
                save(args.save_answers, name, answer)
            continue
        diffs, groups = compare(entry["answer"], answer)
        if args.save_answers:
            save(args.save_answers, name, answer)
        p_med, p95 = median(entry["times_ms"]), percentile(entry["times_ms"], 0.95)
        if diffs:
            disagreements += 1
            print(
                f"\n!!! DISAGREEMENT in '{name}': "
                f"{len(diffs)} differing fields over {groups} groups",
                flush=True,
            )
            print(f"!!! {'field':<48} {'Puls':>22} {'DuckDB':>22}")
            for field, pv, dv in diffs[:15]:
                print(f"!!! {field:<48} {fmt(pv):>22} {fmt(dv):>22}")
            if len(diffs) > 15:
                print(f"!!! ... and {len(diffs) - 15} more")
        verdict_ = f"NO ({len(diffs)} fields)" if diffs else f"yes ({groups} groups)"
        table.append((name, p_med, p95, d_med, d_med / p_med if p_med else None, verdict_))

    print_report(args, puls, table, load_s, count, sql_ms)
    if reasons:
        print("\nNot measured on the Puls side:")
        print("\n".join(reasons))
    if disagreements:
        print(
            f"\n!!! {disagreements} of {len(plan)} queries DISAGREE between Puls and DuckDB "
            "(see above)",
            flush=True,
        )
        return 1
    if puls_missing:
        print(
            f"\nThe Puls side of {puls_missing} of {len(plan)} queries was not measured "
            "(see the table); nothing disagreed.",
            flush=True,
        )
        return 2
    return 0


def load_table(con, data: str, meta: dict, tz: str, icu: bool) -> None:
    """Loads the Parquet file into the in-memory table `r`.

    Text dimensions become ENUMs (dictionary codes, as Puls's index keeps them), in the order
    of the file. Without ICU, each response's local time is added as `local_ts`.
    """
    source = f"read_parquet('{data}')"
    replace = []
    for column in ("survey", "touchpoint", "channel", "locale"):
        con.execute(
            f"CREATE TYPE {column}_t AS ENUM (SELECT DISTINCT {column} FROM {source} "
            f"WHERE {column} IS NOT NULL ORDER BY 1)"
        )
        replace.append(f"{column}::{column}_t AS {column}")
    con.execute(f"CREATE TYPE kano_t AS ENUM {tuple(KANO_ANSWERS)!r}")
    for name, _kind in meta["columns"]:
        if name.endswith("functional"):
            replace.append(f'"{name}"::kano_t AS "{name}"')
    select = f"SELECT * REPLACE ({', '.join(replace)}) FROM {source}"
    if icu:
        con.execute(f"CREATE TABLE r AS {select}")
        return
    lo, hi = con.execute(f"SELECT min(created_at), max(created_at) FROM {source}").fetchone()
    load_offsets(con, tz, lo or 0, hi or 0)
    con.execute(
        f"""CREATE TABLE r AS
        SELECT p.*, make_timestamp((p.created_at + o.offset_ms) * 1000) AS local_ts
        FROM ({select}) p ASOF JOIN offsets o ON p.created_at >= o.start_ms
        ORDER BY p.created_at"""
    )


def load_offsets(con, tz: str, lo_ms: int, hi_ms: int) -> None:
    """A table of (start_ms, offset_ms): the zone's UTC offset from each hour on."""
    zone = ZoneInfo(tz)
    hour = 3_600_000
    rows, last = [], None
    for t in range((lo_ms // hour - 24) * hour, hi_ms + 24 * hour, hour):
        off = zone.utcoffset(dt.datetime.fromtimestamp(t / 1000, tz=dt.UTC).replace(tzinfo=None))
        off_ms = int(off.total_seconds() * 1000)
        if off_ms != last:
            rows.append((t, off_ms))
            last = off_ms
    con.execute("CREATE TABLE offsets (start_ms BIGINT, offset_ms BIGINT)")
    con.executemany("INSERT INTO offsets VALUES (?, ?)", rows)


def save(path: str, name: str, answer) -> None:
    data = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    data[name] = answer
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)


def peak_rss_kib() -> int:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.9g}"
    return str(v)


def ms(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def print_report(args, puls: dict, table: list, load_s: float, count: int, sql_ms: dict) -> None:
    print(
        f"\n==> Puls vs DuckDB, {count} responses, {args.start} to {args.end} ({args.tz}), "
        f"median of {args.runs} runs after a warm-up"
    )
    for line in args.note or []:
        print(line)
    print()
    header = ("query", "Puls median ms", "Puls p95 ms", "DuckDB median ms", "DuckDB/Puls", "agree")
    rows = [header] + [
        (n, ms(pm), ms(p95), ms(dm), "-" if r is None else f"{r:.1f}x", a)
        for n, pm, p95, dm, r, a in table
    ]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    for i, r in enumerate(rows):
        print(
            "  ".join(
                str(c).ljust(w) if j in (0, 5) else str(c).rjust(w)
                for j, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))

    load = puls.get("index_load_ms")
    mem = puls.get("memory_kib") or {}
    print()
    print(
        "Puls index load (first analytics request): "
        + ("-" if load is None else f"{load / 1000:.2f} s")
    )
    rss, hwm = mem.get("VmRSS"), mem.get("VmHWM")
    memory = "-" if rss is None else f"RSS {rss / 1024:.0f} MiB"
    if hwm is not None:
        memory += f", peak {hwm / 1024:.0f} MiB"
    print(f"Puls server memory after the queries: {memory}")
    print(
        f"DuckDB: load into memory {load_s:.2f} s (not in the query times); "
        f"helper process peak RSS {peak_rss_kib() / 1024:.0f} MiB"
    )
    print(
        "DuckDB medians include computing intervals and tests in Python; of which SQL: "
        + ", ".join(f"{n.split(' by ')[0]} {v:.1f} ms" for n, v in sql_ms.items())
    )

    print(
        "\nTargets: each Puls overview query (the five above) < 50 ms (median) and faster "
        "than DuckDB; Puls server RSS < 1 GiB"
    )
    for n, pm, _p95, dm, _r, _a in table:
        if pm is None:
            status = "not measured"
        else:
            status = "met" if pm < 50 else "NOT met"
            if dm is not None and pm >= dm:
                status += ", but NOT faster than DuckDB"
        print(f"  {n}: {status}")
    if rss is None:
        print("  RSS: not measured")
    elif load is None:
        print("  RSS: not judged (no analytics request succeeded, so no index was loaded)")
    else:
        print(f"  RSS: {'met' if rss < 1024 * 1024 else 'NOT met'}")


# ----------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)

    w = sub.add_parser("window", help="print FROM and TO")
    w.add_argument("--tz", default="Europe/Warsaw")

    p = sub.add_parser("puls", help="time the Puls endpoints")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--pid", type=int, default=0, help="server process, for its memory")
    p.add_argument("--from", dest="start", required=True)
    p.add_argument("--to", dest="end", required=True)
    p.add_argument("--tz", default="Europe/Warsaw")
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--load-timeout", type=float, default=600)
    p.add_argument("--out", required=True)

    e = sub.add_parser("export", help="SQLite -> Parquet")
    e.add_argument("--db", required=True, help="path of the SQLite file")
    e.add_argument("--out", required=True, help="Parquet file to write (plus OUT.json)")
    e.add_argument("--work", required=True, help="directory for temporary CSV parts")
    e.add_argument("--jobs", type=int, default=os.cpu_count() or 1)

    d = sub.add_parser("duckdb", help="time DuckDB and compare with Puls")
    d.add_argument("--data", required=True, help="the Parquet file of `export`")
    d.add_argument("--puls", help="the JSON file of `puls`")
    d.add_argument("--from", dest="start", required=True)
    d.add_argument("--to", dest="end", required=True)
    d.add_argument("--tz", default="Europe/Warsaw")
    d.add_argument("--runs", type=int, default=9)
    d.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    d.add_argument("--no-icu", action="store_true", help="precompute local times instead of ICU")
    d.add_argument("--save-answers", help="write DuckDB's answers to this JSON file")
    d.add_argument("--note", action="append", help="a line to print above the table")

    args = ap.parse_args()
    return {"window": cmd_window, "puls": cmd_puls, "export": cmd_export, "duckdb": cmd_duckdb}[
        args.cmd
    ](args)


if __name__ == "__main__":
    sys.exit(main())
