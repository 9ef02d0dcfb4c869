/// What the connection does with a finished request.
enum SandboxAction: Sendable {
    /// Write the answer.
    case respond(SandboxResponse)
    /// Close the connection with a TCP reset, without answering.
    case reset
    /// Hold the request for the duration, then close the connection without answering.
    case stall(Duration)
}
