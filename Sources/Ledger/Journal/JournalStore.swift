import Glibc

/// The journal as the commands use it: create, post (one event or an atomic batch), verify,
/// repair, read. Every write happens under the file's exclusive lock and is on disk before it
/// is acknowledged; every read happens under a shared lock.
///
/// Beside the journal `J` live derived files, each safe to delete:
/// `J.fledger-checkpoint` (state after a prefix, see `Checkpoint`), `J.fledger-head` (the last
/// acknowledged sequence number and hash, to catch lines removed from the end),
/// `J.fledger-projection` (the whole-journal projection of a prefix, see `ProjectionSnapshot`),
/// `J.fledger-tree` (the Merkle tree's frontier and block roots, see `TreeFile`), and, only while
/// a batch is being written, `J.fledger-pending` (what the batch will make of the file, so a
/// batch cut short by a crash is caught and `fledger repair` can roll it back).
public struct JournalStore: Sendable {
    public let path: String
    public let validator: Validator
    public let clock: Clock
    /// Rewrite the checkpoint once this many events were posted after it.
    public var checkpointEvery = 2_000
    /// The whole-journal projection is saved (`ProjectionSnapshot`) once the journal holds
    /// `minimum` events (a smaller one is read whole in milliseconds), and saved again once
    /// `refresh` lines followed the last snapshot.
    public var snapshotEvery = (minimum: 10_000, refresh: 2_000)
    /// Bytes a verified read takes at a time (a longer line grows its buffer).
    public var readChunk = 8 << 20
    /// A batch whose lines reach this many bytes is written as it goes (see `post(streaming:)`).
    public var spillBytes = 16 << 20
    /// The file operations writes go through (tests make them fail).
    public var fileOps: FileOps = .system
    /// The key that signs each write, once the journal has begun signing (see `AccessRules`).
    public var signer: SigningKey?
    /// Whether verified reads build the Merkle tree and compare the tree file (always, but for
    /// the benchmark's reference run: `verify` with the tree against `verify` without it).
    public var merkleTree = true
    /// Where this user's trust pins live (`TrustPin`); nil: no pinning (the library's default;
    /// the `fledger` command sets it).
    public var trustDirectory: String?
    /// Told how far long reads (bytes of the journal) and batches (rows validated) have got.
    public var progress: ProgressSink?
    /// What a command should say besides its result: a file beside the journal that could not be
    /// written (the events are durable; the derived file is not).
    public let notices = Notices()

    /// Messages gathered while a command runs, thread-safe.
    public final class Notices: @unchecked Sendable {
        private var items: [String] = []
        private var lock = pthread_mutex_t()
        public init() { pthread_mutex_init(&lock, nil) }
        func add(_ s: String) { pthread_mutex_lock(&lock); items.append(s); pthread_mutex_unlock(&lock) }
        /// Takes the notices gathered so far.
        public func take() -> [String] { pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; let x = items; items = []; return x }
    }

    public init(path: String, catalogue: Catalogue, clock: Clock = .system) {
        self.path = path
        validator = Validator(catalogue: catalogue)
        self.clock = clock
    }

    /// The code catalogue events are checked against and reports take names from.
    public var catalogue: Catalogue { validator.catalogue }

    var checkpointPath: String { JournalFiles.checkpoint.path(beside: path) }
    var headPath: String { JournalFiles.head.path(beside: path) }
    var pendingPath: String { JournalFiles.pending.path(beside: path) }
    var treePath: String { JournalFiles.tree.path(beside: path) }

    // MARK: - Results

    public enum ItemResult: Sendable {
        case appended(Event)
        /// Already in the journal with the same content (an idempotent re-post).
        case duplicate(Event)
    }

    public enum BatchResult: Sendable {
        /// Every item was accepted; new events are on disk.
        case committed([ItemResult])
        /// At least one item was rejected, so nothing was appended. Indexes are 0-based.
        case rejected([(index: Int, rejection: Rejection)])
    }

    public struct VerifyReport: Sendable {
        public let events: Int
        public let bytes: Int
        public let head: SHA256.Digest
        public let unit: UnitOpening?
        public let openYears: [Int]
        /// Things worth saying that are not damage (a stale checkpoint, a missing head file).
        public internal(set) var notes: [String]
        /// Events before signing began (all of them in a journal that never signed), and the
        /// signatures verified.
        public var unsignedHistory = 0
        public var signatures = 0
        /// Actors registered (revoked included) and the items still waiting for approval.
        public var actors: [Actor] = []
        public var waiting: [Awaiting] = []
        /// Distinct admins that must sign a change of actors (`AccessState.threshold`).
        public var threshold = 1
        /// The Merkle tree head of all the lines (RFC 9162), and the heads at the sizes asked for.
        public var treeRoot: SHA256.Digest = .zero
        public var treeHeads: [Int: TreeHeadAt] = [:]
        /// The journal's trust root (`TrustRoot`), and what was found against pins and checkpoints.
        public var trustRoot: TrustRoot?
        public var trust: [String] = []
    }

    // MARK: - Create

    /// Creates the journal with its first event, the unit. Fails if the file exists.
    public func initialise(_ draft: Draft) throws(JournalError) -> Result<Event, Rejection> {
        var d = draft
        d.fields[Wire.type] = EventType.unit.rawValue
        switch d.request(catalogue: catalogue) {
        case .failure(let r): return .failure(r)
        case .success(let request): return try initialise(request)
        }
    }

    /// Creates the journal with its first event, the unit. Fails if the file exists.
    public func initialise(_ request: Request) throws(JournalError) -> Result<Event, Rejection> {
        switch validator.validate(request, state: LedgerState(), recorded: clock.now(), lookup: { _ in nil }) {
        case .rejected(let r): return .failure(r)
        case .duplicate(let e): return .success(e)
        case .accepted(let e):
            let line = EventCodec.encode(e, prev: .zero)
            try JournalFile.create(path: path, bytes: line + [0x0a], ops: fileOps)
            writeHead(seq: 1, hash: SHA256.hash(line))
            return .success(e)
        }
    }

    // MARK: - Post

    /// Validates every draft in order against the journal and the drafts before it; appends
    /// all of them durably, or none if any is rejected (every rejection is reported).
    public func post(_ drafts: [Draft]) throws(JournalError) -> BatchResult {
        try post(parsed: drafts.map { $0.request(catalogue: catalogue) })
    }

    /// As `post`, for typed requests.
    public func post(_ requests: [Request]) throws(JournalError) -> BatchResult {
        try post(building: { _ in requests.map { .success($0) } })
    }

    /// Validates drafts as `post` would, against the journal and the drafts before them, and
    /// writes nothing: every rejection, or what would be appended.
    public func check(_ drafts: [Draft]) throws(JournalError) -> BatchResult {
        try post(parsed: drafts.map { $0.request(catalogue: catalogue) }, dryRun: true)
    }

    /// How many items a batch appended, and how many were already there (the events themselves
    /// are not kept: a million-row import has no use for them).
    public final class BatchCounts: @unchecked Sendable {
        public internal(set) var appended = 0, duplicates = 0
        public init() {}
    }

    /// As `post(_ drafts:)`, for drafts already parsed into requests (an import parses each row
    /// as it reads it, keeping the typed request, not the text). With `counts`, the committed
    /// result holds no events and `counts` says how many. `dryRun` checks without writing.
    public func post(parsed: [Result<Request, Rejection>], counts: BatchCounts? = nil, dryRun: Bool = false) throws(JournalError) -> BatchResult {
        // When every draft is refused for its text, the journal has nothing to add: answer
        // without reading it (a typo must not wait for the state of a large journal).
        let textRejections = parsed.enumerated().compactMap { i, p -> (index: Int, rejection: Rejection)? in
            if case .failure(let r) = p { return (i, r) } else { return nil }
        }
        if !parsed.isEmpty && textRejections.count == parsed.count { return .rejected(textRejections) }
        return try post(building: { _ in parsed }, dryRun: dryRun, counts: counts)
    }

    /// As `post`, with the requests made from the journal's state under the same lock (the
    /// close derives its lines from the state it closes). A request that could not be parsed
    /// comes as its rejection, so that every bad item of a batch is reported.
    func post(building make: (LedgerState) -> [Result<Request, Rejection>], dryRun: Bool = false, counts: BatchCounts? = nil) throws(JournalError) -> BatchResult {
        try post(streaming: { state in
            let rows = make(state)
            return { take in
                for (i, r) in rows.enumerated() {
                    if let progress, rows.count >= 10_000, i % 10_000 == 0 { progress(JournalProgress(done: i, total: rows.count, unit: .rows)) }
                    take(r)
                }
                return true
            }
        }, dryRun: dryRun, counts: counts)
    }

    /// Where a batch's rows come from. Given the journal's state (a close derives its lines
    /// from it), it returns the reader of the rows, which hands each row to `take` in order and
    /// says whether the batch may be committed (false: the input itself was faulty, say a row
    /// that could not be parsed; the rows are still judged, nothing is written). It may be
    /// called a second time, to read from the start again (see `post(streaming:)`).
    public typealias RowSource = (_ state: LedgerState) -> (_ take: (Result<Request, Rejection>) -> Void) -> Bool

    /// As `post`, for a batch too large to hold: each row is judged as it comes, and its line
    /// is written to the end of the journal once `spillBytes` of lines have gathered, under a
    /// pending marker whose batch end is not yet known. The batch commits with one fsync after
    /// its last row, or is cut off again (nothing of it stays) if any row is rejected or the
    /// source says its input was faulty. A crash in between leaves the marker: every reader
    /// refuses the journal until `fledger repair` cuts the unacknowledged batch off.
    public func post(streaming source: RowSource, dryRun: Bool = false, counts: BatchCounts? = nil) throws(JournalError) -> BatchResult {
        if let result = try postOnce(source: source, dryRun: dryRun, counts: counts) { return result }
        // A block of the checkpoint's id index failed its checksum during a look-up: nothing was
        // written; start again without the checkpoint (a full replay), and say so.
        SideFile.remove(checkpointPath)
        notices.add("the checkpoint's id index was damaged (a block failed its checksum); it was set aside and the journal replayed in full")
        counts?.appended = 0
        counts?.duplicates = 0
        guard let result = try postOnce(source: source, dryRun: dryRun, counts: counts) else {
            throw .damaged(path: path, line: 0, reason: "the id index read from a full replay is damaged; this cannot happen unless memory is failing")
        }
        return result
    }

    /// One attempt at a post: nil, with nothing written, when the checkpoint's id index turned
    /// out to be damaged while the drafts were checked.
    private func postOnce(source: RowSource, dryRun: Bool, counts: BatchCounts?) throws(JournalError) -> BatchResult? {
        let file = try JournalFile(path: path, access: .write, ops: fileOps)
        var loaded = try loadCheckingHead(file, canClearPending: true)
        if let open = loaded.state.access.openBatch {
            throw .damaged(path: path, line: open.first, reason: "events \(open.first)–\(loaded.state.count) by '\(open.actor)' were written without the signature that must close every write; nothing more is posted until this is explained (`fledger verify` says the same)")
        }
        let baseSize = loaded.size
        let baseHead = loaded.head   // the line before the batch: binds a pending marker to this journal
        // The journal must extend what this user saw of it before (its pin), whatever the files
        // beside it say: a history re-keyed, cut back or rewritten is refused before anything is written.
        var treeBefore: TreeFile?
        if trustDirectory != nil {
            let tree = try currentTree(file, size: baseSize)
            let root = try trustRoot(file: file, state: loaded.state, frontier: tree.frontier, size: baseSize)
            _ = try checkPin(root: root, file: file, lines: loaded.state.count)
            treeBefore = tree
        }
        // New lines not yet written (from `out.at` in the file), also read back by locator when
        // a later row refers to an earlier one; lines already spilled are read from the file.
        let out = GrowingBytes(capacity: min(spillBytes, 1 << 20), at: baseSize)
        var results: [ItemResult] = []
        var rejections: [(index: Int, rejection: Rejection)] = []
        var prev = loaded.head
        var offset = baseSize
        let before = loaded.lookup   // not `loaded` itself: the state is mutated while lookups run
        let lookup: Validator.Lookup = { l in
            let o = Int(l)
            if o >= out.at { return out.bytes.withUnsafeBytes { decodeLine(at: o - out.at, in: $0) } }
            if o >= baseSize { return (try? file.readLine(at: o)).flatMap { $0.withUnsafeBytes(decodeEvent) } }
            return before(l)
        }
        let now = clock.now()
        // Spilling: the marker goes first (durably), then the lines, with no fsync until the end.
        var spillFailure: JournalError?
        func spill() {
            guard spillFailure == nil, !out.bytes.isEmpty else { return }
            do throws(JournalError) {
                if out.at == baseSize { try SideFile.write(pendingPath, Self.pendingText(base: baseSize, final: -1, head: .zero, before: baseHead), ops: fileOps) }
                try JournalFile.writeAll(fd: file.fd, bytes: out.bytes, path: path, ops: fileOps)
                out.at += out.bytes.count
                out.bytes.removeAll(keepingCapacity: true)
            } catch { spillFailure = error }
        }
        func append(_ e: Event, _ line: [UInt8]) {
            _ = validator.apply(e, at: Locator(offset), state: &loaded.state, lookup: lookup)
            prev = SHA256.hash(line)
            loaded.lastLineStart = offset
            offset += line.count + 1
            out.bytes += line
            out.bytes.append(0x0a)
            if !dryRun, out.bytes.count >= spillBytes { spill() }
        }
        var index = 0
        let read = source(loaded.state)   // the state is not held while the rows are applied to it
        let whole = read { item in
            defer { index += 1 }
            let request: Request
            switch item {
            case .failure(let r): rejections.append((index, r)); return
            case .success(let r): request = r
            }
            switch validator.validate(request, state: loaded.state, recorded: now, lookup: lookup) {
            case .rejected(let r):
                rejections.append((index, r))
            case .duplicate(let e):
                if let counts { counts.duplicates += 1 } else { results.append(.duplicate(e)) }
            case .accepted(var e):
                if case .close(var c) = e.body {   // a close records the head it was made on
                    c.head = prev
                    e.body = .close(c)
                }
                let line = EventCodec.encode(e, prev: prev)
                // Before an append is written: the line is one line, and reads back as the
                // event it encodes, in canonical form (debug builds; the encoder is the
                // decoder's inverse by the codec tests).
                precondition(!line.contains(0x0a), "an encoded journal line holds a newline")
                assert(line.withUnsafeBytes { StrictDecoder.decode($0) }.map { $0.event == e && $0.prev == prev } ?? false,
                       "event \(e.id) does not read back from its own line")
                append(e, line)
                if let counts { counts.appended += 1 } else { results.append(.appended(e)) }
            }
        }
        let spilled = out.at > baseSize || spillFailure != nil
        // Whatever stops the batch now, the lines spilled so far are cut off again.
        func rollBack() throws(JournalError) {
            guard spilled else { return }
            try file.truncate(to: baseSize)
            SideFile.remove(pendingPath)
        }
        if let spillFailure { try? rollBack(); throw spillFailure }
        if loaded.state.index.damaged { try rollBack(); return nil }
        if !rejections.isEmpty || !whole {
            try rollBack()
            return .rejected(rejections)
        }
        // Once the journal signs, the write ends with its signer's signature over its last line.
        if let open = loaded.state.access.openBatch {
            guard let signer else {
                try rollBack()
                return .rejected([(0, Rejection(.signatureRequired, field: nil, "this journal signs every write since event \(loaded.state.access.signingFrom ?? 0): give the key of '\(open.actor)' (--key FILE, or FLEDGER_KEY)"))])
            }
            guard signer.actor == open.actor else {
                try rollBack()
                return .rejected([(0, Rejection(.batchActor, field: Wire.actor, "the write is by '\(open.actor)', but the key is '\(signer.actor)''s; each actor signs their own writes"))])
            }
            guard let registered = loaded.state.access.active(signer.actor), registered.publicKey == signer.publicKey else {
                try rollBack()
                return .rejected([(0, Rejection(.wrongKey, field: nil, "the key given for '\(signer.actor)' (public \(signer.publicKeyHex)) is not the key registered for them\(loaded.state.access.active(signer.actor).map { " (\(Hex.encode($0.publicKey)))" } ?? "")"))])
            }
            let seq = loaded.state.count + 1
            var sig = Event(seq: seq, id: validator.generatedID(type: .signature, seq: seq, state: loaded.state, lookup: lookup), date: now.day,
                            recorded: now, actor: signer.actor, memo: "", body: .access(.signature(BatchSignature(first: open.first, signature: []))))
            let message = AccessRules.signatureMessage(unit: loaded.state.unit?.unitCode ?? "", event: sig, head: prev)
            sig.body = .access(.signature(BatchSignature(first: open.first, signature: signer.sign(message))))
            if let r = validator.check(sig, state: loaded.state, lookup: lookup) { try rollBack(); return .rejected([(0, r)]) }
            append(sig, EventCodec.encode(sig, prev: prev))
            loaded.state.access.signedForm = 2
            if let spillFailure { try? rollBack(); throw spillFailure }
            if loaded.state.index.damaged { try rollBack(); return nil }
        }
        guard !out.bytes.isEmpty || spilled, !dryRun else {
            // Nothing to append (every item already posted): the state is the journal's, so a
            // full replay still leaves a checkpoint for the next post.
            if !dryRun, loaded.fullReplay, loaded.state.count >= checkpointEvery {
                saveCheckpoint(Checkpoint(size: loaded.size, lastLineStart: loaded.lastLineStart, head: prev, state: loaded.state))
            }
            return .committed(results)
        }
        // A spilled batch's marker is there already; its last lines follow with the one fsync
        // (on failure the file is cut back to its size before the batch, as for any batch).
        let multiLine = spilled || out.bytes.reduce(0) { n, b in b == 0x0a ? n + 1 : n } > 1
        if multiLine, !spilled {
            do throws(JournalError) {
                try SideFile.write(pendingPath, Self.pendingText(base: baseSize, final: offset, head: prev, before: baseHead), ops: fileOps)
            } catch {
                SideFile.remove(pendingPath)   // nothing of the batch was written: no marker either
                throw error
            }
        }
        do {
            try file.appendDurably(out.bytes, baseSize: baseSize)
        } catch {
            // The journal is back to its length before the batch: the marker goes too.
            if multiLine, (try? file.size()) == baseSize { SideFile.remove(pendingPath) }
            throw error
        }
        // After the write: the journal's last line is the one we wrote (the lock rules out
        // anyone else's). Acknowledged only if so.
        guard try file.size() == offset, try file.readLine(at: loaded.lastLineStart).withUnsafeBytes({ SHA256.hash($0) }) == prev else {
            throw .damaged(path: path, line: loaded.state.count,
                           reason: "the journal's end does not read back as the event just written; nothing is acknowledged. Run `fledger verify`")
        }
        if multiLine { SideFile.remove(pendingPath) }
        writeHead(seq: loaded.state.count, hash: prev)
        advanceTreeAndPin(file, size: offset, state: loaded.state, from: treeBefore)
        loaded.size = offset
        if loaded.fullReplay || loaded.state.count - loaded.checkpointCount >= checkpointEvery {
            saveCheckpoint(Checkpoint(size: offset, lastLineStart: loaded.lastLineStart, head: prev, state: loaded.state))
        }
        return .committed(results)
    }

    // MARK: - Repair

    public struct RepairReport: Sendable {
        /// Bytes removed from the end of the journal, and where they were saved.
        public let removedBytes: Int
        public let savedTo: String?
        public let reason: String
        /// The removed bytes themselves when they could not be saved (the CLI prints them).
        public var removed: [UInt8] = []
    }

    /// Removes what a crash left at the end of the journal — a line cut short, or the part of
    /// a batch that was being written — after saving it beside the journal. Complete lines that
    /// were acknowledged are never touched, whatever a marker says:
    /// - the pending marker is obeyed only when it is bound to this journal (the hash of the
    ///   line before its batch is the one it names); one that is not is set aside (renamed
    ///   `J.fledger-pending.refused-TIME`) and reported, and nothing is cut for it;
    /// - a complete write whose signature verifies is never removed (a batch whose lines all
    ///   reached the file, its signature last, stays, acknowledged or not);
    /// - nothing at or before the event the head file names (the last acknowledged) is removed.
    public func repair() throws(JournalError) -> RepairReport {
        let file = try JournalFile(path: path, access: .write, ops: fileOps)
        let size = try file.size()
        var cut: Int?
        var reason = ""
        var refused: String?
        if let p = readPending() {
            if try !isBound(p, file: file, size: size) {
                let aside = pendingPath + ".refused-\(clock.now().text.filter { $0.isNumber })"
                guard rename(pendingPath, aside) == 0 else {
                    throw .io(path: pendingPath, operation: "rename", reason: String(cString: strerror(errno)))
                }
                refused = "the pending-batch marker does not match this journal (\(p.before == nil ? "it cannot be read, or is of an older form that names no line" : "the line before the batch it names is not the journal's, or lies past its end")): it was not obeyed, and was set aside as \(aside)"
                return RepairReport(removedBytes: 0, savedTo: nil, reason: refused! + "; nothing was cut. Run `fledger verify`, and `fledger repair` again if it still names a line cut short", removed: [])
            }
            if try batchIsWhole(p, file: file, size: size) {
                SideFile.remove(pendingPath)
                return RepairReport(removedBytes: 0, savedTo: nil, reason: "the batch recorded as pending had been written whole; only its marker was removed", removed: [])
            }
            cut = p.base
            reason = p.final < 0
                ? "a large batch was interrupted after \(size - p.base) bytes, before its end was known; it was never acknowledged"
                : "a batch of \(p.final - p.base) bytes was interrupted after \(size - p.base) bytes; it was never acknowledged"
        }
        if cut == nil, size > 0, try !file.endsWithNewline(size: size) {
            guard let lastNL = try file.lastNewline(before: size) else {
                throw .damaged(path: path, line: 0, reason: "the journal holds no complete line: this is not a crash remnant; repair will not touch it")
            }
            cut = lastNL + 1
            reason = "the last line was cut short (\(size - lastNL - 1) bytes with no newline), as a crash during a write leaves it"
        }
        guard var cutAt = cut else {
            return RepairReport(removedBytes: 0, savedTo: nil, reason: "nothing to repair: the journal ends with a complete line and no batch is pending", removed: [])
        }
        // A complete write whose signature verifies is kept, whatever the marker said.
        let signed = try signedEnd(file: file, from: cutAt, size: size)
        if signed > cutAt {
            reason += "; but \(signed - cutAt) bytes of it are complete writes whose signatures verify, and were kept (a signed write is never removed)"
            cutAt = signed
        }
        // The line the head file names as the last acknowledged is never removed.
        if let h = readHead(), cutAt < size, try holdsLine(file: file, from: cutAt, size: size, hash: h.hash) {
            throw .damaged(path: path, line: h.seq,
                           reason: "repair would remove event \(h.seq), which was acknowledged (\(headPath) names it): this is not what a crash leaves. Nothing was cut; run `fledger verify`")
        }
        // Nor is the line this user's trust pin names (the pin is kept outside the journal's
        // directory: a marker or a head file written there cannot move it).
        if cutAt < size, let (pin, p) = try pin(of: file), pin.offset >= cutAt {
            throw .damaged(path: path, line: pin.checkpoint.size,
                           reason: "repair would remove event \(pin.checkpoint.size), which this user saw before (pinned in \(p)): this is not what a crash leaves. Nothing was cut; run `fledger verify`")
        }
        if cutAt >= size {
            SideFile.remove(pendingPath)
            return RepairReport(removedBytes: 0, savedTo: nil, reason: reason + "; nothing was cut, and the marker was removed", removed: [])
        }
        // Cut first: on a full disk the removed bytes may not be savable, and the journal must
        // be usable again all the same. Then set them aside, or hand them back to be printed.
        let tail = try file.read(at: cutAt, count: size - cutAt)
        let removed = withExtendedLifetime(tail) { Array(UnsafeRawBufferPointer(tail.bytes)) }
        try file.truncate(to: cutAt)
        SideFile.remove(pendingPath)
        if let cp = SideFile.read(checkpointPath).flatMap(Checkpoint.decode), cp.size > cutAt { SideFile.remove(checkpointPath) }
        if let s = SideFile.read(projectionPath).flatMap(ProjectionSnapshot.decode), s.size > cutAt { SideFile.remove(projectionPath) }
        if let t = SideFile.read(treePath).flatMap(TreeFile.decode), t.size > cutAt { SideFile.remove(treePath) }
        let saved = path + ".removed-\(clock.now().text.filter { $0.isNumber })"
        do throws(JournalError) {
            try SideFile.write(saved, removed, ops: fileOps)
            return RepairReport(removedBytes: size - cutAt, savedTo: saved, reason: reason, removed: [])
        } catch {
            return RepairReport(removedBytes: size - cutAt, savedTo: nil, reason: reason + "; the removed bytes could not be saved (\(error)), so they are given here", removed: removed)
        }
    }

    /// The end of the last complete write at or after `from` whose lines replay cleanly and
    /// whose signature verifies (`from` when there is none): the journal up to it is replayed
    /// from the checkpoint (or the start), the lines after `from` as `verify` would.
    private func signedEnd(file: JournalFile, from: Int, size: Int) throws(JournalError) -> Int {
        let complete = try file.endsWithNewline(size: size) ? size : ((try file.lastNewline(before: size)).map { $0 + 1 } ?? 0)
        guard complete > from else { return from }
        let probe = try file.read(at: from, count: complete - from)
        let anySignature = withExtendedLifetime(probe) { UnsafeRawBufferPointer(probe.bytes).containsBytes(Array("\"type\":\"signature\"".utf8)) }
        guard anySignature else { return from }
        var start = 0
        var state = LedgerState()
        var prev = SHA256.Digest.zero
        if let cp = Checkpoint.load(path: checkpointPath), cp.size <= from, cp.lastLineStart < cp.size,
           let line = try? file.readLine(at: cp.lastLineStart), cp.lastLineStart + line.count + 1 == cp.size, SHA256.hash(line) == cp.head {
            start = cp.size; state = cp.state; prev = cp.head
        }
        let buf = try file.read(at: start, count: complete - start)
        let readBefore: (Locator) -> Event? = { l in (try? file.readLine(at: Int(l))).flatMap { line in line.withUnsafeBytes(decodeEvent) } }
        return withExtendedLifetime(buf) { () -> Int in
            let replayer = Replayer(path: path, validator: validator, baseOffset: start, buf: UnsafeRawBufferPointer(buf.bytes), before: readBefore)
            let first = state.count
            var lastSignature = 0
            var unused: LedgerState?
            try? replayer.run(state: &state, prev: prev, prevPrev: nil, snapshotAt: nil, snapshot: &unused) { e, _ in
                if case .access(.signature) = e.body { lastSignature = e.seq }
            }
            guard lastSignature > first else { return from }
            return max(from, start + replayer.table.ends[lastSignature - first - 1] + 1)
        }
    }

    /// True when a complete line in [from, size) hashes to `hash`.
    private func holdsLine(file: JournalFile, from: Int, size: Int, hash: SHA256.Digest) throws(JournalError) -> Bool {
        let tail = try file.read(at: from, count: size - from)
        return withExtendedLifetime(tail) {
            let table = LineTable(UnsafeRawBufferPointer(tail.bytes))
            return (0..<table.count).contains { SHA256.hash(table.line($0, in: UnsafeRawBufferPointer(tail.bytes))) == hash }
        }
    }

    // MARK: - Read

    /// Every event in the journal, in order (under a shared lock). Lines are decoded but the
    /// chain is not checked: that is `verify`'s job. A line cut short at the end is an error.
    public func events() throws(JournalError) -> [Event] {
        try events { _ in true }
    }

    /// The events `match` accepts, in order, read a chunk at a time: memory holds one chunk and
    /// the matches, never the whole journal. `containing` is a byte string every matching line
    /// holds (an id in quotes, say): lines without it are skipped undecoded. Like `events()`,
    /// this decodes but does not check the chain.
    public func events(containing needle: [UInt8]? = nil, where match: (Event) -> Bool) throws(JournalError) -> [Event] {
        try events(containingAny: needle.map { [$0] }, where: match)
    }

    /// As `events(containing:where:)`, for lines that hold any of several byte strings, or
    /// whose event is of one of `types` (read from the line's `type` field).
    public func events(containingAny needles: [[UInt8]]?, ofTypes types: [EventType] = [], where match: (Event) -> Bool) throws(JournalError) -> [Event] {
        let typeNames = types.map { Array($0.rawValue.utf8) }
        let file = try JournalFile(path: path, access: .read)
        let size = try file.size()
        try checkPending(file: file, size: size, canClear: false)
        var out: [Event] = []
        var line = 0
        let end = try file.forEachChunk(size: size, chunk: readChunk, progress: progress) { complete, _ throws(JournalError) in
            let table = LineTable(complete)
            for i in 0..<table.count {
                let bytes = table.line(i, in: complete)
                if let needles, !needles.contains(where: { bytes.containsBytes($0) }), typeNames.isEmpty || !bytes.isLine(ofType: typeNames) { continue }
                let e: Event
                do { e = try EventCodec.decode(bytes).event } catch {
                    throw .damaged(path: path, line: line + i + 1, reason: "cannot be read: \(error)")
                }
                if match(e) { out.append(e) }
            }
            line += table.count
        }
        if end < size {
            throw .damaged(path: path, line: line + 1, reason: "the last line is cut short, as a crash during a write leaves it; run `fledger repair`")
        }
        return out
    }

    // MARK: - Before a read that does not verify

    /// What a reader that does not verify the whole journal (`budget`, `show`, `log`, `trace`)
    /// learned before reading.
    public struct ReadCheck: Sendable {
        /// Where signing began (nil: the journal does not sign).
        public let signingFrom: Int?
        public let events: Int
        /// Distinct admins that must sign a change of actors.
        public let threshold: Int
    }

    /// What every reader that does not verify checks first, under a shared lock, at about the
    /// cost of a post: the checkpoint and the projection snapshot equal what they claim (the
    /// prefix they stand for is the journal's; otherwise damage), every line after the
    /// checkpoint replays as `verify` would replay it (chain, rules, approval flags, and the
    /// signature of every write), the journal still holds the head file's event (in a signed
    /// journal the head file must be there), and no write at the end lacks its signature. So no
    /// unsigned line and no unapproved item in a signed journal is counted by a reader; the
    /// lines before the checkpoint are those a writer replayed and `verify` checks.
    public func checkBeforeReading() throws(JournalError) -> ReadCheck {
        let file = try JournalFile(path: path, access: .read)
        let size = try file.size()
        try checkPending(file: file, size: size, canClear: false)
        let checkpoint = Checkpoint.load(path: checkpointPath)
        if let cp = checkpoint {
            var holds = false
            if cp.size <= size, cp.lastLineStart < cp.size, let line = try? file.readLine(at: cp.lastLineStart) {
                holds = cp.lastLineStart + line.count + 1 == cp.size && SHA256.hash(line) == cp.head
                    && line.withUnsafeBytes(decodeEvent)?.seq == cp.state.count
            }
            guard holds else {
                throw .damaged(path: path, line: 0, reason: "the checkpoint \(checkpointPath) claims to hold the state after the journal's first \(cp.state.count) events (\(cp.size) bytes, the last line's hash \(cp.head.hex)), and the journal does not match that claim: it was written by hand or belongs to another journal. Delete it (it is derived data) and run `fledger verify`")
            }
        }
        // The lines a reader sums between the projection snapshot and the checkpoint are not
        // replayed below (they come before the checkpoint): their chain must run unbroken from
        // the snapshot's last line to the checkpoint's, both of which were just checked.
        if let s = try loadSnapshot(file: file, size: size), let cp = checkpoint, s.size < cp.size {
            let gap = try file.read(at: s.size, count: cp.size - s.size)
            try withExtendedLifetime(gap) { () throws(JournalError) in
                let buf = UnsafeRawBufferPointer(gap.bytes)
                let table = LineTable(buf)
                var prev = s.head
                for i in 0..<table.count {
                    let line = table.line(i, in: buf)
                    guard line.count > 67, SHA256.Digest(hexBytes: ArraySlice(line[(line.count - 66)..<(line.count - 2)])) == prev else {
                        throw .damaged(path: path, line: s.lastSeq + i + 1, reason: "does not continue the hash chain from the line before it (between the projection snapshot and the checkpoint): a line was changed, inserted or removed. Run `fledger verify`")
                    }
                    prev = SHA256.hash(line)
                }
                guard prev == cp.head, table.tornStart == nil else {
                    throw .damaged(path: path, line: cp.state.count, reason: "the lines between the projection snapshot and the checkpoint do not end in the checkpoint's last line. Run `fledger verify`")
                }
            }
        }
        let loaded = try loadCheckingHead(file, canClearPending: false)
        if let open = loaded.state.access.openBatch {
            throw .damaged(path: path, line: open.first, reason: "events \(open.first)–\(loaded.state.count) by '\(open.actor)' were written without the signature that must close every write since signing began at event \(loaded.state.access.signingFrom ?? 0): they are not counted, and nothing is read until this is explained (`fledger verify` says the same)")
        }
        try checkPinBeforeReading(unit: loaded.state.unit?.unitCode, file: file, lines: loaded.state.count)
        return ReadCheck(signingFrom: loaded.state.access.signingFrom, events: loaded.state.count, threshold: loaded.state.access.threshold)
    }

    // MARK: - Access

    /// The registered actors (revoked ones included) and the items waiting for approval with
    /// their events, as the journal stands: from the checkpoint and the lines after it, under a
    /// shared lock (a quick read, not a verification).
    public func accessState() throws(JournalError) -> (actors: [Actor], waiting: [(event: Event, awaiting: Awaiting)], signingFrom: Int?) {
        let file = try JournalFile(path: path, access: .read)
        let loaded = try load(file, canClearPending: false)
        let access = loaded.state.access
        let waiting = access.awaiting.values.sorted { $0.seq < $1.seq }.compactMap { w in loaded.lookup(w.locator).map { ($0, w) } }
        return (access.actors.values.sorted { $0.name < $1.name }, waiting, access.signingFrom)
    }

    // MARK: - Loading state

    struct Loaded {
        var state: LedgerState
        var head: SHA256.Digest
        var size: Int
        var lastLineStart: Int
        var checkpointCount: Int
        var fullReplay: Bool
        let lookup: (Locator) -> Event?
        /// The SHA-256 of line `seq`, for the lines this load read (and the checkpoint's last);
        /// nil for a line before the checkpoint.
        var lineHash: (Int) -> SHA256.Digest? = { _ in nil }
    }

    /// State at the end of the journal: from the checkpoint plus the lines after it when the
    /// checkpoint matches, from a full replay otherwise.
    func load(_ file: JournalFile, canClearPending: Bool) throws(JournalError) -> Loaded {
        try load(file, canClearPending: canClearPending, fullReplay: true)!
    }

    /// As `load`; with `fullReplay` false, nil instead of a full replay when no checkpoint fits.
    func load(_ file: JournalFile, canClearPending: Bool, fullReplay: Bool, useCheckpoint: Bool = true) throws(JournalError) -> Loaded? {
        let size = try file.size()
        try checkPending(file: file, size: size, canClear: canClearPending)
        guard size > 0 else { throw .damaged(path: path, line: 0, reason: "the journal is empty: not even the unit line that `fledger init` writes") }
        let readBefore: (Locator) -> Event? = { l in (try? file.readLine(at: Int(l))).flatMap { line in line.withUnsafeBytes(decodeEvent) } }
        if useCheckpoint, let cp = Checkpoint.load(path: checkpointPath), cp.size <= size, cp.lastLineStart < cp.size,
           let line = try? file.readLine(at: cp.lastLineStart), cp.lastLineStart + line.count + 1 == cp.size,
           SHA256.hash(line) == cp.head {
            let tail = try file.read(at: cp.size, count: size - cp.size)
            let replayer = Replayer(path: path, validator: validator, baseOffset: cp.size, buf: UnsafeRawBufferPointer(tail.bytes), before: readBefore)
            var state = cp.state
            try replayer.run(state: &state, prev: cp.head, prevPrev: nil)
            try refuseTorn(replayer, line: state.count + 1)
            let last = replayer.table.starts.last.map { cp.size + $0 } ?? cp.lastLineStart
            let cpCount = cp.state.count, cpHead = cp.head
            return Loaded(state: state, head: replayer.head(or: cp.head), size: size, lastLineStart: last,
                          checkpointCount: cp.state.count, fullReplay: false,
                          lookup: { l in withExtendedLifetime(tail) { replayer.lookup(l) } },
                          lineHash: { seq in
                              if seq == cpCount { return cpHead }
                              let i = seq - cpCount - 1
                              return i >= 0 && i < replayer.hashes.count ? replayer.hashes[i] : nil
                          })
        }
        guard fullReplay else { return nil }
        let buf = try file.read(at: 0, count: size)
        let replayer = Replayer(path: path, validator: validator, baseOffset: 0, buf: UnsafeRawBufferPointer(buf.bytes), before: { _ in nil })
        var state = LedgerState()
        try replayer.run(state: &state, prev: .zero, prevPrev: nil)
        try refuseTorn(replayer, line: state.count + 1)
        guard let lastStart = replayer.table.starts.last else {
            throw .damaged(path: path, line: 1, reason: "the journal has no complete line")
        }
        return Loaded(state: state, head: replayer.head(or: .zero), size: size, lastLineStart: lastStart,
                      checkpointCount: 0, fullReplay: true, lookup: { l in withExtendedLifetime(buf) { replayer.lookup(l) } },
                      lineHash: { seq in seq >= 1 && seq <= replayer.hashes.count ? replayer.hashes[seq - 1] : nil })
    }

    /// The state at the end of the journal, checked against the head file (the last event
    /// acknowledged): the journal must still hold that event, unchanged. In a signed journal a
    /// missing or unreadable head file is damage too. Reads past the checkpoint only, unless the
    /// head file names an event before it (a head that could not be written for a long time),
    /// which a full replay then checks.
    func loadCheckingHead(_ file: JournalFile, canClearPending: Bool) throws(JournalError) -> Loaded {
        let loaded = try load(file, canClearPending: canClearPending)
        if try checkHead(loaded, file) { return loaded }
        let whole = try load(file, canClearPending: canClearPending, fullReplay: true, useCheckpoint: false)!
        _ = try checkHead(whole, file)
        return whole
    }

    /// False when the head file names an event this load cannot hash (before its checkpoint).
    private func checkHead(_ loaded: Loaded, _ file: JournalFile) throws(JournalError) -> Bool {
        let count = loaded.state.count
        guard let h = readHead() else {
            if loaded.state.access.signing { throw missingHead(count: count, unit: loaded.state.unit?.unitCode, file: file) }
            return true
        }
        guard h.seq <= count else {
            throw .damaged(path: path, line: count + 1,
                           reason: "event \(h.seq) (hash \(h.hash.hex)) was acknowledged (\(headPath)), but the journal ends at event \(count): lines were removed from its end. Nothing is posted until this is explained")
        }
        guard let hash = h.seq == count ? loaded.head : loaded.lineHash(h.seq) else { return false }
        guard hash == h.hash else {
            throw .damaged(path: path, line: h.seq,
                           reason: "differs from the line acknowledged as event \(h.seq) (hash \(h.hash.hex), in \(headPath)): the journal does not extend what was acknowledged, or the head file is another journal's. Nothing is posted until this is explained")
        }
        return true
    }

    /// A signed journal's head file is missing or cannot be read. When this user's trust pin
    /// (kept outside the journal's directory) saw more lines than the journal holds, its finding
    /// is the one reported: it says how many lines were cut, which the missing file cannot.
    func missingHead(count: Int, unit: String?, file: JournalFile) -> JournalError {
        if let unit, let first = try? file.readLine(at: 0),
           let (pin, p) = try? readPin(unit: unit, firstLine: first.withUnsafeBytes { SHA256.hash($0) }), count < pin.checkpoint.size {
            return .damaged(path: path, line: count + 1, reason: "the journal ends at event \(count), but event \(pin.checkpoint.size) was seen before (pinned in \(p)): lines were removed from its end (and its head file \(headPath) with them)")
        }
        let what = Glibc.access(headPath, F_OK) == 0 ? "cannot be read (it is not a head file this journal wrote)" : "is missing"
        return .damaged(path: path, line: count,
                        reason: "this journal signs, and its head file \(headPath) \(what): lines cut from the end could not be told. A crash never removes it; it was removed or replaced by hand. If you are sure the journal is whole (its head hash equals one you recorded, or a checkpoint held elsewhere), write the head file back: its one line is the last event's seq and the SHA-256 of its line")
    }

    /// `line` is the line number the cut-short piece would have (complete lines so far + 1).
    private func refuseTorn(_ r: Replayer, line: Int) throws(JournalError) {
        if let torn = r.table.tornStart {
            throw .damaged(path: path, line: line,
                           reason: "the last line is cut short (\(r.buf.count - torn) bytes with no newline), as a crash during a write leaves it. Nothing is posted until `fledger repair` sets it aside")
        }
    }

    // MARK: - Side files

    func checkPending(file: JournalFile, size: Int, canClear: Bool) throws(JournalError) {
        guard let p = readPending() else { return }
        guard try isBound(p, file: file, size: size) else {
            throw .damaged(path: path, line: 0, reason: "a pending-batch marker \(pendingPath) is there, but it does not match this journal (the line before the batch it names is not the journal's, or it is unreadable or of an older form): it is not obeyed. `fledger repair` sets it aside without cutting anything")
        }
        if try batchIsWhole(p, file: file, size: size) {
            if canClear { SideFile.remove(pendingPath) }
            return
        }
        if size == p.base {  // the batch never reached the file: nothing to roll back
            if canClear { SideFile.remove(pendingPath) }
            return
        }
        let held = p.final < 0 ? "\(max(size - p.base, 0)) bytes of it (a large batch, its end not yet known)" : "\(size - p.base) of its \(p.final - p.base) bytes"
        throw .damaged(path: path, line: 0, reason: "a batch was being written when the program stopped (\(pendingPath) is still there): the journal holds \(held). Run `fledger repair` to roll the unacknowledged batch back")
    }

    /// A pending marker: the journal's size before the batch, its size after (-1 while a large
    /// batch's end is unknown), the hash of the batch's last line (zero then), and the hash of
    /// the line before the batch, which binds the marker to this journal (nil: unreadable, or
    /// the older form without it).
    struct Pending {
        var base: Int, final: Int, head: SHA256.Digest, before: SHA256.Digest?
    }

    static func pendingText(base: Int, final: Int, head: SHA256.Digest, before: SHA256.Digest) -> [UInt8] {
        Array("\(base) \(final) \(head.hex) \(before.hex)\n".utf8)
    }

    private func readPending() -> Pending? {
        guard let b = SideFile.read(pendingPath, limit: 4096) ?? (Glibc.access(pendingPath, F_OK) == 0 ? [] : nil) else { return nil }
        let parts = String(decoding: b, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 4, let base = Int(parts[0]), let final = Int(parts[1]), let head = SHA256.Digest(hex: parts[2]),
              let before = SHA256.Digest(hex: parts[3]) else {
            return Pending(base: 0, final: -1, head: .zero, before: nil)
        }
        return Pending(base: base, final: final, head: head, before: before)
    }

    /// True when the marker names this journal: the line that ends where its batch begins
    /// hashes to the hash it recorded.
    private func isBound(_ p: Pending, file: JournalFile, size: Int) throws(JournalError) -> Bool {
        guard let before = p.before, p.base > 0, p.base <= size else { return false }
        let b = try file.read(at: p.base - 1, count: 1)
        guard withExtendedLifetime(b, { b.bytes.first == 0x0a }) else { return false }
        let start = try file.lastNewline(before: p.base - 1).map { $0 + 1 } ?? 0
        let line = try file.read(at: start, count: p.base - 1 - start)
        return withExtendedLifetime(line) { SHA256.hash(UnsafeRawBufferPointer(line.bytes)) } == before
    }

    /// True when the batch a pending marker announced reached the file whole (only the marker's
    /// removal was lost).
    private func batchIsWhole(_ p: Pending, file: JournalFile, size: Int) throws(JournalError) -> Bool {
        guard size == p.final, let last = try lastLineHash(file: file, size: size) else { return false }
        return last == p.head
    }

    private func lastLineHash(file: JournalFile, size: Int) throws(JournalError) -> SHA256.Digest? {
        guard try file.endsWithNewline(size: size) else { return nil }
        let start = try file.lastNewline(before: size - 1).map { $0 + 1 } ?? 0
        let line = try file.read(at: start, count: size - 1 - start)
        return withExtendedLifetime(line) { SHA256.hash(UnsafeRawBufferPointer(line.bytes)) }
    }

    private func writeHead(seq: Int, hash: SHA256.Digest) {
        do throws(JournalError) { try SideFile.write(headPath, Array("\(seq) \(hash.hex)\n".utf8), ops: fileOps) } catch {
            notices.add("the events are on disk, but the head file could not be written (\(error)); verify will note it until the next post writes it")
        }
    }

    func readHead() -> (seq: Int, hash: SHA256.Digest)? {
        guard let b = SideFile.read(headPath) else { return nil }
        let parts = String(decoding: b, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, let seq = Int(parts[0]), seq >= 1, let h = SHA256.Digest(hex: parts[1]) else { return nil }
        return (seq, h)
    }

    private func saveCheckpoint(_ cp: Checkpoint) {
        // An index read from a damaged checkpoint is never written again: the next post replays.
        guard !cp.state.index.damaged, !cp.state.references.damaged else { SideFile.remove(checkpointPath); return }
        do throws(JournalError) { try SideFile.write(checkpointPath, cp.encode(), ops: fileOps) } catch {
            notices.add("the events are on disk, but the checkpoint could not be written (\(error)); the next post replays the journal instead")
        }
    }
}

/// A batch's lines not yet written, and the file offset they start at: the post loop appends
/// to it and its lookup closure reads it.
final class GrowingBytes {
    var bytes: [UInt8] = []
    var at: Int
    init(capacity: Int, at: Int) { bytes.reserveCapacity(capacity); self.at = at }
}

extension JournalFile {
    /// The line starting at `offset`, without its newline.
    func readLine(at offset: Int) throws(JournalError) -> [UInt8] {
        var chunk = 1024
        while true {
            let b = try read(at: offset, count: chunk)
            let raw = UnsafeRawBufferPointer(b.bytes)
            if let nl = raw.firstIndex(of: 0x0a) { return Array(raw[..<nl]) }
            if raw.count < chunk { return Array(raw) }
            chunk *= 4
        }
    }
}

extension LedgerState {
    /// Same replayed content (the index compared as sets of entries).
    func sameAs(_ o: LedgerState) -> Bool {
        var a = index, b = o.index
        a.compact(); b.compact()
        return unit == o.unit && openYears == o.openYears && balances == o.balances && corrected == o.corrected && closes == o.closes
            && volume == o.volume && vehicles == o.vehicles && assets == o.assets && indicators == o.indicators && access == o.access
            && count == o.count && lastRecorded == o.lastRecorded && a.sorted.sameWords(as: b.sorted) && a.overflow == b.overflow
            && sameReferences(o)
    }

    func sameReferences(_ o: LedgerState) -> Bool {
        var a = references, b = o.references
        return a.compact() && b.compact() && a.sorted.sameWords(as: b.sorted)
    }
}
