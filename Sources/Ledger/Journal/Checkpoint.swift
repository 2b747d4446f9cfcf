import Glibc

/// A checkpoint: the `LedgerState` after some prefix of the journal, bound to that prefix by
/// its byte size and the SHA-256 of its last line. A post loads it and replays only the lines
/// after it, instead of the whole journal; when it does not match the journal (or is damaged,
/// or missing) the post falls back to a full replay and writes a fresh one. It is derived
/// data: deleting it loses nothing. `fledger verify` compares it with a full replay.
///
/// Binary, little-endian: magic, the body's length, prefix size, event count, last line's
/// offset and hash, the state (with, for the sorted id index and the reference index, each one's
/// word count and a checksum per block of `IndexWords.blockWords` words), a 64-bit checksum of
/// all that, and last the two indexes' words, which a post or `show` maps and reads in place.
struct Checkpoint {
    static let magic: [UInt8] = Array("FLEDGRCP0008".utf8)

    var size: Int           // bytes of journal covered
    var lastLineStart: Int  // offset of the last line covered
    var head: SHA256.Digest // SHA-256 of that line
    var state: LedgerState

    func encode() -> [UInt8] {
        var w = BinaryWriter()
        w.bytes(Checkpoint.magic)
        w.u64(0)   // the body's length, filled in below
        w.u64(UInt64(size)); w.u64(UInt64(state.count)); w.u64(UInt64(lastLineStart)); w.bytes(head.bytes)
        w.u64(UInt64(bitPattern: state.volume.raw))
        let u = state.unit
        w.u8(u == nil ? 0 : 1)
        if let u { w.string(u.unitCode); w.string(u.unitName); w.u64(UInt64(u.year)) }
        let years = state.openYears.sorted()
        w.u64(UInt64(years.count)); for y in years { w.u64(UInt64(y)) }
        let lines = state.balances.sorted { $0.key < $1.key }
        w.u64(UInt64(lines.count))
        for (l, b) in lines {
            w.line(l); w.u64(UInt64(bitPattern: b.budget.raw)); w.u64(UInt64(bitPattern: b.actual.raw))
        }
        let corrected = state.corrected.sorted { $0.key < $1.key }
        w.u64(UInt64(corrected.count)); for (l, a) in corrected { w.u64(l); w.u64(UInt64(bitPattern: a)) }
        var index = state.index, references = state.references
        index.compact()
        references.compact()
        // The store never saves a damaged index (`saveCheckpoint` checks).
        let words = index.sorted.all ?? [], refWords = references.sorted.all ?? []
        for region in [words, refWords] {
            let sums = IndexWords.blockSums(region)
            w.u64(UInt64(region.count)); w.u64(UInt64(sums.count)); for x in sums { w.u64(x) }
        }
        let overflow = index.overflow.sorted { $0.key < $1.key }
        w.u64(UInt64(overflow.count)); for (id, l) in overflow { w.string(id); w.u64(l) }
        let closes = state.closes.sorted { $0.key < $1.key }
        w.u64(UInt64(closes.count))
        for (year, m) in closes {
            w.u64(UInt64(year)); w.string(m.id.rawValue); w.u8(m.reopened ? 1 : 0)
            for table in [m.toCarry, m.carried] {
                let entries = table.sorted { $0.key < $1.key }
                w.u64(UInt64(entries.count))
                for (l, a) in entries { w.line(l); w.u64(UInt64(bitPattern: a.raw)) }
            }
        }
        let vehicles = state.vehicles.sorted { $0.key < $1.key }
        w.u64(UInt64(vehicles.count))
        for (_, v) in vehicles { w.string(v.vehicle); w.string(v.category.rawValue); w.u8(v.official ? 1 : 0) }
        let assets = state.assets.sorted { $0.key < $1.key }
        w.u64(UInt64(assets.count))
        for (_, a) in assets { w.string(a.asset); w.string(a.assetClass.rawValue); w.u64(UInt64(bitPattern: a.unitPrice.raw)); w.u64(UInt64(a.quantity)) }
        let indicators = state.indicators.sorted()
        w.u64(UInt64(indicators.count))
        for k in indicators { w.u64(UInt64(k.year)); w.string(k.project.rawValue); w.string(k.indicator) }
        let access = state.access
        w.u64(UInt64(access.signingFrom ?? 0))
        w.u64(UInt64(access.openBatch?.first ?? 0)); w.string(access.openBatch?.actor ?? "")
        let actors = access.actors.sorted { $0.key < $1.key }
        w.u64(UInt64(actors.count))
        for (_, a) in actors {
            w.string(a.name); w.string(Role.list(a.roles)); w.bytes(a.publicKey); w.string(a.added.rawValue); w.string(a.revoked?.rawValue ?? "")
        }
        let awaiting = access.awaiting.values.sorted { $0.seq < $1.seq }
        w.u64(UInt64(awaiting.count))
        for a in awaiting { w.string(a.id.rawValue); w.u64(a.locator); w.u64(UInt64(a.seq)); w.u64(UInt64(a.year)); w.string(a.actor) }
        w.u64(UInt64(access.signedForm))
        w.string(state.lastRecorded?.text ?? "")
        w.u64(UInt64(access.threshold))
        for a in awaiting {
            w.u8(a.actorChange ? 1 : 0)
            w.u64(UInt64(a.approvals.count)); for x in a.approvals { w.string(x) }
        }
        let bodyLength = w.out.count
        withUnsafeBytes(of: UInt64(bodyLength).littleEndian) { for (k, b) in $0.enumerated() { w.out[Checkpoint.magic.count + k] = b } }
        w.u64(w.out.withUnsafeBytes { BinaryWriter.checksum($0) })
        w.words(words)
        w.words(refWords)
        return w.out
    }

    /// The body's length and checksum, from the start of a checkpoint file (nil when it is not one).
    private static func header(_ p: UnsafeRawBufferPointer) -> Int? {
        guard p.count >= magic.count + 16, magic.indices.allSatisfy({ p[$0] == magic[$0] }) else { return nil }
        let length = Int(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: magic.count, as: UInt64.self)))
        guard length >= magic.count + 8, length <= p.count - 8 else { return nil }
        let sum = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: length, as: UInt64.self))
        guard sum == BinaryWriter.checksum(UnsafeRawBufferPointer(rebasing: p[..<length])) else { return nil }
        return length
    }

    /// A whole checkpoint in memory, every index block checked.
    static func decode(_ bytes: [UInt8]) -> Checkpoint? {
        bytes.withUnsafeBytes { raw -> Checkpoint? in
            guard let length = header(raw) else { return nil }
            return parse(body: Array(raw[..<length])) { regions in
                var at = length + 8, out: [IndexWords] = []
                for (count, sums) in regions {
                    guard at + count * 8 <= raw.count else { return nil }
                    let words = (0..<count).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + $0 * 8, as: UInt64.self)) }
                    guard IndexWords.blockSums(words) == sums else { return nil }
                    out.append(IndexWords(words))
                    at += count * 8
                }
                return at == raw.count ? out : nil
            }
        }
    }

    /// A checkpoint file mapped, its indexes read in place: the state without reading them
    /// (each block is checked when a look-up first reads it).
    static func load(path: String) -> Checkpoint? {
        guard let mapping = FileMapping.map(path: path), let bodyLength = header(mapping.bytes) else { return nil }
        return parse(body: Array(mapping.bytes[..<bodyLength])) { regions in
            var at = bodyLength + 8, out: [IndexWords] = []
            for (count, sums) in regions {
                guard sums.count == (count + IndexWords.blockWords - 1) / IndexWords.blockWords, at + count * 8 <= mapping.length else { return nil }
                out.append(IndexWords(mapping: mapping, offset: at, count: count, blockSums: sums))
                at += count * 8
            }
            return at == mapping.length ? out : nil
        }
    }

    /// The state from a checked body; `words` makes the index from its word count and block checksums.
    private static func parse(body bytes: [UInt8], words makeWords: ([(count: Int, sums: [UInt64])]) -> [IndexWords]?) -> Checkpoint? {
        let bodyCount = bytes.count
        var r = BinaryReader(bytes: bytes, end: bodyCount)
        r.at = magic.count + 8
        guard let size = r.u64(), let count = r.u64(), let lastStart = r.u64(), let headBytes = r.bytes(32),
              let head = SHA256.Digest(bytes: headBytes), let volume = r.u64(),
              let hasUnit = r.u8() else { return nil }
        var state = LedgerState()
        state.count = Int(count)
        state.volume = Fen(Int64(bitPattern: volume))
        if hasUnit == 1 {
            guard let code = r.string(), let name = r.string(), let year = r.u64() else { return nil }
            state.unit = UnitOpening(unitCode: code, unitName: name, year: Int(year))
        }
        guard let nYears = r.u64() else { return nil }
        for _ in 0..<nYears { guard let y = r.u64() else { return nil }; state.openYears.insert(Int(y)) }
        guard let nLines = r.u64() else { return nil }
        for _ in 0..<nLines {
            guard let line = r.line(), let budget = r.u64(), let actual = r.u64() else { return nil }
            state.balances[line] = LineBalance(budget: Fen(Int64(bitPattern: budget)), actual: Fen(Int64(bitPattern: actual)))
        }
        guard let nCorrected = r.u64() else { return nil }
        for _ in 0..<nCorrected {
            guard let l = r.u64(), let a = r.u64() else { return nil }
            state.corrected[l] = Int64(bitPattern: a)
        }
        var regions: [(count: Int, sums: [UInt64])] = []
        for _ in 0..<2 {
            guard let nWords = r.u64(), nWords % 2 == 0, nWords < 1 << 40, let nBlocks = r.u64(), nBlocks < 1 << 32 else { return nil }
            var sums: [UInt64] = []
            for _ in 0..<nBlocks { guard let x = r.u64() else { return nil }; sums.append(x) }
            regions.append((Int(nWords), sums))
        }
        guard let nOverflow = r.u64() else { return nil }
        for _ in 0..<nOverflow {
            guard let id = r.string(), let l = r.u64() else { return nil }
            state.index.overflow[id] = l
        }
        guard let nCloses = r.u64() else { return nil }
        for _ in 0..<nCloses {
            guard let year = r.u64(), let id = r.string().flatMap(EventID.init(rawValue:)), let reopened = r.u8() else { return nil }
            var tables: [[BudgetLine: Fen]] = []
            for _ in 0..<2 {
                guard let n = r.u64() else { return nil }
                var t: [BudgetLine: Fen] = [:]
                for _ in 0..<n {
                    guard let l = r.line(), let a = r.u64() else { return nil }
                    t[l] = Fen(Int64(bitPattern: a))
                }
                tables.append(t)
            }
            state.closes[Int(year)] = CloseMark(id: id, reopened: reopened == 1, toCarry: tables[0], carried: tables[1])
        }
        guard let nVehicles = r.u64() else { return nil }
        for _ in 0..<nVehicles {
            guard let id = r.string(), let c = r.string().flatMap(VehicleChange.Category.init(rawValue:)), let o = r.u8() else { return nil }
            state.vehicles[id] = VehicleChange(action: .acquire, vehicle: id, category: c, official: o == 1)
        }
        guard let nAssets = r.u64() else { return nil }
        for _ in 0..<nAssets {
            guard let id = r.string(), let c = r.string().flatMap(AssetChange.Class.init(rawValue:)), let p = r.u64(), let q = r.u64() else { return nil }
            state.assets[id] = AssetChange(action: .acquire, asset: id, assetClass: c, unitPrice: Fen(Int64(bitPattern: p)), quantity: Int(q))
        }
        guard let nIndicators = r.u64() else { return nil }
        for _ in 0..<nIndicators {
            guard let y = r.u64(), let p = r.string().flatMap(ProjectCode.init(rawValue:)), let k = r.string() else { return nil }
            state.indicators.insert(LedgerState.IndicatorKey(year: Int(y), project: p, indicator: k))
        }
        guard let signingFrom = r.u64(), let openFirst = r.u64(), let openActor = r.string(), let nActors = r.u64() else { return nil }
        state.access.signingFrom = signingFrom == 0 ? nil : Int(signingFrom)
        state.access.openBatch = openFirst == 0 ? nil : .init(first: Int(openFirst), actor: openActor)
        for _ in 0..<nActors {
            guard let name = r.string(), let roles = r.string().flatMap(Role.parseList), let key = r.bytes(32),
                  let added = r.string().flatMap(EventID.init(rawValue:)), let revoked = r.string() else { return nil }
            state.access.actors[name] = Actor(name: name, roles: roles, publicKey: key, added: added, revoked: EventID(rawValue: revoked))
        }
        guard let nAwaiting = r.u64() else { return nil }
        for _ in 0..<nAwaiting {
            guard let id = r.string().flatMap(EventID.init(rawValue:)), let l = r.u64(), let seq = r.u64(), let y = r.u64(), let actor = r.string() else { return nil }
            state.access.awaiting[id] = Awaiting(id: id, locator: l, seq: Int(seq), year: Int(y), actor: actor)
        }
        guard let form = r.u64(), form <= 2 else { return nil }
        state.access.signedForm = Int(form)
        guard let last = r.string() else { return nil }
        if !last.isEmpty { guard let t = Timestamp(last) else { return nil }; state.lastRecorded = t }
        guard let k = r.u64(), (1...UInt64(AccessRules.maxThreshold)).contains(k) else { return nil }
        state.access.threshold = Int(k)
        for id in state.access.awaiting.values.sorted(by: { $0.seq < $1.seq }).map(\.id) {
            guard let change = r.u8(), let n = r.u64(), n < 64 else { return nil }
            state.access.awaiting[id]!.actorChange = change == 1
            for _ in 0..<n { guard let x = r.string() else { return nil }; state.access.awaiting[id]!.approvals.append(x) }
        }
        guard r.at == bodyCount, let words = makeWords(regions), words.count == 2 else { return nil }
        state.index.sorted = words[0]
        state.references.sorted = words[1]
        return Checkpoint(size: Int(size), lastLineStart: Int(lastStart), head: head, state: state)
    }
}


struct BinaryWriter {
    var out: [UInt8] = []
    mutating func u8(_ v: UInt8) { out.append(v) }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    mutating func bytes(_ b: [UInt8]) { out.append(contentsOf: b) }
    mutating func string(_ s: String) { u64(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
    mutating func words(_ w: [UInt64]) { w.withUnsafeBytes { out.append(contentsOf: $0) } }
    mutating func line(_ l: BudgetLine) {
        u64(UInt64(l.year)); string(l.fund.rawValue); string(l.item.rawValue); u8(l.nature == .basic ? 0 : 1)
        string(l.project?.rawValue ?? "")
    }

    /// A fast 64-bit checksum (not a cryptographic hash: it guards against a torn or corrupt
    /// checkpoint, and verify re-derives the checkpoint anyway).
    static func checksum(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(p.count)
        do {
            let words = p.count / 8
            for i in 0..<words {
                h = (h ^ p.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
                h ^= h >> 29
            }
            for i in (words * 8)..<p.count { h = (h ^ UInt64(p[i])) &* 0xc4ce_b9fe_1a85_ec53 }
        }
        return h
    }
}

struct BinaryReader {
    let bytes: [UInt8]
    let end: Int
    var at = 0
    init(bytes: [UInt8], end: Int? = nil) { self.bytes = bytes; self.end = end ?? bytes.count }
    mutating func u8() -> UInt8? { guard at < end else { return nil }; at += 1; return bytes[at - 1] }
    mutating func u64() -> UInt64? {
        guard at + 8 <= end else { return nil }
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
        at += 8
        return UInt64(littleEndian: v)
    }
    mutating func bytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, at + n <= end else { return nil }
        at += n
        return Array(bytes[(at - n)..<at])
    }
    mutating func string() -> String? {
        guard let n = u64(), n < 1 << 20, let b = bytes(Int(n)) else { return nil }
        return String(validating: b, as: UTF8.self)
    }
    mutating func line() -> BudgetLine? {
        guard let year = u64(), let fund = string().flatMap(FundCode.init(rawValue:)),
              let item = string().flatMap(FunctionCode.init(rawValue:)), let nature = u8(), let project = string() else { return nil }
        return BudgetLine(year: Int(year), fund: fund, item: item, nature: nature == 0 ? .basic : .project,
                          project: project.isEmpty ? nil : ProjectCode(rawValue: project))
    }
    mutating func words(_ n: Int) -> [UInt64]? {
        guard n >= 0, at + n * 8 <= end else { return nil }
        let out = [UInt64](unsafeUninitializedCapacity: n) { buf, done in
            bytes.withUnsafeBytes { src in
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[at..<(at + n * 8)]))
            }
            done = n
        }
        at += n * 8
        return out
    }
}
