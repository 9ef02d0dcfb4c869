import Foundation

/// Where the repository's data folders (`sql/`, `jobs/`) are looked for when no flag names them: in the
/// current directory, then beside the executable and in every folder above it (which finds the
/// checkout's for `.build/debug/idv-batch`), also as `share/idv-batch/<name>` for an installed copy.
package enum InstalledFolder {
    /// The places to look for the folder `name`, in order.
    /// - Parameter executable: The running program; defaults to this process's executable.
    package static func candidates(named name: String, executable: URL? = Bundle.main.executableURL) -> [URL] {
        var searched = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(name)]
        guard let executable else { return searched }
        var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        while true {
            searched.append(folder.appendingPathComponent(name))
            searched.append(folder.appendingPathComponent("share/idv-batch/\(name)"))
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        return searched
    }
}
