import YotiAPI

extension SandboxCore {
    /// Problems with a session spec as Yoti's `errors[]`, from the same validator the client runs, so the
    /// sandbox rejects exactly what the project considers certainly wrong. Values it does not know in an
    /// open vocabulary (a check or task type added after this release) are accepted, as Yoti does.
    static func specProblems(_ spec: JSONValue) -> [YotiErrorBody.PropertyError] {
        SessionSpecValidator.validate(spec).map { YotiErrorBody.PropertyError(property: $0.path, message: $0.message) }
    }
}
