import ArgumentParser
import Foundation
import YotiClient

/// Where Yoti Sign is and its API key: for `configs push --remote` and `configs list --remote`.
struct SignOptions: ParsableArguments {
    @Option(
        name: .customLong("sign-api-key"),
        help: ArgumentHelp(
            "Yoti Sign API key (default: $YOTI_SIGN_API_KEY; prefer the variable: command lines are visible to other users).",
            valueName: "key"))
    var apiKey: String?

    @Option(
        name: .customLong("sign-api-url"),
        help: ArgumentHelp(
            "Yoti Sign base URL (default: $YOTI_SIGN_API_URL, then \(YotiSignClient.productionBaseURL)).",
            valueName: "url"))
    var apiURL: String?

    /// A Yoti Sign client for these settings.
    /// - Throws: ``CommandFailure`` (exit 2) without a key or with a bad URL.
    func makeClient(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> YotiSignClient {
        guard let key = YotiOptions.firstSet(apiKey, environment["YOTI_SIGN_API_KEY"]) else {
            throw CommandFailure(
                exitCode: 2, message: "No Yoti Sign API key: set YOTI_SIGN_API_KEY (or pass --sign-api-key).")
        }
        do {
            return try YotiSignClient(
                baseURL: YotiSignClient.resolveBaseURL(flag: apiURL, environment: environment), apiKey: key)
        } catch {
            throw CommandFailure(exitCode: 2, message: "\(error)")
        }
    }
}
