"""Generate a support-ticket export for the quantile benchmark: bench/data/tickets.parquet.

    python gen_tickets.py ROWS DATA_DIR

Deterministic (fixed seed, numpy + pyarrow pinned in requirements.txt): the same ROWS gives
the same file. Skips the work when DATA_DIR/tickets.json already records the same row count
and generator version and the file exists. Written in slices of 5M rows (row groups of 1M),
so generating 100M rows needs ~0.5 GB of memory, not the whole table.

Columns:
- created_at: timestamp[us] (no zone = UTC), tickets a few seconds apart from 2024-01-01,
  in creation order;
- resolved_at: timestamp[us], created_at + a lognormal resolution time (median 5 h,
  sigma 1.2: p90 ~ 23 h, p99 ~ 3 days) in whole seconds; ~3% empty (unresolved);
- channel: email / chat / phone / web (4 groups).
"""

import json
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

GENERATOR_VERSION = 1
SEED = 20250301
SLICE = 5_000_000
ROW_GROUP = 1_000_000
CHANNELS = ["email", "chat", "phone", "web"]
START_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z


def generate(rows: int, data_dir: str) -> None:
    os.makedirs(data_dir, exist_ok=True)
    path = os.path.join(data_dir, "tickets.parquet")
    meta_path = os.path.join(data_dir, "tickets.json")
    meta = {"rows": rows, "generator_version": GENERATOR_VERSION, "seed": SEED}
    if os.path.exists(meta_path) and os.path.exists(path):
        with open(meta_path) as f:
            if json.load(f) == meta:
                print(f"{path}: already {rows:,} rows")
                return
    if os.path.exists(meta_path):
        os.remove(meta_path)  # invalidate before overwriting the data file

    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    schema = pa.schema(
        [
            ("created_at", pa.timestamp("us")),
            ("resolved_at", pa.timestamp("us")),
            ("channel", pa.string()),
        ]
    )
    channels = pa.array(CHANNELS, pa.string())
    tmp = path + ".tmp"
    next_created = START_US
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        for start in range(0, rows, SLICE):
            n = min(SLICE, rows - start)
            gaps = rng.integers(1, 8, n, dtype=np.int64) * 1_000_000
            created = next_created + np.cumsum(gaps)
            next_created = int(created[-1])
            seconds = np.rint(18_000.0 * np.exp(1.2 * rng.standard_normal(n))).astype(np.int64)
            resolved = created + seconds * 1_000_000
            unresolved = rng.random(n) < 0.03
            channel = rng.integers(0, len(CHANNELS), n, dtype=np.int8)
            table = pa.table(
                {
                    "created_at": pa.array(created, pa.timestamp("us")),
                    "resolved_at": pa.array(resolved, pa.timestamp("us"), mask=unresolved),
                    # Dictionary-encoded in the file (pyarrow's default), a plain string column
                    # to readers.
                    "channel": pa.DictionaryArray.from_arrays(pa.array(channel), channels).cast(
                        pa.string()
                    ),
                },
                schema=schema,
            )
            writer.write_table(table, row_group_size=ROW_GROUP)
    os.replace(tmp, path)
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    mb = os.path.getsize(path) / 1e6
    print(f"{path}: {rows:,} rows, {mb:,.0f} MB in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit("usage: python gen_tickets.py ROWS DATA_DIR")
    generate(int(sys.argv[1]), sys.argv[2])
