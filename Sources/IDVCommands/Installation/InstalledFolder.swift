import Foundation

/// Where the repository's data folders (`sql/`, `jobs/`) are looked for when no flag names them: in the
/// current directory, then beside the executable and in every folder above it (which finds the
/// checkout's for `.build/debug/idv-batch`), also as `share/idv-batch/<name>` for an installed copy, and
/// last in ``systemFolder`` (where the Debian package and the container image put them).
package enum InstalledFolder {
    /// The data folder of an installed idv-batch: `/usr/share/idv-batch`.
    package static let systemFolder = URL(fileURLWithPath: "/usr/share/idv-batch")

    /// The places to look for the folder `name`, in order.
    /// - Parameters:
    ///   - executable: The running program; defaults to this process's executable.
    ///   - currentDirectory: Searched first; defaults to this process's working directory.
    package static func candidates(
        named name: String,
        executable: URL? = Bundle.main.executableURL,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> [URL] {
        var searched = [URL(fileURLWithPath: currentDirectory).appendingPathComponent(name)]
        if let executable {
            var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
            while true {
                searched.append(folder.appendingPathComponent(name))
                searched.append(folder.appendingPathComponent("share/idv-batch/\(name)"))
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        let system = systemFolder.appendingPathComponent(name)
        if !searched.contains(where: { $0.standardizedFileURL.path == system.path }) { searched.append(system) }
        return searched
    }
}
