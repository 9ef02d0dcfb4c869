/// Runs `body` with `resource`, then closes it whatever `body` did: returned, threw or failed an expectation.
///
/// For anything a test starts that must be stopped (an HTTP client, which traps if dropped unclosed, a
/// client or server of the project's): create it as late as possible, then hand it to this, so a failing
/// test fails with its own error and never takes the test process down.
/// - Parameter close: stops the resource; its own error is ignored (the body's outcome is what counts).
package func withClosing<Resource, Result>(
    _ resource: Resource, close: (Resource) async throws -> Void, _ body: (Resource) async throws -> Result
) async throws -> Result {
    let outcome: Swift.Result<Result, any Error>
    do { outcome = .success(try await body(resource)) } catch { outcome = .failure(error) }
    try? await close(resource)
    return try outcome.get()
}
