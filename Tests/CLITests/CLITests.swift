import Foundation
import Testing

/// The fledger binary as users run it, in separate processes.
enum Binary {
    static let path: String = {
        // swift test runs from .build/<config>/; the fledger product is built beside the test bundle.
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let p = candidate.appendingPathComponent("fledger").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return dir.appendingPathComponent("fledger").path
    }()
}

struct Run { let status: Int32; let out: String; let err: String }

func fledger(_ args: [String], journal: String, env: [String: String] = [:]) throws -> Run {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Binary.path)
    p.arguments = args
    var e = ProcessInfo.processInfo.environment
    e["FLEDGER_JOURNAL"] = journal
    e["FLEDGER_ACTOR"] = "王会计"
    e.merge(env) { $1 }
    p.environment = e
    let o = Pipe(), r = Pipe()
    p.standardOutput = o
    p.standardError = r
    try p.run()
    let out = o.fileHandleForReading.readDataToEndOfFile()
    let err = r.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Run(status: p.terminationStatus, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
}

func newJournal() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-cli-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let j = dir + "/j.jsonl"
    let r = try fledger(["init", "--unit", "505001", "--name", "泸州市政务服务和公共资源交易中心", "--year", "2023"], journal: j)
    #expect(r.status == 0, "\(r.err)")
    let a = try fledger(["post", "appropriation", "--id", "A1", "--date", "2023-01-01", "--fund", "gpb", "--item", "2010350",
                         "--nature", "basic", "--amount", "467.42万", "--doc", "泸财预〔2023〕1号"], journal: j)
    #expect(a.status == 0, "\(a.err)")
    return j
}

@Suite(.serialized) struct CLITests {
    @Test func binaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: Binary.path), "no fledger binary at \(Binary.path)")
    }

    @Test(arguments: ["init", "open-year", "post", "import", "log", "show", "verify", "repair"])
    func everyCommandHasHelp(command: String) throws {
        let r = try fledger([command, "--help"], journal: "/nonexistent")
        #expect(r.status == 0)
        #expect(r.out.contains("Usage: fledger \(command)"))
    }

    @Test func exitStatuses() throws {
        let j = try newJournal()
        #expect(try fledger(["post", "disbursement", "--bogus", "1"], journal: j).status == 2)
        #expect(try fledger(["nonsense"], journal: j).status == 2)
        let rejected = try fledger(["post", "disbursement", "--date", "2023-02-01", "--fund", "gpb", "--item", "2010350", "--econ", "30101",
                                    "--nature", "basic", "--amount", "1.234", "--payee", "x", "--voucher", "v"], journal: j)
        #expect(rejected.status == 1)
        #expect(rejected.err.contains("too_many_decimals"))
        #expect(try fledger(["show", "NOPE"], journal: j).status == 5)
        #expect(try fledger(["verify"], journal: j + ".missing").status == 4)
        var bytes = Array(FileManager.default.contents(atPath: j)!)
        bytes.removeLast(10)
        _ = FileManager.default.createFile(atPath: j, contents: Data(bytes))
        let damaged = try fledger(["verify"], journal: j)
        #expect(damaged.status == 3)
        #expect(damaged.err.contains("j.jsonl:2:"))
    }

    @Test func importReportsEveryBadRowAndWritesNothing() throws {
        let j = try newJournal()
        let csv = j + ".csv"
        let text = """
        type,id,date,fund,item,econ,nature,amount,payee,voucher
        disbursement,D1,2023-02-01,gpb,2010350,30101,basic,100.00,职工,记-1
        disbursement,D2,2023-02-01,gpb,2010350,30101,basic,100.001,职工,记-2
        disbursement,D3,2023-02-30,gpb,2010350,30101,basic,100.00,职工,记-3
        """
        _ = FileManager.default.createFile(atPath: csv, contents: Data(text.utf8))
        let before = FileManager.default.contents(atPath: j)
        let r = try fledger(["import", csv], journal: j)
        #expect(r.status == 1)
        #expect(r.err.contains("j.jsonl.csv:3:"))
        #expect(r.err.contains("j.jsonl.csv:4:"))
        #expect(FileManager.default.contents(atPath: j) == before)
    }

    @Test func logFiltersAndJSON() throws {
        let j = try newJournal()
        let log = try fledger(["log", "--type", "appropriation", "--format", "json"], journal: j)
        #expect(log.status == 0)
        #expect(log.out.split(separator: "\n").count == 1)
        #expect(log.out.contains(#""amount":467420000"#))
        let table = try fledger(["log", "--item", "201", "--unit", "wan"], journal: j)
        #expect(table.out.contains("467.42"))
    }

    /// Several processes post at once: the chain stays whole and every acknowledged event is
    /// there exactly once.
    @Test func concurrentPostsNeverForkTheChain() throws {
        let j = try newJournal()
        let writers = 6, each = 8
        let acknowledged = Acknowledged()
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for k in 0..<each {
                let id = "W\(w)-\(k)"
                let r = try? fledger(["post", "disbursement", "--id", id, "--date", "2023-03-01", "--fund", "gpb", "--item", "2010350",
                                      "--econ", "30201", "--nature", "basic", "--amount", "10.00", "--payee", "p", "--voucher", id], journal: j)
                if r?.status == 0 { acknowledged.add(id) }
            }
        }
        let verify = try fledger(["verify"], journal: j)
        #expect(verify.status == 0, "\(verify.err)")
        let ids = try fledger(["log", "--format", "json", "--type", "disbursement"], journal: j).out
            .split(separator: "\n").compactMap { line -> String? in
                guard let r = line.range(of: #""id":""#) else { return nil }
                return String(line[r.upperBound...].prefix { $0 != "\"" })
            }
        #expect(acknowledged.ids.count == writers * each)
        #expect(ids.sorted() == acknowledged.ids.sorted())
        #expect(Set(ids).count == ids.count)
    }
}

final class Acknowledged: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ids: [String] = []
    func add(_ id: String) { lock.lock(); ids.append(id); lock.unlock() }
}
