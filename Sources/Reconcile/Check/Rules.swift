import Foundation
import Ledger

/// The rules that read figures against each other, one function per rule id: share, completion, parts-sum, change
/// (with sign-word), qizhong, same-figure. Each takes the claims the reader bound and returns its findings.
extension ReportChecker {
    /// Wholes the template breaks down into parts.
    static let decompositions: [(String, [String])] = [
    ("basic.expense", ["basic.personnel", "basic.running"]), ("expense.total", ["expense.basic", "expense.project"]),
    ("sangong.total", ["sangong.abroad", "sangong.vehicles", "sangong.reception"]),
    ("sangong.vehicles", ["sangong.vehicle-purchase", "sangong.vehicle-running"]),
    ("sangong.reception", ["sangong.reception.domestic", "sangong.reception.foreign"]),
    ("procurement.total", ["procurement.goods", "procurement.works", "procurement.services"]),
    ]

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
            // The whole 占 names, when it is not stated, is the sum of its parts where this sentence states every one
            // (“三公”经费: 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费).
            var summed = false
            if whole == nil, let id = ReportChecker.subject(named), let parts = decompositions.first(where: { $0.0 == id })?.1 {
                let stated = parts.compactMap { p in cs.first { $0.id == p && fen($0.token) != nil } }
                if stated.count == parts.count, let t = stated.first?.token {
                    whole = (stated.map { fen($0.token)! }.sum(), t)
                    summed = true
                }
            }
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
            let derivation = "\(show(p, part.token)) ÷ \(show(w, wt))\(summed ? " (the sum of its parts as printed)" : "") = \(exact)%"
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
