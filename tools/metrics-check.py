#!/usr/bin/env python3
"""Computes incident metrics from an exported log, independently of the ledger.

Reads the stored records (`incidents log --json`), replays each incident with its
corrections applied, and prints TTA, TTM or TTR the way `incidents stats METRIC --json`
defines them: seconds from detection (or impact start), count, mean, R-7 percentiles and
max, overall and per group. Written from the definitions in the metrics issue and
schemas/README.md, sharing no code with the ledger, so that the two can check each other.

Usage: metrics-check.py LOG.ndjson METRIC [--by KEY] [--from impact] [--resolve first]
"""
import argparse
import json
import math
import re
import sys

TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$")


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def nanoseconds(text):
    """An RFC 3339 time as exact integer nanoseconds since the epoch."""
    match = TIME.match(text)
    if not match:
        raise ValueError(f"not an RFC 3339 time: {text}")
    y, mo, d, h, mi, s, frac, z, sign, oh, om = match.groups()
    seconds = days_from_civil(int(y), int(mo), int(d)) * 86400 + int(h) * 3600 + int(mi) * 60 + int(s)
    if not z:
        offset = int(oh) * 3600 + int(om) * 60
        seconds -= offset if sign == "+" else -offset
    return seconds * 10**9 + int((frac or "").ljust(9, "0"))


def percentile(sorted_values, p):
    """R-7: h = (n - 1) p, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])."""
    if not sorted_values:
        return None
    h = (len(sorted_values) - 1) * p
    low = math.floor(h)
    if low + 1 >= len(sorted_values):
        return sorted_values[low]
    return sorted_values[low] + (h - low) * (sorted_values[low + 1] - sorted_values[low])


def summary(values):
    values = sorted(values)
    result = {"count": len(values)}
    if values:
        result.update(mean=math.fsum(values) / len(values), p50=percentile(values, 0.5),
                      p90=percentile(values, 0.9), p95=percentile(values, 0.95), max=values[-1])
    return result


def incidents(records):
    """Each incident's facts, corrections applied, replayed in log order."""
    corrections = {}
    for record in records:
        if record["type"] == "corrected":
            target = corrections.setdefault(record["data"]["event"], {"at": None, "data": {}})
            if "at" in record["data"]:
                target["at"] = record["data"]["at"]
            target["data"].update(record["data"].get("data", {}))
    states = {}
    for record in records:
        if "incident" not in record:
            continue  # a ledger-level record (an export), outside any incident
        correction = corrections.get(record["id"], {"at": None, "data": {}})
        at = nanoseconds(correction["at"] or record["at"])
        data = dict(record["data"], **correction["data"])
        kind = record["type"]
        if kind == "detected":
            states[record["incident"]] = {
                "incident": record["incident"], "status": "open", "detected": at,
                "impact": nanoseconds(data["impactStartedAt"]) if "impactStartedAt" in data else None,
                "process": data["process"], "severity": data["severity"], "source": data.get("source", "-"),
                "owner": "-", "team": "-", "scope": "-", "ack": None, "mitigated": None,
                "firstResolved": None, "resolved": None}
            continue
        state = states.get(record["incident"])
        if state is None:
            continue
        if kind == "acknowledged":
            state["ack"] = at if state["ack"] is None else min(state["ack"], at)
        elif kind == "mitigated":
            state["mitigated"] = at if state["mitigated"] is None else min(state["mitigated"], at)
        elif kind == "resolved":
            state["status"] = "resolved"
            state["firstResolved"] = at if state["firstResolved"] is None else min(state["firstResolved"], at)
            state["resolved"] = at
        elif kind == "reopened":
            state["status"] = "open"
            state["resolved"] = None
        elif kind == "closed":
            state["status"] = "closed"
        elif kind == "assigned":
            state["owner"] = data["owner"]
            state["team"] = data.get("team", "-")
        elif kind == "triaged":
            state["scope"] = data["scope"]
            if "severity" in data:
                state["severity"] = data["severity"]
        elif kind == "severity-changed":
            state["severity"] = data["severity"]
        elif kind == "escalated" and "scope" in data:
            state["scope"] = data["scope"]
    return list(states.values())


def period(key, ns):
    seconds = ns // 10**9
    days = seconds // 86400
    # civil date from days (inverse of days_from_civil)
    z = days + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (m <= 2)
    if key == "month":
        return f"{y:04d}-{m:02d}"
    if key == "quarter":
        return f"{y:04d}-Q{(m - 1) // 3 + 1}"
    weekday = (days + 3) % 7  # Monday = 0
    thursday = days - weekday + 3
    ty = period("month", thursday * 86400 * 10**9)[:4]
    week = (thursday - days_from_civil(int(ty), 1, 1)) // 7 + 1
    return f"{ty}-W{week:02d}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("metric", choices=["tta", "ttm", "ttr"])
    parser.add_argument("--by")
    parser.add_argument("--from", dest="start", default="detection", choices=["detection", "impact"])
    parser.add_argument("--resolve", default="final", choices=["final", "first"])
    args = parser.parse_args()
    with open(args.log, encoding="utf-8") as log:
        records = [json.loads(line) for line in log if line.strip()]

    measured = []
    for state in incidents(records):
        origin = state["impact"] if args.start == "impact" and state["impact"] is not None else state["detected"]
        if args.metric == "tta":
            end = state["ack"]
        elif args.metric == "ttm":
            end = state["mitigated"]
        elif args.resolve == "first":
            end = state["firstResolved"]
        else:
            end = None if state["status"] == "open" else state["resolved"]
        if end is not None:
            difference = end - origin
            seconds = difference // 10**9 if difference >= 0 else -((-difference) // 10**9)
            fraction = difference - seconds * 10**9
            measured.append((state, seconds + fraction / 1e9))

    result = {"metric": args.metric, "from": args.start, "overall": summary([s for _, s in measured])}
    if args.by:
        groups = {}
        for state, seconds in measured:
            key = period(args.by, state["detected"]) if args.by in ("week", "month", "quarter") else state[args.by]
            groups.setdefault(key, []).append(seconds)
        result["groups"] = [dict(summary(values), key=key) for key, values in sorted(groups.items())]
    json.dump(result, sys.stdout, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
