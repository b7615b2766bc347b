"""Per-stage share of a `perf record` profile of `cxm run` (all threads), by symbol:

    perf record -o perf.data target/release/cxm run CONFIG --format json > /dev/null
    python3 bench/stages.py perf.data [WALL_S CPU_S]

Stages: read (kernel copies, file reads), hash (SHA-256 of the input), scan (CSV record
scanner, quote parity), decompress (Snappy, Zstandard), decode (the parquet crate's page and
dictionary decoding), parse (typed conversion of cells: cxm-ingest's parsers, cxm-arrow's
conversion), group (grouping keys, periods), update (the metric plugins and the host's
tally around them), alloc (allocator, memcpy/memset), report (everything else: start-up,
results, JSON). The mapping is by symbol-name patterns, first match wins; with CPU seconds
given, each share is also shown as seconds of CPU. Standard library only.
"""

import re
import subprocess
import sys

STAGES = [
    ("hash", r"sha2::|sha256"),
    ("scan", r"scan::scan_chunk|quote_parity|last_record_end|count_line_breaks|scan::|classify"),
    ("decompress", r"ZSTD_|zstd|snap::|snappy|lz4|HUF_|FSE_"),
    ("decode", r"^parquet::|<parquet::|parquet::|thrift"),
    ("group", r"grouping::|Grouper|Interner|local_days|str_set|period::|key_of_date"),
    ("update", r"memfd:cxm-plugin|cxm_plugin|chunk::tally|cxm_sdk|ChunkWork::process|ffi"),
    ("parse", r"cxm_ingest::|cxm_arrow::|arrow_array::|arrow_buffer::|arrow_data::|arrow_select::|arrow_cast::|csv_chunks|datetime|parse_"),
    ("read", r"copy_to_iter|_copy_|filemap|read_to_end|vfs_read|ksys_read|page_cache|do_syscall|entry_SYSCALL|\[k\]"),
    ("alloc", r"malloc|free|_int_|memmove|memcpy|memset|unlink_chunk|realloc|alloc::raw_vec|memcmp"),
]


def main() -> None:
    data = sys.argv[1]
    cpu = float(sys.argv[3]) if len(sys.argv) > 3 else None
    out = subprocess.run(
        ["perf", "report", "-i", data, "--no-children", "--sort", "dso,symbol", "--stdio",
         "-g", "none", "--percent-limit", "0"],
        capture_output=True, text=True, check=True,
    ).stdout
    totals = {name: 0.0 for name, _ in STAGES}
    totals["report"] = 0.0
    for line in out.splitlines():
        m = re.match(r"\s*([0-9.]+)%\s+(\S+)\s+(.*)$", line)
        if not m:
            continue
        share, dso, sym = float(m.group(1)), m.group(2), m.group(3)
        text = f"{dso} {sym}"
        for name, pattern in STAGES:
            if re.search(pattern, text):
                totals[name] += share
                break
        else:
            totals["report"] += share
    print("| stage | share of CPU samples |" + (" CPU s |" if cpu else ""))
    print("|---|---:|" + ("---:|" if cpu else ""))
    for name, share in totals.items():
        extra = f" {cpu * share / 100:.2f} |" if cpu else ""
        print(f"| {name} | {share:.1f}% |{extra}")


if __name__ == "__main__":
    main()
