import Foundation
import Ledger

/// A table of a published report as the reader found it: its title, unit, header words and rows, carried
/// across page breaks (with or without a repeated header), with wrapped row names, blank cells, 类 / 款 / 项
/// codes in separate columns and side-by-side panels resolved. The rules see only this model.
public struct ReportTable: Sendable, Equatable {
    public var title: String
    /// 元, 万元, 千元 (from 单位：…), or empty when the report does not say.
    public var unit: String
    /// The header's words, in order, as printed above the first row.
    public var header: [String]
    /// 1-based line and page of the title (of the first row when there is no title).
    public var line: Int
    public var page: Int
    public var rows: [Row]
    /// Whether columns were placed by position (layout text), not only by order.
    public var aligned: Bool

    public struct Cell: Sendable, Equatable {
        /// As printed (`3,742.47`).
        public var printed: String
        /// The value in hundredths of the table's unit.
        public var hundredths: Int64
        public var decimals: Int
    }

    /// A column's content in one row: a figure, blank (nothing printed: zero), or unknown (the text
    /// kept no alignment and the row has fewer figures than the table has columns).
    public enum Slot: Sendable, Equatable {
        case value(Cell), blank, unknown
        public var cell: Cell? { if case .value(let c) = self { return c }; return nil }
        /// The value, a blank counting as zero; nil when unknown.
        public var hundredths: Int64? {
            switch self { case .value(let c): return c.hundredths; case .blank: return 0; case .unknown: return nil }
        }
    }

    public struct Row: Sendable, Equatable {
        /// The classification code (类 / 款 / 项 joined: `2080505`), or empty for 合计 / 总计 and named rows.
        public var code: String
        public var name: String
        public var slots: [Slot]
        public var line: Int
        public var page: Int
        /// 0 for the left panel, 1 for a panel printed beside it (经济分类 301… | 302…).
        public var panel: Int
        public var isTotal: Bool { code.isEmpty && (name.hasPrefix("合计") || name.hasPrefix("总计")) }
    }

    /// Whether the table prints thousands separators.
    public var separators: Bool { rows.contains { $0.slots.contains { $0.cell?.printed.contains(",") ?? false } } }
    public var decimals: Int { rows.flatMap { $0.slots.compactMap { $0.cell?.decimals } }.max() ?? 0 }

    /// A value in hundredths printed as the table prints its figures (`3,742.47`, `171,915,169`).
    public func show(_ hundredths: Int64) -> String {
        let d = decimals
        let neg = hundredths < 0
        var v = hundredths.magnitude
        var frac = v % 100
        v /= 100
        var digits = String(v)
        if separators {
            var out = ""
            for (k, c) in digits.reversed().enumerated() { if k > 0 && k % 3 == 0 { out.append(",") }; out.append(c) }
            digits = String(out.reversed())
        }
        var s = digits
        if d > 0 {
            if d == 1 { frac /= 10 }
            let f = String(frac)
            s += "." + String(repeating: "0", count: max(0, min(d, 2) - f.count)) + f
        }
        return (neg ? "-" : "") + s
    }
}

extension ReportChecker {
    /// One field of a line: its text and the column (in characters) where it ends.
    struct Field { var text: String; var start: Int; var end: Int }

    static func fields(_ line: String) -> [Field] {
        var out: [Field] = []
        var cur = "", start = 0, k = 0
        for ch in line {
            let c = Text.normalise(ch)
            if c == " " || c == "\t" {
                if !cur.isEmpty { out.append(Field(text: cur, start: start, end: k)); cur = "" }
            } else {
                if cur.isEmpty { start = k }
                cur.append(c)
            }
            k += 1
        }
        if !cur.isEmpty { out.append(Field(text: cur, start: start, end: k)) }
        return out
    }

    /// A table figure: digits with thousands separators, a decimal point, a sign; `-` alone is a blank.
    static func cell(_ f: String) -> ReportTable.Cell? {
        guard f.contains(where: isDigit), f.allSatisfy({ isDigit($0) || $0 == "," || $0 == "." || $0 == "-" }) else { return nil }
        let t = f.replacingOccurrences(of: ",", with: "")
        let neg = t.hasPrefix("-")
        let body = neg ? String(t.dropFirst()) : t
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty, parts[0].count <= 15, parts[0].allSatisfy(isDigit), let whole = Int64(parts[0]) else { return nil }
        let fracText = parts.count > 1 ? String(parts[1]) : ""
        guard fracText.allSatisfy(isDigit), fracText.count <= 2, !(parts.count > 1 && fracText.isEmpty) else { return nil }
        var frac: Int64 = 0
        for c in fracText { frac = frac * 10 + Int64(String(c))! }
        if fracText.count == 1 { frac *= 10 }
        let v = whole * 100 + frac
        return ReportTable.Cell(printed: f, hundredths: neg ? -v : v, decimals: fracText.count)
    }

    static func isCode(_ s: String) -> Bool { [3, 5, 7].contains(s.count) && s.allSatisfy(isDigit) }

    /// A title: a short line naming a table (…表, …表（续）), not a sentence about one.
    static func isTitle(_ l: String) -> Bool {
        guard l.unicodeScalars.contains("表") else { return false }
        let c = l.replacingSpaces
        guard c.count >= 3, c.count <= 48, !c.contains("，"), !c.contains("。"), !c.hasPrefix("本表"), !c.hasPrefix("注") else { return false }
        var t = c
        for s in ["（续表）", "(续表)", "（续）", "(续)", "续表"] where t.hasSuffix(s) { t = String(t.dropLast(s.count)) }
        return t.hasSuffix("表")
    }

    /// The unit a line names after 单位：(元, 万元, 千元).
    static func unitOf(_ l: String) -> String? {
        guard l.unicodeScalars.contains("单"), let r = l.range(of: "单位：") ?? l.range(of: "单位:") else { return nil }
        let rest = l[r.upperBound...].replacingOccurrences(of: " ", with: "")
        for u in ["万元", "千元", "元"] where rest.hasPrefix(u) { return u }
        return nil
    }

    /// The report's tables, read from its lines.
    public static func tables(of raw: String) -> [ReportTable] { readTables(Text(raw)) }

    static func readTables(_ text: Text) -> [ReportTable] {
        struct Segment { var code: String; var name: String; var numbers: [(ReportTable.Cell, Int)]; var panel: Int }
        struct RawRow { var segments: [Segment]; var line: Int }
        var out: [ReportTable] = []
        var title = "", unit = "", header: [String] = [], startLine = 0
        var rows: [RawRow] = []
        var aligned = false
        var pendingUnit: String?

        func finish() {
            defer { rows = []; header = []; title = ""; unit = ""; aligned = false; startLine = 0 }
            guard !rows.isEmpty else { return }
            var table = ReportTable(title: title, unit: unit, header: header, line: startLine, page: text.page(startLine), rows: [], aligned: aligned)
            for panel in 0..<2 {
                let segs = rows.flatMap { r in r.segments.filter { $0.panel == panel }.map { (r.line, $0) } }
                guard !segs.isEmpty else { continue }
                let width = segs.map(\.1.numbers.count).max() ?? 0
                // Column anchors: where the figures of full rows end.
                // Column anchors: where the figures of full rows end, on the row's own page when a full row
                // stands there (a page may be set further left or right); else the spacing of the columns,
                // counted from the row's first figure (the total, which is blank only when every cell is).
                let full = segs.filter { $0.1.numbers.count == width }
                func anchors(_ rows: [(Int, Segment)]) -> [Int] {
                    (0..<width).map { c in
                        let ends = rows.map { $0.1.numbers[c].1 }.sorted()
                        return ends[ends.count / 2]
                    }
                }
                let tableAnchors = full.isEmpty || width == 0 ? [] : anchors(full)
                var pageAnchors: [Int: [Int]] = [:]
                for (page, rows) in Dictionary(grouping: full, by: { text.page($0.0) }) { pageAnchors[page] = anchors(rows) }
                for (line, s) in segs {
                    var anchors = pageAnchors[text.page(line)] ?? []
                    if anchors.isEmpty, !tableAnchors.isEmpty, let first = s.numbers.first {
                        anchors = tableAnchors.map { $0 - tableAnchors[0] + first.1 }
                    }
                    var slots = [ReportTable.Slot](repeating: .blank, count: width)
                    if s.numbers.count == width {
                        for (c, n) in s.numbers.enumerated() { slots[c] = .value(n.0) }
                    } else if aligned, !anchors.isEmpty {
                        // Each figure to the nearest column, in order.
                        var next = 0
                        for (k, n) in s.numbers.enumerated() {
                            let remaining = s.numbers.count - k - 1
                            var best = next, bestD = Int.max
                            for c in next..<(width - remaining) {
                                let d = abs(anchors[c] - n.1)
                                if d < bestD { bestD = d; best = c }
                            }
                            slots[best] = .value(n.0)
                            next = best + 1
                        }
                    } else if s.numbers.isEmpty {
                        // No figure at all: every cell blank.
                    } else {
                        // No alignment kept: the first figure is the row's total; where the rest stand is unknown.
                        slots = [ReportTable.Slot](repeating: .unknown, count: width)
                        slots[0] = .value(s.numbers[0].0)
                    }
                    table.rows.append(ReportTable.Row(code: s.code, name: s.name, slots: slots, line: line, page: text.page(line), panel: panel))
                }
            }
            out.append(table)
        }

        for (n, raw) in text.lines.enumerated() {
            let line = n + 1
            let l = raw.trimmingSpacesAndTabs
            if l.isEmpty { continue }
            let compact = l.replacingSpaces
            if isTitle(l) {
                finish()
                title = compact; startLine = line
                if let u = pendingUnit { unit = u; pendingUnit = nil }
                continue
            }
            if let u = unitOf(l) {
                if rows.isEmpty { unit = u } else { finish(); pendingUnit = u }
                continue
            }
            if compact.hasPrefix("注：") || compact.hasPrefix("注:") || compact.hasPrefix("说明：") || compact.hasPrefix("备注") {
                finish(); continue
            }
            let fs = fields(raw)
            guard let first = fs.first else { continue }
            // A row: a code (or 类 款 项 in their own columns), or 合计 / 总计, then a name and figures.
            var k = 0
            var code = ""
            if first.text.count == 3, first.text.allSatisfy(isDigit) {
                code = first.text; k = 1
                // 款 and 项 in their own columns; a code printed without its leading zero (301 2 津贴补贴) is read
                // as 02 when a name follows it.
                func part(_ k: Int) -> String? {
                    guard k < fs.count, (1...2).contains(fs[k].text.count), fs[k].text.allSatisfy(isDigit) else { return nil }
                    if fs[k].text.count == 1 { guard k + 1 < fs.count, cell(fs[k + 1].text) == nil || (k + 2 < fs.count && cell(fs[k + 2].text) == nil) else { return nil } }
                    return fs[k].text.count == 1 ? "0" + fs[k].text : fs[k].text
                }
                if let kuan = part(k) {
                    code += kuan; k += 1
                    if let xiang = part(k) { code += xiang; k += 1 }
                }
            } else if isCode(first.text) {
                code = first.text; k = 1
            } else if first.text.hasPrefix("合计") || first.text.hasPrefix("总计") {
                code = ""; k = 0
            } else {
                // Prose ends a table; a fragment (a wrapped name, a header word) does not.
                if compact.contains("。") || (compact.count > 30 && compact.contains("，")) { finish() }
                else if rows.isEmpty { header.append(compact) }
                continue
            }
            if rows.isEmpty && startLine == 0 { startLine = line }
            if l.contains("   ") { aligned = true }
            var segments: [Segment] = []
            var seg = Segment(code: code, name: "", numbers: [], panel: 0)
            while k < fs.count {
                let f = fs[k]
                if let c = cell(f.text) {
                    // A code standing after this panel's name or figures, with a name after it, opens the panel beside.
                    if isCode(f.text), !f.text.contains(","), k + 1 < fs.count, cell(fs[k + 1].text) == nil, !(seg.name.isEmpty && seg.numbers.isEmpty),
                       segments.isEmpty {
                        segments.append(seg)
                        seg = Segment(code: f.text, name: "", numbers: [], panel: 1)
                    } else if isCode(f.text), !f.text.contains(","), k + 1 == fs.count, seg.numbers.isEmpty, !seg.name.isEmpty, segments.isEmpty, !seg.code.isEmpty {
                        segments.append(seg)
                        seg = Segment(code: f.text, name: "", numbers: [], panel: 1)
                    } else {
                        seg.numbers.append((c, f.end))
                    }
                } else if f.text == "-" || f.text == "—" || f.text == "－" {
                    // A dash printed for nothing: a blank cell.
                } else if seg.numbers.isEmpty {
                    seg.name += f.text
                } else if segments.isEmpty, isCode(f.text) {
                    segments.append(seg)
                    seg = Segment(code: f.text, name: "", numbers: [], panel: 1)
                } else {
                    seg.name += f.text
                }
                k += 1
            }
            if seg.code.isEmpty && !(seg.name.hasPrefix("合计") || seg.name.hasPrefix("总计")) && segments.isEmpty { continue }
            // A header line (合计 基本支出 项目支出) names columns; a total row has figures.
            if seg.code.isEmpty && seg.numbers.isEmpty && segments.isEmpty { if rows.isEmpty { header.append(compact) }; continue }
            segments.append(seg)
            rows.append(RawRow(segments: segments, line: line))
        }
        finish()
        return out
    }
}

extension ReportChecker {
    /// table-sum: in a table, 合计 = Σ 类, 类 = Σ 款, 款 = Σ 项, per column and per panel, each difference judged
    /// against what the rounding of the printed cells can explain. A column with a cell whose place is unknown is
    /// not summed.
    static func tableSums(_ tables: [ReportTable], _ text: Text) -> [Finding] {
        var out: [Finding] = []
        for table in tables {
            let tableDecimals = table.decimals
            for panel in 0..<2 {
                let rows = table.rows.filter { $0.panel == panel }
                guard rows.count >= 2 else { continue }
                var seen = Set<String>()
                for r in rows {
                    // A code printed twice (a repeated header row after a page break) is summed once.
                    if !r.code.isEmpty { if seen.contains(r.code) { continue }; seen.insert(r.code) }
                    // A 款 may stand in the other panel (30299 printed under the left panel's last rows): codes say whose it is.
                    var children: [ReportTable.Row]
                    if r.isTotal { children = rows.filter { $0.code.count == 3 } }
                    else if r.code.count == 3 { children = table.rows.filter { $0.code.count == 5 && $0.code.hasPrefix(r.code) } }
                    else if r.code.count == 5 { children = table.rows.filter { $0.code.count == 7 && $0.code.hasPrefix(r.code) } }
                    else { continue }
                    var codes = Set<String>()
                    children = children.filter { codes.insert($0.code).inserted }
                    guard !children.isEmpty else { continue }
                    let level = r.isTotal ? "Σ 类" : r.code.count == 3 ? "Σ 款" : "Σ 项"
                    for col in 0..<r.slots.count {
                        guard let v = r.slots[col].hundredths else { continue }
                        let values = children.map { $0.slots.count > col ? $0.slots[col].hundredths : nil }
                        guard values.allSatisfy({ $0 != nil }) else { continue }
                        let sum = values.map { $0! }.reduce(0, +)
                        let decimals = tableDecimals
                        let half: Int64 = decimals >= 2 ? 1 : (decimals == 1 ? 5 : 50)   // half a printed unit, in hundredths ×2
                        let slack = Int64(children.count + 1) * half
                        let status: Status = sum == v ? .ok : (abs(sum - v) * 2 <= slack ? .rounding : .mismatch)
                        let name = table.header.isEmpty ? "" : ""
                        _ = name
                        let parts = children.compactMap { $0.slots[col].cell?.printed }
                        out.append(finding(text, .tableSum, r.line, (r.isTotal ? "合计" : r.code) + " column \(col + 1)",
                                           r.slots[col].cell?.printed ?? "0", table.show(sum),
                                           "\(level) = " + (parts.isEmpty ? "0" : parts.joined(separator: " + ")) + (table.title.isEmpty ? "" : " (\(table.title))"), status))
                    }
                }
            }
        }
        return out
    }
}

extension ReportChecker {
    /// same-figure, narrative against table: a 类's amount stated in a sentence about 一般公共预算 spending against
    /// the 合计 cell of that 类's row in the 一般公共预算 (财政拨款) 支出 table, at the precision the sentence prints.
    static func narrativeAgainstTables(_ sentences: [Sentence], _ claims: [Claim], _ tables: [ReportTable], _ text: Text, catalogue: Catalogue) -> [Finding] {
        let gpb = tables.filter { t in
            t.title.contains("一般公共预算") && t.title.contains("支出") && !t.title.contains("基本支出") && !t.title.contains("三公")
                && !t.title.contains("经济分类") && !t.title.contains("收入") && (t.unit == "万元" || t.unit == "元")
        }
        // A table that does not add up is flagged by table-sum and is no reference for the narrative.
        guard gpb.count == 1, let table = gpb.first,
              !tableSums([table], text).contains(where: { $0.status == .mismatch }) else { return [] }
        var rows: [String: ReportTable.Row] = [:]
        for r in table.rows where !r.code.isEmpty && r.panel == 0 && rows[r.code] == nil { rows[r.code] = r }
        // A 项 a sentence names (…（类）…（款）NAME（项）): its amount is the one that follows the name.
        var itemOf: [Int: String] = [:]
        for (k, s) in sentences.enumerated() where s.text.contains("（项）") {
            if let code = item(s.text, catalogue: catalogue), rows[code] != nil { itemOf[k] = code }
        }
        var out: [Finding] = []
        var itemDone = Set<Int>()
        for c in claims {
            guard let claimed = fen(c.token), c.token.unit == "万元" else { continue }
            let code: String
            if let id = c.id, id.hasPrefix("gpb.class."), sentences[c.sentence].text.replacingSpaces.contains("一般公共预算") {
                code = String(id.dropFirst("gpb.class.".count))
            } else if let item = itemOf[c.sentence], !itemDone.contains(c.sentence),
                      c.id == "gpb.item.\(item)" || (c.id == nil && (c.token.before.hasSuffix("（项）”") || c.token.before.hasSuffix("（项）") || c.token.before.hasSuffix("（项）\""))) {
                code = item
                itemDone.insert(c.sentence)
            } else { continue }
            let id = c.id ?? "gpb.item.\(code)"
            guard let row = rows[code], let cell = row.slots.first?.cell else { continue }
            // The cell in 分: hundredths of 元 are 分; hundredths of 万元 are 100 元.
            let cellFen = table.unit == "元" ? cell.hundredths : cell.hundredths * 10_000
            let decimals = c.token.text.split(separator: ".").count > 1 ? c.token.text.split(separator: ".")[1].count : 0
            var unit: Int64 = 1_000_000
            for _ in 0..<decimals { unit /= 10 }
            let want = (cellFen.magnitude + UInt64(unit / 2)) / UInt64(unit)
            let ok = claimed.raw >= 0 && UInt64(claimed.raw) / UInt64(unit) == want && claimed.raw % unit == 0
            // 元 cut (not rounded) to 万元 — 2,687,760 元 as 268.77 万元 — is the report's way of converting, not a wrong figure.
            let cut = claimed.raw >= 0 && cellFen >= 0 && cellFen / unit * unit == claimed.raw
            let source = "the \(code) row of \(table.title) (line \(row.line), p.\(row.page))"
            out.append(finding(text, .sameFigure, c.line, id, c.token.text + "万元", cell.printed + table.unit,
                               cut && !ok ? source + "; cut, not rounded, to the 万元 printed" : source, ok ? .ok : (cut ? .rounding : .mismatch)))
        }
        return out
    }
}
