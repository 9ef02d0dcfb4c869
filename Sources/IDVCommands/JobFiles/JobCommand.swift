/// The command a job file is for (`command:` in the file).
public struct JobCommand: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Base: String, Sendable, Hashable, CaseIterable { case run, expire, rerun }
    fileprivate let base: Base

    /// `idv-batch run --job FILE`.
    public static let run = JobCommand(base: .run)
    /// `idv-batch expire --job FILE`.
    public static let expire = JobCommand(base: .expire)
    /// `idv-batch rerun --job FILE`.
    public static let rerun = JobCommand(base: .rerun)

    /// Parses `run`, `expire` or `rerun`.
    public init?(name: String) {
        guard let base = Base(rawValue: name) else { return nil }
        self.base = base
    }

    private init(base: Base) { self.base = base }

    /// Every command name, for messages.
    public static var names: [String] { Base.allCases.map(\.rawValue) }

    public var description: String { base.rawValue }
}
