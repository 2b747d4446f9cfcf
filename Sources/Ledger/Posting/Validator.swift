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

    /// A request as text: parsed (the rungs about the text), then validated.
    public func validate(_ draft: Draft, state: LedgerState, recorded: Timestamp, lookup: Lookup) -> Outcome {
        switch draft.request(catalogue: catalogue) {
        case .failure(let r): return .rejected(r)
        case .success(let request): return validate(request, state: state, recorded: recorded, lookup: lookup)
        }
    }

    /// A typed request against the journal's state: the rest of the ladder.
    public func validate(_ request: Request, state: LedgerState, recorded: Timestamp, lookup: Lookup) -> Outcome {
        do throws(Rejection) {
            let event = try resolve(request, seq: state.count + 1, recorded: recorded, state: state, lookup: lookup)
            if let existing = find(event.id, state: state, lookup: lookup) {
                if existing.event.sameContent(as: event) || sameRequest(request, existing.event) {
                    return .duplicate(existing.event)
                }
                throw Rejection(.idConflict, field: Wire.id,
                                "id '\(event.id)' is already used by event seq \(existing.event.seq) with different content")
            }
            try checkState(event, state: state, lookup: lookup)
            return .accepted(event)
        } catch {
            return .rejected(error)
        }
    }

    /// Checks an event read back from a journal against the state before it (verify's replay).
    public func check(_ event: Event, state: LedgerState, lookup: Lookup) -> Rejection? {
        if let existing = find(event.id, state: state, lookup: lookup) {
            return Rejection(.idConflict, field: Wire.id, "id '\(event.id)' was already used by seq \(existing.event.seq)")
        }
        do throws(Rejection) { try checkState(event, state: state, lookup: lookup) } catch { return error }
        return nil
    }

    /// The event an event refers to (a correction's target, the disbursement a fact explains),
    /// with its locator; nil for other events.
    func target(of event: Event, state: LedgerState, lookup: Lookup) -> (event: Event, locator: Locator)? {
        Trail.reference(of: event).flatMap { find($0, state: state, lookup: lookup) }
    }

    func find(_ id: EventID, state: LedgerState, lookup: Lookup) -> (event: Event, locator: Locator)? {
        for l in state.index.candidates(id) {
            if let e = lookup(l), e.id == id { return (e, l) }
        }
        return nil
    }

    // MARK: - Shared rungs

    /// A text field that is not one line.
    static func multiLine(_ text: String, field: String) -> Rejection? {
        // A control character is one byte below 0x20 in UTF-8 (no multi-byte sequence holds one).
        guard text.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 }) else { return nil }
        return Rejection(.malformedField, field: field, "field '\(field)' must be one line of text (no control characters)")
    }

    /// Codes the catalogue does not know (with their 类 and 款).
    static func checkKnown(_ c: PartialClassification, catalogue: Catalogue) throws(Rejection) {
        if let fund = c.fund, catalogue.funds[fund] == nil {
            throw Rejection(.unknownCode, field: Wire.fund, "fund '\(fund)' is not in the catalogue; known: \(catalogue.funds.keys.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        if let item = c.item {
            guard catalogue.functions[item] != nil else {
                throw Rejection(.unknownCode, field: Wire.item, "功能分类 项 '\(item)' is not in the catalogue")
            }
            for parent in item.ancestors where catalogue.functions[parent] == nil {
                throw Rejection(.unknownCode, field: Wire.item, "功能分类 项 '\(item)': its 类/款 '\(parent)' is not in the catalogue")
            }
        }
        if let econ = c.econ {
            guard catalogue.economics[econ] != nil else {
                throw Rejection(.unknownCode, field: Wire.econ, "经济分类 款 '\(econ)' is not in the catalogue")
            }
            guard catalogue.economics[econ.category] != nil else {
                throw Rejection(.unknownCode, field: Wire.econ, "经济分类 款 '\(econ)': its 类 '\(econ.category)' is not in the catalogue")
            }
        }
    }

    // MARK: - Request → event

    /// A classification as a request gives it: codes known, 基本 without a project, 项目 with one.
    private func classification(_ c: Classification, econRequired: Bool) throws(Rejection) -> Classification {
        try Validator.checkKnown(PartialClassification(fund: c.fund, item: c.item, econ: c.econ, nature: c.nature, project: c.project),
                                 catalogue: catalogue)
        guard c.item.isItem else { throw Rejection(.malformedCode, field: Wire.item, "item '\(c.item)' is not a 7-digit 功能分类 项 code") }
        if let e = c.econ, !e.isKuan { throw Rejection(.malformedCode, field: Wire.econ, "econ '\(e)' is not a 5-digit 经济分类 款 code") }
        if econRequired, c.econ == nil { throw Rejection(.missingField, field: Wire.econ, "field 'econ' (经济分类 款) is required") }
        return c
    }

    private func mismatch(_ c: Classification) throws(Rejection) {
        switch (c.nature, c.project) {
        case (.project, nil):
            throw Rejection(.projectMismatch, field: Wire.project, "nature 'project' (项目支出) needs a project code")
        case (.basic, .some(let p)):
            throw Rejection(.projectMismatch, field: Wire.project, "nature 'basic' (基本支出) takes no project, but project '\(p)' was given")
        case (.basic, nil), (.project, .some):
            return
        }
    }

    private func positive(_ f: Fen) throws(Rejection) -> Fen {
        guard f > .zero else { throw Rejection(.amountNotPositive, field: Wire.amount, "amount \(f.yuan) must be more than zero") }
        return f
    }

    private func nonZero(_ f: Fen, _ what: String) throws(Rejection) -> Fen {
        guard f != .zero else { throw Rejection(.amountNotPositive, field: Wire.amount, "\(what) of zero changes nothing") }
        return f
    }

    private func year(_ y: Int) throws(Rejection) -> Int {
        guard FiscalYears.contains(y) else { throw Rejection(.malformedField, field: Wire.year, "year \(y) is not a year like 2023") }
        return y
    }

    private func needDate(_ r: Request) throws(Rejection) -> CivilDate {
        guard let d = r.date else { throw Rejection(.missingField, field: Wire.date, "field 'date' is required for \(r.type.rawValue)") }
        return d
    }

    /// The event a request makes, from the journal's state (generated id, a correction's
    /// defaults); or the rung it fails before the state checks.
    func resolve(_ r: Request, seq: Int, recorded: Timestamp, state: LedgerState, lookup: Lookup) throws(Rejection) -> Event {
        guard !r.actor.isEmpty else { throw Rejection(.missingField, field: Wire.actor, "field 'actor' is required") }
        for (field, text) in [(Wire.actor, r.actor), (Wire.memo, r.memo)] {
            if let bad = Validator.multiLine(text, field: field) { throw bad }
        }
        let date: CivilDate
        let body: EventBody
        switch r.body {
        case .unit(let code, let name):
            date = try needDate(r)
            for (field, text) in [(Wire.unit, code), (Wire.name, name)] {
                guard !text.isEmpty else { throw Rejection(.missingField, field: field, "field '\(field)' is required") }
                if let bad = Validator.multiLine(text, field: field) { throw bad }
            }
            body = .unit(UnitOpening(unitCode: code, unitName: name, year: date.year))
        case .yearOpen(let y):
            let first = CivilDate.firstOfYear(try year(y))
            date = r.date ?? first
            guard date.year == y else { throw Rejection(.malformedDate, field: Wire.date, "date \(date) is not in the year \(y) being opened") }
            body = .yearOpen(YearOpening(year: y))
        case .close(let y, let lines, let override):
            let last = CivilDate(year: try year(y), month: 12, day: 31)!
            date = r.date ?? last
            guard date == last else {
                throw Rejection(.malformedDate, field: Wire.date, "a close of \(y) is dated \(y)-12-31, its last day (\(date) given)")
            }
            if let o = override, let bad = Validator.multiLine(o, field: Wire.override) { throw bad }
            body = .close(YearClose(year: y, events: state.count, head: .zero, lines: lines, override: override))  // head: the store fills it in
        case .carryForward(let closeID, let line, let amount):
            date = try needDate(r)
            let c = try classification(line, econRequired: false)
            guard c.econ == nil else { throw Rejection(.malformedField, field: Wire.econ, "a carry-forward is per budget line, without 经济分类") }
            try mismatch(c)
            body = .carryForward(CarryForward(close: closeID, line: c.line(year: date.year), amount: try nonZero(amount, "a carry-forward")))
        case .reopen(let y, let reason):
            let last = CivilDate(year: try year(y), month: 12, day: 31)!
            date = r.date ?? last
            guard date == last else {
                throw Rejection(.malformedDate, field: Wire.date, "a reopening of \(y) is dated \(y)-12-31, like its close (\(date) given)")
            }
            guard !reason.trimmingSpaces.isEmpty else { throw Rejection(.missingField, field: Wire.reason, "a reopening needs its reason") }
            if let bad = Validator.multiLine(reason, field: Wire.reason) { throw bad }
            body = .reopen(YearReopen(year: y, reason: reason))
        case .appropriation(let c, let amount, let doc):
            date = try needDate(r)
            let c = try classification(c, econRequired: false)
            let a = try positive(amount)
            try mismatch(c)
            body = .appropriation(Appropriation(classification: c, amount: a, document: doc))
        case .disbursement(let c, let amount, let payee, let voucher, let override):
            date = try needDate(r)
            let c = try classification(c, econRequired: true)
            let a = try positive(amount)
            try mismatch(c)
            body = .disbursement(Disbursement(classification: c, amount: a, payee: payee, voucher: voucher, override: override))
        case .budgetAdjustment(let c, let amount, let doc, let override):
            date = try needDate(r)
            let c = try classification(c, econRequired: false)
            let a = try nonZero(amount, "a budget adjustment")
            try mismatch(c)
            body = .adjustment(Adjustment(kind: .budget(c, amount: a, document: doc), override: override))
        case .fact(let f):
            date = try needDate(r)
            body = .fact(try checkFact(f))
        case .reversal(let target, let amount, let priorYear, let override):
            date = try needDate(r)
            let (amount, py, _) = try correction(target: target, amount: amount, priorYear: priorYear, date: date, state: state, lookup: lookup)
            body = .adjustment(Adjustment(kind: .reversal(target: target, amount: amount), priorYear: py, override: override))
        case .reclassification(let target, let amount, let to, let priorYear, let override):
            date = try needDate(r)
            let (amount, py, base) = try correction(target: target, amount: amount, priorYear: priorYear, date: date, state: state, lookup: lookup)
            guard let (old, isDisbursement) = base else {
                // Let checkState report the target problem in ladder order.
                throw checkTargetRejection(target, target: find(target, state: state, lookup: lookup))
                    ?? Rejection(.unknownEvent, field: Wire.target, "no event '\(target)'")
            }
            let merged = to.over(old)
            let new = try classification(Classification(fund: merged.fund, item: merged.item, econ: merged.econ, nature: merged.nature,
                                                        project: merged.project), econRequired: isDisbursement)
            try mismatch(new)
            guard new != old else {
                throw Rejection(.malformedField, field: Wire.item, "the reclassification moves nothing: the new classification equals the old")
            }
            body = .adjustment(Adjustment(kind: .reclassification(target: target, amount: amount, to: new), priorYear: py, override: override))
        case .actor(let c):
            date = r.date ?? recorded.day
            if let problem = AccessRules.nameProblem(c.name) { throw Rejection(.malformedField, field: Wire.name, problem) }
            switch c.action {
            case .add:
                guard !c.roles.isEmpty else { throw Rejection(.missingField, field: Wire.roles, "an actor needs at least one role: clerk, approver, admin") }
                if let problem = Ed25519.publicKeyProblem(c.publicKey) { throw Rejection(.malformedField, field: Wire.publicKey, "public_key: \(problem)") }
            case .revoke:
                guard !c.reason.trimmingSpaces.isEmpty else { throw Rejection(.missingField, field: Wire.reason, "revoking an actor needs the reason") }
                if let bad = Validator.multiLine(c.reason, field: Wire.reason) { throw bad }
            }
            body = .access(.actor(c))
        case .approval(let target):
            date = r.date ?? recorded.day
            body = .access(.approval(target: target))
        case .rejection(let target, let reason):
            date = r.date ?? recorded.day
            guard !reason.trimmingSpaces.isEmpty else { throw Rejection(.missingField, field: Wire.reason, "a rejection needs its reason") }
            if let bad = Validator.multiLine(reason, field: Wire.reason) { throw bad }
            body = .access(.rejection(target: target, reason: reason))
        }
        for text in [r.body.override].compactMap({ $0 }) {
            if let bad = Validator.multiLine(text, field: Wire.override) { throw bad }
        }
        let id = r.id ?? generatedID(type: r.type, seq: seq, state: state, lookup: lookup)
        return Event(seq: seq, id: id, date: date, recorded: recorded, actor: r.actor, memo: r.memo, body: body,
                     needsApproval: state.access.signing && AccessRules.needsApproval(body, access: state.access))
    }

    /// A fact's fields, each within its range (the rungs that need no journal).
    private func checkFact(_ f: Fact) throws(Rejection) -> Fact {
        func text(_ t: String, _ field: String, max: Int = 200, multiLine: Bool = false) throws(Rejection) {
            guard !t.trimmingSpaces.isEmpty else { throw Rejection(.missingField, field: field, "field '\(field)' is required") }
            guard t.count <= max else { throw Rejection(.malformedField, field: field, "field '\(field)' is longer than \(max) characters") }
            if !multiLine, let bad = Validator.multiLine(t, field: field) { throw bad }
        }
        func counts(_ pairs: [(Int, String)]) throws(Rejection) {
            for (n, field) in pairs where n < 0 { throw Rejection(.malformedField, field: field, "\(field) \(n) is not a count") }
        }
        switch f {
        case .sanGongActivity(let a):
            _ = try year(a.year)
            try counts([(a.batches, Wire.batches), (a.people, Wire.people)])
            switch (a.category, a.scope) {
            case (.reception, nil): throw Rejection(.missingField, field: Wire.scope, "a reception is domestic (国内) or foreign (外事): give scope")
            case (.abroad, .some): throw Rejection(.malformedField, field: Wire.scope, "scope (国内/外事) is for receptions only")
            case (.reception, .some), (.abroad, nil): break
            }
        case .vehicle(let v):
            try text(v.vehicle, Wire.vehicle, max: 32)
        case .procurement(let p):
            _ = try year(p.year)
            _ = try positive(p.amount)
        case .asset(let a):
            try text(a.asset, Wire.asset, max: 64)
            guard a.unitPrice > .zero, a.unitPrice <= Fen.maxEventAmount else {
                throw Rejection(.amountNotPositive, field: Wire.unitPrice, "unit_price must be more than zero and at most \(Fen.maxEventAmount.yuanGrouped)")
            }
            guard a.quantity >= 1 else { throw Rejection(.malformedField, field: Wire.quantity, "quantity must be 1 or more") }
        case .performanceTarget(let t):
            _ = try year(t.year)
            guard Narrative.validKey(t.indicator), t.indicator != PerformanceResult.budgetIndicator else {
                throw Rejection(.malformedField, field: Wire.indicator, "indicator '\(t.indicator)' must be 1–100 of a–z A–Z 0–9 . _ - (and not 'budget', the 预算执行 row)")
            }
            try text(t.category, Wire.category); try text(t.name, Wire.name); try text(t.value, Wire.value, max: 40)
            if !t.unit.isEmpty { try text(t.unit, Wire.measure, max: 20) }
            if t.comparator != .qualitative, Quantity(t.value) == nil {
                throw Rejection(.malformedField, field: Wire.value, "value '\(t.value)' is not a number; a \(t.comparator.symbol) indicator compares numbers (use comparator qualitative for a word such as 优)")
            }
            guard t.weight.units > 0, t.weight.hundredths <= 10_000 else {
                throw Rejection(.malformedField, field: Wire.weight, "weight \(t.weight) is not a number of points from 0 to 100")
            }
        case .performanceResult(let r):
            _ = try year(r.year)
            if r.indicator != PerformanceResult.budgetIndicator { try text(r.value, Wire.value, max: 40) }
            if let reason = r.reason { try text(reason, Wire.reason, max: 1000) }
            switch (r.score, r.scoreReason) {
            case (.some(let s), .some(let why)):
                try text(why, Wire.scoreReason, max: 1000)
                guard s.units >= 0, s.hundredths <= 10_000 else { throw Rejection(.malformedField, field: Wire.score, "score \(s) is not from 0 to 100 points") }
            case (.some, nil): throw Rejection(.missingField, field: Wire.scoreReason, "a score set by the evaluator needs its reason (score_reason)")
            case (nil, .some): throw Rejection(.malformedField, field: Wire.scoreReason, "score_reason goes with a score")
            case (nil, nil): break
            }
        case .performanceStage(let s):
            _ = try year(s.year)
        case .text(let n):
            _ = try year(n.year)
            guard Narrative.validKey(n.key) else { throw Rejection(.malformedField, field: Wire.key, "key '\(n.key)' must be 1–100 of a–z A–Z 0–9 . _ -") }
            try text(n.text, Wire.text, max: 20_000, multiLine: true)
        }
        return f
    }

    /// The prefix of a generated id: the type's first four letters, or a word where those would
    /// be ambiguous (approval and appropriation).
    static func idPrefix(_ type: EventType) -> String {
        switch type {
        case .actor: return "actor"
        case .signature: return "sig"
        case .approval: return "approve"
        case .rejection: return "reject"
        case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .close, .carryForward, .reopen, .sanGongActivity, .vehicle,
             .procurement, .asset, .performanceTarget, .performanceResult, .performanceStage, .text:
            return String(type.rawValue.prefix(4))
        }
    }

    func generatedID(type: EventType, seq: Int, state: LedgerState, lookup: Lookup) -> EventID {
        var n = seq
        while true {
            let id = EventID(rawValue: "\(Validator.idPrefix(type))-\(n)")!
            if find(id, state: state, lookup: lookup) == nil { return id }
            n += 1_000_000_000
        }
    }

    /// A correction's amount (all that is left of the target when not given), its prior year
    /// (the target's, when that is an earlier year), and the target's classification and
    /// whether it is a disbursement (nil when the target cannot be corrected: `checkState`
    /// says why, in ladder order).
    private func correction(target id: EventID, amount requested: Fen?, priorYear given: Int?, date: CivilDate, state: LedgerState,
                            lookup: Lookup) throws(Rejection) -> (Fen, Int?, (Classification, Bool)?) {
        if let r = requested, r <= .zero {
            throw Rejection(.amountNotPositive, field: Wire.amount, "amount \(r.yuan) must be more than zero")
        }
        let target = find(id, state: state, lookup: lookup)
        let base = target.flatMap { correctable($0, state: state) }
        let amount = requested ?? base?.left ?? .zero
        // A correction of an earlier year's event names that year (a prior-year adjustment);
        // checkState judges whether the year is closed.
        var priorYear = target.flatMap { $0.event.year < date.year ? $0.event.year : nil }
        if let y = given {
            guard y == priorYear ?? y, y < date.year else {
                throw Rejection(.malformedField, field: Wire.priorYear, "prior_year '\(y)' must be the earlier fiscal year of the corrected event\(priorYear.map { " (\($0))" } ?? "")")
            }
            priorYear = y
        }
        var isDisbursement = false
        if let t = target {
            switch t.event.body {
            case .disbursement: isDisbursement = true
            case .unit, .yearOpen, .appropriation, .adjustment, .close, .carryForward, .reopen, .fact, .access: break
            }
        }
        return (amount, priorYear, base.map { ($0.classification, isDisbursement) })
    }

    /// A correctable target's amount, and what earlier corrections left of it; nil for an event
    /// that cannot be corrected.
    func correctable(_ t: (event: Event, locator: Locator), state: LedgerState) -> (classification: Classification, original: Fen, left: Fen)? {
        let c: Classification, amount: Fen
        switch t.event.body {
        case .appropriation(let a): (c, amount) = (a.classification, a.amount)
        case .disbursement(let x): (c, amount) = (x.classification, x.amount)
        case .unit, .yearOpen, .adjustment, .close, .carryForward, .reopen, .fact, .access: return nil
        }
        return (c, amount, amount - Fen(state.corrected[t.locator] ?? 0))
    }

    private func checkTargetRejection(_ id: EventID, target: (event: Event, locator: Locator)?) -> Rejection? {
        guard let t = target else {
            return Rejection(.unknownEvent, field: Wire.target, "no event with id '\(id)' in this journal")
        }
        switch t.event.body {
        case .appropriation, .disbursement: return nil
        case .unit, .yearOpen, .adjustment, .close, .carryForward, .reopen, .fact, .access:
            return Rejection(.invalidTarget, field: Wire.target,
                             "event '\(id)' is a \(t.event.body.type.rawValue); only appropriations and disbursements can be reversed or reclassified (undo a budget adjustment with another one)")
        }
    }

    /// A correction re-posted with its optional fields left out is still the same request:
    /// the amount, prior year and unchanged classification fields it resolved to are the
    /// existing event's.
    private func sameRequest(_ r: Request, _ e: Event) -> Bool {
        guard r.id == e.id, r.actor == e.actor, r.memo == e.memo, r.date == e.date, case .adjustment(let adj) = e.body else { return false }
        if case .reversal(let t, let amount, let py, let override) = r.body, case .reversal(let et, let ea) = adj.kind {
            return t == et && (amount ?? ea) == ea && (py ?? adj.priorYear) == adj.priorYear && override == adj.override
        }
        if case .reclassification(let t, let amount, let to, let py, let override) = r.body, case .reclassification(let et, let ea, let eto) = adj.kind {
            return t == et && (amount ?? ea) == ea && (py ?? adj.priorYear) == adj.priorYear && override == adj.override
                && (to.fund ?? eto.fund) == eto.fund && (to.item ?? eto.item) == eto.item && (to.econ ?? eto.econ) == eto.econ
                && (to.nature ?? eto.nature) == eto.nature && (to.project ?? eto.project) == eto.project
        }
        return false
    }

    // MARK: - State

    private func checkState(_ event: Event, state: LedgerState, lookup: Lookup) throws(Rejection) {
        // Recorded times never go backwards: a clock set back (to pass an event off as older
        // than it is, or by accident) is refused, and `verify` flags any backwards step.
        if let last = state.lastRecorded, event.recorded < last {
            throw Rejection(.clockBehind, field: Wire.recorded,
                            "this event would be recorded at \(event.recorded), before the journal's last recorded time \(last) (event \(state.count)); recorded times never go backwards. Set the computer's clock right and post again")
        }
        try checkAccess(event, state: state)
        try checkRules(event, state: state, lookup: lookup)
    }

    /// The rules of the journal's figures and years (every rung after access).
    private func checkRules(_ event: Event, state: LedgerState, lookup: Lookup) throws(Rejection) {
        switch event.body {
        case .access(let a):
            try checkDecision(a, event: event, state: state, lookup: lookup)
            return
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
        case .fact(let f):
            guard state.unit != nil else { throw notInitialised }
            if try checkFactState(f, event: event, state: state, lookup: lookup) { return }
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
        // The journal's volume is bounded, so that no figure derived from it can overflow.
        if let a = Trail.amount(of: event) {
            guard let v = state.volume.adding(a.magnitude), v <= Fen.maxJournalVolume else {
                throw Rejection(.amountOverflow, field: Wire.amount,
                                "the journal's amounts would add up to more than \(Fen.maxJournalVolume.yuanGrouped) yuan, beyond what its totals can hold")
            }
        }
        if case .carryForward(let cf) = event.body {
            try checkCarry(cf, event: event, state: state, lookup: lookup)
            return
        }
        var target: (event: Event, locator: Locator)?
        var override: String?
        switch event.body {
        case .unit, .yearOpen, .appropriation, .close, .carryForward, .reopen, .fact, .access: break
        case .disbursement(let d): override = d.override
        case .adjustment(let adj):
            override = adj.override
            switch adj.kind {
            case .budget: break
            case .reversal(let id, let amount), .reclassification(let id, let amount, _):
                target = find(id, state: state, lookup: lookup)
                if let r = checkTargetRejection(id, target: target) { throw r }
                let t = target!
                if let w = state.access.awaiting[id] {
                    throw Rejection(.pendingTarget, field: Wire.target, "event '\(id)' (by \(w.actor)) is waiting for approval; it can be corrected once approved, or rejected instead")
                }
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
            let shortBy = -b.available
            throw Rejection(.insufficientBudget, field: Wire.amount,
                            "line \(line) has \(before.available.yuanGrouped) available (budget \(before.budget.yuanGrouped), spent \(before.actual.yuanGrouped)); this \(event.body.type.rawValue) needs \((before.available - b.available).yuanGrouped), \(shortBy.yuanGrouped) more than available. To post it anyway, give an override with its reason (--override REASON); the reason is recorded in the event")
        }
    }

    /// A close must come in year order, once per year (until reopened), and record exactly
    /// what the journal before it says: every budget line of the year, its budget (with
    /// 年初结转) and 执行数, and a disposition only where a positive balance is left.
    private func checkClose(_ c: YearClose, state: LedgerState) throws(Rejection) {
        let y = c.year
        guard state.openYears.contains(y) else {
            throw Rejection(.yearNotOpen, field: Wire.year, "fiscal year \(y) was never opened; there is nothing to close")
        }
        if let mark = state.closes[y], !mark.reopened {
            throw Rejection(.yearClosed, field: Wire.year, "fiscal year \(y) is already closed (close event '\(mark.id)'); reopen it first to close it again")
        }
        // Changes of actors waiting for admins do not hold a year's figures back.
        if let w = state.access.awaiting.values.filter({ $0.year == y && !$0.actorChange }).min(by: { $0.seq < $1.seq }) {
            let n = state.access.awaiting.values.filter { $0.year == y && !$0.actorChange }.count
            throw Rejection(.pendingItems, field: Wire.year, "\(n) item(s) of \(y) wait for approval (the first: '\(w.id)' by \(w.actor)); approve or reject them before closing (fledger log --pending)")
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
                                "line \(line) is overspent by \((-r.balance).yuanGrouped) (budget \(r.budget.yuanGrouped), spent \(r.actual.yuanGrouped)); a year cannot close with spending beyond its budget: post a budget adjustment or correct the spending first")
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
            guard b.available + delta < .zero else { continue }
            throw Rejection(.insufficientBudget, field: Wire.lines,
                            "the re-close of \(y) carries \((-delta).yuanGrouped) less to line \(line) than the close before it did, but that line has only \(b.available.yuanGrouped) available (budget \(b.budget.yuanGrouped), spent \(b.actual.yuanGrouped)): it would be overspent by \((-(b.available + delta)).yuanGrouped). Cover it first (a budget adjustment in \(y + 1), or correct the spending), or close with --override REASON, which is recorded in the close")
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
    private func checkCarry(_ cf: CarryForward, event: Event, state: LedgerState, lookup: Lookup) throws(Rejection) {
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

    /// A fact against the journal. Facts about a year (activity, procurement, performance,
    /// texts) may be recorded after its close, as the document is written then; vehicles and
    /// assets change on their date, in an open year, like money. True when the fact is fully
    /// checked here; false for those that go on to the open-year checks.
    private func checkFactState(_ f: Fact, event: Event, state: LedgerState, lookup: Lookup) throws(Rejection) -> Bool {
        func known(_ year: Int) throws(Rejection) {
            guard let first = state.unit?.year, let last = state.openYears.max(), year >= first, year <= last else {
                throw Rejection(.yearNotOpen, field: Wire.year, "fiscal year \(year) is not in this journal (it holds \(state.unit?.year ?? 0)–\(state.openYears.max() ?? 0))")
            }
            guard event.date.year >= year else {
                throw Rejection(.malformedDate, field: Wire.date, "a fact about \(year) cannot be dated \(event.date), before that year")
            }
        }
        func project(_ p: ProjectCode, _ year: Int) throws(Rejection) {
            guard state.balances.keys.contains(where: { $0.year == year && $0.project == p }) else {
                throw Rejection(.unknownProject, field: Wire.project, "project \(p) has no budget line in \(year); its performance is set with its budget")
            }
        }
        func disbursement(_ id: EventID, _ year: Int) throws(Rejection) -> Disbursement {
            guard let t = find(id, state: state, lookup: lookup) else {
                throw Rejection(.unknownEvent, field: Wire.target, "no event with id '\(id)' in this journal")
            }
            guard case .disbursement(let d) = t.event.body, t.event.year == year else {
                throw Rejection(.invalidTarget, field: Wire.target, "event '\(id)' is not a disbursement of \(year)")
            }
            return d
        }
        switch f {
        case .sanGongActivity(let a):
            try known(a.year)
            if let id = a.target {
                let d = try disbursement(id, a.year)
                let group: EconGroup = a.category == .abroad ? .abroad : .reception
                guard catalogue.econ(d.classification.econ, isIn: group) else {
                    throw Rejection(.invalidTarget, field: Wire.target, "disbursement '\(id)' is 经济分类 \(d.classification.econ?.rawValue ?? "-"), not \(catalogue.groupLabels[group] ?? group.rawValue) (\(catalogue.codes(group).map(\.rawValue).joined(separator: ", ")))")
                }
            }
            return true
        case .procurement(let p):
            try known(p.year)
            let d = try disbursement(p.target, p.year)
            guard p.amount <= d.amount else {
                throw Rejection(.exceedsTarget, field: Wire.amount, "the procurement amount \(p.amount.yuanGrouped) is more than the disbursement's \(d.amount.yuanGrouped)")
            }
            return true
        case .performanceTarget(let t):
            try known(t.year)
            try project(t.project, t.year)
            if state.indicators.contains(.init(year: t.year, project: t.project, indicator: t.indicator)) {
                throw Rejection(.duplicateIndicator, field: Wire.indicator, "indicator '\(t.indicator)' of project \(t.project) in \(t.year) is already set")
            }
            return true
        case .performanceResult(let r):
            try known(r.year)
            try project(r.project, r.year)
            if r.indicator != PerformanceResult.budgetIndicator, !state.indicators.contains(.init(year: r.year, project: r.project, indicator: r.indicator)) {
                throw Rejection(.unknownIndicator, field: Wire.indicator, "project \(r.project) has no indicator '\(r.indicator)' in \(r.year); set its target first")
            }
            return true
        case .performanceStage(let s):
            try known(s.year)
            try project(s.project, s.year)
            return true
        case .text(let n):
            try known(n.year)
            return true
        case .vehicle(let v):
            let held = state.vehicles[v.vehicle] != nil
            switch v.action {
            case .acquire where held: throw Rejection(.alreadyHeld, field: Wire.vehicle, "vehicle '\(v.vehicle)' is already held; dispose of it first")
            case .dispose where !held: throw Rejection(.notHeld, field: Wire.vehicle, "vehicle '\(v.vehicle)' is not held")
            case .acquire, .dispose: return false
            }
        case .asset(let a):
            let held = state.assets[a.asset] != nil
            switch a.action {
            case .acquire where held: throw Rejection(.alreadyHeld, field: Wire.asset, "asset '\(a.asset)' is already held; dispose of it first")
            case .dispose where !held: throw Rejection(.notHeld, field: Wire.asset, "asset '\(a.asset)' is not held")
            case .acquire, .dispose: return false
            }
        }
    }

    // MARK: - Access

    /// Who may do this: once signing has begun, every event is by a registered, unrevoked
    /// actor holding its role, one actor per signed write, and carries the approval flag
    /// exactly when the rules say it waits for a second person.
    private func checkAccess(_ event: Event, state: LedgerState) throws(Rejection) {
        let access = state.access
        var declaring = false
        if !access.signing, case .access(.actor) = event.body { declaring = true }
        guard access.signing || declaring else {
            switch event.body {
            case .access(.approval), .access(.rejection):
                throw Rejection(.notPending, field: Wire.target, "nothing waits for approval in a journal that has not begun signing (no actor is registered)")
            case .access(.signature):
                throw Rejection(.unknownActor, field: Wire.actor, "a signature in a journal with no registered actor")
            case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .close, .carryForward, .reopen, .fact, .access(.actor):
                break
            }
            if event.needsApproval {
                throw Rejection(.approvalFlag, field: Wire.approval, "nothing waits for approval before signing begins (no actor is registered)")
            }
            return
        }
        if case .unit = event.body { return }   // already_initialised says why
        if event.needsApproval != AccessRules.needsApproval(event.body, access: access) {
            throw Rejection(.approvalFlag, field: Wire.approval, event.needsApproval
                ? "a \(event.body.type.rawValue) like this one does not wait for approval"
                : "a \(event.body.type.rawValue) like this one waits for a second person's approval: it must carry \"approval\":\"required\"")
        }
        if declaring {
            guard case .access(.actor(let c)) = event.body, c.action == .add, c.roles.contains(.admin), c.name == event.actor else {
                throw Rejection(.missingRole, field: Wire.roles, "signing begins when an admin declares themselves: the first actor event adds its own actor ('\(event.actor)') with the admin role")
            }
            return
        }
        guard let actor = access.actors[event.actor] else {
            throw Rejection(.unknownActor, field: Wire.actor, "'\(event.actor)' is not a registered actor of this journal (registered: \(access.actors.keys.sorted().joined(separator: ", "))); an admin adds actors with `fledger actor add`")
        }
        if let r = actor.revoked {
            throw Rejection(.actorRevoked, field: Wire.actor, "actor '\(event.actor)' was revoked (event '\(r)'); their key signs nothing more")
        }
        if let open = access.openBatch, open.actor != event.actor {
            throw Rejection(.batchActor, field: Wire.actor, "one write is one actor's: event \(open.first) of this write is by '\(open.actor)', this one by '\(event.actor)'")
        }
        if case .access(.signature(let s)) = event.body {
            guard let open = access.openBatch else {
                throw Rejection(.signatureRequired, field: Wire.first, "a signature with nothing to sign: no event since the last signature")
            }
            guard s.first == open.first else {
                throw Rejection(.signatureRequired, field: Wire.first, "the signature covers events from \(s.first), but the write began at event \(open.first)")
            }
            return
        }
        guard let role = AccessRules.role(for: event.body, access: access), actor.roles.contains(role) else {
            let what = AccessRules.role(for: event.body, access: access) == .admin && AccessRules.role(for: event.body) != .admin
                ? "deciding on a change of actors needs" : "events of type '\(event.body.type.rawValue)' need"
            throw Rejection(.missingRole, field: Wire.actor, "actor '\(event.actor)' (\(Role.list(actor.roles))) lacks the \(AccessRules.role(for: event.body, access: access)?.rawValue ?? "?") role, which \(what)")
        }
        if case .access(.actor(let c)) = event.body, c.threshold != nil {
            throw Rejection(.malformedField, field: Wire.threshold, "the threshold is set when signing begins (`fledger init --threshold K`, or the first `actor add` of an admin), not by a later change of actors")
        }
    }

    /// An actor change, or a decision on a waiting item, against the journal's state. An
    /// approval re-checks the item as if it were posted now: the budget and the target it draws
    /// on may have moved since it was asked for.
    private func checkDecision(_ a: AccessEvent, event: Event, state: LedgerState, lookup: Lookup) throws(Rejection) {
        guard state.unit != nil else { throw notInitialised }
        switch a {
        case .signature:
            return
        case .actor(let c):
            switch c.action {
            case .add:
                if let existing = state.access.active(c.name) {
                    throw Rejection(.actorExists, field: Wire.name, "actor '\(c.name)' is already registered (event '\(existing.added)'); revoke it first to register a new key")
                }
                if let owner = state.access.actors.values.sorted(by: { $0.name < $1.name }).first(where: { $0.publicKey == c.publicKey }) {
                    throw Rejection(.keyInUse, field: Wire.publicKey, "public key \(Hex.encode(c.publicKey)) belongs to '\(owner.name)' (registered by event '\(owner.added)'\(owner.revoked.map { ", revoked by '\($0)'" } ?? "")); a key belongs to one actor for ever: make a new key with `fledger key new`")
                }
                if state.access.signing, state.access.adminCount < state.access.threshold, !c.roles.contains(.admin) {
                    throw Rejection(.belowThreshold, field: Wire.roles, "this journal's threshold is \(state.access.threshold) admins, and \(state.access.adminCount) are registered: until \(state.access.threshold) are, only admins may be added (then every change of actors needs \(state.access.threshold) of them)")
                }
            case .revoke:
                guard let existing = state.access.active(c.name) else {
                    throw Rejection(.unknownActor, field: Wire.name, "'\(c.name)' is not a registered, unrevoked actor")
                }
                let admins = state.access.actors.values.filter { $0.revoked == nil && $0.roles.contains(.admin) }
                if existing.roles.contains(.admin), admins.count == 1 {
                    throw Rejection(.lastAdmin, field: Wire.name, "'\(c.name)' is the last admin; register another admin first, or nobody could manage actors or close years")
                }
                if existing.roles.contains(.admin), admins.count <= state.access.threshold {
                    throw Rejection(.lastAdmin, field: Wire.name, "revoking '\(c.name)' would leave \(admins.count - 1) admin(s), fewer than this journal's threshold of \(state.access.threshold); register another admin first")
                }
            }
        case .approval(let id), .rejection(let id, _):
            guard let w = state.access.awaiting[id] else {
                if find(id, state: state, lookup: lookup) == nil {
                    throw Rejection(.unknownEvent, field: Wire.target, "no event with id '\(id)' in this journal")
                }
                throw Rejection(.notPending, field: Wire.target, "event '\(id)' is not waiting for approval (it needs none, or was approved or rejected already)")
            }
            guard w.actor != event.actor else {
                throw Rejection(.selfApproval, field: Wire.actor, "'\(event.actor)' asked for '\(id)'; a second person decides on it")
            }
            guard !w.approvals.contains(event.actor) else {
                throw Rejection(.alreadyApproved, field: Wire.actor, "'\(event.actor)' approved '\(id)' already; a change of actors needs \(state.access.actorSignatures) distinct admins (\(state.access.approvalsNeeded(id)) more approval(s))")
            }
            guard case .approval = a else { return }
            guard var item = lookup(w.locator), item.id == id else {
                throw Rejection(.unknownEvent, field: Wire.target, "event '\(id)' cannot be read back from the journal")
            }
            item.needsApproval = false
            do throws(Rejection) { try checkRules(item, state: state, lookup: lookup) } catch {
                throw Rejection(error.code, field: error.field, "'\(id)' cannot take effect now: \(error.message)")
            }
        }
    }

    /// Applies an accepted (or verified) event to the state, with what it refers to; an
    /// approval releases its item. Returns the event a correction corrects, for readers.
    func apply(_ event: Event, at locator: Locator, state: inout LedgerState, lookup: Lookup) -> Event? {
        let target = self.target(of: event, state: state, lookup: lookup)
        var released: (item: Event, target: (event: Event, locator: Locator)?)?
        if case .access(.approval(let id)) = event.body, let w = state.access.awaiting[id], state.access.approvalsNeeded(id) == 1, let item = lookup(w.locator) {
            released = (item, self.target(of: item, state: state, lookup: lookup))
        }
        state.apply(event, at: locator, target: target, released: released)
        return target?.event
    }

    private var notInitialised: Rejection {
        Rejection(.notInitialised, field: nil, "the journal has no unit yet; run `fledger init` first")
    }
}
