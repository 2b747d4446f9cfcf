/// Facts a unit's final-accounts document reports besides money: “三公” activity, vehicles,
/// government procurement, fixed assets, project performance (绩效) targets and results, and
/// the words people write. They are journal events like every other (append-only, chained,
/// validated, replayed), so the document is generated from the journal and no figure is typed.
/// None of them moves a budget line.
public enum Fact: Hashable, Sendable {
    case sanGongActivity(SanGongActivity)
    case vehicle(VehicleChange)
    case procurement(Procurement)
    case asset(AssetChange)
    case performanceTarget(PerformanceTarget)
    case performanceResult(PerformanceResult)
    case performanceStage(PerformanceStage)
    case text(Narrative)

    public var type: EventType {
        switch self {
        case .sanGongActivity: return .sanGongActivity
        case .vehicle: return .vehicle
        case .procurement: return .procurement
        case .asset: return .asset
        case .performanceTarget: return .performanceTarget
        case .performanceResult: return .performanceResult
        case .performanceStage: return .performanceStage
        case .text: return .text
        }
    }
}

/// A decimal quantity written in the journal as text (`97.1`, `26.036`, `55000`): an integer
/// of units at a scale, kept as written. Never floating point.
public struct Quantity: Hashable, Sendable, CustomStringConvertible {
    public let units: Int64
    public let scale: Int

    public init(units: Int64, scale: Int) { self.units = units; self.scale = scale }

    /// `12`, `-0.5`, `26.036`: at most 12 digits before the point and 6 after.
    public init?(_ text: String) {
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 12, whole.utf8.allSatisfy(isDigit) else { return nil }
        let frac = parts.count > 1 ? parts[1] : ""
        guard frac.count <= 6, frac.utf8.allSatisfy(isDigit), !(parts.count > 1 && frac.isEmpty),
              !(whole.count > 1 && whole.first == "0") else { return nil }
        var v: Int64 = 0
        for c in (whole + frac).utf8 { v = v * 10 + Int64(c - 48) }
        if negative, v == 0 { return nil }
        units = negative ? -v : v
        scale = frac.count
    }

    public var description: String {
        let m = units.magnitude
        var p: UInt64 = 1
        for _ in 0..<scale { p *= 10 }
        var frac = String(m % p)
        while frac.count < scale { frac = "0" + frac }
        return (units < 0 ? "-" : "") + String(m / p) + (scale > 0 ? "." + frac : "")
    }

    /// The value in hundredths, rounded half away from zero (weights and scores are points with
    /// at most two decimals).
    public var hundredths: Int64 { Quantity.rescale(units, from: scale, to: 2) }

    static func rescale(_ v: Int64, from: Int, to: Int) -> Int64 {
        if from <= to { var r = v; for _ in from..<to { r *= 10 }; return r }
        var d: Int64 = 1
        for _ in to..<from { d *= 10 }
        let q = (v.magnitude + d.magnitude / 2) / d.magnitude
        return v < 0 ? -Int64(q) : Int64(q)
    }

    /// −1, 0 or 1 as `self` is less than, equal to or greater than `other`.
    public func compare(_ other: Quantity) -> Int {
        let s = max(scale, other.scale)
        let a = Int128(Quantity.rescale(units, from: scale, to: s)), b = Int128(Quantity.rescale(other.units, from: other.scale, to: s))
        return a < b ? -1 : (a > b ? 1 : 0)
    }

    /// `num ÷ den × weight`, in hundredths of a point, rounded half up (nil for a zero `den`).
    public static func ratio(_ num: Quantity, _ den: Quantity, times weightHundredths: Int64) -> Int64? {
        let s = max(num.scale, den.scale)
        let n = Int128(rescale(num.units, from: num.scale, to: s)), d = Int128(rescale(den.units, from: den.scale, to: s))
        guard d != 0 else { return nil }
        let x = n * Int128(weightHundredths)
        let negative = (x < 0) != (d < 0)
        let q = (x.magnitude * 2 + d.magnitude) / (d.magnitude * 2)
        return Int64(negative ? -Int128(q) : Int128(q))
    }
}

/// “三公” activity behind the spending: 公务接待 batches (批次) and people (人次), 国内 or 外事;
/// 因公出国（境） groups (团组) and people (人次).
public struct SanGongActivity: Hashable, Sendable {
    public enum Category: String, CaseIterable, Sendable { case abroad, reception }
    public enum Scope: String, CaseIterable, Sendable { case domestic, foreign }
    public var year: Int
    public var category: Category
    /// 国内 or 外事 (公务接待 only).
    public var scope: Scope?
    /// 批次 (receptions) or 团组 (trips abroad).
    public var batches: Int
    /// 人次 (receptions: not counting accompanying staff).
    public var people: Int
    /// The disbursement it explains, if any.
    public var target: EventID?

    public init(year: Int, category: Category, scope: Scope?, batches: Int, people: Int, target: EventID?) {
        self.year = year; self.category = category; self.scope = scope; self.batches = batches; self.people = people; self.target = target
    }
}

/// A vehicle acquired or disposed of, with its category and whether it is a 公务用车.
public struct VehicleChange: Hashable, Sendable {
    public enum Action: String, CaseIterable, Sendable { case acquire, dispose }
    public enum Category: String, CaseIterable, Sendable {
        case sedan, suv, business, other
        public var name: String {
            switch self {
            case .sedan: return "轿车"
            case .suv: return "越野车"
            case .business: return "商务车"
            case .other: return "其他用车"
            }
        }
    }
    public var action: Action
    /// The vehicle's identifier (plate or asset number).
    public var vehicle: String
    public var category: Category
    /// 公务用车 (counts toward “三公” vehicles), or another vehicle the unit holds.
    public var official: Bool

    public init(action: Action, vehicle: String, category: Category, official: Bool) {
        self.action = action; self.vehicle = vehicle; self.category = category; self.official = official
    }
}

/// The government-procurement part of a disbursement: 货物, 工程 or 服务, and whom the contract
/// went to (中小企业, of which 小微企业).
public struct Procurement: Hashable, Sendable {
    public enum Category: String, CaseIterable, Sendable {
        case goods, works, services
        public var name: String {
            switch self {
            case .goods: return "货物"
            case .works: return "工程"
            case .services: return "服务"
            }
        }
    }
    public enum Award: String, CaseIterable, Sendable { case micro, sme, other }
    public var year: Int
    public var target: EventID
    public var category: Category
    public var amount: Fen
    /// `micro`: a 小微企业 (also a 中小企业); `sme`: a 中小企业 that is not 小微; `other`.
    public var award: Award

    public init(year: Int, target: EventID, category: Category, amount: Fen, award: Award) {
        self.year = year; self.target = target; self.category = category; self.amount = amount; self.award = award
    }
}

/// A fixed asset acquired or disposed of, by unit price (the document counts 通用设备 of 50万元
/// and 专用设备 of 100万元 unit price and above).
public struct AssetChange: Hashable, Sendable {
    public enum Action: String, CaseIterable, Sendable { case acquire, dispose }
    public enum Class: String, CaseIterable, Sendable {
        case general, special
        public var name: String { self == .general ? "通用设备" : "专用设备" }
        /// The unit price from which the document lists it: 50万元 (通用), 100万元 (专用).
        public var threshold: Fen { self == .general ? Fen(50_000_000) : Fen(100_000_000) }
    }
    public var action: Action
    public var asset: String
    public var assetClass: Class
    public var unitPrice: Fen
    public var quantity: Int

    public init(action: Action, asset: String, assetClass: Class, unitPrice: Fen, quantity: Int) {
        self.action = action; self.asset = asset; self.assetClass = assetClass; self.unitPrice = unitPrice; self.quantity = quantity
    }
}

/// One performance indicator of a project, set with its budget (项目支出绩效目标).
public struct PerformanceTarget: Hashable, Sendable {
    public enum Level: String, CaseIterable, Sendable {
        case output, benefit, satisfaction, cost
        public var name: String {
            switch self {
            case .output: return "产出指标"
            case .benefit: return "效益指标"
            case .satisfaction: return "满意度指标"
            case .cost: return "成本指标"
            }
        }
    }
    public enum Comparator: String, CaseIterable, Sendable {
        case ge, gt, le, lt, eq, qualitative
        public var symbol: String {
            switch self {
            case .ge: return "≥"
            case .gt: return "＞"
            case .le: return "≤"
            case .lt: return "＜"
            case .eq: return "＝"
            case .qualitative: return "定性"
            }
        }
    }
    public var year: Int
    public var project: ProjectCode
    /// The indicator's key within the project and year (its order in the table).
    public var indicator: String
    public var level: Level
    /// 二级指标 (数量指标, 质量指标, 时效指标, 经济效益指标 …).
    public var category: String
    /// 三级指标: what is measured.
    public var name: String
    public var comparator: Comparator
    /// The target: a number, or a word for a qualitative indicator (优).
    public var value: String
    public var unit: String
    /// Points (the indicators of a project weigh 90 together).
    public var weight: Quantity

    public init(year: Int, project: ProjectCode, indicator: String, level: Level, category: String, name: String,
                comparator: Comparator, value: String, unit: String, weight: Quantity) {
        self.year = year; self.project = project; self.indicator = indicator; self.level = level; self.category = category
        self.name = name; self.comparator = comparator; self.value = value; self.unit = unit; self.weight = weight
    }
}

/// A project indicator's result at year end, and, where the evaluator scored otherwise than the
/// rule, the published score with its reason. The indicator `budget` is the 预算执行 row.
public struct PerformanceResult: Hashable, Sendable {
    public static let budgetIndicator = "budget"
    public var year: Int
    public var project: ProjectCode
    public var indicator: String
    /// The value achieved (empty for the budget row, whose figures come from the books).
    public var value: String
    /// Why a target was missed (未完成原因分析).
    public var reason: String?
    public var score: Quantity?
    public var scoreReason: String?

    public init(year: Int, project: ProjectCode, indicator: String, value: String, reason: String?, score: Quantity?, scoreReason: String?) {
        self.year = year; self.project = project; self.indicator = indicator; self.value = value; self.reason = reason
        self.score = score; self.scoreReason = scoreReason
    }
}

/// A stage of performance management a project went through: 事前绩效评估 or 绩效监控.
public struct PerformanceStage: Hashable, Sendable {
    public enum Stage: String, CaseIterable, Sendable { case exAnte = "ex_ante", monitoring }
    public var year: Int
    public var project: ProjectCode
    public var stage: Stage

    public init(year: Int, project: ProjectCode, stage: Stage) { self.year = year; self.project = project; self.stage = stage }
}

/// Words a person writes for the document, bound to a year and to what they explain by a key
/// (`unit.duties`, `reason.total`, `use.item.2010350`, `project.51050022T000000280041.goal` …;
/// see Journal/README.md). A later text with the same year and key supersedes an earlier one.
public struct Narrative: Hashable, Sendable {
    public var year: Int
    public var key: String
    public var text: String

    public init(year: Int, key: String, text: String) { self.year = year; self.key = key; self.text = text }

    /// A key is 1–100 characters of a–z 0–9 . _ - and capital letters (project codes).
    public static func validKey(_ k: String) -> Bool {
        (1...100).contains(k.utf8.count) && k.utf8.allSatisfy { isDigit($0) || ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || $0 == 46 || $0 == 95 || $0 == 45 }
    }
}

extension Fact {
    /// One line saying what the fact records (for `log` and `show`).
    public var summary: String {
        switch self {
        case .sanGongActivity(let a):
            let what = a.category == .abroad ? "因公出国（境） \(a.batches)个团组 \(a.people)人次"
                : "公务接待（\(a.scope == .foreign ? "外事" : "国内")） \(a.batches)批次 \(a.people)人次"
            return "\(a.year) \(what)" + (a.target.map { " → \($0)" } ?? "")
        case .vehicle(let v):
            return "\(v.action == .acquire ? "购入" : "处置")车辆 \(v.vehicle) \(v.category.name)\(v.official ? "（公务用车）" : "")"
        case .procurement(let p):
            let award = p.award == .micro ? "小微企业" : (p.award == .sme ? "中小企业" : "其他")
            return "\(p.year) 政府采购\(p.category.name) \(p.amount.yuanGrouped) 授予\(award) → \(p.target)"
        case .asset(let a):
            return "\(a.action == .acquire ? "购入" : "处置")\(a.assetClass.name) \(a.asset) 单价\(a.unitPrice.yuanGrouped) ×\(a.quantity)"
        case .performanceTarget(let t):
            return "\(t.year) \(t.project) 绩效目标 \(t.indicator) \(t.level.name)/\(t.category)/\(t.name) \(t.comparator.symbol)\(t.value)\(t.unit) 权重\(t.weight)"
        case .performanceResult(let r):
            return "\(r.year) \(r.project) 绩效结果 \(r.indicator) \(r.value)" + (r.score.map { " 评分\($0)（\(r.scoreReason ?? "")）" } ?? "")
        case .performanceStage(let s):
            return "\(s.year) \(s.project) \(s.stage == .exAnte ? "事前绩效评估" : "绩效监控")"
        case .text(let n):
            return "\(n.year) \(n.key): \(n.text.prefix(40))\(n.text.count > 40 ? "…" : "")"
        }
    }
}
