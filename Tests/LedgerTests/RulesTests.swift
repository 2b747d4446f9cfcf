import Foundation
import Testing
@testable import Ledger
@testable import Reconcile

/// Each domain rule has one definition, and every view that applies it agrees.
@Suite struct RulesTests {
    /// 30913 is 公务用车购置 too, and “三公” counts 财政拨款 only: `budget --by sangong` and
    /// 表13 must give the same figures for every category.
    @Test func sanGongIsOneRuleForTheBudgetViewAndTable13() throws {
        let store = try seededStore()
        try mustPost(store, [
            d(["type": "appropriation", "id": "U-A", "date": "2023-01-01", "fund": "unit", "item": "2010350", "nature": "basic",
               "amount": "5000.00", "doc": "单位资金", "actor": "王会计"]),
            disbursement("S1", amount: "300.00", econ: "30217"),
            disbursement("S2", amount: "400.00", econ: "30231"),
            disbursement("S3", amount: "500.00", econ: "30913"),
            disbursement("S4", amount: "600.00", econ: "31013"),
            disbursement("S5", amount: "700.00", econ: "30212"),
            // Not 财政拨款: not “三公” in either view.
            d(["type": "disbursement", "id": "S6", "date": "2023-02-01", "fund": "unit", "item": "2010350", "econ": "30217",
               "nature": "basic", "amount": "800.00", "payee": "x", "voucher": "v", "actor": "李出纳"]),
        ])
        let view = BudgetReport(projection: try store.project(), year: 2023, view: .sangong, catalogue: catalogue)
        let t13 = try Reconciler.statements(store, year: 2023).table(13)!
        func row(_ code: String) -> Fen { view.rows.first { $0.code == code }!.figures.actual }
        func cell(_ part: StatementLayout.SanGongColumn) -> Fen { t13.cell(.total, StatementLayout.sanGong(.actual, part))!.value }
        #expect(view.total.actual == Fen(250_000))
        #expect(cell(.total) == view.total.actual)
        #expect(cell(.vehicles) == row("vehicles"))
        #expect(row("vehicles") == Fen(150_000))
        for k in SanGong.allCases { #expect(cell(.category(k)) == row(k.rawValue), "\(k)") }
        #expect(row(SanGong.vehiclePurchase.rawValue) == Fen(110_000))
        #expect(row(SanGong.reception.rawValue) == Fen(30_000))
    }

    /// 人员经费 and 公用经费 come from the catalogue's groups in `budget --by nature` and 表8 alike.
    @Test func personnelAndRunningAreOneRule() throws {
        let store = try seededStore()
        try mustPost(store, [disbursement("P1", amount: "100.00", econ: "30101"), disbursement("P2", amount: "20.00", econ: "30201"),
                             disbursement("P3", amount: "3.00", econ: "30399"), disbursement("P4", amount: "4.00", econ: "31002")])
        let view = BudgetReport(projection: try store.project(), year: 2023, view: .nature, catalogue: catalogue)
        let t8 = try Reconciler.statements(store, year: 2023).table(8)!
        let byCode = Dictionary(uniqueKeysWithValues: view.rows.map { ($0.code, $0.figures.actual) })
        #expect(byCode["personnel"] == t8.cell(StatementLayout.personnelTotal, StatementLayout.amount)!.value)
        #expect(byCode["running"] == t8.cell(StatementLayout.runningTotal, StatementLayout.amount)!.value)
        #expect(byCode["personnel"] == Fen(10_300) && byCode["running"] == Fen(2_400))
    }

    /// A catalogue without the rule data is refused before any figure is computed.
    @Test func aCatalogueMustDefineEveryRule() throws {
        let partial = try Catalogue(text: "fund\tgpb\t一般公共预算财政拨款\tgpb\ngroup\tpersonnel\t301,303\t人员经费\n", path: "c.tsv")
        #expect(partial.missingRules.contains("group 'sangong-reception'"))
        #expect(!partial.missingRules.contains("group 'personnel'"))
        #expect(throws: Catalogue.LoadError.self) { try Catalogue(text: "fund\tgpb\t一般公共预算财政拨款\n", path: "c.tsv") }
        #expect(throws: Catalogue.LoadError.self) { try Catalogue(text: "fund\tgpb\t一般公共预算财政拨款\tnope\n", path: "c.tsv") }
        #expect(throws: Catalogue.LoadError.self) { try Catalogue(text: "group\tsangong-x\t30217\tx\n", path: "c.tsv") }
        #expect(try Catalogue.builtIn().missingRules.isEmpty)
    }

    /// The one 万元 rounding: printed figures and the reconciler's printed-cell checks.
    @Test func wanRoundingIsOneRule() {
        for raw in [Int64(0), 4_999, 5_000, -5_000, 467_425_000, -467_424_999, 1_950_000] {
            let f = Fen(raw)
            #expect(f.wan == Fen.format(f.wanCents, scale: 100, decimals: 2, grouping: false))
        }
        #expect(Fen(5_000).wanCents == 1 && Fen(-5_000).wanCents == -1 && Fen(4_999).wanCents == 0)
    }

    /// Every identity names cells that exist, on the seed, on random open and closed years, and on
    /// a journal with almost nothing in it.
    @Test func everyIdentityResolvesEveryCell() throws {
        var stores = [Seed.store, try randomJournal(seed: 5, events: 300), try seededStore()]
        let closed = try seededStore()
        try mustPost(closed, [disbursement("D1", amount: "10.00")])
        _ = try closed.close(CloseRequest(year: 2023, actor: "王会计"))
        stores.append(closed)
        for store in stores {
            for year in [2023, 2024] {
                let s = try Reconciler.statements(store, year: year)
                let values = s.values
                let identities = Identities.all(s, catalogue: catalogue)
                #expect(identities.count > 100)
                for i in identities {
                    for ref in i.refs { #expect(values[ref] != nil, "\(i.name) names \(ref), which \(store.path) \(year) does not have") }
                }
            }
        }
    }

    /// An identity that names a cell the statements lack fails the reconciliation; it is never
    /// a silent zero.
    @Test func anIdentityNamingAMissingCellFails() throws {
        let s = try Reconciler.pass(Seed.store.openForReading(), Seed.store, year: 2023, keep: .none)
        var values = s.statements.values
        values[CellRef(8, StatementLayout.personnelTotal, StatementLayout.amount)] = nil
        let checks = Reconciler.checkIdentities(s.statements, values: values, catalogue: catalogue)
        let failing = checks.filter { !$0.unresolved.isEmpty }
        #expect(failing.contains { $0.identity.hasPrefix("T8 人员经费合计") })
        #expect(failing.contains { $0.identity == "T6 基本支出 = T8 人员经费 + 公用经费" })
    }

    /// Every cell's query comes from its address alone, and a trace resolves the same query.
    @Test func everyCellsQueryIsTheLayoutsQueryOfItsAddress() throws {
        let s = try Reconciler.statements(Seed.store, year: 2023)
        for t in s.tables {
            for (_, row, column, cell) in t.cells {
                #expect(StatementLayout.query(table: t.number, row: row.id, column: column.id, year: 2023, catalogue: catalogue) == cell.query)
            }
        }
        #expect(StatementLayout.query(table: 3, row: .total, column: ColumnID("no-such-column"), year: 2023, catalogue: catalogue) == nil)
        #expect(StatementLayout.query(table: 8, row: RowID("personnel"), column: StatementLayout.amount, year: 2023, catalogue: catalogue) == nil)
    }
}
