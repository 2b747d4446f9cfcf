/// The journal line format: one event as one flat JSON object, fields in a fixed order, the
/// hash of the previous line last. See `Journal/README.md`. Field names come from this table,
/// never from Swift names, so renaming a case can never change the format.
public enum Wire {
    public static let seq = "seq", id = "id", type = "type", date = "date", recorded = "recorded"
    public static let actor = "actor", memo = "memo", prev = "prev"
    public static let unit = "unit", name = "name", year = "year"
    public static let fund = "fund", item = "item", econ = "econ", nature = "nature", project = "project"
    public static let amount = "amount", doc = "doc", payee = "payee", voucher = "voucher"
    public static let override = "override", kind = "kind", target = "target", priorYear = "prior_year"
    public static let events = "events", head = "head", budget = "budget", actual = "actual"
    public static let carried = "carried", lapsed = "lapsed", lines = "lines", close = "close", reason = "reason"
    // Facts (see Facts.swift).
    public static let category = "category", scope = "scope", batches = "batches", people = "people"
    public static let action = "action", vehicle = "vehicle", official = "official", award = "award"
    public static let asset = "asset", assetClass = "class", unitPrice = "unit_price", quantity = "quantity"
    public static let indicator = "indicator", level = "level", comparator = "comparator", value = "value", measure = "unit"
    public static let weight = "weight", score = "score", scoreReason = "score_reason", stage = "stage", key = "key", text = "text"
    public static let yes = "yes", no = "no"
    // Access (see Access.swift).
    public static let roles = "roles", publicKey = "public_key", first = "first", signature = "sig", approval = "approval"
    public static let threshold = "threshold"
    /// The value of `approval` on an item that waits for a second person.
    public static let required = "required"
    // Values with their own tables: `EventType` (type), `AdjustmentKind` (kind), `Nature.wire`
    // (nature), `Disposition` (a close line's disposition).

    /// Every field name of the format.
    public static let all: Set<String> = [seq, id, type, date, recorded, actor, memo, prev, unit, name, year, fund, item, econ, nature,
                                          project, amount, doc, payee, voucher, override, kind, target, priorYear, events, head, budget,
                                          actual, carried, lapsed, lines, close, reason, category, scope, batches, people,
                                          action, vehicle, official, award, asset, assetClass, unitPrice, quantity, indicator,
                                          level, comparator, value, weight, score, scoreReason, stage, key, text,
                                          roles, publicKey, first, signature, approval, threshold]
}

/// A byte pattern of the line format, made once from the `Wire` tables, for the decoders that
/// read lines straight from bytes (the strict decoder, the replay scanner): they never spell a
/// key themselves.
struct WireKey: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>

    init(_ text: String) {
        let a = Array(text.utf8)
        let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: a.count)   // lives as long as the program
        _ = p.initialize(from: a)
        bytes = UnsafeBufferPointer(p)
    }

    /// `"name"`, for the strict decoder (which adds the separators itself).
    static func name(_ n: String) -> WireKey { WireKey(n) }
    /// `,"name":`: a key after the first.
    static func field(_ n: String) -> WireKey { WireKey(",\"" + n + "\":") }
}

/// Why a journal line does not decode into an event.
public struct LineDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String?
    public let message: String
    public var description: String { field.map { "field \"\($0)\": \(message)" } ?? message }
}

public enum EventCodec {
    /// The canonical bytes of a journal line (without its newline).
    public static func encode(_ e: Event, prev: SHA256.Digest) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(384)
        var first = true
        func key(_ k: String) {
            out.append(first ? 0x7b : 0x2c)
            first = false
            FlatJSON.appendString(k, to: &out)
            out.append(0x3a)
        }
        func str(_ k: String, _ v: String) { key(k); FlatJSON.appendString(v, to: &out) }
        func optStr(_ k: String, _ v: String?) { if let v { str(k, v) } }
        func int(_ k: String, _ v: Int64) { key(k); FlatJSON.appendInt(v, to: &out) }
        func classification(_ c: Classification) {
            str(Wire.fund, c.fund.rawValue)
            str(Wire.item, c.item.rawValue)
            optStr(Wire.econ, c.econ?.rawValue)
            str(Wire.nature, c.nature.wire)
            optStr(Wire.project, c.project?.rawValue)
        }

        int(Wire.seq, Int64(e.seq))
        str(Wire.id, e.id.rawValue)
        str(Wire.type, e.body.type.rawValue)
        str(Wire.date, e.date.description)
        str(Wire.recorded, e.recorded.text)
        str(Wire.actor, e.actor)
        switch e.body {
        case .unit(let u):
            str(Wire.unit, u.unitCode); str(Wire.name, u.unitName); int(Wire.year, Int64(u.year))
        case .yearOpen(let y):
            int(Wire.year, Int64(y.year))
        case .appropriation(let a):
            classification(a.classification); int(Wire.amount, a.amount.raw); str(Wire.doc, a.document)
        case .disbursement(let d):
            classification(d.classification); int(Wire.amount, d.amount.raw)
            str(Wire.payee, d.payee); str(Wire.voucher, d.voucher); optStr(Wire.override, d.override)
        case .adjustment(let adj):
            str(Wire.kind, adj.kind.wire.rawValue)
            switch adj.kind {
            case .budget(let c, let amount, let doc):
                classification(c); int(Wire.amount, amount.raw); str(Wire.doc, doc)
            case .reversal(let target, let amount):
                str(Wire.target, target.rawValue); int(Wire.amount, amount.raw)
            case .reclassification(let target, let amount, let to):
                str(Wire.target, target.rawValue); int(Wire.amount, amount.raw); classification(to)
            }
            if let y = adj.priorYear { int(Wire.priorYear, Int64(y)) }
            optStr(Wire.override, adj.override)
        case .close(let c):
            int(Wire.year, Int64(c.year)); int(Wire.events, Int64(c.events)); str(Wire.head, c.head.hex)
            int(Wire.budget, c.budget.raw); int(Wire.actual, c.actual.raw); int(Wire.carried, c.carried.raw)
            int(Wire.lapsed, c.lapsed.raw); str(Wire.lines, closeLines(c.lines)); optStr(Wire.override, c.override)
        case .carryForward(let c):
            str(Wire.close, c.close.rawValue); classification(c.classification); int(Wire.amount, c.amount.raw)
        case .reopen(let r):
            int(Wire.year, Int64(r.year)); str(Wire.reason, r.reason)
        case .fact(let f):
            switch f {
            case .sanGongActivity(let a):
                int(Wire.year, Int64(a.year)); str(Wire.category, a.category.rawValue); optStr(Wire.scope, a.scope?.rawValue)
                int(Wire.batches, Int64(a.batches)); int(Wire.people, Int64(a.people)); optStr(Wire.target, a.target?.rawValue)
            case .vehicle(let v):
                str(Wire.action, v.action.rawValue); str(Wire.vehicle, v.vehicle); str(Wire.category, v.category.rawValue)
                str(Wire.official, v.official ? Wire.yes : Wire.no)
            case .procurement(let p):
                int(Wire.year, Int64(p.year)); str(Wire.target, p.target.rawValue); str(Wire.category, p.category.rawValue)
                int(Wire.amount, p.amount.raw); str(Wire.award, p.award.rawValue)
            case .asset(let a):
                str(Wire.action, a.action.rawValue); str(Wire.asset, a.asset); str(Wire.assetClass, a.assetClass.rawValue)
                int(Wire.unitPrice, a.unitPrice.raw); int(Wire.quantity, Int64(a.quantity))
            case .performanceTarget(let t):
                int(Wire.year, Int64(t.year)); str(Wire.project, t.project.rawValue); str(Wire.indicator, t.indicator)
                str(Wire.level, t.level.rawValue); str(Wire.category, t.category); str(Wire.name, t.name)
                str(Wire.comparator, t.comparator.rawValue); str(Wire.value, t.value); optStr(Wire.measure, t.unit.isEmpty ? nil : t.unit)
                str(Wire.weight, t.weight.description)
            case .performanceResult(let r):
                int(Wire.year, Int64(r.year)); str(Wire.project, r.project.rawValue); str(Wire.indicator, r.indicator)
                optStr(Wire.value, r.value.isEmpty ? nil : r.value); optStr(Wire.reason, r.reason)
                optStr(Wire.score, r.score?.description); optStr(Wire.scoreReason, r.scoreReason)
            case .performanceStage(let s):
                int(Wire.year, Int64(s.year)); str(Wire.project, s.project.rawValue); str(Wire.stage, s.stage.rawValue)
            case .text(let n):
                int(Wire.year, Int64(n.year)); str(Wire.key, n.key); str(Wire.text, n.text)
            }
        case .access(let a):
            switch a {
            case .actor(let c):
                str(Wire.action, c.action.rawValue); str(Wire.name, c.name)
                switch c.action {
                case .add:
                    str(Wire.roles, Role.list(c.roles)); str(Wire.publicKey, Hex.encode(c.publicKey))
                    if let k = c.threshold { int(Wire.threshold, Int64(k)) }
                case .revoke: str(Wire.reason, c.reason)
                }
            case .signature(let s):
                int(Wire.first, Int64(s.first)); str(Wire.signature, Hex.encode(s.signature))
            case .approval(let t):
                str(Wire.target, t.rawValue)
            case .rejection(let t, let reason):
                str(Wire.target, t.rawValue); str(Wire.reason, reason)
            }
        }
        if e.needsApproval { str(Wire.approval, Wire.required) }
        if !e.memo.isEmpty { str(Wire.memo, e.memo) }
        str(Wire.prev, prev.hex)
        out.append(0x7d)
        return out
    }

    /// Decodes a journal line (without its newline). Strict: unknown or missing fields, wrong
    /// types and malformed codes are errors naming the field.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(LineDecodeError) -> (event: Event, prev: SHA256.Digest) {
        let fields: [(key: String, value: FlatValue)]
        do { fields = try FlatJSON.parse(bytes) } catch { throw LineDecodeError(field: nil, message: "not a JSON object: \(error)") }
        var r = FieldReader(fields: fields)
        let seq = try r.int(Wire.seq)
        guard seq >= 1 else { throw LineDecodeError(field: Wire.seq, message: "must be 1 or more") }
        let id = try r.parsed(Wire.id, "an event id") { EventID(rawValue: $0) }
        let typeName = try r.string(Wire.type)
        guard let type = EventType(rawValue: typeName) else {
            throw LineDecodeError(field: Wire.type, message: "unknown event type '\(typeName)'")
        }
        let date = try r.parsed(Wire.date, "a date YYYY-MM-DD") { CivilDate($0) }
        let recorded = try r.parsed(Wire.recorded, "a UTC time YYYY-MM-DDTHH:MM:SSZ") { Timestamp($0) }
        let actor = try r.string(Wire.actor)
        let body: EventBody
        switch type {
        case .unit:
            body = .unit(UnitOpening(unitCode: try r.string(Wire.unit), unitName: try r.string(Wire.name), year: Int(try r.int(Wire.year))))
        case .yearOpen:
            body = .yearOpen(YearOpening(year: Int(try r.int(Wire.year))))
        case .appropriation:
            body = .appropriation(Appropriation(
                classification: try r.classification(), amount: Fen(try r.int(Wire.amount)), document: try r.string(Wire.doc)))
        case .disbursement:
            body = .disbursement(Disbursement(
                classification: try r.classification(), amount: Fen(try r.int(Wire.amount)),
                payee: try r.string(Wire.payee), voucher: try r.string(Wire.voucher), override: try r.optionalString(Wire.override)))
        case .adjustment:
            let kindName = try r.string(Wire.kind)
            guard let wireKind = AdjustmentKind(rawValue: kindName) else {
                throw LineDecodeError(field: Wire.kind, message: "unknown adjustment kind '\(kindName)', expected \(AdjustmentKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let kind: Adjustment.Kind
            switch wireKind {
            case .budget:
                kind = .budget(try r.classification(), amount: Fen(try r.int(Wire.amount)), document: try r.string(Wire.doc))
            case .reversal:
                kind = .reversal(target: try r.parsed(Wire.target, "an event id") { EventID(rawValue: $0) }, amount: Fen(try r.int(Wire.amount)))
            case .reclassification:
                let target = try r.parsed(Wire.target, "an event id") { EventID(rawValue: $0) }
                let amount = Fen(try r.int(Wire.amount))
                kind = .reclassification(target: target, amount: amount, to: try r.classification())
            }
            let priorYear = try r.optionalInt(Wire.priorYear).map(Int.init)
            body = .adjustment(Adjustment(kind: kind, priorYear: priorYear, override: try r.optionalString(Wire.override)))
        case .close:
            let year = Int(try r.int(Wire.year)), events = Int(try r.int(Wire.events))
            let head = try r.parsed(Wire.head, "64 hex digits") { SHA256.Digest(hex: $0) }
            let totals = (try r.int(Wire.budget), try r.int(Wire.actual), try r.int(Wire.carried), try r.int(Wire.lapsed))
            let text = try r.string(Wire.lines)
            guard let lines = parseCloseLines(text, year: year) else {
                throw LineDecodeError(field: Wire.lines, message: "expected entries 'FUND ITEM NATURE PROJECT|- BUDGET ACTUAL carry|lapse|-' separated by ';'")
            }
            let c = YearClose(year: year, events: events, head: head, lines: lines, override: try r.optionalString(Wire.override))
            guard (c.budget.raw, c.actual.raw, c.carried.raw, c.lapsed.raw) == totals else {
                throw LineDecodeError(field: Wire.budget, message: "the totals (budget, actual, carried, lapsed) do not add up from the lines")
            }
            body = .close(c)
        case .carryForward:
            let close = try r.parsed(Wire.close, "an event id") { EventID(rawValue: $0) }
            let c = try r.classification()
            guard c.econ == nil else { throw LineDecodeError(field: Wire.econ, message: "a carry-forward is per budget line, without 经济分类") }
            body = .carryForward(CarryForward(close: close, line: c.line(year: date.year), amount: Fen(try r.int(Wire.amount))))
        case .reopen:
            body = .reopen(YearReopen(year: Int(try r.int(Wire.year)), reason: try r.string(Wire.reason)))
        case .sanGongActivity, .vehicle, .procurement, .asset, .performanceTarget, .performanceResult, .performanceStage, .text:
            body = .fact(try r.fact(type))
        case .actor, .signature, .approval, .rejection:
            body = .access(try r.access(type))
        }
        let needsApproval = try r.optionalString(Wire.approval).map { s throws(LineDecodeError) in
            guard s == Wire.required else { throw LineDecodeError(field: Wire.approval, message: "'\(s)' is not '\(Wire.required)'") }
            return true
        } ?? false
        let memo = try r.optionalString(Wire.memo) ?? ""
        let prev = try r.parsed(Wire.prev, "64 hex digits") { SHA256.Digest(hex: $0) }
        try r.finish()
        return (Event(seq: Int(seq), id: id, date: date, recorded: recorded, actor: actor, memo: memo, body: body,
                      needsApproval: needsApproval), prev)
    }
}

/// Reads the fields of one line by name, and complains about any left over.
private struct FieldReader {
    var fields: [(key: String, value: FlatValue)]
    var used: [Bool]

    init(fields: [(key: String, value: FlatValue)]) {
        self.fields = fields
        used = Array(repeating: false, count: fields.count)
    }

    mutating func take(_ key: String) -> FlatValue? {
        for (i, f) in fields.enumerated() where f.key == key {
            used[i] = true
            return f.value
        }
        return nil
    }

    mutating func optionalString(_ key: String) throws(LineDecodeError) -> String? {
        guard let v = take(key) else { return nil }
        guard case .string(let s) = v else { throw LineDecodeError(field: key, message: "expected a string") }
        return s
    }

    mutating func string(_ key: String) throws(LineDecodeError) -> String {
        guard let s = try optionalString(key) else { throw LineDecodeError(field: key, message: "missing") }
        return s
    }

    mutating func int(_ key: String) throws(LineDecodeError) -> Int64 {
        guard let n = try optionalInt(key) else { throw LineDecodeError(field: key, message: "missing") }
        return n
    }

    mutating func optionalInt(_ key: String) throws(LineDecodeError) -> Int64? {
        guard let v = take(key) else { return nil }
        guard case .number(let s) = v, let n = Int64(s) else {
            throw LineDecodeError(field: key, message: "expected an integer")
        }
        return n
    }

    mutating func parsed<T>(_ key: String, _ what: String, _ make: (String) -> T?) throws(LineDecodeError) -> T {
        let s = try string(key)
        guard let v = make(s) else { throw LineDecodeError(field: key, message: "'\(s)' is not \(what)") }
        return v
    }

    mutating func classification() throws(LineDecodeError) -> Classification {
        let fund = try parsed(Wire.fund, "a fund code") { FundCode(rawValue: $0) }
        let item = try parsed(Wire.item, "a 7-digit 功能分类 项 code") { FunctionCode(rawValue: $0).flatMap { $0.isItem ? $0 : nil } }
        let econ = try optionalString(Wire.econ).map { s throws(LineDecodeError) in
            guard let c = EconomicCode(rawValue: s), c.isKuan else {
                throw LineDecodeError(field: Wire.econ, message: "'\(s)' is not a 5-digit 经济分类 款 code")
            }
            return c
        }
        let nature = try parsed(Wire.nature, "basic or project") { s in Nature(text: s).flatMap { $0.wire == s ? $0 : nil } }
        let project = try optionalString(Wire.project).map { s throws(LineDecodeError) in
            guard let p = ProjectCode(rawValue: s) else { throw LineDecodeError(field: Wire.project, message: "'\(s)' is not a project code") }
            return p
        }
        return Classification(fund: fund, item: item, econ: econ, nature: nature, project: project)
    }

    mutating func enumValue<T: RawRepresentable<String>>(_ key: String, _ make: (String) -> T?, _ allowed: [T]) throws(LineDecodeError) -> T {
        try parsed(key, "one of " + allowed.map(\.rawValue).joined(separator: ", "), make)
    }

    mutating func count(_ key: String) throws(LineDecodeError) -> Int {
        let n = try int(key)
        guard n >= 0, n <= 1_000_000_000 else { throw LineDecodeError(field: key, message: "must be a count from 0") }
        return Int(n)
    }

    mutating func year() throws(LineDecodeError) -> Int {
        let y = try int(Wire.year)
        guard FiscalYears.contains(Int(y)) else { throw LineDecodeError(field: Wire.year, message: "\(y) is not a fiscal year") }
        return Int(y)
    }

    mutating func fact(_ type: EventType) throws(LineDecodeError) -> Fact {
        func id(_ key: String) throws(LineDecodeError) -> EventID { try parsed(key, "an event id") { EventID(rawValue: $0) } }
        func project() throws(LineDecodeError) -> ProjectCode { try parsed(Wire.project, "a project code") { ProjectCode(rawValue: $0) } }
        switch type {
        case .sanGongActivity:
            let year = try year()
            let category = try enumValue(Wire.category, SanGongActivity.Category.init(rawValue:), SanGongActivity.Category.allCases)
            let scope = try optionalString(Wire.scope).map { s throws(LineDecodeError) in
                guard let v = SanGongActivity.Scope(rawValue: s) else { throw LineDecodeError(field: Wire.scope, message: "'\(s)' is not domestic or foreign") }
                return v
            }
            let batches = try count(Wire.batches), people = try count(Wire.people)
            let target = try optionalString(Wire.target).map { s throws(LineDecodeError) in
                guard let v = EventID(rawValue: s) else { throw LineDecodeError(field: Wire.target, message: "'\(s)' is not an event id") }
                return v
            }
            return .sanGongActivity(SanGongActivity(year: year, category: category, scope: scope, batches: batches, people: people, target: target))
        case .vehicle:
            let action = try enumValue(Wire.action, VehicleChange.Action.init(rawValue:), VehicleChange.Action.allCases)
            let vehicle = try string(Wire.vehicle)
            let category = try enumValue(Wire.category, VehicleChange.Category.init(rawValue:), VehicleChange.Category.allCases)
            let official = try parsed(Wire.official, "yes or no") { $0 == Wire.yes ? true : ($0 == Wire.no ? false : nil) }
            return .vehicle(VehicleChange(action: action, vehicle: vehicle, category: category, official: official))
        case .procurement:
            let year = try year(), target = try id(Wire.target)
            let category = try enumValue(Wire.category, Procurement.Category.init(rawValue:), Procurement.Category.allCases)
            let amount = Fen(try int(Wire.amount))
            let award = try enumValue(Wire.award, Procurement.Award.init(rawValue:), Procurement.Award.allCases)
            return .procurement(Procurement(year: year, target: target, category: category, amount: amount, award: award))
        case .asset:
            let action = try enumValue(Wire.action, AssetChange.Action.init(rawValue:), AssetChange.Action.allCases)
            let asset = try string(Wire.asset)
            let cls = try enumValue(Wire.assetClass, AssetChange.Class.init(rawValue:), AssetChange.Class.allCases)
            let price = Fen(try int(Wire.unitPrice)), quantity = try count(Wire.quantity)
            return .asset(AssetChange(action: action, asset: asset, assetClass: cls, unitPrice: price, quantity: quantity))
        case .performanceTarget:
            let year = try year(), p = try project(), indicator = try string(Wire.indicator)
            let level = try enumValue(Wire.level, PerformanceTarget.Level.init(rawValue:), PerformanceTarget.Level.allCases)
            let category = try string(Wire.category), name = try string(Wire.name)
            let comparator = try enumValue(Wire.comparator, PerformanceTarget.Comparator.init(rawValue:), PerformanceTarget.Comparator.allCases)
            let value = try string(Wire.value), unit = try optionalString(Wire.measure) ?? ""
            let weight = try parsed(Wire.weight, "a number of points") { Quantity($0) }
            return .performanceTarget(PerformanceTarget(year: year, project: p, indicator: indicator, level: level, category: category, name: name,
                                                        comparator: comparator, value: value, unit: unit, weight: weight))
        case .performanceResult:
            let year = try year(), p = try project(), indicator = try string(Wire.indicator)
            let value = try optionalString(Wire.value) ?? "", reason = try optionalString(Wire.reason)
            let score = try optionalString(Wire.score).map { s throws(LineDecodeError) in
                guard let q = Quantity(s) else { throw LineDecodeError(field: Wire.score, message: "'\(s)' is not a number of points") }
                return q
            }
            return .performanceResult(PerformanceResult(year: year, project: p, indicator: indicator, value: value, reason: reason,
                                                        score: score, scoreReason: try optionalString(Wire.scoreReason)))
        case .performanceStage:
            let year = try year(), p = try project()
            let stage = try enumValue(Wire.stage, PerformanceStage.Stage.init(rawValue:), PerformanceStage.Stage.allCases)
            return .performanceStage(PerformanceStage(year: year, project: p, stage: stage))
        case .text:
            let year = try year(), key = try string(Wire.key)
            return .text(Narrative(year: year, key: key, text: try string(Wire.text)))
        case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .close, .carryForward, .reopen, .actor, .signature,
             .approval, .rejection:
            throw LineDecodeError(field: Wire.type, message: "'\(type.rawValue)' is not a fact")
        }
    }

    mutating func access(_ type: EventType) throws(LineDecodeError) -> AccessEvent {
        func id(_ key: String) throws(LineDecodeError) -> EventID { try parsed(key, "an event id") { EventID(rawValue: $0) } }
        switch type {
        case .actor:
            let action = try enumValue(Wire.action, ActorChange.Action.init(rawValue:), ActorChange.Action.allCases)
            let name = try string(Wire.name)
            switch action {
            case .add:
                let roles = try parsed(Wire.roles, "a list of roles (clerk, approver, admin) joined by commas") { s in
                    Role.parseList(s).flatMap { Role.list($0) == s ? $0 : nil }
                }
                let key = try parsed(Wire.publicKey, "an Ed25519 public key (64 lower-case hex digits)") { s in
                    Hex.decode(s).flatMap { $0.count == Ed25519.publicKeySize && Hex.encode($0) == s ? $0 : nil }
                }
                var change = ActorChange.add(name, roles: roles, publicKey: key)
                if let k = try optionalInt(Wire.threshold) {
                    guard k >= 1, k <= Int64(AccessRules.maxThreshold) else {
                        throw LineDecodeError(field: Wire.threshold, message: "must be 1 to \(AccessRules.maxThreshold)")
                    }
                    change.threshold = Int(k)
                }
                return .actor(change)
            case .revoke:
                return .actor(.revoke(name, reason: try string(Wire.reason)))
            }
        case .signature:
            let first = try int(Wire.first)
            guard first >= 1 else { throw LineDecodeError(field: Wire.first, message: "must be 1 or more") }
            let sig = try parsed(Wire.signature, "an Ed25519 signature (128 lower-case hex digits)") { s in
                Hex.decode(s).flatMap { $0.count == Ed25519.signatureSize && Hex.encode($0) == s ? $0 : nil }
            }
            return .signature(BatchSignature(first: Int(first), signature: sig))
        case .approval:
            return .approval(target: try id(Wire.target))
        case .rejection:
            return .rejection(target: try id(Wire.target), reason: try string(Wire.reason))
        case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .close, .carryForward, .reopen, .sanGongActivity, .vehicle,
             .procurement, .asset, .performanceTarget, .performanceResult, .performanceStage, .text:
            throw LineDecodeError(field: Wire.type, message: "'\(type.rawValue)' is not an access event")
        }
    }

    func finish() throws(LineDecodeError) {
        for (i, f) in fields.enumerated() where !used[i] {
            throw LineDecodeError(field: f.key, message: "unknown field for this event type")
        }
    }
}

extension EventCodec {
    /// The event as one JSON object, as in the journal but without the `prev` link (for
    /// machine-readable output of `log` and `show`).
    public static func json(_ e: Event) -> String {
        var line = encode(e, prev: .zero)
        let linkSize = #","prev":""#.utf8.count + 64 + 2
        line.removeLast(linkSize)
        line.append(0x7d)
        return String(decoding: line, as: UTF8.self)
    }
}

extension EventCodec {
    /// Reads the classification fields of a line on their own: `bytes` is the run of fields
    /// from `,"fund":` up to (not including) the next non-classification field, as the replay
    /// scanner cuts it out of a canonical line.
    static func decodeClassification(fieldsAfterComma bytes: UnsafeRawBufferPointer) -> Classification? {
        guard bytes.first == 0x2c else { return nil }
        var object: [UInt8] = [0x7b]
        object.append(contentsOf: bytes.dropFirst())
        object.append(0x7d)
        return object.withUnsafeBytes { raw -> Classification? in
            guard let fields = try? FlatJSON.parse(raw) else { return nil }
            var r = FieldReader(fields: fields)
            guard let c = try? r.classification(), (try? r.finish()) != nil else { return nil }
            return c
        }
    }
}

extension EventCodec {
    /// A close's lines as one readable, grep-able string: `FUND ITEM NATURE PROJECT|- BUDGET
    /// ACTUAL DISPOSITION` per line (amounts in 分), lines joined by `;`.
    static func closeLines(_ lines: [ClosedLine]) -> String {
        lines.map { l in
            "\(l.line.fund) \(l.line.item) \(l.line.nature.wire) \(l.line.project?.rawValue ?? "-") \(l.budget.raw) \(l.actual.raw) \(l.disposition.rawValue)"
        }.joined(separator: ";")
    }

    static func parseCloseLines(_ text: String, year: Int) -> [ClosedLine]? {
        guard !text.isEmpty else { return [] }
        var out: [ClosedLine] = []
        for entry in text.split(separator: ";", omittingEmptySubsequences: false) {
            let f = entry.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 7, let fund = FundCode(rawValue: f[0]), let item = FunctionCode(rawValue: f[1]), item.isItem,
                  let nature = Nature(text: f[2]), nature.wire == f[2], let budget = Int64(f[4]), let actual = Int64(f[5]),
                  let disposition = Disposition(rawValue: f[6]) else { return nil }
            let project: ProjectCode?
            if f[3] == "-" { project = nil } else { guard let p = ProjectCode(rawValue: f[3]) else { return nil }; project = p }
            out.append(ClosedLine(line: BudgetLine(year: year, fund: fund, item: item, nature: nature, project: project),
                                  budget: Fen(budget), actual: Fen(actual), disposition: disposition))
        }
        return out
    }
}
