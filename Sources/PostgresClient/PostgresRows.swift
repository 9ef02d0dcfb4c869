/// The complete result of one statement: its columns, its rows (text values copied out of libpq),
/// and the number of rows the statement affected.
package struct PostgresRows: Sendable, RandomAccessCollection {
    /// The result's columns, in order.
    package var columns: [PostgresColumn] { layout.columns }
    /// Rows inserted, updated, deleted, selected, … as reported by the server (`PQcmdTuples`); 0 if none.
    package let affectedRows: Int
    /// The command tag, e.g. `INSERT 0 3` or `SELECT 2`.
    package let commandTag: String

    let layout: Layout
    let values: [[String?]]

    init(layout: Layout, values: [[String?]], affectedRows: Int, commandTag: String) {
        self.layout = layout
        self.values = values
        self.affectedRows = affectedRows
        self.commandTag = commandTag
    }

    package var startIndex: Int { values.startIndex }
    package var endIndex: Int { values.endIndex }

    /// The row at `position`.
    package subscript(position: Int) -> PostgresRow { PostgresRow(layout: layout, values: values[position]) }

    /// The columns of a result, with a name lookup shared by all its rows.
    final class Layout: Sendable {
        let columns: [PostgresColumn]
        let indexByName: [String: Int]

        init(columns: [PostgresColumn]) {
            self.columns = columns
            // With duplicate names the first column wins, as in most drivers.
            var index: [String: Int] = [:]
            for (position, column) in columns.enumerated() where index[column.name] == nil {
                index[column.name] = position
            }
            self.indexByName = index
        }
    }
}
