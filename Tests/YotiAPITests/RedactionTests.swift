import Foundation
import Testing
import YotiAPI

@Suite("Secret redaction")
struct RedactionTests {
    @Test(
        "secret-bearing member names are recognised",
        arguments: [
            ("auth_token", true), ("client_session_token", true), ("api_key", true), ("apiKey", true),
            ("password", true), ("db-password", true), ("client_secret", true), ("Authorization", true),
            ("private_key_pem", true), ("access_token", true),
            ("client_session_token_ttl", false), ("auth_type", false), ("user_tracking_id", false),
            ("session_id", false), ("endpoint", false), ("tokens_used", false),
        ])
    func secretKeys(key: String, secret: Bool) {
        #expect(JSONValue.isSecretKey(key) == secret)
    }

    @Test("secrets are replaced at any depth; everything else is kept")
    func deepRedaction() throws {
        let value = try JSONValue(
            jsonString: """
                {"notifications": {"auth_token": "s3cr3t-notify", "auth_type": "BASIC", "endpoint": "https://x.example"},
                 "requested_checks": [{"type": "WATCHLIST_ADVANCED_CA", "config": {"api_key": "ca-key-123", "monitoring": true}}],
                 "import_token": {"ttl": 600}, "client_session_token": "tok-abc", "client_session_token_ttl": 599,
                 "password": null}
                """)
        let redacted = value.redactingSecrets()
        #expect(redacted["notifications"]?["auth_token"] == "<redacted>")
        #expect(redacted["notifications"]?["auth_type"] == "BASIC")
        #expect(redacted["requested_checks"]?[0]?["config"]?["api_key"] == "<redacted>")
        #expect(redacted["requested_checks"]?[0]?["config"]?["monitoring"] == true)
        #expect(redacted["import_token"] == ["ttl": 600])
        #expect(redacted["client_session_token"] == "<redacted>")
        #expect(redacted["client_session_token_ttl"] == 599)
        #expect(redacted["password"] == .null)
    }

    @Test("printing, debug-printing and dumping a spec never shows the auth token")
    func specOutputIsRedacted() throws {
        let json = try TestFixtures.json("specs/ibv-session.json")
        let token = try #require(json["notifications"]?["auth_token"]?.stringValue)
        let spec = SessionSpec(json: json)
        var dumped = ""
        dump(spec, to: &dumped)
        var dumpedJSON = ""
        dump(json, to: &dumpedJSON)
        let outputs = [
            "\(spec)", String(reflecting: spec), dumped, "\(json)", String(reflecting: json), dumpedJSON,
            "\(spec.notifications!)", String(describing: spec.notifications),
        ]
        for output in outputs {
            #expect(!output.contains(token))
            #expect(output.contains("<redacted>"))
        }
        // The exact bytes still carry it: redaction is for output, not for sending.
        #expect(String(decoding: spec.jsonBytes(), as: UTF8.self).contains(token))
    }

    @Test("the create-session response never prints its token")
    func responseRedacted() {
        let response = CreateSessionResponse(
            clientSessionTokenTTL: 599, clientSessionToken: "tok-xyz-123", sessionID: "s-1")
        #expect(!"\(response)".contains("tok-xyz-123"))
        #expect(!String(reflecting: response).contains("tok-xyz-123"))
        var dumped = ""
        dump(response, to: &dumped)
        #expect(!dumped.contains("tok-xyz-123"))
        #expect(dumped.contains("s-1"))
    }
}
