import Foundation
import Testing
@testable import Ledger

/// A deliberately naive second computation of budget against actual, straight from the raw
/// events: no `Projection`, no `Event.effects`, no shared column rule. Corrections find
/// their target by a linear search. Keyed by "year|fund|item|econ|nature|project".
func naiveFigures(_ events: [Event], asOf: CivilDate? = nil, untilSeq: Int? = nil) -> [String: [Int64]] {
    var out: [String: [Int64]] = [:]   // [initial, adjustments, actual, carried, prior-year]
    func key(_ year: Int, _ c: Classification) -> String {
        "\(year)|\(c.fund.rawValue)|\(c.item.rawValue)|\(c.econ?.rawValue ?? "")|\(c.nature == .basic ? "b" : "p")|\(c.project?.rawValue ?? "")"
    }
    func add(_ k: String, _ column: Int, _ v: Int64) {
        var row = out[k] ?? [0, 0, 0, 0, 0]
        row[column] += v
        out[k] = row
    }
    for e in events {
        if let n = untilSeq, e.seq > n { continue }
        if let a = asOf, e.date > a { continue }
        switch e.body {
        case .appropriation(let a):
            add(key(e.date.year, a.classification), (e.date.month, e.date.day) == (1, 1) ? 0 : 1, a.amount.raw)
        case .disbursement(let x):
            add(key(e.date.year, x.classification), 2, x.amount.raw)
        case .adjustment(let adj):
            switch adj.kind {
            case .budget(let c, let amount, _):
                add(key(e.date.year, c), 1, amount.raw)
            case .reversal(let t, let amount), .reclassification(let t, let amount, _):
                let target = events.first { $0.id == t }!
                var from: Classification, column: Int
                switch target.body {
                case .appropriation(let a): from = a.classification; column = (target.date.month, target.date.day) == (1, 1) ? 0 : 1
                case .disbursement(let x): from = x.classification; column = 2
                default: fatalError("not a correctable target")
                }
                if target.date.year < e.date.year { column = 4 }   // 以前年度调整
                add(key(e.date.year, from), column, -amount.raw)
                if case .reclassification(_, _, let to) = adj.kind { add(key(e.date.year, to), column, amount.raw) }
            }
        case .carryForward(let c):
            add(key(e.date.year, Classification(fund: c.line.fund, item: c.line.item, econ: nil, nature: c.line.nature, project: c.line.project)), 3, c.amount.raw)
        case .unit, .yearOpen, .close, .reopen, .fact, .access: break
        }
    }
    return out.filter { $0.value != [0, 0, 0, 0, 0] }
}

func flatten(_ p: Projection) -> [String: [Int64]] {
    var out: [String: [Int64]] = [:]
    for (k, f) in p.figures where !f.isZero {
        let c = k.classification
        out["\(k.year)|\(c.fund.rawValue)|\(c.item.rawValue)|\(c.econ?.rawValue ?? "")|\(c.nature == .basic ? "b" : "p")|\(c.project?.rawValue ?? "")"] =
            [f.initial.raw, f.adjustments.raw, f.actual.raw, f.carried.raw, f.priorYear.raw]
    }
    return out
}

@Suite struct ProjectionTests {
    @Test func rateHasTwoDecimalsAndNoneForAZeroBudget() {
        #expect(Percent(Fen(19_500_00), of: Fen(19_800_00))?.description == "98.48")
        #expect(Percent(Fen(1), of: Fen(1))?.description == "100.00")
        #expect(Percent(Fen(5), of: .zero) == nil)
        #expect(Percent(Fen(1), of: Fen(3))?.description == "33.33")
        #expect(Percent(Fen(2), of: Fen(3))?.description == "66.67")
        #expect(Percent(Fen(1), of: Fen(8))?.description == "12.50")   // exact
        #expect(Percent(Fen(1), of: Fen(80_000))?.description == "0.00")
        #expect(Percent(Fen(1), of: Fen(20_000))?.description == "0.01")  // 0.005% rounds half up
        #expect(Percent(Fen(-2779), of: Fen(79097))?.description == "-3.51")
    }

    @Test(arguments: [1 as UInt64, 2, 3, 4])
    func projectionAgreesWithANaiveRecomputation(seed: UInt64) throws {
        let store = try randomJournal(seed: seed, events: 600)
        let events = try store.events()
        let naive = naiveFigures(events)
        #expect(naive.count > 20)
        for parts in [1, 2, 3, 7] {
            #expect(flatten(try store.project(parts: parts)) == naive, "parts \(parts)")
        }
        var b = ProjectionBuilder()
        b.apply(events)
        #expect(flatten(b.projection) == naive)
    }

    @Test func replayingAPrefixThenTheRestEqualsTheWhole() throws {
        let store = try randomJournal(seed: 9, events: 500)
        let events = try store.events()
        let whole = try store.project()
        for cut in [1, 2, 100, 257, events.count - 1] {
            var b = ProjectionBuilder()
            b.apply(events[..<cut])
            #expect(flatten(b.projection) == naiveFigures(events, untilSeq: cut))
            #expect(flatten(try store.project(ProjectionFilter(untilSeq: cut))) == naiveFigures(events, untilSeq: cut))
            b.apply(events[cut...])
            #expect(flatten(b.projection) == flatten(whole))
        }
        #expect(whole.lastSeq == events.count)
        #expect(whole.events == events.count)
    }

    @Test func asOfTheLastDateEqualsTheWholeAndEachDateMatchesTheNaiveFigures() throws {
        let store = try randomJournal(seed: 11, events: 400)
        let events = try store.events()
        let last = events.map(\.date).max()!
        #expect(flatten(try store.project(ProjectionFilter(asOf: last))) == flatten(try store.project()))
        for day in ["2023-01-01", "2023-03-31", "2023-06-30", "2023-12-31", "2024-05-15"] {
            let date = CivilDate(day)!
            #expect(flatten(try store.project(ProjectionFilter(asOf: date))) == naiveFigures(events, asOf: date), "as of \(day)")
        }
    }

    @Test func aBackDatedCorrectionChangesTheFiguresOfItsDate() throws {
        let store = try seededStore()
        _ = try store.post([disbursement("D1", amount: "1000.00", date: "2023-03-10")])
        let before = try store.project(ProjectionFilter(asOf: CivilDate("2023-03-31")!))
        // Typed later, effective 2023-03-20: the March figures change, January's do not.
        _ = try store.post([d(["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "amount": "400.00",
                               "date": "2023-03-20", "actor": "王会计"])])
        let after = try store.project(ProjectionFilter(asOf: CivilDate("2023-03-31")!))
        let line = BudgetReport(projection: after, year: 2023, view: .item, catalogue: catalogue).rows.first { $0.code == "2010350" }!
        let old = BudgetReport(projection: before, year: 2023, view: .item, catalogue: catalogue).rows.first { $0.code == "2010350" }!
        #expect(old.figures.actual == Fen(100_000))
        #expect(line.figures.actual == Fen(60_000))
        let mid = try store.project(ProjectionFilter(asOf: CivilDate("2023-03-15")!))
        #expect(BudgetReport(projection: mid, year: 2023, view: .item, catalogue: catalogue).total.actual == Fen(100_000))
        // In audit order the journal after event 5 (the disbursement) still shows the full amount.
        let audit = try store.project(ProjectionFilter(untilSeq: 4))
        #expect(BudgetReport(projection: audit, year: 2023, view: .item, catalogue: catalogue).total.actual == Fen(100_000))
    }

    @Test func initialBudgetIsWhatWasAppropriatedOnTheFirstDay() throws {
        let store = try seededStore()
        _ = try store.post([
            d(["type": "appropriation", "id": "A3", "date": "2023-06-01", "fund": "gpb", "item": "2010350", "nature": "basic",
               "amount": "1000.00", "doc": "追加", "actor": "王会计"]),
            d(["type": "adjustment", "kind": "budget", "id": "B1", "date": "2023-07-01", "fund": "gpb", "item": "2010350", "nature": "basic",
               "amount": "-300.00", "doc": "调减", "actor": "王会计"]),
        ])
        let f = BudgetReport(projection: try store.project(), year: 2023, view: .item, catalogue: catalogue).rows.first { $0.code == "2010350" }!.figures
        #expect(f.initial == Fen(467_420_000))
        #expect(f.adjustments == Fen(70_000))
        #expect(f.budget == Fen(467_490_000))
    }

    @Test func viewsGroupAndTotal() throws {
        let store = try seededStore()
        let r = try store.post([
            disbursement("P1", amount: "100.00", econ: "30101"),
            disbursement("P2", amount: "20.00", econ: "30201"),
            disbursement("P3", amount: "3.00", econ: "30217"),
            disbursement("P4", amount: "4.00", econ: "30231"),
            disbursement("P5", amount: "5.00", econ: "30913"),
            d(["type": "disbursement", "id": "P6", "date": "2023-02-01", "fund": "gpb", "item": "2010399", "econ": "30227", "nature": "project",
               "project": "51050023T000008267900", "amount": "195000.00", "payee": "x", "voucher": "v", "actor": "李出纳"]),
        ])
        #expect(r.appended.count == 6, "\(r.rejections)")
        let p = try store.project()
        let item = BudgetReport(projection: p, year: 2023, view: .item, catalogue: catalogue)
        #expect(item.rows.map(\.code) == ["", "201", "20103", "2010350", "2010399"])
        #expect(item.rows[1].name == "一般公共服务支出")
        #expect(item.total.budget == Fen(467_420_000 + 19_800_000))
        #expect(item.total.actual == Fen(13_200 + 19_500_000))
        #expect(item.rows[4].figures.rate?.description == "98.48")
        let nature = BudgetReport(projection: p, year: 2023, view: .nature, catalogue: catalogue)
        let byCode = Dictionary(uniqueKeysWithValues: nature.rows.map { ($0.code, $0.figures.actual) })
        #expect(byCode["personnel"] == Fen(10_000))
        #expect(byCode["running"] == Fen(2_700))
        #expect(byCode["other"] == Fen(500))
        #expect(byCode["project"] == Fen(19_500_000))
        #expect(nature.total.actual == item.total.actual)
        let sangong = BudgetReport(projection: p, year: 2023, view: .sangong, catalogue: catalogue)
        #expect(sangong.total.actual == Fen(1_200))   // 30217 + 30231 + 30913 (公务用车购置, 基本建设)
        #expect(sangong.rows.first { $0.code == "vehicles" }!.figures.actual == Fen(900))
        let econ = BudgetReport(projection: p, year: 2023, view: .econ, catalogue: catalogue)
        #expect(econ.rows.first { $0.code == "302" }!.figures.actual == Fen(2_000 + 300 + 400 + 19_500_000))
        #expect(econ.total.actual == item.total.actual)
        let project = BudgetReport(projection: p, year: 2023, view: .project, catalogue: catalogue)
        #expect(project.rows.count == 2)
        #expect(project.total.budget == Fen(19_800_000))
        let fund = BudgetReport(projection: p, year: 2023, view: .fund, catalogue: catalogue)
        #expect(fund.rows.map(\.code) == ["", "gpb"])
        #expect(fund.total == item.total)
    }

    @Test func aDamagedLineStopsTheProjectionAtThatLine() throws {
        let store = try seededStore()
        _ = try store.post((1...5).map { disbursement("D\($0)", amount: "\($0).00") })
        var lines = readLines(store.path)
        lines[5] = lines[5].replacingOccurrences(of: "\"seq\":6", with: "\"seq\":9")
        writeLines(store.path, lines)
        #expect(throws: JournalError.self) { _ = try store.project() }
        do { _ = try store.project(parts: 1) } catch {
            guard case .damaged(_, let line, _) = error else { Issue.record("\(error)"); return }
            #expect(line == 6)
        }
    }

    /// The streamed export (one verified read, nothing held) writes exactly the lines of the
    /// whole-journal export, in every format, on a random journal and on one with items waiting
    /// for approval.
    @Test func theStreamedExportEqualsTheWholeOne() throws {
        let signed = try AccessTests.signedStore()
        let clerk = AccessTests.as_(signed, AccessTests.clerkKey)
        _ = try clerk.post([disbursement("D1", amount: "100.00")])
        _ = try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R1", "target": "D1", "amount": "10.00", "date": "2023-03-01", "actor": "李出纳"])])
        _ = try clerk.post([d(["type": "adjustment", "kind": "reversal", "id": "R2", "target": "D1", "amount": "5.00", "date": "2023-03-02", "actor": "李出纳"])])
        _ = try AccessTests.as_(signed, AccessTests.approverKey).post([d(["type": "approval", "target": "R2", "actor": "张审核"])])
        for store in [try randomJournal(seed: 9, events: 300), signed] {
            let events = try store.events()
            for format in ExportFormat.allCases {
                var body: [String] = []
                let preamble = try Export(format: format).stream(store) { body.append($0) }
                #expect(preamble + body == Export(format: format).document(events), "\(format)")
            }
        }
    }

    @Test func exportBalancesEqualTheProjection() throws {
        let store = try randomJournal(seed: 5, events: 300)
        let events = try store.events()
        let p = try store.project()
        for format in ExportFormat.allCases {
            let lines = Export(format: format).document(events)
            // Sum every posting line per account, reading the text the way the tools would.
            var balances: [String: Int64] = [:]
            for l in lines {
                let cells: [String]
                if format == .csv {
                    guard !l.hasPrefix("date,") else { continue }
                    let c = l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    cells = [c[3], c[4]]
                } else {
                    let t = l.trimmingCharacters(in: .whitespaces)
                    guard l.hasPrefix("  "), t.hasPrefix("Assets") || t.hasPrefix("Expenses") || t.hasPrefix("Income") else { continue }
                    let c = t.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    #expect(c.count == 3 && c[2] == "CNY")
                    cells = [c[0], c[1]]
                }
                guard case .success(let f) = Fen.parse(cells[1]) else { Issue.record("bad amount \(cells[1])"); continue }
                balances[cells[0], default: 0] += f.raw
            }
            for year in [2023, 2024] {
                let actual = balances.filter { $0.key.hasPrefix("Expenses:\(year):") }.values.reduce(0, +)
                let granted = balances.filter { $0.key.hasPrefix("Income:Appropriation:\(year):") }.values.reduce(0, +)
                let total = BudgetReport(projection: p, year: year, view: .item, catalogue: catalogue).total
                #expect(actual == total.actual.raw, "\(format) \(year)")
                #expect(-granted == total.budget.raw, "\(format) \(year)")
            }
            #expect(balances.values.reduce(0, +) == 0, "every transaction balances")
        }
    }
}
