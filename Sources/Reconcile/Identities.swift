import Ledger

/// The address of a cell: table number, row code, column name.
public struct CellRef: Hashable, Sendable, Codable, CustomStringConvertible {
    public var table: Int
    public var row: String
    public var column: String
    public init(_ table: Int, _ row: String, _ column: String) { self.table = table; self.row = row; self.column = column }
    public var description: String { "T\(table)[\(row)][\(column)]" }
}

/// `lhs = Σ sign × rhs`: one identity of DOMAIN.md §6, within a table or across tables.
public struct Identity: Sendable {
    public var name: String
    public var lhs: CellRef
    public var rhs: [(sign: Int64, ref: CellRef)]
}

/// Every identity the statements must satisfy, derived from their structure.
enum Identities {
    static func all(_ s: Statements) -> [Identity] {
        var out: [Identity] = []
        func id(_ name: String, _ lhs: CellRef, _ rhs: [(Int64, CellRef)]) { out.append(Identity(name: name, lhs: lhs, rhs: rhs.map { (sign: $0.0, ref: $0.1) })) }
        func plus(_ refs: [CellRef]) -> [(Int64, CellRef)] { refs.map { (1, $0) } }

        // 类 = Σ 款, 款 = Σ 项, 合计 = Σ 类, in every column of every 功能分类 block.
        for n in [2, 3, 5, 6, 7, 9, 10, 11, 12] {
            guard let t = s.table(n), let b = t.blocks.first else { continue }
            let codes = b.rows.map(\.code)
            for col in b.columns {
                for r in b.rows {
                    let children: [String]
                    if r.code == "total" { children = codes.filter { $0.count == 3 } }
                    else if r.code.count == 3 { children = codes.filter { $0.count == 5 && $0.hasPrefix(r.code) } }
                    else if r.code.count == 5 { children = codes.filter { $0.count == 7 && $0.hasPrefix(r.code) } }
                    else { continue }
                    id("T\(n) \(r.code == "total" ? "合计 = Σ 类" : r.code.count == 3 ? "类 = Σ 款" : "款 = Σ 项") [\(col)]",
                       CellRef(n, r.code, col), plus(children.map { CellRef(n, $0, col) }))
                }
            }
        }
        // Row sums.
        func rowSum(_ n: Int, _ name: String, lhs: String, rhs: [String], block: Int = 0) {
            guard let b = s.table(n)?.blocks[block] else { return }
            for r in b.rows { id("T\(n) \(name)", CellRef(n, r.code, lhs), plus(rhs.map { CellRef(n, r.code, $0) })) }
        }
        rowSum(2, "本年收入合计 = Σ 来源", lhs: "本年收入合计", rhs: StatementBuilder.sources.map(\.name))
        rowSum(3, "本年支出合计 = 基本 + 项目 + 上缴上级 + 经营 + 对附属单位补助", lhs: "本年支出合计", rhs: ["基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"])
        rowSum(6, "合计 = 基本 + 项目", lhs: "合计", rhs: ["基本支出", "项目支出"])
        rowSum(12, "合计 = 基本 + 项目", lhs: "合计", rhs: ["基本支出", "项目支出"])
        for n in [10, 11] {
            rowSum(n, "本年支出 = 基本 + 项目", lhs: "本年支出", rhs: ["基本支出", "项目支出"])
            if let b = s.table(n)?.blocks.first {
                for r in b.rows {
                    id("T\(n) 年末 = 年初 + 本年收入 − 本年支出", CellRef(n, r.code, "年末结转和结余"),
                       [(1, CellRef(n, r.code, "年初结转和结余")), (1, CellRef(n, r.code, "本年收入")), (-1, CellRef(n, r.code, "本年支出"))])
                }
            }
        }
        // 明细表: 合计 = Σ 经济分类 类; 类 = Σ its 款.
        for n in [5, 7, 9] {
            guard let b = s.table(n)?.blocks.first else { continue }
            let econ = b.columns.dropFirst()
            let cats = econ.filter { $0.split(separator: " ").first?.count == 3 }
            rowSum(n, "合计 = Σ 经济分类 类", lhs: "合计", rhs: Array(cats))
            for cat in cats {
                let code = String(cat.split(separator: " ").first!)
                rowSum(n, "经济分类 \(code) = Σ 款", lhs: cat, rhs: econ.filter { $0.hasPrefix(code) && $0 != cat })
            }
        }
        // T1.
        if let t = s.table(1) {
            let income = t.blocks[0].rows.map(\.code).filter { $0.hasPrefix("i-") }
            let cats = t.blocks[1].rows.map(\.code).filter { $0.count == 3 && Int($0) != nil }
            let c = "决算数"
            id("T1 本年收入合计 = Σ 收入", CellRef(1, "income-total", c), plus(income.map { CellRef(1, $0, c) }))
            id("T1 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余", CellRef(1, "income-grand", c),
               plus(["income-total", "nonfiscal-surplus-used", "carried-in"].map { CellRef(1, $0, c) }))
            id("T1 本年支出合计 = Σ 类", CellRef(1, "expense-total", c), plus(cats.map { CellRef(1, $0, c) }))
            id("T1 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余", CellRef(1, "expense-grand", c),
               plus(["expense-total", "surplus-distribution", "carried-out"].map { CellRef(1, $0, c) }))
            id("T1 收入总计 = 支出总计", CellRef(1, "income-grand", c), [(1, CellRef(1, "expense-grand", c))])
            id("T1 本年收入合计 = T2 合计", CellRef(1, "income-total", c), [(1, CellRef(2, "total", "本年收入合计"))])
            id("T1 本年支出合计 = T3 合计", CellRef(1, "expense-total", c), [(1, CellRef(3, "total", "本年支出合计"))])
            let t3 = Set(s.table(3)?.blocks[0].rows.map(\.code) ?? [])
            for cat in cats { id("T1 类 = T3 类", CellRef(1, cat, c), t3.contains(cat) ? [(Int64(1), CellRef(3, cat, "本年支出合计"))] : []) }
        }
        // T4.
        if let t = s.table(4) {
            let funds = ["gpb", "gfb", "socb"]
            let names = Array(t.blocks[1].columns.dropFirst())
            let c = "决算数"
            id("T4 本年收入合计 = Σ 财政拨款", CellRef(4, "income-total", c), plus(funds.map { CellRef(4, "i-\($0)", c) }))
            id("T4 年初结转和结余 = Σ 财政拨款", CellRef(4, "carried-in", c), plus(funds.map { CellRef(4, "ci-\($0)", c) }))
            id("T4 收入总计 = 本年收入合计 + 年初结转和结余", CellRef(4, "income-grand", c), plus([CellRef(4, "income-total", c), CellRef(4, "carried-in", c)]))
            for r in t.blocks[1].rows { id("T4 合计 = 三项财政拨款", CellRef(4, r.code, "合计"), plus(names.map { CellRef(4, r.code, $0) })) }
            let cats = t.blocks[1].rows.map(\.code).filter { $0.count == 3 && Int($0) != nil }
            for col in t.blocks[1].columns {
                id("T4 本年支出合计 = Σ 类 [\(col)]", CellRef(4, "expense-total", col), plus(cats.map { CellRef(4, $0, col) }))
                id("T4 支出总计 = 本年支出合计 + 年末结转和结余 [\(col)]", CellRef(4, "expense-grand", col),
                   plus([CellRef(4, "expense-total", col), CellRef(4, "carried-out", col)]))
            }
            for (f, name) in zip(funds, names) {
                id("T4 \(name) 年末 = 年初 + 本年收入 − 本年支出", CellRef(4, "carried-out", name),
                   [(1, CellRef(4, "ci-\(f)", c)), (1, CellRef(4, "i-\(f)", c)), (-1, CellRef(4, "expense-total", name))])
            }
            id("T4 收入总计 = 支出总计", CellRef(4, "income-grand", c), [(1, CellRef(4, "expense-grand", "合计"))])
            id("T2 财政拨款收入 = T4 本年收入合计", CellRef(2, "total", "财政拨款收入"), [(1, CellRef(4, "income-total", c))])
            id("T4 一般公共预算支出 = T6 合计", CellRef(4, "expense-total", names[0]), [(1, CellRef(6, "total", "合计"))])
            id("T4 政府性基金支出 = T10 本年支出", CellRef(4, "expense-total", names[1]), [(1, CellRef(10, "total", "本年支出"))])
            id("T4 国有资本经营支出 = T11 本年支出", CellRef(4, "expense-total", names[2]), [(1, CellRef(11, "total", "本年支出"))])
            id("T11 本年支出 = T12 合计", CellRef(11, "total", "本年支出"), [(1, CellRef(12, "total", "合计"))])
        }
        // T8 and its ties to T6 and T9.
        if let t = s.table(8) {
            for b in t.blocks {
                let codes = b.rows.map(\.code)
                for cat in codes where cat.count == 3 {
                    id("T8 \(cat) = Σ 款", CellRef(8, cat, "决算数"), plus(codes.filter { $0.count == 5 && $0.hasPrefix(cat) }.map { CellRef(8, $0, "决算数") }))
                }
            }
            id("T8 人员经费合计 = 301 + 303", CellRef(8, "personnel-total", "决算数"), plus([CellRef(8, "301", "决算数"), CellRef(8, "303", "决算数")]))
            id("T8 公用经费合计 = 302 + 310", CellRef(8, "running-total", "决算数"), plus([CellRef(8, "302", "决算数"), CellRef(8, "310", "决算数")]))
            id("T6 基本支出 = T8 人员经费 + 公用经费", CellRef(6, "total", "基本支出"),
               plus([CellRef(8, "personnel-total", "决算数"), CellRef(8, "running-total", "决算数")]))
        }
        id("T6 项目支出 = T9 合计", CellRef(6, "total", "项目支出"), [(1, CellRef(9, "total", "合计"))])
        // T13.
        if s.table(13) != nil {
            for side in ["预算数", "决算数"] {
                id("T13 \(side) 合计 = 出国 + 用车小计 + 接待", CellRef(13, "total", "\(side):合计"),
                   plus(["因公出国（境）费", "公务用车购置及运行维护费小计", "公务接待费"].map { CellRef(13, "total", "\(side):\($0)") }))
                id("T13 \(side) 小计 = 购置 + 运行维护", CellRef(13, "total", "\(side):公务用车购置及运行维护费小计"),
                   plus(["公务用车购置费", "公务用车运行维护费"].map { CellRef(13, "total", "\(side):\($0)") }))
            }
            // 决算 ties to the 经济分类 columns of the 财政拨款支出决算明细表.
            let t5 = s.table(5)?.blocks.first?.columns ?? []
            for (column, econ) in StatementBuilder.sangong.dropFirst() where econ.count == 1 || column == "公务用车购置费" {
                let refs = econ.compactMap { code in t5.first { $0.hasPrefix(code + " ") }.map { CellRef(5, "total", $0) } }
                id("T13 决算数 \(column) = T5 经济分类 \(econ.joined(separator: "+"))", CellRef(13, "total", "决算数:\(column)"), plus(refs))
            }
        }
        return out
    }
}
