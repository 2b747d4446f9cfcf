import Foundation
import Glibc

/// `fledger-bench --scale [N,N,…]`: the whole benchmark at each size (10k, 100k and 1M events
/// by default), each in its own directory and process, then one table of how every step's time
/// and peak memory grow from one size to the next. Every step must be linear or better (time
/// × 10 for 10× the events, or less), `post` and `show` constant, and the memory of the
/// streaming steps must not grow with the journal.
enum Scale {
    /// Steps whose memory must not grow with the number of events.
    static let flatMemory = ["verify", "budget --by item, whole journal", "budget --by item (best of 3)", "statements --year 2023 (13 tables)", "reconcile --year 2023",
                             "export --format hledger", "log --project, one month (best of 3)"]
    /// Steps whose time must not grow with the number of events.
    static let constantTime = ["post into the journal (median)", "show D355 (best of 3)"]
    // `trace` is not among the flat-memory steps: it lists every event behind its cell, and a
    // cell of a larger journal has more of them.

    static func run(_ o: Options) -> Int32 {
        var table: [(events: Int, rows: [(name: String, seconds: Double, peakKB: Int)])] = []
        for n in o.scale {
            let dir = "\(o.dir)/scale-\(n)"
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            print("== \(n) events (\(dir)) ==")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            p.arguments = ["--events", String(n), "--dir", dir, "--posts", "5", "--seed", String(o.seed), "--results", dir + "/results.tsv"]
                + (o.reuse ? ["--reuse"] : [])
            do { try p.run() } catch { print("cannot run \(CommandLine.arguments[0]): \(error)"); return 4 }
            p.waitUntilExit()
            guard p.terminationStatus == 0, let text = try? String(contentsOfFile: dir + "/results.tsv", encoding: .utf8) else {
                print("the run at \(n) events failed"); return 1
            }
            let rows = text.split(separator: "\n").compactMap { line -> (String, Double, Int)? in
                let f = line.split(separator: "\t").map(String.init)
                guard f.count == 3, let s = Double(f[1]), let kb = Int(f[2]) else { return nil }
                return (f[0], s, kb)
            }
            table.append((n, rows))
        }
        guard table.count >= 2 else { return 0 }
        print("\n== growth ==")
        let sizes = table.map { $0.events }
        var header = "step".padding(toLength: 38, withPad: " ", startingAt: 0)
        for n in sizes {
            let label = "\(n / 1000)k events"
            header += String(repeating: " ", count: max(0, 21 - label.count)) + label
        }
        header += "   time ×, memory × (last two sizes)   verdict"
        print(header)
        var failed = 0
        for name in table[0].rows.map(\.name) {
            let cells = table.map { t in t.rows.first { $0.name == name } }
            var line = name.padding(toLength: 38, withPad: " ", startingAt: 0)
            for c in cells {
                line += c.map { String(format: " %8.3f s %6.1f MB", $0.seconds, Double($0.peakKB) / 1024) } ?? String(repeating: " ", count: 19)
            }
            guard let a = cells[cells.count - 2], let b = cells[cells.count - 1] else { print(line); continue }
            let factor = Double(sizes[sizes.count - 1]) / Double(sizes[sizes.count - 2])
            // Process start and reading the catalogue take a fixed few milliseconds: a step under
            // 50 ms at both sizes is not growing.
            let timeRatio = max(b.seconds, 0.05) / max(a.seconds, 0.05)
            let memRatio = Double(b.peakKB) / Double(max(a.peakKB, 1))
            var verdict: String
            if constantTime.contains(name) {
                verdict = timeRatio <= 2 ? "constant: ok" : "grows: NOT constant"
            } else {
                verdict = timeRatio <= factor * 1.25 ? "linear or better: ok" : "worse than linear"
            }
            if flatMemory.contains(name) { verdict += memRatio <= 2 ? "; memory flat: ok" : "; memory GROWS" }
            if verdict.contains("NOT") || verdict.contains("worse") || verdict.contains("GROWS") { failed += 1 }
            print(line + String(format: "   %6.2f×, %5.2f×   ", timeRatio, memRatio) + verdict)
        }
        print(failed == 0 ? "every step scales as it must" : "\(failed) step(s) do not scale as they must")
        return 0
    }
}
