import Ledger

/// Builds the thirteen tables from the projection (the replay's per-classification figures)
/// and the year's close. Every cell is computed here by summing projection figures; each
/// also carries the query that says what it means, which the reconciler evaluates on the raw
/// events by its own path.
public struct StatementBuilder {
    public let year: Int
    public let catalogue: Catalogue
    let lines: [(classification: Classification, figures: Figures)]
    /// From the year's standing close: per budget line, what lapsed and what was carried out.
    let lapsed: [BudgetLine: Fen]
    let carriedOut: [BudgetLine: Fen]
    public let provisional: Bool
    /// Indices into `lines` (and the close's lines) under each 功能分类 prefix ("" for all), so a
    /// cell looks only at the lines of its row.
    let linesUnder: [String: [Int]]
    let linesOfProject: [ProjectCode: [Int]]
    let closedUnder: [String: [BudgetLine]]

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
        self.lapsed = lapsed
        carriedOut = out
        provisional = close == nil
        var under: [String: [Int]] = [:]
        for (i, l) in lines.enumerated() {
            let code = l.classification.item.rawValue
            for p in ["", String(code.prefix(3)), String(code.prefix(5)), code] { under[p, default: []].append(i) }
        }
        linesUnder = under
        var ofProject: [ProjectCode: [Int]] = [:]
        for (i, l) in lines.enumerated() { if let p = l.classification.project { ofProject[p, default: []].append(i) } }
        linesOfProject = ofProject
        var closed: [String: [BudgetLine]] = [:]
        for l in Set(lapsed.keys).union(out.keys) {
            let code = l.item.rawValue
            for p in ["", String(code.prefix(3)), String(code.prefix(5)), code] { closed[p, default: []].append(l) }
        }
        closedUnder = closed
    }

    static let fiscal: Set<FundCode> = ["gpb", "gfb", "socb"].compactMap(FundCode.init(rawValue:)).reduce(into: []) { $0.insert($1) }
    static func funds(_ codes: String...) -> Set<FundCode> { Set(codes.compactMap(FundCode.init(rawValue:))) }
    static let gpb = funds("gpb"), gfb = funds("gfb"), socb = funds("socb")
    /// Income sources of 收入决算表 and their fund codes.
    static let sources: [(code: String, name: String, funds: Set<FundCode>)] = [
        ("fiscal", "财政拨款收入", fiscal), ("superior", "上级补助收入", funds("superior")),
        ("business", "事业收入", funds("business", "special")), ("operating", "经营收入", funds("operating")),
        ("affiliated", "附属单位上缴收入", funds("affiliated")), ("other", "其他收入", funds("other", "unit")),
    ]

    // MARK: - Cell values, from the projection

    func matches(_ q: CellQuery, _ c: Classification) -> Bool {
        if let f = q.funds, !f.contains(c.fund) { return false }
        if let i = q.item, !c.item.rawValue.hasPrefix(i) { return false }
        if let e = q.econ { guard let code = c.econ?.rawValue, e.contains(where: { code.hasPrefix($0) }) else { return false } }
        if let n = q.nature, c.nature != n { return false }
        if let p = q.project, c.project != p { return false }
        return true
    }

    func lineMatches(_ q: CellQuery, _ l: BudgetLine) -> Bool {
        matches(q, Classification(fund: l.fund, item: l.item, econ: nil, nature: l.nature, project: l.project))
    }

    func value(_ q: CellQuery) -> Fen {
        var v: Int64 = 0
        var granted: Int64 = 0, actual: Int64 = 0, carriedIn: Int64 = 0, initial: Int64 = 0
        let candidates = q.project.map { linesOfProject[$0] ?? [] } ?? linesUnder[q.item ?? ""] ?? []
        for i in candidates where matches(q, lines[i].classification) {
            let f = lines[i].figures
            granted += f.initial.raw + f.adjustments.raw; actual += f.actual.raw; carriedIn += f.carried.raw; initial += f.initial.raw
        }
        let closed = (closedUnder[q.item ?? ""] ?? []).filter { lineMatches(q, $0) }
        let lapsedSum = closed.reduce(0) { $0 + (lapsed[$1]?.raw ?? 0) }
        let outSum = provisional ? carriedIn + granted - actual : closed.reduce(0) { $0 + (carriedOut[$1]?.raw ?? 0) }
        switch q.measure {
        case .actual: v = actual
        case .initial: v = initial
        case .budget: v = carriedIn + granted
        case .carriedIn: v = carriedIn
        case .income: v = granted - lapsedSum
        case .carriedOut: v = outSum
        case .sources: v = carriedIn + granted - lapsedSum
        case .uses: v = actual + outSum
        case .notRecorded: v = 0
        }
        return Fen(v)
    }

    func cell(_ m: CellQuery.Measure, funds: Set<FundCode>? = nil, item: String? = nil, econ: [String]? = nil,
              nature: Nature? = nil, project: ProjectCode? = nil) -> Cell {
        let q = CellQuery(m, year: year, funds: funds, item: item, econ: econ, nature: nature, project: project)
        return Cell(value: value(q), query: q)
    }

    // MARK: - Rows

    /// 合计 then 类/款/项 rows for the 项 where `has` is true, each row's cells from `cells(prefix)`.
    func hierarchy(where has: (Classification) -> Bool, cells: (String?) -> [Cell?]) -> [Row] {
        var items = Set<String>()
        for l in lines where has(l.classification) { items.insert(l.classification.item.rawValue) }
        var codes = Set<String>()
        for i in items { codes.insert(String(i.prefix(3))); codes.insert(String(i.prefix(5))); codes.insert(i) }
        var rows = [Row(code: "total", name: "合计", level: 0, cells: cells(nil))]
        for code in codes.sorted() {
            rows.append(Row(code: code, name: FunctionCode(rawValue: code).flatMap(catalogue.name) ?? "", level: (code.count - 1) / 2, cells: cells(code)))
        }
        return rows
    }

    /// The 24 功能分类 类 of the 总表 template, in order.
    var categories: [(code: String, name: String)] {
        catalogue.functions.filter { $0.key.rawValue.count == 3 }.sorted { $0.key < $1.key }.map { ($0.key.rawValue, $0.value) }
    }

    /// 经济分类 类 and 款 with spending in `funds` (and `nature`), for the 明细表 columns.
    func econColumns(funds: Set<FundCode>, nature: Nature?) -> [String] {
        var kuan = Set<String>()
        for l in lines where funds.contains(l.classification.fund) && (nature == nil || l.classification.nature == nature) && l.figures.actual != .zero {
            if let e = l.classification.econ { kuan.insert(e.rawValue) }
        }
        var out: [String] = []
        for cat in Set(kuan.map { String($0.prefix(3)) }).sorted() {
            out.append(cat)
            out += kuan.filter { $0.hasPrefix(cat) }.sorted()
        }
        return out
    }

    func econName(_ code: String) -> String { "\(code) " + (EconomicCode(rawValue: code).flatMap(catalogue.name) ?? "") }

    // MARK: - The tables

    public func build() -> Statements {
        Statements(year: year, provisional: provisional, tables: [
            t1(), t2(), t3(), t4(), detail(5, "财政拨款支出决算明细表", funds: Self.fiscal, nature: nil),
            t6(), detail(7, "一般公共预算财政拨款支出决算明细表", funds: Self.gpb, nature: nil), t8(), t9(),
            fundTable(10, "政府性基金预算财政拨款收入支出决算表", funds: Self.gfb, label: "政府性基金预算财政拨款"),
            fundTable(11, "国有资本经营预算财政拨款收入支出决算表", funds: Self.socb, label: "国有资本经营预算财政拨款"),
            t12(), t13(),
        ])
    }

    func t1() -> Table {
        var income: [Row] = [
            ("i-gpb", "一般公共预算财政拨款收入", Self.gpb), ("i-gfb", "政府性基金预算财政拨款收入", Self.gfb),
            ("i-socb", "国有资本经营预算财政拨款收入", Self.socb),
        ].map { Row(code: $0.0, name: $0.1, level: 1, cells: [cell(.income, funds: $0.2)]) }
        income += Self.sources.dropFirst().map { Row(code: "i-\($0.code)", name: $0.name, level: 1, cells: [cell(.income, funds: $0.funds)]) }
        income += [
            Row(code: "income-total", name: "本年收入合计", level: 0, cells: [cell(.income)]),
            Row(code: "nonfiscal-surplus-used", name: "使用非财政拨款结余", level: 0, cells: [cell(.notRecorded)]),
            Row(code: "carried-in", name: "年初结转和结余", level: 0, cells: [cell(.carriedIn)]),
            Row(code: "income-grand", name: "总计", level: 0, cells: [cell(.sources)]),
        ]
        var spending = categories.map { Row(code: $0.code, name: $0.name, level: 1, cells: [cell(.actual, item: $0.code)]) }
        spending += [
            Row(code: "expense-total", name: "本年支出合计", level: 0, cells: [cell(.actual)]),
            Row(code: "surplus-distribution", name: "结余分配", level: 0, cells: [cell(.notRecorded)]),
            Row(code: "carried-out", name: "年末结转和结余", level: 0, cells: [cell(.carriedOut)]),
            Row(code: "expense-grand", name: "总计", level: 0, cells: [cell(.uses)]),
        ]
        return Table(number: 1, title: "收入支出决算总表", blocks: [Block(name: "收入", columns: ["决算数"], rows: income),
                                                              Block(name: "支出", columns: ["决算数"], rows: spending)],
                     notes: ["使用非财政拨款结余、结余分配不在本账簿记录范围内，列0。"])
    }

    func t2() -> Table {
        let columns = ["本年收入合计"] + Self.sources.map(\.name)
        let rows = hierarchy(where: { _ in true }) { prefix in
            [cell(.income, item: prefix)] + Self.sources.map { cell(.income, funds: $0.funds, item: prefix) }
        }.filter { $0.code == "total" || $0.cells.contains { ($0?.value ?? .zero) != .zero } }
        return Table(number: 2, title: "收入决算表", blocks: [Block(name: "收入", columns: columns, rows: rows)],
                     notes: ["事业收入含财政专户管理资金，其他收入含单位资金。"])
    }

    func t3() -> Table {
        let columns = ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]
        let rows = hierarchy(where: { _ in true }) { p in
            [cell(.actual, item: p), cell(.actual, item: p, nature: .basic), cell(.actual, item: p, nature: .project),
             cell(.notRecorded, item: p), cell(.notRecorded, item: p), cell(.notRecorded, item: p)]
        }.filter { $0.code == "total" || ($0.cells[0]?.value ?? .zero) != .zero }
        return Table(number: 3, title: "支出决算表", blocks: [Block(name: "支出", columns: columns, rows: rows)],
                     notes: ["上缴上级支出、经营支出、对附属单位补助支出不在本账簿记录范围内，列0。"])
    }

    func t4() -> Table {
        let byFund: [(code: String, name: String, funds: Set<FundCode>)] = [
            ("gpb", "一般公共预算财政拨款", Self.gpb), ("gfb", "政府性基金预算财政拨款", Self.gfb), ("socb", "国有资本经营预算财政拨款", Self.socb),
        ]
        var left = byFund.map { Row(code: "i-\($0.code)", name: $0.name, level: 1, cells: [cell(.income, funds: $0.funds)]) }
        left.append(Row(code: "income-total", name: "本年收入合计", level: 0, cells: [cell(.income, funds: Self.fiscal)]))
        left.append(Row(code: "carried-in", name: "年初财政拨款结转和结余", level: 0, cells: [cell(.carriedIn, funds: Self.fiscal)]))
        left += byFund.map { Row(code: "ci-\($0.code)", name: $0.name, level: 1, cells: [cell(.carriedIn, funds: $0.funds)]) }
        left.append(Row(code: "income-grand", name: "总计", level: 0, cells: [cell(.sources, funds: Self.fiscal)]))
        func spread(_ m: CellQuery.Measure, item: String? = nil) -> [Cell?] {
            [cell(m, funds: Self.fiscal, item: item)] + byFund.map { cell(m, funds: $0.funds, item: item) }
        }
        var right = categories.map { Row(code: $0.code, name: $0.name, level: 1, cells: spread(.actual, item: $0.code)) }
        right.append(Row(code: "expense-total", name: "本年支出合计", level: 0, cells: spread(.actual)))
        right.append(Row(code: "carried-out", name: "年末财政拨款结转和结余", level: 0, cells: spread(.carriedOut)))
        right.append(Row(code: "expense-grand", name: "总计", level: 0, cells: spread(.uses)))
        return Table(number: 4, title: "财政拨款收入支出决算总表",
                     blocks: [Block(name: "收入", columns: ["决算数"], rows: left),
                              Block(name: "支出", columns: ["合计"] + byFund.map(\.name), rows: right)], notes: [])
    }

    func detail(_ n: Int, _ title: String, funds: Set<FundCode>, nature: Nature?) -> Table {
        let econ = econColumns(funds: funds, nature: nature)
        let rows = hierarchy(where: { funds.contains($0.fund) && (nature == nil || $0.nature == nature) }) { p in
            [cell(.actual, funds: funds, item: p, nature: nature)] + econ.map { cell(.actual, funds: funds, item: p, econ: [$0], nature: nature) }
        }.filter { $0.code == "total" || ($0.cells[0]?.value ?? .zero) != .zero }
        var notes = ["列示合计及本年有支出的经济分类类、款（功能分类×经济分类，口径同财决05、财决08），未列示的款均为0。"]
        if econ.isEmpty { notes.append(emptyNote(funds)) }
        return Table(number: n, title: title, blocks: [Block(name: "支出", columns: ["合计"] + econ.map(econName), rows: rows)], notes: notes)
    }

    func t6() -> Table {
        let rows = hierarchy(where: { $0.fund.rawValue == "gpb" }) { p in
            [cell(.actual, funds: Self.gpb, item: p), cell(.actual, funds: Self.gpb, item: p, nature: .basic), cell(.actual, funds: Self.gpb, item: p, nature: .project)]
        }.filter { $0.code == "total" || ($0.cells[0]?.value ?? .zero) != .zero }
        return Table(number: 6, title: "一般公共预算财政拨款支出决算表",
                     blocks: [Block(name: "支出", columns: ["合计", "基本支出", "项目支出"], rows: rows)], notes: [])
    }

    func t8() -> Table {
        func block(_ name: String, _ cats: [String], total: (String, String)) -> Block {
            var rows: [Row] = []
            for cat in cats {
                rows.append(Row(code: cat, name: catalogue.name(EconomicCode(rawValue: cat)!) ?? "", level: 1,
                                cells: [cell(.actual, funds: Self.gpb, econ: [cat], nature: .basic)]))
                for (code, n) in catalogue.economics.filter({ $0.key.rawValue.count == 5 && $0.key.rawValue.hasPrefix(cat) }).sorted(by: { $0.key < $1.key }) {
                    rows.append(Row(code: code.rawValue, name: n, level: 2, cells: [cell(.actual, funds: Self.gpb, econ: [code.rawValue], nature: .basic)]))
                }
            }
            rows.append(Row(code: total.0, name: total.1, level: 0, cells: [cell(.actual, funds: Self.gpb, econ: cats, nature: .basic)]))
            return Block(name: name, columns: ["决算数"], rows: rows)
        }
        return Table(number: 8, title: "一般公共预算财政拨款基本支出决算表",
                     blocks: [block("人员经费", ["301", "303"], total: ("personnel-total", "人员经费合计")),
                              block("公用经费", ["302", "310"], total: ("running-total", "公用经费合计"))],
                     notes: ["列示人员经费（301、303）和公用经费（302、310）下的全部经济分类款，本年无支出的列0。"])
    }

    func t9() -> Table {
        var t = detail(9, "一般公共预算财政拨款项目支出决算表", funds: Self.gpb, nature: .project)
        var projects = Set<ProjectCode>()
        for l in lines where l.classification.fund.rawValue == "gpb" { if let p = l.classification.project { projects.insert(p) } }
        let rows = projects.sorted().map { p in
            Row(code: p.rawValue, name: catalogue.name(p) ?? "", level: 1,
                cells: [cell(.initial, funds: Self.gpb, project: p), cell(.budget, funds: Self.gpb, project: p), cell(.actual, funds: Self.gpb, project: p)])
        }
        t.blocks.append(Block(name: "项目", columns: ["年初预算", "调整后预算", "执行数"], rows: rows))
        t.notes.append("项目部分列示各项目年初预算、调整后预算（含年初结转和结余）和执行数，口径同项目支出绩效自评表。")
        return t
    }

    func fundTable(_ n: Int, _ title: String, funds: Set<FundCode>, label: String) -> Table {
        let columns = ["年初结转和结余", "本年收入", "本年支出", "基本支出", "项目支出", "年末结转和结余"]
        let rows = hierarchy(where: { funds.contains($0.fund) }) { p in
            [cell(.carriedIn, funds: funds, item: p), cell(.income, funds: funds, item: p), cell(.actual, funds: funds, item: p),
             cell(.actual, funds: funds, item: p, nature: .basic), cell(.actual, funds: funds, item: p, nature: .project),
             cell(.carriedOut, funds: funds, item: p)]
        }
        var t = Table(number: n, title: title, blocks: [Block(name: label, columns: columns, rows: rows)], notes: [])
        if t.isEmpty { t.notes.append(emptyNote(funds)) }
        return t
    }

    func t12() -> Table {
        let rows = hierarchy(where: { $0.fund.rawValue == "socb" }) { p in
            [cell(.actual, funds: Self.socb, item: p), cell(.actual, funds: Self.socb, item: p, nature: .basic), cell(.actual, funds: Self.socb, item: p, nature: .project)]
        }
        var t = Table(number: 12, title: "国有资本经营预算财政拨款支出决算表",
                      blocks: [Block(name: "支出", columns: ["合计", "基本支出", "项目支出"], rows: rows)], notes: [])
        if t.isEmpty { t.notes.append(emptyNote(Self.socb)) }
        return t
    }

    /// The “三公” 经济分类: 公务用车购置 is 31013 (资本性支出) or 30913 (基本建设).
    public static let sangong: [(column: String, econ: [String])] = [
        ("合计", ["30212", "31013", "30913", "30231", "30217"]), ("因公出国（境）费", ["30212"]),
        ("公务用车购置及运行维护费小计", ["31013", "30913", "30231"]), ("公务用车购置费", ["31013", "30913"]),
        ("公务用车运行维护费", ["30231"]), ("公务接待费", ["30217"]),
    ]

    func t13() -> Table {
        let columns = Self.sangong.map { "预算数:\($0.column)" } + Self.sangong.map { "决算数:\($0.column)" }
        let cells = Self.sangong.map { cell(.budget, funds: Self.fiscal, econ: $0.econ) } + Self.sangong.map { cell(.actual, funds: Self.fiscal, econ: $0.econ) }
        var t = Table(number: 13, title: "财政拨款“三公”经费支出决算表",
                      blocks: [Block(name: "“三公”经费", columns: columns, rows: [Row(code: "total", name: "合计", level: 0, cells: cells)])],
                      notes: ["预算数为按上述经济分类安排的财政拨款预算（含年初结转和结余），决算数为其支出。"])
        if t.isEmpty { t.notes.append("本单位\(year)年度没有使用财政拨款安排“三公”经费，故本表无数据。") }
        return t
    }

    func emptyNote(_ funds: Set<FundCode>) -> String {
        let name = funds.map { catalogue.name($0) ?? $0.rawValue }.sorted().joined(separator: "、")
        return "本单位\(year)年度没有\(name)收入，也没有使用\(name)安排的支出，故本表无数据。"
    }
}
