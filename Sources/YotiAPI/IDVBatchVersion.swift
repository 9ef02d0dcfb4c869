/// The release of this package, printed by `--version` of both `idv-batch` and `idv-sandbox`.
///
/// One constant, so the two executables never disagree; bump it when tagging a release.
package enum IDVBatchVersion {
    /// Semantic version of this build (`MAJOR.MINOR.PATCH`).
    package static let current = "0.9.0"
}
