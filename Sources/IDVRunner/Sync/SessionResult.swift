import YotiAPI
import YotiClient

/// What sync keeps of `GET /sessions/{id}`: Yoti's state and, per check, its type, state and
/// recommendation (value and reason). Nothing else — no media, no document fields, no personal data.
package struct SessionResult: Sendable, Hashable {
    /// One check, compacted.
    package struct Check: Sendable, Hashable {
        package var type: String
        package var state: String?
        package var recommendation: String?
        package var reason: String?
    }

    /// `ONGOING`, `COMPLETED`, `EXPIRED` (as Yoti spells it) or ``notFound``.
    package var state: String
    package var checks: [Check]

    /// The state recorded for a session Yoti answered 404 for (deleted, or never existed for this application).
    package static let notFound = "NOT_FOUND"
    /// States after which a session never changes: sync does not fetch them again.
    package static let finalStates = ["COMPLETED", "EXPIRED", notFound]

    /// Over a row `r`: sync last saw its session ONGOING with a check not `DONE` (deleting it now would
    /// earn a 409). The expiry sweep does not try to delete such sessions.
    static let ongoingWithUnfinishedChecks = """
        (r.remote_state IS NOT DISTINCT FROM 'ONGOING' AND EXISTS (
                SELECT 1 FROM jsonb_array_elements(coalesce(r.result_outcome -> 'checks', '[]'::jsonb)) AS c
                WHERE c ->> 'state' IS DISTINCT FROM 'DONE'))
        """

    package init(state: String, checks: [Check]) {
        self.state = state
        self.checks = checks
    }

    /// Reads Yoti's result tolerantly: a missing state is `UNKNOWN`, checks without a type are skipped.
    package init(json: JSONValue) {
        let state = json["state"]?.stringValue ?? "UNKNOWN"
        self.state = String(state.prefix(32))
        checks = (json["checks"]?.arrayValue ?? []).compactMap { check in
            guard let type = check["type"]?.stringValue else { return nil }
            let recommendation = check["report"]?["recommendation"]
            return Check(
                type: String(type.prefix(64)), state: check["state"]?.stringValue,
                recommendation: recommendation?["value"]?.stringValue, reason: recommendation?["reason"]?.stringValue)
        }
    }

    /// The overall recommendation of a completed session: `REJECT` if any check rejects, else
    /// `NOT_AVAILABLE` if any check's recommendation is not available or missing, else `APPROVE`.
    /// `nil` while not completed, or for a completed session without checks.
    package var recommendation: String? {
        guard state == "COMPLETED", !checks.isEmpty else { return nil }
        let values = checks.map { $0.recommendation ?? "NOT_AVAILABLE" }
        if values.contains("REJECT") { return "REJECT" }
        return values.allSatisfy { $0 == "APPROVE" } ? "APPROVE" : "NOT_AVAILABLE"
    }

    /// Whether some check is not finished (its state is not `DONE`).
    package var hasUnfinishedChecks: Bool { checks.contains { $0.state != "DONE" } }

    /// The `result_outcome` column: `{"checks": [{"type", "state", "recommendation", "reason"}]}`.
    package var outcomeJSON: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        return [
            "checks": .array(
                checks.map { check in
                    [
                        "type": .string(check.type), "state": text(check.state),
                        "recommendation": text(check.recommendation), "reason": text(check.reason),
                    ]
                })
        ]
    }
}

/// `GET /sessions/{id}` (``IDVClient`` in production; tests may count or fail calls).
package protocol SessionResultFetching: Sendable {
    /// - Throws: ``YotiAPIError`` (404 `permanent` with its status), `CancellationError`.
    func getSession(id: String) async throws -> JSONValue
}

extension IDVClient: SessionResultFetching {}
