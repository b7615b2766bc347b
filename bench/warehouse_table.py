"""The end of bench/pushdown.sh and bench/spark.sh (standard library only):

    python3 bench/warehouse_table.py OUT ROWS SUMMARY LABEL...

Reads OUT/times (lines `label wall_s rss_mb`), checks that cxm's pushed-down and streamed
reports (OUT/pushdown.json, OUT/stream.json) agree (every result's metric, group, value,
n and interval, values to 1e-9 relative; rows_read = ROWS both ways), prints
`ROWS rows; SUMMARY; results agree: …` and a table of the runs of each LABEL, and exits 1
when the reports disagree.
"""

import json
import statistics
import sys


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def main() -> None:
    out, rows, summary, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    times: dict = {}
    for line in open(f"{out}/times"):
        label, wall, rss = line.split()
        times.setdefault(label, []).append((float(wall), int(rss)))
    p, s = (json.load(open(f"{out}/{n}.json")) for n in ("pushdown", "stream"))
    key = lambda r: [r[k] for k in ("metric", "group", "value", "n", "ci")]
    agree = same([key(r) for r in p["results"]], [key(r) for r in s["results"]]) and \
        p["datasets"][0]["rows_read"] == s["datasets"][0]["rows_read"] == rows
    print(f"{rows:,} rows; {summary}; results agree: {agree}")
    print(f"{'':16} {'wall (s), runs':28} {'median':>7} {'peak RSS (MB)':>14}")
    for label in labels:
        ws = times.get(label, [])
        walls = ", ".join(f"{w:.2f}" for w, _ in ws)
        median = statistics.median(w for w, _ in ws)
        print(f"{label:16} {walls:28} {median:7.2f} {max(r for _, r in ws):14}")
    if not agree:
        sys.exit("pushdown and streaming disagree")


if __name__ == "__main__":
    main()
