import Foundation

/// A step's write-back for one row, as named, typed fields: the values of the step's columns in the flush
/// statement (the `u` of ``StepSQL/rowAssignments``). Its ``columns`` are the only place where a field meets
/// its column: the statement's column list and the parameters are both built from them.
protocol WriteBackRow: Sendable {
    /// The step's write-back columns, in the order the flush statement lists them.
    static var columns: [WriteBackColumn<Self>] { get }
}

extension WriteBackRow {
    /// The columns as the statement declares them (name and SQL type).
    static var sqlColumns: [StepSQL.Column] { columns.map { StepSQL.Column(name: $0.name, type: $0.type) } }
}

/// No step columns: a write-back that only closes the ledger attempt and the lease.
struct NoWriteBackColumns: WriteBackRow, Hashable {
    static let columns: [WriteBackColumn<Self>] = []
}

/// One write-back column: its name under `u`, its SQL type, and how a row's field is sent. Values travel as
/// text arrays (one per column, cast by the statement); instants as Unix seconds (`to_timestamp` keeps
/// microseconds) and durations as seconds.
struct WriteBackColumn<Row>: Sendable {
    /// The column's name under `u`.
    let name: String
    /// Its SQL type (the text array is cast to an array of it).
    let type: String
    /// The field's text, `nil` for SQL NULL.
    let text: @Sendable (Row) -> String?

    init(name: String, type: String, text: @escaping @Sendable (Row) -> String?) {
        self.name = name
        self.type = type
        self.text = text
    }

    /// A `text` column.
    static func text(_ name: String, _ field: @escaping @Sendable (Row) -> String?) -> Self {
        Self(name: name, type: "text", text: field)
    }

    /// A `text` column holding a request's state.
    static func state(_ name: String, _ field: @escaping @Sendable (Row) -> RequestStatus?) -> Self {
        Self(name: name, type: "text") { field($0)?.rawValue }
    }

    /// A `text` column holding a follow-through state.
    static func state(_ name: String, _ field: @escaping @Sendable (Row) -> InstructionsStatus?) -> Self {
        Self(name: name, type: "text") { field($0)?.rawValue }
    }

    /// A `jsonb` column (the field is the JSON text).
    static func jsonb(_ name: String, _ field: @escaping @Sendable (Row) -> String?) -> Self {
        Self(name: name, type: "jsonb", text: field)
    }

    /// An `integer` column.
    static func integer(_ name: String, _ field: @escaping @Sendable (Row) -> Int?) -> Self {
        Self(name: name, type: "integer") { field($0).map(String.init) }
    }

    /// A `bigint` column.
    static func bigint(_ name: String, _ field: @escaping @Sendable (Row) -> Int64?) -> Self {
        Self(name: name, type: "bigint") { field($0).map(String.init) }
    }

    /// A `boolean` column.
    static func boolean(_ name: String, _ field: @escaping @Sendable (Row) -> Bool) -> Self {
        Self(name: name, type: "boolean") { field($0) ? "true" : "false" }
    }

    /// An instant, sent as Unix seconds (`float8`; the statement applies `to_timestamp`).
    static func instant(_ name: String, _ field: @escaping @Sendable (Row) -> Date?) -> Self {
        Self(name: name, type: "float8") { field($0).map { String($0.timeIntervalSince1970) } }
    }

    /// A duration, sent as seconds (`float8`).
    static func seconds(_ name: String, _ field: @escaping @Sendable (Row) -> Duration?) -> Self {
        Self(name: name, type: "float8") { field($0).map { String($0.secondsDouble) } }
    }

    /// This column read through `part` of a larger row (a row made of a shared part and a step's own).
    func lifted<Outer>(_ part: @escaping @Sendable (Outer) -> Row) -> WriteBackColumn<Outer> {
        let text = self.text
        return WriteBackColumn<Outer>(name: name, type: type) { text(part($0)) }
    }
}
