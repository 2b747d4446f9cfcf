import Ledger

/// A unit's final-accounts document (单位决算) as a value: parts of headings, paragraphs and
/// tables whose numbers are figure ids. Every figure has its exact value, its printed form and
/// where it comes from; renderers (text, Markdown, JSON, HTML) only lay it out, and the report
/// checker reads the same figures. Nothing here prints.
public struct Document: Sendable {
    public let unitName: String
    public let year: Int
    /// The prior year is in the journal (comparisons are made); false for a journal's first year.
    public let hasPriorYear: Bool
    public let provisional: Bool
    public var parts: [Part]
    /// Every figure, in the order the document states it.
    public var figures: [DocFigure]
    /// What the accountant should see before publishing: texts not written (their sentences are
    /// left out), scores set by the evaluator against the rule.
    public var warnings: [String]
    /// The thirteen tables of the year (第五部分).
    public let statements: Statements
    /// The books the document came from, said in its notes when the year was closed in a signed
    /// journal: the checkpoint `close` signed (its origin, number of lines and Merkle root).
    public var booksNote: String?
    /// Said once, in the document's notes.
    public static let roundingNote = "金额单位为万元，每个金额按分单独四舍五入至两位小数；占比、增减率和完成率按分计算后四舍五入至两位小数，因此分项之和与合计可能存在0.01万元的尾差。"

    public var title: String { "\(year)年度\(unitName)单位决算" }

    public func figure(_ id: String) -> DocFigure? { figures.first { $0.id == id } }

    public struct Part: Sendable {
        public var title: String
        public var items: [Item]
    }

    public enum Item: Sendable {
        /// Level 1: 一、…; level 2: （一）…; level 3: 1. … (the number is part of the text).
        case heading(level: Int, text: String)
        case paragraph([Span])
        /// A 项目支出绩效自评表.
        case evaluation(ProjectEvaluation)
        /// The thirteen tables (第五部分).
        case statements
        /// A note printed in small type.
        case note(String)
        /// A chart of figures the text states.
        case chart(Chart)
    }

    public enum Span: Hashable, Sendable {
        case text(String)
        case figure(String)
    }
}

/// One figure the document states.
public struct DocFigure: Hashable, Sendable {
    public enum Unit: String, Sendable {
        /// An amount in 分, printed in 万元.
        case fen
        /// A rate in hundredths of a percent (9848 is 98.48%).
        case basisPoints = "bp"
        /// A count (批次, 人次, 辆, 个).
        case count
        /// Points in hundredths (绩效 weights and scores).
        case points
        /// A value as written (绩效 targets and results: a number or a word).
        case written
    }
    /// Stable: the same figure has the same id in every year's document.
    public let id: String
    /// Exact value; nil for a rate that does not apply (its base is zero) or a written value.
    public let value: Int64?
    public let unit: Unit
    /// As printed: `763.18`, `80.36`, `2`, `9.8`, `优`; `不适用` for a rate against zero.
    public let printed: String
    /// Where it comes from: statement cells (`T1[income-grand][amount]`), an arithmetic over
    /// other figures, or journal events.
    public let source: String
}

/// A 项目支出绩效自评表: budget execution from the books, indicators from the journal's facts.
public struct ProjectEvaluation: Sendable {
    public var project: ProjectCode
    public var name: String
    public var department: String?
    public var unitName: String
    public var goal: String?
    public var achieved: String?
    public var content: String?
    /// 总额, 其中：财政资金, 财政专户管理资金, 单位资金, 其他资金.
    public var budgetRows: [BudgetRow]
    public var indicators: [IndicatorRow]
    /// 合计 of the weights (100) and of the scores.
    public var totalWeight: String
    public var totalScore: String
    public var conclusion: String?
    public var problems: String?
    public var improvements: String?

    public struct BudgetRow: Sendable {
        public var label: String
        /// Figure ids: 年初预算, 调整后预算数, 预算执行数, 预算执行率; weight and score for 总额 only.
        public var initial: String, budget: String, actual: String, rate: String
        public var weight: String?, score: String?
        public var reason: String?
    }

    public struct IndicatorRow: Sendable {
        public var level: String, category: String, name: String, comparator: String
        /// Figure ids.
        public var target: String, actual: String, weight: String, score: String
        public var unit: String
        public var reason: String?
    }
}

/// A chart as the document states it: what to draw, by figure id, so that the drawing shows
/// exactly the figures of the text. Geometry is the renderer's (`ChartLayout` in the CLI).
public struct Chart: Sendable {
    public enum Kind: String, Sendable {
        /// Bars per group, one per series, on one scale.
        case bars
        /// Slices of a whole, each with its share.
        case donut
    }
    /// `图1` …, unique in the document.
    public var id: String
    public var title: String
    public var kind: Kind
    /// Series names (bars); one unnamed series for a donut.
    public var series: [String]
    public var groups: [Group]
    /// Said instead of an empty shape when every value is zero.
    public var emptySentence: String

    public struct Group: Sendable {
        public var label: String
        /// One figure id (an amount in 分) per series.
        public var values: [String]
        /// A figure printed with the group: a donut slice's share, a project's 执行率.
        public var note: String?
    }
}
