"""One engine computing the benchmark's figures, as its own process (so bench.py can time it
and read its peak RSS):

    python engines.py duckdb|polars csv|parquet DATA_FILE OUT_JSON

Figures, overall and per region x month (month = the submission's UTC calendar month, "YYYY-MM"):
  NPS  = 100 * (promoters 9-10 - detractors 0-6) / n, n = answers in 0..10
  CSAT = 100 * satisfied (4-5) / n, n = answers in 1..5
  CES  = mean answer, n = answers in 1..7
Empty cells are no answer; answers outside the scale are not counted (the generated data has
none). Writes {"query_s": ..., "figures": [{"region", "month", "metric", "value", "n"}]}, with
region = month = null for the overall figures.
"""

import json
import os
import sys
import time

THREADS = os.cpu_count() or 1


def duckdb_figures(fmt: str, path: str) -> list[dict]:
    import duckdb

    con = duckdb.connect(config={"threads": THREADS})
    if fmt == "csv":
        # Dialect detected; the types of the columns we read declared, as cxm's config does.
        source = (
            f"read_csv('{path}', header = true, types = {{'submitted': 'TIMESTAMP', "
            "'region': 'VARCHAR', 'nps': 'INTEGER', 'csat': 'INTEGER', 'ces': 'INTEGER'})"
        )
    else:
        source = f"read_parquet('{path}')"
    sql = f"""
        WITH t AS (
            SELECT region, strftime(submitted, '%Y-%m') AS month, nps, csat, ces FROM {source}
        )
        SELECT
            region, month,
            count(*) FILTER (WHERE nps BETWEEN 0 AND 10) AS nps_n,
            count(*) FILTER (WHERE nps BETWEEN 9 AND 10) AS nps_p,
            count(*) FILTER (WHERE nps BETWEEN 0 AND 6) AS nps_d,
            100.0 * (nps_p - nps_d) / nps_n AS nps,
            count(*) FILTER (WHERE csat BETWEEN 1 AND 5) AS csat_n,
            100.0 * count(*) FILTER (WHERE csat BETWEEN 4 AND 5) / csat_n AS csat,
            count(*) FILTER (WHERE ces BETWEEN 1 AND 7) AS ces_n,
            avg(ces) FILTER (WHERE ces BETWEEN 1 AND 7) AS ces,
            grouping(region, month) AS g
        FROM t
        GROUP BY GROUPING SETS ((), (region, month))
    """
    rows = con.execute(sql).fetchall()
    cols = [d[0] for d in con.description]
    out = []
    for row in rows:
        r = dict(zip(cols, row))
        overall = r["g"] != 0
        for m in ("nps", "csat", "ces"):
            out.append(
                {
                    "region": None if overall else r["region"],
                    "month": None if overall else r["month"],
                    "metric": m,
                    "value": r[m],
                    "n": r[f"{m}_n"],
                }
            )
    return out


def polars_figures(fmt: str, path: str) -> list[dict]:
    import polars as pl

    if fmt == "csv":
        # Types of the columns we read declared (as in cxm's config); projection pushdown
        # means only these columns are parsed.
        lf = pl.scan_csv(
            path,
            schema_overrides={
                "submitted": pl.Datetime("us"),
                "region": pl.String,
                "nps": pl.Int64,
                "csat": pl.Int64,
                "ces": pl.Int64,
            },
        )
    else:
        lf = pl.scan_parquet(path)
    nps, csat, ces = pl.col("nps"), pl.col("csat"), pl.col("ces")
    # Mergeable counts per region x month; the overall figures are sums of the same counts
    # (exact: they are integers), computed in the same lazy plan.
    counts = (
        lf.select("region", pl.col("submitted").dt.strftime("%Y-%m").alias("month"), nps, csat, ces)
        .group_by("region", "month")
        .agg(
            nps.is_between(0, 10).sum().alias("nps_n"),
            nps.is_between(9, 10).sum().alias("nps_p"),
            nps.is_between(0, 6).sum().alias("nps_d"),
            csat.is_between(1, 5).sum().alias("csat_n"),
            csat.is_between(4, 5).sum().alias("csat_s"),
            ces.is_between(1, 7).sum().alias("ces_n"),
            ces.filter(ces.is_between(1, 7)).sum().alias("ces_sum"),
        )
        # A sum of booleans is UInt32: P - D would wrap around below zero.
        .with_columns(pl.exclude("region", "month").cast(pl.Int64))
    )
    count_cols = ["nps_n", "nps_p", "nps_d", "csat_n", "csat_s", "ces_n", "ces_sum"]
    overall = counts.select(pl.col(c).sum() for c in count_cols)
    figures = [
        (100.0 * (pl.col("nps_p") - pl.col("nps_d")) / pl.col("nps_n")).alias("nps"),
        (100.0 * pl.col("csat_s") / pl.col("csat_n")).alias("csat"),
        (pl.col("ces_sum") / pl.col("ces_n")).alias("ces"),
    ]
    groups_df, overall_df = pl.collect_all(
        [counts.with_columns(figures), overall.with_columns(figures)]
    )
    out = []
    for key, df in ((True, overall_df), (False, groups_df)):
        for r in df.iter_rows(named=True):
            for m in ("nps", "csat", "ces"):
                out.append(
                    {
                        "region": None if key else r["region"],
                        "month": None if key else r["month"],
                        "metric": m,
                        "value": r[m],
                        "n": r[f"{m}_n"],
                    }
                )
    return out


def main() -> None:
    engine, fmt, path, out_path = sys.argv[1:5]
    t_import = time.perf_counter()
    __import__(engine)  # the import is part of the process's wall time, not of query_s
    t0 = time.perf_counter()
    figures = {"duckdb": duckdb_figures, "polars": polars_figures}[engine](fmt, path)
    query_s = time.perf_counter() - t0
    with open(out_path, "w") as f:
        json.dump(
            {
                "engine": engine,
                "format": fmt,
                "import_s": t0 - t_import,
                "query_s": query_s,
                "figures": figures,
            },
            f,
        )


if __name__ == "__main__":
    main()
