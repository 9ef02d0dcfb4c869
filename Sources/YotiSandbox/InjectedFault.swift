/// The faults the sandbox can inject; keys name them in stats.
enum InjectedFault: Sendable, Hashable {
    case internalServerError, serviceUnavailable, tooManyRequests, stall
    case resetBeforeCreating, resetAfterCreating, malformedCreated

    var statsKey: String {
        switch self {
        case .internalServerError: "500"
        case .serviceUnavailable: "503"
        case .tooManyRequests: "429"
        case .stall: "stall"
        case .resetBeforeCreating: "reset_before"
        case .resetAfterCreating: "reset_after"
        case .malformedCreated: "malformed"
        }
    }
}
