import Foundation
import TestSupport
import Testing
import YotiAPI

@testable import IDVCommands

/// The schedules shipped in `jobs/schedule/` run what the Debian package and the container image install:
/// `/usr/bin/idv-batch`, sample jobs under `/usr/share/idv-batch/jobs`, the image of this version.
@Suite("Packaging")
struct PackagingTests {
    static let schedule = SharedPaths.repositoryRoot.appendingPathComponent("jobs/schedule")

    static func shipped(_ name: String) throws -> String {
        try String(contentsOf: schedule.appendingPathComponent(name), encoding: .utf8)
    }

    @Test(
        "each schedule runs the installed binary on an installed sample job",
        arguments: [
            "idv-batch-nightly.service", "idv-batch-expire.service", "idv-batch-sync.service",
            "idv-batch-notifications.service", "idv-batch-purge.service", "crontab",
        ])
    func schedulesUseInstalledPaths(file: String) throws {
        let text = try Self.shipped(file)
        let execLines = text.components(separatedBy: "\n").filter { $0.hasPrefix("Exec") }
        #expect(execLines.allSatisfy { $0.contains("=/usr/bin/idv-batch ") }, "\(execLines)")
        let jobs = text.matches(of: /--job (\S+)/).map { String($0.output.1) }
        let installed = "/usr/share/idv-batch/jobs/"
        for job in jobs {
            #expect(job.hasPrefix(installed), "\(file) runs \(job), not a job the package installs")
            let name = String(job.dropFirst(installed.count))
            #expect(
                FileManager.default.fileExists(
                    atPath: SharedPaths.repositoryRoot.appendingPathComponent("jobs/\(name)").path),
                "\(file) runs \(job), which jobs/ does not hold")
        }
        #expect(!text.contains("--sql-dir"), "\(file): migrate finds /usr/share/idv-batch/sql without a flag")
    }

    @Test("the Kubernetes manifests run the image of this version")
    func kubernetesImage() throws {
        let images = try Self.shipped("kubernetes-cronjob.yaml").matches(of: /image:\s*(\S+)/).map {
            String($0.output.1)
        }
        #expect(images.count == 5)
        #expect(images.allSatisfy { $0 == "registry.example.com/idv-batch:\(IDVBatchVersion.current)" }, "\(images)")
    }

    @Test(
        "the receiver's Kubernetes manifest runs this version with flags `notifications serve` accepts, probes /healthz, reads its secrets from a Secret"
    )
    func kubernetesReceiver() throws {
        let manifest = try Self.shipped("kubernetes-notifications.yaml")
        let images = manifest.matches(of: /image:\s*(\S+)/).map { String($0.output.1) }
        #expect(images == ["registry.example.com/idv-batch:\(IDVBatchVersion.current)"])
        #expect(manifest.contains("kind: Deployment") && manifest.contains("kind: Service"))
        // The container's arguments, one `- ` item a line, as the command parses them.
        let lines = manifest.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let start = try #require(lines.firstIndex(of: "args:")) + 1
        let arguments = lines[start...].prefix { $0.hasPrefix("- ") }.map { String($0.dropFirst(2)) }
        #expect(Array(arguments.prefix(2)) == ["notifications", "serve"])
        let serve = try NotificationsServeCommand.parse(Array(arguments.dropFirst(2)))
        #expect(serve.host == "0.0.0.0" && serve.port == 8080)
        let tokenFile = try #require(serve.tokenFile)
        let mount = URL(fileURLWithPath: tokenFile).deletingLastPathComponent().path
        #expect(lines.contains("mountPath: \(mount)") && lines.contains("path: notifications-token"))
        #expect(lines.filter { $0 == "httpGet: { path: /healthz, port: http }" }.count == 2)
        #expect(lines.contains("secretKeyRef: { name: idv-batch-receiver, key: database-url }"))
        #expect(lines.contains("defaultMode: 0400"))
    }
}
