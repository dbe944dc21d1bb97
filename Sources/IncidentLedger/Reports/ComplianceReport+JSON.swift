import Interchange

extension ComplianceReport {
    /// The report as JSON for tools (`schemas/report.schema.json`): keys sorted, no
    /// whitespace, durations in seconds.
    /// - Complexity: O(n) in the incidents and findings.
    public func json() -> [UInt8] {
        var out = ReportJSONWriter()
        out.writer.beginObject()
        out.field("asOf", isAsOf)
        out.writer.key("findings")
        out.array(findings) { out, finding in
            out.field("check", finding.check.rawValue)
            out.writer.key("evidence")
            out.writer.beginArray()
            for position in finding.evidence { out.writer.integer(Int64(position)) }
            out.writer.endArray()
            out.field("incident", finding.incident)
            out.field("message", finding.message)
            out.field("number", finding.check.number)
        }
        out.writer.key("incidents")
        out.array(incidents) { out, row in out.row(row) }
        out.writer.key("integrity")
        out.integrity(integrity)
        out.field("moment", moment.text)
        out.writer.key("period")
        out.writer.beginObject()
        out.field("since", since?.text)
        out.field("until", until?.text)
        out.writer.endObject()
        out.writer.key("policy")
        out.policy(policy)
        out.field("position", Int(position))
        out.writer.key("summary")
        out.summary(summary)
        out.writer.endObject()
        return out.writer.bytes
    }
}

/// The canonical writer with the report's shapes.
private struct ReportJSONWriter {
    var writer = CanonicalJSONWriter(reservingCapacity: 1 << 16)

    mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        writer.key(name)
        writer.string(value)
    }

    mutating func field(_ name: String, _ value: Int) {
        writer.key(name)
        writer.integer(Int64(value))
    }

    mutating func field(_ name: String, _ value: Bool) {
        writer.key(name)
        writer.bool(value)
    }

    mutating func number(_ name: String, _ value: Double?) {
        guard let value else { return }
        writer.key(name)
        writer.number(value)
    }

    /// An array of objects, one per element, written by `body` between the braces.
    mutating func array<Element>(
        _ elements: [Element], _ body: (inout ReportJSONWriter, Element) -> Void
    ) {
        writer.beginArray()
        for element in elements {
            writer.beginObject()
            body(&self, element)
            writer.endObject()
        }
        writer.endArray()
    }

    mutating func row(_ row: IncidentRow) {
        field("afterActionFields", row.afterActionFields)
        field("changeReference", row.changeReference)
        field("customerFacing", row.customerFacing)
        field("detectedAt", row.detectedAt.text)
        field("escalations", row.escalations)
        field("followUpsDone", row.followUpsDone)
        field("followUpsOpen", row.followUpsOpen)
        field("incident", row.incident)
        field("owner", row.owner)
        field("postmortem", row.postmortem)
        field("process", row.process)
        field("regulatory", row.regulatory)
        field("resolvedAt", row.resolvedAt?.text)
        field("rootCauseCategory", row.rootCauseCategory)
        field("scope", row.scope)
        field("severity", row.severity.rawValue)
        field("status", row.status.rawValue)
        field("team", row.team)
        number("timeToResolve", row.timeToResolve)
        field("title", row.title)
    }

    mutating func integrity(_ integrity: ReportIntegrity) {
        writer.beginObject()
        writer.key("head")
        writer.beginObject()
        field("hash", integrity.head.hash.hex)
        field("position", Int(integrity.head.position))
        field("recordedAt", integrity.head.recordedAt?.text)
        writer.endObject()
        if let signed = integrity.signedHead {
            writer.key("signedHead")
            signed.write(to: &writer)
        }
        writer.key("tree")
        writer.beginObject()
        field("root", integrity.tree.root.hex)
        field("size", Int(integrity.tree.size))
        writer.endObject()
        writer.key("verify")
        writer.beginObject()
        if let bad = integrity.verify.firstBad {
            writer.key("firstBad")
            writer.beginObject()
            field("position", Int(bad.position))
            field("reason", bad.reason)
            writer.endObject()
        }
        field("ok", integrity.verify.isIntact)
        field("records", Int(integrity.verify.records))
        writer.endObject()
        writer.endObject()
    }

    mutating func policy(_ policy: ReportPolicy) {
        func severities(_ levels: Set<Severity>) -> [String] { levels.sorted().map(\.rawValue) }
        writer.beginObject()
        writer.key("checks")
        writer.beginObject()
        for check in PolicyCheck.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
            writer.key(check.rawValue)
            writer.beginObject()
            switch check {
            case .changeReference:
                strings("categories", policy.changeCategories.sorted())
            case .majorPostmortem, .recurrenceFollowUp:
                field(
                    "days",
                    check == .majorPostmortem ? policy.postmortemDays : policy.recurrenceDays)
            default:
                break
            }
            field("enabled", policy.enabled.contains(check))
            switch check {
            case .majorPostmortem:
                strings("severities", severities(policy.majorSeverities))
            case .recurrenceFollowUp:
                field("incidents", policy.recurrenceIncidents)
            case .slowCustomerFacing:
                field("minutes", policy.slowResolutionMinutes)
                strings("severities", severities(policy.lowSeverities))
            default:
                break
            }
            writer.endObject()
        }
        writer.endObject()
        writer.endObject()
    }

    mutating func strings(_ name: String, _ values: [String]) {
        writer.key(name)
        writer.beginArray()
        for value in values { writer.string(value) }
        writer.endArray()
    }

    mutating func summary(_ summary: ReportSummary) {
        writer.beginObject()
        for (name, tallies) in [
            ("byScope", summary.byScope), ("bySeverity", summary.bySeverity),
            ("byStatus", summary.byStatus),
        ] {
            writer.key(name)
            array(tallies) { out, tally in
                out.field("count", tally.count)
                out.field("key", tally.key)
            }
        }
        field("incidents", summary.incidents)
        writer.key("recurrence")
        array(summary.recurrence) { out, finding in
            out.field("flagged", finding.flagged)
            out.field("key", finding.key)
            out.field("maxInWindow", finding.maxInWindow)
            out.field("total", finding.total)
            out.writer.key("window")
            out.writer.beginObject()
            out.field("from", finding.from.text)
            out.strings("incidents", finding.incidents)
            out.field("to", finding.to.text)
            out.writer.endObject()
        }
        writer.key("timeToAcknowledge")
        metric(summary.timeToAcknowledge)
        writer.key("timeToResolve")
        metric(summary.timeToResolve)
        writer.key("weeks")
        array(summary.weeks) { out, week in
            out.writer.key("counts")
            out.writer.beginObject()
            for (level, count) in zip(Severity.allCases, week.counts) {
                out.field(level.rawValue, count)
            }
            out.writer.endObject()
            out.field("week", week.week)
        }
        writer.endObject()
    }

    mutating func metric(_ report: MetricReport) {
        writer.beginObject()
        writer.key("groups")
        array(report.groups) { out, group in
            out.figures(group.summary, key: group.key, group: group)
        }
        if report.metric == .ttr {
            writer.key("open")
            writer.beginObject()
            field("count", report.openAges.count)
            number("maxAge", report.openAges.max)
            number("medianAge", report.openAges.p50)
            writer.endObject()
        }
        writer.key("overall")
        writer.beginObject()
        figures(report.overall, key: nil, group: nil)
        writer.endObject()
        field("unit", "seconds")
        field("unmeasured", report.unmeasured)
        writer.endObject()
    }

    /// A summary's figures in key order, with a group's key and median interval.
    mutating func figures(_ summary: Summary, key: String?, group: GroupStatistics?) {
        field("count", summary.count)
        field("key", key)
        number("max", summary.max)
        number("mean", summary.mean)
        if let interval = group?.medianInterval {
            number("medianHigh", interval.high)
            number("medianLow", interval.low)
        }
        number("p50", summary.p50)
        number("p90", summary.p90)
        number("p95", summary.p95)
        if let group, group.medianInterval != nil { field("tooFew", group.tooFew) }
    }
}
