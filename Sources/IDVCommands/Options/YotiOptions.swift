import ArgumentParser
import Foundation
import Logging
import YotiAPI
import YotiClient

/// Where to reach Yoti and as whom: shared by every command that calls the IDV API.
///
/// Each flag falls back to the environment variable Yoti's own SDKs read, so a cron job can keep the
/// settings in its environment. The key file is read, never printed.
struct YotiOptions: ParsableArguments {
    @Option(
        name: .customLong("sdk-id"),
        help: ArgumentHelp("Yoti Hub application SDK id (default: $YOTI_CLIENT_SDK_ID).", valueName: "id"))
    var sdkID: String?

    @Option(
        name: .customLong("key-file"),
        help: ArgumentHelp(
            "PEM private key of the Yoti Hub application, PKCS#1 or PKCS#8, readable by its owner only (chmod 600) "
                + "(default: $YOTI_KEY_FILE_PATH).",
            valueName: "path"))
    var keyFile: String?

    @Option(
        name: .customLong("api-url"),
        help: ArgumentHelp(
            "IDV API base URL (default: $YOTI_IDV_API_URL, then $YOTI_DOC_SCAN_API_URL, then \(IDVClient.productionBaseURL)).",
            valueName: "url"))
    var apiURL: String?

    /// The SDK id from the flag or `YOTI_CLIENT_SDK_ID`.
    /// - Throws: ``CommandFailure`` (exit 2) naming both ways to set it.
    func resolvedSDKID(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let value = Self.firstSet(sdkID, environment["YOTI_CLIENT_SDK_ID"]) else {
            throw CommandFailure(
                exitCode: 2,
                message: "No Yoti SDK id: pass --sdk-id or set YOTI_CLIENT_SDK_ID (Yoti Hub > your application).")
        }
        return value
    }

    /// The key file path from the flag or `YOTI_KEY_FILE_PATH`.
    /// - Throws: ``CommandFailure`` (exit 2) naming both ways to set it.
    func resolvedKeyFile(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let value = Self.firstSet(keyFile, environment["YOTI_KEY_FILE_PATH"]) else {
            throw CommandFailure(
                exitCode: 2,
                message: "No Yoti private key: pass --key-file or set YOTI_KEY_FILE_PATH to the application's PEM file."
            )
        }
        return value
    }

    /// An IDV client for these settings.
    /// - Parameters:
    ///   - options: timeouts and pool size (size the pool to the run's concurrency).
    /// - Throws: ``CommandFailure`` (exit 2) for a missing setting, an unreadable key or a bad URL.
    func makeClient(options: IDVClient.Options, logger: Logger) throws -> IDVClient {
        let sdkID = try resolvedSDKID()
        let keyPath = try resolvedKeyFile()
        let key: YotiPrivateKey
        do {
            key = try YotiPrivateKey(contentsOfFile: keyPath, requireOwnerOnly: true)
        } catch {
            throw CommandFailure(exitCode: 2, message: "\(error)")
        }
        do {
            return try IDVClient(
                baseURL: IDVClient.resolveBaseURL(flag: apiURL), sdkID: sdkID, key: key, options: options,
                logger: logger)
        } catch {
            throw CommandFailure(exitCode: 2, message: "\(error)")
        }
    }

    /// The first value that is set and not blank (a flag, then its environment variable).
    static func firstSet(_ values: String?...) -> String? {
        values.compactMap { $0?.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
    }
}
