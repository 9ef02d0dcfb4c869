import Foundation
import YotiClient

/// How one claimed row's turn ended: what the engine needs to write it back, for any step.
///
/// The step's ``RemoteStep/send(_:)`` produces `succeeded` or `failed`; the engine adds the endings that
/// happen around a call: a row released unsent and a call cancelled after it may have gone out.
enum StepOutcome<Success: Sendable>: Sendable {
    /// The remote operation did what it was asked.
    case succeeded(Success, Answer)
    /// It failed with this class; ``RetryPolicy`` decides retry, failure or a stop from the class.
    case failed(ErrorClass, CallFailure)
    /// The row was claimed but never sent (shutdown, abort, budget, a rate-limit store error): release it.
    case notSent(reason: String)
    /// The call was cancelled (second signal, grace over) after it may have gone out.
    case interrupted

    /// What arrived with a successful answer.
    struct Answer: Sendable, Hashable {
        var httpStatus: Int
        var yotiRequestID: String?
    }

    /// The ledger's `outcome` for this ending (also the `class` label of `idv_attempts_total`).
    func ledgerOutcome(success: String) -> String {
        switch self {
        case .succeeded: success
        case .failed(let errorClass, _): errorClass.rawValue
        case .notSent: LedgerOutcome.notSent
        case .interrupted: LedgerOutcome.interrupted
        }
    }

    /// The HTTP status of the answer, when one arrived.
    var httpStatus: Int? {
        switch self {
        case .succeeded(_, let answer): answer.httpStatus
        case .failed(_, let failure): failure.httpStatus
        case .notSent, .interrupted: nil
        }
    }
}

/// Ledger outcomes that are not an error class (those are ``ErrorClass/rawValue``s).
enum LedgerOutcome {
    static let notSent = "not_sent"
    static let interrupted = "interrupted"
    static let leaseExpired = "lease_expired"
}

extension StepOutcome {
    /// The engine's reading of a Yoti client error (cancellation and foreign errors included).
    init(error: any Error) {
        switch error {
        case let error as YotiAPIError:
            self = .failed(error.code, CallFailure(error))
        case is CancellationError:
            self = .interrupted
        default:
            // The client promises only YotiAPIError; anything else is a bug we treat as "may have been sent".
            self = .failed(.unknownOutcome, CallFailure(message: "unexpected client error: \(error)"))
        }
    }
}

/// What the runner keeps of a failed call: enough for `last_error`, the ledger and support.
struct CallFailure: Sendable, Hashable {
    var httpStatus: Int?
    var yotiCode: String?
    /// `property: message` lines from Yoti's `errors[]` (or local validation problems).
    var errors: [String]
    var yotiRequestID: String?
    var retryAfter: Duration?
    /// The client's own explanation (never contains tokens or keys).
    var message: String

    init(
        httpStatus: Int? = nil,
        yotiCode: String? = nil,
        errors: [String] = [],
        yotiRequestID: String? = nil,
        retryAfter: Duration? = nil,
        message: String
    ) {
        self.httpStatus = httpStatus
        self.yotiCode = yotiCode
        self.errors = errors
        self.yotiRequestID = yotiRequestID
        self.retryAfter = retryAfter
        self.message = message
    }

    init(_ error: YotiAPIError) {
        self.init(
            httpStatus: error.status,
            yotiCode: error.yotiCode,
            errors: error.errors.map { "\($0.property ?? "-"): \($0.message ?? "-")" },
            yotiRequestID: error.requestID,
            retryAfter: error.retryAfter,
            message: error.message
        )
    }

    /// One line for `last_error`: status, Yoti code, the problems, and the request id Yoti support asks for.
    var summary: String {
        var parts: [String] = []
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let yotiCode { parts.append(yotiCode) }
        var line = parts.joined(separator: " ")
        if !errors.isEmpty {
            line += (line.isEmpty ? "" : ": ") + errors.joined(separator: "; ")
        } else if !message.isEmpty {
            line += (line.isEmpty ? "" : ": ") + message
        }
        if let yotiRequestID { line += " (x-request-id \(yotiRequestID))" }
        return line
    }
}
