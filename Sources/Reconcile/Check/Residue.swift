import Foundation
import Ledger

/// The rules that read words, not sums: placeholder, alternative, punctuation, year, unit-missing (an amount
/// without 万元 / 元, a share without %), and comparison (大于 / 小于 / 持平 against the two figures).
extension ReportChecker {
    /// Where `word` starts in `hay` at or after `from`, by characters.
    static func find(_ word: [Character], in hay: [Character], from: Int = 0) -> Int? {
        guard !word.isEmpty, hay.count >= word.count, from <= hay.count - word.count else { return nil }
        var i = from
        while i <= hay.count - word.count {
            if hay[i] == word[0] && hay[i..<(i + word.count)].elementsEqual(word) { return i }
            i += 1
        }
        return nil
    }

    static let placeholders: [[Character]] = ["**", "＊＊", "×××", "XX", "xx", "待填写"].map { Array($0) }
    static let alternatives: [[Character]] = ["增加/减少", "增长/下降", "大于/小于", "增加（减少）", "增长（下降）", "增长（减少）", "增加（下降）",
                                              "增加(减少)", "增长(减少)", "增长(下降)", "大于（小于）", "增加或减少", "大小于", "减增加", "增减少"].map { Array($0) }
    static let doubled: [[Character]] = ["。。", "，，", "；；", "：：", "、、", "，。", "。，"].map { Array($0) }

    /// Placeholders, unresolved alternatives, doubled punctuation, wrong years, amounts without a unit. Each line is
    /// read with the head of the next when it wraps inside prose, so a word split by the wrap (增加（\n减少）) reads.
    static func residue(_ text: Text, _ sentences: [Sentence], year: Int?, final: Bool, document: Document?, claims: [Claim]) -> [Finding] {
        var out: [Finding] = []
        let compact = text.lines.map { Array(String($0.map(Text.normalise)).replacingSpaces) }
        for n in compact.indices {
            let line = n + 1
            let own = compact[n]
            guard !own.isEmpty else { continue }
            // The line and, when it wraps into the next, that line's head: a match must start on this line.
            var l = own
            if n + 1 < compact.count, text.lines[n].trimmingSpacesAndTabs.count > 0, !text.lines[n].contains("   ") { l += compact[n + 1].prefix(8) }
            for p in placeholders where own.contains(p[0]) {
                guard let at = find(p, in: l), at < own.count else { continue }
                // The figure a placeholder stands for, when the words say which.
                let before = String(l[..<at])
                let clause = before.split(whereSeparator: { "，,；;：:。".contains($0) }).last.map(String.init) ?? before
                let id = subject(clause)
                let expected = id.flatMap { document?.figure($0)?.printed } ?? "a figure"
                out.append(finding(text, .placeholder, line, id ?? clause, String(p), expected, "a placeholder where a figure belongs", .mismatch))
                break
            }
            // A year left as a template's stub: 202 年度, 20XX年.
            for i in own.indices where isDigit(own[i]) && (i == 0 || !isDigit(own[i - 1])) {
                var j = i
                while j < own.count, isDigit(own[j]) { j += 1 }
                if j - i == 3, own[i] == "2", own[i + 1] == "0", j < own.count, own[j] == "年" {
                    out.append(finding(text, .placeholder, line, "year", String(own[i..<j]) + "年", "a four-digit year", "a year with a digit missing", .mismatch))
                }
            }
            let marks: Set<Character> = ["。", "，", "；", "：", "、"]
            let pairs = l.indices.dropLast().contains { marks.contains(l[$0]) && marks.contains(l[$0 + 1]) }
            for d in doubled where pairs {
                guard let at = find(d, in: l), at < own.count else { continue }
                out.append(finding(text, .punctuation, line, "", String(d), String(d.prefix(1)), "doubled punctuation", .mismatch))
            }
            if let y = year { out += years(text, line: line, l, own: own.count, year: y, final: final) }
        }
        // alternative: read per sentence, across wraps (增加（\n减少）).
        for sentence in sentences {
            // Every alternative holds 少, 降, 于 or 加: a sentence with none of them is skipped unread.
            guard text.chars[sentence.start..<sentence.end].contains(where: { $0 == "少" || $0 == "降" || $0 == "于" || $0 == "加" }) else { continue }
            var chars: [Character] = [], offsets: [Int] = []
            for i in sentence.start..<sentence.end where text.chars[i] != " " && text.chars[i] != "\n" { chars.append(text.chars[i]); offsets.append(i) }
            var hits: [(Int, String)] = []
            for alt in alternatives {
                var from = 0
                while let at = find(alt, in: chars, from: from) { hits.append((at, String(alt))); from = at + alt.count }
            }
            // 大小于 and 大于/小于 may overlap: keep the first at each place. Each is a finding, at the line where it is
            // read whole (a word split by a wrap ends on the next line).
            hits.sort { $0.0 < $1.0 }
            var kept: [(Int, String)] = []
            for h in hits where !kept.contains(where: { abs($0.0 - h.0) < 3 }) { kept.append(h) }
            for (at, alt) in kept {
                let line = text.line(offsets[min(offsets.count - 1, at + alt.count - 1)])
                out.append(finding(text, .alternative, line, "", alt, "one word chosen by the figure's sign, or 持平", "a template's alternative left unresolved", .mismatch))
            }
        }
        // unit-missing: an amount-like number (two decimals) stated as an amount with no unit; a share with no %.
        for c in claims {
            guard case .bare(let v) = c.token.kind, v.split(separator: ".").count == 2, v.split(separator: ".")[1].count == 2 else { continue }
            let b = c.token.before
            if ["决算数为", "支出为", "收入为", "预算为", "决算为"].contains(where: { b.hasSuffix($0) }) {
                out.append(finding(text, .unitMissing, c.line, subject(b) ?? b, v, v + "万元", "an amount states its unit", .mismatch))
            } else if b.hasSuffix("占") || (b.contains("占") && b.hasSuffix("的")) {
                out.append(finding(text, .unitMissing, c.line, subject(b) ?? b, v, v + "%", "a share states its %", .mismatch))
            }
        }
        return out
    }

    /// year: a heading's 年度, 截至 … 12月31日 and 比 / 与 … 年(度) against the report's year. Both a 决算 and a 预算 of
    /// year Y compare with Y − 1 (上年): a 决算 with the prior 决算, a 预算 with the prior 预算.
    static func years(_ text: Text, line: Int, _ l: [Character], own: Int, year y: Int, final: Bool) -> [Finding] {
        var out: [Finding] = []
        func number(at i: Int) -> Int? {
            guard i + 4 <= l.count, l[i..<(i + 4)].allSatisfy(isDigit), i + 4 == l.count || !isDigit(l[i + 4]), i == 0 || !isDigit(l[i - 1]) else { return nil }
            return Int(String(l[i..<(i + 4)]))
        }
        for marker in [Array("截至"), Array("截止")] {
            guard let at = find(marker, in: l), at < own, let v = number(at: at + 2), v != y else { continue }
            if l.count >= at + 13, l[at + 6] == "年", String(l[(at + 7)..<(at + 13)]) == "12月31日" {
                out.append(finding(text, .year, line, "date", "\(v)年12月31日", "\(y)年12月31日", "the report is of \(y)", .mismatch))
            }
        }
        // 与2024年度相比 / 比2023年预算: the year compared with is the year before the report's.
        var compared = Set<Int>()
        for marker in [Array("与"), Array("比")] {
            var from = 0
            while let at = find(marker, in: l, from: from), at < own {
                from = at + 1
                guard let v = number(at: at + 1), at + 5 < l.count, l[at + 5] == "年" else { continue }
                let rest = String(l[(at + 6)..<min(l.count, at + 14)])
                let compares = marker == Array("比") ? !rest.hasPrefix("底") : (rest.hasPrefix("相比") || rest.hasPrefix("度相比") || rest.hasPrefix("决算相比")
                    || rest.hasPrefix("预算相比") || rest.hasPrefix("度决算相比") || rest.hasPrefix("度预算相比"))
                guard compares, v != y - 1 else { continue }
                compared.insert(at + 1)
                out.append(finding(text, .year, line, "compared year", "\(v)年", "\(y - 1)年", "the \(y) \(final ? "决算" : "预算") compares with the year before", .mismatch))
            }
        }
        let heading = String(l)
        if line <= 3 || heading.contains("年度单位决算") || heading.contains("决算情况说明") || heading.contains("年度部门决算") || heading.contains("年度部门预算") {
            for i in 0..<max(0, own) where isDigit(l[i]) {
                guard !compared.contains(i), let v = number(at: i), i + 6 <= l.count, String(l[(i + 4)..<(i + 6)]) == "年度", v != y, v != y - 1 else { continue }
                out.append(finding(text, .year, line, "heading", "\(v)年度", "\(y)年度", "a heading of the \(y) report", .mismatch))
            }
        }
        return out
    }

    /// comparison: 决算数大于 / 小于 / 等于预算数, 持平, against the outturn and the budget stated just before.
    static func comparisons(_ sentences: [Sentence], _ claims: [Claim], _ text: Text) -> [Finding] {
        var out: [Finding] = []
        var bySentence: [Int: [Claim]] = [:]
        for c in claims where fen(c.token) != nil { bySentence[c.sentence, default: []].append(c) }
        let words: [(String, Int)] = [("决算数大于预算数", 1), ("决算数小于预算数", -1), ("决算数等于预算数", 0), ("决算数与预算数持平", 0),
                                      ("决算数与预算数基本持平", 0), ("决算大于预算", 1), ("决算小于预算", -1)]
        for (k, s) in sentences.enumerated() {
            let compact = s.text.replacingSpaces
            guard compact.contains("预算") else { continue }
            for (w, sign) in words where compact.contains(w) {
                // The two figures: this sentence's, else the sentence before's (…支出决算为 Y 万元。决算数小于预算数…).
                let pool = (bySentence[k] ?? []).isEmpty ? (bySentence[k - 1] ?? []) : bySentence[k]!
                let isBudget = { (c: Claim) in c.token.before.contains("预算") && !c.token.before.contains("决算") }
                guard let actual = pool.last(where: { !isBudget($0) && ($0.token.before.contains("决算") || $0.token.before.hasPrefix("支出")) }),
                      let budget = pool.last(where: { isBudget($0) && $0.token.start < actual.token.start }),
                      let a = fen(actual.token), let b = fen(budget.token) else { continue }
                let real = a > b ? 1 : (a < b ? -1 : 0)
                let line = text.line(s.start + (s.text.distance(from: s.text.startIndex, to: s.text.range(of: String(w.first!))?.lowerBound ?? s.text.startIndex)))
                let said = sign > 0 ? "大于" : (sign < 0 ? "小于" : "持平")
                let want = real > 0 ? "大于" : (real < 0 ? "小于" : "持平")
                let basic = w.contains("基本持平")
                let ok = real == sign || (basic && abs((a - b).raw) * 100 <= abs(b.raw))
                out.append(finding(text, .comparison, max(line, actual.line), actual.id ?? "决算数", said, want,
                                   "决算 \(show(a, actual.token)) against 预算 \(show(b, budget.token))", ok ? .ok : .mismatch))
                break
            }
        }
        return out
    }
}
