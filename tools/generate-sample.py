#!/usr/bin/env python3
"""Generate a realistic, deterministic incident history as NDJSON import events.

The output is the import format of schemas/README.md: one JSON event per line,
ordered by time across all incidents, obeying lifecycle rules 1 to 7. The same
flags always give the same bytes.

The model: about one incident per 11 events, 2 to 40 a day; 80 processes
whose incident rates fall off like Zipf's law, each owned by a team; SEV1
rare; log-normal delays (acknowledge in minutes, mitigate in tens of
minutes, resolve in hours with a tail of days); after-action notes, follow-up
tasks and postmortems after closing; about 5% reopened, about 2% with a
`corrected` event. The newest incidents are left where the output stops.

    generate-sample.py --events 20000 --seed 7 -o sample.ndjson
    generate-sample.py --check-rules sample.ndjson

Standard library only (Python 3.11).
"""

import argparse
import bisect
import datetime
import heapq
import json
import math
import random
import re
import sys

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# ---------------------------------------------------------------------------
# Vocabulary. Every string here must be a valid value for the field it fills.

# Business domain, owning team, and the team's prefix for follow-up tasks.
DOMAINS = [
    ("payments", "payments-platform"), ("settlement", "payments-platform"),
    ("refunds", "payments-platform"), ("billing", "billing"),
    ("invoicing", "billing"), ("tax", "finance-systems"),
    ("payroll", "finance-systems"), ("general-ledger", "finance-systems"),
    ("identity", "identity"), ("login", "identity"), ("kyc", "risk"),
    ("fraud-screening", "risk"), ("orders", "commerce"),
    ("checkout", "commerce"), ("pricing", "commerce"), ("catalog", "commerce"),
    ("inventory", "logistics"), ("shipping", "logistics"),
    ("warehouse", "logistics"), ("notifications", "customer-experience"),
    ("customer-portal", "customer-experience"),
    ("support-tickets", "customer-experience"), ("reporting", "data-platform"),
    ("analytics", "data-platform"), ("data-warehouse", "data-platform"),
    ("backup", "core-infrastructure"), ("dns", "core-infrastructure"),
    ("message-bus", "core-infrastructure"), ("mobile-app", "mobile"),
    ("partner-api", "integrations"), ("edi", "integrations"),
]
TEAM_PREFIX = {
    "payments-platform": "PAY", "billing": "BIL", "finance-systems": "FIN",
    "identity": "IAM", "risk": "RSK", "commerce": "COM", "logistics": "LOG",
    "customer-experience": "CX", "data-platform": "DATA",
    "core-infrastructure": "INFRA", "mobile": "MOB", "integrations": "INT",
}
PROCESS_KINDS = [
    "api", "batch", "nightly-export", "sync", "import", "etl", "queue-worker",
    "reconciliation", "scheduler", "feed", "gateway", "report",
]
PROCESS_COUNT = 80
ZIPF_EXPONENT = 1.0

FIRST_NAMES = [
    "amara", "ben", "chen", "dana", "elif", "farid", "grace", "hiro", "ines",
    "jonas", "kofi", "lena", "mateo", "nadia", "olga", "priya", "quentin",
    "rosa", "sam", "tariq", "uma", "viktor", "wen", "yusuf", "zoë", "søren",
    "josé", "łukasz", "aoife", "noa",
]
LAST_NAMES = [
    "okafor", "schmidt", "li", "cohen", "yilmaz", "haddad", "kim", "tanaka",
    "garcia", "berg", "mensah", "novak", "rossi", "ali", "ivanova", "patel",
    "martin", "silva", "nguyen", "müller", "andersen", "kowalski", "byrne",
    "levi", "dubois", "costa", "sato",
]
MONITORING_ACTORS = ["alertmanager", "grafana-oncall", "synthetic-probe"]
LOG_ACTORS = ["log-watcher", "siem-rules"]

SEVERITIES = [("SEV1", 3), ("SEV2", 14), ("SEV3", 48), ("SEV4", 35)]
SOURCES = [("monitoring", 55), ("user-report", 20), ("log", 15), ("other", 10)]
ROOT_CAUSES = [
    ("code-change", 30), ("config", 20), ("scheduled-job", 12),
    ("dependency", 15), ("capacity", 10), ("data", 8), ("other", 5),
]
# Minutes to acknowledge (median) by severity.
ACK_MEDIAN = {"SEV1": 3, "SEV2": 5, "SEV3": 10, "SEV4": 20}
MITIGATE_MEDIAN = {"SEV1": 20, "SEV2": 30, "SEV3": 45, "SEV4": 60}
POSTMORTEM_CHANCE = {"SEV1": 0.95, "SEV2": 0.7, "SEV3": 0.08, "SEV4": 0.01}
FOLLOW_UP_RANGE = {
    "SEV1": (2, 5), "SEV2": (1, 4), "SEV3": (0, 1), "SEV4": (0, 1)}
ESCALATION_CHANCE = {"SEV1": 0.45, "SEV2": 0.2, "SEV3": 0.04, "SEV4": 0.01}
NOTIFY_RANGE = {"SEV1": (2, 4), "SEV2": (1, 2), "SEV3": (0, 1), "SEV4": (0, 0)}

# Relative incident rate by UTC hour: nightly batches and business hours.
HOURLY_RATE = [
    0.8, 1.0, 1.2, 1.1, 0.9, 0.7, 0.6, 0.8, 1.1, 1.3, 1.3, 1.2,
    1.1, 1.2, 1.3, 1.3, 1.2, 1.0, 0.9, 0.8, 0.7, 0.7, 0.8, 0.8,
]
# Offsets (minutes) some clients write their local times with.
LOCAL_OFFSETS = [120, 120, 60, -300, 330]

TITLES = [
    "{p} failed", "{p} running late", "Elevated error rate in {p}",
    "{p} timing out", "{p} produced duplicate records",
    "{p} stuck, backlog growing", "Latency above SLO for {p}",
    "Missing data in {p} output", "{p} returning 5xx", "{p} crash-looping",
    "Partial outage of {p}", "Stale data served by {p}",
]
NOTES = [
    "Investigating. Error rate started climbing a few minutes before the alert.",
    "Rolled the canary back; watching the error budget.",
    "Vendor status page shows degraded performance in eu-west.",
    "Queue depth is draining, about 40k messages left.",
    "Customer support reports a spike in tickets about this.",
    "Handing over to the EU on-call.\nContext is in the incident channel.",
    "Restarted two of five workers; the others look healthy.",
    "Confirmed no data loss: counts match the source system.",
    "Waiting on the database team before the next step.",
    "Checked so far:\n\t- recent deploys\n\t- config changes\n\t- upstream status",
    "Dashboards: p99 latency 4.2 s, usual is 300 ms.",
    "Zahlungsdatei wurde erneut eingespielt — Abgleich läuft.",
    "Suspect the \"retry-all\" button; asked support not to use it.",
]
ROOT_CAUSE_SUMMARIES = {
    "code-change": [
        "Release changed the retry loop and exhausted the connection pool.",
        "A refactor dropped the idempotency check, so retries double-posted.",
        "New serializer rejected records with empty optional fields.",
    ],
    "config": [
        "Timeout lowered from 30 s to 3 s in the shared config.",
        "Feature flag enabled for all tenants instead of the pilot group.",
        "Certificate rotation pointed at the wrong secret.",
    ],
    "scheduled-job": [
        "Two overlapping runs of the nightly job locked the same rows.",
        "Job scheduled in local time ran twice at the DST change.",
        "Cron moved an hour earlier and ran before its input arrived.",
    ],
    "dependency": [
        "Upstream provider throttled our API key.",
        "Message bus partition leader election took 12 minutes.",
        "Third-party geocoding API returned malformed responses.",
    ],
    "capacity": [
        "Disk filled up on the primary database host.",
        "Traffic peak exceeded the autoscaling limit.",
        "Worker pool too small for month-end volume.",
    ],
    "data": [
        "A malformed input file with a BOM broke the parser.",
        "Currency table missing a rate for a new market.",
        "Duplicate customer ids left over from the migration.",
    ],
    "other": [
        "Expired domain registration for a callback host.",
        "Human error during manual maintenance.",
        "Cause not fully established; see the postmortem.",
    ],
}
MITIGATIONS = [
    ("rollback", 30, "Rolled back to the previous release."),
    ("patch", 20, "Hotfix deployed."),
    ("restart", 25, "Restarted workers; backlog draining."),
    ("feature-flag", 10, "Disabled the flag for all tenants."),
    ("other", 15, "Replayed the failed batch by hand."),
]
RESOLUTIONS = [
    "Backlog cleared and outputs verified.",
    "Error rate back to baseline for two hours.",
    "All affected records reprocessed.",
    "Confirmed with the customer who reported it.",
]
ESCALATION_REASONS = [
    "Impact spreading to downstream processes.",
    "Customer-facing; needs an incident commander.",
    "Regulatory reporting deadline at risk.",
    "No progress after an hour; escalating to senior on-call.",
]
REOPEN_REASONS = [
    "Errors returned after the fix.", "Customer reports the issue is back.",
    "Next scheduled run failed the same way.",
    "Reconciliation found records still missing.",
]
SEVERITY_REASONS = [
    "Impact larger than first thought.", "Only internal users affected.",
    "Workaround in place.",
]
FOLLOW_UP_TITLES = [
    "Add alert on {p} lag", "Add retry with backoff to {p}",
    "Write runbook for {p}", "Add a regression test for the {p} failure",
    "Raise capacity limits for {p}", "Pin the dependency version used by {p}",
    "Make {p} idempotent on replay", "Document the manual recovery of {p}",
]
WHAT_WILL_CHANGE = [
    "Alert on lag instead of on failure, and page earlier.",
    "Deploys of this service go through a canary first.",
    "The job gets a lock so two runs cannot overlap.",
    "Config changes need a second reviewer.",
]
CHANNELS = [
    "status-page", "slack:#incidents", "email:ops-leads", "exec-bridge",
    "support-desk",
]
AUDIENCES = ["customers", "leadership", "support", "partners", "internal"]

# The data fields of each event type: (required, optional). Used by the
# rules check, and to say which fields a `corrected` may change.
FIELDS = {
    "detected": ({"title", "process", "severity"},
                 {"source", "service", "impactStartedAt"}),
    "acknowledged": (set(), set()),
    "assigned": ({"owner"}, {"team"}),
    "triaged": ({"scope"},
                {"processes", "severity", "customerFacing", "regulatory"}),
    "severity-changed": ({"severity"}, {"reason"}),
    "escalated": ({"reason"}, {"scope"}),
    "note": ({"text"}, set()),
    "root-cause": ({"category", "summary"}, {"change"}),
    "mitigated": ({"action"}, {"summary"}),
    "resolved": (set(), {"summary"}),
    "reopened": ({"reason"}, set()),
    "closed": (set(), {"whatHappened", "why", "whatWillChange"}),
    "notified": ({"channel"}, {"audience"}),
    "follow-up": ({"task", "title"}, {"owner", "due"}),
    "follow-up-done": ({"task"}, set()),
    "postmortem": ({"document"}, set()),
    "corrected": ({"event", "reason"}, {"at", "data"}),
}


_json_strings = {}


def js(text):
    """Return `text` as a JSON string literal (UTF-8, not ASCII-escaped)."""
    literal = _json_strings.get(text)
    if literal is None:
        literal = _json_strings[text] = json.dumps(text, ensure_ascii=False)
    return literal


def pick(rng, choices):
    """One of `choices`, uniformly (cheaper than Random.choice)."""
    return choices[int(rng.random() * len(choices))]


def weighted(pairs):
    """Turn [(value, weight), ...] into (values, cumulative weights)."""
    pairs = list(pairs)
    values = [value for value, _ in pairs]
    cumulative, total = [], 0.0
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


# ---------------------------------------------------------------------------
# Time: integer milliseconds since the Unix epoch, UTC.

_dates = {}
_clock = ["%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
          for s in range(86400)]


def format_time(instant, offset=0):
    """Format an instant as RFC 3339: `Z`, or `±HH:MM` when `offset` (minutes).

    A fraction appears only when the instant has milliseconds.
    """
    day, millis = divmod(instant + offset * MINUTE, DAY)
    date = _dates.get(day)
    if date is None:
        date = (datetime.date(1970, 1, 1) + datetime.timedelta(days=day))
        date = _dates[day] = date.isoformat()
    seconds, fraction = divmod(millis, SECOND)
    text = f"{date}T{_clock[seconds]}"
    if fraction:
        text += f".{fraction:03d}"
    if offset == 0:
        return text + "Z"
    sign = "+" if offset > 0 else "-"
    return text + "%s%02d:%02d" % (sign, abs(offset) // 60, abs(offset) % 60)


def parse_instant(text):
    """Parse a timestamp of the contract into nanoseconds since 1970 (UTC)."""
    match = TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    date = datetime.date(int(year), int(month), int(day))
    seconds = ((date.toordinal() - EPOCH_ORDINAL) * 86400
               + int(hour) * 3600 + int(minute) * 60 + int(second))
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    nanos = int((fraction or "").ljust(9, "0"))
    return seconds * 1_000_000_000 + nanos


TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):([0-5]\d)(?:\.(\d{1,9}))?"
    r"([Zz]|[+-]\d\d:\d\d)")
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


# ---------------------------------------------------------------------------
# The organisation: processes with a skewed incident rate, teams, people.

class Catalogue:
    """Processes (ranked for a Zipf-like skew), their teams and their people."""

    def __init__(self, rng):
        combinations = [(domain, team, kind)
                        for domain, team in DOMAINS for kind in PROCESS_KINDS]
        chosen = rng.sample(combinations, PROCESS_COUNT)
        self.processes = [f"{domain}-{kind}" for domain, _, kind in chosen]
        self.team_of = {f"{domain}-{kind}": team
                        for domain, team, kind in chosen}
        self.service_of = {f"{domain}-{kind}": f"{domain}-service"
                           for domain, _, kind in chosen}
        ranks = [1 / (rank ** ZIPF_EXPONENT)
                 for rank in range(1, PROCESS_COUNT + 1)]
        _, self.process_weights = weighted(zip(self.processes, ranks))

        people = [f"{first}.{last}"
                  for first in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(people)
        self.people = {}
        for team in sorted(TEAM_PREFIX):
            size = rng.randint(3, 6)
            self.people[team], people = people[:size], people[size:]

    def pick_process(self, rng):
        """A process, the often-failing ones far more likely than the rest."""
        index = bisect.bisect(self.process_weights,
                              rng.random() * self.process_weights[-1])
        return self.processes[index]


# ---------------------------------------------------------------------------
# One incident's events.

class Incident:
    """Builds the events of one incident, then renders them as NDJSON lines.

    Lifecycle events (the "spine": detected, acknowledged, ... closed) get
    strictly increasing times, one step after another. Events allowed in any
    state (notes, notifications, follow-ups, postmortem, corrections) are
    placed at times after what they depend on. Sorting by time then gives an
    order that obeys every lifecycle rule, and so does any prefix of it.
    """

    def __init__(self, rng, number, detected_at):
        self.rng = rng
        self.name = f"INC-{number:06d}"
        self.detected_at = detected_at
        self.events = []  # [at, order, type, actor JSON, data JSON body, id]

    def add(self, at, kind, actor, data=()):
        """Append an event; `data` is a sequence of `"key":value` fragments."""
        event_id = new_uuid(self.rng)
        self.events.append(
            (at, len(self.events), kind, actor, ",".join(data), event_id))
        return event_id

    def later(self, previous, median, sigma, exact=False):
        """A log-normal delay (median in ms) after `previous`, at least 1 s.

        Times are whole seconds unless `exact`, which keeps milliseconds.
        """
        delay = median * math.exp(sigma * self.rng.gauss(0.0, 1.0))
        instant = previous + max(SECOND, int(delay))
        return instant if exact else instant - instant % SECOND

    def lines(self):
        """The events as (at, rank, line) in lifecycle order."""
        rng, name = self.rng, self.name
        rendered = []
        for rank, (at, _, kind, actor, data, event_id) in enumerate(
                sorted(self.events)):
            offset = pick(rng, LOCAL_OFFSETS) if rng.random() < 0.02 else 0
            rendered.append((at, rank, (
                f'{{"id":"{event_id}","incident":"{name}","type":"{kind}",'
                f'"at":"{format_time(at, offset)}","actor":{actor},'
                f'"data":{{{data}}}}}')))
        return rendered


def new_uuid(rng):
    """A version-4 UUID from the seeded generator, lower-case 8-4-4-4-12."""
    digits = "%032x" % (rng.getrandbits(128) & UUID_KEEP | UUID_SET)
    return (f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-"
            f"{digits[16:20]}-{digits[20:]}")


# The version (4) and variant (binary 10) bits of a random UUID.
UUID_KEEP = ~((0xF << 76) | (0x3 << 62))
UUID_SET = (0x4 << 76) | (0x2 << 62)


class HistoryGenerator:
    """Makes incidents one after another, in order of detection."""

    def __init__(self, seed, start, per_day):
        self.rng = random.Random(seed)
        self.catalogue = Catalogue(self.rng)
        self.start = start
        self.per_day = per_day
        self.severities = weighted(SEVERITIES)
        self.sources = weighted(SOURCES)
        self.root_causes = weighted(ROOT_CAUSES)
        self.mitigations = weighted((m[:1] + m[2:], m[1]) for m in MITIGATIONS)
        self.task_numbers = {prefix: 1000 for prefix in TEAM_PREFIX.values()}

    def choose(self, table):
        """A value of a `weighted` table."""
        values, cumulative = table
        index = bisect.bisect(cumulative, self.rng.random() * cumulative[-1])
        return values[index]

    def detection_times(self):
        """Detection instants: a Poisson process thinned by hour of day."""
        rng, peak = self.rng, max(HOURLY_RATE)
        mean_rate = sum(HOURLY_RATE) / len(HOURLY_RATE)
        gap = DAY / (self.per_day * peak / mean_rate)
        # The first detection falls on the start date, the rest follow.
        instant = self.start + rng.randrange(DAY // SECOND) * SECOND
        yield instant
        while True:
            instant += int(rng.expovariate(1.0) * gap / SECOND) * SECOND
            if rng.random() * peak <= HOURLY_RATE[instant // HOUR % 24]:
                yield instant

    def incidents(self):
        """Yield (detected at, incident number, lines) forever."""
        for number, detected_at in enumerate(self.detection_times(), start=1):
            incident = Incident(self.rng, number, detected_at)
            self.build(incident)
            yield detected_at, number, incident.lines()

    def build(self, incident):
        """Fill one incident with a realistic lifecycle."""
        rng, catalogue = self.rng, self.catalogue
        process = catalogue.pick_process(rng)
        team = catalogue.team_of[process]
        people = catalogue.people[team]
        severity = self.choose(self.severities)
        facts = {"process": process, "team": team, "severity": severity}

        spine = self.add_detection(incident, facts)
        people_json = [js(person) for person in people]
        commander = pick(rng, people_json)

        # Respond: acknowledge, assign, triage.
        at = incident.later(
            spine["detected"][1], ACK_MEDIAN[severity] * MINUTE, 0.9)
        spine["acknowledged"] = (
            incident.add(at, "acknowledged", commander), at)
        owner = pick(rng, people)
        at = incident.later(at, 3 * MINUTE, 1.0)
        data = [f'"owner":{js(owner)}']
        if rng.random() < 0.8:
            data.append(f'"team":{js(team)}')
        incident.add(at, "assigned", commander, data)
        owner_json = js(owner)
        at = incident.later(at, 6 * MINUTE, 1.0)
        self.add_triage(incident, facts, at, owner_json)

        if rng.random() < 0.1:
            at = incident.later(at, 20 * MINUTE, 1.0)
            severity = self.other_severity(severity)
            data = [f'"severity":"{severity}"']
            if rng.random() < 0.6:
                data.append(f'"reason":{js(pick(rng, SEVERITY_REASONS))}')
            incident.add(at, "severity-changed", owner_json, data)
            facts["severity"] = severity
        if facts.get("escalate"):
            at = incident.later(at, 15 * MINUTE, 1.0)
            data = [f'"reason":{js(pick(rng, ESCALATION_REASONS))}']
            if rng.random() < 0.8:
                data.append('"scope":"multi-process"')
            incident.add(at, "escalated", owner_json, data)

        # Find the cause and stop the bleeding, then fix it properly.
        mitigated = incident.later(
            spine["detected"][1], MITIGATE_MEDIAN[severity] * MINUTE, 1.1)
        cause_first = rng.random() < 0.8
        if cause_first:
            at = self.add_root_cause(incident, facts, spine, at, owner_json)
        if mitigated <= at:
            mitigated = incident.later(at, 5 * MINUTE, 1.0)
        action = self.add_mitigation(incident, mitigated, owner_json, spine)
        at = mitigated
        if not cause_first:
            at = self.add_root_cause(incident, facts, spine, at, owner_json)
        resolved = incident.later(at, 150 * MINUTE, 1.4)
        spine["resolved"] = (
            self.add_resolution(incident, resolved, owner_json), resolved)
        at = resolved

        # About 5% come back: before or after the incident was closed.
        reopen = rng.random() < 0.05
        if reopen and rng.random() < 0.5:
            at = self.add_reopening(incident, at, owner_json, action)
            reopen = False
        if rng.random() < 0.02:
            last = at  # some incidents are resolved but never closed
        else:
            at = self.add_closing(incident, facts, spine, at, commander)
            if reopen:
                at = self.add_reopening(incident, at, owner_json, action)
                at = self.add_closing(incident, facts, spine, at, commander)
            last = at
            self.add_follow_ups(incident, facts, last, people_json)
            if rng.random() < POSTMORTEM_CHANCE[facts["first_severity"]]:
                self.add_postmortem(incident, last, commander)

        self.add_chatter(incident, facts, spine, last, people_json)
        if rng.random() < 0.02:
            self.add_correction(incident, facts, spine, commander)

    def other_severity(self, severity):
        """A severity one step up or down from `severity`."""
        level = int(severity[3])
        if level in (1, 4):
            return "SEV2" if level == 1 else "SEV3"
        return f"SEV{level + pick(self.rng, (-1, 1))}"

    def add_detection(self, incident, facts):
        """The `detected` event; returns the spine with its (id, at)."""
        rng, process = self.rng, facts["process"]
        source = self.choose(self.sources) if rng.random() < 0.85 else None
        if source == "monitoring":
            actor, exact = js(pick(rng, MONITORING_ACTORS)), rng.random() < 0.5
        elif source == "log":
            actor, exact = js(pick(rng, LOG_ACTORS)), rng.random() < 0.3
        else:
            actor = js(pick(rng, self.catalogue.people[facts["team"]]))
            exact = False
        # Detection instants are whole seconds; monitoring adds milliseconds.
        detected_at = incident.detected_at
        if exact:
            detected_at += rng.randrange(1, SECOND)
        facts["title"] = pick(rng, TITLES).format(p=process)
        facts["first_severity"] = facts["severity"]
        data = [f'"title":{js(facts["title"])}', f'"process":{js(process)}',
                f'"severity":"{facts["severity"]}"']
        if source:
            data.append(f'"source":"{source}"')
        if rng.random() < 0.6:
            data.append(f'"service":{js(self.catalogue.service_of[process])}')
        facts["impact_started"] = None
        if rng.random() < 0.3:
            started = detected_at - incident.later(0, 12 * MINUTE, 1.2)
            facts["impact_started"] = started
            data.append(f'"impactStartedAt":"{format_time(started)}"')
        event_id = incident.add(detected_at, "detected", actor, data)
        return {"detected": (event_id, detected_at)}

    def add_triage(self, incident, facts, at, owner_json):
        """The `triaged` event; decides how wide and how serious it is."""
        rng, severity = self.rng, facts["severity"]
        wide = rng.random() < ESCALATION_CHANCE[severity]
        facts["escalate"] = wide or rng.random() < 0.02
        data = [f'"scope":"{"multi-process" if wide else "single-process"}"']
        if wide:
            others = {self.catalogue.pick_process(rng) for _ in range(3)}
            others.discard(facts["process"])
            processes = [facts["process"]] + sorted(others)
            data.append('"processes":[%s]' % ",".join(map(js, processes)))
        if rng.random() < 0.3:
            data.append(f'"severity":"{severity}"')
        if severity in ("SEV1", "SEV2") or rng.random() < 0.2:
            facing = severity == "SEV1" or rng.random() < 0.4
            facts["customer_facing"] = facing
            data.append(f'"customerFacing":{"true" if facing else "false"}')
        if wide or rng.random() < 0.05:
            facts["regulatory"] = rng.random() < 0.3
            data.append(
                f'"regulatory":{"true" if facts["regulatory"] else "false"}')
        incident.add(at, "triaged", owner_json, data)

    def add_root_cause(self, incident, facts, spine, at, owner_json):
        """The `root-cause` event, some time after `at`; returns its time."""
        rng = self.rng
        at = incident.later(at, 12 * MINUTE, 1.0)
        category = self.choose(self.root_causes)
        facts["category"] = category
        data = [f'"category":"{category}"',
                f'"summary":{js(pick(rng, ROOT_CAUSE_SUMMARIES[category]))}']
        if category in ("code-change", "config") and rng.random() < 0.7:
            number = rng.randint(100, 9999)
            change = pick(rng, (
                f"PR #{number}",
                f"https://git.example.com/{facts['team']}/pull/{number}",
                "commit %07x" % rng.getrandbits(28)))
            data.append(f'"change":{js(change)}')
        spine["root-cause"] = (
            incident.add(at, "root-cause", owner_json, data), at)
        return at

    def add_mitigation(self, incident, at, owner_json, spine):
        """The `mitigated` event at `at`; returns the action taken."""
        action, summary = self.choose(self.mitigations)
        data = [f'"action":"{action}"']
        if self.rng.random() < 0.7:
            data.append(f'"summary":{js(summary)}')
        spine["mitigated"] = (
            incident.add(at, "mitigated", owner_json, data), at)
        return action

    def add_resolution(self, incident, at, owner_json):
        """A `resolved` event at `at`."""
        data = []
        if self.rng.random() < 0.6:
            data.append(f'"summary":{js(pick(self.rng, RESOLUTIONS))}')
        return incident.add(at, "resolved", owner_json, data)

    def add_reopening(self, incident, at, owner_json, action):
        """Reopen after `at`, mitigate again maybe, resolve again."""
        rng = self.rng
        at = incident.later(at, 8 * HOUR, 1.0)
        data = [f'"reason":{js(pick(rng, REOPEN_REASONS))}']
        incident.add(at, "reopened", owner_json, data)
        if rng.random() < 0.5:
            at = incident.later(at, 30 * MINUTE, 1.0)
            incident.add(at, "mitigated", owner_json, [f'"action":"{action}"'])
        at = incident.later(at, 2 * HOUR, 1.2)
        self.add_resolution(incident, at, owner_json)
        return at

    def add_closing(self, incident, facts, spine, at, commander):
        """The `closed` event with an after-action note, some incomplete."""
        rng = self.rng
        at = incident.later(at, 20 * HOUR, 1.0)
        lasted = at - spine["detected"][1]
        notes = {
            "whatHappened": f"{facts['title']}. Open for {describe(lasted)}.",
            "why": pick(rng, ROOT_CAUSE_SUMMARIES[facts["category"]]),
            "whatWillChange": pick(rng, WHAT_WILL_CHANGE),
        }
        roll = rng.random()
        if roll < 0.05:
            notes = {}
        elif roll < 0.3:
            kept = rng.sample(sorted(notes), rng.randint(1, 2))
            notes = {key: notes[key] for key in kept}
        data = [f'"{key}":{js(value)}' for key, value in notes.items()]
        spine["closed"] = (incident.add(at, "closed", commander, data), at)
        return at

    def add_follow_ups(self, incident, facts, closed_at, people_json):
        """Follow-up tasks after closing; more than half get done later."""
        rng = self.rng
        low, high = FOLLOW_UP_RANGE[facts["first_severity"]]
        prefix = TEAM_PREFIX[facts["team"]]
        for _ in range(rng.randint(low, high)):
            self.task_numbers[prefix] += rng.randint(1, 9)
            task = js(f"{prefix}-{self.task_numbers[prefix]}")
            at = incident.later(closed_at, 2 * HOUR, 1.0)
            title = pick(rng, FOLLOW_UP_TITLES).format(p=facts["process"])
            owner = pick(rng, people_json)
            data = [f'"task":{task}', f'"title":{js(title)}']
            if rng.random() < 0.8:
                data.append(f'"owner":{owner}')
            if rng.random() < 0.7:
                due = at + rng.randint(7, 45) * DAY
                data.append(f'"due":"{format_time(due)[:10]}"')
            incident.add(at, "follow-up", pick(rng, people_json), data)
            if rng.random() < 0.55:
                done = incident.later(at, 10 * DAY, 0.8)
                incident.add(done, "follow-up-done", owner, [f'"task":{task}'])

    def add_postmortem(self, incident, closed_at, commander):
        """A `postmortem` document a few days after closing."""
        at = incident.later(closed_at, 3 * DAY, 0.6)
        if self.rng.random() < 0.7:
            document = f"https://wiki.example.com/postmortems/{incident.name}"
        else:
            year = format_time(at)[:4]
            document = f"docs/postmortems/{year}/{incident.name}.md"
        incident.add(at, "postmortem", commander,
                     [f'"document":{js(document)}'])

    def add_chatter(self, incident, facts, spine, last, people_json):
        """Notes and notifications while the incident is worked on."""
        rng = self.rng
        start = spine["acknowledged"][1]
        span = max(SECOND, last - start)
        for _ in range(pick(rng, (0, 0, 0, 1, 1, 1, 2, 2, 3))):
            at = some_time(rng, start, span)
            incident.add(at, "note", pick(rng, people_json),
                         [f'"text":{js(pick(rng, NOTES))}'])
        low, high = NOTIFY_RANGE[facts["first_severity"]]
        count = rng.randint(low, high)
        if facts.get("customer_facing"):
            count = max(count, 1)
        for index in range(count):
            at = some_time(rng, start, span)
            if index == 0 and facts.get("customer_facing"):
                channel, audience = "status-page", "customers"
            elif facts.get("regulatory") and index == 1:
                channel, audience = "email:compliance", "regulator"
            else:
                channel, audience = pick(rng, CHANNELS), pick(rng, AUDIENCES)
            data = [f'"channel":{js(channel)}']
            if rng.random() < 0.8:
                data.append(f'"audience":{js(audience)}')
            incident.add(at, "notified", pick(rng, people_json), data)

    def add_correction(self, incident, facts, spine, actor):
        """A `corrected` event: of a time or of a data field, obeying rule 7.

        The detection is only ever moved earlier (never before the impact
        started), and other times stay at or after the detection, so no
        event breaks rule 7 after the correction.
        """
        rng = self.rng
        detected_id, detected_at = spine["detected"]
        roll = rng.random()
        if roll < 0.35:
            target, target_at = detected_id, detected_at
            earlier = max(MINUTE, incident.later(0, 8 * MINUTE, 1.0))
            moved = detected_at - earlier
            moved -= moved % SECOND
            if facts["impact_started"] is not None:
                moved = max(moved, facts["impact_started"])
            change = [f'"at":"{format_time(moved)}"']
            reason = "Alert fired earlier than the page was logged."
        elif roll < 0.6:
            target, target_at = detected_id, detected_at
            severity = self.other_severity(facts["first_severity"])
            change = [f'"data":{{"severity":"{severity}"}}']
            reason = "Severity was entered wrong at detection."
        elif roll < 0.85 and "root-cause" in spine:
            target, target_at = spine["root-cause"]
            others = [c for c, _ in ROOT_CAUSES if c != facts["category"]]
            category = pick(rng, others)
            change = [f'"data":{{"category":"{category}"}}']
            reason = "Postmortem found a different root cause."
        else:
            kind = pick(rng, ("acknowledged", "mitigated", "resolved"))
            target, target_at = spine[kind]
            moved = detected_at + int((target_at - detected_at)
                                      * rng.uniform(0.4, 0.95))
            moved = max(detected_at, moved - moved % SECOND)
            change = [f'"at":"{format_time(moved)}"']
            reason = f"{kind.capitalize()} earlier than logged (chat log)."
        at = incident.later(target_at, 20 * HOUR, 1.0)
        incident.add(at, "corrected", actor,
                     [f'"event":"{target}"', f'"reason":{js(reason)}'] + change)


def some_time(rng, start, span):
    """A whole second uniformly in the `span` (ms) after `start`, not at it."""
    instant = start + SECOND + int(rng.random() * span)
    return instant - instant % SECOND


def describe(duration):
    """A duration in words: `45 minutes`, `3 hours`, `2 days`."""
    if duration < 2 * HOUR:
        return f"{max(1, duration // MINUTE)} minutes"
    if duration < 2 * DAY:
        return f"{duration // HOUR} hours"
    return f"{duration // DAY} days"


# ---------------------------------------------------------------------------
# Writing: merge incidents into one stream ordered by time.

def generate(out, events, seed, start, per_day):
    """Write the first `events` lines of the merged, time-ordered history.

    Incidents arrive in order of detection, and no event of a later incident
    is earlier than its detection, so every pending event earlier than the
    next detection can be written. A prefix of this order is itself a valid
    history (each incident's events in lifecycle order), so stopping after
    exactly `events` lines leaves the last incidents open.
    """
    pending, written, batch = [], 0, []
    history = HistoryGenerator(seed, start, per_day)
    for detected_at, number, lines in history.incidents():
        while pending and pending[0][0] <= detected_at and written < events:
            batch.append(heapq.heappop(pending)[3])
            written += 1
        if len(batch) >= 4096 or written >= events:
            out.write("\n".join(batch) + "\n" if batch else "")
            batch = []
        if written >= events:
            return written
        for at, rank, line in lines:
            heapq.heappush(pending, (at, number, rank, line))


def parse_start(text):
    """`YYYY-MM-DD` to the instant of its midnight UTC."""
    date = datetime.date.fromisoformat(text)
    return (date.toordinal() - EPOCH_ORDINAL) * DAY


# ---------------------------------------------------------------------------
# The self-check: lifecycle rules 1 to 7 of schemas/README.md.

CLOSED_ALLOWS = {"reopened", "note", "notified", "follow-up", "follow-up-done",
                 "postmortem", "corrected"}
NOT_BEFORE_DETECTION = {"acknowledged", "mitigated", "resolved", "closed"}


class RuleBroken(Exception):
    """A line of an import breaks a rule; the message says which and why."""


class IncidentState:
    """What the rules need to know of one incident so far."""

    def __init__(self, detected_id, detected_at, impact_started):
        self.state = "open"  # open, resolved or closed
        self.detected_id = detected_id
        self.detected_at = detected_at  # after corrections
        self.impact_started = impact_started
        self.types = {detected_id: "detected"}
        self.timed = {}  # id -> time after corrections, for rule 7
        self.tasks = set()


def check_event(event, incidents, seen_ids):
    """Apply the lifecycle rules to one event, updating `incidents`."""
    kind, data, name = event["type"], event["data"], event["incident"]
    at = parse_instant(event["at"])
    # Ids are compared in lower case, as stored; an event without one gets
    # a key of its own (nothing can name it).
    event_id = event["id"].lower() if "id" in event else object()
    if kind not in FIELDS:
        raise RuleBroken(f"unknown type {kind!r}")
    required, optional = FIELDS[kind]
    if not required <= data.keys() or not data.keys() <= required | optional:
        raise RuleBroken(f"data fields {sorted(data)} do not fit {kind}")
    if event_id in seen_ids:
        raise RuleBroken(f"id {event_id} used twice")
    seen_ids.add(event_id)

    incident = incidents.get(name)
    if incident is None:
        if kind != "detected":
            raise RuleBroken(f"rule 1: {name} begins with {kind}, not detected")
        impact = data.get("impactStartedAt")
        impact = parse_instant(impact) if impact else None
        if impact is not None and impact > at:
            raise RuleBroken("impactStartedAt is after the detection")
        incidents[name] = IncidentState(event_id, at, impact)
        return
    if kind == "detected":
        raise RuleBroken(f"rule 1: {name} detected a second time")
    if incident.state == "closed" and kind not in CLOSED_ALLOWS:
        raise RuleBroken(f"rule 4: {kind} after {name} was closed")
    if kind == "resolved" and incident.state != "open":
        raise RuleBroken(f"rule 2: resolved while {name} is {incident.state}")
    if kind == "reopened" and incident.state == "open":
        raise RuleBroken(f"rule 3: reopened while {name} is open")
    if kind == "closed" and incident.state != "resolved":
        raise RuleBroken(f"rule 3: closed while {name} is {incident.state}")
    if kind == "follow-up-done" and data["task"] not in incident.tasks:
        raise RuleBroken(f"rule 5: task {data['task']!r} was never opened")
    if kind in NOT_BEFORE_DETECTION and at < incident.detected_at:
        raise RuleBroken(f"rule 7: {kind} is earlier than the detection")
    if kind == "corrected":
        check_correction(incident, data)

    incident.types[event_id] = kind
    incident.state = {"resolved": "resolved", "closed": "closed",
                      "reopened": "open"}.get(kind, incident.state)
    if kind == "follow-up":
        incident.tasks.add(data["task"])
    if kind in NOT_BEFORE_DETECTION:
        incident.timed[event_id] = at


def check_correction(incident, data):
    """Rules 6 and 7 for a `corrected` event."""
    target = data["event"].lower()
    kind = incident.types.get(target)
    if kind is None or kind == "corrected":
        raise RuleBroken(
            f"rule 6: {target} is no earlier, non-correction event "
            "of the incident")
    if "at" not in data and "data" not in data:
        raise RuleBroken("corrected changes neither at nor data")
    if "data" in data:
        required, optional = FIELDS[kind]
        if not data["data"] or not data["data"].keys() <= required | optional:
            raise RuleBroken(f"corrected data {sorted(data['data'])} "
                             f"does not fit {kind}")
    if "at" not in data:
        return
    moved = parse_instant(data["at"])
    if target == incident.detected_id:
        if any(at < moved for at in incident.timed.values()):
            raise RuleBroken("rule 7: moving the detection puts an earlier "
                             "event before it")
        impact = incident.impact_started
        if impact is not None and impact > moved:
            raise RuleBroken("moving the detection puts it before "
                             "impactStartedAt")
        incident.detected_at = moved
    elif kind in NOT_BEFORE_DETECTION:
        if moved < incident.detected_at:
            raise RuleBroken(
                f"rule 7: corrected {kind} is earlier than the detection")
        incident.timed[target] = moved


def reject_duplicates(pairs):
    """object_pairs_hook: a JSON object with a repeated key is an error."""
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError(f"duplicate key in {keys}")
    return dict(pairs)


def check_rules(path):
    """Check every line of an NDJSON import; exit 1 on the first violation."""
    incidents, seen_ids, count = {}, set(), 0
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
                if not text.strip():
                    continue
                event = json.loads(text, object_pairs_hook=reject_duplicates)
                check_event(event, incidents, seen_ids)
            except (ValueError, KeyError, TypeError, AttributeError,
                    RuleBroken) as error:
                print(f"{path}: line {number}: {error}", file=sys.stderr)
                return 1
            count += 1
    states = {}
    for incident in incidents.values():
        states[incident.state] = states.get(incident.state, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    print(f"ok: {count} events, {len(incidents)} incidents ({summary}); "
          "rules 1-7 hold")
    return 0


# ---------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Generate a deterministic, realistic incident history as "
                    "NDJSON import events (schemas/README.md), or check the "
                    "lifecycle rules of such a file.")
    parser.add_argument("--events", type=int, default=20000, metavar="N",
                        help="number of events to write (default 20000)")
    parser.add_argument("--seed", type=int, default=7, metavar="S",
                        help="random seed (default 7)")
    parser.add_argument("--start", default="2025-01-01", metavar="DATE",
                        help="date of the first detection "
                             "(default 2025-01-01)")
    parser.add_argument("-o", "--output", default="-", metavar="FILE",
                        help="output file (default: standard output)")
    parser.add_argument("--check-rules", metavar="FILE",
                        help="instead of generating, check lifecycle rules 1-7 "
                             "of an NDJSON file; exit 1 on the first violation")
    args = parser.parse_args(argv)

    if args.check_rules:
        try:
            return check_rules(args.check_rules)
        except OSError as error:
            print(f"generate-sample: cannot read {args.check_rules}: "
                  f"{error.strerror}", file=sys.stderr)
            return 2
    if args.events < 0:
        parser.error("--events must not be negative")
    try:
        start = parse_start(args.start)
    except ValueError:
        parser.error(f"--start: not a date YYYY-MM-DD: {args.start!r}")

    # About 11 events per incident; spread them so that a day sees 2 to 40.
    per_day = min(40.0, max(2.0, args.events / 11 / 365))
    if args.output == "-":
        out = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="\n",
                   buffering=1 << 20, closefd=False)
    else:
        out = open(args.output, "w", encoding="utf-8", newline="\n",
                   buffering=1 << 20)
    try:
        with out:
            if args.events:
                generate(out, args.events, args.seed, start, per_day)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`); not an error
    return 0


if __name__ == "__main__":
    sys.exit(main())
