import Ledger

/// What a statement cell means, stated as a query over the journal's events: a measure over
/// the events of the year that match the cell's fund sources, 功能分类 prefix, 经济分类
/// prefixes, nature and project. The statement builder computes the cell its own way (from
/// the projection); the reconciler evaluates this query on the raw events and must get the
/// same fen; `fledger trace` lists the events the query selects.
public struct CellQuery: Hashable, Sendable {
    public enum Measure: String, Sendable, CaseIterable {
        /// 本年支出: disbursements net of same-year corrections.
        case actual
        /// 本年收入: budget authority granted in the year (appropriations and budget adjustments
        /// net of corrections) less what the close let lapse.
        case income
        /// 年初结转和结余: carry-forwards into the year.
        case carriedIn
        /// 年末结转和结余: what the year's close carries forward (provisionally, while the year is
        /// open: everything unspent).
        case carriedOut
        /// 预算数 / 调整后预算: carried in plus granted.
        case budget
        /// 年初预算: appropriations dated 1 January, net of their corrections.
        case initial
        /// 总计 of the sources side: 年初结转和结余 + 本年收入.
        case sources
        /// 总计 of the uses side: 本年支出 + 年末结转和结余 (equal to `sources`).
        case uses
        /// A column fledger does not record (上缴上级支出, 经营支出, …): always zero.
        case notRecorded
    }

    public var measure: Measure
    public var year: Int
    /// Fund sources; nil for all.
    public var funds: Set<FundCode>?
    /// 功能分类 prefix (类, 款 or 项); nil for all.
    public var item: String?
    /// 经济分类 prefixes, any of which matches; nil for all (including lines without one).
    public var econ: [String]?
    public var nature: Nature?
    public var project: ProjectCode?

    public init(_ measure: Measure, year: Int, funds: Set<FundCode>? = nil, item: String? = nil, econ: [String]? = nil,
                nature: Nature? = nil, project: ProjectCode? = nil) {
        self.measure = measure; self.year = year; self.funds = funds; self.item = item; self.econ = econ
        self.nature = nature; self.project = project
    }

    /// Human-readable, for trace headers and failure reports.
    public var summary: String {
        var parts = ["\(measure.rawValue) \(year)"]
        if let f = funds { parts.append("fund " + f.map(\.rawValue).sorted().joined(separator: "+")) }
        if let i = item { parts.append("功能分类 \(i)*") }
        if let e = econ { parts.append("经济分类 " + e.map { "\($0)*" }.joined(separator: "|")) }
        if let n = nature { parts.append(n.chinese) }
        if let p = project { parts.append("project \(p)") }
        return parts.joined(separator: ", ")
    }
}

/// An id that stays the same whatever the label printed for it.
public protocol StableID: RawRepresentable<String>, Hashable, Comparable, Sendable, CustomStringConvertible {
    init(rawValue: String)
}

extension StableID {
    public init(_ s: String) { self.init(rawValue: s) }
    public var description: String { rawValue }
    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }
}

/// A row's stable id within its table: the code printed in the first column (`total`,
/// `income-total`, a 功能分类 or 经济分类 code, a project code). Never the row's label.
public struct RowID: StableID {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let total = RowID("total")
    public static func function(_ c: FunctionCode) -> RowID { RowID(c.rawValue) }
    public static func econ(_ c: EconomicCode) -> RowID { RowID(c.rawValue) }
    public static func project(_ c: ProjectCode) -> RowID { RowID(c.rawValue) }
}

/// A column's stable id within its table (`total`, `basic`, `source:superior`, `econ:30101`,
/// `actual:reception`, …). The label (`本年支出合计`, `301 工资福利支出`) is only for printing.
public struct ColumnID: StableID {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A column: its id and the label printed at its head.
public struct Column: Hashable, Sendable {
    public var id: ColumnID
    public var label: String
    public init(_ id: ColumnID, _ label: String) { self.id = id; self.label = label }
}

/// The address of a cell: table number, row id, column id.
public struct CellRef: Hashable, Sendable, CustomStringConvertible {
    public var table: Int
    public var row: RowID
    public var column: ColumnID
    public init(_ table: Int, _ row: RowID, _ column: ColumnID) { self.table = table; self.row = row; self.column = column }
    public var description: String { "T\(table)[\(row)][\(column)]" }
}

/// A computed cell: its value in 分 and what it means.
public struct Cell: Hashable, Sendable {
    public var value: Fen
    public var query: CellQuery
}

public struct Row: Hashable, Sendable {
    public var id: RowID
    public var name: String
    /// Indent: 0 for totals, 1 for 类, 2 for 款, 3 for 项 (and likewise in other hierarchies).
    public var level: Int
    /// One per column of the block; nil where the template leaves the cell blank.
    public var cells: [Cell?]

    /// The code printed in the first column: the row's id.
    public var code: String { id.rawValue }
}

/// A block of columns and rows; two-sided tables (收入 ‖ 支出) have two blocks.
public struct Block: Hashable, Sendable {
    public var name: String
    public var columns: [Column]
    public var rows: [Row]
}

/// One of the thirteen published tables (金额单位：万元 when printed; 分 inside).
public struct Table: Sendable {
    public var number: Int
    public var title: String
    public var blocks: [Block]
    /// Printed under the table: why it is empty, or which columns it shows.
    public var notes: [String]

    public var isEmpty: Bool { blocks.allSatisfy { $0.rows.allSatisfy { $0.cells.allSatisfy { ($0?.value ?? .zero) == .zero } } } }

    /// The cell at a row and column id, in whichever block has them; nil when the table has no
    /// such cell.
    public func cell(_ row: RowID, _ column: ColumnID) -> Cell? {
        for b in blocks {
            guard let c = b.columns.firstIndex(where: { $0.id == column }), let r = b.rows.first(where: { $0.id == row }) else { continue }
            return r.cells[c]
        }
        return nil
    }

    /// A column named as a person types it: its id, or its printed label.
    public func column(named text: String) -> ColumnID? {
        for b in blocks {
            if let c = b.columns.first(where: { $0.id.rawValue == text || $0.label == text }) { return c.id }
        }
        return nil
    }

    /// The cell at a row code and a column id or label (for people and tests).
    public func cell(row: String, column: String) -> Cell? {
        guard let c = self.column(named: column) else { return nil }
        return cell(RowID(row), c)
    }

    /// Every non-blank cell with its address.
    public var cells: [(block: String, row: Row, column: Column, cell: Cell)] {
        var out: [(String, Row, Column, Cell)] = []
        for b in blocks {
            for r in b.rows {
                for (i, c) in r.cells.enumerated() { if let c { out.append((b.name, r, b.columns[i], c)) } }
            }
        }
        return out
    }
}

/// The thirteen tables of one fiscal year.
public struct Statements: Sendable {
    public let year: Int
    /// True while the year is not closed: 年末结转和结余 is then every unspent balance.
    public let provisional: Bool
    public let tables: [Table]

    public init(year: Int, provisional: Bool, tables: [Table]) {
        self.year = year; self.provisional = provisional; self.tables = tables
    }

    public func table(_ n: Int) -> Table? { tables.first { $0.number == n } }

    /// The cell a reference names; nil when no table has it.
    public func cell(_ ref: CellRef) -> Cell? { table(ref.table)?.cell(ref.row, ref.column) }

    /// Every cell's value by address.
    public var values: [CellRef: Fen] {
        var out: [CellRef: Fen] = [:]
        for t in tables { for (_, row, column, cell) in t.cells { out[CellRef(t.number, row.id, column.id)] = cell.value } }
        return out
    }
}
