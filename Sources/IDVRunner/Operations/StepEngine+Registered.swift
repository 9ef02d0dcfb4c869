import Logging

extension StepEngine {
    /// Runs `step` to the end as this worker: registers its presence for the step's operation (so a dead
    /// worker's rows are rescued within seconds), drives the engine, then releases the presence. Every
    /// operation (create, the follow-through's steps, sync, remote deletes) runs its steps through here.
    /// - Parameters:
    ///   - runID: `idv.runs.id`, stamped on every ledger row.
    ///   - total: the progress total (rows waiting at this step); 0 when progress is not shown.
    ///   - progress: how to show progress; `nil` for none.
    static func runRegistered(
        _ step: Step, configuration: RunnerConfiguration, database: any RunnerDatabase, runID: Int64?, total: Int,
        progress: ProgressReporter.Mode?, logger: Logger
    ) async -> StepRunReport {
        let presence = await WorkerPresence.registerIfPossible(
            database: database, name: configuration.workerID, operation: step.operation, logger: logger)
        let engine = StepEngine(
            step: step, configuration: configuration, database: database, runID: runID, presence: presence,
            total: total, progress: progress, logger: logger)
        let report = await engine.run()
        await presence?.release()
        return report
    }
}
