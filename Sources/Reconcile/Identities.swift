import Ledger

/// `lhs = Σ sign × rhs`: one identity of DOMAIN.md §6, within a table or across tables.
public struct Identity: Sendable {
    public var name: String
    public var lhs: CellRef
    public var rhs: [(sign: Int64, ref: CellRef)]

    /// Every cell the identity names.
    public var refs: [CellRef] { [lhs] + rhs.map(\.ref) }
}

/// Every identity the statements must satisfy, derived from their structure. Cells are named
/// by id; a name that resolves to no cell is an error the reconciler reports (never a zero).
enum Identities {
    typealias L = StatementLayout

    static func all(_ s: Statements, catalogue: Catalogue) -> [Identity] {
        var out: [Identity] = []
        func id(_ name: String, _ lhs: CellRef, _ rhs: [(Int64, CellRef)]) { out.append(Identity(name: name, lhs: lhs, rhs: rhs.map { (sign: $0.0, ref: $0.1) })) }
        func plus(_ refs: [CellRef]) -> [(Int64, CellRef)] { refs.map { (1, $0) } }
        func columns(_ n: Int, _ block: Int = 0) -> [Column] { s.table(n)?.blocks[block].columns ?? [] }

        // 类 = Σ 款, 款 = Σ 项, 合计 = Σ 类, in every column of every 功能分类 block.
        for n in [2, 3, 5, 6, 7, 9, 10, 11, 12] {
            guard let t = s.table(n), let b = t.blocks.first else { continue }
            let codes = b.rows.map(\.id.rawValue)
            for col in b.columns {
                for r in b.rows {
                    let children: [String]
                    if r.id == .total { children = codes.filter { $0.count == 3 } }
                    else if r.code.count == 3 { children = codes.filter { $0.count == 5 && $0.hasPrefix(r.code) } }
                    else if r.code.count == 5 { children = codes.filter { $0.count == 7 && $0.hasPrefix(r.code) } }
                    else { continue }
                    id("T\(n) \(r.id == .total ? "合计 = Σ 类" : r.code.count == 3 ? "类 = Σ 款" : "款 = Σ 项") [\(col.label)]",
                       CellRef(n, r.id, col.id), plus(children.map { CellRef(n, RowID($0), col.id) }))
                }
            }
        }
        // Row sums.
        func rowSum(_ n: Int, _ name: String, lhs: ColumnID, rhs: [ColumnID], block: Int = 0) {
            guard let b = s.table(n)?.blocks[block] else { return }
            for r in b.rows { id("T\(n) \(name)", CellRef(n, r.id, lhs), plus(rhs.map { CellRef(n, r.id, $0) })) }
        }
        rowSum(2, "本年收入合计 = Σ 来源", lhs: L.total, rhs: L.IncomeSource.allCases.map(L.source))
        rowSum(3, "本年支出合计 = 基本 + 项目 + 上缴上级 + 经营 + 对附属单位补助", lhs: L.total,
               rhs: [L.basic, L.project, L.upperRemit, L.operatingExpense, L.subsidiary])
        rowSum(6, "合计 = 基本 + 项目", lhs: L.total, rhs: [L.basic, L.project])
        rowSum(12, "合计 = 基本 + 项目", lhs: L.total, rhs: [L.basic, L.project])
        for n in [10, 11] {
            rowSum(n, "本年支出 = 基本 + 项目", lhs: L.expense, rhs: [L.basic, L.project])
            for r in s.table(n)?.blocks.first?.rows ?? [] {
                id("T\(n) 年末 = 年初 + 本年收入 − 本年支出", CellRef(n, r.id, L.carriedOut),
                   [(1, CellRef(n, r.id, L.carriedIn)), (1, CellRef(n, r.id, L.income)), (-1, CellRef(n, r.id, L.expense))])
            }
        }
        // 明细表: 合计 = Σ 经济分类 类; 类 = Σ its 款.
        for n in [5, 7, 9] {
            let econ = columns(n).compactMap { c in L.suffix(c.id, "econ:").flatMap(EconomicCode.init(rawValue:)) }
            let cats = econ.filter { !$0.isKuan }
            rowSum(n, "合计 = Σ 经济分类 类", lhs: L.total, rhs: cats.map(L.econ))
            for cat in cats {
                rowSum(n, "经济分类 \(cat) = Σ 款", lhs: L.econ(cat), rhs: econ.filter { $0.isKuan && $0.category == cat }.map(L.econ))
            }
        }
        // T1.
        if let t = s.table(1) {
            let income = t.blocks[0].rows.map(\.id).filter { $0.rawValue.hasPrefix("i-") }
            let cats = t.blocks[1].rows.map(\.id).filter { FunctionCode(rawValue: $0.rawValue) != nil }
            let c = L.amount
            id("T1 本年收入合计 = Σ 收入", CellRef(1, L.incomeTotal, c), plus(income.map { CellRef(1, $0, c) }))
            id("T1 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余", CellRef(1, L.incomeGrand, c),
               plus([L.incomeTotal, L.nonfiscalSurplusUsed, L.carriedInRow].map { CellRef(1, $0, c) }))
            id("T1 本年支出合计 = Σ 类", CellRef(1, L.expenseTotal, c), plus(cats.map { CellRef(1, $0, c) }))
            id("T1 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余", CellRef(1, L.expenseGrand, c),
               plus([L.expenseTotal, L.surplusDistribution, L.carriedOutRow].map { CellRef(1, $0, c) }))
            id("T1 收入总计 = 支出总计", CellRef(1, L.incomeGrand, c), [(1, CellRef(1, L.expenseGrand, c))])
            id("T1 本年收入合计 = T2 合计", CellRef(1, L.incomeTotal, c), [(1, CellRef(2, .total, L.total))])
            id("T1 本年支出合计 = T3 合计", CellRef(1, L.expenseTotal, c), [(1, CellRef(3, .total, L.total))])
            let t3 = Set(s.table(3)?.blocks[0].rows.map(\.id) ?? [])
            for cat in cats { id("T1 类 = T3 类", CellRef(1, cat, c), t3.contains(cat) ? [(Int64(1), CellRef(3, cat, L.total))] : []) }
        }
        // T4.
        if let t = s.table(4) {
            let fiscal = FundCategory.fiscal
            let c = L.amount
            id("T4 本年收入合计 = Σ 财政拨款", CellRef(4, L.incomeTotal, c), plus(fiscal.map { CellRef(4, L.incomeRow($0), c) }))
            id("T4 年初结转和结余 = Σ 财政拨款", CellRef(4, L.carriedInRow, c), plus(fiscal.map { CellRef(4, L.carriedInRow($0), c) }))
            id("T4 收入总计 = 本年收入合计 + 年初结转和结余", CellRef(4, L.incomeGrand, c), plus([CellRef(4, L.incomeTotal, c), CellRef(4, L.carriedInRow, c)]))
            for r in t.blocks[1].rows { id("T4 合计 = 三项财政拨款", CellRef(4, r.id, L.total), plus(fiscal.map { CellRef(4, r.id, L.fund($0)) })) }
            let cats = t.blocks[1].rows.map(\.id).filter { FunctionCode(rawValue: $0.rawValue) != nil }
            for col in t.blocks[1].columns {
                id("T4 本年支出合计 = Σ 类 [\(col.label)]", CellRef(4, L.expenseTotal, col.id), plus(cats.map { CellRef(4, $0, col.id) }))
                id("T4 支出总计 = 本年支出合计 + 年末结转和结余 [\(col.label)]", CellRef(4, L.expenseGrand, col.id),
                   plus([CellRef(4, L.expenseTotal, col.id), CellRef(4, L.carriedOutRow, col.id)]))
            }
            for f in fiscal {
                id("T4 \(L.fiscalLabel(f)) 年末 = 年初 + 本年收入 − 本年支出", CellRef(4, L.carriedOutRow, L.fund(f)),
                   [(1, CellRef(4, L.carriedInRow(f), c)), (1, CellRef(4, L.incomeRow(f), c)), (-1, CellRef(4, L.expenseTotal, L.fund(f)))])
            }
            id("T4 收入总计 = 支出总计", CellRef(4, L.incomeGrand, c), [(1, CellRef(4, L.expenseGrand, L.total))])
            id("T2 财政拨款收入 = T4 本年收入合计", CellRef(2, .total, L.source(.fiscal)), [(1, CellRef(4, L.incomeTotal, c))])
            id("T4 一般公共预算支出 = T6 合计", CellRef(4, L.expenseTotal, L.fund(.generalBudget)), [(1, CellRef(6, .total, L.total))])
            id("T4 政府性基金支出 = T10 本年支出", CellRef(4, L.expenseTotal, L.fund(.governmentFund)), [(1, CellRef(10, .total, L.expense))])
            id("T4 国有资本经营支出 = T11 本年支出", CellRef(4, L.expenseTotal, L.fund(.stateCapital)), [(1, CellRef(11, .total, L.expense))])
            id("T11 本年支出 = T12 合计", CellRef(11, .total, L.expense), [(1, CellRef(12, .total, L.total))])
        }
        // T8 and its ties to T6 and T9.
        if let t = s.table(8) {
            for b in t.blocks {
                let codes = b.rows.compactMap { EconomicCode(rawValue: $0.code) }
                for cat in codes where !cat.isKuan {
                    id("T8 \(cat) = Σ 款", CellRef(8, .econ(cat), L.amount),
                       plus(codes.filter { $0.isKuan && $0.category == cat }.map { CellRef(8, .econ($0), L.amount) }))
                }
            }
            for (group, total) in [(EconGroup.personnel, L.personnelTotal), (.running, L.runningTotal)] {
                let codes = catalogue.codes(group)
                id("T8 \(catalogue.groupLabels[group] ?? group.rawValue)合计 = " + codes.map(\.rawValue).joined(separator: " + "),
                   CellRef(8, total, L.amount), plus(codes.map { CellRef(8, .econ($0), L.amount) }))
            }
            id("T6 基本支出 = T8 人员经费 + 公用经费", CellRef(6, .total, L.basic),
               plus([CellRef(8, L.personnelTotal, L.amount), CellRef(8, L.runningTotal, L.amount)]))
        }
        id("T6 项目支出 = T9 合计", CellRef(6, .total, L.project), [(1, CellRef(9, .total, L.total))])
        // T13.
        if s.table(13) != nil {
            for side in L.SanGongSide.allCases {
                id("T13 \(side.label) 合计 = 出国 + 用车小计 + 接待", CellRef(13, .total, L.sanGong(side, .total)),
                   plus([.category(.abroad), .vehicles, .category(.reception)].map { CellRef(13, .total, L.sanGong(side, $0)) }))
                id("T13 \(side.label) 小计 = 购置 + 运行维护", CellRef(13, .total, L.sanGong(side, .vehicles)),
                   plus(SanGong.vehicles.map { CellRef(13, .total, L.sanGong(side, .category($0))) }))
            }
            // 决算 ties to the 经济分类 columns of the 财政拨款支出决算明细表 (a column not listed there is 0).
            let t5 = Set(columns(5).map(\.id))
            for k in SanGong.allCases {
                let codes = catalogue.codes(k.group)
                let refs = codes.map(L.econ).filter(t5.contains).map { CellRef(5, .total, $0) }
                id("T13 决算数 \(k.name) = T5 经济分类 \(codes.map(\.rawValue).joined(separator: "+"))",
                   CellRef(13, .total, L.sanGong(.actual, .category(k))), plus(refs))
            }
        }
        return out
    }
}
