import Foundation
import Testing
@testable import Ledger
@testable import Reconcile

/// The checker on real published reports (../shared/reports beside the package): every finding that is not `ok`
/// of each report is kept in Tests/Golden/reports/NAME.txt and compared, so a change to any finding shows in the
/// diff. Regenerate on purpose only: FLEDGER_REGENERATE_GOLDEN=1 swift test --filter ReportGoldenTests, then review.
@Suite struct ReportGoldenTests {
    static let reports = Seed.root.deletingLastPathComponent().appendingPathComponent("shared/reports")
    static let golden = Seed.root.appendingPathComponent("Tests/Golden/reports")

    static func lines(_ r: ReportChecker.Result) -> String {
        r.findings.filter { $0.status != .ok }.map {
            "\($0.line) p.\($0.page) \($0.status.rawValue) [\($0.rule.rawValue)] \($0.subject) | claims \($0.claimed) | expected \($0.expected)"
        }.joined(separator: "\n") + "\n"
    }

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: reports.path).filter { $0.hasSuffix(".txt") }.sorted()
    }

    @Test func theSharedReportsAreThere() throws {
        // Fails, never skips: the golden comparison below would otherwise pass on nothing.
        let names = try Self.names()
        #expect(names.count >= 14, "expected the published reports in \(Self.reports.path)")
    }

    @Test func everyReportGivesItsKnownFindings() throws {
        let catalogue = try Catalogue.builtIn()
        let regenerate = ProcessInfo.processInfo.environment["FLEDGER_REGENERATE_GOLDEN"] == "1"
        if regenerate { try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true) }
        let names = try Self.names()
        #expect(!names.isEmpty)
        for name in names {
            let text = try String(contentsOf: Self.reports.appendingPathComponent(name), encoding: .utf8)
            let got = Self.lines(ReportChecker.check(text, document: nil, catalogue: catalogue))
            let file = Self.golden.appendingPathComponent(name)
            if regenerate { try got.write(to: file, atomically: true, encoding: .utf8); continue }
            let want = try String(contentsOf: file, encoding: .utf8)
            if got != want {
                let g = Set(got.split(separator: "\n")), w = Set(want.split(separator: "\n"))
                Issue.record("\(name): new \(g.subtracting(w).sorted().prefix(5)); gone \(w.subtracting(g).sorted().prefix(5))")
            }
        }
    }

    /// The defects KEY.md lists are each flagged as a mismatch at (or next to) their line.
    @Test func theListedDefectsAreFlagged() throws {
        let catalogue = try Catalogue.builtIn()
        let defects: [(String, [Int])] = [
            ("02-putuo-wenlv-2025-final.txt", [325, 326, 345, 346, 473, 616]),
            ("15-jiangsu-rendachang-2019-budget.txt", [151, 156, 158, 308, 311, 323]),
            ("17-jiangsu-shengwei-bgt-2019-budget.txt", [157]),
        ]
        for (name, lines) in defects {
            let text = try String(contentsOf: Self.reports.appendingPathComponent(name), encoding: .utf8)
            let flagged = Set(ReportChecker.check(text, document: nil, catalogue: catalogue).mismatches.map(\.line))
            for l in lines { #expect(flagged.contains(l) || flagged.contains(l - 1) || flagged.contains(l + 1), "\(name):\(l) not flagged") }
        }
    }
}

/// One test per cause of the false alarms seen on published reports, each on a fragment of a real report.
@Suite struct ReportReaderCauseTests {
    static func check(_ text: String) -> ReportChecker.Result {
        ReportChecker.check(text, document: nil, catalogue: try! Catalogue.builtIn())
    }
    static func mismatches(_ text: String) -> [String] { check(text).mismatches.map { "\($0.line) \($0.rule.rawValue)" } }

    /// page-break: a table continues after a form feed (no repeated header); the rows after the break are summed.
    @Test func aTableCarriedAcrossAPageBreak() {
        let text = """
        收入决算表
        单位：万元
        合计 3,514.79 3,514.79
        207 文化旅游体育与传媒支出 3,514.79 3,514.79
        20701 文化和旅游 3,514.79 3,514.79
        2070101 行政运行 457.86 457.86
        2070104 图书馆 3,030.63 3,030.63
        \u{0C}2070114 文化和旅游管理事务 26.30 26.30
        注：本表反映部门本年度取得的各项收入情况。
        """
        #expect(Self.mismatches(text).isEmpty, "\(Self.mismatches(text))")
        let sums = Self.check(text).findings.filter { $0.rule == .tableSum && $0.status == .ok }
        #expect(sums.contains { $0.line == 5 && $0.claimed == "3,514.79" && $0.expected == "3,514.79" })
        // A finding carries its page.
        let broken = text.replacingOccurrences(of: "26.30 26.30", with: "26.40 26.30")
        #expect(Self.check(broken).mismatches.contains { $0.line == 5 && $0.page == 1 })
        #expect(ReportChecker.tables(of: text).first?.rows.last?.page == 2)
    }

    /// wrapped-row: a row name wrapped onto lines of its own around the code and figures.
    @Test func aWrappedRowName() {
        let text = """
        支出决算表
        单位：万元
        20805 行政事业单位养老支出 1,053.77 1,053.77
        2080501 行政单位离退休 4.84 4.84
        机关事业单位基本养老保险缴费
        2080505 699.30 699.30
        支出
        2080506 机关事业单位职业年金缴费支出 349.63 349.63
        """
        #expect(Self.mismatches(text).isEmpty, "\(Self.mismatches(text))")
        #expect(Self.check(text).findings.contains { $0.rule == .tableSum && $0.line == 3 && $0.status == .ok })
    }

    /// yuan-split-code-table: 类 款 项 in their own columns of a 元 table; blank cells placed by position.
    @Test func splitCodeColumnsAndBlankCells() {
        let text = """
                                2025年部门支出预算总表
        编制部门：某委员会                                            单位：元
        类     款    项
        201             一般公共服务支出               21,601,733.00   12,291,733.00    9,310,000.00
        201   13        商贸事务                   21,601,733.00   12,291,733.00    9,310,000.00
        201   13   01   行政运行                    12,291,733.00   12,291,733.00
        201   13   02   一般行政管理事务                9,310,000.00                    9,310,000.00
                           合计             21,601,733.00   12,291,733.00    9,310,000.00
        """
        #expect(Self.mismatches(text).isEmpty, "\(Self.mismatches(text))")
        let t = ReportChecker.tables(of: text)
        #expect(t.first?.unit == "元")
        #expect(t.first?.rows.map(\.code) == ["201", "20113", "2011301", "2011302", ""])
        #expect(t.first?.rows[3].slots[1] == .blank)
        // Figures shown as printed.
        let broken = text.replacingOccurrences(of: "9,310,000.00\n                   合计", with: "9,310,100.00\n                   合计")
        #expect(Self.check(broken).mismatches.contains { $0.claimed == "9,310,000.00" && $0.expected == "9,310,100.00" })
    }

    /// empty-cell: text that keeps no alignment drops blank cells; a column whose cells cannot be placed is not summed.
    @Test func blankCellsWithoutAlignment() {
        let text = """
        支出决算表
        单位：万元
        20701 文化和旅游 2,158.49 816.12 1,342.37
        2070101 行政运行 457.86 454.06 3.79
        2070105 文化展示及纪念机构 1,700.57 1,700.57
        2070113 旅游宣传 0.06 0.06
        """
        #expect(Self.mismatches(text).isEmpty, "\(Self.mismatches(text))")
        #expect(Self.check(text).findings.contains { $0.rule == .tableSum && $0.line == 3 && $0.subject.hasSuffix("column 1") && $0.status == .ok })
    }

    /// two-panel: a side-by-side 经济分类 table is two panels, and a 款 printed under the other panel is still its 类's.
    @Test func sideBySidePanels() {
        let text = """
        一般公共预算财政拨款基本支出决算表
        单位：万元
        301 工资福利支出 2,333.04 302 商品和服务支出 192.00
        30101 基本工资 1,050.91 30201 办公费 115.40
        30102 津贴补贴 1,282.04 30202 印刷费 0.35
        30103 奖金 30203 咨询费
        30108 0.09 30206 电费
        30299 其他商品和服务支出 76.25
        """
        #expect(Self.mismatches(text).isEmpty, "\(Self.mismatches(text))")
        let rows = ReportChecker.tables(of: text).first?.rows ?? []
        #expect(rows.filter { $0.panel == 1 }.map(\.code) == ["302", "30201", "30202", "30203", "30206"])
    }

    /// wrap-unit and wrap-subject: 万元 on the next line belongs to the amount; a figure binds to its own clause's subject.
    @Test func wrappedUnitsAndSubjects() {
        let text = """
        2025年度部门决算
        本年支出合计 26538.47 万元，其中：基本支出 9800.36 万
        元，占 36.93%；项目支出 16738.11 万元，占 63.07%。
        一般公共预算财政拨款支出 24535.67 万元，主要用于以下
        方面：文化旅游体育与传媒支出（类）17127.62 万元，占 69.81%；
        社会保障和就业支出（类）1493.32 万元，占 6.09%；卫生健康
        支出（类）370.37 万元，占 1.51%；住房保障支出（类）5544.36 万元，
        占 22.60%。
        主要用于：死亡抚恤金。年初预算为 0 万元，支出决算为 33.16
        万元。
        """
        #expect(Self.mismatches(text).isEmpty, "\(Self.mismatches(text))")
        let r = Self.check(text)
        #expect(r.findings.contains { $0.rule == .share && $0.line == 3 && $0.status == .ok && $0.subject == "expense.basic" })
        #expect(r.findings.contains { $0.rule == .share && $0.line == 7 && $0.subject == "gpb.class.210" })
        // A word split by a wrap (增\n加) still reads.
        let split = "2025年度部门决算\n财政拨款收入支出总计 26538.47 万元。与 2024 年度相比，财政拨款收入支出总计增\n\u{0C}加 8487.88 万元，增长 46.89%。\n"
        #expect(Self.check(split).findings.contains { $0.rule == .change && $0.status == .mismatch && $0.expected == "47.02" })
    }

    /// sangong-budget-vs-actual and gouzhi-vs-gouzhi-yunxing.
    @Test func sangongBudgetAndActualKeptApart() {
        let text = """
        2025年度部门决算
        “三公”经费财政拨款支出年初预算为 11.49 万元，支出决
        算为 3.04 万元，完成预算的 26.46%，其中：因公出国（境）费
        决算为 0 万元，完成预算的 0%；公务用车购置及运行维护费支
        出决算为 2.64 万元，完成预算的 28.15%；公务接待费支出决算
        为 0.40 万元，完成预算的 18.96%。
        “三公”经费财政拨款支出决算中，因公出国（境）费支出
        决算 0 万元，占 0%；公务用车购置及运行维护费支出决算 2.64
        万元，占 86.84%；公务接待费支出决算 0.40 万元，占 13.16%。
        """
        #expect(Self.mismatches(text).isEmpty, "\(Self.mismatches(text))")
        #expect(Self.check(text).findings.contains { $0.rule == .completion && $0.line == 3 && $0.status == .ok })
        let budget = "2024年部门预算\n（二）公务用车购置及运行费46.56万元，比2023年预算增加25万元，主要原因是购置公务用车。其中：公务用车购置费25万元，比2023年预算增加25万元。\n"
        #expect(Self.mismatches(budget).isEmpty, "\(Self.mismatches(budget))")
    }

    /// class-change-misattributed: a 类's 增加 / 增长 is the 类's, checked against its own rate.
    @Test func aClassChangeIsTheClasss() {
        let text = """
        江苏省委办公厅2019年度部门预算
          1．一般公共服务（类）支出22395.50万元，主要用于保障
        机构正常运转。与上年相比增加2241.75万元，增
        长11.12%。主要原因是人员经费政策性调增。
          3．住房保障（类）支出3894.09万元，主要用于按照国家政
        策规定缴纳住房公积金。与上年
        相比增加878.93万元，增长30%。主要原因是政策性调增。
        """
        let m = Self.check(text).mismatches
        #expect(m.map(\.line) == [7], "\(m.map { "\($0.line) \($0.rule) \($0.subject)" })")
        #expect(m.first?.rule == .change && m.first?.expected == "29.15")
    }
}

/// The rules added for published reports, each caught where planted and quiet where the report is right.
@Suite struct ReportRuleTests {
    static func found(_ text: String, _ rule: ReportChecker.Rule) -> [ReportChecker.Finding] {
        ReportReaderCauseTests.check(text).findings.filter { $0.rule == rule }
    }

    @Test func comparison() {
        let right = "2025年度部门决算\n1、行政运行（项）。年初预算为 511.66 万元，支出决算为 457.86 万元。决算数小于预算数的主要原因：人员变动。\n"
        #expect(Self.found(right, .comparison).map(\.status) == [.ok])
        let wrong = right.replacingOccurrences(of: "决算数小于预算数", with: "决算数大于预算数")
        let f = Self.found(wrong, .comparison)
        #expect(f.map(\.status) == [.mismatch] && f.first?.expected == "小于" && f.first?.line == 2)
    }

    @Test func year() {
        let right = "2025年度部门决算\n与 2024 年度相比，收入支出总计增加 84.88 万元。\n"
        #expect(Self.found(right, .year).isEmpty)
        let wrong = right.replacingOccurrences(of: "与 2024 年度相比", with: "与 2023 年度相比")
        #expect(Self.found(wrong, .year).map { "\($0.line) \($0.expected)" } == ["2 2024年"])
        let date = "2023年度部门决算\n截至2022年12月31日，本单位共有车辆2辆。\n"
        #expect(Self.found(date, .year).map(\.expected) == ["2023年12月31日"])
    }

    @Test func residue() {
        let stub = "2025年度部门决算\n202 年度收入支出总计 10.00 万元。\n"
        #expect(Self.found(stub, .placeholder).map(\.line) == [2])
        let split = "2019年度部门预算\n其他资金收入预算0万元。与上年相比增加（减\n少）0万元。\n"
        #expect(Self.found(split, .alternative).map(\.line) == [3])
        let percent = "2025年度部门决算\n本年支出合计 200.00 万元，其中：基本支出 100.00 万元，占 50.00；项目支出 100.00 万元，占 50.00%。\n"
        #expect(Self.found(percent, .unitMissing).map(\.expected) == ["50.00%"])
    }

    @Test func changeRatesByAnyWord() {
        let right = "2019年度部门预算\n  4. 人大事务（款）人大立法（项）支出729万元，与上年相比减少81万元，降幅10%。主要原因是按照规定压减10%。\n"
        #expect(Self.found(right, .change).map(\.status) == [.ok])
        #expect(Self.found(right, .signWord).isEmpty)
        let wrong = right.replacingOccurrences(of: "降幅10%", with: "增幅10%")
        #expect(Self.found(wrong, .signWord).map(\.status) == [.mismatch])
        let rate = right.replacingOccurrences(of: "降幅10%", with: "降幅12%")
        #expect(Self.found(rate, .change).map(\.expected) == ["10.00"])
    }
}

/// same-figure between a sentence and a table: a 项's amount against its row of the 一般公共预算 支出 table.
@Suite struct NarrativeAgainstTableTests {
    static let fragment = """
    2025年部门预算
        5.“社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项）”87.70万元，主要用于退休经费支出。
        7.“社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项）”87.36万
    元，主要用于缴纳职业年金支出。
                         2025年部门一般公共预算支出功能分类预算表
    编制部门：某局                                                     单位：元
                              功能分类科目名称          合计             基本支出          项目支出
    208             社会保障和就业支出              1,750,697.00      1,750,697.00
    208   05        行政事业单位养老支出             1,750,697.00      1,750,697.00
    208   05   01   行政单位离退休                 877,080.00        877,080.00
    208   05   06   机关事业单位职业年金缴费支出          873,617.00        873,617.00
    """

    @Test func anItemAgainstItsRow() {
        let r = ReportReaderCauseTests.check(Self.fragment).findings.filter { $0.rule == .sameFigure }
        // 877,080 元 cut to 87.70 万元 is the report's way of converting; 873,617 元 printed as 87.36 万元 is right.
        #expect(r.map { "\($0.line) \($0.status)" } == ["2 rounding", "3 ok"], "\(r.map { "\($0.line) \($0.status) \($0.claimed)" })")
        let typo = Self.fragment.replacingOccurrences(of: "”87.36万", with: "”887.36万")
        let m = ReportReaderCauseTests.check(typo).mismatches
        #expect(m.map { "\($0.line) \($0.rule.rawValue) \($0.expected)" } == ["3 same-figure 873,617.00元"])
    }
}

extension ReportRuleTests {
    @Test func aRateAgainstThePriorYearsFigure() {
        let right = "2023年部门预算\n  3. “一般公共服务支出（类）群众团体事务（款）一般行政管理事务（项）”45.41万元。2022年当年预算执行数为11.67万元，2023年预算安排45.41万元，比2022年预算执行数增加289.12%。\n"
        #expect(Self.found(right, .change).map(\.status) == [.ok])
        let wrong = right.replacingOccurrences(of: "增加289.12%", with: "增加314.82%")
        #expect(Self.found(wrong, .change).map { "\($0.status) \($0.expected)" } == ["mismatch 289.12"])
        let sign = right.replacingOccurrences(of: "增加289.12%", with: "下降289.12%")
        #expect(Self.found(sign, .signWord).map(\.status) == [.mismatch])
    }
}
