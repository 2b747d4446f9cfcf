import Foundation
import Testing
@testable import Ledger

/// Typed requests: the text front ends parse into them; programmatic requests pass the same
/// ladder; wire names come from one table.
@Suite struct RequestTests {
    @Test func draftsParseIntoTypedRequests() throws {
        let d1 = disbursement("D1", amount: "120.50万", econ: "30201")
        guard case .success(let r) = d1.request(catalogue: catalogue), case .disbursement(let c, let amount, let payee, _, let override) = r.body else {
            Issue.record("not a disbursement"); return
        }
        #expect(c.econ?.rawValue == "30201" && amount == Fen(120_500_000) && payee == "职工工资" && override == nil)
        #expect(r.id?.rawValue == "D1" && r.date == CivilDate("2023-02-01"))
        let recl = d(["type": "adjustment", "kind": "reclassification", "target": "D1", "econ": "30102", "date": "2023-03-01", "actor": "x"])
        guard case .success(let q) = recl.request(catalogue: catalogue), case .reclassification(let t, let a, let to, let py, _) = q.body else {
            Issue.record("not a reclassification"); return
        }
        #expect(t.rawValue == "D1" && a == nil && py == nil && to == PartialClassification(econ: EconomicCode(rawValue: "30102")))
        // Field-level errors name the field, in ladder order.
        for (fields, code, field) in [
            (["kind": "refund"], RejectionCode.malformedField, "kind"),
            (["prior_year": "22"], .malformedField, "prior_year"),
            (["target": "bad id"], .malformedField, "target"),
            (["econ": "3010"], .malformedCode, "econ"),
            (["econ": "39999"], .unknownCode, "econ"),
            (["econ": "30102", "amount": "1.234"], .tooManyDecimals, "amount"),
        ] as [([String: String], RejectionCode, String)] {
            var f = recl.fields
            f.merge(fields) { $1 }
            guard case .failure(let rej) = Draft(fields: f).request(catalogue: catalogue) else { Issue.record("accepted \(fields)"); continue }
            #expect(rej.code == code && rej.field == field, "\(fields): \(rej)")
        }
    }

    @Test func programmaticRequestsPassTheSameLadder() throws {
        let store = try seededStore()
        let gpb = FundCode(rawValue: "gpb")!, item = FunctionCode(rawValue: "2010350")!
        func req(_ econ: String, _ amount: Fen, nature: Nature = .basic, id: String) -> Request {
            Request(id: EventID(rawValue: id), date: CivilDate("2023-04-01"), actor: "李出纳",
                    body: .disbursement(Classification(fund: gpb, item: item, econ: EconomicCode(rawValue: econ), nature: nature, project: nil),
                                        amount: amount, payee: "某公司", voucher: "记-04-0001", override: nil))
        }
        #expect(try store.post([req("39999", Fen(100), id: "X1")]).rejections.map(\.code) == [.unknownCode])
        #expect(try store.post([req("30201", .zero, id: "X2")]).rejections.map(\.code) == [.amountNotPositive])
        #expect(try store.post([req("30201", Fen(100), nature: .project, id: "X3")]).rejections.map(\.code) == [.projectMismatch])
        var noDate = req("30201", Fen(100), id: "X4")
        noDate.date = nil
        #expect(try store.post([noDate]).rejections.map { "\($0.code.rawValue) \($0.field ?? "")" } == ["missing_field date"])
        var multi = req("30201", Fen(100), id: "X5")
        multi.memo = "two\nlines"
        #expect(try store.post([multi]).rejections.map(\.code) == [.malformedField])
        #expect(try store.post([req("30201", Fen(100), id: "X6")]).appended.count == 1)
        // A correction re-posted with its optional fields left out is the same request.
        let rev = Request(id: EventID(rawValue: "R1"), date: CivilDate("2023-04-02"), actor: "x",
                          body: .reversal(target: EventID(rawValue: "X6")!, amount: nil, priorYear: nil, override: nil))
        #expect(try store.post([rev]).appended.count == 1)
        #expect(try store.post([rev]).duplicates.count == 1)
    }

    @Test func everyFieldOfEveryLineComesFromTheWireTable() throws {
        var r = SeededRandom(seed: 9)
        for seq in 1...400 {
            let e = randomEvent(&r, seq: seq)
            let line = EventCodec.encode(e, prev: .zero)
            let fields = try line.withUnsafeBytes { try FlatJSON.parse($0) }
            for (k, _) in fields { #expect(Wire.all.contains(k), "\(k) is not in the Wire table") }
            if case .adjustment(let adj) = e.body {
                #expect(fields.contains { $0.key == Wire.kind && $0.value == .string(adj.kind.wire.rawValue) })
            }
        }
        #expect(AdjustmentKind.allCases.map(\.rawValue) == ["budget", "reversal", "reclassification"])
        #expect(ScanKeys.amount.bytes.elementsEqual(Array(",\"amount\":".utf8)))
        #expect(ScanKeys.budgetKind.bytes.elementsEqual(Array(",\"kind\":\"budget\"".utf8)))
    }

    /// The close posts typed requests: its lines are values, never text parsed back.
    @Test func closeBuildsTypedRequests() throws {
        let store = try seededStore()
        try mustPost(store, [disbursement("D1", amount: "10.00")])
        let r = try store.close(CloseRequest(year: 2023, actor: "王会计", id: EventID(rawValue: "C-2023")))
        guard case .close(let c)? = r.appended.first?.body else { Issue.record("\(r)"); return }
        #expect(r.appended.first?.id.rawValue == "C-2023")
        #expect(c.lines.count == 2 && c.actual == Fen(1_000))
    }
}
