#!/usr/bin/env python3
"""Generates the SaaS demo client's exports (data/saas/), deterministically.

"Nimbus Analytics", a B2B software company, as a CX consultant receives it each month:
  customers.csv    one row per customer: plan, region, signup and churn dates
  health.csv       two monthly snapshots of product-usage signals per customer
  tickets.csv      help-desk tickets: channel, team, created / first response / resolved
  messages.csv     the conversation of every ticket: role and timestamp per message
  qa_reviews.csv   QA scorecards: one row per review x criterion, "N/A" where not applicable
  calls.csv        phone queue: queued and answered timestamps (empty = abandoned)
Run: python3 scripts/gen_saas.py [OUT_DIR]   (default data/saas)
"""
import csv
import os
import random
import sys
from datetime import date, datetime, timedelta

PLANS = [("Starter", 0.045), ("Growth", 0.025), ("Enterprise", 0.01)]  # monthly churn hazard
REGIONS = ["EMEA", "Americas", "APAC"]
AGENTS = [("Ana", "Tier 1"), ("Ben", "Tier 1"), ("Chen", "Tier 1"), ("Dara", "Tier 2"), ("Eli", "Tier 2")]
CRITERIA = ["greeting", "accuracy", "empathy", "resolution", "compliance"]


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def ts(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


def main(out):
    rng = random.Random(7)
    os.makedirs(out, exist_ok=True)
    customers, health = [], []
    for i in range(600):
        plan, hazard = PLANS[rng.choices([0, 1, 2], [5, 3, 2])[0]]
        signup = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
        churn = ""
        # Walk month by month from signup to the end of June 2025.
        d = signup
        while d < date(2025, 7, 1):
            if rng.random() < hazard:
                churn = (d + timedelta(days=rng.randrange(28))).isoformat()
                break
            d += timedelta(days=30)
        cid = f"C{1000 + i}"
        customers.append([cid, plan, REGIONS[i % 3], signup.isoformat(), churn])
        if churn == "" or churn >= "2025-06-30":
            purchased = {"Starter": 5, "Growth": 25, "Enterprise": 120}[plan]
            engagement = rng.random()
            for snap, drift in (("2025-05-31", 0.0), ("2025-06-30", rng.uniform(-0.35, 0.15))):
                e = min(1.0, max(0.0, engagement + drift))
                used = max(1, round(purchased * (0.3 + 0.7 * e)))
                health.append([
                    cid, snap, purchased, used, round(used / purchased, 3),
                    round(30 * e + rng.uniform(0, 4)),
                    rng.choice([0, 0, 0, 1, 2, 3, 5]) if e > 0.3 else rng.choice([2, 4, 6]),
                    "" if rng.random() < 0.1 else min(10, max(0, round(4 + 6 * e + rng.uniform(-2, 2)))),
                ])
    write(os.path.join(out, "customers.csv"),
          ["Customer ID", "Plan", "Region", "Signup Date", "Churn Date"], customers)
    write(os.path.join(out, "health.csv"),
          ["customer_id", "snapshot", "seats_purchased", "seats_used", "seat_utilization", "logins_30d",
           "open_tickets", "last_nps"],
          health)

    tickets, messages = [], []
    for t in range(1500):
        created = datetime(2025, 1, 1) + timedelta(minutes=rng.randrange(181 * 24 * 60))
        channel = rng.choice(["email", "email", "chat", "phone"])
        agent, team = rng.choice(AGENTS)
        scale = {"email": 240, "chat": 4, "phone": 1}[channel]
        first = created + timedelta(minutes=max(1, rng.expovariate(1 / scale)))
        first_s = "" if rng.random() < 0.04 else ts(first)
        resolved = first + timedelta(hours=rng.expovariate(1 / 20))
        resolved_s = "" if (first_s == "" or rng.random() < 0.06) else ts(resolved)
        tid = f"T{50000 + t}"
        tickets.append([tid, rng.choice(customers)[0], channel, team, agent, ts(created), first_s, resolved_s])
        # Conversation: customer opens; agent replies; a few more exchanges.
        clock = created
        messages.append([tid, "customer", ts(clock)])
        if first_s:
            clock = first
            messages.append([tid, "agent", ts(clock)])
            for _ in range(rng.choice([0, 0, 1, 2])):
                clock += timedelta(minutes=rng.randrange(5, 600))
                messages.append([tid, "customer", ts(clock)])
                if rng.random() < 0.3:  # a second customer message before the reply
                    clock += timedelta(minutes=rng.randrange(1, 30))
                    messages.append([tid, "customer", ts(clock)])
                clock += timedelta(minutes=max(1, rng.expovariate(1 / scale)))
                messages.append([tid, "agent", ts(clock)])
    write(os.path.join(out, "tickets.csv"),
          ["Ticket ID", "Customer ID", "Channel", "Team", "Agent", "Created", "First Response", "Resolved"],
          tickets)
    rng.shuffle(messages)  # exports are rarely in conversation order
    write(os.path.join(out, "messages.csv"), ["ticket_id", "author_role", "sent_at"], messages)

    reviews = []
    for r in range(400):
        agent, team = AGENTS[r % len(AGENTS)]
        skill = {"Ana": 0.9, "Ben": 0.75, "Chen": 0.6, "Dara": 0.85, "Eli": 0.7}[agent]
        when = date(2025, 1, 6) + timedelta(days=rng.randrange(175))
        for c in CRITERIA:
            if c == "empathy" and rng.random() < 0.15:
                score = "N/A"
            elif c == "compliance":
                score = 1 if rng.random() < skill + 0.08 else 0
            else:
                score = min(4, max(0, round(4 * skill + rng.uniform(-1.5, 1))))
            reviews.append([f"QA{9000 + r}", agent, team, when.isoformat(), c, score])
    write(os.path.join(out, "qa_reviews.csv"), ["Review", "Agent", "Team", "Reviewed", "Criterion", "Score"], reviews)

    calls = []
    for c in range(2000):
        queued = datetime(2025, 1, 1, 8) + timedelta(minutes=rng.randrange(181 * 24 * 60))
        answered = "" if rng.random() < 0.05 else ts(queued + timedelta(seconds=rng.expovariate(1 / 150)))
        calls.append([f"K{c}", ts(queued), answered])
    write(os.path.join(out, "calls.csv"), ["call_id", "queued_at", "answered_at"], calls)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/saas")
