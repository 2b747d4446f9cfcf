import Foundation
import Testing
@testable import Ledger
@testable import Reconcile

/// The document's wording rules, each on a small journal of two closed years.
@Suite struct DocumentWordingTests {
    /// 2022 and 2023 of a small unit: a basic and a project budget each year, spending as given.
    static func journal(spend2022: [(String, String)], spend2023: [(String, String)], facts: [Draft] = []) throws -> JournalStore {
        let store = JournalStore(path: tempDir() + "/w.jsonl", catalogue: catalogue, clock: testClock)
        _ = try store.initialise(d(["unit": "505001", "name": "测试单位", "date": "2022-01-01", "actor": "王会计", "id": "U"])).get()
        for (year, spend) in [(2022, spend2022), (2023, spend2023)] {
            var drafts = [
                d(["type": "appropriation", "id": "\(year)-A1", "date": "\(year)-01-01", "fund": "gpb", "item": "2010350", "nature": "basic",
                   "amount": "100000.00", "doc": "批复", "actor": "王会计"]),
                d(["type": "appropriation", "id": "\(year)-A2", "date": "\(year)-01-01", "fund": "gpb", "item": "2010350", "econ": "30217",
                   "nature": "basic", "amount": "5000.00", "doc": "批复", "actor": "王会计"]),
            ]
            for (n, (econ, amount)) in spend.enumerated() {
                drafts.append(d(["type": "disbursement", "id": "\(year)-D\(n)", "date": "\(year)-03-01", "fund": "gpb", "item": "2010350",
                                 "econ": econ, "nature": "basic", "amount": amount, "payee": "x", "voucher": "v\(n)", "actor": "李出纳"]))
            }
            try mustPost(store, drafts)
            if year == 2022 { _ = try store.close(CloseRequest(year: 2022, actor: "王会计")) }
        }
        if !facts.isEmpty { try mustPost(store, facts) }
        _ = try store.close(CloseRequest(year: 2023, actor: "王会计"))
        return store
    }

    static func text(_ d: Document) -> String { DocumentText.plain(d) }

    @Test func signWordsFollowTheFigures() throws {
        let down = try Reconciler.document(try Self.journal(spend2022: [("30201", "1000.00")], spend2023: [("30201", "800.00")]), year: 2023)
        #expect(Self.text(down).contains("减少0.02万元，下降20.00%"))
        #expect(!Self.text(down).contains("增加"))
        let up = try Reconciler.document(try Self.journal(spend2022: [("30201", "800.00")], spend2023: [("30201", "1000.00")]), year: 2023)
        #expect(Self.text(up).contains("增加0.02万元，增长25.00%"))
        let flat = try Reconciler.document(try Self.journal(spend2022: [("30201", "800.00")], spend2023: [("30201", "800.00")]), year: 2023)
        #expect(Self.text(flat).contains("收、支总计均为10.50万元。与2022年度持平。") || Self.text(flat).contains("与2022年度持平"))
        #expect(flat.figure("total.grand.change") == nil)
    }

    @Test func aRateAgainstZeroIsNotApplicableNeverZero() throws {
        let doc = try Reconciler.document(try Self.journal(spend2022: [("30201", "800.00")], spend2023: [("30217", "300.00")]), year: 2023)
        // 公务接待: nothing in 2022, 300.00 in 2023.
        #expect(doc.figure("sangong.reception.change-rate")?.printed == "不适用")
        let t = Self.text(doc)
        #expect(t.contains("2022年度为0，增长率不适用"))
        // 因公出国（境）: no budget and no spending.
        #expect(doc.figure("sangong.abroad.completion")?.printed == "不适用")
        for f in doc.figures where f.unit == .basisPoints && f.value == nil { #expect(f.printed == "不适用", "\(f.id)") }
        #expect(!t.contains("完成预算0%") && !t.contains("完成预算0.00%") && !t.contains("占0%"))
    }

    @Test func anEmptySectionSaysSo() throws {
        let doc = try Reconciler.document(try Self.journal(spend2022: [], spend2023: [("30201", "1.00")]), year: 2023)
        let t = Self.text(doc)
        #expect(t.contains("本年度无政府采购支出"))
        #expect(t.contains("本单位2023年度无政府性基金预算财政拨款收入"))
        #expect(t.contains("本年度无因公出国（境）费支出"))
        #expect(t.contains("外事接待支出0.00万元，本年度无外事接待"))
    }

    @Test func aQiZhongNeverExceedsItsWhole() throws {
        let facts = [("V1", "sedan", "yes"), ("V2", "suv", "yes"), ("V3", "other", "no")].map { v in
            d(["type": "vehicle", "id": v.0, "date": "2023-02-01", "action": "acquire", "vehicle": v.0, "category": v.1, "official": v.2, "actor": "王会计"])
        }
        let doc = try Reconciler.document(try Self.journal(spend2022: [], spend2023: [("30231", "500.00")], facts: facts), year: 2023)
        #expect(Self.text(doc).contains("单位共有公务用车2辆，其中：轿车1辆、越野车1辆。"))
        #expect(Self.text(doc).contains("共有车辆3辆，其中：轿车1辆、越野车1辆、其他用车1辆"))
        for prefix in ["vehicles.official", "vehicles.all"] {
            let whole = doc.figure(prefix)!.value!
            let parts = doc.figures.filter { $0.id.hasPrefix(prefix + ".") }.compactMap(\.value).reduce(0, +)
            #expect(parts == whole, "\(prefix): 其中 \(parts) of \(whole)")
        }
        // None held: no 其中 at all.
        let none = try Reconciler.document(try Self.journal(spend2022: [], spend2023: []), year: 2023)
        #expect(Self.text(none).contains("单位共有公务用车0辆。"))
    }

    @Test func aMissingTextIsAWarningNeverAPlaceholder() throws {
        let doc = try Reconciler.document(try Self.journal(spend2022: [("30201", "1000.00")], spend2023: [("30201", "800.00")]), year: 2023)
        #expect(doc.warnings.contains { $0.contains("'reason.total'") })
        #expect(doc.warnings.contains { $0.contains("'unit.duties'") })
        let t = Self.text(doc)
        #expect(!t.contains("主要变动原因是"))
        for residue in ["**", "XX", "×××", "增加/减少", "增长/下降", "大于/小于", "待填写", "nil", "Optional"] {
            #expect(!t.contains(residue), "'\(residue)' in the document")
        }
        // Written, the reason appears, once, as written.
        let store = try Self.journal(spend2022: [("30201", "1000.00")], spend2023: [("30201", "800.00")],
                                     facts: [d(["type": "text", "id": "T1", "date": "2024-01-10", "year": "2023", "key": "reason.total", "text": "压减公用经费。", "actor": "王会计"])])
        let written = try Reconciler.document(store, year: 2023)
        #expect(Self.text(written).contains("主要变动原因是压减公用经费。"))
        #expect(!written.warnings.contains { $0.contains("'reason.total'") })
    }

    /// Replay to a sequence number or a date gives the document as it stood then.
    @Test func theDocumentAsItStoodThen() throws {
        let activity = d(["type": "sangong_activity", "id": "S1", "date": "2023-12-31", "year": "2023", "category": "reception", "scope": "domestic",
                          "batches": "1", "people": "6", "target": "2023-D0", "actor": "王会计"])
        let store = try Self.journal(spend2022: [], spend2023: [("30217", "300.00"), ("30201", "100.00")], facts: [activity])
        let seq = try store.events().first { $0.id.rawValue == "S1" }!.seq
        let before = try Reconciler.document(store, year: 2023, filter: ProjectionFilter(untilSeq: seq - 1))
        let now = try Reconciler.document(store, year: 2023)
        #expect(before.figure("sangong.reception.domestic.batches")?.value == 0)
        #expect(now.figure("sangong.reception.domestic.people")?.value == 6)
        let march = try Reconciler.document(store, year: 2023, filter: ProjectionFilter(asOf: CivilDate("2023-02-28")))
        #expect(march.figure("expense.total")?.value == 0)
        #expect(now.figure("expense.total")?.value == 40_000)
    }
}
