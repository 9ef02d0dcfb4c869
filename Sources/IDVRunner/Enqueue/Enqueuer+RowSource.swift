extension Enqueuer {
    /// The rows of the input, one at a time, parsed by format: each is a candidate or a rejection.
    struct RowSource {
        // Separate optionals rather than an enum with payloads: mutating a reader in place keeps its
        // buffer uniquely referenced (an enum payload copied out and back would copy the buffer each time).
        private var jsonLines: LineReader?
        private var csvRecords: CSVRecordReader?
        private var mapping: CSVColumnMapping?
        private let ignoredColumns: Set<String>

        init(input: Input, options: Options) {
            let lines = LineReader(source: input.reader, maxLineBytes: options.maxLineBytes)
            if options.format == .csv {
                csvRecords = CSVRecordReader(lines: lines, maxRecordBytes: options.maxLineBytes)
            } else {
                jsonLines = lines
            }
            ignoredColumns = options.ignoredColumns
        }

        /// The next row, `nil` at the end; blank lines are skipped.
        /// - Throws: ``OperationError`` `.input` when reading fails, `.usage` for an unusable CSV header.
        mutating func next() async throws -> Result<EnqueueCandidate, EnqueueRejection>? {
            if jsonLines != nil { return try await nextJSONLine() }
            return try await nextCSVRecord()
        }

        private mutating func nextJSONLine() async throws -> Result<EnqueueCandidate, EnqueueRejection>? {
            while let line = try await jsonLines?.next() {
                if let length = line.overlongLength {
                    return .failure(
                        EnqueueRejection(
                            line: line.number, reason: "line is \(length) bytes, over the limit (--max-line-bytes)"))
                }
                if line.bytes.allSatisfy(Self.isJSONWhitespace) { continue }
                return EnqueueCandidate.parse(jsonLine: line.bytes, line: line.number)
            }
            return nil
        }

        private mutating func nextCSVRecord() async throws -> Result<EnqueueCandidate, EnqueueRejection>? {
            if mapping == nil {
                guard let header = try await csvRecords?.next() else {
                    throw OperationError(
                        code: .usage,
                        message: "The CSV input is empty: it needs a header row naming its columns (external_ref, ...)."
                    )
                }
                if let problem = header.problem {
                    throw OperationError(
                        code: .usage, message: "The CSV header (line \(header.lineNumber)) is malformed: \(problem).")
                }
                mapping = try CSVColumnMapping(header: header.fields, ignoring: ignoredColumns)
            }
            guard let mapping, let record = try await csvRecords?.next() else { return nil }
            if let problem = record.problem {
                return .failure(EnqueueRejection(line: record.lineNumber, reason: problem))
            }
            guard record.fields.count == mapping.targets.count else {
                return .failure(
                    EnqueueRejection(
                        line: record.lineNumber,
                        reason: "has \(record.fields.count) fields; the header has \(mapping.targets.count)"))
            }
            let row = mapping.candidate(from: record.fields)
            return .success(
                EnqueueCandidate(
                    line: record.lineNumber, externalRef: row.externalRef, configName: row.configName, spec: row.patch,
                    instructions: row.instructions))
        }

        private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
        }
    }
}
