import Interchange
import LedgerCrypto

/// Turns Prometheus Alertmanager webhook payloads (version 4) into incident events.
///
/// Each alert of a payload is one incident: the alert's `fingerprint` (a hash of its
/// labels) and `startsAt` name it, so the same alert firing again after it resolved, with
/// a new `startsAt`, is a new incident. Every alert, firing or resolved, gives the
/// incident's `detected` event at `startsAt`; a resolved alert also gives its `resolved`
/// event at `endsAt`. An alert that resolved before the ledger saw it firing is therefore
/// imported whole, and one seen firing before gets only its resolution. The incident id
/// is `AM-<fingerprint>-<startsAt in UTC, compact>` and each event id is
/// `EventID.named("alertmanager/<incident>/<type>")`, so a payload delivered twice
/// derives the very same events.
///
/// What an event says comes from the alert: the process from a label (`job` unless told
/// otherwise), the severity from the `severity` label through a `SeverityMap`, the title
/// from `annotations.summary`, else the `alertname` label; the actor is `alertmanager`
/// and the source `monitoring`. Alertmanager renders annotations anew for every
/// notification, so the import sets `AppendOptions.sameIDIsDuplicate`: the ledger keeps
/// what the first delivery said.
public enum AlertmanagerFeed {
    /// The actor of every event made from an alert.
    public static let actor = "alertmanager"

    /// Where an alert's facts come from.
    public struct Options: Sendable {
        /// The label whose value is the process (default `job`).
        public var processLabel = "job"
        /// How `severity` label values map to severities.
        public var severities = SeverityMap.defaults
        /// The severity of an alert without a `severity` label (default SEV3).
        public var missingSeverity = Severity.sev3

        /// The defaults.
        public init() {}
    }

    /// Converts the payloads of `input`: one JSON document per file, or one per line.
    /// - Parameters:
    ///   - input: The whole input.
    ///   - options: The process label and the severity mapping.
    /// - Returns: The events of every alert in order (detected before resolved), and a
    ///   refusal for each payload or alert that cannot be read, naming its line and field.
    /// - Throws: `CryptoError` when no SHA-256 hasher can be made.
    /// - Complexity: O(n) in the input's length.
    public static func convert(
        _ input: [UInt8], options: Options = Options()
    ) throws -> FeedConversion {
        let hasher = try SHA256Hasher()
        let feed = FeedInput(input)
        var conversion = FeedConversion()
        for (line, parsed) in feed.documents() {
            let document: JSONDocument
            switch parsed {
            case .failure(let error):
                conversion.refuse(error, line: line)
                continue
            case .success(let parsedDocument):
                document = parsedDocument
            }
            do throws(EventError) {
                let alerts = try payloadAlerts(document)
                for (index, node) in alerts.enumerated() {
                    let alertLine = feed.line(of: node, in: document)
                    do throws(EventError) {
                        let alert = try Alert(document, node, index: index, options: options)
                        for event in try alert.events(hasher: hasher) {
                            conversion.append(event, line: alertLine)
                        }
                    } catch {
                        conversion.refuse(error, line: alertLine)
                    }
                }
            } catch {
                conversion.refuse(error, line: line)
            }
        }
        return conversion
    }

    /// The alerts of a version 4 payload.
    private static func payloadAlerts(_ document: JSONDocument) throws(EventError) -> [JSONNode] {
        guard let payload = FeedObject(document, document.root, path: "") else {
            throw EventError("an Alertmanager payload must be a JSON object")
        }
        let version = try payload.string("version")
        guard version == "4" else {
            let found = version.map { FieldRules.quoted($0) } ?? "none"
            throw EventError(
                field: "version", "must be \"4\" (Alertmanager's webhook version 4), not \(found)")
        }
        guard let alerts = try payload.array("alerts") else {
            throw EventError(field: "alerts", "is missing")
        }
        return alerts
    }

    /// One alert of a payload, read and checked.
    private struct Alert {
        let path: String
        let startsAt: Timestamp
        let endsAt: Timestamp?
        let incident: String
        let fields: [String: FieldValue]
        /// Where each data field came from, for error messages.
        let origins: [String: String]
        /// `alertname (fingerprint ...)`, for error messages.
        let name: String

        init(
            _ document: JSONDocument, _ node: JSONNode, index: Int, options: Options
        ) throws(EventError) {
            let path = "alerts[\(index)]"
            guard let alert = FeedObject(document, node, path: path) else {
                throw EventError(field: path, "must be an object")
            }
            let labels = try alert.object("labels")
            let annotations = try alert.object("annotations")
            let alertname = try labels?.string("alertname")
            let fingerprint = try alert.requiredString("fingerprint")
            let name = "alert \(alertname ?? "without alertname") (fingerprint \(fingerprint))"
            guard fingerprint.utf8.count <= 32, fingerprint.utf8.allSatisfy(isAlphanumeric) else {
                throw EventError(
                    field: alert.field("fingerprint"),
                    "must be 1 to 32 letters and digits, not \(FieldRules.quoted(fingerprint))")
            }

            let resolved: Bool
            switch try alert.requiredString("status") {
            case "firing": resolved = false
            case "resolved": resolved = true
            case let other:
                throw EventError(
                    field: alert.field("status"),
                    "must be firing or resolved, not \(FieldRules.quoted(other)) in \(name)")
            }
            // A firing alert's endsAt changes with every delivery (and is often year 1):
            // only a resolved alert's is read.
            let startsAt = try Alert.time(alert, "startsAt", in: name)
            let endsAt = resolved ? try Alert.time(alert, "endsAt", in: name) : nil
            if let endsAt, endsAt < startsAt {
                throw EventError(
                    field: alert.field("endsAt"), "must not be before startsAt in \(name)")
            }

            var fields: [String: FieldValue] = ["source": .string("monitoring")]
            var origins: [String: String] = [:]
            let processField = "\(path).labels.\(options.processLabel)"
            guard let process = try labels?.string(options.processLabel), !process.isEmpty else {
                throw EventError(
                    field: processField,
                    "is missing in \(name): the process comes from this label "
                        + "(choose another with --process-label)")
            }
            fields["process"] = .string(process)
            origins["process"] = processField

            let severityField = "\(path).labels.severity"
            if let word = try labels?.string("severity") {
                guard let severity = options.severities.severity(of: word) else {
                    throw EventError(
                        field: severityField,
                        "\(FieldRules.quoted(word)) in \(name) has no severity; "
                            + "map it with --severity-map, e.g. \(word)=SEV2")
                }
                fields["severity"] = .string(severity.rawValue)
            } else {
                fields["severity"] = .string(options.missingSeverity.rawValue)
            }
            origins["severity"] = severityField

            if let summary = try annotations?.string("summary"), !summary.isEmpty {
                fields["title"] = .string(summary)
                origins["title"] = "\(path).annotations.summary"
            } else if let alertname, !alertname.isEmpty {
                fields["title"] = .string(alertname)
                origins["title"] = "\(path).labels.alertname"
            } else {
                throw EventError(
                    field: "\(path).annotations.summary",
                    "is missing in \(name), and so is labels.alertname: one of them is the title")
            }

            self.path = path
            self.name = name
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.incident = "AM-\(fingerprint)-\(Alert.compact(startsAt))"
            self.fields = fields
            self.origins = origins
        }

        /// The incident's events: `detected`, and `resolved` for a resolved alert.
        func events(hasher: SHA256Hasher) throws(EventError) -> [Event] {
            var events = [try event(.detected, at: startsAt, fields: fields, hasher: hasher)]
            if let endsAt {
                events.append(try event(.resolved, at: endsAt, fields: [:], hasher: hasher))
            }
            return events
        }

        private func event(
            _ type: EventType, at time: Timestamp, fields: [String: FieldValue],
            hasher: SHA256Hasher
        ) throws(EventError) -> Event {
            let id = EventID.named("alertmanager/\(incident)/\(type.rawValue)", hasher: hasher)
            do {
                return try EventBuilder.build(
                    type: type, incident: incident, at: time.text,
                    actor: AlertmanagerFeed.actor, id: id.description, fields: fields)
            } catch {
                // Name the alert's field that the event's field came from.
                let dataField = error.field?.split(separator: ".").last.map(String.init)
                let origin = dataField.flatMap { origins[$0] }
                var located = error
                located.field = origin ?? "\(path).\(error.field ?? "")"
                located.message = "\(error.message) (in \(name))"
                throw located
            }
        }

        /// An RFC 3339 time field of the alert.
        private static func time(
            _ alert: FeedObject, _ key: String, in name: String
        ) throws(EventError) -> Timestamp {
            let text = try alert.requiredString(key)
            do {
                return try Timestamp(parsing: text)
            } catch {
                throw EventError(
                    field: alert.field(key),
                    "must be an RFC 3339 time from 1970 to 2200 in \(name): \(error.message)")
            }
        }

        /// `startsAt` in UTC without separators, e.g. `20260302T091400.500Z`.
        private static func compact(_ time: Timestamp) -> String {
            String(utcTimestamp(time.nanoseconds).text.filter { $0 != "-" && $0 != ":" })
        }
    }
}

@inline(__always)
private func isAlphanumeric(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "A")...UInt8(ascii: "Z"):
        true
    default: false
    }
}
