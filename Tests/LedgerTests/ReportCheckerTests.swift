import Foundation
import Testing
@testable import Ledger
@testable import Reconcile

/// `check-report`: the seed report and the generated document, with and without the journal;
/// one planted error per rule; random and truncated text.
@Suite struct ReportCheckerTests {
    static let seedText = try! String(contentsOf: Seed.root.appendingPathComponent("Tests/Golden/seed-2023.txt"), encoding: .utf8)
    static let generated = DocumentRender.plain(SeedDocument.d2023)

    static func check(_ text: String, journal: Bool) -> ReportChecker.Result {
        ReportChecker.check(text, document: journal ? SeedDocument.d2023 : nil, catalogue: Seed.store.catalogue)
    }

    static func mismatches(_ r: ReportChecker.Result) -> [String] {
        r.mismatches.map { "\($0.line) \($0.rule) \($0.expected)" }.sorted()
    }

    /// Every error of the seed, at its line, with the right expected value; nothing else.
    static let seedErrors = [
        "31 change 3.51", "44 change 3.51", "50 change 3.51", "59 unit-missing 763.18万元",
        "91 alternative one word chosen by the figure's sign, or 持平", "91 alternative one word chosen by the figure's sign, or 持平",
        "91 zero-base 持平", "94 qizhong 其中 ≤ 0", "95 placeholder a figure", "112 zero-base 不适用", "112 zero-base 不适用",
    ]
    static let seedErrorsAgainstTheJournal = [
        "31 journal 3.51%", "44 journal 3.51%", "50 journal 3.51%", "59 journal 99.96%", "62 journal 99.80%",
        "91 zero-base 不适用", "91 zero-base 持平", "94 journal 0", "112 zero-base 不适用", "112 zero-base 不适用",
        "118 journal 4", "118 journal 4",
    ]

    @Test func theSeedsErrorsWithoutTheJournal() {
        let r = Self.check(Self.seedText, journal: false)
        #expect(Self.mismatches(r) == Self.seedErrors.sorted(), "\(Self.mismatches(r))")
        #expect(r.year == 2023)
        // Its 0.01 difference is rounding, computed from the figures.
        #expect(r.findings.contains { $0.status == .rounding && $0.line == 77 && $0.rule == .partsSum && $0.expected == "613.29" })
        #expect(r.count(.rounding) == 1)
        // What it cannot settle alone (completion rates with no budget stated) is said so.
        #expect(r.findings.filter { $0.status == .unverifiable }.allSatisfy { !$0.derivation.isEmpty })
        #expect(r.figuresFound > 100)
    }

    @Test func theSeedsErrorsAgainstTheJournal() {
        let r = Self.check(Self.seedText, journal: true)
        let placeholder = Self.seedErrors.map { $0 == "95 placeholder a figure" ? "95 placeholder 3.60" : $0 }
        #expect(Self.mismatches(r) == (placeholder + Self.seedErrorsAgainstTheJournal).sorted(), "\(Self.mismatches(r))")
    }

    @Test func theGeneratedDocumentIsTrue() {
        let alone = Self.check(Self.generated, journal: false)
        #expect(alone.mismatches.isEmpty, "\(Self.mismatches(alone))")
        let withJournal = Self.check(Self.generated, journal: true)
        #expect(withJournal.mismatches.isEmpty, "\(Self.mismatches(withJournal))")
        #expect(withJournal.count(.unverifiable) == 0, "\(withJournal.findings.filter { $0.status == .unverifiable }.prefix(5))")
        #expect(withJournal.count(.ok) > 900)
        // The one rounding difference the document itself discloses.
        #expect(withJournal.findings.filter { $0.status == .rounding }.map(\.subject) == ["basic.expense"])
    }

    /// One planted error per rule: caught at its line, by its rule, and nothing else changes.
    static let plants: [(rule: String, from: String, to: String, journal: Bool)] = [
        ("share", "基本支出613.28万元，占80.36%", "基本支出613.28万元，占80.63%", false),
        ("change", "收、支总计各减少27.79万元，下降3.51%", "收、支总计各减少27.79万元，下降3.15%", false),
        ("sign-word", "收、支总计各减少27.79万元，下降3.51%", "收、支总计各减少27.79万元，增长3.51%", false),
        ("parts-sum", "人员经费539.65万元", "人员经费539.75万元", false),
        ("qizhong", "其中：其他用车1辆", "其中：其他用车2辆", false),
        ("same-figure", "3.公务接待费支出0.21万元", "3.公务接待费支出0.22万元", false),
        ("placeholder", "公务用车运行维护费支出3.60万元", "公务用车运行维护费支出**万元", false),
        ("alternative", "决算数与预算数持平", "决算数与预算数大于/小于", false),
        ("unit-missing", "支出决算为763.18万元，完成预算99.96%", "支出决算为763.18，完成预算99.96%", false),
        ("zero-base", "政府采购支出总额0.00万元，本年度无政府采购支出。", "政府采购支出总额0.00万元，其中：授予中小企业合同金额0.00万元，占政府采购支出总额的0.00%。", false),
        ("year", "截至2023年12月31日，泸州", "截至2022年12月31日，泸州", false),
        ("punctuation", "主要变动原因是按要求压减项目经费。\n", "主要变动原因是按要求压减项目经费。。\n", false),
        ("completion", "完成预算99.96%", "完成预算99.69%", false),
        ("table-sum", "2010350      事业运行                                      467.42        467.42", "2010350      事业运行                                      467.52        467.42", false),
        ("journal", "国内公务接待2批次", "国内公务接待3批次", true),
    ]

    @Test(arguments: plants.indices)
    func aPlantedErrorIsCaughtAtItsLine(_ k: Int) {
        let p = Self.plants[k]
        let text = Self.generated
        guard let r = text.range(of: p.from) else { Issue.record("\(p.rule): no '\(p.from)' in the document"); return }
        let planted = text.replacingCharacters(in: r, with: p.to)
        let line = text[..<r.lowerBound].filter { $0 == "\n" }.count + 1
        let before = Set(Self.mismatches(Self.check(text, journal: p.journal)))
        let after = Self.check(planted, journal: p.journal)
        let new = after.mismatches.filter { !before.contains("\($0.line) \($0.rule) \($0.expected)") }
        #expect(new.count == 1, "\(p.rule): \(new.map { "\($0.line) \($0.rule) \($0.claimed)" })")
        #expect(new.first?.rule.rawValue == p.rule, "\(p.rule): caught as \(new.first?.rule.rawValue ?? "nothing")")
        if p.rule != "table-sum" && p.rule != "parts-sum" { #expect(new.first?.line == line, "\(p.rule): line \(new.first?.line ?? 0), planted at \(line)") }
    }

    /// A planted error in a copy of the seed is found beside the seed's own.
    @Test func aPlantedErrorInTheSeed() {
        let planted = Self.seedText.replacingOccurrences(of: "一般公共预算财政拨款收入763.18万元，占100%", with: "一般公共预算财政拨款收入763.18万元，占10%")
        let r = Self.check(planted, journal: false)
        #expect(Self.mismatches(r) == (Self.seedErrors + ["36 share 100.00"]).sorted(), "\(Self.mismatches(r))")
    }

    /// Random and truncated text: no crash, no hang, and the run says what it found.
    @Test func randomAndTruncatedText() {
        var rng = SplitMix64(seed: 2024)
        let pieces = ["万元", "元", "%", "占", "其中：", "增加", "减少", "增长", "下降", "完成预算", "，", "。", "\n", "\n\n", "合计", "201", "2010350",
                      "0.", ".5", "1,2", "９９", "％", "（项）", "（类）", "年度", "2023", "截至", "**", "/", "辆", "批次", " ", "　", "基本支出", "“三公”经费"]
        for _ in 0..<300 {
            var s = ""
            for _ in 0..<(1 + rng.below(80)) {
                if rng.below(3) == 0 { s += String(rng.below(100_000)) + (rng.below(2) == 0 ? "." + String(rng.below(100)) : "") }
                else { s += pieces[rng.below(pieces.count)] }
            }
            let r = Self.check(s, journal: rng.below(2) == 0)
            #expect(r.findings.allSatisfy { $0.line >= 1 })
        }
        let seed = Array(Self.seedText)
        for _ in 0..<40 {
            let cut = rng.below(seed.count)
            _ = Self.check(String(seed[..<cut]), journal: true)
            _ = Self.check(String(seed[cut...]), journal: false)
        }
    }
}

/// The document as plain text, as `fledger report` prints it (the CLI's renderer, reproduced
/// here through the same figures: paragraphs, notes and tables of the text output).
enum DocumentRender {
    static func plain(_ d: Document) -> String {
        // The CLI renders this; tests read it from the binary's output.
        let binary = Seed.root.appendingPathComponent(".build/debug/fledger").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: binary) ? binary : "/usr/bin/false")
        p.arguments = ["report", "--journal", Seed.journal, "--year", String(d.year)]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try? p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
