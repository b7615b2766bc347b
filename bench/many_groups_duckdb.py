"""DuckDB's reference for the "many groups" benchmark: NPS overall and per customer over a
file from gen_many_groups.py, written as CSV (one row per group), like
`cxm run bench/config/many_groups.toml --format csv`:

    bench/.venv/bin/python bench/many_groups_duckdb.py DATA_CSV OUT_CSV

NPS = 100 * (promoters 9-10 - detractors 0-6) / n, n = answers in 0..10, empty = no answer.
Columns: customer_id (empty for the overall row), n, promoters, detractors, nps. Prints the
query time (import excluded) on stderr. Threads: all CPUs.
"""

import os
import sys
import time

t_import = time.perf_counter()
import duckdb  # noqa: E402  (the import is part of the process's wall time)


def main() -> None:
    path, out = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    con = duckdb.connect(config={"threads": os.cpu_count() or 1})
    source = (
        f"read_csv('{path}', header = true, "
        "types = {'customer_id': 'VARCHAR', 'submitted': 'DATE', 'score': 'INTEGER'})"
    )
    con.execute(
        f"""
        COPY (
            SELECT
                customer_id,
                count(*) FILTER (WHERE score BETWEEN 0 AND 10) AS n,
                count(*) FILTER (WHERE score BETWEEN 9 AND 10) AS promoters,
                count(*) FILTER (WHERE score BETWEEN 0 AND 6) AS detractors,
                100.0 * (promoters - detractors) / n AS nps
            FROM {source}
            GROUP BY GROUPING SETS ((), (customer_id))
        ) TO '{out}' (FORMAT csv, HEADER true)
        """
    )
    print(
        f"import {t0 - t_import:.3f} s, query {time.perf_counter() - t0:.3f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
