import ArgumentParser

/// The values of `--log-level`, listed in `--help`.
package enum LogLevelOption: String, CaseIterable, ExpressibleByArgument, Sendable {
    case trace, debug, info, notice, warning, error, critical

    /// Any case (`INFO` too), as the job file's `log_level` accepts.
    package init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

/// The values of `--log-format`, listed in `--help`.
package enum LogFormatOption: String, CaseIterable, ExpressibleByArgument, Sendable {
    case text, json

    /// Any case.
    package init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

/// The values of `--on-unknown`, listed in `--help`.
package enum UnknownOutcomeOption: String, CaseIterable, ExpressibleByArgument, Sendable {
    case retry, fail

    /// Any case.
    package init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

/// The values of `enqueue --format`, listed in `--help`.
package enum EnqueueFormatOption: String, CaseIterable, ExpressibleByArgument, Sendable {
    case jsonl, csv

    /// Any case; `ndjson`, `json` and `jsonlines` also mean JSON Lines.
    package init?(argument: String) {
        switch argument.lowercased() {
        case "jsonl", "ndjson", "json", "jsonlines": self = .jsonl
        case "csv": self = .csv
        default: return nil
        }
    }
}
