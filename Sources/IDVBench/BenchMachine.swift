import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the benchmark ran on, and the CPU clocks it reads.
struct BenchMachine: Codable, Sendable {
    /// Logical CPUs available to this process.
    var cores: Int
    /// Physical memory in GiB.
    var memoryGiB: Double
    /// The CPU model, when the system says (`/proc/cpuinfo`).
    var cpuModel: String?

    /// The machine this process runs on.
    static func current() -> BenchMachine {
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
        var model: String?
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return BenchMachine(cores: ProcessInfo.processInfo.activeProcessorCount, memoryGiB: memory, cpuModel: model)
    }

    /// CPU seconds the calling thread has used so far: a measurement that other threads cannot disturb.
    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Busy and total CPU time of the whole machine so far (`/proc/stat`, in clock ticks), to tell how
    /// much of it a run used, other users included. `nil` where there is no `/proc/stat`.
    static func machineCPUTicks() -> (busy: Double, total: Double)? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 5 else { return nil }
        // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
        let total = fields.prefix(8).reduce(0, +)
        return (total - fields[3] - fields[4], total)
    }
}
