/// The domain rules that more than one view applies, each defined once. Where a rule is data
/// (which fund reports under which statement category, which 经济分类 make up 人员经费 or a
/// “三公” category) the data lives in the catalogue (`catalogue.tsv`, kinds `fund` and
/// `group`) and the rule that reads it lives here; every view (budget, statements, the
/// reconciler, the document) asks these, never its own copy.

/// Fiscal years the ledger accepts: a date, a `--year`, a close.
public enum FiscalYears {
    public static let valid: ClosedRange<Int> = 1900...9999
    public static func contains(_ year: Int) -> Bool { valid.contains(year) }
}

/// 年初预算: an appropriation dated the first day of its fiscal year is the year's initial
/// budget; one dated later is an adjustment (追加), as is every budget adjustment.
public enum InitialBudget {
    public static func contains(_ date: CivilDate) -> Bool { contains(month: date.month, day: date.day) }
    /// The same rule on a date's parts, for the replay scanner's hot path.
    @inline(__always) public static func contains(month: Int, day: Int) -> Bool { month == 1 && day == 1 }
}

/// The category a fund source reports under in the statements (收入支出决算总表 and 收入决算表).
/// The catalogue assigns each fund code one (`fund	CODE	NAME	CATEGORY`).
public enum FundCategory: String, CaseIterable, Sendable, Comparable {
    /// 一般公共预算财政拨款, 政府性基金预算财政拨款, 国有资本经营预算财政拨款: the three 财政拨款.
    case generalBudget = "gpb", governmentFund = "gfb", stateCapital = "socb"
    case superior, business, operating, affiliated, other

    /// 财政拨款: the three budgets' appropriations.
    public var isFiscal: Bool {
        switch self {
        case .generalBudget, .governmentFund, .stateCapital: return true
        case .superior, .business, .operating, .affiliated, .other: return false
        }
    }

    public static let fiscal: [FundCategory] = allCases.filter(\.isFiscal)

    public static func < (l: Self, r: Self) -> Bool {
        allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
    }
}

/// Named groups of 经济分类 that reports sum. Their codes (类 or 款 prefixes) are catalogue data
/// (`group	NAME	CODE,CODE	LABEL`); the built-in catalogue follows DOMAIN.md §1.
public enum EconGroup: String, CaseIterable, Sendable {
    /// 人员经费 (301, 303) and 公用经费 (302, 310) within 基本支出.
    case personnel, running
    /// The four “三公” categories.
    case abroad = "sangong-abroad"
    case vehiclePurchase = "sangong-vehicle-purchase"
    case vehicleRunning = "sangong-vehicle-running"
    case reception = "sangong-reception"
}

/// The “三公” rule: 财政拨款 spending (every fiscal fund) under the 经济分类 of four categories,
/// 公务用车购置 being 31013 or 30913. `budget --by sangong`, 表13 and the document all use it.
public enum SanGong: String, CaseIterable, Sendable {
    case abroad, vehiclePurchase = "vehicle-purchase", vehicleRunning = "vehicle-running", reception

    public var group: EconGroup {
        switch self {
        case .abroad: return .abroad
        case .vehiclePurchase: return .vehiclePurchase
        case .vehicleRunning: return .vehicleRunning
        case .reception: return .reception
        }
    }

    public var name: String {
        switch self {
        case .abroad: return "因公出国（境）费"
        case .vehiclePurchase: return "公务用车购置费"
        case .vehicleRunning: return "公务用车运行维护费"
        case .reception: return "公务接待费"
        }
    }

    /// 公务用车购置及运行维护费: the two vehicle categories.
    public static let vehicles: [SanGong] = [.vehiclePurchase, .vehicleRunning]
    public static let vehiclesName = "公务用车购置及运行维护费"

    /// Whether spending on `c` counts as “三公” category `self`.
    public func covers(_ c: Classification, catalogue: Catalogue) -> Bool {
        catalogue.category(of: c.fund)?.isFiscal == true && catalogue.econ(c.econ, isIn: group)
    }
}

extension Catalogue {
    /// The statement category of a fund source.
    public func category(of fund: FundCode) -> FundCategory? { fundCategories[fund] }

    /// Every fund code of the catalogue that reports under one of `categories`.
    public func funds(in categories: FundCategory...) -> Set<FundCode> { funds(in: categories) }
    public func funds(in categories: [FundCategory]) -> Set<FundCode> {
        Set(fundCategories.filter { categories.contains($0.value) }.keys)
    }

    /// The 经济分类 prefixes of a group (类 or 款 codes).
    public func codes(_ group: EconGroup) -> [EconomicCode] { groups[group] ?? [] }

    /// Whether an 经济分类 款 falls under a group (none never does).
    public func econ(_ code: EconomicCode?, isIn group: EconGroup) -> Bool {
        guard let c = code?.rawValue else { return false }
        return codes(group).contains { c.hasPrefix($0.rawValue) }
    }

    /// What a catalogue used as the base must define and does not: every rule group, and a
    /// category for every fund. Empty for a complete catalogue.
    public var missingRules: [String] {
        var out = EconGroup.allCases.filter { groups[$0] == nil }.map { "group '\($0.rawValue)'" }
        out += funds.keys.filter { fundCategories[$0] == nil }.sorted().map { "the category of fund '\($0)'" }
        return out
    }
}
