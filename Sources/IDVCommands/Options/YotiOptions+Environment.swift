import Foundation

extension YotiOptions {
    /// These options with every unset flag filled from `environment` (a job file's overlay), so that
    /// flags still win and the job's values beat the ambient environment.
    func filled(from environment: [String: String]) -> YotiOptions {
        var options = self
        options.sdkID = sdkID ?? environment["YOTI_CLIENT_SDK_ID"]
        options.keyFile = keyFile ?? environment["YOTI_KEY_FILE_PATH"]
        options.apiURL = apiURL ?? environment["YOTI_IDV_API_URL"] ?? environment["YOTI_DOC_SCAN_API_URL"]
        return options
    }
}
