import Foundation
import Ledger

/// The reader: a report's text → pages and lines (form feeds are page breaks, not text) → sentences joined across
/// wraps and page breaks → tokens, each figure with its unit (read across a wrap) and the clause it follows. Tables
/// are read in Tables.swift. The rules see only what these produce.
extension ReportChecker {
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

