import Dispatch

/// Replays journal lines into a `LedgerState`, checking every line as it goes: it decodes,
/// it is in canonical form, its sequence number is next, its `prev` is the hash of the line
/// before, and the event passes the same validation a post would. The first failure stops the
/// replay with the line at fault and why.
struct Replayer {
    let path: String
    let validator: Validator
    /// File offset of the buffer's first byte (0 for a full replay; the checkpoint for a tail).
    let baseOffset: Int
    let buf: UnsafeRawBufferPointer
    let table: LineTable
    private let digests: LineDigests
    /// Reads an event before `baseOffset` (tail replays only).
    let before: (Locator) -> Event?
    /// Given each line, in order, on the validating thread (a verified read builds the Merkle
    /// tree): the decoding thread, which hashes and decodes the lines, is the slower of the two,
    /// so the tree's hashes go to the other (measured: 1.25× verify without the tree at 100k
    /// lines this way, 1.5× on the decoding thread).
    let tree: TreeBuilder?

    init(path: String, validator: Validator, baseOffset: Int, buf: UnsafeRawBufferPointer, before: @escaping (Locator) -> Event?,
         tree: TreeBuilder? = nil) {
        self.path = path; self.validator = validator; self.baseOffset = baseOffset; self.buf = buf; self.before = before; self.tree = tree
        table = LineTable(buf)
        digests = LineDigests(count: table.count)
    }

    /// The SHA-256 of every line; filled in by `run`, a batch ahead of the line it checks (each
    /// line's hash is independent of the chain), and complete once `run` returns.
    var hashes: UnsafeMutableBufferPointer<SHA256.Digest> { digests.buffer }

    /// The lines' hashes, written by the decoding thread one batch ahead of the replaying one
    /// (disjoint ranges; the dispatch group orders them).
    final class LineDigests: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<SHA256.Digest>
        init(count: Int) {
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: .zero)
        }
        deinit { buffer.deallocate() }
    }

    func lookup(_ l: Locator) -> Event? { Self.lookup(l, buf: buf, baseOffset: baseOffset, before: before) }

    private static func lookup(_ l: Locator, buf: UnsafeRawBufferPointer, baseOffset: Int, before: (Locator) -> Event?) -> Event? {
        let o = Int(l)
        return o >= baseOffset ? decodeLine(at: o - baseOffset, in: buf) : before(l)
    }

    func damaged(_ line: Int, _ reason: String) -> JournalError { .damaged(path: path, line: line, reason: reason) }

    /// Replays every complete line. `prev` is the hash of the line before the buffer (zero at
    /// the start of the journal); `state.count` the number of lines before it.
    func run(state: inout LedgerState, prev: SHA256.Digest, prevPrev: SHA256.Digest?) throws(JournalError) {
        var unused: LedgerState?
        try run(state: &state, prev: prev, prevPrev: prevPrev, snapshotAt: nil, snapshot: &unused)
    }

    /// What a replay hands each event once it is verified and applied: the event and, for a
    /// correction, the event it corrects.
    typealias Visitor = (_ event: Event, _ target: Event?) -> Void

    /// As `run`, also copying the state out when the replay reaches file offset `snapshotAt`
    /// (to compare a checkpoint with the replay).
    func run(state: inout LedgerState, prev: SHA256.Digest, prevPrev: SHA256.Digest?,
             snapshotAt: Int?, snapshot: inout LedgerState?, visit: Visitor? = nil) throws(JournalError) {
        let first = state.count + 1   // line number (= expected seq) of the buffer's first line
        // Decoding runs one batch ahead on another thread while this one validates and applies.
        let batch = 1_024   // small: the first batch of each buffer is decoded on this thread
        let batches = (table.count + batch - 1) / batch
        let slot = Slot<[(event: Event, prev: SHA256.Digest)?]>([])
        var current = decodeBatch(0, size: batch)
        // Made once: a closure over `self` made per event would copy the replayer each time.
        let lookup: (Locator) -> Event? = { [buf, baseOffset, before] in Self.lookup($0, buf: buf, baseOffset: baseOffset, before: before) }
        for b in 0..<batches {
            let group = DispatchGroup()
            if b + 1 < batches {
                let next = b + 1
                nonisolated(unsafe) let me = self
                DispatchQueue.global().async(group: group) { slot.value = me.decodeBatch(next, size: batch) }
            }
            defer { group.wait() }
            for (k, fast) in current.enumerated() {
                try step(b * batch + k, fast, first: first, state: &state, prev: prev, prevPrev: prevPrev, snapshotAt: snapshotAt,
                         snapshot: &snapshot, lookup: lookup, visit: visit)
            }
            group.wait()
            current = slot.value
        }
    }

    /// Strictly decoded lines of one batch (nil where the strict decoder refused the line), their
    /// hashes written to `hashes` on the way.
    func decodeBatch(_ b: Int, size: Int) -> [(event: Event, prev: SHA256.Digest)?] {
        let lo = b * size, hi = min(table.count, lo + size)
        guard lo < hi else { return [] }
        let out = digests.buffer
        return (lo..<hi).map { i in
            let line = table.line(i, in: buf)
            out[i] = SHA256.hash(line)
            return StrictDecoder.decode(line)
        }
    }

    private func step(_ i: Int, _ fast: (event: Event, prev: SHA256.Digest)?, first: Int, state: inout LedgerState,
                      prev: SHA256.Digest, prevPrev: SHA256.Digest?, snapshotAt: Int?, snapshot: inout LedgerState?,
                      lookup: (Locator) -> Event?, visit: Visitor?) throws(JournalError) {
            let lineNo = first + i
            let bytes = table.line(i, in: buf)
            tree?.append(bytes, offset: baseOffset + table.starts[i])
            let decoded: (event: Event, prev: SHA256.Digest)
            if let fast {
                decoded = fast
            } else {
                // Not canonical: the general decoder says why, or what the line should read.
                do { decoded = try EventCodec.decode(bytes) } catch {
                    throw damaged(lineNo, "cannot be read: \(error)")
                }
                let canonical = EventCodec.encode(decoded.event, prev: decoded.prev)
                throw damaged(lineNo, "is not in canonical form (a field was edited by hand, reordered or re-spaced): the line must read exactly \(String(decoding: canonical, as: UTF8.self))")
            }
            let (event, linePrev) = decoded
            let expectedPrev = i == 0 ? prev : hashes[i - 1]
            let prevOfPrev = i == 0 ? prevPrev : (i == 1 ? prev : hashes[i - 2])
            if i > 0, hashes[i] == hashes[i - 1] {
                throw damaged(lineNo, "duplicates line \(lineNo - 1) byte for byte")
            }
            if event.seq != lineNo {
                if lineNo > 1, let pp = prevOfPrev, linePrev == pp { throw inserted(i, lineNo) }
                if event.seq > lineNo {
                    if let j = (i + 1..<table.count).first(where: { seqOf($0) == lineNo }) {
                        throw damaged(lineNo, "is out of order: it holds seq \(event.seq), while seq \(lineNo) stands at line \(first + j)")
                    }
                    throw damaged(lineNo, "holds seq \(event.seq) where \(lineNo) was expected: \(event.seq - lineNo) line(s) before it were deleted")
                }
                throw damaged(lineNo, "holds seq \(event.seq) where \(lineNo) was expected: a line was inserted, duplicated or moved here")
            }
            if linePrev != expectedPrev {
                if lineNo > 1, let pp = prevOfPrev, linePrev == pp { throw inserted(i, lineNo) }
                if lineNo == 1 {
                    throw damaged(1, "prev must be 64 zeros on the first line")
                }
                throw damaged(lineNo - 1, "was changed after it was written: its SHA-256 is \(expectedPrev.hex), but line \(lineNo) recorded prev \(linePrev.hex)")
            }
            if lineNo == 1 {
                guard case .unit = event.body else { throw damaged(1, "the first event must be the unit (type \"unit\"), written by `fledger init`") }
            }
            if case .close(let c) = event.body, c.head != linePrev {
                throw damaged(lineNo, "the close of \(c.year) records head \(c.head.hex), but the line before it hashes to \(linePrev.hex)")
            }
            let locator = Locator(baseOffset + table.starts[i])
            if let r = validator.check(event, state: state, lookup: lookup) {
                throw damaged(lineNo, "event '\(event.id)' breaks the ledger's rules: \(r)")
            }
            var form = 0
            if case .access(.signature(let sig)) = event.body {
                guard let f = AccessRules.verify(event, head: linePrev, state: state) else {
                    throw damaged(lineNo, "the signature of events \(sig.first)–\(event.seq - 1) by '\(event.actor)' does not verify with their registered key: the signature event itself (its id, dates, memo) or the history it vouches for was changed after it was signed, or it was never signed with that key"
                                  + (state.access.signedForm >= 2 ? " (the old form of signature, which left the event's own fields out, is not accepted after a signature of the new form)" : ""))
                }
                form = f
            }
            let target = validator.apply(event, at: locator, state: &state, lookup: lookup)
            if form > state.access.signedForm { state.access.signedForm = form }
            visit?(event, target)
            if let at = snapshotAt, baseOffset + table.ends[i] + 1 == at { snapshot = state }
    }

    /// Line `lineNo` (index `i`) links to the line two before it, so one of the two lines since
    /// that one is an intruder: the one the following line does not continue from.
    private func inserted(_ i: Int, _ lineNo: Int) -> JournalError {
        if i + 1 < table.count, let next = prevOf(i + 1), next == hashes[i] {
            return damaged(lineNo - 1, "was inserted: line \(lineNo) links past it to line \(lineNo - 2)")
        }
        if i + 1 < table.count, i >= 1, let next = prevOf(i + 1), next == hashes[i - 1] {
            return damaged(lineNo, "was inserted: it links to line \(lineNo - 2) like line \(lineNo - 1) does, and line \(lineNo + 1) continues from line \(lineNo - 1)")
        }
        return damaged(lineNo - 1, "or line \(lineNo) was inserted: line \(lineNo) links past line \(lineNo - 1) to line \(lineNo - 2)")
    }

    /// The `prev` recorded at the end of a line (its last 66 bytes are `"<64 hex>"}`).
    private func prevOf(_ i: Int) -> SHA256.Digest? {
        let line = table.line(i, in: buf)
        guard line.count > 67 else { return nil }
        return SHA256.Digest(hexBytes: ArraySlice(line[(line.count - 66)..<(line.count - 2)]))
    }

    private func seqOf(_ i: Int) -> Int? { try? EventCodec.decode(table.line(i, in: buf)).event.seq }

    /// Hash of the last complete line, or `prev` when there is none.
    func head(or prev: SHA256.Digest) -> SHA256.Digest { hashes.last ?? prev }
}

/// A value handed from one thread to another; the dispatch group that runs the writer orders
/// the write before the read.
final class Slot<V>: @unchecked Sendable {
    var value: V
    init(_ v: V) { value = v }
}
