/// Budget and spending on one budget line.
public struct LineBalance: Hashable, Sendable {
    public var budget: Fen = .zero
    public var actual: Fen = .zero
    public init(budget: Fen = .zero, actual: Fen = .zero) { self.budget = budget; self.actual = actual }
    /// What may still be spent.
    public var available: Fen { budget - actual }
}

/// The latest close of a fiscal year, as the state needs it.
public struct CloseMark: Hashable, Sendable {
    public var id: EventID
    public var reopened: Bool
    /// Next-year lines the close carries to, with the amounts still to be posted as
    /// carry-forward events (a re-close carries only the difference from earlier closes).
    public var toCarry: [BudgetLine: Fen]
    /// What carry-forward events of this year have carried so far, per next-year line.
    public var carried: [BudgetLine: Fen]

    /// What a close's lines carry into the next year, less what earlier closes of the same year
    /// already carried (a re-close after a reopening carries only the difference).
    public static func toCarry(_ lines: [ClosedLine], alreadyCarried: [BudgetLine: Fen]) -> [BudgetLine: Fen] {
        var want: [BudgetLine: Fen] = [:]
        for l in lines where l.disposition == .carry { want[l.line.nextYear] = l.balance }
        var out: [BudgetLine: Fen] = [:]
        for line in Set(want.keys).union(alreadyCarried.keys) {
            let delta = (want[line] ?? .zero) - (alreadyCarried[line] ?? .zero)
            if delta != .zero { out[line] = delta }
        }
        return out
    }
}

extension BudgetLine {
    /// The same line in the next fiscal year.
    public var nextYear: BudgetLine { BudgetLine(year: year + 1, fund: fund, item: item, nature: nature, project: project) }
}

/// Where an event's line starts in the journal file; lets a validator fetch an earlier event
/// without keeping every event in memory.
public typealias Locator = UInt64

/// Event ids → locators, compact enough for millions of events: a 64-bit FNV-1a hash of the id
/// maps to the line's offset. The rare id whose hash is already taken goes to `overflow`.
/// A hit is always confirmed by reading the event back, so a collision can never alias.
///
/// Two parts: `sorted`, (hash, locator) pairs in hash order as a checkpoint stores them (read
/// in place from the mapped checkpoint, searched by bisection), and `recent`, a dictionary for
/// events since.
public struct EventIndex: Sendable {
    /// Interleaved pairs: sorted[2k] is a hash, sorted[2k+1] its locator; ascending hashes.
    var sorted = IndexWords.empty
    var recent: [UInt64: Locator] = [:]
    var overflow: [String: Locator] = [:]

    public init() {}

    public var count: Int { sorted.count / 2 + recent.count + overflow.count }

    /// Candidate locators for an id (at most two: the hash slot and the overflow entry).
    public func candidates(_ id: EventID) -> [Locator] {
        var out: [Locator] = []
        if let l = slot(EventIndex.hash(id.rawValue)) { out.append(l) }
        if let l = overflow[id.rawValue] { out.append(l) }
        return out
    }

    func slot(_ h: UInt64) -> Locator? {
        if let l = recent[h] { return l }
        return sorted.firstLocator(of: h)   // nil also for a damaged block: `damaged` says so
    }

    /// A block of the mapped checkpoint failed its checksum during a look-up: what was found
    /// (or not) cannot be trusted, and the caller starts again from a full replay.
    var damaged: Bool { sorted.damaged }

    mutating func insert(_ id: EventID, at locator: Locator) {
        let h = EventIndex.hash(id.rawValue)
        if slot(h) == nil { recent[h] = locator } else { overflow[id.rawValue] = locator }
        // A replay of a large journal keeps the dictionary small: every 64k ids are merged into
        // the sorted words (16 bytes an id, instead of a dictionary's several times that).
        if recent.count >= EventIndex.mergeEvery { compact() }
    }

    static let mergeEvery = 1 << 16

    /// Moves `recent` into `sorted` (before a checkpoint is written). False when a block of
    /// the mapped index is damaged (nothing is changed then).
    @discardableResult
    mutating func compact() -> Bool {
        guard !recent.isEmpty else { return !sorted.damaged }
        guard let merged = sorted.merged(with: recent.map { ($0.key, $0.value) }.sorted { $0 < $1 }) else { return false }
        sorted = merged
        recent = [:]
        return true
    }

    public static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in s.utf8 { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}

/// Referenced id → the events that refer to it (corrections, approvals and rejections, the
/// facts that explain a disbursement): what `show` needs to tell an event's story without
/// reading the whole journal. A multimap of (id hash, locator) pairs, sorted words plus recent
/// ones, like `EventIndex`; every candidate is confirmed by reading its event back.
public struct ReferenceIndex: Sendable {
    var sorted = IndexWords.empty
    var recent: [UInt64: [Locator]] = [:]
    var recentCount = 0

    public init() {}

    public var count: Int { sorted.count / 2 + recentCount }
    var damaged: Bool { sorted.damaged }

    /// Locators of events that may refer to `id`, in journal order.
    public func candidates(_ id: EventID) -> [Locator] {
        let h = EventIndex.hash(id.rawValue)
        return ((recent[h] ?? []) + (sorted.locators(of: h) ?? [])).sorted()
    }

    mutating func insert(_ id: EventID, at locator: Locator) {
        recent[EventIndex.hash(id.rawValue), default: []].append(locator)
        recentCount += 1
        if recentCount >= EventIndex.mergeEvery { compact() }
    }

    /// Merges the recent pairs into the sorted words; false when a mapped block is damaged.
    @discardableResult
    mutating func compact() -> Bool {
        guard recentCount > 0 else { return !sorted.damaged }
        guard let merged = sorted.merged(with: recent.flatMap { h, ls in ls.map { (h, $0) } }.sorted { $0 < $1 }) else { return false }
        sorted = merged
        recent = [:]
        recentCount = 0
        return true
    }
}

/// Everything the validator needs to judge the next event: the result of replaying the
/// journal up to some line. Replaying a prefix and then the rest equals replaying the whole.
public struct LedgerState: Sendable {
    public internal(set) var unit: UnitOpening?
    public internal(set) var openYears: Set<Int> = []
    public internal(set) var balances: [BudgetLine: LineBalance] = [:]
    public internal(set) var index = EventIndex()
    /// Per corrected event (by locator): how much of it corrections have already taken.
    public internal(set) var corrected: [Locator: Int64] = [:]
    /// Number of events replayed (= the last sequence number).
    public internal(set) var count = 0
    /// The latest close of each fiscal year that has one.
    public internal(set) var closes: [Int: CloseMark] = [:]
    /// The sum of every event's amount, ignoring sign; bounded by `Fen.maxJournalVolume`.
    public internal(set) var volume = Fen.zero
    /// Vehicles and fixed assets held now, by identifier.
    public internal(set) var vehicles: [String: VehicleChange] = [:]
    public internal(set) var assets: [String: AssetChange] = [:]
    /// Performance indicators set, per year and project.
    public internal(set) var indicators: Set<IndicatorKey> = []
    /// Actors, signing, and the items waiting for approval.
    public internal(set) var access = AccessState()
    /// Who refers to whom (for `show`).
    public internal(set) var references = ReferenceIndex()
    /// The latest `recorded` time: a journal's recorded times never go backwards.
    public internal(set) var lastRecorded: Timestamp?

    public struct IndicatorKey: Hashable, Sendable, Comparable {
        public var year: Int, project: ProjectCode, indicator: String
        public static func < (l: Self, r: Self) -> Bool { (l.year, l.project, l.indicator) < (r.year, r.project, r.indicator) }
    }

    public init() {}

    /// True when `year` has a close that no reopening undid: nothing more may be posted in it.
    public func isClosed(_ year: Int) -> Bool { closes[year].map { !$0.reopened } ?? false }

    /// The years that accept posts: opened, and not closed (or reopened), in order.
    public var openYearsNotClosed: [Int] { openYears.filter { !isClosed($0) }.sorted() }

    /// Applies an event that the validator accepted (or that a verified journal holds).
    /// Applying cannot fail: every check happened before. An item that waits for approval is
    /// recorded but changes nothing; its approval brings `released`, the item with the event
    /// it corrects, whose effects apply then.
    mutating func apply(_ event: Event, at locator: Locator, target: (event: Event, locator: Locator)?,
                        released: (item: Event, target: (event: Event, locator: Locator)?)? = nil) {
        count = event.seq
        if lastRecorded.map({ $0 < event.recorded }) ?? true { lastRecorded = event.recorded }
        index.insert(event.id, at: locator)
        if let r = Trail.reference(of: event) { references.insert(r, at: locator) }
        if let a = Trail.amount(of: event) { volume += a.magnitude }
        recordAccess(event)
        if event.needsApproval {
            var w = Awaiting(id: event.id, locator: locator, seq: event.seq, year: event.year, actor: event.actor)
            if case .access(.actor) = event.body { w.actorChange = true }
            access.awaiting[event.id] = w
            return
        }
        if let r = released { applyEffects(r.item, target: r.target) }
        applyEffects(event, target: target)
    }

    /// Who is registered, whether signing has begun, the write being signed, what waits.
    private mutating func recordAccess(_ event: Event) {
        if case .access(.actor(let c)) = event.body, access.signingFrom == nil {
            access.signingFrom = event.seq
            access.threshold = c.threshold ?? 1
        }
        guard access.signing else { return }
        switch event.body {
        case .access(.signature):
            access.openBatch = nil   // the write is closed
            return
        case .access(.approval(let id)):
            // A change of actors takes effect once enough distinct admins approved it.
            if access.approvalsNeeded(id) > 1 { access.awaiting[id]?.approvals.append(event.actor) } else { access.awaiting[id] = nil }
        case .access(.rejection(let id, _)):
            access.awaiting[id] = nil
        case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .close, .carryForward, .reopen, .fact, .access(.actor):
            break
        }
        if access.openBatch == nil { access.openBatch = .init(first: event.seq, actor: event.actor) }
    }

    private mutating func applyEffects(_ event: Event, target: (event: Event, locator: Locator)?) {
        switch event.body {
        case .unit(let u):
            unit = u
            openYears.insert(u.year)
        case .yearOpen(let y):
            openYears.insert(y.year)
        case .appropriation, .disbursement:
            break
        case .close(let c):
            var mark = closes[c.year] ?? CloseMark(id: event.id, reopened: false, toCarry: [:], carried: [:])
            mark.id = event.id
            mark.reopened = false
            mark.toCarry = CloseMark.toCarry(c.lines, alreadyCarried: mark.carried)
            closes[c.year] = mark
            openYears.insert(c.year + 1)
        case .carryForward(let cf):
            let year = cf.line.year - 1
            closes[year]?.toCarry[cf.line] = nil
            closes[year]?.carried[cf.line, default: .zero] += cf.amount
        case .reopen(let r):
            closes[r.year]?.reopened = true
            closes[r.year]?.toCarry = [:]
        case .fact(let f):
            switch f {
            case .vehicle(let v): vehicles[v.vehicle] = v.action == .acquire ? v : nil
            case .asset(let a): assets[a.asset] = a.action == .acquire ? a : nil
            case .performanceTarget(let t): indicators.insert(IndicatorKey(year: t.year, project: t.project, indicator: t.indicator))
            case .sanGongActivity, .procurement, .performanceResult, .performanceStage, .text: break
            }
        case .access(.actor(let c)):   // when it takes effect: at once, or when its approvals are complete
            switch c.action {
            case .add: access.actors[c.name] = Actor(name: c.name, roles: c.roles, publicKey: c.publicKey, added: event.id, revoked: nil)
            case .revoke: access.actors[c.name]?.revoked = event.id
            }
        case .access:
            break
        case .adjustment(let adj):
            switch adj.kind {
            case .budget: break
            case .reversal(_, let amount), .reclassification(_, let amount, _):
                if let t = target { corrected[t.locator, default: 0] += amount.raw }
            }
        }
        for e in event.effects(target: target?.event) {
            balances[e.line, default: LineBalance()].budget += e.budget
            balances[e.line, default: LineBalance()].actual += e.actual
        }
    }
}
