"""The benchmark's other workloads, cxm against DuckDB (run by bench/run.sh):

    python workloads.py CXM_BINARY MG_ROWS MG_GROUPS Q_ROWS

- many groups: NPS overall and per customer over gen_many_groups.py's CSV (MG_ROWS
  responses, MG_GROUPS customers); cxm with config/many_groups.toml's job, DuckDB with
  many_groups_duckdb.py; every group's n and NPS compared (many_groups_check.py).
- quantiles: resolution time (hours) overall and by channel over gen_tickets.py's Parquet
  (Q_ROWS tickets, 3% unresolved); cxm with config/quantiles.toml's job (default quantile
  state: exact up to 4,096 values per group, then a DDSketch), DuckDB with `avg` and
  `quantile_cont` (exact); n exactly, the mean to 1e-9 relative, the median, p90 and p95
  within the relative error cxm states for them (`relative_error`, 0 when exact).

Each engine runs BENCH_RUNS times (default 3) as its own process (bench.timed: wall and
peak RSS). Prints a table (best and median wall, peak RSS, ratio to DuckDB) and appends it
to results/latest.md; exits 1 on any disagreement.
"""

import json
import math
import os
import statistics
import subprocess
import sys

import bench
import many_groups_check

HERE = bench.HERE
RUNS = bench.RUNS


def ensure(path: str, make: list[str]) -> None:
    """Runs `make` (which writes path + '.tmp') unless `path` exists."""
    if os.path.exists(path):
        print(f"  {os.path.relpath(path)}: already there")
        return
    subprocess.run(make, check=True)
    os.replace(path + ".tmp", path)


def config_for(template: str, data: str, name: str) -> str:
    return bench.variant_config(template, data, os.path.join(HERE, "results", "config", name))


def run_many(label: str, cmd_of, out_of) -> dict:
    walls, rsss = [], []
    for i in range(RUNS):
        wall, rss = bench.timed(cmd_of(i), out_of(i))
        walls.append(wall)
        rsss.append(rss)
        print(f"  {label:<24} run {i + 1}: {wall:7.3f} s  {rss:8.1f} MB  (load {bench.load_average()})",
              flush=True)
    return {"wall": min(walls), "median": statistics.median(walls), "rss": max(rsss)}


def many_groups(cxm: str, rows: int, groups: int, runs_dir: str) -> tuple[dict, dict, list[str]]:
    data = os.path.join(HERE, "data", f"many_groups_{rows}_{groups}.csv")
    ensure(data, [sys.executable, os.path.join(HERE, "gen_many_groups.py"), str(rows), str(groups),
                  data + ".tmp"])
    config = config_for(os.path.join(HERE, "config", "many_groups.toml"), data, "many_groups")
    cxm_out = lambda i: os.path.join(runs_dir, f"cxm-many-groups-{i + 1}.csv")  # noqa: E731
    duck_out = lambda i: os.path.join(runs_dir, f"duckdb-many-groups-{i + 1}.csv")  # noqa: E731
    c = run_many("cxm many groups", lambda i: [cxm, "run", config, "--format", "csv"], cxm_out)
    d = run_many(
        "duckdb many groups",
        lambda i: [sys.executable, os.path.join(HERE, "many_groups_duckdb.py"), data, duck_out(i)],
        lambda i: duck_out(i) + ".log",
    )
    problems, groups = [], 0
    for i in range(RUNS):
        groups, bad = many_groups_check.differences(cxm_out(i), duck_out(i))
        problems.extend(f"run {i + 1}: {b}" for b in bad)
    c["figures"] = groups
    return c, d, problems


DUCKDB_QUANTILES = """
import json, os, sys, time
t0 = time.perf_counter()
import duckdb
t1 = time.perf_counter()
path, out = sys.argv[1], sys.argv[2]
con = duckdb.connect(config={"threads": os.cpu_count() or 1})
rows = con.execute(f'''
    WITH t AS (
        SELECT channel, date_diff('microsecond', created_at, resolved_at) / 3600e6 AS hours
        FROM read_parquet('{path}')
    )
    SELECT channel, grouping(channel) AS g, count(hours) AS n, avg(hours) AS mean,
           quantile_cont(hours, [0.5, 0.9, 0.95]) AS q
    FROM t GROUP BY GROUPING SETS ((), (channel))
''').fetchall()
figures = [{"channel": None if g else ch, "n": n, "mean": mean, "median": q[0], "p90": q[1],
            "p95": q[2]} for ch, g, n, mean, q in rows]
with open(out, "w") as f:
    json.dump({"import_s": t1 - t0, "query_s": time.perf_counter() - t1, "figures": figures}, f)
"""


def quantiles(cxm: str, rows: int, runs_dir: str) -> tuple[dict, dict, list[str]]:
    data_dir = os.path.join(HERE, "data", f"tickets_{rows}")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_tickets.py"), str(rows), data_dir],
                   check=True)
    data = os.path.join(data_dir, "tickets.parquet")
    config = config_for(os.path.join(HERE, "config", "quantiles.toml"), data, "quantiles")
    cxm_out = lambda i: os.path.join(runs_dir, f"cxm-quantiles-{i + 1}.json")  # noqa: E731
    duck_out = lambda i: os.path.join(runs_dir, f"duckdb-quantiles-{i + 1}.json")  # noqa: E731
    c = run_many("cxm quantiles", lambda i: [cxm, "run", config, "--format", "json"], cxm_out)
    d = run_many(
        "duckdb quantiles",
        lambda i: [sys.executable, "-c", DUCKDB_QUANTILES, data, duck_out(i)],
        lambda i: duck_out(i) + ".log",
    )
    problems, worst, checked = [], 0.0, 0
    for i in range(RUNS):
        with open(cxm_out(i)) as f:
            ours = {r["group"].get("channel"): r for r in json.load(f)["results"]}
        with open(duck_out(i)) as f:
            theirs = {x["channel"]: x for x in json.load(f)["figures"]}
        if set(ours) != set(theirs):
            problems.append(f"run {i + 1}: groups differ: {sorted(map(str, ours))} vs {sorted(map(str, theirs))}")
            continue
        for key, r in ours.items():
            x, details = theirs[key], ours[key]["details"]
            where = f"run {i + 1} channel {key or '(all)'}"
            if r["n"] != x["n"]:
                problems.append(f"{where}: n {r['n']} vs {x['n']}")
            if not math.isclose(details["mean"], x["mean"], rel_tol=1e-9):
                problems.append(f"{where}: mean {details['mean']} vs {x['mean']}")
            bound = details.get("relative_error", 0.0)
            for q in ("median", "p90", "p95"):
                err = abs(details[q] - x[q]) / abs(x[q]) if x[q] else abs(details[q])
                worst = max(worst, err)
                checked += 1
                if err > bound * (1 + 1e-9) + 1e-12:
                    problems.append(f"{where} {q}: {details[q]} vs DuckDB {x[q]}: error {err:.5f} > {bound}")
    c["worst"] = worst
    c["figures"] = len(ours) if RUNS else 0  # groups of the last run
    return c, d, problems


def main() -> None:
    cxm = os.path.abspath(sys.argv[1])
    mg_rows, mg_groups, q_rows = (int(a) for a in sys.argv[2:5])
    runs_dir = os.path.join(HERE, "results", "runs")
    os.makedirs(runs_dir, exist_ok=True)
    mg = many_groups(cxm, mg_rows, mg_groups, runs_dir)
    q = quantiles(cxm, q_rows, runs_dir)

    lines = [
        "",
        f"## Other workloads (cxm vs DuckDB, best and median of {RUNS} run(s))",
        "",
        "| workload | engine | wall s (best) | median s | peak RSS MB | ratio to DuckDB (best) | median ratio |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    names = {
        "mg": f"NPS per customer, {mg_rows:,} rows / {mg_groups:,} customers (CSV)",
        "q": f"resolution-time quantiles, {q_rows:,} tickets (Parquet)",
    }
    verdicts, failed = [], False
    for key, (c, d, problems) in (("mg", mg), ("q", q)):
        for engine, m in (("cxm", c), ("duckdb", d)):
            lines.append(
                f"| {names[key]} | {engine} | {m['wall']:.3f} | {m['median']:.3f} | {m['rss']:.1f} "
                f"| {m['wall'] / d['wall']:.2f} | {m['median'] / d['median']:.2f} |"
            )
        if problems:
            failed = True
            print(f"\nFAILED: {names[key]}: {len(problems)} differences", file=sys.stderr)
            for p in problems[:10]:
                print("  " + p, file=sys.stderr)
    lines += [
        "",
        f"Agreement with DuckDB: NPS per customer, {mg[0]['figures']:,} groups (n exactly, NPS to "
        f"1e-9): {'FAILED' if mg[2] else 'all agree'}; quantiles, {q[0]['figures']} groups x "
        f"(n, mean, median, p90, p95): {'FAILED' if q[2] else 'all agree'} (n exactly, mean to "
        f"1e-9, quantiles within the stated error; largest quantile error {q[0]['worst']:.3%}).",
        "",
        "Targets (issue 16):",
        f"- many groups: cxm wall {mg[0]['wall'] / mg[1]['wall']:.2f} x DuckDB's (target <= 1): "
        f"{'met' if mg[0]['wall'] <= mg[1]['wall'] else 'NOT met'}; peak RSS "
        f"{mg[0]['rss'] / mg[1]['rss']:.1f} x DuckDB's (target <= 2): "
        f"{'met' if mg[0]['rss'] <= 2 * mg[1]['rss'] else 'NOT met'}",
        f"- quantiles: cxm peak RSS {q[0]['rss']:.0f} MB (target <= 100): "
        f"{'met' if q[0]['rss'] <= 100 else 'NOT met'}",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(HERE, "results", "latest.md"), "a") as f:
        f.write(text)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
