#!/usr/bin/env python3
"""Generates the demo client's survey export, data/demo/survey.csv, deterministically.

3,000 responses over January to June 2025 in four regions and three channels, shaped like a
survey platform's export (display-name headers, free-text comments with commas and quotes),
with a handful of deliberately bad rows so the demo shows cxm's row accounting:
  - "ten" and "" in the NPS column (not_a_number, empty)
  - 11 in the NPS column and 0 in the CSAT column (out_of_scale)
  - an impossible date (invalid_datetime: the row is invalid for every metric)
  - a row with a missing field (wrong_field_count: rejected whole)
Run: python3 scripts/gen_demo.py [OUT]   (default data/demo/survey.csv)
"""
import csv
import random
import sys
from datetime import datetime, timedelta

REGIONS = [("North", 0.62), ("South", 0.45), ("East", 0.55), ("West", 0.35)]
CHANNELS = ["web", "email", "in-store"]
COMMENTS = [
    "",
    "",
    "",
    "Quick delivery, friendly staff",
    'The "express" option was not express',
    "Checkout was slow, but support fixed it",
    "Great prices; will buy again",
    "App crashed twice, had to call",
]


def nps_score(rng, mood):
    r = rng.random()
    if r < mood:
        return rng.choice([9, 10])
    if r < mood + 0.25:
        return rng.choice([7, 8])
    return rng.randint(0, 6)


def main(out):
    rng = random.Random(20250101)
    start = datetime(2025, 1, 1)
    rows = []
    for i in range(3000):
        region, mood = REGIONS[i % 4] if i % 7 else REGIONS[rng.randrange(4)]
        when = start + timedelta(seconds=rng.randrange(181 * 86400))
        # Sentiment improves a little over the half-year in every region.
        mood = min(0.9, mood + 0.02 * (when.month - 1))
        nps = nps_score(rng, mood)
        csat = max(1, min(5, round(1 + nps * 0.4 + rng.uniform(-1, 1))))
        ease = max(1, min(7, round(1 + nps * 0.55 + rng.uniform(-1.5, 1.5))))
        rows.append([
            f"R{100000 + i}",
            when.strftime("%Y-%m-%d %H:%M:%S"),
            region,
            rng.choice(CHANNELS),
            str(nps),
            str(csat),
            str(ease) if rng.random() > 0.03 else "",
            rng.choice(COMMENTS),
        ])
    # Deliberately bad rows.
    rows[17][4] = "ten"
    rows[42][4] = "11"
    rows[99][4] = ""
    rows[230][5] = "0"
    rows[512][1] = "2025-13-45 10:00:00"
    rows[777] = rows[777][:6]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Response ID", "Submitted", "Region", "Channel",
                    "Likelihood to recommend", "Satisfaction", "Ease", "Comment"])
        w.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/demo/survey.csv")
