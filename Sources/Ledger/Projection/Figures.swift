/// Budget against actual for one line or group: the columns of every budget-execution table.
public struct Figures: Hashable, Sendable {
    /// 年初预算: appropriations dated the first day of the fiscal year.
    public var initial: Fen = .zero
    /// 预算调整: budget adjustments and appropriations dated later in the year (追加).
    public var adjustments: Fen = .zero
    /// 执行数: disbursements net of their corrections.
    public var actual: Fen = .zero
    /// 年初结转和结余: balances the previous year's close carried forward to this line.
    public var carried: Fen = .zero
    /// 以前年度调整: corrections, posted this year, of a closed earlier year's spending (not
    /// part of this year's 执行数 or budget).
    public var priorYear: Fen = .zero

    public init(initial: Fen = .zero, adjustments: Fen = .zero, actual: Fen = .zero, carried: Fen = .zero, priorYear: Fen = .zero) {
        self.initial = initial; self.adjustments = adjustments; self.actual = actual
        self.carried = carried; self.priorYear = priorYear
    }

    /// 调整后预算, including 年初结转和结余: all the authority the line had in the year.
    public var budget: Fen { carried + initial + adjustments }
    /// 可用余额: what may still be spent.
    public var available: Fen { budget - actual }
    /// 执行率 = 执行数 ÷ 调整后预算; none where the budget is zero.
    public var rate: Percent? { Percent(actual, of: budget) }

    public var isZero: Bool { self == Figures() }

    public mutating func add(_ o: Figures) {
        initial += o.initial; adjustments += o.adjustments; actual += o.actual
        carried += o.carried; priorYear += o.priorYear
    }

    mutating func add(_ amount: Fen, to column: Column) {
        switch column {
        case .initial: initial += amount
        case .adjustments: adjustments += amount
        case .actual: actual += amount
        case .carried: carried += amount
        case .priorYear: priorYear += amount
        }
    }

    /// Which column a movement lands in.
    public enum Column: Sendable { case initial, adjustments, actual, carried, priorYear }
}

/// A percentage with two decimals, held as an integer number of hundredths of a percent
/// (9848 is 98.48%), rounded half away from zero. Never floating point.
public struct Percent: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hundredths: Int64

    public init(hundredths: Int64) { self.hundredths = hundredths }

    /// `part ÷ whole`; nil when `whole` is zero (no rate, rather than 0% or infinity).
    public init?(_ part: Fen, of whole: Fen) {
        guard whole != .zero else { return nil }
        // part/whole × 10 000 hundredths, rounded half away from zero, in 128 bits so that no
        // amount can overflow.
        let num = Int128(part.raw) * 10_000, den = Int128(whole.raw)
        let negative = (num < 0) != (den < 0)
        let q = (num.magnitude * 2 + den.magnitude) / (den.magnitude * 2)
        hundredths = Int64(negative ? -Int128(q) : Int128(q))
    }

    /// `98.48`, `-3.15`, `100.00`.
    public var description: String {
        let m = hundredths.magnitude
        let frac = m % 100
        return (hundredths < 0 ? "-" : "") + "\(m / 100)." + (frac < 10 ? "0" : "") + "\(frac)"
    }

    public static func < (l: Self, r: Self) -> Bool { l.hundredths < r.hundredths }
}
