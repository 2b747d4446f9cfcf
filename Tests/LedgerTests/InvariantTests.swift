import Foundation
import Testing
@testable import Ledger

/// Invariants asserted where they matter, and money arithmetic checked in one place.
@Suite struct InvariantTests {
    @Test func fenArithmeticIsChecked() async {
        #expect(Fen(5) + Fen(7) == Fen(12) && Fen(5) - Fen(7) == Fen(-2))
        #expect([Fen(1), Fen(2), Fen(-4)].sum() == Fen(-1))
        #expect(Fen(3).signed(-1) == Fen(-3) && Fen(-3).magnitude == Fen(3))
        await #expect(processExitsWith: .failure) { _ = Fen(Int64.max) + Fen(1) }
        await #expect(processExitsWith: .failure) { _ = Fen(Int64.min) - Fen(1) }
    }

    /// The journal's volume is bounded, so no total derived from it can overflow: the post that
    /// would pass the bound is refused with amount_overflow and nothing is written.
    @Test func theJournalVolumeIsBounded() throws {
        let store = try seededStore()
        let most = Fen.maxEventAmount.yuan
        let n = Int(Fen.maxJournalVolume.raw / Fen.maxEventAmount.raw) + 1
        let drafts = (0..<n).map { i in
            d(["type": "appropriation", "id": "BIG-\(i)", "date": "2023-01-01", "fund": "gpb", "item": "2010350", "nature": "basic",
               "amount": most, "doc": "x", "actor": "王会计"])
        }
        let r = try store.check(drafts)
        #expect(r.rejections.map(\.code) == [.amountOverflow], "\(r.rejections.prefix(2))")
        guard case .rejected(let list) = r else { return }
        #expect(list.first?.index == n - 1)
    }

    @Test func aCloseKnowsWhenItIsWrong() {
        let line = BudgetLine(year: 2023, fund: FundCode(rawValue: "gpb")!, item: FunctionCode(rawValue: "2010350")!, nature: .basic, project: nil)
        let ok = ClosedLine(line: line, budget: Fen(100), actual: Fen(40), disposition: .lapse)
        #expect(YearClose(year: 2023, events: 1, head: .zero, lines: [ok]).invariantViolation == nil)
        #expect(YearClose(year: 2023, events: 1, head: .zero, lines: [ok, ok]).invariantViolation?.contains("twice") == true)
        var none = ok
        none.disposition = .none
        #expect(YearClose(year: 2023, events: 1, head: .zero, lines: [none]).invariantViolation != nil)
        #expect(YearClose(year: 2024, events: 1, head: .zero, lines: [ok]).invariantViolation?.contains("not in 2024") == true)
    }
}
