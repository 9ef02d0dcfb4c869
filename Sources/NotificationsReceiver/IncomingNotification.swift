import Foundation

/// One notification as Yoti posts it: `{"session_id", "topic"}` plus `check_id`, `task_id` or
/// `resource_id` for some topics. It carries no result; other fields pass through into the stored body.
package struct IncomingNotification: Sendable, Equatable {
    package var sessionID: String
    /// Lower case, as Yoti sends it (an upper-case topic is folded so replays match).
    package var topic: String
    package var checkID: String?
    package var taskID: String?
    package var resourceID: String?

    /// The topics Yoti documents (session spec `notifications.topics`), in the lower case of the body.
    /// Others are accepted and stored too: Yoti adds topics, and refusing one would make it retry forever.
    package static let knownTopics: Set<String> = [
        "resource_update", "task_completion", "check_completion", "session_completion",
        "client_session_token_deleted", "new_pdf_supplied", "instructions_email_requested",
        "thank_you_email_requested", "first_branch_visit",
    ]

    /// The column bounds of idv.notifications (sql/0008).
    static let maxIDLength = 256
    static let maxTopicLength = 64

    /// Whether Yoti documents this topic.
    package var isKnownTopic: Bool { Self.knownTopics.contains(topic) }

    /// Parses a body.
    /// - Throws: ``NotificationBodyError`` saying what is wrong (a 400 answer).
    package init(body: Data) throws(NotificationBodyError) {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: body, options: [])
        } catch {
            throw NotificationBodyError("the body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw NotificationBodyError("the body must be a JSON object")
        }
        sessionID = try Self.required("session_id", in: object, maxLength: Self.maxIDLength)
        topic = try Self.required("topic", in: object, maxLength: Self.maxTopicLength).lowercased()
        checkID = try Self.optional("check_id", in: object)
        taskID = try Self.optional("task_id", in: object)
        resourceID = try Self.optional("resource_id", in: object)
    }

    private static func required(
        _ key: String, in object: [String: Any], maxLength: Int
    ) throws(NotificationBodyError) -> String {
        guard let value = object[key], !(value is NSNull) else { throw NotificationBodyError("\(key) is missing") }
        guard let text = value as? String, !(value is NSNumber) else {
            throw NotificationBodyError("\(key) must be a string")
        }
        return try checked(text, key: key, maxLength: maxLength)
    }

    private static func optional(_ key: String, in object: [String: Any]) throws(NotificationBodyError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String, !(value is NSNumber) else {
            throw NotificationBodyError("\(key) must be a string")
        }
        return try checked(text, key: key, maxLength: maxIDLength)
    }

    private static func checked(_ text: String, key: String, maxLength: Int) throws(NotificationBodyError) -> String {
        guard !text.isEmpty else { throw NotificationBodyError("\(key) is empty") }
        guard text.count <= maxLength else {
            throw NotificationBodyError("\(key) is longer than \(maxLength) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw NotificationBodyError("\(key) contains control characters")
        }
        return text
    }
}

/// Why a notification body was refused: a short reason for the 400 answer and the log (no body echoed).
package struct NotificationBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    package let reason: String
    init(_ reason: String) { self.reason = reason }
    package var description: String { reason }
}
