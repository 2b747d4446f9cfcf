import Foundation
import Ledger

/// Checks a published final-accounts report, as text (what `pdftotext -layout` writes): finds
/// every figure it states and says of each whether it is true, against the report itself and,
/// when given, against the journal's document of the same year. Each rule is a small function
/// from the parsed report to findings; the run collects every finding. Nothing here prints.
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

    // MARK: - The text

    /// The report's text, normalised (full-width digits and signs to ASCII), with the line of
    /// every offset.
    struct Text {
        let chars: [Character]
        let lineOf: [Int]
        let lines: [String]
        /// The page of each line (1-based, by line index): a form feed starts a page.
        let pageOfLine: [Int]

        init(_ raw: String) {
            var chars: [Character] = [], lineOf: [Int] = []
            var line = 1
            chars.reserveCapacity(raw.utf8.count / 2)
            for ch in raw {
                let c = Text.normalise(ch)
                // A form feed is a page break, not text: a word or sentence runs on across it.
                if c == "\r" || c == "\u{0C}" { continue }
                chars.append(c); lineOf.append(line)
                if c == "\n" { line += 1 }
            }
            self.chars = chars; self.lineOf = lineOf
            let raws = raw.split(separator: "\n", omittingEmptySubsequences: false)
            var page = 1, pages: [Int] = []
            pages.reserveCapacity(raws.count)
            for l in raws {
                page += l.filter { $0 == "\u{0C}" }.count
                pages.append(page)
            }
            pageOfLine = pages
            lines = raws.map { String($0.filter { $0 != "\u{0C}" && $0 != "\r" }) }
            gapped = lines.map { l in
                // A run of three spaces inside the line (not at its ends): a layout table's column gap.
                var run = 0, seen = false, gap = false
                for c in l {
                    if c == " " || c == "\t" || c == "\u{3000}" { run += 1 } else { if seen && run >= 3 { gap = true; break }; seen = true; run = 0 }
                }
                return gap
            }
        }

        /// Whether each line (by index) has a column gap inside it.
        let gapped: [Bool]

        /// The page a 1-based line stands on.
        func page(_ line: Int) -> Int { line >= 1 && line <= pageOfLine.count ? pageOfLine[line - 1] : 1 }

        static func normalise(_ c: Character) -> Character {
            guard let s = c.unicodeScalars.first, c.unicodeScalars.count == 1 else { return c }
            switch s.value {
            case 0xFF10...0xFF19: return Character(Unicode.Scalar(s.value - 0xFF10 + 0x30)!)
            case 0xFF0E: return "."
            case 0xFF05: return "%"
            case 0xFF0B: return "+"
            case 0xFF0D: return "-"
            case 0x3000, 0x00A0, 0x09: return " "
            default: return c
            }
        }

        func line(_ offset: Int) -> Int { offset < lineOf.count ? lineOf[offset] : (lineOf.last ?? 1) }

        /// Whether the line ending at `newline` (an offset of "\n") is prose that may wrap into the next:
        /// no run of three spaces (a layout table's column gap) in it or in the next line.
        func prose(endingAt newline: Int) -> Bool {
            let l = line(newline)
            guard l >= 1, l < lines.count else { return false }
            return !gapped[l - 1] && !gapped[l]
        }
        func quote(_ line: Int) -> String {
            guard line >= 1, line <= lines.count else { return "" }
            let l = lines[line - 1].trimmingSpacesAndTabs
            return l.count > 120 ? String(l.prefix(120)) + "…" : l
        }
    }

    /// A number the report states, with what follows it.
    struct Token {
        enum Kind { case amount(Fen), percent(Int64, decimals: Int), count(Int), bare(String) }
        var kind: Kind
        var text: String
        var start: Int, end: Int
        /// The clause before it (back to the last , ; : 。 or line start), normalised.
        var before: String
        var unit: String
    }

    /// A sentence: up to 。 or a blank line.
    struct Sentence {
        var start: Int, end: Int
        var text: String
        var tokens: [Token]
    }

    static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

    static func sentences(_ t: Text) -> [Sentence] {
        var out: [Sentence] = []
        var start = 0, i = 0
        let n = t.chars.count
        func close(_ end: Int) {
            if end > start { out.append(Sentence(start: start, end: end, text: String(t.chars[start..<end]), tokens: tokens(t, start, end))) }
            start = end
        }
        while i < n {
            let c = t.chars[i]
            if c == "。" { close(i + 1) }
            else if c == "\n", i + 1 < n, t.chars[i + 1] == "\n" { close(i + 1) }
            else if c == "\n", i + 1 < n, startsItem(t, i + 1) { close(i + 1) }
            i += 1
        }
        close(n)
        return out
    }

    /// A line that begins a numbered item or heading (一、 （一） 1. 2023年度…) starts a sentence.
    static func startsItem(_ t: Text, _ i: Int) -> Bool {
        var j = i
        while j < t.chars.count, t.chars[j] == " " { j += 1 }
        guard j < t.chars.count else { return false }
        let c = t.chars[j]
        if "（(".contains(c) { return true }
        // 一、 十一、 二十三． — not 一般公共预算… (a line may begin with the word 一般).
        if "一二三四五六七八九十".contains(c) {
            var k = j
            while k < t.chars.count, "一二三四五六七八九十".contains(t.chars[k]) { k += 1 }
            return k < t.chars.count && "、.．".contains(t.chars[k])
        }
        if isDigit(c) {
            var k = j
            while k < t.chars.count, isDigit(t.chars[k]) { k += 1 }
            guard k < t.chars.count else { return false }
            // 3. and 12、 number items; 747.78 (an amount wrapped to the line's start) does not.
            if t.chars[k] == "." { return k - j <= 2 && !(k + 1 < t.chars.count && isDigit(t.chars[k + 1])) }
            return t.chars[k] == "、" || t.chars[k] == "年"
        }
        return false
    }

    static let countUnits = ["批次", "人次", "辆", "个", "人", "次", "宗", "场次", "项", "台", "套", "团组"]

    static func tokens(_ t: Text, _ from: Int, _ to: Int) -> [Token] {
        var out: [Token] = []
        var i = from
        while i < to {
            guard isDigit(t.chars[i]), i == from || !(isDigit(t.chars[i - 1]) || t.chars[i - 1] == "." || t.chars[i - 1].isLetter && t.chars[i - 1].isASCII) else { i += 1; continue }
            var j = i
            var text = ""
            while j < to, isDigit(t.chars[j]) || (t.chars[j] == "," && j + 3 < to && isDigit(t.chars[j + 1]) && isDigit(t.chars[j + 3])) || (t.chars[j] == "." && j + 1 < to && isDigit(t.chars[j + 1])) {
                if t.chars[j] != "," { text.append(t.chars[j]) }
                j += 1
            }
            // What follows: 万元, 元, %, a count unit — read across a line wrap (万\n元, 4755.32\n万元).
            var k = j
            while k < to, t.chars[k] == " " || t.chars[k] == "\n" { k += 1 }
            var restChars: [Character] = [], restEnds: [Int] = []
            var q = k
            while q < to, restChars.count < 3 {
                if t.chars[q] != " " && t.chars[q] != "\n" { restChars.append(t.chars[q]); restEnds.append(q + 1) }
                q += 1
            }
            let rest = String(restChars)
            /// The offset just after the `n`th character of what follows.
            func after(_ n: Int) -> Int { n <= restEnds.count && n > 0 ? restEnds[n - 1] : k + n }
            // The clause before it, back to the last , ; : 。 — a line wrap does not end a clause in prose
            // (社会保障和就业\n支出（类）); a table row's line does.
            var clauseStart = i
            while clauseStart > from, i - clauseStart < 240, !"，,；;：:。".contains(t.chars[clauseStart - 1]) {
                if t.chars[clauseStart - 1] == "\n", !t.prose(endingAt: clauseStart - 1) { break }
                clauseStart -= 1
            }
            let before = String(t.chars[clauseStart..<i]).replacingSpaces
            // A year (2023年, 2023年度) is not a figure; nor is a threshold (单价50万元以上).
            if text.count == 4 && (rest.hasPrefix("年") || rest.hasPrefix("-")) { i = j; continue }
            // A classification code opening a table row (30310 个人农业生产补贴) is not a figure.
            var p = i - 1
            while p >= from, t.chars[p] == " " { p -= 1 }
            if (p < from || t.chars[p] == "\n"), [3, 5, 7].contains(text.count), !text.contains(".") { i = j; continue }
            let further = String(t.chars[min(to, after(2))..<min(to, after(2) + 3)])
            if rest.hasPrefix("万元") && (further.hasPrefix("以上") || further.hasPrefix("以下")) { i = j; continue }
            let kind: Token.Kind, unit: String, end: Int
            if rest.hasPrefix("万元") {
                guard let f = amount(text, scale: 6) else { i = j; continue }
                kind = .amount(f); unit = "万元"; end = after(2)
            } else if rest.hasPrefix("元") {
                guard let f = amount(text, scale: 2) else { i = j; continue }
                kind = .amount(f); unit = "元"; end = after(1)
            } else if rest.hasPrefix("%") {
                let parts = text.split(separator: ".")
                guard let v = percentHundredths(text) else { i = j; continue }
                kind = .percent(v, decimals: parts.count > 1 ? parts[1].count : 0); unit = "%"; end = after(1)
            } else if let u = countUnits.first(where: { rest.hasPrefix($0) }), let n = Int(text) {
                kind = .count(n); unit = u; end = after(u.count)
            } else {
                kind = .bare(text); unit = ""; end = j
            }
            out.append(Token(kind: kind, text: text, start: i, end: end, before: before, unit: unit))
            i = max(j, end)
        }
        return out
    }

    /// A decimal text as 分 (`scale` decimals make one 分: 6 for 万元, 2 for 元).
    static func amount(_ text: String, scale: Int) -> Fen? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]), parts[0].count <= 12 else { return nil }
        let frac = parts.count > 1 ? String(parts[1]) : ""
        guard frac.count <= scale, frac.allSatisfy(isDigit) else { return nil }
        var v = whole
        for _ in 0..<scale { v *= 10 }
        var f: Int64 = 0
        for c in frac { f = f * 10 + Int64(String(c))! }
        for _ in frac.count..<scale { f *= 10 }
        return Fen(v + f)
    }

    static func percentHundredths(_ text: String) -> Int64? {
        let parts = text.split(separator: ".")
        guard let whole = Int64(parts[0]), whole < 1_000_000 else { return nil }
        var frac: Int64 = 0
        if parts.count > 1 {
            let d = Array(parts[1].prefix(3))
            for c in d { frac = frac * 10 + Int64(String(c))! }
            for _ in 0..<max(0, 2 - d.count) { frac *= 10 }
            if d.count == 3 { frac = (frac + 5) / 10 }
        }
        return whole * 100 + frac
    }
}

extension String {
    var trimmingSpacesAndTabs: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "　" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "　" { s = s.dropLast() }
        return String(s)
    }
    var replacingSpaces: String { String(filter { $0 != " " && $0 != "\n" }) }
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
    /// What the rules that read figures share: the report's own figures by subject (first statement), the claims of each sentence.
    struct Facts {
        let text: Text
        let claims: [Claim]
        let known: [String: (Fen, Token)]
        let bySentence: [Int: [Claim]]
        let withJournal: Bool
    }

    /// Shares, completion rates, changes, parts against wholes, 其中 against wholes, sign words, figures stated twice:
    /// the report against itself, one rule at a time.
    static func arithmetic(_ sentences: [Sentence], _ claims: [Claim], _ text: Text, withJournal: Bool) -> [Finding] {
        var known: [String: (Fen, Token)] = [:]
        for c in claims { if let id = c.id, let f = fen(c.token), known[id] == nil { known[id] = (f, c.token) } }
        var bySentence: [Int: [Claim]] = [:]
        for c in claims { bySentence[c.sentence, default: []].append(c) }
        let x = Facts(text: text, claims: claims, known: known, bySentence: bySentence, withJournal: withJournal)
        var out: [Finding] = []
        for (k, s) in sentences.enumerated() {
            let cs = bySentence[k] ?? []
            out += shares(k, s, cs, x)
            out += completions(k, s, cs, x)
            out += partsInSentence(k, s, cs, x)
            out += changes(k, s, cs, x)
            out += qizhong(k, s, cs, x)
        }
        out += partsAcrossSentences(x, sentenceParts: Set(out.filter { $0.rule == .partsSum }.map(\.line)))
        out += sameFigures(x)
        return out
    }

    /// share: 占X% of the whole (the sentence's first amount, or the whole the words name).
    static func shares(_ k: Int, _ s: Sentence, _ cs: [Claim], _ x: Facts) -> [Finding] {
        var out: [Finding] = []
        let text = x.text, known = x.known
        let amounts = cs.filter { fen($0.token) != nil }
        // share: 占X% of the whole (the sentence's first amount, or the whole the words name).
        for (i, c) in cs.enumerated() {
            guard let (rate, decimals) = percent(c.token), c.token.before.contains("占") else { continue }
            guard let part = cs[..<i].last(where: { fen($0.token) != nil }) else { continue }
            var whole: (Fen, Token)?
            let named = c.token.before.range(of: "占", options: .backwards).map { String(c.token.before[$0.upperBound...]) } ?? ""
            if c.token.before.contains("本年支出合计") { whole = known["expense.total"] }
            else if let id = subject(named), let w = known[id], id != part.id { whole = w }
            else if c.token.before.contains("政府采购支出总额") { whole = known["procurement.total"] }
            else if let first = amounts.first, first.token.start != part.token.start, !firstShared(cs, first) { whole = (fen(first.token)!, first.token) }
            else if let first = amounts.first, firstShared(cs, first) {
                // Every amount has its share: the whole is the subject the sentence opens with, stated before.
                let opening = String(text.chars[s.start..<first.token.start])
                whole = subject(String(opening.prefix(while: { $0 != "，" && $0 != "," }))).flatMap { $0 == part.id ? nil : known[$0] }
            }
            let subject = part.id ?? part.label
            guard let (w, wt) = whole else {
                out.append(finding(text, .share, c.line, subject, c.token.text + "%", "", "the whole it is a share of is not stated", .unverifiable))
                continue
            }
            let p = fen(part.token)!
            guard let exact = Percent(p, of: w) else {
                out.append(finding(text, .zeroBase, c.line, subject, c.token.text + "%", "不适用",
                                   "a share of \(show(w, wt)) (zero) is not a number", .mismatch))
                continue
            }
            let derivation = "\(show(p, part.token)) ÷ \(show(w, wt)) = \(exact)%"
            if rounded(exact, to: decimals) == rate && !(decimals < 2 && (rate == 10_000 || rate == 0) && exact.hundredths != rate) {
                out.append(finding(text, .share, c.line, subject, c.token.text + "%", exact.description, derivation, .ok))
            } else if consistent(rate, decimals: decimals, part: p, dp: halfUnit(part.token), whole: w, dw: halfUnit(wt)) {
                out.append(finding(text, .share, c.line, subject, c.token.text + "%", exact.description,
                                   derivation + "; the printed amounts are each rounded to their last digit, which explains the difference", .rounding))
            } else {
                out.append(finding(text, .share, c.line, subject, c.token.text + "%", exact.description, derivation, .mismatch))
            }
        }
        return out
    }
    /// completion: 完成预算X% = 决算 ÷ 预算, the budget of the same subject, when the sentence states it.
    static func completions(_ k: Int, _ s: Sentence, _ cs: [Claim], _ x: Facts) -> [Finding] {
        var out: [Finding] = []
        let text = x.text, withJournal = x.withJournal
        // completion: 完成预算X% = 决算 ÷ 预算, when the sentence states the budget.
        for (i, c) in cs.enumerated() {
            guard let (rate, decimals) = percent(c.token), (c.token.before.contains("完成预算") || c.token.before.contains("完成年初预算")) else { continue }
            let subject = c.id ?? c.label
            // The outturn is the last amount before the rate; its budget is stated after the outturn before it
            // (三公: 年初预算 of the whole, then each item's 决算 with its own rate).
            let isBudget = { (c: Claim) in c.token.before.contains("调整后预算") || c.token.before.contains("预算数为") || c.token.before.contains("年初预算")
                || (c.id.map { $0.hasSuffix(".initial") || $0.hasSuffix(".budget") } ?? false) }
            let actualIndex = cs[..<i].lastIndex { fen($0.token) != nil && !isBudget($0) && !($0.token.before.contains("预算") && !$0.token.before.contains("决算")) }
            let actual = actualIndex.map { cs[$0] }
            let floor = actualIndex.flatMap { a in cs[..<a].lastIndex { fen($0.token) != nil && !isBudget($0) } } ?? -1
            let window = actualIndex.map { a in Array(cs[(floor + 1)..<a]) } ?? []
            let budget = window.last { fen($0.token) != nil && ($0.token.before.contains("调整后预算") || $0.token.before.contains("预算数为")) }
                ?? window.last { fen($0.token) != nil && isBudget($0) }
            guard let b = budget, let a = actual, let bv = fen(b.token), let av = fen(a.token) else {
                if withJournal { continue }   // the journal rule compares it with the books
                out.append(finding(text, .completion, c.line, subject, c.token.text + "%", "", "the report states no budget for it here (check it with --journal)", .unverifiable))
                continue
            }
            guard let exact = Percent(av, of: bv) else {
                out.append(finding(text, .zeroBase, c.line, subject, c.token.text + "%", "不适用", "a budget of 0: no completion rate", .mismatch))
                continue
            }
            let derivation = "\(show(av, a.token)) ÷ \(show(bv, b.token)) = \(exact)%"
            let status: Status = rounded(exact, to: decimals) == rate && !(decimals < 2 && (rate == 10_000 || rate == 0) && exact.hundredths != rate) ? .ok
                : (consistent(rate, decimals: decimals, part: av, dp: halfUnit(a.token), whole: bv, dw: halfUnit(b.token)) && decimals == 2 ? .rounding : .mismatch)
            out.append(finding(text, .completion, c.line, subject, c.token.text + "%", exact.description, derivation, status))
        }
        return out
    }
    /// parts-sum: parts given with shares that make 100% add up to the whole.
    static func partsInSentence(_ k: Int, _ s: Sentence, _ cs: [Claim], _ x: Facts) -> [Finding] {
        var out: [Finding] = []
        let text = x.text
        let amounts = cs.filter { fen($0.token) != nil }
        // parts-sum: parts given with shares that make 100% add up to the whole.
        let shared = cs.enumerated().filter { percent($0.element.token) != nil && $0.element.token.before.contains("占") && !$0.element.token.before.contains("本年支出合计") }
        if shared.count >= 2, let whole = amounts.first {
            let parts = shared.compactMap { pair in cs[..<pair.offset].last(where: { fen($0.token) != nil }) }
            let shareSum = shared.compactMap { percent($0.element.token)?.0 }.reduce(0, +)
            if parts.count == shared.count, !parts.contains(where: { $0.token.start == whole.token.start }), abs(shareSum - 10_000) <= 10 {
                let sum = parts.map { fen($0.token)! }.sum(), w = fen(whole.token)!
                let slack = parts.map { halfUnit($0.token) }.reduce(halfUnit(whole.token), +)
                let derivation = parts.map { show(fen($0.token)!, $0.token) }.joined(separator: " + ") + " = \(show(sum, whole.token))"
                let status: Status = sum == w ? .ok : (abs((sum - w).raw) <= slack ? .rounding : .mismatch)
                out.append(finding(text, .partsSum, whole.line, whole.id ?? whole.label, show(w, whole.token), show(sum, whole.token),
                                   derivation + (status == .rounding ? "; each printed part is rounded on its own" : ""), status))
            }
        }
        return out
    }
    /// change and sign-word: 增加/减少 X with its rate P%: P = X ÷ (this year ∓ X); the words agree with the sign.
    static func changes(_ k: Int, _ s: Sentence, _ cs: [Claim], _ x: Facts) -> [Finding] {
        var out: [Finding] = []
        let text = x.text, known = x.known, bySentence = x.bySentence
        // change: 增加/减少 X, 增长/下降 P%: P = X ÷ (this year ∓ X).
        for (i, c) in cs.enumerated() {
            guard let change = fen(c.token), c.token.before.hasSuffix("增加") || c.token.before.hasSuffix("减少") else { continue }
            let up = c.token.before.hasSuffix("增加")
            // Its rate: the next percentage whose own words call it a rate (增长 / 下降 / 增幅 / 降幅 …), not a
            // percentage a reason quotes (统一压减10%).
            guard let r = cs[(i + 1)...].first(where: { percent($0.token) != nil && isRateWord($0.token.before) }),
                  !cs[(i + 1)...].contains(where: { fen($0.token) != nil && $0.token.start < r.token.start }),
                  let (rate, decimals) = percent(r.token) else { continue }
            let word = r.token.before
            if change == .zero {
                out.append(finding(text, .zeroBase, r.line, c.id ?? c.label, r.token.text + "%", "持平", "no change: the figures are equal (持平), no rate", .mismatch))
                continue
            }
            // The rate's word: 增长 / 增幅 / 上升 / 增长率 rise; 下降 / 降幅 / 减少 / 降低 fall.
            let tail = String(word.suffix(4))
            let falls = ["下降", "降幅", "降低", "减少", "减幅"].contains { tail.contains($0) }
            let rises = ["增长", "增幅", "上升", "增加"].contains { tail.contains($0) }
            if !word.contains("/") && !c.token.before.contains("/"), (up && falls && !rises) || (!up && rises && !falls) {
                out.append(finding(text, .signWord, r.line, c.id ?? c.label, (up ? "增加" : "减少") + "…" + (falls ? "下降" : "增长"),
                                   up ? "增加…增长" : "减少…下降", "an increase grows, a decrease falls", .mismatch))
            }
            let base = c.id.map { String($0.dropLast(".change".count)) }
            // This year's figure: the subject's, else the amount the change follows — earlier in the sentence, or
            // the last of the sentence before (…支出7448.2万元，与上年相比增加1075.88万元).
            let nearby = cs[..<i].last { fen($0.token) != nil && !($0.id?.hasSuffix(".change") ?? false) && !$0.token.before.hasSuffix("增加") && !$0.token.before.hasSuffix("减少") }
                ?? (k > 0 ? bySentence[k - 1]?.last { fen($0.token) != nil && !$0.token.before.hasSuffix("增加") && !$0.token.before.hasSuffix("减少") } : nil)
            let positional = nearby.map { (fen($0.token)!, $0.token) }
            guard let b = base ?? nearby?.id ?? nearby.map({ $0.label }), let (now, nowToken) = known[b] ?? positional else {
                out.append(finding(text, .change, r.line, c.id ?? c.label, r.token.text + "%", "", "this year's figure is not stated", .unverifiable))
                continue
            }
            let prior = up ? now - change : now + change
            guard let exact = Percent(change, of: prior) else {
                out.append(finding(text, .zeroBase, r.line, b, r.token.text + "%", "不适用", "the prior year's figure is 0: no rate", .mismatch))
                continue
            }
            let derivation = "\(show(change, c.token)) ÷ (\(show(now, nowToken)) \(up ? "−" : "+") \(show(change, c.token)) = \(show(prior, nowToken))) = \(exact)%"
            if rounded(exact, to: decimals) == rate {
                out.append(finding(text, .change, r.line, b, r.token.text + "%", exact.description, derivation, .ok))
            } else if consistent(rate, decimals: decimals, part: change, dp: halfUnit(c.token), whole: prior, dw: halfUnit(nowToken) + halfUnit(c.token)) {
                out.append(finding(text, .change, r.line, b, r.token.text + "%", exact.description, derivation + "; within the rounding of the printed amounts", .rounding))
            } else {
                out.append(finding(text, .change, r.line, b, r.token.text + "%", exact.description, derivation, .mismatch))
            }
        }
        out += ratesOfTwoYears(cs, text)
        return out
    }

    /// change, where no amount of change is printed: 上年（执行数）A万元，本年B万元，比上年增长P% — P = (B − A) ÷ A.
    static func ratesOfTwoYears(_ cs: [Claim], _ text: Text) -> [Finding] {
        var out: [Finding] = []
        let priorWords = ["上年", "执行数", "上一年"]
        for (i, r) in cs.enumerated() {
            guard let (rate, decimals) = percent(r.token), isRateWord(r.token.before) else { continue }
            let before = cs[..<i].filter { fen($0.token) != nil }
            guard before.count >= 2, !before.contains(where: { $0.token.before.hasSuffix("增加") || $0.token.before.hasSuffix("减少") }) else { continue }
            let a = before[before.count - 2], b = before[before.count - 1]
            let aPrior = priorWords.contains { a.token.before.contains($0) }, bPrior = priorWords.contains { b.token.before.contains($0) }
            guard aPrior != bPrior else { continue }
            let (prior, now) = aPrior ? (a, b) : (b, a)
            let p = fen(prior.token)!, n = fen(now.token)!
            let diff = n - p
            guard let exact = Percent(Fen(abs(diff.raw)), of: p) else { continue }
            let word = String(r.token.before.suffix(4))
            let falls = ["下降", "降幅", "降低", "减少", "减幅"].contains { word.contains($0) }
            let derivation = "(\(show(n, now.token)) − \(show(p, prior.token))) ÷ \(show(p, prior.token)) = \(diff.raw < 0 ? "−" : "")\(exact)%"
            if diff.raw != 0, falls != (diff.raw < 0) {
                out.append(finding(text, .signWord, r.line, now.id ?? now.label, falls ? "下降" : "增长", diff.raw < 0 ? "下降" : "增长", derivation, .mismatch))
                continue
            }
            let status: Status = rounded(exact, to: decimals) == rate ? .ok
                : (consistent(rate, decimals: decimals, part: Fen(abs(diff.raw)), dp: halfUnit(now.token) + halfUnit(prior.token), whole: p, dw: halfUnit(prior.token)) ? .rounding : .mismatch)
            out.append(finding(text, .change, r.line, now.id ?? now.label, r.token.text + "%", exact.description, derivation, status))
        }
        return out
    }
    /// qizhong: counts after 其中 never exceed the whole before it.
    static func qizhong(_ k: Int, _ s: Sentence, _ cs: [Claim], _ x: Facts) -> [Finding] {
        var out: [Finding] = []
        let text = x.text
        // qizhong: counts (and amounts) after 其中 never exceed the whole before it.
        if let q = s.text.range(of: "其中") {
            let qOffset = s.start + s.text.distance(from: s.text.startIndex, to: q.lowerBound)
            let before = cs.filter { $0.token.end <= qOffset }, after = cs.filter { $0.token.start > qOffset }
            if let whole = before.last(where: { count($0.token) != nil }), let w = count(whole.token) {
                let parts = after.filter { count($0.token) != nil && $0.token.unit == whole.token.unit }
                let sum = parts.compactMap { count($0.token) }.reduce(0, +)
                if !parts.isEmpty {
                    out.append(finding(text, .qizhong, parts[0].line, whole.id ?? whole.label, "\(w)\(whole.token.unit)，其中 \(sum)\(whole.token.unit)",
                                       sum <= w ? "≤ \(w)" : "其中 ≤ \(w)", "the parts (\(sum)) of a whole of \(w)", sum <= w ? .ok : .mismatch))
                }
            }
        }
        return out
    }
    /// parts-sum across sentences: wholes the template breaks down, where the report states every part.
    static func partsAcrossSentences(_ x: Facts, sentenceParts: Set<Int>) -> [Finding] {
        var out: [Finding] = []
        let text = x.text, known = x.known, claims = x.claims
    // parts-sum across sentences: wholes the template breaks down, where the report states every part.
    let decompositions: [(String, [String])] = [
        ("basic.expense", ["basic.personnel", "basic.running"]), ("expense.total", ["expense.basic", "expense.project"]),
        ("sangong.total", ["sangong.abroad", "sangong.vehicles", "sangong.reception"]),
        ("sangong.vehicles", ["sangong.vehicle-purchase", "sangong.vehicle-running"]),
        ("sangong.reception", ["sangong.reception.domestic", "sangong.reception.foreign"]),
        ("procurement.total", ["procurement.goods", "procurement.works", "procurement.services"]),
    ]
    let inSentence = sentenceParts
    for (whole, parts) in decompositions {
        guard let (w, wt) = known[whole], parts.allSatisfy({ known[$0] != nil }) else { continue }
        let line = claims.first { $0.id == whole }!.line
        if inSentence.contains(line) { continue }
        let values = parts.map { known[$0]! }
        let sum = values.map(\.0).sum()
        let slack = values.map { halfUnit($0.1) }.reduce(halfUnit(wt), +)
        let status: Status = sum == w ? .ok : (abs((sum - w).raw) <= slack ? .rounding : .mismatch)
        out.append(finding(text, .partsSum, line, whole, show(w, wt), show(sum, wt),
                           values.map { show($0.0, $0.1) }.joined(separator: " + ") + " = \(show(sum, wt))"
                            + (status == .rounding ? "; each printed figure is rounded on its own to 0.01, which explains the difference" : ""), status))
    }
        return out
    }

    /// same-figure: a subject stated twice with two values.
    static func sameFigures(_ x: Facts) -> [Finding] {
        var out: [Finding] = []
        let text = x.text, claims = x.claims
    // same-figure: a subject stated twice with two values.
    var seen: [String: Claim] = [:]
    for c in claims {
        guard let id = c.id, let f = fen(c.token) else { continue }
        if let first = seen[id], let g = fen(first.token), f != g {
            // The same figure printed twice: equal at the coarser of the two precisions.
            let unit = max(halfUnit(first.token), halfUnit(c.token)) * 2
            let same = unit > 0 && (f.raw + unit / 2) / unit == (g.raw + unit / 2) / unit && halfUnit(first.token) != halfUnit(c.token)
            out.append(finding(text, .sameFigure, c.line, id, show(f, c.token), show(g, first.token),
                               "stated as \(show(g, first.token)) at line \(first.line)", same ? .rounding : .mismatch))
        } else if seen[id] == nil { seen[id] = c }
    }
        return out
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
