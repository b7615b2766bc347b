"""Checks that cxm and DuckDB computed the same per-customer NPS (standard library only):

    python3 bench/many_groups_check.py CXM_CSV DUCKDB_CSV

CXM_CSV is `cxm run bench/config/many_groups.toml --format csv` output, DUCKDB_CSV is
many_groups_duckdb.py's. Same set of groups (the overall row included), n exactly, NPS to
1e-9 relative (absolute near zero). Exits 1 on any difference.
"""

import csv
import sys


def load(path: str, key: str, value: str, overall: str) -> dict:
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            group = None if row[key] == overall else row[key]
            out[group] = (float(row[value]) if row[value] else None, float(row["n"]))
    return out


def differences(cxm_csv: str, duckdb_csv: str) -> tuple[int, list[str]]:
    """The number of cxm's groups and every difference from DuckDB's figures, in words."""
    cxm = load(cxm_csv, "customer_id", "value", "(all)")
    duck = load(duckdb_csv, "customer_id", "nps", "")
    if cxm.keys() != duck.keys():
        return len(cxm), [f"different groups: cxm {len(cxm)}, DuckDB {len(duck)}"]
    bad = []
    for group, (value, n) in cxm.items():
        other, other_n = duck[group]
        same = n == other_n and (value is None) == (other is None)
        if same and value is not None:
            same = abs(value - other) <= 1e-9 * max(1.0, abs(other))
        if not same:
            bad.append(f"customer {group}: cxm {(value, n)} DuckDB {(other, other_n)}")
    return len(cxm), bad


def main() -> None:
    groups, bad = differences(sys.argv[1], sys.argv[2])
    for b in bad[:10]:
        print("differs:", b)
    print(f"{groups:,} groups, {len(bad)} difference(s)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
