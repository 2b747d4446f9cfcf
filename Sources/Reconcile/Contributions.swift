import Ledger

/// The reconciler's own reading of the journal: what each raw event contributes to a fiscal
/// year, per classification, computed straight from the events (no projection, no
/// `Event.effects`, no statement code). Cells are re-derived from these; `trace` lists them.
public struct Contribution: Sendable {
    public enum Kind: String, Sendable { case actual, granted, initial, carriedIn, carriedOut, lapsed }
    /// Index of the event in `YearContributions.events`.
    let index: Int
    public let kind: Kind
    public let fund: FundCode
    public let item: FunctionCode
    public let econ: EconomicCode?
    public let nature: Nature
    public let project: ProjectCode?
    public let amount: Fen
}

public struct YearContributions: Sendable {
    public let year: Int
    public let events: [Event]
    public let contributions: [Contribution]
    /// Contributions summed per kind and full classification: cells are evaluated on these.
    let sums: [SumKey: Int64]
    /// The keys of `sums` under each 功能分类 prefix ("" for all).
    let keysUnder: [String: [SumKey]]
    let keysOfProject: [ProjectCode: [SumKey]]

    struct SumKey: Hashable {
        let kind: Contribution.Kind, fund: FundCode, item: FunctionCode, econ: EconomicCode?, nature: Nature, project: ProjectCode?
    }
    /// The year's standing close (the last one no reopening undid), if any.
    public let close: Event?
    public var provisional: Bool { close == nil }

    public init(events: [Event], year: Int) {
        self.year = year
        self.events = events
        var out: [Contribution] = []
        var byID: [EventID: Event] = [:]
        var standing: Event?
        for e in events {
            switch e.body {
            case .close(let c) where c.year == year: standing = e
            case .reopen(let r) where r.year == year: standing = nil
            default: break
            }
        }
        var index = 0
        func add(_ e: Event, _ k: Contribution.Kind, _ c: Classification, _ a: Fen) {
            out.append(Contribution(index: index, kind: k, fund: c.fund, item: c.item, econ: c.econ, nature: c.nature, project: c.project, amount: a))
        }
        for (i, e) in events.enumerated() {
            index = i
            switch e.body {
            case .appropriation(let a):
                byID[e.id] = e
                guard e.date.year == year else { continue }
                add(e, .granted, a.classification, a.amount)
                if e.date.isFirstOfYear { add(e, .initial, a.classification, a.amount) }
            case .disbursement(let d):
                byID[e.id] = e
                guard e.date.year == year else { continue }
                add(e, .actual, d.classification, d.amount)
            case .adjustment(let adj):
                guard e.date.year == year, adj.priorYear == nil else { continue }
                switch adj.kind {
                case .budget(let c, let amount, _):
                    add(e, .granted, c, amount)
                case .reversal(let t, let amount), .reclassification(let t, let amount, _):
                    var to: Classification?
                    if case .reclassification(_, _, let c) = adj.kind { to = c }
                    switch byID[t]?.body {
                    case .disbursement(let d)?:
                        add(e, .actual, d.classification, -amount)
                        if let to { add(e, .actual, to, amount) }
                    case .appropriation(let a)?:
                        add(e, .granted, a.classification, -amount)
                        if let to { add(e, .granted, to, amount) }
                        if byID[t]!.date.isFirstOfYear {
                            add(e, .initial, a.classification, -amount)
                            if let to { add(e, .initial, to, amount) }
                        }
                    default: break
                    }
                }
            case .carryForward(let cf) where cf.line.year == year:
                add(e, .carriedIn, Classification(fund: cf.line.fund, item: cf.line.item, econ: nil, nature: cf.line.nature, project: cf.line.project), cf.amount)
            case .close(let c) where e.id == standing?.id && c.year == year:
                for l in c.lines {
                    let cls = Classification(fund: l.line.fund, item: l.line.item, econ: nil, nature: l.line.nature, project: l.line.project)
                    switch l.disposition {
                    case .carry: add(e, .carriedOut, cls, l.balance)
                    case .lapse: add(e, .lapsed, cls, l.balance)
                    case .none: break
                    }
                }
            case .unit, .yearOpen, .carryForward, .close, .reopen: break
            }
        }
        contributions = out
        close = standing
        var sums: [SumKey: Int64] = [:]
        for c in out { sums[SumKey(kind: c.kind, fund: c.fund, item: c.item, econ: c.econ, nature: c.nature, project: c.project), default: 0] += c.amount.raw }
        self.sums = sums
        var under: [String: [SumKey]] = [:]
        for k in sums.keys {
            let code = k.item.rawValue
            for p in ["", String(code.prefix(3)), String(code.prefix(5)), code] { under[p, default: []].append(k) }
        }
        keysUnder = under
        var ofProject: [ProjectCode: [SumKey]] = [:]
        for k in sums.keys { if let p = k.project { ofProject[p, default: []].append(k) } }
        keysOfProject = ofProject
    }

    /// The event behind a contribution.
    public func event(_ c: Contribution) -> Event { events[c.index] }

    func selected(fund: FundCode, item: FunctionCode, econ: EconomicCode?, nature: Nature, project: ProjectCode?, _ q: CellQuery) -> Bool {
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
    func signs(_ q: CellQuery) -> [Contribution.Kind: Int64] {
        let sign: [Contribution.Kind: Int64]
        let out: [Contribution.Kind: Int64] = provisional ? [.carriedIn: 1, .granted: 1, .actual: -1] : [.carriedOut: 1]
        switch q.measure {
        case .actual: sign = [.actual: 1]
        case .initial: sign = [.initial: 1]
        case .budget: sign = [.carriedIn: 1, .granted: 1]
        case .carriedIn: sign = [.carriedIn: 1]
        case .income: sign = [.granted: 1, .lapsed: -1]
        case .carriedOut: sign = out
        case .sources: sign = [.carriedIn: 1, .granted: 1, .lapsed: -1]
        case .uses: sign = out.merging([.actual: 1]) { $0 + $1 }
        case .notRecorded: sign = [:]
        }
        return sign
    }

    /// The signed terms of a cell: each contribution the query takes, with the sign it takes it.
    public func terms(_ q: CellQuery) -> [(contribution: Contribution, signed: Fen)] {
        guard q.year == year else { return [] }
        let sign = signs(q)
        return contributions.compactMap { c in
            guard let s = sign[c.kind], s != 0, selected(fund: c.fund, item: c.item, econ: c.econ, nature: c.nature, project: c.project, q) else { return nil }
            return (c, Fen(s * c.amount.raw))
        }
    }

    /// The cell's value: the same terms, taken from the per-classification sums.
    public func value(_ q: CellQuery) -> Fen {
        guard q.year == year else { return .zero }
        let sign = signs(q)
        var v: Int64 = 0
        for k in q.project.map({ keysOfProject[$0] ?? [] }) ?? keysUnder[q.item ?? ""] ?? [] {
            guard let s = sign[k.kind], s != 0, selected(fund: k.fund, item: k.item, econ: k.econ, nature: k.nature, project: k.project, q) else { continue }
            v += s * sums[k]!
        }
        return Fen(v)
    }
}
