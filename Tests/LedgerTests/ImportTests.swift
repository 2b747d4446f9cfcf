import Foundation
import Testing
@testable import Ledger

/// `Import`: a file appended as one batch, all rows or none, with every bad row and its line.
@Suite struct ImportTests {
    static let header = "type,id,date,fund,item,econ,nature,amount,payee,voucher"

    @Test func allRowsOrNoneWithEveryBadRowByLine() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try seededStore(dir)
        let before = try store.events().count
        let bad = dir + "/bad.csv"
        try [Self.header,
             "disbursement,I1,2023-02-01,gpb,2010350,30101,basic,10.00,甲,记-1",
             "disbursement,I2,2023-02-01,gpb,2010350,30101,basic,1.234,乙,记-2",
             "disbursement,I3,2023-02-01,gpb,2010350,30101,basic,10.00,\"unclosed",
            ].joined(separator: "\n").write(toFile: bad, atomically: true, encoding: .utf8)
        guard case .rejected(let problems, let rows) = try Import(path: bad, format: .csv, defaultActor: "王会计").run(into: store) else {
            Issue.record("a file with bad rows was imported"); return
        }
        #expect(problems.map(\.line) == problems.map(\.line).sorted() && problems.count == 2 && rows == 3)
        #expect(problems.contains { if case .rejected(let r) = $0.kind { return $0.line == 3 && r.code == .tooManyDecimals }; return false })
        #expect(problems.contains { if case .syntax = $0.kind { return $0.line == 4 }; return false })
        #expect(try store.events().count == before, "nothing imported")

        let good = dir + "/good.jsonl"
        try [#"{"type":"disbursement","id":"J1","date":"2023-02-01","fund":"gpb","item":"2010350","econ":"30101","nature":"basic","amount":"10.00","payee":"甲","voucher":"记-1"}"#,
             #"{"type":"disbursement","id":"J2","date":"2023-02-01","fund":"gpb","item":"2010350","econ":"30101","nature":"basic","amount":"5.00","payee":"乙","voucher":"记-2","actor":"李出纳"}"#]
            .joined(separator: "\n").write(toFile: good, atomically: true, encoding: .utf8)
        guard case .imported(let appended, let duplicates) = try Import(path: good, format: .jsonl, defaultActor: "王会计").run(into: store) else {
            Issue.record("a good file was not imported"); return
        }
        #expect(appended == 2 && duplicates == 0)
        #expect(try store.events().suffix(2).map(\.actor) == ["王会计", "李出纳"], "the default actor only where a row names none")
        guard case .imported(0, 2) = try Import(path: good, format: .jsonl, defaultActor: "王会计").run(into: store) else { Issue.record("a re-import was not idempotent"); return }
    }

    @Test func unreadableAndInvalidText() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try seededStore(dir)
        guard case .unreadable = try Import(path: dir + "/none.csv", format: .csv).run(into: store) else { Issue.record("a missing file was read"); return }
        let latin = dir + "/latin.csv"
        _ = FileManager.default.createFile(atPath: latin, contents: Data(Array((Self.header + "\n").utf8) + [0xff, 0x0a]))
        guard case .invalidText(let bad) = try Import(path: latin, format: .csv).run(into: store) else { Issue.record("invalid UTF-8 was imported"); return }
        #expect(bad.line == 2)
    }
}
