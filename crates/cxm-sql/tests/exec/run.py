"""Runs one query (read from stdin) on a small all-text table `t` in SQLite or DuckDB and
prints the result rows as JSON, sorted. Used by tests/execute.rs; argv[1] is the engine."""
import datetime
import json
import sys

COLUMNS = ["region", "channel", "submitted", "score", "amount", "flag", "day", "w"]
ROWS = [
    ("North", "web", "2025-03-31T22:30:00Z", "10", "100", "yes", "2025-03-31", "2"),
    ("North", "web", "2025-03-31 23:30:00+02:00", "9", "100.5", "no", "2025-02-29", "1"),
    ("North", "store", "2025-01-01T03:00:00", " 7 ", "abc", "maybe", "2025-02-30", "1.5"),
    ("South", "web", "not a date", "x", "", "", "", "x"),
    ("South", "web", None, "", "-3.5e2", "T", "2024-12-30", "-1"),
    (" South ", "store", "2025-12-31T23:59:59.123456-05:00", "+8", "0", "0", "2024-12-29", None),
    ("North", "web", "2025-02-30T10:00:00", "10", "1e400", "Y", "2025-02-28", "3"),
    ("South", "web", "2025-06-15 12:00:00", "99999999999999999999", "12.", "TRUE", "2025-06-15", "0"),
]


def plain(v):
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    if hasattr(v, "is_integer") and not isinstance(v, float):  # Decimal
        return float(v)
    return v


def main():
    engine, sql = sys.argv[1], sys.stdin.read()
    create = "CREATE TABLE t (" + ", ".join(f"{c} TEXT" for c in COLUMNS) + ")"
    insert = "INSERT INTO t VALUES (" + ", ".join("?" for _ in COLUMNS) + ")"
    if engine == "sqlite":
        import sqlite3
        con = sqlite3.connect(":memory:")
        con.execute(create)
        con.executemany(insert, ROWS)
        cur = con.execute(sql)
    else:
        import duckdb
        con = duckdb.connect()
        con.execute("SET TimeZone = 'Asia/Tokyo'")  # results must not depend on it
        con.execute(create)
        con.executemany(insert, ROWS)
        cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, map(plain, r))) for r in cur.fetchall()]
    rows.sort(key=lambda r: json.dumps(r, sort_keys=True))
    print(json.dumps(rows))


main()
