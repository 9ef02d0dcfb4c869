import CLibPQ

/// Whether a server accepts connections, asked without logging in (libpq's `PQping`): how a caller
/// that started a server waits for it to come up.
package enum PostgresPing {
    /// `true` when the server named by `connectionString` accepts connections. Blocks for up to the
    /// string's `connect_timeout`: never call it on the cooperative pool.
    package static func acceptsConnections(_ connectionString: String) -> Bool {
        PQping(connectionString) == PQPING_OK
    }
}
