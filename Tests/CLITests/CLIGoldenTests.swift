import Foundation
import Testing

/// Every command's main cases, with their exact standard output, standard error and exit status,
/// against the golden files in Tests/Golden/cli/ (one file per case; `.ci/regold-cli` lists the
/// cases and writes them). The script is run here with the binary under test into a temporary
/// directory and every file compared, so a change of what any command prints, or of its status,
/// fails here. After an intended change: `swift build && .ci/regold-cli`, and review the diff.
@Suite(.serialized) struct CLIGoldenTests {
    static let root = StatementCLITests.root
    static let golden = root.appendingPathComponent("Tests/Golden/cli")

    @Test func everyCaseAsRecorded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-cli-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.root.appendingPathComponent(".ci/regold-cli").path, dir.path]
        p.environment = ProcessInfo.processInfo.environment.merging(["FLEDGER": Binary.path, "TMPDIR": dir.path]) { $1 }
        let errors = Pipe()
        p.standardError = errors
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let scriptErrors = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, ".ci/regold-cli failed: \(scriptErrors)")

        let names = { (d: URL) in Set(try FileManager.default.contentsOfDirectory(atPath: d.path).filter { $0.hasSuffix(".txt") }) }
        let expected = try names(Self.golden), made = try names(dir)
        #expect(expected.count > 100, "Tests/Golden/cli holds \(expected.count) cases")
        #expect(made == expected, "cases without a golden file: \(made.subtracting(expected).sorted()); golden files no case makes: \(expected.subtracting(made).sorted())")
        for name in expected.intersection(made).sorted() {
            let want = try String(contentsOf: Self.golden.appendingPathComponent(name), encoding: .utf8)
            let got = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let same = got == want   // compared first, so a failure prints the first difference, not two whole files
            #expect(same, "\(name) differs from Tests/Golden/cli/\(name):\n\(Self.firstDifference(want, got))")
        }
    }

    /// The first line that differs, both ways, so a failure says what changed.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false), y = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(x.count, y.count) where (i < x.count ? x[i] : nil) != (i < y.count ? y[i] : nil) {
            return "line \(i + 1):\n- \(i < x.count ? String(x[i]) : "(none)")\n+ \(i < y.count ? String(y[i]) : "(none)")"
        }
        return "(same lines)"
    }
}
