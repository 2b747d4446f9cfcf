import Dispatch
import Glibc

/// The fast replay path for projections: reads the journal in fixed-size chunks (memory stays
/// proportional to the number of budget lines, not of events), splits it into parts scanned on
/// all cores, and reads the few fields a projection needs straight from the bytes of each
/// canonical line, without building strings. A line the scanner does not recognise (an unusual
/// event type, a correction) goes through the general decoder instead; a line that decoder
/// refuses stops the projection with its line number.
///
/// `project` reads; it does not re-check the hash chain (that is `verify`, and `reconcile`
/// runs it). It does check that sequence numbers run 1, 2, 3, … with no gap.
extension JournalStore {
    public func project(_ filter: ProjectionFilter = .all, parts requested: Int = 2) throws(JournalError) -> Projection {
        try scan(filter, keeping: nil, parts: requested).projection
    }

    /// The projection, and every event that counts and could touch the classifications
    /// `keeping` accepts, whole, in the order they take effect (an approved item at its
    /// approval), each correction with the event it corrects. Every other kind of event
    /// (corrections, closes, carry-forwards, reopenings, facts) is kept whatever its
    /// classification: they are few, and a correction's own line does not name the
    /// classification it moves money out of. Reads like `project`: in parallel, without
    /// re-checking the hash chain.
    public func select(_ filter: ProjectionFilter = .all, keeping: @escaping @Sendable (Classification) -> Bool,
                       parts: Int = 2) throws(JournalError) -> (projection: Projection, events: [(event: Event, target: Event?)]) {
        let r = try scan(filter, keeping: keeping, parts: parts)
        // Sorted by position, so each event is copied once.
        let order = r.kept.indices.sorted { r.kept[$0].at < r.kept[$1].at }
        return (r.projection, order.map { (r.kept[$0].event, r.kept[$0].target) })
    }

    func scan(_ filter: ProjectionFilter, keeping: (@Sendable (Classification) -> Bool)?, parts requested: Int,
              snapshots: Bool = true, warn: Bool = true) throws(JournalError) -> (projection: Projection, kept: [(at: Int, event: Event, target: Event?)]) {
        let file = try JournalFile(path: path, access: .read)
        let size = try file.size()
        try checkPending(file: file, size: size, canClear: false)
        guard size > 0 else { throw .damaged(path: path, line: 0, reason: "the journal is empty: not even the unit line that `fledger init` writes") }
        // The whole-journal projection starts from its snapshot when one matches; a correction
        // in the lines after it whose target cannot be found reads the whole journal instead.
        let snapshots = snapshots && filter == .all && keeping == nil
        if snapshots, let snapshot = try loadSnapshot(file: file, size: size),
           let r = try scan(file, size: size, filter: filter, keeping: nil, parts: requested, from: snapshot) {
            if warn, !isVerified("projection", projectionPath) {
                notices.add("these figures rest on the projection snapshot \(projectionPath) (the first \(snapshot.lastSeq) events), which was written since `fledger verify` last checked it against the journal; run `fledger verify` to check it")
            }
            return r
        }
        return try scan(file, size: size, filter: filter, keeping: keeping, parts: requested, from: nil, save: snapshots)!   // nil only after a snapshot
    }

    /// One scan of the journal, or of what follows `snapshot`; nil when a correction after the
    /// snapshot names an event that neither the lines read nor the checkpoint's index find.
    private func scan(_ file: JournalFile, size: Int, filter: ProjectionFilter, keeping: (@Sendable (Classification) -> Bool)?, parts requested: Int,
                      from snapshot: ProjectionSnapshot?, save: Bool = true) throws(JournalError) -> (projection: Projection, kept: [(at: Int, event: Event, target: Event?)])? {
        let start = snapshot?.size ?? 0
        let bounds = try ScanPart.split(file, from: start, size: size, parts: max(1, requested))
        let scans = (0..<(bounds.count - 1)).map { ScanPart(lo: bounds[$0], hi: bounds[$0 + 1], filter: filter, keep: keeping, fd: file.fd) }
        DispatchQueue.concurrentPerform(iterations: scans.count) { scans[$0].run() }

        var projection = Projection()
        var linesBefore = 0
        if let snapshot {
            projection.figures = snapshot.figures
            projection.events = snapshot.events
            for line in snapshot.yearLines {
                guard let e = line.withUnsafeBytes(decodeEvent) else { return nil }
                projection.log(e)
            }
            linesBefore = snapshot.lastSeq
        }
        var names: [[UInt8]: Classification] = [:]
        for (k, s) in scans.enumerated() {
            if let io = s.ioError { throw .io(path: path, operation: "read", reason: io) }
            if let (line, reason) = s.error { throw .damaged(path: path, line: linesBefore + line, reason: reason) }
            if s.lines > 0 {
                let expected = k == 0 ? (snapshot?.lastSeq ?? 0) + 1 : scans[k - 1].lastSeq + 1
                if s.firstSeq != expected {
                    throw .damaged(path: path, line: linesBefore + 1, reason: "holds seq \(s.firstSeq) where \(expected) was expected; `fledger verify` says why")
                }
            }
            if s.torn { throw .damaged(path: path, line: linesBefore + s.lines + 1, reason: "the last line is cut short, as a crash during a write leaves it; run `fledger repair`") }
            for slot in 0..<s.table.count {
                let span = s.table.spans[slot]
                guard let c = names[span] ?? span.withUnsafeBytes({ EventCodec.decodeClassification(fieldsAfterComma: $0) }) else {
                    throw .damaged(path: path, line: linesBefore + s.table.firstLines[slot], reason: "its classification fields cannot be read; `fledger verify` says why")
                }
                names[span] = c
                let y = s.table.years[slot]
                projection.add(c, year: y, Fen(s.sums[3 * slot]), .initial)
                projection.add(c, year: y, Fen(s.sums[3 * slot + 1]), .adjustments)
                projection.add(c, year: y, Fen(s.sums[3 * slot + 2]), .actual)
            }
            projection.merge(s.general)
            projection.events += s.admitted
            linesBefore += s.lines
        }
        projection.lastSeq = scans.last(where: { $0.lines > 0 })?.lastSeq ?? snapshot?.lastSeq ?? 0

        // Items approved (by approvals admitted, anywhere in the journal) count like any other,
        // from their approval on.
        var approvedAt: [EventID: Int] = [:]
        for s in scans { for a in s.approved { approvedAt[a.id] = a.seq } }
        let rejected = Set(scans.flatMap(\.rejected))
        var kept = scans.flatMap { $0.kept.map { (at: $0.seq, event: $0, target: Event?.none) } }
        // What waited when the snapshot was made, then what the lines after it hold: each with
        // its line (or where to read it), for the next snapshot.
        typealias Held = (event: Event, line: [UInt8]?, offset: Int)
        func line(of item: Held) -> [UInt8]? { item.line ?? (try? file.readLine(at: item.offset)) }
        var waitingItems: [Held] = []
        for line in snapshot?.waitingLines ?? [] {
            guard let e = line.withUnsafeBytes(decodeEvent) else { return nil }
            waitingItems.append((e, line, -1))
        }
        for s in scans { for (e, o) in zip(s.waiting, s.waitingOffsets) { waitingItems.append((e, nil, o)) } }
        var stillWaiting: [Held] = [], approvedYearItems: [Held] = []
        // Corrections, and what still waits (projected on its own, for the 待审批 columns).
        var pending = scans.flatMap(\.pending).map { (event: $0.event, target: $0.target, waiting: false) }
        var waiting = Projection()
        for item in waitingItems where !rejected.contains(item.event.id) {
            let e = item.event
            let isWaiting = approvedAt[e.id] == nil
            if isWaiting { stillWaiting.append(item) }
            if let t = Trail.target(of: e) {
                pending.append((e, t, isWaiting))
            } else if isWaiting {
                waiting.apply(e, target: nil)
            } else {
                projection.apply(e, target: nil)
                if keeping != nil { kept.append((approvedAt[e.id]!, e, nil)) }
                if case .reopen = e.body { approvedYearItems.append(item) }   // a reopening waits for approval
            }
        }
        // Corrections last: their targets may lie in any part. Candidates by id hash are
        // confirmed by reading the target's line back, so a hash collision cannot alias.
        var wanted: [UInt64: [Int]] = [:]
        for p in pending { wanted[ScanPart.hash(p.target.rawValue), default: []] = [] }
        if !pending.isEmpty {
            for s in scans {
                s.ids.withUnsafeBufferPointer { ids in
                    var k = 0
                    while k < ids.count {
                        if wanted[ids[k]] != nil { wanted[ids[k]]!.append(Int(ids[k + 1])) }
                        k += 2
                    }
                }
            }
        }
        // Targets before the snapshot: those of the items that waited then, kept with it, and
        // any other through the checkpoint's index.
        var savedTargets: [EventID: (event: Event, line: [UInt8])] = [:]
        for line in snapshot?.targetLines ?? [] {
            guard let e = line.withUnsafeBytes(decodeEvent) else { return nil }
            savedTargets[e.id] = (e, line)
        }
        lazy var checkpoint = Checkpoint.load(path: checkpointPath).flatMap { $0.state.index.damaged ? nil : $0 }
        /// The event `id` among the lines at these offsets (candidates by hash), and its line.
        func event(_ id: EventID, amongLinesAt offsets: [Int]) -> (event: Event, line: [UInt8])? {
            for offset in offsets {
                if let line = try? file.readLine(at: offset), let e = line.withUnsafeBytes(decodeEvent), e.id == id { return (e, line) }
            }
            return nil
        }
        var targetLines: [EventID: [UInt8]] = [:]
        for p in pending {
            var target = event(p.target, amongLinesAt: wanted[ScanPart.hash(p.target.rawValue)] ?? [])
            if target == nil, let snapshot {
                target = savedTargets[p.target] ?? checkpoint.flatMap { cp in
                    event(p.target, amongLinesAt: cp.state.index.candidates(p.target).map { Int($0) }.filter { $0 < min(cp.size, snapshot.size) })
                }
                guard target != nil else { return nil }
            }
            guard let target else {
                throw .damaged(path: path, line: p.event.seq, reason: "corrects event '\(p.target)', which is not an appropriation or disbursement in this journal; `fledger verify` says why")
            }
            if p.waiting {
                waiting.apply(p.event, target: target.event)
                targetLines[target.event.id] = target.line
            } else {
                projection.apply(p.event, target: target.event)
                if keeping != nil { kept.append((approvedAt[p.event.id] ?? p.event.seq, p.event, target.event)) }
            }
        }
        projection.waitingFigures = waiting.figures

        // A fresh snapshot, for the next read: after a whole read of a journal worth it, or once
        // enough lines followed the last one.
        let read = linesBefore - (snapshot?.lastSeq ?? 0)
        if save, filter == .all, keeping == nil,
           snapshot == nil ? projection.lastSeq >= snapshotEvery.minimum : read >= snapshotEvery.refresh,
           let lastNL = try? file.lastNewline(before: size - 1), let last = try? file.readLine(at: lastNL + 1) {
            // Saved only when every line it needs could be read back.
            let newYearLines = scans.flatMap(\.yearOffsets).map { try? file.readLine(at: $0) } + approvedYearItems.map(line(of:))
            let waitingLines = stillWaiting.map(line(of:))
            if !newYearLines.contains(nil), !waitingLines.contains(nil) {
                saveSnapshot(ProjectionSnapshot(size: size, lastLineStart: lastNL + 1, head: SHA256.hash(last), events: projection.events,
                                                lastSeq: projection.lastSeq, figures: projection.figures,
                                                yearLines: (snapshot?.yearLines ?? []) + newYearLines.compactMap { $0 },
                                                waitingLines: waitingLines.compactMap { $0 }, targetLines: Array(targetLines.values)))
            }
        }
        return (projection, kept)
    }
}

/// One part of the journal, scanned on its own thread.
final class ScanPart: @unchecked Sendable {
    let lo: Int, hi: Int, filter: ProjectionFilter, fd: Int32
    let asOf: Int, until: Int
    /// For `select`: the classifications whose events are kept whole (nil: none are), decided
    /// once per slot.
    let keep: (@Sendable (Classification) -> Bool)?
    var keepSlot: [Bool] = []
    /// Admitted events kept whole: the canonical lines `keep` accepts, and every other line
    /// that counts as it stands (not a correction, not waiting).
    var kept: [Event] = []

    var table = SpanTable()
    /// Per slot: initial, adjustments, actual (分).
    var sums: [Int64] = []
    /// Interleaved (id hash, line offset) of every appropriation and disbursement.
    var ids: [UInt64] = []
    /// Admitted corrections, resolved after all parts are scanned.
    var pending: [(event: Event, target: EventID)] = []
    /// Admitted events the scanner did not read itself.
    var general = Projection()
    /// Admitted items waiting for approval, and the admitted approvals' targets.
    var waiting: [Event] = []
    var approved: [(id: EventID, seq: Int)] = [], rejected: [EventID] = []
    /// Where each waiting item's line starts, and each admitted close's and reopening's.
    var waitingOffsets: [Int] = [], yearOffsets: [Int] = []
    var lines = 0, firstSeq = 0, lastSeq = 0, admitted = 0
    var error: (line: Int, reason: String)?
    var ioError: String?
    var torn = false

    init(lo: Int, hi: Int, filter: ProjectionFilter, keep: (@Sendable (Classification) -> Bool)?, fd: Int32) {
        self.lo = lo; self.hi = hi; self.filter = filter; self.keep = keep; self.fd = fd
        asOf = filter.asOf?.packed ?? Int.max
        until = filter.untilSeq ?? Int.max
    }

    /// Part boundaries at line starts, about equal in size.
    static func split(_ file: JournalFile, from start: Int = 0, size: Int, parts: Int) throws(JournalError) -> [Int] {
        var bounds = [start]
        for k in 1..<max(parts, 1) {
            var at = start + (size - start) * k / parts
            guard at > bounds.last! else { continue }
            // The next line start at or after `at`: just past a newline at `at - 1` or later.
            var found: Int?
            while found == nil, at < size {
                let b = try file.read(at: at - 1, count: 65_536)
                let raw = UnsafeRawBufferPointer(b.bytes)
                if let nl = raw.firstIndex(of: 0x0a) { found = at - 1 + nl + 1 } else if raw.count < 65_536 { break } else { at += raw.count }
            }
            if let f = found, f < size, f > bounds.last! { bounds.append(f) }
        }
        bounds.append(size)
        return bounds
    }

    static let chunk = 4 << 20

    func run() {
        var capacity = ScanPart.chunk
        var buf = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buf.deallocate() }
        var fileOffset = lo   // of buf[0]
        var filled = 0
        while error == nil {
            let want = min(capacity - filled, hi - (fileOffset + filled))
            if want > 0 {
                let n = pread(fd, buf + filled, want, off_t(fileOffset + filled))
                if n < 0 { if errno == EINTR { continue }; ioError = String(cString: strerror(errno)); return }
                if n == 0 { torn = filled > 0; return }
                filled += n
            }
            var start = 0
            while start < filled, error == nil, let nl = memchr(buf + start, 0x0a, filled - start) {
                let end = buf.distance(to: nl)
                line(UnsafeRawPointer(buf + start), end - start, offset: fileOffset + start)
                start = end + 1
            }
            let rest = filled - start
            if fileOffset + filled >= hi { torn = rest > 0; return }
            if rest == capacity {   // one line longer than the buffer
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.copyMemory(from: buf, byteCount: rest)
                buf.deallocate()
                buf = bigger
                capacity *= 2
            } else if start > 0 {
                memmove(buf, buf + start, rest)
            }
            fileOffset += start
            filled = rest
        }
    }

    private func fail(_ reason: String) { error = (lines, reason) }

    private func sequence(_ seq: Int) -> Bool {
        if lines == 1 { firstSeq = seq } else if seq != lastSeq + 1 {
            fail("holds seq \(seq) where \(lastSeq + 1) was expected; `fledger verify` says why")
            return false
        }
        lastSeq = seq
        return true
    }

    private func line(_ p: UnsafeRawPointer, _ n: Int, offset: Int) {
        lines += 1
        if fast(p, n, offset: offset) { return }
        let event: Event
        do { event = try EventCodec.decode(UnsafeRawBufferPointer(start: p, count: n)).event } catch {
            fail("cannot be read: \(error)")
            return
        }
        guard sequence(event.seq) else { return }
        switch event.body {
        case .appropriation, .disbursement:
            ids.append(ScanPart.hash(event.id.rawValue)); ids.append(UInt64(offset))
        case .unit, .yearOpen, .adjustment, .close, .carryForward, .reopen, .fact, .access: break
        }
        guard filter.admits(seq: event.seq, date: event.date) else { return }
        // Waiting items count once approved; approvals may lie in any part (resolved after).
        if event.needsApproval { waiting.append(event); waitingOffsets.append(offset); return }
        switch event.body {
        case .close, .reopen: yearOffsets.append(offset)
        case .unit, .yearOpen, .appropriation, .disbursement, .adjustment, .carryForward, .fact, .access: break
        }
        if let decided = Trail.decided(by: event) {
            if case .access(.approval) = event.body { approved.append((decided, event.seq)) } else { rejected.append(decided) }
        }
        if case .adjustment(let a) = event.body {
            switch a.kind {
            case .budget: break
            case .reversal(let t, _), .reclassification(let t, _, _):
                pending.append((event, t))   // counted when applied
                return
            }
        }
        general.apply(event, target: nil)
        if keep != nil { kept.append(event) }
    }

    private enum Kind { case appropriation, disbursement, budgetAdjustment }

    /// Reads an appropriation, disbursement or budget adjustment in canonical form; false
    /// (and nothing recorded) for any other line.
    private func fast(_ p: UnsafeRawPointer, _ n: Int, offset: Int) -> Bool {
        var i = 0
        func lit(_ s: WireKey) -> Bool {
            let k = s.bytes.count
            guard i + k <= n, memcmp(p + i, s.bytes.baseAddress!, k) == 0 else { return false }
            i += k
            return true
        }
        func digits(max: Int) -> Int? {
            var v = 0, k = 0
            while i < n, k < max {
                let c = p.load(fromByteOffset: i, as: UInt8.self)
                guard c >= 0x30, c <= 0x39 else { break }
                v = v * 10 + Int(c - 0x30); i += 1; k += 1
            }
            return k > 0 ? v : nil
        }
        func byte(_ at: Int) -> UInt8 { p.load(fromByteOffset: at, as: UInt8.self) }

        guard lit(ScanKeys.seq), let seq = digits(max: 18), lit(ScanKeys.id) else { return false }
        let idStart = i
        while i < n, byte(i) != 0x22 { if byte(i) == 0x5c { return false }; i += 1 }
        let idEnd = i
        i += 1
        guard lit(ScanKeys.type) else { return false }
        let kind: Kind
        if lit(ScanKeys.disbursement) { kind = .disbursement } else if lit(ScanKeys.appropriation) { kind = .appropriation }
        else if lit(ScanKeys.adjustment) { kind = .budgetAdjustment } else { return false }
        guard lit(ScanKeys.date), i + 11 <= n, byte(i + 4) == 0x2d, byte(i + 7) == 0x2d, byte(i + 10) == 0x22 else { return false }
        guard let year = digits(max: 4) else { return false }
        i += 1
        guard let month = digits(max: 2) else { return false }
        i += 1
        guard let day = digits(max: 2), (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return false }
        i += 1
        guard lit(ScanKeys.recorded), i + 21 <= n, byte(i + 20) == 0x22 else { return false }
        i += 21
        guard lit(ScanKeys.actor) else { return false }
        while i < n, byte(i) != 0x22 { i += byte(i) == 0x5c ? 2 : 1 }
        i += 1
        if kind == .budgetAdjustment, !lit(ScanKeys.budgetKind) { return false }
        let classStart = i
        guard lit(ScanKeys.fund) else { return false }
        // The classification runs to `,"amount":`; its values are codes, so the first comma
        // that starts that key ends it.
        let keyLength = ScanKeys.amount.bytes.count
        var classEnd = -1
        while i + keyLength <= n, let comma = memchr(p + i, 0x2c, n - i) {
            let at = p.distance(to: UnsafeRawPointer(comma))
            if at + keyLength <= n, memcmp(comma, ScanKeys.amount.bytes.baseAddress!, keyLength) == 0 { classEnd = at; break }
            i = at + 1
        }
        guard classEnd >= 0 else { return false }
        i = classEnd + keyLength
        let negative = i < n && byte(i) == 0x2d
        if negative { guard kind == .budgetAdjustment else { return false }; i += 1 }
        guard let magnitude = digits(max: 17), i < n, byte(i) == 0x2c else { return false }
        let amount = Int64(negative ? -magnitude : magnitude)
        // Any of them may wait for approval (appropriations too, since issue 22): those go the general way.
        if UnsafeRawBufferPointer(start: p + i, count: n - i).containsBytes(ScanKeys.waiting) {
            return false
        }

        // Recognised: record it.
        guard sequence(seq) else { return true }
        if kind != .budgetAdjustment {
            ids.append(ScanPart.hash(UnsafeRawBufferPointer(start: p + idStart, count: idEnd - idStart)))
            ids.append(UInt64(offset))
        }
        guard seq <= until, year * 10_000 + month * 100 + day <= asOf else { return true }
        admitted += 1
        let slot = table.slot(year: year, span: UnsafeRawBufferPointer(start: p + classStart, count: classEnd - classStart), line: lines)
        if slot * 3 == sums.count { sums.append(contentsOf: [0, 0, 0]) }
        let column: Int
        switch kind {
        case .appropriation: column = InitialBudget.contains(month: month, day: day) ? 0 : 1
        case .budgetAdjustment: column = 1
        case .disbursement: column = 2
        }
        sums[3 * slot + column] += amount
        if let keep {
            if slot == keepSlot.count {
                // A classification the codec cannot read is kept; the merge reports it.
                let c = table.spans[slot].withUnsafeBytes { EventCodec.decodeClassification(fieldsAfterComma: $0) }
                keepSlot.append(c.map(keep) ?? true)
            }
            if keepSlot[slot] {
                do { kept.append(try EventCodec.decode(UnsafeRawBufferPointer(start: p, count: n)).event) } catch { fail("cannot be read: \(error)") }
            }
        }
        return true
    }


    static func hash(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// A fast 64-bit hash of a byte run (8 bytes a step), for interning; equality is always
    /// confirmed on the bytes.
    static func hash(_ b: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ seed ^ UInt64(b.count)
        var i = 0
        while i + 8 <= b.count {
            h = (h ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < b.count { tail |= UInt64(b[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 29)
    }
}

/// The byte patterns the scanner matches, from the `Wire` tables.
enum ScanKeys {
    static let seq = WireKey("{\"" + Wire.seq + "\":")
    static let id = WireKey(",\"" + Wire.id + "\":\"")
    static let type = WireKey(",\"" + Wire.type + "\":\"")
    static let disbursement = WireKey(EventType.disbursement.rawValue + "\"")
    static let appropriation = WireKey(EventType.appropriation.rawValue + "\"")
    static let adjustment = WireKey(EventType.adjustment.rawValue + "\"")
    static let date = WireKey(",\"" + Wire.date + "\":\"")
    static let recorded = WireKey(",\"" + Wire.recorded + "\":\"")
    static let actor = WireKey(",\"" + Wire.actor + "\":\"")
    static let budgetKind = WireKey(",\"" + Wire.kind + "\":\"" + AdjustmentKind.budget.rawValue + "\"")
    static let fund = WireKey(",\"" + Wire.fund + "\":\"")
    static let amount = WireKey.field(Wire.amount)
    /// An item waiting for approval (only ever a key: inside a string every quote is escaped).
    static let waiting = Array((Wire.approval + "\":\"" + Wire.required + "\"").utf8)
}

/// Interns (year, classification bytes) to dense slot numbers with open addressing.
struct SpanTable {
    private var keys: [UInt64] = Array(repeating: 0, count: 1024)
    private var slots: [Int32] = Array(repeating: -1, count: 1024)
    private(set) var spans: [[UInt8]] = []
    private(set) var years: [Int] = []
    /// The (part-local) line where each slot first appeared, for error messages.
    private(set) var firstLines: [Int] = []

    var count: Int { spans.count }

    mutating func slot(year: Int, span: UnsafeRawBufferPointer, line: Int) -> Int {
        let h = ScanPart.hash(span, seed: UInt64(year))
        var k = Int(truncatingIfNeeded: h) & (keys.count - 1)
        while slots[k] >= 0 {
            let s = Int(slots[k])
            if keys[k] == h, years[s] == year, spans[s].count == span.count,
               spans[s].withUnsafeBytes({ memcmp($0.baseAddress!, span.baseAddress!, span.count) == 0 }) {
                return s
            }
            k = (k + 1) & (keys.count - 1)
        }
        let s = spans.count
        spans.append(Array(span)); years.append(year); firstLines.append(line)
        keys[k] = h; slots[k] = Int32(s)
        if spans.count * 2 > keys.count { grow() }
        return s
    }

    private mutating func grow() {
        let n = keys.count * 2
        var newKeys = [UInt64](repeating: 0, count: n), newSlots = [Int32](repeating: -1, count: n)
        for k in 0..<keys.count where slots[k] >= 0 {
            var j = Int(truncatingIfNeeded: keys[k]) & (n - 1)
            while newSlots[j] >= 0 { j = (j + 1) & (n - 1) }
            newKeys[j] = keys[k]; newSlots[j] = slots[k]
        }
        keys = newKeys; slots = newSlots
    }
}
