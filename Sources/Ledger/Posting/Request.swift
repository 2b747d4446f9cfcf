/// What a caller asks the journal to record, as typed values: one case per event kind, with
/// codes, `Fen`, dates and enums instead of text. The command line, CSV and JSON Lines front
/// ends parse text into a request (`Draft.request`), reporting the field at fault; `close`
/// builds its requests directly. The validator turns a request into an `Event` against the
/// journal's state, or refuses it with a `Rejection`.
public struct Request: Hashable, Sendable {
    /// The event's id; generated from the sequence number when nil.
    public var id: EventID?
    /// The effective date; only `yearOpen`, `close` and `reopen` may leave it to the rule
    /// (1 January of the year opened; 31 December of the year closed or reopened).
    public var date: CivilDate?
    public var actor: String
    public var memo: String
    public var body: Body

    public init(id: EventID? = nil, date: CivilDate?, actor: String, memo: String = "", body: Body) {
        self.id = id; self.date = date; self.actor = actor; self.memo = memo; self.body = body
    }

    public enum Body: Hashable, Sendable {
        case unit(code: String, name: String)
        case yearOpen(year: Int)
        case appropriation(Classification, amount: Fen, document: String)
        case disbursement(Classification, amount: Fen, payee: String, voucher: String, override: String?)
        case budgetAdjustment(Classification, amount: Fen, document: String, override: String?)
        /// `amount` nil: all that is left of the target.
        case reversal(target: EventID, amount: Fen?, priorYear: Int?, override: String?)
        /// Fields of `to` left nil keep the target's.
        case reclassification(target: EventID, amount: Fen?, to: PartialClassification, priorYear: Int?, override: String?)
        case close(year: Int, lines: [ClosedLine], override: String?)
        /// Econ-less: a carry-forward is per budget line; its year is the date's.
        case carryForward(close: EventID, line: Classification, amount: Fen)
        case reopen(year: Int, reason: String)
        /// A fact the document reports (all its fields given).
        case fact(Fact)
        /// An actor registered or revoked (by an admin).
        case actor(ActorChange)
        /// A second person's decision on an item waiting for approval.
        case approval(target: EventID)
        case rejection(target: EventID, reason: String)
    }

}

extension Request {
    /// The kind of event the request makes.
    public var type: EventType {
        switch body {
        case .unit: return .unit
        case .yearOpen: return .yearOpen
        case .appropriation: return .appropriation
        case .disbursement: return .disbursement
        case .budgetAdjustment, .reversal, .reclassification: return .adjustment
        case .close: return .close
        case .carryForward: return .carryForward
        case .reopen: return .reopen
        case .fact(let f): return f.type
        case .actor: return .actor
        case .approval: return .approval
        case .rejection: return .rejection
        }
    }
}

/// The classification fields a reclassification names; the others are kept from its target.
public struct PartialClassification: Hashable, Sendable {
    public var fund: FundCode?
    public var item: FunctionCode?
    public var econ: EconomicCode?
    public var nature: Nature?
    public var project: ProjectCode?

    public init(fund: FundCode? = nil, item: FunctionCode? = nil, econ: EconomicCode? = nil, nature: Nature? = nil, project: ProjectCode? = nil) {
        self.fund = fund; self.item = item; self.econ = econ; self.nature = nature; self.project = project
    }

    public var isEmpty: Bool { fund == nil && item == nil && econ == nil && nature == nil && project == nil }

    /// `base` with these fields over it. Changing the nature to 基本 drops the project.
    public func over(_ base: Classification) -> (fund: FundCode, item: FunctionCode, econ: EconomicCode?, nature: Nature, project: ProjectCode?) {
        let n = nature ?? base.nature
        let p = project ?? (nature == .basic ? nil : base.project)
        return (fund ?? base.fund, item ?? base.item, econ ?? base.econ, n, p)
    }
}

/// Adjustment kinds as written in the journal (`"kind"`): the one wire table for them.
public enum AdjustmentKind: String, CaseIterable, Sendable {
    case budget = "budget"
    case reversal = "reversal"
    case reclassification = "reclassification"
}

extension Adjustment.Kind {
    public var wire: AdjustmentKind {
        switch self {
        case .budget: return .budget
        case .reversal: return .reversal
        case .reclassification: return .reclassification
        }
    }
}

extension Request.Body {
    /// The recorded reason for passing a check, where the request has one.
    public var override: String? {
        switch self {
        case .disbursement(_, _, _, _, let o), .budgetAdjustment(_, _, _, let o), .reversal(_, _, _, let o),
             .reclassification(_, _, _, _, let o), .close(_, _, let o): return o
        case .unit, .yearOpen, .appropriation, .carryForward, .reopen, .fact, .actor, .approval, .rejection: return nil
        }
    }
}
