import Foundation
import Testing
import YotiAPI

@testable import IDVRunner

/// The runner's shortcut for rows without a patch (the configuration composed, validated and serialised
/// once per run) must send exactly what composing each row would.
@Suite("Spec catalog: configurations worked out once")
struct SpecCatalogTests {
    static let configurations: [String: JSONValue] = [
        "plain": [
            "client_session_token_ttl": 900, "resources_ttl": 691_200,
            "requested_checks": [["type": "ID_DOCUMENT_AUTHENTICITY", "config": [:]]],
            "sdk_config": ["allowed_capture_methods": "CAMERA_AND_UPLOAD", "locale": "en-GB"],
        ],
        "own-tracking-id": ["client_session_token_ttl": 900, "user_tracking_id": "fixed-id"],
        "in-branch": [
            "client_session_token_ttl": 900, "ibv_options": ["support": "MANDATORY"],
            "requested_checks": [["type": "IBV_VISUAL_REVIEW_CHECK", "config": ["manual_check": "IBV"]]],
        ],
        "invalid": ["client_session_token_ttl": 1],
    ]

    @Test(
        "a row without a patch gets the bytes and verdict that composing it gives",
        arguments: ["plain", "own-tracking-id", "in-branch", "invalid"])
    func sameAsComposing(name: String) throws {
        let catalog = SpecCatalog(configurations: Self.configurations)
        #expect(catalog.unpatched[name] != nil)
        for (externalRef, trackingID) in [
            ("row-1", nil), ("row-\"quoted\" \\ é 😀\n", nil), ("row-3", "ledger-id-3"), ("", "\u{1}"),
        ] as [(String, String?)] {
            let fast = catalog.prepare(
                configName: name, sessionSpec: nil, externalRef: externalRef, userTrackingID: trackingID)
            let general = catalog.prepare(
                configName: name, sessionSpec: [:], externalRef: externalRef, userTrackingID: trackingID)
            switch (fast, general) {
            case (
                .ready(let body, let tracking, let ttl, let inBranch),
                .ready(let body2, let tracking2, let ttl2, let inBranch2)
            ):
                #expect(body == body2, "\(String(decoding: body, as: UTF8.self))")
                #expect(tracking == tracking2)
                #expect(ttl == ttl2)
                #expect(inBranch == inBranch2)
                let parsed = try JSONValue(jsonBytes: body)
                #expect(parsed["user_tracking_id"]?.stringValue == tracking)
            case (.invalid(let problems), .invalid(let problems2)):
                #expect(problems == problems2)
                #expect(name == "invalid")
            default:
                Issue.record("\(name): \(fast) but composing gives \(general)")
            }
        }
    }
}
