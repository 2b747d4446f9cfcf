/// Which events a projection counts: all of them, or those up to a point.
public struct ProjectionFilter: Hashable, Sendable {
    /// Accounting order: events whose effective date is on or before this day, whenever they
    /// were typed. A back-dated correction changes the figures of its own date.
    public var asOf: CivilDate?
    /// Audit order: events with a sequence number up to this one.
    public var untilSeq: Int?

    public init(asOf: CivilDate? = nil, untilSeq: Int? = nil) { self.asOf = asOf; self.untilSeq = untilSeq }

    /// Which events the figures count, as a report heading says it.
    public var scope: String { asOf.map { "截至 \($0)" } ?? untilSeq.map { "至第 \($0) 笔事件" } ?? "全部事件" }

    public static let all = ProjectionFilter()

    func admits(seq: Int, date: CivilDate) -> Bool {
        if let n = untilSeq, seq > n { return false }
        if let d = asOf, date > d { return false }
        return true
    }
}

/// Budget against actual for every classification the journal touches, per fiscal year: the
/// read model every report groups. Built by `JournalStore.project` (the fast replay path) or
/// by `ProjectionBuilder` (event by event); both apply the same rules, stated here.
///
/// Rules:
/// - an appropriation dated the first day of its year is 年初预算; one dated later is an
///   adjustment (追加), as is every budget adjustment;
/// - a disbursement is 执行数;
/// - a reversal or reclassification moves its amount in the column of the event it corrects,
///   on its own effective date (so as-of figures see it from that day); one that corrects a
///   closed earlier year (以前年度调整) lands in this year's 以前年度调整 column instead, leaving
///   both years' budget and 执行数 as they were;
/// - a carry-forward from the previous year's close is 年初结转和结余, part of the budget.
public struct Projection: Sendable, Equatable {
    public struct Key: Hashable, Comparable, Sendable {
        public var year: Int
        public var classification: Classification
        public static func < (l: Self, r: Self) -> Bool {
            (l.year, l.classification.sortKey) < (r.year, r.classification.sortKey)
        }
    }

    public internal(set) var figures: [Key: Figures] = [:]
    /// What the items still waiting for approval would add, per classification, once approved
    /// (counted in no figure above). Filled in by `JournalStore.project`.
    public internal(set) var waitingFigures: [Key: Figures] = [:]

    /// The waiting items' figures as a projection of their own (for reports grouped like this one).
    public var waiting: Projection {
        var p = Projection()
        p.figures = waitingFigures
        return p
    }
    /// Closes and reopenings in journal order (nil close = a reopening of `year`).
    var closeLog: [CloseLogEntry] = []

    struct CloseLogEntry: Hashable, Sendable { var seq: Int; var year: Int; var close: YearClose? }

    /// The year's standing close among the events projected: the last close that no later
    /// reopening undid.
    public func standingClose(_ year: Int) -> YearClose? {
        closeLog.filter { $0.year == year }.max { $0.seq < $1.seq }?.close
    }
    /// Events the filter admitted.
    public internal(set) var events = 0
    /// The last sequence number read (the journal's length, unless `untilSeq` stopped early).
    public internal(set) var lastSeq = 0

    public init() {}

    /// Every classification with figures in `year`, in code order.
    public func lines(year: Int) -> [(classification: Classification, figures: Figures)] {
        // Each sort key built once, not twice per comparison.
        figures.filter { $0.key.year == year }.map { (key: $0.key.classification.sortKey, line: ($0.key.classification, $0.value)) }
            .sorted { $0.key < $1.key }.map(\.line)
    }

    /// Fiscal years with any figures.
    public var years: [Int] { Set(figures.keys.map(\.year)).sorted() }

    mutating func add(_ c: Classification, year: Int, _ amount: Fen, _ column: Figures.Column) {
        figures[Key(year: year, classification: c), default: Figures()].add(amount, to: column)
    }

    mutating func merge(_ o: Projection) {
        for (k, f) in o.figures { figures[k, default: Figures()].add(f) }
        closeLog += o.closeLog
        events += o.events
        lastSeq = max(lastSeq, o.lastSeq)
    }

    /// The column an appropriation, disbursement or budget adjustment lands in.
    static func column(_ body: EventBody, date: CivilDate) -> Figures.Column? {
        switch body {
        case .appropriation: return InitialBudget.contains(date) ? .initial : .adjustments
        case .disbursement: return .actual
        case .adjustment(let a):
            if case .budget = a.kind { return .adjustments }
            return nil
        case .carryForward: return .carried
        case .unit, .yearOpen, .close, .reopen, .fact, .access: return nil
        }
    }

    /// Records a close or a reopening (nothing else).
    mutating func log(_ e: Event) {
        switch e.body {
        case .close(let c): closeLog.append(CloseLogEntry(seq: e.seq, year: c.year, close: c))
        case .reopen(let r): closeLog.append(CloseLogEntry(seq: e.seq, year: r.year, close: nil))
        case .unit, .yearOpen, .fact, .access, .carryForward, .appropriation, .disbursement, .adjustment: break
        }
    }

    /// Applies one admitted event. `target` is the event a correction names.
    mutating func apply(_ e: Event, target: Event?) {
        events += 1
        switch e.body {
        case .unit, .yearOpen, .fact, .access: break
        case .close, .reopen: log(e)
        case .carryForward(let c): add(c.classification, year: e.year, c.amount, .carried)
        case .appropriation(let a): add(a.classification, year: e.year, a.amount, InitialBudget.contains(e.date) ? .initial : .adjustments)
        case .disbursement(let d): add(d.classification, year: e.year, d.amount, .actual)
        case .adjustment(let adj):
            switch adj.kind {
            case .budget(let c, let amount, _): add(c, year: e.year, amount, .adjustments)
            case .reversal(_, let amount):
                guard let t = target, let (c, col) = Projection.corrected(t) else { return }
                add(c, year: e.year, -amount, adj.priorYear == nil ? col : .priorYear)
            case .reclassification(_, let amount, let to):
                guard let t = target, let (c, col) = Projection.corrected(t) else { return }
                add(c, year: e.year, -amount, adj.priorYear == nil ? col : .priorYear)
                add(to, year: e.year, amount, adj.priorYear == nil ? col : .priorYear)
            }
        }
    }

    /// Where a correction of `t` moves money from: its classification and column.
    static func corrected(_ t: Event) -> (Classification, Figures.Column)? {
        guard let col = column(t.body, date: t.date) else { return nil }
        switch t.body {
        case .appropriation(let a): return (a.classification, col)
        case .disbursement(let d): return (d.classification, col)
        case .unit, .yearOpen, .adjustment, .close, .carryForward, .reopen, .fact, .access: return nil
        }
    }
}

extension Classification {
    /// Code order: fund, 项, nature, project, 经济分类 (absent first).
    var sortKey: String {
        "\(fund.rawValue)/\(item.rawValue)/\(nature.wire)/\(project?.rawValue ?? "")/\(econ?.rawValue ?? "")"
    }
}

/// Builds a projection event by event, keeping every appropriation and disbursement so that
/// corrections find their targets. For replays held in memory (tests, small journals, what-if);
/// a journal file is projected by `JournalStore.project`, which keeps no events.
public struct ProjectionBuilder: Sendable {
    public let filter: ProjectionFilter
    public private(set) var projection = Projection()
    private var targets: [EventID: Event] = [:]

    public init(filter: ProjectionFilter = .all) { self.filter = filter }

    /// Starts the next year from a close's recorded balances instead of from the events
    /// before it: every line the close carries forward opens year `close.year + 1` with its
    /// balance as 年初结转和结余. Apply the events after the close, without that close's own
    /// carry-forward events (which record the same amounts); `lookup` finds the closed year's
    /// events that prior-year adjustments correct.
    public init?(from closeEvent: Event, lookup: @escaping @Sendable (EventID) -> Event?) {
        guard case .close(let close) = closeEvent.body else { return nil }
        filter = .all
        for l in close.lines where l.disposition == .carry {
            let c = Classification(fund: l.line.fund, item: l.line.item, econ: nil, nature: l.line.nature, project: l.line.project)
            projection.add(c, year: close.year + 1, l.balance, .carried)
        }
        self.lookup = lookup
        startingClose = closeEvent.id
    }

    private var lookup: (@Sendable (EventID) -> Event?)?
    private var startingClose: EventID?

    private var gate = ApprovalGate()

    public mutating func apply(_ e: Event) {
        projection.lastSeq = e.seq
        switch e.body {
        case .appropriation, .disbursement: targets[e.id] = e
        case .unit, .yearOpen, .adjustment, .close, .carryForward, .reopen, .fact, .access: break
        }
        guard filter.admits(seq: e.seq, date: e.date) else { return }
        if case .carryForward(let c) = e.body, c.close == startingClose { return }
        var target: Event?
        if case .adjustment(let a) = e.body {
            switch a.kind {
            case .budget: break
            case .reversal(let t, _), .reclassification(let t, _, _): target = targets[t] ?? lookup?(t)
            }
        }
        for (x, t) in gate.pass(e, target: target) { projection.apply(x, target: t) }
    }

    public mutating func apply(_ events: some Sequence<Event>) { for e in events { apply(e) } }
}
