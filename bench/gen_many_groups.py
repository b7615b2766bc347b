"""Generate the "many groups" survey deterministically (standard library only):

    python3 gen_many_groups.py ROWS GROUPS OUT_CSV

ROWS responses from exactly GROUPS distinct customers (ROWS >= GROUPS), for NPS per
customer (bench/config/many_groups.toml). Same arguments -> byte-identical file.

Columns:
  response_id  1..ROWS
  customer_id  CUST-000000 ... (zero-padded to 6 digits, more when GROUPS > 1,000,000);
               row i belongs to customer (i * 1,000,003) mod GROUPS, so every customer
               appears (ROWS/GROUPS times, give or take one), scattered through the file
  submitted    a date (YYYY-MM-DD), 2024-01-01 to 2025-12-31, rows in date order
  score        0-10, ~1% empty; each customer's answers lean its own way, so the groups
               really differ (negative and positive NPS alike)
"""

import datetime
import math
import random
import sys

SEED = 20240116
STRIDE = 1_000_003  # a prime: i -> i * STRIDE mod GROUPS is a permutation unless it divides GROUPS


def main() -> None:
    rows, groups, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if groups < 1 or rows < groups:
        sys.exit("need ROWS >= GROUPS >= 1")
    if math.gcd(STRIDE, groups) != 1:
        sys.exit(f"GROUPS must not be a multiple of {STRIDE}")
    rng = random.Random(SEED)
    width = max(6, len(str(groups - 1)))
    # Per customer: a lean in [-3, 3) points added to the answers (derived from the id, so
    # it does not depend on the order rows are generated in).
    lean = [((c * 2_654_435_761) % 6000) / 1000.0 - 3.0 for c in range(groups)]
    start = datetime.date(2024, 1, 1).toordinal()
    days = datetime.date(2026, 1, 1).toordinal() - start
    dates = [datetime.date.fromordinal(start + d).isoformat() for d in range(days)]
    gauss, rand = rng.gauss, rng.random
    with open(out, "w", newline="") as f:
        f.write("response_id,customer_id,submitted,score\n")
        lines = []
        for i in range(rows):
            c = (i * STRIDE) % groups
            if rand() < 0.01:
                score = ""
            else:
                s = round(gauss(7.2 + lean[c], 2.3))
                score = str(0 if s < 0 else 10 if s > 10 else s)
            day = dates[i * days // rows]
            lines.append(f"{i + 1},CUST-{c:0{width}d},{day},{score}\n")
            if len(lines) == 65536:
                f.write("".join(lines))
                lines.clear()
        f.write("".join(lines))


if __name__ == "__main__":
    main()
