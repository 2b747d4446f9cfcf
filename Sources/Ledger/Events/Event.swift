/// The journal's events. A closed enum with one payload struct per case: every `switch`
/// over it has no `default:`, so a new kind of event breaks the build wherever it must be
/// handled (Beancount's closed directive union).

/// Where money sits: fund source, 功能分类 项, optional 经济分类 款, 基本/项目, optional project.
public struct Classification: Hashable, Sendable {
    public var fund: FundCode
    public var item: FunctionCode
    public var econ: EconomicCode?
    public var nature: Nature
    public var project: ProjectCode?

    public init(fund: FundCode, item: FunctionCode, econ: EconomicCode?, nature: Nature, project: ProjectCode?) {
        self.fund = fund; self.item = item; self.econ = econ; self.nature = nature; self.project = project
    }

    /// The budget line this classification draws on in a year.
    public func line(year: Int) -> BudgetLine {
        BudgetLine(year: year, fund: fund, item: item, nature: nature, project: project)
    }
}

/// The unit of budget availability: a disbursement may not exceed what its line has left.
/// 经济分类 is not part of it: appropriations are made per 项, nature and project.
public struct BudgetLine: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var fund: FundCode
    public var item: FunctionCode
    public var nature: Nature
    public var project: ProjectCode?

    public init(year: Int, fund: FundCode, item: FunctionCode, nature: Nature, project: ProjectCode?) {
        self.year = year; self.fund = fund; self.item = item; self.nature = nature; self.project = project
    }

    public var description: String {
        "\(year)/\(fund)/\(item)/\(nature.wire)" + (project.map { "/\($0)" } ?? "")
    }

    public static func < (l: Self, r: Self) -> Bool {
        (l.year, l.fund.rawValue, l.item.rawValue, l.nature.wire, l.project?.rawValue ?? "")
            < (r.year, r.fund.rawValue, r.item.rawValue, r.nature.wire, r.project?.rawValue ?? "")
    }
}

/// `fledger init`: the unit whose journal this is, and its first fiscal year.
public struct UnitOpening: Hashable, Sendable {
    public var unitCode: String
    public var unitName: String
    public var year: Int
}

/// A fiscal year opened for posting (the first by `init`, later ones by `open-year` or a close).
public struct YearOpening: Hashable, Sendable {
    public var year: Int
}

/// Budget authority granted: 批复 of an amount to a line, citing its document.
public struct Appropriation: Hashable, Sendable {
    public var classification: Classification
    public var amount: Fen
    public var document: String
}

/// Money spent against a line.
public struct Disbursement: Hashable, Sendable {
    public var classification: Classification   // econ is required
    public var amount: Fen
    public var payee: String
    public var voucher: String
    /// Set when an accountant overrode the budget-availability check; the reason is kept.
    public var override: String?
}

/// A change to budget authority, or a correction of an earlier event. Never an edit.
/// A correction of an event in a closed year is a prior-year adjustment (以前年度调整): it is
/// dated in an open year, names the closed year in `priorYear`, and leaves both years' budget
/// lines alone (the closed year is locked; the open year's authority is not involved).
public struct Adjustment: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Budget authority up (positive) or down (negative) on a line.
        case budget(Classification, amount: Fen, document: String)
        /// Reverses `amount` of an earlier appropriation or disbursement.
        case reversal(target: EventID, amount: Fen)
        /// Moves `amount` of an earlier appropriation or disbursement to another classification.
        case reclassification(target: EventID, amount: Fen, to: Classification)
    }
    public var kind: Kind
    /// The closed fiscal year of the corrected event, for a prior-year adjustment.
    public var priorYear: Int?
    public var override: String?

    public init(kind: Kind, priorYear: Int? = nil, override: String?) {
        self.kind = kind; self.priorYear = priorYear; self.override = override
    }
}

/// What happens to a line's unspent balance at the close.
public enum Disposition: String, Hashable, Sendable {
    /// 结转: carried forward to the same line of the next year (年初结转和结余).
    case carry
    /// 收回: lapsed, returned; nothing reaches the next year.
    case lapse
    /// Nothing to dispose of: the balance is zero or overspent.
    case none = "-"
}

/// One budget line as the close found it.
public struct ClosedLine: Hashable, Sendable {
    public var line: BudgetLine
    /// 调整后预算 including 年初结转, and 执行数.
    public var budget: Fen
    public var actual: Fen
    public var disposition: Disposition
    public var balance: Fen { budget - actual }

    public init(line: BudgetLine, budget: Fen, actual: Fen, disposition: Disposition) {
        self.line = line; self.budget = budget; self.actual = actual; self.disposition = disposition
    }
}

/// `fledger close`: year `year` is final. Records every budget line's figures and the fate of
/// its balance, the totals, and the journal's length and head hash before the close.
public struct YearClose: Hashable, Sendable {
    public var year: Int
    public var events: Int
    public var head: SHA256.Digest
    public var lines: [ClosedLine]
    /// Set when a re-close was allowed to leave a next-year line overspent (it carries less
    /// than an earlier close did, and that line had already spent it); the reason is kept.
    public var override: String?

    public init(year: Int, events: Int, head: SHA256.Digest, lines: [ClosedLine], override: String? = nil) {
        self.year = year; self.events = events; self.head = head; self.lines = lines; self.override = override
    }

    /// What every close must be, whoever built it: each budget line of its year once, and a
    /// disposition exactly where a positive balance is left. Nil when it holds.
    public var invariantViolation: String? {
        var seen = Set<BudgetLine>()
        for l in lines {
            if l.line.year != year { return "line \(l.line) is not in \(year)" }
            if !seen.insert(l.line).inserted { return "line \(l.line) is listed twice" }
            if (l.balance > .zero) != (l.disposition != .none) { return "line \(l.line): balance \(l.balance.yuan) with disposition \(l.disposition.rawValue)" }
        }
        return nil
    }

    public var budget: Fen { lines.map(\.budget).sum() }
    public var actual: Fen { lines.map(\.actual).sum() }
    public var carried: Fen { lines.filter { $0.disposition == .carry }.map(\.balance).sum() }
    public var lapsed: Fen { lines.filter { $0.disposition == .lapse }.map(\.balance).sum() }
}

/// A balance carried forward by a close: the next year's 年初结转和结余 on the same line.
public struct CarryForward: Hashable, Sendable {
    public var close: EventID
    public var line: BudgetLine   // in the next year
    public var amount: Fen

    public var classification: Classification {
        Classification(fund: line.fund, item: line.item, econ: nil, nature: line.nature, project: line.project)
    }
}

/// `fledger reopen`: a closed year opened again, with the reason. A new close supersedes the old.
public struct YearReopen: Hashable, Sendable {
    public var year: Int
    public var reason: String
}

public enum EventBody: Hashable, Sendable {
    case unit(UnitOpening)
    case yearOpen(YearOpening)
    case appropriation(Appropriation)
    case disbursement(Disbursement)
    case adjustment(Adjustment)
    case close(YearClose)
    case carryForward(CarryForward)
    case reopen(YearReopen)
    /// A fact the document reports besides money (moves no budget line).
    case fact(Fact)
    /// Who may do what: actors, signatures, approvals (moves no budget line by itself).
    case access(AccessEvent)

    /// Wire name of the event type, from the explicit table `EventType`.
    public var type: EventType {
        switch self {
        case .unit: return .unit
        case .yearOpen: return .yearOpen
        case .appropriation: return .appropriation
        case .disbursement: return .disbursement
        case .adjustment: return .adjustment
        case .close: return .close
        case .carryForward: return .carryForward
        case .reopen: return .reopen
        case .fact(let f): return f.type
        case .access(let a): return a.type
        }
    }
}

/// Event type names as written in the journal.
public enum EventType: String, CaseIterable, Sendable {
    case unit = "unit"
    case yearOpen = "year_open"
    case appropriation = "appropriation"
    case disbursement = "disbursement"
    case adjustment = "adjustment"
    case close = "close"
    case carryForward = "carry_forward"
    case reopen = "reopen"
    case sanGongActivity = "sangong_activity"
    case vehicle = "vehicle"
    case procurement = "procurement"
    case asset = "asset"
    case performanceTarget = "performance_target"
    case performanceResult = "performance_result"
    case performanceStage = "performance_stage"
    case text = "text"
    case actor = "actor"
    case signature = "signature"
    case approval = "approval"
    case rejection = "rejection"
}

/// One journal event: the caller's content plus what the journal assigns (sequence number and
/// recording time). The hash link lives in the journal line, not here.
public struct Event: Hashable, Sendable {
    public var seq: Int
    public var id: EventID
    public var date: CivilDate
    public var recorded: Timestamp
    public var actor: String
    public var memo: String
    public var body: EventBody
    /// The item waits for a second person's approval before it counts (see `AccessRules`).
    public var needsApproval: Bool

    public init(seq: Int, id: EventID, date: CivilDate, recorded: Timestamp, actor: String, memo: String, body: EventBody,
                needsApproval: Bool = false) {
        self.seq = seq; self.id = id; self.date = date; self.recorded = recorded
        self.actor = actor; self.memo = memo; self.body = body; self.needsApproval = needsApproval
    }

    /// The fiscal year the event belongs to (the calendar year of its effective date).
    public var year: Int { date.year }

    /// True when both events say the same thing, ignoring what the journal assigned.
    public func sameContent(as other: Event) -> Bool {
        id == other.id && date == other.date && actor == other.actor && memo == other.memo && body == other.body
            && needsApproval == other.needsApproval
    }

    /// What the event does to budget lines: signed budget and actual movements.
    /// Corrections need their target, which the caller looks up.
    public func effects(target: Event?) -> [Effect] {
        switch body {
        case .unit, .yearOpen, .close, .reopen, .fact, .access:
            return []
        case .carryForward(let c):
            return [Effect(classification: c.classification, year: year, budget: c.amount, actual: .zero)]
        case .appropriation(let a):
            return [Effect(classification: a.classification, year: year, budget: a.amount, actual: .zero)]
        case .disbursement(let d):
            return [Effect(classification: d.classification, year: year, budget: .zero, actual: d.amount)]
        case .adjustment(let adj):
            if adj.priorYear != nil { return [] }   // a closed year is locked
            switch adj.kind {
            case .budget(let c, let amount, _):
                return [Effect(classification: c, year: year, budget: amount, actual: .zero)]
            case .reversal(_, let amount):
                guard let t = target, let base = t.effects(target: nil).first else { return [] }
                return [base.scaled(to: -amount)]
            case .reclassification(_, let amount, let to):
                guard let t = target, let base = t.effects(target: nil).first else { return [] }
                var moved = base.scaled(to: amount)
                moved.classification = to
                return [base.scaled(to: -amount), moved]
            }
        }
    }
}

/// A signed movement on one budget line. Corrections land in the year of their target.
public struct Effect: Hashable, Sendable {
    public var classification: Classification
    public var year: Int
    public var budget: Fen
    public var actual: Fen

    public var line: BudgetLine { classification.line(year: year) }

    /// The same kind of movement (budget or actual) with another amount.
    func scaled(to amount: Fen) -> Effect {
        var e = self
        if budget != .zero { e.budget = amount } else { e.actual = amount }
        return e
    }
}
