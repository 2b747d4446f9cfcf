/// The groupings of budget against actual that accountants read: by 功能分类, project,
/// 经济分类, fund source, 基本/项目 (with 人员经费 and 公用经费), and the “三公” categories
/// (财政拨款 only, as `SanGong` defines them).
public enum BudgetView: String, CaseIterable, Sendable {
    case item, project, econ, fund, nature, sangong

    /// The view's title, as a report heading names it.
    public var title: String {
        switch self {
        case .item: return "按功能分类"
        case .project: return "按项目"
        case .econ: return "按经济分类"
        case .fund: return "按资金来源"
        case .nature: return "按支出性质"
        case .sangong: return "“三公”经费"
        }
    }
}

/// One row of a budget report. Rows come in display order; `level` is the indent (0 for the
/// grand total and top groups), `isSubtotal` marks rows that sum the rows under them.
public struct BudgetRow: Hashable, Sendable {
    public var code: String
    public var name: String
    public var level: Int
    public var isSubtotal: Bool
    public var figures: Figures
    /// What the items waiting for approval would add to this row once approved (counted in
    /// none of `figures`).
    public var pending = Figures()
}

/// Budget against actual for one fiscal year, grouped one way, with its grand total first
/// (合计, as the published tables put it). Items waiting for approval count in no figure; each
/// row's `pending` shows what they would add.
public struct BudgetReport: Sendable {
    public let year: Int
    public let view: BudgetView
    public let rows: [BudgetRow]
    /// Whether any item waits for approval in this view (its columns are shown then).
    public let hasPending: Bool
    public var total: Figures { rows[0].figures }
    /// Whether any row has 年初结转, or 以前年度调整 (those columns are shown only then).
    public var hasCarried: Bool { rows.contains { $0.figures.carried != .zero } }
    public var hasPriorYear: Bool { rows.contains { $0.figures.priorYear != .zero } }

    public init(projection: Projection, year: Int, view: BudgetView, catalogue: Catalogue) {
        self.year = year
        self.view = view
        var rows = Self.rows(projection, year: year, view: view, catalogue: catalogue)
        // The waiting items grouped the same way, matched to the rows by code.
        let waitingRows = Self.rows(projection.waiting, year: year, view: view, catalogue: catalogue)
        let waiting = Dictionary(waitingRows.map { ($0.code, $0.figures) }, uniquingKeysWith: { a, _ in a })
        for k in rows.indices { rows[k].pending = waiting[rows[k].code] ?? Figures() }
        self.rows = rows
        hasPending = waitingRows.contains { !$0.figures.isZero }
    }

    static func rows(_ projection: Projection, year: Int, view: BudgetView, catalogue: Catalogue) -> [BudgetRow] {
        let lines = projection.lines(year: year)
        var total = Figures()
        func sum(_ pick: (Classification) -> Bool) -> Figures {
            var f = Figures()
            for l in lines where pick(l.classification) { f.add(l.figures) }
            return f
        }
        var body: [BudgetRow] = []
        switch view {
        case .item:
            // 类 → 款 → 项, each with the sum of the 项 under it.
            var byItem: [FunctionCode: Figures] = [:]
            for l in lines { byItem[l.classification.item, default: Figures()].add(l.figures) }
            var groups: [String: Figures] = [:]
            for (code, f) in byItem {
                for prefix in [3, 5, 7] { groups[String(code.rawValue.prefix(prefix)), default: Figures()].add(f) }
                total.add(f)
            }
            for code in groups.keys.sorted() {
                let name = FunctionCode(rawValue: code).flatMap(catalogue.name) ?? ""
                body.append(BudgetRow(code: code, name: name, level: (code.count - 1) / 2, isSubtotal: code.count < 7, figures: groups[code]!))
            }
        case .project:
            var byProject: [ProjectCode: Figures] = [:]
            for l in lines { if let p = l.classification.project { byProject[p, default: Figures()].add(l.figures) } }
            for p in byProject.keys.sorted() {
                body.append(BudgetRow(code: p.rawValue, name: catalogue.name(p) ?? "", level: 1, isSubtotal: false, figures: byProject[p]!))
                total.add(byProject[p]!)
            }
        case .econ:
            var groups: [String: Figures] = [:]
            for l in lines {
                let code = l.classification.econ?.rawValue ?? ""
                groups[code, default: Figures()].add(l.figures)
                if code.count == 5 { groups[String(code.prefix(3)), default: Figures()].add(l.figures) }
                total.add(l.figures)
            }
            for code in groups.keys.sorted() where !code.isEmpty {
                let name = EconomicCode(rawValue: code).flatMap(catalogue.name) ?? ""
                body.append(BudgetRow(code: code, name: name, level: code.count == 3 ? 1 : 2, isSubtotal: code.count == 3, figures: groups[code]!))
            }
            if let f = groups[""] {
                body.append(BudgetRow(code: "-", name: "未列经济分类（按项批复的预算）", level: 1, isSubtotal: false, figures: f))
            }
        case .fund:
            var byFund: [FundCode: Figures] = [:]
            for l in lines { byFund[l.classification.fund, default: Figures()].add(l.figures) }
            for fund in byFund.keys.sorted() {
                body.append(BudgetRow(code: fund.rawValue, name: catalogue.name(fund) ?? "", level: 1, isSubtotal: false, figures: byFund[fund]!))
                total.add(byFund[fund]!)
            }
        case .nature:
            // 人员经费 and 公用经费 are told apart by 经济分类 (the catalogue's groups), which budgets
            // granted per 项 do not carry: those rows show 执行数 only (budget columns zero, no rate).
            func spent(_ pick: (Classification) -> Bool) -> Figures { Figures(actual: sum(pick).actual) }
            let isPersonnel = { (c: Classification) in catalogue.econ(c.econ, isIn: .personnel) }
            let isRunning = { (c: Classification) in catalogue.econ(c.econ, isIn: .running) }
            let basic = sum { $0.nature == .basic }
            let personnel = spent { $0.nature == .basic && isPersonnel($0) }
            let running = spent { $0.nature == .basic && isRunning($0) }
            let other = spent { $0.nature == .basic && !isPersonnel($0) && !isRunning($0) }
            let project = sum { $0.nature == .project }
            func label(_ g: EconGroup) -> String {
                (catalogue.groupLabels[g] ?? g.rawValue) + "（" + catalogue.codes(g).map(\.rawValue).joined(separator: "、") + "）"
            }
            body.append(BudgetRow(code: "basic", name: "基本支出", level: 1, isSubtotal: true, figures: basic))
            body.append(BudgetRow(code: "personnel", name: label(.personnel), level: 2, isSubtotal: false, figures: personnel))
            body.append(BudgetRow(code: "running", name: label(.running), level: 2, isSubtotal: false, figures: running))
            if !other.isZero {
                body.append(BudgetRow(code: "other", name: "其他经济分类", level: 2, isSubtotal: false, figures: other))
            }
            body.append(BudgetRow(code: "project", name: "项目支出", level: 1, isSubtotal: false, figures: project))
            total = basic
            total.add(project)
        case .sangong:
            // The “三公” rule (`SanGong`): 财政拨款 only, 购置 under 31013 or 30913.
            func of(_ k: SanGong) -> Figures { sum { k.covers($0, catalogue: catalogue) } }
            var vehicles = Figures()
            for k in SanGong.vehicles { vehicles.add(of(k)) }
            body = [
                BudgetRow(code: SanGong.abroad.rawValue, name: SanGong.abroad.name, level: 1, isSubtotal: false, figures: of(.abroad)),
                BudgetRow(code: "vehicles", name: SanGong.vehiclesName, level: 1, isSubtotal: true, figures: vehicles),
            ] + SanGong.vehicles.map { BudgetRow(code: $0.rawValue, name: $0.name, level: 2, isSubtotal: false, figures: of($0)) } + [
                BudgetRow(code: SanGong.reception.rawValue, name: SanGong.reception.name, level: 1, isSubtotal: false, figures: of(.reception)),
            ]
            total = of(.abroad)
            total.add(vehicles)
            total.add(of(.reception))
        }
        return [BudgetRow(code: "", name: "合计", level: 0, isSubtotal: true, figures: total)] + body
    }
}
