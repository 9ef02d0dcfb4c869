import Foundation
import PostgresClient
import SystemSupport

extension Benchmark {
    /// CPU seconds of one `X-Yoti-Auth-Digest` (SHA-256 + RSA-2048 PKCS#1 v1.5 + base64) with the workers'
    /// key, timed on one thread over `sizes.signatures` request-shaped messages.
    func signatureCPUSeconds() async throws -> Double {
        let key = self.key
        let count = max(sizes.signatures, 1)
        let body = Data(Self.spec.jsonString().utf8).base64EncodedString()
        let messages = (0..<count + 20).map { index in
            "POST&/sessions?sdkId=\(Self.sdkID)&nonce=\(UUID().uuidString.lowercased())&timestamp=\(1_763_800_000_000_000 + index)&\(body)"
        }
        // A dedicated thread: the thread's own CPU clock sees only the signing, whatever else runs.
        return try await offCooperativePool {
            // warm caches (and the signer's key state)
            for message in messages.prefix(20) { _ = try key.digest(of: message) }
            let start = BenchMachine.threadCPUSeconds()
            for message in messages.dropFirst(20) { _ = try key.digest(of: message) }
            return (BenchMachine.threadCPUSeconds() - start) / Double(count)
        }
    }

    /// Figure 2: the runner's CPU per created session against one signature, and the latency-0 rate.
    func cpuPerSession(_ run: WorkerRun, signature: Double) -> [BenchFigure] {
        let perSession = run.workerCPUSeconds / Double(max(run.created, 1))
        let ratio = perSession / signature
        var note =
            "wait4 rusage of the `run` process (user+sys, start-up included): "
            + String(format: "%.2f s for ", run.workerCPUSeconds) + BenchFigure.grouped(Double(run.created))
            + " sessions; one signature " + String(format: "%.3f ms", signature * 1000) + " over "
            + BenchFigure.grouped(Double(sizes.signatures)) + " signatures on one thread"
        if ratio > 2 {
            note += String(
                format: "; %.3f ms per session beyond the signature go to HTTP, JSON and PostgreSQL",
                (perSession - signature) * 1000)
        }
        return [
            BenchFigure(
                id: "2a", name: "runner CPU per session ÷ one RSA-2048 signature", measured: perSession * 1000,
                unit: "ms",
                baseline: signature * 1000, baselineUnit: "ms", ratio: ratio, goal: .ratioAtMost(1.6), note: note),
            BenchFigure(
                id: "2b", name: "sessions/s at latency 0, c=64", measured: run.throughput, unit: "/s",
                note: run.cpuSummary + "; " + bound(of: run, concurrency: 64)),
        ]
    }

    /// Figure 3: the runner's peak RSS at the small and the large batch.
    func memoryFlatness(small: WorkerRun, large: WorkerRun) -> [BenchFigure] {
        let smallRSS = small.peakRSSMebibytes
        let largeRSS = large.peakRSSMebibytes
        return [
            BenchFigure(
                id: "3a",
                name: "peak RSS, \(BenchFigure.grouped(Double(large.created))) vs "
                    + "\(BenchFigure.grouped(Double(small.created))) rows",
                measured: largeRSS, unit: "MiB", baseline: smallRSS, baselineUnit: "MiB", ratio: largeRSS / smallRSS,
                goal: .ratioAtMost(1.10),
                note: "VmHWM of the `run` process (/proc/<pid>/status, sampled every 50 ms), latency 0, c=64"),
            BenchFigure(
                id: "3b", name: "peak RSS of the larger run", measured: largeRSS, unit: "MiB",
                goal: .measuredAtMost(64, "MiB")),
        ]
    }
}
