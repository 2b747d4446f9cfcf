import Foundation
import Ledger
import Reconcile

/// The document as text, Markdown or JSON. Layout only: every number is a figure of the
/// document, printed as the document says.
public enum DocumentRender {
    static func spans(_ d: Document, _ spans: [Document.Span]) -> String {
        spans.map { s in
            switch s {
            case .text(let t): return t
            case .figure(let id): return d.figure(id)?.printed ?? ""
            }
        }.joined()
    }

    static func printed(_ d: Document, _ id: String?) -> String { id.flatMap { d.figure($0)?.printed } ?? "" }

    /// A rate figure as a table prints it: `98.48%`, or `—` when it does not apply.
    static func percent(_ d: Document, _ id: String) -> String {
        guard let f = d.figure(id) else { return "" }
        return f.value == nil ? "—" : f.printed + "%"
    }

    public static func text(_ d: Document, markdown: Bool) -> String {
        var out = markdown ? "# \(d.title)\n\n" : "\(d.title)\n\n"
        if d.provisional { out += (markdown ? "> " : "") + "（\(d.year)年度尚未结账，本文数字为临时数。）\n\n" }
        for part in d.parts {
            out += markdown ? "## \(part.title)\n\n" : "\(part.title)\n\n"
            for item in part.items {
                switch item {
                case .heading(let level, let t):
                    out += markdown ? String(repeating: "#", count: level + 2) + " \(t)\n\n" : "\(t)\n"
                case .paragraph(let s):
                    out += markdown ? spans(d, s) + "\n\n" : "　　" + spans(d, s) + "\n"
                case .note(let t):
                    out += markdown ? "*\(t)*\n\n" : "注：\(t)\n"
                case .chart(let c):
                    let values = c.groups.map { g in
                        g.label + " " + g.values.map { printed(d, $0) + "万元" }.joined(separator: "/") + (g.note.map { "（\(percent(d, $0))）" } ?? "")
                    }.joined(separator: "；")
                    out += markdown ? "*\(c.id)：\(c.title)（\(values)）*\n\n" : "（\(c.id)：\(c.title)：\(values)）\n"
                case .evaluation(let e):
                    out += evaluation(d, e, markdown: markdown)
                case .statements:
                    let all = d.statements.tables
                    out += markdown ? StatementRender.markdown(d.statements, all, money: { $0.wan }, unitName: "万元", level: "###")
                        : StatementRender.text(d.statements, all, money: { $0.wan }, unitName: "万元")
                }
            }
            out += "\n"
        }
        out += (markdown ? "*注：" : "注：") + Document.roundingNote + (markdown ? "*\n" : "\n")
        if let b = d.booksNote { out += (markdown ? "\n*" : "") + b + (markdown ? "*\n" : "\n") }
        return out
    }

    static func evaluation(_ d: Document, _ e: ProjectEvaluation, markdown: Bool) -> String {
        var out = markdown ? "### 部门预算项目支出绩效自评表（\(d.year)年度）\n\n" : "部门预算项目支出绩效自评表（\(d.year)年度）\n"
        let facts: [(String, String?)] = [("项目名称", "\(e.project)-\(e.name)"), ("主管部门", e.department), ("实施单位", e.unitName),
                                          ("项目年度目标", e.goal), ("年度目标完成情况", e.achieved), ("项目实施内容及过程概述", e.content)]
        for (k, v) in facts where v != nil { out += markdown ? "- **\(k)**：\(v!)\n" : "\(k)：\(v!)\n" }
        if markdown { out += "\n" }
        let budgetHeader = ["预算执行情况（10分）", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"]
        let budgetRows = e.budgetRows.map { r in
            [r.label, printed(d, r.initial), printed(d, r.budget), printed(d, r.actual), percent(d, r.rate),
             r.weight.map { printed(d, $0) } ?? "/", r.score.map { printed(d, $0) } ?? "/", r.reason ?? ""]
        }
        out += table(budgetHeader, budgetRows, right: [1, 2, 3, 4, 5, 6], markdown: markdown)
        let header = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "未完成原因分析"]
        var rows: [[String]] = []
        var lastLevel = "", lastCategory = ""
        for i in e.indicators {
            rows.append([i.level == lastLevel ? "" : i.level, i.category == lastCategory && i.level == lastLevel ? "" : i.category, i.name,
                         i.comparator, printed(d, i.target), i.unit, printed(d, i.actual), printed(d, i.weight), printed(d, i.score), i.reason ?? ""])
            lastLevel = i.level; lastCategory = i.category
        }
        rows.append(["合计", "", "", "", "", "", "", printed(d, e.totalWeight), printed(d, e.totalScore), ""])
        out += table(header, rows, right: [4, 6, 7, 8], markdown: markdown)
        for (k, v) in [("评价结论", e.conclusion), ("存在问题", e.problems), ("改进措施", e.improvements)] where v != nil {
            out += markdown ? "- **\(k)**：\(v!)\n" : "\(k)：\(v!)\n"
        }
        return out + "\n"
    }

    static func table(_ header: [String], _ rows: [[String]], right: Set<Int>, markdown: Bool) -> String {
        if markdown {
            var out = "| " + header.joined(separator: " | ") + " |\n|" + header.indices.map { right.contains($0) ? "---:|" : "---|" }.joined() + "\n"
            for r in rows { out += "| " + r.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
            return out + "\n"
        }
        var t = TextTable(header, align: header.indices.map { right.contains($0) ? .right : .left })
        for r in rows { t.add(r) }
        return t.render()
    }

    public static func json(_ d: Document) -> String {
        func str(_ s: String) -> String { var b: [UInt8] = []; FlatJSON.appendString(s, to: &b); return String(decoding: b, as: UTF8.self) }
        var parts: [String] = []
        for p in d.parts {
            var items: [String] = []
            for item in p.items {
                switch item {
                case .heading(let level, let t): items.append("{\"heading\":\(str(t)),\"level\":\(level)}")
                case .paragraph(let s):
                    let ids = s.compactMap { if case .figure(let id) = $0 { return str(id) }; return nil }
                    items.append("{\"paragraph\":\(str(spans(d, s))),\"figures\":[\(ids.joined(separator: ","))]}")
                case .note(let t): items.append("{\"note\":\(str(t))}")
                case .chart(let c):
                    let groups = c.groups.map { g in
                        "{\"label\":\(str(g.label)),\"values\":[\(g.values.map(str).joined(separator: ","))],\"note\":\(g.note.map(str) ?? "null")}"
                    }
                    items.append("{\"chart\":\(str(c.id)),\"title\":\(str(c.title)),\"kind\":\"\(c.kind.rawValue)\",\"series\":[\(c.series.map(str).joined(separator: ","))],\"groups\":[\(groups.joined(separator: ","))]}")
                case .evaluation(let e):
                    var ids = e.budgetRows.flatMap { [$0.initial, $0.budget, $0.actual, $0.rate] + [$0.weight, $0.score].compactMap { $0 } }
                    ids += e.indicators.flatMap { [$0.target, $0.actual, $0.weight, $0.score] } + [e.totalWeight, e.totalScore]
                    items.append("{\"evaluation\":\(str(e.project.rawValue)),\"name\":\(str(e.name)),\"figures\":[\(ids.map(str).joined(separator: ","))]}")
                case .statements:
                    items.append("{\"statements\":\(d.year)}")
                }
            }
            parts.append("{\"title\":\(str(p.title)),\"items\":[\n" + items.joined(separator: ",\n") + "\n]}")
        }
        let figures = d.figures.map { f in
            "{\"id\":\(str(f.id)),\"value\":\(f.value.map(String.init) ?? "null"),\"unit\":\"\(f.unit.rawValue)\",\"printed\":\(str(f.printed)),\"source\":\(str(f.source))}"
        }
        return "{\"title\":\(str(d.title)),\"unit\":\(str(d.unitName)),\"year\":\(d.year),\"has_prior_year\":\(d.hasPriorYear),\"provisional\":\(d.provisional),"
            + "\"notes\":[\(([Document.roundingNote] + (d.booksNote.map { [$0] } ?? [])).map(str).joined(separator: ","))],\"warnings\":[" + d.warnings.map(str).joined(separator: ",") + "],\n"
            + "\"figures\":[\n" + figures.joined(separator: ",\n") + "\n],\n\"parts\":[\n" + parts.joined(separator: ",\n") + "\n]}"
    }
}
