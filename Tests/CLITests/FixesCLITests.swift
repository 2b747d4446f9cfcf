import Foundation
import Testing
@testable import CLI
@testable import Ledger

/// Behaviours that were wrong (issue 10), each pinned by a test that failed before the fix.
@Suite(.serialized) struct FixesCLITests {
    /// A syntax error in one row and a rule violation in another: both are reported, with their
    /// lines, in one run; nothing is written.
    @Test func importReportsSyntaxAndRuleErrorsTogether() throws {
        let j = try newJournal()
        let csv = j + ".csv"
        let text = """
        type,id,date,fund,item,econ,nature,amount,payee,voucher
        disbursement,D1,2023-02-01,gpb,2010350,30101,basic,100.00,职工,记-1
        disbursement,D2,2023-02-01,gpb,2010350,30101,basic,100.00,职工
        disbursement,D3,2023-02-01,gpb,2010350,30101,basic,99999999.00,职工,记-3
        disbursement,D4,2023-02-01,gpb,2010350,39999,basic,1.00,职工,记-4
        """
        _ = FileManager.default.createFile(atPath: csv, contents: Data(text.utf8))
        let before = FileManager.default.contents(atPath: j)
        let r = try fledger(["import", csv], journal: j)
        #expect(r.status == 1)
        #expect(r.err.contains("j.jsonl.csv:3: has 9 fields where the header has 10"), "\(r.err)")
        #expect(r.err.contains("j.jsonl.csv:4: rejected [insufficient_budget]"), "\(r.err)")
        #expect(r.err.contains("j.jsonl.csv:5: rejected [unknown_code]"), "\(r.err)")
        #expect(r.err.contains("3 bad row(s)"), "\(r.err)")
        #expect(FileManager.default.contents(atPath: j) == before)
    }

    /// Output that cannot be written is an I/O error (exit 4), not a success.
    @Test func aFailedWriteToStandardOutputExits4() throws {
        let j = try newJournal()
        for args in [["export", "--format", "hledger"], ["budget", "--year", "2023"], ["log"], ["verify"]] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Binary.path)
            p.arguments = args + ["--journal", j]
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
            let errPipe = Pipe()
            p.standardError = errPipe
            try p.run()
            let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 4, "\(args): \(err)")
            #expect(err.contains("cannot write to standard output"), "\(args): \(err)")
        }
    }

    /// A closed pipe too.
    @Test func aClosedPipeExits4() throws {
        let j = try newJournal()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["export", "--format", "csv", "--journal", j]
        let o = Pipe()
        p.standardOutput = o
        p.standardError = Pipe()
        try o.fileHandleForReading.close()
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 4)
    }

    /// After a re-close, verify lists only the years that accept posts.
    @Test func verifyListsOnlyOpenYearsAfterAReclose() throws {
        let j = try newJournal()
        #expect(try fledger(["close", "--year", "2023"], journal: j).status == 0)
        #expect(try fledger(["verify"], journal: j).out.contains("open years: 2024\n"))
        #expect(try fledger(["reopen", "--year", "2023", "--reason", "补记"], journal: j).status == 0)
        #expect(try fledger(["verify"], journal: j).out.contains("open years: 2023, 2024\n"))
        #expect(try fledger(["close", "--year", "2023"], journal: j).status == 0)
        let v = try fledger(["verify"], journal: j)
        #expect(v.out.contains("open years: 2024\n"), "\(v.out)")
    }
}

@Suite(.serialized) struct EncodingCLITests {
    /// A CSV saved as GB18030 is refused without --encoding (naming the file, the line and the
    /// likely encoding, nothing appended) and read right with it.
    @Test func aGB18030SpreadsheetExport() throws {
        let j = try newJournal()
        let csv = j + ".gbk.csv"
        var bytes = Array("type,id,date,fund,item,econ,nature,amount,payee,voucher\r\ndisbursement,G1,2023-02-01,gpb,2010350,30101,basic,1.00,".utf8)
        bytes += [0xC4, 0xB3, 0xB9, 0xAB, 0xCB, 0xBE] + Array(",v1\r\n".utf8)   // 某公司
        _ = FileManager.default.createFile(atPath: csv, contents: Data(bytes))
        let before = FileManager.default.contents(atPath: j)
        let refused = try fledger(["import", csv], journal: j)
        #expect(refused.status == 1)
        #expect(refused.err.contains("gbk.csv:2:") && refused.err.contains("--encoding gb18030"), "\(refused.err)")
        #expect(FileManager.default.contents(atPath: j) == before)
        let read = try fledger(["import", csv, "--encoding", "gb18030"], journal: j)
        #expect(read.status == 0, "\(read.err)")
        #expect(try fledger(["show", "G1"], journal: j).out.contains("某公司"))
    }
}

@Suite(.serialized) struct ReadersDuringWritesTests {
    /// Posters append while a reader runs budget, verify and statements in a loop: every read
    /// succeeds (a reader holds the shared lock, so it never sees half a write), the chain stays
    /// intact, and every acknowledged event is there once. (`fledger-bench crash` does the same
    /// with kills.)
    @Test func readersNeverSeeAHalfWrittenJournal() throws {
        let j = try newJournal()
        let posters = 4, each = 25
        let acknowledged = Acknowledged()
        let failedReads = Acknowledged(), reads = Acknowledged()
        let group = DispatchGroup()
        let stop = Acknowledged()
        DispatchQueue.global().async(group: group) {
            while stop.ids.isEmpty {
                for cmd in [["budget", "--year", "2023", "--format", "csv"], ["verify"], ["statements", "--year", "2023", "--table", "3"]] {
                    let r = try? fledger(cmd, journal: j)
                    reads.add(cmd[0])
                    if r?.status != 0 { failedReads.add("\(cmd[0]): \(r?.err ?? "")") }
                }
            }
        }
        DispatchQueue.concurrentPerform(iterations: posters) { w in
            for k in 0..<each {
                let id = "R\(w)-\(k)"
                let r = try? fledger(["post", "disbursement", "--id", id, "--date", "2023-03-01", "--fund", "gpb", "--item", "2010350",
                                      "--econ", "30201", "--nature", "basic", "--amount", "1.00", "--payee", "p", "--voucher", id], journal: j)
                if r?.status == 0 { acknowledged.add(id) }
            }
        }
        stop.add("stop")
        group.wait()
        #expect(failedReads.ids.isEmpty, "\(failedReads.ids.prefix(3))")
        #expect(reads.ids.count >= 3)
        #expect(try fledger(["verify"], journal: j).status == 0)
        let ids = try fledger(["log", "--format", "json", "--type", "disbursement"], journal: j).out
            .split(separator: "\n").compactMap { line -> String? in
                guard let r = line.range(of: #""id":""#) else { return nil }
                return String(line[r.upperBound...].prefix { $0 != "\"" })
            }
        #expect(acknowledged.ids.count == posters * each)
        #expect(ids.sorted() == acknowledged.ids.sorted())
    }
}

/// The progress line: its words, and never a byte of it where standard error is not a terminal.
@Suite struct ProgressLineTests {
    @Test func theLineSaysHowFarRateAndTimeLeft() {
        #expect(ProgressLine.text("verify", JournalProgress(done: 170_000_000, total: 370_000_000, unit: .bytes), elapsed: 2.0)
            == "verify: 45% · 170 of 370 MB · 85 MB/s · 3 s left")
        #expect(ProgressLine.text("import", JournalProgress(done: 250_000, total: 1_000_000, unit: .rows), elapsed: 5.0)
            == "import: 25% · 250,000 of 1,000,000 rows · 50,000 rows/s · 15 s left")
    }

    @Test func nothingWhenStandardErrorIsAPipe() throws {
        let j = try newJournal()
        let r = try fledger(["verify"], journal: j)
        #expect(r.status == 0)
        #expect(!r.err.contains("\u{1B}") && !r.err.contains("% ·"))
    }
}
