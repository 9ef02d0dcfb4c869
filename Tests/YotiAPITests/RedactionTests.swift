import Foundation
import PropertyBased
import Testing
import YotiAPI

@Suite("Secret redaction")
struct RedactionTests {
    @Test(
        "secret-bearing member names are recognised",
        arguments: [
            ("auth_token", true), ("client_session_token", true), ("api_key", true), ("apiKey", true),
            ("password", true), ("db-password", true), ("client_secret", true), ("Authorization", true),
            ("private_key_pem", true), ("access_token", true), ("secret_key", true), ("aws-secret-key", true),
            ("access_key", true), ("AccessKey", true), ("passphrase", true), ("key_passphrase", true),
            ("credentials", true), ("db_credential", true),
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
        // Under a secret name everything goes, objects too: nothing there is searched or kept.
        #expect(redacted["import_token"] == "<redacted>")
        #expect(redacted["client_session_token"] == "<redacted>")
        #expect(redacted["client_session_token_ttl"] == 599)
        #expect(redacted["password"] == .null)
    }

    @Test("an array or object under a secret name is replaced whole, not searched")
    func containersUnderSecretNames() throws {
        let value = try JSONValue(
            jsonString: #"{"auth_token": ["x"], "credentials": {"user": "u", "pass": "p"}, "api_key": [[1, {"k": 2}]]}"#
        )
        let redacted = value.redactingSecrets()
        #expect(redacted == ["auth_token": "<redacted>", "credentials": "<redacted>", "api_key": "<redacted>"])
        #expect(!"\(value)".contains("\"x\""))
    }

    /// Names a secret travels under, in the spellings seen in the wild.
    static let secretNames = [
        "auth_token", "client_session_token", "Authorization", "api_key", "apiKey", "db-password", "passwd",
        "client_secret", "secret_key", "AWS_SECRET_KEY", "access_key", "AccessKey", "passphrase", "credentials",
        "private_key_pem",
    ]

    /// Marks every string a secret holds, to look for it in the output.
    static let canary = "CANARY-9f2c"

    /// A random document in which members of secret names, at any depth, hold values of any type and depth.
    static func documentWithSecrets() -> Generator<JSONValue, Shrink.None<JSONValue>> {
        Generator { rng in plant(depth: Int.random(in: 0...6, using: &rng), using: &rng) }
    }

    static func plant(depth: Int, using rng: inout some RandomNumberGenerator) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let roll = Int.random(in: 0..<4, using: &rng)
            if roll == 0 || depth == 0 {
                let secret = RandomJSON.make(depth: Int.random(in: 0...4, using: &rng), nulls: true, using: &rng)
                members[secretNames.randomElement(using: &rng)!] = marked(secret)
            } else if roll == 1 {
                members[RandomJSON.keys.randomElement(using: &rng)!] = .array([
                    plant(depth: depth - 1, using: &rng), RandomJSON.make(depth: 1, nulls: true, using: &rng),
                ])
            } else if roll == 2 {
                members[RandomJSON.keys.randomElement(using: &rng)!] = plant(depth: depth - 1, using: &rng)
            } else {
                members[RandomJSON.keys.randomElement(using: &rng)!] = RandomJSON.make(
                    depth: 2, nulls: true, using: &rng)
            }
        }
        return .object(members)
    }

    /// `value` with every string (member names aside) replaced by the canary.
    static func marked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string: .string(canary)
        case .array(let elements): .array(elements.map(marked))
        case .object(let members): .object(members.mapValues(marked))
        default: value
        }
    }

    /// Every value found under a secret name in `value`, at any depth.
    static func valuesUnderSecretNames(_ value: JSONValue) -> [JSONValue] {
        switch value {
        case .object(let members):
            members.flatMap { key, member in
                JSONValue.isSecretKey(key) ? [member] : valuesUnderSecretNames(member)
            }
        case .array(let elements): elements.flatMap(valuesUnderSecretNames)
        default: []
        }
    }

    @Test("property: no value under a secret name, at any depth and of any JSON type, survives redaction")
    func nothingUnderASecretNameSurvives() async {
        await propertyCheck(count: 1000, input: Self.documentWithSecrets()) { document in
            let redacted = document.redactingSecrets()
            for value in Self.valuesUnderSecretNames(redacted) {
                #expect(value == .string(JSONValue.redactedMarker) || value == .null, "\(redacted.jsonString())")
            }
            #expect(!redacted.jsonString().contains(Self.canary))
            #expect(!"\(document)".contains(Self.canary))
            // The members outside secret names are all still there.
            #expect(redacted.objectValue?.keys.sorted() == document.objectValue?.keys.sorted())
        }
    }

    @Test("property: a document without secret names is left exactly as it is")
    func nothingElseChanges() async {
        await propertyCheck(count: 500, input: RandomJSON.value(depth: 5)) { document in
            #expect(document.redactingSecrets() == document)
        }
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
