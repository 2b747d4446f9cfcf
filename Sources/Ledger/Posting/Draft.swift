/// A request as text: fields named as in the journal (`type`, `id`, `date`, `fund`, `item`,
/// `econ`, `nature`, `project`, `amount`, …), from command-line flags, a CSV row or a JSON
/// Lines row. `request(catalogue:)` parses it into a typed `Request`, checking the rungs of the
/// validation ladder that are about the text itself, in ladder order, and naming the field at
/// fault; the validator checks the rest against the journal.
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

    /// `fields(type:kind:)` for every type and kind, made once (a million-row import asks a
    /// million times).
    private struct FieldsKey: Hashable { let type: EventType, kind: AdjustmentKind? }
    private static let fieldTable: [FieldsKey: (allowed: Set<String>, required: [String])] = {
        var t: [FieldsKey: (allowed: Set<String>, required: [String])] = [:]
        for type in EventType.allCases {
            for kind in [nil] + AdjustmentKind.allCases.map(Optional.some) { t[FieldsKey(type: type, kind: kind)] = fields(type: type, kind: kind) }
        }
        return t
    }()

    static func allowed(type: EventType, kind: AdjustmentKind?) -> (allowed: Set<String>, required: [String]) {
        fieldTable[FieldsKey(type: type, kind: kind)] ?? fields(type: type, kind: kind)
    }

    private static func fields(type: EventType, kind: AdjustmentKind?) -> (allowed: Set<String>, required: [String]) {
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
        case .actor:
            return (common.union([Wire.action, Wire.name, Wire.roles, Wire.publicKey, Wire.reason, Wire.threshold]), [Wire.actor, Wire.action, Wire.name])
        case .signature:
            return (common, [Wire.signature])   // never given: `fledger` writes signatures itself
        case .approval:
            return (common.union([Wire.target]), [Wire.actor, Wire.target])
        case .rejection:
            return (common.union([Wire.target, Wire.reason]), [Wire.actor, Wire.target, Wire.reason])
        case .sanGongActivity:
            return (common.union([Wire.year, Wire.category, Wire.scope, Wire.batches, Wire.people, Wire.target]),
                    [Wire.date, Wire.actor, Wire.year, Wire.category, Wire.batches, Wire.people])
        case .vehicle:
            let f = [Wire.action, Wire.vehicle, Wire.category, Wire.official]
            return (common.union(f), [Wire.date, Wire.actor] + f)
        case .procurement:
            let f = [Wire.year, Wire.target, Wire.category, Wire.amount, Wire.award]
            return (common.union(f), [Wire.date, Wire.actor] + f)
        case .asset:
            let f = [Wire.action, Wire.asset, Wire.assetClass, Wire.unitPrice, Wire.quantity]
            return (common.union(f), [Wire.date, Wire.actor] + f)
        case .performanceTarget:
            let f = [Wire.year, Wire.project, Wire.indicator, Wire.level, Wire.category, Wire.name, Wire.comparator, Wire.value, Wire.weight]
            return (common.union(f + [Wire.measure]), [Wire.date, Wire.actor] + f)
        case .performanceResult:
            return (common.union([Wire.year, Wire.project, Wire.indicator, Wire.value, Wire.reason, Wire.score, Wire.scoreReason]),
                    [Wire.date, Wire.actor, Wire.year, Wire.project, Wire.indicator])
        case .performanceStage:
            let f = [Wire.year, Wire.project, Wire.stage]
            return (common.union(f), [Wire.date, Wire.actor] + f)
        case .text:
            let f = [Wire.year, Wire.key, Wire.text]
            return (common.union(f), [Wire.date, Wire.actor] + f)
        case .appropriation:
            return (common.union(classification).union([Wire.amount, Wire.doc]),
                    [Wire.date, Wire.actor, Wire.fund, Wire.item, Wire.nature, Wire.amount, Wire.doc])
        case .disbursement:
            return (common.union(classification).union([Wire.amount, Wire.payee, Wire.voucher, Wire.override]),
                    [Wire.date, Wire.actor, Wire.fund, Wire.item, Wire.econ, Wire.nature, Wire.amount, Wire.payee, Wire.voucher])
        case .adjustment:
            let base = common.union([Wire.kind, Wire.override])
            switch kind {
            case .budget?:
                return (base.union(classification).union([Wire.amount, Wire.doc]),
                        [Wire.kind, Wire.date, Wire.actor, Wire.fund, Wire.item, Wire.nature, Wire.amount, Wire.doc])
            case .reversal?:
                return (base.union([Wire.target, Wire.amount, Wire.priorYear]), [Wire.kind, Wire.date, Wire.actor, Wire.target])
            case .reclassification?:
                return (base.union([Wire.target, Wire.amount, Wire.priorYear]).union(classification),
                        [Wire.kind, Wire.date, Wire.actor, Wire.target])
            case nil:
                return (base, [Wire.kind])
            }
        }
    }

    /// Text fields that must be one line.
    static let textFields = [Wire.actor, Wire.memo, Wire.doc, Wire.payee, Wire.voucher, Wire.override, Wire.name, Wire.unit, Wire.reason,
                             Wire.category, Wire.vehicle, Wire.asset, Wire.indicator, Wire.value, Wire.scoreReason, Wire.key]

    /// The typed request, or the first rung of the ladder the text fails: missing, unknown and
    /// malformed fields, dates, codes (including whether the catalogue knows them) and amounts.
    public func request(catalogue: Catalogue) -> Result<Request, Rejection> {
        do throws(Rejection) { return .success(try parse(catalogue)) } catch { return .failure(error) }
    }

    private func parse(_ catalogue: Catalogue) throws(Rejection) -> Request {
        guard let typeText = self[Wire.type] else {
            throw Rejection(.missingField, field: Wire.type, "field 'type' is required: appropriation, disbursement or adjustment")
        }
        guard let type = EventType(rawValue: typeText) else {
            throw Rejection(.malformedField, field: Wire.type, "type '\(typeText)' is not one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var kind: AdjustmentKind?
        if type == .adjustment, let k = self[Wire.kind] {
            guard let v = AdjustmentKind(rawValue: k) else {
                throw Rejection(.malformedField, field: Wire.kind, "adjustment kind '\(k)' is not \(AdjustmentKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kind = v
        }
        let what = typeText + (kind.map { " (\($0.rawValue))" } ?? "")
        let (allowed, required) = Draft.allowed(type: type, kind: kind)
        // The first unknown key in sorted order is named (sorted only when there is one).
        for key in fields.keys.contains(where: { !allowed.contains($0) }) ? fields.keys.sorted() : [] where !allowed.contains(key) {
            throw Rejection(.unknownField, field: key, "field '\(key)' does not belong to \(what); it takes \(allowed.sorted().joined(separator: ", "))")
        }
        for key in required where self[key] == nil {
            throw Rejection(.missingField, field: key, "field '\(key)' is required for \(what)")
        }
        var id: EventID?
        if let text = self[Wire.id] {
            guard let v = EventID(rawValue: text) else {
                throw Rejection(.malformedField, field: Wire.id, "id '\(text)' must be 1–64 characters of A–Z a–z 0–9 . _ : -")
            }
            id = v
        }
        var year: Int?
        if let text = self[Wire.year] {
            guard let y = Int(text), FiscalYears.contains(y) else {
                throw Rejection(.malformedField, field: Wire.year, "year '\(text)' is not a year like 2023")
            }
            year = y
        }
        var date: CivilDate?
        if let text = self[Wire.date] {
            guard let v = CivilDate(text) else {
                throw Rejection(.malformedDate, field: Wire.date, "date '\(text)' is not a valid date YYYY-MM-DD")
            }
            date = v
        }
        let actor = self[Wire.actor] ?? ""
        guard !actor.isEmpty else { throw Rejection(.missingField, field: Wire.actor, "field 'actor' is required") }
        for key in Draft.textFields {
            if let v = self[key], let r = Validator.multiLine(v, field: key) { throw r }
        }
        let override = self[Wire.override]
        let body: Request.Body
        switch type {
        case .unit:
            body = .unit(code: self[Wire.unit]!, name: self[Wire.name]!)
        case .yearOpen:
            body = .yearOpen(year: year!)
        case .close:
            guard let lines = EventCodec.parseCloseLines(self[Wire.lines] ?? "", year: year!) else {
                throw Rejection(.malformedField, field: Wire.lines, "lines must be 'FUND ITEM NATURE PROJECT|- BUDGET ACTUAL carry|lapse|-' entries separated by ';'")
            }
            body = .close(year: year!, lines: lines, override: override)
        case .carryForward:
            let text = self[Wire.close]!
            guard let closeID = EventID(rawValue: text) else { throw Rejection(.malformedField, field: Wire.close, "close '\(text)' is not an event id") }
            let c = try codes(catalogue).whole()
            body = .carryForward(close: closeID, line: c, amount: try amount()!)
        case .reopen:
            body = .reopen(year: year!, reason: self[Wire.reason]!)
        case .sanGongActivity, .vehicle, .procurement, .asset, .performanceTarget, .performanceResult, .performanceStage, .text:
            body = .fact(try fact(type, year: year))
        case .actor:
            body = .actor(try actorChange())
        case .signature:
            throw Rejection(.malformedField, field: Wire.type, "signatures are written by fledger itself at the end of each write, never posted")
        case .approval, .rejection:
            let text = self[Wire.target]!
            guard let target = EventID(rawValue: text) else { throw Rejection(.malformedField, field: Wire.target, "target '\(text)' is not an event id") }
            body = type == .approval ? .approval(target: target) : .rejection(target: target, reason: self[Wire.reason]!)
        case .appropriation:
            let c = try codes(catalogue).whole()
            body = .appropriation(c, amount: try amount()!, document: self[Wire.doc]!)
        case .disbursement:
            let c = try codes(catalogue).whole()
            body = .disbursement(c, amount: try amount()!, payee: self[Wire.payee]!, voucher: self[Wire.voucher]!, override: override)
        case .adjustment:
            switch kind! {
            case .budget:
                let c = try codes(catalogue).whole()
                body = .budgetAdjustment(c, amount: try amount()!, document: self[Wire.doc]!, override: override)
            case .reversal, .reclassification:
                let text = self[Wire.target]!
                guard let target = EventID(rawValue: text) else {
                    throw Rejection(.malformedField, field: Wire.target, "target '\(text)' is not an event id")
                }
                var priorYear: Int?
                if let t = self[Wire.priorYear] {
                    guard let y = Int(t), FiscalYears.contains(y) else {
                        throw Rejection(.malformedField, field: Wire.priorYear, "prior_year '\(t)' is not a year like 2023")
                    }
                    priorYear = y
                }
                if kind == .reversal {
                    body = .reversal(target: target, amount: try amount(), priorYear: priorYear, override: override)
                } else {
                    let to = try codes(catalogue)
                    guard !to.isEmpty else {
                        throw Rejection(.missingField, field: Wire.item, "a reclassification needs at least one new field: fund, item, econ, nature or project")
                    }
                    body = .reclassification(target: target, amount: try amount(), to: to, priorYear: priorYear, override: override)
                }
            }
        }
        return Request(id: id, date: date, actor: actor, memo: self[Wire.memo] ?? "", body: body)
    }

    /// An actor's registration or revocation, each field well formed.
    private func actorChange() throws(Rejection) -> ActorChange {
        let actionText = self[Wire.action]!
        guard let action = ActorChange.Action(rawValue: actionText) else {
            throw Rejection(.malformedField, field: Wire.action, "action '\(actionText)' is not add or revoke")
        }
        let name = self[Wire.name]!
        if let problem = AccessRules.nameProblem(name) { throw Rejection(.malformedField, field: Wire.name, problem) }
        switch action {
        case .add:
            for key in [Wire.reason] where self[key] != nil {
                throw Rejection(.unknownField, field: key, "field '\(key)' is for revoking an actor, not adding one")
            }
            guard let rolesText = self[Wire.roles] else { throw Rejection(.missingField, field: Wire.roles, "field 'roles' is required: clerk, approver, admin, joined by commas") }
            guard let roles = Role.parseList(rolesText) else {
                throw Rejection(.malformedField, field: Wire.roles, "roles '\(rolesText)' must be clerk, approver or admin, joined by commas")
            }
            guard let keyText = self[Wire.publicKey] else { throw Rejection(.missingField, field: Wire.publicKey, "field 'public_key' is required (64 hex digits, as `fledger key new` prints it)") }
            guard let key = Hex.decode(keyText.lowercased()) else {
                throw Rejection(.malformedField, field: Wire.publicKey, "public_key '\(keyText)' is not hex digits")
            }
            if let problem = Ed25519.publicKeyProblem(key) { throw Rejection(.malformedField, field: Wire.publicKey, "public_key: \(problem)") }
            var change = ActorChange.add(name, roles: roles, publicKey: key)
            if let text = self[Wire.threshold] {
                guard let k = Int(text), (1...AccessRules.maxThreshold).contains(k) else {
                    throw Rejection(.malformedField, field: Wire.threshold, "threshold '\(text)' must be a number of admins from 1 to \(AccessRules.maxThreshold)")
                }
                change.threshold = k
            }
            return change
        case .revoke:
            for key in [Wire.roles, Wire.publicKey, Wire.threshold] where self[key] != nil {
                throw Rejection(.unknownField, field: key, "field '\(key)' is for adding an actor, not revoking one")
            }
            guard let reason = self[Wire.reason], !reason.trimmingSpaces.isEmpty else {
                throw Rejection(.missingField, field: Wire.reason, "revoking an actor needs the reason")
            }
            return .revoke(name, reason: reason)
        }
    }

    /// A fact's fields, each well formed.
    private func fact(_ type: EventType, year: Int?) throws(Rejection) -> Fact {
        func choice<T: RawRepresentable<String> & CaseIterable>(_ key: String, _: T.Type) throws(Rejection) -> T {
            let text = self[key]!
            guard let v = T(rawValue: text) else {
                throw Rejection(.malformedField, field: key, "\(key) '\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return v
        }
        func count(_ key: String) throws(Rejection) -> Int {
            let text = self[key]!
            guard let n = Int(text), n >= 0, n <= 1_000_000_000 else {
                throw Rejection(.malformedField, field: key, "\(key) '\(text)' is not a count (a whole number from 0)")
            }
            return n
        }
        func id(_ key: String) throws(Rejection) -> EventID {
            let text = self[key]!
            guard let v = EventID(rawValue: text) else { throw Rejection(.malformedField, field: key, "\(key) '\(text)' is not an event id") }
            return v
        }
        func project() throws(Rejection) -> ProjectCode {
            let text = self[Wire.project]!
            guard let p = ProjectCode(rawValue: text) else {
                throw Rejection(.malformedCode, field: Wire.project, "project '\(text)' is not a project code of 8 digits, a capital letter and 12 digits")
            }
            return p
        }
        func points(_ key: String) throws(Rejection) -> Quantity? {
            guard let text = self[key] else { return nil }
            guard let q = Quantity(text), q.scale <= 2 else {
                throw Rejection(.malformedField, field: key, "\(key) '\(text)' is not a number of points with at most two decimals")
            }
            return q
        }
        func money(_ key: String) throws(Rejection) -> Fen { try amount(key)! }   // a required field: present
        switch type {
        case .sanGongActivity:
            let category = try choice(Wire.category, SanGongActivity.Category.self)
            let scope = self[Wire.scope] == nil ? nil : try choice(Wire.scope, SanGongActivity.Scope.self)
            let target = self[Wire.target] == nil ? nil : try id(Wire.target)
            return .sanGongActivity(SanGongActivity(year: year!, category: category, scope: scope, batches: try count(Wire.batches),
                                                    people: try count(Wire.people), target: target))
        case .vehicle:
            let official = self[Wire.official]!
            guard official == Wire.yes || official == Wire.no else {
                throw Rejection(.malformedField, field: Wire.official, "official '\(official)' is not yes (公务用车) or no")
            }
            return .vehicle(VehicleChange(action: try choice(Wire.action, VehicleChange.Action.self), vehicle: self[Wire.vehicle]!,
                                          category: try choice(Wire.category, VehicleChange.Category.self), official: official == Wire.yes))
        case .procurement:
            let target = try id(Wire.target)
            let category = try choice(Wire.category, Procurement.Category.self)
            let award = try choice(Wire.award, Procurement.Award.self)
            return .procurement(Procurement(year: year!, target: target, category: category, amount: try money(Wire.amount), award: award))
        case .asset:
            let action = try choice(Wire.action, AssetChange.Action.self), cls = try choice(Wire.assetClass, AssetChange.Class.self)
            return .asset(AssetChange(action: action, asset: self[Wire.asset]!, assetClass: cls, unitPrice: try money(Wire.unitPrice),
                                      quantity: try count(Wire.quantity)))
        case .performanceTarget:
            let p = try project()
            let level = try choice(Wire.level, PerformanceTarget.Level.self)
            let comparator = try choice(Wire.comparator, PerformanceTarget.Comparator.self)
            return .performanceTarget(PerformanceTarget(year: year!, project: p, indicator: self[Wire.indicator]!, level: level,
                                                        category: self[Wire.category]!, name: self[Wire.name]!, comparator: comparator,
                                                        value: self[Wire.value]!, unit: self[Wire.measure] ?? "", weight: try points(Wire.weight)!))
        case .performanceResult:
            let p = try project()
            return .performanceResult(PerformanceResult(year: year!, project: p, indicator: self[Wire.indicator]!, value: self[Wire.value] ?? "",
                                                        reason: self[Wire.reason], score: try points(Wire.score), scoreReason: self[Wire.scoreReason]))
        case .performanceStage:
            return .performanceStage(PerformanceStage(year: year!, project: try project(), stage: try choice(Wire.stage, PerformanceStage.Stage.self)))
        case .text:
            return .text(Narrative(year: year!, key: self[Wire.key]!, text: self[Wire.text]!))
        case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .close, .carryForward, .reopen, .actor, .signature, .approval, .rejection:
            preconditionFailure("\(type.rawValue) is not a fact")
        }
    }

    /// The classification fields given, each well formed and known to the catalogue.
    private func codes(_ catalogue: Catalogue) throws(Rejection) -> PartialClassification {
        func code<T>(_ key: String, _ what: String, _ make: (String) -> T?) throws(Rejection) -> T? {
            guard let text = self[key] else { return nil }
            guard let v = make(text) else { throw Rejection(.malformedCode, field: key, "\(key) '\(text)' is not \(what)") }
            return v
        }
        let c = PartialClassification(
            fund: try code(Wire.fund, "a fund code (lower-case letters and digits, e.g. gpb)") { FundCode(rawValue: $0) },
            item: try code(Wire.item, "a 7-digit 功能分类 项 code such as 2010350") { FunctionCode(rawValue: $0).flatMap { $0.isItem ? $0 : nil } },
            econ: try code(Wire.econ, "a 5-digit 经济分类 款 code such as 30101") { EconomicCode(rawValue: $0).flatMap { $0.isKuan ? $0 : nil } },
            nature: try code(Wire.nature, "basic (基本) or project (项目)") { Nature(text: $0) },
            project: try code(Wire.project, "a project code of 8 digits, a capital letter and 12 digits (51050022T000000280041)") { ProjectCode(rawValue: $0) })
        try Validator.checkKnown(c, catalogue: catalogue)
        _ = try amount()   // amounts are checked after codes, in ladder order
        return c
    }

    /// A money field given (`amount`, or a fact's `unit_price`), parsed (yuan or 万元); nil when
    /// it is absent.
    private func amount(_ key: String = Wire.amount) throws(Rejection) -> Fen? {
        guard let text = self[key] else { return nil }
        switch Fen.parse(text) {
        case .success(let f): return f
        case .failure(.malformed):
            throw Rejection(.malformedAmount, field: key, "\(key) '\(text)' is not a number of yuan (4674200.00) or 万元 (467.42万)")
        case .failure(.tooManyDecimals):
            throw Rejection(.tooManyDecimals, field: key, "\(key) '\(text)' has more decimals than one 分 (2 for yuan, 6 for 万)")
        case .failure(.overflow):
            throw Rejection(.amountOverflow, field: key, "\(key) '\(text)' is larger than the most one event may carry (\(Fen.maxEventAmount.yuanGrouped) yuan)")
        }
    }
}

extension PartialClassification {
    /// All of fund, item and nature given (the required-field check guarantees it for every
    /// type but a reclassification).
    func whole() throws(Rejection) -> Classification {
        guard let fund, let item, let nature else {
            throw Rejection(.missingField, field: Wire.fund, "fund, item and nature are required")
        }
        return Classification(fund: fund, item: item, econ: econ, nature: nature, project: project)
    }
}
