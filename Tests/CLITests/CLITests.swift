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

func fledger(_ args: [String], journal: String, env: [String: String] = [:], cwd: URL? = nil) throws -> Run {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Binary.path)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = cwd }
    var e = ProcessInfo.processInfo.environment
    e["FLEDGER_JOURNAL"] = journal
    e["FLEDGER_ACTOR"] = "王会计"
    // Trust pins go beside the test's journal, never into the real home.
    e["FLEDGER_TRUST_DIR"] = URL(fileURLWithPath: journal.isEmpty ? NSTemporaryDirectory() + "/fledger-cli-trust" : journal).deletingLastPathComponent().appendingPathComponent("trust").path
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
    @Test(arguments: ["init", "open-year", "post", "import", "log", "show", "budget", "export", "close", "reopen", "statements", "reconcile", "report", "trace", "verify", "repair",
                      "key", "actor", "approve", "reject", "check-report", "checkpoint", "prove", "check-proof", "trust"])
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

@Suite struct ReportCLITests {
    func journalWithSpending() throws -> String {
        let j = try newJournal()
        let r = try fledger(["post", "appropriation", "--id", "A2", "--date", "2023-01-01", "--fund", "gpb", "--item", "2010399",
                             "--nature", "project", "--project", "51050023T000008267900", "--amount", "19.80万", "--doc", "泸财预〔2023〕2号"], journal: j)
        #expect(r.status == 0, "\(r.err)")
        let s = try fledger(["post", "disbursement", "--id", "D1", "--date", "2023-05-01", "--fund", "gpb", "--item", "2010399", "--econ", "30227",
                             "--nature", "project", "--project", "51050023T000008267900", "--amount", "195000.00", "--payee", "某公司", "--voucher", "记-05-0001"], journal: j)
        #expect(s.status == 0, "\(s.err)")
        return j
    }

    @Test func budgetCSVHasTheDocumentedHeaderAndRate() throws {
        let j = try journalWithSpending()
        let r = try fledger(["budget", "--year", "2023", "--by", "project", "--format", "csv"], journal: j)
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines[0] == "code,name,budget_initial,adjustments,budget,actual,available,rate")
        #expect(lines.contains("51050023T000008267900,,198000.00,0.00,198000.00,195000.00,3000.00,98.48"))
    }

    @Test func budgetJSONCarriesFen() throws {
        let j = try journalWithSpending()
        let r = try fledger(["budget", "--year", "2023", "--format", "json"], journal: j)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("\"code\":\"2010399\""))
        #expect(r.out.contains("\"budget\":19800000,\"actual\":19500000,\"available\":300000,\"rate\":98.48"))
        let parsed = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        #expect((parsed?["rows"] as? [Any])?.count == 5)   // 合计, 201, 20103, 2010350, 2010399
    }

    @Test func budgetTextLinesUpWithChineseNames() throws {
        let j = try journalWithSpending()
        let r = try fledger(["budget", "--year", "2023", "--unit", "wan"], journal: j)
        #expect(r.status == 0, "\(r.err)")
        let rows = r.out.split(separator: "\n").dropFirst().map(String.init)
        // Every row ends at the same display column: the right-aligned rate column.
        let widths = Set(rows.filter { !$0.hasPrefix("-") }.map { row in
            row.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 ? 2 : 1) }
        })
        #expect(widths.count == 1, "\(r.out)")
        #expect(r.out.contains("事业运行"))
        #expect(r.out.contains("98.48"))
    }

    @Test func budgetRefusesBadOptions() throws {
        let j = try journalWithSpending()
        #expect(try fledger(["budget"], journal: j).status == 2)
        #expect(try fledger(["budget", "--year", "2023", "--by", "color"], journal: j).status == 2)
        #expect(try fledger(["budget", "--year", "2023", "--as-of", "2023-13-01"], journal: j).status == 2)
        #expect(try fledger(["budget", "--year", "2023", "--as-of", "2023-12-01", "--until-seq", "3"], journal: j).status == 2)
    }

    @Test func exportWritesEveryFormat() throws {
        let j = try journalWithSpending()
        for format in ["ledger", "hledger", "beancount", "csv"] {
            let r = try fledger(["export", "--format", format], journal: j)
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.contains("Expenses:2023:GPB:2010399:Project:51050023T000008267900:30227"))
            #expect(r.out.contains("195000.00"))
        }
    }
}

@Suite struct CloseCLITests {
    @Test func closeLockReopen() throws {
        let j = try newJournal()
        let c = try fledger(["close", "--year", "2023"], journal: j)
        #expect(c.status == 0, "\(c.err)")
        #expect(c.out.contains("closed 2023: 1 budget lines"))
        #expect(c.out.contains("lapsed 4,674,200.00"))
        let locked = try fledger(["post", "disbursement", "--date", "2023-12-31", "--fund", "gpb", "--item", "2010350", "--econ", "30201",
                                  "--nature", "basic", "--amount", "1.00", "--payee", "x", "--voucher", "v"], journal: j)
        #expect(locked.status == 1)
        #expect(locked.err.contains("year_closed"))
        #expect(try fledger(["close", "--year", "2023"], journal: j).status == 1)
        #expect(try fledger(["close", "--year", "2023", "--carry", "nonsense"], journal: j).status == 2)
        #expect(try fledger(["reopen", "--year", "2023"], journal: j).status == 2)   // --reason is required
        let r = try fledger(["reopen", "--year", "2023", "--reason", "补记凭证"], journal: j)
        #expect(r.status == 0, "\(r.err)")
        let log = try fledger(["log", "--type", "close,reopen"], journal: j)
        #expect(log.out.contains("close of 2023") && log.out.contains("reopen 2023: 补记凭证"))
        #expect(try fledger(["verify"], journal: j).status == 0)
    }
}

@Suite struct StatementCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let journal = root.appendingPathComponent("Journal/journal.jsonl").path

    /// The thirteen tables of the seed year, as printed, against the golden file. After an
    /// intended change, regenerate it with
    /// `swift run fledger statements --journal Journal/journal.jsonl --year 2023 --format markdown > Tests/Golden/statements-2023.md`
    /// and review the diff.
    @Test func goldenTablesOfTheSeedYear() throws {
        let r = try fledger(["statements", "--year", "2023", "--format", "markdown"], journal: Self.journal)
        #expect(r.status == 0, "\(r.err)")
        let golden = try String(contentsOfFile: Self.root.appendingPathComponent("Tests/Golden/statements-2023.md").path, encoding: .utf8)
        #expect(r.out == golden)
        for n in 1...13 { #expect(r.out.contains("### 表\(n) ")) }
    }

    @Test func reconcileSaveAndRecheck() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-proof-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let j = dir + "/journal.jsonl"
        try FileManager.default.copyItem(atPath: Self.journal, toPath: j)
        let r = try fledger(["reconcile", "--year", "2023", "--save", dir + "/proof.json"], journal: j)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("PASSED"))
        #expect(r.out.contains("rounding: T6 基本支出 = T8 人员经费 + 公用经费"))
        let post = try fledger(["post", "disbursement", "--date", "2024-01-15", "--fund", "gpb", "--item", "2010350", "--econ", "30201",
                                "--nature", "basic", "--amount", "10.00", "--payee", "x", "--voucher", "记-01-0001", "--override", "2024年预算未录入"], journal: j)
        #expect(post.status == 0, "\(post.err)")
        let again = try fledger(["reconcile", "--against", dir + "/proof.json"], journal: j)
        #expect(again.status == 0, "\(again.out) \(again.err)")
        #expect(again.out.contains("1 event(s) appended since") && again.out.contains("HOLDS"))
    }

    @Test func traceListsTheEventsOfACell() throws {
        let r = try fledger(["trace", "--year", "2023", "--table", "13", "--row", "total", "--column", "决算数:公务接待费"], journal: Self.journal)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("2 event contribution(s), sum 2,100.00 = the cell"))
        let missing = try fledger(["trace", "--year", "2023", "--table", "3", "--row", "999", "--column", "本年支出合计"], journal: Self.journal)
        #expect(missing.status == 5)
    }
}

@Suite(.serialized) struct ReportDocumentCLITests {
    static let journal = StatementCLITests.journal

    @Test func theSeedDocumentInEveryFormat() throws {
        let text = try fledger(["report", "--year", "2023"], journal: Self.journal)
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.hasPrefix("2023年度泸州市政务服务和公共资源交易中心单位决算"))
        #expect(text.out.contains("与2022年度相比，收、支总计各减少27.79万元，下降3.51%。"))
        #expect(text.out.contains("部门预算项目支出绩效自评表（2023年度）"))
        #expect(text.out.contains("表13  财政拨款“三公”经费支出决算表"))
        #expect(text.err.contains("warning: no text 'use.item.2010350'"))
        let md = try fledger(["report", "--year", "2023", "--format", "markdown"], journal: Self.journal)
        #expect(md.status == 0 && md.out.hasPrefix("# 2023年度") && md.out.contains("| 一级指标 | 二级指标 |"))
        let json = try fledger(["report", "--year", "2023", "--format", "json"], journal: Self.journal)
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        let figures = object?["figures"] as? [[String: Any]] ?? []
        #expect(figures.count > 300)
        #expect(figures.contains { $0["id"] as? String == "total.grand.change-rate" && $0["value"] as? Int == 351 && $0["printed"] as? String == "3.51" })
        #expect((object?["warnings"] as? [String])?.isEmpty == false)
        let first = try fledger(["report", "--year", "2022"], journal: Self.journal)
        #expect(first.status == 0 && !first.out.contains("与2021年度"))
        #expect(try fledger(["report", "--year", "2023", "--as-of", "2023-13-01"], journal: Self.journal).status == 2)
    }
}

@Suite(.serialized) struct CheckReportCLITests {
    static let seed = StatementCLITests.root.appendingPathComponent("Tests/Golden/seed-2023.txt").path

    @Test func theSeedHasErrorsAndTheGeneratedDocumentNone() throws {
        let j = StatementCLITests.journal
        let seed = try fledger(["check-report", Self.seed], journal: j, env: ["FLEDGER_JOURNAL": ""])
        #expect(seed.status == 1, "\(seed.err)")
        #expect(seed.out.contains("seed-2023.txt:31: p.1 MISMATCH [change] total.grand: claims 3.15%, expected 3.51"))
        #expect(seed.out.contains("mismatch 11"))
        let against = try fledger(["check-report", Self.seed, "--year", "2023"], journal: j)
        #expect(against.status == 1 && against.out.contains("against the journal") && against.out.contains("expected 99.80%"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-cr-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let report = try fledger(["report", "--year", "2023", "--output", dir + "/r.txt"], journal: j)
        #expect(report.status == 0)
        let clean = try fledger(["check-report", dir + "/r.txt", "--format", "json"], journal: j)
        #expect(clean.status == 0, "\(clean.out.prefix(600))")
        let object = try JSONSerialization.jsonObject(with: Data(clean.out.utf8)) as? [String: Any]
        let summary = object?["summary"] as? [String: Int]
        #expect(summary?["mismatch"] == 0 && summary?["unverifiable"] == 0 && (summary?["ok"] ?? 0) > 900)
        #expect(try fledger(["check-report"], journal: j).status == 2)
        #expect(try fledger(["check-report", dir + "/missing.txt"], journal: j, env: ["FLEDGER_JOURNAL": ""]).status == 4)
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Many reports at once: a table of counts after the findings, a JSON array, CSV rows with a header, exit 1
    /// when any has a mismatch; a run of many gives each report the findings a run of it alone gives.
    @Test func manyReportsAtOnce() throws {
        let j = StatementCLITests.journal
        let env = ["FLEDGER_JOURNAL": ""]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-cr-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clean = dir + "/clean.txt"
        try "2023年度部门决算\n本年支出合计200.00万元，其中：基本支出100.00万元，占50.00%；项目支出100.00万元，占50.00%。\n".write(toFile: clean, atomically: true, encoding: .utf8)
        let text = try fledger(["check-report", Self.seed, clean], journal: j, env: env)
        #expect(text.status == 1)
        #expect(text.out.contains("report") && text.out.contains("mismatch") && text.out.contains("clean.txt"))
        let json = try fledger(["check-report", Self.seed, clean, "--format", "json"], journal: j, env: env)
        let array = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]]
        #expect(array?.count == 2)
        let alone = try fledger(["check-report", Self.seed, "--format", "json"], journal: j, env: env)
        let one = try JSONSerialization.jsonObject(with: Data(alone.out.utf8)) as? [String: Any]
        #expect((array?[0]["findings"] as? [[String: Any]])?.count == (one?["findings"] as? [[String: Any]])?.count)
        #expect((array?[0]["findings"] as? [[String: Any]])?.first?["page"] as? Int == 1)
        let csv = try fledger(["check-report", Self.seed, clean, "--format", "csv"], journal: j, env: env)
        let rows = csv.out.split(separator: "\n")
        #expect(rows.first == "report,page,line,rule,status,subject,claimed,expected,derivation")
        #expect(rows.contains { $0.contains(",31,change,mismatch,") })
        #expect(try fledger(["check-report", clean], journal: j, env: env).status == 0)
    }

    /// The review page: self-contained, every text escaped, an anchor at each line with a finding, a summary linking to it.
    @Test func theReviewPage() throws {
        let j = StatementCLITests.journal
        let page = try fledger(["check-report", Self.seed, "--format", "html"], journal: j, env: ["FLEDGER_JOURNAL": ""])
        #expect(page.status == 1)
        #expect(page.out.hasPrefix("<!DOCTYPE html>") && page.out.hasSuffix("</html>\n"))
        #expect(page.out.contains("id=\"L31\"") && page.out.contains("href=\"#L31\""))
        #expect(!page.out.contains("src=\"http") && !page.out.contains("href=\"http"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-cr-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "2023年度部门决算\n<script>x</script> 基本支出100.00万元，占60.00%；项目支出100.00万元。\n".write(toFile: dir + "/r.txt", atomically: true, encoding: .utf8)
        let hostile = try fledger(["check-report", dir + "/r.txt", "--format", "html"], journal: j, env: ["FLEDGER_JOURNAL": ""])
        #expect(!hostile.out.contains("<script>") && hostile.out.contains("&lt;script&gt;"))
    }

    /// --tables prints what the reader saw: split 类 款 项 codes joined, blank cells by position, as CSV.
    @Test func tablesAsRead() throws {
        let j = StatementCLITests.journal
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fledger-cr-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let table = """
                                    2025年部门支出预算总表
        编制部门：某单位                                             单位：元
                                 功能分类科目名称       合计             基本支出            项目支出
        201             一般公共服务支出               21,601,733.00   12,291,733.00    9,310,000.00
        201   13        商贸事务                   21,601,733.00   12,291,733.00    9,310,000.00
        201   13   01   行政运行                    12,291,733.00   12,291,733.00
        201   13   02   一般行政管理事务                9,310,000.00                    9,310,000.00
                           合计                   21,601,733.00   12,291,733.00    9,310,000.00

        """
        try table.write(toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
        let csv = try fledger(["check-report", dir + "/t.txt", "--tables", "--format", "csv"], journal: j, env: ["FLEDGER_JOURNAL": ""])
        #expect(csv.status == 0)
        #expect(csv.out.contains(",2011302,一般行政管理事务,\"9,310,000.00\",,\"9,310,000.00\""), "\(csv.out)")
        #expect(csv.out.contains("2025年部门支出预算总表,元,"))
        let checked = try fledger(["check-report", dir + "/t.txt"], journal: j, env: ["FLEDGER_JOURNAL": ""])
        #expect(checked.status == 0, "\(checked.out)")
    }
}
