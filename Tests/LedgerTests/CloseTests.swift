import Foundation
import Testing
@testable import Ledger

/// Year-end close, carry-forward, lock, prior-year adjustments, reopen, replay from a close.
@Suite struct CloseTests {
    /// seededStore's 2023 (basic 467.42万 on 2010350, project 198,000 on 2010399) with spending.
    func spent() throws -> JournalStore {
        let store = try seededStore()
        try mustPost(store, [
            disbursement("D1", amount: "1000.00"),
            d(["type": "disbursement", "id": "D2", "date": "2023-05-01", "fund": "gpb", "item": "2010399", "econ": "30227", "nature": "project",
               "project": "51050023T000008267900", "amount": "195000.00", "payee": "某公司", "voucher": "记-05-0001", "actor": "李出纳"]),
        ])
        return store
    }
    static let projectLine = BudgetLine(year: 2024, fund: FundCode(rawValue: "gpb")!, item: FunctionCode(rawValue: "2010399")!,
                                        nature: .project, project: ProjectCode(rawValue: "51050023T000008267900")!)

    func figures(_ store: JournalStore, _ year: Int, _ view: BudgetView = .item, _ code: String = "") throws -> Figures {
        BudgetReport(projection: try store.project(), year: year, view: view, catalogue: catalogue).rows.first { $0.code == code }?.figures ?? Figures()
    }

    func close(_ store: JournalStore, _ year: Int, carry: [String] = [], lapse: [String] = []) throws -> JournalStore.BatchResult {
        try store.close(CloseRequest(year: year, actor: "王会计", carry: carry.map { LineSelector($0)! }, lapse: lapse.map { LineSelector($0)! }))
    }

    @Test func closeRecordsEveryLineCarriesProjectsLapsesBasicAndOpensTheNextYear() throws {
        let store = try spent()
        let before = try figures(store, 2023)
        let r = try close(store, 2023)
        let events = r.appended
        #expect(events.count == 2)
        guard case .close(let c)? = events.first?.body else { Issue.record("no close: \(r)"); return }
        #expect(c.lines.count == 2)
        #expect(c.events == 5)
        #expect(c.budget == before.budget && c.actual == before.actual)
        #expect(c.carried == Fen(300_000))                     // the project's 3,000.00 carries
        #expect(c.lapsed == Fen(467_420_000 - 100_000))       // the basic balance lapses
        let lines = readLines(store.path)
        #expect(c.head == SHA256.hash(Array(lines[4].utf8)))   // the line before the close
        guard case .carryForward(let cf)? = events.last?.body else { Issue.record("no carry-forward"); return }
        #expect(cf.line == Self.projectLine && cf.amount == Fen(300_000))
        // 2024 is open, with the carried balance as 年初结转和结余; 2023 is unchanged.
        #expect(try figures(store, 2023) == before)
        let next = try figures(store, 2024, .project, "51050023T000008267900")
        #expect(next.carried == Fen(300_000) && next.budget == Fen(300_000) && next.actual == .zero)
        try mustPost(store, [d(["type": "disbursement", "id": "N1", "date": "2024-02-01", "fund": "gpb", "item": "2010399", "econ": "30227",
                                "nature": "project", "project": "51050023T000008267900", "amount": "3000.00", "payee": "某公司",
                                "voucher": "记-02-0001", "actor": "李出纳"])])
        #expect(try figures(store, 2024, .project, "51050023T000008267900").available == .zero)
        #expect(damagedLine(store) == nil)
    }

    @Test func overridesChooseCarryOrLapsePerLineOrProject() throws {
        let store = try spent()
        let r = try close(store, 2023, carry: ["2010350"], lapse: ["51050023T000008267900"])
        guard case .close(let c)? = r.appended.first?.body else { Issue.record("\(r)"); return }
        #expect(c.carried == Fen(467_420_000 - 100_000))
        #expect(c.lapsed == Fen(300_000))
        #expect(try figures(store, 2024).carried == Fen(467_420_000 - 100_000))
        #expect(try figures(store, 2024, .project, "51050023T000008267900").isZero)
        let both = try spent()
        #expect(try close(both, 2023, carry: ["2010350"], lapse: ["gpb/2010350/basic"]).rejections.map(\.code) == [.malformedField])
    }

    @Test func aClosedYearIsLockedAndSaysHowToCorrectIt() throws {
        let store = try spent()
        _ = try close(store, 2023)
        for draft in [disbursement("L1", amount: "1.00", date: "2023-12-31"),
                      d(["type": "appropriation", "id": "L2", "date": "2023-06-01", "fund": "gpb", "item": "2010350", "nature": "basic",
                         "amount": "1.00", "doc": "x", "actor": "王会计"]),
                      d(["type": "adjustment", "kind": "reversal", "id": "L3", "target": "D1", "amount": "1.00", "date": "2023-12-31", "actor": "张审核"])] {
            let r = try store.post([draft]).rejections
            #expect(r.map(\.code) == [.yearClosed])
            #expect(r.first?.message.contains("prior-year adjustment") == true)
            #expect(r.first?.message.contains("fledger reopen --year 2023") == true)
        }
    }

    @Test func closingTwiceOrOutOfOrderIsRejected() throws {
        let store = try spent()
        try mustPost(store, [d(["type": "year_open", "year": "2024", "actor": "王会计"])])
        let early = try close(store, 2024).rejections
        #expect(early.map(\.code) == [.closeOutOfOrder])
        #expect(early.first?.message.contains("close 2023 before 2024") == true)
        #expect(try close(store, 2023).appended.count == 2)
        let twice = try close(store, 2023).rejections
        #expect(twice.map(\.code) == [.yearClosed])
        #expect(twice.first?.message.contains("already closed") == true)
        #expect(try close(store, 2026).rejections.map(\.code) == [.yearNotOpen])
        #expect(try store.post([d(["type": "reopen", "year": "2024", "reason": "x", "actor": "王会计"])]).rejections.map(\.code) == [.yearNotClosed])
        #expect(try close(store, 2024).appended.count >= 1)
        let reopenOld = try store.post([d(["type": "reopen", "year": "2023", "reason": "x", "actor": "王会计"])]).rejections
        #expect(reopenOld.map(\.code) == [.closeOutOfOrder])
        #expect(reopenOld.first?.message.contains("reopen 2024 first") == true)
    }

    @Test func aCloseWhoseFiguresDoNotMatchTheJournalIsRejected() throws {
        let store = try spent()
        let wrong = "gpb 2010350 basic - 467420000 100001 lapse;gpb 2010399 project 51050023T000008267900 19800000 19500000 carry"
        let r = try store.post([d(["type": "close", "year": "2023", "actor": "王会计", "lines": wrong])]).rejections
        #expect(r.map(\.code) == [.closeMismatch])
        #expect(r.first?.message.contains("the journal before it gives") == true)
        let missing = try store.post([d(["type": "close", "year": "2023", "actor": "王会计", "lines": "gpb 2010350 basic - 467420000 100000 lapse"])]).rejections
        #expect(missing.map(\.code) == [.closeMismatch])
        // A carry-forward the close did not ask for.
        _ = try close(store, 2023)
        let extra = try store.post([d(["type": "carry_forward", "close": "2023-CLOSE", "date": "2024-01-01", "fund": "gpb", "item": "2010350",
                                       "nature": "basic", "amount": "5.00", "actor": "王会计"])]).rejections
        #expect(extra.map(\.code) == [.closeMismatch])
    }

    @Test func aCheckpointAfterACloseKeepsTheCloseState() throws {
        var store = try spent()
        store.checkpointEvery = 1   // a checkpoint after every post
        _ = try close(store, 2023)
        try mustPost(store, [d(["type": "reopen", "year": "2023", "reason": "补记", "actor": "王会计"])])
        _ = try close(store, 2023)
        let cp = Checkpoint.decode(Array(FileManager.default.contents(atPath: store.path + ".fledger-checkpoint")!))
        #expect(cp?.state.closes[2023]?.id.rawValue.hasPrefix("2023-CLOSE-") == true)
        #expect(cp?.state.closes[2023]?.carried.values.first == Fen(300_000))
        let report = try store.verify()   // compares the checkpoint with a full replay
        #expect(report.notes.contains { $0.contains("agrees with the replay") }, "\(report.notes)")
        // A post that starts from the checkpoint still knows 2023 is closed.
        #expect(try store.post([disbursement("L1", amount: "1.00", date: "2023-12-31")]).rejections.map(\.code) == [.yearClosed])
    }

    @Test func anOverspentLineMustBeCoveredBeforeTheClose() throws {
        let store = try spent()
        try mustPost(store, [disbursement("O1", amount: "4700000.00", override: "紧急支付，待追加预算")])
        let r = try close(store, 2023).rejections
        #expect(r.map(\.code) == [.insufficientBudget])
        #expect(r.first?.message.contains("overspent by 26,800.00") == true)
        try coverOverspending(store, year: 2023)
        #expect(try close(store, 2023).appended.count == 2)
    }

    @Test func priorYearAdjustmentAfterTheClose() throws {
        let store = try spent()
        // Before the close, a 2024 correction of a 2023 event is refused.
        try mustPost(store, [d(["type": "year_open", "year": "2024", "actor": "王会计"])])
        let early = try store.post([d(["type": "adjustment", "kind": "reversal", "id": "P0", "target": "D1", "amount": "100.00",
                                       "date": "2024-01-10", "actor": "张审核"])]).rejections
        #expect(early.map(\.code) == [.invalidTarget])
        _ = try close(store, 2023)
        let closed2023 = try figures(store, 2023)
        let r = try store.post([d(["type": "adjustment", "kind": "reversal", "id": "P1", "target": "D1", "amount": "100.00",
                                   "date": "2024-01-10", "actor": "张审核", "memo": "退回2023年多付款"])])
        guard case .adjustment(let adj)? = r.appended.first?.body else { Issue.record("\(r)"); return }
        #expect(adj.priorYear == 2023)
        #expect(readLines(store.path).last { !$0.isEmpty }!.contains("\"prior_year\":2023"))
        // The closed year is as it was closed; 2024 shows the adjustment in its own column.
        #expect(try figures(store, 2023) == closed2023)
        let f2024 = try figures(store, 2024)
        #expect(f2024.priorYear == Fen(-10_000) && f2024.actual == .zero)
        // A closed year's appropriation is final.
        let appr = try store.post([d(["type": "adjustment", "kind": "reversal", "target": "A1", "amount": "1.00", "date": "2024-01-10", "actor": "x"])]).rejections
        #expect(appr.map(\.code) == [.invalidTarget])
        // The trail shows it as what it is.
        let trail = try store.events().filter { Trail.target(of: $0) == EventID(rawValue: "D1") }
        #expect(trail.count == 1)
        #expect(damagedLine(store) == nil)
    }

    @Test func reopenAndRecloseCarryOnlyTheDifference() throws {
        let store = try spent()
        _ = try close(store, 2023)
        let reopen = try store.post([d(["type": "reopen", "year": "2023", "reason": "补记12月项目支出", "actor": "王会计"])])
        #expect(reopen.appended.count == 1)
        #expect(try store.post([d(["type": "reopen", "year": "2023", "reason": "", "actor": "王会计"])]).rejections.map(\.code) == [.missingField])
        try mustPost(store, [d(["type": "disbursement", "id": "D3", "date": "2023-12-30", "fund": "gpb", "item": "2010399", "econ": "30227",
                                "nature": "project", "project": "51050023T000008267900", "amount": "1000.00", "payee": "某公司",
                                "voucher": "记-12-0001", "actor": "李出纳"])])
        let again = try close(store, 2023)
        guard case .close(let c)? = again.appended.first?.body, case .carryForward(let cf)? = again.appended.last?.body else {
            Issue.record("\(again)"); return
        }
        #expect(c.carried == Fen(200_000))
        #expect(cf.amount == Fen(-100_000))     // 2,000 now, less the 3,000 already carried
        #expect(try figures(store, 2024, .project, "51050023T000008267900").carried == Fen(200_000))
        #expect(try store.post([disbursement("L1", amount: "1.00", date: "2023-12-31")]).rejections.map(\.code) == [.yearClosed])
        #expect(damagedLine(store) == nil)
    }

    @Test(arguments: [21 as UInt64, 22, 23])
    func replayFromACloseEqualsTheFullReplay(seed: UInt64) throws {
        let store = JournalStore(path: tempDir() + "/c.jsonl", catalogue: catalogue, clock: testClock)
        _ = try store.initialise(d(["unit": "505001", "name": "测试单位", "date": "2023-01-01", "actor": "王会计", "id": "U"])).get()
        var poster = RandomPoster(seed: seed)
        var rng = SeededRandom(seed: seed &+ 99)
        for year in [2023, 2024] {
            try mustPost(store, poster.drafts(250, years: [year]))
            // Random dispositions: each 项 either carries or lapses.
            let carry = RandomPoster.items.filter { _ in rng.next() % 2 == 0 }
            let lapse = RandomPoster.items.filter { !carry.contains($0) }
            try coverOverspending(store, year: year)
            let r = try close(store, year, carry: carry, lapse: lapse)
            #expect(r.appended.count >= 1, "\(r)")
            poster.closedYears.insert(year)
        }
        try mustPost(store, poster.drafts(250, years: [2025]))
        let events = try store.events()
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0.id, $0) })
        let full = try store.project()
        #expect(events.contains { if case .adjustment(let a) = $0.body { return a.priorYear != nil }; return false })
        for year in [2023, 2024] {
            let i = events.firstIndex { if case .close(let c) = $0.body { return c.year == year }; return false }!
            var b = ProjectionBuilder(from: events[i], lookup: { byID[$0] })!
            b.apply(events[(i + 1)...])
            #expect(b.projection.lines(year: year + 1).map(\.figures) == full.lines(year: year + 1).map(\.figures), "from the close of \(year)")
            #expect(b.projection.lines(year: year + 1).map(\.classification) == full.lines(year: year + 1).map(\.classification))
            #expect(!full.lines(year: year + 1).isEmpty)
        }
        #expect(flatten(full) == naiveFigures(events))
        #expect(damagedLine(store) == nil)
    }

    /// Rewrites line `n` (1-based) with `edit` applied to its event, and re-chains every line
    /// after it, as a tamperer who knows the format would; removes the side files.
    func tamper(_ store: JournalStore, line n: Int, _ edit: (inout Event) -> Void) {
        var lines = readLines(store.path).filter { !$0.isEmpty }
        var prev = n == 1 ? SHA256.Digest.zero : SHA256.hash(Array(lines[n - 2].utf8))
        for i in (n - 1)..<lines.count {
            var e = try! Array(lines[i].utf8).withUnsafeBytes { try EventCodec.decode($0) }.event
            if i == n - 1 { edit(&e) }
            let bytes = EventCodec.encode(e, prev: prev)
            lines[i] = String(decoding: bytes, as: UTF8.self)
            prev = SHA256.hash(bytes)
        }
        writeLines(store.path, lines + [""])
        unlink(store.path + ".fledger-checkpoint")
        try! SideFile.write(store.path + ".fledger-head", Array("\(lines.count) \(prev.hex)\n".utf8), ops: .system)
    }

    @Test func aTamperedCloseIsCaughtEvenWithTheChainRecomputed() throws {
        let store = try spent()
        _ = try close(store, 2023)
        #expect(damagedLine(store) == nil)
        tamper(store, line: 6) { e in
            guard case .close(var c) = e.body else { return }
            c.lines[0].actual = Fen(c.lines[0].actual.raw - 50_000)   // hide 500.00 of spending
            e.body = .close(c)
        }
        do { _ = try store.verify(); Issue.record("verify passed a tampered close") } catch {
            guard case .damaged(_, let line, let reason) = error else { Issue.record("\(error)"); return }
            #expect(line == 6)
            #expect(reason.contains("close_mismatch"))
        }
        let other = try spent()
        _ = try close(other, 2023)
        tamper(other, line: 6) { e in
            guard case .close(var c) = e.body else { return }
            c.head = SHA256.hash(Array("elsewhere".utf8))
            e.body = .close(c)
        }
        #expect(damagedLine(other) == 6)
    }

    static let coveredCodes: Set<RejectionCode> = [.yearClosed, .yearNotClosed, .closeOutOfOrder, .closeMismatch]
}

/// A re-close that carries less than the close before it, after next year spent the carried
/// balance, must not leave next year overspent without a word.
@Suite struct RecloseBudgetControlTests {
    func project(_ id: String, _ amount: String, _ date: String) -> Draft {
        d(["type": "disbursement", "id": id, "date": date, "fund": "gpb", "item": "2010399", "econ": "30227", "nature": "project",
           "project": "51050023T000008267900", "amount": amount, "payee": "某公司", "voucher": "记-\(id)", "actor": "李出纳"])
    }

    func scenario() throws -> JournalStore {
        let store = JournalStore(path: tempDir() + "/r.jsonl", catalogue: catalogue, clock: testClock)
        _ = try store.initialise(d(["unit": "505001", "name": "测试单位", "date": "2023-01-01", "actor": "王会计", "id": "U"])).get()
        try mustPost(store, [
            d(["type": "appropriation", "id": "A", "date": "2023-01-01", "fund": "gpb", "item": "2010399", "nature": "project",
               "project": "51050023T000008267900", "amount": "100.00", "doc": "批复", "actor": "王会计"]),
            project("D1", "60.00", "2023-03-01"),
        ])
        #expect(try store.close(CloseRequest(year: 2023, actor: "王会计")).appended.count == 2)   // 40.00 carried
        try mustPost(store, [project("D2", "40.00", "2024-02-01"),
                             d(["type": "reopen", "year": "2023", "reason": "补记", "actor": "王会计"]),
                             project("D3", "30.00", "2023-12-30")])
        return store
    }

    @Test func aRecloseThatWouldOverspendNextYearIsRefused() throws {
        let store = try scenario()
        let r = try store.close(CloseRequest(year: 2023, actor: "王会计"))
        #expect(r.rejections.map(\.code) == [.insufficientBudget], "\(r)")
        #expect(r.rejections.first?.message.contains("2024/gpb/2010399/project/51050023T000008267900") == true)
        #expect(r.rejections.first?.field == "lines")
        #expect(damagedLine(store) == nil)
    }

    @Test func anOverriddenRecloseIsRecordedAndVerifies() throws {
        let store = try scenario()
        let r = try store.close(CloseRequest(year: 2023, actor: "王会计", override: "2024年已支出，另行追加预算"))
        guard case .close(let c)? = r.appended.first?.body else { Issue.record("\(r)"); return }
        #expect(c.override == "2024年已支出，另行追加预算")
        #expect(readLines(store.path).contains { $0.contains(#""override":"2024年已支出，另行追加预算""#) && $0.contains(#""type":"close""#) })
        #expect(damagedLine(store) == nil)
        #expect(try store.close(CloseRequest(year: 2024, actor: "王会计")).rejections.map(\.code) == [.insufficientBudget])
    }
}
