import YotiAPI

/// The session spec fixtures that tests share.
package enum TestSessionSpec {
    /// A complete, valid IDV session spec (a document authenticity check and text extraction, with the SDK
    /// look set): what a row or a stored configuration holds when the test is not about the spec.
    package static let valid: JSONValue = [
        "client_session_token_ttl": 900,
        "resources_ttl": 691_200,
        "requested_checks": [["type": "ID_DOCUMENT_AUTHENTICITY", "config": [:]]],
        "requested_tasks": [["type": "ID_DOCUMENT_TEXT_DATA_EXTRACTION", "config": ["manual_check": "FALLBACK"]]],
        "sdk_config": ["allowed_capture_methods": "CAMERA_AND_UPLOAD", "primary_colour": "#2d9fff", "locale": "en-GB"],
    ]
}
