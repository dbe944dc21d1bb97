import Testing

@testable import IncidentLedger

@Suite("Prometheus exposition")
struct PrometheusExpositionTests {
    /// Four incidents on two processes, one with characters a label value must escape.
    static func sampleLedger() throws -> TestLedger {
        let ledger = try TestLedger()
        let weird = #"we"ird\name"#
        func detected(
            _ incident: String, _ minutes: Int, _ process: String, _ severity: String
        )
            -> String
        {
            eventLine(
                "detected", incident, at: time(minutes),
                data: [
                    "process": .string(process), "severity": .string(severity),
                    "title": "Export failed",
                ])
        }
        try ledger.append(
            detected("INC-1", 0, "nightly-export", "SEV3"),
            eventLine("acknowledged", "INC-1", at: time(5)),
            eventLine("resolved", "INC-1", at: time(60)),
            detected("INC-2", 10, "nightly-export", "SEV1"),
            eventLine("acknowledged", "INC-2", at: time(30)),
            detected("INC-3", 20, weird, "SEV2"),
            eventLine("resolved", "INC-3", at: time(40)),
            detected("INC-4", 35, weird, "SEV2"),
            eventLine("resolved", "INC-4", at: time(55)),
            eventLine("closed", "INC-4", at: time(60)))
        return ledger
    }

    @Test("the figures of a small ledger, exactly, with HELP and TYPE lines and escaped labels")
    func exactFigures() throws {
        let ledger = try Self.sampleLedger()
        let exposition = PrometheusExposition(
            facts: try ledger.ledger.facts(asOf: nil), recurrenceWindowSeconds: 600,
            recurrenceThreshold: 2)
        // TTA of nightly-export: 300 s and 1200 s, so by R-7 p50 = 750, p90 = 300 + 0.9 *
        // 900 = 1110, p95 = 300 + 0.95 * 900 = 1155. TTR: 3600 s; the other process's two
        // resolutions took 1200 s each. nightly-export's detections are 600 s apart.
        let expected = #"""
            # HELP incidents_open Open incidents by process and severity.
            # TYPE incidents_open gauge
            incidents_open{process="nightly-export",severity="SEV1"} 1
            incidents_open{process="nightly-export",severity="SEV3"} 0
            incidents_open{process="we\"ird\\name",severity="SEV2"} 0
            # HELP incidents_by_status Incidents in the ledger by current status.
            # TYPE incidents_by_status gauge
            incidents_by_status{status="open"} 1
            incidents_by_status{status="resolved"} 2
            incidents_by_status{status="closed"} 1
            # HELP incidents_detected_total Incidents ever detected (all in the ledger).
            # TYPE incidents_detected_total counter
            incidents_detected_total 4
            # HELP incidents_tta_seconds Time to first acknowledgement, by process.
            # TYPE incidents_tta_seconds summary
            incidents_tta_seconds{process="nightly-export",quantile="0.5"} 750
            incidents_tta_seconds{process="nightly-export",quantile="0.9"} 1110
            incidents_tta_seconds{process="nightly-export",quantile="0.95"} 1155
            incidents_tta_seconds_sum{process="nightly-export"} 1500
            incidents_tta_seconds_count{process="nightly-export"} 2
            incidents_tta_seconds{process="we\"ird\\name",quantile="0.5"} NaN
            incidents_tta_seconds{process="we\"ird\\name",quantile="0.9"} NaN
            incidents_tta_seconds{process="we\"ird\\name",quantile="0.95"} NaN
            incidents_tta_seconds_sum{process="we\"ird\\name"} 0
            incidents_tta_seconds_count{process="we\"ird\\name"} 0
            # HELP incidents_ttr_seconds Time to final resolution of resolved incidents, by process.
            # TYPE incidents_ttr_seconds summary
            incidents_ttr_seconds{process="nightly-export",quantile="0.5"} 3600
            incidents_ttr_seconds{process="nightly-export",quantile="0.9"} 3600
            incidents_ttr_seconds{process="nightly-export",quantile="0.95"} 3600
            incidents_ttr_seconds_sum{process="nightly-export"} 3600
            incidents_ttr_seconds_count{process="nightly-export"} 1
            incidents_ttr_seconds{process="we\"ird\\name",quantile="0.5"} 1200
            incidents_ttr_seconds{process="we\"ird\\name",quantile="0.9"} 1200
            incidents_ttr_seconds{process="we\"ird\\name",quantile="0.95"} 1200
            incidents_ttr_seconds_sum{process="we\"ird\\name"} 2400
            incidents_ttr_seconds_count{process="we\"ird\\name"} 2
            # HELP incidents_recurring 1 if 2+ incidents in 600 s, else 0.
            # TYPE incidents_recurring gauge
            incidents_recurring{process="nightly-export"} 1
            incidents_recurring{process="we\"ird\\name"} 0
            # HELP incidents_recurrence_max_in_window Most incidents within 600 s.
            # TYPE incidents_recurrence_max_in_window gauge
            incidents_recurrence_max_in_window{process="nightly-export"} 2
            incidents_recurrence_max_in_window{process="we\"ird\\name"} 1

            """#
        #expect(exposition.text == expected)
    }

    @Test("an empty ledger still describes every metric and counts zero incidents")
    func emptyLedger() throws {
        let ledger = try TestLedger()
        let exposition = PrometheusExposition(
            facts: try ledger.ledger.facts(asOf: nil), recurrenceWindowSeconds: 2_592_000,
            recurrenceThreshold: 3)
        let samples = exposition.text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(
            samples == [
                #"incidents_by_status{status="open"} 0"#,
                #"incidents_by_status{status="resolved"} 0"#,
                #"incidents_by_status{status="closed"} 0"#, "incidents_detected_total 0",
            ])
        #expect(exposition.text.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.count == 7)
    }

    @Test("fractional durations are written exactly, in a form Go's ParseFloat reads")
    func fractionalSeconds() throws {
        let ledger = try TestLedger()
        try ledger.append(
            detectedLine("INC-1", at: "2026-03-02T09:00:00Z"),
            eventLine("acknowledged", "INC-1", at: "2026-03-02T09:00:00.25Z"))
        let exposition = PrometheusExposition(
            facts: try ledger.ledger.facts(asOf: nil), recurrenceWindowSeconds: 60,
            recurrenceThreshold: 3)
        #expect(
            exposition.text.contains(
                #"incidents_tta_seconds{process="nightly-export",quantile="0.5"} 0.25"#))
        #expect(
            exposition.text.contains(#"incidents_tta_seconds_sum{process="nightly-export"} 0.25"#))
    }
}
