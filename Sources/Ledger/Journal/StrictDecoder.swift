/// The replay path's decoder: reads a journal line that is in canonical form — exactly the
/// bytes `EventCodec.encode` writes, keys in their fixed order, no spaces, minimal escapes,
/// integers without leading zeros — in one pass, without building a field table. A line it
/// does not accept goes to the general decoder, which says what is wrong with it; so a line
/// this decoder accepts is canonical by construction, and replay needs no re-encoding.
struct StrictDecoder {
    let p: UnsafeRawBufferPointer
    var i = 0
    var first = true

    init(_ p: UnsafeRawBufferPointer) { self.p = p }

    struct Reject: Error { var rare = false }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> (event: Event, prev: SHA256.Digest)? {
        var d = StrictDecoder(bytes)
        do { return try d.line() } catch {
            guard error.rare else { return nil }
            // Closes, carry-forwards and reopenings are rare: the general decoder reads them,
            // and the line is canonical when it re-encodes to the same bytes.
            guard let decoded = try? EventCodec.decode(bytes),
                  EventCodec.encode(decoded.event, prev: decoded.prev).elementsEqual(bytes) else { return nil }
            return decoded
        }
    }

    /// Consumes `{"key":` or `,"key":`.
    mutating func key(_ k: WireKey) -> Bool {
        let n = k.bytes.count
        guard i + n + 4 <= p.count, p[i] == (first ? 0x7b : 0x2c), p[i + 1] == 0x22 else { return false }
        let kp = k.bytes
        for j in 0..<n where p[i + 2 + j] != kp[j] { return false }
        guard p[i + 2 + n] == 0x22, p[i + 3 + n] == 0x3a else { return false }
        i += n + 4
        first = false
        return true
    }

    mutating func need(_ k: WireKey) throws(Reject) { guard key(k) else { throw Reject() } }

    mutating func string() throws(Reject) -> String {
        guard i < p.count, p[i] == 0x22 else { throw Reject() }
        i += 1
        let start = i
        var ascii = true
        while i < p.count {
            let c = p[i]
            if c == 0x22 {
                let raw = UnsafeRawBufferPointer(rebasing: p[start..<i])
                i += 1
                if ascii { return String(decoding: raw, as: UTF8.self) }
                guard let s = String(validating: raw, as: UTF8.self) else { throw Reject() }
                return s
            }
            if c == 0x5c { return try escaped(from: start) }
            if c < 0x20 { throw Reject() }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        throw Reject()
    }

    /// The slow part of a string with escapes: only the escapes the encoder writes are canonical.
    mutating func escaped(from start: Int) throws(Reject) -> String {
        var out = Array(UnsafeRawBufferPointer(rebasing: p[start..<i]))
        while i < p.count {
            let c = p[i]
            if c == 0x22 {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw Reject() }
                return s
            }
            if c < 0x20 { throw Reject() }
            if c != 0x5c { out.append(c); i += 1; continue }
            guard i + 1 < p.count else { throw Reject() }
            switch p[i + 1] {
            case 0x22: out.append(0x22); i += 2
            case 0x5c: out.append(0x5c); i += 2
            case 0x6e: out.append(0x0a); i += 2
            case 0x72: out.append(0x0d); i += 2
            case 0x74: out.append(0x09); i += 2
            case 0x75:
                guard i + 5 < p.count, p[i + 2] == 0x30, p[i + 3] == 0x30,
                      let hi = lowerHex(p[i + 4]), let lo = lowerHex(p[i + 5]) else { throw Reject() }
                let v = hi << 4 | lo
                guard v < 0x20, v != 0x0a, v != 0x0d, v != 0x09 else { throw Reject() }
                out.append(v); i += 6
            default: throw Reject()
            }
        }
        throw Reject()
    }

    mutating func int() throws(Reject) -> Int64 {
        var neg = false
        if i < p.count, p[i] == 0x2d { neg = true; i += 1 }
        let start = i
        var v: Int64 = 0
        while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(p[i] - 0x30))
            guard !o1, !o2 else { throw Reject() }
            v = a
            i += 1
        }
        let n = i - start
        guard n > 0, !(n > 1 && p[start] == 0x30), !(neg && v == 0) else { throw Reject() }
        return neg ? -v : v
    }

    mutating func str(_ k: WireKey) throws(Reject) -> String { try need(k); return try string() }
    mutating func optStr(_ k: WireKey) throws(Reject) -> String? {
        guard key(k) else { return nil }
        let s = try string()
        guard !s.isEmpty else { throw Reject() }  // the encoder omits empty optional fields
        return s
    }
    mutating func num(_ k: WireKey) throws(Reject) -> Int64 { try need(k); return try int() }

    mutating func classification() throws(Reject) -> Classification {
        guard let fund = FundCode(rawValue: try str(K.fund)),
              let item = FunctionCode(rawValue: try str(K.item)), item.isItem else { throw Reject() }
        var econ: EconomicCode?
        if let e = try optStr(K.econ) { guard let c = EconomicCode(rawValue: e), c.isKuan else { throw Reject() }; econ = c }
        let natureText = try str(K.nature)
        guard let nature = Nature(text: natureText), nature.wire == natureText else { throw Reject() }
        var project: ProjectCode?
        if let t = try optStr(K.project) { guard let c = ProjectCode(rawValue: t) else { throw Reject() }; project = c }
        return Classification(fund: fund, item: item, econ: econ, nature: nature, project: project)
    }

    mutating func line() throws(Reject) -> (event: Event, prev: SHA256.Digest) {
        let seq = try num(K.seq)
        guard seq >= 1, let id = EventID(rawValue: try str(K.id)) else { throw Reject() }
        guard let type = EventType(rawValue: try str(K.type)), let date = CivilDate(try str(K.date)),
              let recorded = Timestamp(try str(K.recorded)) else { throw Reject() }
        let actor = try str(K.actor)
        let body: EventBody
        switch type {
        case .unit:
            let code = try str(K.unit), name = try str(K.name)
            body = .unit(UnitOpening(unitCode: code, unitName: name, year: Int(try num(K.year))))
        case .yearOpen:
            body = .yearOpen(YearOpening(year: Int(try num(K.year))))
        case .appropriation:
            let c = try classification()
            let amount = Fen(try num(K.amount))
            body = .appropriation(Appropriation(classification: c, amount: amount, document: try str(K.doc)))
        case .disbursement:
            let c = try classification()
            let amount = Fen(try num(K.amount))
            let payee = try str(K.payee), voucher = try str(K.voucher)
            body = .disbursement(Disbursement(classification: c, amount: amount, payee: payee, voucher: voucher, override: try optStr(K.override)))
        case .adjustment:
            let kind: Adjustment.Kind
            guard let wireKind = AdjustmentKind(rawValue: try str(K.kind)) else { throw Reject() }
            switch wireKind {
            case .budget:
                let c = try classification()
                let amount = Fen(try num(K.amount))
                kind = .budget(c, amount: amount, document: try str(K.doc))
            case .reversal:
                guard let t = EventID(rawValue: try str(K.target)) else { throw Reject() }
                kind = .reversal(target: t, amount: Fen(try num(K.amount)))
            case .reclassification:
                guard let t = EventID(rawValue: try str(K.target)) else { throw Reject() }
                let amount = Fen(try num(K.amount))
                kind = .reclassification(target: t, amount: amount, to: try classification())
            }
            var priorYear: Int?
            if key(K.priorYear) { priorYear = Int(try int()) }
            body = .adjustment(Adjustment(kind: kind, priorYear: priorYear, override: try optStr(K.override)))
        case .close, .carryForward, .reopen, .sanGongActivity, .vehicle, .procurement, .asset, .performanceTarget, .performanceResult,
             .performanceStage, .text, .actor, .signature, .approval, .rejection:
            throw Reject(rare: true)
        }
        // Items waiting for approval are rare too: the general decoder reads the flag.
        if key(K.approval) { throw Reject(rare: true) }
        let memo = try optStr(K.memo) ?? ""
        try need(K.prev)
        guard i + 66 <= p.count, p[i] == 0x22, p[i + 65] == 0x22,
              (1...64).allSatisfy({ lowerHex(p[i + $0]) != nil }),
              let prev = SHA256.Digest(hexBytes: ArraySlice(UnsafeRawBufferPointer(rebasing: p[(i + 1)..<(i + 65)]))) else { throw Reject() }
        i += 66
        guard i + 1 == p.count, p[i] == 0x7d else { throw Reject() }
        return (Event(seq: Int(seq), id: id, date: date, recorded: recorded, actor: actor, memo: memo, body: body), prev)
    }
}

/// The keys the strict decoder reads, from the `Wire` table.
private enum K {
    static let actor = WireKey.name(Wire.actor)
    static let amount = WireKey.name(Wire.amount)
    static let approval = WireKey.name(Wire.approval)
    static let date = WireKey.name(Wire.date)
    static let doc = WireKey.name(Wire.doc)
    static let econ = WireKey.name(Wire.econ)
    static let fund = WireKey.name(Wire.fund)
    static let id = WireKey.name(Wire.id)
    static let item = WireKey.name(Wire.item)
    static let kind = WireKey.name(Wire.kind)
    static let memo = WireKey.name(Wire.memo)
    static let name = WireKey.name(Wire.name)
    static let nature = WireKey.name(Wire.nature)
    static let override = WireKey.name(Wire.override)
    static let payee = WireKey.name(Wire.payee)
    static let prev = WireKey.name(Wire.prev)
    static let priorYear = WireKey.name(Wire.priorYear)
    static let project = WireKey.name(Wire.project)
    static let recorded = WireKey.name(Wire.recorded)
    static let seq = WireKey.name(Wire.seq)
    static let target = WireKey.name(Wire.target)
    static let type = WireKey.name(Wire.type)
    static let unit = WireKey.name(Wire.unit)
    static let voucher = WireKey.name(Wire.voucher)
    static let year = WireKey.name(Wire.year)
}

@inline(__always) private func lowerHex(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
}
