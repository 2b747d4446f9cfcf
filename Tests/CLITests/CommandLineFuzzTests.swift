import Foundation
import Ledger
import Testing

/// The command line, fuzzed as users reach it: generated argument vectors (`Fuzz.argv`) over
/// every command `fledger --help` lists. `fledger-bench fuzz` runs thousands; this runs a few
/// hundred. Every run ends with a documented status, says why when it refuses, and a refusal
/// leaves the journal's bytes as they were.
@Suite struct CommandLineFuzzTests {
    /// Runs fledger in `dir` (so any file a case names lands there), killed after 60 s.
    static func run(_ args: [String], dir: String) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var e = ProcessInfo.processInfo.environment
        e["FLEDGER_JOURNAL"] = dir + "/j.jsonl"
        e["FLEDGER_ACTOR"] = "fuzz"
        e["FLEDGER_TRUST_DIR"] = dir + "/trust"
        p.environment = e
        let o = Pipe(), r = Pipe()
        p.standardOutput = o
        p.standardError = r
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let watchdog = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        let out = o.fileHandleForReading.readDataToEndOfFile(), err = r.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        watchdog.cancel()
        let status = p.terminationReason == .exit ? p.terminationStatus : -1
        return Run(status: status, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
    }

    @Test func generatedCommandLines() throws {
        let j = try newJournal()
        let dir = (j as NSString).deletingLastPathComponent
        let surfaces = try Fuzz.surfaces { try Self.run($0, dir: dir).out }
        #expect(surfaces.count >= 17)
        #expect(surfaces.allSatisfy { $0.words == ["repair"] || $0.words == ["verify"] || !$0.options.isEmpty })
        var r = SplitMix64(seed: 7)
        var statuses: [Int32: Int] = [:]
        for _ in 0..<240 {
            let args = Fuzz.argv(&r, r.pick(surfaces))
            let before = FileManager.default.contents(atPath: j)
            let run = try Self.run(args, dir: dir)
            statuses[run.status, default: 0] += 1
            let shown = args.joined(separator: " ").prefix(300)
            #expect((0...6).contains(run.status), "fledger \(shown): \(run.err)")
            if run.status != 0 {
                #expect(!run.err.isEmpty || run.out.contains("\"code\"") || run.out.contains("\"error\""), "fledger \(shown) gave no reason")
                #expect(FileManager.default.contents(atPath: j) == before, "fledger \(shown) refused but changed the journal")
            }
        }
        #expect(try Self.run(["verify"], dir: dir).status == 0)
        // The generator reaches past the parser: some runs succeed and some are refused by validation.
        #expect(statuses[0, default: 0] > 0 && statuses[1, default: 0] > 0 && statuses[2, default: 0] > 0, "\(statuses)")
    }

    /// `fledger --help` lines its command summaries up in one column, however long a name.
    @Test func mainHelpAligns() throws {
        let out = try Self.run(["--help"], dir: NSTemporaryDirectory()).out
        let lines = out.components(separatedBy: "Commands:\n")[1].components(separatedBy: "\n\n")[0].split(separator: "\n")
        let columns = Set(lines.map { line in line.dropFirst(2).firstIndex(of: " ").map { i in line[i...].prefix { $0 == " " }.count + line.distance(from: line.startIndex, to: i) } ?? 0 })
        #expect(columns.count == 1, "\(lines)")
        #expect(lines.allSatisfy { $0.dropFirst(2).contains("  ") })
    }
}
