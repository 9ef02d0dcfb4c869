import Foundation
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

/// Yoti's official Python SDK (`python3 -m pip install yoti==2.14.6 future`) signs requests that the sandbox
/// must accept. Skipped, with the install command as the reason, when python3 or the SDK is missing.
@Suite("Sandbox accepts Yoti's official Python SDK")
struct PythonSDKCompatibilityTests {
    static let installHint =
        "Yoti's Python SDK is not importable by python3: run `python3 -m pip install yoti==2.14.6 future`"

    static let script = """
        import json, sys
        from yoti_python_sdk.doc_scan import DocScanClient, SessionSpecBuilder
        from yoti_python_sdk.doc_scan import RequestedDocumentAuthenticityCheckBuilder
        sdk_id, key_path, api_url = sys.argv[1:4]
        spec = (SessionSpecBuilder()
                .with_client_session_token_ttl(600)
                .with_resources_ttl(90000)
                .with_user_tracking_id("python-sdk-row")
                .with_requested_check(RequestedDocumentAuthenticityCheckBuilder().build())
                .build())
        client = DocScanClient(sdk_id, key_path, api_url=api_url)
        created = client.create_session(spec)
        fetched = client.get_session(created.session_id)
        countries = client.get_supported_documents().supported_countries
        print(json.dumps({"session_id": created.session_id, "ttl": created.client_session_token_ttl,
                          "state": fetched.state, "countries": len(countries)}))
        """

    @Test(
        "DocScanClient create_session, get_session and get_supported_documents are accepted",
        .enabled(Comment(rawValue: installHint)) { await PythonRunner.canImport("yoti_python_sdk") },
        .timeLimit(.minutes(2)))
    func pythonSDK() async throws {
        try await SandboxHarness.with { h async throws in
            let run = try await PythonRunner.run(
                script: Self.script,
                arguments: [SandboxHarness.sdkID, SharedPaths.sdkTestKeyPath, h.sandbox.idvBaseURL])
            #expect(run.status == 0, "python failed: \(run.standardError)")
            let line = try #require(run.standardOutput.split(separator: "\n").last.map(String.init))
            let result = try JSONValue(jsonString: line)
            let sessionID = try #require(result["session_id"]?.stringValue)
            #expect(result["ttl"]?.int64Value == 599)
            #expect(result["state"]?.stringValue == "ONGOING")
            #expect(h.sandbox.session(id: sessionID)?.userTrackingID == "python-sdk-row")
            let stats = h.sandbox.stats()
            #expect(stats.sessionsCreated == 1)
            #expect(stats.signaturesRejected == 0)
            #expect(stats.requestsByStatus == ["201": 1, "200": 2])
        }
    }
}
