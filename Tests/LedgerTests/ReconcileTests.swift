import Foundation
import Testing
@testable import Ledger
@testable import Reconcile

@Suite struct ReconcileTests {
    static let seed = Seed.store

    /// A short account of what did not tie.
    static func why(_ r: Reconciliation) -> String {
        (r.mismatches.prefix(3).map { "\($0.ref): \($0.statement.raw) vs \($0.recomputed.raw)" }
         + r.identityFailures.prefix(3).map { "\($0.identity) \($0.lhs): 分 diff \($0.difference.raw), printed diff \($0.printedDifference)" }).joined(separator: "; ")
    }

    @Test func theSeedYearReconcilesAndListsItsRoundingDifferences() throws {
        let (s, r) = try Reconciler.reconcile(Self.seed, year: 2023)
        #expect(s.tables.map(\.number) == Array(1...13))
        #expect(!s.provisional)
        let passed = r.passed
        #expect(passed, "\(Self.why(r))")
        #expect(r.cells.count > 1000)
        #expect(r.identities.count > 500)
        // The seed's own: 基本支出 613.28 against 人员经费 539.65 + 公用经费 73.64 = 613.29.
        #expect(r.roundingDifferences.contains { $0.identity == "T6 基本支出 = T8 人员经费 + 公用经费" && $0.printedDifference == -1 })
        #expect(r.events == Seed.events.count)
    }

    @Test func everyTraceSumsToItsCell() throws {
        let s = try Reconciler.pass(Self.seed.openForReading(), Self.seed, year: 2023, keep: .all)
        var n = 0
        for t in s.statements.tables {
            for (_, row, column, cell) in t.cells {
                let terms = s.contributions.terms(cell.query)
                #expect(Fen(terms.reduce(0) { $0 + $1.signed.raw }) == cell.value, "T\(t.number)[\(row.code)][\(column)]")
                n += 1
            }
        }
        #expect(n > 1000)
        let trace = try Reconciler.trace(Self.seed, year: 2023, table: 13, row: "total", column: "决算数:公务接待费")!
        #expect(trace.terms.count == 2 && trace.sum == Fen(210_000))
        #expect(trace.terms.map(\.event.memo).allSatisfy { $0.contains("接待") })
        #expect(try Reconciler.trace(Self.seed, year: 2023, table: 13, row: "nope", column: "x") == nil)
    }

    /// Each identity, made inconsistent by moving one 分 in the cell it constrains, fails, and
    /// names that cell; nothing else about the statements changes.
    @Test func eachIdentityFailsWhenItsInputsAreInconsistent() throws {
        let s = try Reconciler.pass(Self.seed.openForReading(), Self.seed, year: 2023, keep: .all)
        let values = s.statements.values
        let identities = Identities.all(s.statements, catalogue: catalogue)
        #expect(Reconciler.checkIdentities(s.statements, values: values, catalogue: catalogue).allSatisfy { $0.difference == .zero })
        var kinds = Set<String>()
        for i in identities {
            var bent = values
            bent[i.lhs] = Fen((values[i.lhs] ?? .zero).raw + 1)
            let failing = Reconciler.checkIdentities(s.statements, values: bent, catalogue: catalogue).filter { $0.difference != .zero }
            #expect(failing.contains { $0.identity == i.name && $0.lhs == i.lhs && $0.difference == Fen(1) }, "\(i.name) \(i.lhs)")
            kinds.insert(i.name.replacingOccurrences(of: #"\[.*\]"#, with: "", options: .regularExpression))
        }
        // Every identity of DOMAIN.md §6 is among them.
        for name in ["T1 收入总计 = 支出总计", "T1 本年收入合计 = T2 合计", "T1 本年支出合计 = T3 合计", "T2 财政拨款收入 = T4 本年收入合计",
                     "T4 一般公共预算支出 = T6 合计", "T6 基本支出 = T8 人员经费 + 公用经费", "T6 项目支出 = T9 合计",
                     "T8 人员经费合计 = 301 + 303", "T8 公用经费合计 = 302 + 310", "T13 决算数 合计 = 出国 + 用车小计 + 接待",
                     "T13 预算数 小计 = 购置 + 运行维护", "T3 本年支出合计 = 基本 + 项目 + 上缴上级 + 经营 + 对附属单位补助",
                     "T2 本年收入合计 = Σ 来源", "T10 年末 = 年初 + 本年收入 − 本年支出"] {
            #expect(kinds.contains(name), "missing identity \(name)")
        }
        #expect(kinds.contains { $0.hasPrefix("T4 一般公共预算财政拨款 年末 = 年初 + 本年收入 − 本年支出") })
        #expect(kinds.contains { $0.hasPrefix("T13 决算数 公务接待费 = T5") })
    }

    @Test func aWrongCellIsNamedWithBothValuesAndItsEvents() throws {
        let s = try Reconciler.pass(Self.seed.openForReading(), Self.seed, year: 2023, keep: .all)
        var tables = s.statements.tables
        let k = tables.firstIndex { $0.number == 6 }!
        let r = tables[k].blocks[0].rows.firstIndex { $0.code == "2010399" }!
        tables[k].blocks[0].rows[r].cells[2]!.value.raw += 100   // 项目支出 of 2010399, one yuan too much
        let bent = Statements(year: 2023, provisional: false, tables: tables)
        let rec = Reconciler.check(bent, against: s.contributions, catalogue: catalogue, journal: "j", events: 1, head: .zero)
        let passed = rec.passed
        #expect(!passed)
        let m = rec.mismatches.first { $0.ref == CellRef(6, RowID("2010399"), StatementLayout.project) }
        #expect(m?.statement.raw == 149_900_000 + 100 && m?.recomputed.raw == 149_900_000)
        #expect(m?.events.count ?? 0 > 40)   // the project disbursements behind the cell
        #expect(rec.identityFailures.contains { $0.lhs == CellRef(6, RowID("2010399"), StatementLayout.total) && $0.difference == Fen(-100) })
    }

    @Test func aTamperedJournalFailsWithTheLineAtFault() throws {
        let store = try seededStore()
        try mustPost(store, [disbursement("D1", amount: "100.00"), disbursement("D2", amount: "200.00")])
        var lines = readLines(store.path)
        lines[3] = lines[3].replacingOccurrences(of: "\"amount\":10000", with: "\"amount\":10001")
        writeLines(store.path, lines)
        do { _ = try Reconciler.reconcile(store, year: 2023); Issue.record("reconciled a tampered journal") } catch {
            guard case .damaged(_, let line, _) = error else { Issue.record("\(error)"); return }
            #expect(line == 4)
        }
    }

    /// Traces every `step`-th cell of `year` both ways, the parallel unverified read and the
    /// verified one, and checks they agree on the cell and on every term, in order. Returns how
    /// many cells had events behind them.
    static func tracesAgree(_ store: JournalStore, year: Int, step: Int = 1, tables: ClosedRange<Int> = 1...13) throws -> Int {
        let statements = try Reconciler.statements(store, year: year)
        var k = 0, nonEmpty = 0
        for t in statements.tables where tables.contains(t.number) {
            for (_, row, column, _) in t.cells {
                k += 1
                guard k % step == 0 else { continue }
                let fast = try #require(try Reconciler.trace(store, year: year, table: t.number, row: row.id.rawValue, column: column.id.rawValue))
                let slow = try #require(try Reconciler.trace(store, year: year, table: t.number, row: row.id.rawValue, column: column.id.rawValue, verified: true))
                let where_ = "\(year) T\(t.number)[\(row.id.rawValue)][\(column.id.rawValue)]"
                #expect(fast.cell.value == slow.cell.value, "\(where_)")
                #expect(fast.sum == fast.cell.value, "\(where_)")
                #expect(fast.terms.map { "\($0.event.seq) \($0.kind) \($0.signed.raw)" } == slow.terms.map { "\($0.event.seq) \($0.kind) \($0.signed.raw)" }, "\(where_)")
                if !slow.terms.isEmpty { nonEmpty += 1 }
            }
        }
        return nonEmpty
    }

    @Test func theParallelTraceEqualsTheVerifiedOne() throws {
        #expect(try Self.tracesAgree(Self.seed, year: 2023, step: 17) > 20)
        let random = try randomJournal(seed: 31, events: 400)
        #expect(try Self.tracesAgree(random, year: 2023, step: 29) > 5)
    }

    @Test func anOpenYearIsProvisionalAndStillTies() throws {
        let store = try randomJournal(seed: 31, events: 400)
        for year in [2023, 2024] {
            let (s, r) = try Reconciler.reconcile(store, year: year)
            #expect(s.provisional)
            let passed = r.passed
            #expect(passed, "\(year): \(Self.why(r))")
        }
    }

    @Test func closedRandomYearsWithCarryForwardAndPriorYearAdjustmentsTie() throws {
        let store = JournalStore(path: tempDir() + "/c.jsonl", catalogue: catalogue, clock: testClock)
        _ = try store.initialise(d(["unit": "505001", "name": "测试单位", "date": "2023-01-01", "actor": "王会计", "id": "U"])).get()
        var poster = RandomPoster(seed: 77)
        for year in [2023, 2024] {
            try mustPost(store, poster.drafts(200, years: [year]))
            try coverOverspending(store, year: year)
            _ = try store.close(CloseRequest(year: year, actor: "王会计"))
            poster.closedYears.insert(year)
        }
        try mustPost(store, poster.drafts(100, years: [2025]))
        for year in [2023, 2024, 2025] {
            let (s, r) = try Reconciler.reconcile(store, year: year)
            #expect(s.provisional == (year == 2025))
            let passed = r.passed
            #expect(passed, "\(year): \(Self.why(r))")
            if year == 2024 { #expect(s.table(1)!.cell(row: "carried-in", column: "决算数")!.value > .zero) }
            // Closes, carry-forwards and lapses trace the same on both paths.
            #expect(try Self.tracesAgree(store, year: year, step: 53) > 3)
        }
    }

    @Test func aProofStillHoldsForTheClosedYearAfterALaterPost() throws {
        let store = try seededStore()
        try mustPost(store, [disbursement("D1", amount: "100.00")])
        _ = try store.close(CloseRequest(year: 2023, actor: "王会计"))
        let (_, r) = try Reconciler.reconcile(store, year: 2023)
        let passed = r.passed
        #expect(passed, "\(Self.why(r))")
        let proof = Proof.decode(Data(Proof(r, failures: []).json().utf8))!
        #expect(proof.events == r.events && proof.head == r.head.hex)
        // Later posts in the open year, including a prior-year adjustment of 2023's spending.
        try mustPost(store, [disbursement("N1", amount: "5.00", date: "2024-02-01", override: "2024 预算未下达，先行支付"),
                             d(["type": "adjustment", "kind": "reversal", "id": "P1", "target": "D1", "amount": "10.00", "date": "2024-02-02", "actor": "张审核"])])
        let again = try Reconciler.recheck(proof, store: store)
        #expect(again.holds)
        #expect(again.prefixIntact && again.appended == 2)
        // Reopening 2023 and posting in it changes the proven cells: the recheck says which.
        try mustPost(store, [d(["type": "reopen", "year": "2023", "reason": "补记", "actor": "王会计"]), disbursement("D9", amount: "1.00", date: "2023-12-31")])
        let after = try Reconciler.recheck(proof, store: store)
        #expect(!after.holds)
        #expect(after.changed.contains { $0.ref == CellRef(1, StatementLayout.expenseTotal, StatementLayout.amount) && $0.before == Fen(10_000) && $0.now == Fen(10_100) })
    }
}

/// The verified read streams the journal in chunks: whatever the chunk size, the same
/// verification, statements, proof and damage report.
@Suite struct VerifiedReadTests {
    @Test func chunkSizeChangesNothing() throws {
        let store = try randomJournal(seed: 44, events: 500)
        var small = store
        small.readChunk = 700   // a few lines per chunk; lines are longer than 300 bytes
        let (s1, r1) = try Reconciler.reconcile(store, year: 2023)
        let (s2, r2) = try Reconciler.reconcile(small, year: 2023)
        #expect(s1.values == s2.values)
        #expect(r1.passed && r2.passed)
        #expect(r1.identities.count == r2.identities.count && r1.roundingDifferences.count == r2.roundingDifferences.count)
        #expect(try store.verify().head == small.verify().head)
        let cell = s1.table(3)!.cells.first { $0.row.id == .total && $0.column.id == StatementLayout.total }!
        let t1 = try Reconciler.trace(store, year: 2023, table: 3, row: "total", column: "total")!
        let t2 = try Reconciler.trace(small, year: 2023, table: 3, row: "total", column: "本年支出合计")!
        #expect(t1.sum == cell.cell.value && t2.sum == cell.cell.value && t1.terms.count == t2.terms.count)
        // Damage is reported at the same line either way.
        var lines = readLines(store.path)
        lines[200] = lines[200].replacingOccurrences(of: "\"actor\":\"", with: "\"actor\":\"x")
        writeLines(store.path, lines)
        #expect(damagedLine(store) == 201)
        #expect(damagedLine(small) == 201)
    }

    @Test func aProofNamingACellTheStatementsLackDoesNotHold() throws {
        let store = try seededStore()
        try mustPost(store, [disbursement("D1", amount: "100.00")])
        let (_, r) = try Reconciler.reconcile(store, year: 2023)
        var proof = Proof(r, failures: [])
        proof.cells.append(.init(table: 3, row: "total", column: "no-such-column", fen: 0))
        let again = try Reconciler.recheck(proof, store: store)
        #expect(!again.holds)
        #expect(again.changed.contains { $0.ref.column.rawValue == "no-such-column" && $0.now == nil })
        // A proof in the old format (cells named by printed labels) is not read as this one.
        var old = Proof(r, failures: [])
        old.format = "fledger-proof/1"
        #expect(Proof.decode(Data(old.json().utf8)) == nil)
    }
}
