extension Result where Failure == any Error {
    /// The outcome of an async throwing body, so cleanup that must await can run before rethrowing.
    package init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
