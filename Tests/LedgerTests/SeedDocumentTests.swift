import Foundation
import Testing
@testable import Ledger
@testable import Reconcile

/// The golden test of the generated document against the published seed report
/// (../shared/seed/000_4f1a4759e33e42f6.txt): every figure of its 第二部分 and 第四部分, matched
/// to the figure of `fledger report` that states the same thing. Values are compared as
/// numbers (the seed prints 149.9 where the document prints 149.90). Where the seed is wrong,
/// the place, what it prints, and the arithmetic are listed in `seedErrors`; the document
/// prints the right figure there, and nothing else may differ.
enum SeedDocument {
    static let d2023 = try! Reconciler.document(Seed.store, year: 2023)
    static let d2022 = try! Reconciler.document(Seed.store, year: 2022)

    /// (where in the seed, what it prints, the document's figure; the year of the document).
    typealias Claim = (place: String, published: String, id: String, year: Int)

    static let secondPart: [Claim] = {
        var c: [(String, String, String)] = [
            ("一 收、支总计", "763.18", "total.grand"), ("一 减少", "27.79", "total.grand.change"),
            ("二 本年收入合计", "763.18", "income.total"), ("二 一般公共预算财政拨款收入", "763.18", "income.gpb"), ("二 占", "100", "income.gpb.share"),
            ("三 本年支出合计", "763.18", "expense.total"), ("三 基本支出", "613.28", "expense.basic"), ("三 基本支出 占", "80.36", "expense.basic.share"),
            ("三 项目支出", "149.9", "expense.project"), ("三 项目支出 占", "19.64", "expense.project.share"),
            ("四 财政拨款收、支总计", "763.18", "fiscal.grand"), ("四 减少", "27.79", "fiscal.grand.change"),
            ("五（一） 一般公共预算财政拨款支出", "763.18", "gpb.expense"), ("五（一） 占本年支出合计", "100", "gpb.expense.share"),
            ("五（一） 减少", "27.79", "gpb.expense.change"),
            ("五（二） 一般公共服务支出", "617.32", "gpb.class.201"), ("五（二） 占", "80.89", "gpb.class.201.share"),
            ("五（二） 社会保障和就业支出", "76.44", "gpb.class.208"), ("五（二） 占", "10.02", "gpb.class.208.share"),
            ("五（二） 卫生健康支出", "31.2", "gpb.class.210"), ("五（二） 占", "4.09", "gpb.class.210.share"),
            ("五（二） 住房保障支出", "38.22", "gpb.class.221"), ("五（二） 占", "5.01", "gpb.class.221.share"),
            ("五（三） 一般公共预算支出决算数", "763.18", "gpb.expense"),
            ("六 基本支出", "613.28", "basic.expense"), ("六 人员经费", "539.65", "basic.personnel"), ("六 公用经费", "73.64", "basic.running"),
            ("七（一） “三公”经费", "3.81", "sangong.total"), ("七（一） 完成预算", "100", "sangong.completion"),
            ("七（一） 较上年度增加", "0.09", "sangong.total.change"), ("七（一） 增长", "2.42", "sangong.total.change-rate"),
            ("七（二） 因公出国（境）费", "0", "sangong.abroad"), ("七（二） 占", "0", "sangong.abroad.share"),
            ("七（二） 公务用车购置及运行维护费", "3.6", "sangong.vehicles"), ("七（二） 占", "94.49", "sangong.vehicles.share"),
            ("七（二） 公务接待费", "0.21", "sangong.reception"), ("七（二） 占", "5.51", "sangong.reception.share"),
            ("七 1. 因公出国（境）经费支出", "0", "sangong.abroad"), ("七 1. 团组", "0", "sangong.abroad.groups"), ("七 1. 出国（境）人", "0", "sangong.abroad.people"),
            ("七 2. 公务用车购置及运行维护费支出", "3.6", "sangong.vehicles"), ("七 2. 完成预算", "100", "sangong.vehicles.completion"),
            ("七 2. 公务用车购置支出", "0", "sangong.vehicle-purchase"), ("七 2. 共有公务用车", "0", "vehicles.official"),
            ("七 3. 公务接待费支出", "0.21", "sangong.reception"), ("七 3. 完成预算", "100", "sangong.reception.completion"),
            ("七 3. 比2022年度增加", "0.09", "sangong.reception.change"), ("七 3. 增长", "75", "sangong.reception.change-rate"),
            ("七 3. 国内公务接待支出", "0.21", "sangong.reception.domestic"), ("七 3. 国内公务接待批次", "2", "sangong.reception.domestic.batches"),
            ("七 3. 人次", "28", "sangong.reception.domestic.people"), ("七 3. 共计支出", "0.21", "sangong.reception.domestic"),
            ("七 3. 外事接待支出", "0", "sangong.reception.foreign"), ("七 3. 外事接待批次", "0", "sangong.reception.foreign.batches"),
            ("七 3. 外事接待人次", "0", "sangong.reception.foreign.people"),
            ("八 政府性基金预算财政拨款支出", "0", "gfb.expense"), ("九 国有资本经营预算财政拨款支出", "0", "socb.expense"),
            ("十（一） 机关运行经费支出", "0", "operating-costs"), ("十（一） 2022年度决算数（持平）", "0", "operating-costs.prior"),
            ("十（二） 政府采购支出总额", "0", "procurement.total"), ("十（二） 货物", "0", "procurement.goods"),
            ("十（二） 工程", "0", "procurement.works"), ("十（二） 服务", "0", "procurement.services"),
            ("十（二） 授予中小企业合同金额", "0", "procurement.sme"), ("十（二） 授予小微企业合同金额", "0", "procurement.micro"),
            ("十（三） 共有车辆", "1", "vehicles.all"), ("十（三） 其中：其他用车", "1", "vehicles.all.other"),
            ("十（三） 无单价50万元以上通用设备", "0", "assets.general"), ("十（三） 无单价100万元以上专用设备", "0", "assets.special"),
            ("十（四） 事前绩效评估", "0", "performance.ex-ante"), ("十（四） 开展绩效自评", "4", "performance.evaluated"),
        ]
        for (code, amount) in [("2010350", "467.42"), ("2010399", "149.9"), ("2080505", "50.96"), ("2080506", "25.48"),
                               ("2101102", "23.57"), ("2101103", "3.75"), ("2101199", "3.88"), ("2210201", "38.22")] {
            c.append(("五（三） \(code) 支出决算", amount, "gpb.item.\(code)"))
            if code != "2010399" { c.append(("五（三） \(code) 完成预算", "100", "gpb.item.\(code).completion")) }
        }
        var out = c.map { ($0.0, $0.1, $0.2, 2023) }
        // The prior year as the seed states it: 2022's totals and its one reception of 1,200 元.
        out += [("一 2022年度 收、支总计 (763.18 + 27.79)", "790.97", "total.grand.prior", 2023),
                ("七 3. 2022年全年共接待1批次", "1", "sangong.reception.domestic.batches", 2022),
                ("七 3. 2022年 1200元 (万元)", "0.12", "sangong.reception", 2022),
                ("七 3. 本年度全年共接待2批次", "2", "sangong.reception.domestic.batches", 2023),
                ("七 3. 本年度 2100元 (万元)", "0.21", "sangong.reception", 2023)]
        return out
    }()

    /// 第四部分: per project, 预算执行 (总额 and 财政资金: 年初预算, 调整后预算数, 预算执行数, 执行率; 总额's
    /// 权重 and 得分; 财政专户管理资金 and 单位资金 amounts), every indicator's 指标值, 完成值, 权重 and 得分,
    /// and the 合计 of weights and scores.
    static let projects: [(code: String, budget: [String], score: String, indicators: [[String]], total: String)] = [
        ("51050022T000000280041", ["45.00", "45.00", "45.00", "100.00"], "10",
         [["550", "492", "10", "9"], ["150", "156", "10", "10"], ["99", "100", "10", "10"], ["99", "100", "10", "10"], ["1200", "2878", "5", "5"],
          ["6", "8", "5", "5"], ["优", "优", "5", "5"], ["优", "优", "5", "5"], ["99", "99", "5", "5"], ["99", "99", "5", "5"], ["65", "45", "20", "20"]], "99"),
        ("51050022T000000381225", ["65.00", "65.00", "65.00", "100.00"], "10",
         [["20", "20", "4", "4"], ["200", "594", "4", "4"], ["120", "206", "4", "4"], ["20", "27", "4", "4"], ["100", "63", "4", "2.5"],
          ["150", "156", "4", "4"], ["2600", "3670", "4", "4"], ["55000", "60000", "4", "4"], ["97", "97.1", "4", "4"], ["97", "97", "4", "4"],
          ["12.5", "7.3", "5", "3"], ["12", "2.34", "5", "1"], ["11", "26.036", "5", "5"], ["25", "31.97", "5", "5"], ["98", "99", "5", "5"],
          ["98", "98", "5", "5"], ["65", "65", "20", "20"]], "92.5"),
        ("51050022T000000381226", ["20.40", "20.40", "20.40", "100.00"], "10",
         [["1000", "572", "5", "2.85"], ["120", "206", "5", "5"], ["10000", "14328", "5", "5"], ["99", "99", "5", "5"], ["99", "99", "5", "5"],
          ["99", "99", "5", "5"], ["30", "25", "5", "5"], ["1", "2", "5", "5"], ["优", "优", "20", "20"], ["95", "96", "10", "10"],
          ["20.4", "20.4", "20", "20"]], "97.85"),
        ("51050023T000008267900", ["19.80", "19.80", "19.50", "98.48"], "9.8",
         [["1", "1", "10", "10"], ["6", "6", "10", "10"], ["99", "100", "10", "10"], ["30", "25", "10", "10"], ["1000", "1000", "10", "10"],
          ["99", "100", "10", "10"], ["95", "98", "10", "10"], ["19.8", "19.5", "20", "20"]], "99.8"),
    ]

    static let fourthPart: [Claim] = {
        var out: [Claim] = []
        for p in projects {
            let b = "project.\(p.code)"
            for (k, col) in ["initial", "budget", "actual", "rate"].enumerated() {
                out.append(("四 \(p.code) 总额 \(col)", p.budget[k], "\(b).budget.total.\(col)", 2023))
                out.append(("四 \(p.code) 财政资金 \(col)", p.budget[k], "\(b).budget.fiscal.\(col)", 2023))
            }
            out.append(("四 \(p.code) 总额 权重", "10", "\(b).budget.total.weight", 2023))
            out.append(("四 \(p.code) 总额 得分", p.score, "\(b).budget.total.score", 2023))
            for fund in ["special", "unit"] {
                for col in ["initial", "budget", "actual"] { out.append(("四 \(p.code) \(fund) \(col)", "0.00", "\(b).budget.\(fund).\(col)", 2023)) }
            }
            for (n, i) in p.indicators.enumerated() {
                for (k, col) in ["target", "actual", "weight", "score"].enumerated() {
                    out.append(("四 \(p.code) 指标\(n + 1) \(col)", i[k], "\(b).indicator.\(n + 1).\(col)", 2023))
                }
            }
            out.append(("四 \(p.code) 合计 权重", "100", "\(b).total.weight", 2023))
            out.append(("四 \(p.code) 合计 得分", p.total, "\(b).total.score", 2023))
        }
        return out
    }()

    /// Where the seed is wrong: the place, what it prints, the figure, what the document
    /// prints, and why.
    static let seedErrors: [(place: String, published: String, id: String, right: String, why: String)] = {
        var e: [(String, String, String, String, String)] = [
            ("一 下降", "3.15", "total.grand.change-rate", "3.51", "27.79 ÷ 790.97 = 3.513…%: digits transposed"),
            ("四 下降", "3.15", "fiscal.grand.change-rate", "3.51", "27.79 ÷ 790.97 = 3.513…%: digits transposed"),
            ("五（一） 下降", "3.15", "gpb.expense.change-rate", "3.51", "27.79 ÷ 790.97 = 3.513…%: digits transposed"),
            ("五（三） 一般公共预算支出 完成预算", "100", "gpb.completion", "99.96", "763.18 ÷ 763.48 = 99.96%, not 100%"),
            ("五（三） 2010399 完成预算", "100", "gpb.item.2010399.completion", "99.80", "149.90 ÷ 150.20 = 99.80% (project 51050023T000008267900 executed 19.50 of 19.80)"),
            ("七 1. 完成预算", "0", "sangong.abroad.completion", "不适用", "no 因公出国（境） budget: a rate against a zero base is not 0%"),
            ("七 2. 公务用车运行维护费支出", "**", "sangong.vehicle-running", "3.60", "a placeholder '**' where 表13 gives 3.60"),
            ("十（二） 授予中小企业 占", "0", "procurement.sme.share", "不适用", "no procurement: a share of a zero total is not 0%"),
            ("十（二） 授予小微企业 占", "0", "procurement.micro.share", "不适用", "no procurement: a share of a zero total is not 0%"),
            ("十（四） 编制绩效目标", "5", "performance.targets", "4", "the seed publishes targets (第四部分) and budgets (表9) of 4 projects; a 5th is not in its accounts"),
            ("十（四） 开展绩效监控", "5", "performance.monitored", "4", "likewise: 4 projects are in the seed's accounts"),
        ]
        for p in projects {
            for fund in ["special", "unit"] {
                e.append(("四 \(p.code) \(fund) 预算执行率", "0.00", "project.\(p.code).budget.\(fund).rate", "不适用", "0 ÷ 0: a rate against a zero budget is not 0.00%"))
            }
        }
        return e
    }()

    /// What the seed prints that is not a figure but is wrong all the same, and what the
    /// document says instead (checked on its text).
    static let seedWordingErrors: [(place: String, published: String, document: String)] = [
        ("七 1. 因公出国（境）支出决算比2022年度", "增加/减少0万元，增长/下降0%", "与2022年度持平"),
        ("七 2. 截至2023年12月31日", "单位共有公务用车0辆，其中：轿车1辆", "单位共有公务用车0辆。"),
        ("五（三） 一般公共预算支出决算数为763.18（unit missing）", "决算数为763.18，", "支出决算为763.18万元"),
    ]

    static func document(_ year: Int) -> Document { year == 2022 ? d2022 : d2023 }

    /// Equal as numbers (149.9 = 149.90), or as words.
    static func same(_ a: String, _ b: String) -> Bool {
        if let x = Decimal(string: a), let y = Decimal(string: b), a.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }),
           b.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) { return x == y }
        return a == b
    }
}

@Suite struct SeedDocumentTests {
    @Test(arguments: SeedDocument.secondPart)
    func secondPartFigure(_ c: SeedDocument.Claim) {
        let f = SeedDocument.document(c.year).figure(c.id)
        #expect(f != nil, "\(c.place): no figure \(c.id)")
        #expect(SeedDocument.same(f?.printed ?? "-", c.published), "\(c.place): the seed prints \(c.published), the document \(f?.printed ?? "-") (\(c.id))")
    }

    @Test(arguments: SeedDocument.fourthPart)
    func fourthPartFigure(_ c: SeedDocument.Claim) {
        let f = SeedDocument.document(c.year).figure(c.id)
        #expect(f != nil, "\(c.place): no figure \(c.id)")
        #expect(SeedDocument.same(f?.printed ?? "-", c.published), "\(c.place): the seed prints \(c.published), the document \(f?.printed ?? "-") (\(c.id))")
    }

    /// Each error of the seed is found at its place: the document prints the right figure.
    @Test func theSeedsErrorsAreTheListedOnesAndTheDocumentIsRight() {
        for e in SeedDocument.seedErrors {
            let f = SeedDocument.d2023.figure(e.id)
            #expect(f?.printed == e.right, "\(e.place): expected \(e.right) (\(e.why)), the document prints \(f?.printed ?? "-")")
            #expect(!SeedDocument.same(e.published, f?.printed ?? ""), "\(e.place) is listed as an error of the seed but agrees with the document")
        }
        let text = DocumentText.plain(SeedDocument.d2023)
        for w in SeedDocument.seedWordingErrors {
            #expect(!text.contains(w.published), "\(w.place): the document repeats the seed's '\(w.published)'")
            #expect(text.contains(w.document), "\(w.place): the document should say '\(w.document)'")
        }
    }

    /// Printed parts that do not add up to their printed whole are disclosed, once, with both sums.
    @Test func roundingDifferencesAreDisclosed() {
        var notes: [String] = []
        for p in SeedDocument.d2023.parts { for case .note(let n) in p.items { notes.append(n) } }
        #expect(notes == ["基本支出与人员经费、公用经费：539.65+73.64=613.29万元，与613.28万元相差0.01万元，系各数分别四舍五入所致，按分计算完全相符。"])
    }

    /// The rule's scores differ from the published ones in five indicators and one budget row;
    /// each is a recorded override with its reason, and a warning says so.
    @Test func publishedScoresThatDifferFromTheRuleAreRecordedOverrides() {
        let overrides = SeedDocument.d2023.warnings.filter { $0.contains("differs from the rule") }
        #expect(overrides.count == 6, "\(overrides)")
        #expect(overrides.contains { $0.contains("the evaluator's score 9 differs from the rule's 8.95") })
        #expect(overrides.contains { $0.contains("预算执行: the evaluator's score 9.8 differs from the rule's 9.85") })
    }

    /// Every figure has an id once, a value (or is written or not applicable), a printed form and a source.
    @Test func everyFigureIsWellFormed() {
        for d in [SeedDocument.d2023, SeedDocument.d2022] {
            #expect(Set(d.figures.map(\.id)).count == d.figures.count)
            for f in d.figures {
                #expect(!f.printed.isEmpty || f.unit == .written, "\(f.id)")
                #expect(!f.source.isEmpty, "\(f.id)")
                if f.unit == .fen, let v = f.value { #expect(f.printed == Fen(v).wan, "\(f.id)") }
                if f.unit == .basisPoints { #expect(f.printed == (f.value.map { Percent(hundredths: $0).description } ?? "不适用"), "\(f.id)") }
            }
        }
    }

    /// 2022 is the journal's first year: its document has no comparisons, and says so by leaving
    /// them out, never by a zero.
    @Test func theFirstYearHasNoComparisons() {
        let d = SeedDocument.d2022
        #expect(!d.hasPriorYear)
        #expect(d.figures.allSatisfy { !$0.id.hasSuffix(".prior") && !$0.id.contains(".change") })
        let text = DocumentText.plain(d)
        #expect(!text.contains("2021"))
        #expect(d.figure("total.grand")?.printed == "790.97")
    }
}

/// The document's plain text, for tests that read its words.
enum DocumentText {
    static func plain(_ d: Document) -> String {
        var out = ""
        for p in d.parts {
            for item in p.items {
                if case .paragraph(let spans) = item {
                    out += spans.map { s -> String in
                        switch s {
                        case .text(let t): return t
                        case .figure(let id): return d.figure(id)?.printed ?? ""
                        }
                    }.joined() + "\n"
                }
            }
        }
        return out
    }
}
