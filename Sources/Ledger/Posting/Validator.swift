/// The validation ladder (TigerBeetle's `create_transfer` habit): checks in a fixed order,
/// the first failure is the answer, and once an event passes, applying it cannot fail.
///
/// Order: shape of the request (type, unknown and missing fields, id, date, actor, codes,
/// amount, nature/project), then identity (an existing id is an idempotent success or a
/// conflict), then the journal's state (initialised, year open, correction target, budget).
public struct Validator: Sendable {
    public let catalogue: Catalogue

    public init(catalogue: Catalogue) { self.catalogue = catalogue }

    public enum Outcome: Sendable {
        /// A new event, ready to append (its `seq` is the next one, `recorded` is now).
        case accepted(Event)
        /// The same id with the same content is already in the journal: nothing to append.
        case duplicate(Event)
        case rejected(Rejection)
    }

    /// Fetches the event whose line starts at a locator (the journal or a pending batch).
    public typealias Lookup = (Locator) -> Event?

    public func validate(_ draft: Draft, state: LedgerState, recorded: Timestamp, lookup: Lookup) -> Outcome {
        do {
            let event = try shape(draft, seq: state.count + 1, recorded: recorded, state: state, lookup: lookup)
            if let existing = find(event.id, state: state, lookup: lookup) {
                if existing.event.sameContent(as: event) || sameRequest(draft, existing.event) {
                    return .duplicate(existing.event)
                }
                throw Rejection(.idConflict, field: Wire.id,
                                "id '\(event.id)' is already used by event seq \(existing.event.seq) with different content")
            }
            try checkState(event, state: state, lookup: lookup)
            return .accepted(event)
        } catch let r as Rejection {
            return .rejected(r)
        } catch {
            return .rejected(Rejection(.malformedField, field: nil, "\(error)"))
        }
    }

    /// Checks an event read back from a journal against the state before it (verify's replay).
    public func check(_ event: Event, state: LedgerState, lookup: Lookup) -> Rejection? {
        if let existing = find(event.id, state: state, lookup: lookup) {
            return Rejection(.idConflict, field: Wire.id, "id '\(event.id)' was already used by seq \(existing.event.seq)")
        }
        do { try checkState(event, state: state, lookup: lookup) } catch let r as Rejection { return r } catch {
            return Rejection(.malformedField, field: nil, "\(error)")
        }
        return nil
    }

    /// The event a correction refers to, with its locator; nil for other events.
    func target(of event: Event, state: LedgerState, lookup: Lookup) -> (event: Event, locator: Locator)? {
        Trail.target(of: event).flatMap { find($0, state: state, lookup: lookup) }
    }

    func find(_ id: EventID, state: LedgerState, lookup: Lookup) -> (event: Event, locator: Locator)? {
        for l in state.index.candidates(id) {
            if let e = lookup(l), e.id == id { return (e, l) }
        }
        return nil
    }

    // MARK: - Shape

    private func shape(_ d: Draft, seq: Int, recorded: Timestamp, state: LedgerState, lookup: Lookup) throws -> Event {
        guard let typeText = d[Wire.type] else { throw Rejection(.missingField, field: Wire.type, "field 'type' is required: appropriation, disbursement or adjustment") }
        guard let type = EventType(rawValue: typeText) else {
            throw Rejection(.malformedField, field: Wire.type, "type '\(typeText)' is not one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let kind = d[Wire.kind]
        if type == .adjustment, let k = kind, ![Wire.kindBudget, Wire.kindReversal, Wire.kindReclassification].contains(k) {
            throw Rejection(.malformedField, field: Wire.kind, "adjustment kind '\(k)' is not budget, reversal or reclassification")
        }
        let (allowed, required) = Draft.allowed(type: type, kind: kind)
        for key in d.fields.keys.sorted() where !allowed.contains(key) {
            throw Rejection(.unknownField, field: key, "field '\(key)' does not belong to \(typeText)\(kind.map { " (\($0))" } ?? ""); it takes \(allowed.sorted().joined(separator: ", "))")
        }
        for key in required where d[key] == nil {
            throw Rejection(.missingField, field: key, "field '\(key)' is required for \(typeText)\(kind.map { " (\($0))" } ?? "")")
        }
        let id: EventID
        if let text = d[Wire.id] {
            guard let v = EventID(rawValue: text) else {
                throw Rejection(.malformedField, field: Wire.id, "id '\(text)' must be 1–64 characters of A–Z a–z 0–9 . _ : -")
            }
            id = v
        } else {
            id = generatedID(type: type, seq: seq, state: state, lookup: lookup)
        }
        let year: Int?
        if let text = d[Wire.year] {
            guard let y = Int(text), FiscalYears.contains(y) else {
                throw Rejection(.malformedField, field: Wire.year, "year '\(text)' is not a year like 2023")
            }
            year = y
        } else { year = nil }
        let date: CivilDate
        if let text = d[Wire.date] {
            guard let v = CivilDate(text) else {
                throw Rejection(.malformedDate, field: Wire.date, "date '\(text)' is not a valid date YYYY-MM-DD")
            }
            date = v
        } else if type == .close || type == .reopen {
            date = CivilDate(year: year ?? 1900, month: 12, day: 31)!   // a year's close is its last event
        } else {
            date = CivilDate.firstOfYear(year ?? 1900)  // only year_open may omit the date
        }
        let actor = d[Wire.actor] ?? ""
        guard !actor.isEmpty else { throw Rejection(.missingField, field: Wire.actor, "field 'actor' is required") }
        for key in [Wire.actor, Wire.memo, Wire.doc, Wire.payee, Wire.voucher, Wire.override, Wire.name, Wire.unit, Wire.reason] {
            if let v = d[key], v.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) {
                throw Rejection(.malformedField, field: key, "field '\(key)' must be one line of text (no control characters)")
            }
        }
        let memo = d[Wire.memo] ?? ""
        let override = d[Wire.override]
        let body: EventBody
        switch type {
        case .unit:
            body = .unit(UnitOpening(unitCode: d[Wire.unit]!, unitName: d[Wire.name]!, year: date.year))
        case .yearOpen:
            guard let y = year else { throw Rejection(.missingField, field: Wire.year, "field 'year' is required") }
            if d[Wire.date] != nil, date.year != y {
                throw Rejection(.malformedDate, field: Wire.date, "date \(date) is not in the year \(y) being opened")
            }
            body = .yearOpen(YearOpening(year: y))
        case .close:
            let y = year!
            guard date == CivilDate(year: y, month: 12, day: 31)! else {
                throw Rejection(.malformedDate, field: Wire.date, "a close of \(y) is dated \(y)-12-31, its last day (\(date) given)")
            }
            guard let lines = EventCodec.parseCloseLines(d[Wire.lines] ?? "", year: y) else {
                throw Rejection(.malformedField, field: Wire.lines, "lines must be 'FUND ITEM NATURE PROJECT|- BUDGET ACTUAL carry|lapse|-' entries separated by ';'")
            }
            body = .close(YearClose(year: y, events: state.count, head: .zero, lines: lines, override: override))  // head: the store fills it in
        case .carryForward:
            let text = d[Wire.close]!
            guard let closeID = EventID(rawValue: text) else { throw Rejection(.malformedField, field: Wire.close, "close '\(text)' is not an event id") }
            let c = try classification(d, econRequired: false)
            body = .carryForward(CarryForward(close: closeID, line: c.line(year: date.year), amount: try amount(d, allowNegative: true)))
        case .reopen:
            let y = year!
            guard date == CivilDate(year: y, month: 12, day: 31)! else {
                throw Rejection(.malformedDate, field: Wire.date, "a reopening of \(y) is dated \(y)-12-31, like its close (\(date) given)")
            }
            guard !d[Wire.reason]!.trimmingSpaces.isEmpty else { throw Rejection(.missingField, field: Wire.reason, "a reopening needs its reason") }
            body = .reopen(YearReopen(year: y, reason: d[Wire.reason]!))
        case .appropriation:
            body = .appropriation(Appropriation(
                classification: try classification(d, econRequired: false),
                amount: try amount(d, allowNegative: false), document: d[Wire.doc]!))
        case .disbursement:
            body = .disbursement(Disbursement(
                classification: try classification(d, econRequired: true), amount: try amount(d, allowNegative: false),
                payee: d[Wire.payee]!, voucher: d[Wire.voucher]!, override: override))
        case .adjustment:
            switch kind! {
            case Wire.kindBudget:
                body = .adjustment(Adjustment(kind: .budget(try classification(d, econRequired: false),
                                                            amount: try amount(d, allowNegative: true), document: d[Wire.doc]!),
                                              override: override))
            default:
                body = try correction(d, kind: kind!, date: date, override: override, state: state, lookup: lookup)
            }
        }
        return Event(seq: seq, id: id, date: date, recorded: recorded, actor: actor, memo: memo, body: body)
    }

    private func generatedID(type: EventType, seq: Int, state: LedgerState, lookup: Lookup) -> EventID {
        var n = seq
        while true {
            let id = EventID(rawValue: "\(type.rawValue.prefix(4))-\(n)")!
            if find(id, state: state, lookup: lookup) == nil { return id }
            n += 1_000_000_000
        }
    }

    private func classification(_ d: Draft, econRequired: Bool, base: Classification? = nil) throws -> Classification {
        func code<T>(_ key: String, _ what: String, _ make: (String) -> T?) throws -> T? {
            guard let text = d[key] else { return nil }
            guard let v = make(text) else { throw Rejection(.malformedCode, field: key, "\(key) '\(text)' is not \(what)") }
            return v
        }
        let fund = try code(Wire.fund, "a fund code (lower-case letters and digits, e.g. gpb)") { FundCode(rawValue: $0) } ?? base?.fund
        let item = try code(Wire.item, "a 7-digit 功能分类 项 code such as 2010350") {
            FunctionCode(rawValue: $0).flatMap { $0.isItem ? $0 : nil }
        } ?? base?.item
        let econ = try code(Wire.econ, "a 5-digit 经济分类 款 code such as 30101") {
            EconomicCode(rawValue: $0).flatMap { $0.isKuan ? $0 : nil }
        } ?? base?.econ
        let nature = try code(Wire.nature, "basic (基本) or project (项目)") { Nature(text: $0) } ?? base?.nature
        let project: ProjectCode?
        if d[Wire.project] != nil {
            project = try code(Wire.project, "a project code of 8 digits, a capital letter and 12 digits (51050022T000000280041)") { ProjectCode(rawValue: $0) }
        } else if d[Wire.nature] != nil, nature == .basic {
            project = nil   // changing to 基本 drops the project
        } else {
            project = base?.project
        }
        guard let fund, let item, let nature else {
            throw Rejection(.missingField, field: Wire.fund, "fund, item and nature are required")
        }
        guard catalogue.funds[fund] != nil else {
            throw Rejection(.unknownCode, field: Wire.fund, "fund '\(fund)' is not in the catalogue; known: \(catalogue.funds.keys.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        guard catalogue.functions[item] != nil else {
            throw Rejection(.unknownCode, field: Wire.item, "功能分类 项 '\(item)' is not in the catalogue")
        }
        for parent in item.ancestors where catalogue.functions[parent] == nil {
            throw Rejection(.unknownCode, field: Wire.item, "功能分类 项 '\(item)': its 类/款 '\(parent)' is not in the catalogue")
        }
        if let econ {
            guard catalogue.economics[econ] != nil else {
                throw Rejection(.unknownCode, field: Wire.econ, "经济分类 款 '\(econ)' is not in the catalogue")
            }
            guard catalogue.economics[econ.category] != nil else {
                throw Rejection(.unknownCode, field: Wire.econ, "经济分类 款 '\(econ)': its 类 '\(econ.category)' is not in the catalogue")
            }
        } else if econRequired {
            throw Rejection(.missingField, field: Wire.econ, "field 'econ' (经济分类 款) is required")
        }
        _ = try amountIfAny(d)
        switch (nature, project) {
        case (.project, nil):
            throw Rejection(.projectMismatch, field: Wire.project, "nature 'project' (项目支出) needs a project code")
        case (.basic, .some(let p)):
            throw Rejection(.projectMismatch, field: Wire.project, "nature 'basic' (基本支出) takes no project, but project '\(p)' was given")
        default: break
        }
        return Classification(fund: fund, item: item, econ: econ, nature: nature, project: project)
    }

    /// Amount checks come after the codes but before nature/project (ladder order); parse once here.
    private func amountIfAny(_ d: Draft) throws -> Fen? {
        guard let text = d[Wire.amount] else { return nil }
        switch Fen.parse(text) {
        case .success(let f): return f
        case .failure(.malformed):
            throw Rejection(.malformedAmount, field: Wire.amount, "amount '\(text)' is not a number of yuan (4674200.00) or 万元 (467.42万)")
        case .failure(.tooManyDecimals):
            throw Rejection(.tooManyDecimals, field: Wire.amount, "amount '\(text)' has more decimals than one 分 (2 for yuan, 6 for 万)")
        case .failure(.overflow):
            throw Rejection(.amountOverflow, field: Wire.amount, "amount '\(text)' is larger than the most one event may carry (\(Fen.maxEventAmount.yuanGrouped) yuan)")
        }
    }

    private func amount(_ d: Draft, allowNegative: Bool) throws -> Fen {
        guard let f = try amountIfAny(d) else { throw Rejection(.missingField, field: Wire.amount, "field 'amount' is required") }
        if allowNegative {
            guard f != .zero else { throw Rejection(.amountNotPositive, field: Wire.amount, "a budget adjustment of zero changes nothing") }
        } else {
            guard f > .zero else { throw Rejection(.amountNotPositive, field: Wire.amount, "amount '\(d[Wire.amount]!)' must be more than zero") }
        }
        return f
    }

    private func correction(_ d: Draft, kind: String, date: CivilDate, override: String?, state: LedgerState, lookup: Lookup) throws -> EventBody {
        let text = d[Wire.target]!
        guard let targetID = EventID(rawValue: text) else {
            throw Rejection(.malformedField, field: Wire.target, "target '\(text)' is not an event id")
        }
        let requested = try amountIfAny(d)
        if let r = requested, r <= .zero {
            throw Rejection(.amountNotPositive, field: Wire.amount, "amount '\(d[Wire.amount]!)' must be more than zero")
        }
        // Resolving the defaults (whole remaining amount, unchanged fields) needs the target;
        // whether it exists is judged again, in ladder order, by `checkState`.
        let target = find(targetID, state: state, lookup: lookup)
        let base = target.flatMap { correctable($0, state: state) }
        let amount = requested ?? base?.left ?? .zero
        // A correction of an earlier year's event names that year (a prior-year adjustment);
        // checkState judges whether the year is closed.
        var priorYear = target.flatMap { $0.event.year < date.year ? $0.event.year : nil }
        if let text = d[Wire.priorYear] {
            guard let y = Int(text), y == priorYear ?? y, y < date.year else {
                throw Rejection(.malformedField, field: Wire.priorYear, "prior_year '\(text)' must be the earlier fiscal year of the corrected event\(priorYear.map { " (\($0))" } ?? "")")
            }
            priorYear = y
        }
        if kind == Wire.kindReversal {
            return .adjustment(Adjustment(kind: .reversal(target: targetID, amount: amount), priorYear: priorYear, override: override))
        }
        let hasNewField = !Draft.classification.isDisjoint(with: d.fields.keys)
        guard hasNewField else {
            throw Rejection(.missingField, field: Wire.item, "a reclassification needs at least one new field: fund, item, econ, nature or project")
        }
        guard let oldClass = base?.classification else {
            // Shape-check the given fields, then let checkState report the target problem.
            throw checkTargetRejection(targetID, target: target) ?? Rejection(.unknownEvent, field: Wire.target, "no event '\(targetID)'")
        }
        let to = try classification(d, econRequired: false, base: oldClass)
        if case .disbursement = target!.event.body, to.econ == nil {
            throw Rejection(.missingField, field: Wire.econ, "field 'econ' is required for a disbursement's classification")
        }
        guard to != oldClass else {
            throw Rejection(.malformedField, field: Wire.item, "the reclassification moves nothing: the new classification equals the old")
        }
        return .adjustment(Adjustment(kind: .reclassification(target: targetID, amount: amount, to: to), priorYear: priorYear, override: override))
    }

    /// A correctable target's amount, and what earlier corrections left of it; nil for an event
    /// that cannot be corrected.
    func correctable(_ t: (event: Event, locator: Locator), state: LedgerState) -> (classification: Classification, original: Fen, left: Fen)? {
        let c: Classification, amount: Fen
        switch t.event.body {
        case .appropriation(let a): (c, amount) = (a.classification, a.amount)
        case .disbursement(let x): (c, amount) = (x.classification, x.amount)
        case .unit, .yearOpen, .adjustment, .close, .carryForward, .reopen: return nil
        }
        return (c, amount, Fen(amount.raw - (state.corrected[t.locator] ?? 0)))
    }

    private func checkTargetRejection(_ id: EventID, target: (event: Event, locator: Locator)?) -> Rejection? {
        guard let t = target else {
            return Rejection(.unknownEvent, field: Wire.target, "no event with id '\(id)' in this journal")
        }
        switch t.event.body {
        case .appropriation, .disbursement: return nil
        case .unit, .yearOpen, .adjustment, .close, .carryForward, .reopen:
            return Rejection(.invalidTarget, field: Wire.target,
                             "event '\(id)' is a \(t.event.body.type.rawValue); only appropriations and disbursements can be reversed or reclassified (undo a budget adjustment with another one)")
        }
    }

    /// Optional fields that a correction resolves from its target; a re-post that left them out
    /// is still the same request.
    private func sameRequest(_ d: Draft, _ e: Event) -> Bool {
        var fields = d.fields
        guard case .adjustment(let adj) = e.body else { return false }
        switch adj.kind {
        case .budget: return false
        case .reversal(let target, let amount), .reclassification(let target, let amount, _):
            guard fields[Wire.target] == target.rawValue else { return false }
            if let y = fields[Wire.priorYear] { guard Int(y) == adj.priorYear else { return false } }
            fields[Wire.priorYear] = nil
            if let a = fields[Wire.amount] {
                guard case .success(let f) = Fen.parse(a), f == amount else { return false }
            }
            fields[Wire.amount] = amount.yuan
            guard fields[Wire.id] == e.id.rawValue, fields[Wire.actor] == e.actor, (fields[Wire.memo] ?? "") == e.memo,
                  fields[Wire.override] == adj.override, CivilDate(fields[Wire.date] ?? "") == e.date else { return false }
            if case .reclassification(_, _, let to) = adj.kind {
                for (key, value) in [(Wire.fund, to.fund.rawValue), (Wire.item, to.item.rawValue), (Wire.econ, to.econ?.rawValue),
                                     (Wire.nature, to.nature.wire), (Wire.project, to.project?.rawValue)] as [(String, String?)] {
                    if let given = fields[key] {
                        if key == Wire.nature { guard Nature(text: given)?.wire == value else { return false } }
                        else { guard given == value else { return false } }
                    }
                }
            }
            return true
        }
    }

    // MARK: - State

    private func checkState(_ event: Event, state: LedgerState, lookup: Lookup) throws {
        switch event.body {
        case .unit:
            if state.unit != nil { throw Rejection(.alreadyInitialised, field: nil, "the journal is already initialised for unit '\(state.unit!.unitCode)'") }
            return
        case .yearOpen(let y):
            guard let unit = state.unit else { throw notInitialised }
            if state.openYears.contains(y.year) { throw Rejection(.yearAlreadyOpen, field: Wire.year, "fiscal year \(y.year) is already open") }
            if y.year < unit.year { throw Rejection(.yearNotOpen, field: Wire.year, "fiscal year \(y.year) is before the journal's first year \(unit.year)") }
            return
        case .close(let c):
            guard state.unit != nil else { throw notInitialised }
            try checkClose(c, state: state)
            return
        case .reopen(let r):
            guard state.unit != nil else { throw notInitialised }
            guard let mark = state.closes[r.year], !mark.reopened else {
                throw Rejection(.yearNotClosed, field: Wire.year, "fiscal year \(r.year) is not closed; there is nothing to reopen")
            }
            if state.isClosed(r.year + 1) {
                throw Rejection(.closeOutOfOrder, field: Wire.year, "fiscal year \(r.year + 1) is closed too; reopen \(r.year + 1) first")
            }
            return
        case .appropriation, .disbursement, .adjustment, .carryForward:
            guard state.unit != nil else { throw notInitialised }
        }
        guard state.openYears.contains(event.year) else {
            let open = state.openYears.sorted().map(String.init).joined(separator: ", ")
            throw Rejection(.yearNotOpen, field: Wire.date,
                            "date \(event.date) is outside the open fiscal years (\(open.isEmpty ? "none" : open)); open \(event.year) with `fledger open-year --year \(event.year)` first")
        }
        if let mark = state.closes[event.year], !mark.reopened {
            throw Rejection(.yearClosed, field: Wire.date,
                            "fiscal year \(event.year) is closed (close event '\(mark.id)'); nothing more may be dated in it. Correct a disbursement of \(event.year) with a prior-year adjustment dated in an open year (fledger post adjustment --kind reversal|reclassification --target ID --date \(event.year + 1)-MM-DD), or reopen the year (fledger reopen --year \(event.year) --reason TEXT)")
        }
        if case .carryForward(let cf) = event.body {
            try checkCarry(cf, event: event, state: state, lookup: lookup)
            return
        }
        var target: (event: Event, locator: Locator)?
        var override: String?
        switch event.body {
        case .unit, .yearOpen, .appropriation, .close, .carryForward, .reopen: break
        case .disbursement(let d): override = d.override
        case .adjustment(let adj):
            override = adj.override
            switch adj.kind {
            case .budget: break
            case .reversal(let id, let amount), .reclassification(let id, let amount, _):
                target = find(id, state: state, lookup: lookup)
                if let r = checkTargetRejection(id, target: target) { throw r }
                let t = target!
                if t.event.year != event.year {
                    guard t.event.year < event.year, state.isClosed(t.event.year) else {
                        throw Rejection(.invalidTarget, field: Wire.date,
                                        "event '\(id)' belongs to fiscal year \(t.event.year); a correction must be dated in the same year (\(event.date) is not), or, once \(t.event.year) is closed, in a later open year as a prior-year adjustment")
                    }
                    guard case .disbursement = t.event.body else {
                        throw Rejection(.invalidTarget, field: Wire.target,
                                        "event '\(id)' is an appropriation of the closed year \(t.event.year); a closed year's budget authority is final (reopen the year to correct it)")
                    }
                    guard adj.priorYear == t.event.year else {
                        throw Rejection(.malformedField, field: Wire.priorYear, "a correction of closed year \(t.event.year)'s event '\(id)' must name it: prior_year \(t.event.year)")
                    }
                } else if adj.priorYear != nil {
                    throw Rejection(.malformedField, field: Wire.priorYear, "prior_year is only for corrections of an earlier, closed year's events")
                }
                guard t.event.date <= event.date else {
                    throw Rejection(.malformedDate, field: Wire.date, "a correction dated \(event.date) cannot precede the event it corrects (\(t.event.date))")
                }
                let (_, original, left) = correctable(t, state: state)!  // checkTargetRejection passed
                guard amount.raw > 0 else {
                    throw Rejection(.exceedsTarget, field: Wire.target, "event '\(id)' has nothing left to correct: earlier corrections took all of its \(original.yuanGrouped)")
                }
                guard amount <= left else {
                    throw Rejection(.exceedsTarget, field: Wire.amount,
                                    "\(amount.yuanGrouped) is more than what is left of event '\(id)' to correct: \(left.yuanGrouped) of \(original.yuanGrouped)")
                }
            }
        }
        // Budget availability: every line whose available amount goes down must stay ≥ 0.
        // An event touches one line, or two (a reclassification): a small array, no dictionary.
        var touched: [(line: BudgetLine, before: LineBalance, after: LineBalance)] = []
        for e in event.effects(target: target?.event) {
            let k = touched.firstIndex { $0.line == e.line } ?? {
                let b = state.balances[e.line] ?? LineBalance()
                touched.append((e.line, b, b))
                return touched.count - 1
            }()
            guard let nb = touched[k].after.budget.adding(e.budget), let na = touched[k].after.actual.adding(e.actual) else {
                throw Rejection(.amountOverflow, field: Wire.amount, "the total of line \(e.line) would overflow")
            }
            touched[k].after = LineBalance(budget: nb, actual: na)
        }
        if let reason = override, reason.trimmingSpaces.isEmpty {
            throw Rejection(.missingField, field: Wire.override, "an override needs a reason")
        }
        for (line, before, b) in touched {
            guard b.available < before.available, b.available < .zero, override == nil else { continue }
            let shortBy = Fen(-b.available.raw)
            throw Rejection(.insufficientBudget, field: Wire.amount,
                            "line \(line) has \(before.available.yuanGrouped) available (budget \(before.budget.yuanGrouped), spent \(before.actual.yuanGrouped)); this \(event.body.type.rawValue) needs \(Fen(before.available.raw - b.available.raw).yuanGrouped), \(shortBy.yuanGrouped) more than available. To post it anyway, give an override with its reason (--override REASON); the reason is recorded in the event")
        }
    }

    /// A close must come in year order, once per year (until reopened), and record exactly
    /// what the journal before it says: every budget line of the year, its budget (with
    /// 年初结转) and 执行数, and a disposition only where a positive balance is left.
    private func checkClose(_ c: YearClose, state: LedgerState) throws {
        let y = c.year
        guard state.openYears.contains(y) else {
            throw Rejection(.yearNotOpen, field: Wire.year, "fiscal year \(y) was never opened; there is nothing to close")
        }
        if let mark = state.closes[y], !mark.reopened {
            throw Rejection(.yearClosed, field: Wire.year, "fiscal year \(y) is already closed (close event '\(mark.id)'); reopen it first to close it again")
        }
        if state.openYears.contains(y - 1), !state.isClosed(y - 1) {
            throw Rejection(.closeOutOfOrder, field: Wire.year, "fiscal year \(y - 1) is still open; close \(y - 1) before \(y)")
        }
        if let pending = state.closes[y - 1]?.toCarry.keys.sorted().first {
            throw Rejection(.closeOutOfOrder, field: Wire.year, "the close of \(y - 1) has not carried forward to \(pending) yet")
        }
        guard c.events == state.count else {
            throw Rejection(.closeMismatch, field: Wire.events, "the close records \(c.events) events before it; the journal has \(state.count)")
        }
        let expected = Validator.closedLines(year: y, state: state)
        let recorded = Dictionary(c.lines.map { ($0.line, $0) }, uniquingKeysWith: { a, _ in a })
        guard recorded.count == c.lines.count else {
            throw Rejection(.closeMismatch, field: Wire.lines, "the close lists a budget line twice")
        }
        for (line, e) in expected {
            guard let r = recorded[line] else {
                throw Rejection(.closeMismatch, field: Wire.lines, "line \(line) (budget \(e.budget.yuanGrouped), spent \(e.actual.yuanGrouped)) is missing from the close")
            }
            guard r.budget == e.budget, r.actual == e.actual else {
                throw Rejection(.closeMismatch, field: Wire.lines,
                                "line \(line): the close records budget \(r.budget.yuanGrouped) and 执行数 \(r.actual.yuanGrouped); the journal before it gives \(e.budget.yuanGrouped) and \(e.actual.yuanGrouped)")
            }
            guard r.balance >= .zero else {
                throw Rejection(.insufficientBudget, field: Wire.lines,
                                "line \(line) is overspent by \(Fen(-r.balance.raw).yuanGrouped) (budget \(r.budget.yuanGrouped), spent \(r.actual.yuanGrouped)); a year cannot close with spending beyond its budget: post a budget adjustment or correct the spending first")
            }
            let positive = r.balance > .zero
            guard positive ? r.disposition != .none : r.disposition == .none else {
                throw Rejection(.closeMismatch, field: Wire.lines,
                                "line \(line): balance \(r.balance.yuanGrouped) " + (positive ? "needs a disposition, carry or lapse" : "has nothing to carry or lapse ('-')"))
            }
        }
        if let extra = c.lines.first(where: { expected[$0.line] == nil }) {
            throw Rejection(.closeMismatch, field: Wire.lines, "line \(extra.line) is in the close but the journal has no such budget line in \(y)")
        }
        // Budget control holds for a re-close as for a post: carrying less than an earlier close
        // did takes budget back from next year's line, which may have spent it already.
        if let reason = c.override, reason.trimmingSpaces.isEmpty {
            throw Rejection(.missingField, field: Wire.override, "an override needs a reason")
        }
        let deltas = CloseMark.toCarry(c.lines, alreadyCarried: state.closes[y]?.carried ?? [:])
        for (line, delta) in deltas.sorted(by: { $0.key < $1.key }) where delta < .zero && c.override == nil {
            let b = state.balances[line] ?? LineBalance()
            guard b.available.raw + delta.raw < 0 else { continue }
            throw Rejection(.insufficientBudget, field: Wire.lines,
                            "the re-close of \(y) carries \(Fen(-delta.raw).yuanGrouped) less to line \(line) than the close before it did, but that line has only \(b.available.yuanGrouped) available (budget \(b.budget.yuanGrouped), spent \(b.actual.yuanGrouped)): it would be overspent by \(Fen(-(b.available.raw + delta.raw)).yuanGrouped). Cover it first (a budget adjustment in \(y + 1), or correct the spending), or close with --override REASON, which is recorded in the close")
        }
    }

    /// Every budget line of `year` as the state has it, with no disposition chosen.
    public static func closedLines(year: Int, state: LedgerState) -> [BudgetLine: ClosedLine] {
        var out: [BudgetLine: ClosedLine] = [:]
        for (line, b) in state.balances where line.year == year {
            out[line] = ClosedLine(line: line, budget: b.budget, actual: b.actual, disposition: .none)
        }
        return out
    }

    /// A carry-forward must be one the latest close of the year before asked for, exactly.
    private func checkCarry(_ cf: CarryForward, event: Event, state: LedgerState, lookup: Lookup) throws {
        let from = cf.line.year - 1
        guard let mark = state.closes[from], mark.id == cf.close, !mark.reopened else {
            throw Rejection(.invalidTarget, field: Wire.close, "'\(cf.close)' is not the standing close of \(from); a carry-forward comes from it")
        }
        guard event.date == CivilDate.firstOfYear(cf.line.year) else {
            throw Rejection(.malformedDate, field: Wire.date, "a carry-forward into \(cf.line.year) is dated \(cf.line.year)-01-01")
        }
        guard let want = mark.toCarry[cf.line] else {
            throw Rejection(.closeMismatch, field: Wire.fund, "the close '\(cf.close)' carries nothing (more) to line \(cf.line)")
        }
        guard want == cf.amount else {
            throw Rejection(.closeMismatch, field: Wire.amount, "the close '\(cf.close)' carries \(want.yuanGrouped) to line \(cf.line), not \(cf.amount.yuanGrouped)")
        }
    }

    private var notInitialised: Rejection {
        Rejection(.notInitialised, field: nil, "the journal has no unit yet; run `fledger init` first")
    }
}
