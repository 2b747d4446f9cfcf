import Foundation
import Ledger
import Reconcile

public enum HTML {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// The document as one self-contained web page: inline CSS and SVG, no script, nothing fetched.
/// Written as well-formed XHTML-compatible markup (every element closed, attributes quoted) so
/// that an XML parser reads it; printing to PDF gives A4 pages, each part on a new page, page
/// numbers at the foot, table headers repeated and no row split.
public enum HTMLRender {
    /// Value columns per printed table before it is continued (续) beside the same rows.
    static let maxColumns = 8

    public static let css = """
    @page { size: A4; margin: 16mm 14mm 18mm 14mm; @bottom-center { content: "第 " counter(page) " 页"; font-size: 9pt; color: #555; } }
    html { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 10.5pt; line-height: 1.7; color: #111; }
    body { margin: 0; }
    main { max-width: 182mm; margin: 0 auto; }
    h1 { font-size: 20pt; text-align: center; margin: 30mm 0 12mm; }
    h2 { font-size: 15pt; text-align: center; margin: 0 0 6mm; }
    h3 { font-size: 12pt; margin: 5mm 0 2mm; }
    h4 { font-size: 11pt; margin: 3mm 0 1mm; }
    p { text-indent: 2em; margin: 0 0 2mm; text-align: justify; }
    .part { break-before: page; }
    .part:first-of-type { break-before: auto; }
    .num, td.num { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
    .fig { font-variant-numeric: tabular-nums; }
    figure { margin: 3mm 0; break-inside: avoid; text-align: center; }
    figure svg { max-width: 100%; height: auto; }
    figcaption { font-size: 9.5pt; color: #333; }
    .empty-chart { text-align: center; color: #555; font-size: 9.5pt; }
    table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 8pt; table-layout: fixed; }
    caption { font-weight: bold; font-size: 10pt; margin-bottom: 1mm; caption-side: top; }
    caption .unit { display: block; font-weight: normal; font-size: 8pt; text-align: right; }
    th, td { border: 0.5pt solid #777; padding: 0.6mm 1mm; vertical-align: top; overflow-wrap: anywhere; }
    th { background: #eef1f5; font-weight: bold; text-align: center; }
    tbody th[scope="row"] { background: none; font-weight: normal; text-align: left; }
    thead { display: table-header-group; }
    tr { break-inside: avoid; }
    .l1 { padding-left: 1.5mm; } .l2 { padding-left: 4mm; } .l3 { padding-left: 6.5mm; }
    .note { font-size: 8.5pt; color: #333; text-indent: 0; }
    .statement { break-inside: auto; }
    .eval th { width: auto; }
    th.code-col { width: 16mm; } th.name-col { width: 40mm; }
    td.num a { color: inherit; text-decoration: none; border-bottom: 1px dotted #2f6fb0; }
    .banner { font-size: 10pt; padding: 2mm 0; border-bottom: 1px solid #ccc; margin-bottom: 4mm; }
    @media print { .banner { display: none; } }
    svg text { font-family: inherit; font-size: 13px; fill: #222; }
    svg .axis { stroke: #444; stroke-width: 1; }
    svg .unit { font-size: 11px; fill: #555; }
    """

    /// The page. `stylesheet` links the CSS (a server whose Content-Security-Policy forbids
    /// inline styles serves `css` at that path) instead of holding it inline; `banner` is markup
    /// placed before the document (a front end's navigation, hidden when printed).
    public static func page(_ d: Document, stylesheet: String? = nil, banner: String = "") -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"zh-CN\" xmlns=\"http://www.w3.org/1999/xhtml\"><head><meta charset=\"utf-8\"/>"
        out += "<title>\(HTML.escape(d.title))</title>"
        out += stylesheet.map { "<link rel=\"stylesheet\" href=\"\(HTML.escape($0))\"/>" } ?? "<style>\(css)</style>"
        out += "</head><body>\(banner)<main>\n"
        out += "<h1>\(HTML.escape(d.title))</h1>\n"
        if d.provisional { out += "<p class=\"note\">（\(d.year)年度尚未结账，本文数字为临时数。）</p>\n" }
        var chartNumber = 0
        for (k, part) in d.parts.enumerated() {
            out += "<section class=\"part\" id=\"part-\(k + 1)\"><h2>\(HTML.escape(part.title))</h2>\n"
            for item in part.items {
                switch item {
                case .heading(let level, let t):
                    out += level == 1 ? "<h3>\(HTML.escape(t))</h3>\n" : "<h4>\(HTML.escape(t))</h4>\n"
                case .paragraph(let spans):
                    out += "<p>" + spans.map { s -> String in
                        switch s {
                        case .text(let t): return HTML.escape(t)
                        case .figure(let id): return "<span class=\"fig\" data-fig=\"\(HTML.escape(id))\">\(HTML.escape(d.figure(id)?.printed ?? ""))</span>"
                        }
                    }.joined() + "</p>\n"
                case .note(let t):
                    out += "<p class=\"note\">注：\(HTML.escape(t))</p>\n"
                case .chart(let c):
                    chartNumber += 1
                    let layout = ChartLayout(c, document: d)
                    if layout.isEmpty {
                        out += "<p class=\"empty-chart\">\(HTML.escape(c.id))：\(HTML.escape(c.emptySentence))</p>\n"
                    } else {
                        out += "<figure>" + layout.svg(d, id: "chart-\(chartNumber)") + "<figcaption>\(HTML.escape(c.id))：\(HTML.escape(c.title))</figcaption></figure>\n"
                    }
                case .evaluation(let e):
                    out += evaluation(d, e)
                case .statements:
                    for t in d.statements.tables { out += statement(d.statements, t) }
                }
            }
            out += "</section>\n"
        }
        out += "<p class=\"note\">注：\(HTML.escape(Document.roundingNote))</p>\n"
        if let b = d.booksNote { out += "<p class=\"note\">\(HTML.escape(b))</p>\n" }
        return out + "</main></body></html>\n"
    }

    static func cell(_ d: Document, _ id: String?, percent: Bool = false) -> String {
        guard let id, let f = d.figure(id) else { return "<td class=\"num\"></td>" }
        let text = percent ? (f.value == nil ? "—" : f.printed + "%") : f.printed
        return "<td class=\"num\"><span class=\"fig\" data-fig=\"\(HTML.escape(id))\">\(HTML.escape(text))</span></td>"
    }

    static func evaluation(_ d: Document, _ e: ProjectEvaluation) -> String {
        var out = "<section class=\"evaluation\"><table class=\"eval\"><caption>部门预算项目支出绩效自评表（\(d.year)年度）<span class=\"unit\">金额单位：万元</span></caption>"
        out += "<tbody>"
        for (k, v) in [("项目名称", "\(e.project)-\(e.name)"), ("主管部门", e.department), ("实施单位", e.unitName), ("项目年度目标", e.goal),
                       ("年度目标完成情况", e.achieved), ("项目实施内容及过程概述", e.content)] as [(String, String?)] where v != nil {
            out += "<tr><th scope=\"row\">\(k)</th><td colspan=\"7\">\(HTML.escape(v!))</td></tr>"
        }
        out += "</tbody></table><table class=\"eval\"><caption>预算执行情况（10分）<span class=\"unit\">金额单位：万元</span></caption><thead><tr>"
        for h in ["资金", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"] { out += "<th scope=\"col\">\(h)</th>" }
        out += "</tr></thead><tbody>"
        for r in e.budgetRows {
            out += "<tr><th scope=\"row\">\(HTML.escape(r.label))</th>" + cell(d, r.initial) + cell(d, r.budget) + cell(d, r.actual) + cell(d, r.rate, percent: true)
            out += (r.weight.map { cell(d, $0) } ?? "<td class=\"num\">/</td>") + (r.score.map { cell(d, $0) } ?? "<td class=\"num\">/</td>")
            out += "<td>\(HTML.escape(r.reason ?? ""))</td></tr>"
        }
        out += "</tbody></table><table class=\"eval\"><caption>绩效指标（90分）</caption><thead><tr>"
        for h in ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "未完成原因分析"] { out += "<th scope=\"col\">\(h)</th>" }
        out += "</tr></thead><tbody>"
        for i in e.indicators {
            out += "<tr><td>\(HTML.escape(i.level))</td><td>\(HTML.escape(i.category))</td><th scope=\"row\">\(HTML.escape(i.name))</th><td>\(HTML.escape(i.comparator))</td>"
            out += cell(d, i.target) + "<td>\(HTML.escape(i.unit))</td>" + cell(d, i.actual) + cell(d, i.weight) + cell(d, i.score)
            out += "<td>\(HTML.escape(i.reason ?? ""))</td></tr>"
        }
        out += "<tr><th scope=\"row\" colspan=\"7\">合计</th>" + cell(d, e.totalWeight) + cell(d, e.totalScore) + "<td></td></tr>"
        out += "</tbody></table>"
        for (k, v) in [("评价结论", e.conclusion), ("存在问题", e.problems), ("改进措施", e.improvements)] where v != nil {
            out += "<p><strong>\(k)：</strong>\(HTML.escape(v!))</p>"
        }
        return out + "</section>\n"
    }

    /// A printed code: classification codes only (internal row ids such as `income-total` are not printed).
    static func code(_ r: Row) -> String { r.code.allSatisfy { $0.isNumber || ($0.isLetter && $0.isUppercase) } ? r.code : "" }

    /// One table. With `link`, every cell is a link to the address it returns (a front end's
    /// trace of that cell).
    public static func statement(_ s: Statements, _ t: Table, link: ((Row, Column) -> String)? = nil) -> String {
        func td(_ r: Row, _ k: Int, _ columns: [Column]) -> String {
            guard let c = r.cells[k] else { return "<td></td>" }
            guard let link else { return "<td class=\"num\">\(c.value.wan)</td>" }
            return "<td class=\"num\"><a href=\"\(HTML.escape(link(r, columns[k])))\">\(c.value.wan)</a></td>"
        }
        let unit = "\(s.year)年度\(s.provisional ? "（未结账，临时数）" : "")　金额单位：万元"
        var out = "<section class=\"statement\">"
        if t.blocks.count == 2 {
            // Left and right halves side by side, as published.
            let (a, b) = (t.blocks[0], t.blocks[1])
            out += "<table><caption>表\(t.number)　\(HTML.escape(t.title))<span class=\"unit\">\(unit)</span></caption><thead><tr>"
            for blk in [a, b] {
                out += "<th scope=\"col\">\(HTML.escape(blk.name))</th>" + blk.columns.map { "<th scope=\"col\">\(HTML.escape($0.label))</th>" }.joined()
            }
            out += "</tr></thead><tbody>"
            // The footers (the trailing 合计/总计 rows) of both halves end on the same line, as published.
            func footer(_ rows: [Row]) -> Int { rows.reversed().prefix { $0.level == 0 }.count }
            let total = max(a.rows.count, b.rows.count)
            func arranged(_ rows: [Row]) -> [Row?] {
                let f = footer(rows)
                return rows.dropLast(f).map { Optional($0) } + Array(repeating: nil, count: total - rows.count) + rows.suffix(f).map { Optional($0) }
            }
            let (left, right) = (arranged(a.rows), arranged(b.rows))
            for k in 0..<total {
                out += "<tr>"
                for (blk, rows) in [(a, left), (b, right)] {
                    if let r = rows[k] {
                        let label = (code(r).isEmpty ? "" : code(r) + " ") + r.name
                        out += "<th scope=\"row\" class=\"l\(r.level)\">\(HTML.escape(label))</th>"
                        out += r.cells.indices.map { td(r, $0, blk.columns) }.joined()
                    } else {
                        out += "<td></td>" + blk.columns.map { _ in "<td></td>" }.joined()
                    }
                }
                out += "</tr>"
            }
            out += "</tbody></table>"
        } else {
            for b in t.blocks {
                let chunks = stride(from: 0, to: max(b.columns.count, 1), by: maxColumns).map { Array($0..<min($0 + maxColumns, b.columns.count)) }
                for (n, cols) in chunks.enumerated() {
                    let title = "表\(t.number)　\(t.title)" + (t.blocks.count > 1 ? "（\(b.name)）" : "") + (n > 0 ? "（续\(n)）" : "")
                    out += "<table><caption>\(HTML.escape(title))<span class=\"unit\">\(unit)</span></caption><thead><tr>"
                    out += "<th scope=\"col\" class=\"code-col\">科目编码</th><th scope=\"col\" class=\"name-col\">科目名称</th>"
                    out += cols.map { "<th scope=\"col\">\(HTML.escape(b.columns[$0].label))</th>" }.joined() + "</tr></thead><tbody>"
                    for r in b.rows {
                        out += "<tr><td>\(HTML.escape(code(r)))</td><th scope=\"row\" class=\"l\(r.level)\">\(HTML.escape(r.name))</th>"
                        out += cols.map { td(r, $0, b.columns) }.joined() + "</tr>"
                    }
                    out += "</tbody></table>"
                }
            }
        }
        for n in t.notes { out += "<p class=\"note\">注：\(HTML.escape(n))</p>" }
        return out + "</section>\n"
    }
}
