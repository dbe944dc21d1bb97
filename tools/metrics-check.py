#!/usr/bin/env python3
"""Computes incident metrics from an exported log, independently of the ledger.

Reads the stored records (`incidents log --json`), replays each incident with its
corrections applied, and prints TTA, TTM or TTR the way `incidents stats METRIC --json`
defines them: seconds from detection (or impact start), count, mean, R-7 percentiles and
max, overall and per group, with how many fell back to detection, how many were not
measured and, for TTR, how many are open; or recurrence the way `incidents recurrence --json` does: per
key, the most incidents detected within one window. Written from the definitions in the
metrics issue and schemas/README.md, sharing no code with the ledger, so that the two can
check each other.

Usage:
  metrics-check.py LOG.ndjson METRIC [--by KEY] [--from impact] [--resolve first]
                   [--intervals]
  metrics-check.py LOG.ndjson recurrence [--by process|process,category] [--window 30d]
                   [--threshold 3]
  metrics-check.py LOG.ndjson --each "ttr --by process" --each "recurrence" ...

With --intervals and --by week, month or quarter, each group also gets the bootstrap
interval of its median and whether it is too few to compare (slow in Python: for small
logs). With --each the log is read and replayed once, every query is answered, and one JSON
object maps each query, as given, to its answer: what a large log needs.
"""
import argparse
import bisect
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


MASK = (1 << 64) - 1


def splitmix64(seed):
    """The SplitMix64 generator: the 64-bit values it yields from `seed`, in order."""
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def median_interval(values, resamples=2000, seed=0x1ED6E5EED):
    """The 95% bootstrap interval of the median, as schemas/README.md defines it.

    Each of `resamples` resamples draws len(values) of the sorted values with replacement,
    the i-th draw being the value at index (the generator's next value modulo n); the
    interval is the R-7 2.5th and 97.5th percentiles of the resamples' R-7 medians. Each
    resample is sorted and its median read off, rather than counted, as the ledger does.
    """
    ordered = sorted(values)
    n = len(ordered)
    draws = splitmix64(seed)
    medians = sorted(
        percentile(sorted(ordered[next(draws) % n] for _ in range(n)), 0.5)
        for _ in range(resamples))
    return percentile(medians, 0.025), percentile(medians, 0.975)


def records(path, only_corrections=False):
    """The stored records of an exported log, one at a time.

    With only_corrections, lines that cannot hold a `corrected` record are not parsed:
    the canonical form writes its type as `"type":"corrected"`, so a line without that
    text is not one (a line with it is parsed and its type checked).
    """
    with open(path, encoding="utf-8") as log:
        for line in log:
            if not line.strip() or (only_corrections and '"type":"corrected"' not in line):
                continue
            yield json.loads(line)


def incidents(path):
    """Each incident's facts, corrections applied, replayed in log order.

    Two passes over the file, so that a large log is never held in memory: the first
    collects the corrections, the second replays every record with them applied.
    """
    corrections = {}
    for record in records(path, only_corrections=True):
        if record["type"] == "corrected":
            target = corrections.setdefault(record["data"]["event"], {"at": None, "data": {}})
            if "at" in record["data"]:
                target["at"] = record["data"]["at"]
            target["data"].update(record["data"].get("data", {}))
    states = {}
    for record in records(path):
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
                "owner": "-", "team": "-", "scope": "-", "category": "-", "ack": None, "mitigated": None,
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
        elif kind == "root-cause":
            state["category"] = data["category"]
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
    if key == "day":
        return f"{y:04d}-{m:02d}-{d:02d}"
    if key == "month":
        return f"{y:04d}-{m:02d}"
    if key == "quarter":
        return f"{y:04d}-Q{(m - 1) // 3 + 1}"
    weekday = (days + 3) % 7  # Monday = 0
    thursday = days - weekday + 3
    ty = period("month", thursday * 86400 * 10**9)[:4]
    week = (thursday - days_from_civil(int(ty), 1, 1)) // 7 + 1
    return f"{ty}-W{week:02d}"


def utc_text(ns):
    """An instant as RFC 3339 UTC text, with 0, 3, 6 or 9 fraction digits as it needs."""
    seconds, fraction = divmod(ns, 10**9)
    days, second_of_day = divmod(seconds, 86400)
    date = period("day", days * 86400 * 10**9)
    clock = f"{second_of_day // 3600:02d}:{second_of_day // 60 % 60:02d}:{second_of_day % 60:02d}"
    digits = next(d for d in (0, 3, 6, 9) if fraction % 10 ** (9 - d) == 0)
    decimals = f".{fraction // 10 ** (9 - digits):0{digits}d}" if digits else ""
    return f"{date}T{clock}{decimals}Z"


def duration_seconds(text):
    """`30d`, `12h`, `90m`, `45s` or plain seconds."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    if text and text[-1] in units:
        return int(text[:-1]) * units[text[-1]]
    return int(text)


def stats(states, query):
    """`stats METRIC --json` for the replayed incidents."""
    measured = []
    fell_back = unmeasured = still_open = 0
    for state in states:
        origin = state["impact"] if query.start == "impact" and state["impact"] is not None else state["detected"]
        falls_back = query.start == "impact" and state["impact"] is None
        if query.metric == "tta":
            end = state["ack"]
        elif query.metric == "ttm":
            end = state["mitigated"]
        elif query.resolve == "first":
            end = state["firstResolved"]
        else:
            end = None if state["status"] == "open" else state["resolved"]
        if end is not None:
            difference = end - origin
            seconds = difference // 10**9 if difference >= 0 else -((-difference) // 10**9)
            fraction = difference - seconds * 10**9
            measured.append((state, seconds + fraction / 1e9))
            fell_back += falls_back
        else:
            # Open incidents are aged from their start, so they may fall back too.
            unmeasured += 1
            if query.metric == "ttr" and state["status"] == "open":
                still_open += 1
                fell_back += falls_back

    result = {"metric": query.metric, "from": query.start, "resolve": query.resolve,
              "unmeasured": unmeasured, "overall": summary([s for _, s in measured])}
    if query.start == "impact":
        result["fellBack"] = fell_back
    if query.metric == "ttr":
        result["open"] = {"count": still_open}
    if query.by:
        groups = {}
        for state, seconds in measured:
            key = period(query.by, state["detected"]) if query.by in ("week", "month", "quarter") else state[query.by]
            groups.setdefault(key, []).append(seconds)
        result["groups"] = [dict(summary(values), key=key) for key, values in sorted(groups.items())]
        if query.intervals and query.by in ("week", "month", "quarter"):
            for group, (_, values) in zip(result["groups"], sorted(groups.items())):
                group["medianLow"], group["medianHigh"] = median_interval(values)
                group["tooFew"] = len(values) < 20
    return result


def recurrence(states, query):
    """`recurrence --json`: per key, the largest run of detections within one window.

    For every incident taken as a window's first, a binary search finds how many
    detections follow it within the window; the first start with the most is the
    worst window. Incidents detected at the same instant are ordered by id.
    """
    by_key = {}
    for state in states:
        key = state["process"]
        if query.by == "process,category":
            key += "/" + state["category"]
        by_key.setdefault(key, []).append((state["detected"], state["incident"]))
    window = duration_seconds(query.window) * 10**9
    findings = []
    for key, detections in by_key.items():
        detections.sort()
        times = [detected for detected, _ in detections]
        best_start, best_count = 0, 0
        for start, first in enumerate(times):
            count = bisect.bisect_right(times, first + window) - start
            if count > best_count:
                best_start, best_count = start, count
        worst = detections[best_start:best_start + best_count]
        findings.append({
            "key": key, "maxInWindow": best_count, "total": len(detections),
            "flagged": best_count >= query.threshold,
            "window": {"from": utc_text(worst[0][0]), "to": utc_text(worst[-1][0]),
                       "incidents": [incident for _, incident in worst]}})
    findings.sort(key=lambda f: (not f["flagged"], -f["maxInWindow"], f["key"]))
    return findings


def query_parser():
    parser = argparse.ArgumentParser(prog="metrics-check.py LOG", add_help=False)
    parser.add_argument("metric", choices=["tta", "ttm", "ttr", "recurrence"])
    parser.add_argument("--by")
    parser.add_argument("--from", dest="start", default="detection", choices=["detection", "impact"])
    parser.add_argument("--resolve", default="final", choices=["final", "first"])
    parser.add_argument("--window", default="30d")
    parser.add_argument("--threshold", type=int, default=3)
    parser.add_argument("--intervals", action="store_true")
    return parser


def answer(states, query):
    return recurrence(states, query) if query.metric == "recurrence" else stats(states, query)


def main():
    if len(sys.argv) < 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(64)
    log, rest = sys.argv[1], sys.argv[2:]
    parser = query_parser()
    if rest[0] == "--each":
        texts = rest[1::2]
        if rest[0::2] != ["--each"] * len(texts) or len(rest) % 2:
            parser.error("give every query as --each \"METRIC [OPTIONS]\"")
        queries = [parser.parse_args(text.split()) for text in texts]
        states = incidents(log)
        result = {text: answer(states, query) for text, query in zip(texts, queries)}
    else:
        query = parser.parse_args(rest)
        result = answer(incidents(log), query)
    json.dump(result, sys.stdout, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
