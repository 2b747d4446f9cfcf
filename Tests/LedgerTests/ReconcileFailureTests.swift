import Foundation
import Testing
@testable import Ledger
@testable import Reconcile

/// The failures of a reconciliation and their sentences (`Reconciliation.failures`), which the
/// command line prints after FAIL and a proof lists.
@Suite struct ReconcileFailureTests {
    @Test func everyKindOfFailureIsDescribedAndSaved() throws {
        let (s, r) = try Reconciler.reconcile(Seed.store, year: 2023)
        #expect(r.failures.isEmpty)
        let t3 = try #require(s.table(3))
        let (_, row, column, cell) = try #require(t3.cells.first)
        let ref = CellRef(3, row.id, column.id)
        let a = CellRef(1, RowID("total"), ColumnID("amount")), b = CellRef(2, RowID("x"), ColumnID("y"))
        func identity(_ diff: Int64, printed: Int64, unresolved: [CellRef] = []) -> Reconciliation.IdentityCheck {
            .init(identity: "T1 总计", lhs: a, lhsValue: Fen(10_000), rhs: [.init(sign: 1, ref: b, value: Fen(7_000)), .init(sign: -1, ref: ref, value: Fen(-3_000))],
                  difference: Fen(diff), printedDifference: printed, unresolved: unresolved)
        }
        let broken = Reconciliation(
            journal: r.journal, events: r.events, head: r.head, year: r.year, provisional: r.provisional, cells: r.cells,
            mismatches: [.init(ref: ref, query: cell.query, statement: Fen(12_345), recomputed: Fen(12_000), events: [EventID(rawValue: "E1")!, EventID(rawValue: "E2")!])],
            identities: [identity(0, printed: 1), identity(0, printed: 0, unresolved: [b]), identity(150, printed: 0), identity(0, printed: 5)])
        let texts = broken.failures.map(\.description)
        #expect(texts == [
            "\(ref): statement 123.45, recomputed from the journal 120.00, difference 3.45; events: E1, E2",
            "T1 总计: names cell(s) the statements do not have: T2[x][y]",
            "T1 总计: T1[total][amount] 100.00 ≠ + T2[x][y] 70.00 − \(ref) -30.00 (difference 1.50 yuan)",
            "T1 总计: printed figures differ by 0.05 万元, more than rounding (2 × 0.01) allows: T1[total][amount] vs + T2[x][y] 70.00 − \(ref) -30.00",
        ])
        #expect(!broken.passed)
        // A proof lists the same sentences.
        #expect(Proof(broken).failures == texts)
    }
}
