#!/usr/bin/env python3
"""Generates the survey-analytics demo client's export, data/survey_analytics/survey.csv,
deterministically (standard library only; the same file every time).

4,000 answers of a subscription service's relationship survey, January to June 2025, shaped
so that every analysis of config/clients/survey_analytics.toml has something to find:
  - the sample over-represents Enterprise customers (sampled at a higher rate, so their
    design weight is lower) and the North region: raking to the population's margins moves
    the figures;
  - the plan mix shifts towards Enterprise month after month while each plan's own NPS
    barely moves: the overall NPS rises mostly through the mix (shift-share);
  - regions differ (West lags): segment tests against the rest and letters;
  - four attribute ratings (Delivery, Support, Price, App, 1-10) drive likelihood to
    recommend with different weights (Support most, App least), some left empty: key
    drivers with listwise deletion and bootstrap intervals;
  - one answer without a plan, which raking cannot weight (outside_raking_margins).
Run: python3 scripts/gen_survey_analytics.py [OUT]
"""
import csv
import random
import sys
from datetime import date, timedelta

REGIONS = [("North", 0.40, 0.5), ("South", 0.25, 0.3), ("East", 0.22, 0.2), ("West", 0.13, -0.9)]
# (plan, share of the sample in January, in June, design weight, lean of the plan)
PLANS = [("Basic", 0.55, 0.35, 1.6, -0.6), ("Pro", 0.30, 0.35, 1.0, 0.2), ("Enterprise", 0.15, 0.30, 0.4, 1.1)]
DRIVERS = [("Delivery", 0.25), ("Support", 0.45), ("Price", 0.20), ("App", 0.10)]


def clamp(x, low, high):
    return max(low, min(high, int(round(x))))


def main(out):
    rng = random.Random(20250101)
    rows = []
    for i in range(4000):
        month = i * 6 // 4000  # 0..5, in order
        day = date(2025, 1 + month, 1) + timedelta(days=rng.randrange(28))
        t = month / 5
        region, _, region_lean = rng.choices(REGIONS, [r[1] for r in REGIONS])[0]
        plan_weights = [p[1] + (p[2] - p[1]) * t for p in PLANS]
        plan, _, _, design_weight, plan_lean = rng.choices(PLANS, plan_weights)[0]
        quality = rng.gauss(0, 1) + region_lean + plan_lean
        ratings = {}
        for name, _ in DRIVERS:
            ratings[name] = clamp(6.5 + 1.2 * quality + rng.gauss(0, 1.6), 1, 10)
        ltr_raw = 2.2 + sum(w * ratings[n] for n, w in DRIVERS) * 0.95 + rng.gauss(0, 1.1)
        ltr = clamp(ltr_raw, 0, 10)
        satisfaction = clamp(1 + ltr / 2.4 + rng.gauss(0, 0.5), 1, 5)
        cells = {n: str(v) for n, v in ratings.items()}
        for name, _ in DRIVERS:
            if rng.random() < 0.04:
                cells[name] = ""
        rows.append([f"S{10000 + i}", day.isoformat(), region, plan, f"{design_weight}",
                     str(ltr), str(satisfaction)] + [cells[n] for n, _ in DRIVERS])
    rows[17][3] = ""  # an empty plan: outside the raking margins
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Response ID", "Submitted", "Region", "Plan", "Design weight",
                    "Likelihood to recommend", "Overall satisfaction"] + [n for n, _ in DRIVERS])
        w.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/survey_analytics/survey.csv")
