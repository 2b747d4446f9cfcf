import Ledger

/// Builds the thirteen tables from the projection (the replay's per-classification figures)
/// and the year's close. Every cell is computed here by summing projection figures; each
/// also carries the query that says what it means, which the reconciler evaluates on the raw
/// events by its own path.
public struct StatementBuilder {
    public let year: Int
    public let catalogue: Catalogue
    let lines: [(classification: Classification, figures: Figures)]
    public let provisional: Bool
    /// Indices into `lines` (and the close's lines) under each 功能分类 prefix ("" for all), so a
    /// cell looks only at the lines of its row.
    let linesUnder: [String: [Int]]
    let linesOfProject: [ProjectCode: [Int]]
    let closedUnder: [String: [Int]]
    /// The lines' and the closed lines' classifications as small integers, so that a cell's
    /// query tests thousands of lines without touching a string.
    let keys: [LineKey]
    /// The standing close's lines: what each let lapse and what it carried out.
    let closedKeys: [(key: LineKey, lapsed: Fen, carriedOut: Fen)]
    let fundIndex: [FundCode: Int32]
    let projectIndex: [ProjectCode: Int32]

    struct LineKey {
        let fund: Int32, item: Int32, econ: Int32, nature: Nature, project: Int32
    }

    /// The statements of `year` from a projection, with the year's standing close in it.
    public static func statements(_ projection: Projection, year: Int, catalogue: Catalogue) -> Statements {
        StatementBuilder(projection: projection, close: projection.standingClose(year), year: year, catalogue: catalogue).build()
    }

    /// `close` is the year's standing close (nil while the year is open: the statements are
    /// then provisional, with every unspent balance as 年末结转和结余).
    public init(projection: Projection, close: YearClose?, year: Int, catalogue: Catalogue) {
        self.year = year
        self.catalogue = catalogue
        lines = projection.lines(year: year)
        var lapsed: [BudgetLine: Fen] = [:], out: [BudgetLine: Fen] = [:]
        for l in close?.lines ?? [] {
            switch l.disposition {
            case .carry: out[l.line] = l.balance
            case .lapse: lapsed[l.line] = l.balance
            case .none: break
            }
        }
        provisional = close == nil
        var funds: [FundCode: Int32] = [:], projects: [ProjectCode: Int32] = [:]
        func key(_ fund: FundCode, _ item: FunctionCode, _ econ: EconomicCode?, _ nature: Nature, _ project: ProjectCode?) -> LineKey {
            let f = funds[fund] ?? { let n = Int32(funds.count); funds[fund] = n; return n }()
            let p = project.map { p in projects[p] ?? { let n = Int32(projects.count); projects[p] = n; return n }() } ?? -1
            return LineKey(fund: f, item: Int32(item.rawValue)!, econ: econ.map { Int32($0.rawValue)! } ?? -1, nature: nature, project: p)
        }
        var under: [String: [Int]] = [:], ofProject: [ProjectCode: [Int]] = [:]
        var keys: [LineKey] = []
        keys.reserveCapacity(lines.count)
        for (i, l) in lines.enumerated() {
            let c = l.classification
            keys.append(key(c.fund, c.item, c.econ, c.nature, c.project))
            let code = c.item.rawValue
            for p in ["", String(code.prefix(3)), String(code.prefix(5)), code] { under[p, default: []].append(i) }
            if let p = c.project { ofProject[p, default: []].append(i) }
        }
        var closed: [String: [Int]] = [:]
        var closedKeys: [(key: LineKey, lapsed: Fen, carriedOut: Fen)] = []
        for l in Set(lapsed.keys).union(out.keys).sorted() {
            let code = l.item.rawValue
            for p in ["", String(code.prefix(3)), String(code.prefix(5)), code] { closed[p, default: []].append(closedKeys.count) }
            closedKeys.append((key(l.fund, l.item, nil, l.nature, l.project), lapsed[l] ?? .zero, out[l] ?? .zero))
        }
        linesUnder = under
        linesOfProject = ofProject
        closedUnder = closed
        self.keys = keys
        self.closedKeys = closedKeys
        fundIndex = funds
        projectIndex = projects
    }

    // MARK: - Cell values, from the projection

    /// A query as tests on `LineKey`s: a fund mask, code prefixes as (value, divisor) pairs.
    struct Compiled {
        let funds: [Bool]?
        let item: (value: Int32, divisor: Int32)?
        let econ: [(value: Int32, divisor: Int32)]?
        let nature: Nature?
        let project: Int32?

        func matches(_ k: LineKey) -> Bool {
            if let f = funds, !f[Int(k.fund)] { return false }
            if let i = item, k.item / i.divisor != i.value { return false }
            if let e = econ { guard k.econ >= 0, e.contains(where: { k.econ / $0.divisor == $0.value }) else { return false } }
            if let n = nature, k.nature != n { return false }
            if let p = project, k.project != p { return false }
            return true
        }
    }

    func compile(_ q: CellQuery) -> Compiled {
        func prefix(_ code: String, length: Int) -> (Int32, Int32) {
            var d: Int32 = 1
            for _ in code.count..<length { d *= 10 }
            return (Int32(code)!, d)
        }
        var mask: [Bool]?
        if let f = q.funds {
            var m = [Bool](repeating: false, count: fundIndex.count)
            for (code, i) in fundIndex where f.contains(code) { m[Int(i)] = true }
            mask = m
        }
        return Compiled(funds: mask, item: q.item.map { prefix($0, length: 7) }, econ: q.econ.map { $0.map { prefix($0, length: 5) } },
                        nature: q.nature, project: q.project.map { projectIndex[$0] ?? -2 })
    }

    func value(_ q: CellQuery) -> Fen {
        let c = compile(q)
        var granted = Fen.zero, actual = Fen.zero, carriedIn = Fen.zero, initial = Fen.zero
        let candidates = q.project.map { linesOfProject[$0] ?? [] } ?? linesUnder[q.item ?? ""] ?? []
        for i in candidates where c.matches(keys[i]) {
            let f = lines[i].figures
            granted += f.initial + f.adjustments; actual += f.actual; carriedIn += f.carried; initial += f.initial
        }
        var lapsedSum = Fen.zero, closedOut = Fen.zero
        if !closedKeys.isEmpty, q.econ == nil {   // budget lines have no 经济分类: an econ cell takes none
            for i in closedUnder[q.item ?? ""] ?? [] where c.matches(closedKeys[i].key) {
                lapsedSum += closedKeys[i].lapsed; closedOut += closedKeys[i].carriedOut
            }
        }
        let outSum = provisional ? carriedIn + granted - actual : closedOut
        switch q.measure {
        case .actual: return actual
        case .initial: return initial
        case .budget: return carriedIn + granted
        case .carriedIn: return carriedIn
        case .income: return granted - lapsedSum
        case .carriedOut: return outSum
        case .sources: return carriedIn + granted - lapsedSum
        case .uses: return actual + outSum
        case .notRecorded: return .zero
        }
    }

    /// The cell at an address: its query from the layout (the one definition of what each cell
    /// means), its value from the projection.
    func cell(_ table: Int, _ row: RowID, _ column: ColumnID) -> Cell {
        guard let q = StatementLayout.query(table: table, row: row, column: column, year: year, catalogue: catalogue) else {
            preconditionFailure("the statement layout has no cell T\(table)[\(row)][\(column)]")
        }
        return Cell(value: value(q), query: q)
    }

    /// A row of `table` whose cells are the given columns.
    func row(_ table: Int, _ id: RowID, _ name: String, level: Int, _ columns: [Column]) -> Row {
        Row(id: id, name: name, level: level, cells: columns.map { cell(table, id, $0.id) })
    }

    // MARK: - Rows

    /// 合计 then 类/款/项 rows for the 项 where `has` is true.
    func hierarchy(_ table: Int, where has: (Classification) -> Bool, columns: [Column]) -> [Row] {
        var items = Set<String>()
        for l in lines where has(l.classification) { items.insert(l.classification.item.rawValue) }
        var codes = Set<String>()
        for i in items { codes.insert(String(i.prefix(3))); codes.insert(String(i.prefix(5))); codes.insert(i) }
        var rows = [row(table, .total, "合计", level: 0, columns)]
        for code in codes.sorted() {
            let c = FunctionCode(rawValue: code)!
            rows.append(row(table, .function(c), catalogue.name(c) ?? "", level: (code.count - 1) / 2, columns))
        }
        return rows
    }

    /// The 24 功能分类 类 of the 总表 template, in order.
    var categories: [(code: FunctionCode, name: String)] {
        catalogue.functions.filter { $0.key.rawValue.count == 3 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Whether a classification is in the fund categories of `table` (all funds when the table has no scope).
    func inScope(_ table: Int, _ c: Classification) -> Bool {
        guard let scope = StatementLayout.scope(table) else { return true }
        return catalogue.category(of: c.fund).map(scope.contains) ?? false
    }

    /// 经济分类 类 and 款 with spending in `table`'s funds (and `nature`), for the 明细表 columns.
    func econColumns(_ table: Int, nature: Nature?) -> [Column] {
        var kuan = Set<EconomicCode>()
        for l in lines where inScope(table, l.classification) && (nature == nil || l.classification.nature == nature) && l.figures.actual != .zero {
            if let e = l.classification.econ { kuan.insert(e) }
        }
        var out: [Column] = []
        for cat in Set(kuan.map(\.category)).sorted() {
            out.append(econColumn(cat))
            out += kuan.filter { $0.category == cat }.sorted().map(econColumn)
        }
        return out
    }

    func econColumn(_ code: EconomicCode) -> Column {
        Column(StatementLayout.econ(code), "\(code) " + (catalogue.name(code) ?? ""))
    }

    // MARK: - The tables

    public func build() -> Statements {
        Statements(year: year, provisional: provisional, tables: [
            t1(), t2(), t3(), t4(), detail(5, "财政拨款支出决算明细表", nature: nil),
            t6(), detail(7, "一般公共预算财政拨款支出决算明细表", nature: nil), t8(), t9(),
            fundTable(10, "政府性基金预算财政拨款收入支出决算表"),
            fundTable(11, "国有资本经营预算财政拨款收入支出决算表"),
            t12(), t13(),
        ])
    }

    typealias L = StatementLayout

    func t1() -> Table {
        let col = [Column(L.amount, "决算数")]
        var income = FundCategory.allCases.map { row(1, L.incomeRow($0), L.incomeLabel($0), level: 1, col) }
        income += [
            row(1, L.incomeTotal, "本年收入合计", level: 0, col),
            row(1, L.nonfiscalSurplusUsed, "使用非财政拨款结余", level: 0, col),
            row(1, L.carriedInRow, "年初结转和结余", level: 0, col),
            row(1, L.incomeGrand, "总计", level: 0, col),
        ]
        var spending = categories.map { row(1, .function($0.code), $0.name, level: 1, col) }
        spending += [
            row(1, L.expenseTotal, "本年支出合计", level: 0, col),
            row(1, L.surplusDistribution, "结余分配", level: 0, col),
            row(1, L.carriedOutRow, "年末结转和结余", level: 0, col),
            row(1, L.expenseGrand, "总计", level: 0, col),
        ]
        return Table(number: 1, title: "收入支出决算总表", blocks: [Block(name: "收入", columns: col, rows: income),
                                                              Block(name: "支出", columns: col, rows: spending)],
                     notes: ["使用非财政拨款结余、结余分配不在本账簿记录范围内，列0。"])
    }

    func t2() -> Table {
        let columns = [Column(L.total, "本年收入合计")] + L.IncomeSource.allCases.map { Column(L.source($0), $0.label) }
        let rows = hierarchy(2, where: { _ in true }, columns: columns)
            .filter { $0.id == .total || $0.cells.contains { ($0?.value ?? .zero) != .zero } }
        return Table(number: 2, title: "收入决算表", blocks: [Block(name: "收入", columns: columns, rows: rows)],
                     notes: ["事业收入含财政专户管理资金，其他收入含单位资金。"])
    }

    func t3() -> Table {
        let columns = [Column(L.total, "本年支出合计"), Column(L.basic, "基本支出"), Column(L.project, "项目支出"),
                       Column(L.upperRemit, "上缴上级支出"), Column(L.operatingExpense, "经营支出"), Column(L.subsidiary, "对附属单位补助支出")]
        let rows = hierarchy(3, where: { _ in true }, columns: columns).filter { $0.id == .total || ($0.cells[0]?.value ?? .zero) != .zero }
        return Table(number: 3, title: "支出决算表", blocks: [Block(name: "支出", columns: columns, rows: rows)],
                     notes: ["上缴上级支出、经营支出、对附属单位补助支出不在本账簿记录范围内，列0。"])
    }

    func t4() -> Table {
        let fiscal = FundCategory.fiscal
        let col = [Column(L.amount, "决算数")]
        var left = fiscal.map { row(4, L.incomeRow($0), L.fiscalLabel($0), level: 1, col) }
        left.append(row(4, L.incomeTotal, "本年收入合计", level: 0, col))
        left.append(row(4, L.carriedInRow, "年初财政拨款结转和结余", level: 0, col))
        left += fiscal.map { row(4, L.carriedInRow($0), L.fiscalLabel($0), level: 1, col) }
        left.append(row(4, L.incomeGrand, "总计", level: 0, col))
        let spread = [Column(L.total, "合计")] + fiscal.map { Column(L.fund($0), L.fiscalLabel($0)) }
        var right = categories.map { row(4, .function($0.code), $0.name, level: 1, spread) }
        right.append(row(4, L.expenseTotal, "本年支出合计", level: 0, spread))
        right.append(row(4, L.carriedOutRow, "年末财政拨款结转和结余", level: 0, spread))
        right.append(row(4, L.expenseGrand, "总计", level: 0, spread))
        return Table(number: 4, title: "财政拨款收入支出决算总表",
                     blocks: [Block(name: "收入", columns: col, rows: left), Block(name: "支出", columns: spread, rows: right)], notes: [])
    }

    func detail(_ n: Int, _ title: String, nature: Nature?) -> Table {
        let econ = econColumns(n, nature: nature)
        let columns = [Column(L.total, "合计")] + econ
        let rows = hierarchy(n, where: { inScope(n, $0) && (nature == nil || $0.nature == nature) }, columns: columns)
            .filter { $0.id == .total || ($0.cells[0]?.value ?? .zero) != .zero }
        var notes = ["列示合计及本年有支出的经济分类类、款（功能分类×经济分类，口径同财决05、财决08），未列示的款均为0。"]
        if econ.isEmpty { notes.append(emptyNote(n)) }
        return Table(number: n, title: title, blocks: [Block(name: "支出", columns: columns, rows: rows)], notes: notes)
    }

    func t6() -> Table {
        let columns = [Column(L.total, "合计"), Column(L.basic, "基本支出"), Column(L.project, "项目支出")]
        let rows = hierarchy(6, where: { inScope(6, $0) }, columns: columns).filter { $0.id == .total || ($0.cells[0]?.value ?? .zero) != .zero }
        return Table(number: 6, title: "一般公共预算财政拨款支出决算表", blocks: [Block(name: "支出", columns: columns, rows: rows)], notes: [])
    }

    func t8() -> Table {
        let col = [Column(L.amount, "决算数")]
        func block(_ group: EconGroup, total: RowID) -> Block {
            var rows: [Row] = []
            for code in catalogue.codes(group) {
                rows.append(row(8, .econ(code), catalogue.name(code) ?? "", level: code.isKuan ? 2 : 1, col))
                guard !code.isKuan else { continue }
                for (kuan, n) in catalogue.economics.filter({ $0.key.isKuan && $0.key.category == code }).sorted(by: { $0.key < $1.key }) {
                    rows.append(row(8, .econ(kuan), n, level: 2, col))
                }
            }
            let label = catalogue.groupLabels[group] ?? group.rawValue
            rows.append(row(8, total, label + "合计", level: 0, col))
            return Block(name: label, columns: col, rows: rows)
        }
        let codes = { (g: EconGroup) in catalogue.codes(g).map(\.rawValue).joined(separator: "、") }
        return Table(number: 8, title: "一般公共预算财政拨款基本支出决算表",
                     blocks: [block(.personnel, total: L.personnelTotal), block(.running, total: L.runningTotal)],
                     notes: ["列示人员经费（\(codes(.personnel))）和公用经费（\(codes(.running))）下的全部经济分类款，本年无支出的列0。"])
    }

    func t9() -> Table {
        var t = detail(9, "一般公共预算财政拨款项目支出决算表", nature: .project)
        var projects = Set<ProjectCode>()
        for l in lines where inScope(9, l.classification) { if let p = l.classification.project { projects.insert(p) } }
        let columns = [Column(L.initial, "年初预算"), Column(L.budget, "调整后预算"), Column(L.actual, "执行数")]
        let rows = projects.sorted().map { p in row(9, .project(p), catalogue.name(p) ?? "", level: 1, columns) }
        t.blocks.append(Block(name: "项目", columns: columns, rows: rows))
        t.notes.append("项目部分列示各项目年初预算、调整后预算（含年初结转和结余）和执行数，口径同项目支出绩效自评表。")
        return t
    }

    func fundTable(_ n: Int, _ title: String) -> Table {
        let columns = [Column(L.carriedIn, "年初结转和结余"), Column(L.income, "本年收入"), Column(L.expense, "本年支出"),
                       Column(L.basic, "基本支出"), Column(L.project, "项目支出"), Column(L.carriedOut, "年末结转和结余")]
        let rows = hierarchy(n, where: { inScope(n, $0) }, columns: columns)
        let label = StatementLayout.scope(n)!.map(L.fiscalLabel).joined(separator: "、")
        var t = Table(number: n, title: title, blocks: [Block(name: label, columns: columns, rows: rows)], notes: [])
        if t.isEmpty { t.notes.append(emptyNote(n)) }
        return t
    }

    func t12() -> Table {
        let columns = [Column(L.total, "合计"), Column(L.basic, "基本支出"), Column(L.project, "项目支出")]
        let rows = hierarchy(12, where: { inScope(12, $0) }, columns: columns)
        var t = Table(number: 12, title: "国有资本经营预算财政拨款支出决算表",
                      blocks: [Block(name: "支出", columns: columns, rows: rows)], notes: [])
        if t.isEmpty { t.notes.append(emptyNote(12)) }
        return t
    }

    func t13() -> Table {
        let columns = L.SanGongSide.allCases.flatMap { side in
            L.SanGongColumn.all.map { Column(L.sanGong(side, $0), "\(side.label):\($0.label)") }
        }
        var t = Table(number: 13, title: "财政拨款“三公”经费支出决算表",
                      blocks: [Block(name: "“三公”经费", columns: columns, rows: [row(13, .total, "合计", level: 0, columns)])],
                      notes: ["预算数为按上述经济分类安排的财政拨款预算（含年初结转和结余），决算数为其支出。"])
        if t.isEmpty { t.notes.append("本单位\(year)年度没有使用财政拨款安排“三公”经费，故本表无数据。") }
        return t
    }

    /// “…没有X收入，也没有使用X安排的支出，故本表无数据。” for a table's fund scope.
    func emptyNote(_ table: Int) -> String {
        let funds = catalogue.funds(in: StatementLayout.scope(table) ?? FundCategory.allCases)
        let name = funds.map { catalogue.name($0) ?? $0.rawValue }.sorted().joined(separator: "、")
        return "本单位\(year)年度没有\(name)收入，也没有使用\(name)安排的支出，故本表无数据。"
    }
}
