"""Time cxm, DuckDB and Polars on the generated survey, check they agree, print the table.

    python bench.py ROWS CXM_BINARY      (run by bench/run.sh, which prepares everything)

Variants (files from gen.py): CSV quoted (`survey.csv`, free-text comments, mostly quoted)
and plain (`survey_plain.csv`, short unquoted comments); Parquet as polars writes it with
Snappy (`survey.parquet`), as pyarrow writes it by default with zstd
(`survey_plain_pyarrow.parquet`) and as polars writes it by default (zstd,
`survey_plain_polars.parquet`). cxm reads each through a config written from
config/bench_{csv,parquet}.toml with the variant's path (results/config/).

Each engine runs as its own process, RUNS times per format; wall time is measured around the
process (perf_counter), peak RSS is the process's maximum resident set as GNU time reports it
(/usr/bin/time -f %M; without it, ru_maxrss from os.wait4, which on Linux also counts the RSS
this Python process had when it started the command). The table shows the best wall time and the largest
peak RSS of the runs. The figures of every run are checked against the others: NPS, CSAT %
and CES mean overall and per region x month, values to 1e-9 relative (1e-9 absolute near
zero) and n exactly. Any disagreement fails the run (exit 1) after printing every difference.
"""

import datetime
import json
import math
import os
import platform
import subprocess
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
REL_TOL = 1e-9
ABS_TOL = 1e-9
METRICS = ("nps", "csat", "ces")
# (name, format, file in data/)
VARIANTS = (
    ("csv-quoted", "csv", "survey.csv"),
    ("csv-plain", "csv", "survey_plain.csv"),
    ("pq-polars-snappy", "parquet", "survey.parquet"),
    ("pq-pyarrow-zstd", "parquet", "survey_plain_pyarrow.parquet"),
    ("pq-polars-zstd", "parquet", "survey_plain_polars.parquet"),
)
ENGINES = ("cxm", "duckdb", "polars")
# Targets from the performance issue (16, part 3): on every variant.
TARGET_RATIO = {"csv": 0.6, "parquet": 0.6}
TARGET_RSS_MB = 100.0
# BENCH_QUIET=N: before each run, wait up to N seconds for a second with >= 90% idle CPU
# (0, the default: do not wait).
QUIET_S = float(os.environ.get("BENCH_QUIET", "0") or 0)


# GNU time, when installed, measures each command's peak RSS (see `timed`).
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def cpu_idle_share(seconds: float = 1.0) -> float:
    """Share of idle CPU time over `seconds`, from /proc/stat (1.0 when unavailable)."""

    def sample():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return 1.0
    return (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet() -> None:
    """With BENCH_QUIET set, waits until the machine is idle (others may be building)."""
    if QUIET_S <= 0:
        return
    deadline = time.monotonic() + QUIET_S
    while cpu_idle_share() < 0.9 and time.monotonic() < deadline:
        pass


def load_average() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def variant_config(template: str, data: str, out_dir: str) -> str:
    """A copy of the cxm config `template` reading `data` (absolute paths throughout)."""
    root = os.path.dirname(HERE)
    lines = []
    with open(template) as f:
        for line in f:
            if line.startswith("path = "):
                line = f"path = {json.dumps(data)}\n"
            elif line.startswith("plugins = "):
                line = f"plugins = {json.dumps(os.path.join(root, 'config', 'plugins.toml'))}\n"
            lines.append(line)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, os.path.basename(data) + ".toml")
    with open(path, "w") as f:
        f.writelines(lines)
    return path


def timed(cmd: list[str], stdout_path: str, env: dict | None = None) -> tuple[float, float]:
    """Runs cmd with stdout to stdout_path; returns (wall seconds, peak RSS MB). Exits loudly
    if the command fails."""
    err_path = stdout_path + ".stderr"
    rss_path = stdout_path + ".rss"
    # Linux counts the RSS of the process that spawned a command in the command's
    # ru_maxrss (the memory it had when it called exec), so a large Python parent would
    # show as the command's peak. GNU time, a small parent, reports the command's own.
    wrapped = [GNU_TIME, "-f", "%M", "-o", rss_path, *cmd] if GNU_TIME else cmd
    wait_quiet()
    with open(stdout_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        with open(err_path, errors="replace") as f:
            sys.exit(f"FAILED (exit {proc.returncode}): {' '.join(cmd)}\n{f.read()}")
    kib = usage.ru_maxrss  # KiB on Linux
    if GNU_TIME:
        with open(rss_path) as f:
            kib = int(f.read().split()[-1])
    return wall, kib / 1024.0


def cxm_figures(report_path: str) -> dict:
    with open(report_path) as f:
        report = json.load(f)
    figures = {}
    for r in report["results"]:
        if r["metric"] not in METRICS:
            continue
        g = r["group"]
        if not g:
            key = (None, None)
        elif set(g) == {"region", "period"}:
            key = (g["region"], g["period"])
        else:
            continue  # roll-ups per region alone / per month alone: not compared
        figures[(key, r["metric"])] = (r["value"], r["n"])
    rows = report["datasets"][0]["rows_read"]
    return {"figures": figures, "rows": rows, "query_s": None}


def python_figures(out_path: str) -> dict:
    with open(out_path) as f:
        d = json.load(f)
    figures = {((x["region"], x["month"]), x["metric"]): (x["value"], x["n"]) for x in d["figures"]}
    return {"figures": figures, "rows": None, "query_s": d["query_s"]}


def compare(name_a: str, a: dict, name_b: str, b: dict) -> list[str]:
    problems = []
    for k in sorted(set(a) | set(b), key=lambda k: (k[0][0] or "", k[0][1] or "", k[1])):
        where = "overall" if k[0] == (None, None) else f"{k[0][0]} {k[0][1]}"
        if k not in a or k not in b:
            problems.append(f"{k[1]} {where}: only in {name_a if k in a else name_b}")
            continue
        (va, na), (vb, nb) = a[k], b[k]
        if na != nb:
            problems.append(f"{k[1]} {where}: n {name_a}={na} {name_b}={nb}")
        if va is None or vb is None:
            if va is not vb:
                problems.append(f"{k[1]} {where}: value {name_a}={va} {name_b}={vb}")
        elif not math.isclose(va, vb, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            problems.append(
                f"{k[1]} {where}: value {name_a}={va!r} {name_b}={vb!r} "
                f"(diff {va - vb:.3e})"
            )
    return problems


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1]
        mem = " ".join(mem.split()[1:2])
    except (OSError, IndexError):
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}, {mem} RAM, {platform.platform()}"


def main() -> None:
    rows_wanted = int(sys.argv[1])
    cxm = os.path.abspath(sys.argv[2])
    results_dir = os.path.join(HERE, "results")
    runs_dir = os.path.join(results_dir, "runs")
    os.makedirs(runs_dir, exist_ok=True)
    python = sys.executable
    env = dict(os.environ, POLARS_MAX_THREADS=str(os.cpu_count() or 1))

    measured = {}  # (engine, variant) -> dict(wall, rss, query_s)
    figures = {}  # (engine, variant) -> list of figure dicts, one per run
    loads = []
    for variant, fmt, file in VARIANTS:
        data = os.path.join(HERE, "data", file)
        template = os.path.join(HERE, "config", f"bench_{fmt}.toml")
        config = variant_config(template, data, os.path.join(results_dir, "config"))
        subprocess.run([cxm, "validate", config], check=True, stdout=subprocess.DEVNULL)
        for engine in ENGINES:
            walls, rsss, queries, runs = [], [], [], []
            for i in range(RUNS):
                out = os.path.join(runs_dir, f"{engine}-{variant}-{i + 1}.json")
                if engine == "cxm":
                    cmd = [cxm, "run", config, "--format", "json"]
                    wall, rss = timed(cmd, out, env)
                    got = cxm_figures(out)
                    if got["rows"] != rows_wanted:
                        sys.exit(f"FAILED: cxm read {got['rows']} rows, expected {rows_wanted}")
                else:
                    cmd = [python, os.path.join(HERE, "engines.py"), engine, fmt, data, out]
                    wall, rss = timed(cmd, out + ".log", env)
                    got = python_figures(out)
                walls.append(wall)
                rsss.append(rss)
                queries.append(got["query_s"])
                runs.append(got["figures"])
                loads.append(load_average())
                print(
                    f"  {engine:<7} {variant:<17} run {i + 1}: {wall:7.3f} s  {rss:8.1f} MB"
                    f"  (load {loads[-1]})",
                    flush=True,
                )
            best = min(range(RUNS), key=lambda i: walls[i])
            measured[(engine, variant)] = {
                "wall": walls[best],
                "median": statistics.median(walls),
                "rss": max(rsss),
                "query_s": queries[best],
            }
            figures[(engine, variant)] = runs

    # Agreement: every engine's first run on each format against DuckDB's first run on CSV
    # (so CSV and Parquet are checked against each other too: same data), and every later run
    # against the same engine's first run.
    problems = {}
    ref_name, ref = "duckdb/csv-quoted#1", figures[("duckdb", "csv-quoted")][0]
    for (engine, variant), runs in figures.items():
        for i, run in enumerate(runs):
            name = f"{engine}/{variant}#{i + 1}"
            other_name, other = (ref_name, ref) if i == 0 else (f"{engine}/{variant}#1", runs[0])
            if name != other_name:
                diff = compare(name, run, other_name, other)
                if diff:
                    problems[f"{name} vs {other_name}"] = diff
    n_checked = len(ref)
    if problems:
        total = sum(len(d) for d in problems.values())
        print(f"\nFAILED: the engines disagree ({total} differences):", file=sys.stderr)
        for pair, diff in problems.items():
            print(f"  {pair}: {len(diff)} of {n_checked} figures differ", file=sys.stderr)
            for p in diff[:8]:
                print("    " + p, file=sys.stderr)
            if len(diff) > 8:
                print(f"    ... and {len(diff) - 8} more", file=sys.stderr)
        sys.exit(1)

    # Table.
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# cxm benchmark: {rows_wanted:,} rows, {date}",
        "",
        f"Machine: {machine()}.",
        f"Best and median of {RUNS} run(s) (wall; the median ratio compares medians); peak RSS is the largest of the {RUNS}. Each engine is a separate "
        "process; DuckDB and Polars times include starting Python and importing the library "
        "(`import` and `query` columns are measured inside that process).",
        "",
        f"Load average (1, 5, 15 min) during the runs: {loads[0] if loads else '?'} at the first, "
        f"{loads[-1] if loads else '?'} at the last.",
        "",
        "| engine | variant | wall s (best) | median s | peak RSS MB | ratio to faster of DuckDB/Polars (best) | median ratio | import s | query s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for variant, fmt, _ in VARIANTS:
        fastest = min(measured[("duckdb", variant)]["wall"], measured[("polars", variant)]["wall"])
        fastest_median = min(
            measured[("duckdb", variant)]["median"], measured[("polars", variant)]["median"]
        )
        for engine in ENGINES:
            m = measured[(engine, variant)]
            ratio = m["wall"] / fastest
            median_ratio = m["median"] / fastest_median
            imp = q = "—"
            if engine != "cxm":
                with open(os.path.join(runs_dir, f"{engine}-{variant}-1.json")) as f:
                    imp = f"{json.load(f)['import_s']:.3f}"
                q = f"{m['query_s']:.3f}"
            lines.append(
                f"| {engine} | {variant} | {m['wall']:.3f} | {m['median']:.3f} | {m['rss']:.1f} | {ratio:.2f} "
                f"| {median_ratio:.2f} | {imp} | {q} |"
            )
        cm = measured[("cxm", variant)]
        ratio = cm["wall"] / fastest
        median_ratio = cm["median"] / fastest_median
        met = ratio <= TARGET_RATIO[fmt] and median_ratio <= TARGET_RATIO[fmt]
        verdicts.append(
            f"- {variant}: cxm wall {ratio:.2f} x (best) and {median_ratio:.2f} x (median) the faster "
            f"of DuckDB/Polars (target <= {TARGET_RATIO[fmt]:.1f}): {'met' if met else 'NOT met'}; "
            f"peak RSS {cm['rss']:.1f} MB (target <= {TARGET_RSS_MB:.0f}): "
            f"{'met' if cm['rss'] <= TARGET_RSS_MB else 'NOT met'}"
        )
    lines += [
        "",
        f"Agreement: all {len(ENGINES)} engines x {len(VARIANTS)} variants x {RUNS} run(s) give the "
        f"same {n_checked} figures (NPS, CSAT %, CES mean; overall and per region x month; "
        f"value to {REL_TOL:g} relative, n exactly).",
        "",
        "Targets (from the issue):",
        *verdicts,
        "",
    ]
    text = "\n".join(lines)
    print()
    print(text)
    with open(os.path.join(results_dir, "latest.md"), "w") as f:
        f.write(text)
    print(f"written to {os.path.relpath(os.path.join(results_dir, 'latest.md'))}")


if __name__ == "__main__":
    main()
