/// What a caller asks to post: raw text fields named as in the journal (`type`, `id`, `date`,
/// `fund`, `item`, `econ`, `nature`, `project`, `amount`, …), from command-line flags, a CSV
/// row or a JSON Lines row. The validator turns it into an `Event` or a `Rejection` that
/// names the field.
public struct Draft: Hashable, Sendable {
    public var fields: [String: String]

    public init(fields: [String: String]) {
        // Empty cells (CSV) mean "not given".
        self.fields = fields.filter { !$0.value.isEmpty }
    }

    public subscript(key: String) -> String? { fields[key] }

    /// Fields each type and adjustment kind accepts, and which of them are required.
    static let common: Set<String> = [Wire.type, Wire.id, Wire.date, Wire.actor, Wire.memo]
    static let classification: Set<String> = [Wire.fund, Wire.item, Wire.econ, Wire.nature, Wire.project]

    static func allowed(type: EventType, kind: String?) -> (allowed: Set<String>, required: [String]) {
        switch (type, kind) {
        case (.disbursement, _): return disbursementFields
        case (.appropriation, _): return appropriationFields
        default: return fields(type: type, kind: kind)
        }
    }
    private static let disbursementFields = fields(type: .disbursement, kind: nil)
    private static let appropriationFields = fields(type: .appropriation, kind: nil)

    private static func fields(type: EventType, kind: String?) -> (allowed: Set<String>, required: [String]) {
        switch type {
        case .unit:
            return (common.union([Wire.unit, Wire.name]), [Wire.unit, Wire.name, Wire.date, Wire.actor])
        case .yearOpen:
            return (common.union([Wire.year]), [Wire.year, Wire.actor])
        case .close:
            return (common.union([Wire.year, Wire.lines, Wire.override]), [Wire.year, Wire.actor])   // no lines: a year without budget lines
        case .carryForward:
            return (common.union([Wire.close, Wire.fund, Wire.item, Wire.nature, Wire.project, Wire.amount]),
                    [Wire.date, Wire.actor, Wire.close, Wire.fund, Wire.item, Wire.nature, Wire.amount])
        case .reopen:
            return (common.union([Wire.year, Wire.reason]), [Wire.year, Wire.actor, Wire.reason])
        case .appropriation:
            return (common.union(classification).union([Wire.amount, Wire.doc]),
                    [Wire.date, Wire.actor, Wire.fund, Wire.item, Wire.nature, Wire.amount, Wire.doc])
        case .disbursement:
            return (common.union(classification).union([Wire.amount, Wire.payee, Wire.voucher, Wire.override]),
                    [Wire.date, Wire.actor, Wire.fund, Wire.item, Wire.econ, Wire.nature, Wire.amount, Wire.payee, Wire.voucher])
        case .adjustment:
            let base = common.union([Wire.kind, Wire.override])
            switch kind {
            case Wire.kindBudget:
                return (base.union(classification).union([Wire.amount, Wire.doc]),
                        [Wire.kind, Wire.date, Wire.actor, Wire.fund, Wire.item, Wire.nature, Wire.amount, Wire.doc])
            case Wire.kindReversal:
                return (base.union([Wire.target, Wire.amount, Wire.priorYear]), [Wire.kind, Wire.date, Wire.actor, Wire.target])
            case Wire.kindReclassification:
                return (base.union([Wire.target, Wire.amount, Wire.priorYear]).union(classification),
                        [Wire.kind, Wire.date, Wire.actor, Wire.target])
            default:
                return (base, [Wire.kind])
            }
        }
    }
}
