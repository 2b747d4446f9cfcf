import Foundation
import Ledger

/// Checks a published 决算 or 预算 report, as text (what `pdftotext -layout` writes): finds every figure it
/// states and says of each whether it is true, against the report itself and, when given, against the journal's
/// document of the same year. The reader (Reader.swift, Tables.swift) turns the text into sentences, tokens and
/// tables; this file binds each figure to its subject; the rules (Rules.swift, Residue.swift, Tables.swift) each
/// take that model and return findings. Nothing here prints.
public enum ReportChecker {
    public enum Status: String, Sendable, CaseIterable { case ok, mismatch, rounding, unverifiable }

    /// One finding: which rule, where, what the report says and what it should say.
    public struct Finding: Sendable, Equatable {
        public var rule: Rule
        /// 1-based line of the input.
        public var line: Int
        /// 1-based page of the input (form feeds separate pages).
        public var page: Int
        public var quote: String
        public var subject: String
        public var claimed: String
        public var expected: String
        public var derivation: String
        public var status: Status
    }

    public struct Result: Sendable {
        public var year: Int?
        public var findings: [Finding]
        public var figuresFound: Int
        public func count(_ s: Status) -> Int { findings.filter { $0.status == s }.count }
        public var mismatches: [Finding] { findings.filter { $0.status == .mismatch } }
    }

    /// The rules, by stable id (the raw value), each with what it checks.
    public enum Rule: String, Sendable, CaseIterable, CustomStringConvertible {
        case share, completion
        case partsSum = "parts-sum"
        case change
        case signWord = "sign-word"
        case comparison, qizhong
        case sameFigure = "same-figure"
        case placeholder, alternative
        case unitMissing = "unit-missing"
        case zeroBase = "zero-base"
        case year, punctuation
        case tableSum = "table-sum"
        case journal

        public var description: String { rawValue }

        public var what: String {
            switch self {
            case .share: return "a share equals its part ÷ its whole (占X%)"
            case .completion: return "a completion rate equals 决算 ÷ 预算 (完成预算X%), the budget of the same subject"
            case .partsSum: return "parts listed with their shares add up to the whole they are said to make"
            case .change: return "a change's rate equals change ÷ prior year (prior = this year ∓ change); 增幅/降幅/增长率 are rates"
            case .signWord: return "增加/减少 and 增长/下降 agree with each other; 持平 with no change"
            case .comparison: return "大于/小于/等于/持平 agree with the two figures compared"
            case .qizhong: return "a “其中” count or amount never exceeds its whole"
            case .sameFigure: return "the same subject stated twice has the same figure"
            case .placeholder: return "no placeholder (**, XX, ×××, 待填写, “202 年度”) where a figure or year belongs"
            case .alternative: return "no unresolved alternative (增加（减少）, 增加/减少, 大于/小于)"
            case .unitMissing: return "an amount states its unit (万元 or 元)"
            case .zeroBase: return "no rate against a zero base (0% of nothing); a zero change is 持平, not 0%"
            case .year: return "a year in a heading or a date is the report's year (or the prior year it compares with)"
            case .punctuation: return "no doubled punctuation"
            case .tableSum: return "in a table, 合计 = Σ 类, 类 = Σ 款, 款 = Σ 项, per column"
            case .journal: return "a figure equals the journal's figure for the same year and subject"
            }
        }
    }

    /// The rules, by stable id, with what each checks.
    public static var rules: [(id: String, what: String)] { Rule.allCases.map { ($0.rawValue, $0.what) } }
}

// MARK: - Subjects

extension ReportChecker {
    /// Words that name a figure, longest first, and the document figure each is.
    static let vocabulary: [(String, String)] = [
        ("财政拨款收、支总计", "fiscal.grand"), ("财政拨款收支总计", "fiscal.grand"), ("收、支总计", "total.grand"), ("收支总计", "total.grand"),
        ("本年收入合计", "income.total"), ("本年支出合计", "expense.total"),
        ("一般公共预算财政拨款收入", "income.gpb"), ("政府性基金预算财政拨款收入", "income.gfb"), ("国有资本经营预算财政拨款收入", "income.socb"),
        ("上级补助收入", "income.superior"), ("事业收入", "income.business"), ("经营收入", "income.operating"),
        ("附属单位上缴收入", "income.affiliated"), ("其他收入", "income.other"),
        ("一般公共预算财政拨款基本支出", "basic.expense"), ("财政拨款基本支出", "fiscal.basic"), ("财政拨款项目支出", "fiscal.project"), ("一般公共预算财政拨款支出", "gpb.expense"), ("一般公共预算支出", "gpb.expense"),
        ("政府性基金预算财政拨款支出", "gfb.expense"), ("国有资本经营预算财政拨款支出", "socb.expense"),
        ("基本支出", "expense.basic"), ("项目支出", "expense.project"), ("人员经费", "basic.personnel"), ("公用经费", "basic.running"),
        ("公务用车购置及运行维护费", "sangong.vehicles"), ("公务用车购置及运行费", "sangong.vehicles"), ("公务用车运行维护费", "sangong.vehicle-running"),
        ("公务用车运行费", "sangong.vehicle-running"), ("公务用车购置", "sangong.vehicle-purchase"),
        ("国内公务接待", "sangong.reception.domestic"), ("外事接待", "sangong.reception.foreign"), ("公务接待费", "sangong.reception"),
        ("因公出国（境）", "sangong.abroad"), ("“三公”经费", "sangong.total"), ("三公经费", "sangong.total"), ("\"三公\"经费", "sangong.total"),
        ("机关运行经费", "operating-costs"), ("政府采购支出总额", "procurement.total"), ("政府采购货物支出", "procurement.goods"),
        ("政府采购工程支出", "procurement.works"), ("政府采购服务支出", "procurement.services"),
        ("授予中小企业合同金额", "procurement.sme"), ("授予小微企业合同金额", "procurement.micro"),
    ].sorted { $0.0.count > $1.0.count }

    /// The figure a clause names, if any: the name nearest its end (the number follows it),
    /// the longest where two end together.
    static func subject(_ clause: String) -> String? { subjectMatch(clause)?.id }

    static let vocabularyScalars: [([Unicode.Scalar], String)] = vocabulary.map { (Array($0.0.unicodeScalars), $0.1) }

    /// The vocabulary word nearest the clause's end (the longest where two end together), and where it ends
    /// (in scalars). Scalars, not Foundation's string search: this runs for every figure of every report.
    static func subjectMatch(_ clause: String) -> (id: String, end: Int)? {
        let hay = Array(clause.unicodeScalars)
        var best: (end: Int, length: Int, id: String)?
        for (word, id) in vocabularyScalars where word.count <= hay.count {
            var start = hay.count - word.count
            while start >= 0 {
                if hay[start] == word[0] && hay[start..<(start + word.count)].elementsEqual(word) { break }
                start -= 1
            }
            guard start >= 0 else { continue }
            let end = start + word.count
            if best == nil || end > best!.end || (end == best!.end && word.count > best!.length) { best = (end, word.count, id) }
        }
        return best.map { ($0.id, $0.end) }
    }

    /// `…（类）…（款）NAME（项）` in a sentence: the 项's code, found by its 类 and 项 names in the catalogue.
    static func item(_ sentence: String, catalogue: Catalogue) -> String? {
        guard let end = sentence.range(of: "（项）") else { return nil }
        let head = sentence[..<end.lowerBound]
        let name = head.components(separatedBy: "（款）").last.map { String($0) } ?? ""
        let className = head.components(separatedBy: "（类）").first.map { String($0).components(separatedBy: CharacterSet.decimalDigitsAndPunctuation).last ?? "" } ?? ""
        let items = catalogue.functions.filter { $0.key.isItem && $0.value == name }.map(\.key)
        if items.count == 1 { return items[0].rawValue }
        let cls = catalogue.functions.first { $0.key.rawValue.count == 3 && className.hasSuffix($0.value) }?.key.rawValue
        return items.first { cls != nil && $0.rawValue.hasPrefix(cls!) }?.rawValue
    }

    /// A 类 named by a clause (`一般公共服务支出617.32万元`), by the catalogue.
    static func category(_ clause: String, catalogue: Catalogue) -> String? {
        // 社会保障和就业支出（类）, 一般公共服务（类）支出: the 类 marker is not part of the name.
        var c = clause
        for m in ["（类）", "(类)"] { c = c.replacingOccurrences(of: m, with: "") }
        for tail in ["决算为", "支出为", "为", "预算数为", "预算为"] where c.hasSuffix(tail) && c.count > tail.count + 2 { c = String(c.dropLast(tail.count)); break }
        return catalogue.functions.filter { $0.key.rawValue.count == 3 }.first { c.hasSuffix($0.value) || c == $0.value }.map { "gpb.class.\($0.key.rawValue)" }
    }
}

extension CharacterSet {
    static let decimalDigitsAndPunctuation: CharacterSet = CharacterSet.decimalDigits.union(CharacterSet(charactersIn: ".、 "))
}

// MARK: - Claims and rules

extension ReportChecker {
    /// A figure the report states, with the document figure it names when the words say which.
    struct Claim {
        var id: String?
        var token: Token
        var line: Int
        var sentence: Int
        var label: String
    }

    /// Whether the words before a percentage make it a rate of change (增长15.3%, 降幅为2%, 增长率3.5%).
    static func isRateWord(_ before: String) -> Bool {
        var b = Substring(before)
        for t in ["约", "为", "了", "达", "是"] where b.hasSuffix(t) { b = b.dropLast(t.count) }
        return ["增长", "下降", "增幅", "降幅", "增长率", "下降率", "上升", "降低", "减少", "增加", "减幅"].contains { b.hasSuffix($0) }
    }

    /// Half a unit of the last printed digit, in 分 (amounts) — what rounding alone can explain.
    static func halfUnit(_ t: Token) -> Int64 {
        let decimals = t.text.split(separator: ".").count > 1 ? t.text.split(separator: ".")[1].count : 0
        let scale: Int64 = t.unit == "万元" ? 1_000_000 : 100
        var u = scale
        for _ in 0..<decimals { u /= 10 }
        return max(u / 2, 0)
    }

    static func fen(_ t: Token) -> Fen? { if case .amount(let f) = t.kind { return f }; return nil }
    static func percent(_ t: Token) -> (Int64, Int)? { if case .percent(let v, let d) = t.kind { return (v, d) }; return nil }
    static func count(_ t: Token) -> Int? { if case .count(let n) = t.kind { return n }; return nil }

    /// Whether a printed rate (hundredths, with `decimals`) can be `part ÷ whole` when each of the
    /// three was rounded on its own: the rate's interval meets the ratio's.
    static func consistent(_ rate: Int64, decimals: Int, part: Fen, dp: Int64, whole: Fen, dw: Int64) -> Bool {
        // rate in hundredths of a percent; its half unit in hundredths ×2 (to stay integral).
        var unit: Int64 = 1
        for _ in 0..<max(0, 2 - decimals) { unit *= 10 }
        let c2 = Int128(rate) * 2, h2 = Int128(unit)   // rate ± unit/2, doubled
        let p = Int128(part.raw), w = Int128(whole.raw), dP = Int128(dp), dW = Int128(dw)
        guard w - dW > 0 else { return true }
        // (c − h)/2 ≤ 10000·(p + dp)/(w − dw)  and  (c + h)/2 ≥ 10000·(p − dp)/(w + dw)
        let low = (c2 - h2) * (w - dW) <= 20_000 * (p + dP)
        let high = (c2 + h2) * (w + dW) >= 20_000 * (p - dP)
        return low && high
    }

    /// The rate at the precision the report printed it.
    static func rounded(_ exact: Percent, to decimals: Int) -> Int64 {
        var unit: Int64 = 1
        for _ in 0..<max(0, 2 - decimals) { unit *= 10 }
        let m = (exact.hundredths.magnitude + UInt64(unit / 2)) / UInt64(unit) * UInt64(unit)
        return exact.hundredths < 0 ? -Int64(m) : Int64(m)
    }

    public static func check(_ raw: String, document: Document?, catalogue: Catalogue) -> Result {
        let text = Text(raw)
        let sentences = sentences(text)
        var findings: [Finding] = []
        let year = reportYear(text)
        let final = isFinalAccounts(text)

        // Claims: every figure, with the figure of the document it names where the words say.
        var claims: [Claim] = []
        var previousScope: String?
        for (k, s) in sentences.enumerated() {
            let compact = s.text.replacingSpaces
            // A chart's caption and a note restate figures stated elsewhere.
            if compact.hasPrefix("（图") || compact.hasPrefix("注：") || compact.hasPrefix("*注：") { continue }
            let item = ReportChecker.item(s.text, catalogue: catalogue)
            let opening = s.tokens.first.map { String(text.chars[s.start..<$0.start]) } ?? s.text
            // “与上年相比，增加…” goes on about the subject of the sentence before.
            var scope: String? = subject(opening) ?? (opening.replacingSpaces.hasPrefix("与") ? previousScope : nil)
            var lastAmount: String?
            var hadAmount = false
            // The next sentence goes on about this one's last figure (its subject), or about nothing known.
            defer { previousScope = hadAmount ? lastAmount : (scope ?? previousScope) }
            for t in s.tokens {
                let line = text.line(t.start)
                let after = String(text.chars[t.end..<min(text.chars.count, t.end + 14)]).replacingSpaces
                var id: String?
                switch t.kind {
                case .amount:
                    if let item, t.before.contains("年初预算") { id = "gpb.item.\(item).initial" }
                    else if let item, t.before.contains("调整后预算") { id = "gpb.item.\(item).budget" }
                    else if let item, t.before.contains("支出决算") { id = "gpb.item.\(item)" }
                    else if item == nil, s.text.contains("一般公共预算财政拨款支出年初预算"), t.before.contains("年初预算") { id = "gpb.initial" }
                    else if item == nil, s.text.contains("一般公共预算财政拨款支出年初预算"), t.before.contains("调整后预算") { id = "gpb.budget" }
                    else if item == nil, s.text.contains("一般公共预算财政拨款支出年初预算"), t.before.contains("支出决算") { id = "gpb.expense" }
                    else if t.before.hasSuffix("增加") || t.before.hasSuffix("减少") {
                        id = (ReportChecker.subject(t.before) ?? scope).map { $0 + ".change" }
                    } else if final, let b = budgetSuffix(t.before) {
                        // In a 决算, an amount the words call 预算 is the budget, never the actual (三公 年初预算).
                        id = (ReportChecker.subject(t.before) ?? category(t.before, catalogue: catalogue) ?? scope).map { $0 + b }
                    } else if let v = ReportChecker.subject(t.before) { id = v }
                    else if let c = category(t.before, catalogue: catalogue) { id = c }
                    else if t.before.contains("共计支出") || t.before.contains("决算为") || t.before.hasPrefix("支出") { id = scope }
                    if id?.hasSuffix(".change") != true { hadAmount = true }
                    if let i = id, !i.hasSuffix(".change"), !i.hasSuffix(".initial"), !i.hasSuffix(".budget"),
                       scope == nil || t.before.contains("决算为") || subject(t.before) != nil { scope = i }
                    if let i = id, !i.hasSuffix(".change") { lastAmount = i }
                case .percent:
                    if t.before.contains("占本年支出合计") { id = "gpb.expense.share" }
                    else if t.before.contains("占") { id = lastAmount.map { $0 + ".share" } }
                    else if t.before.contains("完成预算") || t.before.contains("完成年初预算") {
                        let base = item.map { "gpb.item.\($0)" } ?? lastAmount ?? scope ?? ReportChecker.subject(s.text)
                        id = base.map { $0 == "gpb.expense" ? "gpb.completion" : ($0 == "sangong.total" ? "sangong.completion" : $0 + ".completion") }
                    } else if t.before.contains("增长") || t.before.contains("下降") {
                        id = claims.last { $0.sentence == k && $0.id?.hasSuffix(".change") == true }?.id.map { $0 + "-rate" }
                    }
                case .count(let n):
                    _ = n
                    let clause = t.before
                    if t.unit == "个", after.hasPrefix("项目开展了预算事前绩效评估") { id = "performance.ex-ante" }
                    else if t.unit == "个", after.hasPrefix("项目编制了绩效目标") { id = "performance.targets" }
                    else if t.unit == "个", after.hasPrefix("项目开展绩效监控") { id = "performance.monitored" }
                    else if t.unit == "个", after.hasPrefix("项目开展绩效自评") { id = "performance.evaluated" }
                    else if t.unit == "批次" || t.unit == "人次" {
                        let who = s.text.contains("外事接待") && (clause.contains("外事") || !s.text.contains("国内")) ? "foreign" : (s.text.contains("国内") ? "domestic" : nil)
                        if let who { id = "sangong.reception.\(who).\(t.unit == "批次" ? "batches" : "people")" }
                    } else if clause.contains("团组") { id = "sangong.abroad.groups" }
                    else if clause.contains("出国（境）") && (t.unit == "人" || t.unit == "人次") { id = "sangong.abroad.people" }
                    else if t.unit == "辆" {
                        let base = s.text.contains("公务用车") && !s.text.contains("共有车辆") ? "vehicles.official" : "vehicles.all"
                        if clause.contains("共有") { id = base }
                        else if let c = VehicleChange.Category.allCases.first(where: { clause.hasSuffix($0.name) }) { id = "\(base).\(c.rawValue)" }
                    }
                case .bare:
                    break
                }
                claims.append(Claim(id: id, token: t, line: line, sentence: k, label: t.before))
            }
        }

        if let d = document { settleEvaluations(text, &claims, d) }
        findings += arithmetic(sentences, claims, text, withJournal: document != nil)
        findings += residue(text, sentences, year: year, final: final, document: document, claims: claims)
        findings += comparisons(sentences, claims, text)
        let tables = readTables(text)
        findings += tableSums(tables, text)
        findings += narrativeAgainstTables(sentences, claims, tables, text, catalogue: catalogue)
        if let d = document { findings += journal(claims, d, text) }
        let figures = claims.filter { if case .bare = $0.token.kind { return false }; return true }.count
        return Result(year: year, findings: findings.sorted { ($0.line, $0.rule.rawValue) < ($1.line, $1.rule.rawValue) }, figuresFound: figures)
    }

    /// Whether the report is a 决算 (final accounts) rather than a 预算: its opening lines say so.
    static func isFinalAccounts(_ t: Text) -> Bool {
        for l in t.lines.prefix(40) {
            if l.contains("决算") { return true }
            if l.contains("预算") && (l.contains("部门预算") || l.contains("单位预算") || l.contains("预算公开")) { return false }
        }
        return false
    }

    /// `.initial` or `.budget` when the words after the subject's name call the amount a budget (年初预算为,
    /// 预算数为, 调整后预算) and not an outturn (决算).
    static func budgetSuffix(_ before: String) -> String? {
        guard before.contains("预算") else { return nil }
        let tail = subjectMatch(before).map { String(String.UnicodeScalarView(before.unicodeScalars.dropFirst($0.end))) } ?? before
        guard !tail.contains("决算") else { return nil }
        if tail.contains("年初预算") { return ".initial" }
        if tail.contains("调整后预算") || tail.contains("预算数") || tail.contains("预算为") || tail.contains("全年预算") { return ".budget" }
        return nil
    }

    /// The report's year: the first `YYYY年度` of its opening lines.
    static func reportYear(_ t: Text) -> Int? {
        for l in t.lines.prefix(12) {
            let chars = Array(l)
            for i in 0..<max(0, chars.count - 5) where chars[i...].starts(with: Array("年度")) == false && isDigit(chars[i]) {
                let y = String(chars[i..<min(chars.count, i + 4)])
                if y.count == 4, y.allSatisfy(isDigit), i + 5 < chars.count + 1, String(chars[(i + 4)..<min(chars.count, i + 6)]) == "年度" { return Int(y) }
            }
        }
        return nil
    }
}

extension ReportChecker {
    static func finding(_ t: Text, _ rule: Rule, _ line: Int, _ subject: String, _ claimed: String, _ expected: String,
                        _ derivation: String, _ status: Status) -> Finding {
        Finding(rule: rule, line: line, page: t.page(line), quote: t.quote(line), subject: subject, claimed: claimed, expected: expected, derivation: derivation, status: status)
    }

    static func show(_ f: Fen, _ t: Token) -> String { t.unit == "元" ? f.yuan : f.wan }

    /// Whether the first amount of a sentence is followed by its own share (占X%) before the next amount.
    static func firstShared(_ cs: [Claim], _ first: Claim) -> Bool {
        let next = cs.first { fen($0.token) != nil && $0.token.start > first.token.start }?.token.start ?? Int.max
        return cs.contains { percent($0.token) != nil && $0.token.before.contains("占") && $0.token.start > first.token.start && $0.token.start < next }
    }
}

extension ReportChecker {
    /// The 项目支出绩效自评表 as printed rows: a row naming an indicator (or a 预算执行 fund row) of the
    /// project last named gives its numbers, in order, to that row's figures; a sentence that is
    /// the unit's recorded words (年度目标, 评价结论 …) states them as the journal holds them.
    static func settleEvaluations(_ text: Text, _ claims: inout [Claim], _ d: Document) {
        var evaluations: [String: ProjectEvaluation] = [:]
        for p in d.parts { for case .evaluation(let e) in p.items { evaluations[e.project.rawValue] = e } }
        guard !evaluations.isEmpty else { return }
        var current: ProjectEvaluation?
        var byLine: [Int: [String]] = [:]
        var words: [Int: String] = [:]
        for (n, raw) in text.lines.enumerated() {
            let line = String(raw.map(Text.normalise)).replacingSpaces
            if let code = evaluations.keys.first(where: { line.contains($0) }) { current = evaluations[code] }
            guard let e = current else { continue }
            var said: String?
            for (key, t) in [("goal", e.goal), ("achieved", e.achieved), ("content", e.content), ("conclusion", e.conclusion),
                             ("problems", e.problems), ("improvements", e.improvements)] {
                guard let t, line.count > 8 else { continue }
                let compact = t.replacingSpaces
                if compact.contains(line) || line.contains(compact) { said = "project.\(e.project).\(key)"; break }
            }
            // The indicator a row names: the name that stands first in the line (a reason may name another).
            let named = e.indicators.compactMap { i -> (Int, ProjectEvaluation.IndicatorRow)? in
                guard let r = line.range(of: i.name.replacingSpaces), line.contains(i.comparator) else { return nil }
                return (line.distance(from: line.startIndex, to: r.lowerBound), i)
            }.min { $0.0 < $1.0 }?.1
            if let s = said {
                words[n + 1] = s
            } else if let i = named {
                // The numbers of the row, in order (a qualitative target and result are words, not numbers).
                byLine[n + 1] = [i.target, i.actual, i.weight, i.score].filter { Quantity(d.figure($0)?.printed ?? "") != nil }
            } else if let r = e.budgetRows.first(where: { line.hasPrefix($0.label) }) {
                byLine[n + 1] = [r.initial, r.budget, r.actual, r.rate] + [r.weight, r.score].compactMap { $0 }
            } else if line.hasPrefix("合计") {
                byLine[n + 1] = [e.totalWeight, e.totalScore]
            }
        }
        var used: [Int: Int] = [:]
        for k in claims.indices {
            let line = claims[k].line
            if let ids = byLine[line] {
                let n = used[line, default: 0]
                if n < ids.count { claims[k].id = ids[n]; used[line] = n + 1 }
            } else if claims[k].id == nil, let key = words[line] {
                claims[k].id = "words:" + key
            }
        }
    }

    /// Every figure whose subject the words name, against the journal's document of the year.
    static func journal(_ claims: [Claim], _ d: Document, _ text: Text) -> [Finding] {
        var out: [Finding] = []
        for c in claims {
            if let id = c.id, id.hasPrefix("words:") {
                out.append(finding(text, .journal, c.line, String(id.dropFirst(6)), c.token.text + c.token.unit, c.token.text + c.token.unit,
                                   "the unit's words as the journal records them (text \(id.dropFirst(6)))", .ok))
                continue
            }
            if let id = c.id, let f = d.figure(id), f.unit == .written || f.unit == .points {
                // A 绩效 value or score: the number as written, whatever unit follows it.
                let v = c.token.text
                let same = Quantity(v).flatMap { a in Quantity(f.printed).map { a.compare($0) == 0 } } ?? (v == f.printed)
                out.append(finding(text, .journal, c.line, id, v, f.printed, "journal: \(id) = \(f.printed) (\(f.source))", same ? .ok : .mismatch))
                continue
            }
            if case .bare(let v) = c.token.kind {
                // A number printed without a unit in a table row the journal's document names.
                guard let id = c.id, let f = d.figure(id) else { continue }
                let same = Quantity(v).flatMap { a in Quantity(f.printed).map { a.compare($0) == 0 } } ?? (v == f.printed)
                out.append(finding(text, .journal, c.line, id, v, f.printed, "journal: \(id) = \(f.printed) (\(f.source))", same ? .ok : .mismatch))
                continue
            }
            guard let id = c.id else {
                out.append(finding(text, .journal, c.line, c.label, c.token.text + c.token.unit, "", "the words do not say which figure this is", .unverifiable))
                continue
            }
            guard let f = d.figure(id) else {
                // What the document leaves unsaid because it is zero: no change (持平), no vehicle of a category.
                if id.hasSuffix(".change-rate"), d.figure(String(id.dropLast(".change-rate".count)) + ".prior") != nil {
                    out.append(finding(text, .zeroBase, c.line, id, c.token.text + c.token.unit, "持平", "journal: no change from the prior year, so no rate", .mismatch))
                } else if id.hasSuffix(".change"), let base = d.figure(String(id.dropLast(".change".count))), d.figure(String(id.dropLast(".change".count)) + ".prior") != nil, let v = base.value {
                    _ = v
                    let claimed = fen(c.token) ?? .zero
                    out.append(finding(text, .journal, c.line, id, c.token.text + c.token.unit, "0（持平）", "journal: equal to the prior year", claimed == .zero ? .ok : .mismatch))
                } else if id.hasPrefix("vehicles."), id.split(separator: ".").count == 3 {
                    let n = count(c.token) ?? -1
                    out.append(finding(text, .journal, c.line, id, c.token.text + c.token.unit, "0", "journal: no vehicle of that category held", n == 0 ? .ok : .mismatch))
                } else {
                    out.append(finding(text, .journal, c.line, id, c.token.text + c.token.unit, "", "the journal's document states no figure \(id)", .unverifiable))
                }
                continue
            }
            let source = "journal: \(id) = \(f.printed) (\(f.source))"
            switch c.token.kind {
            case .amount(let v):
                guard let exact = f.value else { continue }
                let claimed: Int64, want: Int64
                if c.token.unit == "元" { claimed = v.raw; want = exact }
                else {
                    let decimals = c.token.text.split(separator: ".").count > 1 ? c.token.text.split(separator: ".")[1].count : 0
                    var unit: Int64 = 1_000_000
                    for _ in 0..<decimals { unit /= 10 }
                    claimed = v.raw / unit
                    want = (exact.magnitude + UInt64(unit / 2)).quotientAndRemainder(dividingBy: UInt64(unit)).quotient.signed(exact)
                }
                out.append(finding(text, .journal, c.line, id, c.token.text + c.token.unit, f.printed + "万元", source, claimed == want ? .ok : .mismatch))
            case .percent(let v, let decimals):
                guard let exact = f.value else {
                    out.append(finding(text, .zeroBase, c.line, id, c.token.text + "%", "不适用", source + ": its base is zero, so there is no rate", .mismatch))
                    continue
                }
                let p = Percent(hundredths: exact)
                let ok = rounded(p, to: decimals) == v && !(decimals < 2 && (v == 10_000 || v == 0) && exact != v)
                out.append(finding(text, .journal, c.line, id, c.token.text + "%", f.printed + "%", source, ok ? .ok : .mismatch))
            case .count(let n):
                out.append(finding(text, .journal, c.line, id, "\(n)\(c.token.unit)", f.printed, source, Int64(n) == f.value ? .ok : .mismatch))
            case .bare:
                break
            }
        }
        return out
    }
}

extension UInt64 {
    func signed(_ like: Int64) -> Int64 { like < 0 ? -Int64(self) : Int64(self) }
}
