import Ledger

/// The reconciler's own reading of the journal: what each raw event contributes to a fiscal
/// year, per classification, computed straight from the events (no projection, no
/// `Event.effects`, no statement code). Cells are re-derived from these; `trace` lists them.
public struct Contribution: Sendable {
    public enum Kind: String, Sendable { case actual, granted, initial, carriedIn, carriedOut, lapsed }
    public let kind: Kind
    public let fund: FundCode
    public let item: FunctionCode
    public let econ: EconomicCode?
    public let nature: Nature
    public let project: ProjectCode?
    public let amount: Fen
}

/// A year's contributions, accumulated event by event as a verified read hands them over:
/// sums per kind and full classification (memory follows the number of classifications), plus
/// the events behind the cells a caller asked to keep (for `trace`, or to name the events of a
/// cell that does not tie).
public struct YearContributions: Sendable {
    /// Which events to keep with their contributions.
    public enum Keep: Sendable {
        case none
        /// Those that contribute to any of these cells.
        case matching([CellQuery])
        /// Every one (an in-memory journal, tests).
        case all
    }

    public let year: Int
    let keep: Keep
    /// Contributions summed per kind and full classification, the standing close's excluded.
    private var running: [SumKey: Fen] = [:]
    /// Kept events and what each contributes, the standing close's excluded.
    private var keptTerms: [(event: Event, contribution: Contribution)] = []
    /// The year's standing close (the last one no reopening undid) and its contributions.
    private var standing: (event: Event, contributions: [Contribution])?

    // Built by `finished()`: the sums with the standing close, and for each item prefix ("",
    // 类, 款, 项) and each project the positions of its sums (a cell adds up a few of a few
    // thousand, a thousand cells over).
    private var sums: [(key: SumKey, value: Fen)] = []
    private var keysUnder: [String: [Int32]] = [:]
    private var keysOfProject: [ProjectCode: [Int32]] = [:]

    struct SumKey: Hashable, Sendable {
        let kind: Contribution.Kind, fund: FundCode, item: FunctionCode, econ: EconomicCode?, nature: Nature, project: ProjectCode?
    }

    public init(year: Int, keep: Keep = .none) {
        self.year = year
        self.keep = keep
    }

    /// An in-memory journal's contributions, every event kept (corrections find their targets
    /// among the events before them).
    public init(events: [Event], year: Int) {
        self.init(year: year, keep: .all)
        var byID: [EventID: Event] = [:]
        var gate = ApprovalGate()
        for e in events {
            var target: Event?
            if case .adjustment(let adj) = e.body {
                switch adj.kind {
                case .budget: break
                case .reversal(let t, _), .reclassification(let t, _, _): target = byID[t]
                }
            }
            for (x, t) in gate.pass(e, target: target) { add(x, target: t) }
            byID[e.id] = e
        }
        self = finished()
    }

    /// The year's standing close, if any.
    public var close: Event? { standing?.event }
    public var provisional: Bool { standing == nil }

    /// Takes one event (in journal order), with the event it corrects if it is a correction.
    public mutating func add(_ e: Event, target: Event?) {
        var out: [Contribution] = []
        func add(_ k: Contribution.Kind, _ c: Classification, _ a: Fen) {
            out.append(Contribution(kind: k, fund: c.fund, item: c.item, econ: c.econ, nature: c.nature, project: c.project, amount: a))
        }
        func budgetLine(_ l: BudgetLine) -> Classification {
            Classification(fund: l.fund, item: l.item, econ: nil, nature: l.nature, project: l.project)
        }
        switch e.body {
        case .appropriation(let a):
            guard e.date.year == year else { return }
            add(.granted, a.classification, a.amount)
            if InitialBudget.contains(e.date) { add(.initial, a.classification, a.amount) }
        case .disbursement(let d):
            guard e.date.year == year else { return }
            add(.actual, d.classification, d.amount)
        case .adjustment(let adj):
            guard e.date.year == year, adj.priorYear == nil else { return }
            switch adj.kind {
            case .budget(let c, let amount, _):
                add(.granted, c, amount)
            case .reversal(_, let amount), .reclassification(_, let amount, _):
                var to: Classification?
                if case .reclassification(_, _, let c) = adj.kind { to = c }
                guard let t = target else { return }
                switch t.body {
                case .disbursement(let d):
                    add(.actual, d.classification, -amount)
                    if let to { add(.actual, to, amount) }
                case .appropriation(let a):
                    add(.granted, a.classification, -amount)
                    if let to { add(.granted, to, amount) }
                    if InitialBudget.contains(t.date) {
                        add(.initial, a.classification, -amount)
                        if let to { add(.initial, to, amount) }
                    }
                case .unit, .yearOpen, .adjustment, .close, .carryForward, .reopen, .fact, .access:
                    return   // the ledger's rules allow no other target
                }
            }
        case .carryForward(let cf):
            guard cf.line.year == year else { return }
            add(.carriedIn, budgetLine(cf.line), cf.amount)
        case .close(let c):
            guard c.year == year else { return }
            for l in c.lines {
                switch l.disposition {
                case .carry: add(.carriedOut, budgetLine(l.line), l.balance)
                case .lapse: add(.lapsed, budgetLine(l.line), l.balance)
                case .none: break
                }
            }
            standing = (e, out)   // supersedes an earlier close of the year
            return
        case .reopen(let r):
            if r.year == year { standing = nil }
            return
        case .unit, .yearOpen, .fact, .access:
            return
        }
        for c in out {
            running[SumKey(kind: c.kind, fund: c.fund, item: c.item, econ: c.econ, nature: c.nature, project: c.project), default: .zero] += c.amount
            if keeps(c) { keptTerms.append((e, c)) }
        }
    }

    private func keeps(_ c: Contribution) -> Bool {
        switch keep {
        case .none: return false
        case .all: return true
        case .matching(let queries):
            // Whether the year ends closed is known only at the end: keep what either would take.
            return queries.contains { q in
                q.year == year && (signs(q, provisional: false)[c.kind] != nil || signs(q, provisional: true)[c.kind] != nil) && selected(c, q)
            }
        }
    }

    /// The contributions with the standing close added in, indexed for cell look-ups.
    public func finished() -> YearContributions {
        var r = self
        var sums = running
        for c in standing?.contributions ?? [] {
            sums[SumKey(kind: c.kind, fund: c.fund, item: c.item, econ: c.econ, nature: c.nature, project: c.project), default: .zero] += c.amount
        }
        r.sums = sums.map { ($0.key, $0.value) }
        var under: [String: [Int32]] = [:], ofProject: [ProjectCode: [Int32]] = [:]
        for (i, e) in r.sums.enumerated() {
            let code = e.key.item.rawValue
            for p in Set(["", String(code.prefix(3)), String(code.prefix(5)), code]) { under[p, default: []].append(Int32(i)) }
            if let p = e.key.project { ofProject[p, default: []].append(Int32(i)) }
        }
        r.keysUnder = under
        r.keysOfProject = ofProject
        return r
    }

    func selected(_ c: Contribution, _ q: CellQuery) -> Bool {
        Self.selected(fund: c.fund, item: c.item, econ: c.econ, nature: c.nature, project: c.project, q)
    }

    /// Whether an event of this classification can contribute to the cell.
    public static func selects(_ c: Classification, _ q: CellQuery) -> Bool {
        selected(fund: c.fund, item: c.item, econ: c.econ, nature: c.nature, project: c.project, q)
    }

    /// As below, reading the key in place (not copied: a cell reads thousands).
    private static func selected(_ k: borrowing SumKey, _ q: CellQuery) -> Bool {
        selected(fund: k.fund, item: k.item, econ: k.econ, nature: k.nature, project: k.project, q)
    }

    static func selected(fund: FundCode, item: FunctionCode, econ: EconomicCode?, nature: Nature, project: ProjectCode?, _ q: CellQuery) -> Bool {
        if let f = q.funds, !f.contains(fund) { return false }
        if let i = q.item, !item.rawValue.hasPrefix(i) { return false }
        if let e = q.econ {
            guard let code = econ?.rawValue else { return false }
            if !e.contains(where: { code.hasPrefix($0) }) { return false }
        }
        if let n = q.nature, n != nature { return false }
        if let p = q.project, p != project { return false }
        return true
    }

    /// How a cell's measure takes each kind of contribution.
    func signs(_ q: CellQuery, provisional: Bool) -> [Contribution.Kind: Int64] {
        let out: [Contribution.Kind: Int64] = provisional ? [.carriedIn: 1, .granted: 1, .actual: -1] : [.carriedOut: 1]
        switch q.measure {
        case .actual: return [.actual: 1]
        case .initial: return [.initial: 1]
        case .budget: return [.carriedIn: 1, .granted: 1]
        case .carriedIn: return [.carriedIn: 1]
        case .income: return [.granted: 1, .lapsed: -1]
        case .carriedOut: return out
        case .sources: return [.carriedIn: 1, .granted: 1, .lapsed: -1]
        case .uses: return out.merging([.actual: 1]) { $0 + $1 }
        case .notRecorded: return [:]
        }
    }

    /// The signed terms of a cell: each kept contribution the query takes, with its event and the
    /// sign it takes it with. Complete for the cells the accumulator was asked to keep.
    public func terms(_ q: CellQuery) -> [(event: Event, contribution: Contribution, signed: Fen)] {
        guard q.year == year else { return [] }
        let sign = signs(q, provisional: provisional)
        var all = keptTerms
        if let s = standing { all += s.contributions.map { (s.event, $0) } }
        return all.compactMap { t in
            guard let s = sign[t.contribution.kind], s != 0, selected(t.contribution, q) else { return nil }
            return (t.event, t.contribution, t.contribution.amount.signed(s))
        }
    }

    /// The cell's value, from the per-classification sums.
    public func value(_ q: CellQuery) -> Fen {
        guard q.year == year else { return .zero }
        var sign = [Int64](repeating: 0, count: Contribution.Kind.count)
        for (kind, s) in signs(q, provisional: provisional) { sign[kind.position] = s }
        var v = Fen.zero
        let positions = q.project.map { keysOfProject[$0] ?? [] } ?? keysUnder[q.item ?? ""] ?? []
        sums.withUnsafeBufferPointer { all in
            for i in positions {
                let s = sign[all[Int(i)].key.kind.position]
                guard s != 0 else { continue }
                guard Self.selected(all[Int(i)].key, q) else { continue }
                v += all[Int(i)].value.signed(s)
            }
        }
        return v
    }
}

extension Contribution.Kind {
    static let count = 6
    /// A dense number for each kind, 0 ..< count.
    var position: Int {
        switch self {
        case .actual: 0
        case .granted: 1
        case .initial: 2
        case .carriedIn: 3
        case .carriedOut: 4
        case .lapsed: 5
        }
    }
}
