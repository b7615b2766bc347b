"""Generate the benchmark survey deterministically, in two variants and several writers:

    python gen.py ROWS DATA_DIR

- `survey.csv`, `survey.parquet` ("quoted" variant): the comment column is free text with
  commas, quotes and non-ASCII letters, so most of its cells are CSV-quoted; the Parquet
  file is written by polars with Snappy and statistics.
- `survey_plain.csv` ("plain" variant): the same rows but a short unquoted comment (one of a
  few words, no comma or quote), like a plain survey export.
- `survey_plain_pyarrow.parquet`: the plain variant written as a pyarrow user would
  (`pyarrow.parquet.write_table(table, path, compression="zstd")`, every other setting
  pyarrow's default: row groups of 1Mi rows, dictionary encoding, statistics, format 2.6).
- `survey_plain_polars.parquet`: the plain variant written by polars' default writer
  (`DataFrame.write_parquet(path)`: zstd, polars' default row groups and statistics).

Same ROWS, same numpy/polars/pyarrow versions (pinned in requirements.txt) -> same bytes.
Skips each variant when DATA_DIR/meta.json (quoted) or meta_plain.json (plain) already
records the same row count and generator version and its files exist.

Columns: response_id, customer_id, submitted (naive ISO timestamp, UTC, 2024-01-01 to
2025-12-31, rows in submission order), region (8), plan (4), channel (5), nps (0-10, ~1%
empty), csat (1-5, ~2% empty), ces (1-7), comment (free text with commas, quotes and a few
non-ASCII letters; ~30% empty).

In Parquet, submitted is a timestamp[us] without time zone and the scores are nullable
Int8: the same values as the CSV, in the types a real export would carry.
"""

import json
import os
import sys
import time

import numpy as np
import polars as pl
import pyarrow.parquet as pq

GENERATOR_VERSION = 1
SEED = 20240101

REGIONS = ["North", "South", "East", "West", "Central", "Nordics", "Iberia", "Benelux"]
PLANS = ["Free", "Starter", "Pro", "Enterprise"]
CHANNELS = ["email", "web", "in-app", "sms", "phone"]

# Per-region shift of the mean answer, so groups really differ.
REGION_SHIFT = np.array([0.6, -0.4, 0.2, -0.9, 0.0, 0.9, -0.2, 0.4])

OPENINGS = [
    "Great service",
    "Delivery was late, again",
    'The "express" option wasn\'t express',
    "Support agent was helpful",
    "Price is too high, honestly",
    "App keeps logging me out",
    "Très bien, merci",
    "Checkout was smooth",
    'Said "tomorrow", came in a week',
    "Nothing to add",
    "Hard to find the invoice",
    "Größe passt nicht, leider",
]
MIDDLES = [
    "",
    ", but the packaging was damaged",
    ", and the refund took 3 weeks",
    '; the "help" page is useless',
    ", would buy again",
    ", chat bot didn't understand me",
    ", staff were friendly, quick",
    ' - "5 stars" from me',
]
ENDINGS = ["", ".", "!", "!!", " :)", "...", ", thanks."]
# The plain variant's comments: short, unquoted (no comma, quote or line break).
PLAIN_COMMENTS = ["ok", "good", "great service", "too slow", "late delivery", "fine", "n/a"]
PLAIN_VERSION = 1


def up_to_date(meta_path: str, want: dict, paths: list[str]) -> bool:
    if not (os.path.exists(meta_path) and all(os.path.exists(p) for p in paths)):
        return False
    with open(meta_path) as f:
        have = json.load(f)
    return {k: have.get(k) for k in want} == want


def main() -> None:
    rows = int(sys.argv[1])
    data_dir = sys.argv[2]
    os.makedirs(data_dir, exist_ok=True)
    csv_path = os.path.join(data_dir, "survey.csv")
    pq_path = os.path.join(data_dir, "survey.parquet")
    meta_path = os.path.join(data_dir, "meta.json")
    want = {"rows": rows, "generator_version": GENERATOR_VERSION, "seed": SEED}
    plain_csv = os.path.join(data_dir, "survey_plain.csv")
    plain_pa = os.path.join(data_dir, "survey_plain_pyarrow.parquet")
    plain_pl = os.path.join(data_dir, "survey_plain_polars.parquet")
    plain_meta = os.path.join(data_dir, "meta_plain.json")
    want_plain = dict(want, plain_version=PLAIN_VERSION)
    quoted_ok = up_to_date(meta_path, want, [csv_path, pq_path])
    plain_ok = up_to_date(plain_meta, want_plain, [plain_csv, plain_pa, plain_pl])
    if quoted_ok and plain_ok:
        print(f"dataset: {rows:,} rows already in {data_dir}, not regenerated")
        return
    for ok, meta in ((quoted_ok, meta_path), (plain_ok, plain_meta)):
        if not ok and os.path.lexists(meta):
            os.remove(meta)  # invalidate before overwriting the data files

    t0 = time.perf_counter()
    rng = np.random.default_rng(SEED)

    # Submission times: uniform over two years, in order (as an export comes).
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    end = np.datetime64("2026-01-01T00:00:00", "s").astype(np.int64)
    secs = np.sort(rng.integers(start, end, size=rows, dtype=np.int64))

    region = rng.integers(0, len(REGIONS), size=rows, dtype=np.int8)
    plan = rng.choice(len(PLANS), size=rows, p=[0.4, 0.3, 0.2, 0.1]).astype(np.int8)
    channel = rng.choice(len(CHANNELS), size=rows, p=[0.35, 0.25, 0.2, 0.05, 0.15]).astype(np.int8)
    shift = REGION_SHIFT[region] + 0.3 * plan  # better experience on richer plans

    nps = np.clip(np.rint(rng.normal(7.6 + shift, 2.3)), 0, 10).astype(np.int8)
    csat = np.clip(np.rint(rng.normal(3.9 + 0.4 * shift, 0.95)), 1, 5).astype(np.int8)
    ces = np.clip(np.rint(rng.normal(5.0 + 0.5 * shift, 1.4)), 1, 7).astype(np.int8)
    nps_empty = rng.random(rows) < 0.01
    csat_empty = rng.random(rows) < 0.02

    o = rng.integers(0, len(OPENINGS), size=rows, dtype=np.int16)
    m = rng.integers(0, len(MIDDLES), size=rows, dtype=np.int16)
    e = rng.integers(0, len(ENDINGS), size=rows, dtype=np.int16)
    comment_empty = rng.random(rows) < 0.3
    customer = rng.integers(1, max(rows // 3, 10) + 1, size=rows, dtype=np.int64)

    def pick(values, codes):
        # Vectorised lookup: a small Series gathered by the codes.
        return pl.Series(values, dtype=pl.String).gather(pl.Series(codes.astype(np.uint32)))

    df = pl.DataFrame(
        {
            "response_id": pl.Series(np.arange(1, rows + 1, dtype=np.int64)),
            "customer_id": pl.Series(customer),
            "submitted": pl.Series(secs * 1_000_000).cast(pl.Datetime("us")),
            "region": pick(REGIONS, region),
            "plan": pick(PLANS, plan),
            "channel": pick(CHANNELS, channel),
            "nps": pl.Series(nps),
            "csat": pl.Series(csat),
            "ces": pl.Series(ces),
            "o": pick(OPENINGS, o),
            "m": pick(MIDDLES, m),
            "e": pick(ENDINGS, e),
            "nps_empty": pl.Series(nps_empty),
            "csat_empty": pl.Series(csat_empty),
            "comment_empty": pl.Series(comment_empty),
        }
    )
    df = df.select(
        pl.col("response_id"),
        (pl.lit("C") + pl.col("customer_id").cast(pl.String).str.zfill(7)).alias("customer_id"),
        pl.col("submitted"),
        pl.col("region"),
        pl.col("plan"),
        pl.col("channel"),
        pl.when(pl.col("nps_empty")).then(None).otherwise(pl.col("nps")).alias("nps"),
        pl.when(pl.col("csat_empty")).then(None).otherwise(pl.col("csat")).alias("csat"),
        pl.col("ces"),
        pl.when(pl.col("comment_empty"))
        .then(None)
        .otherwise(pl.concat_str("o", "m", "e"))
        .alias("comment"),
    )
    t1 = time.perf_counter()
    written = []

    if not quoted_ok:
        tmp_csv, tmp_pq = csv_path + ".tmp", pq_path + ".tmp"
        # CSV: RFC 4180 quoting (fields with commas or quotes are quoted, quotes doubled);
        # timestamps as naive ISO 8601 "2024-03-15T13:45:12"; null as an empty cell.
        df.write_csv(tmp_csv, datetime_format="%Y-%m-%dT%H:%M:%S", null_value="")
        df.write_parquet(tmp_pq, compression="snappy", statistics=True)
        os.replace(tmp_csv, csv_path)
        os.replace(tmp_pq, pq_path)
        with open(meta_path, "w") as f:
            json.dump(want, f)
        written += [csv_path, pq_path]

    if not plain_ok:
        # Drawn after every other column, so the quoted variant's values do not change.
        p = rng.integers(0, len(PLAIN_COMMENTS), size=rows, dtype=np.int16)
        plain = df.with_columns(
            pl.when(pl.col("comment").is_null()).then(None).otherwise(pick(PLAIN_COMMENTS, p))
            .alias("comment")
        )
        tmps = [path + ".tmp" for path in (plain_csv, plain_pa, plain_pl)]
        plain.write_csv(tmps[0], datetime_format="%Y-%m-%dT%H:%M:%S", null_value="")
        pq.write_table(plain.to_arrow(), tmps[1], compression="zstd")
        plain.write_parquet(tmps[2])
        for tmp, path in zip(tmps, (plain_csv, plain_pa, plain_pl)):
            os.replace(tmp, path)
        with open(plain_meta, "w") as f:
            json.dump(want_plain, f)
        written += [plain_csv, plain_pa, plain_pl]
    t2 = time.perf_counter()
    sizes = ", ".join(f"{os.path.basename(p)} {os.path.getsize(p) / 1e6:,.0f} MB" for p in written)
    print(f"dataset: {rows:,} rows generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s ({sizes})")


if __name__ == "__main__":
    main()
