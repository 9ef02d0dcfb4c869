/// A PostgreSQL type, identified by its OID (`pg_type.oid`) as reported for result columns.
package struct PostgresDataType: Hashable, Sendable, CustomStringConvertible {
    /// The type's OID.
    package let oid: UInt32

    /// Wraps an OID.
    package init(oid: UInt32) { self.oid = oid }

    /// No type given: the server infers it from the statement.
    package static let unspecified = PostgresDataType(oid: 0)
    /// `boolean`
    package static let bool = PostgresDataType(oid: 16)
    /// `bytea`
    package static let bytea = PostgresDataType(oid: 17)
    /// `"char"`
    package static let char = PostgresDataType(oid: 18)
    /// `name`
    package static let name = PostgresDataType(oid: 19)
    /// `bigint`
    package static let int8 = PostgresDataType(oid: 20)
    /// `smallint`
    package static let int2 = PostgresDataType(oid: 21)
    /// `integer`
    package static let int4 = PostgresDataType(oid: 23)
    /// `text`
    package static let text = PostgresDataType(oid: 25)
    /// `oid`
    package static let oidType = PostgresDataType(oid: 26)
    /// `json`
    package static let json = PostgresDataType(oid: 114)
    /// `xml`
    package static let xml = PostgresDataType(oid: 142)
    /// `real`
    package static let float4 = PostgresDataType(oid: 700)
    /// `double precision`
    package static let float8 = PostgresDataType(oid: 701)
    /// `unknown` (an untyped literal)
    package static let unknown = PostgresDataType(oid: 705)
    /// `character(n)`
    package static let bpchar = PostgresDataType(oid: 1042)
    /// `character varying`
    package static let varchar = PostgresDataType(oid: 1043)
    /// `timestamp` (without time zone)
    package static let timestamp = PostgresDataType(oid: 1114)
    /// `timestamptz`
    package static let timestamptz = PostgresDataType(oid: 1184)
    /// `numeric`
    package static let numeric = PostgresDataType(oid: 1700)
    /// `uuid`
    package static let uuid = PostgresDataType(oid: 2950)
    /// `jsonb`
    package static let jsonb = PostgresDataType(oid: 3802)
    /// `smallint[]`
    package static let int2Array = PostgresDataType(oid: 1005)
    /// `integer[]`
    package static let int4Array = PostgresDataType(oid: 1007)
    /// `text[]`
    package static let textArray = PostgresDataType(oid: 1009)
    /// `character(n)[]`
    package static let bpcharArray = PostgresDataType(oid: 1014)
    /// `character varying[]`
    package static let varcharArray = PostgresDataType(oid: 1015)
    /// `bigint[]`
    package static let int8Array = PostgresDataType(oid: 1016)
    /// `name[]`
    package static let nameArray = PostgresDataType(oid: 1003)

    private static let names: [UInt32: String] = [
        0: "unspecified", 16: "boolean", 17: "bytea", 18: "\"char\"", 19: "name", 20: "bigint", 21: "smallint",
        23: "integer", 25: "text", 26: "oid", 114: "json", 142: "xml", 700: "real", 701: "double precision",
        705: "unknown", 1042: "character", 1043: "character varying", 1114: "timestamp",
        1184: "timestamptz", 1700: "numeric", 2950: "uuid", 3802: "jsonb", 1005: "smallint[]",
        1007: "integer[]", 1009: "text[]", 1014: "character[]", 1015: "character varying[]",
        1016: "bigint[]", 1003: "name[]",
    ]

    /// The SQL name for well-known types, else `type oid N`.
    package var description: String { Self.names[oid] ?? "type oid \(oid)" }

    /// Built-in types have OIDs below 16384; enums, domains and extension types (e.g. citext) are above.
    var isUserDefined: Bool { oid >= 16384 }
}
