/// The year-end close (年终结账) as a request: which unspent balances carry forward (结转)
/// and which lapse (收回).
///
/// Default rule: a project line (项目支出) carries its unspent balance forward, to be spent on
/// the same project next year; a basic line (基本支出) lapses. `carry` and `lapse` override it
/// for the lines they select; a line selected by both is an error.
public struct CloseRequest: Sendable {
    public var year: Int
    public var actor: String
    public var id: EventID?
    public var memo: String
    public var carry: [LineSelector]
    public var lapse: [LineSelector]
    /// Why a re-close may leave a next-year line overspent (recorded in the close); nil to refuse.
    public var override: String?

    public init(year: Int, actor: String, id: EventID? = nil, memo: String = "", carry: [LineSelector] = [], lapse: [LineSelector] = [],
                override: String? = nil) {
        self.year = year; self.actor = actor; self.id = id; self.memo = memo; self.carry = carry; self.lapse = lapse
        self.override = override
    }

    /// The disposition of a line's balance under the rule and the overrides.
    public func disposition(of l: ClosedLine) -> Result<Disposition, Rejection> {
        guard l.balance > .zero else { return .success(.none) }
        let c = carry.contains { $0.matches(l.line) }, x = lapse.contains { $0.matches(l.line) }
        if c && x {
            return .failure(Rejection(.malformedField, field: Wire.lines, "line \(l.line) is selected both to carry and to lapse"))
        }
        if c { return .success(.carry) }
        if x { return .success(.lapse) }
        return .success(l.line.nature == .project ? .carry : .lapse)
    }
}

/// Selects budget lines on the command line: a project code, a 项 code (all its lines), or a
/// whole line `FUND/ITEM/NATURE[/PROJECT]`.
public struct LineSelector: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public init?(_ text: String) {
        let parts = text.split(separator: "/").map(String.init)
        switch parts.count {
        case 1: guard ProjectCode(rawValue: text) != nil || FunctionCode(rawValue: text)?.isItem == true else { return nil }
        case 3, 4:
            guard FundCode(rawValue: parts[0]) != nil, FunctionCode(rawValue: parts[1])?.isItem == true, Nature(text: parts[2]) != nil,
                  parts.count == 3 || ProjectCode(rawValue: parts[3]) != nil else { return nil }
        default: return nil
        }
        self.text = text
    }

    public func matches(_ l: BudgetLine) -> Bool {
        if text == l.project?.rawValue || text == l.item.rawValue { return true }
        return text == "\(l.fund)/\(l.item)/\(l.nature.wire)" + (l.project.map { "/\($0)" } ?? "")
    }

    public var description: String { text }
}

extension JournalStore {
    /// Closes fiscal year `request.year`: one close event recording every budget line of the
    /// year as the journal has it, with each balance's disposition, then one carry-forward
    /// event per carried line into the next year (which the close opens). All in one batch,
    /// validated like any post: a close out of order, twice, or of a year not open is rejected.
    public func close(_ request: CloseRequest) throws(JournalError) -> BatchResult {
        var ruleError: Rejection?
        let result = try post(building: { state in
            var lines: [ClosedLine] = []
            for (_, var l) in Validator.closedLines(year: request.year, state: state).sorted(by: { $0.key < $1.key }) {
                switch request.disposition(of: l) {
                case .success(let d): l.disposition = d
                case .failure(let r): ruleError = ruleError ?? r
                }
                lines.append(l)
            }
            let closeID = request.id
                ?? EventID(rawValue: "\(request.year)-CLOSE" + (state.closes[request.year] == nil ? "" : "-\(state.count + 1)"))!
            var requests = [Request(id: closeID, date: nil, actor: request.actor, memo: request.memo,
                                    body: .close(year: request.year, lines: lines, override: request.override))]
            let carries = CloseMark.toCarry(lines, alreadyCarried: state.closes[request.year]?.carried ?? [:])
            for (line, amount) in carries.sorted(by: { $0.key < $1.key }) {
                let c = Classification(fund: line.fund, item: line.item, econ: nil, nature: line.nature, project: line.project)
                requests.append(Request(id: EventID(rawValue: "\(line.year)-CF-\(closeID)-\(requests.count)"), date: CivilDate.firstOfYear(line.year),
                                        actor: request.actor, body: .carryForward(close: closeID, line: c, amount: amount)))
            }
            // After the close is built: it records exactly the state's lines, each once, with a
            // disposition where a balance is left (the validator checks the same again, as
            // verify does for every close read back).
            if ruleError == nil {
                let built = YearClose(year: request.year, events: state.count, head: .zero, lines: lines)
                assert(built.invariantViolation == nil, "close of \(request.year) built wrong: \(built.invariantViolation!)")
                assert(built.budget == Validator.closedLines(year: request.year, state: state).values.map(\.budget).sum())
            }
            return ruleError == nil ? requests.map { .success($0) } : []
        })
        if let r = ruleError { return .rejected([(0, r)]) }
        // When the close itself is refused, its carry-forwards fail only because of that.
        if case .rejected(let list) = result, let first = list.first(where: { $0.index == 0 }) { return .rejected([first]) }
        if case .committed(let items) = result { writeCloseCheckpoint(year: request.year, items: items) }
        return result
    }
}
