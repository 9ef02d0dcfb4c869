import YotiAPI

extension BatchStatusReport {
    /// The documented `--json` shape (see ``BatchStatusReport``). Absent values are `null`, never
    /// missing keys, so scripts can rely on every key being there.
    package var json: JSONValue {
        [
            "schema_version": .integer(Int64(schemaVersion)),
            "generated_at": .string(generatedAt),
            "batches": .array(batches.map(\.json)),
        ]
    }

    /// ``json`` pretty-printed with sorted keys (stable output for scripts and diffs).
    package func jsonString() -> String { json.prettyString() }
}

extension BatchStatusReport.Batch {
    var json: JSONValue {
        [
            "batch_id": .string(batchID),
            "registered_at": .optional(registeredAt, JSONValue.string),
            "note": .optional(note, JSONValue.string),
            "rows": [
                "total": .int(rows.total), "pending": .int(rows.pending), "in_progress": .int(rows.inProgress),
                "created": .int(rows.created), "failed": .int(rows.failed), "expired": .int(rows.expired),
                "cancelled": .int(rows.cancelled),
            ],
            "error_classes": .array(
                errorClasses.map { errorClass in
                    [
                        "class": .string(errorClass.name), "count": .int(errorClass.count),
                        "example": [
                            "id": .integer(errorClass.example.id),
                            "external_ref": .string(errorClass.example.externalRef),
                            "last_error": .optional(errorClass.example.lastError, JSONValue.string),
                            "last_http_status": .optional(errorClass.example.lastHTTPStatus, JSONValue.int),
                        ],
                    ]
                }),
            "sessions": [
                "rows_with_session": .int(sessions.rowsWithSession),
                "created_in_ledger": .int(sessions.createdInLedger),
                "remote_deleted": .int(sessions.remoteDeleted),
            ],
            "possible_duplicates": .int(possibleDuplicates),
            "follow_through": .object(
                Dictionary(
                    uniqueKeysWithValues: BatchStatusReport.FollowThroughCounts.stateNames.map {
                        ($0, JSONValue.int(followThrough.states[$0, default: 0]))
                    }
                )
                .merging([
                    "letters_saved": .int(followThrough.lettersSaved),
                    "letter_bytes": .integer(followThrough.letterBytes),
                ]) { $1 }),
            "results": results.json,
            "retries": ["scheduled": .int(retries.scheduled), "next_at": .optional(retries.nextAt, JSONValue.string)],
            "paused": pause.map { pause -> JSONValue in
                [
                    "at": .string(pause.at), "by": .optional(pause.by, JSONValue.string),
                    "reason": .optional(pause.reason, JSONValue.string),
                ]
            } ?? .null,
            "actions": .array(
                actions.map { action in
                    [
                        "id": .integer(action.id), "action": .string(action.action), "actor": .string(action.actor),
                        "reason": .optional(action.reason, JSONValue.string), "at": .string(action.at),
                        "details": action.details ?? .null,
                    ]
                }),
            "runs": .array(runs.map(\.json)),
            "reruns": .array(
                reruns.map { rerun in
                    [
                        "id": .integer(rerun.id), "requested_by": .optional(rerun.requestedBy, JSONValue.string),
                        "requested_at": .string(rerun.requestedAt), "filters": rerun.filters ?? .null,
                        "rows_requeued": .optional(rerun.rowsRequeued, JSONValue.int),
                        "run_id": .optional(rerun.runID, JSONValue.integer),
                        "run_duration_seconds": .optional(rerun.runDurationSeconds, JSONValue.double),
                        "run_sessions_per_second": .optional(rerun.runSessionsPerSecond, JSONValue.double),
                    ]
                }),
        ]
    }
}

extension BatchStatusReport.Run {
    var json: JSONValue {
        [
            "id": .integer(id), "kind": .string(kind), "worker": .optional(worker, JSONValue.string),
            "all_batches": .bool(allBatches), "started_at": .string(startedAt),
            "finished_at": .optional(finishedAt, JSONValue.string),
            "duration_seconds": .optional(durationSeconds, JSONValue.double),
            "creating_seconds": .optional(creatingSeconds, JSONValue.double),
            "exit_code": .optional(exitCode, JSONValue.int), "rows_created": .int(rowsCreated),
            "rows_failed": .int(rowsFailed), "rows_retried": .int(rowsRetried),
            "sessions_per_second": .optional(sessionsPerSecond, JSONValue.double),
            "expired": .optional(expired, JSONValue.int), "remote_deleted": .optional(remoteDeleted, JSONValue.int),
        ]
    }
}

extension BatchStatusReport.ResultCounts {
    /// The `results` object of `--json`.
    var json: JSONValue {
        [
            "ongoing": .int(count("ONGOING")), "completed": .int(count("COMPLETED")),
            "expired": .int(count("EXPIRED")), "not_found": .int(count("NOT_FOUND")),
            "never_checked": .int(neverChecked),
            "recommendations": .object(
                Dictionary(
                    uniqueKeysWithValues: ["APPROVE", "REJECT", "NOT_AVAILABLE"].map {
                        ($0, JSONValue.int(recommendations[$0, default: 0]))
                    })),
            "sync_waiting": .int(syncWaiting), "notifications_received": .int(notificationsReceived),
            "notifications_pending": .int(notificationsPending),
            "last_checked_at": .optional(lastCheckedAt, JSONValue.string),
        ]
    }
}
