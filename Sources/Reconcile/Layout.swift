import Ledger

/// What every cell of the thirteen tables means, defined once: a pure function from a cell's
/// address (table, row id, column id) to the query over the journal that gives its value.
/// The statement builder lays out rows and columns and takes every cell's query from here;
/// `fledger trace` resolves an address to its query before it reads the journal; the
/// reconciler evaluates the same query on the raw events by its own path.
public enum StatementLayout {
    // MARK: - Column ids

    public static let amount = ColumnID("amount")         // 决算数
    public static let total = ColumnID("total")           // 合计, 本年收入合计, 本年支出合计
    public static let basic = ColumnID("basic")           // 基本支出
    public static let project = ColumnID("project")       // 项目支出
    public static let upperRemit = ColumnID("upper-remit")            // 上缴上级支出
    public static let operatingExpense = ColumnID("operating-expense") // 经营支出
    public static let subsidiary = ColumnID("subsidiary")             // 对附属单位补助支出
    public static let initial = ColumnID("initial")       // 年初预算
    public static let budget = ColumnID("budget")         // 调整后预算
    public static let actual = ColumnID("actual")         // 执行数
    public static let carriedIn = ColumnID("carried-in")  // 年初结转和结余
    public static let income = ColumnID("income")         // 本年收入
    public static let expense = ColumnID("expense")       // 本年支出
    public static let carriedOut = ColumnID("carried-out") // 年末结转和结余
    /// 收入决算表: one column per income source.
    public static func source(_ s: IncomeSource) -> ColumnID { ColumnID("source:\(s.rawValue)") }
    /// 财政拨款收入支出决算总表: one spending column per 财政拨款 fund category.
    public static func fund(_ c: FundCategory) -> ColumnID { ColumnID("fund:\(c.rawValue)") }
    /// 明细表: one column per 经济分类 类 or 款.
    public static func econ(_ c: EconomicCode) -> ColumnID { ColumnID("econ:\(c.rawValue)") }
    /// “三公” table: 预算数 or 决算数 of a category (nil = 合计, or the vehicles' 小计).
    public static func sanGong(_ side: SanGongSide, _ part: SanGongColumn) -> ColumnID { ColumnID("\(side.rawValue):\(part.id)") }

    public enum SanGongSide: String, CaseIterable, Sendable {
        case budget, actual
        public var label: String { self == .budget ? "预算数" : "决算数" }
    }

    /// The columns of the “三公” table on each side: 合计, each category, and the vehicles' 小计.
    public enum SanGongColumn: Hashable, Sendable {
        case total, vehicles, category(SanGong)
        public var id: String {
            switch self {
            case .total: return "total"
            case .vehicles: return "vehicles"
            case .category(let k): return k.rawValue
            }
        }
        public var label: String {
            switch self {
            case .total: return "合计"
            case .vehicles: return SanGong.vehiclesName + "小计"
            case .category(let k): return k.name
            }
        }
        public var categories: [SanGong] {
            switch self {
            case .total: return SanGong.allCases
            case .vehicles: return SanGong.vehicles
            case .category(let k): return [k]
            }
        }
        /// In the template's order.
        public static let all: [SanGongColumn] = [.total, .category(.abroad), .vehicles, .category(.vehiclePurchase),
                                                  .category(.vehicleRunning), .category(.reception)]
    }

    // MARK: - Row ids

    public static let incomeTotal = RowID("income-total"), nonfiscalSurplusUsed = RowID("nonfiscal-surplus-used")
    public static let carriedInRow = RowID("carried-in"), incomeGrand = RowID("income-grand")
    public static let expenseTotal = RowID("expense-total"), surplusDistribution = RowID("surplus-distribution")
    public static let carriedOutRow = RowID("carried-out"), expenseGrand = RowID("expense-grand")
    public static let personnelTotal = RowID("personnel-total"), runningTotal = RowID("running-total")
    /// 本年收入 of one fund category (收入支出决算总表, 财政拨款收入支出决算总表).
    public static func incomeRow(_ c: FundCategory) -> RowID { RowID("i-\(c.rawValue)") }
    /// 年初结转和结余 of one 财政拨款 category (财政拨款收入支出决算总表).
    public static func carriedInRow(_ c: FundCategory) -> RowID { RowID("ci-\(c.rawValue)") }

    /// The income sources of 收入决算表, each a set of fund categories.
    public enum IncomeSource: String, CaseIterable, Sendable {
        case fiscal, superior, business, operating, affiliated, other
        public var categories: [FundCategory] {
            switch self {
            case .fiscal: return FundCategory.fiscal
            case .superior: return [.superior]
            case .business: return [.business]
            case .operating: return [.operating]
            case .affiliated: return [.affiliated]
            case .other: return [.other]
            }
        }
        public var label: String {
            switch self {
            case .fiscal: return "财政拨款收入"
            case .superior: return "上级补助收入"
            case .business: return "事业收入"
            case .operating: return "经营收入"
            case .affiliated: return "附属单位上缴收入"
            case .other: return "其他收入"
            }
        }
    }

    /// The income row label of a fund category (收入支出决算总表).
    public static func incomeLabel(_ c: FundCategory) -> String {
        switch c {
        case .generalBudget: return "一般公共预算财政拨款收入"
        case .governmentFund: return "政府性基金预算财政拨款收入"
        case .stateCapital: return "国有资本经营预算财政拨款收入"
        case .superior: return "上级补助收入"
        case .business: return "事业收入"
        case .operating: return "经营收入"
        case .affiliated: return "附属单位上缴收入"
        case .other: return "其他收入"
        }
    }

    /// The name of a 财政拨款 fund category as a column or row label (一般公共预算财政拨款 …).
    public static func fiscalLabel(_ c: FundCategory) -> String {
        String(incomeLabel(c).dropLast(2))
    }

    /// The fund categories each table is restricted to (nil: all funds).
    public static func scope(_ table: Int) -> [FundCategory]? {
        switch table {
        case 4, 5, 13: return FundCategory.fiscal
        case 6, 7, 8, 9: return [.generalBudget]
        case 10: return [.governmentFund]
        case 11, 12: return [.stateCapital]
        default: return nil
        }
    }

    // MARK: - The query of a cell

    /// A partial query: what a table, a row or a column says about a cell.
    struct Part {
        var measure: CellQuery.Measure?
        var categories: [FundCategory]?
        var item: String?
        var econ: [String]?
        var nature: Nature?
        var project: ProjectCode?

        init(_ measure: CellQuery.Measure? = nil, categories: [FundCategory]? = nil, item: String? = nil, econ: [String]? = nil,
             nature: Nature? = nil, project: ProjectCode? = nil) {
            self.measure = measure; self.categories = categories; self.item = item; self.econ = econ
            self.nature = nature; self.project = project
        }

        /// Both parts together; nil when they say different things about the same field.
        func and(_ o: Part?) -> Part? {
            guard let o else { return nil }
            func pick<T: Equatable>(_ a: T?, _ b: T?) -> (T?, Bool) {
                if let a, let b { return (a, a == b) }
                return (a ?? b, true)
            }
            let m = pick(measure, o.measure), f = pick(categories, o.categories), i = pick(item, o.item)
            let e = pick(econ, o.econ), n = pick(nature, o.nature), p = pick(project, o.project)
            guard m.1, f.1, i.1, e.1, n.1, p.1 else { return nil }
            return Part(m.0, categories: f.0, item: i.0, econ: e.0, nature: n.0, project: p.0)
        }
    }

    /// A 功能分类 row: `total` (all) or a 类, 款 or 项 code.
    static func functionRow(_ row: RowID) -> Part? {
        if row == .total { return Part() }
        guard let c = FunctionCode(rawValue: row.rawValue) else { return nil }
        return Part(item: c.rawValue)
    }

    static func category(_ row: RowID, prefix: String, among allowed: [FundCategory]) -> FundCategory? {
        guard row.rawValue.hasPrefix(prefix), let c = FundCategory(rawValue: String(row.rawValue.dropFirst(prefix.count))),
              allowed.contains(c) else { return nil }
        return c
    }

    static func suffix(_ column: ColumnID, _ prefix: String) -> String? {
        column.rawValue.hasPrefix(prefix) ? String(column.rawValue.dropFirst(prefix.count)) : nil
    }

    /// What the cell at (`table`, `row`, `column`) of `year`'s statements means; nil when no
    /// table of that layout can have such a cell.
    public static func query(table: Int, row: RowID, column: ColumnID, year: Int, catalogue: Catalogue) -> CellQuery? {
        guard let p = part(table: table, row: row, column: column, catalogue: catalogue), let m = p.measure else { return nil }
        return CellQuery(m, year: year, funds: p.categories.map { catalogue.funds(in: $0) }, item: p.item, econ: p.econ,
                         nature: p.nature, project: p.project)
    }

    static func part(table: Int, row: RowID, column: ColumnID, catalogue: Catalogue) -> Part? {
        let base = Part(categories: scope(table))
        switch table {
        case 1:
            guard column == amount else { return nil }
            if let c = category(row, prefix: "i-", among: FundCategory.allCases) { return Part(.income, categories: [c]) }
            switch row {
            case incomeTotal: return Part(.income)
            case nonfiscalSurplusUsed, surplusDistribution: return Part(.notRecorded)
            case carriedInRow: return Part(.carriedIn)
            case incomeGrand: return Part(.sources)
            case expenseTotal: return Part(.actual)
            case carriedOutRow: return Part(.carriedOut)
            case expenseGrand: return Part(.uses)
            default:
                guard let c = FunctionCode(rawValue: row.rawValue), c.rawValue.count == 3 else { return nil }
                return Part(.actual, item: c.rawValue)
            }
        case 2:
            let col: Part?
            if column == total { col = Part(.income) }
            else if let s = suffix(column, "source:").flatMap(IncomeSource.init(rawValue:)) { col = Part(.income, categories: s.categories) }
            else { col = nil }
            return functionRow(row)?.and(col)
        case 3:
            let col: Part?
            switch column {
            case total: col = Part(.actual)
            case basic: col = Part(.actual, nature: .basic)
            case project: col = Part(.actual, nature: .project)
            case upperRemit, operatingExpense, subsidiary: col = Part(.notRecorded)
            default: col = nil
            }
            return functionRow(row)?.and(col)
        case 4:
            let fiscal = FundCategory.fiscal
            if column == amount {
                if let c = category(row, prefix: "i-", among: fiscal) { return Part(.income, categories: [c]) }
                if let c = category(row, prefix: "ci-", among: fiscal) { return Part(.carriedIn, categories: [c]) }
                switch row {
                case incomeTotal: return base.and(Part(.income))
                case carriedInRow: return base.and(Part(.carriedIn))
                case incomeGrand: return base.and(Part(.sources))
                default: return nil
                }
            }
            let col: Part?
            if column == total { col = base }
            else if let c = suffix(column, "fund:").flatMap(FundCategory.init(rawValue:)), c.isFiscal { col = Part(categories: [c]) }
            else { col = nil }
            let r: Part?
            switch row {
            case expenseTotal: r = Part(.actual)
            case carriedOutRow: r = Part(.carriedOut)
            case expenseGrand: r = Part(.uses)
            default:
                guard let c = FunctionCode(rawValue: row.rawValue), c.rawValue.count == 3 else { return nil }
                r = Part(.actual, item: c.rawValue)
            }
            return r?.and(col)
        case 5, 7, 9:
            let detail = base.and(Part(nature: table == 9 ? .project : nil))
            if table == 9, let p = ProjectCode(rawValue: row.rawValue) {
                let m: CellQuery.Measure
                switch column {
                case initial: m = .initial
                case budget: m = .budget
                case actual: m = .actual
                default: return nil
                }
                return base.and(Part(m, project: p))
            }
            let col: Part?
            if column == total { col = Part(.actual) }
            else if let e = suffix(column, "econ:").flatMap(EconomicCode.init(rawValue:)) { col = Part(.actual, econ: [e.rawValue]) }
            else { col = nil }
            return detail?.and(functionRow(row))?.and(col)
        case 6, 12:
            let col: Part?
            switch column {
            case total: col = Part(.actual)
            case basic: col = Part(.actual, nature: .basic)
            case project: col = Part(.actual, nature: .project)
            default: col = nil
            }
            return base.and(functionRow(row))?.and(col)
        case 8:
            guard column == amount else { return nil }
            let inBasic = base.and(Part(.actual, nature: .basic))
            switch row {
            case personnelTotal: return inBasic?.and(Part(econ: catalogue.codes(.personnel).map(\.rawValue)))
            case runningTotal: return inBasic?.and(Part(econ: catalogue.codes(.running).map(\.rawValue)))
            default:
                guard let e = EconomicCode(rawValue: row.rawValue) else { return nil }
                return inBasic?.and(Part(econ: [e.rawValue]))
            }
        case 10, 11:
            let col: Part?
            switch column {
            case carriedIn: col = Part(.carriedIn)
            case income: col = Part(.income)
            case expense: col = Part(.actual)
            case basic: col = Part(.actual, nature: .basic)
            case project: col = Part(.actual, nature: .project)
            case carriedOut: col = Part(.carriedOut)
            default: col = nil
            }
            return base.and(functionRow(row))?.and(col)
        case 13:
            guard row == .total else { return nil }
            for side in SanGongSide.allCases {
                for part in SanGongColumn.all where column == sanGong(side, part) {
                    let codes = part.categories.flatMap { catalogue.codes($0.group) }.map(\.rawValue)
                    return base.and(Part(side == .budget ? .budget : .actual, econ: codes))
                }
            }
            return nil
        default:
            return nil
        }
    }
}
