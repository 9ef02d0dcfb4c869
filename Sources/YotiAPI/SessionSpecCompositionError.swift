/// Why a row's spec could not be composed.
public struct SessionSpecCompositionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. Extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable { case nothingToSend = "nothing_to_send", notAnObject = "not_an_object" }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }
        /// Neither a named configuration nor a spec.
        public static let nothingToSend = Code(.nothingToSend)
        /// The composed spec is not a JSON object.
        public static let notAnObject = Code(.notAnObject)
        public var description: String { kind.rawValue }
    }

    public var code: Code
    /// What is wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
