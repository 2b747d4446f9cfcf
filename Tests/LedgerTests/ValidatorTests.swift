import Testing
@testable import Ledger

/// Every rejection code, each from a request that fails that rung and no earlier one.
@Suite struct ValidatorTests {
    static func base(_ changes: [String: String?]) -> Draft {
        var f = ["type": "disbursement", "id": "D9", "date": "2023-03-01", "fund": "gpb", "item": "2010350", "econ": "30201",
                 "nature": "basic", "amount": "100.00", "payee": "某公司", "voucher": "记-03-0009", "actor": "李出纳"]
        for (k, v) in changes { f[k] = v }
        return Draft(fields: f)
    }

    static let cases: [(RejectionCode, Draft, String?)] = [
        (.missingField, base(["payee": nil]), "payee"),
        (.unknownField, base(["colour": "red"]), "colour"),
        (.malformedField, base(["id": "has space"]), "id"),
        (.malformedDate, base(["date": "2023-02-30"]), "date"),
        (.malformedCode, base(["item": "20103"]), "item"),
        (.unknownCode, base(["econ": "30298"]), "econ"),
        (.malformedAmount, base(["amount": "12,00"]), "amount"),
        (.tooManyDecimals, base(["amount": "100.001"]), "amount"),
        (.amountOverflow, base(["amount": "99999999999999999"]), "amount"),
        (.amountNotPositive, base(["amount": "0"]), "amount"),
        (.projectMismatch, base(["nature": "project"]), "project"),
        (.idConflict, base(["id": "A1"]), "id"),
        (.yearNotOpen, base(["date": "2024-03-01"]), "date"),
        (.unknownEvent, Draft(fields: ["type": "adjustment", "kind": "reversal", "target": "NOPE", "date": "2023-03-01", "actor": "x"]), "target"),
        (.invalidTarget, Draft(fields: ["type": "adjustment", "kind": "reversal", "target": "U1", "date": "2023-03-01", "actor": "x"]), "target"),
        (.exceedsTarget, Draft(fields: ["type": "adjustment", "kind": "reversal", "target": "A2", "amount": "198000.01", "date": "2023-03-01", "actor": "x"]), "amount"),
        (.insufficientBudget, base(["amount": "4674200.01"]), "amount"),
        (.alreadyInitialised, Draft(fields: ["type": "unit", "unit": "1", "name": "x", "date": "2023-01-01", "actor": "x"]), nil),
        (.yearAlreadyOpen, Draft(fields: ["type": "year_open", "year": "2023", "actor": "x"]), "year"),
    ]

    @Test func everyCodeIsCovered() {
        let covered = Set(Self.cases.map(\.0.rawValue)).union([RejectionCode.notInitialised.rawValue]).union(CloseTests.coveredCodes.map(\.rawValue)).union(FactTests.coveredCodes.map(\.rawValue)).union(AccessTests.coveredCodes.map(\.rawValue)).union(AttackTests.coveredCodes.map(\.rawValue))
        #expect(covered == Set(RejectionCode.allCases.map(\.rawValue)))
    }

    @Test func eachRungRejects() throws {
        let store = try seededStore()
        for (code, draft, field) in Self.cases {
            let r = try store.post([draft]).rejections
            #expect(r.map(\.code) == [code], "expected \(code.rawValue) for \(draft.fields)")
            #expect(r.first?.field == field, "\(code.rawValue) names field \(String(describing: r.first?.field))")
        }
        // Nothing was written by any of them.
        #expect(try store.events().count == 3)
    }

    @Test func notInitialised() throws {
        let state = LedgerState()
        let v = Validator(catalogue: catalogue)
        guard case .rejected(let r) = v.validate(ValidatorTests.base([:]), state: state, recorded: testClock.now(), lookup: { _ in nil }) else {
            Issue.record("accepted without a unit"); return
        }
        #expect(r.code == .notInitialised)
    }

    @Test func insufficientBudgetSaysWhatIsAvailable() throws {
        let store = try seededStore()
        _ = try store.post([disbursement("D1", amount: "4000000.00")])
        let r = try store.post([disbursement("D2", amount: "700000.00")]).rejections
        #expect(r.first?.code == .insufficientBudget)
        #expect(r.first?.message.contains("674,200.00 available") == true, "\(r.first?.message ?? "")")
    }

    @Test func overrideIsRecorded() throws {
        let store = try seededStore()
        let posted = try store.post([disbursement("D1", amount: "5000000.00", override: "市长批示先行支付")]).appended
        guard case .disbursement(let x) = posted.first?.body else { Issue.record("not posted"); return }
        #expect(x.override == "市长批示先行支付")
        #expect(try store.post([disbursement("D2", amount: "1.00", override: "  ")]).rejections.first?.code == .missingField)
    }

    /// Precedence: a request wrong in several ways gets the earliest rung's code.
    @Test func ladderOrder() throws {
        let store = try seededStore()
        let r = try store.post([ValidatorTests.base(["item": "999", "amount": "1.234", "date": "2024-01-01"])]).rejections
        #expect(r.map(\.code) == [.malformedCode])
    }

    @Test func idempotentRepost() throws {
        let store = try seededStore()
        let first = try store.post([disbursement("D1", amount: "100.00")])
        #expect(first.appended.count == 1)
        let again = try store.post([disbursement("D1", amount: "100.00")])
        #expect(again.duplicates.map(\.seq) == [first.appended[0].seq])
        #expect(again.appended.isEmpty)
        #expect(try store.post([disbursement("D1", amount: "100.01")]).rejections.first?.code == .idConflict)
        // A correction re-posted without its resolved amount is still the same request.
        let rev = Draft(fields: ["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "date": "2023-03-01", "actor": "x"])
        #expect(try store.post([rev]).appended.count == 1)
        #expect(try store.post([rev]).duplicates.count == 1)
        #expect(try store.events().count == 5)
    }

    @Test func correctionsMoveMoney() throws {
        let store = try seededStore()
        _ = try store.post([disbursement("D1", amount: "1000.00")])
        let recl = Draft(fields: ["type": "adjustment", "kind": "reclassification", "id": "C1", "target": "D1", "econ": "30102",
                                  "amount": "400", "date": "2023-03-01", "actor": "x"])
        let rev = Draft(fields: ["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "date": "2023-03-02", "actor": "x"])
        let posted = try store.post([recl, rev]).appended
        guard case .adjustment(let a) = posted.last?.body, case .reversal(_, let amount) = a.kind else { Issue.record("no reversal"); return }
        #expect(amount == Fen(60_000))   // what the reclassification left
        let more = Draft(fields: ["type": "adjustment", "kind": "reversal", "id": "R2", "target": "D1", "date": "2023-03-02", "actor": "x"])
        #expect(try store.post([more]).rejections.first?.code == .exceedsTarget)
    }
}
