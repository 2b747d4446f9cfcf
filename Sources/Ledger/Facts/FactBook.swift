/// The facts of a journal, gathered event by event during a replay (a verified read hands them
/// over): texts, “三公” activity, vehicles, procurement, assets and project performance, each
/// answerable per fiscal year. Facts are few next to money events; all of them are kept.
public struct FactBook: Sendable {
    public init() {}

    private(set) var texts: [Int: [String: String]] = [:]
    private(set) var activities: [Int: [SanGongActivity]] = [:]
    /// Vehicle and asset changes with their dates, in journal order.
    private(set) var vehicleChanges: [(date: CivilDate, change: VehicleChange)] = []
    private(set) var assetChanges: [(date: CivilDate, change: AssetChange)] = []
    private(set) var procurements: [Int: [Procurement]] = [:]
    private(set) var targets: [Int: [PerformanceTarget]] = [:]
    private(set) var results: [Int: [ProjectCode: [String: PerformanceResult]]] = [:]
    private(set) var stages: [Int: [PerformanceStage.Stage: Set<ProjectCode>]] = [:]
    /// Disbursements that “三公” activity refers to: their amounts.
    private(set) var referenced: [EventID: Fen] = [:]

    /// Takes one event, in journal order (`target`: the event a fact or correction refers to).
    public mutating func add(_ e: Event, target: Event?) {
        guard case .fact(let f) = e.body else { return }
        if let t = target, case .disbursement(let d) = t.body { referenced[t.id] = d.amount }
        switch f {
        case .text(let n): texts[n.year, default: [:]][n.key] = n.text
        case .sanGongActivity(let a): activities[a.year, default: []].append(a)
        case .vehicle(let v): vehicleChanges.append((e.date, v))
        case .asset(let a): assetChanges.append((e.date, a))
        case .procurement(let p): procurements[p.year, default: []].append(p)
        case .performanceTarget(let t): targets[t.year, default: []].append(t)
        case .performanceResult(let r): results[r.year, default: [:]][r.project, default: [:]][r.indicator] = r
        case .performanceStage(let s): stages[s.year, default: [:]][s.stage, default: []].insert(s.project)
        }
    }

    // MARK: - Questions the document asks

    /// The text written for `key` in `year` (the latest), if any.
    public func text(_ year: Int, _ key: String) -> String? { texts[year]?[key] }

    /// Every key with a text in `year`.
    public func keys(_ year: Int) -> [String] { texts[year].map { Array($0.keys).sorted() } ?? [] }

    public struct ActivityCount: Hashable, Sendable {
        public var batches = 0, people = 0
        public var targets: [EventID] = []
    }

    /// 批次/团组 and 人次 of a category (and scope) in `year`, with the disbursements named.
    public func activity(_ year: Int, _ category: SanGongActivity.Category, scope: SanGongActivity.Scope? = nil) -> ActivityCount {
        var c = ActivityCount()
        for a in activities[year] ?? [] where a.category == category && (scope == nil || a.scope == scope) {
            c.batches += a.batches; c.people += a.people
            if let t = a.target { c.targets.append(t) }
        }
        return c
    }

    /// What the disbursements an activity count names were (the part of “三公” spending it
    /// explains).
    public func amount(of c: ActivityCount) -> Fen { c.targets.map { referenced[$0] ?? .zero }.sum() }

    public struct Holding: Hashable, Sendable {
        public var byCategory: [VehicleChange.Category: Int] = [:]
        public var total: Int { byCategory.values.reduce(0, +) }
    }

    /// Vehicles held at the end of `year` (公务用车 only, or all).
    public func vehicles(atEndOf year: Int, officialOnly: Bool) -> Holding {
        let end = CivilDate(year: year, month: 12, day: 31)!
        var held: [String: VehicleChange] = [:]
        for (date, v) in vehicleChanges where date <= end { held[v.vehicle] = v.action == .acquire ? v : nil }
        var h = Holding()
        for v in held.values where !officialOnly || v.official { h.byCategory[v.category, default: 0] += 1 }
        return h
    }

    /// Units of each class of equipment held at the end of `year` whose unit price is at least
    /// the document's threshold (通用设备 50万元, 专用设备 100万元).
    public func equipment(atEndOf year: Int) -> [AssetChange.Class: Int] {
        let end = CivilDate(year: year, month: 12, day: 31)!
        var held: [String: AssetChange] = [:]
        for (date, a) in assetChanges where date <= end { held[a.asset] = a.action == .acquire ? a : nil }
        var out: [AssetChange.Class: Int] = [:]
        for a in held.values where a.unitPrice >= a.assetClass.threshold { out[a.assetClass, default: 0] += a.quantity }
        return out
    }

    public struct ProcurementTotals: Hashable, Sendable {
        public var byCategory: [Procurement.Category: Fen] = [:]
        /// Awarded to 中小企业 (小微 included), and to 小微企业.
        public var sme = Fen.zero, micro = Fen.zero
        public var total: Fen { byCategory.values.sum() }
    }

    public func procurement(_ year: Int) -> ProcurementTotals {
        var t = ProcurementTotals()
        for p in procurements[year] ?? [] {
            t.byCategory[p.category, default: .zero] += p.amount
            switch p.award {
            case .micro: t.sme += p.amount; t.micro += p.amount
            case .sme: t.sme += p.amount
            case .other: break
            }
        }
        return t
    }

    /// The indicators set for a project in `year`, in the order they were set.
    public func targets(_ year: Int, _ project: ProjectCode) -> [PerformanceTarget] {
        (targets[year] ?? []).filter { $0.project == project }
    }

    /// The latest result of each indicator (and of `budget`, the 预算执行 row).
    public func result(_ year: Int, _ project: ProjectCode, _ indicator: String) -> PerformanceResult? {
        results[year]?[project]?[indicator]
    }

    /// Projects with indicators set, monitored, evaluated before budgeting, or self-evaluated
    /// (a result recorded) in `year`.
    public func projectsWithTargets(_ year: Int) -> Set<ProjectCode> { Set((targets[year] ?? []).map(\.project)) }
    public func projects(_ year: Int, _ stage: PerformanceStage.Stage) -> Set<ProjectCode> { stages[year]?[stage] ?? [] }
    public func projectsEvaluated(_ year: Int) -> Set<ProjectCode> { Set(results[year]?.keys.map { $0 } ?? []) }
}
