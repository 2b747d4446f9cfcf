import Foundation
import Testing
@testable import Ledger

/// The facts the document reports besides money: each kind posts, replays, verifies, and is
/// refused with a named rejection when it is wrong.
@Suite struct FactTests {
    static let coveredCodes: Set<RejectionCode> = [.alreadyHeld, .notHeld, .unknownProject, .unknownIndicator, .duplicateIndicator]
    static let project = "51050023T000008267900"

    func fact(_ type: String, _ fields: [String: String]) -> Draft {
        var f = ["type": type, "date": "2023-12-31", "actor": "王会计"]
        f.merge(fields) { $1 }
        return d(f)
    }

    func store() throws -> JournalStore {
        let s = try seededStore()
        try mustPost(s, [disbursement("R1", amount: "1100.00", econ: "30217"), disbursement("O1", amount: "900.00", econ: "30201")])
        return s
    }

    @Test func everyKindPostsReplaysAndVerifies() throws {
        let s = try store()
        let facts = [
            fact("sangong_activity", ["id": "F1", "year": "2023", "category": "reception", "scope": "domestic", "batches": "1", "people": "15", "target": "R1"]),
            fact("vehicle", ["id": "F2", "action": "acquire", "vehicle": "川E·A1234", "category": "sedan", "official": "yes"]),
            fact("procurement", ["id": "F3", "year": "2023", "target": "O1", "category": "goods", "amount": "900.00", "award": "micro"]),
            fact("asset", ["id": "F4", "action": "acquire", "asset": "SB-001", "class": "special", "unit_price": "120万", "quantity": "1"]),
            fact("performance_target", ["id": "F5", "year": "2023", "project": Self.project, "indicator": "1", "level": "output", "category": "数量指标",
                                        "name": "开发子系统", "comparator": "eq", "value": "6", "unit": "套", "weight": "10"]),
            fact("performance_result", ["id": "F6", "year": "2023", "project": Self.project, "indicator": "1", "value": "6"]),
            fact("performance_result", ["id": "F7", "year": "2023", "project": Self.project, "indicator": "budget", "score": "9.8", "score_reason": "按一位小数计分"]),
            fact("performance_stage", ["id": "F8", "year": "2023", "project": Self.project, "stage": "monitoring"]),
            fact("text", ["id": "F9", "year": "2023", "key": "unit.duties", "text": "（一）承担市级政务服务大厅的日常管理工作。\n（二）其他。"]),
        ]
        let r = try s.post(facts)
        #expect(r.appended.count == facts.count, "\(r.rejections)")
        #expect(damagedLine(s) == nil)
        // Replays from the file as they were posted, and the state knows what is held.
        let events = try s.events()
        #expect(events.suffix(facts.count).map(\.body.type.rawValue) == facts.map { $0["type"]! })
        guard case .fact(.text(let n))? = events.last?.body else { Issue.record("no text"); return }
        #expect(n.text.contains("\n"))
        // Idempotent re-post; a disposal, then a second disposal is refused.
        #expect(try s.post([facts[1]]).duplicates.count == 1)
        let dispose = fact("vehicle", ["id": "F10", "action": "dispose", "vehicle": "川E·A1234", "category": "sedan", "official": "yes"])
        #expect(try s.post([dispose]).appended.count == 1)
        var again = dispose
        again.fields["id"] = "F11"
        #expect(try s.post([again]).rejections.map(\.code) == [.notHeld])
        #expect(damagedLine(s) == nil)
    }

    @Test func eachFactRejection() throws {
        let s = try store()
        try mustPost(s, [fact("vehicle", ["id": "V1", "action": "acquire", "vehicle": "V-1", "category": "other", "official": "no"]),
                         fact("performance_target", ["id": "T1", "year": "2023", "project": Self.project, "indicator": "1", "level": "cost",
                                                     "category": "经济成本指标", "name": "项目预算控制数", "comparator": "le", "value": "19.8",
                                                     "unit": "万元", "weight": "20"])])
        let cases: [(Draft, RejectionCode, String?)] = [
            (fact("vehicle", ["action": "acquire", "vehicle": "V-1", "category": "other", "official": "no"]), .alreadyHeld, "vehicle"),
            (fact("vehicle", ["action": "dispose", "vehicle": "V-9", "category": "other", "official": "no"]), .notHeld, "vehicle"),
            (fact("asset", ["action": "dispose", "asset": "A-9", "class": "general", "unit_price": "1.00", "quantity": "1"]), .notHeld, "asset"),
            (fact("performance_target", ["year": "2023", "project": "51050099T000000000001", "indicator": "1", "level": "cost", "category": "x",
                                         "name": "y", "comparator": "le", "value": "1", "weight": "1"]), .unknownProject, "project"),
            (fact("performance_target", ["year": "2023", "project": Self.project, "indicator": "1", "level": "cost", "category": "x",
                                         "name": "y", "comparator": "le", "value": "1", "weight": "1"]), .duplicateIndicator, "indicator"),
            (fact("performance_result", ["year": "2023", "project": Self.project, "indicator": "9", "value": "1"]), .unknownIndicator, "indicator"),
            (fact("performance_result", ["year": "2023", "project": Self.project, "indicator": "1", "value": "1", "score": "5"]), .missingField, "score_reason"),
            (fact("performance_target", ["year": "2023", "project": Self.project, "indicator": "2", "level": "cost", "category": "x",
                                         "name": "y", "comparator": "ge", "value": "优", "weight": "1"]), .malformedField, "value"),
            (fact("sangong_activity", ["year": "2023", "category": "reception", "batches": "1", "people": "2"]), .missingField, "scope"),
            (fact("sangong_activity", ["year": "2023", "category": "abroad", "batches": "1", "people": "2", "target": "R1"]), .invalidTarget, "target"),
            (fact("sangong_activity", ["year": "2023", "category": "reception", "scope": "domestic", "batches": "-1", "people": "2"]), .malformedField, "batches"),
            (fact("sangong_activity", ["year": "2031", "category": "abroad", "batches": "0", "people": "0"]), .yearNotOpen, "year"),
            (fact("procurement", ["year": "2023", "target": "O1", "category": "goods", "amount": "900.01", "award": "sme"]), .exceedsTarget, "amount"),
            (fact("procurement", ["year": "2023", "target": "NOPE", "category": "goods", "amount": "1", "award": "sme"]), .unknownEvent, "target"),
            (fact("procurement", ["year": "2023", "target": "O1", "category": "food", "amount": "1", "award": "sme"]), .malformedField, "category"),
            (fact("text", ["year": "2023", "key": "bad key", "text": "x"]), .malformedField, "key"),
            (fact("text", ["year": "2023", "key": "k", "text": " "]), .missingField, "text"),
            (fact("vehicle", ["action": "acquire", "vehicle": "V-2", "category": "other", "official": "maybe"]), .malformedField, "official"),
            (fact("vehicle", ["action": "acquire", "vehicle": "V-3", "category": "other", "official": "no", "date": "2025-01-01"]), .yearNotOpen, "date"),
        ]
        for (draft, code, field) in cases {
            let r = try s.post([draft]).rejections
            #expect(r.map(\.code) == [code] && r.first?.field == field, "\(draft.fields): \(r)")
        }
    }

    /// A fact about a closed year may still be recorded (the document is written after the close);
    /// a vehicle change may not, like money.
    @Test func factsAboutAClosedYear() throws {
        let s = try store()
        _ = try s.close(CloseRequest(year: 2023, actor: "王会计"))
        let text = fact("text", ["year": "2023", "key": "reason.total", "text": "压减项目经费", "date": "2024-03-01"])
        #expect(try s.post([text]).appended.count == 1)
        let vehicle = fact("vehicle", ["action": "acquire", "vehicle": "V-1", "category": "other", "official": "no", "date": "2023-12-31"])
        #expect(try s.post([vehicle]).rejections.map(\.code) == [.yearClosed])
    }

    @Test func quantitiesAreExactDecimals() {
        #expect(Quantity("97.1")?.description == "97.1" && Quantity("26.036")?.units == 26036 && Quantity("0.5")?.scale == 1)
        for bad in ["", "1.", ".5", "01", "1e3", "-0", "1,000", "1234567890123"] { #expect(Quantity(bad) == nil, "\(bad)") }
        #expect(Quantity("2.85")!.hundredths == 285 && Quantity("10")!.hundredths == 1_000)
        #expect(Quantity("97.1")!.compare(Quantity("97.10")!) == 0 && Quantity("7.3")!.compare(Quantity("12.5")!) == -1)
        // 492 of 550 at weight 10: 8.945… → 8.95 (hundredths, half up).
        #expect(Quantity.ratio(Quantity("492")!, Quantity("550")!, times: 1_000) == 895)
        #expect(Quantity.ratio(Quantity("1")!, Quantity("0")!, times: 100) == nil)
    }
}
