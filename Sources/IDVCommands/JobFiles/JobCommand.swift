/// The command a job file is for (`command:` in the file).
package struct JobCommand: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Base: String, Sendable, Hashable, CaseIterable { case run, expire, rerun, sync, purge }
    fileprivate let base: Base

    /// `idv-batch run --job FILE`.
    package static let run = JobCommand(base: .run)
    /// `idv-batch expire --job FILE`.
    package static let expire = JobCommand(base: .expire)
    /// `idv-batch rerun --job FILE`.
    package static let rerun = JobCommand(base: .rerun)
    /// `idv-batch sync --job FILE`.
    package static let sync = JobCommand(base: .sync)

    /// `idv-batch purge --job FILE`.
    package static let purge = JobCommand(base: .purge)

    /// Parses `run`, `expire`, `rerun`, `sync` or `purge`.
    package init?(name: String) {
        guard let base = Base(rawValue: name) else { return nil }
        self.base = base
    }

    private init(base: Base) { self.base = base }

    /// Every command name, for messages.
    package static var names: [String] { Base.allCases.map(\.rawValue) }

    package var description: String { base.rawValue }
}
