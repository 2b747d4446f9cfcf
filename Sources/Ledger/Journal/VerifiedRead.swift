/// One verified read of the journal: every line checked (canonical form, sequence, hash chain,
/// the ledger's rules) while the events are handed, in order, to whatever projects or
/// recomputes from them. `verify`, `statements`, `reconcile` and `trace` each read the journal
/// once this way, under one shared lock, in fixed-size chunks: memory follows the number of
/// budget lines (and of event ids, for the uniqueness check), not the size of the file.
extension JournalStore {
    /// What a verified read found.
    public struct VerifiedRead: Sendable {
        public let report: VerifyReport
        /// The projection of every event (empty unless asked for).
        public let projection: Projection
        /// SHA-256 of the lines asked for by sequence number (those that exist).
        public let lineHashes: [Int: SHA256.Digest]
    }

    /// A journal held open under a shared lock for one or more verified reads: nothing can be
    /// appended between them.
    public final class ReadSession {
        let store: JournalStore
        let file: JournalFile

        init(store: JournalStore, file: JournalFile) { self.store = store; self.file = file }

        /// Reads the whole journal once, verifying it; `visit` sees every event after it passed
        /// (with the event a correction corrects). A damaged journal throws, naming its line.
        /// `filter` limits what is projected and visited (the journal as it stood at a date or
        /// sequence number); every line is verified all the same.
        public func verifiedRead(project: Bool = false, filter: ProjectionFilter = .all, lineHashes wanted: Set<Int> = [],
                                 treeSizes: Set<Int> = [],
                                 visit: ((_ event: Event, _ target: Event?) -> Void)? = nil) throws(JournalError) -> VerifiedRead {
            try store.verifiedRead(file, project: project, filter: filter, lineHashes: wanted, treeSizes: treeSizes, visit: visit)
        }
    }

    /// Opens the journal for reading; the shared lock is held until the session is released.
    public func openForReading() throws(JournalError) -> ReadSession {
        ReadSession(store: self, file: try JournalFile(path: path, access: .read))
    }

    /// Replays the whole journal, checking every line and every rule; reports the first damage
    /// as an error naming its line. Also checks the head file and the checkpoint.
    /// With a projection snapshot beside the journal, the figures `budget` reads from it (and the
    /// lines after it) must equal those of a read of the whole journal just verified (under the
    /// same lock; the scan and the replay agree by the projection tests, and cost 0.8 s against
    /// 2 s at a million events).
    /// `treeSizes`: the tree heads wanted (at those numbers of lines, as checkpoints name them),
    /// with the chain's head at each (`VerifyReport.treeHeads`).
    public func verify(treeSizes: Set<Int> = []) throws(JournalError) -> VerifyReport {
        let session = try openForReading()
        let read = try session.verifiedRead(lineHashes: treeSizes, treeSizes: treeSizes)
        var report = read.report
        report.treeHeads = Dictionary(uniqueKeysWithValues: read.report.treeHeads.compactMap { n, h in
            read.lineHashes[n].map { (n, TreeHeadAt(size: n, root: h.root, chainHead: $0)) }
        })
        guard let snapshot = SideFile.read(projectionPath).flatMap(ProjectionSnapshot.decode) else {
            stampVerified()
            return report
        }
        let fast = try scan(.all, keeping: nil, parts: 2, warn: false).projection, whole = try scan(.all, keeping: nil, parts: 2, snapshots: false).projection
        func figures(_ p: Projection) -> [Projection.Key: Figures] { p.figures.filter { !$0.value.isZero } }
        let years = Set(whole.figures.keys.map(\.year)).union(fast.figures.keys.map(\.year))
        guard figures(fast) == figures(whole), fast.waitingFigures.filter({ !$0.value.isZero }) == whole.waitingFigures.filter({ !$0.value.isZero }),
              years.allSatisfy({ fast.standingClose($0) == whole.standingClose($0) }) else {
            throw .damaged(path: path, line: 0, reason: "the projection snapshot \(projectionPath) (event \(snapshot.lastSeq)) and the lines after it do not give the figures of a replay of the journal; `budget` would show wrong figures. Delete it (it is derived data) and run verify again")
        }
        report.notes.append("projection snapshot at event \(snapshot.lastSeq) and the lines after it agree with the replay")
        stampVerified()
        return report
    }

    func verifiedRead(_ file: JournalFile, project: Bool, filter: ProjectionFilter = .all, lineHashes wanted: Set<Int>,
                      treeSizes: Set<Int> = [], visit: ((Event, Event?) -> Void)?) throws(JournalError) -> VerifiedRead {
        // A batch cut short is named as such (and `repair` rolls it back), not diagnosed line by line.
        try checkPending(file: file, size: try file.size(), canClear: false)
        do {
            return try stream(file, project: project, filter: filter, lineHashes: wanted, treeSizes: treeSizes, visit: visit)
        } catch {
            // Say exactly what is wrong: the whole-buffer replay sees every line at once.
            guard case .damaged = error else { throw error }
            try diagnose(file)
            throw error
        }
    }

    private func stream(_ file: JournalFile, project: Bool, filter: ProjectionFilter, lineHashes wanted: Set<Int>,
                        treeSizes: Set<Int>, visit: ((Event, Event?) -> Void)?) throws(JournalError) -> VerifiedRead {
        let size = try file.size()
        let checkpoint = Checkpoint.load(path: checkpointPath)   // mapped; compared word by word below
        let headFile = readHead()
        // The Merkle tree is rebuilt from the lines as they are hashed, and the tree file compared.
        let treeFile = merkleTree ? SideFile.read(treePath).flatMap(TreeFile.decode) : nil
        let tree = merkleTree ? TreeBuilder(wanted: treeSizes, snapshotAt: treeFile?.frontier.size) : nil
        var want = wanted
        if let t = treeFile { want.insert(t.frontier.size) }
        if let h = headFile { want.insert(h.seq) }
        if let cp = checkpoint { want.insert(cp.state.count) }
        var found: [Int: SHA256.Digest] = [:]
        var state = LedgerState()
        var snapshot: LedgerState?
        var projection = Projection()
        let readBefore: (Locator) -> Event? = { l in (try? file.readLine(at: Int(l))).flatMap { line in line.withUnsafeBytes(decodeEvent) } }
        let everything = filter == .all
        // Readers see the effective events: an item waiting for approval reaches them with its
        // approval (`ApprovalGate`), never before.
        var gate = ApprovalGate()
        var signatures = 0
        let sink: ((Event, Event?) -> Void)? = { e, target in
            if case .access(.signature) = e.body { signatures += 1 }
            guard project || visit != nil else { return }
            guard everything || filter.admits(seq: e.seq, date: e.date) else { return }
            for (x, t) in gate.pass(e, target: target) {
                if project { projection.apply(x, target: t) }
                visit?(x, t)
            }
            if project { projection.lastSeq = e.seq }
        }
        var prev = SHA256.Digest.zero
        var prevPrev: SHA256.Digest?
        let offset = try file.forEachChunk(size: size, chunk: readChunk, progress: progress) { complete, offset throws(JournalError) in
            let replayer = Replayer(path: path, validator: validator, baseOffset: offset, buf: complete, before: readBefore, tree: tree)
            let first = state.count + 1
            try replayer.run(state: &state, prev: prev, prevPrev: prevPrev, snapshotAt: checkpoint?.size, snapshot: &snapshot, visit: sink)
            for seq in want where seq >= first && seq < first + replayer.hashes.count { found[seq] = replayer.hashes[seq - first] }
            let hashes = replayer.hashes
            prevPrev = hashes.count >= 2 ? hashes[hashes.count - 2] : prev
            prev = hashes.last ?? prev
        }
        if offset < size {
            throw .damaged(path: path, line: state.count + 1,
                           reason: "the last line is cut short (\(size - offset) bytes with no newline), as a crash during a write leaves it; it was never acknowledged. `fledger repair` sets it aside")
        }
        guard state.count > 0 else { throw .damaged(path: path, line: 0, reason: "the journal is empty: not even the unit line that `fledger init` writes") }
        var notes: [String] = []
        if let h = headFile {
            if h.seq > state.count {
                throw .damaged(path: path, line: state.count + 1,
                               reason: "event \(h.seq) (hash \(h.hash.hex)) was acknowledged, but the journal ends at event \(state.count): lines were removed from its end")
            }
            if found[h.seq] != h.hash {
                throw .damaged(path: path, line: h.seq, reason: "differs from the line acknowledged as event \(h.seq) (hash \(h.hash.hex))")
            }
            if h.seq < state.count { notes.append("the head file names event \(h.seq); \(state.count - h.seq) later event(s) were written after it (a crash between the append and the head update, or a head file that could not be written, as on a full disk)") }
        } else if state.access.signing {
            throw missingHead(count: state.count, unit: state.unit?.unitCode, file: file)
        } else {
            notes.append("no head file (\(headPath)): removal of whole lines from the end cannot be told from the journal alone; compare the head hash with a recorded one")
        }
        if let cp = checkpoint {
            if let snap = snapshot, cp.lastLineStart < size, found[cp.state.count] == cp.head, snap.sameAs(cp.state) {
                notes.append("checkpoint at event \(cp.state.count) agrees with the replay")
            } else {
                throw .damaged(path: path, line: 0, reason: "the checkpoint \(checkpointPath) does not agree with a replay of the journal; posts would start from wrong balances. Delete it (it is derived data) and run verify again")
            }
        }
        if let open = state.access.openBatch {
            throw .damaged(path: path, line: open.first, reason: "events \(open.first)–\(state.count) by '\(open.actor)' were written without the signature that must close every write since signing began at event \(state.access.signingFrom ?? 0): they were appended by someone without the key, or a signature line was removed")
        }
        if let t = treeFile {
            if t.frontier.size > state.count {
                throw .damaged(path: path, line: state.count + 1, reason: "the Merkle tree file \(treePath) covers \(t.frontier.size) lines, but the journal ends at event \(state.count): lines were removed from its end (a tree file left from another journal is derived data: delete it)")
            }
            guard let snap = tree?.snapshot, snap == t.frontier, found[t.frontier.size] == t.head, t.size <= size else {
                throw .damaged(path: path, line: 0, reason: "the Merkle tree file \(treePath) (\(t.frontier.size) lines) does not agree with the tree rebuilt from the journal's lines; proofs and checkpoints made from it would be wrong. Delete it (it is derived data; the next post rebuilds it) and run verify again")
            }
            notes.append("Merkle tree file at event \(t.frontier.size) agrees with the tree rebuilt from the lines")
        }
        var report = VerifyReport(events: state.count, bytes: size, head: prev, unit: state.unit, openYears: state.openYearsNotClosed, notes: notes)
        report.unsignedHistory = state.access.signingFrom.map { $0 - 1 } ?? state.count
        report.signatures = signatures
        report.actors = state.access.actors.values.sorted { $0.name < $1.name }
        report.waiting = state.access.awaiting.values.sorted { $0.seq < $1.seq }
        report.threshold = state.access.threshold
        if let tree {
            report.treeRoot = tree.frontier.root
            report.treeHeads = Dictionary(uniqueKeysWithValues: tree.roots.map { ($0, TreeHeadAt(size: $0, root: $1, chainHead: .zero)) })
            report.trustRoot = try trustRoot(file: file, state: state, frontier: tree.frontier, size: size)
        }
        return VerifiedRead(report: report, projection: projection, lineHashes: found.filter { wanted.contains($0.key) })
    }


    /// The whole-buffer replay that says exactly what is wrong with a damaged line: it sees
    /// every line at once, so it can tell an inserted line from a deleted or reordered one.
    /// The streaming read calls it when it meets damage, for the message; memory is no concern
    /// on that path. It returns when every line is sound: the damage is then at the end of the
    /// file, in the head file or in the checkpoint, and the streaming read's message stands.
    func diagnose(_ file: JournalFile) throws(JournalError) {
        let buf = try file.read(at: 0, count: try file.size())
        let replayer = Replayer(path: path, validator: validator, baseOffset: 0, buf: UnsafeRawBufferPointer(buf.bytes), before: { _ in nil })
        var state = LedgerState()
        var snapshot: LedgerState?
        try replayer.run(state: &state, prev: .zero, prevPrev: nil, snapshotAt: nil, snapshot: &snapshot)
    }
}
