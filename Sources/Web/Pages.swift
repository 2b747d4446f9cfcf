import Foundation
import Ledger
import Reconcile
import Render

/// A query value the page cannot use: answered 400, naming the parameter and what it expects.
struct BadQuery: Error {
    let name: String
    let message: String
}

/// The web front end's pages: server-rendered HTML in Chinese that works without JavaScript.
/// Every figure comes from the library (the projection, the statements, the reconciler, the
/// document); the pages only lay them out. Every text from the journal or an upload is escaped.
public final class WebApp: @unchecked Sendable {
    public let books: Books
    public init(books: Books) { self.books = books }

    public static let pageSize = 50
    /// Events listed per page of a trace (the sum is always of all of them).
    public static let traceRows = 200

    public func handle(_ r: HTTPRequest) -> HTTPResponse {
        let parts = r.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        let isCheck = r.path == "/check"
        guard r.method == "GET" || r.method == "HEAD" || (r.method == "POST" && isCheck) else {
            return HTTPResponse(status: 405, contentType: "text/plain; charset=utf-8", body: Array("method \(r.method) is not allowed here\n".utf8),
                                headers: [("Allow", isCheck ? "GET, HEAD, POST" : "GET, HEAD")])
        }
        if r.path.hasPrefix("/static/") {
            switch r.path {
            case "/static/app.css": return HTTPResponse(status: 200, contentType: "text/css; charset=utf-8", body: Array(Assets.css.utf8),
                                                        headers: [("Cache-Control", "max-age=3600")])
            case "/static/document.css": return HTTPResponse(status: 200, contentType: "text/css; charset=utf-8", body: Array(HTMLRender.css.utf8),
                                                             headers: [("Cache-Control", "max-age=3600")])
            default: return notFound(r.path)
            }
        }
        if r.path == "/favicon.ico" { return HTTPResponse(status: 204, contentType: "image/x-icon", body: []) }
        // A page depends only on the journal's state (and the overview and statements on the
        // background verification): made once per state, then served from memory.
        let target = r.path + "?" + r.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        if r.method != "POST", let hit = books.cachedPage(target) { return hit }
        let response = render(r, parts)
        if r.method != "POST", response.status == 200 || response.status == 404 || response.status == 400 { books.cachePage(target, response) }
        return response
    }

    func render(_ r: HTTPRequest, _ parts: [String]) -> HTTPResponse {
        do {
            switch (parts.first ?? "", parts.count) {
            case ("", 1): return try overview()
            case ("budget", 1): return try budget(r)
            case ("journal", 1): return try journal(r)
            case ("event", 2): return try event(parts[1])
            case ("statements", 1): return try statements("", nil)
            case ("statements", 2): return try statements(parts[1], nil)
            case ("statements", 3): return try statements(parts[1], parts[2])
            case ("trace", 1): return try trace(r)
            case ("report", 1): return try report("")
            case ("report", 2): return try report(parts[1])
            case ("check", 1): return try check(r)
            default: return notFound(r.path)
            }
        } catch let b as BadQuery {
            return page(400, "参数错误", "<h1>参数错误</h1><p class=\"error\">\(e(b.name))：\(e(b.message))</p><p><a href=\"/\">返回概览</a></p>")
        } catch let d as Books.Damage {
            return damagePage(d)
        } catch {
            return page(500, "出错", "<h1>出错</h1><p class=\"error\">\(e(String(describing: error)))</p>")
        }
    }

    // MARK: - Layout

    func e(_ s: String) -> String { HTML.escape(s) }

    func page(_ title: String, _ body: String) -> HTTPResponse { page(200, title, body) }

    func page(_ status: Int, _ title: String, _ body: String) -> HTTPResponse {
        let nav = [("/", "概览"), ("/budget", "预算执行"), ("/journal", "流水"), ("/statements", "决算报表"), ("/report", "决算文档"), ("/check", "核对报告")]
        var out = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
        out += "<title>\(e(title)) · fledger</title><link rel=\"stylesheet\" href=\"/static/app.css\"/></head><body>"
        out += "<header><nav aria-label=\"主导航\"><a class=\"brand\" href=\"/\">fledger</a>"
        for (href, label) in nav { out += "<a href=\"\(href)\">\(label)</a>" }
        out += "</nav></header><main>\(body)</main><footer>金额来自账簿的投影与核对，页面只排版，不计算。</footer></body></html>\n"
        return HTTPResponse(status: status, html: out)
    }

    func notFound(_ path: String) -> HTTPResponse {
        page(404, "未找到", "<h1>未找到</h1><p>没有这个页面：<code>\(e(path))</code></p><p><a href=\"/\">返回概览</a></p>")
    }

    func damagePage(_ d: Books.Damage) -> HTTPResponse {
        let line = d.line > 0 ? "第 \(d.line) 行" : "账簿"
        return page(503, "账簿受损", """
        <h1 class="damage">账簿受损：\(e(line))</h1>
        <p class="error">\(e(d.message))</p>
        <p>本页不显示任何数字：受损的账簿给出的数字不可信。请运行 <code>fledger verify</code> 查看原因；若是写入中断留下的残行，运行 <code>fledger repair</code>。修复后刷新本页。</p>
        """)
    }

    /// Amounts as the page asks: 万元 (default) or yuan, grouped.
    struct Money {
        let wan: Bool
        func callAsFunction(_ f: Fen) -> String { wan ? f.wan : f.yuanGrouped }
        var unitName: String { wan ? "万元" : "元" }
    }

    // MARK: - Query values

    func year(_ text: String?, name: String = "year", default fallback: Int?) throws(BadQuery) -> Int {
        guard let text, !text.isEmpty else {
            guard let fallback else { throw BadQuery(name: name, message: "缺少年度（year=YYYY）") }
            return fallback
        }
        guard let y = Int(text), FiscalYears.contains(y) else {
            throw BadQuery(name: name, message: "'\(text)' 不是 \(FiscalYears.valid.lowerBound)–\(FiscalYears.valid.upperBound) 之间的年度")
        }
        return y
    }

    func date(_ r: HTTPRequest, _ name: String) throws(BadQuery) -> CivilDate? {
        guard let v = r.parameter(name), !v.isEmpty else { return nil }
        guard let d = CivilDate(v) else { throw BadQuery(name: name, message: "'\(v)' 不是日期 YYYY-MM-DD") }
        return d
    }

    func money(_ r: HTTPRequest) throws(BadQuery) -> Money {
        switch r.parameter("unit") ?? "wan" {
        case "", "wan": return Money(wan: true)
        case "yuan": return Money(wan: false)
        case let u: throw BadQuery(name: "unit", message: "'\(u)' 不是 wan 或 yuan")
        }
    }

    static func query(_ items: [(String, String?)]) -> String {
        let kept = items.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : "\(k)=\(percent($0))" } }
        return kept.isEmpty ? "" : "?" + kept.joined(separator: "&")
    }

    static func percent(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    // MARK: - 1. Overview

    func overview() throws -> HTTPResponse {
        let s = try books.current()
        let st = s.standing
        let (v, running) = books.lastVerification
        var body = "<h1>\(e(st.unit.map { "\($0.unitName)" } ?? "账簿"))</h1>"
        body += "<dl class=\"facts\">"
        if let u = st.unit { body += "<dt>单位</dt><dd>\(e(u.unitCode)) \(e(u.unitName))</dd>" }
        body += "<dt>事件</dt><dd><span id=\"events\">\(st.events)</span> 笔（\(st.bytes) 字节）</dd>"
        body += "<dt>链头哈希</dt><dd><code id=\"head\">\(st.head.hex)</code></dd>"
        body += "<dt>签名</dt><dd>" + (st.signingFrom.map { "自第 \($0) 笔事件起每次写入均签名；登记 \(st.actors.filter { $0.revoked == nil }.count) 人" } ?? "尚未开始（之前的事件为未签名历史）") + "</dd>"
        body += "<dt>最近核验</dt><dd id=\"verified\">"
        if let v {
            let when = ISO8601DateFormatter().string(from: v.at)
            let about = v.key == s.key ? "" : "（之后账簿又有写入" + (running ? "，正在重新核验" : "") + "）"
            switch v.result {
            case .success(let r): body += "\(e(when)) 由 fledger serve 后台全量核验（同 fledger verify）：\(r.events) 笔事件，哈希链完整，\(r.signatures) 个签名通过\(about)"
            case .failure(let d): body += "<span class=\"error\">\(e(when)) 核验失败：\(e(d.message))</span>\(about)"
            }
        } else {
            body += running ? "正在核验（fledger serve 启动后在后台读取每一行）…" : "尚未核验"
        }
        body += "</dd></dl>"

        let years = Set(s.projection.years).union(st.openYears).union(st.closedYears).sorted()
        body += "<h2>年度</h2><table><thead><tr><th scope=\"col\">年度</th><th scope=\"col\">状态</th><th scope=\"col\">核对</th><th scope=\"col\">查看</th></tr></thead><tbody>"
        for y in years.reversed() {
            let status = st.closedYears.contains(y) ? "已结账" : st.openYears.contains(y) ? "未结账（临时数）" : "—"
            var proof = "—"
            if let rec = v?.reconciliations[y], v?.key == s.key {
                proof = (rec.passed ? "<span class=\"ok\">通过</span>" : "<span class=\"error\">未通过</span>") + "：\(rec.cells.count) 个单元格，\(rec.identities.count) 个勾稽关系，\(rec.roundingDifferences.count) 处尾差"
            } else if running || v?.key != s.key {
                proof = "核对中…"
            }
            body += "<tr><th scope=\"row\">\(y)</th><td>\(status)</td><td>\(proof)</td><td><a href=\"/budget?year=\(y)\">预算执行</a> · <a href=\"/statements/\(y)\">报表</a> · <a href=\"/report/\(y)\">文档</a></td></tr>"
        }
        body += "</tbody></table>"

        body += "<h2>待审批</h2>"
        if st.waiting.isEmpty {
            body += "<p id=\"waiting\">没有等待审批的事项。</p>"
        } else {
            body += "<table id=\"waiting\"><thead><tr><th scope=\"col\">编号</th><th scope=\"col\">类型</th><th scope=\"col\">金额</th><th scope=\"col\">提交人</th><th scope=\"col\">提交时间</th></tr></thead><tbody>"
            for (ev, w) in st.waiting {
                body += "<tr><th scope=\"row\"><a href=\"/event/\(Self.percent(ev.id.rawValue))\">\(e(ev.id.rawValue))</a></th><td>\(e(ev.body.type.rawValue))</td>"
                body += "<td class=\"num\">\(Trail.amount(of: ev).map { $0.yuanGrouped } ?? "")</td><td>\(e(w.actor))</td><td>\(e(ev.recorded.text))</td></tr>"
            }
            body += "</tbody></table>"
        }
        body += "<h2>提示</h2>"
        var warnings: [String] = []
        if let v, v.key == s.key {
            for y in years {
                if let rec = v.reconciliations[y] {
                    for i in rec.roundingDifferences {
                        warnings.append("\(y) 尾差：\(i.identity)：\(i.lhs) 印 \(i.printedLHS.wan)，分项合计 \(i.printedRHS.wan)（差 \(i.printedGap.wan) 万元，按分精确相等）")
                    }
                }
                warnings += (v.warnings[y] ?? []).map { "\(y) 文档：\($0)" }
            }
        }
        body += warnings.isEmpty ? "<p>暂无提示。</p>" : "<ul class=\"warnings\">" + warnings.map { "<li>\(e($0))</li>" }.joined() + "</ul>"
        return page("概览", body)
    }

    // MARK: - 2. Budget against actual

    func budget(_ r: HTTPRequest) throws -> HTTPResponse {
        let s = try books.current()
        let y = try year(r.parameter("year"), default: s.projection.years.last ?? s.standing.openYears.last)
        let byText = r.parameter("by") ?? "item"
        guard let view = BudgetView(rawValue: byText.isEmpty ? "item" : byText) else {
            throw BadQuery(name: "by", message: "'\(byText)' 不是 \(BudgetView.allCases.map(\.rawValue).joined(separator: "、")) 之一")
        }
        var filter = ProjectionFilter()
        filter.asOf = try date(r, "as-of")
        if let v = r.parameter("until-seq"), !v.isEmpty {
            guard let n = Int(v), n >= 1 else { throw BadQuery(name: "until-seq", message: "'\(v)' 不是事件序号（1 或更大）") }
            filter.untilSeq = n
        }
        if filter.asOf != nil && filter.untilSeq != nil { throw BadQuery(name: "as-of", message: "as-of 与 until-seq 只能给一个") }
        let m = try money(r)
        let format = r.parameter("format") ?? "html"
        let projection: Projection
        if filter == .all { projection = s.projection } else {
            do { projection = try books.store.project(filter) } catch { throw Books.damage(error) }
        }
        let t = BudgetTable(projection: projection, year: y, view: view, filter: filter, catalogue: books.store.catalogue)
        let fileName = "budget-\(y)-\(view.rawValue)"
        switch format {
        case "csv": return HTTPResponse(status: 200, contentType: "text/csv; charset=utf-8", body: Array(t.csv().utf8),
                                        headers: [("Content-Disposition", "attachment; filename=\"\(fileName).csv\"")])
        case "json": return HTTPResponse(status: 200, contentType: "application/json", body: Array(t.json().utf8),
                                         headers: [("Content-Disposition", "attachment; filename=\"\(fileName).json\"")])
        case "html", "": break
        default: throw BadQuery(name: "format", message: "'\(format)' 不是 html、csv 或 json")
        }
        let scope = filter.asOf.map { "截至 \($0)" } ?? filter.untilSeq.map { "至第 \($0) 笔事件" } ?? "全部事件"
        var body = "<h1>\(y) 年预算执行 · \(BudgetTable.title(view))</h1>"
        body += "<p class=\"sub\">\(scope)，\(t.events) 笔事件计入；金额单位：\(m.unitName)</p>"
        body += "<nav class=\"tabs\" aria-label=\"分组\">" + BudgetView.allCases.map { v in
            let q = Self.query([("year", String(y)), ("by", v.rawValue), ("unit", m.wan ? nil : "yuan"), ("as-of", filter.asOf?.description), ("until-seq", filter.untilSeq.map(String.init))])
            return v == view ? "<strong>\(BudgetTable.title(v))</strong>" : "<a href=\"/budget\(q)\">\(BudgetTable.title(v))</a>"
        }.joined(separator: " ") + "</nav>"
        body += """
        <form class="filters" method="get" action="/budget"><input type="hidden" name="year" value="\(y)"/><input type="hidden" name="by" value="\(view.rawValue)"/>
        <label>截至日期 <input type="date" name="as-of" value="\(e(filter.asOf?.description ?? ""))"/></label>
        <label>至事件序号 <input type="number" min="1" name="until-seq" value="\(filter.untilSeq.map(String.init) ?? "")"/></label>
        <label>单位 <select name="unit"><option value="wan"\(m.wan ? " selected=\"selected\"" : "")>万元</option><option value="yuan"\(m.wan ? "" : " selected=\"selected\"")>元</option></select></label>
        <button type="submit">查看</button></form>
        """
        let dl = Self.query([("year", String(y)), ("by", view.rawValue), ("as-of", filter.asOf?.description), ("until-seq", filter.untilSeq.map(String.init))])
        body += "<p class=\"downloads\">下载（与 <code>fledger budget --format csv|json</code> 相同）：<a href=\"/budget\(dl)&amp;format=csv\">CSV</a> · <a href=\"/budget\(dl)&amp;format=json\">JSON</a></p>"
        let carried = t.rows.contains { $0.figures.carried != .zero }
        let prior = t.rows.contains { $0.figures.priorYear != .zero }
        var headers = ["编码", "名称"] + (carried ? ["年初结转"] : []) + ["年初预算", "调整", "调整后预算", "执行数", "可用余额", "执行率"]
        if prior { headers.append("以前年度调整") }
        if t.anyWaiting { headers += ["待审批预算", "待审批执行"] }
        body += "<table class=\"budget\" id=\"budget\"><thead><tr>" + headers.map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr></thead><tbody>"
        let from = "\(y)-01-01", to = "\(y)-12-31"
        for row in t.rows {
            let f = row.figures
            // The events behind each figure: the appropriations and adjustments of the line for
            // its budget, and for 执行数 the cell of 表3 that holds it (by item) or the line's
            // disbursements in the journal (other views).
            var lineFilter: [(String, String?)] = [("from", from), ("to", to)]
            let code = row.code
            switch view {
            case .item: lineFilter.append(("item", code.isEmpty ? nil : code))
            case .project: lineFilter.append(("project", ProjectCode(rawValue: code) != nil ? code : nil))
            case .econ: lineFilter.append(("econ", code.isEmpty ? nil : code))
            case .fund: lineFilter.append(("fund", FundCode(rawValue: code) != nil ? code : nil))
            case .nature, .sangong: break
            }
            let budgetLink = "/journal" + Self.query(lineFilter + [("kind", "appropriation,adjustment,carry_forward")])
            let actualLink: String
            if view == .item, filter == .all {
                actualLink = "/trace" + Self.query([("year", String(y)), ("table", "3"), ("row", code.isEmpty ? "total" : code), ("column", "total")])
            } else {
                actualLink = "/journal" + Self.query(lineFilter + [("kind", "disbursement,adjustment")])
            }
            func fig(_ v: Fen, _ link: String, _ cls: String) -> String {
                "<td class=\"num \(cls)\"><a href=\"\(e(link))\">\(m(v))</a></td>"
            }
            let level = max(0, row.level)
            body += "<tr class=\"l\(level)\(row.isSubtotal ? " subtotal" : "")\" data-code=\"\(e(code))\"><td class=\"code\">\(e(code))</td><th scope=\"row\" class=\"name l\(level)\">\(e(row.name))</th>"
            if carried { body += fig(f.carried, budgetLink, "carried") }
            body += fig(f.initial, budgetLink, "initial") + fig(f.adjustments, budgetLink, "adjustments") + fig(f.budget, budgetLink, "budget")
            body += fig(f.actual, actualLink, "actual") + fig(f.available, budgetLink, "available")
            body += "<td class=\"rate\">" + rateBar(f.rate) + "</td>"
            if prior { body += fig(f.priorYear, actualLink, "prior") }
            if t.anyWaiting {
                let p = t.pending(row)
                body += "<td class=\"num\"><a href=\"/journal?pending=1\">\(m(p.budget))</a></td><td class=\"num\"><a href=\"/journal?pending=1\">\(m(p.actual))</a></td>"
            }
            body += "</tr>"
        }
        body += "</tbody></table>"
        if t.anyWaiting { body += "<p class=\"note\">待审批：等待第二人审批的事项，不计入其他任何一列。</p>" }
        body += "<p class=\"note\">执行率 = 执行数 ÷ 调整后预算，四舍五入至两位小数；预算为零时不计算。每个数字都链接到它背后的事件。</p>"
        return page("\(y) 年预算执行", body)
    }

    /// 执行率 as a figure and a bar (SVG: no inline style is allowed by the page's policy).
    func rateBar(_ rate: Percent?) -> String {
        guard let rate else { return "<span class=\"na\">—</span>" }
        let width = Double(max(0, min(10_000, rate.hundredths))) / 100
        let over = rate.hundredths > 10_000 ? " over" : ""
        return "<span class=\"pct\">\(rate.description)%</span><svg class=\"bar\(over)\" viewBox=\"0 0 100 10\" width=\"100\" height=\"10\" role=\"img\" aria-label=\"执行率 \(rate.description)%\">"
            + "<rect class=\"track\" x=\"0\" y=\"0\" width=\"100\" height=\"10\"/><rect class=\"fill\" x=\"0\" y=\"0\" width=\"\(String(format: "%.2f", width))\" height=\"10\"/></svg>"
    }

    // MARK: - 3. Journal

    struct JournalQuery {
        var filter = TrailFilter()
        var text: String?
        var before: Int?
        var pending = false
        var items: [(String, String?)] = []
    }

    func journalQuery(_ r: HTTPRequest) throws(BadQuery) -> JournalQuery {
        var q = JournalQuery()
        if let k = r.parameter("kind"), !k.isEmpty {
            for name in k.split(separator: ",") {
                guard let t = EventType(rawValue: String(name)) else {
                    throw BadQuery(name: "kind", message: "'\(name)' 不是事件类型（\(EventType.allCases.map(\.rawValue).joined(separator: "、"))）")
                }
                q.filter.types.insert(t)
            }
        }
        for key in ["item", "econ"] {
            if let v = r.parameter(key), !v.isEmpty {
                guard v.count <= 7, v.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw BadQuery(name: key, message: "'\(v)' 不是编码或编码前缀（1–7 位数字）") }
                if key == "item" { q.filter.item = v } else { q.filter.econ = v }
            }
        }
        if let v = r.parameter("project"), !v.isEmpty {
            guard let p = ProjectCode(rawValue: v) else { throw BadQuery(name: "project", message: "'\(v)' 不是项目编码") }
            q.filter.project = p
        }
        if let v = r.parameter("fund"), !v.isEmpty {
            guard let f = FundCode(rawValue: v) else { throw BadQuery(name: "fund", message: "'\(v)' 不是资金来源编码") }
            q.filter.fund = f
        }
        if let v = r.parameter("actor"), !v.isEmpty {
            guard v.count <= 64 else { throw BadQuery(name: "actor", message: "人名最长 64 个字符") }
            q.filter.actor = v
        }
        q.filter.from = try date(r, "from")
        q.filter.to = try date(r, "to")
        if let f = q.filter.from, let t = q.filter.to, f > t { throw BadQuery(name: "from", message: "起始日期 \(f) 晚于截止日期 \(t)") }
        if let v = r.parameter("text"), !v.isEmpty {
            guard v.count <= 200 else { throw BadQuery(name: "text", message: "检索文字最长 200 个字符") }
            q.text = v
        }
        if let v = r.parameter("before"), !v.isEmpty {
            guard let n = Int(v), n > 0 else { throw BadQuery(name: "before", message: "'\(v)' 不是翻页位置") }
            q.before = n
        }
        if let v = r.parameter("pending"), !v.isEmpty { q.pending = v == "1" }
        q.items = [("kind", r.parameter("kind")), ("item", q.filter.item), ("econ", q.filter.econ), ("project", q.filter.project?.rawValue),
                   ("fund", q.filter.fund?.rawValue), ("actor", q.filter.actor), ("from", q.filter.from?.description), ("to", q.filter.to?.description), ("text", q.text)]
        return q
    }

    /// The texts a person writes on an event: payee, voucher, document, memo.
    static func texts(_ ev: Event) -> [String] {
        let row = EventRow(ev)
        return [row.payee, row.voucher, row.doc, row.override, ev.memo, ev.id.rawValue].filter { !$0.isEmpty }
    }

    func journal(_ r: HTTPRequest) throws -> HTTPResponse {
        let q = try journalQuery(r)
        let s = try books.current()
        let m = try money(r)
        let match: (Event) -> Bool = { ev in
            q.filter.matches(ev) && (q.text.map { t in Self.texts(ev).contains { $0.localizedCaseInsensitiveContains(t) } } ?? true)
        }
        var events: [(event: Event, offset: Int)] = []
        var next: Int?
        var spent = false
        if q.pending {
            events = s.standing.waiting.map(\.event).filter(match).reversed().map { ($0, 0) }
        } else {
            do {
                let p = try books.store.eventsNewestFirst(before: q.before, limit: Self.pageSize, screen: q.filter.screen, where: match)
                (events, next, spent) = (p.events, p.next, p.budgetSpent)
            } catch let j {
                if case .damaged(_, 0, let reason) = j, reason.hasPrefix("offset") { throw BadQuery(name: "before", message: reason) }
                throw Books.damage(j)
            }
        }
        func v(_ name: String) -> String { e(q.items.first { $0.0 == name }?.1 ?? "") }
        var body = "<h1>流水\(q.pending ? "：待审批" : "")</h1>"
        body += """
        <form class="filters" method="get" action="/journal">
        <label>类型 <input name="kind" value="\(v("kind"))" placeholder="disbursement,adjustment"/></label>
        <label>功能分类 <input name="item" value="\(v("item"))" placeholder="201" size="8"/></label>
        <label>经济分类 <input name="econ" value="\(v("econ"))" size="6"/></label>
        <label>项目 <input name="project" value="\(v("project"))" size="22"/></label>
        <label>经办人 <input name="actor" value="\(v("actor"))" size="8"/></label>
        <label>从 <input type="date" name="from" value="\(v("from"))"/></label>
        <label>到 <input type="date" name="to" value="\(v("to"))"/></label>
        <label>文字 <input name="text" value="\(v("text"))" placeholder="收款人、摘要、文号"/></label>
        <button type="submit">筛选</button></form>
        """
        body += "<p class=\"sub\">最新的在前；金额单位：\(m.unitName)。</p>"
        body += "<table class=\"journal\" id=\"journal\"><thead><tr>" + ["序号", "日期", "编号", "类型", "功能分类", "经济分类", "项目", "金额", "经办人", "说明"].map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for (ev, _) in events {
            let row = EventRow(ev)
            body += "<tr><td class=\"num\">\(ev.seq)</td><td>\(ev.date)</td><th scope=\"row\"><a href=\"/event/\(Self.percent(ev.id.rawValue))\">\(e(ev.id.rawValue))</a></th>"
            body += "<td>\(e(ev.body.type.rawValue + (row.kind.isEmpty ? "" : ":" + row.kind)))</td><td>\(e(row.item))</td><td>\(e(row.econ))</td><td>\(e(row.project))</td>"
            body += "<td class=\"num\">\(Trail.amount(of: ev).map { m($0) } ?? "")</td><td>\(e(ev.actor))</td><td>\(e(row.detail(ev)))</td></tr>"
        }
        body += "</tbody></table>"
        if events.isEmpty { body += "<p id=\"none\">\(spent ? "本段没有符合条件的事件。" : "没有符合条件的事件。")</p>" }
        if let next {
            let more = Self.query(q.items + [("unit", m.wan ? nil : "yuan"), ("before", String(next))])
            body += "<p class=\"pager\"><a id=\"next\" rel=\"next\" href=\"/journal\(e(more))\">\(spent ? "继续向前查找" : "更早的事件") →</a></p>"
        }
        return page("流水", body)
    }

    // MARK: - 4. Event

    func event(_ idText: String) throws -> HTTPResponse {
        guard let id = EventID(rawValue: idText) else { throw BadQuery(name: "id", message: "'\(idText)' 不是事件编号（1–64 个 A–Z a–z 0–9 . _ : -）") }
        let s = try books.current()
        let h: Trail.History
        do {
            guard let found = try books.store.story(of: id) else { return page(404, "未找到", "<h1>未找到</h1><p>账簿里没有编号为 <code>\(e(idText))</code> 的事件。</p>") }
            h = found
        } catch { throw Books.damage(error) }
        let catalogue = books.store.catalogue
        let ev = h.event
        let row = EventRow(ev)
        func signedBy(_ x: Event) -> String? {
            h.signature(covering: x.seq).map { sig in "\(sig.actor) 以公钥 \(h.keys[sig.actor].map(Hex.encode) ?? "?") 签名（签名事件 \(sig.id.rawValue)，第 \(sig.seq) 笔）" }
        }
        func status(_ x: Event) -> String? {
            guard x.needsApproval else { return nil }
            guard let d = h.decision(on: x.id) else { return "等待第二人审批" }
            switch d.body {
            case .access(.rejection(_, let reason)): return "\(d.actor) 于 \(d.recorded.text) 驳回（\(d.id.rawValue)）：\(reason)"
            default: return "\(d.actor) 于 \(d.recorded.text) 批准（\(d.id.rawValue)）" + (signedBy(d).map { "；\($0)" } ?? "")
            }
        }
        var body = "<h1>事件 <code>\(e(ev.id.rawValue))</code></h1><section class=\"story\" id=\"story\"><h2>经过</h2><ol class=\"story\">"
        body += "<li>\(e(ev.recorded.text))　<strong>\(e(ev.actor))</strong> 记入 \(e(ev.body.type.rawValue))" + (Trail.amount(of: ev).map { "，金额 \($0.yuanGrouped) 元" } ?? "")
        body += (signedBy(ev).map { "；\(e($0))" } ?? "；签名开始之前的未签名历史") + "</li>"
        if let st = status(ev) { body += "<li>\(e(st))</li>" }
        for c in h.corrections {
            body += "<li>\(e(c.recorded.text))　<strong>\(e(c.actor))</strong> 以 <a href=\"/event/\(Self.percent(c.id.rawValue))\">\(e(c.id.rawValue))</a> 更正（\(e(EventRow(c).kind))）"
            body += (Trail.amount(of: c).map { "，\($0.yuanGrouped) 元" } ?? "") + (status(c).map { "；\(e($0))" } ?? "") + "</li>"
        }
        if let rem = h.remaining, !h.corrections.isEmpty { body += "<li>更正后余额 \(rem.yuanGrouped) 元</li>" }
        body += "</ol></section>"
        var fields: [(String, String)] = [("编号", ev.id.rawValue), ("序号", "第 \(ev.seq) 笔，共 \(s.standing.events) 笔"), ("类型", ev.body.type.rawValue + (row.kind.isEmpty ? "" : "（\(row.kind)）")),
                                          ("日期", ev.date.description), ("记录时间", ev.recorded.text), ("经办人", ev.actor)]
        if let c = Trail.classifications(of: ev).first {
            fields.append(("资金来源", "\(c.fund) \(catalogue.name(c.fund) ?? "")"))
            fields.append(("功能分类", "\(c.item) \(catalogue.name(c.item) ?? "")"))
            if let econ = c.econ { fields.append(("经济分类", "\(econ) \(catalogue.name(econ) ?? "")")) }
            fields.append(("性质", "\(c.nature.wire) \(c.nature.chinese)"))
            if let p = c.project { fields.append(("项目", "\(p.rawValue) \(catalogue.name(p) ?? "")")) }
        }
        if let a = Trail.amount(of: ev) { fields.append(("金额", "\(a.yuanGrouped) 元（\(a.wan) 万元）")) }
        for (k, v) in [("更正对象", row.target), ("文号/说明", row.doc), ("收款人", row.payee), ("凭证号", row.voucher), ("超预算原因", row.override), ("备注", ev.memo),
                       ("审批", status(ev) ?? ""), ("签名", signedBy(ev) ?? "")] where !v.isEmpty {
            fields.append((k, v))
        }
        body += "<h2>内容</h2><table class=\"fields\"><tbody>"
        for (k, v) in fields {
            let value = k == "更正对象" ? "<a href=\"/event/\(Self.percent(v))\">\(e(v))</a>" : e(v)
            body += "<tr><th scope=\"row\">\(k)</th><td>\(value)</td></tr>"
        }
        body += "</tbody></table>"
        if !h.decisions.isEmpty {
            body += "<h2>审批</h2><ul>" + h.decisions.map { d in "<li><a href=\"/event/\(Self.percent(d.id.rawValue))\">\(e(d.id.rawValue))</a> \(e(d.actor)) \(e(d.recorded.text)) \(e(EventRow(d).detail(d)))</li>" }.joined() + "</ul>"
        }
        // The statement cells it feeds: by the reconciler's contributions, against the year's tables.
        var target: Event?
        if let t = Trail.target(of: ev) { target = try? books.store.story(of: t)?.event }
        let counts = h.counts(ev)
        body += "<h2>计入的报表单元格</h2>"
        if !counts {
            body += "<p>此事件尚未获批（或已被驳回），不计入任何报表。</p>"
        } else {
            let year = ev.year
            if s.projection.years.contains(year) {
                let cells = Reconciler.cells(fedBy: ev, target: target, in: books.statements(year, s))
                if cells.isEmpty {
                    body += "<p>不计入 \(year) 年度的报表单元格。</p>"
                } else {
                    body += "<table class=\"cells\" id=\"cells\"><thead><tr><th scope=\"col\">单元格</th><th scope=\"col\">计入（元）</th></tr></thead><tbody>"
                    for c in cells {
                        let link = "/trace" + Self.query([("year", String(year)), ("table", String(c.ref.table)), ("row", c.ref.row.rawValue), ("column", c.ref.column.rawValue)])
                        body += "<tr><th scope=\"row\"><a href=\"\(e(link))\">\(e(c.label))</a></th><td class=\"num\">\(c.signed.yuanGrouped)</td></tr>"
                    }
                    body += "</tbody></table>"
                }
            } else {
                body += "<p>不计入任何年度的报表单元格。</p>"
            }
        }
        return page("事件 \(ev.id.rawValue)", body)
    }

    // MARK: - 5. Statements

    func statements(_ yearText: String, _ tableText: String?) throws -> HTTPResponse {
        let s = try books.current()
        if yearText.isEmpty {
            guard let y = s.projection.years.last else { return page("决算报表", "<h1>决算报表</h1><p>账簿里还没有任何年度的数字。</p>") }
            return try statements(String(y), nil)
        }
        let y = try year(yearText, default: nil)
        var only: Int?
        if let tableText {
            guard let n = Int(tableText), (1...13).contains(n) else { throw BadQuery(name: "table", message: "'\(tableText)' 不是表号 1–13") }
            only = n
        }
        let st = books.statements(y, s)
        var body = "<h1>\(y) 年度决算报表\(st.provisional ? "（未结账，临时数）" : "")</h1>"
        body += "<nav class=\"tabs\" aria-label=\"表\"><a href=\"/statements/\(y)\">全部</a> " + st.tables.map { t in
            t.number == only ? "<strong>表\(t.number)</strong>" : "<a href=\"/statements/\(y)/\(t.number)\" title=\"\(e(t.title))\">表\(t.number)</a>"
        }.joined(separator: " ") + "</nav>"
        body += "<div class=\"statements-layout\"><div class=\"tables\">"
        for t in st.tables where only == nil || t.number == only {
            body += HTMLRender.statement(st, t) { row, column in
                "/trace" + Self.query([("year", String(y)), ("table", String(t.number)), ("row", row.id.rawValue), ("column", column.id.rawValue)])
            }
        }
        body += "</div><aside class=\"reconciliation\" id=\"reconciliation\"><h2>核对</h2>"
        let (v, running) = books.lastVerification
        if let v, v.key == s.key, let rec = v.reconciliations[y] {
            body += "<p class=\"\(rec.passed ? "ok" : "error")\">\(rec.passed ? "通过" : "未通过")</p>"
            body += "<p>\(rec.cells.count) 个单元格由原始事件独立重算；\(rec.identities.count) 个勾稽关系按分和按印出的万元各查一遍；\(rec.roundingDifferences.count) 处尾差。</p>"
            body += "<p class=\"sub\">核验于 \(rec.events) 笔事件，链头 <code>\(rec.head.hex.prefix(16))…</code></p>"
            if !rec.roundingDifferences.isEmpty {
                body += "<h3>尾差</h3><ul>" + rec.roundingDifferences.map { i in
                    "<li>\(e(i.identity))：\(e(i.lhs.description)) 印 \(i.printedLHS.wan)，分项合计 \(i.printedRHS.wan)（差 \(i.printedGap.wan)）</li>"
                }.joined() + "</ul>"
            }
            let fails = rec.mismatches.map { "\($0.ref)：报表 \($0.statement.yuan)，重算 \($0.recomputed.yuan)" } + rec.identityFailures.map { "\($0.identity)：\($0.lhs) 差 \($0.difference.yuan)" }
            if !fails.isEmpty { body += "<h3>未通过</h3><ul class=\"error\">" + fails.map { "<li>\(e($0))</li>" }.joined() + "</ul>" }
        } else if case .failure(let d)? = v?.result, v?.key == s.key {
            body += "<p class=\"error\">\(e(d.message))</p>"
        } else {
            body += "<p>\(running || v?.key != s.key ? "正在核对当前账簿（同 fledger reconcile），完成后刷新可见。" : "尚未核对。")</p>"
        }
        body += "</aside></div>"
        return page("\(y) 年度决算报表", body)
    }

    // MARK: - Trace

    func trace(_ r: HTTPRequest) throws -> HTTPResponse {
        let s = try books.current()
        let y = try year(r.parameter("year"), default: nil)
        guard let tt = r.parameter("table"), let table = Int(tt), (1...13).contains(table) else {
            throw BadQuery(name: "table", message: "'\(r.parameter("table") ?? "")' 不是表号 1–13")
        }
        guard let row = r.parameter("row"), !row.isEmpty, row.count <= 64 else { throw BadQuery(name: "row", message: "缺少行编码（如 2010399、total）") }
        guard let column = r.parameter("column"), !column.isEmpty, column.count <= 64 else { throw BadQuery(name: "column", message: "缺少列（如 total、basic、econ:30101）") }
        guard let t = try books.trace(year: y, table: table, row: row, column: column, s) else {
            return page(404, "未找到", "<h1>未找到</h1><p>表\(table)没有行 <code>\(e(row))</code>、列 <code>\(e(column))</code> 的单元格。<a href=\"/statements/\(y)/\(table)\">查看表\(table)</a></p>")
        }
        var from = 0
        if let v = r.parameter("from"), !v.isEmpty {
            guard let n = Int(v), n >= 0 else { throw BadQuery(name: "from", message: "'\(v)' 不是行号（0 或更大）") }
            from = n
        }
        let shown = t.terms.dropFirst(from).prefix(Self.traceRows)
        var body = "<h1>单元格 <code>\(e(t.ref.description))</code></h1>"
        body += "<p class=\"cell-value\"><span class=\"figure\" id=\"cell-wan\">\(t.cell.value.wan)</span> 万元（<span id=\"cell-yuan\">\(t.cell.value.yuanGrouped)</span> 元）= \(e(t.cell.query.summary))</p>"
        body += "<p><a href=\"/statements/\(y)/\(table)\">回到表\(table)</a></p>"
        body += "<table class=\"trace\" id=\"trace\"><thead><tr>" + ["序号", "日期", "编号", "类型", "计作", "经办人", "计入（元）"].map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for x in shown {
            let ev = x.event
            body += "<tr><td class=\"num\">\(ev.seq)</td><td>\(ev.date)</td><th scope=\"row\"><a href=\"/event/\(Self.percent(ev.id.rawValue))\">\(e(ev.id.rawValue))</a></th>"
            body += "<td>\(e(ev.body.type.rawValue))</td><td>\(e(x.kind.rawValue))</td><td>\(e(ev.actor))</td><td class=\"num\">\(x.signed.yuanGrouped)</td></tr>"
        }
        body += "</tbody><tfoot><tr><th scope=\"row\" colspan=\"6\">\(t.terms.count) 笔事件合计</th><td class=\"num\">\(t.sum.yuanGrouped)</td></tr></tfoot></table>"
        if t.terms.count > Self.traceRows {
            body += "<p class=\"pager\">第 \(min(from + 1, t.terms.count))–\(from + shown.count) 笔，共 \(t.terms.count) 笔（合计为全部 \(t.terms.count) 笔之和）。"
            let base: [(String, String?)] = [("year", String(y)), ("table", String(table)), ("row", row), ("column", column)]
            let prev = "/trace" + Self.query(base + [("from", String(max(0, from - Self.traceRows)))])
            if from > 0 { body += " <a rel=\"prev\" href=\"\(e(prev))\">← 前 \(Self.traceRows) 笔</a>" }
            if from + shown.count < t.terms.count { body += " <a id=\"next\" rel=\"next\" href=\"\(e("/trace" + Self.query(base + [("from", String(from + Self.traceRows))])))\">后 \(Self.traceRows) 笔 →</a>" }
            body += "</p>"
        }
        body += t.sum == t.cell.value ? "<p class=\"ok\">合计等于单元格。</p>" : "<p class=\"error\">合计 \(t.sum.yuanGrouped) 不等于单元格 \(t.cell.value.yuanGrouped)：请运行 fledger reconcile。</p>"
        return page("单元格 \(t.ref.description)", body)
    }

    // MARK: - 6. The document

    func report(_ yearText: String) throws -> HTTPResponse {
        let s = try books.current()
        if yearText.isEmpty {
            guard let y = s.projection.years.last else { return page("决算文档", "<h1>决算文档</h1><p>账簿里还没有任何年度的数字。</p>") }
            return try report(String(y))
        }
        let y = try year(yearText, default: nil)
        let d = try books.document(y, s)
        let banner = "<nav class=\"banner\" aria-label=\"返回\"><a href=\"/\">fledger</a> · <a href=\"/statements/\(y)\">报表</a> · 打印本页（Ctrl+P）即得 A4 文档</nav>"
        return HTTPResponse(status: 200, html: HTMLRender.page(d, stylesheet: "/static/document.css", banner: banner))
    }

    // MARK: - 7. Check a report

    func check(_ r: HTTPRequest) throws -> HTTPResponse {
        let form = """
        <h1>核对决算报告</h1>
        <form class="upload" method="post" action="/check" enctype="multipart/form-data">
        <p><label>报告文件（PDF 或 pdftotext 的文本，≤ 20 MB） <input type="file" name="report" required="required"/></label></p>
        <p><label><input type="checkbox" name="journal" value="1" checked="checked"/> 同时与账簿核对</label>
        <label>年度 <input type="number" name="year" min="1900" max="9999"/></label>（不填则取报告标题中的年度）</p>
        <p><button type="submit">核对</button></p></form>
        <p class="note">规则：\(ReportChecker.rules.map(\.id).joined(separator: "、"))（与 <code>fledger check-report</code> 相同）。</p>
        """
        guard r.method == "POST" else { return page("核对报告", form) }
        let parts = try Multipart.parse(r)
        guard let file = parts.first(where: { $0.name == "report" }), !file.body.isEmpty else {
            throw BadQuery(name: "report", message: "没有收到报告文件")
        }
        let text: String
        do { text = try ReportText.text(of: file.body, name: file.filename ?? "report") } catch {
            throw BadQuery(name: "report", message: error.description)
        }
        let withJournal = parts.contains { $0.name == "journal" && String(decoding: $0.body, as: UTF8.self) == "1" }
        let yearField = parts.first { $0.name == "year" }.map { String(decoding: $0.body, as: UTF8.self) }
        var document: Document?
        var catalogue = books.store.catalogue
        if withJournal {
            let s = try books.current()
            catalogue = books.store.catalogue
            let y: Int
            if let yearField, !yearField.isEmpty { y = try year(yearField, default: nil) } else {
                guard let found = ReportChecker.check(text, document: nil, catalogue: catalogue).year else {
                    throw BadQuery(name: "year", message: "无法从报告标题判断年度，请填写年度")
                }
                y = found
            }
            document = try books.document(y, s)
        } else {
            catalogue = (try? Catalogue.builtIn()) ?? catalogue
        }
        let result = ReportChecker.check(text, document: document, catalogue: catalogue)
        var body = "<h1>核对结果：\(e(file.filename ?? "报告"))\(result.year.map { "（\($0)年度）" } ?? "")</h1>"
        body += "<p class=\"summary\" id=\"summary\">找到数字 \(result.figuresFound) 个；检查 \(result.findings.count) 项：相符 \(result.count(.ok))，<span class=\"error\">不符 \(result.count(.mismatch))</span>，尾差 \(result.count(.rounding))，无法核实 \(result.count(.unverifiable))\(document != nil ? "；已与账簿核对" : "")。</p>"
        let byLine = Dictionary(grouping: result.findings.filter { $0.status != .ok }, by: \.line)
        body += "<ol class=\"report-text\" id=\"report-text\">"
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let n = k + 1
            let found = byLine[n] ?? []
            let worst = found.contains { $0.status == .mismatch } ? "mismatch" : found.contains { $0.status == .rounding } ? "rounding" : found.isEmpty ? "" : "unverifiable"
            body += "<li id=\"L\(n)\"\(worst.isEmpty ? "" : " class=\"\(worst)\"")><pre>\(e(String(line)))</pre>"
            for f in found {
                body += "<div class=\"finding \(f.status.rawValue)\"><strong>\(f.status.rawValue)</strong> [\(e(f.rule.rawValue))] \(e(f.subject))：报告 \(e(f.claimed))"
                body += (f.expected.isEmpty ? "" : "，应为 \(e(f.expected))") + " — \(e(f.derivation))</div>"
            }
            body += "</li>"
        }
        body += "</ol>"
        return page("核对结果", body + "<hr/>" + form)
    }
}

/// multipart/form-data, as a browser sends a form with a file.
enum Multipart {
    struct Part { var name: String; var filename: String?; var body: [UInt8] }

    static func parse(_ r: HTTPRequest) throws(BadQuery) -> [Part] {
        guard let type = r.header("Content-Type"), type.lowercased().hasPrefix("multipart/form-data"),
              let b = type.range(of: "boundary=") else {
            throw BadQuery(name: "Content-Type", message: "上传须为 multipart/form-data")
        }
        var boundary = String(type[b.upperBound...])
        if let semi = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semi]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard !boundary.isEmpty, boundary.count <= 200 else { throw BadQuery(name: "Content-Type", message: "multipart 边界无效") }
        let delimiter = Array("--\(boundary)".utf8)
        let body = r.body
        var parts: [Part] = []
        var positions: [Int] = []
        var i = 0
        while let p = find(delimiter, in: body, from: i) { positions.append(p); i = p + delimiter.count }
        guard positions.count >= 2 else { throw BadQuery(name: "report", message: "上传内容不完整") }
        for k in 0..<(positions.count - 1) {
            var start = positions[k] + delimiter.count
            if start + 1 < body.count, body[start] == 13, body[start + 1] == 10 { start += 2 } else { continue }
            var end = positions[k + 1]
            if end >= 2, body[end - 2] == 13, body[end - 1] == 10 { end -= 2 }
            guard let headerEnd = find([13, 10, 13, 10], in: body, from: start), headerEnd <= end else { continue }
            let head = String(decoding: body[start..<headerEnd], as: UTF8.self)
            var name = "", filename: String?
            for line in head.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                for attr in line.split(separator: ";").dropFirst() {
                    let kv = attr.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                    guard kv.count == 2 else { continue }
                    let v = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if kv[0] == "name" { name = v } else if kv[0] == "filename" { filename = v }
                }
            }
            parts.append(Part(name: name, filename: filename, body: Array(body[(headerEnd + 4)..<end])))
        }
        return parts
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count, from <= hay.count - needle.count else { return nil }
        let first = needle[0]
        var i = from
        while i <= hay.count - needle.count {
            if hay[i] == first && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
