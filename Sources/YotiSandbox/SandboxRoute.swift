import NIOHTTP1

/// The endpoint a request addresses, decided from its method and path alone.
enum SandboxRoute: Sendable, Hashable {
    case createSession
    case getSession(String)
    case deleteSession(String)
    case getConfiguration(String)
    case putInstructions(String)
    case getInstructionsPDF(String)
    case emailInstructions(String)
    case supportedDocuments
    case createSignConfig
    case listSignConfigs
    case stats
    case notFound
    case methodNotAllowed

    /// The IDV API base path; signatures are computed over what follows it.
    static let idvPrefix = "/idverify/v1"
    /// The Yoti Sign configurations path.
    static let signConfigsPath = "/v2/idv/sessions/configs"
    /// The unsigned introspection path.
    static let statsPath = "/__sandbox/stats"

    init(method: HTTPMethod, path: String) {
        if path == Self.statsPath {
            self = method == .GET ? .stats : .methodNotAllowed
            return
        }
        if path == Self.signConfigsPath {
            switch method {
            case .POST: self = .createSignConfig
            case .GET: self = .listSignConfigs
            default: self = .methodNotAllowed
            }
            return
        }
        guard path.hasPrefix(Self.idvPrefix + "/") else {
            self = .notFound
            return
        }
        let parts = path.dropFirst(Self.idvPrefix.count + 1).split(separator: "/", omittingEmptySubsequences: false)
            .map(String.init)
        self = Self.idvRoute(method: method, parts: parts)
    }

    private static func idvRoute(method: HTTPMethod, parts: [String]) -> SandboxRoute {
        switch (parts.count, parts.first) {
        case (1, "supported-documents"):
            return method == .GET ? .supportedDocuments : .methodNotAllowed
        case (1, "sessions"):
            return method == .POST ? .createSession : .methodNotAllowed
        case (2, "sessions") where !parts[1].isEmpty:
            switch method {
            case .GET: return .getSession(parts[1])
            case .DELETE: return .deleteSession(parts[1])
            default: return .methodNotAllowed
            }
        case (3, "sessions") where parts[2] == "configuration":
            return method == .GET ? .getConfiguration(parts[1]) : .methodNotAllowed
        case (3, "sessions") where parts[2] == "instructions":
            return method == .PUT ? .putInstructions(parts[1]) : .methodNotAllowed
        case (4, "sessions") where parts[2] == "instructions" && parts[3] == "pdf":
            return method == .GET ? .getInstructionsPDF(parts[1]) : .methodNotAllowed
        case (4, "sessions") where parts[2] == "instructions" && parts[3] == "email":
            return method == .POST ? .emailInstructions(parts[1]) : .methodNotAllowed
        default:
            return .notFound
        }
    }

    /// Whether the route is an IDV endpoint, and so signed.
    var isSignedIDV: Bool {
        switch self {
        case .createSignConfig, .listSignConfigs, .stats, .notFound, .methodNotAllowed: false
        default: true
        }
    }

    /// Whether the signed request must carry `sdkId` (all but `GET /supported-documents`).
    var requiresSDKID: Bool { self != .supportedDocuments }

    /// Introspection is not counted in request statistics.
    var isIntrospection: Bool { self == .stats }
}
