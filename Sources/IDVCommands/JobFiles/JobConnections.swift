/// Where a job's database and Yoti settings come from. Secrets are never here: only the names of
/// the environment variables or files that hold them.
package struct JobConnections: Sendable, Hashable {
    /// `database.url`: a connection URL without a password (use ~/.pgpass, PGPASSWORD or `url_env` for that).
    package var databaseURL: String?
    /// `database.url_env`: the variable holding the connection URL (default `DATABASE_URL`).
    package var databaseURLEnv: String?
    /// `yoti.sdk_id`.
    package var sdkID: String?
    /// `yoti.sdk_id_env`: the variable holding the SDK id.
    package var sdkIDEnv: String?
    /// `yoti.key_file`: path of the PEM private key.
    package var keyFile: String?
    /// `yoti.key_file_env`: the variable holding that path.
    package var keyFileEnv: String?
    /// `yoti.tracking_id_key_file`: path of the key of the pseudonymous `user_tracking_id`.
    package var trackingIDKeyFile: String?
    /// `yoti.tracking_id_key_file_env`: the variable holding that path.
    package var trackingIDKeyFileEnv: String?
    /// `yoti.api_url`: the IDV API base URL.
    package var apiURL: String?
    /// `yoti.sign_api_url`: the Yoti Sign base URL.
    package var signAPIURL: String?
    /// `yoti.sign_api_key_env`: the variable holding the Yoti Sign API key.
    package var signAPIKeyEnv: String?

    /// Nothing set.
    package init() {}

    /// The standard variables (`DATABASE_URL`, `YOTI_CLIENT_SDK_ID`, `YOTI_KEY_FILE_PATH`,
    /// `YOTI_IDV_API_URL`, `YOTI_SIGN_API_URL`, `YOTI_SIGN_API_KEY`) set from this job's values and the
    /// variables it names, over `environment`. Command-line flags still win over the result.
    /// - Throws: ``JobFileError`` `.invalidValue` when a named variable is not set.
    package func environment(overlaying environment: [String: String], file: String) throws -> [String: String] {
        var result = environment
        func indirect(_ variable: String?, key: String, into target: String) throws {
            guard let variable, variable != target else { return }
            guard let value = environment[variable], !value.isEmpty else {
                throw JobFileError(
                    code: .invalidValue, file: file, key: key,
                    message:
                        "names the environment variable \(variable), which is not set: export it or change the job file"
                )
            }
            result[target] = value
        }
        try indirect(databaseURLEnv, key: "database.url_env", into: "DATABASE_URL")
        try indirect(sdkIDEnv, key: "yoti.sdk_id_env", into: "YOTI_CLIENT_SDK_ID")
        try indirect(keyFileEnv, key: "yoti.key_file_env", into: "YOTI_KEY_FILE_PATH")
        try indirect(signAPIKeyEnv, key: "yoti.sign_api_key_env", into: "YOTI_SIGN_API_KEY")
        try indirect(
            trackingIDKeyFileEnv, key: "yoti.tracking_id_key_file_env", into: "IDV_TRACKING_ID_KEY_FILE")
        if let databaseURL { result["DATABASE_URL"] = databaseURL }
        if let sdkID { result["YOTI_CLIENT_SDK_ID"] = sdkID }
        if let keyFile { result["YOTI_KEY_FILE_PATH"] = keyFile }
        if let trackingIDKeyFile { result["IDV_TRACKING_ID_KEY_FILE"] = trackingIDKeyFile }
        if let apiURL {
            result["YOTI_IDV_API_URL"] = apiURL
            result.removeValue(forKey: "YOTI_DOC_SCAN_API_URL")
        }
        if let signAPIURL { result["YOTI_SIGN_API_URL"] = signAPIURL }
        return result
    }
}
