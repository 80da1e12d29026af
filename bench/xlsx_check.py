"""Opens a Puls XLSX export with openpyxl and checks it against the surveys the API serves.

Used by bench/xlsx-export.sh: every survey with responses has its sheet (named by its title
in LANG), the header holds the fixed columns and every question's text in LANG (matrix rows
and Kano sides as "question – part"), the sheets hold N responses together, choice columns
hold option labels (never ids), and the last sheet lists the questions.
"""

import argparse
import json
import sys
import time
import urllib.request

import openpyxl


def get(url, key):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def text(t, lang, default):
    return t.get(lang) or t.get(default) or next(iter(t.values()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--xlsx", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--responses", type=int, required=True)
    p.add_argument("--lang", default="en")
    a = p.parse_args()

    surveys = []
    for s in get(f"{a.url}/api/v1/surveys?limit=100", a.key)["items"]:
        surveys.append(get(f"{a.url}/api/v1/surveys/{s['id']}", a.key)["definition"])

    start = time.time()
    book = openpyxl.load_workbook(a.xlsx, read_only=True)
    problems = []
    titles = {}
    for d in surveys:
        titles[text(d["title"], a.lang, d.get("default_locale", "en"))[:31]] = d
    rows_total = 0
    label_cells = 0
    for ws in book.worksheets[:-1]:
        d = titles.get(ws.title)
        if d is None:
            problems.append(f"sheet {ws.title!r} is no survey's title")
            continue
        default = d.get("default_locale", "en")
        rows = ws.iter_rows(values_only=True)
        header = list(next(rows))
        for q in d["questions"]:
            qt = text(q["text"], a.lang, default)
            if q["type"] == "matrix":
                want = [f"{qt} – {text(r['text'], a.lang, default)}" for r in q["rows"]]
            elif q["type"] in ("kano", "contact"):
                # Kano: both sides; contact: one column per field asked.
                want = [h for h in header if h and h.startswith(f"{qt} – ")]
                n = 2 if q["type"] == "kano" else len(q.get("fields", []))
                if len(want) != n:
                    problems.append(f"{ws.title}: {q['id']} has {len(want)} columns, not {n}")
            else:
                want = [qt]
            for w in want:
                if w not in header:
                    problems.append(f"{ws.title}: no column {w!r}")
        choices = {}
        for q in d["questions"]:
            if q["type"] == "single_choice":
                qt = text(q["text"], a.lang, default)
                if qt in header:
                    labels = {text(o["text"], a.lang, default) for o in q["options"]}
                    ids = {o["id"] for o in q["options"]}
                    choices[header.index(qt)] = (labels, ids, q["id"])
        for row in rows:
            rows_total += 1
            for i, (labels, ids, qid) in choices.items():
                v = row[i]
                if v is None:
                    continue
                label_cells += 1
                if v not in labels:
                    problems.append(f"{ws.title}: {qid} holds {v!r}, not a label")
                    break
    last = book.worksheets[-1]
    n_questions = sum(len(d["questions"]) for d in surveys)
    listed = sum(1 for _ in last.iter_rows(min_row=2, values_only=True))
    if listed != n_questions:
        problems.append(f"sheet {last.title!r} lists {listed} questions, not {n_questions}")
    if rows_total != a.responses:
        problems.append(f"{rows_total} response rows, not {a.responses}")
    print(
        f"openpyxl read {len(book.worksheets)} sheets, {rows_total} response rows, "
        f"{label_cells} choice cells (all labels), {listed} questions listed "
        f"in {time.time() - start:.1f} s"
    )
    for prob in problems[:20]:
        print("PROBLEM:", prob)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
