#!/usr/bin/env python3
"""Generates the retail demo client's exports (data/retail/), deterministically.

"Maple & Co", a home-goods retailer with a web shop and stores:
  orders.csv      one row per order: customer, date, amount, channel
  reviews.csv     product reviews: rating 1-5, when it was left, when the shop answered
  csi_survey.csv  annual CSI study, long format: respondent x attribute, importance and
                  satisfaction on 1-7
  marketing.csv   acquisition spend and new customers per channel per month
  leads.csv       web visitors who started a checkout: channel and whether they converted
Run: python3 scripts/gen_retail.py [OUT_DIR]   (default data/retail)
"""
import csv
import os
import random
import sys
from datetime import date, datetime, timedelta

ATTRIBUTES = [  # (name, mean importance, mean satisfaction) on 1-7
    ("Price", 6.2, 4.6), ("Product quality", 6.5, 5.9), ("Delivery speed", 5.4, 4.2),
    ("Store staff", 4.1, 6.1), ("Returns", 4.8, 5.0), ("Website", 3.9, 5.5),
]
CHANNELS = ["search", "social", "referral", "email"]


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def clip(x, lo, hi):
    return max(lo, min(hi, x))


def main(out):
    rng = random.Random(11)
    os.makedirs(out, exist_ok=True)
    orders = []
    for c in range(800):
        first = date(2024, 1, 1) + timedelta(days=rng.randrange(540))
        n = 1 + int(rng.expovariate(1 / 2.5))
        d = first
        for _ in range(n):
            if d > date(2025, 6, 30):
                break
            amount = round(clip(rng.lognormvariate(4.0, 0.6), 5, 900), 2)
            orders.append([f"O{len(orders) + 1:06d}", f"M{c:05d}", d.isoformat(), f"{amount:.2f}",
                           rng.choice(["web", "web", "store"])])
            d += timedelta(days=rng.randrange(20, 160))
    orders.sort(key=lambda o: o[2])
    write(os.path.join(out, "orders.csv"), ["Order", "Customer", "Order Date", "Total", "Channel"], orders)

    reviews = []
    for r in range(1200):
        created = datetime(2025, 1, 1) + timedelta(minutes=rng.randrange(181 * 24 * 60))
        rating = rng.choices([1, 2, 3, 4, 5], [6, 5, 10, 30, 49])[0]
        answer_p = 0.9 if rating <= 2 else 0.55
        answered = ""
        if rng.random() < answer_p:
            answered = (created + timedelta(hours=rng.expovariate(1 / 30))).strftime("%Y-%m-%d %H:%M:%S")
        reviews.append([f"V{r}", created.strftime("%Y-%m-%d %H:%M:%S"), rating, answered])
    write(os.path.join(out, "reviews.csv"), ["review_id", "created_at", "rating", "answered_at"], reviews)

    survey = []
    for resp in range(250):
        for name, imp, sat in ATTRIBUTES:
            if rng.random() < 0.04:
                continue  # skipped question
            survey.append([f"S{resp:04d}", name, clip(round(rng.gauss(imp, 0.9)), 1, 7),
                           clip(round(rng.gauss(sat, 1.1)), 1, 7)])
    write(os.path.join(out, "csi_survey.csv"), ["respondent", "attribute", "importance", "satisfaction"], survey)

    marketing = []
    for month in range(1, 7):
        for ch in CHANNELS:
            base = {"search": 9000, "social": 6000, "referral": 1500, "email": 1200}[ch]
            cac = {"search": 85, "social": 110, "referral": 30, "email": 25}[ch]
            spend = round(base * rng.uniform(0.85, 1.15), 2)
            marketing.append([f"2025-{month:02d}-01", ch, f"{spend:.2f}", max(1, round(spend / cac * rng.uniform(0.8, 1.2)))])
    write(os.path.join(out, "marketing.csv"), ["month", "channel", "spend", "new_customers"], marketing)

    leads = []
    for i in range(3000):
        ch = rng.choice(CHANNELS)
        p = {"search": 0.031, "social": 0.018, "referral": 0.052, "email": 0.044}[ch] * 10
        leads.append([f"L{i}", ch, "yes" if rng.random() < p else "no"])
    write(os.path.join(out, "leads.csv"), ["lead_id", "channel", "converted"], leads)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/retail")
