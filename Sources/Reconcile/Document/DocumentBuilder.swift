import Ledger

/// Builds the document of one year from the statements (this year's and the prior year's), the
/// projection and the journal's facts, in the seed's order and wording. Every number is a figure
/// computed here from exact 分; words follow the figures (增加/减少, 增长/下降 by sign, 持平 for
/// no change, no rate against a zero base, no 其中 above its whole); a sentence whose text was
/// not written is left out and listed in the warnings. No placeholder is ever produced.
public struct DocumentBuilder {
    public let year: Int
    public let unitName: String
    let current: Statements
    let prior: Statements?
    let projection: Projection
    let facts: FactBook
    let catalogue: Catalogue

    private var figures: [DocFigure] = []
    private var ids: Set<String> = []
    private var warnings: [String] = []
    /// Wholes stated with their parts (figure ids), to disclose where the printed parts do not
    /// add up to the printed whole.
    private var sums: [(whole: String, parts: [String], what: String)] = []
    private var charts = 0

    typealias L = StatementLayout
    public typealias Span = Document.Span

    public init(year: Int, unitName: String, current: Statements, prior: Statements?, projection: Projection, facts: FactBook,
                catalogue: Catalogue) {
        self.year = year; self.unitName = unitName; self.current = current; self.prior = prior
        self.projection = projection; self.facts = facts; self.catalogue = catalogue
    }

    var py: Int { year - 1 }

    // MARK: - Figures

    /// A statement cell's value (a cell the statements lack is zero: tables list only what has data).
    func cell(_ s: Statements?, _ t: Int, _ row: RowID, _ col: ColumnID) -> Fen { s?.cell(CellRef(t, row, col))?.value ?? .zero }

    mutating func add(_ f: DocFigure) -> Span {
        precondition(!ids.contains(f.id), "figure id \(f.id) used twice")
        ids.insert(f.id)
        figures.append(f)
        return .figure(f.id)
    }

    /// An amount, printed in 万元.
    mutating func amount(_ id: String, _ v: Fen, _ source: String) -> Span {
        add(DocFigure(id: id, value: v.raw, unit: .fen, printed: v.wan, source: source))
    }

    /// `part ÷ whole` as a percentage; `不适用` against a zero whole.
    mutating func rate(_ id: String, _ part: Fen, _ whole: Fen, _ source: String) -> Span {
        let p = Percent(part, of: whole)
        return add(DocFigure(id: id, value: p?.hundredths, unit: .basisPoints, printed: p?.description ?? "不适用", source: source))
    }

    mutating func count(_ id: String, _ n: Int, _ source: String) -> Span {
        add(DocFigure(id: id, value: Int64(n), unit: .count, printed: String(n), source: source))
    }

    mutating func points(_ id: String, _ hundredths: Int64, _ source: String) -> Span {
        add(DocFigure(id: id, value: hundredths, unit: .points, printed: DocumentBuilder.points(hundredths), source: source))
    }

    mutating func written(_ id: String, _ text: String, _ source: String) -> Span {
        add(DocFigure(id: id, value: nil, unit: .written, printed: text, source: source))
    }

    /// Points with at most two decimals, trailing zeros dropped: 9.8, 2.85, 99.
    static func points(_ h: Int64) -> String {
        let whole = h / 100, frac = abs(h % 100)
        if frac == 0 { return "\(whole)" }
        return frac % 10 == 0 ? "\(whole).\(frac / 10)" : "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }

    static func ref(_ t: Int, _ row: RowID, _ col: ColumnID) -> String { CellRef(t, row, col).description }

    /// A chart numbered in document order (图1, 图2, …).
    mutating func chart(_ title: String, _ kind: Chart.Kind, series: [String], _ groups: [Chart.Group], empty: String) -> Document.Item {
        charts += 1
        return .chart(Chart(id: "图\(charts)", title: title, kind: kind, series: series, groups: groups, emptySentence: empty))
    }

    /// Bars of this year's figure against the prior year's (only this year's in a first year).
    mutating func yearBars(_ title: String, _ id: String, series: String) -> Document.Item {
        var groups: [Chart.Group] = []
        if prior != nil { groups.append(.init(label: "\(py)年度", values: [id + ".prior"], note: nil)) }
        groups.append(.init(label: "\(year)年度", values: [id], note: nil))
        return chart(title, .bars, series: [series], groups, empty: "\(title)：各年度数额均为0，不作图。")
    }

    /// A donut of the parts named (figure ids), each with its share.
    mutating func donut(_ title: String, _ parts: [(label: String, id: String)], shareSuffix: String = ".share") -> Document.Item {
        chart(title, .donut, series: [""], parts.map { .init(label: $0.label, values: [$0.id], note: $0.id + shareSuffix) },
              empty: "\(title)：各项数额均为0，不作图。")
    }

    /// A note for each whole whose printed parts add up to another printed figure: both are right
    /// (each is rounded on its own), and the reader is told.
    mutating func roundingNotes() -> [Document.Item] {
        var out: [Document.Item] = []
        for s in sums {
            guard let whole = figures.first(where: { $0.id == s.whole }), let w = whole.value else { continue }
            let parts = s.parts.compactMap { id in figures.first { $0.id == id } }
            guard parts.count == s.parts.count, parts.count > 1 else { continue }
            let printedSum = parts.compactMap(\.value).map { Fen($0).wanCents }.reduce(0, +)
            let gap = printedSum - Fen(w).wanCents
            guard gap != 0 else { continue }
            let sumText = Fen(printedSum * 10_000).wan, gapText = Fen(abs(gap) * 10_000).wan
            out.append(.note("\(s.what)：" + parts.map { $0.printed }.joined(separator: "+") + "=\(sumText)万元，与\(whole.printed)万元相差\(gapText)万元，系各数分别四舍五入所致，按分计算完全相符。"))
        }
        return out
    }

    // MARK: - Words chosen by the figures

    /// `增加`/`减少` by the sign of a change.
    static func upDown(_ d: Fen) -> String { d > .zero ? "增加" : "减少" }
    static func growth(_ d: Fen) -> String { d > .zero ? "增长" : "下降" }

    /// “与Y-1年度相比，{subject}增加/减少X万元，增长/下降P%。”, “与Y-1年度持平。”, or, against a zero
    /// prior figure, the change without a rate. Nothing without a prior year in the journal.
    mutating func change(_ id: String, _ now: Fen, _ before: Fen, subject: String, sourceNow: String, sourceBefore: String) -> [Span] {
        guard prior != nil else { return [] }
        _ = amount(id + ".prior", before, "\(py): " + sourceBefore)
        let d = now - before
        if d == .zero { return [.text("与\(py)年度持平。")] }
        let delta = amount(id + ".change", d.magnitude, "\(sourceNow) − \(py) \(sourceBefore)")
        if before == .zero {
            let r = rate(id + ".change-rate", d.magnitude, before, "change ÷ \(py) \(sourceBefore) (zero)")
            return [.text("与\(py)年度相比，\(subject)\(Self.upDown(d))"), delta, .text("万元（\(py)年度为0，增长率"), r, .text("）。")]
        }
        let r = rate(id + ".change-rate", d.magnitude, before.magnitude, "|change| ÷ \(py) \(sourceBefore)")
        return [.text("与\(py)年度相比，\(subject)\(Self.upDown(d))"), delta, .text("万元，\(Self.growth(d))"), r, .text("%。")]
    }

    /// “主要原因是…。” from the text written for `key`; left out (with a warning) when none was.
    mutating func reason(_ key: String, lead: String = "主要变动原因是", what: String) -> [Span] {
        guard let t = facts.text(year, key) else {
            warnings.append("no text '\(key)' for \(year) (\(what)): the sentence giving the reason is left out")
            return []
        }
        return [.text(lead + Self.clause(t) + "。")]
    }

    /// Optional words (used for …): the text, or nothing with a warning.
    mutating func words(_ key: String, lead: String, what: String, warn: Bool = true) -> [Span] {
        guard let t = facts.text(year, key) else {
            if warn { warnings.append("no text '\(key)' for \(year) (\(what)): the sentence is left out") }
            return []
        }
        return [.text(lead + Self.clause(t) + "。")]
    }

    /// A text as a clause: trailing 。 and spaces dropped.
    static func clause(_ t: String) -> String {
        var s = Substring(t)
        while let l = s.last, l == "。" || l == " " || l == "\n" || l == "." { s = s.dropLast() }
        return String(s)
    }

    /// “完成预算P%” (of a non-zero budget), or that no budget was set.
    mutating func completion(_ id: String, _ actual: Fen, _ budget: Fen, _ source: String, lead: String = "完成预算") -> [Span] {
        if budget == .zero {
            _ = rate(id, actual, budget, source)
            return [.text("本年度未安排预算")]
        }
        return [.text(lead), rate(id, actual, budget, source), .text("%")]
    }

    // MARK: - The document

    public mutating func build() -> Document {
        var parts: [Document.Part] = []
        parts.append(profile())
        var explanation = explanation()
        explanation.items += roundingNotes()
        parts.append(explanation)
        parts.append(glossary())
        parts.append(Document.Part(title: "第四部分 附件", items: evaluations()))
        parts.append(Document.Part(title: "第五部分 附表", items: [.statements]))
        return Document(unitName: unitName, year: year, hasPriorYear: prior != nil, provisional: current.provisional, parts: parts,
                        figures: figures, warnings: warnings, statements: current)
    }

    mutating func profile() -> Document.Part {
        var items: [Document.Item] = [.heading(level: 1, text: "一、主要职责")]
        if let t = facts.text(year, "unit.duties") { items += paragraphs(t) } else { warnings.append("no text 'unit.duties' for \(year) (第一部分 一、主要职责)") }
        items.append(.heading(level: 1, text: "二、机构设置"))
        if let t = facts.text(year, "unit.organization") { items += paragraphs(t) } else { warnings.append("no text 'unit.organization' for \(year) (第一部分 二、机构设置)") }
        return Document.Part(title: "第一部分 单位概况", items: items)
    }

    func paragraphs(_ t: String) -> [Document.Item] {
        t.split(separator: "\n").map { .paragraph([.text(String($0))]) }
    }

    // MARK: 第二部分

    mutating func explanation() -> Document.Part {
        var items: [Document.Item] = []
        let Y = "\(year)年度"
        // 一、收入支出决算总体情况
        let grand = cell(current, 1, L.incomeGrand, L.amount), grandPrior = cell(prior, 1, L.incomeGrand, L.amount)
        let src1 = Self.ref(1, L.incomeGrand, L.amount)
        items.append(.heading(level: 1, text: "一、收入支出决算总体情况说明"))
        var p: [Span] = [.text("\(Y)收、支总计均为"), amount("total.grand", grand, src1 + " = " + Self.ref(1, L.expenseGrand, L.amount)), .text("万元。")]
        p += change("total.grand", grand, grandPrior, subject: "收、支总计各", sourceNow: src1, sourceBefore: src1)
        if prior != nil, grand != grandPrior { p += reason("reason.total", what: "一、收支总计的变动原因") }
        items.append(.paragraph(p))
        items.append(yearBars("收、支决算总计变动情况", "total.grand", series: "收、支总计"))

        // 二、收入决算情况
        items.append(.heading(level: 1, text: "二、收入决算情况说明"))
        let income = cell(current, 1, L.incomeTotal, L.amount)
        if income == .zero {
            _ = amount("income.total", .zero, Self.ref(1, L.incomeTotal, L.amount))
            items.append(.paragraph([.text("\(Y)本单位无本年收入。")]))
        } else {
            p = [.text("\(Y)本年收入合计"), amount("income.total", income, Self.ref(1, L.incomeTotal, L.amount)), .text("万元，其中：")]
            var parts: [[Span]] = []
            for c in FundCategory.allCases {
                let v = cell(current, 1, L.incomeRow(c), L.amount)
                guard v != .zero else { continue }
                let src = Self.ref(1, L.incomeRow(c), L.amount)
                parts.append([.text(L.incomeLabel(c)), amount("income.\(c.rawValue)", v, src), .text("万元，占"),
                              rate("income.\(c.rawValue).share", v, income, "\(src) ÷ income.total"), .text("%")])
            }
            p += Self.join(parts) + [.text("。")]
            items.append(.paragraph(p))
            sums.append(("income.total", FundCategory.allCases.map { "income.\($0.rawValue)" }.filter { id in figures.contains { $0.id == id } }, "本年收入合计与其各项来源"))
            let sources = FundCategory.allCases.filter { c in figures.contains { $0.id == "income.\(c.rawValue)" } }
            items.append(donut("收入决算结构", sources.map { (L.incomeLabel($0), "income.\($0.rawValue)") }))
        }

        // 三、支出决算情况
        items.append(.heading(level: 1, text: "三、支出决算情况说明"))
        let expense = cell(current, 3, .total, L.total)
        let basic = cell(current, 3, .total, L.basic), project = cell(current, 3, .total, L.project)
        if expense == .zero {
            _ = amount("expense.total", .zero, Self.ref(3, .total, L.total))
            items.append(.paragraph([.text("\(Y)本单位无本年支出。")]))
        } else {
            p = [.text("\(Y)本年支出合计"), amount("expense.total", expense, Self.ref(3, .total, L.total)), .text("万元，其中：")]
            var parts: [[Span]] = []
            for (key, label, v, col) in [("basic", "基本支出", basic, L.basic), ("project", "项目支出", project, L.project)] where v != .zero {
                parts.append([.text(label), amount("expense.\(key)", v, Self.ref(3, .total, col)), .text("万元，占"),
                              rate("expense.\(key).share", v, expense, "\(Self.ref(3, .total, col)) ÷ expense.total"), .text("%")])
            }
            p += Self.join(parts) + [.text("。")]
            items.append(.paragraph(p))
            sums.append(("expense.total", ["expense.basic", "expense.project"].filter { id in figures.contains { $0.id == id } }, "本年支出合计与基本支出、项目支出"))
            items.append(donut("支出决算结构", [("基本支出", "expense.basic"), ("项目支出", "expense.project")].filter { p in figures.contains { $0.id == p.1 } }))
        }

        // 四、财政拨款收入支出决算总体情况
        items.append(.heading(level: 1, text: "四、财政拨款收入支出决算总体情况说明"))
        let fiscal = cell(current, 4, L.incomeGrand, L.amount), fiscalPrior = cell(prior, 4, L.incomeGrand, L.amount)
        let src4 = Self.ref(4, L.incomeGrand, L.amount)
        p = [.text("\(Y)财政拨款收、支总计均为"), amount("fiscal.grand", fiscal, src4 + " = " + Self.ref(4, L.expenseGrand, L.total)), .text("万元。")]
        p += change("fiscal.grand", fiscal, fiscalPrior, subject: "财政拨款收、支总计各", sourceNow: src4, sourceBefore: src4)
        if prior != nil, fiscal != fiscalPrior { p += reason("reason.fiscal", what: "四、财政拨款收支总计的变动原因") }
        items.append(.paragraph(p))
        items.append(yearBars("财政拨款收、支决算总计变动情况", "fiscal.grand", series: "财政拨款收、支总计"))

        items += generalBudget()
        items += basicSpending()
        items += sanGong()
        items += fundSections()
        items += otherMatters()
        return Document.Part(title: "第二部分 \(year)年度单位决算情况说明", items: items)
    }

    /// Items joined with “；”.
    static func join(_ parts: [[Span]]) -> [Span] {
        var out: [Span] = []
        for (i, s) in parts.enumerated() {
            if i > 0 { out.append(.text("；")) }
            out += s
        }
        return out
    }

    /// 五、一般公共预算财政拨款支出决算情况.
    mutating func generalBudget() -> [Document.Item] {
        var items: [Document.Item] = [.heading(level: 1, text: "五、一般公共预算财政拨款支出决算情况说明")]
        let Y = "\(year)年度"
        let gpb = cell(current, 6, .total, L.total), gpbPrior = cell(prior, 6, .total, L.total)
        let expense = cell(current, 3, .total, L.total)
        let src6 = Self.ref(6, .total, L.total)
        items.append(.heading(level: 2, text: "（一）一般公共预算财政拨款支出决算总体情况"))
        var p: [Span] = [.text("\(Y)一般公共预算财政拨款支出"), amount("gpb.expense", gpb, src6), .text("万元")]
        if expense != .zero { p += [.text("，占本年支出合计的"), rate("gpb.expense.share", gpb, expense, "\(src6) ÷ expense.total"), .text("%")] }
        p.append(.text("。"))
        p += change("gpb.expense", gpb, gpbPrior, subject: "一般公共预算财政拨款支出", sourceNow: src6, sourceBefore: src6)
        if prior != nil, gpb != gpbPrior { p += reason("reason.gpb", what: "五（一）一般公共预算财政拨款支出的变动原因") }
        items.append(.paragraph(p))
        items.append(yearBars("一般公共预算财政拨款支出决算变动情况", "gpb.expense", series: "一般公共预算财政拨款支出"))

        items.append(.heading(level: 2, text: "（二）一般公共预算财政拨款支出决算结构情况"))
        let rows = current.table(6)?.blocks.first?.rows ?? []
        let categories = rows.filter { $0.code.count == 3 }
        if gpb == .zero {
            items.append(.paragraph([.text("\(Y)本单位无一般公共预算财政拨款支出。")]))
        } else {
            p = [.text("\(Y)一般公共预算财政拨款支出"), .figure("gpb.expense"), .text("万元，主要用于以下方面：")]
            var parts: [[Span]] = []
            for r in categories {
                let v = cell(current, 6, r.id, L.total)
                let src = Self.ref(6, r.id, L.total)
                parts.append([.text(r.name), amount("gpb.class.\(r.code)", v, src), .text("万元，占"),
                              rate("gpb.class.\(r.code).share", v, gpb, "\(src) ÷ gpb.expense"), .text("%")])
            }
            p += Self.join(parts) + [.text("。")]
            items.append(.paragraph(p))
            sums.append(("gpb.expense", categories.map { "gpb.class.\($0.code)" }, "一般公共预算财政拨款支出与其各类"))
            items.append(donut("一般公共预算财政拨款支出决算结构", categories.map { ($0.name, "gpb.class.\($0.code)") }))
        }

        items.append(.heading(level: 2, text: "（三）一般公共预算财政拨款支出决算具体情况"))
        // 完成预算 = 决算 ÷ 调整后预算 (with 年初结转); 年初预算 is stated beside it.
        let gpbFunds = catalogue.funds(in: .generalBudget)
        func budget(_ prefix: String?) -> Figures {
            var f = Figures()
            for l in projection.lines(year: year) where gpbFunds.contains(l.classification.fund) && (prefix == nil || l.classification.item.rawValue.hasPrefix(prefix!)) {
                f.add(l.figures)
            }
            return f
        }
        let all = budget(nil)
        p = [.text("\(Y)一般公共预算财政拨款支出年初预算为"), amount("gpb.initial", all.initial, "年初预算: gpb appropriations dated \(year)-01-01"),
             .text("万元，调整后预算为"), amount("gpb.budget", all.budget, "调整后预算 of gpb lines (年初结转 + 年初预算 + 调整)"),
             .text("万元，支出决算为"), .figure("gpb.expense"), .text("万元，")]
        p += completion("gpb.completion", gpb, all.budget, "gpb.expense ÷ gpb.budget")
        p.append(.text(categories.isEmpty ? "。" : "。其中："))
        items.append(.paragraph(p))
        var n = 0
        for r in rows where r.code.count == 7 {
            n += 1
            let code = r.code
            let item = FunctionCode(rawValue: code)!
            let names = item.ancestors.map { catalogue.name($0) ?? $0.rawValue }
            let label = "\(names[0])（类）\(names[1])（款）\(r.name)（项）"
            let v = cell(current, 6, r.id, L.total)
            let f = budget(code)
            var q: [Span] = [.text("\(n).\(label)：年初预算为"), amount("gpb.item.\(code).initial", f.initial, "年初预算 of 项 \(code)"),
                             .text("万元，调整后预算为"), amount("gpb.item.\(code).budget", f.budget, "调整后预算 of 项 \(code)"),
                             .text("万元，支出决算为"), amount("gpb.item.\(code)", v, Self.ref(6, r.id, L.total)), .text("万元，")]
            q += completion("gpb.item.\(code).completion", v, f.budget, "gpb.item.\(code) ÷ gpb.item.\(code).budget")
            q.append(.text("。"))
            if f.budget != .zero {
                if v == f.budget {
                    q.append(.text("决算数与预算数持平。"))
                } else {
                    q += reason("reason.item.\(code)", lead: "决算数\(v > f.budget ? "大于" : "小于")预算数的主要原因是", what: "五（三）项 \(code) 决算与预算的差异")
                }
            }
            q += words("use.item.\(code)", lead: "主要用于", what: "五（三）项 \(code) 的用途")
            items.append(.paragraph(q))
        }
        return items
    }

    /// 六、一般公共预算财政拨款基本支出决算情况.
    mutating func basicSpending() -> [Document.Item] {
        var items: [Document.Item] = [.heading(level: 1, text: "六、一般公共预算财政拨款基本支出决算情况说明")]
        let basic = cell(current, 6, .total, L.basic)
        let personnel = cell(current, 8, L.personnelTotal, L.amount), running = cell(current, 8, L.runningTotal, L.amount)
        if basic == .zero {
            items.append(.paragraph([.text("\(year)年度本单位无一般公共预算财政拨款基本支出。")]))
            return items
        }
        items.append(.paragraph([.text("\(year)年度一般公共预算财政拨款基本支出"), amount("basic.expense", basic, Self.ref(6, .total, L.basic)), .text("万元，其中：")]))
        for (group, total, v, key) in [(EconGroup.personnel, L.personnelTotal, personnel, "personnel"), (.running, L.runningTotal, running, "running")] {
            let label = catalogue.groupLabels[group] ?? group.rawValue
            var q: [Span] = [.text(label), amount("basic.\(key)", v, Self.ref(8, total, L.amount)), .text("万元")]
            let kuan = (current.table(8)?.blocks.flatMap(\.rows) ?? []).filter { r in
                r.code.count == 5 && catalogue.econ(EconomicCode(rawValue: r.code), isIn: group) && (r.cells.first??.value ?? .zero) != .zero
            }
            q.append(.text(kuan.isEmpty ? "。" : "，主要包括：" + kuan.map(\.name).joined(separator: "、") + "。"))
            items.append(.paragraph(q))
        }
        sums.append(("basic.expense", ["basic.personnel", "basic.running"], "基本支出与人员经费、公用经费"))
        return items
    }

    /// 七、财政拨款“三公”经费支出决算情况.
    mutating func sanGong() -> [Document.Item] {
        var items: [Document.Item] = [.heading(level: 1, text: "七、财政拨款“三公”经费支出决算情况说明")]
        func v(_ s: Statements?, _ side: L.SanGongSide, _ part: L.SanGongColumn) -> Fen { cell(s, 13, .total, L.sanGong(side, part)) }
        func src(_ side: L.SanGongSide, _ part: L.SanGongColumn) -> String { Self.ref(13, .total, L.sanGong(side, part)) }
        let total = v(current, .actual, .total), budget = v(current, .budget, .total), before = v(prior, .actual, .total)
        items.append(.heading(level: 2, text: "（一）“三公”经费财政拨款支出决算总体情况说明"))
        var p: [Span] = [.text("\(year)年度“三公”经费财政拨款支出决算为"), amount("sangong.total", total, src(.actual, .total)), .text("万元，")]
        _ = amount("sangong.budget", budget, src(.budget, .total))
        p += completion("sangong.completion", total, budget, "sangong.total ÷ sangong.budget")
        p.append(.text("。"))
        p += change("sangong.total", total, before, subject: "“三公”经费财政拨款支出决算", sourceNow: src(.actual, .total), sourceBefore: src(.actual, .total))
        if prior != nil, total != before { p += reason("reason.sangong", what: "七（一）“三公”经费的变动原因") }
        if budget != .zero {
            if total == budget { p.append(.text("决算数与预算数持平。")) }
            else { p += reason("reason.sangong.budget", lead: "决算数\(total > budget ? "大于" : "小于")预算数的主要原因是", what: "七（一）“三公”经费决算与预算的差异") }
        }
        items.append(.paragraph(p))

        items.append(.heading(level: 2, text: "（二）“三公”经费财政拨款支出决算具体情况说明"))
        let abroad = v(current, .actual, .category(.abroad)), vehicles = v(current, .actual, .vehicles), reception = v(current, .actual, .category(.reception))
        if total == .zero {
            items.append(.paragraph([.text("\(year)年度本单位无“三公”经费财政拨款支出。")]))
        } else {
            var parts: [[Span]] = []
            for (key, label, x, col) in [("abroad", "因公出国（境）费", abroad, L.SanGongColumn.category(.abroad)), ("vehicles", "公务用车购置及运行维护费", vehicles, .vehicles),
                                         ("reception", "公务接待费", reception, .category(.reception))] {
                parts.append([.text("\(label)支出决算"), amount("sangong.\(key)", x, src(.actual, col)), .text("万元，占"),
                              rate("sangong.\(key).share", x, total, "sangong.\(key) ÷ sangong.total"), .text("%")])
            }
            items.append(.paragraph([.text("\(year)年度“三公”经费财政拨款支出决算中，")] + Self.join(parts) + [.text("。具体情况如下：")]))
            sums.append(("sangong.total", ["sangong.abroad", "sangong.vehicles", "sangong.reception"], "“三公”经费与其三项"))
            items.append(donut("“三公”经费财政拨款支出结构", [("因公出国（境）费", "sangong.abroad"), ("公务用车购置及运行维护费", "sangong.vehicles"),
                                                         ("公务接待费", "sangong.reception")]))
            var groups: [Chart.Group] = [.init(label: "\(year)年度预算数", values: ["sangong.budget"], note: nil),
                                         .init(label: "\(year)年度决算数", values: ["sangong.total"], note: "sangong.completion")]
            if prior != nil { groups.insert(.init(label: "\(py)年度决算数", values: ["sangong.total.prior"], note: nil), at: 0) }
            items.append(chart("“三公”经费财政拨款支出与预算、上年对比", .bars, series: ["“三公”经费"], groups, empty: "本年度“三公”经费预算数和决算数均为0，不作图。"))
        }

        // 1. 因公出国（境）
        let trips = facts.activity(year, .abroad)
        var q: [Span] = [.text("1.因公出国（境）经费支出"), total == .zero ? amount("sangong.abroad", abroad, src(.actual, .category(.abroad))) : .figure("sangong.abroad"), .text("万元")]
        if abroad == .zero && trips.batches == 0 {
            _ = count("sangong.abroad.groups", 0, "sangong_activity abroad \(year)")
            _ = count("sangong.abroad.people", 0, "sangong_activity abroad \(year)")
            _ = rate("sangong.abroad.completion", abroad, v(current, .budget, .category(.abroad)), "sangong.abroad ÷ its budget")
            q.append(.text("，本年度无因公出国（境）费支出，未安排因公出国（境）团组。"))
        } else {
            q.append(.text("，"))
            q += completion("sangong.abroad.completion", abroad, v(current, .budget, .category(.abroad)), "sangong.abroad ÷ its budget")
            q += [.text("。全年安排因公出国（境）团组"), count("sangong.abroad.groups", trips.batches, "sangong_activity abroad \(year)"),
                  .text("个，出国（境）"), count("sangong.abroad.people", trips.people, "sangong_activity abroad \(year)"), .text("人次。")]
        }
        q += change("sangong.abroad", abroad, v(prior, .actual, .category(.abroad)), subject: "因公出国（境）费支出决算",
                    sourceNow: src(.actual, .category(.abroad)), sourceBefore: src(.actual, .category(.abroad)))
        items.append(.paragraph(q))

        // 2. 公务用车
        let purchase = v(current, .actual, .category(.vehiclePurchase)), running = v(current, .actual, .category(.vehicleRunning))
        q = [.text("2.公务用车购置及运行维护费支出"), total == .zero ? amount("sangong.vehicles", vehicles, src(.actual, .vehicles)) : .figure("sangong.vehicles"), .text("万元，")]
        q += completion("sangong.vehicles.completion", vehicles, v(current, .budget, .vehicles), "sangong.vehicles ÷ its budget")
        q.append(.text("。"))
        q += change("sangong.vehicles", vehicles, v(prior, .actual, .vehicles), subject: "公务用车购置及运行维护费支出决算",
                    sourceNow: src(.actual, .vehicles), sourceBefore: src(.actual, .vehicles))
        items.append(.paragraph(q))
        let fleet = facts.vehicles(atEndOf: year, officialOnly: true)
        q = [.text("其中：公务用车购置支出"), amount("sangong.vehicle-purchase", purchase, src(.actual, .category(.vehiclePurchase))),
             .text("万元。截至\(year)年12月31日，单位共有公务用车"), count("vehicles.official", fleet.total, "vehicle events to \(year)-12-31, official"), .text("辆")]
        q += holdings(fleet, prefix: "vehicles.official")
        q.append(.text("。"))
        items.append(.paragraph(q))
        q = [.text("公务用车运行维护费支出"), amount("sangong.vehicle-running", running, src(.actual, .category(.vehicleRunning))), .text("万元。")]
        if running != .zero { q += words("use.vehicle-running", lead: "主要用于", what: "七 公务用车运行维护费的用途") }
        items.append(.paragraph(q))

        // 3. 公务接待
        q = [.text("3.公务接待费支出"), total == .zero ? amount("sangong.reception", reception, src(.actual, .category(.reception))) : .figure("sangong.reception"), .text("万元，")]
        q += completion("sangong.reception.completion", reception, v(current, .budget, .category(.reception)), "sangong.reception ÷ its budget")
        q.append(.text("。"))
        let receptionPrior = v(prior, .actual, .category(.reception))
        q += change("sangong.reception", reception, receptionPrior, subject: "公务接待费支出决算",
                    sourceNow: src(.actual, .category(.reception)), sourceBefore: src(.actual, .category(.reception)))
        if prior != nil, reception != receptionPrior { q += reason("reason.reception", lead: "主要原因是", what: "七 公务接待费的变动原因") }
        items.append(.paragraph(q))
        let domestic = facts.activity(year, .reception, scope: .domestic), foreign = facts.activity(year, .reception, scope: .foreign)
        let foreignAmount = min(facts.amount(of: foreign), reception), domesticAmount = reception - foreignAmount
        q = [.text("其中：国内公务接待支出"), amount("sangong.reception.domestic", domesticAmount, "sangong.reception − sangong.reception.foreign"), .text("万元")]
        if domestic.batches == 0 && domesticAmount == .zero {
            _ = count("sangong.reception.domestic.batches", 0, "sangong_activity reception domestic \(year)")
            _ = count("sangong.reception.domestic.people", 0, "sangong_activity reception domestic \(year)")
            q.append(.text("，本年度无国内公务接待。"))
        } else {
            q.append(.text("。"))
            q += words("use.reception.domestic", lead: "主要用于", what: "七 国内公务接待的用途")
            q += [.text("国内公务接待"), count("sangong.reception.domestic.batches", domestic.batches, "sangong_activity reception domestic \(year)"),
                  .text("批次，"), count("sangong.reception.domestic.people", domestic.people, "sangong_activity reception domestic \(year)"),
                  .text("人次（不包括陪同人员），共计支出"), .figure("sangong.reception.domestic"), .text("万元。")]
            q += words("detail.reception.domestic", lead: "具体内容包括：", what: "七 国内公务接待的具体内容", warn: false)
        }
        items.append(.paragraph(q))
        q = [.text("外事接待支出"), amount("sangong.reception.foreign", foreignAmount, "reception disbursements named by foreign sangong_activity \(year)"), .text("万元")]
        if foreign.batches == 0 && foreignAmount == .zero {
            _ = count("sangong.reception.foreign.batches", 0, "sangong_activity reception foreign \(year)")
            _ = count("sangong.reception.foreign.people", 0, "sangong_activity reception foreign \(year)")
            q.append(.text("，本年度无外事接待。"))
        } else {
            q += [.text("。外事接待"), count("sangong.reception.foreign.batches", foreign.batches, "sangong_activity reception foreign \(year)"),
                  .text("批次，"), count("sangong.reception.foreign.people", foreign.people, "sangong_activity reception foreign \(year)"),
                  .text("人次（不包括陪同人员），共计支出"), .figure("sangong.reception.foreign"), .text("万元。")]
        }
        items.append(.paragraph(q))
        return items
    }

    /// “，其中：轿车a辆、其他用车b辆” for a holding: the parts add up to the whole by construction.
    mutating func holdings(_ h: FactBook.Holding, prefix: String) -> [Span] {
        guard h.total > 0 else { return [] }
        var out: [Span] = [.text("，其中：")]
        var first = true
        for c in VehicleChange.Category.allCases {
            guard let n = h.byCategory[c], n > 0 else { continue }
            if !first { out.append(.text("、")) }
            first = false
            out += [.text(c.name), count("\(prefix).\(c.rawValue)", n, "vehicle events to \(year)-12-31, \(c.rawValue)"), .text("辆")]
        }
        return out
    }

    /// 八、政府性基金预算 and 九、国有资本经营预算.
    mutating func fundSections() -> [Document.Item] {
        var items: [Document.Item] = []
        for (n, title, table, key, cat) in [("八", "政府性基金预算支出决算情况说明", 10, "gfb", FundCategory.governmentFund),
                                           ("九", "国有资本经营预算支出决算情况说明", 11, "socb", .stateCapital)] {
            items.append(.heading(level: 1, text: "\(n)、\(title)"))
            let x = cell(current, table, .total, L.expense)
            let label = L.fiscalLabel(cat)
            let f = amount("\(key).expense", x, Self.ref(table, .total, L.expense))
            if x == .zero && cell(current, table, .total, L.income) == .zero {
                items.append(.paragraph([.text("本单位\(year)年度无\(label)收入，也没有使用\(label)安排的支出。")]))
            } else {
                items.append(.paragraph([.text("\(year)年度\(label)支出"), f, .text("万元。")]))
            }
        }
        return items
    }

    /// 十、其他重要事项.
    mutating func otherMatters() -> [Document.Item] {
        var items: [Document.Item] = [.heading(level: 1, text: "十、其他重要事项的情况说明")]
        // (一) 机关运行经费: 公用经费 of 基本支出 for 行政单位 and 参公单位; others report 0 and say why.
        items.append(.heading(level: 2, text: "（一）机关运行经费支出情况"))
        let kind = facts.text(year, "unit.category") ?? ""
        let administrative = kind.contains("行政") || kind.contains("参公") || kind.contains("参照公务员法")
        func running(_ s: Statements?) -> Fen { administrative ? cell(s, 8, L.runningTotal, L.amount) : .zero }
        let op = running(current), opPrior = running(prior)
        var p: [Span] = [.text("\(year)年度，\(unitName)机关运行经费支出"),
                         amount("operating-costs", op, administrative ? Self.ref(8, L.runningTotal, L.amount) : "0: \(kind.isEmpty ? "unit.category not written" : kind) is not a 行政单位 or 参公单位"),
                         .text("万元")]
        if !administrative { p.append(.text(kind.isEmpty ? "" : "（本单位为\(Self.clause(kind))，不属于机关运行经费统计范围）")) }
        if kind.isEmpty { warnings.append("no text 'unit.category' for \(year) (行政单位, 参公单位 or 事业单位: whether 机关运行经费 applies); 0 is reported") }
        if prior != nil {
            _ = amount("operating-costs.prior", opPrior, "\(py)")
            if op == opPrior { p.append(.text("，与\(py)年度决算数持平。")) }
            else {
                p += [.text("，比\(py)年度决算数\(Self.upDown(op - opPrior))"), amount("operating-costs.change", (op - opPrior).magnitude, "operating-costs − \(py)"), .text("万元")]
                if opPrior != .zero { p += [.text("，\(Self.growth(op - opPrior))"), rate("operating-costs.change-rate", (op - opPrior).magnitude, opPrior, "change ÷ \(py)"), .text("%")] }
                p.append(.text("。"))
                p += reason("reason.operating-costs", what: "十（一）机关运行经费的变动原因")
            }
        } else { p.append(.text("。")) }
        items.append(.paragraph(p))

        // (二) 政府采购.
        items.append(.heading(level: 2, text: "（二）政府采购支出情况"))
        let pr = facts.procurement(year)
        let total = pr.total
        let src = "procurement events \(year)"
        p = [.text("\(year)年度，\(unitName)政府采购支出总额"), amount("procurement.total", total, src), .text("万元")]
        if total == .zero {
            for c in Procurement.Category.allCases { _ = amount("procurement.\(c.rawValue)", .zero, src) }
            _ = amount("procurement.sme", .zero, src); _ = amount("procurement.micro", .zero, src)
            _ = rate("procurement.sme.share", .zero, .zero, src); _ = rate("procurement.micro.share", .zero, .zero, src)
            p.append(.text("，本年度无政府采购支出。"))
        } else {
            p.append(.text("，其中："))
            p += Self.join(Procurement.Category.allCases.map { c in
                [.text("政府采购\(c.name)支出"), amount("procurement.\(c.rawValue)", pr.byCategory[c] ?? .zero, src), .text("万元")]
            }).map { $0 == .text("；") ? .text("、") : $0 }
            p += [.text("。授予中小企业合同金额"), amount("procurement.sme", pr.sme, src), .text("万元，占政府采购支出总额的"),
                  rate("procurement.sme.share", pr.sme, total, "procurement.sme ÷ procurement.total"), .text("%，其中：授予小微企业合同金额"),
                  amount("procurement.micro", pr.micro, src), .text("万元，占政府采购支出总额的"),
                  rate("procurement.micro.share", pr.micro, total, "procurement.micro ÷ procurement.total"), .text("%。")]
        }
        items.append(.paragraph(p))

        // (三) 国有资产占有使用.
        items.append(.heading(level: 2, text: "（三）国有资产占有使用情况"))
        let all = facts.vehicles(atEndOf: year, officialOnly: false)
        p = [.text("截至\(year)年12月31日，\(unitName)共有车辆"), count("vehicles.all", all.total, "vehicle events to \(year)-12-31"), .text("辆")]
        p += holdings(all, prefix: "vehicles.all")
        if all.total > 0 {
            let use = words("use.vehicles", lead: "，主要是用于", what: "十（三）车辆的用途")
            if use.isEmpty { p.append(.text("。")) } else { p += use }
        } else { p.append(.text("。")) }
        let equipment = facts.equipment(atEndOf: year)
        let general = equipment[.general] ?? 0, special = equipment[.special] ?? 0
        _ = count("assets.general", general, "asset events to \(year)-12-31, 通用设备 unit price ≥ 50万元")
        _ = count("assets.special", special, "asset events to \(year)-12-31, 专用设备 unit price ≥ 100万元")
        p.append(.text(general == 0 ? "无单价50万元以上通用设备，" : "单价50万元以上通用设备\(general)台（套），"))
        p.append(.text(special == 0 ? "无单价100万元以上专用设备。" : "单价100万元以上专用设备\(special)台（套）。"))
        items.append(.paragraph(p))

        // (四) 预算绩效管理.
        items.append(.heading(level: 2, text: "（四）预算绩效管理情况"))
        let evaluated = facts.projectsEvaluated(year).count
        p = [.text("根据预算绩效管理要求，本单位在\(year)年度预算编制阶段，组织对"),
             count("performance.ex-ante", facts.projects(year, .exAnte).count, "performance_stage ex_ante \(year)"),
             .text("个项目开展了预算事前绩效评估，对"), count("performance.targets", facts.projectsWithTargets(year).count, "performance_target \(year)"),
             .text("个项目编制了绩效目标，预算执行过程中，选取"), count("performance.monitored", facts.projects(year, .monitoring).count, "performance_stage monitoring \(year)"),
             .text("个项目开展绩效监控，组织对"), count("performance.evaluated", evaluated, "performance_result \(year)"),
             .text(evaluated > 0 ? "个项目开展绩效自评，绩效自评表详见第四部分附件。" : "个项目开展绩效自评。")]
        items.append(.paragraph(p))
        return items
    }

    // MARK: 第三部分

    static let standardTerms: [(String, String)] = [
        ("财政拨款收入", "指从同级财政部门取得的财政预算资金。"),
        ("事业收入", "指事业单位开展专业业务活动及辅助活动取得的收入。"),
        ("经营收入", "指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。"),
        ("其他收入", "指除上述收入以外取得的各项收入。"),
        ("用事业基金弥补收支差额", "指事业单位在当年的财政拨款收入、事业收入、经营收入、其他收入不足以安排当年支出的情况下，使用以前年度积累的事业基金（事业单位当年收支相抵后按国家规定提取、用于弥补以后年度收支差额的基金）弥补本年度收支缺口的资金。"),
        ("年初结转和结余", "指以前年度尚未完成、结转到本年按有关规定继续使用的资金。"),
        ("结余分配", "指事业单位按照事业单位会计制度的规定从非财政补助结余中分配的事业基金和职工福利基金等。"),
        ("年末结转和结余", "指按有关规定结转到下年或以后年度继续使用的资金。"),
    ]
    static let closingTerms: [(String, String)] = [
        ("基本支出", "指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。"),
        ("项目支出", "指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。"),
        ("“三公”经费", "指部门用财政拨款安排的因公出国（境）费、公务用车购置及运行费和公务接待费。其中，因公出国（境）费反映单位公务出国（境）的国际旅费、国外城市间交通费、住宿费、伙食费、培训费、公杂费等支出；公务用车购置及运行费反映单位公务用车车辆购置支出（含车辆购置税）及租用费、燃料费、维修费、过路过桥费、保险费等支出；公务接待费反映单位按规定开支的各类公务接待（含外宾接待）支出。"),
        ("机关运行经费", "为保障行政单位（含参照公务员法管理的事业单位）运行用于购买货物和服务的各项资金，包括办公及印刷费、邮电费、差旅费、会议费、福利费、日常维修费、专用材料及一般设备购置费、办公用房水电费、办公用房取暖费、办公用房物业管理费、公务用车运行维护费以及其他费用。"),
    ]

    mutating func glossary() -> Document.Part {
        var items: [Document.Item] = []
        var n = 0
        for (term, text) in Self.standardTerms { n += 1; items.append(.paragraph([.text("\(n).\(term)：\(text)")])) }
        for r in (current.table(3)?.blocks.first?.rows ?? []) where r.code.count == 7 {
            guard let t = facts.text(year, "glossary.item.\(r.code)") else { continue }
            let item = FunctionCode(rawValue: r.code)!
            let names = item.ancestors.map { catalogue.name($0) ?? $0.rawValue }
            n += 1
            items.append(.paragraph([.text("\(n).\(names[0])（类）\(names[1])（款）\(r.name)（项）：\(Self.clause(t))。")]))
        }
        for (term, text) in Self.closingTerms { n += 1; items.append(.paragraph([.text("\(n).\(term)：\(text)")])) }
        return Document.Part(title: "第三部分 名词解释", items: items)
    }

    // MARK: 第四部分

    /// Every project with a self-evaluation (a result recorded) in the year, in code order.
    mutating func evaluations() -> [Document.Item] {
        let projects = facts.projectsEvaluated(year).sorted()
        if projects.isEmpty { return [.paragraph([.text("本单位\(year)年度未开展项目支出绩效自评。")])] }
        let tables = projects.map { Document.Item.evaluation(evaluation($0)) }
        let groups = projects.map { p in
            Chart.Group(label: catalogue.name(p) ?? p.rawValue, values: ["project.\(p).budget.total.budget", "project.\(p).budget.total.actual"],
                        note: "project.\(p).budget.total.rate")
        }
        return [chart("项目支出预算执行情况", .bars, series: ["调整后预算数", "预算执行数"], groups, empty: "各项目预算与执行数均为0，不作图。")] + tables
    }

    mutating func evaluation(_ p: ProjectCode) -> ProjectEvaluation {
        let code = p.rawValue
        let base = "project.\(code)"
        func text(_ key: String, _ what: String) -> String? {
            let t = facts.text(year, "\(base).\(key)")
            if t == nil { warnings.append("no text '\(base).\(key)' for \(year) (绩效自评表 \(code) \(what))") }
            return t
        }
        // 预算执行: from the books, by fund group.
        let lines = projection.lines(year: year).filter { $0.classification.project == p }
        func sum(_ pick: (FundCode) -> Bool) -> Figures {
            var f = Figures()
            for l in lines where pick(l.classification.fund) { f.add(l.figures) }
            return f
        }
        let special = FundCode(rawValue: "special"), unitFunds = FundCode(rawValue: "unit")
        let catalogue = self.catalogue
        let groups: [(String, String, (FundCode) -> Bool)] = [
            ("total", "总额", { _ in true }),
            ("fiscal", "其中：财政资金", { catalogue.category(of: $0)?.isFiscal == true }),
            ("special", "财政专户管理资金", { $0 == special }),
            ("unit", "单位资金", { $0 == unitFunds }),
            ("other", "其他资金", { f in catalogue.category(of: f)?.isFiscal != true && f != special && f != unitFunds }),
        ]
        var rows: [ProjectEvaluation.BudgetRow] = []
        var budgetScore: Int64 = 0
        for (key, label, pick) in groups {
            let f = sum(pick)
            let id = "\(base).budget.\(key)"
            let src = "projection \(year) project \(code) (\(key))"
            _ = amount(id + ".initial", f.initial, src); _ = amount(id + ".budget", f.budget, src); _ = amount(id + ".actual", f.actual, src)
            _ = rate(id + ".rate", f.actual, f.budget, "\(id).actual ÷ \(id).budget")
            var row = ProjectEvaluation.BudgetRow(label: label, initial: id + ".initial", budget: id + ".budget", actual: id + ".actual", rate: id + ".rate")
            if key == "total" {
                // 预算执行 is worth 10 points: 执行率 × 10 (DOMAIN.md §7), unless the evaluator scored otherwise.
                let rule = f.rate.map { ($0.hundredths * 10 + 50) / 100 } ?? 0
                let recorded = facts.result(year, p, PerformanceResult.budgetIndicator)
                budgetScore = recorded?.score?.hundredths ?? rule
                if let r = recorded, let s = r.score, s.hundredths != rule {
                    warnings.append("绩效自评表 \(code) 预算执行: the evaluator's score \(Self.points(s.hundredths)) differs from the rule's \(Self.points(rule)) (执行率 × 10): \(r.scoreReason ?? "")")
                }
                row.weight = "\(id).weight"
                _ = points(row.weight!, 1_000, "DOMAIN.md §7: 预算执行 10 points")
                row.score = "\(id).score"
                _ = points(row.score!, budgetScore, recorded?.score != nil ? "performance_result budget (evaluator's score: \(recorded?.scoreReason ?? ""))" : "执行率 × 10")
                row.reason = recorded?.reason
            }
            rows.append(row)
        }
        // Indicators.
        var indicators: [ProjectEvaluation.IndicatorRow] = []
        var totalWeight: Int64 = 1_000, totalScore = budgetScore
        for t in facts.targets(year, p) {
            let id = "\(base).indicator.\(t.indicator)"
            let result = facts.result(year, p, t.indicator)
            let rule = Self.score(t, actual: result?.value)
            let score = result?.score?.hundredths ?? rule
            if let r = result, let s = r.score, s.hundredths != rule {
                warnings.append("绩效自评表 \(code) 指标「\(t.name)」: the evaluator's score \(Self.points(s.hundredths)) differs from the rule's \(Self.points(rule)): \(r.scoreReason ?? "")")
            }
            if result == nil { warnings.append("绩效自评表 \(code) 指标「\(t.name)」 has no result for \(year)") }
            _ = written(id + ".target", t.value, "performance_target \(code) \(t.indicator)")
            _ = written(id + ".actual", result?.value ?? "", "performance_result \(code) \(t.indicator)")
            _ = points(id + ".weight", t.weight.hundredths, "performance_target \(code) \(t.indicator)")
            _ = points(id + ".score", score, result?.score != nil ? "performance_result \(code) \(t.indicator) (evaluator's score: \(result?.scoreReason ?? ""))" : "rule (DOMAIN.md §7)")
            totalWeight += t.weight.hundredths
            totalScore += score
            indicators.append(.init(level: t.level.name, category: t.category, name: t.name,
                                    comparator: t.comparator == .qualitative ? "定性" : t.comparator.symbol,
                                    target: id + ".target", actual: id + ".actual", weight: id + ".weight", score: id + ".score",
                                    unit: t.unit, reason: result?.reason))
        }
        _ = points("\(base).total.weight", totalWeight, "10 + Σ indicator weights")
        _ = points("\(base).total.score", totalScore, "预算执行 score + Σ indicator scores")
        return ProjectEvaluation(project: p, name: catalogue.name(p) ?? "", department: text("department", "主管部门"), unitName: unitName,
                                 goal: text("goal", "项目年度目标"), achieved: text("achieved", "年度目标完成情况"),
                                 content: text("content", "项目实施内容及过程概述"), budgetRows: rows, indicators: indicators,
                                 totalWeight: "\(base).total.weight", totalScore: "\(base).total.score",
                                 conclusion: text("conclusion", "评价结论"), problems: text("problems", "存在问题"),
                                 improvements: text("improvements", "改进措施"))
    }

    /// The rule's score of an indicator (DOMAIN.md §7), in hundredths: the full weight when the
    /// target is met; for a missed quantitative target, achieved ÷ target × weight (target ÷
    /// achieved for a ceiling); 0 for a missed qualitative one or no result.
    public static func score(_ t: PerformanceTarget, actual: String?) -> Int64 {
        let w = t.weight.hundredths
        guard let actual, !actual.isEmpty else { return 0 }
        if t.comparator == .qualitative { return actual == t.value ? w : 0 }
        guard let a = Quantity(actual), let target = Quantity(t.value) else { return 0 }
        let c = a.compare(target)
        let met: Bool
        switch t.comparator {
        case .ge: met = c >= 0
        case .gt: met = c > 0
        case .le: met = c <= 0
        case .lt: met = c < 0
        case .eq: met = c == 0
        case .qualitative: met = false
        }
        if met { return w }
        switch t.comparator {
        case .ge, .gt: return max(0, min(w, Quantity.ratio(a, target, times: w) ?? 0))
        case .le, .lt: return max(0, min(w, Quantity.ratio(target, a, times: w) ?? 0))
        case .eq: return max(0, min(w, (c < 0 ? Quantity.ratio(a, target, times: w) : Quantity.ratio(target, a, times: w)) ?? 0))
        case .qualitative: return 0
        }
    }
}
