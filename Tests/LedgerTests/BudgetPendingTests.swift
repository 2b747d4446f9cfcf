import Foundation
import Testing
@testable import Ledger

/// A budget report's columns for items waiting for approval, its conditional columns and titles,
/// as every front end shows them.
@Suite struct BudgetPendingTests {
    @Test func waitingItemsShowInTheirOwnColumnsOnly() throws {
        let store = try AccessTests.signedStore()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: store.path).deletingLastPathComponent().path) }
        let clerk = AccessTests.as_(store, AccessTests.clerkKey)
        #expect(try clerk.post([disbursement("D1", amount: "1000.00")]).appended.count == 1)
        let beforeProjection = try store.project()
        let none = BudgetReport(projection: beforeProjection, year: 2023, view: .item, catalogue: catalogue)
        #expect(!none.hasPending && none.rows.allSatisfy { $0.pending.isZero })
        _ = try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "amount": "400.00", "date": "2023-03-01", "actor": "李出纳"])])
        let projection = try store.project()
        for view in BudgetView.allCases {
            let before = BudgetReport(projection: beforeProjection, year: 2023, view: view, catalogue: catalogue)
            let r = BudgetReport(projection: projection, year: 2023, view: view, catalogue: catalogue)
            // The waiting reversal counts in no figure …
            #expect(r.rows.map(\.figures) == before.rows.map(\.figures), "\(view)")
            // … and is shown beside the rows it would change (the total first), where the view has any.
            #expect(r.rows[0].pending.actual == (view == .project || view == .sangong ? .zero : Fen(-40_000)), "\(view)")
            #expect(r.hasPending == !(view == .project || view == .sangong), "\(view)")
        }
        let items = BudgetReport(projection: projection, year: 2023, view: .item, catalogue: catalogue)
        #expect(items.rows.first { $0.code == "2010350" }?.pending.actual == Fen(-40_000))
        #expect(items.rows.first { $0.code == "2010399" }?.pending.isZero == true)
    }

    @Test func titlesAndScopes() {
        #expect(BudgetView.allCases.map(\.title) == ["按功能分类", "按项目", "按经济分类", "按资金来源", "按支出性质", "“三公”经费"])
        #expect(ProjectionFilter().scope == "全部事件")
        #expect(ProjectionFilter(asOf: CivilDate("2023-06-30")).scope == "截至 2023-06-30")
        #expect(ProjectionFilter(untilSeq: 12).scope == "至第 12 笔事件")
    }
}
